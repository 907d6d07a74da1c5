"""Facts: immutable, dated records of what happened to a household.

Every fact has an ``id`` (so ingesting it twice changes nothing), the ``household_id``,
the ``date`` it happened and its ``source``. Subclasses add the fields of their kind.
Amounts are :class:`~decimal.Decimal` yuan and never negative.

Every fact has two times: the ``date`` it applies to and ``recorded_at``, the moment it
became known (timezone-aware UTC; set by the store on ingest when absent). ``recorded_at``
is not part of the fact's identity, its order or the engine's result: it only chooses which
facts a run *as known on* a moment sees (docs/corrections.md). A :class:`FactCorrected`
carries a new version of an earlier fact and a :class:`FactRetracted` withdraws one; nothing
stored is overwritten.

Facts of one day are applied in a fixed order (:attr:`Fact.order`, then id): changes of the
household itself (a member joining, leaving or dying, a move) first, then what is observed
about the household (appraisals, shocks, income), then what is decided about it (assistance,
exit), so the same facts in any input order give the same result.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal
from typing import Any, ClassVar, TypeVar

import attrs

from .bounds import STORED
from .errors import InvalidFact, InvalidPlugin, InvalidPolicy, WrongType, close_names, typed_repr
from .fact_fields import add_parser, field_specs, shown, validate_fact
from .fact_plans import NOT_FAST, fact_plan
from .household import Health, LabourCapacity, Member, Place, Schooling

__all__ = [
    "DEFAULT_FACT_KINDS",
    "AssistanceGranted",
    "BasicNeed",
    "BasicNeedsChecked",
    "CaseDecided",
    "CaseOpened",
    "CaseStepRecorded",
    "DisasterReported",
    "EntitlementStopped",
    "ExitVerified",
    "Fact",
    "FactCorrected",
    "FactKinds",
    "FactRetracted",
    "HouseAppraised",
    "HouseholdMoved",
    "HousingGrade",
    "IllnessReported",
    "IncomeAssessed",
    "JobLost",
    "JoinReason",
    "LeaveReason",
    "MainEarnerLost",
    "MemberDied",
    "MemberJoined",
    "MemberLeft",
    "ReviewCompleted",
    "SchoolEnrolled",
    "Source",
    "parse_fact",
]


class Source(enum.Enum):
    """Where a fact comes from."""

    SELF_DECLARED = "self_declared"
    VISIT = "visit"
    DEPARTMENT = "department"


class HousingGrade(enum.Enum):
    """Housing safety grade: A safe, B some dangerous parts, C partly dangerous, D dangerous."""

    A = "A"
    B = "B"
    C = "C"
    D = "D"

    @property
    def unsafe(self) -> bool:
        """C and D count as dangerous and qualify for renovation."""
        return self in (HousingGrade.C, HousingGrade.D)


class BasicNeed(enum.Enum):
    """The basic needs an exit requires: food and clothing, schooling, medical cover, housing, water."""

    FOOD_AND_CLOTHING = "food_and_clothing"
    COMPULSORY_SCHOOLING = "compulsory_schooling"
    MEDICAL_COVER = "medical_cover"
    SAFE_HOUSING = "safe_housing"
    SAFE_WATER = "safe_water"


@attrs.frozen(kw_only=True)
class Fact:
    """Base class of facts. Subclasses set ``kind`` (the name used in dicts) and ``order``."""

    kind: ClassVar[str] = "fact"
    #: Rank among facts of the same date: lower is applied first.
    order: ClassVar[int] = 50

    id: str
    household_id: str
    date: dt.date
    source: Source = Source.VISIT
    #: When the fact became known (UTC); None: known from the start. Not compared, hashed or ordered on.
    recorded_at: dt.datetime | None = attrs.field(default=None, eq=False)

    #: Checks and normalises the fields (types, amounts >= 0): see :func:`~relapse_guard.fact_fields.validate_fact`.
    __attrs_post_init__ = validate_fact

    def sort_key(self) -> tuple[int, int, str]:
        """The key facts are applied in: date, then kind order, then id."""
        return (self.date.toordinal(), self.order, self.id)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (ISO dates, decimals as strings) that :func:`parse_fact` reads back."""
        out: dict[str, Any] = {"kind": self.kind}
        for field in attrs.fields(type(self)):
            value = getattr(self, field.name)
            if value is None and field.name == "recorded_at":
                continue  # not known when: left out, as the records of facts written before it were
            out[field.name] = _dump(value)
        return out


