"""Helpers every page shares: the warehouse guard, code labels, number formats, localised
tables, paging.

Formats are fixed here once: percentages to one decimal, dates ``YYYY-MM-DD``. Names of
data codes (tiers, indicators, levels, ...) come from ``marts.code_labels`` only; ``i18n``
holds the interface's own strings.
"""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import streamlit as st

from dashboard import data
from dashboard.auth import scope, session
from dashboard.auth.roles import ROLES
from dashboard.i18n import language, t

DEFAULT_PAGE_SIZE = 50
RATE_INDICATORS = {
    "completion_rate",
    "timely_filing_rate",
    "handover_timely_rate",
    "sla_overdue_rate",
    "contract_valid_rate",
    "audit_pass_rate",
    "collection_timely_rate",
    "completeness_rate",
}


# Characters that markdown (and Streamlit's extensions: :color[...], $math$) reads as syntax.
MARKDOWN_SPECIALS = frozenset("\\`*_{}[]()#+-.!|<>~$:")


def escape_markdown(text: object) -> str:
    """``text`` from the data, shown literally by ``st.markdown`` or ``st.caption``: a name like
    ``![x](http://…)`` stays those characters, never an image fetched from outside."""
    return "".join("\\" + char if char in MARKDOWN_SPECIALS else char for char in str(text))


def require_page(page: str) -> str:
    """The published version for a logged-in user whose role may open ``page``; otherwise a
    message and a stop (the router offers only the allowed pages; a page run another way
    checks here again)."""
    user = session.logged_in_user()
    if user is None:
        st.info(t("login_title"))
        st.stop()
        raise session.NotLoggedInError("no user is logged in")
    if page not in ROLES[user.role].pages:
        st.error(t("no_access"))
        st.stop()
        raise scope.AccessDeniedError(f"user {user.username!r} (role {user.role}) may not open page {page}")
    return require_warehouse()


def require_warehouse() -> str:
    """The published version, or a friendly message and a stop when nothing is published."""
    try:
        return data.warehouse_version()
    except data.WarehouseNotPublishedError:
        st.info(t("no_warehouse"))
        st.stop()
        raise


def code_names(kind: str) -> dict[str, str]:
    """Each code of ``kind`` with its name in the current language (``marts.code_labels``)."""
    labels = data.code_labels()
    rows = labels[labels["kind"] == kind]
    if rows.empty:
        raise ValueError(f"marts.code_labels has no kind {kind!r}")
    return dict(zip(rows["code"], rows["zh" if language() == "zh" else "en"], strict=True))


def code(kind: str, value: object) -> str:
    """The display name of a data code; a code without a label shows as is."""
    if value is None or pd.isna(value):
        return ""
    return code_names(kind).get(str(value), str(value))


def yes_no(value: object) -> str:
    """A flag as 是/否 (Yes/No); unknown shows empty."""
    if value is None or pd.isna(value):
        return ""
    return t("yes") if bool(value) else t("no")


def truthy(value: object) -> bool:
    """A flag from a mart that may be null (unknown counts as false)."""
    return False if value is None or pd.isna(value) else bool(value)


def pct(value: object) -> str:
    """A fraction as a percentage with one decimal; missing values as a dash."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or pd.isna(value):
        return "—"
    return f"{float(value) * 100:.1f}%"


def indicator_value(indicator: str, value: object) -> str:
    """Rates as percentages; quality points as a plain number."""
    if indicator in RATE_INDICATORS:
        return pct(value)
    if value is None or pd.isna(value):
        return "—"
    return f"{float(value):g}"


def day(value: object) -> str:
    if value is None or pd.isna(value):
        return ""
    return pd.Timestamp(value).strftime("%Y-%m-%d")


def minute(value: object) -> str:
    if value is None or pd.isna(value):
        return ""
    return pd.Timestamp(value).strftime("%Y-%m-%d %H:%M")


def month_name(month: object) -> str:
    """A month as 2026年10月 (2026-10 in English)."""
    stamp = pd.Timestamp(month)
    return t("month_name", year=stamp.year, month=stamp.month)


def month_status(is_final: object, frozen_at: object) -> str:
    """已结账 with its freeze time, or 未结账, as the warehouse states it; empty when the
    warehouse gives no status (a month that is not scored)."""
    if is_final is None or pd.isna(is_final):
        return ""
    if not bool(is_final):
        return t("provisional")
    if frozen_at is None or pd.isna(frozen_at):
        return t("final")
    return t("final_at", frozen_at=minute(frozen_at))


def month_label(month: object, is_final: object = None, frozen_at: object = None) -> str:
    """The month's name, with its status when one is given: 2026年10月（已结账 2026-11-16 06:00）."""
    status = month_status(is_final, frozen_at)
    return t("month_label", month=month_name(month), status=status) if status else month_name(month)


