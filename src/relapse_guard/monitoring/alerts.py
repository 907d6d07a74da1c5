"""What a monitoring cycle tells the people who act: alerts, one per thing that needs attention.

A household rescreened in a cycle is compared with its checkpoint of the month before: a new
risk, a change of state (a relapse said as one), a grant started, changed or ended, the transition period ending soon, a
review, a case step or a safety net's re-check due or overdue (with its deadline, and the whole
case's when its procedure sets one), a history replayed (and why), a move (in the worklists of
the district moved to and of the district left: :mod:`.moves`). Each
:class:`Alert` names the household, its district, town and village, the policy it was screened
under, the date and what it is about, in words a caseworker reads, and as data
(:meth:`Alert.to_dict`) other systems read.

What falls due (:data:`STANDING_KINDS`) is announced by every cycle while it is open; one the
cycle before announced too is marked as open since then (:attr:`Alert.open_since`,
:func:`still_open`), so that a worklist keeps it without showing it as new.

What an alert says is kept as a :class:`~relapse_guard.messages.Message` (a key of the
``decisions`` catalogue and its values: states, risk kinds, interventions, review names and
case steps as terms), so that it renders in any language (:meth:`Alert.render`); its
``detail`` is the message in English.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import json
import re
import string
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

import attrs

from .. import message_keys as keys
from ..decisions import Grant, Period
from ..engine import Checkpoint, OpenCase
from ..errors import InvalidInput
from ..household import Place
from ..interface import tr
from ..labels import label
from ..lifecycle import TABLE, State
from ..messages import ENGLISH, Join, Message, Term, as_message, message_from_dict
from ..policy import Policy
from ..reviews import ReviewState, review_status
from .moves import Move, moves_since

__all__ = [
    "CASE_NOTICE",
    "RECHECK_GRACE",
    "STANDING_KINDS",
    "TRANSITION_NOTICE",
    "Alert",
    "AlertKind",
    "alerts_for",
    "replay_reason",
    "still_open",
    "wake_on",
]

#: How long before its end a transition period is announced as ending.
TRANSITION_NOTICE = dt.timedelta(days=31)
#: How long before its deadline a case step is announced as due.
CASE_NOTICE = dt.timedelta(days=7)
#: How long after the day an entitlement's re-check falls due it is announced as due: its
#: deadline is the last of these days, and it is overdue after it.
RECHECK_GRACE = dt.timedelta(days=30)


class AlertKind(enum.Enum):
    """What an alert is about."""

    NEW_RISK = "new_risk"
    STATE_CHANGED = "state_changed"
    GRANT_STARTED = "grant_started"
    GRANT_CHANGED = "grant_changed"
    GRANT_ENDED = "grant_ended"
    TRANSITION_ENDING = "transition_ending"
    REVIEW_DUE = "review_due"
    REVIEW_OVERDUE = "review_overdue"
    CASE_STEP_DUE = "case_step_due"
    CASE_STEP_OVERDUE = "case_step_overdue"
    RECHECK_DUE = "recheck_due"
    RECHECK_OVERDUE = "recheck_overdue"
    REPLAYED = "replayed"
    MOVED = "moved"


#: The kinds of alert that say something open (falling due), announced by every cycle until it is
#: done or over; the other kinds say a change, announced once.
STANDING_KINDS = frozenset(
    {
        AlertKind.TRANSITION_ENDING,
        AlertKind.REVIEW_DUE,
        AlertKind.REVIEW_OVERDUE,
        AlertKind.CASE_STEP_DUE,
        AlertKind.CASE_STEP_OVERDUE,
        AlertKind.RECHECK_DUE,
        AlertKind.RECHECK_OVERDUE,
    }
)


@attrs.frozen(kw_only=True)
class Alert:
    """One thing a cycle found for one household.

    ``subject`` identifies what the alert is about within the household (a risk key, an
    intervention, a review, a case id; empty for a change of state); ``date`` is when it
    happened or falls due; ``detail`` says it in English words, and ``message`` says it as a
    key and values, which :meth:`render` says in a language (``detail`` is ``message`` in
    English). Given no ``message``, an alert's message is its ``detail`` as untranslated text
    (:func:`~relapse_guard.messages.as_message`): the same words in every language, as an
    alert stored before alerts kept their message reads.

    ``district``, ``town`` and ``village`` are the household's, as its record had them when the
    cycle ran (empty: not on the record, or an alert stored before alerts named them); a move's
    (:attr:`AlertKind.MOVED`) are those of the place it concerns: moved to, or left. ``open_since`` is
    None for an alert new this cycle; for one of :data:`STANDING_KINDS` that the cycle before
    announced too (see :func:`still_open`), the date of the first of the cycles in a row that
    announced it.
    """

    kind: AlertKind
    household_id: str
    district: str
    policy: str
    date: dt.date
    subject: str
    detail: str
    message: Message = attrs.field(
        default=attrs.Factory(lambda self: as_message(self.detail), takes_self=True),
        validator=attrs.validators.instance_of(Message),
    )
    town: str = ""
    village: str = ""
    open_since: dt.date | None = None

    @property
    def is_new(self) -> bool:
        """Whether the alert is new this cycle (not still open since an earlier one)."""
        return self.open_since is None

    def line(self, language: str = ENGLISH) -> str:
        """The alert in a line, in ``language``: ``date household town/village [kind] new: what it
        says``, or ``open since DATE:`` for one still open; the kind by its label in a language
        other than English, and ``-`` for a place not known."""
        place = "/".join(part for part in (self.town, self.village) if part) or "-"
        status = (
            tr(language, "new")
            if self.open_since is None
            else tr(language, "open since {date}", date=self.open_since.isoformat())
        )
        return tr(
            language,
            "{date} {household} {place} [{kind}] {status}: {detail}",
            date=self.date.isoformat(),
            household=self.household_id,
            place=place,
            kind=label("alert", self.kind.value, language),
            status=status,
            detail=self.render(language),
        )

    def render(self, language: str = ENGLISH) -> str:
        """What the alert says in ``language`` (``en``, ``zh-CN``): ``detail`` in English."""
        return self.detail if language == ENGLISH else self.message.render(language)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict that :meth:`from_dict` reads back."""
        return {
            "kind": self.kind.value,
            "household_id": self.household_id,
            "district": self.district,
            "town": self.town,
            "village": self.village,
            "policy": self.policy,
            "date": self.date.isoformat(),
            "subject": self.subject,
            "detail": self.detail,
            "message": self.message.to_dict(),
            "open_since": None if self.open_since is None else self.open_since.isoformat(),
        }

    def to_json(self) -> str:
        """:meth:`to_dict` as compact JSON text (what a store keeps), without ``detail`` when it is
        the message in English (:meth:`from_json` says it again): a store keeps it once."""
        data = self.to_dict()
        if self.message.english() == self.detail:
            del data["detail"]
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Alert:
        """Read :meth:`to_dict`; :class:`~relapse_guard.errors.InvalidInput` naming the field otherwise.

        A dict without ``message`` (an alert stored before alerts kept their message) is read
        with its ``detail`` as its message, untranslated; one without ``detail`` (as
        :meth:`to_json` keeps it) with its message in English as its ``detail``. One without
        ``town``, ``village`` or ``open_since`` (stored before alerts kept them) is read with
        them empty: no place known, new.
        """
        household_id = data.get("household_id") if isinstance(data, Mapping) else None
        field = "alert"
        try:
            field = "kind"
            kind = AlertKind(data["kind"])
            field = "date"
            date = dt.date.fromisoformat(data["date"])
            field = "message"
            said = data.get("message")
            if said is not None and not isinstance(said, Mapping):
                raise TypeError(f"a message is a dict, not {type(said).__name__}")
            if said is None:
                field = "detail"
                detail = str(data["detail"])
                message = as_message(detail)
            else:
                message = message_from_dict(said)
                field = "detail"
                detail = str(data["detail"]) if "detail" in data else message.english()
            field = "open_since"
            since = data.get("open_since")
            open_since = None if since is None else dt.date.fromisoformat(since)
            field = "text fields"
            return cls(
                kind=kind,
                household_id=str(data["household_id"]),
                district=str(data["district"]),
                policy=str(data["policy"]),
                date=date,
                subject=str(data["subject"]),
                detail=detail,
                message=message,
                town=str(data.get("town") or ""),
                village=str(data.get("village") or ""),
                open_since=open_since,
            )
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            hid = household_id if isinstance(household_id, str) else None
            value = data.get(field) if isinstance(data, Mapping) else data
            raise InvalidInput(hid, field, value, f"an alert written by Alert.to_dict ({error})") from error

    @classmethod
    def from_json(cls, text: str) -> Alert:
        """Read :meth:`to_json`."""
        return cls.from_dict(json.loads(text))

    def __str__(self) -> str:
        return self.line()