def _dump(value: object) -> object:
    if isinstance(value, Fact):
        return value.to_dict()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, frozenset):
        return sorted(_dump(v) for v in value)  # type: ignore[type-var]
    return value


@attrs.frozen(kw_only=True)
class IncomeAssessed(Fact):
    """Per-capita net income of the household over the 12 months before ``date`` (yuan per year)."""

    kind: ClassVar[str] = "income_assessed"
    order: ClassVar[int] = 30
    income_per_capita: Decimal


@attrs.frozen(kw_only=True)
class ExitVerified(Fact):
    """An exit from poverty was verified (income and basic needs checked by the exit rule)."""

    kind: ClassVar[str] = "exit_verified"
    order: ClassVar[int] = 70


@attrs.frozen(kw_only=True)
class AssistanceGranted(Fact):
    """Assistance was granted to the household by a measure recorded outside the engine."""

    kind: ClassVar[str] = "assistance_granted"
    order: ClassVar[int] = 60
    measure: str
    amount: Decimal | None = None


@attrs.frozen(kw_only=True)
class IllnessReported(Fact):
    """A member fell ill; ``self_paid_cost`` is what the household pays after all insurance tiers."""

    kind: ClassVar[str] = "illness_reported"
    order: ClassVar[int] = 40
    member_id: str
    self_paid_cost: Decimal
    hospitalised: bool = False


@attrs.frozen(kw_only=True)
class DisasterReported(Fact):
    """A natural disaster or accident hit the household, with the loss in yuan."""

    kind: ClassVar[str] = "disaster_reported"
    order: ClassVar[int] = 40
    hazard: str
    loss: Decimal


@attrs.frozen(kw_only=True)
class JobLost(Fact):
    """A member lost their work (or their unstable work ended)."""

    kind: ClassVar[str] = "job_lost"
    order: ClassVar[int] = 40
    member_id: str


@attrs.frozen(kw_only=True)
class MainEarnerLost(Fact):
    """The household's main earner died or lost labour capacity."""

    kind: ClassVar[str] = "main_earner_lost"
    order: ClassVar[int] = 40
    member_id: str
    cause: str = "death"


@attrs.frozen(kw_only=True)
class SchoolEnrolled(Fact):
    """A member enrolled at a school level, with the household's yearly cost of it."""

    kind: ClassVar[str] = "school_enrolled"
    order: ClassVar[int] = 40
    member_id: str
    level: Schooling
    annual_cost: Decimal = Decimal(0)


@attrs.frozen(kw_only=True)
class HouseAppraised(Fact):
    """The house was appraised for safety: grade A to D (C and D are dangerous)."""

    kind: ClassVar[str] = "house_appraised"
    order: ClassVar[int] = 20
    grade: HousingGrade


@attrs.frozen(kw_only=True)
class BasicNeedsChecked(Fact):
    """A visit checked the basic needs; ``unmet`` lists those not secured (empty: all secured)."""

    kind: ClassVar[str] = "basic_needs_checked"
    order: ClassVar[int] = 25
    unmet: frozenset[BasicNeed] = frozenset()


@attrs.frozen(kw_only=True)
class ReviewCompleted(Fact):
    """A scheduled review (by its name in the policy) was carried out by ``responsible``."""

    kind: ClassVar[str] = "review_completed"
    order: ClassVar[int] = 80
    review: str
    responsible: str = ""


@attrs.frozen(kw_only=True)
class CaseOpened(Fact):
    """A case of a procedure (identification, risk elimination, ...) was opened for the household.

    ``risk_key`` names the risk the case is about, when it is about one.
    """

    kind: ClassVar[str] = "case_opened"
    order: ClassVar[int] = 45
    case_id: str
    procedure: str
    reason: str = ""
    risk_key: str | None = None


