"""Helpers every page shares: the warehouse guard, code labels, number formats, localised
tables, paging, the shared month picker and the downloads of every table.

Formats are fixed here once: percentages to one decimal, dates ``YYYY-MM-DD``, months
``YYYY-MM``, timestamps in Asia/Shanghai (the warehouse's one zone). Names of data codes
(tiers, indicators, levels, ...) come from ``marts.code_labels`` only; ``i18n`` holds the
interface's own strings.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from typing import Any

import pandas as pd
import streamlit as st

from dashboard import data, export, state
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
    state.start()
    user = session.logged_in_user()
    if user is None:
        st.info(t("login_title"))
        st.stop()
        raise session.NotLoggedInError("no user is logged in")
    if page not in ROLES[user.role].pages:
        st.error(t("no_access"))
        st.stop()
        raise scope.AccessDeniedError(f"user {user.username!r} (role {user.role}) may not open page {page}")
    version = require_warehouse()
    st.session_state[PAGE_KEY] = page
    st.session_state[EXPORT_VIEW_KEY] = {}
    st.sidebar.caption(as_of_text())
    return version


PAGE_KEY = "_page"
EXPORT_VIEW_KEY = "_export_view"


def as_of_text() -> str:
    """数据截至 … in Asia/Shanghai, the moment the build's figures were computed as of."""
    return t("data_as_of", as_of=minute(data.build_info()["as_of"]))


def export_view(**fields: object) -> None:
    """What the page's downloads state in their header block and file name: ``month``
    (a date), ``is_final``, ``tier`` (a code) and ``filters`` (label, shown value) pairs."""
    st.session_state.setdefault(EXPORT_VIEW_KEY, {}).update(fields)


def month_picker(months: pd.DataFrame, key: str, container: Any = None) -> dt.date:
    """The month every page shares (and the URL carries): the last final month unless one
    was chosen, provisional months labelled as such; the caption below says whether the
    month's figures may still change."""
    labels = month_labels(months)
    options = list(labels)
    finals = [to_date(row.month) for row in months.itertuples(index=False) if truthy(row.is_final)]
    default = finals[0] if finals else options[0]
    shared = state.bind(
        "month", key, options, encode=state.month_text, decode=state.month_value, default=default
    )
    month = (container or st).selectbox(
        t("pick_month"), options=options, format_func=labels.get, key=key, **shared
    )
    if state.get("month") != state.month_text(month):
        state.put("month", state.month_text(month), writer=key)
    rows = months[[to_date(value) == month for value in months["month"]]]
    export_view(month=month, is_final=None if rows.empty else rows["is_final"].iloc[0])
    month_note(months, month)
    return month


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


def with_short_names(frame: pd.DataFrame, column: str = "entity_id") -> pd.DataFrame:
    """``frame`` with a ``short_name`` column for charts: the short name of the entity in
    ``column``, else its full ``entity_name``."""
    short = data.short_names()
    names = frame["entity_name"] if "entity_name" in frame.columns else frame[column]
    return frame.assign(
        short_name=[short.get(key) or name for key, name in zip(frame[column], names, strict=True)]
    )


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


# A missed target within this many percentage points is yellow, further off red (DESIGN).
YELLOW_MARGIN = 0.02
LIGHT_BACKGROUNDS = {"green": "#e6f4ea", "yellow": "#fff4ce", "red": "#fde2e1"}


def light(indicator: str, value: object, target: object, meets: object) -> str | None:
    """The traffic light of a figure against its target: green when it meets it (as the mart
    says), yellow when a rate misses it by less than :data:`YELLOW_MARGIN`, else red; None
    when there is no figure or no verdict."""
    if meets is None or pd.isna(meets) or value is None or pd.isna(value):
        return None
    if bool(meets):
        return "green"
    close = (
        indicator in RATE_INDICATORS
        and target is not None
        and not pd.isna(target)
        and abs(float(value) - float(target)) < YELLOW_MARGIN
    )
    return "yellow" if close else "red"


def light_styles() -> None:
    """Background colours of the cards put in containers keyed ``card_<light>_…``."""
    rules = " ".join(
        f'[class*="st-key-card_{name}_"] {{background-color: {colour}; border-radius: 0.5rem;}}'
        for name, colour in LIGHT_BACKGROUNDS.items()
    )
    st.html(f"<style>{rules}</style>")


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


