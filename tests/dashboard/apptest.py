"""Running a page under Streamlit's AppTest as a logged-in user, once more when the
interpreter failed to compile it.

Pages read only what the logged-in user's scope allows, so every run starts with a
session as the login form leaves it (``dashboard.auth.session.start``); the users come
from the store the ``users_store`` fixture made (``tests/dashboard/conftest.py``).

CPython 3.11.7 (this machine's) can raise ``SystemError: AST constructor recursion depth
mismatch`` when two threads build syntax trees at once, a bug fixed in later 3.11 patch
releases; Streamlit then logs "Script compilation error" and the page renders nothing at
all, not even an exception. A page that rendered nothing is run once more; every assertion
of a test applies to the run that rendered.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from streamlit.testing.v1 import AppTest

from dashboard.auth.session import SESSION_KEY

ATTEMPTS = 2
TEST_LEADER = "test_leader"


def logged_in(app: AppTest, username: str) -> AppTest:
    """The app with a session of ``username`` started now, as a login leaves it."""
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    app.session_state[SESSION_KEY] = {"username": username, "since": now, "seen": now, "how": "test"}
    return app


def run_page(path: Path, timeout_s: float, user: str | None = TEST_LEADER) -> AppTest:
    """The page run once as ``user`` (None: nobody logged in)."""
    for _ in range(ATTEMPTS):
        app = AppTest.from_file(str(path), default_timeout=timeout_s)
        if user is not None:
            logged_in(app, user)
        app.run()
        if app.main.children or app.sidebar.children or app.exception:
            return app
    return app