@attrs.frozen(kw_only=True)
class CaseStepRecorded(Fact):
    """A step of a case was done: by whom (``actor``, at ``level``), with which outcome and why.

    Outcomes are the procedure's: ``approve``, ``reject``, ``send_back``; ``object`` for an
    objection during a public notice and ``appeal`` for an appeal of a rejection.
    """

    kind: ClassVar[str] = "case_step_recorded"
    order: ClassVar[int] = 46
    case_id: str
    step: str
    outcome: str
    actor: str = ""
    level: str = ""
    reason: str = ""


@attrs.frozen(kw_only=True)
class CaseDecided(Fact):
    """A case reached its decision: ``approved`` or ``rejected``.

    An approved identification moves the household in its lifecycle (identified, or relapsed
    for an exited one); an approved risk elimination closes the risk ``risk_key``.
    """

    kind: ClassVar[str] = "case_decided"
    order: ClassVar[int] = 55
    case_id: str
    procedure: str
    outcome: str
    risk_key: str | None = None


@attrs.frozen(kw_only=True)
class EntitlementStopped(Fact):
    """An entitlement (a monthly grant of ``intervention``) was stopped by a decision outside the
    engine: the household left the district, every member is gone, a stop after a re-check.
    It is owed through the month of ``date`` and not after."""

    kind: ClassVar[str] = "entitlement_stopped"
    order: ClassVar[int] = 75
    intervention: str
    reason: str = ""


class JoinReason(enum.Enum):
    """Why a member joined the household."""

    BIRTH = "birth"
    MARRIAGE_IN = "marriage_in"
    RETURN = "return"
    OTHER = "other"


class LeaveReason(enum.Enum):
    """Why a member left the household (a death is its own fact, :class:`MemberDied`)."""

    MARRIAGE_OUT = "marriage_out"
    MOVED_AWAY = "moved_away"
    OTHER = "other"


#: The same-day rank of household changes: before everything else of their day, so that an
#: income assessment (per person), a shock or a decision of the same day counts the household
#: as it is after the change, as the register of that day does.
HOUSEHOLD_CHANGE_ORDER = 10


@attrs.frozen(kw_only=True)
class MemberJoined(Fact):
    """A member joined the household on ``date`` (born, married in, came back): the member's record.

    ``birth_date`` is on or before ``date`` (a birth: the day of birth, usually ``date``).
    ``labour_capacity`` left blank (None, the default) is read from the member's age and health
    on each date, as a household record's blank one is (:meth:`~relapse_guard.household.Member.capacity_on`):
    an adult who marries in can work, a newborn cannot. A capacity given (``none`` too) is kept.
    A fact stored before a blank capacity was kept blank holds ``none``, as written then, and
    reads so (:func:`~relapse_guard.store.codec.same_fact`: given again blank, it is the same fact).
    """

    kind: ClassVar[str] = "member_joined"
    order: ClassVar[int] = HOUSEHOLD_CHANGE_ORDER
    member_id: str
    birth_date: dt.date
    reason: JoinReason = JoinReason.BIRTH
    labour_capacity: LabourCapacity | None = None
    health: Health = Health.HEALTHY
    schooling: Schooling = Schooling.NONE

    def __attrs_post_init__(self) -> None:
        validate_fact(self)
        if self.birth_date > self.date and not STORED.get():
            raise InvalidFact(
                self.household_id,
                "birth_date",
                self.birth_date.isoformat(),
                f"a birth date on or before the day joined, {self.date.isoformat()}",
                fact_id=self.id,
            )

    def member(self) -> Member:
        """The member who joined, as the household holds them."""
        return Member(
            id=self.member_id,
            birth_date=self.birth_date,
            labour_capacity=self.labour_capacity,
            health=self.health,
            schooling=self.schooling,
        )