def month_text(value: object) -> str:
    """A month as ``YYYY-MM``; missing as empty."""
    if value is None or pd.isna(value):
        return ""
    return pd.Timestamp(value).strftime("%Y-%m")


def _blank(value: object) -> object:
    """No "None" or "nan" on screen: a missing text is empty."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return value


def display(
    frame: pd.DataFrame,
    *,
    codes: dict[str, str] | None = None,
    names: tuple[str, ...] = (),
    flags: tuple[str, ...] = (),
    dates: tuple[str, ...] = (),
    timestamps: tuple[str, ...] = (),
    rates: tuple[str, ...] = (),
    months: tuple[str, ...] = (),
) -> pd.DataFrame:
    """A copy ready to show: codes labelled (``codes`` maps a column to its code_labels
    kind), ids named, flags as 是/否, dates, months and rates formatted, missing texts
    empty, headers in the current language. Formatting happens here, never in SQL."""
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
    for column in months:
        shown[column] = [month_text(value) for value in shown[column]]
    for column in timestamps:
        shown[column] = [minute(value) for value in shown[column]]
    for column in rates:
        shown[column] = [pct(value) for value in shown[column]]
    for column in shown.columns:
        if pd.api.types.is_object_dtype(shown[column]) or pd.api.types.is_string_dtype(shown[column]):
            shown[column] = [_blank(value) for value in shown[column]]
    return shown.rename(columns={column: _header(column) for column in shown.columns})


def _header(column: str) -> str:
    try:
        return t(column)
    except KeyError:
        return column


def _export_spec(frame: pd.DataFrame, options: dict[str, Any]) -> dict[str, Any]:
    """Everything a download of ``frame`` needs from the session, resolved now: the data
    callable of a download button runs outside the user's script run and reads nothing."""
    codes: dict[str, str] = options.get("codes") or {}
    names: tuple[str, ...] = options.get("names", ())
    lookup = data.org_names() if names else {}
    return {
        "headers": {column: _header(column) for column in frame.columns},
        "codes": {column: code_names(kind) for column, kind in codes.items()},
        "names": {column: lookup for column in names},
        "flags": {column: (t("yes"), t("no")) for column in options.get("flags", ())},
        "dates": tuple(options.get("dates", ())),
        "timestamps": tuple(options.get("timestamps", ())),
        "months": tuple(options.get("months", ())),
        "rates": tuple(options.get("rates", ())),
    }


def typed(frame: pd.DataFrame, spec: dict[str, Any]) -> tuple[pd.DataFrame, dict[str, str]]:
    """``frame`` for a spreadsheet: codes and ids named and flags worded as on screen, but
    numbers, rates, dates and timestamps left as values, with the format of each column
    (:data:`dashboard.export.FORMATS`). Reads no Streamlit state."""
    out = frame.copy()
    formats: dict[str, str] = {}
    for column, lookup in spec["names"].items():
        out[column] = [
            f"{lookup[value]} ({value})" if value in lookup else ("" if pd.isna(value) else value)
            for value in out[column]
        ]
    for column, labels in spec["codes"].items():
        out[column] = ["" if pd.isna(value) else labels.get(str(value), str(value)) for value in out[column]]
    for column, (yes, no) in spec["flags"].items():
        out[column] = [
            "" if value is None or pd.isna(value) else (yes if value else no) for value in out[column]
        ]
    for column in spec["months"]:
        out[column] = [month_text(value) for value in out[column]]
    for column in out.columns:
        if column in spec["rates"]:
            out[column] = pd.to_numeric(out[column], errors="coerce")
            formats[column] = "percent"
        elif column in spec["dates"]:
            out[column] = [None if pd.isna(value) else pd.Timestamp(value) for value in out[column]]
            formats[column] = "date"
        elif column in spec["timestamps"]:
            out[column] = [None if pd.isna(value) else pd.Timestamp(value) for value in out[column]]
            formats[column] = "datetime"
        elif pd.api.types.is_bool_dtype(out[column]):
            continue
        elif pd.api.types.is_integer_dtype(out[column]):
            formats[column] = "integer"
        elif pd.api.types.is_float_dtype(out[column]):
            formats[column] = "decimal"
    headers = spec["headers"]
    return out.rename(columns=headers), {headers[column]: kind for column, kind in formats.items()}


