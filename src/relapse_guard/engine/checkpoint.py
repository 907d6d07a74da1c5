"""Checkpoints: a household's resumable state after a run, as a small plain value.

A :class:`Checkpoint` holds what the engine needs to carry on from where a run stopped —
lifecycle state and since, income, transition dates, risks and grants (with their keys),
pending and set-aside grants, reviews done, eliminated risks, the explicit stops in force, the
facts of the cases still open — and what tells whether it may (the sort key of the last fact
applied, the date the clock was moved to, the policy's label and fingerprint, the household
record's fingerprint).
It holds no decisions: a household's whole explanation is a replay of its facts.

Two encodings, one schema (:data:`CHECKPOINT_SCHEMA`), exact round trips:

- :meth:`Checkpoint.to_dict` / :meth:`Checkpoint.from_dict`: JSON-compatible, readable;
- :meth:`Checkpoint.to_bytes` / :meth:`Checkpoint.from_bytes`: the same dict as compact JSON,
  compressed with a preset dictionary of the schema's words (what a store keeps: a quiet
  household's checkpoint is about 150 bytes).
"""

from __future__ import annotations

import datetime as dt
import json
import zlib
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar

import attrs

from ..decisions import Grant, Period, Risk, Severity
from ..errors import InvalidArgument, InvalidCheckpoint, StaleCheckpoint
from ..facts import DEFAULT_FACT_KINDS, BasicNeed, Fact, FactKinds, HousingGrade
from ..lifecycle import State
from ..parameters import ParameterValue, Value
from ..policy import Policy
from .fingerprint import policy_fingerprint

__all__ = [
    "CHECKPOINT_SCHEMA",
    "HEAD",
    "Checkpoint",
    "OpenCase",
    "SortKey",
    "compact_clock",
    "compact_fingerprint",
    "join_compact",
    "split_compact",
]

#: The version of the checkpoint's schema; a checkpoint of another version is refused.
CHECKPOINT_SCHEMA = 2

#: The order facts are applied in: (date, kind order, id).
SortKey = tuple[dt.date, int, str]

RiskGrant = tuple[Risk, Grant]


@attrs.frozen(kw_only=True)
class OpenCase:
    """A case open at a checkpoint: its procedure, the step it is at and that step's deadline,
    and the whole case's deadline when its procedure sets one (counted from the day its risk
    was found; None in a checkpoint written before it was kept)."""

    case_id: str
    procedure: str
    step: str
    due_on: dt.date
    case_due_on: dt.date | None = None


