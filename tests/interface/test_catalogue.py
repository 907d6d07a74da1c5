"""The interface's catalogue: every message the code can say is in Chinese, with the same fields,
and the committed ``.mo`` says what the ``.po`` says.

The messages are collected from the source as the catalogue's tooling does it (Babel's extractor
over every ``tr``/``ntr`` call, every ``plural(..., lang=...)`` call, every label), so a message
added to the code and not to the catalogue fails here.
"""

from __future__ import annotations

import copy
import io
import string
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import read_mo

from relapse_guard import interface_catalogue
from relapse_guard.i18n import CHINESE, catalogue_path
from relapse_guard.interface import ntr, tr, tr_marked
from relapse_guard.interface_catalogue import (
    compile_mo,
    extract,
    messages_of,
    plural_calls,
    problems,
    read_catalogue,
    read_compiled,
    unmarked_calls,
)
from relapse_guard.labels import LABELS, label

TEMPLATE = extract()
CATALOGUE = read_catalogue()


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def _messages() -> Iterator[Message]:
    for message in TEMPLATE:
        if message.id and message.context is None:
            yield message


def _key(message: Message) -> str:
    return message.id[0] if isinstance(message.id, tuple | list) else str(message.id)


MESSAGES = sorted(_messages(), key=_key)


def test_the_code_has_messages_of_every_sort() -> None:
    assert len(MESSAGES) > 150
    assert any(isinstance(message.id, tuple) for message in MESSAGES)  # plurals
    assert len(plural_calls()) > 10
    assert "Households by state and place" in {_key(message) for message in MESSAGES}


@pytest.mark.parametrize("message", MESSAGES, ids=_key)
def test_every_message_renders_in_both_languages_with_the_same_fields(message: Message) -> None:
    if isinstance(message.id, tuple):
        singular, many = message.id
        fields = _fields(singular) | _fields(many)
        values = {name: f"<{name}>" for name in fields - {"count"}}
        for count in (1, 2):
            english = ntr("en", singular, many, count, **values)
            chinese = ntr(CHINESE, singular, many, count, **values)
            assert chinese != english
        translated = CATALOGUE[singular]
        assert translated is not None
        forms = translated.string
        assert isinstance(forms, tuple)
        for form in forms:
            assert _fields(form) == _fields(many), form
        return
    msgid = _key(message)
    values = {name: f"<{name}>" for name in _fields(msgid)}
    english = tr("en", msgid, **values)
    chinese = tr(CHINESE, msgid, **values)
    assert chinese != english
    translated = CATALOGUE[msgid]
    assert translated is not None
    assert isinstance(translated.string, str)
    assert _fields(translated.string) == _fields(msgid), translated.string
    for value in values.values():
        assert value in chinese  # every value still shown


@pytest.mark.parametrize("kind", list(LABELS))
def test_every_label_is_said_in_chinese(kind: str) -> None:
    for name in LABELS[kind]:  # type: ignore[index]
        assert label(kind, name, "en") == name  # type: ignore[arg-type]
        chinese = label(kind, name, CHINESE)  # type: ignore[arg-type]
        assert chinese != name
        assert any("\u4e00" <= character <= "\u9fff" for character in chinese), chinese


def test_the_catalogue_has_every_message_of_the_code_and_no_other() -> None:
    assert problems() == []


def test_every_marked_message_is_a_literal() -> None:
    assert unmarked_calls() == []


def test_the_committed_mo_is_the_po_compiled() -> None:
    compiled = compile_mo(read_catalogue())
    assert messages_of(read_mo(io.BytesIO(compiled))) == messages_of(read_compiled())
    assert catalogue_path("interface", CHINESE, ".mo").read_bytes() == compiled


@pytest.fixture
def code_read_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """problems() with the code's messages as this module read them (TEMPLATE), its calls all
    literals: reading the source takes seconds, and the tests above read it afresh."""
    monkeypatch.setattr(interface_catalogue, "unmarked_calls", list)
    monkeypatch.setattr(interface_catalogue, "extract", lambda: TEMPLATE)


@pytest.mark.usefixtures("code_read_once")
def test_a_message_missing_from_the_catalogue_is_found(monkeypatch: pytest.MonkeyPatch) -> None:
    def more() -> Catalog:
        template = copy.deepcopy(TEMPLATE)
        template.add("a message nobody translated")
        return template

    monkeypatch.setattr(interface_catalogue, "extract", more)
    assert problems() == ["missing or untranslated: ('a message nobody translated', None)"]


@pytest.mark.usefixtures("code_read_once")
def test_a_stale_mo_is_found(monkeypatch: pytest.MonkeyPatch) -> None:
    def stale(language: str = CHINESE) -> Catalog:
        catalogue = read_catalogue(language)
        catalogue["Money"].string = "钱"
        return catalogue

    monkeypatch.setattr(interface_catalogue, "read_compiled", stale)
    assert problems() == ["interface.mo does not say what interface.po says: compile it"]


@pytest.mark.usefixtures("code_read_once")
def test_a_message_the_code_no_longer_says_is_found(monkeypatch: pytest.MonkeyPatch) -> None:
    def fewer() -> Catalog:
        template = copy.deepcopy(TEMPLATE)
        template.delete("Money")
        return template

    monkeypatch.setattr(interface_catalogue, "extract", fewer)
    assert problems() == ["no longer in the code: ('Money', None)"]


def test_a_message_marked_elsewhere_is_said_later() -> None:
    story = "exits in 2015, three years of transition, stable from 2019"
    assert tr_marked("en", story) == story
    assert tr_marked(CHINESE, story) == "2015年脱贫，三年过渡期，2019年起稳定脱贫"


GLOSSARY = (Path(__file__).resolve().parents[2] / "docs" / "glossary.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("kind", list(LABELS))
def test_the_glossary_gives_every_label_as_the_catalogue_says_it(kind: str) -> None:
    rows = [line for line in GLOSSARY.splitlines() if line.startswith("| ")]
    for name in LABELS[kind]:  # type: ignore[index]
        chinese = label(kind, name, CHINESE)  # type: ignore[arg-type]
        assert any(f"`{name}`" in row and f"| {chinese} |" in row for row in rows), (kind, name, chinese)
