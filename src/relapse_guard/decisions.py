"""What the engine decides, with its explanation: risks, grants and decisions.

A :class:`Decision` records one step — a transition taken or refused, a risk found, an
intervention granted or skipped — with the rule that made it, the ids of the facts it used
and the parameter values (with their effective dates) it read. The list of decisions is the
household's audit trail: it answers "why" for every state and every yuan.
"""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal
from typing import Any

import attrs

from .lifecycle import State
from .parameters import ParameterValue

__all__ = ["Decision", "DecisionKind", "Declined", "Grant", "Period", "Risk", "Severity"]


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


@attrs.frozen(kw_only=True)
class Risk:
    """A risk a trigger found in a fact: its kind, date, severity and evidence.

    ``key`` is the risk's identity: two detections with the same key are the same risk and
    are never paid twice. ``cost`` is the money the shock costs the household (self-paid
    medical cost, disaster loss, school cost); zero when there is none.
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
    evidence: tuple[tuple[str, str], ...] = ()
    parameters: tuple[ParameterValue, ...] = ()

    def get(self, label: str) -> str | None:
        """The evidence recorded under ``label`` (e.g. ``"level"``), or None."""
        for key, value in self.evidence:
            if key == label:
                return value
        return None

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
    basis: str = ""
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
        return new

    def with_basis(self, basis: str) -> Grant:
        """This grant with its ``basis`` text replaced (copied as :meth:`with_term` copies)."""
        new: Grant = object.__new__(Grant)
        values = new.__dict__
        values.update(self.__dict__)
        values["basis"] = basis
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
        }


@attrs.frozen
class Declined:
    """An intervention's answer when it does not apply, with the reason for the audit trail.

    ``Declined("already granted housing renovation on 2016-07-10: no house is subsidised twice")``
    """

    reason: str


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
    """

    sequence: int
    household_id: str
    date: dt.date
    kind: DecisionKind
    rule: str
    explanation: str
    facts: tuple[str, ...] = ()
    parameters: tuple[ParameterValue, ...] = ()
    from_state: State | None = None
    to_state: State | None = None
    risk: Risk | None = None
    grant: Grant | None = None
    #: The version used of each corrected fact among ``facts``: (fact id, version), version 2
    #: after one correction (see :mod:`relapse_guard.versions`); empty when none was corrected.
    versions: tuple[tuple[str, int], ...] = ()

    def explain(self) -> str:
        """One line: date, kind, rule, explanation, then the facts (with the version used of a
        corrected one) and parameters used."""
        parts = [f"{self.date.isoformat()} {self.kind.value} [{self.rule}] {self.explanation}"]
        if self.facts:
            used = dict(self.versions)
            parts.append("facts: " + ", ".join(f"{f} (v{used[f]})" if f in used else f for f in self.facts))
        if self.parameters:
            parts.append("parameters: " + "; ".join(str(p) for p in self.parameters))
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
            "facts": list(self.facts),
            "parameters": _params_dicts(self.parameters),
            "from_state": None if self.from_state is None else self.from_state.value,
            "to_state": None if self.to_state is None else self.to_state.value,
            "risk": None if self.risk is None else self.risk.to_dict(),
            "grant": None if self.grant is None else self.grant.to_dict(),
            **({"versions": [list(pair) for pair in self.versions]} if self.versions else {}),
        }