@attrs.frozen(kw_only=True)
class Checkpoint:
    """A household's resumable state after a run (see the module docstring).

    ``clock`` is the date the run's clock was moved to (its ``as_of``, or its last fact's
    date); ``last_fact`` the sort key of the last fact applied; ``decisions`` how many
    decisions the run recorded (None when it recorded none, so that a resumed run that
    records them cannot number them); ``next_event`` the first date after ``clock`` on which
    the household's state may change or something falls due with no new fact: the transition
    period starting or ending, a review due, a case step's deadline, an entitlement's re-check
    falling due (the day after ``clock`` while a review, a case step or a re-check is due or
    overdue).
    """

    household_id: str
    policy: str
    fingerprint: str
    household: str
    clock: dt.date | None
    last_fact: SortKey | None
    decisions: int | None
    state: State
    state_since: dt.date | None = None
    income: Decimal | None = None
    income_fact: str | None = None
    previous_income: Decimal | None = None
    unmet: frozenset[BasicNeed] = frozenset()
    housing_grade: HousingGrade | None = None
    monitoring_start: dt.date | None = None
    monitoring_end: dt.date | None = None
    period_parameters: tuple[ParameterValue, ...] = ()
    #: The facts the exit that set the transition period rests on (cited by its start and end).
    period_facts: tuple[str, ...] = ()
    #: The facts the move into ``state`` rests on (for ``new``, the first fact under a policy
    #: that routes a new year): a new year's occasion cites them. Absent from checkpoints written
    #: before it was kept, read as none.
    state_facts: tuple[str, ...] = ()
    risks: tuple[Risk, ...] = ()
    grants: tuple[Grant, ...] = ()
    paid: frozenset[tuple[str, str]] = frozenset()
    reviews_done: tuple[tuple[str, dt.date], ...] = ()
    eliminated: tuple[tuple[str, dt.date], ...] = ()
    pending: tuple[RiskGrant, ...] = ()
    set_aside: tuple[tuple[str, tuple[RiskGrant, ...]], ...] = ()
    open_cases: tuple[OpenCase, ...] = ()
    case_facts: tuple[Fact, ...] = ()
    #: The household changes applied (members joining, leaving, dying; moves): a resumed run
    #: applies them to the household record again, to hold the household in force.
    household_facts: tuple[Fact, ...] = ()
    #: The explicit stops in force (:class:`~relapse_guard.facts.EntitlementStopped`, by the
    #: intervention's name): a later grant of one waits for a decided case. Absent from
    #: checkpoints written before it was kept, read as none.
    stops: tuple[Fact, ...] = ()
    #: After a change of household size, until the next assessment: the household's income as
    #: assessed, the changes since and the assessment it is of, which the income shares over the
    #: members in force (None: the income as assessed). A quiet assessment patched into the head
    #: is a later one: the share no longer holds.
    income_shared: tuple[Decimal, tuple[str, ...], str] | None = None
    #: The re-check of each entitlement running under a re-check rule (the safety net's, N1
    #: art. 31), by intervention: the day it falls due, what an income assessment on or after it
    #: is (the monthly cycle announces it due, then overdue). Absent from checkpoints written
    #: before it was kept, read as none.
    rechecks: tuple[tuple[str, dt.date], ...] = ()
    next_event: dt.date | None = None
    #: The prefilter's income band as of the clock, and the first day it may no longer hold:
    #: income assessments at or above it, dated before then, change only the income (see
    #: :func:`~.quiet.patch_quiet`). Not part of the checkpoint's identity (``==``).
    quiet_band: Decimal | None = attrs.field(default=None, eq=False)
    quiet_until: dt.date | None = attrs.field(default=None, eq=False)
    #: With an entitlement running that follows the income: the incomes strictly between these
    #: two leave it as it is until ``quiet_until`` (no obvious change before its re-check), so
    #: a quiet income is also inside them. None: no such bound.
    quiet_gate: tuple[Decimal, Decimal] | None = attrs.field(default=None, eq=False)

    def _paid_by_grants(self) -> frozenset[tuple[str, str]]:
        """The (risk key, intervention) pairs the grants made, held and set aside name."""
        grants = [*self.grants, *(g for _, g in self.pending), *(g for _, pairs in self.set_aside for _, g in pairs)]
        return frozenset((grant.risk_key, grant.intervention) for grant in grants)

    @property
    def risk_keys(self) -> frozenset[str]:
        """The keys of the risks found (every risk is routed once, by key)."""
        return frozenset(risk.key for risk in self.risks)

    # --- the JSON form ------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """A JSON-compatible dict that :meth:`from_dict` reads back exactly."""
        return self._to_dict(_parameter)

    def _to_dict(self, _parameter: Callable[[ParameterValue], Any]) -> dict[str, Any]:
        _risk, _grant = _risk_codec(_parameter), _grant_codec(_parameter)
        out: dict[str, Any] = {
            "schema": CHECKPOINT_SCHEMA,
            "household_id": self.household_id,
            "policy": self.policy,
            "fingerprint": self.fingerprint,
            "household": self.household,
            "clock": _iso(self.clock),
            "last_fact": None if self.last_fact is None else [self.last_fact[0].isoformat(), *self.last_fact[1:]],
            "decisions": self.decisions,
            "state": self.state.value,
            "state_since": _iso(self.state_since),
            "next_event": _iso(self.next_event),
        }
        # The rest only when set: most households have no risk, grant or case.
        optional: dict[str, Any] = {
            "income": _text(self.income),
            "income_fact": self.income_fact,
            "previous_income": _text(self.previous_income),
            "unmet": sorted(need.value for need in self.unmet),
            "housing_grade": None if self.housing_grade is None else self.housing_grade.value,
            "monitoring": None
            if self.monitoring_start is None and self.monitoring_end is None
            else [_iso(self.monitoring_start), _iso(self.monitoring_end)],
            "period_parameters": [_parameter(p) for p in self.period_parameters],
            "period_facts": list(self.period_facts),
            "state_facts": list(self.state_facts),
            "risks": [_risk(risk) for risk in self.risks],
            "grants": [_grant(grant) for grant in self.grants],
            # (risk, intervention) paid: written only when the grants do not say it already
            "paid": [] if self.paid == self._paid_by_grants() else sorted([list(pair) for pair in self.paid]),
            "reviews_done": {name: day.isoformat() for name, day in self.reviews_done},
            "eliminated": {key: day.isoformat() for key, day in self.eliminated},
            "pending": [[_risk(risk), _grant(grant)] for risk, grant in self.pending],
            "set_aside": {case: [[_risk(r), _grant(g)] for r, g in pairs] for case, pairs in self.set_aside},
            "open_cases": [_open_case(c) for c in self.open_cases],
            "case_facts": [_kept_fact(fact) for fact in self.case_facts],
            "household_facts": [_kept_fact(fact) for fact in self.household_facts],
            "stops": [_kept_fact(fact) for fact in self.stops],
            "income_shared": None
            if self.income_shared is None
            else [str(self.income_shared[0]), list(self.income_shared[1]), self.income_shared[2]],
            "rechecks": {name: day.isoformat() for name, day in self.rechecks},
            "quiet_band": _text(self.quiet_band),
            "quiet_until": _iso(self.quiet_until),
            "quiet_gate": None if self.quiet_gate is None else [str(bound) for bound in self.quiet_gate],
        }
        out.update((key, value) for key, value in optional.items() if value is not None and value != [] and value != {})
        if not self.paid and self._paid_by_grants():  # nothing paid, though grants name risks: say so
            out["paid"] = []
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, kinds: FactKinds = DEFAULT_FACT_KINDS) -> Checkpoint:
        """Read a checkpoint written by :meth:`to_dict` (case facts parsed through ``kinds``).

        Raises :class:`~relapse_guard.errors.InvalidCheckpoint` naming the field for anything
        else, including a checkpoint of another schema version.
        """
        if not isinstance(data, Mapping):
            raise InvalidCheckpoint(None, "checkpoint", data, "a mapping written by Checkpoint.to_dict")
        household_id = data.get("household_id")
        hid = household_id if isinstance(household_id, str) else None
        if data.get("schema") != CHECKPOINT_SCHEMA:
            raise InvalidCheckpoint(hid, "schema", data.get("schema"), f"checkpoint schema {CHECKPOINT_SCHEMA}")
        return cls._from_dict(data, hid, kinds, _read_parameter)

    @classmethod
    def _from_dict(
        cls,
        data: Mapping[str, Any],
        hid: str | None,
        kinds: FactKinds,
        read_parameter: Callable[[Any], ParameterValue],
    ) -> Checkpoint:
        """The checkpoint in ``data``: the fast way (a household's cycle reads one), else the
        explaining way, which raises the :class:`InvalidCheckpoint` naming the field at fault."""
        try:
            return cls._from_dict_fast(data, kinds, read_parameter)
        except (KeyError, TypeError, ValueError, IndexError, AttributeError, InvalidOperation):
            pass
        return cls._from_dict_explained(data, hid, kinds, read_parameter)

    @classmethod
    def _from_dict_fast(
        cls, data: Mapping[str, Any], kinds: FactKinds, read_parameter: Callable[[Any], ParameterValue]
    ) -> Checkpoint:
        get = data.get
        hid = data["household_id"]
        texts = (hid, data["policy"], data["fingerprint"], data["household"])
        if not all(type(text) is str for text in texts):
            raise TypeError("text fields")
        date = dt.date.fromisoformat
        last = data["last_fact"]
        if last is not None:
            day, order, fact_id = last
            if type(order) is not int or type(fact_id) is not str:
                raise TypeError("last_fact")
            last = (date(day), order, fact_id)
        decisions = data["decisions"]
        if decisions is not None and (type(decisions) is not int or decisions < 0):
            raise ValueError("decisions")
        monitoring = get("monitoring") or (None, None)
        income, previous, since, clock, event = (
            get("income"),
            get("previous_income"),
            data["state_since"],
            data["clock"],
            data["next_event"],
        )
        grade = get("housing_grade")
        income_fact = get("income_fact")
        if income_fact is not None and type(income_fact) is not str:
            raise TypeError("income_fact")
        risks = tuple([_risk_from(item, hid, read_parameter) for item in get("risks", ())])
        grants = tuple([_grant_from(item, hid, read_parameter) for item in get("grants", ())])
        pending = tuple(
            [(_risk_from(r, hid, read_parameter), _grant_from(g, hid, read_parameter)) for r, g in get("pending", ())]
        )
        set_aside = tuple(
            (
                str(case),
                tuple((_risk_from(r, hid, read_parameter), _grant_from(g, hid, read_parameter)) for r, g in pairs),
            )
            for case, pairs in get("set_aside", {}).items()
        )
        paid = get("paid")
        checkpoint = cls(
            household_id=hid,
            policy=texts[1],
            fingerprint=texts[2],
            household=texts[3],
            clock=None if clock is None else date(clock),
            last_fact=last,
            decisions=decisions,
            state=State(data["state"]),
            state_since=None if since is None else date(since),
            income=None if income is None else Decimal(income),
            income_fact=income_fact,
            previous_income=None if previous is None else Decimal(previous),
            unmet=frozenset([BasicNeed(need) for need in get("unmet", ())]),
            housing_grade=None if grade is None else HousingGrade(grade),
            monitoring_start=None if monitoring[0] is None else date(monitoring[0]),
            monitoring_end=None if monitoring[1] is None else date(monitoring[1]),
            period_parameters=tuple([read_parameter(row) for row in get("period_parameters", ())]),
            period_facts=tuple([_fact_id(value) for value in get("period_facts", ())]),
            state_facts=tuple([_fact_id(value) for value in get("state_facts", ())]),
            risks=risks,
            grants=grants,
            paid=frozenset() if paid is None else frozenset([(str(a), str(b)) for a, b in paid]),
            reviews_done=tuple(sorted([(str(k), date(v)) for k, v in get("reviews_done", {}).items()])),
            eliminated=tuple(sorted([(str(k), date(v)) for k, v in get("eliminated", {}).items()])),
            pending=pending,
            set_aside=set_aside,
            open_cases=tuple([_read_open_case(row) for row in get("open_cases", ())]),
            case_facts=tuple([kinds.parse(item) for item in get("case_facts", ())]),
            household_facts=tuple([kinds.parse(item) for item in get("household_facts", ())]),
            stops=tuple([kinds.parse(item) for item in get("stops", ())]),
            income_shared=None if (shared := get("income_shared")) is None else _shared(shared, income_fact),
            rechecks=tuple(sorted([(str(k), date(v)) for k, v in get("rechecks", {}).items()])),
            next_event=None if event is None else date(event),
            quiet_band=None if (band := get("quiet_band")) is None else Decimal(band),
            quiet_until=None if (until := get("quiet_until")) is None else date(until),
            quiet_gate=None if (gate := get("quiet_gate")) is None else _gate(gate),
        )
        if paid is None and (grants or pending or set_aside):
            return attrs.evolve(checkpoint, paid=checkpoint._paid_by_grants())
        return checkpoint

    @classmethod
    def _from_dict_explained(
        cls,
        data: Mapping[str, Any],
        hid: str | None,
        kinds: FactKinds,
        _read_parameter: Callable[[Any], ParameterValue],
    ) -> Checkpoint:
        read = _Reader(hid, data)
        paid_given = "paid" in data

        def _read_risk(item: Any, household_id: str | None) -> Risk:
            return _risk_from(item, household_id, _read_parameter)

        def _read_grant(item: Any, household_id: str | None) -> Grant:
            return _grant_from(item, household_id, _read_parameter)

        def _read_risk_grant(pair: Any, household_id: str | None) -> RiskGrant:
            risk, grant = pair
            return _read_risk(risk, household_id), _read_grant(grant, household_id)

        try:
            checkpoint = cls(
                household_id=read.text("household_id"),
                policy=read.text("policy"),
                fingerprint=read.text("fingerprint"),
                household=read.text("household"),
                clock=read.date_or_none("clock"),
                last_fact=read.sort_key("last_fact"),
                decisions=read.count_or_none("decisions"),
                state=read.enum("state", State),
                state_since=read.date_or_none("state_since"),
                income=read.decimal_or_none("income"),
                income_fact=read.text_or_none("income_fact"),
                previous_income=read.decimal_or_none("previous_income"),
                unmet=frozenset(read.each("unmet", lambda v: BasicNeed(v))),
                housing_grade=read.enum_or_none("housing_grade", HousingGrade),
                monitoring_start=read.monitoring(0),
                monitoring_end=read.monitoring(1),
                period_parameters=tuple(read.each("period_parameters", _read_parameter)),
                period_facts=tuple(read.each("period_facts", _fact_id)),
                state_facts=tuple(read.each("state_facts", _fact_id)),
                risks=tuple(read.each("risks", lambda v: _read_risk(v, hid))),
                grants=tuple(read.each("grants", lambda v: _read_grant(v, hid))),
                paid=frozenset(read.each("paid", _read_pair)),
                reviews_done=read.dates_by_name("reviews_done"),
                eliminated=read.dates_by_name("eliminated"),
                pending=tuple(read.each("pending", lambda v: _read_risk_grant(v, hid))),
                set_aside=tuple(
                    (str(case), tuple(_read_risk_grant(pair, hid) for pair in pairs))
                    for case, pairs in read.mapping("set_aside").items()
                ),
                open_cases=tuple(read.each("open_cases", _read_open_case)),
                case_facts=tuple(read.each("case_facts", kinds.parse)),
                household_facts=tuple(read.each("household_facts", kinds.parse)),
                stops=tuple(read.each("stops", kinds.parse)),
                income_shared=read.shared_or_none("income_shared", data.get("income_fact")),
                rechecks=read.dates_by_name("rechecks"),
                next_event=read.date_or_none("next_event"),
                quiet_band=read.decimal_or_none("quiet_band"),
                quiet_until=read.date_or_none("quiet_until"),
                quiet_gate=read.gate_or_none("quiet_gate"),
            )
            return checkpoint if paid_given else attrs.evolve(checkpoint, paid=checkpoint._paid_by_grants())
        except InvalidCheckpoint:
            raise
        except (KeyError, TypeError, ValueError, IndexError, InvalidOperation) as error:
            raise InvalidCheckpoint(hid, read.field, read.value, f"a checkpoint field ({error})") from error

    # --- the compact form ---------------------------------------------------------------

    def _tail_fields(self) -> tuple[object, ...]:
        """The fields the compact form keeps in its tail."""
        return (
            self.unmet,
            self.housing_grade,
            self.period_parameters,
            self.period_facts,
            self.state_facts,
            self.risks,
            self.grants,
            self.paid,
            self.reviews_done,
            self.eliminated,
            self.pending,
            self.set_aside,
            self.open_cases,
            self.case_facts,
            self.household_facts,
            self.stops,
            self.income_shared,
            self.rechecks,
        )

    def to_bytes(self, policy: Policy, *, like: tuple[Checkpoint, bytes] | None = None) -> bytes:
        """The compact form a store keeps, for the policy the checkpoint was made under.

        A header (the schema and the policy's fingerprint, readable with
        :func:`compact_fingerprint`), a *head* of the fields a quiet month changes (as plain
        JSON, which :func:`~.quiet.patch_quiet` rewrites without reading the rest) and a *tail*
        of the others (risks, grants, cases, ...: deflated JSON, each parameter value written
        as its place in ``policy``'s parameters; empty for a household with none). Raises
        :class:`~relapse_guard.errors.InvalidArgument` for another policy than the checkpoint's.

        ``like`` is an earlier checkpoint of the household with its compact form: when the
        fields of the tail are the same (a month with no new risk, grant, case or review), its
        tail is reused as it is, not encoded again.
        """
        table = _ParameterTable.of(policy)
        if table.fingerprint != self.fingerprint:
            raise InvalidArgument(
                f"checkpoint of household {self.household_id!r} was made under {self.policy} "
                f"(fingerprint {self.fingerprint}), not {policy.label} (fingerprint {table.fingerprint})"
            )
        if (
            like is not None
            and like[0].fingerprint == self.fingerprint
            and like[0]._tail_fields() == self._tail_fields()
        ):
            _, _, reused = split_compact(like[1])
            return join_compact(self.fingerprint, self._head(), reused)
        body = self._to_dict(table.encode)
        for key in (*HEAD, *_IN_HEADER):
            body.pop(key, None)
        tail = b""
        if body:
            packer = zlib.compressobj(9, zlib.DEFLATED, _WBITS, 8, zlib.Z_DEFAULT_STRATEGY, _ZDICT)
            text = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
            tail = packer.compress(text) + packer.flush()
        return join_compact(self.fingerprint, self._head(), tail)

    def _head(self) -> bytes:
        """The compact form's head alone (the fields of :data:`HEAD`, as :meth:`to_dict` writes them)."""
        monitoring = (
            None
            if self.monitoring_start is None and self.monitoring_end is None
            else [_iso(self.monitoring_start), _iso(self.monitoring_end)]
        )
        last = self.last_fact
        values: list[object] = [
            self.household_id,
            self.household,
            self.state.value,
            _iso(self.state_since),
            _text(self.income),
            self.income_fact,
            _text(self.previous_income),
            _iso(self.clock),
            None if last is None else [last[0].isoformat(), last[1], last[2]],
            self.decisions,
            _iso(self.next_event),
            monitoring,
            _text(self.quiet_band),
            _iso(self.quiet_until),
        ]
        if self.quiet_gate is not None:  # the head's one optional field, last: most households have none
            values.append([str(bound) for bound in self.quiet_gate])
        return json.dumps(values, separators=(",", ":"), ensure_ascii=False).encode("utf-8")

    @classmethod
    def from_bytes(cls, data: bytes, policy: Policy) -> Checkpoint:
        """Read :meth:`to_bytes` under ``policy`` (its fact kinds read the case facts).

        Raises :class:`~relapse_guard.errors.StaleCheckpoint` when the checkpoint was made under
        another policy or other parameters (its fingerprint differs: replay the household), and
        :class:`~relapse_guard.errors.InvalidCheckpoint` for bytes that are not a checkpoint.
        """
        found, head, tail = split_compact(data)
        table = _ParameterTable.of(policy)
        if found != table.fingerprint:
            raise StaleCheckpoint(None, found, policy.label, table.fingerprint)
        try:
            values = json.loads(head)
            decoded: dict[str, Any] = {}
            if tail:
                unpacker = zlib.decompressobj(_WBITS, _ZDICT)
                decoded = json.loads(unpacker.decompress(tail) + unpacker.flush())
            if not isinstance(decoded, dict) or not isinstance(values, list) or len(values) not in _HEAD_SIZES:
                raise ValueError("not a checkpoint's head and tail")
        except (zlib.error, UnicodeDecodeError, ValueError) as error:
            raise InvalidCheckpoint(
                None, "checkpoint", f"{len(data)} bytes", f"bytes of Checkpoint.to_bytes ({error})"
            ) from error
        decoded.update(zip(HEAD, values, strict=False))
        hid = decoded.get("household_id")
        decoded.update(policy=policy.label, fingerprint=found, schema=CHECKPOINT_SCHEMA)
        return cls._from_dict(decoded, hid if isinstance(hid, str) else None, policy.fact_kinds, table.decode)


