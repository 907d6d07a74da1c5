"""The interface's catalogue, kept in step with the code: extract its messages, update the ``.po``, compile the ``.mo``.

For maintainers; needs Babel (the ``dev`` and ``test`` extras)::

    python -m relapse_guard.interface_catalogue update   # new messages into interface.po (untranslated)
    python -m relapse_guard.interface_catalogue compile  # interface.po -> interface.mo (committed, shipped)
    python -m relapse_guard.interface_catalogue check    # exit 1 when a message is missing or the .mo is stale

The messages of the interface are, together (:func:`extract`):

- every :func:`~relapse_guard.interface.tr` and :func:`~relapse_guard.interface.ntr` call of
  the package's source, found by Babel's Python extractor and by reading the source's syntax
  tree (which also finds a call inside an f-string, where Babel does not look); their message
  arguments must be plain string literals (:func:`unmarked_calls` finds those that are not);
- every :func:`~relapse_guard.text.plural` call given a ``lang``, as the pair
  ``"{count} WORD"`` / ``"{count} MANY"`` it looks up;
- every label of :data:`relapse_guard.labels.LABELS`, under the context of its kind.
"""

from __future__ import annotations

import ast
import contextlib
import datetime as dt
import io
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po, write_po

from .i18n import CHINESE, catalogue_path
from .interface import DOMAIN, KEYWORDS
from .labels import LABELS

__all__ = [
    "PACKAGE",
    "compile_mo",
    "extract",
    "main",
    "marked_calls",
    "messages_of",
    "plural_calls",
    "read_catalogue",
    "read_compiled",
    "unmarked_calls",
    "update",
]

#: The package whose source is searched for messages.
PACKAGE = Path(__file__).resolve().parent
# A fixed date for a catalogue made anew: the files change only when their messages do.
_CREATED = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
_PROJECT = "relapse_guard"
_HEADER = """\
# The words of relapse_guard's interface (the command line, the demo, the reports) in Simplified Chinese.
# Made and kept in step by: python -m relapse_guard.interface_catalogue update
# Terms as in docs/glossary.md.
#"""

Key = tuple[str, str | None]  # (msgid, msgctxt)


def _sources() -> Iterator[Path]:
    return (path for path in sorted(PACKAGE.rglob("*.py")) if "__pycache__" not in path.parts)


def _calls(name: str) -> Iterator[tuple[Path, ast.Call]]:
    """Every call of a function or method named ``name`` in the package's source."""
    for path in _sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if isinstance(node, ast.Call):
                func = node.func
                called = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
                if called == name:
                    yield path, node


def _literal(node: ast.expr) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def unmarked_calls() -> list[str]:
    """``file:line`` of each ``tr``/``ntr`` call whose message is not a plain string literal
    (an f-string, a name): its message could not be extracted, so it is never translated."""
    found = []
    for name, spec in KEYWORDS.items():
        for path, call in _calls(name):
            arguments = call.args
            if len(arguments) < max(spec) or any(_literal(arguments[index - 1]) is None for index in spec):
                found.append(f"{path.relative_to(PACKAGE.parent)}:{call.lineno}")
    return found


def marked_calls() -> list[tuple[str, str | tuple[str, str]]]:
    """``(file:line, message)`` of each ``tr``/``ntr`` call whose message is a string literal
    (a plural message as its singular and plural), read from the syntax tree."""
    found: list[tuple[str, str | tuple[str, str]]] = []
    for name, spec in KEYWORDS.items():
        for path, call in _calls(name):
            words = [_literal(call.args[index - 1]) if index <= len(call.args) else None for index in spec]
            where = f"{path.relative_to(PACKAGE.parent)}:{call.lineno}"
            if len(words) == 1 and words[0] is not None:
                found.append((where, words[0]))
            elif len(words) == 2 and words[0] is not None and words[1] is not None:
                found.append((where, (words[0], words[1])))
    return found


def plural_calls() -> list[tuple[str, str, str]]:
    """``(file:line, "{count} WORD", "{count} MANY")`` for each ``plural(...)`` call given a ``lang``.

    Raises :class:`ValueError` for such a call whose word (or plural) is not a string literal.
    """
    found = []
    for path, call in _calls("plural"):
        if not any(keyword.arg == "lang" for keyword in call.keywords):
            continue
        where = f"{path.relative_to(PACKAGE.parent)}:{call.lineno}"
        words = [_literal(argument) for argument in call.args[1:3]]
        many_keyword = [keyword.value for keyword in call.keywords if keyword.arg == "many"]
        words += [_literal(value) for value in many_keyword]
        word = words[0] if words else None
        many = words[1] if len(words) > 1 else (word + "s" if word is not None else None)
        if word is None or many is None:
            raise ValueError(f"{where}: plural(..., lang=...) needs its word (and plural) as string literals")
        found.append((where, f"{{count}} {word}", f"{{count}} {many}"))
    return found


