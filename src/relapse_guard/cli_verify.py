"""``relapse-guard verify STORE``: check a SQLite store's hash chains, for auditors.

:func:`run_verify` opens an existing store, runs :meth:`~relapse_guard.store.SQLiteStore.verify`
(with the heads of an anchor file, when given) and prints what it found: the store intact with
its counts and heads, or each problem. The anchor file is the JSON of
:meth:`~relapse_guard.store.StoreHeads.to_dict`, which :func:`write_anchor` writes and
:func:`read_anchor` reads back.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from .errors import InvalidAnchor, StoreError
from .interface import ntr, tr
from .store import ChainHead, StoreHeads, VerificationReport
from .writable import check_file_place

__all__ = [
    "OUTPUT_FORMATS",
    "read_anchor",
    "report_lines",
    "report_to_dict",
    "run_verify",
    "verify_store",
    "write_anchor",
]

#: What ``relapse-guard verify --format`` can print.
OUTPUT_FORMATS = ("text", "json")
#: Characters of a head's hash shown in the text summary (the anchor file keeps them all).
_SHOWN = 16


def read_anchor(path: str) -> StoreHeads:
    """The heads kept in the anchor file at ``path`` (as :func:`write_anchor` writes them).

    Raises :class:`~relapse_guard.errors.InvalidAnchor` naming the file, the field and its value
    for a file that is not JSON or not the heads, and :class:`OSError` for a file that cannot be read.
    """
    data = Path(path).read_bytes()
    try:
        document = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise InvalidAnchor("", data[:80], f"a JSON file in UTF-8 ({error.reason})", source=path) from None
    except json.JSONDecodeError as error:
        text = data.decode("utf-8")
        raise InvalidAnchor(
            "", text[:80], f"JSON ({error.msg} at line {error.lineno} column {error.colno})", source=path
        ) from None
    return StoreHeads.from_dict(document, source=path)


def write_anchor(path: str, heads: StoreHeads) -> None:
    """Write ``heads`` to the anchor file at ``path`` as JSON, replacing the file whole (a file
    half written is never left in its place)."""
    target = Path(path)
    text = json.dumps(heads.to_dict(), indent=2) + "\n"
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def verify_store(path: str, anchor: StoreHeads | None = None) -> VerificationReport:
    """Verify the SQLite store at ``path`` (against ``anchor``, when given), opened read-only.

    The file must exist and hold a store of this library's schema: a missing file, an empty
    one or one of an older schema raises :class:`~relapse_guard.errors.StoreError`, and nothing
    is created or migrated.
    """
    from .store import SQLiteStore

    if not Path(path).is_file():
        raise StoreError(f"no store file at {path}")
    with SQLiteStore(path, read_only=True) as store:
        return store.verify(anchor=anchor)


def _head(count: str, head: ChainHead, lang: str) -> str:
    return tr(lang, "  {count}, head #{sequence} {hash}", count=count, sequence=head.sequence, hash=head.hash[:_SHOWN])


def report_lines(report: VerificationReport, store: str, *, anchor: str | None = None, lang: str = "en") -> list[str]:
    """The text summary of ``report`` in ``lang``: intact or not, the three chains' counts and
    heads, then each problem as the store names it (``anchor`` is the anchor file's path, if one
    was given).

    >>> from relapse_guard.store import VerificationReport
    >>> report_lines(VerificationReport(entries=0, head=ChainHead()), "store.db")[:2]
    ['store.db: intact', '  0 facts, head #0 0000000000000000']
    """
    if report.ok:
        lines = [tr(lang, "{store}: intact", store=store)]
    else:
        problems = len(report.problems)
        lines = [
            ntr(
                lang,
                "{store}: NOT intact, {count} problem",
                "{store}: NOT intact, {count} problems",
                problems,
                store=store,
            )
        ]
    lines += [
        _head(ntr(lang, "{count} fact", "{count} facts", report.facts), report.fact_head, lang),
        _head(ntr(lang, "{count} decision", "{count} decisions", report.entries), report.head, lang),
        _head(
            ntr(lang, "{count} checkpoint entry", "{count} checkpoint entries", report.checkpoints),
            report.checkpoint_head,
            lang,
        ),
    ]
    if anchor is not None and report.ok:
        lines.append(tr(lang, "  nothing up to the heads of the anchor {anchor} changed", anchor=anchor))
    lines += [f"  {problem}" for problem in report.problems]
    return lines


def report_to_dict(report: VerificationReport, store: str, *, anchor: str | None = None) -> dict[str, Any]:
    """``report`` as JSON-ready data: ``store``, ``anchor`` (the anchor file, or None), ``ok``,
    ``counts`` and ``heads`` of the three chains, and ``problems``, each with its ``log``,
    ``what``, ``sequence``, ``position``, ``household_id``, ``detail`` and ``message``."""
    return {
        "store": store,
        "anchor": anchor,
        "ok": report.ok,
        "counts": {"facts": report.facts, "decisions": report.entries, "checkpoints": report.checkpoints},
        "heads": report.heads.to_dict(),
        "problems": [
            {
                "log": problem.log,
                "what": problem.what,
                "sequence": problem.sequence,
                "position": problem.position,
                "household_id": problem.household_id,
                "detail": problem.detail,
                "message": str(problem),
            }
            for problem in report.problems
        ],
    }


def run_verify(
    store: str,
    *,
    anchor: str | None = None,
    save_anchor: str | None = None,
    output_format: str = "text",
    lang: str = "en",
) -> int:
    """The ``verify`` command: verify the store, print the summary (or JSON) and, when it is intact,
    save its heads to ``save_anchor``; 0 intact, 1 with problems.

    A missing store file, an anchor file that cannot be read, or a ``save_anchor`` whose directory
    is missing or cannot be written in, raises (the command line's usage exit code) before anything
    is opened or written.
    """
    if not Path(store).is_file():
        raise StoreError(f"no store file at {store}")
    heads = read_anchor(anchor) if anchor is not None else None
    if save_anchor is not None:  # refused before the store is read, not after
        check_file_place(save_anchor, "--save-anchor")
    report = verify_store(store, heads)
    if output_format == "json":
        print(json.dumps(report_to_dict(report, store, anchor=anchor), indent=2, ensure_ascii=False))
    else:
        print("\n".join(report_lines(report, store, anchor=anchor, lang=lang)))
    if save_anchor is not None:
        if report.ok:
            write_anchor(save_anchor, report.heads)
            print(tr(lang, "heads saved to {path}", path=save_anchor), file=sys.stderr)
        else:
            print(tr(lang, "heads not saved to {path}: the store is not intact", path=save_anchor), file=sys.stderr)
    return 0 if report.ok else 1
