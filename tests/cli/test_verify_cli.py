"""``relapse-guard verify STORE``: an intact store, a store edited behind the library's back, anchors
saved and checked, files that cannot be used, JSON and Chinese."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from relapse_guard import Engine, load_policy
from relapse_guard.cli import EXIT_DONE, EXIT_FINDINGS, EXIT_USAGE
from relapse_guard.cli_verify import read_anchor, report_lines, write_anchor
from relapse_guard.errors import InvalidAnchor, StoreError
from relapse_guard.store import GENESIS, ChainHead, SQLiteStore, StoreHeads

from ..store.helpers import household, income, story
from .helpers import cli

AS_OF = dt.date(2019, 6, 30)
HOMES = [household("H1"), household("H2")]


def _build(path: Path) -> None:
    """Two households, their facts (12) and their decisions logged."""
    engine = Engine(load_policy("yubei_2016"))
    with SQLiteStore(path) as store:
        store.put_households(HOMES)
        for home in HOMES:
            store.append(home.id, story(home))
        for home in HOMES:
            store.record_decisions(engine.run(home, store.facts(home.id), as_of=AS_OF))


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("verify") / "store.db"
    _build(path)
    return path


@pytest.fixture
def store(template: Path, tmp_path: Path) -> Path:
    """A fresh copy of the intact store."""
    path = tmp_path / "store.db"
    shutil.copyfile(template, path)
    return path


def _tamper(path: Path, *statements: str) -> None:
    """Run ``statements`` on the file directly, the append-only triggers dropped first."""
    db = sqlite3.connect(path, isolation_level=None)
    try:
        for table in ("facts", "decisions"):
            for event in ("update", "delete"):
                db.execute(f"DROP TRIGGER IF EXISTS {table}_append_only_{event}")
        for statement in statements:
            db.execute(statement)
    finally:
        db.close()


def _fact_household(path: Path, seq: int) -> str:
    db = sqlite3.connect(path)
    try:
        return str(db.execute("SELECT household_id FROM facts WHERE seq = ?", (seq,)).fetchone()[0])
    finally:
        db.close()


# --- intact ---------------------------------------------------------------------------------


def test_an_intact_store_exits_0_with_its_counts_and_heads(store: Path) -> None:
    run = cli("verify", str(store), "--lang", "en")
    assert run.returncode == EXIT_DONE, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0] == f"{store}: intact"
    assert lines[1].startswith("  12 facts, head #12 ")
    assert " decisions, head #" in lines[2]
    assert lines[3] == f"  0 checkpoint entries, head #0 {GENESIS[:16]}"
    assert run.stderr == ""


def test_heads_saved_then_checked_as_the_anchor(store: Path, tmp_path: Path) -> None:
    anchor = tmp_path / "heads.json"
    saved = cli("verify", str(store), "--save-anchor", str(anchor), "--lang", "en")
    assert saved.returncode == EXIT_DONE, saved.stderr
    assert f"heads saved to {anchor}" in saved.stderr
    with SQLiteStore(store) as opened:
        assert read_anchor(str(anchor)) == opened.heads()
    assert set(json.loads(anchor.read_text(encoding="utf-8"))) == {"facts", "decisions", "checkpoints"}
    checked = cli("verify", str(store), "--anchor", str(anchor), "--lang", "en")
    assert checked.returncode == EXIT_DONE, checked.stderr
    assert f"  nothing up to the heads of the anchor {anchor} changed" in checked.stdout.splitlines()


def test_facts_appended_after_the_anchor_leave_the_store_intact(store: Path, tmp_path: Path) -> None:
    anchor = tmp_path / "heads.json"
    assert cli("verify", str(store), "--save-anchor", str(anchor)).returncode == EXIT_DONE
    with SQLiteStore(store) as opened:
        opened.append("H2", [income("H2-inc4", dt.date(2018, 12, 1), 2800, "H2")])
    run = cli("verify", str(store), "--anchor", str(anchor), "--lang", "en")
    assert run.returncode == EXIT_DONE, run.stdout + run.stderr
    assert run.stdout.splitlines()[1].startswith("  13 facts, head #13 ")


# --- tampered -------------------------------------------------------------------------------


def test_a_fact_edited_in_the_file_exits_1_naming_its_sequence_and_household(store: Path) -> None:
    _tamper(store, "UPDATE facts SET body = replace(body, '2500', '1500') WHERE seq = 1")
    run = cli("verify", str(store), "--lang", "en")
    assert run.returncode == EXIT_FINDINGS, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0] == f"{store}: NOT intact, 1 problem"
    assert lines[4].startswith(f"  edited: fact #1 (household {_fact_household(store, 1)!r}): ")


def test_a_decision_deleted_in_the_file_exits_1_naming_it(store: Path) -> None:
    _tamper(store, "DELETE FROM decisions WHERE seq = 3")
    run = cli("verify", str(store), "--format", "json")
    assert run.returncode == EXIT_FINDINGS, run.stderr
    problems = json.loads(run.stdout)["problems"]
    assert [(p["log"], p["what"], p["sequence"]) for p in problems] == [("decisions", "deleted", 3)]
    assert problems[0]["message"] == "deleted: entry #3: entry #3 is missing"


def test_an_anchor_whose_head_no_longer_matches_exits_1(store: Path, tmp_path: Path) -> None:
    anchor = tmp_path / "heads.json"
    assert cli("verify", str(store), "--save-anchor", str(anchor)).returncode == EXIT_DONE
    # rewrite the whole log up to the anchored head, its hashes recomputed: only the anchor tells
    heads = read_anchor(str(anchor))
    forged = StoreHeads(facts=heads.facts, decisions=ChainHead(heads.decisions.sequence, "f" * 64))
    write_anchor(str(anchor), forged)
    run = cli("verify", str(store), "--anchor", str(anchor), "--format", "json")
    assert run.returncode == EXIT_FINDINGS, run.stderr
    report = json.loads(run.stdout)
    assert not report["ok"]
    assert [(p["log"], p["what"], p["sequence"]) for p in report["problems"]] == [
        ("decisions", "edited", heads.decisions.sequence)
    ]
    assert "the log up to the anchor was rewritten" in report["problems"][0]["detail"]


def test_an_edit_before_the_anchored_head_exits_1(store: Path, tmp_path: Path) -> None:
    anchor = tmp_path / "heads.json"
    assert cli("verify", str(store), "--save-anchor", str(anchor)).returncode == EXIT_DONE
    _tamper(store, "UPDATE facts SET body = replace(body, '3900', '4900') WHERE seq = 3")
    run = cli("verify", str(store), "--anchor", str(anchor), "--save-anchor", str(tmp_path / "new.json"))
    assert run.returncode == EXIT_FINDINGS
    assert "edited: fact #3 " in run.stdout
    assert not (tmp_path / "new.json").exists()
    assert "heads not saved to" in run.stderr


# --- files that cannot be used ---------------------------------------------------------------


def test_a_missing_store_is_an_error_and_is_not_created(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.db"
    run = cli("verify", str(missing), "--lang", "en")
    assert run.returncode == EXIT_USAGE
    assert run.stderr.strip() == f"relapse-guard: error: no store file at {missing}"
    assert run.stdout == ""
    assert list(tmp_path.iterdir()) == []


def test_an_empty_file_is_not_made_a_store(tmp_path: Path) -> None:
    empty = tmp_path / "empty.db"
    empty.touch()
    run = cli("verify", str(empty))
    assert run.returncode == EXIT_USAGE
    assert "is empty, not a relapse_guard store" in run.stderr
    assert empty.stat().st_size == 0


def test_a_store_of_an_earlier_schema_is_refused_not_migrated(tmp_path: Path) -> None:
    old = tmp_path / "v2.sqlite"
    shutil.copyfile(Path(__file__).parents[1] / "store" / "fixtures" / "store-v2.sqlite", old)
    before = old.read_bytes()
    run = cli("verify", str(old))
    assert run.returncode == EXIT_USAGE
    assert "schema version 2 and is opened read-only" in run.stderr
    assert old.read_bytes() == before


def test_verifying_leaves_the_store_file_as_it_was(store: Path, tmp_path: Path) -> None:
    before = store.read_bytes()
    assert cli("verify", str(store), "--save-anchor", str(tmp_path / "heads.json")).returncode == EXIT_DONE
    assert store.read_bytes() == before


def test_a_file_that_is_not_a_store_is_an_error_and_is_left_as_it_was(tmp_path: Path) -> None:
    text = tmp_path / "notes.db"
    text.write_text("not a database, just notes\n" * 100, encoding="utf-8")
    before = text.read_bytes()
    run = cli("verify", str(text), "--lang", "en")
    assert run.returncode == EXIT_USAGE
    assert run.stderr.startswith(f"relapse-guard: error: cannot open store {str(text)!r}: ")
    assert text.read_bytes() == before


@pytest.mark.parametrize(
    ("content", "named"),
    [
        ("not json {", "expected JSON ("),
        (
            '{"facts": {"sequence": 1, "hash": "'
            + "a" * 64
            + '"}, "decisions": {"sequence": 0, "hash": "'
            + GENESIS
            + '"}}',
            "field 'checkpoints' is missing",
        ),
        (
            '{"facts": {"sequence": 2, "hash": "xyz"}, "decisions": {"sequence": 0, "hash": "' + GENESIS + '"}, '
            '"checkpoints": {"sequence": 0, "hash": "' + GENESIS + '"}}',
            "field 'facts.hash' has value 'xyz'",
        ),
        (
            '{"facts": {"sequence": -1, "hash": "'
            + GENESIS
            + '"}, "decisions": {"sequence": 0, "hash": "'
            + GENESIS
            + '"}, "checkpoints": {"sequence": 0, "hash": "'
            + GENESIS
            + '"}}',
            "field 'facts.sequence' has value -1",
        ),
    ],
    ids=["not-json", "missing-field", "bad-hash", "bad-sequence"],
)
def test_a_malformed_anchor_is_an_error_naming_the_file_and_field(
    store: Path, tmp_path: Path, content: str, named: str
) -> None:
    anchor = tmp_path / "heads.json"
    anchor.write_text(content, encoding="utf-8")
    run = cli("verify", str(store), "--anchor", str(anchor), "--lang", "en")
    assert run.returncode == EXIT_USAGE, run.stdout + run.stderr
    assert run.stderr.startswith(f"relapse-guard: error: anchor {str(anchor)!r}: ")
    assert named in run.stderr
    assert run.stdout == ""


def test_a_missing_anchor_file_is_an_error_and_the_store_is_not_created(tmp_path: Path) -> None:
    run = cli("verify", str(tmp_path / "s.db"), "--anchor", str(tmp_path / "heads.json"))
    assert run.returncode == EXIT_USAGE
    assert list(tmp_path.iterdir()) == []


def test_the_anchor_round_trips_and_its_errors_are_typed(tmp_path: Path) -> None:
    heads = StoreHeads(facts=ChainHead(3, "ab" * 32), decisions=ChainHead(1, "cd" * 32))
    assert StoreHeads.from_dict(heads.to_dict()) == heads
    assert ChainHead.from_dict(heads.facts.to_dict()) == heads.facts
    data = heads.to_dict()
    data["decisions"]["sequence"] = True
    with pytest.raises(InvalidAnchor) as info:
        StoreHeads.from_dict(data, source="a.json")
    assert (info.value.field, info.value.value, info.value.source) == ("decisions.sequence", True, "a.json")
    assert isinstance(info.value, StoreError)
    data = heads.to_dict()
    data["facts"]["extra"] = 1
    with pytest.raises(InvalidAnchor, match=r"'facts\.extra'"):
        StoreHeads.from_dict(data)
    with pytest.raises(InvalidAnchor, match="64 zeros"):
        ChainHead.from_dict({"sequence": 0, "hash": "ab" * 32})
    path = tmp_path / "bytes.json"
    path.write_bytes(b"\xff\xfe")
    with pytest.raises(InvalidAnchor, match="UTF-8"):
        read_anchor(str(path))


# --- JSON and language -----------------------------------------------------------------------


def test_json_has_the_fields(store: Path) -> None:
    run = cli("verify", str(store), "--format", "json", "--lang", "zh-CN")
    assert run.returncode == EXIT_DONE, run.stderr
    report = json.loads(run.stdout)
    assert report["ok"] is True
    assert report["store"] == str(store)
    assert report["anchor"] is None
    assert report["counts"]["facts"] == 12
    assert report["counts"]["checkpoints"] == 0
    assert report["problems"] == []
    with SQLiteStore(store) as opened:
        assert StoreHeads.from_dict(report["heads"]) == opened.heads()


def test_chinese(store: Path, tmp_path: Path) -> None:
    run = cli("verify", str(store), "--lang", "zh-CN", "--save-anchor", str(tmp_path / "heads.json"))
    assert run.returncode == EXIT_DONE, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0] == f"{store}：完好"
    assert lines[1].startswith("  12 条事实，链头 #12 ")
    assert "条决定" in lines[2]
    assert "检查点" in lines[3]
    assert "锚点" in run.stderr
    _tamper(store, "DELETE FROM facts WHERE seq = 12")
    tampered = cli("verify", str(store), "--lang", "zh-CN")
    assert tampered.returncode == EXIT_FINDINGS
    assert tampered.stdout.splitlines()[0] == f"{store}：不完好，发现 1 个问题"


def test_report_lines_in_english() -> None:
    from relapse_guard.store import VerificationReport

    lines = report_lines(VerificationReport(entries=2, head=ChainHead(2, "ab" * 32)), "s.db", anchor="a.json")
    assert lines == [
        "s.db: intact",
        f"  0 facts, head #0 {GENESIS[:16]}",
        f"  2 decisions, head #2 {'ab' * 8}",
        f"  0 checkpoint entries, head #0 {GENESIS[:16]}",
        "  nothing up to the heads of the anchor a.json changed",
    ]


@pytest.mark.parametrize(
    "command",
    [
        ("explain", "YB-1", "--policy", "yubei_2016"),
        ("diff", "YB-1", "--policy", "yubei_2016", "--known-on", "2016-01-01", "--known-on", "2017-01-01"),
    ],
)
def test_reading_commands_leave_a_store_of_an_earlier_schema_as_it_was(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    # explain and diff only read: they open a store read-only, so a store of an earlier schema
    # is refused (with how to migrate it), not migrated as a side effect of asking.
    old = tmp_path / "v2.sqlite"
    shutil.copyfile(Path(__file__).parents[1] / "store" / "fixtures" / "store-v2.sqlite", old)
    before = old.read_bytes()
    run = cli(*command[:2], "--store", str(old), *command[2:])
    assert run.returncode == EXIT_USAGE, run.stderr
    assert "schema version 2 and is opened read-only" in run.stderr
    assert old.read_bytes() == before