def month_labels(months: pd.DataFrame) -> dict[dt.date, str]:
    """Each month of a frame of :func:`dashboard.data.months`'s columns with its label, in
    the frame's order: the options of a month picker."""
    return {
        to_date(row.month): month_label(row.month, row.is_final, row.frozen_at)
        for row in months.itertuples(index=False)
    }


def month_note(months: pd.DataFrame, month: dt.date) -> None:
    """A caption under a month picker: a final month's figures no longer change (and since
    when), a provisional month's may until it closes."""
    rows = months[[to_date(value) == month for value in months["month"]]]
    if rows.empty:
        return
    row = rows.iloc[0]
    if truthy(row["is_final"]) and not pd.isna(row["frozen_at"]):
        st.caption(t("final_note", frozen_at=minute(row["frozen_at"])))
    elif not pd.isna(row["is_final"]) and not truthy(row["is_final"]) and not pd.isna(row["close_at"]):
        st.caption(t("provisional_note", close_at=minute(row["close_at"])))


def month_statuses(months: pd.DataFrame) -> dict[dt.date, str]:
    """Each month's status text (已结账 … / 未结账), for hover texts and captions."""
    return {
        to_date(row.month): month_status(row.is_final, row.frozen_at)
        for row in months.itertuples(index=False)
    }


def to_date(value: object) -> dt.date:
    return pd.Timestamp(value).date()


def display(
    frame: pd.DataFrame,
    *,
    codes: dict[str, str] | None = None,
    names: tuple[str, ...] = (),
    flags: tuple[str, ...] = (),
    dates: tuple[str, ...] = (),
    timestamps: tuple[str, ...] = (),
    rates: tuple[str, ...] = (),
) -> pd.DataFrame:
    """A copy ready to show: codes labelled (``codes`` maps a column to its code_labels
    kind), ids named, flags as 是/否, dates and rates formatted, headers in the current
    language. Formatting happens here, never in SQL."""
    shown = frame.copy()
    lookup = data.org_names() if names else {}
    for column in names:
        shown[column] = [
            f"{lookup[value]} ({value})" if value in lookup else ("" if pd.isna(value) else value)
            for value in shown[column]
        ]
    for column, kind in (codes or {}).items():
        labels = code_names(kind)
        shown[column] = [
            "" if pd.isna(value) else labels.get(str(value), str(value)) for value in shown[column]
        ]
    for column in flags:
        shown[column] = [yes_no(value) for value in shown[column]]
    for column in dates:
        shown[column] = [day(value) for value in shown[column]]
    for column in timestamps:
        shown[column] = [minute(value) for value in shown[column]]
    for column in rates:
        shown[column] = [pct(value) for value in shown[column]]
    return shown.rename(columns={column: _header(column) for column in shown.columns})


def _header(column: str) -> str:
    try:
        return t(column)
    except KeyError:
        return column


def paginated(frame: pd.DataFrame, key: str, page_size: int = DEFAULT_PAGE_SIZE, **options: object) -> None:
    """A long table one page at a time, so a laptop browser stays responsive; only the rows
    shown are formatted (``options`` as for :func:`display`), which keeps tens of thousands
    of rows cheap."""
    total = len(frame)
    if total == 0:
        st.caption(t("no_data"))
        return
    pages = max(1, math.ceil(total / page_size))
    page = 1
    if pages > 1:
        left, right = st.columns([1, 3])
        page = int(
            left.number_input(t("pager"), min_value=1, max_value=pages, value=1, step=1, key=f"{key}_page")
        )
        right.caption(t("rows_total", n=total) + f" · {page}/{pages}")
    else:
        st.caption(t("rows_total", n=total))
    start = (page - 1) * page_size
    shown = display(frame.iloc[start : start + page_size], **options)  # type: ignore[arg-type]
    st.dataframe(shown, hide_index=True, width="stretch")


def team_history(staff_id: str) -> None:
    """A person's teams as history recorded them, newest first: from when (最早记录 for the
    version valid from the beginning) until when (至今 for the current one), team, unit,
    post and whether active. Attribution of a month follows these versions (DOMAIN §13)."""
    versions = data.staff_team_history(staff_id)
    st.markdown(f"**{t('team_history')}**")
    if versions.empty:
        st.caption(t("no_data"))
        return
    shown = display(
        versions[["known_since", "valid_to", "team_code", "team_name", "unit_name", "post", "is_active"]],
        codes={"post": "post"},
        flags=("is_active",),
        timestamps=("known_since", "valid_to"),
    )
    shown[t("known_since")] = [value or t("from_start") for value in shown[t("known_since")]]
    shown[t("valid_to")] = [value or t("until_now") for value in shown[t("valid_to")]]
    st.dataframe(shown, hide_index=True, width="stretch")
