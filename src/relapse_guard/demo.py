"""The built-in example: a few households of Yubei walked through their lifecycle.

``relapse-guard demo`` (or ``python -m relapse_guard demo``) runs it and prints, for each
household, its timeline of explained decisions and where it ends up. The demo's own lines (its
heading, each household's story, the money and the closing count of states) are said in the
language asked (:mod:`relapse_guard.interface`); the decisions as the engine explains them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

from .engine import Engine
from .explanation import money_lines
from .facts import (
    AssistanceGranted,
    DisasterReported,
    ExitVerified,
    Fact,
    HouseAppraised,
    HousingGrade,
    IllnessReported,
    IncomeAssessed,
    JobLost,
    Source,
)
from .household import Household, LabourCapacity, Member, Place
from .interface import plural, tr, tr_marked
from .labels import label
from .policies import load_policy
from .policy import Policy
from .result import HouseholdResult

__all__ = ["DEMO_AS_OF", "demo_households", "render_demo", "run_demo"]

D = dt.date

#: The date the demo runs to: after the transition period of the 2015 exits.
DEMO_AS_OF = D(2019, 6, 30)


def _household(hid: str, village: str, *members: tuple[str, D, LabourCapacity]) -> Household:
    return Household(
        id=hid,
        place=Place("Yubei", "Dashengzhen", village),
        members=tuple(Member(id=mid, birth_date=born, labour_capacity=cap) for mid, born, cap in members),
    )


def _income(hid: str, n: int, on: D, amount: int) -> IncomeAssessed:
    return IncomeAssessed(id=f"{hid}-inc{n}", household_id=hid, date=on, income_per_capita=Decimal(amount))


def demo_households() -> Iterator[tuple[str, Household, list[Fact]]]:
    """The demo's households, each with a one-line story and its facts."""
    full, none = LabourCapacity.FULL, LabourCapacity.NONE
    # each story is marked for the interface's catalogue (tr("en", ...)); render_demo says it in the language asked

    h = _household("YB-001", "Qinglong", ("YB-001-1", D(1975, 3, 2), full), ("YB-001-2", D(2004, 9, 1), none))
    yield (
        tr("en", "exits in 2015, three years of transition, stable from 2019"),
        h,
        [
            _income(h.id, 1, D(2015, 1, 8), 2300),
            AssistanceGranted(id="YB-001-aid", household_id=h.id, date=D(2015, 1, 10), measure="industry project"),
            _income(h.id, 2, D(2015, 11, 20), 4200),
            ExitVerified(id="YB-001-exit", household_id=h.id, date=D(2015, 12, 1)),
            _income(h.id, 3, D(2016, 12, 1), 4900),
            _income(h.id, 4, D(2017, 12, 1), 5600),
            _income(h.id, 5, D(2018, 12, 1), 6100),
        ],
    )

    h = _household(
        "YB-002",
        "Qinglong",
        ("YB-002-1", D(1968, 5, 12), full),
        ("YB-002-2", D(1970, 1, 30), full),
        ("YB-002-3", D(1940, 7, 7), none),
    )
    yield (
        tr("en", "falls ill during monitoring: medical aid and the safety net, then relapses and is helped again"),
        h,
        [
            _income(h.id, 1, D(2015, 1, 5), 2500),
            AssistanceGranted(id="YB-002-aid", household_id=h.id, date=D(2015, 2, 1), measure="industry project"),
            _income(h.id, 2, D(2015, 11, 1), 3900),
            ExitVerified(id="YB-002-exit", household_id=h.id, date=D(2015, 11, 15)),
            IllnessReported(
                id="YB-002-ill",
                household_id=h.id,
                date=D(2017, 4, 3),
                source=Source.DEPARTMENT,
                member_id="YB-002-1",
                self_paid_cost=Decimal(9000),
                hospitalised=True,
            ),
            _income(h.id, 3, D(2017, 12, 1), 3100),
        ],
    )

    h = _household("YB-003", "Huilong", ("YB-003-1", D(1958, 2, 1), full), ("YB-003-2", D(1960, 8, 8), full))
    yield (
        tr("en", "a flood damages the house (graded D): relief and renovation"),
        h,
        [
            _income(h.id, 1, D(2015, 3, 1), 2600),
            AssistanceGranted(id="YB-003-aid", household_id=h.id, date=D(2015, 3, 20), measure="poultry project"),
            _income(h.id, 2, D(2015, 10, 1), 4300),
            ExitVerified(id="YB-003-exit", household_id=h.id, date=D(2015, 10, 20)),
            DisasterReported(
                id="YB-003-flood", household_id=h.id, date=D(2016, 7, 2), hazard="flood", loss=Decimal(20000)
            ),
            HouseAppraised(id="YB-003-house", household_id=h.id, date=D(2016, 7, 10), grade=HousingGrade.D),
        ],
    )

    h = _household("YB-004", "Huilong", ("YB-004-1", D(1985, 6, 1), full), ("YB-004-2", D(2010, 4, 4), none))
    yield (
        tr("en", "an edge household never identified: its earner loses his job and income falls below the line"),
        h,
        [
            _income(h.id, 1, D(2016, 1, 15), 5000),
            JobLost(id="YB-004-job", household_id=h.id, date=D(2016, 6, 1), member_id="YB-004-1"),
            _income(h.id, 2, D(2016, 9, 1), 3000),
        ],
    )


def run_demo(as_of: dt.date = DEMO_AS_OF, policy_name: str | Policy = "yubei_2016") -> list[HouseholdResult]:
    """Run the demo households under ``policy_name`` (a registered name, or a policy) as of ``as_of``
    and return the results."""
    engine = Engine(policy_name if isinstance(policy_name, Policy) else load_policy(policy_name))
    return [engine.run(household, facts, as_of=as_of) for _, household, facts in demo_households()]


def render_demo(as_of: dt.date = DEMO_AS_OF, policy_name: str | Policy = "yubei_2016", *, lang: str = "en") -> str:
    """The demo's printed report, under ``policy_name`` (a registered name, or a policy: named by its name).

    ``lang`` is the language of the demo's own lines: its heading, the stories, the money and
    the closing count of states (with the states and interventions by their labels), and of
    the decisions it explains.
    """
    results = run_demo(as_of, policy_name)
    name = policy_name.name if isinstance(policy_name, Policy) else policy_name
    heading = tr(
        lang,
        "relapse_guard demo: {households} under {policy}, as of {date}",
        households=plural(len(results), "household", lang=lang),
        policy=name,
        date=as_of.isoformat(),
    )
    comma = tr(lang, ", ")
    lines = [heading, ""]
    for (story, _, _), result in zip(demo_households(), results, strict=True):
        lines.append(f"## {result.household_id}: {tr_marked(lang, story)}")
        lines.append(result.explain(lang))
        lines += money_lines(result, lang)
        lines.append("")
    counts: dict[str, int] = {}
    for result in results:
        counts[result.state.value] = counts.get(result.state.value, 0) + 1
    states = comma.join(f"{label('state', state, lang)} {n}" for state, n in sorted(counts.items()))
    lines.append(tr(lang, "states: {states}", states=states))
    return "\n".join(lines)
