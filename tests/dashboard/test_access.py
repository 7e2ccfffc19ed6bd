"""Who may see what: login and lockout, sessions that end, each role's scope enforced on
every page whatever the browser sends, personal data masked on screen and in exports."""

from __future__ import annotations

import datetime as dt
import io
import sqlite3
from contextlib import closing
from pathlib import Path

import duckdb
import openpyxl
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dagster_project.cli import main
from dashboard import charts, export
from dashboard.auth import scope
from dashboard.auth.roles import ROLES
from dashboard.auth.session import SESSION_KEY
from dashboard.auth.store import (
    MAX_FAILED_LOGINS,
    LockedOutError,
    LoginError,
    User,
    UserStore,
    UserStoreError,
)
from ingest.warehouse import connect_published, prepare_build_copy, publish
from tests.dashboard.apptest import logged_in, run_page
from tests.dashboard.conftest import TEST_PASSWORD

DASHBOARD = Path(__file__).resolve().parents[2] / "dashboard"
VIEWS = DASHBOARD / "views"
TIMEOUT_S = 60
SCOPED_PAGES = (
    "kpi.py",
    "rankings.py",
    "sla.py",
    "reminders.py",
    "contracts.py",
    "audit.py",
    "missing_documents.py",
)


@pytest.fixture(scope="session")
def anchors(tiny_warehouse: Path) -> dict[str, str]:
    """The unit with the most open time-limited steps (so every page has rows of it), and
    the business staff member with the most reminders, with their team."""
    con = connect_published(tiny_warehouse)
    try:
        unit = con.execute(
            "select unit_code from marts.sla_monitor group by unit_code order by count(*) desc, unit_code limit 1"
        ).fetchone()[0]
        person, team = con.execute(
            "select person_id, any_value(team_code) from marts.reminders where person_id in ("
            "select entity_id from marts.org_entities where post = 'business') group by person_id "
            "order by count(*) desc, person_id limit 1"
        ).fetchone()
    finally:
        con.close()
    return {"unit": unit, "team": team, "person": person}


@pytest.fixture(scope="session")
def role_users(users_store: UserStore, anchors: dict[str, str]) -> dict[str, str]:
    """One user of each role but leader (the page tests' own), scoped to the anchors."""
    made = {
        "unit_manager": ("test_unit", {"unit_code": anchors["unit"]}),
        "team_leader": ("test_team", {"team_code": anchors["team"]}),
        "staff": ("test_staff", {"person_id": anchors["person"]}),
        "auditor": ("test_auditor", {}),
        "analyst": ("test_analyst", {}),
        "admin": ("test_admin", {}),
    }
    for role, (username, anchor) in made.items():
        users_store.add(username, TEST_PASSWORD, role, **anchor)
    return {role: username for role, (username, _) in made.items()}


def other_units(tiny_warehouse: Path, unit: str) -> dict[str, str]:
    con = connect_published(tiny_warehouse)
    try:
        return dict(
            con.execute(
                "select entity_id, entity_name from marts.org_entities "
                "where entity_kind = 'supply_unit' and entity_id <> ?",
                [unit],
            ).fetchall()
        )
    finally:
        con.close()


def cells(app: AppTest) -> list[str]:
    """Every cell and header of every table on the page, as text."""
    texts: list[str] = []
    for frame in app.dataframe:
        value = frame.value
        texts += [str(column) for column in value.columns]
        texts += [str(cell) for cell in value.to_numpy().ravel()]
    for widget in [*app.selectbox, *app.multiselect]:
        texts += [str(option) for option in widget.options]
    return texts


# --- login --------------------------------------------------------------------------------


