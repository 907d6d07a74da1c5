"""Parameter values that expire or are due for review: in TOML and in code, at look-up, in the
engine, and in the static checks (``relapse-guard check``)."""

from __future__ import annotations

import datetime as dt
import pickle
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from relapse_guard import Engine, Household, IncomeAssessed, Member, Place, load_policy
from relapse_guard.checks import check_policy
from relapse_guard.engine.fingerprint import policy_fingerprint
from relapse_guard.errors import (
    InvalidParameter,
    InvalidParameterFile,
    ParameterError,
    ParameterExpired,
    ParameterNotInForce,
)
from relapse_guard.parameters import OnExpiry, Parameter, ParameterTree
from relapse_guard.policy import Policy

from .cli.helpers import cli

D = dt.date
TOML = """
[safety_net.standard]
unit = "yuan per person per month"
values = { 2015-01-01 = 230, 2016-01-01 = 300 }
review_by = { 2015-01-01 = 2015-06-30, 2016-01-01 = 2016-12-31 }
expires = 2017-06-30

[poverty_line]
values = { 2015-01-01 = 2800 }
expires = { 2015-01-01 = 2015-12-31 }
on_expiry = "carry_forward"
"""


def test_a_value_is_in_force_up_to_its_expiry_then_refused_naming_it() -> None:
    tree = ParameterTree.from_toml(TOML)
    assert tree.value("safety_net.standard", D(2017, 6, 30)) == Decimal(300)
    with pytest.raises(ParameterExpired) as info:
        tree.lookup("safety_net.standard", D(2017, 7, 1))
    error = info.value
    assert (error.name, error.on, error.expired, error.effective_from, error.value) == (
        "safety_net.standard",
        "2017-07-01",
        "2017-06-30",
        "2016-01-01",
        Decimal(300),
    )
    assert str(error) == (
        "parameter 'safety_net.standard' has no value on 2017-07-01: its value 300 (from 2016-01-01) expired on "
        '2017-06-30; give it a new value, or set on_expiry = "carry_forward" to go on using the last one'
    )
    assert isinstance(error, ParameterError)
    assert not isinstance(error, ParameterNotInForce)  # "not in force yet" code must not swallow it
    back = pickle.loads(pickle.dumps(error))
    assert (type(back), str(back), back.expired, back.value) == (
        ParameterExpired,
        str(error),
        "2017-06-30",
        Decimal(300),
    )


def test_a_value_carried_forward_goes_on_past_its_expiry() -> None:
    tree = ParameterTree.from_toml(TOML)
    assert tree.value("poverty_line", D(2030, 1, 1)) == Decimal(2800)
    assert tree.get("poverty_line").next_change(D(2015, 6, 1)) is None


def test_an_expiry_is_a_change_of_the_timeline() -> None:
    standard = ParameterTree.from_toml(TOML).get("safety_net.standard")
    assert standard.next_change(D(2015, 6, 1)) == D(2016, 1, 1)
    assert standard.next_change(D(2016, 6, 1)) == D(2017, 7, 1)  # the day after it expires
    assert standard.next_change(D(2017, 7, 1)) is None


def test_a_value_that_expires_before_the_next_one_leaves_a_gap() -> None:
    p = Parameter(
        name="a",
        values=((D(2015, 1, 1), Decimal(1)), (D(2016, 1, 1), Decimal(2))),
        expires={D(2015, 1, 1): D(2015, 9, 30)},
    )
    assert p.at(D(2015, 9, 30)).value == 1
    with pytest.raises(ParameterExpired, match="expired on 2015-09-30"):
        p.at(D(2015, 10, 1))
    assert p.at(D(2016, 1, 1)).value == 2
    assert [p.next_change(D(2015, 1, 1)), p.next_change(D(2015, 10, 1))] == [D(2015, 10, 1), D(2016, 1, 1)]
    # a value expiring after the next one took effect never bites
    later = Parameter(name="a", values=p.values, expires={D(2015, 1, 1): D(2016, 3, 1)})
    assert later.next_change(D(2015, 1, 1)) == D(2016, 1, 1)


