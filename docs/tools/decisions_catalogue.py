"""Keep the Chinese catalogue of decisions in step with the keys and terms the library registers.

    python docs/tools/decisions_catalogue.py          # update decisions.po, compile decisions.mo
    python docs/tools/decisions_catalogue.py --check  # exit 1 if either is out of date

Reads every message key and term registered in :mod:`relapse_guard.message_keys` (the
registry of :mod:`relapse_guard.messages`), merges them into
``src/relapse_guard/locale/zh_CN/LC_MESSAGES/decisions.po`` — a new key gets an empty
translation to fill in, a key no longer registered is dropped, the translations made are kept
— with comments for the translator (the key's placeholders, the margin it states, the term's
group), then compiles ``decisions.mo`` next to it with Babel (the ``dev`` extra). Both files
are committed: the wheel ships the ``.mo``. The test suite checks that every key and term has
a translation and that the ``.mo`` is the ``.po`` compiled.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from relapse_guard import message_keys  # noqa: F401  (registers the library's keys and terms)
from relapse_guard.i18n import catalogue_path
from relapse_guard.messages import registered_keys, registered_terms

HEADER = """\
# Simplified Chinese translations of relapse_guard's decisions (domain "decisions").
# Each msgid is a message key: English with {name} placeholders, or a term (a state, a risk
# kind, an intervention...). Keep every placeholder of a key in its translation.
# Made with docs/tools/decisions_catalogue.py from the keys the library registers.
#"""


def wanted() -> list[tuple[str, list[str], list[str]]]:
    """(msgid, comments for the translator, flags) of every registered key, then every term."""
    entries: list[tuple[str, list[str], list[str]]] = []
    for key, spec in registered_keys().items():
        comments = []
        if spec.names:
            comments.append("placeholders: " + ", ".join("{" + name + "}" for name in spec.names))
        for margin in spec.margins:
            comments.append(f"states a margin: {{{margin.value}}} against {{{margin.threshold}}} ({margin.against})")
        if spec.note:
            comments.append(spec.note)
        entries.append((key, comments, ["python-brace-format"] if spec.names else []))
    keys = {key for key, _, _ in entries}
    for term, group in registered_terms().items():
        if term not in keys:
            entries.append((term, [f"term: {group}"], []))
    return entries


def merged(existing: Catalog | None) -> Catalog:
    """A catalogue of the registered msgids, with the translations ``existing`` has."""
    today = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    catalog = Catalog(
        locale="zh_CN",
        domain="decisions",
        header_comment=HEADER,
        project="relapse_guard",
        version="0.1.0",
        creation_date=existing.creation_date if existing is not None else today,
        revision_date=existing.revision_date if existing is not None else today,
        language_team="zh_CN",
        charset="utf-8",
        fuzzy=False,
    )
    for msgid, comments, flags in wanted():
        old = existing.get(msgid) if existing is not None else None
        string = old.string if old is not None and isinstance(old.string, str) else ""
        catalog.add(msgid, string, auto_comments=comments, flags=flags)
    return catalog


def po_text(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_po(out, catalog, width=0, no_location=True, ignore_obsolete=True, include_lineno=False)
    return out.getvalue()


def mo_bytes(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_mo(out, catalog)
    return out.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if a file is out of date")
    args = parser.parse_args()
    po_path, mo_path = catalogue_path("decisions", "zh-CN", ".po"), catalogue_path("decisions", "zh-CN", ".mo")
    existing = None
    if po_path.exists():
        with po_path.open("rb") as file:
            existing = read_po(file, locale="zh_CN", domain="decisions")
    catalog = merged(existing)
    po, mo = po_text(catalog), mo_bytes(catalog)
    missing = [message.id for message in catalog if message.id and not message.string]
    if args.check:
        stale = [path.name for path, data in ((po_path, po), (mo_path, mo)) if not _same(path, data)]
        for name in stale:
            print(f"{name} is out of date: run python docs/tools/decisions_catalogue.py", file=sys.stderr)
        for msgid in missing:
            print(f"no translation of {msgid!r}", file=sys.stderr)
        return 1 if stale or missing else 0
    po_path.parent.mkdir(parents=True, exist_ok=True)
    po_path.write_bytes(po)
    mo_path.write_bytes(mo)
    print(f"{po_path}: {len(catalog) - 1} messages, {len(missing)} to translate; {mo_path.name} compiled")
    return 0


def _same(path: Path, data: bytes) -> bool:
    return path.exists() and path.read_bytes() == data


if __name__ == "__main__":
    sys.exit(main())
