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
        return not running and _script_finished(drv)

    WebDriverWait(driver, PAGE_TIMEOUT_S, poll_frequency=0.5, ignored_exceptions=STALE).until(settled)
    time.sleep(1.0)


def _script_finished(driver) -> bool:
    """The app's own flag: its script run has finished (the status widget is not in the page
    in every Streamlit version)."""
    return bool(
        driver.execute_script(
            "const app = document.querySelector('[data-testid=\"stApp\"]');"
            "return !!app && app.getAttribute('data-test-script-state') === 'notRunning';"
        )
    )


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


def _open(driver, url: str, page: str, username: str = "e2e_leader", query: str = "") -> None:
    """Load a page by its URL (with ``query``, a shared link's parameters) and log in through
    the login form it shows."""
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(f"{url}/{page}" + (f"?{query}" if query else ""))
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


def _download(driver, key: str) -> None:
    """Click the download button of widget key ``key`` (its container carries ``st-key-<key>``)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, PAGE_TIMEOUT_S, poll_frequency=0.2).until(_script_finished)
    button = WebDriverWait(driver, PAGE_TIMEOUT_S, ignored_exceptions=STALE).until(
        lambda drv: drv.find_element(By.CSS_SELECTOR, f".st-key-{key} button")
    )
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", button)
    button.click()


def _table(sheet, first_header: str) -> tuple[list[object], list[tuple[object, ...]]]:
    """The table below a sheet's header block: its header row (the row holding
    ``first_header``) and the rows after it."""
    rows = list(sheet.iter_rows(values_only=True))
    top = next(position for position, row in enumerate(rows) if first_header in row)
    return list(rows[top]), rows[top + 1 :]


def _header_block(sheet) -> dict[str, object]:
    """The label / value lines above the table (column A / column B)."""
    block: dict[str, object] = {}
    for row in sheet.iter_rows(min_row=2, max_col=2, values_only=True):
        if row[0] is None:
            break
        block[str(row[0])] = row[1]
    return block


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
    workbook named 稽查抽样_<YYYY-MM>.xlsx arrives with the sample's processes, Chinese
    headers and empty 稽查结果 / 问题描述 columns for the audit centre."""
    import openpyxl
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
    _open(browser, dashboard_url, "audit", query=f"month={month:%Y-%m}")
    _download(browser, "audit_download_xlsx")
    expected = download_dir / f"稽查抽样_{month:%Y-%m}.xlsx"
    WebDriverWait(browser, PAGE_TIMEOUT_S, poll_frequency=0.5).until(lambda _: expected.exists())
    time.sleep(0.5)
    sheet = openpyxl.load_workbook(expected).active
    header, rows = _table(sheet, "流程编号")
    assert {"流程编号", "户名", "地址", "稽查结果", "问题描述"} <= set(header)
    assert sorted(row[header.index("流程编号")] for row in rows) == sorted(processes)
    assert all(row[header.index("稽查结果")] in (None, "") for row in rows)
    assert sheet.auto_filter.ref
    choices = [rule.formula1 for rule in sheet.data_validations.dataValidation]
    assert choices == ['"合格,不合格"']


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
    assert f"数据截至 {minute(as_of)}（北京时间）" in text


def test_a_unit_manager_downloads_the_audit_sample_of_their_unit_only(
    dashboard_url: str, browser, download_dir: Path, tiny_warehouse: Path, users: dict[str, object]
) -> None:
    """GIVEN a unit manager logged in through the form WHEN they download the month's audit
    sample THEN the workbook holds exactly their unit's sampled processes, no other unit's."""
    import openpyxl
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
    expected = download_dir / f"稽查抽样_{month:%Y-%m}.xlsx"
    expected.unlink(missing_ok=True)
    _open(browser, dashboard_url, "audit", username="e2e_unit", query=f"month={month:%Y-%m}")
    _download(browser, "audit_download_xlsx")
    WebDriverWait(browser, PAGE_TIMEOUT_S, poll_frequency=0.5).until(lambda _: expected.exists())
    time.sleep(0.5)
    header, rows = _table(openpyxl.load_workbook(expected).active, "流程编号")
    assert sorted(row[header.index("流程编号")] for row in rows) == sorted(processes)
    assert all(str(users["unit"]) in str(row[header.index("供电单位")]) for row in rows)