_REVIEWS = frozenset({AlertKind.REVIEW_DUE, AlertKind.REVIEW_OVERDUE})


def _item(alert: Alert) -> tuple[AlertKind, str, dt.date | None]:
    """What an alert of :data:`STANDING_KINDS` is about across cycles: a review by its name (a
    review not done stays the one to do when its next due date passes), a case step by its case
    and deadline, a transition period by its end, a re-check by its intervention and the day it
    falls due."""
    return (alert.kind, alert.subject, None if alert.kind in _REVIEWS else alert.date)


def still_open(
    found: Sequence[Alert],
    earlier: Iterable[Alert],
    cycle: dt.date,
    reviews_done: Mapping[str, dt.date] | None = None,
) -> list[Alert]:
    """``found`` (a household's alerts of a cycle), each of :data:`STANDING_KINDS` that ``earlier``
    (its alerts of the cycle before, as of ``cycle``) announced too marked as open since then: since
    that alert's ``open_since`` when it was open already, else since ``cycle``. The others as they are.

    The same kind and subject, and for a case step or a transition period the same date; a review
    due again (a monthly one, a month later) is the same item unless ``reviews_done`` (the latest
    date each review was done, the household's as of this cycle) says it was done on or after the
    due date ``earlier`` announced. A review that became overdue is new (it was due before), and so
    is a case's next step. What is marked follows from the two cycles' alerts and the household's
    reviews done, so a cycle run again marks the same.
    """
    done = reviews_done or {}
    before: dict[tuple[AlertKind, str, dt.date | None], dt.date] = {}
    for alert in earlier:
        if alert.kind not in STANDING_KINDS:
            continue
        last = done.get(alert.subject) if alert.kind in _REVIEWS else None
        if last is not None and last >= alert.date:
            continue  # done since: what is due now is another review
        before[_item(alert)] = alert.open_since or cycle
    return [
        attrs.evolve(alert, open_since=before[_item(alert)])
        if alert.kind in STANDING_KINDS and _item(alert) in before
        else alert
        for alert in found
    ]


