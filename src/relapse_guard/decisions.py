"""What the engine decides, with its explanation: risks, grants and decisions.

A :class:`Decision` records one step — a transition taken or refused, a risk found, an
intervention granted or skipped — with the rule that made it, the ids of the facts it used
and the parameter values (with their effective dates) it read. The list of decisions is the
household's audit trail: it answers "why" for every state and every yuan.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import attrs

from . import message_keys as keys
from .lifecycle import State
from .messages import ENGLISH, Join, Margin, Message, Term, Text, as_message, margins_of, render
from .parameters import ParameterValue

__all__ = ["Decision", "DecisionKind", "Declined", "Grant", "MarginsGiven", "Period", "Risk", "Said", "Severity"]


class Severity(enum.IntEnum):
    """How serious a risk is; ordered, so policies may compare (``severity >= Severity.HIGH``)."""

    LOW = 1
    MEDIUM = 2
    HIGH = 3
    SEVERE = 4


class Period(enum.Enum):
    """How a money grant is paid."""

    ONE_OFF = "one_off"
    MONTHLY = "monthly"
    YEARLY = "yearly"


def _params_dicts(parameters: tuple[ParameterValue, ...]) -> list[dict[str, str]]:
    return [{"name": p.name, "value": str(p.value), "effective_from": p.effective_from.isoformat()} for p in parameters]


_UNITS = frozenset(keys.RESPONSIBLE_UNITS)


def _parameter_used(parameter: ParameterValue) -> Message:
    """``name = value (from date)``, as ``str(parameter)`` says it, in a language: a unit the
    catalogue knows (``job_training.responsible``) by its name there, any other value as it is."""
    value = str(parameter.value)
    return Message(
        keys.PARAMETER_USED, parameter.name, Term(value) if value in _UNITS else value, parameter.effective_from
    )


#: What a decision says as given: text, a message, or a function making either.
Said = Text | Callable[[], Text]
#: A decision's margins as given: the margins, or a function working them out.
MarginsGiven = tuple[Margin, ...] | Callable[[], tuple[Margin, ...]]


def _said(said: Said | None) -> Text | None:
    """What a decision says, made (its equality compares that)."""
    return said() if callable(said) else said


def _margins_made(margins: MarginsGiven) -> tuple[Margin, ...]:
    return margins() if callable(margins) else margins


def _evidence_text(evidence: tuple[tuple[str, str | Message], ...]) -> tuple[tuple[str, str], ...]:
    """Evidence as text: each message as its English text."""
    if all(isinstance(value, str) for _, value in evidence):
        return evidence  # type: ignore[return-value]  # all text already
    return tuple((label, value if isinstance(value, str) else value.english()) for label, value in evidence)


def _english(text: Text) -> str:
    """Text as English: a message rendered, plain text as it is (what equality compares)."""
    return text if isinstance(text, str) else text.english()


@attrs.frozen(kw_only=True)
class Risk:
    """A risk a trigger found in a fact: its kind, date, severity and evidence.

    ``key`` is the risk's identity: two detections with the same key are the same risk and
    are never paid twice. ``cost`` is the money the shock costs the household (self-paid
    medical cost, disaster loss, school cost); zero when there is none.

    ``evidence`` is text, by label; a value given as a :class:`~relapse_guard.messages.Message`
    (a trigger's reason) is kept as that message, which renders in any language, and read as
    its English text (:attr:`evidence`, :meth:`get`), written only when read. Risks are equal
    when their evidence reads the same in English.
    """

    kind: str
    household_id: str
    date: dt.date
    severity: Severity
    trigger: str
    fact_id: str
    key: str
    cost: Decimal = Decimal(0)
    member_id: str | None = None
    _evidence: tuple[tuple[str, str | Message], ...] = attrs.field(default=(), alias="evidence", eq=_evidence_text)
    parameters: tuple[ParameterValue, ...] = ()

    @property
    def evidence(self) -> tuple[tuple[str, str], ...]:
        """The evidence, ``(label, text)`` pairs in order (a message as its English text)."""
        return _evidence_text(self._evidence)

    def get(self, label: str) -> str | None:
        """The evidence recorded under ``label`` (e.g. ``"level"``), or None."""
        for key, value in self._evidence:
            if key == label:
                return value if isinstance(value, str) else value.english()
        return None

    def message(self) -> Message:
        """What a decision says of this risk: its kind, severity and evidence (the evidence's
        labels and known values as terms, a message as that message)."""
        items = [_evidence_item(label, value) for label, value in self._evidence]
        return Message(keys.RISK_FOUND, Term(self.kind), Term(self.severity.name.lower()), Join(items, "; "))

    def margins(self) -> tuple[Margin, ...]:
        """The margins its evidence's messages state: the thresholds its trigger found crossed
        ("3000 yuan above the alert amount of 6000")."""
        found: tuple[Margin, ...] = ()
        for _, value in self._evidence:
            if not isinstance(value, str):
                found += margins_of(value)
        return found

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "kind": self.kind,
            "date": self.date.isoformat(),
            "severity": self.severity.name.lower(),
            "trigger": self.trigger,
            "fact_id": self.fact_id,
            "key": self.key,
            "cost": str(self.cost),
            "member_id": self.member_id,
            "evidence": [list(item) for item in self.evidence],
            "parameters": _params_dicts(self.parameters),
        }


_EVIDENCE_TERMS = frozenset(keys.EVIDENCE_VALUES + keys.HAZARD_KINDS + keys.HOUSEHOLD_STATUSES + keys.STATES)


def _evidence_item(label: str, value: str | Message) -> Message:
    """One item of a risk's evidence as a message: its label a term, an amount with its unit."""
    if not isinstance(value, str):
        return Message(keys.EVIDENCE_ITEM, Term(label), value)
    unit = keys.EVIDENCE_UNITS.get(label)
    if unit is not None:
        return Message(keys.EVIDENCE_ITEM_IN, Term(label), value, Term(unit))
    return Message(keys.EVIDENCE_ITEM, Term(label), _evidence_value(value))


def _evidence_value(value: str) -> str | Term:
    """An evidence value as a message value: a term when the catalogue translates it."""
    return Term(value) if value in _EVIDENCE_TERMS else value


@attrs.frozen(kw_only=True, slots=False)
class Grant:
    """What an intervention grants: money (``amount`` per ``period``) or a service.

    ``basis`` spells out the arithmetic ("(300 - 250.00) x 3 members"); ``responsible`` is
    the unit or person who delivers it; ``revisits`` are planned follow-up dates.

    A monthly money grant is an **entitlement**: it is owed from ``starts`` (the first day of
    the month after approval, for the safety net) until the day before ``ends`` (None while no
    end is known). A recomputation ends it and grants the new amount from the day it ends;
    ``prorated`` says whether a month it is in force for only some days is owed in part
    (days in force over days in the month) or whole; ``basis_income`` is the income it was set
    on, when it follows the income. See :mod:`relapse_guard.entitlements`.

    ``basis`` may be given as a :class:`~relapse_guard.messages.Message` (the built-in
    interventions do): :attr:`basis` is then its English text, written only when read, and
    :attr:`basis_message` renders in any language. Grants are equal when their bases say the
    same in English.
    """

    intervention: str
    household_id: str
    date: dt.date
    risk_key: str
    amount: Decimal | None = None
    period: Period = Period.ONE_OFF
    service: str | None = None
    responsible: str = ""
    persons: int = 0
    _basis: Text = attrs.field(default="", alias="basis", eq=_english)
    revisits: tuple[dt.date, ...] = ()
    emergency: bool = False
    parameters: tuple[ParameterValue, ...] = ()
    starts: dt.date | None = None
    ends: dt.date | None = None
    prorated: bool = False
    #: The income per person a year the amount was set on, for an entitlement that follows the
    #: income (the re-check rule compares new assessments with it).
    basis_income: Decimal | None = None
    #: The last re-check that found no obvious change and kept the amount (the next re-check
    #: falls due counted from it); None when none has.
    rechecked_on: dt.date | None = None
    #: The id of the income assessment that gave ``basis_income`` (what a recomputation on
    #: that income cites); None when not known.
    basis_fact: str | None = None

    @property
    def basis(self) -> str:
        """The arithmetic of the amount, in English ("(300.00 - 250.00) x 3 members = ...")."""
        basis = self._basis
        return basis if isinstance(basis, str) else basis.english()

    @property
    def basis_message(self) -> Message:
        """The basis as a message (plain text: an untranslated one)."""
        return as_message(self._basis)

    @property
    def is_money(self) -> bool:
        """True for a money grant, False for a service."""
        return self.amount is not None

    @property
    def is_entitlement(self) -> bool:
        """True for a monthly money grant (owed month by month while in force)."""
        return self.period is Period.MONTHLY and self.amount is not None

    @property
    def first_day(self) -> dt.date:
        """The first day the grant is owed: ``starts``, or the grant's date when not set."""
        return self.starts if self.starts is not None else self.date

    def with_term(
        self,
        *,
        starts: dt.date | None,
        ends: dt.date | None,
        prorated: bool,
        date: dt.date | None = None,
        parameters: tuple[ParameterValue, ...] | None = None,
        basis_income: Decimal | None = None,
        rechecked_on: dt.date | None = None,
        basis_fact: str | None = None,
    ) -> Grant:
        """This grant with its term (and its date, its parameters, its basis income, its last
        re-check) set; the fields left None keep their values.

        The engine makes one for every piece of an entitlement, so the copy is made on the
        instance dict (Grant keeps its fields in one, not in slots, for this): no ``__init__``
        of twenty fields, which costs more than the rest of opening an entitlement.
        """
        new: Grant = object.__new__(Grant)
        values = new.__dict__
        values.update(self.__dict__)
        values["starts"] = starts
        values["ends"] = ends
        values["prorated"] = prorated
        if date is not None:
            values["date"] = date
        if parameters is not None:
            values["parameters"] = parameters
        if basis_income is not None:
            values["basis_income"] = basis_income
        if rechecked_on is not None:
            values["rechecked_on"] = rechecked_on
        if basis_fact is not None:
            values["basis_fact"] = basis_fact
        return new

    def with_basis(self, basis: Text) -> Grant:
        """This grant with its ``basis`` (text, or a message) replaced (copied as :meth:`with_term` copies)."""
        new: Grant = object.__new__(Grant)
        values = new.__dict__
        values.update(self.__dict__)
        values["_basis"] = basis
        return new

    def in_force(self, on: dt.date) -> bool:
        """True for an entitlement owed on ``on``: from :attr:`first_day`, before ``ends``."""
        if not self.is_entitlement:
            return False
        return self.first_day <= on and (self.ends is None or on < self.ends)

    def running(self, on: dt.date) -> bool:
        """True for an entitlement granted by ``on`` and not ended by then (in force, or
        approved and starting next month)."""
        return self.is_entitlement and self.date <= on and (self.ends is None or on < self.ends)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "intervention": self.intervention,
            "date": self.date.isoformat(),
            "risk_key": self.risk_key,
            "amount": None if self.amount is None else str(self.amount),
            "period": self.period.value,
            "service": self.service,
            "responsible": self.responsible,
            "persons": self.persons,
            "basis": self.basis,
            "revisits": [d.isoformat() for d in self.revisits],
            "emergency": self.emergency,
            "parameters": _params_dicts(self.parameters),
            "starts": None if self.starts is None else self.starts.isoformat(),
            "ends": None if self.ends is None else self.ends.isoformat(),
            "prorated": self.prorated,
            "basis_income": None if self.basis_income is None else str(self.basis_income),
            "rechecked_on": None if self.rechecked_on is None else self.rechecked_on.isoformat(),
            "basis_fact": self.basis_fact,
        }


