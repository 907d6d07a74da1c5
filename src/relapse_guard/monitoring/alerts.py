"""What a monitoring cycle tells the people who act: alerts, one per thing that needs attention.

A household rescreened in a cycle is compared with its checkpoint of the month before: a new
risk, a change of state, a grant started or ended, the transition period ending soon, a
review or a case step due or overdue, a history replayed (and why). Each :class:`Alert` names
the household, its district, the policy it was screened under, the date and what it is about,
in words a caseworker reads, and as data (:meth:`Alert.to_dict`) other systems read.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
from collections.abc import Callable, Mapping
from typing import Any

import attrs

from ..decisions import Grant
from ..engine import Checkpoint
from ..errors import InvalidInput
from ..lifecycle import State
from ..policy import Policy
from ..reviews import ReviewState, review_status
from ..text import plural

__all__ = ["CASE_NOTICE", "TRANSITION_NOTICE", "Alert", "AlertKind", "alerts_for", "wake_on"]

#: How long before its end a transition period is announced as ending.
TRANSITION_NOTICE = dt.timedelta(days=31)
#: How long before its deadline a case step is announced as due.
CASE_NOTICE = dt.timedelta(days=7)


class AlertKind(enum.Enum):
    """What an alert is about."""

    NEW_RISK = "new_risk"
    STATE_CHANGED = "state_changed"
    GRANT_STARTED = "grant_started"
    GRANT_ENDED = "grant_ended"
    TRANSITION_ENDING = "transition_ending"
    REVIEW_DUE = "review_due"
    REVIEW_OVERDUE = "review_overdue"
    CASE_STEP_DUE = "case_step_due"
    CASE_STEP_OVERDUE = "case_step_overdue"
    REPLAYED = "replayed"


@attrs.frozen(kw_only=True)
class Alert:
    """One thing a cycle found for one household.

    ``subject`` identifies what the alert is about within the household (a risk key, an
    intervention, a review, a case id; empty for a change of state); ``date`` is when it
    happened or falls due; ``detail`` says it in words.
    """

    kind: AlertKind
    household_id: str
    district: str
    policy: str
    date: dt.date
    subject: str
    detail: str

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict that :meth:`from_dict` reads back."""
        return {
            "kind": self.kind.value,
            "household_id": self.household_id,
            "district": self.district,
            "policy": self.policy,
            "date": self.date.isoformat(),
            "subject": self.subject,
            "detail": self.detail,
        }

    def to_json(self) -> str:
        """:meth:`to_dict` as compact JSON text (what a store keeps)."""
        return json.dumps(self.to_dict(), ensure_ascii=False, separators=(",", ":"), sort_keys=True)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Alert:
        """Read :meth:`to_dict`; :class:`~relapse_guard.errors.InvalidInput` naming the field otherwise."""
        household_id = data.get("household_id") if isinstance(data, Mapping) else None
        field = "alert"
        try:
            field = "kind"
            kind = AlertKind(data["kind"])
            field = "date"
            date = dt.date.fromisoformat(data["date"])
            field = "text fields"
            return cls(
                kind=kind,
                household_id=str(data["household_id"]),
                district=str(data["district"]),
                policy=str(data["policy"]),
                date=date,
                subject=str(data["subject"]),
                detail=str(data["detail"]),
            )
        except (KeyError, TypeError, ValueError) as error:
            hid = household_id if isinstance(household_id, str) else None
            value = data.get(field) if isinstance(data, Mapping) else data
            raise InvalidInput(hid, field, value, f"an alert written by Alert.to_dict ({error})") from error

    @classmethod
    def from_json(cls, text: str) -> Alert:
        """Read :meth:`to_json`."""
        return cls.from_dict(json.loads(text))

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.household_id} [{self.kind.value}] {self.detail}"


def alerts_for(
    old: Checkpoint | None,
    new: Checkpoint,
    *,
    policy: Policy,
    as_of: dt.date,
    district: str,
    replayed: str = "",
) -> list[Alert]:
    """The alerts of a household whose checkpoint went from ``old`` (None: first screened) to ``new``.

    ``replayed`` is the reason its history was replayed rather than resumed, if it was.
    """
    found: list[Alert] = []

    def alert(kind: AlertKind, date: dt.date, subject: str, detail: str) -> None:
        found.append(
            Alert(
                kind=kind,
                household_id=new.household_id,
                district=district,
                policy=policy.label,
                date=date,
                subject=subject,
                detail=detail,
            )
        )

    if replayed:
        alert(AlertKind.REPLAYED, as_of, "", f"history replayed: {replayed}")
    _changes(old, new, alert)
    _falling_due(new, policy, as_of, alert)
    return found


_Add = Callable[[AlertKind, dt.date, str, str], None]