# --- shared view, URL state, exports, English ------------------------------------------------


def _query(driver) -> dict[str, str]:
    from urllib.parse import parse_qsl, urlparse

    return dict(parse_qsl(urlparse(driver.current_url).query))


def _wait_query(driver, **expected: str) -> dict[str, str]:
    """The URL's parameters once they include ``expected`` (Streamlit writes them after a run)."""
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, PAGE_TIMEOUT_S, poll_frequency=0.5).until(
        lambda drv: all(_query(drv).get(key) == value for key, value in expected.items())
    )
    return _query(driver)


def _main_text(driver) -> str:
    from selenium.webdriver.common.by import By

    return driver.find_element(By.CSS_SELECTOR, '[data-testid="stMain"]').get_attribute("innerText")


def _selectbox_text(driver, key: str) -> str:
    """A select box's label and its shown value (the value may sit in its input field)."""
    from selenium.webdriver.common.by import By

    box = driver.find_element(By.CSS_SELECTOR, f".st-key-{key}")
    values = [field.get_attribute("value") or "" for field in box.find_elements(By.TAG_NAME, "input")]
    return "\n".join([box.get_attribute("innerText"), *values])


def test_a_shared_link_opens_the_same_drilled_view(dashboard_url: str, browser, tiny_warehouse: Path) -> None:
    """GIVEN a link to the team ranking of one unit in the first final month WHEN a colleague
    opens it (logging in on the way) THEN the page shows that month, tier and unit — the
    teams of exactly that unit — and the URL still carries the view."""
    from selenium.webdriver.common.by import By

    from ingest.warehouse import connect_published

    con = connect_published(tiny_warehouse)
    try:
        month = con.execute("select min(month) from marts.kpi_months where is_final").fetchone()[0]
        unit, unit_name = con.execute(
            "select teams.unit_code, units.entity_name from marts.scorecard_monthly as teams "
            "join marts.org_entities as units on units.entity_id = teams.unit_code "
            "where teams.month = ? and teams.tier = 'team' group by all order by count(*) desc, 1 limit 1",
            [month],
        ).fetchone()
        teams = [
            row[0]
            for row in con.execute(
                "select entity_id from marts.scorecard_monthly where month = ? and tier = 'team' "
                "and unit_code = ? order by rank, entity_id",
                [month, unit],
            ).fetchall()
        ]
    finally:
        con.close()
    link = f"month={month:%Y-%m}&tier=team&unit={unit}"
    _open(browser, dashboard_url, "rankings", query=link)
    assert not _errors(browser)
    assert f"{month:%Y}年{month.month}月" in _selectbox_text(browser, "rank_month")
    assert unit_name in _selectbox_text(browser, "rank_unit")
    bars = browser.find_elements(By.CSS_SELECTOR, ".js-plotly-plot .bars .point path")
    assert len(bars) == len(teams)
    assert _wait_query(browser, month=f"{month:%Y-%m}", tier="team", unit=unit)["lang"] == "zh"


def test_the_month_chosen_on_one_page_is_the_month_of_the_next(
    dashboard_url: str, browser, tiny_warehouse: Path
) -> None:
    """GIVEN the KPI page opened on the first final month WHEN the user goes to the rankings
    and the audit pages through the sidebar THEN both show that month, not their default."""
    from selenium.webdriver.common.by import By

    from ingest.warehouse import connect_published

    con = connect_published(tiny_warehouse)
    try:
        first, last_final = con.execute(
            "select min(month), max(month) from marts.kpi_months where is_final"
        ).fetchone()
    finally:
        con.close()
    assert first != last_final, "the tiny set should have more than one final month"
    shown = f"{first:%Y}年{first.month}月"
    _open(browser, dashboard_url, "", query=f"month={first:%Y-%m}")
    assert shown in _selectbox_text(browser, "kpi_month")
    for page, key in (("rankings", "rank_month"), ("audit", "audit_month")):
        link = browser.find_element(By.CSS_SELECTOR, f'[data-testid="stSidebarNav"] a[href$="/{page}"]')
        link.click()
        _wait_rendered(browser, {"rankings": "三级排名", "audit": "稽查抽样"}[page])
        assert shown in _selectbox_text(browser, key), page
        assert _wait_query(browser, month=f"{first:%Y-%m}")