@attrs.frozen(kw_only=True)
class MemberLeft(Fact):
    """A member left the household on ``date`` (married out, moved away): not counted from that day."""

    kind: ClassVar[str] = "member_left"
    order: ClassVar[int] = HOUSEHOLD_CHANGE_ORDER
    member_id: str
    reason: LeaveReason = LeaveReason.MOVED_AWAY


@attrs.frozen(kw_only=True)
class MemberDied(Fact):
    """A member died on ``date``: not counted from that day."""

    kind: ClassVar[str] = "member_died"
    order: ClassVar[int] = HOUSEHOLD_CHANGE_ORDER
    member_id: str


@attrs.frozen(kw_only=True)
class HouseholdMoved(Fact):
    """The household moved to another place on ``date`` (district, town, village)."""

    kind: ClassVar[str] = "household_moved"
    order: ClassVar[int] = HOUSEHOLD_CHANGE_ORDER
    district: str
    town: str = ""
    village: str = ""

    def __attrs_post_init__(self) -> None:
        validate_fact(self)
        if not self.district.strip() and not STORED.get():
            raise InvalidFact(self.household_id, "district", self.district, "a district's name", fact_id=self.id)

    @property
    def place(self) -> Place:
        """The place moved to."""
        return Place(self.district, self.town, self.village)


#: The facts that change the household itself (its members or its place).
HOUSEHOLD_CHANGES = (MemberJoined, MemberLeft, MemberDied, HouseholdMoved)


@attrs.frozen(kw_only=True)
class FactCorrected(Fact):
    """A new version of the earlier fact ``corrects`` (its id): ``replacement`` is the whole fact
    as it should have been, of any kind, with the same id and household.

    The corrected fact stays stored; a run applies, for each fact id, the latest version known
    (corrections in the order of ``recorded_at``, then ``date``, then id), at the replacement's date.
    ``date`` is the day the correction was made (a run ``as_of`` an earlier day still applies
    it: the replacement's own date places it); ``reason`` says why.
    """

    kind: ClassVar[str] = "fact_corrected"
    order: ClassVar[int] = 0
    corrects: str
    replacement: Fact
    reason: str = ""

    def __attrs_post_init__(self) -> None:
        validate_fact(self)
        hid, fid = self.household_id, self.id
        replacement = self.replacement
        if isinstance(replacement, FactCorrected | FactRetracted):
            raise InvalidFact(hid, "replacement", replacement.kind, "a fact of a kind that is applied", fact_id=fid)
        if replacement.id != self.corrects:
            raise InvalidFact(
                hid, "replacement.id", replacement.id, f"the corrected fact's id {self.corrects!r}", fact_id=fid
            )
        if replacement.household_id != hid:
            raise InvalidFact(
                hid, "replacement.household_id", replacement.household_id, f"the household {hid!r}", fact_id=fid
            )
        if self.corrects == fid:
            raise InvalidFact(hid, "corrects", self.corrects, "the id of another fact than the correction", fact_id=fid)


@attrs.frozen(kw_only=True)
class FactRetracted(Fact):
    """The earlier fact ``retracts`` (its id) is withdrawn: it was never true (filed against the
    wrong household, entered twice). A run as known after it does not apply it; it stays stored."""

    kind: ClassVar[str] = "fact_retracted"
    order: ClassVar[int] = 0
    retracts: str
    reason: str = ""

    def __attrs_post_init__(self) -> None:
        validate_fact(self)
        if (not self.retracts.strip() or self.retracts == self.id) and not STORED.get():
            raise InvalidFact(
                self.household_id,
                "retracts",
                self.retracts,
                "the id of another fact than the retraction",
                fact_id=self.id,
            )


def _fact_value(value: object) -> Fact:
    if isinstance(value, Fact):
        return value
    raise ValueError("not a fact")


# a CSV or Parquet cell holds the JSON object a JSON line would (the form of Fact.to_dict); said
# without the Python name, as a user of the command line reads it in a bad row
add_parser(
    Fact,
    _fact_value,
    "a fact: a record with its kind (in a CSV or Parquet cell, the fact as a JSON object, as a JSON line holds it)",
)

#: The kinds that change other facts instead of being applied.
VERSION_KINDS: frozenset[type[Fact]] = frozenset({FactCorrected, FactRetracted})

