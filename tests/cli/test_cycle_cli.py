"""``relapse-guard cycle`` on a small generated county: a first cycle from the population, then
a month of facts from ``generate-month``; its files, a run repeated, and its errors."""

from __future__ import annotations

import datetime as dt
import json
import re
import shlex
import shutil
import sqlite3
from pathlib import Path

import pytest

from relapse_guard import labels
from relapse_guard.cli import ALERT_KINDS
from relapse_guard.cli_cycle import check_not_ahead, run_alerts
from relapse_guard.errors import InvalidArgument
from relapse_guard.monitoring import Alert, AlertKind
from relapse_guard.store import SQLiteStore

from .helpers import cli

ROOT = Path(__file__).resolve().parents[2]
DECEMBER, JANUARY = "2016-12-31", "2017-01-31"
OWN = {"Yubei": "yubei_2016@2016.1", "Dazu": "dazu_2016@2016.1", "Bishan": "bishan_2016@2016.1"}
#: A map covering Yubei only: Dazu and Bishan households have no policy.
YUBEI_ONLY = """# relapse_guard policy map: Yubei only, no default
[[place]]
district = "Yubei"
policy = "yubei_2016"
"""


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated county of 240 households and the facts of January 2017 (``county/../jan.jsonl``)."""
    where = tmp_path_factory.mktemp("cli-cycle")
    done = cli("generate", "county", "--households", "240", "--seed", "3", "--processes", "1", cwd=where)
    assert done.returncode == 0, done.stderr
    month = cli("generate-month", "county", "--month", "2017-01", "--out", "jan.jsonl", "--processes", "1", cwd=where)
    assert month.returncode == 0, month.stderr
    return where / "county"


@pytest.fixture(scope="module")
def december(county: Path) -> Path:
    """A store after the first cycle, as of 2016-12-31, from the population (copy it to change it)."""
    store = county.parent / "december.db"
    done = cli("cycle", str(store), "--population", str(county), "--as-of", DECEMBER, "--policy-map", "chongqing")
    assert done.returncode == 0, done.stderr
    assert "240 households picked, 240 rescreened" in done.stdout
    assert "240 first screened" in done.stdout
    return store


def _store(december: Path, into: Path) -> Path:
    copy = into / "county.db"
    shutil.copyfile(december, copy)
    return copy


def _month(county: Path) -> str:
    return str(county.parent / "jan.jsonl")


def _counts(summary: str) -> dict[str, int]:
    """What a summary's first line counts: facts stored, picked, rescreened, resumed, quiet, replayed."""
    first = summary.splitlines()[0]
    found = re.search(
        r"(\d+) facts stored .*; (\d+) households picked, (\d+) rescreened \((\d+) resumed, (\d+) of them quiet, "
        r"(\d+) replayed, (\d+) first screened\)",
        first,
    )
    assert found is not None, first
    names = ("stored", "picked", "rescreened", "resumed", "quiet", "replayed", "started")
    return dict(zip(names, map(int, found.groups()), strict=True))


def _alert_line(summary: str) -> str:
    (line,) = [line for line in summary.splitlines() if line.startswith("  alerts: ")]
    return line


def test_a_month_after_the_first_cycle_writes_its_alerts_record_and_problems(
    county: Path, december: Path, tmp_path: Path
) -> None:
    store, out = _store(december, tmp_path), tmp_path / "jan"
    args = ("cycle", str(store), "--facts", _month(county), "--as-of", JANUARY, "--policy-map", "chongqing")
    done = cli(*args, "--out", str(out))
    assert done.returncode == 0, done.stderr
    counts = _counts(done.stdout)
    facts = len((county.parent / "jan.jsonl").read_text(encoding="utf-8").splitlines())
    assert counts["stored"] == facts
    assert counts["rescreened"] == counts["picked"] == counts["resumed"] + counts["replayed"] > 0
    assert counts["started"] == 0
    assert sorted(p.name for p in out.iterdir()) == ["alerts.jsonl", "cycle.json", "problems.jsonl"]

    alerts = [json.loads(line) for line in (out / "alerts.jsonl").read_text(encoding="utf-8").splitlines()]
    assert alerts
    for row in alerts:
        assert set(row) == {
            *("kind", "household_id", "district", "town", "village", "policy", "date", "subject", "detail"),
            *("message", "open_since"),
        }
        assert row["town"]
        assert row["village"]
        alert = Alert.from_dict(row)
        assert alert.policy == OWN[alert.district]
        assert alert.detail == alert.render("en") == alert.message.english()
    record = json.loads((out / "cycle.json").read_text(encoding="utf-8"))
    assert record["cycle"] == record["as_of"] == JANUARY
    assert record["ingest"]["stored"] == facts
    assert {key: record[key] for key in counts if key != "stored"} == {k: v for k, v in counts.items() if k != "stored"}
    by_kind: dict[str, int] = {}
    for row in alerts:
        by_kind[row["kind"]] = by_kind.get(row["kind"], 0) + 1
    assert record["alert_counts"] == by_kind
    assert set(by_kind) <= {kind.value for kind in AlertKind}
    assert record["problems"] == []
    assert record["bad_rows"] == 0
    assert sum(n for _, _, n in record["districts"]) == counts["rescreened"]
    assert (out / "problems.jsonl").read_text(encoding="utf-8") == ""

    # The same month again: nothing stored, nobody rescreened, the same alerts counted.
    again = cli(*args)
    assert again.returncode == 0, again.stderr
    assert _counts(again.stdout) == {
        "stored": 0,
        "picked": 0,
        "rescreened": 0,
        "resumed": 0,
        "quiet": 0,
        "replayed": 0,
        "started": 0,
    }
    assert f"0 facts stored ({facts} duplicates, 0 quarantined)" in again.stdout
    assert _alert_line(again.stdout) == _alert_line(done.stdout)
    # and the store keeps what each run did: the first run's counts are not lost
    assert record["run"] == 1
    with SQLiteStore(store, read_only=True) as opened:
        first, second = (json.loads(body) for body in opened.cycle_runs(JANUARY))
    assert (first["run"], first["ingest"]["stored"], first["rescreened"]) == (1, facts, counts["rescreened"])
    assert (second["run"], second["ingest"]["stored"], second["ingest"]["duplicates"]) == (2, 0, facts)