def test_the_dates_read_from_toml() -> None:
    tree = ParameterTree.from_toml(TOML)
    standard = tree.get("safety_net.standard")
    assert standard.expires == ((D(2016, 1, 1), D(2017, 6, 30)),)  # a bare date: the last value's
    assert standard.review_by == ((D(2015, 1, 1), D(2015, 6, 30)), (D(2016, 1, 1), D(2016, 12, 31)))
    assert (standard.on_expiry, tree.get("poverty_line").on_expiry) == (None, "carry_forward")
    assert standard.expiry(D(2016, 1, 1)) == D(2017, 6, 30)
    assert standard.review_date(D(2015, 1, 1)) == D(2015, 6, 30)
    assert standard.expiry(D(2015, 1, 1)) is None


def test_a_file_may_carry_forward_every_parameter_that_does_not_say() -> None:
    tree = ParameterTree.from_toml('on_expiry = "carry_forward"\n' + TOML.replace('"carry_forward"', '"error"'))
    assert tree.get("safety_net.standard").on_expiry == "carry_forward"
    assert tree.value("safety_net.standard", D(2020, 1, 1)) == Decimal(300)
    assert tree.get("poverty_line").on_expiry == "error"  # its own word wins
    with pytest.raises(ParameterExpired):
        tree.value("poverty_line", D(2016, 1, 1))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('on_expiry = "never"\n[a]\nvalues = { 2016-01-01 = 1 }', "on_expiry must be 'error' or 'carry_forward'"),
        ('[a]\nvalues = { 2016-01-01 = 1 }\non_expiry = "later"', "parameter 'a': on_expiry must be"),
        ("[a]\nvalues = { 2016-01-01 = 1 }\nexpires = 3", "expires must be a date"),
        ("[a]\nvalues = { 2016-01-01 = 1 }\nexpires = { 2016-13-01 = 2017-01-01 }", "is not an ISO date"),
        ('[a]\nvalues = { 2016-01-01 = 1 }\nreview_by = { 2016-01-01 = "soon" }', "must be a date"),
        ("[a]\nvalues = { 2016-01-01 = 1 }\nexpires = { 2016-01-01 = 2017-01-01T00:00:00 }", "must be a date"),
        ("[a]\nvalues = { 2016-01-01 = 1 }\nreview_by = { 2015-01-01 = 2017-01-01 }", "effective date of one"),
        ("[a]\nvalues = { 2016-01-01 = 1 }\nexpires = 2015-12-31", "on or after the value takes effect"),
        ("[a]\nvalues = { 2016-01-01 = 1 }\nexpiry = 2017-01-01", "unknown key 'expiry'"),
    ],
)
def test_bad_dates_in_a_file_are_refused_naming_the_parameter(text: str, message: str) -> None:
    with pytest.raises((InvalidParameterFile, InvalidParameter), match=message) as info:
        ParameterTree.from_toml(text, source="p.toml")
    assert "p.toml" in str(info.value)


def test_bad_dates_in_code_are_refused() -> None:
    values = ((D(2016, 1, 1), Decimal(1)),)
    with pytest.raises(InvalidParameter, match="effective date of one of its values"):
        Parameter(name="a", values=values, expires={D(2015, 1, 1): D(2017, 1, 1)})
    with pytest.raises(InvalidParameter, match="on or after"):
        Parameter(name="a", values=values, review_by={D(2016, 1, 1): D(2015, 1, 1)})
    with pytest.raises(InvalidParameter, match=r"datetime\.date"):
        Parameter(name="a", values=values, expires={D(2016, 1, 1): "2017-01-01"})  # type: ignore[arg-type]
    with pytest.raises(InvalidParameter, match="on_expiry"):
        Parameter(name="a", values=values, on_expiry="later")  # type: ignore[arg-type]
    with pytest.raises(InvalidParameter, match="on_expiry"):
        ParameterTree({}).with_on_expiry("later")  # type: ignore[arg-type]