def test_wrong_password_locks_out_after_the_set_number_of_tries(tmp_path: Path) -> None:
    """GIVEN a user WHEN the password is wrong MAX_FAILED_LOGINS times in a row THEN the last
    try locks the account: even the right password is refused until the lockout ends."""
    store = UserStore(tmp_path / "users.sqlite")
    store.add("li", TEST_PASSWORD, "leader")
    now = dt.datetime(2026, 11, 27, 9, 0)
    for _ in range(MAX_FAILED_LOGINS - 1):
        with pytest.raises(LoginError) as refused:
            store.authenticate("li", "wrong password!", now)
        assert not isinstance(refused.value, LockedOutError)
    with pytest.raises(LockedOutError):
        store.authenticate("li", "wrong password!", now)
    with pytest.raises(LockedOutError) as locked:
        store.authenticate("li", TEST_PASSWORD, now + dt.timedelta(minutes=1))
    assert locked.value.until == dt.datetime(2026, 11, 27, 9, 15)
    assert store.authenticate("li", TEST_PASSWORD, dt.datetime(2026, 11, 27, 9, 15)).username == "li"


def test_a_right_password_resets_the_count_of_failures(tmp_path: Path) -> None:
    store = UserStore(tmp_path / "users.sqlite")
    store.add("li", TEST_PASSWORD, "leader")
    now = dt.datetime(2026, 11, 27, 9, 0)
    for _ in range(MAX_FAILED_LOGINS - 1):
        with pytest.raises(LoginError):
            store.authenticate("li", "wrong password!", now)
    store.authenticate("li", TEST_PASSWORD, now)
    with pytest.raises(LoginError) as refused:
        store.authenticate("li", "wrong password!", now)
    assert not isinstance(refused.value, LockedOutError)


def test_passwords_are_stored_as_argon2id_hashes_never_in_clear(tmp_path: Path) -> None:
    store = UserStore(tmp_path / "users.sqlite")
    store.add("li", TEST_PASSWORD, "leader")
    assert TEST_PASSWORD.encode() not in (tmp_path / "users.sqlite").read_bytes()
    with closing(sqlite3.connect(tmp_path / "users.sqlite")) as con:
        hashes = con.execute("select password_hash from users").fetchall()
    assert hashes[0][0].startswith("$argon2id$")
    assert (tmp_path / "users.sqlite").stat().st_mode & 0o777 == 0o600


def test_a_disabled_user_cannot_log_in(tmp_path: Path) -> None:
    store = UserStore(tmp_path / "users.sqlite")
    store.add("li", TEST_PASSWORD, "leader")
    store.disable("li")
    with pytest.raises(LoginError):
        store.authenticate("li", TEST_PASSWORD)


def test_a_scoped_role_needs_its_anchor(tmp_path: Path) -> None:
    store = UserStore(tmp_path / "users.sqlite")
    with pytest.raises(UserStoreError, match="--unit"):
        store.add("wang", TEST_PASSWORD, "unit_manager")
    with pytest.raises(UserStoreError, match="unknown role"):
        store.add("wang", TEST_PASSWORD, "boss")


def test_the_router_asks_for_a_login_and_lets_the_right_password_in(warehouse: Path) -> None:
    """GIVEN nobody logged in WHEN the dashboard opens THEN only the login form shows; a
    wrong password is refused with a message, the right one opens the KPI page."""
    app = run_page(DASHBOARD / "streamlit_app.py", TIMEOUT_S, user=None)
    assert not app.exception
    assert [title.value for title in app.title] == ["登录档案管控"]
    app.text_input(key="login_username").input("test_leader")
    app.text_input(key="login_password").input("not the password")
    app.button[0].click().run()
    assert [error.value for error in app.error] == ["用户名或密码错误"]
    assert [title.value for title in app.title] == ["登录档案管控"]
    app.text_input(key="login_username").input("test_leader")
    app.text_input(key="login_password").input(TEST_PASSWORD)
    app.button[0].click().run()
    assert not app.exception
    assert app.title[0].value == "月度考核指标"
    assert "login_password" not in app.session_state


