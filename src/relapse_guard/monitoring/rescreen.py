"""One chunk of a cycle: households read from the store, resumed (or replayed), their new
checkpoints and alerts written back in one transaction.

What a worker process runs; :class:`~.monitor.Monitor` hands it chunks of household ids.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Mapping, Sequence

import attrs

from .. import message_keys as keys
from ..engine import Checkpoint, Checkpointed, Engine, ResumePath
from ..engine.checkpoint import compact_clock
from ..engine.quiet import patch_quiet
from ..engine.resume import sort_key
from ..errors import InvalidArgument, RelapseGuardError, StaleCheckpoint, UnknownHousehold
from ..facts import Fact, FactCorrected, FactRetracted
from ..household import Household
from ..messages import Message
from ..policy import Policy
from ..screening.summary import Problem
from ..store._unrecorded import close_household
from ..store.base import Store, StoredCheckpoint
from ..versions import resolve, target_of
from .alerts import STANDING_KINDS, Alert, alerts_for, still_open, wake_on
from .choosers import PolicyChooser, fact_kinds_of

__all__ = ["ChunkOutcome", "Rescreener"]


@attrs.frozen(kw_only=True)
class ChunkOutcome:
    """What rescreening one chunk did: households by path, alerts written, problems met.

    ``quiet`` of the ``resumed`` households had a quiet month (their checkpoint's head patched,
    see :func:`~relapse_guard.engine.quiet.patch_quiet`).

    ``replay_reasons`` counts replays by the kind of their reason (:func:`reason_kind`: a fact
    that sorts before the checkpoint's last is a ``late fact``); ``districts`` counts households
    by district and policy label.
    ``settled`` households had no record and every fact of theirs retracted: nothing to screen,
    they were taken out of *pending* (:meth:`~relapse_guard.store.base.Store.settle`).
    """

    households: int = 0
    started: int = 0
    resumed: int = 0
    quiet: int = 0
    replayed: int = 0
    alerts: int = 0
    replay_reasons: tuple[tuple[str, int], ...] = ()
    districts: tuple[tuple[str, str, int], ...] = ()
    problems: tuple[Problem, ...] = ()
    settled: int = 0


#: The kind each replay reason is counted under (the summary's and ``cycle.json``'s words).
_REASON_KINDS: Mapping[str, str] = {
    keys.REPLAY_CORRECTED: "fact corrected",
    keys.REPLAY_RETRACTED: "fact corrected",
    keys.REPLAY_SORTS_BEFORE: "late fact",
    keys.REPLAY_LATE_FACT: "late fact",
    keys.REPLAY_OTHER_POLICY: "policy changed",
    keys.REPLAY_FINGERPRINT: "policy changed",
    keys.REPLAY_STALE: "policy changed",
    keys.REPLAY_DECISIONS: "decisions wanted",
    keys.REPLAY_HOUSEHOLD: "household changed",
    keys.REPLAY_CASE_STEP: "case reopened",
    keys.REPLAY_CASE_CONDITION: "case checked",
}


def reason_kind(why: Message) -> str:
    """A replay's reason (:attr:`~relapse_guard.engine.Checkpointed.why`) in a few words, for counting."""
    return _REASON_KINDS.get(why.key, "other")


class Rescreener:
    """Rescreens chunks of households of one store as of one date (one per process).

    ``previous`` is the date of the cycle before this one (None: the first): what falls due that
    it announced too is marked as still open (:func:`~relapse_guard.monitoring.alerts.still_open`).
    """

    def __init__(
        self,
        store: Store,
        chooser: PolicyChooser,
        *,
        as_of: dt.date,
        cycle: str,
        record_decisions: bool = False,
        previous: dt.date | None = None,
    ) -> None:
        self.store = store
        self.chooser = chooser
        self.as_of = as_of
        self.cycle = cycle
        self.previous = previous
        self.record_decisions = record_decisions
        self._engines: dict[int, Engine] = {}
        self._kinds = fact_kinds_of(chooser)
        self._by_label: dict[str, list[Policy]] | None = None  # the chooser's policies, when first needed
        # Counts and alerts name a district as a policy map spells it ("yubei " is "Yubei").
        spell = getattr(chooser, "district_name", None)
        self._district: Callable[[str], str] = spell if callable(spell) else str

    def engine(self, policy: Policy) -> Engine:
        """One engine per policy, kept for every chunk (it caches parameter look-ups)."""
        found = self._engines.get(id(policy))
        if found is None or found.policy is not policy:
            found = self._engines[id(policy)] = Engine(policy, record_decisions=self.record_decisions)
        return found

    def chunk(self, household_ids: Sequence[str]) -> ChunkOutcome:
        """Rescreen ``household_ids``: read, resume or replay, write back in one transaction."""
        store = self.store
        households = store.households(household_ids)
        stored = store.checkpoints(household_ids)
        # A household this cycle rescreened before (a run of it again: a corrected file delivered,
        # a run killed part way) is rescreened from the checkpoint it had before the cycle, so it
        # ends, alerts included, as one run given every record would end it.
        rebased = store.cycle_bases(self.cycle, household_ids)
        for hid, base in rebased.items():
            if base is None:
                stored.pop(hid, None)
            else:
                stored[hid] = base
        positions = {hid: stored[hid].facts_seen if hid in stored else 0 for hid in households}
        # One read of every new fact of the chunk; the facts kinds of all the chooser's policies.
        new = store.facts_after(positions, kinds=self._kinds)
        updates: list[tuple[StoredCheckpoint, list[str]]] = []
        problems: list[Problem] = []
        paths: Counter[ResumePath] = Counter()
        reasons: Counter[str] = Counter()
        districts: Counter[tuple[str, str]] = Counter()
        alerts = quiet = restored = 0
        settled: dict[str, int] = {}
        for hid in household_ids:
            household = households.get(hid)
            if household is None:  # facts stored for a household with no record
                self._unrecorded(hid, problems, settled)
                continue
            version, facts = new.get(hid, (positions[hid], []))
            brought = self._brought_back(hid, facts)
            facts, seen = _applicable(facts, positions[hid], version, self.as_of, brought)
            old_row = stored.get(hid)
            try:
                policy = self.chooser.policy_for(household.place, self.as_of)
                if old_row is not None and not self.record_decisions:
                    patched = patch_quiet(
                        old_row.body,
                        household,
                        facts,
                        as_of=self.as_of,
                        fingerprint=self.engine(policy).fingerprint,
                        wake=old_row.next_event,
                    )
                    if patched is not None:  # a quiet month: income recorded, nothing else to say
                        quiet += 1
                        districts[(self._district(household.place.district), policy.label)] += 1
                        updates.append((attrs.evolve(old_row, facts_seen=seen, body=patched), []))
                        continue
                done, old = self._one(policy, household, old_row, facts)
                if self.record_decisions and done.result.decisions:
                    store.record_decisions(done.result)
            except RelapseGuardError as error:
                problems.append(Problem.from_exception(hid, error))
                base = rebased.get(hid)
                if base is not None:
                    # Rescreened by an earlier run of this cycle and refused now (the corrected
                    # file brought a fact it refuses): back to its base, the earlier run's alerts
                    # gone, as one run with this file leaves it.
                    updates.append((base, []))
                    restored += 1
                continue
            found = self._still_open(
                hid,
                dict(done.checkpoint.reviews_done),
                alerts_for(
                    old,
                    done.checkpoint,
                    policy=policy,
                    as_of=self.as_of,
                    district=self._district(household.place.district),
                    town=household.place.town,
                    village=household.place.village,
                    replayed=done.why,
                    spell=self._district,
                ),
            )
            alerts += len(found)
            paths[done.path] += 1
            if done.why is not None:
                reasons[reason_kind(done.why)] += 1
            districts[(self._district(household.place.district), policy.label)] += 1
            updates.append(
                (
                    StoredCheckpoint(
                        household_id=hid,
                        policy=policy.label,
                        facts_seen=seen,
                        next_event=wake_on(done.checkpoint),
                        body=done.checkpoint.to_bytes(
                            policy, like=(old, old_row.body) if old is not None and old_row is not None else None
                        ),
                    ),
                    [alert.to_json() for alert in found],
                )
            )
        if updates:
            store.save_checkpoints(self.cycle, updates)
        if settled:
            store.settle(settled)
        return ChunkOutcome(
            households=len(updates) - restored,
            started=paths[ResumePath.RUN],
            resumed=paths[ResumePath.RESUMED] + quiet,
            quiet=quiet,
            replayed=paths[ResumePath.REPLAYED],
            alerts=alerts,
            replay_reasons=tuple(sorted(reasons.items())),
            districts=tuple(sorted((d, p, n) for (d, p), n in districts.items())),
            problems=tuple(problems),
            settled=len(settled),
        )

    def _still_open(self, hid: str, reviews_done: dict[str, dt.date], found: list[Alert]) -> list[Alert]:
        """``found``, what the cycle before announced too marked as still open; the household's
        alerts of that cycle are read only when something falls due."""
        if self.previous is None or not any(alert.kind in STANDING_KINDS for alert in found):
            return found
        earlier = (Alert.from_json(body) for _, body in self.store.alerts(self.previous.isoformat(), hid))
        return still_open(found, earlier, self.previous, reviews_done)

    def _unrecorded(self, hid: str, problems: list[Problem], settled: dict[str, int]) -> None:
        """A household with facts and no record (stored by a version that took them): settled when
        every fact of it is retracted (a mistyped household id mended), else a problem household,
        every cycle, told how to mend it."""
        try:
            facts = self.store.facts(hid, kinds=self._kinds)
        except RelapseGuardError:  # a fact of a kind no policy of the chooser reads: listed all the same
            problems.append(Problem.from_exception(hid, UnknownHousehold(hid)))
            return
        try:
            left = [fact.id for fact in resolve(hid, facts).facts]
        except RelapseGuardError:
            left = [fact.id for fact in facts if target_of(fact) is None]
        if not left:
            settled[hid] = len(facts)
            return
        suggestion = close_household(hid, lambda ids: self.store.households(ids).keys())
        problems.append(Problem.from_exception(hid, UnknownHousehold(hid, fact_ids=left, suggestion=suggestion)))

    def _brought_back(self, hid: str, facts: list[Fact]) -> dict[str, dt.date]:
        """For each retraction among a household's new ``facts`` that withdraws a correction or
        retraction: the last date of the versions it brings back (:func:`_takes_effect`). Read
        from the household's whole history, only when a retraction is among the new facts."""
        if not any(type(fact) is FactRetracted for fact in facts):
            return {}
        try:
            history = self.store.facts(hid, kinds=self._kinds)
        except RelapseGuardError:  # the replay reads it again, and says what is wrong
            return {}
        changes = {fact.id for fact in history if target_of(fact) is not None}
        found: dict[str, dt.date] = {}
        for fact in facts:
            if type(fact) is FactRetracted and fact.retracts in changes:
                day = _brought_back_by(hid, fact, history)
                if day is not None:
                    found[fact.id] = day
        return found

    def _one(
        self, policy: Policy, household: Household, stored: StoredCheckpoint | None, facts: list[Fact]
    ) -> tuple[Checkpointed, Checkpoint | None]:
        """Resume (or replay, or first run) one household; the result and its old checkpoint."""
        engine = self.engine(policy)
        hid = household.id

        def history() -> list[Fact]:
            return self.store.facts(hid, kinds=policy.fact_kinds)

        if stored is None:
            return engine.run_checkpointed(household, facts, as_of=self.as_of), None
        clock = compact_clock(stored.body)
        if clock is not None and clock > self.as_of:
            # Replaying back to an earlier date would count the facts dated after it as seen,
            # and they would never be applied: leave the household as it is.
            raise InvalidArgument(
                f"household {hid!r}: its checkpoint is as of {clock.isoformat()}, after this cycle's date "
                f"{self.as_of.isoformat()}: cycles run in date order"
            )
        try:
            old = Checkpoint.from_bytes(stored.body, policy)
        except StaleCheckpoint:
            # Made under another policy or other parameters: it cannot be resumed under this one.
            # The alerts compare with it read under the policy it was made under, when the
            # chooser still gives that one (else with nothing known).
            replayed = engine.run_checkpointed(household, history(), as_of=self.as_of)
            why = Message(keys.REPLAY_STALE, stored.policy, policy.label)
            return attrs.evolve(replayed, path=ResumePath.REPLAYED, why=why), self._made_under(stored)
        return engine.resume(old, household, facts, as_of=self.as_of, history=history), old

    def _made_under(self, stored: StoredCheckpoint) -> Checkpoint | None:
        """``stored`` read under the policy it was made under, among the chooser's policies; None
        when none of them reads it (the policy is gone, or its parameters changed since)."""
        if self._by_label is None:
            self._by_label = {}
            for candidate in self.chooser.policies().values():
                self._by_label.setdefault(candidate.label, []).append(candidate)
        for candidate in self._by_label.get(stored.policy, ()):
            try:
                return Checkpoint.from_bytes(stored.body, candidate)
            except StaleCheckpoint:
                continue
        return None


def _brought_back_by(hid: str, withdrawal: Fact, history: list[Fact]) -> dt.date | None:
    """The last date of the versions ``withdrawal`` brings back among ``history`` (the facts
    applied with it and not without it); None when it brings none back, or they do not resolve."""
    try:
        with_it = resolve(hid, history).facts
        without = resolve(hid, [fact for fact in history if fact.id != withdrawal.id]).facts
    except RelapseGuardError:
        return None
    brought = set(with_it) - set(without)
    return max((fact.date for fact in brought), default=None)


def _applicable(
    facts: list[Fact], before: int, version: int, as_of: dt.date, brought: Mapping[str, dt.date] | None = None
) -> tuple[list[Fact], int]:
    """The new facts for a cycle as of ``as_of``, in the order the engine applies them (it
    applies those dated up to ``as_of``), and the stream position the checkpoint then includes:
    up to the first fact taking effect after ``as_of`` (:func:`_takes_effect`; for a retraction
    withdrawing a correction or retraction, the last date of the versions it brings back,
    ``brought``), left for a later cycle (the household stays pending). A fact stored after that
    one but dated up to ``as_of`` is applied all the same (facts are applied by date, whatever
    order they came in). The checkpoint does not include its position: it comes again among the
    next cycle's new facts, sorted before the checkpoint's last fact, so the engine replays the
    household rather than apply it twice (and :func:`~relapse_guard.engine.quiet.patch_quiet`
    declines it)."""
    # all of them: the engine applies those dated up to ``as_of``, and needs the others to resolve
    # a correction's versions (one of a fact dated after ``as_of`` may bring it back)
    ordered = sorted(facts, key=sort_key)
    effects = [_takes_effect(fact, brought) for fact in facts]
    late = [index for index, day in enumerate(effects) if day > as_of]
    if not late:
        return ordered, version
    where = {fact.id: index for index, fact in enumerate(facts)}
    # a fact a later one taking effect by ``as_of`` corrects or retracts: its own date no longer
    # matters (a mistyped year retracted holds nothing back)
    replaced = {
        target
        for index, fact in enumerate(facts)
        if (target := target_of(fact)) is not None and effects[index] <= as_of and where.get(target, index) < index
    }
    cut = next((index for index in late if facts[index].id not in replaced), None)
    if cut is None:
        return ordered, version
    # A correction or retraction the checkpoint includes must not leave its fact out: the next
    # cycle would apply that fact as it first was. One stored before its fact, which is beyond
    # the cut, moves the cut back to it (it comes again, and the engine replays). Scanned from
    # the cut back, each is compared with the cut as moved so far: one pass is enough.
    for index in range(cut - 1, -1, -1):
        target = target_of(facts[index])
        if target is not None and where.get(target, -1) >= cut:
            cut = index
    return ordered, before + cut


def _takes_effect(fact: Fact, brought: Mapping[str, dt.date] | None = None) -> dt.date:
    """The last date ``fact`` changes a run on: a correction's, or its replacement's when later
    (it takes the fact away from its old date, and gives it back on the new one); a retraction's
    that withdraws a correction or retraction, or that of the latest version it brings back
    (``brought``) when later. Taking a fact away holds nothing back."""
    if type(fact) is FactCorrected:
        return max(fact.date, fact.replacement.date)
    if brought and fact.id in brought:
        return max(fact.date, brought[fact.id])
    return fact.date