def alerts_for(
    old: Checkpoint | None,
    new: Checkpoint,
    *,
    policy: Policy,
    as_of: dt.date,
    district: str,
    town: str = "",
    village: str = "",
    replayed: Message | str | None = None,
    spell: Callable[[str], str] = str,
) -> list[Alert]:
    """The alerts of a household whose checkpoint went from ``old`` (None: first screened) to
    ``new``, in ``district``, ``town`` and ``village`` (its record's place); each new (see
    :func:`still_open`).

    ``replayed`` is why its history was replayed rather than resumed, if it was: the message the
    engine gives (:attr:`~relapse_guard.engine.Checkpointed.why`), or its English text, read back
    with :func:`replay_reason`. A move (:func:`~.moves.moves_since`) is announced where it
    concerns: to another district, in the worklist of the district moved to and in that of the
    district left; within the district, once, at the place moved to. ``spell`` gives a district
    moved to as ``district`` is given (a policy map's spelling).
    """
    found: list[Alert] = []

    def alert(kind: AlertKind, date: dt.date, subject: str, message: Message, place: Place | None = None) -> None:
        where = place if place is not None else Place(district, town, village)
        found.append(
            Alert(
                kind=kind,
                household_id=new.household_id,
                district=where.district,
                town=where.town,
                village=where.village,
                policy=policy.label,
                date=date,
                subject=subject,
                detail=message.english(),
                message=message,
            )
        )

    if replayed:
        why = replay_reason(replayed) if isinstance(replayed, str) else replayed
        alert(AlertKind.REPLAYED, as_of, "", Message(keys.ALERT_REPLAYED, why))
    _changes(old, new, as_of, alert)
    _moved(moves_since(old, new, Place(district, town, village), as_of, spell), alert)
    _falling_due(new, policy, as_of, alert)
    return found


#: The subjects of move alerts: in the district moved to, in the district left, within one district.
MOVED_IN, MOVED_OUT, MOVED_WITHIN = "moved_in", "moved_out", "moved_within"


