"""Running a page under Streamlit's AppTest, once more when the interpreter failed to compile it.

CPython 3.11.7 (this machine's) can raise ``SystemError: AST constructor recursion depth
mismatch`` when two threads build syntax trees at once, a bug fixed in later 3.11 patch
releases; Streamlit then logs "Script compilation error" and the page renders nothing at
all, not even an exception. A page that rendered nothing is run once more; every assertion
of a test applies to the run that rendered.
"""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

ATTEMPTS = 2


def run_page(path: Path, timeout_s: float) -> AppTest:
    for _ in range(ATTEMPTS):
        app = AppTest.from_file(str(path), default_timeout=timeout_s).run()
        if app.main.children or app.sidebar.children or app.exception:
            return app
    return app
