"""The main commands in Chinese, run as an official runs them on a small generated population
(``LANG=zh_CN.UTF-8`` or ``--lang zh-CN``): ``generate``, ``generate-month``, ``cycle`` (with a
problem household) and ``alerts`` (text and JSON lines), ``screen``, ``report``, ``whatif``,
``explain`` (text and JSON), ``test`` (a failing case) and usage errors. Nothing they print or
write for a person has an English word left in it: only ids, codes and names the user typed or
the data holds (places, policies, rules, parameters, events, error classes), file paths, numbers
and units.
"""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

import pytest

from relapse_guard.population import generate_population

pytestmark = pytest.mark.xdist_group("chinese_commands")

#: Words a Chinese output may hold: the names of things it does not translate. Codes the user
#: typed or the library is run with (events of the lifecycle, a command's name, the chart
#: extra's package and the command installing it), names of methods (Kaplan-Meier).
ALLOWED = frozenset(
    {
        # lifecycle events, named in a refused transition as the engine fired them
        "identify",
        "assist",
        "exit",
        "relapse",
        "stabilise",
        # commands, a package and how to install it; the estimate's authors; a standard's name
        "screen",
        "cycle",
        "ISO",
        "matplotlib",
        "pip",
        "install",
        "Kaplan",
        "Meier",
        # the what-if's two sides
        "a",
        "b",
        # the paths these tests type
        "county",
        "out",
        "p",
    }
)


def english_words(text: str, allowed: Iterable[str] = ()) -> list[str]:
    """The English words of ``text``: runs of letters standing alone, not part of an id, a code, a
    path or a name (``YB-7``, ``dazu_2016@2016.1``, ``trigger.income_drop``, ``--as-of``), nor a
    rule in 【】, a parameter's value (``basis = person``), an error's class (``InvalidTransition``)
    or a word of ``allowed`` (places, the allowed names)."""
    text = re.sub(r"【[^】]*】", " ", text)
    text = re.sub(r"[\w.]+ = [^\s（；|<]+", " ", text)
    tokens = [token.strip(":'.") for token in re.findall(r"[\w.@#:/'\[\]-]+", text, flags=re.ASCII)]
    ok = ALLOWED | set(allowed)
    return [
        token
        for token in tokens
        if re.fullmatch(r"[A-Za-z]+", token) and token not in ok and not re.fullmatch(r"(?:[A-Z][a-z]+){2,}", token)
    ]


def test_english_words() -> None:
    assert english_words("农户 YB-7（政策 yubei_2016@2016.1）：InvalidTransition") == []
    assert english_words("参数：basis = person（自 2015-01-01 起）；--as-of 2017-13-01") == []
    assert english_words("60/60 households rescreened, 547/s, done") == ["households", "rescreened", "done"]
    assert english_words("问题农户：refused: household 'H1'") == ["refused", "household"]
    assert english_words("3 disaster_reported，8 illness_reported") == []  # codes: see the test of generate-month
    assert english_words("Yubei/Dashengzhen 帮扶中", allowed={"Yubei"}) == []


def _page_text(page: str) -> str:
    """What a person reads of an HTML page: its text, without its style, its charts' metadata
    (``image/svg+xml``, with the plot extra) and tags."""
    page = re.sub(r"<style.*?</style>|<metadata.*?</metadata>", " ", page, flags=re.DOTALL)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("zh-commands") / "county"
    generate_population(directory, households=60, months=36, seed=3, processes=1)
    return directory


@pytest.fixture(scope="module")
def places(county: Path) -> frozenset[str]:
    """The districts, towns and villages of the population: names the data holds."""
    found: set[str] = set()
    for path in county.glob("households-*.jsonl"):
        for line in path.read_text(encoding="utf-8").splitlines():
            place = json.loads(line)["place"]
            found.update(str(place[part]) for part in ("district", "town", "village"))
    return frozenset(found)


def _run(*args: str, cwd: Path, env_lang: bool = False, lang: str = "zh-CN") -> subprocess.CompletedProcess[str]:
    """``relapse-guard ARGS`` in ``lang``: by ``LANG=zh_CN.UTF-8`` when ``env_lang``, else ``--lang LANG``."""
    env = {key: value for key, value in os.environ.items() if key not in ("RELAPSE_GUARD_LANG", "LC_ALL", "LANGUAGE")}
    env["LANG"] = "zh_CN.UTF-8" if env_lang else "C.UTF-8"
    words = list(args) if env_lang else [*args, "--lang", lang]
    return subprocess.run(
        [sys.executable, "-m", "relapse_guard", *words],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        cwd=cwd,
        check=False,
    )


def _no_english(text: str, places: frozenset[str], what: str) -> None:
    assert re.search(r"[\u4e00-\u9fff]", text), f"{what}: no Chinese\n{text}"
    for line in text.splitlines():
        assert english_words(line, places) == [], f"{what}: {line}"