#: The fields of the compact form's head, in order: what a month of quiet income assessments changes
#: (income, the last fact, the clock) and what tells whether a month is quiet.
HEAD = (
    "household_id",
    "household",
    "state",
    "state_since",
    "income",
    "income_fact",
    "previous_income",
    "clock",
    "last_fact",
    "decisions",
    "next_event",
    "monitoring",
    "quiet_band",
    "quiet_until",
    "quiet_gate",
)
#: A head has every field of :data:`HEAD`, or all but the last (no quiet gate).
_HEAD_SIZES = (len(HEAD) - 1, len(HEAD))
_IN_HEADER = ("policy", "fingerprint", "schema")
_CLOCK_AT = HEAD.index("clock")


def join_compact(fingerprint: str, head: bytes, tail: bytes) -> bytes:
    """The compact form from its parts (see :meth:`Checkpoint.to_bytes`)."""
    if len(head) > 0xFFFF:
        raise InvalidArgument(f"a checkpoint's head of {len(head)} bytes is too long (ids of thousands of characters?)")
    return _HEADER + bytes.fromhex(fingerprint) + len(head).to_bytes(2, "big") + head + tail


def split_compact(data: bytes) -> tuple[str, bytes, bytes]:
    """The policy fingerprint, head and tail of :meth:`Checkpoint.to_bytes`, not decoded."""
    fingerprint = compact_fingerprint(data)
    start = len(_HEADER) + _FINGERPRINT
    size = int.from_bytes(data[start : start + 2], "big")
    head = bytes(data[start + 2 : start + 2 + size])
    if len(head) != size:
        raise InvalidCheckpoint(None, "checkpoint", f"{len(data)} bytes", "bytes of Checkpoint.to_bytes (cut short)")
    return fingerprint, head, bytes(data[start + 2 + size :])