def extract() -> Catalog:
    """The interface's messages as the code has them now: a template (no translations)."""
    template = Catalog(project=_PROJECT, domain=DOMAIN, creation_date=_CREATED, fuzzy=False)
    # Babel warns of each f-string passed to a marked call, a value as much as a message;
    # unmarked_calls() finds the messages that are not literals
    with contextlib.redirect_stderr(io.StringIO()):
        found = list(
            extract_from_dir(PACKAGE, [("**.py", "python")], keywords=KEYWORDS, comment_tags=("TRANSLATORS:",))
        )
    for filename, lineno, message, comments, context in found:
        template.add(
            message, locations=[(f"relapse_guard/{filename}", lineno)], auto_comments=comments, context=context
        )
    for where, message in marked_calls():
        file, _, line = where.rpartition(":")
        template.add(message, locations=[(file, int(line))])
    for where, singular, many in plural_calls():
        file, _, line = where.rpartition(":")
        template.add((singular, many), locations=[(file, int(line))])
    for kind, names in LABELS.items():
        for name in names:
            template.add(name, locations=[("relapse_guard/labels.py", 0)], context=kind)
    return template


def read_catalogue(language: str = CHINESE) -> Catalog:
    """The committed ``interface.po`` of ``language``."""
    with catalogue_path(DOMAIN, language, ".po").open("rb") as file:
        return read_po(file, locale=language.replace("-", "_"), domain=DOMAIN)


def read_compiled(language: str = CHINESE) -> Catalog:
    """The committed ``interface.mo`` of ``language``, read back as a catalogue."""
    with catalogue_path(DOMAIN, language, ".mo").open("rb") as file:
        return read_mo(file)


def compile_mo(catalogue: Catalog) -> bytes:
    """``catalogue`` compiled to a ``.mo`` file's bytes (fuzzy entries left out, as gettext does)."""
    buffer = io.BytesIO()
    write_mo(buffer, catalogue, use_fuzzy=False)
    return buffer.getvalue()


def messages_of(catalogue: Catalog) -> dict[Key, str | tuple[str, ...]]:
    """``{(msgid, msgctxt): translation}`` of every translated, non-fuzzy message (the header left out).

    A plural message is keyed by its singular, its translation a tuple of the forms.
    """
    out: dict[Key, str | tuple[str, ...]] = {}
    for message in catalogue:
        if not message.id or message.fuzzy or not _translated(message):
            continue
        key = message.id[0] if isinstance(message.id, tuple | list) else message.id
        string = message.string
        out[(key, message.context)] = tuple(string) if isinstance(string, tuple | list) else str(string)
    return out


def _translated(message: Message) -> bool:
    strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
    return all(strings)


def _write_po(catalogue: Catalog, path: Path) -> None:
    buffer = io.BytesIO()
    write_po(buffer, catalogue, width=100, ignore_obsolete=True, include_lineno=False, sort_output=True)
    path.write_bytes(buffer.getvalue())


def update(language: str = CHINESE) -> Catalog:
    """Bring ``interface.po`` in step with the code (new messages untranslated, gone ones dropped),
    write it back and compile the ``.mo``; return the catalogue."""
    po_path = catalogue_path(DOMAIN, language, ".po")
    template = extract()
    if po_path.exists():
        catalogue = read_catalogue(language)
        catalogue.update(template, no_fuzzy_matching=True, update_creation_date=False)
    else:
        catalogue = Catalog(
            locale=language.replace("-", "_"),
            domain=DOMAIN,
            header_comment=_HEADER,
            project=_PROJECT,
            version="0",
            copyright_holder="relapse_guard maintainers",
            msgid_bugs_address="relapse_guard maintainers",
            creation_date=_CREATED,
            revision_date=_CREATED,
            language_team="relapse_guard maintainers",
            last_translator="relapse_guard maintainers",
            fuzzy=False,
        )
        catalogue.update(template, no_fuzzy_matching=True, update_creation_date=False)
    po_path.parent.mkdir(parents=True, exist_ok=True)
    _write_po(catalogue, po_path)
    catalogue_path(DOMAIN, language, ".mo").write_bytes(compile_mo(read_catalogue(language)))
    return catalogue


def problems(language: str = CHINESE) -> list[str]:
    """What is wrong with the committed catalogue of ``language``: messages of the code it lacks
    or leaves untranslated, messages it has that the code no longer says, a ``.mo`` that does not
    say what the ``.po`` says, calls whose message cannot be extracted. Empty when all is well."""
    found = [f"{where}: message not a string literal" for where in unmarked_calls()]
    wanted = {
        (message.id[0] if isinstance(message.id, tuple) else message.id, message.context) for message in extract()
    }
    wanted.discard(("", None))
    catalogue = read_catalogue(language)
    have = messages_of(catalogue)
    found += [f"missing or untranslated: {key!r}" for key in sorted(wanted - set(have), key=repr)]
    found += [f"no longer in the code: {key!r}" for key in sorted(set(have) - wanted, key=repr)]
    if messages_of(read_compiled(language)) != have:
        found.append("interface.mo does not say what interface.po says: compile it")
    return found


def main(argv: Sequence[str] | None = None) -> int:
    """``update``, ``compile`` or ``check`` the interface's Chinese catalogue."""
    command = (list(sys.argv[1:] if argv is None else argv) or ["check"])[0]
    if command == "update":
        catalogue = update()
        untranslated = [message.id for message in catalogue if message.id and not _translated(message)]
        print(f"{catalogue_path(DOMAIN, CHINESE, '.po')}: {len(untranslated)} untranslated")
        return 0
    if command == "compile":
        catalogue_path(DOMAIN, CHINESE, ".mo").write_bytes(compile_mo(read_catalogue()))
        return 0
    if command == "check":
        found = problems()
        for line in found:
            print(line)
        return 1 if found else 0
    print("usage: python -m relapse_guard.interface_catalogue update|compile|check", file=sys.stderr)
    return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
