"""A person's team history on the pages where a person is looked at: the reminders page's
own list and the rankings' people, over a warehouse where one person moved team between
two builds (DOMAIN §13)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from ingest.warehouse import connect_published, prepare_build_copy, publish
from tests.dashboard.apptest import run_page
from tests.dbt.conftest import run_dbt

VIEWS = Path(__file__).resolve().parents[2] / "dashboard" / "views"
TIMEOUT_S = 60
# The second build: one day after the tiny set's as_of (2026-11-27 17:30:00).
SECOND_AS_OF = "2026-11-28 09:00:00"
# The models the second build runs: the staff history and the mart over it, with the
# staging views they read (the history depends on nothing else).
SECOND_BUILD = (
    "stg_marketing__staff",
    "stg_marketing__teams",
    "stg_marketing__supply_units",
    "history_staff",
    "staff_team_history",
)


@dataclass(frozen=True)
class TeamMove:
    """A warehouse where ``staff_id`` moved from ``old_team`` to ``new_team`` as of the second build."""

    warehouse: Path
    staff_id: str
    old_team: str
    new_team: str
    new_team_name: str


@pytest.fixture(scope="module")
def team_move(tiny_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> TeamMove:
    """The tiny build, then a second build of the staff history as of ``SECOND_AS_OF`` after
    the business staff member ranked in the latest month with the most reminders moved to
    another team of the same supply unit (the lowest-coded one)."""
    own = tmp_path_factory.mktemp("team_move") / "warehouse.duckdb"
    build = prepare_build_copy(own)
    build.write_bytes(Path(tiny_warehouse).resolve().read_bytes())
    with duckdb.connect(str(build)) as con:
        staff_id, old_team, unit = con.execute(
            "select board.entity_id, board.team_code, board.unit_code from marts.scorecard_monthly as board "
            "left join marts.reminders as reminders on reminders.person_id = board.entity_id "
            "where board.tier = 'staff' and board.month = (select max(month) from marts.scorecard_monthly) "
            "group by all order by count(reminders.person_id) desc, board.entity_id limit 1"
        ).fetchone()
        new_team, new_team_name = con.execute(
            "select team_code, team_name from raw.teams where unit_code = ? and team_code <> ? "
            "order by team_code limit 1",
            [unit, old_team],
        ).fetchone()
        con.execute("update raw.staff set team_code = ? where staff_id = ?", [new_team, staff_id])
    run_dbt(build, "run", "--select", *SECOND_BUILD, "--vars", json.dumps({"as_of": SECOND_AS_OF}))
    publish(build, own)
    return TeamMove(own, staff_id, old_team, new_team, new_team_name)


def _history_table(frames: list) -> pd.DataFrame:
    shown = [frame.value for frame in frames if "班组名称" in frame.value.columns]
    assert len(shown) == 1, [list(frame.value.columns) for frame in frames]
    return shown[0]


def test_staff_team_history_has_both_versions_of_the_moved_person(team_move: TeamMove) -> None:
    """GIVEN a person moved team between two builds WHEN marts.staff_team_history is read
    THEN it has the first version (valid from the beginning, known since null, closed at
    the second build's as_of) and the new one (known since that as_of, still current)."""
    con = connect_published(team_move.warehouse)
    try:
        rows = con.execute(
            "select team_code, team_name, cast(valid_from as varchar), cast(valid_to as varchar), "
            "cast(known_since as varchar) from marts.staff_team_history where staff_id = ? order by valid_from",
            [team_move.staff_id],
        ).fetchall()
    finally:
        con.close()
    assert [(row[0], row[2], row[3], row[4]) for row in rows] == [
        (team_move.old_team, "1900-01-01 00:00:00", SECOND_AS_OF, None),
        (team_move.new_team, SECOND_AS_OF, None, SECOND_AS_OF),
    ]
    assert rows[1][1] == team_move.new_team_name


def test_reminders_own_list_shows_the_persons_team_history_newest_first(
    team_move: TeamMove, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN the moved person WHEN their staff id is entered on the reminders page THEN the
    team history lists the new team first (from the second build, 至今) and the old team
    second (最早记录 until the second build), with Chinese headers and minute dates."""
    monkeypatch.setenv("DANGAN_WAREHOUSE", str(team_move.warehouse))
    app = run_page(VIEWS / "reminders.py", TIMEOUT_S)
    app.text_input(key="rem_staff").input(team_move.staff_id).run()
    assert not app.exception, [error.value for error in app.exception]
    history = _history_table(app.dataframe)
    assert history["起始时间"].tolist() == ["2026-11-28 09:00", "最早记录"]
    assert history["截止时间"].tolist() == ["至今", "2026-11-28 09:00"]
    assert history["班组"].tolist() == [team_move.new_team, team_move.old_team]
    assert history["班组名称"].iloc[0] == team_move.new_team_name
    assert history["在岗"].tolist() == ["是", "是"]


def test_rankings_people_show_the_picked_persons_team_history_in_english(
    team_move: TeamMove, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN the staff tier of the rankings WHEN the moved person is picked and the language
    is English THEN their two versions read 'current' / 'from the start'."""
    monkeypatch.setenv("DANGAN_WAREHOUSE", str(team_move.warehouse))
    app = run_page(VIEWS / "rankings.py", TIMEOUT_S)
    # The page opens on the last final month; the move is in the newest (provisional) one.
    con = connect_published(team_move.warehouse)
    try:
        newest = con.execute("select max(month) from marts.scorecard_monthly").fetchone()[0]
    finally:
        con.close()
    app.selectbox(key="rank_month").set_value(newest).run()
    app.segmented_control(key="rank_tier").set_value("staff").run()
    app.selectbox(key="rank_person").set_value(team_move.staff_id).run()
    app.session_state["lang"] = "en"
    app.run()
    assert not app.exception, [error.value for error in app.exception]
    shown = [frame.value for frame in app.dataframe if "Team name" in frame.value.columns]
    assert len(shown) == 1
    assert shown[0]["From"].tolist() == ["2026-11-28 09:00", "from the start"]
    assert shown[0]["Until"].tolist() == ["current", "2026-11-28 09:00"]
    assert shown[0]["Team"].tolist() == [team_move.new_team, team_move.old_team]
