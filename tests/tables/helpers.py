"""What the tests of policy test tables share: a small case file, and writing one."""

from __future__ import annotations

from pathlib import Path

from relapse_guard.testing.tables import CaseFile, parse_case_file

#: A household of two identified in 2016 under Yubei, with every expectation a case can have.
SAFETY_NET_2016 = """
policy = "yubei_2016"
as_of = 2016-12-31

[household]
id = "YB-2"
place = "Yubei/Luqi/Wuyi"
members = 2

[[case]]
name = "a low-income household of two in 2016"
facts = [{ kind = "income_assessed", date = 2016-06-01, income_per_capita = 2000 }]

[case.expect]
state = "assisted"
risks = [{ kind = "income_drop", date = 2016-06-01 }]
grants = [
    { intervention = "industry_funds_low_income", amount = 4000, period = "one_off", date = 2016-06-01 },
    { intervention = "micro_insurance", amount = 100, period = "yearly", date = 2016-06-01 },
    { intervention = "safety_net", amount = 266.66, period = "monthly", date = 2016-06-01 },
]
reviews_completed = []
"""


def cases(text: str, source: str = "cases.toml") -> CaseFile:
    """The case file ``text`` read."""
    return parse_case_file(text, source)


def with_expect(expect: str, *, facts: str | None = None, extra: str = "") -> str:
    """:data:`SAFETY_NET_2016` with its ``[case.expect]`` table (and facts, and more case keys) replaced."""
    head = SAFETY_NET_2016.split("[case.expect]")[0]
    if facts is not None:
        head = head.replace(
            'facts = [{ kind = "income_assessed", date = 2016-06-01, income_per_capita = 2000 }]', f"facts = {facts}"
        )
    return f"{head}{extra}\n[case.expect]\n{expect}\n"


def write(directory: Path, name: str, text: str) -> Path:
    """``text`` written to ``directory/name``; the path."""
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path
