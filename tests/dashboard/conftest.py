"""Users for the dashboard's tests: a store made once per session with a ``leader`` (whom
the page tests log in as, so they keep testing what the leader sees) and one user of each
scoped role, anchored to the tiny warehouse's units, teams and staff."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from dashboard.auth.store import ENV_USERS, UserStore
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