def test_alerts_lists_what_a_cycle_stored_in_either_language(county: Path, december: Path, tmp_path: Path) -> None:
    store, out = _store(december, tmp_path), tmp_path / "jan"
    args = ("cycle", str(store), "--facts", _month(county), "--as-of", JANUARY, "--policy-map", "chongqing")
    done = cli(*args, "--out", str(out))
    assert done.returncode == 0, done.stderr
    written = [
        Alert.from_dict(json.loads(line)) for line in (out / "alerts.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    before = store.read_bytes()

    # the last cycle by default: a line each, as str(alert) says it, and a count
    listed = cli("alerts", str(store), "--lang", "en")
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.splitlines() == [str(alert) for alert in written] + [
        f"{len(written):,} alerts of the cycle as of {JANUARY}"
    ]
    # in Chinese: the kind by its term, what it says in Chinese
    chinese = cli("alerts", str(store), "--lang", "zh-CN")
    assert chinese.returncode == 0, chinese.stderr
    lines = chinese.stdout.splitlines()
    assert lines[-1] == f"监测周期 {JANUARY} 共 {len(written):,} 条预警"
    assert len(lines) == len(written) + 1
    for alert, line in zip(written, lines, strict=False):
        kind = labels.label("alert", alert.kind.value, "zh-CN")
        place = f"{alert.town}/{alert.village}"
        status = "本期新增" if alert.is_new else f"自 {alert.open_since} 起未办结"
        assert (
            line == f"{alert.date.isoformat()} {alert.household_id} {place} [{kind}] {status}：{alert.render('zh-CN')}"
        )
    for term in ("新发现风险", "状态变化", "开始发放", "停止发放"):  # the glossary's
        assert f"[{term}]" in chinese.stdout
    assert any("元/月的低保于" in line for line in lines)
    # JSON lines: alerts.jsonl's fields, the detail in the language asked
    as_json = [
        json.loads(line)
        for line in cli("alerts", str(store), "--format", "jsonl", "--lang", "zh-CN").stdout.splitlines()
    ]
    assert [
        Alert.from_dict({**row, "detail": alert.detail}) for row, alert in zip(as_json, written, strict=True)
    ] == written
    assert [row["detail"] for row in as_json] == [alert.render("zh-CN") for alert in written]
    english = cli("alerts", str(store), "--format", "jsonl", "--lang", "en").stdout.splitlines()
    assert english == [json.dumps(alert.to_dict(), ensure_ascii=False) for alert in written]

    # filters: a household, kinds, a district (any case), an earlier cycle
    one = written[0].household_id
    mine = cli("alerts", str(store), "--household", one, "--lang", "en").stdout.splitlines()
    assert mine[:-1] == [str(alert) for alert in written if alert.household_id == one]
    kinds = cli("alerts", str(store), "--kind", "grant_ended", "--kind", "state_changed", "new_risk", "--lang", "en")
    wanted = {"grant_ended", "state_changed", "new_risk"}
    assert kinds.stdout.splitlines()[:-1] == [str(alert) for alert in written if alert.kind.value in wanted]
    dazu = cli("alerts", str(store), "--district", " dazu", "--kind", "new_risk", "--lang", "en").stdout.splitlines()
    picked = [str(alert) for alert in written if alert.district == "Dazu" and alert.kind.value == "new_risk"]
    assert picked
    assert dazu[:-1] == picked
    assert dazu[-1] == f"{len(picked)} alerts of the cycle as of {JANUARY}"
    first = cli("alerts", str(store), "--cycle", DECEMBER, "--household", "nobody", "--lang", "en")
    assert first.stdout == f"0 alerts of the cycle as of {DECEMBER}\n"
    december_alerts = cli("alerts", str(store), "--cycle", DECEMBER, "--format", "jsonl")
    assert {json.loads(line)["kind"] for line in december_alerts.stdout.splitlines()} >= {"new_risk", "grant_started"}
    assert store.read_bytes() == before  # read-only

    # errors: exit 2, naming the store
    unknown = cli("alerts", str(store), "--cycle", "2017-01-30", "--lang", "en")
    assert (unknown.returncode, unknown.stdout, unknown.stderr) == (
        2,
        "",
        f"relapse-guard: error: the store at {store} has no cycle as of 2017-01-30 "
        f"(its last cycle is as of {JANUARY})\n",
    )
    zh = cli("alerts", str(store), "--cycle", "2017-01-30", "--lang", "zh-CN")
    assert zh.returncode == 2
    assert f"存储 {store} 中没有统计日期为 2017-01-30 的监测周期" in zh.stderr
    missing = cli("alerts", str(tmp_path / "none.db"), "--lang", "en")
    assert (missing.returncode, missing.stderr) == (
        2,
        f"relapse-guard: error: no store file at {tmp_path / 'none.db'}\n",
    )
    assert not (tmp_path / "none.db").exists()
    SQLiteStore(tmp_path / "empty.db").close()
    empty = cli("alerts", str(tmp_path / "empty.db"), "--lang", "en")
    assert (empty.returncode, empty.stderr) == (
        2,
        f"relapse-guard: error: the store at {tmp_path / 'empty.db'} has no cycle yet (relapse-guard cycle runs one)\n",
    )
    bad = cli("alerts", str(store), "--kind", "risk")
    assert bad.returncode == 2
    assert "invalid choice: 'risk'" in bad.stderr


def test_alerts_lists_a_town_or_a_village_and_only_what_is_new(county: Path, december: Path, tmp_path: Path) -> None:
    store, out = _store(december, tmp_path), tmp_path / "jan"
    args = ("cycle", str(store), "--facts", _month(county), "--as-of", JANUARY, "--policy-map", "chongqing")
    assert cli(*args, "--out", str(out)).returncode == 0
    written = [
        Alert.from_dict(json.loads(line)) for line in (out / "alerts.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    # a town (any case, spaces around), a village, both, with a district
    town = written[0].town
    by_town = cli("alerts", str(store), "--town", f" {town.upper()} ", "--lang", "en").stdout.splitlines()
    assert by_town[:-1] == [str(alert) for alert in written if alert.town == town]
    assert len(by_town) - 1 < len(written)
    village = written[0].village
    by_village = cli("alerts", str(store), "--village", village.lower(), "--lang", "en").stdout.splitlines()
    assert by_village[:-1] == [str(alert) for alert in written if alert.village == village]
    first = (written[0].district, town, village)
    both = cli("alerts", str(store), "--district", first[0], "--town", town, "--village", village, "--lang", "en")
    assert both.stdout.splitlines()[:-1] == [
        str(alert) for alert in written if (alert.district, alert.town, alert.village) == first
    ]
    assert cli("alerts", str(store), "--town", "nowhere", "--lang", "en").stdout == (
        f"0 alerts of the cycle as of {JANUARY}\n"
    )
    # the reviews overdue in December and still overdue are open since December's cycle, not new
    still = [alert for alert in written if not alert.is_new]
    assert still
    assert {alert.kind for alert in still} <= {AlertKind.REVIEW_OVERDUE, AlertKind.REVIEW_DUE}
    assert {alert.open_since for alert in still} == {dt.date(2016, 12, 31)}
    listed = cli("alerts", str(store), "--lang", "en").stdout
    assert f"[review_overdue] open since {DECEMBER}: review " in listed
    assert f"[复核逾期] 自 {DECEMBER} 起未办结：复核" in cli("alerts", str(store), "--lang", "zh-CN").stdout
    new = cli("alerts", str(store), "--new", "--lang", "en").stdout.splitlines()
    assert new[:-1] == [str(alert) for alert in written if alert.is_new]
    assert new[-1] == f"{len(written) - len(still):,} alerts of the cycle as of {JANUARY}"
    as_json = cli("alerts", str(store), "--new", "--format", "jsonl").stdout.splitlines()
    assert len(as_json) == len(new) - 1
    assert all(json.loads(line)["open_since"] is None for line in as_json)
    # run again, the month says the same
    assert cli(*args).returncode == 0
    assert cli("alerts", str(store), "--lang", "en").stdout == listed


def test_alerts_in_python_refuses_a_kind_not_known(december: Path) -> None:
    with pytest.raises(InvalidArgument, match="'risk' is not an alert kind"):
        run_alerts(str(december), kinds=["new_risk", "risk"])


def test_alerts_takes_the_kinds_of_alert() -> None:
    assert ALERT_KINDS == tuple(kind.value for kind in AlertKind) == labels.LABELS["alert"]


def test_the_built_in_map_names_each_districts_policy(county: Path, december: Path, tmp_path: Path) -> None:
    store = _store(december, tmp_path)
    done = cli("cycle", str(store), "--facts", _month(county), "--as-of", JANUARY, "--policy-map", "chongqing")
    assert done.returncode == 0, done.stderr
    for district, label in OWN.items():
        assert re.search(rf"^  {district} under {re.escape(label)}: \d+ households$", done.stdout, flags=re.M)


def test_two_workers_store_what_one_stores(county: Path, december: Path, tmp_path: Path) -> None:
    outs = []
    for workers in ("1", "2"):
        where = tmp_path / f"w{workers}"
        where.mkdir()
        store, out = _store(december, where), where / "out"
        done = cli(
            "cycle",
            str(store),
            "--facts",
            _month(county),
            "--as-of",
            JANUARY,
            "--policy-map",
            "chongqing",
            "--workers",
            workers,
            "--chunk-size",
            "50",
            "--out",
            str(out),
        )
        assert done.returncode == 0, done.stderr
        outs.append(sorted((out / "alerts.jsonl").read_text(encoding="utf-8").splitlines()))
    assert outs[0] == outs[1]


def test_facts_given_twice_are_both_stored(county: Path, december: Path, tmp_path: Path) -> None:
    # --facts A --facts B stored only B: the first file was dropped without a word
    lines = Path(_month(county)).read_text(encoding="utf-8").splitlines(keepends=True)
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    first.write_text("".join(lines[: len(lines) // 2]), encoding="utf-8")
    second.write_text("".join(lines[len(lines) // 2 :]), encoding="utf-8")
    store = _store(december, tmp_path)
    args = ("--as-of", JANUARY, "--policy-map", "chongqing")
    done = cli("cycle", str(store), "--facts", str(first), "--facts", str(second), *args)
    assert done.returncode == 0, done.stderr
    assert _counts(done.stdout)["stored"] == len(lines)


def test_a_cycle_asked_for_while_one_runs_on_the_store_exits_2_and_stores_nothing(
    county: Path, december: Path, tmp_path: Path
) -> None:
    store = _store(december, tmp_path)
    with SQLiteStore(store) as running, running.lock_cycle(JANUARY):  # a cycle of January, running
        before = _rows(store)
        done = cli("cycle", str(store), "--facts", _month(county), "--as-of", JANUARY, "--policy-map", "chongqing")
        assert done.returncode == 2
        assert f"relapse-guard: error: store {str(store)!r}: a cycle is running on it (cycle {JANUARY}, since " in (
            done.stderr
        )
        assert f"cycle {JANUARY} was refused and stored nothing" in done.stderr
        assert _rows(store) == before
    assert cli("cycle", str(store), "--as-of", JANUARY, "--policy-map", "chongqing").returncode == 0


def _rows(store: Path) -> list[int]:
    """How many facts, quarantined records, checkpoint log entries and cycle runs the store holds."""
    db = sqlite3.connect(store)
    try:
        tables = ("facts", "quarantine", "checkpoint_log", "cycle_runs")
        return [db.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in tables]
    finally:
        db.close()


def test_two_versions_of_a_fact_in_two_files_of_a_cycle_are_both_quarantined(
    county: Path, december: Path, tmp_path: Path
) -> None:
    lines = Path(_month(county)).read_text(encoding="utf-8").splitlines(keepends=True)
    record = json.loads(lines[0])
    other = {**record, "date": "2017-01-02" if record["date"] != "2017-01-02" else "2017-01-03"}
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    first.write_text("".join(lines), encoding="utf-8")
    second.write_text(json.dumps(other) + "\n", encoding="utf-8")
    store = _store(december, tmp_path)
    args = ("--as-of", JANUARY, "--policy-map", "chongqing")
    done = cli("cycle", str(store), "--facts", str(first), "--facts", str(second), *args)
    assert done.returncode == 1
    assert _counts(done.stdout)["stored"] == len(lines) - 1
    assert f"2 different versions of fact {record['id']!r} (its records 1 and {len(lines) + 1:,};" in done.stderr
    assert "relapse-guard: 2 records quarantined" in done.stderr
    with SQLiteStore(store, read_only=True) as opened:
        assert record["id"] not in {fact.id for fact in opened.facts(record["household_id"])}


def test_an_unknown_policy_exits_2_naming_the_known_ones(tmp_path: Path) -> None:
    store = tmp_path / "county.db"
    done = cli("cycle", str(store), "--as-of", JANUARY, "--policy", "yubei_2061")
    assert done.returncode == 2
    assert "unknown policy 'yubei_2061'" in done.stderr
    assert "yubei_2016" in done.stderr
    assert not store.exists()


def test_a_missing_facts_file_exits_2_before_the_store_is_made(tmp_path: Path) -> None:
    store = tmp_path / "county.db"
    done = cli(
        "cycle", str(store), "--facts", str(tmp_path / "feb.jsonl"), "--as-of", JANUARY, "--policy", "yubei_2016"
    )
    assert done.returncode == 2
    assert "feb.jsonl: no such file" in done.stderr
    assert not store.exists()


def test_an_out_holding_an_earlier_cycle_exits_2_unless_overwrite(county: Path, december: Path, tmp_path: Path) -> None:
    store, out = _store(december, tmp_path), tmp_path / "jan"
    out.mkdir()
    (out / "cycle.json").write_text("{}", encoding="utf-8")
    args = ("cycle", str(store), "--facts", _month(county), "--as-of", JANUARY, "--policy", "yubei_2016")
    refused = cli(*args, "--out", str(out))
    assert refused.returncode == 2
    assert "already holds cycle.json; give another directory, or --overwrite to replace" in refused.stderr
    assert _counts(cli(*args).stdout)["stored"] > 0  # nothing was ingested by the refused run
    done = cli(*args, "--out", str(out), "--overwrite")
    assert done.returncode == 0, done.stderr
    assert json.loads((out / "cycle.json").read_text(encoding="utf-8"))["as_of"] == JANUARY


def test_a_place_the_map_does_not_cover_is_a_problem_household_that_stays_pending(county: Path, tmp_path: Path) -> None:
    yubei = tmp_path / "yubei.toml"
    yubei.write_text(YUBEI_ONLY, encoding="utf-8")
    store, out = tmp_path / "county.db", tmp_path / "dec"
    args = ("cycle", str(store), "--as-of", DECEMBER, "--policy-map", str(yubei))
    done = cli(*args, "--population", str(county), "--out", str(out))
    assert done.returncode == 1
    problems = [json.loads(line) for line in (out / "problems.jsonl").read_text(encoding="utf-8").splitlines()]
    assert problems
    assert {row["kind"] for row in problems} == {"no_policy"}
    assert {row["error"] for row in problems} == {"NoPolicyForPlace"}
    assert all(not row["household_id"].startswith("YB") for row in problems)
    first = problems[0]
    assert f"relapse-guard: problem household: no_policy: household {first['household_id']!r}" in done.stderr
    assert f"relapse-guard: {len(problems)} problem households: {len(problems)} no_policy" in done.stderr
    assert f"{len(problems)} households could not be screened (they stay pending)" in done.stdout
    assert re.search(r"^  Yubei under yubei_2016@2016\.1: \d+ households$", done.stdout, flags=re.M)
    assert "Dazu under" not in done.stdout
    assert len(json.loads((out / "cycle.json").read_text(encoding="utf-8"))["problems"]) == len(problems)

    # They stay pending: the next run picks them again, and only them.
    again = cli(*args)
    assert again.returncode == 1
    counts = _counts(again.stdout)
    assert counts["picked"] == len(problems)
    assert counts["rescreened"] == 0


def test_facts_of_a_household_with_no_record_are_quarantined_saying_how_to_store_it(
    december: Path, tmp_path: Path
) -> None:
    # They were stored: the household was a problem household in every later cycle, which the
    # append-only store could never drop (a mistyped id), with advice to store a record for it.
    store, facts = _store(december, tmp_path), tmp_path / "orphan.jsonl"
    with sqlite3.connect(store) as db:
        known = {hid for (hid,) in db.execute("SELECT household_id FROM households")}
    # the last two digits of a stored id swapped, into an id no household has
    typo = min(swapped for hid in known if (swapped := hid[:-2] + hid[-1] + hid[-2]) not in known)
    rows = [
        {"kind": "exit_verified", "id": "ZZ-x", "household_id": "ZZ", "date": "2017-01-05"},
        {"kind": "exit_verified", "id": "typo-x", "household_id": typo, "date": "2017-01-05"},
    ]
    facts.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    args = ("cycle", str(store), "--facts", str(facts), "--as-of", JANUARY, "--policy-map", "chongqing")
    done = cli(*args)
    assert done.returncode == 1
    assert "0 facts stored (0 duplicates, 2 quarantined)" in done.stdout
    assert (
        f"relapse-guard: quarantined: {facts}:1: household ZZ, fact ZZ-x: FactOfUnknownHousehold: "
        "fact 'ZZ-x' of household "
        "'ZZ': field 'household_id' has value 'ZZ'; expected the id of a household whose record is in the store; "
        "if 'ZZ' is a new household, store its record first (put_household() in Python, or its population "
        "directory given to relapse-guard cycle --population), then send its facts again\n"
    ) in done.stderr
    assert f"has value {typo!r}; expected the id of a household whose record is in the store (did you mean '" in (
        done.stderr
    )
    assert "problem household" not in done.stderr
    with sqlite3.connect(store) as db:
        assert db.execute("SELECT count(*) FROM facts WHERE household_id IN ('ZZ', ?)", (typo,)).fetchone() == (0,)
    again = cli(*args)  # run again: listed again
    assert again.returncode == 1
    assert "relapse-guard: 2 records quarantined" in again.stderr


def test_a_cycle_dated_before_the_last_one_exits_2(december: Path, tmp_path: Path) -> None:
    store = _store(december, tmp_path)
    done = cli("cycle", str(store), "--as-of", "2016-11-30", "--policy-map", "chongqing")
    assert done.returncode == 2
    assert "before the last cycle, as of 2016-12-31: cycles run in date order" in done.stderr


def test_a_cycle_dated_far_ahead_exits_2_and_leaves_the_store_unchanged_unless_future(
    december: Path, tmp_path: Path
) -> None:
    # A mistyped year (2107 for 2017) recorded a cycle, and the store refused every real cycle
    # after it as "before the last cycle": nothing could undo it.
    store = _store(december, tmp_path)
    before = store.read_bytes()
    done = cli("cycle", str(store), "--as-of", "2107-01-31", "--policy-map", "chongqing")
    assert done.returncode == 2
    assert "--as-of 2107-01-31 is more than 31 days after today" in done.stderr
    assert "give --future to run it anyway" in done.stderr
    assert store.read_bytes() == before
    assert not (tmp_path / "new.db").exists()
    assert cli("cycle", str(tmp_path / "new.db"), "--as-of", "2107-01-31", "--policy", "yubei_2016").returncode == 2
    assert not (tmp_path / "new.db").exists()
    done = cli("cycle", str(store), "--as-of", "2107-01-31", "--policy-map", "chongqing", "--future")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("cycle 2107-01-31: ")


def test_a_cycle_date_is_refused_from_32_days_after_today() -> None:
    today = dt.date(2026, 12, 5)
    check_not_ahead(today + dt.timedelta(days=31), today)  # a month's end, run a few days early
    with pytest.raises(InvalidArgument, match=r"--as-of 2027-01-06 is more than 31 days after today \(2026-12-05\)"):
        check_not_ahead(today + dt.timedelta(days=32), today)


def _documented_commands() -> list[tuple[str, str]]:
    """Each ``$ relapse-guard ...`` line of the docs' sessions: (page, command), cut at a pipe or redirection."""
    found = []
    for page in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for line in page.read_text(encoding="utf-8").splitlines():
            if line.startswith("$ relapse-guard "):
                found.append((page.name, line[2:]))
    return found


def test_every_command_of_the_docs_sessions_parses() -> None:
    # The sessions' output is pasted from real runs; this keeps their commands in step with the options.
    from relapse_guard.cli import _parser

    commands = _documented_commands()
    assert sum(page == "monitoring.md" for page, _ in commands) >= 5
    assert any(command.startswith("relapse-guard cycle ") for page, command in commands if page == "cli.md")
    for page, command in commands:
        words = shlex.split(command)
        cut = next((i for i, word in enumerate(words) if word in {"|", ">", "2>", "&&", ";"}), len(words))
        try:
            _parser().parse_args(words[1:cut])
        except SystemExit as error:  # argparse exits on a bad command line
            raise AssertionError(f"{page}: {command!r} does not parse") from error


def test_a_quarantined_record_is_listed_in_problems_and_exits_1(county: Path, december: Path, tmp_path: Path) -> None:
    # A fact conflicting with a stored one under its id is quarantined; the command said so only
    # in a log line, wrote nothing to problems.jsonl and exited 0.
    store, out = _store(december, tmp_path), tmp_path / "jan"
    stored = json.loads((county / "facts-00000.jsonl").read_text(encoding="utf-8").splitlines()[0])
    conflicting = (
        {**stored, "date": "2016-12-30"} if stored.get("date") != "2016-12-30" else {**stored, "date": "2016-12-29"}
    )
    month = tmp_path / "conflict.jsonl"
    month.write_text(json.dumps(conflicting) + "\n", encoding="utf-8")
    done = cli(
        "cycle", str(store), "--facts", str(month), "--as-of", JANUARY, "--policy-map", "chongqing", "--out", str(out)
    )
    assert done.returncode == 1, done.stderr
    assert "0 facts stored (0 duplicates, 1 quarantined)" in done.stdout
    assert (
        f"relapse-guard: quarantined: {month}:1: household {stored['household_id']}, fact {stored['id']}: "
        "ConflictingFact: " in done.stderr
    )
    assert all(line.startswith("relapse-guard") for line in done.stderr.splitlines())  # no log line
    # the way to list it is a command, not a Python call (store.quarantined())
    assert (
        f"relapse-guard: 1 record quarantined (kept out of the store; relapse-guard quarantined {store} lists it)"
        in (done.stderr)
    )
    (problem,) = [json.loads(line) for line in (out / "problems.jsonl").read_text(encoding="utf-8").splitlines()]
    assert (problem["kind"], problem["household_id"], problem["fact_id"], problem["error"]) == (
        "quarantined",
        stored["household_id"],
        stored["id"],
        "ConflictingFact",
    )
    assert (problem["file"], problem["line"]) == (str(month), 1)
    # Run again, the record is still refused: the run said "1 quarantined" but listed nothing,
    # wrote an empty problems.jsonl and exited 0 (it listed only records new to the store).
    again = cli(
        "cycle",
        *(str(store), "--facts", str(month), "--as-of", JANUARY, "--policy-map", "chongqing"),
        *("--out", str(out), "--overwrite"),
    )
    assert again.returncode == 1, again.stderr
    assert "0 facts stored (0 duplicates, 1 quarantined)" in again.stdout
    assert "relapse-guard: 1 record quarantined" in again.stderr
    assert [json.loads(line) for line in (out / "problems.jsonl").read_text(encoding="utf-8").splitlines()] == [problem]
    # ... and that command lists it, leaving the store as it was
    before = store.read_bytes()
    listed = cli("quarantined", str(store))
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.splitlines() == [
        f"household {stored['household_id']}, fact {stored['id']}: ConflictingFact: {problem['message']}",
        "1 record quarantined",
    ]
    as_json = cli("quarantined", str(store), "--format", "json", "--household", stored["household_id"])
    (record,) = [json.loads(line) for line in as_json.stdout.splitlines()]
    # as problems.jsonl lists it, but for where it came from, which the store does not keep
    assert record == {
        **{key: problem[key] for key in problem if key not in ("file", "line")},
        "record": record["record"],
    }
    assert json.loads(record["record"])["date"] == conflicting["date"]
    assert cli("quarantined", str(store), "--household", "nobody").stdout == "0 records quarantined\n"
    chinese = cli("quarantined", str(store), "--lang", "zh-CN")
    assert chinese.stdout.splitlines()[-1] == "已隔离 1 条记录"
    assert store.read_bytes() == before
    missing = cli("quarantined", str(tmp_path / "none.db"))
    assert (missing.returncode, missing.stderr) == (
        2,
        f"relapse-guard: error: no store file at {tmp_path / 'none.db'}\n",
    )
    assert not (tmp_path / "none.db").exists()
    zh = cli(
        "cycle",
        *(str(store), "--facts", str(month), "--as-of", JANUARY, "--policy-map", "chongqing", "--lang", "zh-CN"),
    )
    assert f"relapse-guard quarantined {store} 可列出" in zh.stderr
    assert "store.quarantined()" not in zh.stderr


def test_a_population_that_fails_part_way_leaves_no_fact_without_its_household(tmp_path: Path) -> None:
    # Facts were stored as read and households by the 5,000: a partition that could not be read
    # left facts of households with no record, pending and unscreenable in every later cycle.
    generate = ("generate", "county", "--households", "2100", "--seed", "5", "--partitions", "3", "--format", "csv")
    done = cli(*generate, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    last = tmp_path / "county" / "facts-00002.csv"
    last.write_text("household_id,id,kind,date,no_such_column\n", encoding="utf-8")
    store = tmp_path / "county.db"
    failed = cli(
        "cycle", str(store), "--population", str(tmp_path / "county"), "--as-of", DECEMBER, "--policy-map", "chongqing"
    )
    assert failed.returncode == 2, failed.stderr
    assert "no_such_column" in failed.stderr
    with sqlite3.connect(store) as db:
        households = {row[0] for row in db.execute("select household_id from households")}
        with_facts = {row[0] for row in db.execute("select distinct household_id from facts")}
    assert with_facts <= households  # (the first partitions' facts are more than an ingest batch: 10,000)


def test_cycle_json_counts_the_rows_that_could_not_be_read(county: Path, december: Path, tmp_path: Path) -> None:
    # It said "problems": [] and counted only the records read, with exit 1 and the rows listed
    # in problems.jsonl alone.
    lines = Path(_month(county)).read_text(encoding="utf-8").splitlines()
    month = tmp_path / "jan.jsonl"
    month.write_text("\n".join([lines[0], "junk", *lines[1:], "{not json"]) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    done = cli(
        "cycle",
        str(_store(december, tmp_path)),
        "--facts",
        str(month),
        "--as-of",
        JANUARY,
        "--policy-map",
        "chongqing",
        "--out",
        str(out),
    )
    assert done.returncode == 1, done.stderr
    record = json.loads((out / "cycle.json").read_text(encoding="utf-8"))
    assert record["bad_rows"] == 2
    assert record["ingest"]["records"] == len(lines)
    problems = [json.loads(line) for line in (out / "problems.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len([row for row in problems if "line" in row]) == 2


def test_a_fact_dated_far_ahead_is_stored_and_named_with_its_household_and_date(
    county: Path, december: Path, tmp_path: Path
) -> None:
    # An income assessment dated 2071-09-20 (2017 was meant) was taken silently, with exit 0, and
    # its household was then picked by every cycle for decades.
    store, out = _store(december, tmp_path), tmp_path / "jan"
    household = json.loads((county / "households-00000.jsonl").read_text(encoding="utf-8").splitlines()[0])["id"]
    month = tmp_path / "typo.jsonl"
    facts = [
        {"kind": "income_assessed", "id": "typo-1", "household_id": household, "date": "2071-09-20"},
        {"kind": "income_assessed", "id": "a-year-on", "household_id": household, "date": "2018-01-31"},
        {"kind": "income_assessed", "id": "later", "household_id": household, "date": "2018-02-01"},
    ]
    month.write_text("".join(json.dumps({**f, "income_per_capita": "3000"}) + "\n" for f in facts), encoding="utf-8")
    args = ("cycle", str(store), "--facts", str(month), "--as-of", JANUARY, "--policy-map", "chongqing")
    done = cli(*args, "--out", str(out))
    assert done.returncode == 0, done.stderr  # not refused: it may be meant
    assert done.stderr.splitlines() == [
        f"relapse-guard: warning: household {household}, fact typo-1: dated 2071-09-20, more than a year after the "
        "cycle's date 2017-01-31 (a mistyped year?); it is stored, and its household is rescreened by every cycle "
        "until that date",
        f"relapse-guard: warning: household {household}, fact later: dated 2018-02-01, more than a year after the "
        "cycle's date 2017-01-31 (a mistyped year?); it is stored, and its household is rescreened by every cycle "
        "until that date",
    ]
    assert _counts(done.stdout)["stored"] == 3
    assert (
        "  2 facts dated more than a year after 2017-01-31 (a mistyped year?): stored, their households rescreened "
        "by every cycle until those dates"
    ) in done.stdout.splitlines()
    assert json.loads((out / "cycle.json").read_text(encoding="utf-8"))["facts_far_ahead"] == 2
    chinese = cli(*args, "--lang", "zh-CN")  # run again: duplicates, still stored, still named
    assert chinese.returncode == 0, chinese.stderr
    warning = chinese.stderr.splitlines()[0]
    assert warning.startswith(
        f"relapse-guard：警告：户 {household}，事实 typo-1：日期为 2071-09-20，晚于本监测周期日期 2017-01-31 一年以上"
    )
    assert warning.endswith("）；该事实已存入，该户在该日期前每个监测周期都会重新筛查")
    assert "  2 条事实的日期晚于 2017-01-31 一年以上（年份录入有误" in chinese.stdout


def test_a_facts_file_of_no_known_suffix_says_what_to_name_it(december: Path, tmp_path: Path) -> None:
    # The message said "(or pass format=)", a keyword of a Python function: cycle has no such option.
    store, month = _store(december, tmp_path), tmp_path / "jan.txt"
    month.write_text("", encoding="utf-8")
    done = cli("cycle", str(store), "--facts", str(month), "--as-of", JANUARY, "--policy-map", "chongqing")
    assert (done.returncode, done.stderr) == (
        2,
        f"relapse-guard: error: --facts {month}: cannot tell the file format from its name; give the file a name "
        "ending in .jsonl, .csv or .parquet\n",
    )
    chinese = cli(
        "cycle", str(store), "--facts", str(month), "--as-of", JANUARY, "--policy-map", "chongqing", "--lang", "zh-CN"
    )
    assert chinese.stderr == (
        f"relapse-guard：错误：--facts {month}：无法从文件名判断文件格式；请使文件名以 .jsonl、.csv 或 .parquet 结尾\n"
    )


def test_a_quarantined_record_names_the_file_and_line_it_came_from(
    county: Path, december: Path, tmp_path: Path
) -> None:
    """Bad rows named their file and line, quarantined records neither: with several --facts files the
    operator could not tell which delivery held the conflicting record. A CSV file and a JSON Lines
    file, each with a record the store quarantines among good ones (a conflict, a fact of no household)."""
    store, out = _store(december, tmp_path), tmp_path / "jan"
    lines = (county / "facts-00000.jsonl").read_text(encoding="utf-8").splitlines()
    first, other = json.loads(lines[0]), json.loads(lines[1])
    conflicting = {**first, "date": "2016-12-30" if first["date"] != "2016-12-30" else "2016-12-29"}
    orphan = {"kind": "exit_verified", "id": "orphan-1", "household_id": "ZZ", "date": "2017-01-05"}
    jsonl = tmp_path / "dept-a.jsonl"
    jsonl.write_text("".join(json.dumps(row) + "\n" for row in (other, orphan)), encoding="utf-8")
    csv = tmp_path / "dept-b.csv"
    done = cli("cycle", str(store), "--facts", str(jsonl), "--as-of", JANUARY, "--policy-map", "chongqing")
    assert done.returncode == 1, done.stderr
    from relapse_guard.facts import DEFAULT_FACT_KINDS
    from relapse_guard.population import write_facts

    write_facts(csv, [DEFAULT_FACT_KINDS.parse(other), DEFAULT_FACT_KINDS.parse(conflicting)])
    done = cli(
        "cycle",
        *(str(store), "--facts", str(jsonl), str(csv), "--as-of", JANUARY, "--policy-map", "chongqing"),
        *("--out", str(out)),
    )
    assert done.returncode == 1, done.stderr
    assert "0 facts stored (2 duplicates, 2 quarantined)" in done.stdout
    quarantined = sorted(line for line in done.stderr.splitlines() if line.startswith("relapse-guard: quarantined: "))
    assert len(quarantined) == 2
    where = {line.split(": ")[2]: line for line in quarantined}  # file:line
    assert where[f"{jsonl}:2"].startswith(
        f"relapse-guard: quarantined: {jsonl}:2: household ZZ, fact orphan-1: FactOfUnknownHousehold: "
    )
    assert where[f"{csv}:3"].startswith(
        f"relapse-guard: quarantined: {csv}:3: household {first['household_id']}, fact {first['id']}: ConflictingFact: "
    )
    assert all(line.startswith("relapse-guard") for line in done.stderr.splitlines())  # no "ingest batch" log line
    problems = [json.loads(line) for line in (out / "problems.jsonl").read_text(encoding="utf-8").splitlines()]
    assert sorted((p["fact_id"], p["file"], p["line"]) for p in problems) == sorted(
        [("orphan-1", str(jsonl), 2), (first["id"], str(csv), 3)]
    )


def test_alerts_finds_a_district_by_its_chinese_name(county: Path, december: Path, tmp_path: Path) -> None:
    # A caseworker's --district 大足区 found nothing: the store names the district Dazu.
    by_pinyin = cli("alerts", str(december), "--district", "dazu", "--kind", "new_risk", "--lang", "en")
    assert by_pinyin.returncode == 0, by_pinyin.stderr
    assert len(by_pinyin.stdout.splitlines()) > 1
    in_chinese = cli("alerts", str(december), "--district", "dazu", "--kind", "new_risk", "--lang", "zh-CN").stdout
    for name in ("大足区", "大足", " 大足区 "):
        chinese = cli("alerts", str(december), "--district", name, "--kind", "new_risk", "--lang", "zh-CN")
        assert chinese.returncode == 0, chinese.stderr
        assert chinese.stdout == in_chinese
    assert cli("alerts", str(december), "--district", "璧山区", "--lang", "en").stdout != by_pinyin.stdout
    # a map of one's own: its names, not the built-in map's
    mine = tmp_path / "mine.toml"
    mine.write_text('[[place]]\ndistrict = "Dazu"\ndistrict_aliases = ["Dazu County"]\npolicy = "dazu_2016"\n', "utf-8")
    own = cli("alerts", str(december), "--district", "dazu county", "--kind", "new_risk", "--policy-map", str(mine))
    assert own.stdout.splitlines()[:-1] == by_pinyin.stdout.splitlines()[:-1]
    unknown = cli("alerts", str(december), "--district", "大足区", "--policy-map", str(mine), "--lang", "en")
    assert unknown.stdout == f"0 alerts of the cycle as of {DECEMBER}\n"
    ambiguous = tmp_path / "twice.toml"
    ambiguous.write_text(
        '[[place]]\ndistrict = "Dazu"\ndistrict_aliases = ["DZ"]\npolicy = "dazu_2016"\n'
        '[[place]]\ndistrict = "Yubei"\ndistrict_aliases = ["dz"]\npolicy = "yubei_2016"\n',
        "utf-8",
    )
    refused = cli("alerts", str(december), "--district", "dz", "--policy-map", str(ambiguous), "--lang", "en")
    assert refused.returncode == 2
    assert "'dz' names district 'Yubei' here and district 'Dazu'" in refused.stderr


def test_a_cycle_in_chinese_names_the_districts_in_chinese(december: Path, county: Path, tmp_path: Path) -> None:
    store = _store(december, tmp_path)
    done = cli(
        "cycle",
        str(store),
        "--facts",
        _month(county),
        "--as-of",
        JANUARY,
        "--policy-map",
        "chongqing",
        "--lang",
        "zh-CN",
    )
    assert done.returncode == 0, done.stderr
    districts = [line.strip().split("（")[0] for line in done.stdout.splitlines() if "_2016@2016.1）" in line]
    assert districts == ["璧山区", "大足区", "渝北区"]
