"""The check that a policy's vectorised forms give what its engine gives (needs numpy).

:func:`vectorised_matches_engine` screens households twice, on the engine alone and with the
columnar screen, and compares them row by row; it also compares, on each date of each
household's facts, the income band the policy's ``vectorised_quiet_from`` forms give with
the band their scalar ``quiet_from`` give (a vectorised band above the scalar one only hands
more households to the engine; one below it is wrong). See docs/columnar.md.

Authors reach it as :func:`relapse_guard.testing.vectorised_matches_engine`.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from decimal import ROUND_CEILING, Decimal

import attrs
import numpy as np

from ...context import Context
from ...engine import Engine
from ...engine.prefilter import income_band, income_watchers
from ...engine.run_state import RunState
from ...errors import WrongType, typed_repr
from ...facts import Fact, IncomeAssessed
from ...household import Household
from ...lifecycle import State
from ...policy import Policy
from ..screen import screen_records
from ..screened import Record, Tally
from ..summary import Problem
from .frame import (
    NO_BAND,
    FactFrame,
    QuietFrame,
    band_scaled,
    fact_plan,
    income_triggers,
    lifecycle_rules,
    quiet_facts,
    quiet_plan,
    scaled,
)
from .run import run_columnar

__all__ = ["VectorisedCheck", "vectorised_matches_engine"]


@attrs.frozen
class VectorisedCheck:
    """What :func:`vectorised_matches_engine` found: true when nothing differs.

    ``differences`` says each difference in words; ``paths`` counts the households the
    columnar screen decided (``columnar``) and those it handed to the engine (``engine``).
    """

    differences: tuple[str, ...]
    paths: dict[str, int]

    def __bool__(self) -> bool:
        return not self.differences

    def __str__(self) -> str:
        if not self.differences:
            return f"the columnar screen matches the engine ({self._paths()})"
        return f"{len(self.differences)} difference(s) ({self._paths()}):\n" + "\n".join(self.differences)

    def _paths(self) -> str:
        return ", ".join(f"{name}: {count}" for name, count in sorted(self.paths.items()))


def vectorised_matches_engine(
    policy: Policy,
    households: Iterable[tuple[Household, Sequence[Fact]]],
    *,
    as_of: dt.date | None = None,
) -> VectorisedCheck:
    """Screen ``households`` (each with its facts) under ``policy`` as of ``as_of`` (by default
    the date of the latest fact) on the engine and with the columnar screen, and compare:
    rows (state, open risks, pending interventions, reviews, money to the fen), totals and
    problems, and each household's whole result (every risk with its evidence, every grant),
    household by household; the vectorised income bands with the scalar ones; and each
    ``vectorised_quiet`` answer of a trigger of other facts with its ``detect``.

    Arguments of the wrong type raise :class:`~relapse_guard.errors.WrongType` naming them: a
    policy name (load it with ``load_policy``), a household without its facts.

    >>> # assert (check := vectorised_matches_engine(policy, households)), check
    """
    population = _population(policy, households, as_of)
    if as_of is None:
        dates = [fact.date for _, facts in population for fact in facts]
        as_of = max(dates) if dates else dt.date(2000, 1, 1)
    records: list[Record] = [(household, facts, ()) for household, facts in population]
    scalar = screen_records(records, policy, as_of, engine="scalar", digests=False)
    columnar = screen_records(records, policy, as_of, engine="columnar", digests=False)
    differences: list[str] = []
    if len(scalar.rows) != len(columnar.rows):
        differences.append(f"{len(scalar.rows)} rows on the engine, {len(columnar.rows)} columnar")
    for expected, found in zip(scalar.rows, columnar.rows, strict=False):
        if expected != found:
            differences.append(f"household {expected.household_id!r}: engine {expected!r}, columnar {found!r}")
    if scalar.problems != columnar.problems:
        differences.append(f"problems differ: engine {scalar.problems!r}, columnar {columnar.problems!r}")
    if scalar.totals != columnar.totals:
        differences.append(f"totals differ: engine {scalar.totals!r}, columnar {columnar.totals!r}")
    differences.extend(_result_differences(policy, records, as_of))
    differences.extend(_band_differences(policy, population, as_of))
    differences.extend(_fact_differences(policy, population, as_of))
    return VectorisedCheck(tuple(differences), dict(columnar.paths))


def _population(policy: object, households: object, as_of: object) -> list[tuple[Household, list[Fact]]]:
    """``households`` as a list of (household, facts) pairs, every argument checked."""
    caller = "vectorised_matches_engine"
    if not isinstance(policy, Policy):
        hint = f": call load_policy({policy!r}) to get one" if isinstance(policy, str) else ""
        raise WrongType(f"{caller} needs a Policy, not {typed_repr(policy)}{hint}")
    if as_of is not None and (not isinstance(as_of, dt.date) or isinstance(as_of, dt.datetime)):
        raise WrongType(f"{caller}: as_of must be a datetime.date or None, not {typed_repr(as_of)}")
    if isinstance(households, str | bytes | Household) or not isinstance(households, Iterable):
        raise WrongType(
            f"{caller}: households must be an iterable of (household, facts) pairs, not {typed_repr(households)}"
        )
    population: list[tuple[Household, list[Fact]]] = []
    for index, pair in enumerate(households):
        if not isinstance(pair, tuple | list) or len(pair) != 2 or not isinstance(pair[0], Household):
            raise WrongType(
                f"{caller}: households[{index}] must be a (household, facts) pair, not {typed_repr(pair)}"
                + ("; give each household with its facts: [(household, facts)]" if isinstance(pair, Household) else "")
            )
        household, facts = pair
        if isinstance(facts, str | bytes) or not isinstance(facts, Iterable):
            raise WrongType(f"{caller}: households[{index}][1] must be the household's facts, not {typed_repr(facts)}")
        listed = list(facts)
        for number, fact in enumerate(listed):
            if not isinstance(fact, Fact):
                raise WrongType(f"{caller}: households[{index}][1][{number}] must be a Fact, not {typed_repr(fact)}")
        population.append((household, listed))
    return population


def _result_differences(policy: Policy, records: list[Record], as_of: dt.date) -> list[str]:
    """Households whose whole result differs: a row names only the kinds of its risks, so a
    risk the columnar screen missed in a year whose kind was found in another would not show."""
    engine = Engine(policy, record_decisions=False)
    found: list[str] = []
    screened = run_columnar(records, engine, as_of, Tally(), Counter())
    for (household, facts, _), (_, outcome, _, _, _) in zip(records, screened, strict=True):
        assert household is not None
        try:
            expected: object = engine.run(household, facts, as_of=as_of)
        except Exception as error:  # the screen makes it a problem: compared with the problems above
            expected = Problem.from_exception(household.id, error)
        if outcome != expected:
            found.append(f"household {household.id!r}: the engine's result differs from the columnar screen's")
    return found


def _band_differences(policy: Policy, population: list[tuple[Household, list[Fact]]], as_of: dt.date) -> list[str]:
    """Dates where a vectorised band of a new household is below the scalar band."""
    plan = quiet_plan(policy, State.NEW)
    if plan is None:
        return []  # nothing is decided in columns: nothing to compare
    engine = Engine(policy, record_decisions=False)
    watchers = income_watchers(policy, income_triggers(policy))[State.NEW]
    found: list[str] = []
    for household, facts in population:
        days = sorted({fact.date for fact in facts if fact.date <= as_of})
        if not days:
            continue
        ordinals = np.array([day.toordinal() for day in days], dtype=np.int64)
        vectorised = band_scaled(plan, QuietFrame(policy.parameters, State.NEW, ordinals))
        run = RunState(household)
        for day, band in zip(days, vectorised.tolist(), strict=True):
            ctx = engine._context(run, day)
            try:
                expected, _ = income_band(watchers, ctx, policy.parameters, {})
            except Exception:  # the engine names it for the household; no band then
                expected = None
            lowest = NO_BAND if expected is None else _ceiling(expected)
            if band < lowest:
                found.append(
                    f"household {household.id!r} on {day.isoformat()}: the vectorised band {_yuan(band)} is below"
                    f" the scalar band {_yuan(lowest)}: {_culprits(policy, ctx, day)}"
                )
    return found


def _culprits(policy: Policy, ctx: Context, day: dt.date) -> str:
    """Which rule's or trigger's vectorised ``quiet_from`` gives a lower band than its own
    ``quiet_from`` on ``day``, by name, in yuan."""
    rules = [("rule", rule) for rule in lifecycle_rules(policy, State.NEW)]
    triggers = [("trigger", trigger) for trigger in income_triggers(policy)]
    frame = QuietFrame(policy.parameters, State.NEW, np.array([day.toordinal()], dtype=np.int64))
    said = []
    for what, part in [*rules, *triggers]:
        form = getattr(part, "vectorised_quiet_from", None)
        scalar = getattr(part, "quiet_from", None)
        if form is None or scalar is None:
            continue
        vectorised = band_scaled((form,), frame).tolist()[0]
        try:
            expected = scalar(ctx)
        except Exception:  # the engine names it; no band then
            expected = None
        lowest = NO_BAND if expected is None else _ceiling(expected)
        if vectorised < lowest:
            said.append(
                f"{what} {getattr(part, 'name', part)!r}: its vectorised_quiet_from gives {_yuan(vectorised)},"
                f" its quiet_from {_yuan(lowest)}"
            )
    return "; ".join(said or ["the parts' bands together"]) + ": the vectorised quiet_from promises more"


def _yuan(band: int) -> str:
    """A band in 1/SCALE yuan, said in yuan (``none`` for no band)."""
    if band == NO_BAND:
        return "none (nothing promised)"
    return f"{Decimal(band).scaleb(-4).normalize():f} yuan"


def _fact_differences(policy: Policy, population: list[tuple[Household, list[Fact]]], as_of: dt.date) -> list[str]:
    """Facts of a kind framed (an illness, a school enrolment, ...) that a trigger's
    ``vectorised_quiet`` finds quiet where its ``detect`` finds a risk, for a new household
    with the income of its last assessment before the fact (facts before any are not framed)."""
    forms = fact_plan(policy)
    engine = Engine(policy, record_decisions=False)
    found: list[str] = []
    for household, facts in population:
        income: Decimal | None = None
        members = {member.id for member in household.members}
        for fact in sorted([fact for fact in facts if fact.date <= as_of], key=Fact.sort_key):
            if type(fact) is IncomeAssessed:
                income = fact.income_per_capita
                continue
            kind_forms = forms.get(type(fact))
            if not kind_forms or income is None or not income.is_finite():
                continue
            member_id = getattr(fact, "member_id", None)
            if member_id is not None and member_id not in members:
                continue  # the engine refuses it: never framed
            frame = FactFrame(policy.parameters, State.NEW, [fact], [income], [household.members])
            if not quiet_facts(kind_forms, frame)[0]:
                continue
            run = RunState(household)
            run.income = income
            ctx = engine._context(run, fact.date)
            for trigger in policy.triggers:
                if type(fact) not in trigger.fact_kinds:
                    continue
                try:
                    risk = trigger.detect(fact, ctx)
                    said = None if risk is None else f"finds a {risk.kind} risk"
                except Exception as error:  # the engine would make the household a problem
                    said = f"fails ({type(error).__name__})"
                if said is not None:
                    found.append(
                        f"household {household.id!r}, fact {fact.id!r}: trigger {trigger.name!r}'s vectorised_quiet"
                        f" finds it quiet, its detect {said}: the vectorised form promises more"
                    )
    return found


def _ceiling(band: Decimal) -> int:
    exact = scaled(band)
    if exact is not None:
        return exact
    return int(band.scaleb(4).to_integral_value(rounding=ROUND_CEILING))
