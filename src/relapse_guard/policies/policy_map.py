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
suggests a near spelling. An entry may give its district other names (``district_aliases =
["大足区", "大足"]``) and its town others (``town_aliases``), matched the same way: a place so
named is the map's district or town (its policy, and :meth:`PolicyMap.district_name` counts it
under the map's spelling). A name given to two districts, or to two towns of one district, is
refused (:class:`~relapse_guard.errors.AmbiguousPlaceName`).

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
>>> county.policy_name_for(Place("大足区"), dt.date(2016, 12, 31)), county.district_name("大足区")
('dazu_2016', 'Dazu')
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import attrs

from ..errors import (
    AmbiguousPlaceName,
    InvalidArgument,
    InvalidPolicyMap,
    InvalidPolicySpec,
    NoPolicyForPlace,
    WrongType,
    close_names,
)
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
    "district_matcher",
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


def _aliases(value: object) -> Any:
    """A list of names as a tuple; anything else as it is, for the map's check to refuse."""
    return tuple(value) if isinstance(value, list | tuple) else value


@attrs.frozen
class PlaceEntry:
    """One entry of a policy map: the policy of a district, or of one town of it (``town``),
    in force from ``start`` (the TOML ``from``; None: from the beginning).

    ``district_aliases`` are other names of the district (``("大足区", "大足")``), which the map
    matches as it matches ``district``; ``town_aliases`` other names of the town (an entry with
    a town only). Names given on any entry of a district are the district's, on every entry.
    """

    district: str
    policy: str
    town: str = ""
    start: dt.date | None = None
    district_aliases: tuple[str, ...] = attrs.field(default=(), converter=_aliases)
    town_aliases: tuple[str, ...] = attrs.field(default=(), converter=_aliases)

    @property
    def place(self) -> str:
        """``district`` or ``district/town``."""
        return f"{self.district}/{self.town}" if self.town else self.district

    def __str__(self) -> str:
        """``Dazu/Longshuizhen: chongqing_2016 from 2016-01-01``, then the other names given
        (``also district 大足区, 大足``)."""
        since = f" from {self.start.isoformat()}" if self.start is not None else ""
        also = [
            f"{what} {', '.join(names)}"
            for what, names in (("district", self.district_aliases), ("town", self.town_aliases))
            if names
        ]
        return f"{self.place}: {self.policy}{since}" + (f" (also {'; '.join(also)})" if also else "")


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


@attrs.frozen
class _Names:
    """Every name of the map's places, by key (case and spaces aside; see :func:`_key`)."""

    #: A name of a district (its own or another) -> the key of the district's own name.
    districts: dict[str, str]
    #: (a district's key, a name of one of its towns) -> the key of the town's own name.
    towns: dict[tuple[str, str], str]
    #: A district's key -> the map's spelling of it (its first entry's).
    spellings: dict[str, str]
    #: A district's key -> its first other name written in Chinese characters.
    chinese: dict[str, str]


class _Memo:
    """What a map works out once: the policies loaded and the entries by place. Pickled empty."""

    __slots__ = ("by_place", "names", "policies")

    def __init__(self) -> None:
        self.policies: dict[str, Policy] = {}
        #: The places' names (None until worked out: the map's check does).
        self.names: _Names | None = None
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
    directory). See the module for the look-up rules; names match case and spaces aside, by a
    place's own name or one of its other names (``district_aliases``, ``town_aliases``). A
    policy is a registered name (:func:`~relapse_guard.policies.policy_names`) or a spec of
    one's own (``path/to/file.py:NAME``, ``package.module:NAME``), loaded when first asked for;
    the map refuses, with :class:`~relapse_guard.errors.InvalidPolicyMap`, names that are not
    text, unknown registered names, two entries for one place and date, a name given to two
    places (:class:`~relapse_guard.errors.AmbiguousPlaceName`), and a map with no entry and no
    default.

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
        entries = [
            PlaceEntry(district, policy, town, start, district_aliases, town_aliases)
            for district, town, policy, start, district_aliases, town_aliases in raw
        ]
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
        district = self._district_key(place.district)
        town = by_place.get((district, self._town_key(district, place.town))) if place.town else None
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

    def district_name(self, district: str, lang: str = "en") -> str:
        """``district`` as the map spells it when an entry names it by that name or another
        (case and spaces aside, as the map matches places), else as given: what counts by
        district group under, so that ``"yubei"``, ``" Yubei "`` and ``"渝北区"`` (one of its
        ``district_aliases``) in the data are counted with ``"Yubei"``.

        In another language than English, the district's first other name written in Chinese
        characters when it has one (``"渝北区"`` for ``"Yubei"``): what Chinese text prints.
        """
        names = self._names()
        key = self._district_key(district)
        if not is_english(lang) and key in names.chinese:
            return names.chinese[key]
        return names.spellings.get(key, district)

    def same_district(self, name: str, other: str) -> bool:
        """Whether ``name`` and ``other`` name one district: the same name but for case and spaces,
        or names of one district of the map (its own and its ``district_aliases``)."""
        return self._district_key(name) == self._district_key(other)

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
        district = self._district_key(district)
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

    def _names(self) -> _Names:
        memo = self._memo
        if memo.names is None:
            memo.names = _place_names(self)
        return memo.names

    def _district_key(self, name: str) -> str:
        """The key of the district ``name`` names (by its own name or another); its own key else."""
        key = _key(name)
        return self._names().districts.get(key, key)

    def _town_key(self, district: str, town: str) -> str:
        """The key of the town ``town`` names in the district of key ``district``."""
        key = _key(town)
        return self._names().towns.get((district, key), key)

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