def test_the_rankings_workbook_holds_numbers_under_a_header_block(
    dashboard_url: str, browser, download_dir: Path, tiny_warehouse: Path
) -> None:
    """GIVEN the unit ranking of the last final month WHEN its Excel download is opened with
    openpyxl THEN the file is named after page, month and tier, a header block states the
    month, that it is final, the filters and the data's as_of, and every score is a number
    equal to the mart's, percentages formatted as such."""
    import openpyxl

    from dashboard.ui import minute
    from ingest.warehouse import connect_published

    con = connect_published(tiny_warehouse)
    try:
        month = con.execute("select max(month) from marts.kpi_months where is_final").fetchone()[0]
        scores = dict(
            con.execute(
                "select entity_id, total_score from marts.scorecard_monthly where month = ? and tier = 'supply_unit'",
                [month],
            ).fetchall()
        )
        filing = dict(
            con.execute(
                "select entity_id, value from marts.kpi_monthly where month = ? and tier = 'supply_unit' "
                "and indicator = 'timely_filing_rate'",
                [month],
            ).fetchall()
        )
        as_of = con.execute("select as_of from marts.build_info").fetchone()[0]
    finally:
        con.close()
    expected = download_dir / f"三级排名_{month:%Y-%m}_供电单位.xlsx"
    expected.unlink(missing_ok=True)
    _open(browser, dashboard_url, "rankings", query=f"month={month:%Y-%m}&tier=supply_unit")
    _download(browser, "rank_download_xlsx")
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser, PAGE_TIMEOUT_S, poll_frequency=0.5).until(lambda _: expected.exists())
    time.sleep(0.5)
    sheet = openpyxl.load_workbook(expected).active
    block = _header_block(sheet)
    assert block["月份"] == f"{month:%Y-%m}"
    assert block["结账状态"] == "已结账"
    assert block["层级"] == "供电单位"
    assert block["筛选条件"] == "全部"
    assert block["评估时点"] == f"数据截至 {minute(as_of)}（北京时间）"
    header, rows = _table(sheet, "编号")
    ids = [row[header.index("编号")] for row in rows]
    assert sorted(ids) == sorted(scores)
    totals = [row[header.index("总分")] for row in rows]
    assert all(isinstance(value, float) for value in totals)
    assert totals == [pytest.approx(scores[entity]) for entity in ids]
    column = header.index("归档及时率") + 1
    cells = [
        sheet.cell(row=sheet.max_row - len(rows) + 1 + position, column=column)
        for position in range(len(rows))
    ]
    assert [cell.value for cell in cells] == [
        None if filing[entity] is None else pytest.approx(filing[entity]) for entity in ids
    ]
    assert {cell.number_format for cell in cells} == {"0.0%"}


def test_english_mode_shows_no_chinese_label_on_any_page(
    dashboard_url: str, browser, tiny_warehouse: Path
) -> None:
    """GIVEN the dashboard in English (a link with lang=en) WHEN every page is opened THEN no
    Chinese name of a code (marts.code_labels) or of the interface is left on the page;
    only names from the data (units, teams, people, customers) stay as they are."""
    from selenium.webdriver.common.by import By

    from dashboard.i18n import LABELS
    from ingest.warehouse import connect_published

    con = connect_published(tiny_warehouse)
    try:
        chinese = {zh for (zh,) in con.execute("select zh from marts.code_labels").fetchall()}
        names = [
            name for (name,) in con.execute("select entity_name from marts.org_entities").fetchall() if name
        ]
    finally:
        con.close()
    chinese |= {zh for zh, _ in LABELS.values()}
    chinese = {label for label in chinese if len(label) >= 2 and "{" not in label}
    found: dict[str, list[str]] = {}
    for page in PAGES:
        _open(browser, dashboard_url, page, query="lang=en")
        # The language switch names both languages in each (语言 / Language, 中文); the urge
        # digest is shown as it will be sent, in Chinese.
        text = browser.find_element(By.CSS_SELECTOR, "body").get_attribute("innerText")
        text = text.replace("语言 / Language", "")
        for message in browser.find_elements(By.CSS_SELECTOR, ".st-key-digest_message"):
            text = text.replace(message.get_attribute("innerText"), "")
        for name in sorted(names, key=len, reverse=True):
            text = text.replace(name, "")
        left = sorted(label for label in chinese if label in text)
        if left:
            found[page or "/"] = left
    assert not found, found
