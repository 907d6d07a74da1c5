"""An ``--out`` that cannot be made is refused before any work, naming it, with exit 2.

``cycle ... --out /proc/nope/out`` stored the month's facts, saved the checkpoints and recorded
the cycle, then failed making the directory (exit 2, a raw ``[Errno 2]`` line, no summary): the
permission bits it checked say yes to root, and ``/proc`` makes no directory. ``screen``,
``report``, ``whatif``, ``generate-month`` and ``verify --save-anchor`` failed the same way, after
their work.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from .helpers import cli

pytestmark = pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux /proc")

#: Under /proc nothing can be made, whoever asks (root included): os.access() cannot tell.
NOWHERE = "/proc/nope/out"
AS_OF = "2016-12-31"


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> Path:
    where = tmp_path_factory.mktemp("out-first")
    done = cli("generate", "county", "--households", "40", "--seed", "2", "--processes", "1", cwd=where)
    assert done.returncode == 0, done.stderr
    done = cli("generate-month", "county", "--month", "2017-01", "--out", "jan.jsonl", "--processes", "1", cwd=where)
    assert done.returncode == 0, done.stderr
    done = cli("cycle", "dec.db", "--population", "county", "--as-of", AS_OF, "--policy", "yubei_2016", cwd=where)
    assert done.returncode == 0, done.stderr
    return where / "county"


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _refused(done: object, what: str) -> None:
    import subprocess

    assert isinstance(done, subprocess.CompletedProcess)
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    (line,) = done.stderr.splitlines()
    assert line.startswith(f"relapse-guard: error: {what} ")
    assert "/proc/nope" in line
    assert "Traceback" not in done.stderr


def test_cycle_leaves_the_store_untouched(county: Path, tmp_path: Path) -> None:
    store = tmp_path / "county.db"
    shutil.copyfile(county.parent / "dec.db", store)
    before = _digest(store)
    month = str(county.parent / "jan.jsonl")
    done = cli(
        "cycle", str(store), "--facts", month, "--as-of", "2017-01-31", "--policy", "yubei_2016", "--out", NOWHERE
    )
    _refused(done, f"--out {NOWHERE} cannot be made:")
    assert _digest(store) == before
    assert sorted(path.name for path in tmp_path.iterdir()) == ["county.db"]  # no -wal: never opened
    fresh = tmp_path / "new.db"
    done = cli(
        "cycle", str(fresh), "--population", str(county), "--as-of", AS_OF, "--policy", "yubei_2016", "--out", NOWHERE
    )
    _refused(done, f"--out {NOWHERE} cannot be made:")
    assert not fresh.exists()


@pytest.mark.parametrize(
    "command",
    [
        ("screen", "{county}", "--policy", "yubei_2016", "--as-of", AS_OF),
        ("report", "{county}", "--policy", "yubei_2016", "--as-of", AS_OF),
        ("whatif", "{county}", "--policy", "yubei_2016", "--policy", "dazu_2016", "--as-of", AS_OF),
    ],
    ids=lambda command: command[0],
)
def test_a_population_command_is_refused_before_it_screens(county: Path, command: tuple[str, ...]) -> None:
    done = cli(*(word.format(county=county) for word in command), "--out", NOWHERE)
    _refused(done, f"--out {NOWHERE} cannot be made:")


def test_generate_month_and_generate(county: Path) -> None:
    done = cli("generate-month", str(county), "--month", "2017-02", "--out", f"{NOWHERE}/feb.jsonl")
    _refused(done, f"facts file {NOWHERE}/feb.jsonl cannot be written:")
    done = cli("generate", NOWHERE, "--households", "10")
    _refused(done, f"directory {NOWHERE} cannot be made:")


def test_verify_save_anchor(county: Path) -> None:
    done = cli("verify", str(county.parent / "dec.db"), "--save-anchor", f"{NOWHERE}/heads.json")
    _refused(done, f"--save-anchor {NOWHERE}/heads.json cannot be written:")