def _header_block(title: str, view: dict[str, Any]) -> list[tuple[str, str]]:
    """The lines above a sheet's table: page, month and whether final, tier, filters, as_of."""
    lines = [(t("page"), t(f"page_{st.session_state.get(PAGE_KEY, '')}") if _has_page() else title)]
    if view.get("month") is not None:
        lines.append((t("month"), month_text(view["month"])))
        final = view.get("is_final")
        if final is not None and not pd.isna(final):
            lines.append((t("month_status"), t("final") if bool(final) else t("provisional")))
    if view.get("tier"):
        lines.append((t("tier"), code("tier", view["tier"])))
    filters = [f"{label} = {value}" for label, value in view.get("filters", ()) if value]
    lines.append((t("filters"), "; ".join(filters) if filters else t("all")))
    lines.append((t("as_of"), as_of_text()))
    return lines


def _has_page() -> bool:
    try:
        t(f"page_{st.session_state.get(PAGE_KEY, '')}")
    except KeyError:
        return False
    return True


def downloads(
    frame: pd.DataFrame,
    key: str,
    title: str,
    *,
    choices: dict[str, Sequence[str]] | None = None,
    container: Any = None,
    **options: Any,
) -> None:
    """Excel and CSV buttons for the whole of ``frame`` (not only the rows on screen),
    labelled and typed as :func:`typed` makes them, the workbook with its header block and
    a file name carrying page, month and tier. ``choices`` maps a (raw) column to the values
    of a drop-down in its cells. Built only when clicked."""
    view = dict(st.session_state.get(EXPORT_VIEW_KEY, {}))
    page = t(f"page_{st.session_state[PAGE_KEY]}") if _has_page() else title
    tier = code("tier", view["tier"]) if view.get("tier") else None
    # The table's title joins the page's in the file name unless it says no more than the
    # page or the tier already do (the rankings' sheet is named after its tier).
    stem_title = page if title in (page, tier) else f"{page}-{title}"
    xlsx_name = export.file_name(stem_title, view.get("month"), tier)
    csv_name = export.file_name(stem_title, view.get("month"), tier, ext="csv")
    spec = _export_spec(frame, options)
    header = _header_block(title, view)
    sheet_title = f"{page} · {title}" if title != page else page
    dropdowns = {
        spec["headers"].get(column, column): list(values) for column, values in (choices or {}).items()
    }
    log = session.bound_log()

    def _xlsx() -> bytes:
        values, formats = typed(frame, spec)
        log("download", xlsx_name, f"{title}: {len(values)} rows")
        return export.workbook(
            {title: export.Sheet(values, sheet_title, header, formats=formats, choices=dropdowns)}
        )

    def _csv() -> bytes:
        values, _ = typed(frame, spec)
        log("download", csv_name, f"{title}: {len(values)} rows")
        return export.to_csv(values)

    left, right = (container or st).columns(2)
    left.download_button(
        t("download_xlsx"),
        data=_xlsx,
        file_name=xlsx_name,
        mime=export.XLSX_MIME,
        icon=":material/download:",
        key=f"{key}_xlsx",
        width="stretch",
    )
    right.download_button(
        t("download_csv"),
        data=_csv,
        file_name=csv_name,
        mime=export.CSV_MIME,
        icon=":material/csv:",
        key=f"{key}_csv",
        width="stretch",
    )


def paginated(
    frame: pd.DataFrame,
    key: str,
    page_size: int = DEFAULT_PAGE_SIZE,
    *,
    empty: str = "no_data",
    title: str | None = None,
    downloadable: bool = True,
    **options: Any,
) -> None:
    """A long table one page at a time, so a laptop browser stays responsive; only the rows
    shown are formatted (``options`` as for :func:`display`), which keeps tens of thousands
    of rows cheap. ``empty`` names the message shown for no rows ("all on time" rather than
    "no data" where that is what it means); the whole filtered table can be downloaded."""
    total = len(frame)
    if total == 0:
        st.caption(t(empty))
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
    if downloadable:
        downloads(frame, key, title or _page_title(), **options)


def _page_title() -> str:
    return t(f"page_{st.session_state.get(PAGE_KEY, '')}") if _has_page() else t("app_title")


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
