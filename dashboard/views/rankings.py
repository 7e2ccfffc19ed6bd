"""三级排名: units, teams, business staff and collectors, with drill-down and export.

Clicking a unit's bar shows its teams, clicking a team's bar its people; the selectors
above the chart are the breadcrumb and can be used instead of clicks.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import charts, data, state
from dashboard.auth import session
from dashboard.auth.roles import PERSON, ROLES
from dashboard.i18n import t
from dashboard.ui import (
    RATE_INDICATORS,
    code,
    code_names,
    downloads,
    export_view,
    indicator_value,
    month_picker,
    require_page,
    team_history,
)

TIERS = ("supply_unit", "team", "staff", "collector")
CHILD_TIER = {"supply_unit": "team", "team": "staff"}
ALL = "__all__"
# More bars than this and the chart shows the best or the worst ten (or a search's matches).
CHART_LIMIT = 20
TOP_N = 10

require_page("rankings")
st.title(t("rankings_title"))

months = data.months()
if months.empty:
    st.info(t("no_data"))
    st.stop()

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
        state.put("unit", entity_id, writer="rank_unit")
        state.put("team", "", writer="rank_team")
    else:
        st.session_state["rank_team"] = entity_id
        state.put("team", entity_id, writer="rank_team")
    st.session_state["rank_tier"] = CHILD_TIER[tier]
    state.put("tier", CHILD_TIER[tier], writer="rank_tier")


def _reset() -> None:
    st.session_state["rank_tier"] = "supply_unit"
    st.session_state["rank_unit"] = ALL
    st.session_state["rank_team"] = ALL
    for name, writer in (("tier", "rank_tier"), ("unit", "rank_unit"), ("team", "rank_team")):
        state.put(name, "supply_unit" if name == "tier" else "", writer=writer)


def _from_all(value: object) -> str:
    return "" if value in (None, ALL) else str(value)


top = st.columns([1, 2])
month = month_picker(months, "rank_month", container=top[0])
tier = top[1].segmented_control(
    t("pick_tier"),
    options=list(TIERS),
    format_func=lambda v: code("tier", v),
    key="rank_tier",
    **state.bind("tier", "rank_tier", TIERS, encode=_from_all),
)
tier = tier or "supply_unit"
if state.get("tier") != tier:
    state.put("tier", tier, writer="rank_tier")

board = data.scorecard(month, tier)
indicators = data.scorecard_indicators(month, tier)

crumbs = st.columns([2, 2, 1])
unit_rows = data.scorecard(month, "supply_unit")
unit_options = [ALL, *unit_rows["entity_id"]]
unit_names = dict(zip(unit_rows["entity_id"], unit_rows["entity_name"], strict=True))
unit_binding = state.bind("unit", "rank_unit", unit_options, encode=_from_all)
if st.session_state["rank_unit"] not in unit_options:
    st.session_state["rank_unit"] = ALL
unit = crumbs[0].selectbox(
    t("drill_unit"),
    options=unit_options,
    format_func=lambda v: t("all") if v == ALL else unit_names.get(v, v),
    key="rank_unit",
    disabled=tier == "supply_unit",
    **unit_binding,
)
team_rows = data.scorecard(month, "team")
if unit != ALL:
    team_rows = team_rows[team_rows["unit_code"] == unit]
team_options = [ALL, *team_rows["entity_id"]]
team_names = dict(zip(team_rows["entity_id"], team_rows["entity_name"], strict=True))
team_binding = state.bind("team", "rank_team", team_options, encode=_from_all)
if st.session_state["rank_team"] not in team_options:
    st.session_state["rank_team"] = ALL
team = crumbs[1].selectbox(
    t("drill_team"),
    options=team_options,
    format_func=lambda v: t("all") if v == ALL else team_names.get(v, v),
    key="rank_team",
    disabled=tier not in ("staff", "collector"),
    **team_binding,
)
crumbs[2].button(t("drill_reset"), on_click=_reset, icon=":material/arrow_upward:")
parent = ""
if tier != "supply_unit" and unit != ALL:
    board = board[board["unit_code"] == unit]
    parent = "unit"
if tier in ("staff", "collector") and team != ALL:
    board = board[board["team_code"] == team]
    parent = "team"
if tier in CHILD_TIER:
    st.caption(t("drill_hint"))
filters = []
if tier != "supply_unit" and unit != ALL:
    filters.append((t("drill_unit"), unit_names.get(unit, unit)))
if tier in ("staff", "collector") and team != ALL:
    filters.append((t("drill_team"), team_names.get(team, team)))
export_view(tier=tier, filters=filters)

if board.empty:
    st.info(t("no_data"))
    st.stop()

# Drilled into a unit or a team, the rank is the place within it (ties kept as the
# company ranking has them); the company-wide rank stays beside it.
board = board.assign(company_rank=board["rank"])
if parent:
    board = board.assign(rank=board["rank"].rank(method="min").astype(int))

search = ""
chart_rows = board
if len(board) > CHART_LIMIT:
    pick = st.columns([1, 2])
    shown_part = pick[0].segmented_control(
        t("top_bottom"),
        options=["top", "bottom", "all"],
        format_func=lambda v: {
            "top": t("top_n", n=TOP_N),
            "bottom": t("bottom_n", n=TOP_N),
            "all": t("all_n", n=len(board)),
        }[v],
        default="top",
        key=f"rank_part_{tier}",
    )
    search = pick[1].text_input(t("rank_search"), key=f"rank_search_{tier}").strip()
    ordered = board.sort_values(["rank", "entity_id"])
    if search:
        found = ordered["entity_name"].astype(str).str.contains(search, case=False, regex=False) | ordered[
            "entity_id"
        ].astype(str).str.contains(search, case=False, regex=False)
        chart_rows = ordered[found]
    elif shown_part == "bottom":
        chart_rows = ordered.tail(TOP_N)
    elif shown_part != "all":
        chart_rows = ordered.head(TOP_N)

chart_key = f"rank_chart_{tier}"
if chart_rows.empty:
    st.info(t("no_data"))
else:
    st.plotly_chart(
        charts.score_bars(chart_rows, f"{month:%Y-%m} {code('tier', tier)}"),
        key=chart_key,
        on_select=lambda: _drill(chart_key, tier),
        selection_mode="points",
    )

detail = indicators[indicators["entity_id"].isin(board["entity_id"])]
shown = set(detail["indicator"])
order = [indicator for indicator in code_names("indicator") if indicator in shown]
base = ["rank", "entity_id", "entity_name", "total_score", "rank_change", "score_change"]
if parent:
    base.insert(1, "company_rank")
values = board[base].copy()
rate_columns: list[str] = []
for indicator in order:
    rows = detail[detail["indicator"] == indicator].set_index("entity_id")
    name = code("indicator", indicator)
    lost = t("points_lost_of", indicator=name)
    values[name] = [
        rows["value"].get(entity) if entity in rows.index else None for entity in values["entity_id"]
    ]
    values[lost] = [
        rows["points_lost"].get(entity) if entity in rows.index else None for entity in values["entity_id"]
    ]
    if indicator in RATE_INDICATORS:
        rate_columns.append(name)
if search:
    values = values[values["entity_id"].isin(chart_rows["entity_id"])]

table = values.copy()
table["rank_change"] = ["" if pd.isna(change) else f"{int(change):+d}" for change in table["rank_change"]]
table["score_change"] = ["" if pd.isna(change) else f"{change:+.2f}" for change in table["score_change"]]
table["total_score"] = table["total_score"].map(lambda v: f"{v:.2f}")
for indicator in order:
    name = code("indicator", indicator)
    lost = t("points_lost_of", indicator=name)
    table[name] = [indicator_value(indicator, value) for value in table[name]]
    table[lost] = ["—" if value is None or pd.isna(value) else f"{value:.2f}" for value in table[lost]]
headers = {
    column: t(column)
    for column in ("rank", "entity_id", "entity_name", "total_score", "rank_change", "score_change")
}
headers["company_rank"] = t("company_rank")
if parent:
    headers["rank"] = t("rank_in_unit") if parent == "unit" else t("rank_in_team")
shown = table.rename(columns=headers)
st.dataframe(shown, hide_index=True, width="stretch")
downloads(
    values.rename(columns={"company_rank": t("company_rank"), "rank": headers["rank"]}),
    "rank_download",
    code("tier", tier),
    rates=tuple(rate_columns),
)

if tier in ("staff", "collector"):
    people = dict(zip(board["entity_id"], board["entity_name"], strict=True))
    person = st.selectbox(
        t("person_id"),
        options=list(people),
        format_func=lambda v: f"{people[v]} ({v})",
        key="rank_person",
        **state.bind("person", "rank_person", list(people)),
    )
    team_history(person)