def compact_clock(data: bytes) -> dt.date | None:
    """The clock in the head of :meth:`Checkpoint.to_bytes` (the date the run was carried to),
    without decoding the tail."""
    _, head, _ = split_compact(data)
    try:
        clock = json.loads(head)[_CLOCK_AT]
        return None if clock is None else dt.date.fromisoformat(clock)
    except (ValueError, TypeError, IndexError) as error:
        expected = f"bytes of Checkpoint.to_bytes ({error})"
        raise InvalidCheckpoint(None, "clock", f"{len(data)} bytes", expected) from error


def compact_fingerprint(data: bytes) -> str:
    """The policy fingerprint in the header of :meth:`Checkpoint.to_bytes`, without decoding the rest."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise InvalidCheckpoint(None, "checkpoint", type(data).__name__, "bytes written by Checkpoint.to_bytes")
    head = bytes(data[: len(_HEADER) + _FINGERPRINT])
    if len(head) < len(_HEADER) + _FINGERPRINT or not head.startswith(_HEADER):
        raise InvalidCheckpoint(None, "checkpoint", head[:16], f"bytes starting {_HEADER!r} (Checkpoint.to_bytes)")
    return head[len(_HEADER) :].hex()


_HEADER = b"RGC" + bytes([CHECKPOINT_SCHEMA])
_FINGERPRINT = 8
_WBITS = -12  # a 4 KiB window: a checkpoint is small, and a larger window costs more to set up than it saves


class _ParameterTable:
    """A policy's parameter values numbered (by name, then date): the compact form writes a
    value's number, since a checkpoint is read back under the policy it was made under."""

    _cache: ClassVar[dict[int, tuple[Policy, _ParameterTable]]] = {}

    def __init__(self, policy: Policy) -> None:
        self.fingerprint = policy_fingerprint(policy)
        self.values: tuple[ParameterValue, ...] = tuple(
            policy.parameters.lookup(name, effective)
            for name in sorted(policy.parameters.parameters)
            for effective, _ in policy.parameters.parameters[name].values
        )
        self.numbers = {value: number for number, value in enumerate(self.values)}

    @classmethod
    def of(cls, policy: Policy) -> _ParameterTable:
        cached = cls._cache.get(id(policy))
        if cached is not None and cached[0] is policy:
            return cached[1]
        if len(cls._cache) > 64:
            cls._cache.clear()
        table = cls(policy)
        cls._cache[id(policy)] = (policy, table)
        return table

    def encode(self, value: ParameterValue) -> Any:
        number = self.numbers.get(value)
        return _parameter(value) if number is None else number

    def decode(self, row: Any) -> ParameterValue:
        if isinstance(row, int) and not isinstance(row, bool):
            return self.values[row]
        return _read_parameter(row)


