"""The dashboard served by ``dangan dashboard`` and driven by a real headless Chromium,
logged in through the real login form (a page load is a new session: each page opened by
URL asks for the login again)."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
# URL paths of the pages; the monthly KPI page is the default, served at the root.
PAGES = ("", "rankings", "sla", "reminders", "contracts", "audit", "customer", "quality")
# An exception, an error box, or a dialog (the app opens none; Streamlit's "Page not found" is one).
ERROR_SELECTORS = (
    '[data-testid="stException"]',
    '[data-testid="stAlertContentError"]',
    '[role="dialog"]',
)
PAGE_TIMEOUT_S = 60


def _stale() -> tuple[type[Exception], ...]:
    from selenium.common.exceptions import StaleElementReferenceException

    return (StaleElementReferenceException,)


STALE = _stale()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_healthy(url: str, process: subprocess.Popen, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"dangan dashboard exited with {process.returncode} before serving {url}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(f"dashboard at {url} not healthy after {timeout_s}s")


def _stop_group(process: subprocess.Popen) -> None:
    """Stop the CLI and the streamlit server it started (one process group)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    time.sleep(0.5)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def users(tiny_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """A users store with a leader and a unit manager of the unit with the most sampled
    processes in the latest audit month."""
    from dashboard.auth.store import UserStore
    from ingest.warehouse import connect_published

    con = connect_published(tiny_warehouse)
    try:
        unit = con.execute(
            "select unit_code from marts.audit_sample where month = (select max(month) from marts.audit_sample) "
            "group by unit_code order by count(*) desc, unit_code limit 1"
        ).fetchone()[0]
    finally:
        con.close()
    store = UserStore(tmp_path_factory.mktemp("users") / "users.sqlite")
    store.add("e2e_leader", PASSWORD, "leader")
    store.add("e2e_unit", PASSWORD, "unit_manager", unit_code=unit)
    return {"path": store.path, "unit": unit}


@pytest.fixture(scope="module")
def dashboard_server(
    tiny_warehouse: Path, users: dict[str, object], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, subprocess.Popen]]:
    """``dangan dashboard`` as a user starts it: no address given, so its own default."""
    port = _free_port()
    log = tmp_path_factory.mktemp("dashboard") / "streamlit.log"
    env = {key: value for key, value in os.environ.items() if key != "STREAMLIT_SERVER_ADDRESS"}
    env.update(DO_NOT_TRACK="1", DANGAN_USERS=str(users["path"]))
    command = [
        sys.executable,
        "-m",
        "dagster_project.cli",
        "dashboard",
        "--warehouse",
        str(tiny_warehouse),
        "--port",
        str(port),
    ]
    with log.open("w") as output:
        # Its own process group: `dangan dashboard` runs streamlit as a child, and both
        # must stop with the test.
        process = subprocess.Popen(
            command, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, process)
        yield url, process
    finally:
        _stop_group(process)


@pytest.fixture(scope="module")
def dashboard_url(dashboard_server: tuple[str, subprocess.Popen]) -> str:
    return dashboard_server[0]


@pytest.fixture(scope="module")
def download_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("downloads")


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory, download_dir: Path):
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        pytest.fail(f"{CHROMIUM} and {CHROMEDRIVER} are required for the browser test")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1440,1000",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}",
    ):
        options.add_argument(flag)
    options.add_experimental_option(
        "prefs", {"download.default_directory": str(download_dir), "download.prompt_for_download": False}
    )
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(PAGE_TIMEOUT_S)
    try:
        yield driver
    finally:
        driver.quit()