def test_dates_given_in_code_follow_their_values() -> None:
    tree = ParameterTree.from_toml("[a]\nvalues = { 2015-01-01 = 1 }")
    tree = tree.with_value("a", D(2016, 1, 1), 2, expires=D(2016, 12, 31), review_by=D(2016, 6, 30))
    a = tree.get("a")
    assert (a.expires, a.review_by) == (((D(2016, 1, 1), D(2016, 12, 31)),), ((D(2016, 1, 1), D(2016, 6, 30)),))
    # a value replaced loses its dates; a new parameter takes them
    assert tree.with_value("a", D(2016, 1, 1), 3).get("a").expires == ()
    b = tree.with_value("b", D(2016, 1, 1), 5, expires=D(2017, 1, 1)).get("b")
    assert b.expiry(D(2016, 1, 1)) == D(2017, 1, 1)
    # overlaid: each value keeps its own dates, the newer tree's rule for the past wins when it says one
    theirs = ParameterTree(
        {"a": Parameter(name="a", values=((D(2017, 1, 1), Decimal(4)),), expires={D(2017, 1, 1): D(2017, 12, 31)})}
    )
    both = tree.overlaid(theirs).get("a")
    assert both.expires == ((D(2016, 1, 1), D(2016, 12, 31)), (D(2017, 1, 1), D(2017, 12, 31)))
    assert both.review_by == ((D(2016, 1, 1), D(2016, 6, 30)),)
    carried = tree.with_on_expiry("carry_forward")
    assert carried.value("a", D(2020, 1, 1)) == 2
    assert carried.with_on_expiry("error").get("a").on_expiry == "carry_forward"  # said once, kept


# --- the engine -------------------------------------------------------------------------------------

YUBEI = load_policy("yubei_2016")
HOME = Household(
    id="H1",
    place=Place("Yubei", "Dashengzhen", "Qinglong"),
    members=[Member(id="m1", birth_date=D(1975, 3, 2))],
)


def _expiring(on_expiry: OnExpiry | None = None) -> Policy:
    standard = YUBEI.parameters.get("safety_net.standard")
    last = standard.values[-1][0]
    tree = ParameterTree(
        {
            "safety_net.standard": Parameter(
                name="safety_net.standard", values=standard.values, expires={last: D(2016, 12, 31)}, on_expiry=on_expiry
            )
        }
    )
    return YUBEI.derive(name="yubei_expiring", parameter_tree=tree)


def test_a_run_past_an_expiry_raises_naming_the_parameter_and_the_dates() -> None:
    policy = _expiring()
    # a household on the safety net from 2016: its monthly top-up is looked at again when the standard expires
    facts = [IncomeAssessed(id="f1", household_id="H1", date=D(2016, 3, 1), income_per_capita=Decimal(2000))]
    before = Engine(policy).run(HOME, facts, as_of=D(2016, 12, 31))
    plain = Engine(YUBEI).run(HOME, facts, as_of=D(2016, 12, 31))
    assert [d.to_dict() for d in before.decisions] == [d.to_dict() for d in plain.decisions]  # up to it: as before
    assert before.money()["safety_net"].monthly_in_force > 0
    with pytest.raises(ParameterExpired) as info:
        Engine(policy).run(HOME, facts, as_of=D(2017, 3, 31))
    assert (info.value.name, info.value.on, info.value.expired) == ("safety_net.standard", "2017-01-01", "2016-12-31")


def test_a_run_carrying_the_value_forward_is_the_run_without_an_expiry() -> None:
    policy = _expiring("carry_forward")
    facts = [
        IncomeAssessed(id="f1", household_id="H1", date=D(2016, 3, 1), income_per_capita=Decimal(2000)),
        IncomeAssessed(id="f2", household_id="H1", date=D(2017, 5, 1), income_per_capita=Decimal(2100)),
    ]
    carried = Engine(policy).run(HOME, facts, as_of=D(2017, 12, 31))
    plain = Engine(YUBEI).run(HOME, facts, as_of=D(2017, 12, 31))
    assert [d.to_dict() for d in carried.decisions] == [d.to_dict() for d in plain.decisions]
    assert carried.money() == plain.money()


def test_an_expiry_changes_the_fingerprint_only_of_a_policy_that_has_one() -> None:
    assert policy_fingerprint(_expiring()) != policy_fingerprint(YUBEI.derive(name="yubei_expiring"))
    assert policy_fingerprint(_expiring()) != policy_fingerprint(_expiring("carry_forward"))
    cited = YUBEI.parameters.get("safety_net.standard").reference_of(D(2016, 1, 1))  # the same value, the same source
    with_review = YUBEI.derive(name="r", parameter_tree=ParameterTree({}).with_value(
        "safety_net.standard", D(2016, 1, 1), 300, review_by=D(2016, 6, 30), reference=cited))  # fmt: skip
    assert policy_fingerprint(with_review) == policy_fingerprint(
        YUBEI.derive(name="r")
    )  # a review date decides nothing


