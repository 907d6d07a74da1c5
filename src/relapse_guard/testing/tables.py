"""Policy test tables: worked cases written as data, run through the engine, failures shown as diffs.

A case file is TOML. Its top may name the policy (``policy = "yubei_2016"``), a default as-of
date and a default household; each ``[[case]]`` gives a name, the household (or the default),
its facts as records (as :meth:`~relapse_guard.facts.FactKinds.parse` reads them), the as-of
date and what is expected: the state, the grants (intervention, amount within a tolerance in
fen, period, date), the risks (kind, date) and the reviews completed. Every expectation is
optional; a case names at least one. The format is in ``docs/testing-your-policy.md``.

:func:`load_case_file` reads a file into a :class:`CaseFile` of typed :class:`WorkedCase`
values, or raises :class:`~relapse_guard.errors.InvalidCaseFile` naming the file, the case, the
field and the value. :func:`run_case` runs one case and returns a :class:`CaseOutcome`, whose
:meth:`~CaseOutcome.report` shows each field that differs, expected against got:

>>> cases = parse_case_file('''
... policy = "yubei_2016"
... [[case]]
... name = "a low-income household of two in 2016"
... household = { members = 2 }
... as_of = 2016-12-31
... facts = [{ kind = "income_assessed", date = 2016-06-01, income_per_capita = 2000 }]
... expect = { state = "assisted", grants = [
...     { intervention = "industry_funds_low_income", amount = 4000 },  # 2000 x 2 members
...     { intervention = "micro_insurance", amount = 100, period = "yearly" },  # 50 x 2
...     { intervention = "safety_net", amount = 266.66, period = "monthly" },  # (300 - 166.67) x 2
... ] }
... ''', "example.toml")
>>> [outcome.passed for outcome in cases.run()]
[True]

The command line runs case files (``relapse-guard test FILE... --policy P``) and the pytest
plug-in (:mod:`relapse_guard.pytest_plugin`) collects ``test_*.toml`` files of cases. Neither
this module nor they need hypothesis.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tomllib
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import attrs

from ..decisions import Grant, Period, Risk
from ..engine import Engine
from ..engine.household_step import changed_household
from ..errors import InvalidCaseFile, InvalidFact, InvalidInput, RelapseGuardError, close_names, redact, said
from ..facts import HOUSEHOLD_CHANGES, VERSION_KINDS, Fact, FactKinds, MemberJoined
from ..household import Household
from ..interface import ntr, tr, tr_marked
from ..labels import Kind, label
from ..lifecycle import State
from ..messages import ENGLISH, Term
from ..money import FEN
from ..policies import POLICIES, load_policy
from ..policy import Policy
from ..result import HouseholdResult

__all__ = [
    "CASES_FILENAME",
    "DEFAULT_BIRTH_DATE",
    "DEFAULT_DISTRICT",
    "DEFAULT_HOUSEHOLD_ID",
    "CaseFile",
    "CaseOutcome",
    "Difference",
    "Expectations",
    "ExpectedGrant",
    "ExpectedRisk",
    "WorkedCase",
    "has_cases",
    "load_case_file",
    "parse_case_file",
    "policy_cases",
    "run_case",
    "summary_line",
]

#: The name of the case file a policy package ships beside its module (see :func:`policy_cases`).
CASES_FILENAME = "cases.toml"
#: The id of a household that gives none.
DEFAULT_HOUSEHOLD_ID = "H1"
#: The district of a household that gives no place (the engine does not read it; a policy map does).
DEFAULT_DISTRICT = "unspecified"
#: The birth date of a member that gives none (an adult of working age in the seed's years).
DEFAULT_BIRTH_DATE = dt.date(1980, 1, 1)

_TOP_KEYS = ("policy", "as_of", "household", "case")
_CASE_KEYS = ("name", "as_of", "household", "facts", "expect")
_HOUSEHOLD_KEYS = ("id", "place", "members")
_PLACE_KEYS = ("district", "town", "village")
_MEMBER_KEYS = ("id", "birth_date", "labour_capacity", "health", "schooling")
_EXPECT_KEYS = ("state", "grants", "risks", "reviews_completed", "partial")
_CHECKED = ("state", "grants", "risks", "reviews_completed")
_GRANT_KEYS = ("intervention", "amount", "tolerance_fen", "period", "date")
_RISK_KEYS = ("kind", "date")
_DATE = "a date such as 2016-12-31 (a TOML date, or its ISO text)"


# --- what a case expects -------------------------------------------------------------------------


@attrs.frozen
class _Label:
    """A name of the library (a state, an intervention...), said by its label in a language
    (:func:`~relapse_guard.labels.label`)."""

    kind: Kind
    name: str

    def render(self, lang: str) -> str:
        return label(self.kind, self.name, lang)


@attrs.frozen
class _Said:
    """A message of the interface (marked with ``tr("en", ...)`` where it is made) and its values."""

    message: str
    values: tuple[tuple[str, _Part], ...] = ()

    def render(self, lang: str) -> str:
        text = tr_marked(lang, self.message)
        return text.format(**{name: _render(value, lang) for name, value in self.values}) if self.values else text


@attrs.frozen
class _Words:
    """Parts said one after the other, a space between them."""

    parts: tuple[_Part, ...]

    def render(self, lang: str) -> str:
        return " ".join(_render(part, lang) for part in self.parts)


#: A value of a difference as it is said in a language: text as it is (an amount, a date), a
#: name by its label, a term of the decisions (a service), a message of the interface, or words.
_Part = str | _Label | Term | _Said | _Words


def _render(part: _Part, lang: str) -> str:
    if isinstance(part, Term):
        return part.render(lang)
    return part if isinstance(part, str) else part.render(lang)


def _on(day: dt.date) -> _Said:
    return _Said(tr("en", "on {date}"), (("date", day.isoformat()),))


@attrs.frozen(kw_only=True)
class ExpectedGrant:
    """A grant a case expects: its intervention and, when given, its amount (within
    ``tolerance_fen`` fen either way), period and date. A field left as None is not compared."""

    intervention: str
    amount: Decimal | None = None
    tolerance_fen: int = 0
    period: Period | None = None
    date: dt.date | None = None

    @property
    def key(self) -> str:
        """What a grant must have to be compared with this one at all: its intervention."""
        return self.intervention

    def differences(self, grant: Grant) -> tuple[tuple[str, str, str], ...]:
        """``(field, expected, got)`` for each field of ``grant`` that differs; ``()`` when it matches.

        >>> from relapse_guard.decisions import Grant
        >>> paid = Grant(intervention="safety_net", household_id="H1", date=dt.date(2016, 6, 1),
        ...              risk_key="k", amount=Decimal("266.66"), period=Period.MONTHLY)
        >>> ExpectedGrant(intervention="safety_net", amount=Decimal("266.67"), tolerance_fen=1).differences(paid)
        ()
        >>> ExpectedGrant(intervention="safety_net", amount=Decimal(300), period=Period.YEARLY).differences(paid)
        (('amount', '300', '266.66'), ('period', 'yearly', 'monthly'))
        """
        return _english(self._differences(grant))

    def _differences(self, grant: Grant) -> tuple[tuple[str, _Part, _Part], ...]:
        found: list[tuple[str, _Part, _Part]] = []
        if grant.intervention != self.intervention:
            found.append(
                ("intervention", _Label("intervention", self.intervention), _Label("intervention", grant.intervention))
            )
        if self.amount is not None and (
            grant.amount is None or abs(grant.amount - self.amount) > FEN * self.tolerance_fen
        ):
            found.append(("amount", self._amount_text(), _amount_of(grant)))
        if self.period is not None and grant.period is not self.period:
            found.append(("period", _Label("period", self.period.value), _Label("period", grant.period.value)))
        if self.date is not None and grant.date != self.date:
            found.append(("date", self.date.isoformat(), grant.date.isoformat()))
        return tuple(found)

    def describe(self) -> str:
        """The expectation in a few words: ``safety_net 266.66 ± 0.01 monthly on 2016-06-01``."""
        return self._describe().render(ENGLISH)

    def _describe(self) -> _Words:
        parts: list[_Part] = [_Label("intervention", self.intervention)]
        if self.amount is not None:
            parts.append(self._amount_text())
        if self.period is not None:
            parts.append(_Label("period", self.period.value))
        if self.date is not None:
            parts.append(_on(self.date))
        return _Words(tuple(parts))

    def _amount_text(self) -> str:
        if self.tolerance_fen:
            return f"{self.amount} ± {FEN * self.tolerance_fen}"
        return str(self.amount)


def _amount_of(grant: Grant) -> _Part:
    return str(grant.amount) if grant.amount is not None else _Said(tr("en", "none (a service)"))


def _grant_text(grant: Grant) -> _Part:
    amount: _Part
    if grant.amount is not None:
        amount = str(grant.amount)
    elif grant.service:
        amount = _Said(tr("en", "service {service}"), (("service", Term(grant.service)),))
    else:
        amount = _Said(tr("en", "service"))
    return _Words(
        (_Label("intervention", grant.intervention), amount, _Label("period", grant.period.value), _on(grant.date))
    )


@attrs.frozen(kw_only=True)
class ExpectedRisk:
    """A risk a case expects: its kind and, when given, its date."""

    kind: str
    date: dt.date | None = None

    @property
    def key(self) -> str:
        """What a risk must have to be compared with this one at all: its kind."""
        return self.kind

    def differences(self, risk: Risk) -> tuple[tuple[str, str, str], ...]:
        """``(field, expected, got)`` for each field of ``risk`` that differs; ``()`` when it matches."""
        return _english(self._differences(risk))

    def _differences(self, risk: Risk) -> tuple[tuple[str, _Part, _Part], ...]:
        found: list[tuple[str, _Part, _Part]] = []
        if risk.kind != self.kind:
            found.append(("kind", _Label("risk", self.kind), _Label("risk", risk.kind)))
        if self.date is not None and risk.date != self.date:
            found.append(("date", self.date.isoformat(), risk.date.isoformat()))
        return tuple(found)

    def describe(self) -> str:
        """The expectation in a few words: ``illness on 2017-04-03``."""
        return _render(self._describe(), ENGLISH)

    def _describe(self) -> _Part:
        kind = _Label("risk", self.kind)
        return kind if self.date is None else _Words((kind, _on(self.date)))


def _risk_text(risk: Risk) -> _Part:
    key = _Said(tr("en", "(key {key})"), (("key", risk.key),))
    return _Words((_Label("risk", risk.kind), _on(risk.date), key))


def _english(found: Sequence[tuple[str, _Part, _Part]]) -> tuple[tuple[str, str, str], ...]:
    return tuple((name, _render(want, ENGLISH), _render(got, ENGLISH)) for name, want, got in found)


@attrs.frozen(kw_only=True)
class Expectations:
    """What a case expects of its result; None is not checked.

    ``grants``, ``risks`` and ``reviews_completed`` list all the household has: one more in the
    result is a difference, unless ``partial`` (then they list what it must have, among others).
    ``reviews_completed`` maps each review's name to the date of its last completion, or to
    None when any date will do.
    """

    state: State | None = None
    grants: tuple[ExpectedGrant, ...] | None = None
    risks: tuple[ExpectedRisk, ...] | None = None
    reviews_completed: Mapping[str, dt.date | None] | None = None
    partial: bool = False

    def differences(self, result: HouseholdResult) -> tuple[Difference, ...]:
        """Each field of ``result`` that differs from what is expected, in the order of the fields."""
        found: list[Difference] = []
        if self.state is not None and result.state is not self.state:
            found.append(_difference("state", _Label("state", self.state.value), _Label("state", result.state.value)))
        if self.grants is not None:
            found.extend(_compare("grants", "grant", self.grants, result.grants, _grant_text, self.partial))
        if self.risks is not None:
            found.extend(_compare("risks", "risk", self.risks, result.risks, _risk_text, self.partial))
        if self.reviews_completed is not None:
            found.extend(self._review_differences(result.reviews_completed))
        return tuple(found)

    def _review_differences(self, done: Mapping[str, dt.date]) -> list[Difference]:
        assert self.reviews_completed is not None
        found = []
        for review, on in self.reviews_completed.items():
            got = done.get(review)
            wanted = (
                _Said(tr("en", "completed"))
                if on is None
                else _Said(tr("en", "completed, last on {date}"), (("date", on.isoformat()),))
            )
            field = f"reviews_completed.{review}"
            if got is None:
                found.append(_difference(field, wanted, _Said(tr("en", "not completed"))))
            elif on is not None and got != on:
                found.append(
                    _difference(
                        field, wanted, _Said(tr("en", "last completed on {date}"), (("date", got.isoformat()),))
                    )
                )
        if not self.partial:
            for review in sorted(set(done) - set(self.reviews_completed)):
                got_said = _Words((_Label("review_name", review), _on(done[review])))
                found.append(
                    _difference("reviews_completed", _Said(tr("en", "no other review")), got_said, unexpected=True)
                )
        return found


_E = TypeVar("_E", ExpectedGrant, ExpectedRisk)
_A = TypeVar("_A", Grant, Risk)


def _compare(
    field: str,
    noun: str,
    expected: Sequence[_E],
    actual: Sequence[_A],
    describe: Callable[[_A], _Part],
    partial: bool,
) -> list[Difference]:
    """The differences between expected and actual grants (or risks), matched without regard to order.

    As many expectations as can be take each an item that matches it in every field given (a
    maximum matching, :func:`_matching`: the order of the expectations does not change whether
    they are met); one left over is compared with the unmatched item of its intervention (or
    kind) closest to it, field by field, or reported missing; items left over after that are
    unexpected.
    """
    matched = _matching(expected, actual)
    taken = set(matched.values())
    unmatched = [position for position in range(len(actual)) if position not in taken]
    found: list[Difference] = []
    kind: Kind = "intervention" if noun == "grant" else "risk"
    for index, expectation in enumerate(expected):
        if index in matched:
            continue
        same_key = [p for p in unmatched if getattr(actual[p], _KEY_FIELD[noun]) == expectation.key]
        if not same_key:
            had = any(getattr(item, _KEY_FIELD[noun]) == expectation.key for item in actual)
            missing = _missing(noun, _Label(kind, expectation.key), other=had)
            found.append(_difference(f"{field}[{index}]", expectation._describe(), missing))
            continue
        closest = min(same_key, key=lambda p: len(expectation.differences(actual[p])))  # type: ignore[arg-type]
        unmatched.remove(closest)
        for name, want, got in expectation._differences(actual[closest]):  # type: ignore[arg-type]
            found.append(_difference(f"{field}[{index}].{name} ({expectation.key})", want, got))
    if not partial:
        other = _Said(tr("en", "no other grant")) if noun == "grant" else _Said(tr("en", "no other risk"))
        found.extend(_difference(field, other, describe(actual[p]), unexpected=True) for p in unmatched)
    return found


def _matching(expected: Sequence[_E], actual: Sequence[_A]) -> dict[int, int]:
    """The item each expectation takes (by position), as many expectations matched as can be: a
    maximum bipartite matching of expectations to the items that have every field they give,
    by augmenting paths (Kuhn's algorithm; a case lists a few grants). Where several matchings
    are as large, expectations earlier in the list take items earlier in the result.

    >>> from relapse_guard.decisions import Grant
    >>> def paid(amount):
    ...     return Grant(intervention="safety_net", household_id="H1", date=dt.date(2016, 6, 1),
    ...                  risk_key="k", amount=Decimal(amount), period=Period.MONTHLY)
    >>> any_amount, exactly_240 = ExpectedGrant(intervention="safety_net"), ExpectedGrant(
    ...     intervention="safety_net", amount=Decimal(240))
    >>> _matching([any_amount, exactly_240], [paid(240), paid(450)])
    {0: 1, 1: 0}
    """
    fits = [
        [position for position, item in enumerate(actual) if not expectation._differences(item)]  # type: ignore[arg-type]
        for expectation in expected
    ]
    owner: dict[int, int] = {}  # item position -> the expectation that takes it

    def augment(index: int, seen: set[int]) -> bool:
        for position in fits[index]:
            if position in seen:
                continue
            seen.add(position)
            if position not in owner or augment(owner[position], seen):
                owner[position] = index
                return True
        return False

    for index in range(len(expected)):
        augment(index, set())
    return dict(sorted((index, position) for position, index in owner.items()))


def _missing(noun: str, name: _Label, *, other: bool) -> _Said:
    """``no safety_net grant`` (``no other safety_net grant`` when it had one matched already)."""
    if noun == "grant":
        message = tr("en", "no other {name} grant") if other else tr("en", "no {name} grant")
    else:
        message = tr("en", "no other {name} risk") if other else tr("en", "no {name} risk")
    return _Said(message, (("name", name),))


_KEY_FIELD = {"grant": "intervention", "risk": "kind"}


def _difference(field: str, expected: _Part, got: _Part, *, unexpected: bool = False) -> Difference:
    """The difference of ``field``, its values said in English and kept to be said in another language."""
    said_field: _Part = _Said(tr("en", "{field} (unexpected)"), (("field", field),)) if unexpected else field
    return Difference(
        _render(said_field, ENGLISH),
        _render(expected, ENGLISH),
        _render(got, ENGLISH),
        said=(said_field, expected, got),
    )


# --- cases, files and outcomes -------------------------------------------------------------------


@attrs.frozen
class Difference:
    """One field of a result that is not what its case expects: the field, what was expected, what came.

    ``said`` keeps the three as parts another language can say (the names by their labels);
    without it they are said as they are in every language.
    """

    field: str
    expected: str
    got: str
    said: tuple[_Part, _Part, _Part] | None = attrs.field(default=None, eq=False, repr=False, kw_only=True)

    def __str__(self) -> str:
        return self.render()

    def render(self, lang: str = "en") -> str:
        """The field, then what was expected and what came, on lines of their own, in ``lang``."""
        field, expected, got = (
            (self.field, self.expected, self.got)
            if self.said is None
            else tuple(_render(part, lang) for part in self.said)
        )
        return tr(
            lang, "{field}:\n    expected: {expected}\n    got:      {got}", field=field, expected=expected, got=got
        )


@attrs.frozen(kw_only=True)
class WorkedCase:
    """One worked case of a case file: a household, its facts, the as-of date and what is expected.

    ``number`` is the case's position in its file, from 1; ``source`` the file.
    """

    name: str
    number: int
    source: str
    household: Household
    facts: tuple[Fact, ...]
    as_of: dt.date
    expect: Expectations

    @property
    def label(self) -> str:
        """How messages name the case: ``case #2 'D grade, low income'``."""
        return f"case #{self.number} {self.name!r}"


@attrs.frozen(kw_only=True)
class CaseOutcome:
    """A case run: the result (None when the engine refused the facts), each difference from what
    was expected, and the error the engine raised, if it did. ``passed`` when there is neither."""

    case: WorkedCase
    result: HouseholdResult | None
    differences: tuple[Difference, ...] = ()
    error: RelapseGuardError | None = None

    @property
    def passed(self) -> bool:
        """True when the engine ran the case and every expectation holds."""
        return self.error is None and not self.differences

    def report(self, *, explain: bool = False, lang: str = "en") -> str:
        """The outcome as text: a line naming the case, then for a failure each field that differs,
        expected against got (or the error), and with ``explain`` the household's timeline; its
        own words in ``lang`` (the case's name, fields and values as the case file has them)."""
        case = self.case
        head = tr(
            lang, "case #{number} {name} ({source})", number=case.number, name=repr(case.name), source=case.source
        )
        if self.passed:
            return tr(lang, "{case} passed", case=head)
        lines = [tr(lang, "{case} failed:", case=head)]
        if self.error is not None:
            error = type(self.error).__name__
            # its notes too: where policy code raised it ("raised in trigger.illness for household 'H1' on fact 'f7'")
            lines.append(tr(lang, "  the engine raised {error}: {message}", error=error, message=said(self.error)))
        lines.extend("  " + difference.render(lang) for difference in self.differences)
        if explain and self.result is not None:
            lines.append(tr(lang, "  timeline:"))
            lines.extend("    " + line for line in self.result.explain(lang).splitlines())
        return "\n".join(lines)


def run_case(case: WorkedCase, engine: Engine) -> CaseOutcome:
    """Run ``case`` with ``engine`` and compare the result with what the case expects.

    An error of the library's that the engine raises (facts it refuses, policy code that
    fails) is the case's outcome, not raised: the case fails with it.
    """
    try:
        result = engine.run(case.household, case.facts, as_of=case.as_of)
    except RelapseGuardError as error:
        return CaseOutcome(case=case, result=None, error=error)
    return CaseOutcome(case=case, result=result, differences=case.expect.differences(result))


@attrs.frozen(kw_only=True)
class CaseFile:
    """A case file read: its source, the policy its cases run under (``policy_spec`` as the
    file names it, None when it names none) and its cases in file order."""

    source: str
    policy: Policy
    policy_spec: str | None
    cases: tuple[WorkedCase, ...]

    def run(self, engine: Engine | None = None) -> tuple[CaseOutcome, ...]:
        """Run every case (with ``engine``, by default one of the file's policy), in file order."""
        engine = engine if engine is not None else Engine(self.policy)
        return tuple(run_case(case, engine) for case in self.cases)


def summary_line(passed: int, failed: int, lang: str = "en") -> str:
    """The closing line of a run of cases, in ``lang``.

    >>> summary_line(3, 1)
    '3 cases passed, 1 failed'
    >>> summary_line(1, 0)
    '1 case passed'
    >>> summary_line(0, 2)
    '0 cases passed, 2 failed'
    """
    if failed:
        return ntr(
            lang, "{count} case passed, {failed} failed", "{count} cases passed, {failed} failed", passed, failed=failed
        )
    return ntr(lang, "{count} case passed", "{count} cases passed", passed)


# --- reading case files --------------------------------------------------------------------------

_CASE_TABLE = re.compile(r"^[ \t]*\[\[[ \t]*case[ \t]*\]\]", re.MULTILINE)


def has_cases(text: str) -> bool:
    """True when TOML ``text`` has a ``[[case]]`` table: how the pytest plug-in tells a case file
    from another ``test_*.toml`` file (without parsing it, so that a case file with a syntax error
    is still collected, and reported).

    >>> has_cases('policy = "yubei_2016"\\n\\n[[case]]\\nname = "x"\\n'), has_cases("[tool]\\ncase = 1\\n")
    (True, False)
    """
    return _CASE_TABLE.search(text) is not None


def load_case_file(
    path: str | os.PathLike[str],
    *,
    policy: Policy | None = None,
    load: Callable[[str], Policy] = load_policy,
    source: str | None = None,
    policy_option: str = "--policy",
) -> CaseFile:
    """Read the case file at ``path``; see :func:`parse_case_file`. ``source`` names it in messages
    and reports (by default, ``path``).

    A policy the file names as a Python file (``policy = "my_policy.py:NAME"``) is looked for
    relative to the case file's directory.
    """
    source = os.fspath(path) if source is None else source
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InvalidCaseFile(source, "", "", None, "not UTF-8 text") from None
    except OSError as error:
        raise InvalidCaseFile(source, "", "", None, f"cannot be read: {error.strerror or error}") from None
    return parse_case_file(
        text, source, policy=policy, load=load, directory=Path(path).parent, policy_option=policy_option
    )


def policy_cases(name: str) -> CaseFile | None:
    """The worked cases the registered policy ``name`` ships beside its module (a
    :data:`CASES_FILENAME` in its package), read under it; None when it ships none.

    >>> len(policy_cases("yubei_2016").cases) > 0
    True
    """
    module = POLICIES.source(name).partition(":")[0]
    try:
        found = resources.files(module).joinpath(CASES_FILENAME)
    except (ModuleNotFoundError, TypeError):  # a policy of a module that is not a package
        return None
    if not found.is_file():
        return None
    return parse_case_file(found.read_text(encoding="utf-8"), f"{module}/{CASES_FILENAME}", policy=load_policy(name))


def parse_case_file(
    text: str,
    source: str = "<string>",
    *,
    policy: Policy | None = None,
    load: Callable[[str], Policy] = load_policy,
    directory: str | os.PathLike[str] | None = None,
    policy_option: str = "--policy",
) -> CaseFile:
    """Read a case file's ``text`` (``source`` names it in errors) into a :class:`CaseFile`.

    The cases run under ``policy`` when given (``--policy`` on the command line), else under the
    policy the file names at its top, loaded with ``load`` (by default registered names only;
    the command line and the pytest plug-in also take ``path.py:NAME`` and ``package.module:NAME``,
    with a relative path relative to ``directory``). Facts are read with the policy's fact kinds.

    Raises :class:`~relapse_guard.errors.InvalidCaseFile` naming the file, the case, the field
    and the value: TOML that does not parse, an unknown key (with the keys meant), a missing or
    wrongly typed value, a household or fact the library refuses, a member id that is not of
    the household on the fact's date, a fact dated after the case's as-of date, a policy that
    does not load or is not named at all (the message names ``policy_option`` as the way to give
    one: ``--relapse-guard-policy`` under pytest).
    """
    reader = _Reader(source, policy_option)
    data = reader.toml(text)
    reader.keys(data, _TOP_KEYS, "", "the top of a case file")
    spec = data.get("policy")
    if spec is not None and not isinstance(spec, str):
        raise reader.error("policy", spec, 'a policy name such as "yubei_2016", or "path/to/file.py:NAME"')
    if policy is None:
        policy = reader.policy(spec, load, None if directory is None else Path(directory))
    default_as_of = reader.date(data["as_of"], "as_of") if "as_of" in data else None
    default_household = data.get("household", {})
    if not isinstance(default_household, dict):
        raise reader.error("household", default_household, "a table of the household's id, place and members")
    raw_cases = data.get("case")
    if raw_cases is None:
        raise reader.error("case", None, "[[case]] tables, one per worked case")
    if not isinstance(raw_cases, list) or not raw_cases or not all(isinstance(c, dict) for c in raw_cases):
        raise reader.error("case", raw_cases, "[[case]] tables, one per worked case (at least one)")
    cases: list[WorkedCase] = []
    names: set[str] = set()
    for number, raw in enumerate(raw_cases, start=1):
        case = reader.case(raw, number, default_as_of, default_household, policy.fact_kinds)
        if case.name in names:
            raise reader.error("name", case.name, "a name no other case of the file has", case=case.label)
        names.add(case.name)
        cases.append(case)
    return CaseFile(source=source, policy=policy, policy_spec=spec, cases=tuple(cases))


def _relative_to(spec: str, directory: Path | None) -> str:
    """``spec`` with a relative Python file made relative to ``directory``."""
    source, colon, attribute = spec.rpartition(":")
    if directory is None or not colon or not (source.endswith(".py") or "/" in source or "\\" in source):
        return spec
    if Path(source).is_absolute():
        return spec
    return f"{directory / source}:{attribute}"


def _suggest(key: str, allowed: Sequence[str]) -> str:
    close = close_names(key, allowed, limit=1)
    return f"; did you mean {close[0]!r}?" if close else ""


@attrs.define
class _Reader:
    """Reads one case file, raising :class:`InvalidCaseFile` with the file and the case at hand."""

    source: str
    #: How the user gives a policy to run the cases under, instead of the file's (``--policy``).
    policy_option: str = "--policy"
    #: The case being read, as messages name it (empty at the top of the file).
    current: str = ""

    def error(self, field: str, value: object, expected: str, *, case: str | None = None) -> InvalidCaseFile:
        """The error to raise for ``field``'s ``value``, in the case being read (or ``case``)."""
        return InvalidCaseFile(self.source, self.current if case is None else case, field, value, expected)

    def toml(self, text: str) -> dict[str, Any]:
        try:
            return tomllib.loads(text, parse_float=Decimal)  # 266.66 is exactly 266.66
        except tomllib.TOMLDecodeError as error:
            raise InvalidCaseFile(self.source, "", "", None, f"not TOML: {error}") from None

    def keys(self, data: Mapping[str, Any], allowed: Sequence[str], prefix: str, what: str) -> None:
        for key in data:
            if key not in allowed:
                raise self.error(
                    prefix + key, data[key], f"a key of {what} ({', '.join(allowed)}){_suggest(key, allowed)}"
                )

    def policy(self, spec: str | None, load: Callable[[str], Policy], directory: Path | None) -> Policy:
        if spec is None:
            raise self.error(
                "policy",
                None,
                'the policy the cases run under, at the top of the file (policy = "yubei_2016"), '
                f"or a policy given to run them under ({self.policy_option})",
            )
        try:
            return load(_relative_to(spec, directory))
        except RelapseGuardError as error:
            raise InvalidCaseFile(self.source, "", "policy", spec, f"a policy that loads ({error})") from error

    def date(self, value: object, field: str) -> dt.date:
        if type(value) is dt.date:
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                pass
        raise self.error(field, value, _DATE)

    def text(self, value: object, field: str, expected: str = "a non-empty string") -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.error(field, value, expected)
        return value

    def table(self, value: object, field: str, expected: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.error(field, value, expected)
        return value

    def tables(self, value: object, field: str, expected: str) -> list[dict[str, Any]]:
        if not isinstance(value, list):
            raise self.error(field, value, expected)
        for index, item in enumerate(value):
            self.table(item, f"{field}[{index}]", "a table")
        return value

    def case(
        self,
        raw: dict[str, Any],
        number: int,
        default_as_of: dt.date | None,
        default_household: Mapping[str, Any],
        kinds: FactKinds,
    ) -> WorkedCase:
        name = raw.get("name")
        self.current = f"case #{number}" + (f" {name!r}" if isinstance(name, str) else "")
        try:
            self.keys(raw, _CASE_KEYS, "", "a [[case]]")
            name = self.text(name, "name", "a non-empty string naming the case")
            if "as_of" in raw:
                as_of = self.date(raw["as_of"], "as_of")
            elif default_as_of is not None:
                as_of = default_as_of
            else:
                raise self.error("as_of", None, _DATE + ", in the case or at the top of the file")
            own = self.table(raw.get("household", {}), "household", "a table of the household's id, place and members")
            household = self.household({**default_household, **own})
            facts = self.facts(raw.get("facts", []), household, as_of, kinds)
            if "expect" not in raw:
                raise self.error(
                    "expect", None, f"a table of what the case expects: at least one of {', '.join(_CHECKED)}"
                )
            expect = self.expectations(self.table(raw["expect"], "expect", "a table of what the case expects"))
            return WorkedCase(
                name=name,
                number=number,
                source=self.source,
                household=household,
                facts=facts,
                as_of=as_of,
                expect=expect,
            )
        finally:
            self.current = ""

    def household(self, data: Mapping[str, Any]) -> Household:
        self.keys(data, _HOUSEHOLD_KEYS, "household.", "a household")
        hid = self.text(data.get("id", DEFAULT_HOUSEHOLD_ID), "household.id", "a non-empty string")
        place = data.get("place", {"district": DEFAULT_DISTRICT})
        if isinstance(place, str):
            parts = place.split("/")
            if len(parts) > len(_PLACE_KEYS):
                raise self.error("household.place", place, "district/town/village, or a table of them")
            place = dict(zip(_PLACE_KEYS, parts, strict=False))
        elif isinstance(place, dict):
            self.keys(place, _PLACE_KEYS, "household.place.", "a place")
        members = data.get("members", 1)
        if isinstance(members, int) and not isinstance(members, bool):
            if members < 1:
                raise self.error(
                    "household.members", members, "a number of members of at least 1, or a list of members"
                )
            members = [{} for _ in range(members)]
        elif isinstance(members, list):
            for index, member in enumerate(members):
                self.table(member, f"household.members[{index}]", "a table of the member's fields")
                self.keys(member, _MEMBER_KEYS, f"household.members[{index}].", "a member")
        else:
            raise self.error("household.members", members, "a number of members, or a list of member tables")
        record = {
            "id": hid,
            "place": place,
            "members": [_member_record(index, member) for index, member in enumerate(members, start=1)],
        }
        try:
            return Household.from_dict(record)
        except InvalidInput as error:
            raise self.error(f"household.{error.field}", error.value, error.expected) from error

    def facts(self, value: object, household: Household, as_of: dt.date, kinds: FactKinds) -> tuple[Fact, ...]:
        records = self.tables(value, "facts", "a list of fact tables ([[case.facts]], or facts = [{ ... }])")
        given = {record["id"] for record in records if isinstance(record.get("id"), str)}
        facts: list[Fact] = []
        ids: set[str] = set()
        for index, record in enumerate(records, start=1):
            field = f"facts[{index - 1}]"
            hid = record.get("household_id", household.id)
            if hid != household.id:
                raise self.error(f"{field}.household_id", hid, f"the case's household id {household.id!r}, or nothing")
            fid = record.get("id")
            if fid is None:
                fid = _free_id(index, given)
            if isinstance(fid, str) and fid in ids:
                raise self.error(f"{field}.id", fid, "an id no other fact of the case has")
            try:
                fact = kinds.parse({**record, "household_id": household.id, "id": fid})
            except InvalidInput as error:
                raise self.error(f"{field}.{error.field}", error.value, error.expected) from error
            if fact.date > as_of:
                raise self.error(
                    f"{field}.date",
                    fact.date,
                    f"a date on or before the case's as_of {as_of.isoformat()} (the engine leaves out later facts)",
                )
            ids.add(fact.id)
            facts.append(fact)
        self.members(facts, household)
        return tuple(facts)

    def members(self, facts: Sequence[Fact], household: Household) -> None:
        """Refuse a fact naming a member the household does not have on its date, as the engine
        does: the household's members, with the members joined by an earlier fact of the case
        (or one of the same day: changes of the household apply first), less the members who
        left or died before (a fact of theirs before that day counts). The facts are taken in
        the engine's order (date, kind, id). A case with corrections or retractions is left to
        the engine (the versions it applies decide who is a member)."""
        if any(isinstance(fact, tuple(VERSION_KINDS)) for fact in facts):
            return
        current, dissolved = household, None
        for index, fact in sorted(enumerate(facts), key=lambda pair: pair[1].sort_key()):
            field = f"facts[{index}]"
            member = getattr(fact, "member_id", None)
            if isinstance(fact, HOUSEHOLD_CHANGES):
                if dissolved is None and not isinstance(fact, MemberJoined) and isinstance(member, str):
                    self.member_of(current, member, fact, field)
                try:
                    current, dissolved = changed_household(current, fact, dissolved)
                except InvalidFact as error:
                    raise self.error(f"{field}.{error.field}", error.value, error.expected) from error
            elif dissolved is None and isinstance(member, str):
                self.member_of(current, member, fact, field)

    def member_of(self, household: Household, member: str, fact: Fact, field: str) -> None:
        if household.has_member(member):
            return
        members = ", ".join(redact(m.id) for m in household.members)  # personal ids, shown redacted
        raise self.error(
            f"{field}.member_id",
            redact(member),
            f"the id of a member of the household on {fact.date.isoformat()} ({members})",
        )

    def expectations(self, data: Mapping[str, Any]) -> Expectations:
        self.keys(data, _EXPECT_KEYS, "expect.", "[case.expect]")
        if not any(key in data for key in _CHECKED):
            raise self.error("expect", data, f"at least one of {', '.join(_CHECKED)}")
        state = None
        if "state" in data:
            state = _enum(self, State, data["state"], "expect.state")
        grants = None
        if "grants" in data:
            raw = self.tables(data["grants"], "expect.grants", "a list of grant tables ({ intervention = ... })")
            grants = tuple(self.grant(item, f"expect.grants[{index}]") for index, item in enumerate(raw))
        risks = None
        if "risks" in data:
            raw = self.tables(data["risks"], "expect.risks", "a list of risk tables ({ kind = ... })")
            risks = tuple(self.risk(item, f"expect.risks[{index}]") for index, item in enumerate(raw))
        reviews = None
        if "reviews_completed" in data:
            reviews = self.reviews(data["reviews_completed"])
        partial = data.get("partial", False)
        if not isinstance(partial, bool):
            raise self.error("expect.partial", partial, "true or false")
        return Expectations(state=state, grants=grants, risks=risks, reviews_completed=reviews, partial=partial)

    def grant(self, data: Mapping[str, Any], field: str) -> ExpectedGrant:
        self.keys(data, _GRANT_KEYS, f"{field}.", "an expected grant")
        intervention = self.text(data.get("intervention"), f"{field}.intervention", "the intervention's name")
        amount = None
        if "amount" in data:
            amount = _amount(self, data["amount"], f"{field}.amount")
        tolerance = data.get("tolerance_fen", 0)
        if isinstance(tolerance, bool) or not isinstance(tolerance, int) or tolerance < 0:
            raise self.error(
                f"{field}.tolerance_fen", tolerance, "a whole number of fen, 0 or more (1 fen = 0.01 yuan)"
            )
        period = _enum(self, Period, data["period"], f"{field}.period") if "period" in data else None
        on = self.date(data["date"], f"{field}.date") if "date" in data else None
        return ExpectedGrant(intervention=intervention, amount=amount, tolerance_fen=tolerance, period=period, date=on)

    def risk(self, data: Mapping[str, Any], field: str) -> ExpectedRisk:
        self.keys(data, _RISK_KEYS, f"{field}.", "an expected risk")
        kind = self.text(data.get("kind"), f"{field}.kind", "the risk's kind, such as 'illness'")
        on = self.date(data["date"], f"{field}.date") if "date" in data else None
        return ExpectedRisk(kind=kind, date=on)

    def reviews(self, value: object) -> dict[str, dt.date | None]:
        expected = "a list of review names, or a table of review names and the date each was last completed"
        if isinstance(value, list):
            field = "expect.reviews_completed"
            return dict.fromkeys(self.text(name, f"{field}[{i}]", "a review's name") for i, name in enumerate(value))
        if isinstance(value, dict):
            return {name: self.date(on, f"expect.reviews_completed.{name}") for name, on in value.items()}
        raise self.error("expect.reviews_completed", value, expected)


def _free_id(index: int, taken: set[str]) -> str:
    """``f<index>``, or with a suffix when the case gives a fact that id itself."""
    candidate = f"f{index}"
    while candidate in taken:
        candidate += "'"
    return candidate


def _member_record(number: int, data: Mapping[str, Any]) -> dict[str, Any]:
    """A member as :meth:`Household.from_dict` reads it: ids and birth dates filled in, dates as text."""
    record = {"id": f"m{number}", "birth_date": DEFAULT_BIRTH_DATE, **data}
    if type(record["birth_date"]) is dt.date:
        record["birth_date"] = record["birth_date"].isoformat()
    return record


_N = TypeVar("_N", State, Period)


def _enum(reader: _Reader, kind: type[_N], value: object, field: str) -> _N:
    for member in kind:
        if member.value == value:
            return member
    raise reader.error(field, value, "one of " + ", ".join(repr(m.value) for m in kind))


def _amount(reader: _Reader, value: object, field: str) -> Decimal:
    if isinstance(value, Decimal | int) and not isinstance(value, bool):
        amount = Decimal(value)
        if amount.is_finite():
            return amount
    if isinstance(value, str):
        try:
            amount = Decimal(value.strip())
        except ArithmeticError:
            pass
        else:
            if amount.is_finite():
                return amount
    raise reader.error(field, value, "an amount in yuan, such as 266.66 or 12000")
