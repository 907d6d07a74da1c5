r"""The kinds of hazard a disaster report names, whatever words a channel reports it in.

Channels word one hazard differently: the household declares a ``flood``, the department's data
say ``洪灾`` or ``洪涝``. :class:`HazardKind` is the small vocabulary that tells them apart, and
:func:`hazard_kind` the kind a reported text names, or None when the text names none of them.

The kinds follow China's classification of natural disasters, GB/T 28921-2012 (自然灾害分类与代码):
its meteorological and hydrological disasters (drought, flood, typhoon, rainstorm, strong wind,
hail, lightning, low temperature, snow) and its geological and seismic ones (earthquake, collapse,
landslide, debris flow, ground collapse), and the house fire, which relief practice treats with
them. Each kind has its English name, its Chinese name (GB/T 28921's without the 灾害 it ends
with, or the emergency-management statistics' where they say it shorter: 低温冷冻, 雪灾) and the
other names it is commonly reported by.

Only names that denote one kind and no other are mapped; a text naming two hazards, or a hazard
of two kinds, maps to none: ``风雹`` (wind and hail, one heading of the emergency-management
statistics), ``storm`` (wind, rain or typhoon), ``冰冻`` (freezing: low temperature or ice and
snow), ``塌方`` (a cave-in: collapse or landslide), ``森林火灾`` (a forest fire: a natural disaster of
its own in GB/T 28921, not the house fire), ``地面沉降`` (ground subsidence, the slow sinking of the ground:
a GB/T 28921 kind apart from the ground collapse, 地面塌陷), ``accident``. A text is compared
after :func:`normalised`: full-width characters as their half-width forms, no case, ``_`` and
``-`` as spaces, spaces collapsed.

>>> hazard_kind("洪灾"), hazard_kind(" Flood "), hazard_kind("\N{FULLWIDTH LATIN CAPITAL LETTER F}LOOD")
(<HazardKind.FLOOD: 'flood'>, <HazardKind.FLOOD: 'flood'>, <HazardKind.FLOOD: 'flood'>)
>>> HazardKind.FLOOD.chinese, HazardKind.DEBRIS_FLOW.english
('洪涝', 'debris flow')
>>> hazard_kind("风雹") is None
True
"""

from __future__ import annotations

import enum
import functools
import unicodedata
from collections.abc import Mapping
from typing import Final, NamedTuple

from .errors import WrongType

__all__ = ["HazardKind", "hazard_kind", "normalised", "same_hazard"]


class HazardKind(enum.Enum):
    """A kind of hazard, by its code (the value; what a risk's evidence names it by)."""

    # GB/T 28921-2012, meteorological and hydrological disasters (气象水文灾害)
    DROUGHT = "drought"
    FLOOD = "flood"
    TYPHOON = "typhoon"
    RAINSTORM = "rainstorm"
    STRONG_WIND = "strong_wind"
    HAIL = "hail"
    LIGHTNING = "lightning"
    LOW_TEMPERATURE = "low_temperature"
    SNOW = "snow"
    # GB/T 28921-2012, geological and seismic disasters (地质地震灾害)
    EARTHQUAKE = "earthquake"
    COLLAPSE = "collapse"
    LANDSLIDE = "landslide"
    DEBRIS_FLOW = "debris_flow"
    GROUND_COLLAPSE = "ground_collapse"
    # relief practice: the house fire, treated with the natural disasters
    FIRE = "fire"

    @property
    def english(self) -> str:
        """The kind's English name (``debris flow``)."""
        return _NAMES[self].english

    @property
    def chinese(self) -> str:
        """The kind's Chinese name (``泥石流``), as the Chinese catalogue says the kind."""
        return _NAMES[self].chinese

    @property
    def names(self) -> tuple[str, ...]:
        """Every name the kind is reported by: its code, its English and Chinese names and the
        common variants, each as written here (:func:`hazard_kind` compares them normalised)."""
        names = _NAMES[self]
        return (self.value, names.english, names.chinese, *names.variants)


class _Names(NamedTuple):
    english: str
    chinese: str
    variants: tuple[str, ...]


