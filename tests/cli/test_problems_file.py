"""``problems.jsonl``: a bad row names the household it is of, so that it joins the household's row."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .helpers import cli, with_a_bad_date


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A small county whose first facts file has a bad date on line 3, and that file."""
    county = tmp_path_factory.mktemp("problems") / "county"
    assert cli("generate", str(county), "--households", "20", "--seed", "3").returncode == 0
    broken = county.parent / "broken"
    return broken, with_a_bad_date(county, broken)


def _problems(out: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in (out / "problems.jsonl").read_text(encoding="utf-8").splitlines()]


def test_a_screens_bad_row_names_its_household(broken: tuple[Path, Path], tmp_path: Path) -> None:
    population, facts = broken
    household = json.loads(facts.read_text(encoding="utf-8").splitlines()[2])["household_id"]
    out = tmp_path / "out"
    done = cli("screen", str(population), "--policy", "yubei_2016", "--as-of", "2016-12-31", "--out", str(out))
    assert done.returncode == 1
    (bad,) = _problems(out)
    assert {key: bad[key] for key in ("file", "line", "field", "household_id")} == {
        "file": str(facts),
        "line": 3,
        "field": "date",
        "household_id": household,
    }
    rows = [json.loads(line) for line in (out / "households.jsonl").read_text(encoding="utf-8").splitlines()]
    assert household in {row["household_id"] for row in rows}  # screened on its other facts: the row to join


def test_a_cycles_bad_row_names_its_household(broken: tuple[Path, Path], tmp_path: Path) -> None:
    population, facts = broken
    household = json.loads(facts.read_text(encoding="utf-8").splitlines()[2])["household_id"]
    out = tmp_path / "out"
    store = tmp_path / "county.db"
    done = cli(
        "cycle",
        str(store),
        "--population",
        str(population),
        "--as-of",
        "2016-12-31",
        "--policy",
        "yubei_2016",
        "--out",
        str(out),
    )
    assert done.returncode == 1
    (bad,) = _problems(out)
    assert (bad["line"], bad["field"], bad["household_id"]) == (3, "date", household)
