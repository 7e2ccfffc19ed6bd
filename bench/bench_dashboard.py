"""Page render times of the dashboard on a published warehouse, through Streamlit's AppTest
and, with ``--browser``, as a user feels them in headless Chromium.

AppTest: cold = caches cleared (connection opened, every query run); warm = the same page
again with the query cache filled. The customer page is timed with a search for the
customer who has the most documents.

Browser: ``dangan dashboard`` is started on the warehouse, Chromium logs in and the time is
taken from the login (the first page after the server start) or from a click on a page's
link in the sidebar until the app is idle (the script run finished, nothing stale on the
page, the page's title shown): first visit and warm (the median of ``--repeat`` later visits).

    .venv/bin/python bench/bench_dashboard.py --warehouse tiny=W1 --warehouse jiaxing=W2 --repeat 3
    .venv/bin/python bench/bench_dashboard.py --warehouse jiaxing=W2 --browser --repeat 3
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import platform
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import streamlit as st
from streamlit.testing.v1 import AppTest

from dashboard.auth.session import SESSION_KEY
from dashboard.auth.store import ENV_USERS, UserStore
from ingest.warehouse import connect_published, published_file

logger = logging.getLogger(__name__)

VIEWS = Path(__file__).resolve().parents[1] / "dashboard" / "views"
BENCH_USER = "bench_leader"
PAGES = ("kpi", "rankings", "sla", "reminders", "contracts", "audit", "customer", "quality")
COUNTED = (
    "marts.kpi_monthly",
    "marts.scorecard_monthly",
    "marts.sla_monitor",
    "marts.reminders",
    "marts.contract_status",
    "marts.audit_sample",
    "marts.customer_documents",
    "marts.scan_pages",
)


def _render(page: str, customer: str | None) -> float:
    """One page rendered for a logged-in leader (whole company, as before logins existed)."""
    started = time.perf_counter()
    app = AppTest.from_file(str(VIEWS / f"{page}.py"), default_timeout=600)
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    app.session_state[SESSION_KEY] = {"username": BENCH_USER, "since": now, "seen": now, "how": "bench"}
    app.run()
    if page == "customer" and customer:
        app.text_input(key="cust_search").input(customer).run()
    elapsed = time.perf_counter() - started
    if app.exception:
        raise RuntimeError(f"page {page} raised: {[error.value for error in app.exception]}")
    return elapsed


def _measure(warehouse: Path, repeat: int) -> tuple[dict[str, int], float, dict[str, tuple[float, float]]]:
    """Row counts, file size (MB) and median cold/warm seconds per page for one warehouse."""
    os.environ["DANGAN_WAREHOUSE"] = str(warehouse.resolve())
    con = connect_published(warehouse)
    try:
        counts = {name: con.execute(f"select count(*) from {name}").fetchone()[0] for name in COUNTED}
        row = con.execute(
            "select cust_no from marts.customer_documents group by cust_no order by count(*) desc limit 1"
        ).fetchone()
        customer = row[0] if row else None
    finally:
        con.close()
    size_mb = published_file(warehouse).stat().st_size / 1e6
    medians: dict[str, tuple[float, float]] = {}
    for page in PAGES:
        cold, warm = [], []
        for _ in range(repeat):
            st.cache_data.clear()
            st.cache_resource.clear()
            cold.append(_render(page, customer))
            warm.append(_render(page, customer))
        medians[page] = (statistics.median(cold), statistics.median(warm))
        logger.info("%s %s cold %.2fs warm %.2fs", warehouse, page, *medians[page])
    return counts, size_mb, medians


CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
# URL path of each page (the KPI page is the root) and the start of its title.
BROWSER_PAGES = {
    "kpi": ("", "月度考核指标"),
    "rankings": ("rankings", "三级排名"),
    "sla": ("sla", "业扩时限监控"),
    "reminders": ("reminders", "提醒催办"),
    "contracts": ("contracts", "供用电合同管理"),
    "audit": ("audit", "稽查抽样"),
    "customer": ("customer", "一户一档"),
    "quality": ("quality", "数据质量"),
}
# True once the app is idle: a title that starts as expected, the script run finished (the
# app's own data-test-script-state), no element still stale, every chart drawn.
IDLE_JS = """
const title = document.querySelector('[data-testid="stMain"] h1');
if (!title || !title.innerText.startsWith(arguments[0])) return false;
const app = document.querySelector('[data-testid="stApp"]');
if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
if (document.querySelector('[data-stale="true"]')) return false;
for (const chart of document.querySelectorAll('[data-testid="stPlotlyChart"]')) {
  if (!chart.querySelector('.main-svg')) return false;
}
return true;
"""


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# Idle must hold this long to count (a script run can pause between two deltas); the time
# reported is when the idle stretch began.
STABLE_S = 0.3


def _wait_idle(driver, title: str, timeout_s: float = 120) -> float:  # noqa: ANN001 - selenium driver
    """Seconds until :data:`IDLE_JS` holds and keeps holding for :data:`STABLE_S` (polled
    every 20 ms)."""
    started = time.perf_counter()
    idle_since: float | None = None
    while time.perf_counter() - started < timeout_s:
        now = time.perf_counter()
        if driver.execute_script(IDLE_JS, title):
            idle_since = now if idle_since is None else idle_since
            if now - idle_since >= STABLE_S:
                return idle_since - started
        else:
            idle_since = None
        time.sleep(0.02)
    raise TimeoutError(f"the page titled {title!r} was not idle within {timeout_s}s")


def _browser(warehouse: Path, repeat: int) -> tuple[float, dict[str, tuple[float, float]]]:
    """The first page after a fresh server start, and each page's first and warm visit."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    password = secrets.token_urlsafe(16)
    users = Path(tempfile.mkdtemp(prefix="bench-browser-users-")) / "users.sqlite"
    UserStore(users).add(BENCH_USER, password, "leader")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "DO_NOT_TRACK": "1", ENV_USERS: str(users)}
    command = [sys.executable, "-m", "dagster_project.cli", "dashboard", "--warehouse", str(warehouse)]
    server = subprocess.Popen(
        [*command, "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    profile = tempfile.mkdtemp(prefix="bench-chromium-")
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
        options.add_argument(flag)
    options.add_argument("--window-size=1440,1000")
    options.add_argument(f"--user-data-dir={profile}")
    driver = None
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError(f"dangan dashboard did not come up at {url}") from None
                time.sleep(0.2)
        driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
        driver.get(url)
        while not driver.find_elements(By.CSS_SELECTOR, '[data-testid="stForm"] input[type="password"]'):
            time.sleep(0.05)
        fields = driver.find_elements(By.CSS_SELECTOR, '[data-testid="stForm"] input')
        fields[0].send_keys(BENCH_USER, Keys.TAB)
        fields[1].send_keys(password, Keys.TAB)
        driver.find_element(By.CSS_SELECTOR, '[data-testid="stFormSubmitButton"] button').click()
        first_page = _wait_idle(driver, BROWSER_PAGES["kpi"][1])
        times: dict[str, list[float]] = {page: [] for page in BROWSER_PAGES}
        times["kpi"].append(first_page)
        for round_ in range(repeat + 1):
            for page, (path, title) in BROWSER_PAGES.items():
                if round_ == 0 and page == "kpi":
                    continue
                selector = f'[data-testid="stSidebarNav"] a[href$="/{path}"]'
                driver.find_element(By.CSS_SELECTOR, selector).click()
                times[page].append(_wait_idle(driver, title))
                logger.info("browser %s %s %.2fs", warehouse, page, times[page][-1])
        return first_page, {
            page: (values[0], statistics.median(values[1:])) for page, values in times.items()
        }
    finally:
        if driver is not None:
            driver.quit()
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)


def _browser_report(
    label: str, first_page: float, pages: dict[str, tuple[float, float]], repeat: int
) -> list[str]:
    load = os.getloadavg()
    lines = [
        "## Dashboard in headless Chromium",
        "",
        f"`bench/bench_dashboard.py --browser` on the {label} warehouse: `dangan dashboard` started "
        f"fresh, Chromium {CHROMIUM} logged in as a leader; navigation to idle (script run finished, "
        f"nothing stale, charts drawn). Load average at the end {load[0]:.1f} / {load[1]:.1f} / "
        f"{load[2]:.1f} on {os.cpu_count()} shared cores; warm = median of {repeat} later visits.",
        "",
        f"First page after the server start (login to idle): {first_page:.2f} s (goal < 3 s).",
        "",
        f"| page | {label} first visit (s) | {label} warm (s) | warm < 1.5 s |",
        "| --- | ---: | ---: | :---: |",
    ]
    for page, (first, warm) in pages.items():
        lines.append(f"| {page} | {first:.2f} | {warm:.2f} | {'yes' if warm < 1.5 else 'no'} |")
    return [*lines, ""]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--warehouse",
        action="append",
        required=True,
        help="LABEL=PATH of a published warehouse; repeat to compare scales side by side",
    )
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--browser", action="store_true", help="time the pages in headless Chromium")
    parser.add_argument("--out", default=str(Path(__file__).parent / "results" / "dashboard.md"))
    args = parser.parse_args()
    if args.browser:
        lines: list[str] = []
        for spec in args.warehouse:
            label, _, path = spec.partition("=")
            first_page, pages = _browser(Path(path).resolve(), args.repeat)
            lines += _browser_report(label, first_page, pages, args.repeat)
        out = Path(args.out).with_name("dashboard-browser.md")
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text("\n".join(lines), encoding="utf-8")
        print("\n".join(lines))
        return
    runs = {}
    users = Path(tempfile.mkdtemp(prefix="bench-users-")) / "users.sqlite"
    UserStore(users).add(BENCH_USER, secrets.token_urlsafe(16), "leader")
    os.environ[ENV_USERS] = str(users)
    # One untimed render first, so the first timed page does not pay for imports.
    first = Path(args.warehouse[0].partition("=")[2])
    os.environ["DANGAN_WAREHOUSE"] = str(first.resolve())
    _render("kpi", None)
    for spec in args.warehouse:
        label, _, path = spec.partition("=")
        runs[label] = _measure(Path(path), args.repeat)
    labels = list(runs)

    lines = [
        "# Dashboard page render times",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores shared with the rest of the team, "
        f"Python {platform.python_version()}, Streamlit {st.__version__}. "
        f"Measured in one run with `bench/bench_dashboard.py` (Streamlit AppTest: the page script and "
        f"its queries, no browser paint), median of {args.repeat} runs per page.",
        "",
        "| mart | " + " | ".join(labels) + " |",
        "| --- | " + " | ".join("---:" for _ in labels) + " |",
    ]
    for name in COUNTED:
        lines.append(f"| {name} | " + " | ".join(f"{runs[label][0][name]:,}" for label in labels) + " |")
    lines.append("| file size (MB) | " + " | ".join(f"{runs[label][1]:.1f}" for label in labels) + " |")
    lines += [
        "",
        "| page | " + " | ".join(f"{label} cold (s) | {label} warm (s)" for label in labels) + " |",
        "| --- | " + " | ".join("---: | ---:" for _ in labels) + " |",
    ]
    for page in PAGES:
        cells = " | ".join(
            f"{runs[label][2][page][0]:.2f} | {runs[label][2][page][1]:.2f}" for label in labels
        )
        lines.append(f"| {page} | {cells} |")
    if len(labels) > 1:
        base = labels[0]
        lines += ["", f"Cold-render ratio to {base}:", ""]
        lines.append("| page | " + " | ".join(f"{label} / {base}" for label in labels[1:]) + " |")
        lines.append("| --- | " + " | ".join("---:" for _ in labels[1:]) + " |")
        for page in PAGES:
            ratios = " | ".join(
                f"{runs[label][2][page][0] / runs[base][2][page][0]:.1f}×" for label in labels[1:]
            )
            lines.append(f"| {page} | {ratios} |")
    lines += [
        "",
        "Cold: Streamlit caches cleared, so the read-only connection is opened and every query "
        "runs; warm: the same page rendered again with the per-version query cache filled (what a "
        "user sees on a second visit until the next publish or the TTL).",
        "",
    ]
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    main()