def test_an_idle_session_expires_and_asks_for_the_login_again(warehouse: Path) -> None:
    app = AppTest.from_file(str(DASHBOARD / "streamlit_app.py"), default_timeout=TIMEOUT_S)
    logged_in(app, "test_leader")
    app.session_state[SESSION_KEY]["seen"] -= dt.timedelta(minutes=31)
    app.run()
    assert not app.exception
    assert [title.value for title in app.title] == ["登录档案管控"]


def test_a_page_run_without_a_login_shows_no_data(warehouse: Path) -> None:
    app = run_page(VIEWS / "contracts.py", TIMEOUT_S, user=None)
    assert not app.exception
    assert not app.dataframe
    assert not app.metric


# --- scope ----------------------------------------------------------------------------------


@pytest.mark.parametrize("page", SCOPED_PAGES)
def test_a_unit_manager_sees_no_row_of_another_unit(
    page: str, warehouse: Path, role_users: dict[str, str], anchors: dict[str, str]
) -> None:
    """GIVEN a unit manager of unit X WHEN each page opens THEN no table names another
    unit, or a team or person of another unit (their ids start with their unit's code)."""
    app = run_page(VIEWS / page, TIMEOUT_S, user=role_users["unit_manager"])
    assert not app.exception, [error.value for error in app.exception]
    texts = cells(app)
    assert texts, f"{page} shows no table or choice to the unit manager"
    for unit, name in other_units(warehouse, anchors["unit"]).items():
        leaked = [text for text in texts if unit in text or name in text]
        assert not leaked, f"{page} shows {unit}: {leaked[:3]}"


def test_a_unit_manager_cannot_open_another_units_customer(
    warehouse: Path, role_users: dict[str, str], anchors: dict[str, str]
) -> None:
    """GIVEN a document barcode of a customer of another unit WHEN the unit manager searches
    for it THEN nothing is found; the barcode of their own unit's customer is."""
    con = connect_published(warehouse)
    try:
        (foreign, _), (own, own_cust_no) = (
            con.execute(
                "select documents.barcode, documents.cust_no from marts.customer_documents as documents "
                f"inner join raw.customers as customers on customers.cust_no = documents.cust_no "
                f"where customers.unit_code {op} ? order by documents.barcode limit 1",
                [anchors["unit"]],
            ).fetchone()
            for op in ("<>", "=")
        )
    finally:
        con.close()
    app = run_page(VIEWS / "customer.py", TIMEOUT_S, user=role_users["unit_manager"])
    app.text_input(key="cust_search").input(foreign).run()
    assert not app.exception
    assert [info.value for info in app.info] == ["未找到客户"]
    assert not app.dataframe
    app.text_input(key="cust_search").input(own).run()
    assert app.selectbox(key="cust_pick").value == own_cust_no


def test_url_parameters_do_not_widen_the_scope(
    warehouse: Path, role_users: dict[str, str], anchors: dict[str, str]
) -> None:
    """GIVEN a unit manager WHEN the URL carries another unit, a role or a user THEN the
    page shows the same rows as without them."""
    plain = cells(run_page(VIEWS / "contracts.py", TIMEOUT_S, user=role_users["unit_manager"]))
    app = AppTest.from_file(str(VIEWS / "contracts.py"), default_timeout=TIMEOUT_S)
    logged_in(app, role_users["unit_manager"])
    other = next(iter(other_units(warehouse, anchors["unit"])))
    app.query_params.update({"unit_code": other, "role": "leader", "user": "test_leader"})
    app.run()
    assert not app.exception
    assert cells(app) == plain