def _wait_rendered(driver, title_fragment: str | None = None) -> None:
    """Wait until the page has a title and the app is no longer running its script."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    def settled(drv) -> bool:
        headings = drv.find_elements(By.CSS_SELECTOR, '[data-testid="stMain"] h1')
        if not headings:
            return bool(drv.find_elements(By.CSS_SELECTOR, ", ".join(ERROR_SELECTORS)))
        if title_fragment and title_fragment not in headings[0].text:
            return False
        running = drv.find_elements(By.CSS_SELECTOR, '[data-testid="stStatusWidget"]')
        return not running

    WebDriverWait(driver, PAGE_TIMEOUT_S, poll_frequency=0.5, ignored_exceptions=STALE).until(settled)
    time.sleep(1.0)


def _errors(driver) -> list[str]:
    """Texts of error elements; retried when Streamlit re-renders one while it is read."""
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.by import By

    for _ in range(5):
        try:
            return [
                element.get_attribute("innerText")
                for element in driver.find_elements(By.CSS_SELECTOR, ", ".join(ERROR_SELECTORS))
            ]
        except StaleElementReferenceException:
            time.sleep(0.5)
    raise RuntimeError("error elements kept being re-rendered while read")


def _login_form(driver):
    from selenium.webdriver.common.by import By

    return driver.find_elements(By.CSS_SELECTOR, '[data-testid="stForm"] input[type="password"]')


def _open(driver, url: str, page: str, username: str = "e2e_leader") -> None:
    """Load a page by its URL and log in through the login form it shows."""
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(f"{url}/{page}")
    WebDriverWait(driver, PAGE_TIMEOUT_S, poll_frequency=0.5, ignored_exceptions=STALE).until(
        lambda drv: _login_form(drv)
    )
    fields = driver.find_elements(By.CSS_SELECTOR, '[data-testid="stForm"] input')
    fields[0].send_keys(username, Keys.TAB)
    fields[1].send_keys(PASSWORD, Keys.TAB)
    driver.find_element(By.CSS_SELECTOR, '[data-testid="stFormSubmitButton"] button').click()
    try:
        WebDriverWait(driver, PAGE_TIMEOUT_S, poll_frequency=0.5, ignored_exceptions=STALE).until(
            lambda drv: not _login_form(drv)
        )
    except TimeoutException:
        ARTIFACTS.mkdir(exist_ok=True)
        driver.save_screenshot(str(ARTIFACTS / f"login-stuck-{page or 'kpi'}.png"))
        raise AssertionError(f"still on the login form for /{page}: {_errors(driver)}") from None
    _wait_rendered(driver)


def test_the_server_listens_on_127_0_0_1_by_default(dashboard_server: tuple[str, subprocess.Popen]) -> None:
    """GIVEN ``dangan dashboard`` started without --host WHEN its listening sockets are read
    from the process table THEN every one is bound to 127.0.0.1 (no traffic sent anywhere)."""
    import psutil

    url, process = dashboard_server
    port = int(url.rsplit(":", 1)[1])
    processes = [psutil.Process(process.pid), *psutil.Process(process.pid).children(recursive=True)]
    listening = [
        connection.laddr
        for member in processes
        for connection in member.net_connections(kind="inet")
        if connection.status == psutil.CONN_LISTEN
    ]
    assert listening, "the dashboard has no listening socket"
    assert {(address.ip, address.port) for address in listening} == {("127.0.0.1", port)}


def test_a_wrong_password_in_the_form_is_refused(dashboard_url: str, browser) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(dashboard_url)
    WebDriverWait(browser, PAGE_TIMEOUT_S, poll_frequency=0.5, ignored_exceptions=STALE).until(_login_form)
    fields = browser.find_elements(By.CSS_SELECTOR, '[data-testid="stForm"] input')
    fields[0].send_keys("e2e_leader")
    fields[1].send_keys("not the password", Keys.ENTER)
    WebDriverWait(browser, PAGE_TIMEOUT_S, poll_frequency=0.5, ignored_exceptions=STALE).until(
        lambda drv: drv.find_elements(By.CSS_SELECTOR, '[data-testid="stAlertContentError"]')
    )
    assert "用户名或密码错误" in browser.find_element(By.CSS_SELECTOR, '[data-testid="stMain"]').text
    assert _login_form(browser)


def test_every_page_renders_in_chromium_without_an_error(dashboard_url: str, browser) -> None:
    """GIVEN the dashboard served on the tiny warehouse WHEN Chromium opens each page
    THEN each shows its title and no exception or error box (screenshots kept)."""
    from selenium.webdriver.common.by import By

    if ARTIFACTS.exists():
        for old in ARTIFACTS.glob("dashboard-*.png"):
            old.unlink()
    ARTIFACTS.mkdir(exist_ok=True)
    failures: dict[str, list[str]] = {}
    for position, page in enumerate(PAGES, start=1):
        _open(browser, dashboard_url, page)
        heading = browser.find_elements(By.CSS_SELECTOR, '[data-testid="stMain"] h1')
        browser.save_screenshot(str(ARTIFACTS / f"dashboard-{position}-{page or 'kpi'}.png"))
        errors = _errors(browser)
        if errors or not heading:
            failures[page or "/"] = errors or ["no page title rendered"]
    assert not failures, failures


def test_customer_search_in_chromium_shows_documents(
    dashboard_url: str, browser, tiny_warehouse: Path
) -> None:
    """GIVEN a customer with documents WHEN their number is typed into the search box
    THEN the archive tabs render without an error."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    from ingest.warehouse import connect_published

    con = connect_published(tiny_warehouse)
    try:
        cust_no = con.execute(
            "select cust_no from marts.customer_documents group by cust_no order by count(*) desc, cust_no limit 1"
        ).fetchone()[0]
    finally:
        con.close()
    _open(browser, dashboard_url, "customer")
    box = WebDriverWait(browser, PAGE_TIMEOUT_S, ignored_exceptions=STALE).until(
        lambda drv: drv.find_element(By.CSS_SELECTOR, '[data-testid="stTextInput"] input')
    )
    box.send_keys(cust_no, Keys.ENTER)
    WebDriverWait(browser, PAGE_TIMEOUT_S, poll_frequency=0.5, ignored_exceptions=STALE).until(
        lambda drv: drv.find_elements(By.CSS_SELECTOR, '[data-testid="stTab"]') or _errors(drv)
    )
    time.sleep(1.0)
    ARTIFACTS.mkdir(exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / "dashboard-customer-search.png"))
    assert not _errors(browser)
    tabs = browser.find_elements(By.CSS_SELECTOR, '[data-testid="stTab"]')
    assert len(tabs) >= 5


