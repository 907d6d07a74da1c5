"""The rows of a CSV file as :mod:`csv` reads them, most of them split without it.

A line without a quote character is split on its commas: that is all :func:`csv.reader`
(the default dialect) does with it, at a third of the cost. A line with a quote — a quoted
cell, which may go on over the next lines — is read by :func:`csv.reader` itself, and so is
a line longer than its field size limit, whose error it raises. A blank line is an empty row,
as :func:`csv.reader` gives it.
"""

from __future__ import annotations

import csv
import itertools
from collections.abc import Iterator
from typing import TextIO

__all__ = ["csv_rows"]


def csv_rows(stream: TextIO) -> Iterator[tuple[int, list[str]]]:
    """``(line, cells)`` of each row of ``stream`` (opened with ``newline=""``): the 1-based line the row starts on."""
    limit = csv.field_size_limit()
    number = 0
    for line in stream:
        number += 1
        if '"' in line or len(line) > limit:
            reader = csv.reader(itertools.chain([line], stream))
            row = next(reader)
            start, number = number, number + reader.line_num - 1
            yield start, row
            continue
        text = line.rstrip("\r\n")  # a line ends in one of "\n", "\r\n", "\r", or none (the last)
        yield number, text.split(",") if text else []
