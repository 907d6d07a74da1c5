"""``parameter_unread``: a parameter nothing reads is reported when its name looks like a
misspelling of one that is read (a district's override written wrong), and only then."""

from __future__ import annotations

import datetime as dt
import difflib
from decimal import Decimal

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from relapse_guard import load_policy
from relapse_guard.checks import check_policy
from relapse_guard.checks.probe import Probe
from relapse_guard.checks.run import ENGINE_PARAMETERS, dates_used
from relapse_guard.checks.unread import SIMILARITY
from relapse_guard.context import Context
from relapse_guard.decisions import Grant, Risk
from relapse_guard.parameters import ParameterTree
from relapse_guard.policy import Policy
from relapse_guard.routing import step

D = dt.date


def _unread(policy: Policy) -> list[str]:
    return [str(f) for f in check_policy(policy) if f.check == "parameter_unread"]


@pytest.fixture(scope="module")
def yubei() -> Policy:
    return load_policy("yubei_2016")


@pytest.fixture(scope="module")
def read_names(yubei: Policy) -> list[str]:
    """The parameters of yubei_2016 the probe sees read."""
    probe = Probe(yubei, dates_used(yubei), ENGINE_PARAMETERS)
    return sorted({name for logs in probe.logs.values() for log in logs.values() for name in log.reads})


def test_a_misspelt_override_in_a_parameter_file_is_named_with_the_name_meant(yubei: Policy) -> None:
    tree = ParameterTree.from_toml("[safety_net.standrd]\nvalues = { 2016-07-01 = 330 }\n")
    assert _unread(yubei.derive(name="mine", parameter_tree=tree)) == [
        "parameter_unread: parameter safety_net.standrd: nothing in the policy reads it, so its values are never "
        "used; did you mean 'safety_net.standard', which is read? (a misspelt name in a parameter file declares a "
        "new parameter)"
    ]
    spelt = ParameterTree.from_toml("[safety_net.standard]\nvalues = { 2016-07-01 = 330 }\n")
    assert _unread(yubei.derive(name="mine", parameter_tree=spelt)) == []


def test_shipped_policies_have_no_unread_lookalikes() -> None:
    for name in ("chongqing_2016", "yubei_2016", "bishan_2016", "dazu_2016"):
        assert _unread(load_policy(name)) == [], name


def test_an_unread_parameter_unlike_any_read_one_is_not_reported(yubei: Policy) -> None:
    # a component may read it only on inputs the probe does not give: no finding, no noise
    policy = yubei.derive(name="mine", new_parameters={"outreach.vehicle_budget": {D(2016, 1, 1): 5000}})
    assert _unread(policy) == []


def test_the_parameters_an_entitlements_terms_name_are_read_by_the_engine(yubei: Policy) -> None:
    # safety_net.recheck_months_can_work is read by the engine's entitlement step, not by the
    # intervention the probe calls; a lookalike of it that the terms do not name is reported
    assert _unread(yubei) == []
    policy = yubei.derive(name="mine", new_parameters={"safety_net.recheck_month": {D(2016, 1, 1): 12}})
    (finding,) = _unread(policy)
    assert finding.startswith("parameter_unread: parameter safety_net.recheck_month: nothing in the policy reads it")


@attrs.frozen(kw_only=True)
class HeatingAllowance:
    """Pays ``heating.allowance`` for any risk routed to it."""

    name: str = "heating"

    def grant(self, risk: Risk, ctx: Context) -> Grant | None:
        return ctx.grant(intervention=self.name, risk=risk, amount=ctx.amount("heating.allowance"), responsible="town")


def test_a_new_parameter_a_new_intervention_reads_is_not_unread(yubei: Policy) -> None:
    policy = yubei.derive(
        name="mine",
        new_parameters={"heating.allowance": {D(2016, 1, 1): Decimal(200)}},
        interventions=[HeatingAllowance()],
        routes={"illness": [*yubei.routes["illness"], step("heating")]},
    )
    assert _unread(policy) == []
    typo = policy.derive(name="typo", new_parameters={"heating.allowence": {D(2016, 1, 1): Decimal(300)}})
    assert [f.split(";")[1] for f in _unread(typo)] == [
        " did you mean 'heating.allowance', which is read? (a misspelt name in a parameter file declares a new "
        "parameter)"
    ]


_LETTERS = "abcdefghijklmnopqrstuvwxyz_."


@st.composite
def _misspelt(draw: st.DrawFn, names: list[str]) -> tuple[str, str]:
    """A read name and that name with one letter dropped, doubled, changed or two swapped."""
    name = draw(st.sampled_from(names))
    at = draw(st.integers(0, len(name) - 2))
    edit = draw(st.sampled_from(["drop", "double", "change", "swap"]))
    if edit == "drop":
        wrong = name[:at] + name[at + 1 :]
    elif edit == "double":
        wrong = name[: at + 1] + name[at:]
    elif edit == "change":
        wrong = name[:at] + draw(st.sampled_from(_LETTERS)) + name[at + 1 :]
    else:
        wrong = name[:at] + name[at + 1] + name[at] + name[at + 2 :]
    return name, wrong


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_any_one_letter_misspelling_of_a_read_parameter_is_reported(
    yubei: Policy, read_names: list[str], data: st.DataObject
) -> None:
    name, wrong = data.draw(_misspelt(read_names))
    if wrong in yubei.parameters:
        return  # the edit gave another parameter's name (or the same one): nothing is misspelt
    value = yubei.parameters.get(name).values[-1][1]
    tree = ParameterTree({}).with_value(wrong, D(2016, 7, 1), value)
    (finding,) = _unread(yubei.derive(name="mine", parameter_tree=tree))
    assert finding.startswith(f"parameter_unread: parameter {wrong}: nothing in the policy reads it")
    meant = finding.split("did you mean '")[1].split("'")[0]
    # the name meant, or a read one at least as close to what was written
    ratio = difflib.SequenceMatcher(None, wrong, name).ratio()
    assert meant == name or difflib.SequenceMatcher(None, wrong, meant).ratio() >= ratio >= SIMILARITY