@attrs.frozen
class Declined:
    """An intervention's answer when it does not apply, with the reason for the audit trail.

    ``Declined("already granted housing renovation on 2016-07-10: no house is subsidised twice")``

    The reason may be a :class:`~relapse_guard.messages.Message` (the built-in interventions'
    are), which renders in any language and may state a margin (:attr:`margins`);
    :attr:`reason` is its English text. Two answers are equal when their reasons say the same
    in English.
    """

    _reason: Text = attrs.field(alias="reason", eq=_english)

    @property
    def reason(self) -> str:
        """The reason, in English."""
        reason = self._reason
        return reason if isinstance(reason, str) else reason.english()

    @property
    def message(self) -> Message:
        """The reason as a message (plain text: an untranslated one)."""
        return as_message(self._reason)

    @property
    def margins(self) -> tuple[Margin, ...]:
        """The margins the reason states (how far from qualifying), if any."""
        return margins_of(self._reason)


class DecisionKind(enum.Enum):
    """The kinds of decision in an audit trail."""

    TRANSITION = "transition"
    TRANSITION_REFUSED = "transition_refused"
    RISK_DETECTED = "risk_detected"
    INTERVENTION_GRANTED = "intervention_granted"
    INTERVENTION_PENDING = "intervention_pending"
    ROUTE_SKIPPED = "route_skipped"
    RISK_ELIMINATED = "risk_eliminated"
    ENTITLEMENT_RECOMPUTED = "entitlement_recomputed"
    ENTITLEMENT_ENDED = "entitlement_ended"
    HOUSEHOLD_CHANGED = "household_changed"


