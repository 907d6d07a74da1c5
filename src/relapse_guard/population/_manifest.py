"""The manifest of a population directory: ``manifest.json``, what the directory holds.

::

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
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ._errors import PopulationError

__all__ = ["FILE_FORMATS", "FORMAT_NAME", "FORMAT_VERSION", "MANIFEST_NAME", "parse_manifest", "write_manifest"]

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
    if not isinstance(body, dict) or body.get("format") != FORMAT_NAME:
        raise PopulationError(f"{where}: not a relapse_guard population manifest (no 'format': {FORMAT_NAME!r})")
    version = body.get("format_version")
    if version != FORMAT_VERSION:
        raise PopulationError(
            f"{where}: format version {version!r}; this relapse_guard reads version {FORMAT_VERSION} "
            "(upgrade relapse_guard to read a newer population)"
        )
    file_format = body.get("file_format")
    if file_format not in FILE_FORMATS:
        raise PopulationError(f"{where}: file format {file_format!r}; expected one of {', '.join(FILE_FORMATS)}")
    partitions = _require(body, "partitions", list, where)
    for index, entry in enumerate(partitions):
        at = f"{where}: partitions[{index}]"
        if not isinstance(entry, dict):
            raise PopulationError(f"{at} is not an object")
        _require(entry, "households_file", str, at)
        _require(entry, "facts_file", str, at)
        _require(entry, "households", int, at)
        _require(entry, "facts", int, at)
    generator = body.get("generator")
    if generator is not None and not isinstance(generator, dict):
        raise PopulationError(f"{where}: 'generator' is not an object")
    return body