_NAMES: Final[Mapping[HazardKind, _Names]] = {
    HazardKind.DROUGHT: _Names("drought", "干旱", ("droughts", "旱灾", "干旱灾害", "旱情")),
    HazardKind.FLOOD: _Names(
        "flood",
        "洪涝",
        ("floods", "flooding", "flash flood", "洪涝灾害", "洪灾", "洪水", "水灾", "山洪", "涝灾"),
    ),
    HazardKind.TYPHOON: _Names("typhoon", "台风", ("typhoons", "tropical cyclone", "台风灾害", "热带气旋")),
    HazardKind.RAINSTORM: _Names(
        "rainstorm", "暴雨", ("rainstorms", "heavy rain", "torrential rain", "暴雨灾害", "大暴雨", "特大暴雨")
    ),
    HazardKind.STRONG_WIND: _Names(
        "strong wind", "大风", ("strong winds", "gale", "gales", "high wind", "high winds", "大风灾害", "风灾")
    ),
    HazardKind.HAIL: _Names("hail", "冰雹", ("hailstorm", "hailstorms", "冰雹灾害", "雹灾")),
    HazardKind.LIGHTNING: _Names("lightning", "雷电", ("lightning strike", "雷电灾害", "雷击")),
    HazardKind.LOW_TEMPERATURE: _Names(
        "low temperature",
        "低温冷冻",
        ("frost", "cold wave", "cold snap", "低温", "低温灾害", "低温冷冻灾害", "冻灾", "冻害", "霜冻", "寒潮"),
    ),
    HazardKind.SNOW: _Names(
        "snow",
        "雪灾",
        ("snow disaster", "snowstorm", "snowstorms", "blizzard", "heavy snow", "冰雪灾害", "暴雪", "暴风雪"),
    ),
    HazardKind.EARTHQUAKE: _Names("earthquake", "地震", ("earthquakes", "quake", "地震灾害")),
    HazardKind.COLLAPSE: _Names("collapse", "崩塌", ("rockfall", "rock fall", "崩塌灾害", "危岩崩塌")),
    HazardKind.LANDSLIDE: _Names("landslide", "滑坡", ("landslides", "landslip", "山体滑坡", "滑坡灾害")),
    HazardKind.DEBRIS_FLOW: _Names("debris flow", "泥石流", ("debris flows", "泥石流灾害")),
    HazardKind.GROUND_COLLAPSE: _Names("ground collapse", "地面塌陷", ("sinkhole", "地面塌陷灾害", "岩溶塌陷")),
    HazardKind.FIRE: _Names("fire", "火灾", ("fires", "house fire", "房屋火灾", "失火")),
}


def normalised(text: str) -> str:
    r"""``text`` as hazards are compared: full-width characters as their half-width forms
    (NFKC), no case, ``_`` and ``-`` as spaces, runs of spaces as one, none around.

    >>> normalised(" \N{FULLWIDTH LATIN CAPITAL LETTER D}ebris_FLOW\N{IDEOGRAPHIC SPACE}")
    'debris flow'
    """
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
    return " ".join(folded.replace("_", " ").replace("-", " ").split())


def _index() -> dict[str, HazardKind]:
    """Each normalised name and its kind; a name of two kinds is a mistake in the table."""
    index: dict[str, HazardKind] = {}
    for kind in HazardKind:
        for name in kind.names:
            known = index.setdefault(normalised(name), kind)
            if known is not kind:
                raise ValueError(f"hazard name {name!r} is given to both {known.value} and {kind.value}")
    return index


_INDEX: Final[Mapping[str, HazardKind]] = _index()


@functools.lru_cache(maxsize=256)
def _kind(text: str) -> HazardKind | None:
    return _INDEX.get(normalised(text))


def hazard_kind(text: str) -> HazardKind | None:
    """The kind of hazard ``text`` names (a disaster report's ``hazard``), or None when it names
    none of :class:`HazardKind` (or more than one).

    Raises :class:`~relapse_guard.errors.WrongType` when ``text`` is not text.
    """
    if not isinstance(text, str):
        raise WrongType(f"a hazard must be text (str), not {type(text).__name__} {text!r}")
    return _kind(text)


def same_hazard(first: str, other: str) -> bool:
    """True when two reports' hazards are one: their texts name one kind, or, for texts of no
    kind, they are the same text but for case and the spaces around it.

    >>> same_hazard("flood", "洪灾"), same_hazard("flood", "landslide"), same_hazard("my hazard", " My Hazard ")
    (True, False, True)
    """
    kind = hazard_kind(first)
    if kind is not None and hazard_kind(other) is kind:
        return True
    return first.strip().casefold() == other.strip().casefold()