@given(
    st.lists(st.integers(0, 3000), min_size=1, max_size=5, unique=True),
    st.lists(st.one_of(st.none(), st.integers(0, 800)), min_size=5, max_size=5),
    st.booleans(),
    st.integers(-100, 4000),
)
def test_a_look_up_is_the_value_in_force_unless_past_its_expiry(
    starts: list[int], lasts: list[int | None], carry: bool, asked: int
) -> None:
    origin = D(2015, 1, 1).toordinal()
    starts = sorted(starts)
    values = tuple((D.fromordinal(origin + s), Decimal(i)) for i, s in enumerate(starts))
    expires = {
        day: D.fromordinal(day.toordinal() + length)
        for (day, _), length in zip(values, lasts, strict=False)
        if length is not None
    }
    p = Parameter(name="p", values=values, expires=expires, on_expiry="carry_forward" if carry else None)
    on = D.fromordinal(origin + asked)
    entry = p.in_force(on)
    if entry is None:
        with pytest.raises(ParameterNotInForce):
            p.at(on)
        return
    limit = expires.get(entry[0])
    if limit is not None and on > limit and not carry:
        with pytest.raises(ParameterExpired):
            p.at(on)
        # the day after the expiry is a change of the timeline
        assert p.next_change(limit) == D.fromordinal(limit.toordinal() + 1)
    else:
        assert p.at(on).value == entry[1]
    # the timeline changes exactly where a look-up's answer can change
    change = p.next_change(on)
    if change is not None:
        assert change > on


# --- the static checks and `relapse-guard check` --------------------------------------------------

POLICY_FILE = """
import datetime as dt

from relapse_guard import load_policy
from relapse_guard.parameters import ParameterTree

D = dt.date
tree = (
    ParameterTree({})
    .with_value("safety_net.standard", D(2016, 1, 1), 300, review_by=D(2017, 6, 30), expires=D(2017, 12, 31))
)
policy = load_policy("yubei_2016").derive(name="expiring", parameter_tree=tree)
"""


def test_check_reports_a_value_past_its_review_date_then_past_its_expiry() -> None:
    policy = _expiring()
    assert check_policy(policy, as_of=D(2016, 12, 31)) == ()
    (expired,) = check_policy(policy, as_of=D(2017, 1, 1))
    assert str(expired) == (
        "parameter_expired: parameter safety_net.standard: its value 300 (from 2016-01-01) expired on 2016-12-31: "
        "a run reading it on 2017-01-01 raises ParameterExpired "
        '(give it a new value, or set on_expiry = "carry_forward")'
    )
    (carried,) = check_policy(_expiring("carry_forward"), as_of=D(2017, 1, 1))
    assert carried.message.endswith('the policy carries it forward (on_expiry = "carry_forward"): give it a new value')


def test_relapse_guard_check_names_the_parameter_its_value_and_the_dates(tmp_path: Path) -> None:
    (tmp_path / "expiring.py").write_text(POLICY_FILE, encoding="utf-8")
    early = cli("check", "expiring.py:policy", "--as-of", "2017-06-30", cwd=tmp_path)
    assert early.returncode == 0, early.stdout + early.stderr
    due = cli("check", "expiring.py:policy", "--as-of", "2017-07-01", cwd=tmp_path)
    assert due.returncode == 1
    assert due.stdout.splitlines() == [
        "parameter_review_due: parameter safety_net.standard: its value 300 (from 2016-01-01) is in use on "
        "2017-07-01, past its review_by 2017-06-30",
        "expiring@1: 1 finding (parameter_review_due 1)",
    ]
    late = cli("check", "expiring.py:policy", "--on", "2018-01-01", cwd=tmp_path)
    assert late.returncode == 1
    assert [line.split(":")[0] for line in late.stdout.splitlines()[:-1]] == [
        "parameter_review_due",
        "parameter_expired",
    ]


def test_the_shipped_policies_have_no_expiries() -> None:
    for name in ("yubei_2016", "bishan_2016", "dazu_2016", "chongqing_2016"):
        tree = load_policy(name).parameters
        assert all(not tree.get(p).expires and not tree.get(p).review_by for p in tree)