def _chinese(name: str) -> bool:
    """Whether ``name`` is written with a Chinese character (CJK unified ideographs)."""
    return any("\u4e00" <= char <= "\u9fff" or "\u3400" <= char <= "\u4dbf" for char in name)


def _place_names(policy_map: PolicyMap) -> _Names:
    """Every name of ``policy_map``'s districts and towns. A name given to two districts (or two
    towns of one district), as one's own name or as another, raises
    :class:`~relapse_guard.errors.AmbiguousPlaceName` naming the name and both places."""
    entries = policy_map.entries
    # Own names first, so that another name clashing with a district's own is refused whatever
    # the order of the entries. Each name's key -> (the key it names, the first entry giving it).
    districts: dict[str, tuple[str, int]] = {}
    towns: dict[tuple[str, str], tuple[str, int]] = {}
    spellings: dict[str, str] = {}
    for index, entry in enumerate(entries):
        district = _key(entry.district)
        districts.setdefault(district, (district, index))
        spellings.setdefault(district, entry.district)
        if entry.town:
            town = _key(entry.town)
            towns.setdefault((district, town), (town, index))
    chinese: dict[str, str] = {}
    for index, entry in enumerate(entries):
        district = _key(entry.district)
        for name in entry.district_aliases:
            named, first = districts.setdefault(_key(name), (district, index))
            if named != district:
                _ambiguous(policy_map, index, "district_aliases", name, entry.district, first)
            if _chinese(name):
                chinese.setdefault(district, name)
        for name in entry.town_aliases:
            town = _key(entry.town)
            named, first = towns.setdefault((district, _key(name)), (town, index))
            if named != town:
                _ambiguous(policy_map, index, "town_aliases", name, entry.place, first)
    return _Names(
        {name: named for name, (named, _) in districts.items() if name != named},
        {name: named for name, (named, _) in towns.items() if name[1] != named},
        spellings,
        chinese,
    )


def _ambiguous(policy_map: PolicyMap, index: int, key: str, name: str, place: str, first: int) -> None:
    """Raise :class:`~relapse_guard.errors.AmbiguousPlaceName`: entry ``index`` gives ``name`` to
    ``place``, which entry ``first`` gives (as its own name or another) to another place."""
    entry, other = policy_map.entries[index], policy_map.entries[first]
    other_place = other.place if key == "town_aliases" else other.district
    raise AmbiguousPlaceName(
        policy_map.source,
        entry_label(index, entry.district, entry.town),
        key,
        name,
        place,
        other_place,
        entry_label(first, other.district, other.town),
    )


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


def _check_aliases(source: str, label: str, key: str, names: object) -> None:
    """Other names of a place: a list of names (each as ``district`` must be)."""
    if not isinstance(names, tuple):
        raise InvalidPolicyMap(source, label, key, names, 'a list of names, in quotes: ["大足区", "大足"]')
    for name in names:
        _check_name(source, label, key, name)


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
        _check_aliases(source, label, "district_aliases", entry.district_aliases)
        _check_aliases(source, label, "town_aliases", entry.town_aliases)
        if entry.town_aliases and not entry.town:
            expected = "other names of the entry's town, in an entry with a town (district_aliases for the district's)"
            raise InvalidPolicyMap(source, label, "town_aliases", list(entry.town_aliases), expected)
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
    policy_map._memo.names = _place_names(policy_map)  # refuses a name given to two places
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


def district_matcher(district: str, policy_map: PolicyMap | None = None) -> Callable[[str], bool]:
    """Whether a district's name (an alert's, a household's) names the district ``district``:
    the same name but for case and spaces, or another name of one district of ``policy_map``
    (:meth:`PolicyMap.same_district`; the built-in ``chongqing`` map when None, which knows the
    Chinese names of Yubei, Dazu and Bishan). What ``alerts --district`` filters with.

    >>> in_dazu = district_matcher("大足区")
    >>> in_dazu("Dazu"), in_dazu("dazu"), in_dazu("大足"), in_dazu("Yubei")
    (True, True, True, False)
    """
    if not isinstance(district, str):
        raise WrongType(f"a district is a name, not {type(district).__name__} {district!r}")
    chosen = builtin_policy_map() if policy_map is None else policy_map
    wanted = chosen._district_key(district)
    known: dict[str, bool] = {}  # by name: a store's alerts spell a district a few ways

    def matches(name: str) -> bool:
        found = known.get(name)
        if found is None:
            found = known[name] = chosen._district_key(name) == wanted
        return found

    return matches