def _moved(moves: Sequence[Move], alert: Callable[[AlertKind, dt.date, str, Message, Place], None]) -> None:
    """Each move: to another district, one alert in the worklist of the district moved to (taking
    the file over) and one in that of the district left (handing it over, 转移接续); within the
    district, one at the place moved to."""
    for move in moves:
        before, after = move.before, move.after
        if move.between_districts:
            said = Message(keys.ALERT_MOVED_IN, str(before), move.date, move.fact)
            alert(AlertKind.MOVED, move.date, MOVED_IN, said, after)
            said = Message(keys.ALERT_MOVED_OUT, str(after), move.date, move.fact)
            alert(AlertKind.MOVED, move.date, MOVED_OUT, said, before)
        else:
            within = Message(
                keys.ALERT_MOVED_WITHIN,
                after.district,
                _local(before),
                _local(after),
                move.date,
                move.fact,
            )
            alert(AlertKind.MOVED, move.date, MOVED_WITHIN, within, after)


def _local(place: Place) -> str:
    """A place within its district: town/village (``-`` for none)."""
    return "/".join(part for part in (place.town, place.village) if part) or "-"


_Add = Callable[[AlertKind, dt.date, str, Message], None]


#: What the placeholders of the replay reasons hold, as the engine writes them: fact and case
#: ids quoted (``repr``), dates ISO, a kind of fact; any other placeholder any text.
_REPR = r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\""
_DATE = r"\d{4}-\d{2}-\d{2}"
_HELD = {
    "fact": _REPR,
    "target": _REPR,
    "last": _REPR,
    "case": _REPR,
    "kind": r"\w+",
    "date": _DATE,
    "last_date": _DATE,
    "as_of": _DATE,
    "clock": _DATE,
}


@functools.cache
def _reason_patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """Each replay reason's key, with a pattern matching its English text."""
    patterns = []
    for key in keys.REPLAY_REASONS:
        parts = []
        for literal, name, _, _ in string.Formatter().parse(key):
            parts.append(re.escape(literal))
            if name is not None:
                parts.append(f"(?P<{name}>{_HELD.get(name, '.+?')})")
        patterns.append((key, re.compile("".join(parts), re.DOTALL)))
    return tuple(patterns)


def replay_reason(reason: str) -> Message:
    """Why a household's history was replayed (the text :class:`~relapse_guard.engine.Checkpointed`
    and the cycle give) as a message that renders in any language; a text not known as a replay
    reason (or read back otherwise than it is written) as an untranslated message.

    >>> replay_reason("the household's record (place or members) changed since the checkpoint").render("zh-CN")
    '自检查点生成以来，农户记录（住址或成员）已变更'
    """
    for key, pattern in _reason_patterns():
        found = pattern.fullmatch(reason)
        if found is None:
            continue
        values = found.groupdict()
        message = Message.named(key, **{name: Term(v) if name == "kind" else v for name, v in values.items()})
        if message.english() == reason:
            return message
    return as_message(reason)


def _changes(old: Checkpoint | None, new: Checkpoint, as_of: dt.date, alert: _Add) -> None:
    """What changed from ``old`` to ``new`` (None: a household first screened as of ``as_of``)."""
    _new_risks(old, new, alert)
    _state(old, new, alert)
    _grants(old, new, as_of, alert)


def _new_risks(old: Checkpoint | None, new: Checkpoint, alert: _Add) -> None:
    """A risk whose key the old checkpoint did not have; for a household first screened, the
    risks still open (those eliminated are behind it)."""
    known = old.risk_keys if old is not None else frozenset(key for key, _ in new.eliminated)
    for risk in new.risks:
        if risk.key not in known:
            what, severity = Term(risk.kind), Term(risk.severity.name.lower())
            # the evidence as a decision says it: labels and known values as terms, reasons as messages
            evidence = risk.message().get("evidence")
            said = (
                Message(keys.ALERT_NEW_RISK, what, severity, risk.date, evidence)
                if isinstance(evidence, Join) and evidence.items
                else Message(keys.ALERT_NEW_RISK_BARE, what, severity, risk.date)
            )
            alert(AlertKind.NEW_RISK, risk.date, risk.key, said)


