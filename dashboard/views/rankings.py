"""三级排名: units, teams, business staff and collectors, with drill-down and export.

Clicking a unit's bar shows its teams, clicking a team's bar its people; the selectors
above the chart are the breadcrumb and can be used instead of clicks.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import charts, data, export
from dashboard.auth import session
from dashboard.auth.roles import PERSON, ROLES
from dashboard.i18n import t
from dashboard.ui import (
    code,
    code_names,
    indicator_value,
    month_labels,
    month_note,
    require_page,
    team_history,
)

TIERS = ("supply_unit", "team", "staff", "collector")
CHILD_TIER = {"supply_unit": "team", "team": "staff"}
ALL = "__all__"

require_page("rankings")
st.title(t("rankings_title"))

months = data.months()
if months.empty:
    st.info(t("no_data"))
    st.stop()
labels = month_labels(months)

# Business staff see their own team's ranking of people first (their scope has no units).
own_level = ROLES[session.current_user().role].level
st.session_state.setdefault("rank_tier", "staff" if own_level == PERSON else "supply_unit")
st.session_state.setdefault("rank_unit", ALL)
st.session_state.setdefault("rank_team", ALL)


def _drill(chart_key: str, tier: str) -> None:
    """A bar click on units or teams opens the next tier filtered to the clicked entity."""
    points = st.session_state[chart_key].selection.points
    if not points or tier not in CHILD_TIER:
        return
    entity_id = points[0]["customdata"][0]
    if tier == "supply_unit":
        st.session_state["rank_unit"] = entity_id
        st.session_state["rank_team"] = ALL
    else:
        st.session_state["rank_team"] = entity_id
    st.session_state["rank_tier"] = CHILD_TIER[tier]


def _reset() -> None:
    st.session_state["rank_tier"] = "supply_unit"
    st.session_state["rank_unit"] = ALL
    st.session_state["rank_team"] = ALL


top = st.columns([1, 2])
month = top[0].selectbox(t("pick_month"), options=list(labels), format_func=labels.get, key="rank_month")
tier = top[1].segmented_control(
    t("pick_tier"), options=list(TIERS), format_func=lambda v: code("tier", v), key="rank_tier"
)
tier = tier or "supply_unit"
month_note(months, month)

board = data.scorecard(month, tier)
indicators = data.scorecard_indicators(month, tier)

crumbs = st.columns([2, 2, 1])
unit_rows = data.scorecard(month, "supply_unit")
unit_options = [ALL, *unit_rows["entity_id"]]
unit_names = dict(zip(unit_rows["entity_id"], unit_rows["entity_name"], strict=True))
if st.session_state["rank_unit"] not in unit_options:
    st.session_state["rank_unit"] = ALL
unit = crumbs[0].selectbox(
    t("drill_unit"),
    options=unit_options,
    format_func=lambda v: t("all") if v == ALL else unit_names.get(v, v),
    key="rank_unit",
    disabled=tier == "supply_unit",
)
team_rows = data.scorecard(month, "team")
if unit != ALL:
    team_rows = team_rows[team_rows["unit_code"] == unit]
team_options = [ALL, *team_rows["entity_id"]]
team_names = dict(zip(team_rows["entity_id"], team_rows["entity_name"], strict=True))
if st.session_state["rank_team"] not in team_options:
    st.session_state["rank_team"] = ALL
team = crumbs[1].selectbox(
    t("drill_team"),
    options=team_options,
    format_func=lambda v: t("all") if v == ALL else team_names.get(v, v),
    key="rank_team",
    disabled=tier not in ("staff", "collector"),
)
crumbs[2].button(t("drill_reset"), on_click=_reset, icon=":material/arrow_upward:")
if tier != "supply_unit" and unit != ALL:
    board = board[board["unit_code"] == unit]
if tier in ("staff", "collector") and team != ALL:
    board = board[board["team_code"] == team]
if tier in CHILD_TIER:
    st.caption(t("drill_hint"))

if board.empty:
    st.info(t("no_data"))
    st.stop()

chart_key = f"rank_chart_{tier}"
st.plotly_chart(
    charts.score_bars(board, f"{labels[month]} {code('tier', tier)}"),
    key=chart_key,
    on_select=lambda: _drill(chart_key, tier),
    selection_mode="points",
)

detail = indicators[indicators["entity_id"].isin(board["entity_id"])]
shown = set(detail["indicator"])
order = [indicator for indicator in code_names("indicator") if indicator in shown]
table = board[["rank", "entity_id", "entity_name", "total_score", "rank_change", "score_change"]].copy()
table["rank_change"] = ["" if pd.isna(change) else f"{int(change):+d}" for change in table["rank_change"]]
table["score_change"] = ["" if pd.isna(change) else f"{change:+.2f}" for change in table["score_change"]]
table["total_score"] = table["total_score"].map(lambda v: f"{v:.2f}")
for indicator in order:
    rows = detail[detail["indicator"] == indicator].set_index("entity_id")
    table[code("indicator", indicator)] = [
        indicator_value(indicator, rows["value"].get(entity)) if entity in rows.index else "—"
        for entity in table["entity_id"]
    ]
    table[code("indicator", indicator) + t("points_lost")] = [
        f"{rows['points_lost'].get(entity):.2f}"
        if entity in rows.index and not pd.isna(rows["points_lost"].get(entity))
        else "—"
        for entity in table["entity_id"]
    ]
shown = table.rename(
    columns={
        column: t(column)
        for column in ("rank", "entity_id", "entity_name", "total_score", "rank_change", "score_change")
    }
)
st.dataframe(shown, hide_index=True, width="stretch")
file_name = export.xlsx_name(month, t("page_rankings"))
sheet_name = code("tier", tier)
log = session.bound_log()


def _workbook() -> bytes:
    """Built only when the download is clicked, from the table on screen (same scope, same
    masking); it runs outside the user's script run, so it queries nothing."""
    log("download", file_name, f"{sheet_name}: {len(shown)} rows")
    return export.to_xlsx({sheet_name: shown})


st.download_button(
    t("download_xlsx"),
    data=_workbook,
    file_name=file_name,
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    icon=":material/download:",
    key="rank_download",
)

if tier in ("staff", "collector"):
    people = dict(zip(board["entity_id"], board["entity_name"], strict=True))
    person = st.selectbox(
        t("person_id"),
        options=list(people),
        format_func=lambda v: f"{people[v]} ({v})",
        key="rank_person",
    )
    team_history(person)