def test_staff_see_only_their_own_reminders(
    warehouse: Path, role_users: dict[str, str], anchors: dict[str, str]
) -> None:
    """GIVEN a business staff member WHEN the reminders page opens THEN the per-person table
    lists only them, with their own counts, and another person's id shows nothing."""
    con = connect_published(warehouse)
    try:
        overdue, total, other = con.execute(
            "select count(*) filter (where level = 'overdue' and person_id = ?), "
            "count(*) filter (where person_id = ?), min(person_id) filter (where person_id <> ?) "
            "from marts.reminders",
            [anchors["person"]] * 3,
        ).fetchone()
    finally:
        con.close()
    app = run_page(VIEWS / "reminders.py", TIMEOUT_S, user=role_users["staff"])
    assert not app.exception
    groups = app.dataframe[0].value
    assert len(groups) == 1
    assert anchors["person"] in groups.iloc[0, 0]
    assert int(groups.iloc[0, 1]) == overdue
    app.text_input(key="rem_staff").input(other).run()
    assert not [frame for frame in app.dataframe if "对象" in frame.value.columns and len(frame.value)]
    app.text_input(key="rem_staff").input(anchors["person"]).run()
    own = next(frame.value for frame in app.dataframe if "对象" in frame.value.columns)
    assert len(own) == total


def test_staff_see_the_ranking_of_their_own_team(
    warehouse: Path, role_users: dict[str, str], anchors: dict[str, str]
) -> None:
    """GIVEN a business staff member WHEN the rankings page opens THEN it lists the business
    staff of their own team, in the scorecard's order, and nobody else."""
    con = connect_published(warehouse)
    try:
        newest = con.execute("select max(month) from marts.scorecard_monthly").fetchone()[0]
        expected = [
            entity
            for (entity,) in con.execute(
                "select entity_id from marts.scorecard_monthly where tier = 'staff' "
                "and month = ? and team_code = ("
                "select team_code from marts.org_entities where entity_id = ?) order by rank, entity_id",
                [newest, anchors["person"]],
            ).fetchall()
        ]
    finally:
        con.close()
    assert anchors["person"] in expected
    app = run_page(VIEWS / "rankings.py", TIMEOUT_S, user=role_users["staff"])
    # The page opens on the last final month; the newest (provisional) one is picked.
    app.selectbox(key="rank_month").set_value(newest).run()
    assert not app.exception
    assert app.dataframe[0].value["编号"].tolist() == expected


def test_staff_cannot_open_the_customer_archive(warehouse: Path, role_users: dict[str, str]) -> None:
    app = run_page(VIEWS / "customer.py", TIMEOUT_S, user=role_users["staff"])
    assert not app.exception
    assert [error.value for error in app.error] == ["当前角色无权查看此页面"]
    assert not app.text_input


def test_the_router_offers_each_role_only_its_pages(warehouse: Path, role_users: dict[str, str]) -> None:
    """GIVEN the admin WHEN the dashboard opens THEN its first page is data quality and the
    scoped tables are refused in the data layer."""
    app = run_page(DASHBOARD / "streamlit_app.py", TIMEOUT_S, user=role_users["admin"])
    assert not app.exception
    assert app.title[0].value == "数据质量"
    admin = User(username="a", role="admin")
    with pytest.raises(scope.AccessDeniedError, match="marts.reminders"):
        scope.scoped_sql("select * from marts.reminders", admin)


def test_a_table_without_a_rule_is_refused() -> None:
    leader = User(username="l", role="leader")
    with pytest.raises(scope.AccessDeniedError, match="raw.staff"):
        scope.scoped_sql("select * from raw.staff", leader)


# --- masking --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sql", "value", "masked"),
    [
        (scope.mask_name_sql("v"), "郝华明", "郝*明"),
        (scope.mask_name_sql("v"), "郝子", "郝*"),
        (scope.mask_name_sql("v"), "欧阳娜娜", "欧**娜"),
        (scope.mask_mobile_sql("v"), "13994277927", "139****7927"),
        (scope.mask_mobile_sql("v"), "3304020007@zj.sgcc.com.cn", "3304020007@zj.sgcc.com.cn"),
        (scope.mask_address_sql("v"), "嘉兴市南湖区文昌路386号27幢791室", "嘉兴市南湖区文昌路***"),
        (scope.mask_address_sql("v"), "嘉兴市南湖区工业大道373号34幢1926室", "嘉兴市南湖区工业大道***"),
    ],
)
def test_masks_keep_only_what_the_rule_allows(sql: str, value: str, masked: str) -> None:
    with duckdb.connect() as con:
        assert con.execute(f"select {sql} from (select ? as v)", [value]).fetchone()[0] == masked