_F = TypeVar("_F", bound=type[Fact])


def _snake(name: str) -> str:
    """A class name as a kind name: ``CropFailure`` -> ``crop_failure``."""
    return "".join(f"_{c.lower()}" if c.isupper() and i else c.lower() for i, c in enumerate(name))


@attrs.frozen
class FactKinds:
    """A registry of fact classes by their ``kind`` name, used to parse dicts.

    Immutable: :meth:`with_kind` returns a new registry, so a custom policy can add its own
    fact kinds without changing what other code sees.
    """

    by_kind: Mapping[str, type[Fact]] = attrs.field(factory=dict)

    def with_kind(self, cls: type[Fact]) -> FactKinds:
        """A registry that also knows ``cls``, a subclass of :class:`Fact` that declares a ``kind``
        of its own, one not registered yet.

        Raises :class:`~relapse_guard.errors.WrongType` for anything but a fact class (or one with
        a field of a type facts cannot hold), :class:`~relapse_guard.errors.InvalidPlugin` for a
        class that inherits its ``kind`` (it would be registered under its base's) and
        :class:`~relapse_guard.errors.InvalidPolicy` for a kind already registered.
        """
        if not (isinstance(cls, type) and issubclass(cls, Fact)):
            what = f"the class {cls.__qualname__!r}" if isinstance(cls, type) else typed_repr(cls)
            raise WrongType(f"with_kind needs a fact class (a subclass of relapse_guard.facts.Fact), not {what}")
        if "kind" not in vars(cls):  # inherited: its rows would be parsed as the base's kind
            raise InvalidPlugin(
                f"fact class {cls.__qualname__} has no kind of its own (it inherits {cls.kind!r}): add "
                f"kind: ClassVar[str] = {_snake(cls.__name__)!r}, the name its records give as kind"
            )
        if cls.kind in self.by_kind:
            raise InvalidPolicy(f"fact kind {cls.kind!r} is already registered")
        field_specs(cls)  # fail now, not at first parse, on an unsupported field type
        return FactKinds({**self.by_kind, cls.kind: cls})

    def __iter__(self) -> Iterator[str]:
        return iter(self.by_kind)

    def parse(self, data: Mapping[str, Any]) -> Fact:
        """Parse one fact from a plain dict; see :func:`parse_fact`.

        The one way records become facts (the store's, the population files', yours): each
        field is parsed once by :mod:`~relapse_guard.fact_fields`, on the fast path of
        :mod:`~relapse_guard.fact_plans` when the record is valid, else the explaining way,
        which raises the :class:`~relapse_guard.errors.InvalidFact`.
        """
        if type(data) is dict or isinstance(data, Mapping):  # a dict, the usual record, without the ABC check
            kind = data.get("kind")
            if kind == "fact_corrected":
                return self._parse_correction(data)
            cls = self.by_kind.get(kind) if isinstance(kind, str) else None
            plan = fact_plan(cls) if cls is not None else None
            if plan is not None:
                try:
                    fact: Fact = plan.build(data)
                    return fact
                except NOT_FAST:
                    pass
        return self.parse_field_by_field(data)

    def parser(self) -> Callable[[Mapping[str, Any]], Fact]:
        """A function doing what :meth:`parse` does, for parsing many records: each kind's fast
        builder is looked up once, not per record. It parses with the kinds known when it is made.

        >>> import datetime as dt
        >>> parse = DEFAULT_FACT_KINDS.parser()
        >>> parse({"kind": "exit_verified", "id": "f1", "household_id": "H1", "date": "2016-03-01"}).date
        datetime.date(2016, 3, 1)
        """
        builders: dict[str, Callable[[Mapping[str, Any]], Fact]] = {}
        for kind, cls in self.by_kind.items():
            plan = fact_plan(cls)
            if plan is not None:
                builders[kind] = plan.build
        parse, slow = self.parse, self.parse_field_by_field

        def parse_one(data: Mapping[str, Any]) -> Fact:
            if type(data) is not dict:
                return parse(data)
            kind = data.get("kind")
            build = builders.get(kind) if type(kind) is str else None
            if build is None:
                return parse(data)
            try:
                return build(data)
            except NOT_FAST:
                return slow(data)

        return parse_one

    def _parse_correction(self, data: Mapping[str, Any]) -> Fact:
        """A :class:`FactCorrected` record: its replacement is a record of a kind of this registry."""
        replacement = data.get("replacement")
        if isinstance(replacement, Mapping):
            try:
                parsed = self.parse(replacement)
            except InvalidFact as error:
                raise InvalidFact(
                    error.household_id,
                    f"replacement.{error.field}",
                    error.value,
                    error.expected,
                    fact_id=data.get("id") if isinstance(data.get("id"), str) else None,
                ) from None
            data = {**data, "replacement": parsed}
        return self.parse_field_by_field(data)

    def parse_field_by_field(self, data: Mapping[str, Any]) -> Fact:
        """:meth:`parse` the explaining way: each field in turn, raising the :class:`InvalidFact` naming the
        first field at fault. :meth:`parse` gives the same fact (or error), faster for a valid record."""
        if not isinstance(data, Mapping):
            raise InvalidFact(None, "fact", data, "a mapping")
        raw_hid = data.get("household_id")
        hid = raw_hid if isinstance(raw_hid, str) else None
        raw_id = data.get("id")
        fid = raw_id if isinstance(raw_id, str) else None
        kind = data.get("kind")
        cls = self.by_kind.get(kind) if isinstance(kind, str) else None
        if cls is None:
            close = close_names(kind, self.by_kind, limit=1) if isinstance(kind, str) else []
            hint = f" (did you mean {close[0]}?)" if close else ""
            if "kind" not in data:  # a required field not given, said as every other one is
                hint += " (required)"
            raise InvalidFact(hid, "kind", kind, "one of " + ", ".join(sorted(self.by_kind)) + hint, fact_id=fid)
        values: dict[str, object] = {}
        specs = field_specs(cls)
        for spec in specs:
            if spec.name not in data:
                if spec.required:
                    raise InvalidFact(hid, spec.name, None, spec.expected + " (required)", fact_id=fid)
                continue
            raw = data[spec.name]
            try:
                values[spec.name] = spec.parse(raw)
            except (ValueError, TypeError):
                raise InvalidFact(hid, spec.name, shown(spec.name, raw), spec.expected, fact_id=fid) from None
        known = {spec.name for spec in specs} | {"kind"}
        extra = sorted(set(data) - known)
        if extra:
            value = shown("member_id", data[extra[0]])  # an unexpected field may hold a personal id
            raise InvalidFact(hid, extra[0], value, f"no such field for {kind!r} facts", fact_id=fid)
        return cls(**values)  # type: ignore[arg-type]


DEFAULT_FACT_KINDS = FactKinds(
    {
        cls.kind: cls
        for cls in (
            IncomeAssessed,
            ExitVerified,
            AssistanceGranted,
            IllnessReported,
            DisasterReported,
            JobLost,
            MainEarnerLost,
            SchoolEnrolled,
            HouseAppraised,
            BasicNeedsChecked,
            ReviewCompleted,
            CaseOpened,
            CaseStepRecorded,
            CaseDecided,
            EntitlementStopped,
            MemberJoined,
            MemberLeft,
            MemberDied,
            HouseholdMoved,
            FactCorrected,
            FactRetracted,
        )
    }
)


def parse_fact(data: Mapping[str, Any], kinds: FactKinds = DEFAULT_FACT_KINDS) -> Fact:
    """Parse a fact from a JSON-ready dict with a ``kind`` key.

    >>> parse_fact({"kind": "income_assessed", "id": "f1", "household_id": "h1",
    ...             "date": "2016-03-01", "income_per_capita": "3500"}).income_per_capita
    Decimal('3500')

    Raises :class:`~relapse_guard.errors.InvalidFact` naming the household, the fact, the
    field and the value for an unknown kind, a missing or extra field, or a bad value.
    """
    return kinds.parse(data)
