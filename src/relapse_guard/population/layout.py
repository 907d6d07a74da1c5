"""The layout of a population on disk: its directory, file names and formats, manifest and columns.

A population directory holds partitions, each a ``households-00000.<suffix>`` and a
``facts-00000.<suffix>`` (:func:`partition_file_names`), and a ``manifest.json`` saying what
the directory holds::

    {
      "format": "relapse_guard.population",
      "format_version": 1,
      "file_format": "jsonl",
      "households": 100000,
      "facts": 1268514,
      "partitions": [
        {"households_file": "households-00000.jsonl", "facts_file": "facts-00000.jsonl",
         "households": 50000, "facts": 634001},
        ...
      ],
      "generator": {"seed": 0, "start": "2016-01-01", "months": 12, ...}   (or null)
    }

File names are relative to the directory. The manifest is written last, so a directory
with a manifest is complete. It holds no time stamp or absolute path: generating the same
population twice gives the same bytes.

JSON Lines files hold one :meth:`Household.to_dict` or :meth:`Fact.to_dict` per line. The
tabular formats (CSV, Parquet) hold

- households: one row per **member**, the rows of a household next to each other, with the
  columns :data:`HOUSEHOLD_COLUMNS`;
- facts: one row per fact with the columns :data:`COMMON_FACT_COLUMNS` and, after them, the
  union of the fact kinds' own fields (:func:`fact_columns`), blank where a kind has no such
  field or the value is absent (how values are written in cells: :mod:`.rows`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from ..facts import Fact, FactKinds
from .records import PopulationError

__all__ = [
    "COMMON_FACT_COLUMNS",
    "FILE_FORMATS",
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "HOUSEHOLD_COLUMNS",
    "MANIFEST_NAME",
    "REQUIRED_FACT_COLUMNS",
    "REQUIRED_HOUSEHOLD_COLUMNS",
    "check_format",
    "check_header",
    "fact_columns",
    "file_format",
    "inside",
    "parse_manifest",
    "partition_file_names",
    "prepare_directory",
    "suffix_format",
    "write_manifest",
]

MANIFEST_NAME = "manifest.json"
FORMAT_NAME = "relapse_guard.population"
#: The manifest's format version; a reader refuses a version it does not know.
FORMAT_VERSION = 1
#: File formats and their suffixes.
FILE_FORMATS: Mapping[str, str] = {"jsonl": ".jsonl", "csv": ".csv", "parquet": ".parquet"}


def write_manifest(
    directory: Path,
    *,
    file_format: str,
    partitions: Sequence[Mapping[str, Any]],
    generator: Mapping[str, Any] | None = None,
) -> Path:
    """Write ``manifest.json`` in ``directory``; ``partitions`` are dicts as in the module docstring."""
    body = {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "file_format": file_format,
        "households": sum(int(p["households"]) for p in partitions),
        "facts": sum(int(p["facts"]) for p in partitions),
        "partitions": [dict(p) for p in partitions],
        "generator": dict(generator) if generator is not None else None,
    }
    path = directory / MANIFEST_NAME
    temporary = path.with_suffix(".json.tmp")
    temporary.write_text(json.dumps(body, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    temporary.replace(path)
    return path


def _require(body: Mapping[str, Any], key: str, kind: type | tuple[type, ...], where: str) -> Any:
    value = body.get(key)
    if not isinstance(value, kind) or isinstance(value, bool):
        raise PopulationError(f"{where}: {key!r} is {value!r}; expected a {getattr(kind, '__name__', kind)}")
    return value


def parse_manifest(path: Path) -> dict[str, Any]:
    """The manifest at ``path``, checked: format, version, file format and partition entries.

    Raises :class:`PopulationError` naming the file and the key at fault.
    """
    where = str(path)
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PopulationError(f"{where}: no manifest (is this a population directory?)") from None
    except (OSError, ValueError) as error:
        raise PopulationError(f"{where}: cannot read the manifest: {error}") from None
    except RecursionError:
        raise PopulationError(f"{where}: cannot read the manifest: nested too deep") from None
    if not isinstance(body, dict) or body.get("format") != FORMAT_NAME:
        raise PopulationError(f"{where}: not a relapse_guard population manifest (no 'format': {FORMAT_NAME!r})")
    version = body.get("format_version")
    if version != FORMAT_VERSION:
        raise PopulationError(
            f"{where}: format version {version!r}; this relapse_guard reads version {FORMAT_VERSION} "
            "(upgrade relapse_guard to read a newer population)"
        )
    file_format = body.get("file_format")
    if not isinstance(file_format, str) or file_format not in FILE_FORMATS:
        raise PopulationError(f"{where}: file format {file_format!r}; expected one of {', '.join(FILE_FORMATS)}")
    partitions = _require(body, "partitions", list, where)
    for index, entry in enumerate(partitions):
        at = f"{where}: partitions[{index}]"
        if not isinstance(entry, dict):
            raise PopulationError(f"{at} is not an object")
        for key in ("households_file", "facts_file"):
            inside(path.parent, _require(entry, key, str, at), f"{at}.{key}")
        for key in ("households", "facts"):
            if _require(entry, key, int, at) < 0:
                raise PopulationError(f"{at}: {key!r} is {entry[key]!r}; expected a count (not negative)")
    generator = body.get("generator")
    if generator is not None and not isinstance(generator, dict):
        raise PopulationError(f"{where}: 'generator' is not an object")
    return body


def inside(directory: Path, name: str, where: str) -> Path:
    """The file ``name`` of a manifest in ``directory``; :class:`PopulationError` naming ``where`` and the
    name when it is not a plain relative path that stays inside the directory (no ``..``, no absolute
    path, no symbolic link leading out)."""
    shown = repr(name) if len(name) <= 200 else repr(name[:197]) + "..."
    if not name or "\x00" in name or name.isspace():
        raise PopulationError(f"{where}: file name {shown} is not a file name")
    relative = Path(name)
    if relative.is_absolute() or relative.anchor or ".." in relative.parts:
        raise PopulationError(f"{where}: file {shown} is outside the population directory; names are relative to it")
    try:
        base = directory.resolve()
        resolved = (directory / relative).resolve()
    except (OSError, RuntimeError, ValueError) as error:
        raise PopulationError(f"{where}: file {shown} cannot be resolved: {error}") from None
    if not resolved.is_relative_to(base):
        raise PopulationError(f"{where}: file {shown} leads outside the population directory (to {resolved})")
    return directory / relative


_SUFFIXES = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".parquet": "parquet"}


def file_format(path: str | Path) -> str:
    """The format of a file from its suffix: ``jsonl`` (``.jsonl``, ``.ndjson``), ``csv`` or ``parquet``."""
    found = _SUFFIXES.get(Path(path).suffix.lower())
    if found is None:
        raise PopulationError(
            f"{path}: cannot tell the file format from the suffix; use .jsonl, .csv or .parquet (or pass format=)"
        )
    return found


def suffix_format(path: Path) -> str | None:
    """The format of a file from its suffix, or None (see :func:`file_format`)."""
    return _SUFFIXES.get(path.suffix.lower())


def check_format(name: str) -> str:
    """``name`` when it is a file format; :class:`PopulationError` otherwise."""
    if name not in FILE_FORMATS:
        raise PopulationError(f"unknown file format {name!r}; expected one of {', '.join(FILE_FORMATS)}")
    return name


def partition_file_names(index: int, fmt: str) -> tuple[str, str]:
    """The households and facts file names of partition ``index``: ``households-00000.jsonl``, ..."""
    suffix = FILE_FORMATS[fmt]
    return f"households-{index:05d}{suffix}", f"facts-{index:05d}{suffix}"


_POPULATION_SUFFIXES = {*FILE_FORMATS.values(), ".tmp"}


def prepare_directory(directory: Path, *, overwrite: bool) -> None:
    """Create ``directory``; refuse one that holds files unless ``overwrite`` (then remove its population files)."""
    directory.mkdir(parents=True, exist_ok=True)
    existing = [p for p in directory.iterdir() if not p.name.startswith(".")]
    if not existing:
        return
    if not overwrite:
        raise PopulationError(
            f"{directory} is not empty; choose an empty directory, or replace its population files "
            "(overwrite=True; --overwrite on the command line)"
        )
    for path in existing:
        if path.name == MANIFEST_NAME or (
            path.is_file() and path.name.startswith(("households-", "facts-")) and path.suffix in _POPULATION_SUFFIXES
        ):
            path.unlink()
        else:
            raise PopulationError(f"{directory} holds {path.name}, which is not a population file: not overwriting")


# --- the columns of tabular files ------------------------------------------------------------

#: Columns of a tabular households file: one row per member.
HOUSEHOLD_COLUMNS: tuple[str, ...] = (
    "household_id",
    "district",
    "town",
    "village",
    "member_id",
    "birth_date",
    "labour_capacity",
    "health",
    "schooling",
)
REQUIRED_HOUSEHOLD_COLUMNS = frozenset({"household_id", "district", "member_id", "birth_date"})

#: The columns every tabular facts file starts with; the kinds' own fields follow.
COMMON_FACT_COLUMNS: tuple[str, ...] = ("household_id", "id", "kind", "date", "source")
REQUIRED_FACT_COLUMNS = frozenset({"household_id", "id", "kind", "date"})


def fact_columns(kinds: FactKinds) -> tuple[str, ...]:
    """The columns of a tabular facts file for ``kinds``: the common ones, then each field once.

    Fields come in the order of the kinds, then of each kind's fields; a name two kinds share
    (``member_id``) is one column. A correction's fields (``corrects``, and ``replacement``: the
    whole fact as a JSON object in a cell) come last, so that the columns of the other kinds are
    where they were before corrections could be written in a table.
    """
    columns = list(COMMON_FACT_COLUMNS)
    last: list[type[Fact]] = []
    for cls in kinds.by_kind.values():
        if cls.kind == "fact_corrected":
            last.append(cls)
            continue
        for field in attrs.fields(cls):
            if field.name not in columns:
                columns.append(field.name)
    for cls in last:
        for field in attrs.fields(cls):
            if field.name not in columns:
                columns.append(field.name)
    return tuple(columns)


def check_header(
    path: str, header: Sequence[str], allowed: Sequence[str], required: frozenset[str], *, where: str = "the header"
) -> None:
    """Raise :class:`PopulationError` for a header (``where``: what it is called in the file) with
    an unknown, repeated or missing column."""
    unknown = [name for name in header if name not in allowed]
    if unknown:
        raise PopulationError(
            f"{path}: unknown column(s) {', '.join(map(repr, unknown))} in {where}; "
            f"the columns are {', '.join(allowed)}"
        )
    repeated = sorted({name for name in header if header.count(name) > 1})
    if repeated:
        raise PopulationError(f"{path}: column(s) {', '.join(map(repr, repeated))} appear more than once in {where}")
    missing = sorted(required - set(header))
    if missing:
        raise PopulationError(f"{path}: the required column(s) {', '.join(map(repr, missing))} are not in {where}")
