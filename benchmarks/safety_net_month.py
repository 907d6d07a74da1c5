"""The single-period safety-net screen in columns against OpenFisca, on the same households.

A synthetic population (``--households``, default 1,000,000, a year of facts each, Parquet;
generated once into the temporary directory and kept there, not timed, or ``--population
DIR``) is screened for the month of ``--as-of`` (default 2016-12-31) under ``--policy``:
:func:`~relapse_guard.screening.columnar.safety_net_month.screen_safety_net_month` reads the
Parquet columns and computes every household's top-up (timed: best of ``--repeat``).

With ``--openfisca-python PYTHON`` (an interpreter with ``openfisca-core`` and numpy
installed, e.g. ``python3 -m venv /tmp/of-venv && /tmp/of-venv/bin/pip install openfisca-core
numpy``), the households' incomes, assessments and members are saved as arrays (not timed)
and benchmarks/openfisca_safety_net.py is run in that interpreter: it builds an OpenFisca
simulation of the same households from those arrays and calculates the same formula for the
month; then again, reading its arrays from the Parquet files itself with pyarrow. The times
are printed, with the columnar kernel's on the same arrays, the ratios and whether all the
totals agree to the fen.

The target: the columnar screen of a million households from Parquet faster than
OpenFisca's build plus calculation of the same formula over the same households.

Run: python benchmarks/safety_net_month.py [--households 1000000] [--openfisca-python /tmp/of-venv/bin/python]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np

from relapse_guard import load_policy
from relapse_guard.population import generate_population, read_population
from relapse_guard.screening.columnar.safety_net_month import SafetyNetMonth, screen_safety_net_month, top_up_fen

HERE = Path(__file__).resolve().parent
FEN = 100  # ten-thousandths of a yuan in a fen


def _population(households: int, directory: Path | None) -> Path:
    """The population to screen: ``directory``, or one generated once into the temporary directory."""
    if directory is not None:
        return directory
    directory = Path(tempfile.gettempdir()) / f"relapse_guard_safety_net_{households}"
    if not (directory / "manifest.json").exists():
        print(f"generating {households:,} households to {directory} (not timed) ...", flush=True)
        generate_population(directory, households=households, seed=1, format="parquet", overwrite=True)
    return directory


def _ours(directory: Path, policy: str, as_of: dt.date, repeat: int) -> tuple[SafetyNetMonth, float]:
    """The columnar screen's result and its best time of ``repeat`` runs (reading included)."""
    loaded = load_policy(policy)
    best = float("inf")
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = screen_safety_net_month(read_population(directory), loaded, as_of)
        best = min(best, time.perf_counter() - start)
    assert result is not None
    return result, best


