"""Which policy screens which place: a :class:`PolicyMap` from districts and towns to policies, with dates.

A county whose districts each run their own policy screens each household under the policy
of its place. A map is written in TOML, one ``[[place]]`` table an entry::

    # relapse_guard policy map
    default = "chongqing_2016"          # optional: any district not listed
    [[place]]
    district = "Yubei"
    policy = "yubei_2016"
    [[place]]
    district = "Dazu"
    policy = "dazu_2016"
    from = 2016-01-01                   # optional: in force from this date on
    [[place]]
    district = "Dazu"
    town = "Longshuizhen"               # optional: this town only
    policy = "chongqing_2016"

The policy of a place on a date (:meth:`PolicyMap.policy_name_for`) is, in this order:

1. its town's: of the entries naming its district and town, the one with the latest ``from``
   on or before the date (an entry without ``from`` is in force from the beginning);
2. else its district's: of the entries naming its district and no town, the same way. A
   district that has entries, none of them in force yet on the date, has no policy then: its
   earlier policy is not guessed (:class:`~relapse_guard.errors.NoPolicyForPlace`);
3. else, for a district with no entry of its own, the ``default``;
4. else none: :class:`~relapse_guard.errors.NoPolicyForPlace`, which a screen lists as a
   problem household.

Names are matched as written but for case and spaces (``Yubei``, ``yubei`` and ``Yubei `` with
the trailing space of a padded export are one district: a household's place is never given the
default policy for a spelling of a district the map names); the error for an unknown district
suggests a near spelling.

A ``policy`` (and the ``default``) is any spec ``--policy`` takes
(:func:`~relapse_guard.policies.spec.load_policy_spec`): a registered name, or a policy of
one's own as ``path/to/file.py:NAME`` or ``package.module:NAME``. A relative file path is read
from the map file's directory (:attr:`PolicyMap.directory`), wherever the command runs; a
module is imported as ``--policy`` imports it. A map keeps policy *specs*: the policies are
loaded when first asked for, once a spec, so a map pickles as a few strings (a worker process
loads the policies again, and runs a policy file there).

>>> import datetime as dt
>>> from relapse_guard.household import Place
>>> county = load_policy_map("chongqing")
>>> county.policy_name_for(Place("Dazu", "Longshuizhen"), dt.date(2016, 12, 31))
'dazu_2016'
>>> county.policy_for(Place("Wanzhou"), dt.date(2016, 12, 31)).label
'chongqing_2016@2016.1'
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable, Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import attrs

from ..errors import InvalidArgument, InvalidPolicyMap, InvalidPolicySpec, NoPolicyForPlace, WrongType, close_names
from ..household import Place
from ..interface import is_english, tr
from ..policy import Policy
from . import policy_names
from ._map_toml import entry_label, read_map
from .spec import load_policy_spec, looks_like_file

__all__ = [
    "BUILTIN_POLICY_MAPS",
    "PlaceEntry",
    "PolicyMap",
    "Spell",
    "builtin_policy_map",
    "load_policy_map",
    "said_under",
]


def said_under(label: str, lang: str) -> str:
    """What a screen was under, by its label (a policy's, or a map's ``policy map SOURCE``), in
    ``lang``: a map's label in its words, a policy's as it is."""
    if is_english(lang) or not label.startswith("policy map "):
        return label
    return tr(lang, "policy map {source}", source=label.removeprefix("policy map "))


#: The policy maps shipped with the library, by name, and their files in this package.
BUILTIN_POLICY_MAPS = {"chongqing": "chongqing.toml"}

_ALWAYS = 0  # the ordinal of "from the beginning": before date.min (ordinal 1)


@attrs.frozen
class PlaceEntry:
    """One entry of a policy map: the policy of a district, or of one town of it (``town``),
    in force from ``start`` (the TOML ``from``; None: from the beginning)."""

    district: str
    policy: str
    town: str = ""
    start: dt.date | None = None

    @property
    def place(self) -> str:
        """``district`` or ``district/town``."""
        return f"{self.district}/{self.town}" if self.town else self.district

    def __str__(self) -> str:
        """``Dazu/Longshuizhen: chongqing_2016 from 2016-01-01``."""
        since = f" from {self.start.isoformat()}" if self.start is not None else ""
        return f"{self.place}: {self.policy}{since}"


@attrs.frozen
class Spell:
    """A policy in force in a district (or one town of it, ``town``) from ``start`` to ``end``
    (both included; None: from the beginning, or still in force)."""

    policy: str
    town: str = ""
    start: dt.date | None = None
    end: dt.date | None = None

    def describe(self, label: str | None = None) -> str:
        """``dazu_2016@2016.1 from 2016-01-01``: ``label`` (default: the policy's name), the
        dates it is in force and its town."""
        text = label or self.policy
        if self.start is not None:
            text += f" from {self.start.isoformat()}"
        if self.end is not None:
            text += f" until {self.end.isoformat()}"
        return text + (f" in {self.town}" if self.town else "")


class _Memo:
    """What a map works out once: the policies loaded and the entries by place. Pickled empty."""

    __slots__ = ("by_place", "policies", "spellings")

    def __init__(self) -> None:
        self.policies: dict[str, Policy] = {}
        #: A district's key (case and spaces aside) -> the map's spelling of it.
        self.spellings: dict[str, str] | None = None
        #: (district, town) -> (ordinals of the starts, policy names), in date order.
        self.by_place: dict[tuple[str, str], tuple[tuple[int, ...], tuple[str, ...]]] | None = None

    def __reduce__(self) -> tuple[type[_Memo], tuple[()]]:
        return _Memo, ()


def _entries(value: Iterable[PlaceEntry]) -> tuple[PlaceEntry, ...]:
    return tuple(value)


def _ordinal(start: dt.date | None) -> int:
    return _ALWAYS if start is None else start.toordinal()


@attrs.frozen
class PolicyMap:
    """Places (districts, towns) to the names of the policies that screen them, with dates.

    ``entries`` are :class:`PlaceEntry`; ``default`` (optional) is the policy of any district
    with no entry of its own; ``source`` names the map in messages (its file); ``directory``
    is the directory a relative policy file is read from (the map file's; None: the current
    directory). See the module for the look-up rules. A policy is a registered name
    (:func:`~relapse_guard.policies.policy_names`) or a spec of one's own
    (``path/to/file.py:NAME``, ``package.module:NAME``), loaded when first asked for; the map
    refuses, with :class:`~relapse_guard.errors.InvalidPolicyMap`, names that are not text,
    unknown registered names, two entries for one place and date, and a map with no entry and
    no default.

    Iterating gives the entries in order; ``str(map)`` describes it.
    """

    entries: tuple[PlaceEntry, ...] = attrs.field(converter=_entries)
    default: str | None = None
    source: str = "<policy map>"
    directory: str | None = None
    _memo: _Memo = attrs.field(factory=_Memo, init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        _check(self)

    # --- reading ----------------------------------------------------------------------------

    @classmethod
    def from_toml(cls, text: str, *, source: str = "<string>", directory: str | Path | None = None) -> PolicyMap:
        """The map in TOML ``text`` (see the module); :class:`~relapse_guard.errors.InvalidPolicyMap`
        names ``source``, the entry, the key and the value at fault. A relative policy file is
        read from ``directory`` (None: the current directory)."""
        raw, default = read_map(text, source)
        entries = [PlaceEntry(district, policy, town, start) for district, town, policy, start in raw]
        where = None if directory is None else str(Path(directory).resolve())
        return cls(entries, default, source, where)  # the map checks every value

    @classmethod
    def from_file(cls, path: str | Path) -> PolicyMap:
        """The map in the TOML file ``path`` (UTF-8)."""
        try:
            text = Path(path).read_text(encoding="utf-8")
        except UnicodeDecodeError as error:
            raise InvalidPolicyMap(str(path), "", "", None, f"not UTF-8 text ({error.reason})") from None
        return cls.from_toml(text, source=str(path), directory=Path(path).parent)

    # --- look-ups ---------------------------------------------------------------------------

    @property
    def label(self) -> str:
        """``policy map SOURCE``: what a screen under this map is said to be under."""
        return tr("en", "policy map {source}", source=self.source)

    def names(self) -> tuple[str, ...]:
        """Every policy the map names (the default too), sorted."""
        named = {entry.policy for entry in self.entries}
        if self.default is not None:
            named.add(self.default)
        return tuple(sorted(named))

    def policy_name_for(self, place: Place, on: dt.date) -> str:
        """The name of the policy of ``place`` on ``on`` (see the module for the rules).

        Raises :class:`~relapse_guard.errors.NoPolicyForPlace` when no entry covers the place
        on that date and there is no default for it.
        """
        if not isinstance(place, Place):
            raise WrongType(f"a policy map looks up a Place, not {type(place).__name__} {place!r}")
        if not isinstance(on, dt.date) or isinstance(on, dt.datetime):
            raise WrongType(f"a policy map looks up a datetime.date, not {type(on).__name__} {on!r}")
        by_place = self._by_place()
        day = on.toordinal()
        district = _key(place.district)
        town = by_place.get((district, _key(place.town))) if place.town else None
        if town is not None:
            found = _in_force(town, day)
            if found is not None:
                return found
        own = by_place.get((district, ""))
        if own is not None:
            found = _in_force(own, day)
            if found is None:
                first = dt.date.fromordinal(own[0][0]).isoformat()
                reason = f"district {place.district!r} has a policy from {first} on only"
                raise NoPolicyForPlace(str(place), on, self.source, reason=reason)
            return found
        if self.default is not None:
            return self.default
        reason = f"no entry for district {place.district!r} and no default"
        raise NoPolicyForPlace(str(place), on, self.source, reason=reason, suggestions=self._near(place.district))

    def district_name(self, district: str) -> str:
        """``district`` as the map spells it when an entry names it (case and spaces aside, as the
        map matches places), else as given: what counts by district group under, so that
        ``"yubei"`` and ``" Yubei "`` in the data are counted with ``"Yubei"``."""
        memo = self._memo
        if memo.spellings is None:
            memo.spellings = {}
            for entry in self.entries:
                memo.spellings.setdefault(_key(entry.district), entry.district)
        return memo.spellings.get(_key(district), district)

    def policy_for(self, place: Place, on: dt.date) -> Policy:
        """The policy of ``place`` on ``on``, loaded from the registry (once a name)."""
        return self.policy_named(self.policy_name_for(place, on))

    def policy_named(self, name: str) -> Policy:
        """The policy ``name`` (one the map names), loaded the first time
        (:func:`~relapse_guard.policies.spec.load_policy_spec` of :meth:`spec`).

        A policy that does not load raises what ``--policy`` raises for it
        (:class:`~relapse_guard.errors.InvalidPolicySpec`: a file missing, a name missing from
        it, not a policy), its message led by the map and the first entry naming it."""
        loaded = self._memo.policies.get(name)
        if loaded is None:
            if name not in self.names():
                raise InvalidArgument(f"{self.label} names no policy {name!r}; it names {', '.join(self.names())}")
            try:
                loaded = load_policy_spec(self.spec(name))
            except InvalidPolicySpec as error:
                error.args = (f"policy map {self.source}: {self._naming(name)}: {error}",)
                raise
            self._memo.policies[name] = loaded
        return loaded

    def spec(self, name: str) -> str:
        """The spec the policy ``name`` is loaded from: ``name``, a relative policy file in it
        made a path from the map's :attr:`directory`."""
        source, colon, attribute = name.rpartition(":")
        if not colon or self.directory is None or not looks_like_file(source) or Path(source).is_absolute():
            return name
        return f"{Path(self.directory, source)}:{attribute}"

    def _naming(self, name: str) -> str:
        """The first entry naming policy ``name`` (``default`` when none does), as messages name it."""
        for index, entry in enumerate(self.entries):
            if entry.policy == name:
                return entry_label(index, entry.district, entry.town)
        return "default"

    def policies(self) -> dict[str, Policy]:
        """Every policy the map names, by name (each loaded once)."""
        return {name: self.policy_named(name) for name in self.names()}

    def spells(self, district: str, start: dt.date, end: dt.date) -> tuple[Spell, ...]:
        """The policies in force in ``district`` at some time from ``start`` to ``end`` (both
        included): its own entries' (or the default, for a district with none), then its
        towns', town by town; each with the dates the map gives it."""
        by_place = self._by_place()
        spells: list[Spell] = []
        district = _key(district)
        own = by_place.get((district, ""))
        if own is None and self.default is not None:
            spells.append(Spell(self.default))
        towns = sorted(town for d, town in by_place if d == district and town)
        spelt = {(_key(entry.district), _key(entry.town)): entry.town for entry in self.entries}
        for town in ("", *towns) if own is not None else towns:
            starts, names = by_place[(district, town)]
            for index, (first, name) in enumerate(zip(starts, names, strict=True)):
                after = starts[index + 1] if index + 1 < len(starts) else None
                last = after - 1 if after is not None else None
                if first <= end.toordinal() and (last is None or last >= start.toordinal()):
                    begins = dt.date.fromordinal(first) if first != _ALWAYS else None
                    ends = dt.date.fromordinal(last) if last is not None else None
                    spells.append(Spell(name, spelt[(district, town)], begins, ends))
        return tuple(spells)

    def __iter__(self) -> Iterator[PlaceEntry]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def __bool__(self) -> bool:
        """True: a map is never empty (it has entries, a default or both), even with ``len`` 0."""
        return True

    def __str__(self) -> str:
        """The map, one entry a line, the default last."""
        return self.describe()

    def describe(self) -> str:
        """The map as text: its label, then one entry a line, the default last."""
        lines = [self.label, *(f"  {entry}" for entry in self.entries)]
        if self.default is not None:
            lines.append(f"  any other district: {self.default}")
        return "\n".join(lines)

    def _by_place(self) -> dict[tuple[str, str], tuple[tuple[int, ...], tuple[str, ...]]]:
        memo = self._memo
        if memo.by_place is None:
            grouped: dict[tuple[str, str], list[tuple[int, str]]] = {}
            for entry in self.entries:
                grouped.setdefault((_key(entry.district), _key(entry.town)), []).append(
                    (_ordinal(entry.start), entry.policy)
                )
            memo.by_place = {
                key: (tuple(day for day, _ in timeline), tuple(name for _, name in timeline))
                for key, timeline in ((key, sorted(timeline)) for key, timeline in grouped.items())
            }
        return memo.by_place

    def _near(self, district: str) -> tuple[str, ...]:
        """Districts of the map spelled like ``district``: the same but for case, then close spellings."""
        known = sorted({entry.district for entry in self.entries})
        same = [name for name in known if name.casefold() == district.casefold()]
        return tuple(dict.fromkeys([*same, *close_names(district, known)]))[:3]


def _key(name: str) -> str:
    """A place name as the map matches it: case and spaces aside (``" Yubei "`` is ``yubei``)."""
    return " ".join(name.split()).casefold()


def _in_force(timeline: tuple[tuple[int, ...], tuple[str, ...]], day: int) -> str | None:
    """The name of the entry with the latest start on or before ``day``; None when all start later."""
    starts, names = timeline
    index = bisect.bisect_right(starts, day) - 1
    return names[index] if index >= 0 else None


# --- checks -------------------------------------------------------------------------------


def _check_name(source: str, label: str, key: str, value: object, *, optional: bool = False) -> None:
    if optional and value == "":
        return
    if not isinstance(value, str) or not value.strip():
        raise InvalidPolicyMap(source, label, key, value, "a name, in quotes" + (" (or none)" if optional else ""))
    if value != value.strip():
        raise InvalidPolicyMap(source, label, key, value, "a name without spaces before or after it")


_OWN = "a policy of one's own: path/to/file.py:NAME or package.module:NAME"
_SPEC_FORMS = f"a registered policy, or {_OWN}"


def _check_policy(source: str, label: str, key: str, name: object, known: tuple[str, ...]) -> None:
    """A registered name, or the form of a spec of one's own (what it names is loaded, and
    checked, when the map's policies are: :meth:`PolicyMap.policy_named`)."""
    _check_name(source, label, key, name)
    assert isinstance(name, str)
    if name in known:
        return
    before, colon, after = name.rpartition(":")
    if colon and before and after:
        return
    if colon:
        raise InvalidPolicyMap(source, label, key, name, _SPEC_FORMS)
    close = close_names(name, known)
    hint = f" (did you mean {' or '.join(close)}?)" if close else ""
    expected = f"a registered policy{hint}; known: {', '.join(known)}; or {_OWN}"
    raise InvalidPolicyMap(source, label, key, name, expected)


def _check(policy_map: PolicyMap) -> None:
    """Refuse a map that cannot be used, naming the entry, the key and the value at fault."""
    source = policy_map.source
    if not isinstance(source, str):
        raise WrongType(f"a policy map's source must be text, not {type(source).__name__} {source!r}")
    known = policy_names()
    seen: dict[tuple[str, str, dt.date | None], int] = {}
    for index, entry in enumerate(policy_map.entries):
        if not isinstance(entry, PlaceEntry):
            raise InvalidPolicyMap(source, f"entry #{index + 1}", "entry", entry, "a PlaceEntry")
        label = entry_label(index, entry.district, entry.town)
        _check_name(source, label, "district", entry.district)
        _check_name(source, label, "town", entry.town, optional=True)
        _check_policy(source, label, "policy", entry.policy, known)
        start: Any = entry.start
        if start is not None and (not isinstance(start, dt.date) or isinstance(start, dt.datetime)):
            raise InvalidPolicyMap(source, label, "from", start, "a date, written 2016-01-01 (year-month-day)")
        key = (_key(entry.district), _key(entry.town), entry.start)  # matched case and spaces aside
        if key in seen:
            first = policy_map.entries[seen[key]]
            other = entry_label(seen[key], first.district, first.town)
            if entry.start is None:
                expected = f"one entry per place and date: {other} is for the same place, also without from"
                raise InvalidPolicyMap(source, label, "place", entry.place, expected)
            expected = f"one entry per place and date: {other} is for the same place from the same date"
            raise InvalidPolicyMap(source, label, "from", entry.start, expected)
        seen[key] = index
    if policy_map.default is not None:
        _check_policy(source, "default", "default", policy_map.default, known)
    elif not policy_map.entries:
        raise InvalidPolicyMap(source, "", "", None, "it maps no place: give [[place]] entries or a default")


# --- the maps shipped ---------------------------------------------------------------------


def builtin_policy_map(name: str = "chongqing") -> PolicyMap:
    """A policy map shipped with the library (:data:`BUILTIN_POLICY_MAPS`): ``chongqing`` maps
    Yubei, Dazu and Bishan to their own 2016 policies and any other district to Chongqing's."""
    filename = BUILTIN_POLICY_MAPS.get(name)
    if filename is None:
        raise InvalidArgument(f"no built-in policy map {name!r}; built in: {', '.join(BUILTIN_POLICY_MAPS)}")
    text = resources.files("relapse_guard.policies").joinpath(filename).read_text(encoding="utf-8")
    return PolicyMap.from_toml(text, source=name)


def load_policy_map(spec: str | Path) -> PolicyMap:
    """The map ``spec`` names: a built-in map's name (``chongqing``), else the path of a TOML file.

    A built-in name wins over a file of the same name in the working directory (write
    ``./chongqing`` for the file). A path that is not a file raises
    :class:`~relapse_guard.errors.InvalidPolicyMap` listing the built-in names.
    """
    if isinstance(spec, str) and spec in BUILTIN_POLICY_MAPS:
        return builtin_policy_map(spec)
    if not isinstance(spec, str | Path):
        raise WrongType(f"a policy map is a built-in name or a path, not {type(spec).__name__} {spec!r}")
    if not Path(spec).is_file():
        built_in = ", ".join(BUILTIN_POLICY_MAPS)
        raise InvalidPolicyMap(str(spec), "", "", None, f"no such file, and not a built-in map ({built_in})")
    return PolicyMap.from_file(spec)
