"""Households and their members: immutable attrs values, validated on construction."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from .bounds import MAX_ID_LENGTH, MAX_MEMBERS, STORED, valid_text
from .errors import InvalidHousehold, close_names, redact

__all__ = ["WORKING_AGE", "Health", "Household", "LabourCapacity", "Member", "Place", "Schooling"]


class LabourCapacity(enum.Enum):
    """How much a member can work: full, partial (weak or semi-able) or none."""

    FULL = "full"
    PARTIAL = "partial"
    NONE = "none"


#: The ages at which a member whose labour capacity is left blank can work: from 16, under 60
#: (no capacity to work: 60 and over, under 16 or severe disability).
WORKING_AGE = (16, 60)


class Health(enum.Enum):
    """A member's health and disability status."""

    HEALTHY = "healthy"
    CHRONIC_ILLNESS = "chronic_illness"
    SERIOUS_ILLNESS = "serious_illness"
    DISABLED = "disabled"
    SEVERELY_DISABLED = "severely_disabled"


class Schooling(enum.Enum):
    """The level of school a member is enrolled in now (``NONE``: not in school)."""

    NONE = "none"
    PRESCHOOL = "preschool"
    PRIMARY = "primary"
    JUNIOR_SECONDARY = "junior_secondary"
    SENIOR_SECONDARY = "senior_secondary"
    VOCATIONAL = "vocational"
    TERTIARY = "tertiary"


@attrs.frozen
class Place:
    """Where a household lives: district (county), town (township) and village."""

    district: str
    town: str = ""
    village: str = ""

    def __str__(self) -> str:
        return "/".join(part for part in (self.district, self.town, self.village) if part)


@attrs.frozen(kw_only=True)
class Member:
    """One person of a household. ``id`` is a personal id: messages show it redacted."""

    id: str
    birth_date: dt.date
    #: As recorded; None when the record leaves it blank (read from the age: :meth:`can_work_on`).
    labour_capacity: LabourCapacity | None = None
    health: Health = Health.HEALTHY
    schooling: Schooling = Schooling.NONE

    def age_on(self, on: dt.date) -> int:
        """Age in whole years on ``on`` (a 29 February birthday counts on 1 March)."""
        years = on.year - self.birth_date.year
        if (on.month, on.day) < (self.birth_date.month, self.birth_date.day):
            years -= 1
        return years

    def capacity_on(self, on: dt.date) -> LabourCapacity:
        """The member's labour capacity on ``on``: as recorded; a blank one read from the age and
        health on that day (no capacity to work under 16, at 60 and over or severely disabled,
        as the extreme-poverty rules define it; full otherwise)."""
        capacity = self.labour_capacity
        if capacity is not None:
            return capacity
        if self.health is Health.SEVERELY_DISABLED or not WORKING_AGE[0] <= self.age_on(on) < WORKING_AGE[1]:
            return LabourCapacity.NONE
        return LabourCapacity.FULL

    def can_work_on(self, on: dt.date) -> bool:
        """True when the member has full or partial labour capacity on ``on`` (:meth:`capacity_on`)."""
        capacity = self.labour_capacity
        if capacity is not None:  # (most records say it: no age to work out)
            return capacity is not LabourCapacity.NONE
        return self.capacity_on(on) is not LabourCapacity.NONE


_ID_TEXT = f"a string of at most {MAX_ID_LENGTH} characters (Unicode text)"