@attrs.frozen(kw_only=True, slots=False)
class Decision:
    """One step the engine took for a household, with its explanation.

    ``sequence`` numbers decisions from 0 in the order they were made; ``rule`` names the
    rule, trigger or intervention (``lifecycle.relapse``, ``trigger.illness``, ...).

    What it says is a :class:`~relapse_guard.messages.Message` (``message``: a key and its
    values), so that it renders in English or Chinese (:meth:`render`); :attr:`explanation` is
    its English text. A decision may instead be given its ``explanation`` as plain text, which
    reads the same in every language. ``margins`` are the margins of the conditions it records
    that failed, or held only narrowly (:class:`~relapse_guard.messages.Margin`).

    The engine gives ``message`` and ``margins`` as functions that make them: they are made
    the first time they are read (and kept), so that recording a decision writes no text.
    Decisions are equal when they say the same, with the same margins.
    """

    sequence: int
    household_id: str
    date: dt.date
    kind: DecisionKind
    rule: str
    _message: Said | None = attrs.field(default=None, alias="message", eq=_said)
    _explanation: str | None = attrs.field(default=None, alias="explanation")
    facts: tuple[str, ...] = ()
    parameters: tuple[ParameterValue, ...] = ()
    from_state: State | None = None
    to_state: State | None = None
    risk: Risk | None = None
    grant: Grant | None = None
    #: The version used of each corrected fact among ``facts``: (fact id, version), version 2
    #: after one correction (see :mod:`relapse_guard.versions`); empty when none was corrected.
    versions: tuple[tuple[str, int], ...] = ()
    _margins: MarginsGiven = attrs.field(default=(), alias="margins", eq=_margins_made)

    @property
    def explanation(self) -> str:
        """What the decision says, in English."""
        if self._explanation is not None:
            return self._explanation
        return self.message.english()

    @property
    def message(self) -> Message:
        """What the decision says, as a message (a plain explanation: an untranslated one)."""
        said = self._message
        if type(said) is Message:
            return said
        if said is None:
            return as_message(self._explanation or "")
        made = as_message(said() if callable(said) else said)
        object.__setattr__(self, "_message", made)  # made once, when first read
        return made

    @property
    def margins(self) -> tuple[Margin, ...]:
        """The margins of the conditions the decision records (failed, or held narrowly)."""
        margins = self._margins
        if callable(margins):
            margins = margins()
            object.__setattr__(self, "_margins", margins)
        return margins

    def __getstate__(self) -> dict[str, Any]:
        """The decision's fields, its message and margins made (a function does not pickle)."""
        state = dict(self.__dict__)
        if self._message is not None:
            state["_message"] = self.message
        state["_margins"] = self.margins
        return state

    def render(self, language: str = ENGLISH) -> str:
        """What the decision says, in ``language`` (``en``, ``zh-CN``)."""
        if self._explanation is not None:
            return self._explanation
        return self.message.render(language)

    def explain(self, language: str = ENGLISH) -> str:
        """One line in ``language``: date, kind, rule, what it says, then the facts (with the
        version used of a corrected one) and parameters used and the margins recorded."""
        text = self.render(language)
        line = Message(keys.EXPLAIN_LINE, self.date, Term(self.kind.value), self.rule, text)
        parts = [render(line, language)]
        if self.facts:
            used = dict(self.versions)
            facts = ", ".join(f"{f} (v{used[f]})" if f in used else f for f in self.facts)
            parts.append(render(Message(keys.EXPLAIN_FACTS, facts), language))
        if self.parameters:
            listed = Join([_parameter_used(p) for p in self.parameters], "; ")
            parts.append(render(Message(keys.EXPLAIN_PARAMETERS, listed), language))
        if self.margins:
            margins = Join([margin.message() for margin in self.margins], "; ")
            parts.append(render(Message(keys.EXPLAIN_MARGINS, margins), language))
        return " | ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (stable key order), e.g. for storage and hashing."""
        return {
            "sequence": self.sequence,
            "household_id": self.household_id,
            "date": self.date.isoformat(),
            "kind": self.kind.value,
            "rule": self.rule,
            "explanation": self.explanation,
            "message": self.message.to_dict(),
            "margins": [margin.to_dict() for margin in self.margins],
            "facts": list(self.facts),
            "parameters": _params_dicts(self.parameters),
            "from_state": None if self.from_state is None else self.from_state.value,
            "to_state": None if self.to_state is None else self.to_state.value,
            "risk": None if self.risk is None else self.risk.to_dict(),
            "grant": None if self.grant is None else self.grant.to_dict(),
            **({"versions": [list(pair) for pair in self.versions]} if self.versions else {}),
        }
