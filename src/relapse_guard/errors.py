"""The exception hierarchy: every error the library raises derives from :class:`RelapseGuardError`.

Messages name the household, the field and the value at fault, and what was expected,
so that a data platform screening millions of households can point at the bad record.
Personal ids (member ids, which may be national id numbers) are shown redacted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import TypeVar

from .text import plural

__all__ = [
    "AmbiguousPlaceName",
    "BackendUnavailable",
    "BrokenPlugin",
    "CaseCannotStart",
    "CaseError",
    "CheckpointAhead",
    "ConcurrencyConflict",
    "ConflictingFact",
    "ConflictingVersions",
    "CorrectionOfChange",
    "CorrectionOfOtherHousehold",
    "CycleRunning",
    "FactOfUnknownHousehold",
    "InvalidAnchor",
    "InvalidArgument",
    "InvalidCaseFile",
    "InvalidCaseStep",
    "InvalidCheckpoint",
    "InvalidFact",
    "InvalidHousehold",
    "InvalidInput",
    "InvalidParameter",
    "InvalidParameterFile",
    "InvalidPlugin",
    "InvalidPolicy",
    "InvalidPolicyMap",
    "InvalidPolicySpec",
    "InvalidProcedure",
    "InvalidReview",
    "InvalidTransition",
    "NeedsHistory",
    "NoPolicyForPlace",
    "NotFound",
    "ParameterError",
    "ParameterExpired",
    "ParameterNotInForce",
    "PluginFailed",
    "RelapseGuardError",
    "StaleCheckpoint",
    "StoreError",
    "UnknownCorrectedFact",
    "UnknownHousehold",
    "UnknownParameter",
    "UnknownPlugin",
    "UnknownPolicy",
    "UnknownSchemaVersion",
    "WrongType",
    "in_policy_code",
    "redact",
    "said",
]


def redact(personal_id: str) -> str:
    """Return ``personal_id`` with its middle masked, for messages and logs.

    >>> redact("500112198001011234")
    '500***34'
    >>> redact("m1")
    'm1'
    """
    if len(personal_id) <= 6:
        return personal_id
    return f"{personal_id[:3]}***{personal_id[-2:]}"


class RelapseGuardError(Exception):
    """Base class of every error raised by relapse_guard.

    Every error pickles with its attributes, whatever its constructor takes, so that it
    crosses process boundaries (local workers, Dask) intact.
    """

    #: Where policy code raised it, when it did: (household id, the rule, trigger, condition or
    #: intervention, the fact id or None); see :func:`in_policy_code`.
    policy_code: tuple[str, str, str | None] | None = None

    def __reduce__(self) -> tuple[object, ...]:
        return _rebuild, (type(self), self.args, self.__dict__)


def in_policy_code(error: _E, household_id: str, plugin: str, fact_id: str | None) -> _E:
    """``error``, a library error policy code let out (a parameter it reads not in force yet, an
    unknown one), told where: its :attr:`~RelapseGuardError.policy_code` and a note ("raised in
    trigger.crop for household 'H1' on fact 'd1'") that :func:`said` adds to its message. The
    innermost place is kept."""
    if error.policy_code is None:
        error.policy_code = (household_id, plugin, fact_id)
        on = f" on fact {fact_id!r}" if fact_id else ""
        error.add_note(f"raised in {plugin} for household {household_id!r}{on}")
    return error


def said(error: BaseException) -> str:
    """``error``'s message with its notes (:func:`in_policy_code`): what a command line prints."""
    notes = getattr(error, "__notes__", None) or ()
    return str(error) + "".join(f" ({note})" for note in notes if isinstance(note, str))


_E = TypeVar("_E", bound=RelapseGuardError)


def _rebuild(cls: type[RelapseGuardError], args: tuple[object, ...], state: dict[str, object]) -> RelapseGuardError:
    """An error as pickled: its class, its ``args`` and its attributes, without its constructor."""
    error = cls.__new__(cls)
    error.args = args
    error.__dict__.update(state)
    return error


class InvalidArgument(RelapseGuardError, ValueError):
    """An argument a library function refuses: a batch size of 0, a key too short, an unknown
    option, a negative deadline, ... The message names the argument, its value and what was expected.
    """


class WrongType(RelapseGuardError, TypeError):
    """A value of the wrong type where the library needs another: a policy name where a
    :class:`~relapse_guard.policy.Policy` is expected, a datetime where a date is, ...
    The message says what was expected and, where there is one, how to get it.
    """


class NotFound(RelapseGuardError, KeyError):
    """A look-up by id or name that finds nothing (a household not in a comparison, ...).

    A ``KeyError`` too; its message is shown as written (without the quotes ``KeyError`` adds).
    """

    def __str__(self) -> str:
        return str(self.args[0]) if len(self.args) == 1 else super().__str__()


class InvalidInput(RelapseGuardError, ValueError):
    """A household, fact or file holds a value the library cannot accept.

    Attributes name what was wrong, so callers can report or quarantine the record.
    """

    def __init__(self, household_id: str | None, field: str, value: object, expected: str) -> None:
        self.household_id = household_id
        self.field = field
        self.value = value
        self.expected = expected
        where = f"household {_short(household_id)}" if household_id else "record without household id"
        if value is None and expected.endswith(REQUIRED):  # a required field not given: say so
            what = f"field {_short(field)} is missing; expected {expected.removesuffix(REQUIRED)}"
        else:
            what = f"field {_short(field)} has value {_short(value)}; expected {expected}"
        super().__init__(f"{where}: {what}")


#: What ``expected`` ends with for a required field (``value`` None: the field is not given).
REQUIRED = " (required)"


_LONGEST_REPR = 200


def _short(value: object) -> str:
    """``repr(value)`` for a message, cut to a few hundred characters (a value may be a megabyte of text)."""
    try:
        text = repr(value)
    except ValueError:  # an int too long to show (Python's limit on int to text conversion)
        return f"an int of {value.bit_length() if isinstance(value, int) else '?'} bits"
    return text if len(text) <= _LONGEST_REPR else text[: _LONGEST_REPR - 3] + "..."


def typed_repr(value: object) -> str:
    """``repr(value)`` cut short for a message, with its type: ``'medical_aid' (str)`` (a
    policy's repr can run to pages)."""
    return f"{_short(value)} ({type(value).__name__})"


class InvalidHousehold(InvalidInput):
    """A household or one of its members is invalid (empty id, duplicate member, ...)."""


class InvalidFact(InvalidInput):
    """A fact is invalid: missing field, wrong type, negative amount, unknown kind, ..."""

    def __init__(
        self,
        household_id: str | None,
        field: str,
        value: object,
        expected: str,
        *,
        fact_id: str | None = None,
    ) -> None:
        self.fact_id = fact_id
        super().__init__(household_id, field, value, expected)
        if fact_id:
            self.args = (f"fact {_short(fact_id)} of {self.args[0]}",)


class ConflictingFact(InvalidFact):
    """Two facts share an id but differ in content; a fact id must name one fact."""


class ConflictingVersions(ConflictingFact):
    """One delivery (one :meth:`~relapse_guard.store.base.Store.ingest`: a cycle's records, all its
    files) gave two or more different versions of one fact id: none of them is stored, since which
    one would be depended on the order of the records. ``record`` is this record's number in the
    delivery (from 1, in the order given), ``records`` the numbers of every record giving a version
    of the fact, ``households`` the households they name, ``versions`` how many differ. The message
    says what to send instead."""

    def __init__(
        self,
        household_id: str,
        fact_id: str,
        record: int,
        records: Sequence[int],
        households: Sequence[str],
        *,
        versions: int = 2,
    ) -> None:
        self.record = record
        self.records = tuple(records)
        self.households = tuple(dict.fromkeys(households))
        self.versions = versions
        numbers = [f"{n:,}" for n in self.records[:6]] + (["..."] if len(self.records) > 6 else [])
        places = ", ".join(numbers[:-1]) + f" and {numbers[-1]}" if len(numbers) > 1 else numbers[0]
        named = [repr(hid) for hid in self.households]
        of = f"; they name households {', '.join(named[:-1])} and {named[-1]}" if len(named) > 1 else ""
        super().__init__(
            household_id,
            "id",
            fact_id,
            f"one version of each fact in a delivery: this delivery gives {versions} different versions of fact "
            f"{fact_id!r} (its records {places}; this is record {record:,}{of}), so none of them is stored: which "
            "one would be depended on the order of the records; send the right version alone, once (a fact id "
            "names one fact for good)",
            fact_id=fact_id,
        )


class UnknownCorrectedFact(InvalidFact):
    """A :class:`~relapse_guard.facts.FactCorrected` or :class:`~relapse_guard.facts.FactRetracted`
    names a fact id that is not one of the household's facts (as known then). ``field`` is
    ``corrects`` or ``retracts``, ``value`` the id; ``fact_id`` is the correction's."""


class CorrectionOfChange(InvalidFact):
    """A :class:`~relapse_guard.facts.FactCorrected` names a correction or a retraction: ``value``
    is its id, ``kind`` its kind and ``of`` the id of the fact it changes; ``fact_id`` is the
    correction's. The message says what to send instead: to change a fact, a correction of the
    fact itself; to undo a correction or retraction, a retraction of it."""

    def __init__(self, household_id: str, value: str, kind: str, of: str, *, fact_id: str | None = None) -> None:
        what = "a correction" if kind == "fact_corrected" else "a retraction"
        fact = f"fact {of!r}" if of else "the fact"
        super().__init__(
            household_id,
            "corrects",
            value,
            f"the id of a fact that is not a correction or retraction ({value!r} is {what} of {fact}): to change "
            f"{fact}, correct it (corrects={of or '...'!r}); to undo {value!r}, retract it (a fact_retracted "
            f"with retracts={value!r})",
            fact_id=fact_id,
        )
        self.kind = kind
        self.of = of


class FactOfUnknownHousehold(InvalidFact):
    """A fact names a household the store holds no record of: ``value`` (and ``household_id``) is
    that id, ``suggestion`` an id of a stored household spelled close to it (None when there is
    none). The store does not keep the fact: a mistyped household id would be a household that no
    cycle can screen and that the append-only store could never drop."""

    def __init__(self, household_id: str, *, fact_id: str | None = None, suggestion: str | None = None) -> None:
        close = f" (did you mean {suggestion!r}?)" if suggestion else ""
        super().__init__(
            household_id,
            "household_id",
            household_id,
            f"the id of a household whose record is in the store{close}; if {household_id!r} is a new household, "
            "store its record first (put_household() in Python, or its population directory given to "
            "relapse-guard cycle --population), then send its facts again",
            fact_id=fact_id,
        )
        self.suggestion = suggestion


class CorrectionOfOtherHousehold(InvalidFact):
    """A correction or retraction names a fact of another household: ``value`` is the fact id,
    ``owner`` the household it belongs to, ``household_id`` the correction's household."""

    def __init__(self, household_id: str, field: str, value: str, owner: str, *, fact_id: str | None = None) -> None:
        super().__init__(
            household_id, field, value, f"a fact of household {household_id!r}, not of {owner!r}", fact_id=fact_id
        )
        self.owner = owner


class InvalidCheckpoint(InvalidInput):
    """A checkpoint cannot be read: another schema version, a missing field, a value of the wrong kind."""


class StaleCheckpoint(InvalidCheckpoint):
    """A stored checkpoint was made under another policy or other parameters than the one it is
    read under (its fingerprint differs): the household must be replayed under the new one."""

    def __init__(self, household_id: str | None, found: str, policy: str, expected: str) -> None:
        super().__init__(
            household_id, "fingerprint", found, f"a checkpoint made under {policy} (fingerprint {expected})"
        )
        self.policy = policy


class NeedsHistory(RelapseGuardError):
    """A checkpoint cannot be resumed with the facts given (a back-dated fact, another policy, a
    changed household) and no history was given to replay from. ``reason`` says why."""

    def __init__(self, household_id: str, reason: str) -> None:
        self.household_id = household_id
        self.reason = reason
        super().__init__(
            f"household {household_id!r}: cannot resume its checkpoint ({reason}); "
            "pass history= (all its facts, or a function that reads them) to replay it"
        )


class InvalidTransition(RelapseGuardError):
    """An event was fired in a lifecycle state that has no transition for it."""

    def __init__(self, household_id: str, state: str, event: str, allowed: Iterable[str]) -> None:
        self.household_id = household_id
        self.state = state
        self.event = event
        self.allowed = tuple(sorted(allowed))
        allowed_text = ", ".join(self.allowed) or "none"
        super().__init__(
            f"household {household_id!r}: event {event!r} is not allowed in state {state!r} "
            f"(events allowed there: {allowed_text})"
        )


class ParameterError(RelapseGuardError, LookupError):
    """Base class of parameter look-up and loading errors."""


def close_names(name: str, known: Iterable[str], limit: int = 3) -> list[str]:
    """The known names most like ``name``: names whose last part is spelled like ``name``'s (or,
    when none is, close spellings of the whole dotted name, :func:`difflib.get_close_matches`),
    then names containing ``name``.

    >>> close_names("safety_net.standrad", ["safety_net.standard", "poverty_line"])
    ['safety_net.standard']
    """
    import difflib  # only when a name is unknown: importing the library stays cheap

    known_sorted = sorted(known)
    last = name.split(".")[-1]
    by_last: dict[str, list[str]] = {}
    for k in known_sorted:
        by_last.setdefault(k.split(".")[-1], []).append(k)
    close = [k for part in difflib.get_close_matches(last, list(by_last), n=limit) for k in by_last[part]]
    if not close:  # a misspelt last part says most; else the whole name (a shared prefix says little)
        close = difflib.get_close_matches(name, known_sorted, n=limit)
    close.extend(k for k in known_sorted if name in k)
    return list(dict.fromkeys(close))[:limit]


class UnknownParameter(ParameterError):
    """A parameter name that the tree does not hold; the message suggests close names.

    ``context`` (optional) says where the name was used, e.g. ``"policy yubei_2016@2016.1: derive"``;
    ``advice`` (optional) is appended, e.g. how to declare a new parameter.
    """

    def __init__(self, name: str, known: Iterable[str], *, context: str = "", advice: str = "") -> None:
        self.name = name
        known_sorted = sorted(known)
        self.suggestions = tuple(close_names(name, known_sorted))
        hint = f"; did you mean {', '.join(self.suggestions)}?" if self.suggestions else ""
        where = f"{context}: " if context else ""
        tail = f"; {advice}" if advice else ""
        known_count = plural(len(known_sorted), "parameter", grouped=False)
        super().__init__(f"{where}unknown parameter {name!r}{hint} ({known_count} known){tail}")


class ParameterNotInForce(ParameterError):
    """A parameter looked up on a date before its first effective date."""

    def __init__(self, name: str, on: object, first: object) -> None:
        self.name = name
        self.on = on
        self.first = first
        super().__init__(f"parameter {name!r} has no value on {on}: its first value takes effect on {first}")


class ParameterExpired(ParameterError):
    """A parameter looked up on a date past the expiry of the value in force then, when its policy
    does not carry the last value forward (``on_expiry``, see :mod:`relapse_guard.parameters`).

    ``name`` is the parameter, ``on`` the date asked, ``expired`` the last day its value could be
    used, ``effective_from`` and ``value`` the value that expired. Not a
    :class:`ParameterNotInForce`: code that treats a parameter not in force yet as "nothing to do"
    must not treat an expired one so.
    """

    def __init__(self, name: str, on: object, expired: object, effective_from: object, value: object) -> None:
        self.name = name
        self.on = on
        self.expired = expired
        self.effective_from = effective_from
        self.value = value
        super().__init__(
            f"parameter {name!r} has no value on {on}: its value {value} (from {effective_from}) expired on "
            f'{expired}; give it a new value, or set on_expiry = "carry_forward" to go on using the last one'
        )


class InvalidParameterFile(ParameterError, ValueError):
    """A parameter file (TOML) is malformed; the message names the file and the key."""


class InvalidParameter(ParameterError, ValueError):
    """A parameter value the parameter refuses: not finite (``nan``, ``inf``), outside its declared
    ``min``/``max``, of the wrong type, or a timeline that is not a ``{date: value}`` mapping.

    ``name`` is the parameter, ``on`` the effective date of the value (None when the whole timeline
    is at fault), ``value`` the value and ``expected`` what was expected; ``source`` the file, if any.
    ``what`` says what ``value`` is when it is not the parameter's value (``"date key"``, ``"expires
    date"``): the message then names that.
    """

    def __init__(
        self, name: str, on: object, value: object, expected: str, *, source: str = "", what: str = "value"
    ) -> None:
        self.name = name
        self.on = on
        self.value = value
        self.expected = expected
        self.source = source
        self.what = what
        where = f"{source}: " if source else ""
        when = f" from {on}" if on is not None else ""
        shown = value.isoformat() if type(value) is dt.date else repr(value)
        super().__init__(f"{where}parameter {name!r}{when}: {what} {shown} refused; expected {expected}")


class UnknownPlugin(RelapseGuardError, LookupError):
    """A trigger, intervention or policy name that no registry knows; the message suggests the
    known name closest to it, if one is close (``suggestions``), and lists the known ones.
    ``advice`` (optional) is appended, e.g. how to load a policy that is not registered.
    """

    def __init__(self, group: str, name: str, known: Iterable[str], *, advice: str = "") -> None:
        self.group = group
        self.name = name
        self.known = tuple(sorted(known))
        self.suggestions = tuple(close_names(name, self.known, limit=1)) if isinstance(name, str) else ()
        hint = f" (did you mean {self.suggestions[0]}?)" if self.suggestions else ""
        tail = f"; {advice}" if advice else ""
        super().__init__(f"unknown {group} {name!r}{hint}; known: {', '.join(self.known) or 'none'}{tail}")


class BrokenPlugin(RelapseGuardError, LookupError):
    """A plug-in that is registered (by entry point, or by path) but cannot be loaded: importing
    it raised, or a policy function raised instead of returning a policy.

    ``group`` is the kind (``policy``, ``trigger``, ``intervention``), ``source`` where it comes
    from (``"package.module:attribute"``), ``reason`` the error's type and message (the original
    error is the ``__cause__``). Not an :class:`UnknownPlugin`: the name is known, and a handler
    of unknown names must not hide the reason.
    """

    def __init__(self, group: str, name: str, source: str, reason: str) -> None:
        self.group = group
        self.name = name
        self.source = source
        self.reason = reason
        super().__init__(f"{group} {name!r} ({source}) is registered but cannot be loaded: {reason}")


class InvalidPolicy(RelapseGuardError, ValueError):
    """A policy is inconsistent: a route names an unknown intervention, a rule is missing, ..."""


class InvalidPolicySpec(RelapseGuardError, ValueError):
    """A policy spec (``--policy``, ``relapse-guard check POLICY``) that gives no policy: a file
    that does not exist or raises while loading, a module that cannot be imported, an attribute
    that is missing or is not a policy, a spec of no known form.

    ``spec`` is the spec as given; the message names it and the file, module or attribute at fault.
    """

    def __init__(self, spec: str, message: str) -> None:
        self.spec = spec
        super().__init__(message)


class UnknownPolicy(InvalidPolicySpec, LookupError):
    """A policy spec that is a plain name no policy is registered under.

    ``known`` are the registered names and ``group`` the entry-point group a package declares
    its policies in; the message suggests the name closest to the spec, if one is close
    (``suggestions``), lists the names and says how to register one, or to give a policy of
    one's own as ``path/to/file.py:NAME`` or ``package.module:NAME``.
    """

    def __init__(self, spec: str, known: Iterable[str], group: str) -> None:
        self.known = tuple(sorted(known))
        self.group = group
        self.suggestions = tuple(close_names(spec, self.known, limit=1))
        hint = f" (did you mean {self.suggestions[0]}?)" if self.suggestions else ""
        super().__init__(
            spec,
            f"unknown policy {spec!r}{hint}; known: {', '.join(self.known) or 'none'}; register one under the "
            f"entry-point group {group!r} (see docs/policy-authoring.md), or give a policy of your own as "
            "path/to/file.py:NAME or package.module:NAME",
        )


class InvalidPolicyMap(RelapseGuardError, ValueError):
    """A policy map (a TOML file of places and policies) that cannot be used: not TOML, an unknown
    key, a value of the wrong type, an unknown policy, two entries for one place and date.

    ``source`` names the file, ``entry`` the entry at fault (``[[place]] #2 (district 'Dazu')``,
    ``default``; empty for the file as a whole), ``key`` the key, ``value`` its value and
    ``expected`` what was expected (``value`` is None for a key that is missing; with no ``key``,
    ``expected`` says what is wrong with the file as a whole).
    """

    def __init__(self, source: str, entry: str, key: str, value: object, expected: str) -> None:
        self.source = source
        self.entry = entry
        self.key = key
        self.value = value
        self.expected = expected
        where = ": ".join(part for part in (f"policy map {source}", entry) if part)
        if not key:  # the file as a whole (not TOML, no entry): ``expected`` says what is wrong
            what = expected
        elif value is None:  # TOML has no null: a key that is missing
            what = f"{key} is missing; expected {expected}"
        else:
            what = f"{key} = {_short(value)} refused; expected {expected}"
        super().__init__(f"{where}: {what}")


class AmbiguousPlaceName(InvalidPolicyMap):
    """A policy map that gives one name to two districts (or to two towns of one district), as
    one's own name and the other's other name (``district_aliases``, ``town_aliases``), or as
    other names of both: a household's place so named would be in either.

    ``name`` is the name, ``place`` the place the entry at fault gives it to (``Dazu``, or
    ``Dazu/Longshuizhen`` for a town), ``other`` the place an earlier entry, ``other_entry``,
    gives it to; ``source``, ``entry``, ``key`` and ``value`` as for :class:`InvalidPolicyMap`.
    """

    def __init__(self, source: str, entry: str, key: str, name: str, place: str, other: str, other_entry: str) -> None:
        what = "town" if key == "town_aliases" else "district"
        super().__init__(
            source,
            entry,
            key,
            name,
            f"a name of one {what} only: {name!r} names {what} {place!r} here and {what} {other!r} in {other_entry}",
        )
        self.name = name
        self.place = place
        self.other = other
        self.other_entry = other_entry


class InvalidCaseFile(RelapseGuardError, ValueError):
    """A file of worked cases (policy test tables, :mod:`relapse_guard.testing.tables`) that cannot
    be used: not TOML, an unknown key, a value of the wrong type, a household or fact the library
    refuses, a policy that does not load.

    ``source`` names the file, ``case`` the case at fault (``case #2 'D grade, low income'``; empty
    for the top of the file), ``field`` the key, dotted and with list positions
    (``expect.grants[0].period``), ``value`` its value (None for a key that is missing) and
    ``expected`` what was expected (with no ``field``, what is wrong with the file as a whole).
    Not a :class:`CaseError`: those are about the cases of a procedure.
    """

    def __init__(self, source: str, case: str, field: str, value: object, expected: str) -> None:
        self.source = source
        self.case = case
        self.field = field
        self.value = value
        self.expected = expected
        where = ": ".join(part for part in (f"case file {source}", case) if part)
        if not field:
            what = expected
        elif value is None:  # TOML has no null: a key that is missing
            what = f"{field} is missing; expected {expected}"
        else:
            what = f"{field} = {_toml_text(value)} refused; expected {expected}"
        super().__init__(f"{where}: {what}")


def _toml_text(value: object) -> str:
    """A value as a case file writes it: decimals and dates bare, booleans in lower case, text quoted."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if type(value).__name__ in ("Decimal", "date"):  # without importing decimal and datetime here
        return str(value)
    return _short(value)


class NoPolicyForPlace(RelapseGuardError, LookupError):
    """A policy map has no entry in force for a place on a date (no entry for its district or
    town, or only entries that start later, and no default).

    ``place`` is the place as text (``district/town/village``), ``on`` the date, ``source`` the
    map; ``suggestions`` are districts of the map spelled like the place's (``Yubei`` for
    ``yubei``). A screen lists such a household as a problem and never screens it under a guess.
    """

    def __init__(
        self, place: str, on: object, source: str, *, reason: str = "", suggestions: Iterable[str] = ()
    ) -> None:
        self.place = place
        self.on = on
        self.source = source
        self.reason = reason
        self.suggestions = tuple(suggestions)
        hint = f" (did you mean district {' or '.join(repr(s) for s in self.suggestions)}?)" if self.suggestions else ""
        because = f": {reason}" if reason else ""
        super().__init__(
            f"no policy for place {place!r} on {on} in policy map {source}{because}{hint}; add a [[place]] entry "
            'with its district (and town) and policy, or a default = "policy" for every other district'
        )


class InvalidPlugin(InvalidPolicy, TypeError):
    """A plug-in (trigger, intervention, rule) does not have the shape the library expects:
    a ``risk_kinds`` that is not a collection of str, ..."""


class PluginFailed(RelapseGuardError, RuntimeError):
    """Policy code (a rule, trigger, condition or intervention) raised an exception that is not
    the library's own, for one household.

    ``plugin`` names what was running (``trigger.illness``, ``intervention.medical_aid``,
    ``identification.income_below_line``), ``fact_id`` the fact it was applied to, and
    ``error`` is the original exception (also the ``__cause__``, with its traceback). It also
    names policy code that gave back what the engine cannot use (``returned``: a trigger's
    ``True`` for a risk, a float amount), ``error`` then saying what came back. A screen
    reports the household as a problem and goes on with the others.
    """

    def __init__(
        self, household_id: str, plugin: str, fact_id: str | None, error: BaseException, *, returned: bool = False
    ) -> None:
        self.household_id = household_id
        self.plugin = plugin
        self.fact_id = fact_id
        self.error = error
        on = f" on fact {fact_id!r}" if fact_id else ""
        did = "gave what the engine cannot use" if returned else f"raised {type(error).__name__}"
        super().__init__(f"household {household_id!r}: {plugin} {did}{on}: {error}")


class BackendUnavailable(RelapseGuardError, RuntimeError):
    """A screening back end cannot run: its optional dependency is not installed, or it has
    nothing to run on (no Dask client, a scheduler that cannot be reached).

    The message says what to install or to start.
    """


class StoreError(RelapseGuardError):
    """A store cannot do what was asked: the file is not a store, the database failed, ..."""


class ConcurrencyConflict(StoreError):
    """A write expected a household at one version and found it at another (optimistic concurrency).

    Re-read the household (its facts and :meth:`version`) and retry the write.
    """

    def __init__(self, household_id: str, expected: int, actual: int) -> None:
        self.household_id = household_id
        self.expected = expected
        self.actual = actual
        super().__init__(
            f"household {household_id!r}: the write expected version {expected} but the store holds version "
            f"{actual}; re-read the household and retry"
        )


class CycleRunning(StoreError):
    """A monitoring cycle was asked to run on a store while another cycle runs on it: a store runs
    one cycle at a time, and the one asked for was refused at once, storing nothing.

    ``store`` names the store (its file); ``cycle``, ``since`` (ISO time, UTC, wall clock) and ``pid``
    say what the running one said of itself when it took the lock (None when unknown);
    ``refused`` is the cycle refused."""

    def __init__(
        self,
        store: str,
        refused: str,
        *,
        cycle: str | None = None,
        since: str | None = None,
        pid: int | None = None,
    ) -> None:
        self.store = store
        self.refused = refused
        self.cycle = cycle
        self.since = since
        self.pid = pid
        known = [
            part
            for part in (
                f"cycle {cycle}" if cycle else "",
                f"since {since}" if since else "",
                f"process {pid}" if pid else "",
            )
            if part
        ]
        running = f" ({', '.join(known)})" if known else ""
        super().__init__(
            f"store {store!r}: a cycle is running on it{running}; a store runs one cycle at a time, so cycle "
            f"{refused} was refused and stored nothing: run it again once that one has finished"
        )


class CheckpointAhead(StoreError, ValueError):
    """A checkpoint claims facts its household's stream does not have (``facts_seen`` above the version).

    A checkpoint includes the facts at positions 1 to ``facts_seen`` of the stream; one ahead of
    the stream was made from other facts than the store's. Nothing of the write is stored.
    """

    def __init__(self, household_id: str, facts_seen: int, version: int) -> None:
        self.household_id = household_id
        self.facts_seen = facts_seen
        self.version = version
        super().__init__(
            f"household {household_id!r}: the checkpoint includes {plural(facts_seen, 'fact', grouped=False)} but "
            f"the store holds {version}; a checkpoint includes facts 1 to facts_seen of the stored stream"
        )


class UnknownHousehold(StoreError, LookupError):
    """A store holds no household record with this id.

    ``fact_ids`` are facts stored for it all the same (by a version that took a fact of a
    household with no record) and not retracted: the message then says how to mend it, with
    ``suggestion``, the id of a stored household spelled close to it (None when there is none).
    """

    def __init__(self, household_id: str, *, fact_ids: Sequence[str] = (), suggestion: str | None = None) -> None:
        self.household_id = household_id
        self.fact_ids = tuple(fact_ids)
        self.suggestion = suggestion
        record = (
            "store its household record first (put_household() in Python, or a population directory given to "
            "relapse-guard cycle --population)"
        )
        if not fact_ids:
            super().__init__(f"household {household_id!r} is not in the store; {record}")
            return
        shown = ", ".join(repr(fact_id) for fact_id in self.fact_ids[:5]) + (", ..." if len(fact_ids) > 5 else "")
        close = f" (did you mean {suggestion!r}?)" if suggestion else ""
        super().__init__(
            f"household {household_id!r} has facts stored ({shown}) but no record in the store: if "
            f"{household_id!r} is a mistyped household id{close}, retract each of them (a fact_retracted of "
            f"household {household_id!r} with retracts naming the fact) and send them again under the right "
            f"household, with new ids; if it is a new household, {record}"
        )


class InvalidAnchor(StoreError, ValueError):
    """Heads kept outside a store (an anchor for ``verify(anchor=...)``) that cannot be read: a file
    that is not JSON, a field missing, a sequence number or a hash that is not one.

    ``field`` names the field at fault (``"decisions.hash"``; ``""`` for the whole document),
    ``value`` its value (``None`` when ``missing``), ``expected`` what was expected and ``source``
    where the heads were read from (a file's path; ``None`` when not from a file).
    """

    def __init__(
        self, field: str, value: object, expected: str, *, source: str | None = None, missing: bool = False
    ) -> None:
        self.field = field
        self.value = value
        self.expected = expected
        self.source = source
        self.missing = missing
        where = f"anchor {source!r}" if source is not None else "anchor"
        if missing:
            what = f"field {field!r} is missing"
        elif field:
            what = f"field {field!r} has value {_short(value)}"
        else:
            what = f"its content is {_short(value)}"
        super().__init__(f"{where}: {what}; expected {expected}")


class UnknownSchemaVersion(StoreError):
    """A database file was written with a schema version this library does not know."""

    def __init__(self, path: str, found: object, supported: Iterable[int]) -> None:
        self.path = path
        self.found = found
        self.supported = tuple(sorted(supported))
        known = ", ".join(str(v) for v in self.supported)
        super().__init__(
            f"store {path!r} has schema version {found!r}; this relapse_guard reads schema version(s) {known} "
            "(upgrade relapse_guard, or open the file with the version that wrote it)"
        )


class InvalidProcedure(InvalidPolicy):
    """A case procedure is inconsistent: a step named twice, an outcome it cannot take, ...

    ``procedure`` and ``step`` (None for the procedure as a whole) say where; ``problem`` what.
    """

    def __init__(self, procedure: str, step: str | None, problem: str) -> None:
        self.procedure = procedure
        self.step = step
        self.problem = problem
        where = f"procedure {procedure!r}" + (f", step {step!r}" if step is not None else "")
        super().__init__(f"{where}: {problem}")


class InvalidReview(InvalidPolicy):
    """A scheduled review whose recurrence cannot be kept: a day some months lack (the 29th to the
    31st), a month that is not 1-12, an unknown frequency.

    ``review`` names the review, ``field`` the setting at fault and ``value`` its value.
    """

    def __init__(self, review: str, field: str, value: object, expected: str) -> None:
        self.review = review
        self.field = field
        self.value = value
        self.expected = expected
        super().__init__(f"review {review!r}: {field} {value!r} refused; expected {expected}")


class CaseError(RelapseGuardError):
    """Base class of the errors about one case of a procedure (identification, risk elimination)."""


class InvalidCaseStep(CaseError, ValueError):
    """A case record its procedure does not allow: a step skipped, an outcome the step lacks, a late
    objection, a second appeal, a case not opened or already decided.

    Names the case, the household, the record (``fact_id``), the ``step`` it names, the case's
    ``state`` (its current step, ``approved``, ``rejected`` or ``not opened``), the ``outcome``
    and the ``allowed`` outcomes there.
    """

    def __init__(
        self,
        case_id: str,
        household_id: str,
        *,
        step: str | None,
        state: str,
        outcome: str,
        reason: str,
        allowed: Iterable[str] = (),
        fact_id: str | None = None,
    ) -> None:
        self.case_id = case_id
        self.household_id = household_id
        self.step = step
        self.state = state
        self.outcome = outcome
        self.reason = reason
        self.allowed = tuple(sorted(allowed))
        self.fact_id = fact_id
        record = f"record {fact_id!r}: " if fact_id else ""
        at = f" at step {step!r}" if step is not None else ""
        super().__init__(
            f"case {case_id!r} of household {household_id!r}: {record}outcome {outcome!r}{at} refused in state "
            f"{state!r}: {reason} (outcomes allowed there: {', '.join(self.allowed) or 'none'})"
        )


class CaseCannotStart(CaseError):
    """A procedure's start condition does not hold (risk elimination before the household is stable)."""

    def __init__(self, procedure: str, household_id: str, reason: str) -> None:
        self.procedure = procedure
        self.household_id = household_id
        self.reason = reason
        super().__init__(f"household {household_id!r}: a {procedure!r} case cannot start: {reason}")