def test_residential_names_are_masked_on_screen_for_a_leader_and_clear_for_an_analyst(
    warehouse: Path, role_users: dict[str, str]
) -> None:
    """GIVEN a residential and a non-residential customer with documents WHEN a leader
    searches for them THEN the residential name shows as 张*明 and the other in clear; an
    analyst sees both in clear."""
    con = connect_published(warehouse)
    try:
        customers = {
            cust_class: con.execute(
                "select cust_no, cust_name from raw.customers where cust_class = ? "
                "and (cust_class <> 'residential' or length(cust_name) = 3) "
                "and cust_no in (select cust_no from marts.customer_documents) order by cust_no limit 1",
                [cust_class],
            ).fetchone()
            for cust_class in ("residential", "non_residential")
        }
    finally:
        con.close()
    (resident, name), (company, company_name) = customers["residential"], customers["non_residential"]
    for user, shown_name in (("test_leader", name[0] + "*" + name[2]), (role_users["analyst"], name)):
        app = run_page(VIEWS / "customer.py", TIMEOUT_S, user=user)
        app.text_input(key="cust_search").input(resident).run()
        assert not app.exception
        pick = app.selectbox(key="cust_pick")
        assert pick.options[pick.index] == f"{resident} {shown_name}", user
        app.text_input(key="cust_search").input(company).run()
        pick = app.selectbox(key="cust_pick")
        assert pick.options[pick.index] == f"{company} {company_name}", user


def test_raw_rejected_rows_reach_only_the_admin() -> None:
    leader = User(username="l", role="leader")
    admin = User(username="a", role="admin")
    assert "null::varchar as raw_row" in scope.scoped_sql("select raw_row from raw.ingest_rejects", leader)
    assert "raw_row" not in scope.scoped_sql("select * from raw.ingest_rejects", admin)


# --- exports ----------------------------------------------------------------------------------


def test_formula_looking_names_stay_text_in_the_dashboard_export() -> None:
    """GIVEN names that look like formulas or links WHEN exported THEN every cell is a string cell."""
    hostile = [
        '=HYPERLINK("http://example.invalid","x")',
        "+1+1",
        "-2+3",
        "@SUM(A1)",
        "http://example.invalid",
    ]
    book = openpyxl.load_workbook(io.BytesIO(export.to_xlsx({"名单": pd.DataFrame({"姓名": hostile})})))
    sheet = book["名单"]
    cells_ = [sheet.cell(row=row, column=1) for row in range(2, len(hostile) + 2)]
    assert [cell.value for cell in cells_] == hostile
    assert [cell.data_type for cell in cells_] == ["s"] * len(hostile)


