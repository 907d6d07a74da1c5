"""Fixtures of the store tests: every shared test runs against each store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from relapse_guard import Policy, load_policy

from .helpers import KINDS, StoreLike, make_store


@pytest.fixture(params=KINDS)
def store_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def store(store_kind: str, tmp_path: Path) -> Iterator[StoreLike]:
    """A fresh store: in memory, or in a SQLite file."""
    with make_store(store_kind, tmp_path / "store.db") as opened:
        yield opened


@pytest.fixture(scope="session")
def yubei() -> Policy:
    return load_policy("yubei_2016")