def _check_household(household: Household) -> None:
    hid = household.id
    stripped = hid.strip() if isinstance(hid, str) else ""
    if not stripped or (stripped != hid and not STORED.get()):  # " H1": a padded export
        raise InvalidHousehold(
            hid if isinstance(hid, str) else None, "id", hid, "a non-empty string without spaces around it"
        )
    if not valid_text(hid, MAX_ID_LENGTH):
        raise InvalidHousehold(None, "id", hid, _ID_TEXT)
    if not isinstance(household.place, Place):
        raise InvalidHousehold(hid, "place", household.place, "a Place")
    if not household.place.district:
        raise InvalidHousehold(hid, "place.district", household.place.district, "a non-empty district")
    for name in ("district", "town", "village"):
        value = getattr(household.place, name)
        if not isinstance(value, str) or not valid_text(value, MAX_ID_LENGTH):
            raise InvalidHousehold(hid, f"place.{name}", value, _ID_TEXT)
    if not household.members:
        raise InvalidHousehold(hid, "members", (), "at least one member")
    if len(household.members) > MAX_MEMBERS:
        raise InvalidHousehold(hid, "members", len(household.members), f"at most {MAX_MEMBERS} members")
    seen: set[str] = set()
    for index, member in enumerate(household.members):
        if not isinstance(member, Member):
            raise InvalidHousehold(hid, f"members[{index}]", member, "a Member")
        if not member.id:
            raise InvalidHousehold(hid, f"members[{index}].id", member.id, "a non-empty member id")
        if not isinstance(member.id, str) or not valid_text(member.id, MAX_ID_LENGTH):
            raise InvalidHousehold(hid, f"members[{index}].id", redact(str(member.id)), _ID_TEXT)
        if member.id in seen:
            raise InvalidHousehold(hid, f"members[{index}].id", redact(member.id), "a member id not used twice")
        seen.add(member.id)
        for name, enum_type in (
            ("labour_capacity", LabourCapacity),
            ("health", Health),
            ("schooling", Schooling),
        ):
            if name == "labour_capacity" and member.labour_capacity is None:
                continue  # left blank: read from the age
            if not isinstance(getattr(member, name), enum_type):
                raise InvalidHousehold(
                    hid, f"members[{index}].{name}", getattr(member, name), f"a {enum_type.__name__}"
                )
        if not isinstance(member.birth_date, dt.date) or isinstance(member.birth_date, dt.datetime):
            raise InvalidHousehold(hid, f"members[{index}].birth_date", member.birth_date, "a datetime.date")


def _members(items: Iterable[Member]) -> tuple[Member, ...]:
    if isinstance(items, str | bytes) or not isinstance(items, Iterable):
        raise InvalidHousehold(None, "members", items, "an iterable of Member")
    return tuple(items)