def test_id_proof_scans_are_previewed_for_an_auditor_but_not_for_a_leader(
    warehouse: Path, tiny_source: Path, role_users: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN a customer whose scanned document is an ID proof WHEN a leader opens it THEN no
    image is rendered, only the notice; the audit centre sees the scan."""
    monkeypatch.setenv("DANGAN_SCANS_DIR", str(tiny_source / "scans"))
    con = connect_published(warehouse)
    try:
        cust_no, doc_id = con.execute(
            "select cust_no, doc_id from marts.customer_documents where scanned and doc_type = 'ID_PROOF' "
            "order by cust_no, doc_id limit 1"
        ).fetchone()
    finally:
        con.close()
    for user, images in (("test_leader", 0), (role_users["auditor"], 2)):
        app = run_page(VIEWS / "customer.py", TIMEOUT_S, user=user)
        app.text_input(key="cust_search").input(cust_no).run()
        app.selectbox(key="cust_scan_doc").set_value(doc_id).run()
        assert not app.exception
        assert len(app.get("image")) == images, user
        restricted = "身份证明类影像仅对有需要的角色开放预览" in [caption.value for caption in app.caption]
        assert restricted == (images == 0), user


# --- access log -------------------------------------------------------------------------------


def test_opening_a_customer_is_logged_and_the_admin_reads_it_on_the_access_log_page(
    warehouse: Path, users_store: UserStore, role_users: dict[str, str]
) -> None:
    """GIVEN an auditor WHEN they open a customer's archive THEN the access log holds who,
    which customer and when; the admin's access-log page lists it, other roles may not open it."""
    con = connect_published(warehouse)
    try:
        cust_no = con.execute("select min(cust_no) from marts.customer_documents").fetchone()[0]
    finally:
        con.close()
    app = run_page(VIEWS / "customer.py", TIMEOUT_S, user=role_users["auditor"])
    app.text_input(key="cust_search").input(cust_no).run()
    assert not app.exception
    entry = users_store.access_log(limit=1)[0]
    assert (entry["username"], entry["action"], entry["target"]) == (
        role_users["auditor"],
        "view_customer",
        cust_no,
    )
    page = run_page(VIEWS / "access_log.py", TIMEOUT_S, user=role_users["admin"])
    assert not page.exception
    shown = page.dataframe[0].value
    assert {"username": role_users["auditor"], "target": cust_no} in [
        {"username": row["用户名"], "target": row["对象"]} for _, row in shown.iterrows()
    ]
    refused = run_page(VIEWS / "access_log.py", TIMEOUT_S, user="test_leader")
    assert not refused.dataframe
    assert [error.value for error in refused.error] == ["当前角色无权查看此页面"]


def test_the_access_log_is_append_only(tmp_path: Path) -> None:
    store = UserStore(tmp_path / "users.sqlite")
    store.log("li", "login")
    with closing(sqlite3.connect(tmp_path / "users.sqlite")) as con:
        for statement in ("update access_log set username = 'x'", "delete from access_log"):
            with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                con.execute(statement)
    assert [entry["username"] for entry in store.access_log()] == ["li"]


# --- safe by default --------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["%", "_"])
def test_a_search_for_a_like_wildcard_matches_only_that_character(text: str, warehouse: Path) -> None:
    """GIVEN no customer number, name or barcode holding % or _ WHEN either is searched THEN
    nothing is found (a wildcard would list every customer)."""
    app = run_page(VIEWS / "customer.py", TIMEOUT_S)
    app.text_input(key="cust_search").input(text).run()
    assert not app.exception
    assert [info.value for info in app.info] == ["未找到客户"]


def test_markdown_in_a_digest_subject_is_shown_as_text(
    tiny_warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN a digest whose subject carries a markdown image WHEN the reminders page shows it
    THEN every markdown character is escaped: the text shows, no image is fetched."""
    own = tmp_path / "warehouse.duckdb"
    build = prepare_build_copy(own)
    build.write_bytes(Path(tiny_warehouse).resolve().read_bytes())
    with duckdb.connect(str(build)) as con:
        person = con.execute(
            "select person_id from marts.reminder_digest "
            "order by overdue_count desc, total_count desc, person_id limit 1"
        ).fetchone()[0]
        con.execute(
            "update marts.reminder_digest set subject = '催办：![x](http://example.invalid/p.png)' "
            "where person_id = ?",
            [person],
        )
    publish(build, own)
    monkeypatch.setenv("DANGAN_WAREHOUSE", str(own))
    app = run_page(VIEWS / "reminders.py", TIMEOUT_S)
    assert not app.exception
    assert app.selectbox(key="rem_digest_person").value == person
    shown = [element.value for element in app.markdown]
    assert "**催办：\\!\\[x\\]\\(http\\://example\\.invalid/p\\.png\\)**" in shown


def test_html_in_a_name_is_shown_as_text_in_charts() -> None:
    """GIVEN a unit whose name is an HTML link WHEN its score bar is drawn THEN Plotly gets the
    name with <, > and & escaped, so it shows the characters and follows no link."""
    frame = pd.DataFrame(
        {
            "entity_id": ["U1"],
            "entity_name": ['<a href="http://example.invalid">南湖&秀洲</a>'],
            "total_score": [90.0],
            "rank": [1],
        }
    )
    figure = charts.score_bars(frame, "排名")
    assert list(figure.data[0].y) == ['&lt;a href="http://example.invalid"&gt;南湖&amp;秀洲&lt;/a&gt;']


def test_a_published_warehouse_file_is_readable_by_owner_and_group_only(tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    build = prepare_build_copy(warehouse)
    duckdb.connect(str(build)).close()
    published = publish(build, warehouse)
    assert published.stat().st_mode & 0o777 == 0o640


# --- dangan users -------------------------------------------------------------------------------


def test_dangan_users_adds_lists_disables_and_resets_a_password(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """GIVEN an empty store beside a warehouse path WHEN a unit manager is added, listed,
    given a new password and disabled through ``dangan users`` THEN each step shows in the
    store: the new password logs in, the old one no longer, a disabled account not at all."""
    monkeypatch.delenv("DANGAN_USERS")
    warehouse = tmp_path / "warehouse.duckdb"
    monkeypatch.setattr("sys.stdin", io.StringIO(TEST_PASSWORD + "\n"))
    assert (
        main(
            [
                "users",
                "--warehouse",
                str(warehouse),
                "add",
                "wang",
                "--role",
                "unit_manager",
                "--unit",
                "330402",
                "--password-stdin",
            ]
        )
        == 0
    )
    store = UserStore(tmp_path / "warehouse.duckdb.users.sqlite")
    assert store.authenticate("wang", TEST_PASSWORD).unit_code == "330402"
    capsys.readouterr()
    assert main(["users", "--warehouse", str(warehouse), "list"]) == 0
    assert capsys.readouterr().out.splitlines()[1] == "wang\tunit_manager\t330402\t\t\t\tFalse"
    monkeypatch.setattr("sys.stdin", io.StringIO("another long password\n"))
    assert main(["users", "--warehouse", str(warehouse), "passwd", "wang", "--password-stdin"]) == 0
    with pytest.raises(LoginError):
        store.authenticate("wang", TEST_PASSWORD)
    assert store.authenticate("wang", "another long password").username == "wang"
    assert main(["users", "--warehouse", str(warehouse), "disable", "wang"]) == 0
    with pytest.raises(LoginError):
        store.authenticate("wang", "another long password")
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert (
        main(["users", "--warehouse", str(warehouse), "add", "li", "--role", "leader", "--password-stdin"])
        == 2
    )


def test_dangan_users_demo_prints_a_working_login_for_every_role(
    tiny_warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """GIVEN the tiny warehouse WHEN ``dangan users demo`` runs THEN it prints one user per
    role with a password that logs that user in, scoped to a unit, team or person that exists."""
    monkeypatch.setenv("DANGAN_USERS", str(tmp_path / "users.sqlite"))
    assert main(["users", "--warehouse", str(tiny_warehouse), "demo"]) == 0
    printed = [line.split() for line in capsys.readouterr().out.splitlines()[1:]]
    assert sorted(role for _, role, _, _ in printed) == sorted(ROLES)
    store = UserStore(tmp_path / "users.sqlite")
    con = connect_published(tiny_warehouse)
    try:
        entities = {
            entity for (entity,) in con.execute("select entity_id from marts.org_entities").fetchall()
        }
    finally:
        con.close()
    for username, role, scope_of, password in printed:
        user = store.authenticate(username, password)
        assert user.role == role
        assert scope_of in entities or scope_of == ROLES[role].level