# --- encoding pieces ------------------------------------------------------------------------

_VALUE_TYPES = {"d": Decimal, "s": str, "b": bool}


def _kept_fact(fact: Fact) -> dict[str, Any]:
    """A fact as a checkpoint keeps it: its content, without ``recorded_at``.

    When a fact became known is read only to choose the facts a run is given (``known_on``,
    :mod:`relapse_guard.versions`), never by the engine, and it is not part of the fact's
    identity (``==``). A store stamps a fact delivered without it with the moment it stored
    it: kept here, it made the checkpoints of the same facts differ from one run to the next.
    A checkpoint written with it still reads (the fact's ``recorded_at`` is then set)."""
    data = fact.to_dict()
    data.pop("recorded_at", None)
    return data


def _iso(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()


def _text(amount: Decimal | None) -> str | None:
    return None if amount is None else str(amount)


def _gate(value: Any) -> tuple[Decimal, Decimal]:
    """A quiet gate read back: two amounts as text, the lower first."""
    if not isinstance(value, list | tuple) or len(value) != 2 or not all(type(bound) is str for bound in value):
        raise TypeError("a quiet gate is two amounts as text")
    low, high = Decimal(value[0]), Decimal(value[1])
    if not low.is_finite() or not high.is_finite() or low > high:
        raise ValueError("a quiet gate's bounds are finite, the lower first")
    return low, high


def _shared(value: Any, income_fact: object) -> tuple[Decimal, tuple[str, ...], str] | None:
    """An income shared over the members read back: the household's income as text, the ids of
    the changes since its assessment, and the assessment's id; None when ``income_fact``, the
    checkpoint's latest assessment, is another (a quiet assessment patched into the head)."""
    if not isinstance(value, list | tuple) or len(value) != 3:
        raise TypeError("an income shared is [income, [change ids], assessment id]")
    total, changes, fact = value
    if type(total) is not str or type(fact) is not str or not isinstance(changes, list | tuple):
        raise TypeError("an income shared is [income, [change ids], assessment id]")
    amount = Decimal(total)
    if not amount.is_finite() or amount < 0:
        raise ValueError("an income shared is a finite amount >= 0")
    if fact != income_fact:
        return None
    return amount, tuple([_fact_id(change) for change in changes]), fact


def _value_tag(value: Value) -> str:
    return "b" if isinstance(value, bool) else "d" if isinstance(value, Decimal) else "s"


def _parameter(p: ParameterValue) -> list[Any]:
    value: Any = p.value if isinstance(p.value, bool) else str(p.value)
    row: list[Any] = [p.name, _value_tag(p.value), value, p.effective_from.isoformat()]
    if p.reference:
        row.append(p.reference)
    return row


def _risk_codec(_parameter: Callable[[ParameterValue], Any]) -> Callable[[Risk], dict[str, Any]]:
    return lambda risk: _risk(risk, _parameter)


def _grant_codec(_parameter: Callable[[ParameterValue], Any]) -> Callable[[Grant], dict[str, Any]]:
    return lambda grant: _grant(grant, _parameter)


def _risk(risk: Risk, _parameter: Callable[[ParameterValue], Any]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "kind": risk.kind,
        "date": risk.date.isoformat(),
        "severity": int(risk.severity),
        "trigger": risk.trigger,
        "fact_id": risk.fact_id,
        "key": risk.key,
    }
    if risk.cost:
        out["cost"] = str(risk.cost)
    if risk.member_id is not None:
        out["member_id"] = risk.member_id
    if risk.evidence:
        out["evidence"] = [list(item) for item in risk.evidence]
    if risk.parameters:
        out["parameters"] = [_parameter(p) for p in risk.parameters]
    return out


def _grant(grant: Grant, _parameter: Callable[[ParameterValue], Any]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "intervention": grant.intervention,
        "date": grant.date.isoformat(),
        "risk_key": grant.risk_key,
        "period": grant.period.value,
    }
    # Each field only when it differs from the default the reader gives.
    if grant.amount is not None:
        out["amount"] = str(grant.amount)
    if grant.service is not None:
        out["service"] = grant.service
    if grant.responsible:
        out["responsible"] = grant.responsible
    if grant.persons:
        out["persons"] = grant.persons
    if grant.basis:
        out["basis"] = grant.basis
    if grant.revisits:
        out["revisits"] = [day.isoformat() for day in grant.revisits]
    if grant.emergency:
        out["emergency"] = True
    if grant.parameters:
        out["parameters"] = [_parameter(p) for p in grant.parameters]
    if grant.starts is not None:
        out["starts"] = grant.starts.isoformat()
    if grant.ends is not None:
        out["ends"] = grant.ends.isoformat()
    if grant.prorated:
        out["prorated"] = True
    if grant.basis_income is not None:
        out["basis_income"] = str(grant.basis_income)
    if grant.rechecked_on is not None:
        out["rechecked_on"] = grant.rechecked_on.isoformat()
    if grant.basis_fact is not None:
        out["basis_fact"] = grant.basis_fact
    return out


def _read_parameter(row: Any) -> ParameterValue:
    name, tag, raw, effective = row[:4]
    value: Value = raw if tag == "b" else _VALUE_TYPES[tag](raw)
    if tag == "b" and not isinstance(raw, bool):
        raise ValueError(f"parameter {name}: {raw!r} is not a boolean")
    reference = row[4] if len(row) > 4 else ""
    return ParameterValue(str(name), value, dt.date.fromisoformat(effective), str(reference))


def _risk_from(data: Any, household_id: str | None, _read_parameter: Callable[[Any], ParameterValue]) -> Risk:
    return Risk(
        kind=str(data["kind"]),
        household_id=str(household_id),
        date=dt.date.fromisoformat(data["date"]),
        severity=Severity(data["severity"]),
        trigger=str(data["trigger"]),
        fact_id=str(data["fact_id"]),
        key=str(data["key"]),
        cost=Decimal(data.get("cost", "0")),
        member_id=data.get("member_id"),
        evidence=tuple((str(label), str(value)) for label, value in data.get("evidence", ())),
        parameters=tuple(_read_parameter(p) for p in data.get("parameters", ())),
    )


def _grant_from(data: Any, household_id: str | None, _read_parameter: Callable[[Any], ParameterValue]) -> Grant:
    amount = data.get("amount")
    return Grant(
        intervention=str(data["intervention"]),
        household_id=str(household_id),
        date=dt.date.fromisoformat(data["date"]),
        risk_key=str(data["risk_key"]),
        amount=None if amount is None else Decimal(amount),
        period=Period(data["period"]),
        service=data.get("service"),
        responsible=str(data.get("responsible", "")),
        persons=int(data.get("persons", 0)),
        basis=str(data.get("basis", "")),
        revisits=tuple(dt.date.fromisoformat(day) for day in data.get("revisits", ())),
        emergency=bool(data.get("emergency", False)),
        parameters=tuple(_read_parameter(p) for p in data.get("parameters", ())),
        starts=_optional_date(data.get("starts")),
        ends=_optional_date(data.get("ends")),
        prorated=bool(data.get("prorated", False)),
        basis_income=None if data.get("basis_income") is None else Decimal(data["basis_income"]),
        rechecked_on=_optional_date(data.get("rechecked_on")),
        basis_fact=None if data.get("basis_fact") is None else str(data["basis_fact"]),
    )


def _optional_date(text: Any) -> dt.date | None:
    return None if text is None else dt.date.fromisoformat(text)


def _fact_id(value: Any) -> str:
    """A fact id read back (a string, not empty)."""
    if not isinstance(value, str) or not value:
        raise ValueError(f"a fact id, not {value!r}")
    return value


def _read_pair(pair: Any) -> tuple[str, str]:
    first, second = pair
    return str(first), str(second)


def _open_case(case: OpenCase) -> list[str]:
    row = [case.case_id, case.procedure, case.step, case.due_on.isoformat()]
    if case.case_due_on is not None:  # the whole case's deadline, when its procedure sets one
        row.append(case.case_due_on.isoformat())
    return row


def _read_open_case(row: Any) -> OpenCase:
    case_id, procedure, step, due_on, *whole = row
    if len(whole) > 1:
        raise ValueError(f"an open case has 4 or 5 fields, not {len(row)}")
    return OpenCase(
        case_id=case_id,
        procedure=procedure,
        step=step,
        due_on=dt.date.fromisoformat(due_on),
        case_due_on=dt.date.fromisoformat(whole[0]) if whole else None,
    )


class _Reader:
    """Reads fields of a checkpoint dict, remembering the one being read for the error message."""

    def __init__(self, household_id: str | None, data: Mapping[str, Any]) -> None:
        self.household_id = household_id
        self.data = data
        self.field = "checkpoint"
        self.value: object = None

    def _get(self, name: str, default: object = None) -> Any:
        self.field = name
        self.value = self.data.get(name, default)
        return self.value

    def _refuse(self, name: str, expected: str) -> InvalidCheckpoint:
        return InvalidCheckpoint(self.household_id, name, self.value, expected)

    def text(self, name: str) -> str:
        value = self._get(name)
        if not isinstance(value, str):
            raise self._refuse(name, "a string")
        return value

    def text_or_none(self, name: str) -> str | None:
        return None if self._get(name) is None else self.text(name)

    def date_or_none(self, name: str) -> dt.date | None:
        value = self._get(name)
        return None if value is None else dt.date.fromisoformat(value)

    def decimal_or_none(self, name: str) -> Decimal | None:
        value = self._get(name)
        return None if value is None else Decimal(value)

    def gate_or_none(self, name: str) -> tuple[Decimal, Decimal] | None:
        value = self._get(name)
        return None if value is None else _gate(value)

    def shared_or_none(self, name: str, income_fact: object) -> tuple[Decimal, tuple[str, ...], str] | None:
        value = self._get(name)
        return None if value is None else _shared(value, income_fact)

    def count_or_none(self, name: str) -> int | None:
        value = self._get(name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
            raise self._refuse(name, "a count (an int >= 0) or null")
        return value

    def enum(self, name: str, kind: Callable[[Any], Any]) -> Any:
        return kind(self._get(name))

    def enum_or_none(self, name: str, kind: Callable[[Any], Any]) -> Any:
        value = self._get(name)
        return None if value is None else kind(value)

    def sort_key(self, name: str) -> SortKey | None:
        value = self._get(name)
        if value is None:
            return None
        day, order, fact_id = value
        if isinstance(order, bool) or not isinstance(order, int) or not isinstance(fact_id, str):
            raise self._refuse(name, "[date, kind order, fact id]")
        return dt.date.fromisoformat(day), order, fact_id

    def monitoring(self, index: int) -> dt.date | None:
        value = self._get("monitoring")
        return None if value is None or value[index] is None else dt.date.fromisoformat(value[index])

    def each(self, name: str, read: Callable[[Any], Any]) -> list[Any]:
        value = self._get(name, ())
        if not isinstance(value, list | tuple):
            raise self._refuse(name, "a list")
        return [read(item) for item in value]

    def mapping(self, name: str) -> Mapping[str, Any]:
        value = self._get(name, {})
        if not isinstance(value, Mapping):
            raise self._refuse(name, "a mapping")
        return value

    def dates_by_name(self, name: str) -> tuple[tuple[str, dt.date], ...]:
        return tuple(sorted((str(key), dt.date.fromisoformat(day)) for key, day in self.mapping(name).items()))


# The words every checkpoint repeats, as a preset dictionary for deflate: the compressor finds
# them here instead of spelling them once per checkpoint. Changing it changes the encoding, so
# it is part of the schema: a new dictionary needs a new CHECKPOINT_SCHEMA.
_ZDICT = (
    b'"reviews_done":{"eliminated":{"pending":[[{"set_aside":{"open_cases":[["case_facts":[{"kind":"case_opened",'
    b'"paid":[["entered:identified:2016-","period_parameters":[0,"grants":[{"intervention":"safety_net",'
    b'"risk_key":"period":"monthly","one_off","yearly","amount":"service":"insurance cover: accident",'
    b'"responsible":"town civil affairs office","district poverty alleviation office","persons":'
    b'"basis":" per person x "," members = "," per month (safety-net standard - monthly income per person left '
    b"after the risk's cost of "
    b'" a year / 12)","revisits":["emergency":true,"parameters":['
    b'"risks":[{"kind":"illness","disaster","unemployment","income_drop","school_cost","housing",'
    b'"severity":"trigger":"fact_id":"key":"cost":"member_id":"evidence":[["income_per_capita","poverty_line",'
    b'"household_status","on file (assisted)","half_poverty_line","finding","below the poverty line",'
    b'"reason","income per capita "," < poverty line ","monitoring":["income_fact":"previous_income":"income":'
    b'"unmet":["housing_grade":"state":"monitored","assisted","exited","stable","identified","relapsed","new",'
    b'"state_since":"next_event":"2017-01-01","decisions":null,"clock":"2016-12-31","last_fact":["2016-12-'
    b'"household":"fingerprint":"policy":"yubei_2016@2016.1","household_id":"schema":1,'
)