def _state(old: Checkpoint | None, new: Checkpoint, alert: _Add) -> None:
    """The household's state: first screened, changed, or changed through a relapse."""
    since = new.state_since or (new.clock or dt.date.min)
    after = Term(new.state.value)
    if old is None:
        if new.state is not State.NEW:
            alert(AlertKind.STATE_CHANGED, since, "", Message(keys.ALERT_FIRST_SCREENED, after, since))
        return
    if new.state is old.state:
        return
    key = keys.ALERT_RELAPSED if _relapsed(old, new) else keys.ALERT_STATE_CHANGED
    alert(AlertKind.STATE_CHANGED, since, "", Message(key, Term(old.state.value), after, since))


def _reachable(start: State, avoiding: frozenset[State]) -> frozenset[State]:
    """The states the lifecycle leads to from ``start`` (itself included) without entering ``avoiding``."""
    seen, todo = {start}, [start]
    while todo:
        state = todo.pop()
        for (source, _), (dest, _) in TABLE.items():
            if source is state and dest not in seen and dest not in avoiding:
                seen.add(dest)
                todo.append(dest)
    return frozenset(seen)


@functools.cache
def _through_relapse(before: State) -> tuple[frozenset[State], frozenset[State]]:
    """From ``before``: the states only a relapse leads to (unless the transition period ended on
    the way: stable, then identified anew), and those stabilising alone leads to."""
    relapse, stable = frozenset({State.RELAPSED}), frozenset({State.STABLE})
    plain = _reachable(before, relapse | stable)
    only = _reachable(before, stable) - plain - relapse
    return only, _reachable(before, relapse) - plain


def _relapsed(old: Checkpoint, new: Checkpoint) -> bool:
    """Whether a household went from ``old``'s state to ``new``'s through a relapse (返贫).

    A checkpoint keeps no history of states, so this is read from the lifecycle: from exited or
    monitored, only a relapse leads to assisted (a monitored household exited again too), unless
    the transition period ended on the way (``new``'s state entered on or after its end: stable,
    then identified anew). A state entered before ``old``'s was entered is no relapse after it
    but a history rewritten by a replay (an exit retracted). A household that relapsed and is
    back in the state it was in (exited again, monitored again) is not told apart.
    """
    only, after_stable = _through_relapse(old.state)
    since = new.state_since
    if new.state not in only or since is None:
        return False
    if old.state_since is not None and since < old.state_since:
        return False
    end = old.monitoring_end
    return new.state not in after_stable or end is None or since < end


def _grants(old: Checkpoint | None, new: Checkpoint, as_of: dt.date, alert: _Add) -> None:
    """Grants started, changed (a monthly amount), ended, or no longer standing.

    A piece of an entitlement never owed (replaced before its first day) is announced neither as
    started nor as ended: a caseworker pays nothing of it. One announced before (the old
    checkpoint owed it) that is then replaced is announced as changed. For a household first
    screened, only the grants in force on ``as_of`` or owed later are announced (see
    :func:`_current`).
    """
    old_grants = {_grant_key(grant): grant for grant in old.grants} if old is not None else {}
    changes: list[tuple[AlertKind, Grant]] = []  # in the grants' order
    for grant in new.grants:
        earlier = old_grants.get(_grant_key(grant))
        if earlier is None:
            if not _never_owed(grant) and (old is not None or _current(grant, as_of)):
                changes.append((AlertKind.GRANT_STARTED, grant))
                if grant.ends is not None and grant.is_entitlement:
                    # its end known already: a stop, or a change to the piece that follows
                    changes.append((AlertKind.GRANT_ENDED, grant))
        elif grant.ends is not None and grant.ends != earlier.ends and not _never_owed(earlier):
            changes.append((AlertKind.GRANT_ENDED, grant))
    follows = _successions(changes)
    succeeded = set(follows.values())
    for index, (kind, grant) in enumerate(changes):
        if index in succeeded:
            continue  # said with the piece that follows it
        before = changes[follows[index]][1] if index in follows else None
        if before is not None:
            # A monthly grant ended and carried on at the same amount from that day (a re-check that
            # found no obvious change, a recomputation that came to the same amount) changed nothing a
            # caseworker acts on: it is not announced.
            if before.amount != grant.amount:
                alert(AlertKind.GRANT_CHANGED, grant.date, grant.intervention, _changed(before, grant))
        elif kind is AlertKind.GRANT_STARTED:
            said = Message(keys.ALERT_GRANTED, Term(grant.intervention), _amount(grant))
            alert(kind, grant.date, grant.intervention, said)
        elif grant.ends is not None:
            said = Message(keys.ALERT_GRANT_ENDS, Term(grant.intervention), _money(grant), grant.ends)
            alert(kind, grant.ends, grant.intervention, said)
    new_keys = {_grant_key(grant) for grant in new.grants}
    for key, grant in old_grants.items():
        if key not in new_keys and not _never_owed(grant):
            said = Message(keys.ALERT_GRANT_GONE, Term(grant.intervention), grant.date)
            alert(AlertKind.GRANT_ENDED, new.clock or grant.date, grant.intervention, said)