@attrs.frozen(kw_only=True)
class Household:
    """A household: its id, place and members (a tuple, in the order given).

    Raises :class:`~relapse_guard.errors.InvalidHousehold` for an empty id, no members,
    a duplicate member id or a wrongly typed field.
    """

    id: str
    place: Place
    members: tuple[Member, ...] = attrs.field(converter=_members)

    def __attrs_post_init__(self) -> None:
        _check_household(self)

    @property
    def size(self) -> int:
        """Number of members."""
        return len(self.members)

    def member(self, member_id: str) -> Member:
        """The member with ``member_id``; :class:`InvalidHousehold` when there is none."""
        for member in self.members:
            if member.id == member_id:
                return member
        raise InvalidHousehold(self.id, "member_id", redact(member_id), "the id of a member of this household")

    def has_member(self, member_id: str) -> bool:
        """True when a member has ``member_id``."""
        return any(member.id == member_id for member in self.members)

    def has_labour_capacity_on(self, on: dt.date) -> bool:
        """True when at least one member can work (fully or partly) on ``on`` (:meth:`Member.can_work_on`)."""
        return any(member.can_work_on(on) for member in self.members)

    def check_born_by(self, on: dt.date, *, field: str = "members") -> None:
        """Raise :class:`InvalidHousehold` if a member is born after ``on`` (an assessment date)."""
        for index, member in enumerate(self.members):
            if member.birth_date > on:
                raise InvalidHousehold(
                    self.id,
                    f"{field}[{index}].birth_date",
                    member.birth_date.isoformat(),
                    f"a birth date on or before the assessment date {on.isoformat()}",
                )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict that :meth:`from_dict` reads back."""
        return {
            "id": self.id,
            "place": {"district": self.place.district, "town": self.place.town, "village": self.place.village},
            "members": [
                {
                    "id": m.id,
                    "birth_date": m.birth_date.isoformat(),
                    **({} if m.labour_capacity is None else {"labour_capacity": m.labour_capacity.value}),
                    "health": m.health.value,
                    "schooling": m.schooling.value,
                }
                for m in self.members
            ],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Household:
        """Build a household from a plain dict (as :meth:`to_dict` writes), validating every field."""
        hid = data.get("id") if isinstance(data, Mapping) else None
        hid_text = hid if isinstance(hid, str) else None
        if not isinstance(data, Mapping):
            raise InvalidHousehold(None, "household", data, "a mapping")
        if hid is not None and hid_text is None:  # a number: shown as given (it was shown as '')
            raise InvalidHousehold(None, "id", hid, "a string (the household's id, quoted)")
        _known_keys(hid_text, "", data, HOUSEHOLD_KEYS)
        place_data = data.get("place")
        if not isinstance(place_data, Mapping):
            raise InvalidHousehold(hid_text, "place", place_data, "a mapping with district, town, village")
        _known_keys(hid_text, "place.", place_data, PLACE_KEYS)
        place = Place(
            district=_text(hid_text, "place.district", place_data.get("district")),
            town=_text(hid_text, "place.town", place_data.get("town", "")),
            village=_text(hid_text, "place.village", place_data.get("village", "")),
        )
        members_data = data.get("members")
        if not isinstance(members_data, list | tuple):
            raise InvalidHousehold(hid_text, "members", members_data, "a list of members")
        members = [_member_from_dict(hid_text, index, m) for index, m in enumerate(members_data)]
        return cls(id=hid if isinstance(hid, str) else "", place=place, members=tuple(members))


#: The keys of a household's dict, of its place and of a member (as :meth:`Household.to_dict` writes them).
HOUSEHOLD_KEYS = frozenset({"id", "place", "members"})
PLACE_KEYS = frozenset({"district", "town", "village"})
MEMBER_KEYS = frozenset({"id", "birth_date", "labour_capacity", "health", "schooling"})


def _known_keys(hid: str | None, prefix: str, data: Mapping[Any, Any], known: frozenset[str]) -> None:
    """Refuse a key ``data`` has that is not among ``known``: a misspelt ``labour_capcity`` was
    skipped, and the member read as able to work (the default)."""
    if data.keys() <= known or STORED.get():
        return
    key = next(key for key in data if key not in known)
    like = close_names(str(key), sorted(known))
    hint = f" (did you mean {like[0]!r}?)" if like else ""
    raise InvalidHousehold(hid, f"{prefix}{key}", data[key], f"a known field: {', '.join(sorted(known))}{hint}")


def _text(hid: str | None, field: str, value: object) -> str:
    if not isinstance(value, str):
        raise InvalidHousehold(hid, field, value, "a string")
    return value


def _member_from_dict(hid: str | None, index: int, data: object) -> Member:
    if isinstance(data, Mapping):  # the common case, a valid member, checked without building messages
        _known_keys(hid, f"members[{index}].", data, MEMBER_KEYS)
        member_id, birth = data.get("id"), data.get("birth_date")
        try:
            raw = data.get("labour_capacity", _BLANK)
            capacity = None if raw is _BLANK else _CAPACITIES.get(raw, _BLANK)  # blank: read from the age
            health = _HEALTH.get(data.get("health", "healthy"))
            schooling = _SCHOOLING.get(data.get("schooling", "none"))
        except TypeError:  # a value that cannot be a key (a list): the explaining way says which
            capacity, health, schooling = _BLANK, None, None
        if type(member_id) is str and type(birth) is str and capacity is not _BLANK and health and schooling:
            try:
                birth_date = dt.date.fromisoformat(birth)
            except ValueError:
                pass
            else:
                return Member(
                    id=member_id, birth_date=birth_date, labour_capacity=capacity, health=health, schooling=schooling
                )
    return _member_explained(hid, index, data)


def _member_explained(hid: str | None, index: int, data: object) -> Member:
    """:func:`_member_from_dict` the explaining way: the first field at fault raises, named."""
    field = f"members[{index}]"
    if not isinstance(data, Mapping):
        raise InvalidHousehold(hid, field, data, "a mapping")
    member_id = _text(hid, f"{field}.id", data.get("id"))
    birth = data.get("birth_date")
    try:
        birth_date = dt.date.fromisoformat(birth) if isinstance(birth, str) else None
    except ValueError:
        birth_date = None
    if birth_date is None:
        raise InvalidHousehold(hid, f"{field}.birth_date", birth, "an ISO date such as '1980-01-31'")
    values: dict[str, Any] = {}
    for name, enum_type, default in (
        ("labour_capacity", LabourCapacity, None),
        ("health", Health, Health.HEALTHY),
        ("schooling", Schooling, Schooling.NONE),
    ):
        if default is None and name not in data:
            continue  # a labour capacity left blank: read from the age
        raw = data.get(name, None if default is None else default.value)
        try:
            values[name] = enum_type(raw)
        except ValueError:
            choices = ", ".join(repr(e.value) for e in enum_type)
            raise InvalidHousehold(hid, f"{field}.{name}", raw, f"one of {choices}") from None
    return Member(id=member_id, birth_date=birth_date, **values)


# Each enum's members by value, for the fast path (a dict look-up, where ``Enum(value)`` is a call;
# a value that is not a string, or not hashable, is not found and takes the explaining way).
def _by_value(kind: type[enum.Enum]) -> dict[object, Any]:
    return {member.value: member for member in kind}


_CAPACITIES: dict[object, LabourCapacity] = _by_value(LabourCapacity)
#: What the fast path reads for a labour capacity not given, or not one of the enum's values.
_BLANK: Any = object()
_HEALTH: dict[object, Health] = _by_value(Health)
_SCHOOLING: dict[object, Schooling] = _by_value(Schooling)