def test_generate_and_generate_month(tmp_path: Path, places: frozenset[str], county: Path) -> None:
    generated = _run("generate", "p", "--households", "5", "--processes", "1", "--progress", cwd=tmp_path)
    assert generated.returncode == 0, generated.stderr
    _no_english(generated.stdout, places, "generate")
    assert "户已写入" in generated.stderr
    _no_english(generated.stderr, places, "generate progress")
    month = _run(
        "generate-month", str(county), "--month", "2019-01", "--out", "m.jsonl", "--processes", "1", "--progress",
        cwd=tmp_path, env_lang=True,
    )  # fmt: skip
    assert month.returncode == 0, month.stderr
    assert "收入评估" in month.stdout  # the kinds of fact by their labels, not income_assessed
    assert "_" not in month.stdout.split("：", 1)[1]
    _no_english(month.stdout, places, "generate-month")
    assert "户已抽取" in month.stderr
    _no_english(month.stderr, places, "generate-month progress")


BAD_FACT = '{"kind":"exit_verified","id":"BAD-e1","household_id":"DZ0000000","date":"2019-01-20"}\n'


def test_cycle_with_a_problem_household(tmp_path: Path, county: Path, places: frozenset[str]) -> None:
    first = _run(
        "cycle", "store.sqlite", "--population", str(county), "--policy", "dazu_2016", "--as-of", "2018-12-31",
        "--progress", cwd=tmp_path, env_lang=True,
    )  # fmt: skip
    assert first.returncode == 0, first.stderr
    assert "户已重新筛查" in first.stderr
    (tmp_path / "bad.jsonl").write_text(BAD_FACT, encoding="utf-8")
    month = _run(
        "generate-month", str(county), "--month", "2019-01", "--out", "m.jsonl", "--processes", "1", cwd=tmp_path
    )
    assert month.returncode == 0, month.stderr
    second = _run(
        "cycle", "store.sqlite", "--facts", "m.jsonl", "bad.jsonl", "--policy", "dazu_2016", "--as-of", "2019-01-31",
        cwd=tmp_path,
    )  # fmt: skip
    assert second.returncode == 1, second.stderr
    assert "问题农户：事实被拒绝：户 DZ0000000：" in second.stderr
    assert (
        "    DZ0000000：事实被拒绝（InvalidTransition）：户 DZ0000000：在“未识别”状态下不允许事件 exit" in second.stdout
    )
    for done in (first, second):
        _no_english(done.stdout, places, "cycle")
        _no_english(done.stderr, places, "cycle stderr")
    # what the cycles found: each alert's kind by its term, what it says in Chinese (a house's
    # grade by its letter, as the appraisal writes it: C级)
    grades = places | {"A", "B", "C", "D"}
    for cycle in ("2018-12-31", "2019-01-31"):
        alerts = _run("alerts", "store.sqlite", "--cycle", cycle, cwd=tmp_path, env_lang=True)
        assert alerts.returncode == 0, alerts.stderr
        assert alerts.stdout.splitlines()[-1].startswith(f"监测周期 {cycle} 共 ")
        _no_english(alerts.stdout, grades, "alerts")
    said = _run("alerts", "store.sqlite", "--format", "jsonl", cwd=tmp_path)
    assert said.returncode == 0, said.stderr
    rows = [json.loads(line) for line in said.stdout.splitlines()]
    assert rows
    for row in rows:
        _no_english(row["detail"], grades, "alerts --format jsonl")


