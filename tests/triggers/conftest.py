"""Helpers for the trigger tests: a parameter timeline, households and contexts built directly.

Every risk a built-in trigger returns in these tests must have a kind its ``risk_kinds``
declares: :func:`_risks_have_declared_kinds` checks each one.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import strategies as st

import relapse_guard.triggers as triggers
from relapse_guard import Fact, Household, Member, Place, State
from relapse_guard.context import Context
from relapse_guard.decisions import Risk
from relapse_guard.household import LabourCapacity
from relapse_guard.parameters import ParameterTree
from relapse_guard.triggers import BUILTIN_TRIGGERS

#: The built-in trigger classes, from the registry's table.
BUILTIN_CLASSES: tuple[type[Any], ...] = tuple(
    getattr(triggers, path.partition(":")[2]) for path in BUILTIN_TRIGGERS.values()
)

Detect = Callable[[object, Fact, Context], Risk | None]


def declared_kinds_only(detect: Detect) -> Detect:
    """``detect``, failing when the risk it returns has a kind the trigger does not declare."""

    @functools.wraps(detect)
    def checked(self: object, fact: Fact, ctx: Context) -> Risk | None:
        risk = detect(self, fact, ctx)
        declared = getattr(self, "risk_kinds")  # noqa: B009
        assert risk is None or risk.kind in declared, (
            f"{type(self).__name__} returned a {risk.kind!r} risk but declares risk_kinds {declared!r}"
        )
        return risk

    return checked


@pytest.fixture(autouse=True, scope="module")
def _risks_have_declared_kinds() -> Iterator[None]:
    """For the tests of each module here, every built-in trigger's ``detect`` checks its risk's kind."""
    with pytest.MonkeyPatch.context() as patch:
        for cls in BUILTIN_CLASSES:
            patch.setattr(cls, "detect", declared_kinds_only(cls.detect))
        yield


#: Parameters as the shipped Chongqing 2016 policy has them, plus later values (from 2017)
#: so tests can check the value in force on the context date is the one used.
PARAMETERS_TOML = """
[poverty_line]
values = { 2015-01-01 = 2760, 2016-01-01 = 3600 }

[monitoring.threshold_ratio]
values = { 2015-01-01 = 1.5, 2017-01-01 = 2 }

[triggers.illness]
self_paid_alert = { values = { 2015-01-01 = 10000 } }
self_paid_alert_on_file = { values = { 2015-01-01 = 6000, 2017-01-01 = 5000 } }
income_share = { values = { 2015-01-01 = 0.4 } }

[triggers.disaster]
min_loss = { values = { 2015-01-01 = 1000, 2017-07-01 = 2000 } }

[triggers.schooling]
income_share = { values = { 2015-01-01 = 0.3, 2017-01-01 = 0.25 } }
school_year_start_month = { min = 1, max = 12, values = { 2015-01-01 = 9, 2018-01-01 = 8 } }
"""

PARAMETERS = ParameterTree.from_toml(PARAMETERS_TOML)

#: The usual date of a test: poverty line 3600, threshold ratio 1.5 (threshold 5400).
DAY = dt.date(2016, 6, 1)

#: Member ids look like national id numbers, so error messages must redact them.
M1 = "500112198001011234"
M2 = "500112198202025678"
M3 = "500112201003039012"

ON_FILE = (State.IDENTIFIED, State.ASSISTED, State.EXITED, State.MONITORED, State.RELAPSED)
NOT_ON_FILE = (State.NEW, State.STABLE)

assert set(ON_FILE) | set(NOT_ON_FILE) == set(State)


def household(*capacities: LabourCapacity, hid: str = "h1") -> Household:
    """A household whose members (ids M1, M2, M3, then m4...) have the given labour capacities."""
    ids = [M1, M2, M3] + [f"{hid}-m{i}" for i in range(4, len(capacities) + 1)]
    return Household(
        id=hid,
        place=Place("Yubei", "Town", "Village"),
        members=tuple(
            Member(id=ids[i], birth_date=dt.date(1980 + i, 1, 1), labour_capacity=capacity)
            for i, capacity in enumerate(capacities)
        ),
    )


#: Two members who can both work.
COUPLE = household(LabourCapacity.FULL, LabourCapacity.FULL)


def make_ctx(
    *,
    state: State = State.MONITORED,
    income: str | Decimal | None = None,
    previous: str | Decimal | None = None,
    date: dt.date = DAY,
    hh: Household = COUPLE,
    parameters: ParameterTree = PARAMETERS,
) -> Context:
    """A context built directly, as the engine would build it."""
    return Context(
        household=hh,
        date=date,
        state=state,
        parameters=parameters,
        income_per_capita=None if income is None else Decimal(income),
        previous_income_per_capita=None if previous is None else Decimal(previous),
    )


def evidence(risk: Risk) -> dict[str, str]:
    """The risk's evidence as a dict (labels are unique within one risk)."""
    labels = [label for label, _ in risk.evidence]
    assert len(labels) == len(set(labels)), f"duplicate evidence labels: {labels}"
    return dict(risk.evidence)


def used(risk: Risk) -> list[tuple[str, str, str]]:
    """The parameters a risk records: (name, value, effective date)."""
    return [(p.name, str(p.value), p.effective_from.isoformat()) for p in risk.parameters]


#: Amounts in yuan with fen, never float.
amounts = st.decimals(min_value=0, max_value=200_000, places=2, allow_nan=False, allow_infinity=False)
#: Per-capita incomes, or None (never assessed).
incomes = st.none() | amounts
states = st.sampled_from(list(State))
