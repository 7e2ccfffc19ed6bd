"""The dashboard tests' shared fixtures: the session's tiny warehouse as the one the pages
read (``warehouse``) and a connection to its published version (``marts``), and a users
store made once per session with a ``leader`` (whom the page tests log in as, so they keep
testing what the leader sees) and one user of each scoped role, anchored to the tiny
warehouse's units, teams and staff."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from dashboard.auth.store import ENV_USERS, UserStore
from ingest.warehouse import connect_published
from tests.dashboard.apptest import TEST_LEADER

TEST_PASSWORD = "correct horse battery"


@pytest.fixture(scope="session")
def users_store(tmp_path_factory: pytest.TempPathFactory) -> UserStore:
    store = UserStore(tmp_path_factory.mktemp("users") / "users.sqlite")
    store.add(TEST_LEADER, TEST_PASSWORD, "leader")
    return store


@pytest.fixture(autouse=True)
def _users_env(users_store: UserStore, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv(ENV_USERS, str(users_store.path))
    yield users_store.path


@pytest.fixture
def warehouse(tiny_warehouse: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The tiny warehouse, set as the one the pages read (``DANGAN_WAREHOUSE``)."""
    monkeypatch.setenv("DANGAN_WAREHOUSE", str(tiny_warehouse))
    return Path(tiny_warehouse)


@pytest.fixture
def marts(warehouse: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to the published version of ``warehouse``."""
    con = connect_published(warehouse)
    try:
        yield con
    finally:
        con.close()
