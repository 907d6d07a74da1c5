"""The report of the built-in example: the demo's households of Yubei (see :mod:`relapse_guard.demo`).

A report anyone can make without a population directory, in either language: the docs show it
(``docs/images/report-zh-CN.png``), and the tests read it.

>>> data = collect_example(lang="zh-CN")
>>> data.households, data.lang
(4, 'zh-CN')
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from ..demo import DEMO_AS_OF, demo_households
from ..policies import load_policy
from ..screening.screen import Record
from .collect import ReportData
from .stream import collect_records

__all__ = ["EXAMPLE_POLICY", "collect_example"]

#: The policy the built-in example runs under (the demo's).
EXAMPLE_POLICY = "yubei_2016"


def _records() -> Iterator[Record]:
    for _story, household, facts in demo_households():
        yield household, facts, ()


def collect_example(*, as_of: dt.date = DEMO_AS_OF, lang: str = "en") -> ReportData:
    """The figures of the built-in example's households under Yubei's policy as of ``as_of``,
    their decisions kept in ``lang``."""
    return collect_records(_records(), load_policy(EXAMPLE_POLICY), as_of, lang=lang)