def test_clicking_a_units_bar_in_chromium_drills_down_to_its_teams(
    dashboard_url: str, browser, tiny_warehouse: Path
) -> None:
    """GIVEN the unit ranking WHEN a unit's bar is clicked THEN the chart shows the teams
    of exactly that unit and the breadcrumb names it."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    from ingest.warehouse import connect_published

    con = connect_published(tiny_warehouse)
    try:
        columns = {row[0] for row in con.execute("describe marts.scorecard_monthly").fetchall()}
        if "unit_code" not in columns:
            pytest.skip("marts.scorecard_monthly has no unit_code column to drill down by")
        teams_per_unit = dict(
            con.execute(
                "select units.entity_name, count(teams.entity_id) "
                "from marts.scorecard_monthly as units "
                "left join marts.scorecard_monthly as teams on teams.month = units.month "
                "and teams.tier = 'team' and teams.unit_code = units.entity_id "
                "where units.tier = 'supply_unit' "
                "and units.month = (select max(month) from marts.scorecard_monthly) group by all"
            ).fetchall()
        )
    finally:
        con.close()
    _open(browser, dashboard_url, "rankings")
    bars = WebDriverWait(browser, PAGE_TIMEOUT_S, ignored_exceptions=STALE).until(
        lambda drv: drv.find_elements(By.CSS_SELECTOR, ".js-plotly-plot .bars .point path")
    )
    ActionChains(browser).move_to_element(bars[0]).click().perform()
    WebDriverWait(browser, PAGE_TIMEOUT_S, poll_frequency=0.5, ignored_exceptions=STALE).until(
        lambda drv: any("班组" in title.text for title in drv.find_elements(By.CSS_SELECTOR, ".gtitle"))
    )
    time.sleep(1.0)
    browser.save_screenshot(str(ARTIFACTS / "dashboard-rankings-drill-down.png"))
    assert not _errors(browser)
    unit_box = browser.find_elements(By.CSS_SELECTOR, '[data-testid="stSelectbox"]')[1]
    shown_texts = unit_box.get_attribute("innerText").splitlines() + [
        field.get_attribute("value") or "" for field in unit_box.find_elements(By.TAG_NAME, "input")
    ]
    unit_name = next((text.strip() for text in shown_texts if text.strip() in teams_per_unit), None)
    assert unit_name is not None, shown_texts
    shown_bars = browser.find_elements(By.CSS_SELECTOR, ".js-plotly-plot .bars .point path")
    assert len(shown_bars) == teams_per_unit[unit_name]


def test_audit_sample_downloads_as_excel_with_empty_result_columns(
    dashboard_url: str, browser, download_dir: Path, tiny_warehouse: Path
) -> None:
    """GIVEN the month's audit sample WHEN the Excel download is clicked in Chromium THEN a
    workbook named <YYYY-MM>_稽查抽样.xlsx arrives with the sample's processes, Chinese
    headers and empty 稽查结果 / 问题描述 columns for the audit centre."""
    import openpyxl
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    from ingest.warehouse import connect_published

    con = connect_published(tiny_warehouse)
    try:
        month, processes = con.execute(
            "select month, list(proc_id order by proc_id) from marts.audit_sample "
            "where month = (select max(month) from marts.audit_sample) group by month"
        ).fetchone()
    finally:
        con.close()
    _open(browser, dashboard_url, "audit")
    button = WebDriverWait(browser, PAGE_TIMEOUT_S, ignored_exceptions=STALE).until(
        lambda drv: drv.find_element(By.CSS_SELECTOR, '[data-testid="stDownloadButton"] button')
    )
    button.click()
    expected = download_dir / f"{month:%Y-%m}_稽查抽样.xlsx"
    WebDriverWait(browser, PAGE_TIMEOUT_S, poll_frequency=0.5).until(lambda _: expected.exists())
    sheet = openpyxl.load_workbook(expected).active
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[0])
    assert {"流程编号", "稽查结果", "问题描述"} <= set(header)
    assert sorted(row[header.index("流程编号")] for row in rows[1:]) == sorted(processes)
    assert all(row[header.index("稽查结果")] in (None, "") for row in rows[1:])


def test_quality_page_in_chromium_states_the_builds_as_of(
    dashboard_url: str, browser, tiny_warehouse: Path
) -> None:
    """GIVEN the published build WHEN the data-quality page opens in Chromium THEN it states
    the moment the figures were computed as of, as marts.build_info records it."""
    from selenium.webdriver.common.by import By

    from dashboard.ui import minute
    from ingest.warehouse import connect_published

    con = connect_published(tiny_warehouse)
    try:
        as_of = con.execute("select as_of from marts.build_info").fetchone()[0]
    finally:
        con.close()
    _open(browser, dashboard_url, "quality")
    assert not _errors(browser)
    text = browser.find_element(By.CSS_SELECTOR, '[data-testid="stMain"]').get_attribute("innerText")
    assert f"评估时点: {minute(as_of)}" in text


def test_a_unit_manager_downloads_the_audit_sample_of_their_unit_only(
    dashboard_url: str, browser, download_dir: Path, tiny_warehouse: Path, users: dict[str, object]
) -> None:
    """GIVEN a unit manager logged in through the form WHEN they download the month's audit
    sample THEN the workbook holds exactly their unit's sampled processes, no other unit's."""
    import openpyxl
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    from ingest.warehouse import connect_published

    con = connect_published(tiny_warehouse)
    try:
        month, processes, others = con.execute(
            "select max(month), list(proc_id order by proc_id) filter (where unit_code = ?), "
            "count(*) filter (where unit_code <> ?) from marts.audit_sample "
            "where month = (select max(month) from marts.audit_sample) ",
            [users["unit"], users["unit"]],
        ).fetchone()
    finally:
        con.close()
    assert others > 0, "the month's sample should have other units' processes too"
    expected = download_dir / f"{month:%Y-%m}_稽查抽样.xlsx"
    expected.unlink(missing_ok=True)
    _open(browser, dashboard_url, "audit", username="e2e_unit")
    button = WebDriverWait(browser, PAGE_TIMEOUT_S, ignored_exceptions=STALE).until(
        lambda drv: drv.find_element(By.CSS_SELECTOR, '[data-testid="stDownloadButton"] button')
    )
    button.click()
    WebDriverWait(browser, PAGE_TIMEOUT_S, poll_frequency=0.5).until(lambda _: expected.exists())
    time.sleep(0.5)
    rows = list(openpyxl.load_workbook(expected).active.iter_rows(values_only=True))
    header = list(rows[0])
    assert sorted(row[header.index("流程编号")] for row in rows[1:]) == sorted(processes)
    assert all(str(users["unit"]) in str(row[header.index("供电单位")]) for row in rows[1:])
