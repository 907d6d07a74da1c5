"""The vocabulary of hazard kinds: every name maps to its kind, no text to two, and the Chinese
catalogue and the glossary say each kind by its Chinese name."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from relapse_guard.errors import WrongType
from relapse_guard.hazards import HazardKind, hazard_kind, normalised, same_hazard
from relapse_guard.i18n import CHINESE
from relapse_guard.messages import Term
from relapse_guard.population.synthetic_draws import HAZARDS

GLOSSARY = Path(__file__).resolve().parents[1] / "docs" / "glossary.md"

NAMES = [(kind, name) for kind in HazardKind for name in kind.names]

#: Names of two hazards, or of a hazard of two kinds: mapped to none.
AMBIGUOUS = ("风雹", "storm", "冰冻", "冻雨", "塌方", "森林火灾", "地面沉降", "ground subsidence", "accident", "cold")


def _full_width(text: str) -> str:
    """``text`` with its ASCII letters, digits and signs full-width and its spaces ideographic."""
    return "".join(
        "\N{IDEOGRAPHIC SPACE}" if c == " " else chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text
    )


@st.composite
def worded(draw: st.DrawFn, name: str) -> str:
    """``name`` as a channel may write it: in any case, half or full width, with ``_`` or ``-``
    for its spaces, spaces around."""
    cased = "".join(c.upper() if draw(st.booleans()) else c for c in name)
    joined = cased.replace(" ", draw(st.sampled_from([" ", "_", "-", "  "])))
    if draw(st.booleans()):
        joined = _full_width(joined)
    pad = st.sampled_from(["", " ", "\t", "\N{IDEOGRAPHIC SPACE}"])
    return draw(pad) + joined + draw(pad)


@pytest.mark.parametrize(("kind", "name"), NAMES, ids=[f"{kind.value}:{name}" for kind, name in NAMES])
def test_every_name_maps_to_its_kind(kind: HazardKind, name: str) -> None:
    assert hazard_kind(name) is kind


def test_no_name_is_given_to_two_kinds() -> None:
    owners: dict[str, set[HazardKind]] = {}
    for kind, name in NAMES:
        owners.setdefault(normalised(name), set()).add(kind)
    assert {name: kinds for name, kinds in owners.items() if len(kinds) > 1} == {}


def test_the_kinds_are_those_of_the_classification_and_the_house_fire() -> None:
    assert [kind.chinese for kind in HazardKind] == [
        "干旱",
        "洪涝",
        "台风",
        "暴雨",
        "大风",
        "冰雹",
        "雷电",
        "低温冷冻",
        "雪灾",
        "地震",
        "崩塌",
        "滑坡",
        "泥石流",
        "地面塌陷",
        "火灾",
    ]
    assert HazardKind.FLOOD.names[:3] == ("flood", "flood", "洪涝")
    assert HazardKind.STRONG_WIND.english == "strong wind"


@pytest.mark.parametrize("text", AMBIGUOUS)
def test_names_of_two_hazards_or_two_kinds_map_to_none(text: str) -> None:
    assert hazard_kind(text) is None


@given(data=st.data(), named=st.sampled_from(NAMES))
def test_a_name_in_any_case_width_or_spacing_maps_to_its_kind(
    data: st.DataObject, named: tuple[HazardKind, str]
) -> None:
    kind, name = named
    text = data.draw(worded(name))
    assert hazard_kind(text) is kind, text


@given(text=st.text(max_size=12))
def test_a_text_maps_to_the_kind_of_a_name_it_equals_or_to_none(text: str) -> None:
    kind = hazard_kind(text)
    if kind is None:
        assert all(normalised(name) != normalised(text) for _, name in NAMES)
    else:
        assert normalised(text) in {normalised(name) for name in kind.names}


@given(first=st.one_of(st.sampled_from([name for _, name in NAMES]), st.text(max_size=8)), other=st.text(max_size=8))
def test_one_hazard_is_a_symmetric_relation(first: str, other: str) -> None:
    assert same_hazard(first, other) is same_hazard(other, first)
    assert same_hazard(first, first)


def test_two_texts_are_one_hazard_by_kind_or_by_text_of_no_kind() -> None:
    assert same_hazard("flood", "洪灾")
    assert same_hazard("洪涝", _full_width("FLOOD"))  # full width, as department data may write it
    assert not same_hazard("flood", "landslide")
    assert not same_hazard("暴雨", "洪涝")  # a rainstorm and the flood it brought: two kinds
    assert same_hazard("风雹", " 风雹 ")
    assert not same_hazard("风雹", "冰雹")
    assert not same_hazard("storm", "flood")


def test_a_hazard_that_is_not_text_is_refused() -> None:
    with pytest.raises(WrongType, match="a hazard must be text"):
        hazard_kind(3)  # type: ignore[arg-type]


def test_the_chinese_catalogue_says_each_kind_by_its_chinese_name() -> None:
    for kind in HazardKind:
        assert Term(kind.value).render(CHINESE) == kind.chinese
        assert Term(kind.value).render() == kind.value


def test_the_glossary_lists_each_kind_with_every_name() -> None:
    text = GLOSSARY.read_text(encoding="utf-8")
    section = text.split("## Hazard kinds (`hazard`)", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        found = re.fullmatch(r"\| `(\w+)` \| ([^|]+) \| ([^|]+) \| [^|]+ \| ([^|]+) \|", line)
        if found:
            code, english, chinese, others = found.groups()
            rows[code] = (english, chinese, tuple(others.split(", ")))
    assert rows == {kind.value: (kind.english, kind.chinese, kind.names[3:]) for kind in HazardKind}


def test_the_generator_draws_hazards_of_a_kind_by_their_codes() -> None:
    assert HAZARDS.values
    for hazard in HAZARDS.values:
        kind = hazard_kind(hazard)
        assert kind is not None, hazard
        assert kind.value == hazard