def _successions(changes: list[tuple[AlertKind, Grant]]) -> dict[int, int]:
    """Each monthly grant started (by its index in ``changes``) that follows one ended: the same
    intervention, owed from the day the other ends (one of the same amount first), with the index
    of the one it follows."""
    ended = [i for i, (kind, g) in enumerate(changes) if kind is AlertKind.GRANT_ENDED and g.is_entitlement and g.ends]
    follows: dict[int, int] = {}
    for index, (kind, grant) in enumerate(changes):
        if kind is not AlertKind.GRANT_STARTED or not grant.is_entitlement:
            continue
        candidates = [
            i
            for i in ended
            if i not in follows.values()
            and changes[i][1].intervention == grant.intervention
            and changes[i][1].ends == grant.first_day
        ]
        if candidates:
            same = [i for i in candidates if changes[i][1].amount == grant.amount]
            follows[index] = (same or candidates)[0]
    return follows


def _changed(before: Grant, after: Grant) -> Message:
    """A monthly grant's amount changed: from, to, from when, up or down by how much."""
    old, new = before.amount or Decimal(0), after.amount or Decimal(0)
    change = Message(keys.ALERT_RAISED_BY, new - old) if new > old else Message(keys.ALERT_LOWERED_BY, old - new)
    return Message(keys.ALERT_GRANT_CHANGED, Term(after.intervention), old, new, after.first_day, change)


def _never_owed(grant: Grant) -> bool:
    """A monthly grant that ends on or before its first day: never owed
    (:func:`relapse_guard.entitlements.months_owed` owes it nothing)."""
    return grant.is_entitlement and grant.ends is not None and grant.ends <= grant.first_day


def _current(grant: Grant, as_of: dt.date) -> bool:
    """What a household first screened as of ``as_of`` is told of: a monthly grant in force then
    or owed from later (not one that ended before), another grant dated in ``as_of``'s month or later."""
    if grant.period is Period.MONTHLY:
        return grant.ends is None or grant.ends > as_of
    return grant.date >= as_of.replace(day=1)


def _grant_key(grant: Grant) -> tuple[object, ...]:
    """What identifies a grant across two checkpoints (its end may be set later)."""
    return (grant.intervention, grant.date, grant.risk_key, grant.amount, grant.period, grant.service, grant.first_day)


_SERVICES = frozenset(keys.SERVICES)


def _money(grant: Grant) -> Decimal | str:
    """A grant's amount as a message value (one with none, as the text always said it)."""
    return grant.amount if grant.amount is not None else "None"


def _amount(grant: Grant) -> Message:
    """A grant's money with its unit, or its service."""
    if grant.amount is None:
        service = str(grant.service)
        return Message(keys.GRANT_SERVICE, Term(service) if service in _SERVICES else service)
    if grant.is_entitlement:
        return Message(keys.ALERT_MONTHLY_FROM, grant.amount, grant.first_day)
    if grant.period is Period.YEARLY:
        return Message(keys.ALERT_YEARLY, grant.amount)
    if grant.period is Period.ONE_OFF:
        return Message(keys.ALERT_ONE_OFF, grant.amount)
    # a period of no key of its own (none yet): the words the text always had
    return as_message(f"{grant.amount} yuan {grant.period.value.replace('_', '-')}")


