"""The commands that read a store (``quarantined``, ``verify``, ``explain --store``, ``diff --store``)
write nothing and create nothing: they left the ``-wal`` and ``-shm`` files SQLite makes to read a
WAL database behind them."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

from .helpers import cli

AS_OF = "2016-12-31"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    where = tmp_path_factory.mktemp("read-only")
    done = cli("generate", "county", "--households", "20", "--seed", "4", "--processes", "1", cwd=where)
    assert done.returncode == 0, done.stderr
    done = cli("cycle", "county.db", "--population", "county", "--as-of", AS_OF, "--policy", "yubei_2016", cwd=where)
    assert done.returncode == 0, done.stderr
    return where / "county.db"


@pytest.mark.parametrize(
    "command",
    [
        ("quarantined", "{store}"),
        ("quarantined", "{store}", "--format", "json"),
        ("verify", "{store}"),
        ("explain", "{household}", "--store", "{store}", "--policy", "yubei_2016"),
        (
            "diff",
            "{household}",
            "--store",
            "{store}",
            "--policy",
            "yubei_2016",
            "--known-on",
            "2016-01-01",
            "--known-on",
            "2099-01-01",
        ),
    ],
    ids=lambda command: "-".join(word for word in command if not word.startswith("{"))[:40],
)
def test_a_reading_command_leaves_the_directory_as_it_was(store: Path, command: tuple[str, ...]) -> None:
    db = sqlite3.connect(store)  # a writer's connection: the last to close takes -wal and -shm away
    household = db.execute("SELECT min(household_id) FROM households").fetchone()[0]
    db.close()
    before = sorted(path.name for path in store.parent.iterdir())
    assert "county.db-wal" not in before
    digest = hashlib.sha256(store.read_bytes()).hexdigest()
    done = cli(*(word.format(store=store, household=household) for word in command))
    assert done.returncode == 0, done.stderr
    assert sorted(path.name for path in store.parent.iterdir()) == before
    assert hashlib.sha256(store.read_bytes()).hexdigest() == digest
