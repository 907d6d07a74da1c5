"""A report gathered from a monitoring store: what its cycles stored, corrections included."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest

from relapse_guard import load_policy
from relapse_guard.cli import main
from relapse_guard.errors import StoreError
from relapse_guard.facts import FactCorrected, IncomeAssessed
from relapse_guard.policies.policy_map import builtin_policy_map
from relapse_guard.population import generate_population, read_population
from relapse_guard.reporting import collect_population, from_store
from relapse_guard.reporting.from_store import collect_store
from relapse_guard.store import SQLiteStore, replay

AS_OF = dt.date(2016, 12, 31)


def _stored(folder: Path, households: int = 240) -> tuple[Path, Path]:
    """A generated county and a store holding the same households and facts."""
    county = folder / "county"
    generate_population(county, households=households, seed=5, processes=1)
    path = folder / "store.db"
    with SQLiteStore(path) as store:
        for household, facts, _ in read_population(county).iter_records():
            assert household is not None
            store.put_household(household)
            store.append(household.id, facts)
    return county, path


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return _stored(tmp_path_factory.mktemp("store"))


def test_a_store_holding_a_countys_facts_gives_the_countys_report(stored: tuple[Path, Path]) -> None:
    county, path = stored
    for policy in ("yubei_2016", builtin_policy_map()):
        from_county = collect_population(county, policy, AS_OF)
        assert collect_store(path, policy, AS_OF) == from_county
        assert from_county.households == 240


def test_the_report_counts_what_the_store_learnt_since(tmp_path: Path) -> None:
    """A month delivered and a correction stored later change the report as they change each replay."""
    county, path = _stored(tmp_path, households=120)
    before = collect_store(path, "yubei_2016", AS_OF)
    with SQLiteStore(path) as store:
        ids = store.household_ids()[:30]
        for number, household_id in enumerate(ids):
            first = store.facts(household_id)[0]
            low = IncomeAssessed(
                id=f"{household_id}-late",
                household_id=household_id,
                date=dt.date(2016, 12, 20),
                income_per_capita=Decimal(1200),
            )
            facts: list[object] = [low]
            if number % 2 and isinstance(first, IncomeAssessed):
                facts.append(
                    FactCorrected(
                        id=f"{household_id}-fix",
                        household_id=household_id,
                        date=dt.date(2016, 12, 21),
                        corrects=first.id,
                        replacement=low.__class__(
                            id=first.id, household_id=household_id, date=first.date, income_per_capita=Decimal(900)
                        ),
                    )
                )
            store.append(household_id, facts)  # type: ignore[arg-type]
    after = collect_store(path, "yubei_2016", AS_OF)
    policy = load_policy("yubei_2016")
    with SQLiteStore(path, read_only=True) as store:
        states = Counter(replay(store, hid, policy, as_of=AS_OF).state.value for hid in store.household_ids())
    assert after.by_state == states
    assert after.by_state != before.by_state  # 30 households assessed at 1,200 a year: identified
    assert after != collect_population(county, "yubei_2016", AS_OF)


def test_workers_gather_the_serial_figures(stored: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    _, path = stored
    monkeypatch.setattr(from_store, "SLICE", 70)  # four slices of 240 households
    serial = collect_store(path, "dazu_2016", AS_OF)
    seen: list[int] = []
    parallel = collect_store(path, "dazu_2016", AS_OF, workers=2, progress=lambda p: seen.append(p.households_done))
    assert parallel == serial
    assert seen == [70, 140, 210, 240]


def test_no_store_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no store file at"):
        collect_store(tmp_path / "missing.db", "yubei_2016", AS_OF)


def test_the_command_reports_on_a_store_and_writes_nothing_to_it(
    stored: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    county, path = stored
    before = (sorted(file.name for file in path.parent.iterdir()), path.read_bytes())
    common = ["--policy-map", "chongqing", "--as-of", "2016-12-31"]
    assert main(["report", "--store", str(path), *common, "--out", str(tmp_path / "a")]) == 0
    assert main(["report", str(county), *common, "--out", str(tmp_path / "b")]) == 0
    a = (tmp_path / "a" / "report.md").read_text(encoding="utf-8").splitlines()
    b = (tmp_path / "b" / "report.md").read_text(encoding="utf-8").splitlines()
    assert a[0] == "# Relapse report: store.db"
    assert b[0] == "# Relapse report: county"
    assert a[1:] == b[1:]
    assert (sorted(file.name for file in path.parent.iterdir()), path.read_bytes()) == before  # opened read-only


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ([], "report needs a population directory or --store FILE"),
        (["county", "--store", "store.db"], "report needs a population directory or --store FILE, not both"),
        (["--store", "missing.db"], "no store file at missing.db"),
    ],
)
def test_the_command_needs_one_source(
    arguments: list[str],
    message: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "county").mkdir()
    (tmp_path / "store.db").touch()
    code = main(["report", *arguments, "--policy", "yubei_2016", "--as-of", "2016-12-31", "--out", "out"])
    assert code == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