def _save_arrays(directory: Path, policy: str, as_of: dt.date, path: Path) -> None:
    """Each household's income in fen and whether assessed, and each person's household, to ``path``."""
    result = screen_safety_net_month(directory, load_policy(policy), as_of, keep_columns=True)
    columns = result.columns
    assert columns is not None
    income = columns.income
    if not columns.exact.all() or (income % FEN).any() or (income // FEN).max(initial=0) >= 2**31:
        raise SystemExit("OpenFisca's int32 variables need incomes in whole fen of at most 2**31 fen")
    np.savez(
        path,
        income_fen=(income // FEN).astype(np.int32),
        assessed=columns.assessed,
        person_household=np.repeat(np.arange(len(income)), columns.members),
    )


def _ours_from_arrays(path: Path, standard: Decimal, repeat: int) -> tuple[int, float]:
    """The kernel on the arrays OpenFisca is given (members counted from the persons' households, as
    OpenFisca's build does): the total in fen and the best time of ``repeat`` runs (loading not counted)."""
    with np.load(path) as saved:
        income, assessed, person_household = saved["income_fen"], saved["assessed"], saved["person_household"]
    best, total = float("inf"), 0
    for _ in range(repeat):
        start = time.perf_counter()
        members = np.bincount(person_household, minlength=len(income))
        fen = top_up_fen(income.astype(np.int64) * FEN, assessed, members, standard)
        best = min(best, time.perf_counter() - start)
        total = int(fen.sum())
    return total, best


def _openfisca(python: str, source: list[str], as_of: dt.date, standard: str, repeat: int) -> dict[str, Any]:
    """The figures of benchmarks/openfisca_safety_net.py run in ``python`` on ``source`` (its arguments
    naming the arrays or the population): the best of ``repeat`` runs."""
    runs = []
    for _ in range(repeat):
        command = [python, str(HERE / "openfisca_safety_net.py"), *source, "--as-of", as_of.isoformat()]
        command += ["--month", as_of.strftime("%Y-%m"), "--standard", standard]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode:
            raise SystemExit(f"OpenFisca's run failed:\n{done.stderr}")
        runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    figures: dict[str, Any] = min(
        runs, key=lambda run: run["load_seconds"] + run["build_seconds"] + run["calculate_seconds"]
    )
    return figures


def main(argv: list[str] | None = None) -> int:
    """Time the columnar screen (and OpenFisca's, when asked) and print the figures."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--households", type=int, default=1_000_000)
    parser.add_argument("--population", type=Path, help="a Parquet population directory to screen instead")
    parser.add_argument("--policy", default="yubei_2016")
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=dt.date(2016, 12, 31))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--openfisca-python", help="an interpreter with openfisca-core and numpy installed")
    args = parser.parse_args(argv)
    directory = _population(args.households, args.population)
    result, ours = _ours(directory, args.policy, args.as_of, args.repeat)
    print(f"{result.households:,} households, {args.policy}, the month of {args.as_of}, standard {result.standard}")
    print(f"  columnar, Parquet read + compute: {ours:7.2f} s   {result.topped_up:,} topped up, {result.total} yuan")
    if not args.openfisca_python:
        return 0
    with tempfile.TemporaryDirectory() as folder:
        arrays = Path(folder) / "households.npz"
        _save_arrays(directory, args.policy, args.as_of, arrays)
        standard = str(result.standard)
        theirs = _openfisca(args.openfisca_python, ["--arrays", str(arrays)], args.as_of, standard, args.repeat)
        read = _openfisca(args.openfisca_python, ["--population", str(directory)], args.as_of, standard, args.repeat)
        kernel_total, kernel = _ours_from_arrays(arrays, result.standard, args.repeat)
    both = theirs["build_seconds"] + theirs["calculate_seconds"]
    print(
        f"  OpenFisca build + calculate:      {both:7.2f} s   (build {theirs['build_seconds']:.2f} s, calculate "
        f"{theirs['calculate_seconds']:.2f} s; its tax-benefit system {theirs['system_seconds']:.2f} s and loading "
        f"the arrays {theirs['load_seconds']:.2f} s not counted)"
    )
    from_parquet = read["load_seconds"] + read["build_seconds"] + read["calculate_seconds"]
    print(
        f"  OpenFisca from the Parquet files:  {from_parquet:7.2f} s   (its arrays read with pyarrow "
        f"{read['load_seconds']:.2f} s, then build + calculate)"
    )
    print(f"  columnar kernel on OpenFisca's arrays: {kernel:7.3f} s")
    print(f"  ratio OpenFisca build + calculate / columnar from Parquet: {both / ours:.2f}x (target > 1)")
    print(f"  ratio OpenFisca from the Parquet files / columnar from Parquet: {from_parquet / ours:.2f}x")
    print(f"  ratio OpenFisca build + calculate / columnar kernel on the same arrays: {both / kernel:.1f}x")
    totals = {theirs["total_fen"], read["total_fen"], result.total_fen, kernel_total}
    same = len(totals) == 1 and theirs["topped_up"] == read["topped_up"] == result.topped_up
    print(f"  same total to the fen: {same} ({theirs['total_fen']:,} fen in OpenFisca, {result.total_fen:,} here)")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
