"""``relapse-guard screen --scheduler``, run as a user would: a subprocess, its output and its exit code."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

from relapse_guard.population import generate_population

from .helpers import cli as run_cli

needs_dask = pytest.mark.skipif(
    importlib.util.find_spec("distributed") is None, reason="the dask extra is not installed"
)
SCREEN = ("screen", "--policy", "yubei_2016", "--as-of", "2016-12-31")


def cli(*args: str, without_dask: bool = False) -> subprocess.CompletedProcess[str]:
    if not without_dask:
        return run_cli(*args)
    # as if dask were not installed: importing distributed raises ImportError
    start = "import sys; sys.modules['distributed'] = None; from relapse_guard.cli import main; sys.exit(main())"
    command = [sys.executable, "-c", start, *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("dask-cli") / "county"
    generate_population(directory, households=300, partitions=3, seed=5, processes=1)
    return directory


@needs_dask
def test_screen_on_a_local_dask_cluster_gives_the_one_process_totals_and_rows(county: Path, tmp_path: Path) -> None:
    one = cli(SCREEN[0], str(county), *SCREEN[1:], "--workers", "1", "--out", str(tmp_path / "one"))
    dask = cli(
        SCREEN[0], str(county), *SCREEN[1:], "--scheduler", "local", "--workers", "2", "--out", str(tmp_path / "dask")
    )
    assert one.returncode == 0, one.stderr
    assert dask.returncode == 0, dask.stderr
    assert json.loads(dask.stdout) == json.loads(one.stdout)
    assert json.loads(one.stdout)["households"] == 300
    for name in ("households.jsonl", "totals.json", "problems.jsonl"):
        assert (tmp_path / "dask" / name).read_bytes() == (tmp_path / "one" / name).read_bytes(), name


@needs_dask
def test_a_scheduler_that_cannot_be_used_exits_2(county: Path) -> None:
    done = cli(SCREEN[0], str(county), *SCREEN[1:], "--scheduler", "nowhere")
    assert done.returncode == 2
    assert "relapse-guard: error: cannot connect to the Dask scheduler at 'nowhere'" in done.stderr


@needs_dask
def test_a_partition_that_cannot_be_read_is_one_line_on_a_local_cluster_too(tmp_path: Path) -> None:
    # The worker's own "Compute Failed" log, a traceback in it, came before the one-line error.
    pytest.importorskip("pyarrow")
    broken = tmp_path / "county"
    generate_population(broken, households=200, partitions=2, seed=5, format="parquet", processes=1)
    facts = sorted(broken.glob("facts-*.parquet"))[-1]
    facts.write_bytes(facts.read_bytes()[: facts.stat().st_size // 2])  # a copy cut short
    done = cli(SCREEN[0], str(broken), *SCREEN[1:], "--scheduler", "local", "--workers", "2")
    assert done.returncode == 2
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"relapse-guard: error: {facts}: cannot read the Parquet file")


def test_without_dask_the_scheduler_option_exits_2_naming_the_extra(county: Path) -> None:
    done = cli(SCREEN[0], str(county), *SCREEN[1:], "--scheduler", "local", without_dask=True)
    assert done.returncode == 2
    assert "pip install 'relapse-guard[dask]'" in done.stderr
    assert done.stdout == ""


def test_a_what_if_without_dask_exits_2_naming_the_extra(county: Path) -> None:
    args = ("whatif", str(county), "--policy", "yubei_2016", "--policy", "bishan_2016", "--as-of", "2016-12-31")
    done = cli(*args, "--scheduler", "local", without_dask=True)
    assert done.returncode == 2
    assert "relapse-guard: error: a what-if on Dask needs dask.distributed, which is not installed" in done.stderr
    assert "pip install 'relapse-guard[dask]'" in done.stderr
    assert done.stdout == ""