def _changes(old: Checkpoint | None, new: Checkpoint, alert: _Add) -> None:
    known = old.risk_keys if old is not None else frozenset()
    for risk in new.risks:
        if risk.key not in known:
            evidence = "; ".join(f"{label} {value}" for label, value in risk.evidence)
            alert(
                AlertKind.NEW_RISK,
                risk.date,
                risk.key,
                f"{risk.kind} risk ({risk.severity.name.lower()}) found on {risk.date.isoformat()}"
                + (f": {evidence}" if evidence else ""),
            )
    before = old.state if old is not None else State.NEW
    if new.state is not before:
        since = new.state_since or (new.clock or dt.date.min)
        alert(
            AlertKind.STATE_CHANGED,
            since,
            "",
            f"{before.value} -> {new.state.value} since {since.isoformat()}",
        )
    old_grants = {_grant_key(grant): grant for grant in old.grants} if old is not None else {}
    new_keys = set()
    changes: list[tuple[AlertKind, Grant]] = []  # in the grants' order
    for grant in new.grants:
        key = _grant_key(grant)
        new_keys.add(key)
        earlier = old_grants.get(key)
        if earlier is None:
            changes.append((AlertKind.GRANT_STARTED, grant))
        elif grant.ends is not None and grant.ends != earlier.ends:
            changes.append((AlertKind.GRANT_ENDED, grant))
    # A monthly grant ended and carried on at the same amount from that day (a re-check that
    # found no obvious change, a recomputation that came to the same amount) changed nothing a
    # caseworker acts on: neither is announced.
    carried = {(g.intervention, g.ends, g.amount) for kind, g in changes if kind is AlertKind.GRANT_ENDED} & {
        (g.intervention, g.first_day, g.amount)
        for kind, g in changes
        if kind is AlertKind.GRANT_STARTED and g.is_entitlement
    }
    for kind, grant in changes:
        if kind is AlertKind.GRANT_STARTED:
            if grant.is_entitlement and (grant.intervention, grant.first_day, grant.amount) in carried:
                continue
            alert(kind, grant.date, grant.intervention, f"{grant.intervention} granted: {_amount(grant)}")
        elif grant.ends is not None and (grant.intervention, grant.ends, grant.amount) not in carried:
            alert(
                kind,
                grant.ends,
                grant.intervention,
                f"{grant.intervention} of {grant.amount} yuan a month ends on {grant.ends.isoformat()}",
            )
    for key, grant in old_grants.items():
        if key not in new_keys:
            alert(
                AlertKind.GRANT_ENDED,
                new.clock or grant.date,
                grant.intervention,
                f"{grant.intervention} granted on {grant.date.isoformat()} no longer stands",
            )


def _grant_key(grant: Grant) -> tuple[object, ...]:
    """What identifies a grant across two checkpoints (its end may be set later)."""
    return (grant.intervention, grant.date, grant.risk_key, grant.amount, grant.period, grant.service, grant.first_day)


def _amount(grant: Grant) -> str:
    """A grant's money with its unit, or its service."""
    if grant.amount is None:
        return f"service {grant.service}"
    if grant.is_entitlement:
        return f"{grant.amount} yuan a month from {grant.first_day.isoformat()}"
    return f"{grant.amount} yuan {grant.period.value.replace('_', '-')}"


def _falling_due(new: Checkpoint, policy: Policy, as_of: dt.date, alert: _Add) -> None:
    end = new.monitoring_end
    if new.state is State.MONITORED and end is not None and end - TRANSITION_NOTICE <= as_of < end:
        alert(
            AlertKind.TRANSITION_ENDING,
            end,
            "transition",
            f"transition period ends on {end.isoformat()} (monitored since {new.monitoring_start})",
        )
    if policy.reviews and new.state_since is not None:
        for status in review_status(
            policy.reviews,
            household_id=new.household_id,
            state=new.state,
            state_since=new.state_since,
            completed=dict(new.reviews_done),
            as_of=as_of,
        ):
            if status.state is ReviewState.OVERDUE:
                alert(
                    AlertKind.REVIEW_OVERDUE,
                    status.due_on,
                    status.review,
                    f"review {status.review} due {status.due_on.isoformat()} is "
                    f"{plural(status.days_overdue, 'day', grouped=False)} overdue"
                    + (f" ({status.responsible})" if status.responsible else ""),
                )
            elif status.state is ReviewState.DUE:
                alert(
                    AlertKind.REVIEW_DUE,
                    status.due_on,
                    status.review,
                    f"review {status.review} due {status.due_on.isoformat()}"
                    + (f" ({status.responsible})" if status.responsible else ""),
                )
    for case in new.open_cases:
        if case.due_on < as_of:
            alert(
                AlertKind.CASE_STEP_OVERDUE,
                case.due_on,
                case.case_id,
                f"{case.procedure} case {case.case_id}: step {case.step} was due {case.due_on.isoformat()}",
            )
        elif case.due_on <= as_of + CASE_NOTICE:
            alert(
                AlertKind.CASE_STEP_DUE,
                case.due_on,
                case.case_id,
                f"{case.procedure} case {case.case_id}: step {case.step} due {case.due_on.isoformat()}",
            )


def wake_on(checkpoint: Checkpoint) -> dt.date | None:
    """When a household not given new facts must be rescreened: its next clock event, or the
    day its transition period's end is to be announced, whichever is first."""
    clock = checkpoint.clock
    if clock is None:
        return checkpoint.next_event
    dates = [checkpoint.next_event] if checkpoint.next_event is not None else []
    end = checkpoint.monitoring_end
    if checkpoint.state is State.MONITORED and end is not None:
        dates.append(end - TRANSITION_NOTICE)
    dates.extend(case.due_on - CASE_NOTICE for case in checkpoint.open_cases)
    later = [day for day in dates if day > clock]
    return min(later) if later else None
