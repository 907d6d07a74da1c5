"""Fixtures of the population tests."""

from __future__ import annotations

import pytest

from relapse_guard import Fact, Household
from relapse_guard.population import synthetic_households

from .helpers import SEED, SMALL


@pytest.fixture(scope="session")
def small_population() -> list[tuple[Household, list[Fact]]]:
    """The first households of the synthetic population of SEED (in memory)."""
    return list(synthetic_households(SMALL, seed=SEED))


@pytest.fixture(params=["jsonl", "csv", "parquet"])
def file_format(request: pytest.FixtureRequest) -> str:
    """Each file format in turn (Parquet when pyarrow is installed)."""
    if request.param == "parquet":
        pytest.importorskip("pyarrow")
    return str(request.param)