def _falling_due(new: Checkpoint, policy: Policy, as_of: dt.date, alert: _Add) -> None:
    end = new.monitoring_end
    if new.state is State.MONITORED and end is not None and end - TRANSITION_NOTICE <= as_of < end:
        start = new.monitoring_start
        alert(
            AlertKind.TRANSITION_ENDING,
            end,
            "transition",
            Message(keys.ALERT_TRANSITION_ENDING, end, start if start is not None else "None"),
        )
    if policy.reviews and new.state_since is not None:
        grace = {review.name: review.grace_days for review in policy.reviews}
        for status in review_status(
            policy.reviews,
            household_id=new.household_id,
            state=new.state,
            state_since=new.state_since,
            completed=dict(new.reviews_done),
            as_of=as_of,
        ):
            review = Term(status.review)
            responsible = Term(status.responsible) if status.responsible else None
            # the last day of the grace period: the review is overdue the day after
            deadline = status.due_on + dt.timedelta(days=grace[status.review])
            if status.state is ReviewState.OVERDUE:
                days = keys.count(status.days_overdue, "day")
                said = (
                    Message(keys.ALERT_REVIEW_OVERDUE_BY, review, status.due_on, deadline, days, responsible)
                    if responsible
                    else Message(keys.ALERT_REVIEW_OVERDUE, review, status.due_on, deadline, days)
                )
                alert(AlertKind.REVIEW_OVERDUE, status.due_on, status.review, said)
            elif status.state is ReviewState.DUE:
                said = (
                    Message(keys.ALERT_REVIEW_DUE_BY, review, status.due_on, deadline, responsible)
                    if responsible
                    else Message(keys.ALERT_REVIEW_DUE, review, status.due_on, deadline)
                )
                alert(AlertKind.REVIEW_DUE, status.due_on, status.review, said)
    for name, due in new.rechecks:
        _recheck(name, due, as_of, alert)
    for case in new.open_cases:
        procedure, step = Term(case.procedure), Term(case.step)
        if case.case_due_on is not None:
            _case_falling_due(case, case.case_due_on, as_of, alert)
        elif case.due_on < as_of:
            said = Message(keys.ALERT_STEP_OVERDUE, procedure, case.case_id, step, case.due_on)
            alert(AlertKind.CASE_STEP_OVERDUE, case.due_on, case.case_id, said)
        elif case.due_on <= as_of + CASE_NOTICE:
            said = Message(keys.ALERT_STEP_DUE, procedure, case.case_id, step, case.due_on)
            alert(AlertKind.CASE_STEP_DUE, case.due_on, case.case_id, said)


def _case_falling_due(case: OpenCase, whole: dt.date, as_of: dt.date, alert: _Add) -> None:
    """A case step's alert, for a case whose procedure bounds the whole case too: overdue when
    the step's deadline or the case's has passed (dated by the first that passed), due when
    either is near; it names both."""
    procedure, step = Term(case.procedure), Term(case.step)
    passed = [day for day in (case.due_on, whole) if day < as_of]
    clause = Message(keys.ALERT_CASE_PAST if whole < as_of else keys.ALERT_CASE_DUE, whole)
    if passed:
        key = keys.ALERT_STEP_OVERDUE_IN_CASE if case.due_on < as_of else keys.ALERT_STEP_DUE_IN_CASE
        said = Message(key, procedure, case.case_id, step, case.due_on, clause)
        alert(AlertKind.CASE_STEP_OVERDUE, min(passed), case.case_id, said)
        return
    first = min(case.due_on, whole)
    if first <= as_of + CASE_NOTICE:
        said = Message(keys.ALERT_STEP_DUE_IN_CASE, procedure, case.case_id, step, case.due_on, clause)
        alert(AlertKind.CASE_STEP_DUE, first, case.case_id, said)


def _recheck(name: str, due: dt.date, as_of: dt.date, alert: _Add) -> None:
    """An entitlement's re-check (N1 art. 31) due from the day it falls due until its deadline
    (:data:`RECHECK_GRACE` after), overdue after it; the amount is still paid meanwhile."""
    if as_of < due:
        return
    deadline = due + RECHECK_GRACE
    if as_of > deadline:
        days = keys.count((as_of - deadline).days, "day")
        said = Message(keys.ALERT_RECHECK_OVERDUE, Term(name), due, deadline, days)
        alert(AlertKind.RECHECK_OVERDUE, due, name, said)
    else:
        alert(AlertKind.RECHECK_DUE, due, name, Message(keys.ALERT_RECHECK_DUE, Term(name), due, deadline))


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
    dates.extend(case.case_due_on - CASE_NOTICE for case in checkpoint.open_cases if case.case_due_on is not None)
    later = [day for day in dates if day > clock]
    return min(later) if later else None