def test_screen(tmp_path: Path, county: Path, places: frozenset[str]) -> None:
    done = _run("screen", str(county), "--policy", "dazu_2016", "--as-of", "2018-12-31", "--progress", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["households"] == 60  # JSON: codes, in every language
    _no_english(done.stderr, places, "screen progress")


def test_report(tmp_path: Path, county: Path, places: frozenset[str]) -> None:
    done = _run(
        "report", str(county), "--policy", "dazu_2016", "--as-of", "2018-12-31", "--out", "out", cwd=tmp_path,
        env_lang=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    markdown = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    page = _page_text((tmp_path / "out" / "report.html").read_text(encoding="utf-8"))
    assert "收入大幅缩减" in markdown
    # (stderr says only that the plot extra is missing: nothing when it is installed)
    said = [(markdown, "report.md"), (page, "report.html")] + ([(done.stderr, "report stderr")] if done.stderr else [])
    for text, what in said:
        _no_english(text.replace("\\_", "_"), places, what)
    # a relapse's risks: each kind said once, by one term, in the label and in the decision quoted
    for line in markdown.splitlines():
        if "（高" in line:
            assert "收入骤减" not in line
            assert "收入下降风险" not in line


def test_whatif(tmp_path: Path, county: Path, places: frozenset[str]) -> None:
    done = _run(
        "whatif", str(county), "--policy", "dazu_2016", "--policy", "yubei_2016", "--as-of", "2018-12-31",
        "--out", "out", "--progress", cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "首个差异，a：" in done.stdout
    page = _page_text((tmp_path / "out" / "whatif.html").read_text(encoding="utf-8"))
    for text, what in ((done.stdout, "whatif"), (done.stderr, "whatif stderr"), (page, "whatif.html")):
        _no_english(text, places, what)


def test_explain(tmp_path: Path, county: Path, places: frozenset[str]) -> None:
    args = ("explain", "--population", str(county), "DZ0000017", "--policy", "dazu_2016", "--as-of", "2018-12-31")
    text = _run(*args, cwd=tmp_path, env_lang=True)
    assert text.returncode == 0, text.stderr
    lines = text.stdout.splitlines()
    state = lines.index("  => 当前状态：未识别")
    assert lines[state + 1].startswith("  一次性及按年（元）：")  # its money, in Chinese
    assert lines[-1].startswith("  累计已发（元）：")
    _no_english(text.stdout, places, "explain")
    said = _run(*args, "--format", "json", cwd=tmp_path)
    assert said.returncode == 0, said.stderr
    form = json.loads(said.stdout)
    assert form["language"] == "zh-CN"
    for decision in form["decisions"]:
        _no_english(decision["text"], places, "explain --format json")


CASES = """\
policy = "yubei_2016"

[[case]]
name = "exits"
as_of = 2016-12-31
household = { id = "H1", place = { district = "Yubei", town = "Luqi", village = "Wuyi" }, \
members = [{ id = "H1-1", birth_date = 1972-01-01 }] }
facts = [{ kind = "income_assessed", id = "i1", date = 2016-03-01, income_per_capita = 3000 }]
expect = { state = "exited", grants = [{ intervention = "industry_funds_exited" }, \
{ intervention = "micro_insurance", amount = 100, period = "monthly" }], risks = [{ kind = "illness" }] }
"""


def test_a_failing_case(tmp_path: Path, places: frozenset[str]) -> None:
    (tmp_path / "cases.toml").write_text(CASES, encoding="utf-8")
    done = _run("test", "cases.toml", cwd=tmp_path, env_lang=True)
    assert done.returncode == 1, done.stderr
    lines = done.stdout.splitlines()
    assert "    实际：未给予产业扶持资金（脱贫户）" in lines
    assert "    预期：已脱贫" in lines
    # the case's name and the fields compared are the case file's own words
    fields = {"exits", "state", "grants", "amount", "period", "risks", "micro_insurance"}
    _no_english(done.stdout, places | fields | {"Luqi", "Wuyi"}, "test")
    english = _run("test", "cases.toml", cwd=tmp_path, lang="en")
    assert "    got:      no industry_funds_exited grant" in english.stdout.splitlines()


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("2017-13-01", "月份须在 1 到 12 之间"),
        ("2017-02-30", "2017-02 没有 30 日（该月为 1 至 28 日）"),
        ("2017/02/03", None),
    ],
)
def test_a_bad_date(tmp_path: Path, value: str, reason: str | None, places: frozenset[str]) -> None:
    done = _run("cycle", "store.sqlite", "--policy", "dazu_2016", "--as-of", value, cwd=tmp_path, env_lang=True)
    assert done.returncode == 2
    if reason is not None:
        assert done.stderr.rstrip().endswith(f"：参数 --as-of：'{value}' 不是有效日期：{reason}")
    assert done.stderr.startswith("用法：relapse-guard cycle ")  # then the options, as typed
    _no_english(done.stderr.splitlines()[-1], places, "usage error")


def test_a_missing_argument(tmp_path: Path, places: frozenset[str]) -> None:
    done = _run("cycle", "store.sqlite", "--policy", "dazu_2016", cwd=tmp_path, env_lang=True)
    assert done.returncode == 2
    assert done.stderr.rstrip().endswith("relapse-guard cycle：错误：缺少必需的参数：--as-of")


def test_english_is_said_as_it_was() -> None:
    """What the Chinese forms added leave English as it was: the progress line, a problem household,
    argparse's words and a date that does not exist (Python's reason)."""
    import argparse

    from relapse_guard.argtypes import argparse_speaks, iso_date, set_message_language
    from relapse_guard.interface import progress_text
    from relapse_guard.screening.summary import Problem
    from relapse_guard.text import progress_text as english_progress

    for done, total in ((2_500, 10_000), (60, 60), (7, None)):
        assert progress_text(done, total, "household", seconds=5.0, what="written", lang="en") == english_progress(
            done, total, "household", seconds=5.0, what="written"
        )
    problem = Problem(household_id="H1", kind="refused", error="InvalidTransition", message="m", parts=("unknown",))
    assert problem.said("en") == str(problem) == "refused: household 'H1': InvalidTransition: m"
    assert problem.said("zh-CN") == "事实被拒绝：户 H1 不在存储中：请先存入该户的农户记录"
    parser = argparse.ArgumentParser(prog="relapse-guard")
    with argparse_speaks("en"):
        assert parser.format_usage() == "usage: relapse-guard [-h]\n"
    assert parser.format_usage() == "usage: relapse-guard [-h]\n"  # said in Chinese only inside the block
    set_message_language("en")
    try:
        with pytest.raises(argparse.ArgumentTypeError, match=r"^'2017-13-01' is not a date: month must be in 1\.\.12$"):
            iso_date("2017-13-01")
    finally:
        set_message_language(None)
