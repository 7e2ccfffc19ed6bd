"""The monthly report for management: rankings and indicators of a closed month as .xlsx.

Read from ``frozen.*`` so that the report shows exactly the figures that were closed;
headers are in Chinese because the report goes to the company's management as is. The
names of tiers and indicators come from ``marts.code_labels`` (the one label catalogue,
seed ``code_labels``), so the workbook says what the dashboard and the texts say.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from datetime import date

import duckdb
import xlsxwriter

LABELS_TABLE = "marts.code_labels"
# Columns whose codes the workbook shows by their Chinese label, with the label kind.
LABELLED_COLUMNS = {"tier": "tier", "indicator": "indicator"}

RANKING_COLUMNS = [
    ("tier", "考核层级"),
    ("rank", "排名"),
    ("entity_id", "对象编码"),
    ("entity_name", "对象名称"),
    ("total_score", "总分"),
    ("entities_ranked", "参评数"),
]
INDICATOR_COLUMNS = [
    ("tier", "考核层级"),
    ("entity_id", "对象编码"),
    ("entity_name", "对象名称"),
    ("indicator", "指标"),
    ("numerator", "分子"),
    ("denominator", "分母"),
    ("value", "指标值"),
    ("target", "目标值"),
    ("meets_target", "是否达标"),
    ("weight", "权重"),
    ("score", "得分"),
]


class MissingLabelError(LookupError):
    """A code the workbook shows has no Chinese label in the label catalogue."""


def code_labels(con: duckdb.DuckDBPyConnection, kinds: tuple[str, ...]) -> dict[str, dict[str, str]]:
    """``{kind: {code: zh}}`` for the given kinds, from the warehouse's label catalogue."""
    placeholders = ", ".join("?" for _ in kinds)
    rows = con.execute(
        f"select kind, code, zh from {LABELS_TABLE} where kind in ({placeholders})", list(kinds)
    ).fetchall()
    labels: dict[str, dict[str, str]] = {kind: {} for kind in kinds}
    for kind, code, zh in rows:
        labels[kind][code] = zh
    return labels


def _label(labels: Mapping[str, Mapping[str, str]], kind: str, code: str) -> str:
    try:
        return labels[kind][code]
    except KeyError:
        raise MissingLabelError(f"{LABELS_TABLE} has no {kind} label for code {code!r}") from None


def _rows(
    con: duckdb.DuckDBPyConnection, table: str, columns: list[tuple[str, str]], month: date, order: str
) -> list[tuple]:
    names = ", ".join(name for name, _ in columns)
    return con.execute(
        f"select {names} from frozen.{table} where month = ? order by {order}", [month]
    ).fetchall()


def monthly_report_xlsx(con: duckdb.DuckDBPyConnection, month: date) -> bytes:
    """The workbook as bytes: sheet 排名 (scorecard) and sheet 指标 (indicators)."""
    rankings = _rows(con, "scorecard_monthly", RANKING_COLUMNS, month, "tier, rank, entity_id")
    indicators = _rows(con, "kpi_monthly", INDICATOR_COLUMNS, month, "tier, entity_id, indicator")
    labels = code_labels(con, tuple(sorted(set(LABELLED_COLUMNS.values()))))
    buffer = io.BytesIO()
    # Strings as strings: an entity name like ``=HYPERLINK(...)`` must never become a formula.
    workbook = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    header = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    title = workbook.add_format({"bold": True, "font_size": 14})
    for sheet_name, columns, rows in (
        ("排名", RANKING_COLUMNS, rankings),
        ("指标", INDICATOR_COLUMNS, indicators),
    ):
        sheet = workbook.add_worksheet(sheet_name)
        sheet.write(0, 0, f"{month:%Y年%m月} 档案管控考核{sheet_name}", title)
        for col, (_, label) in enumerate(columns):
            sheet.write(2, col, label, header)
            sheet.set_column(col, col, 14)
        for row_no, row in enumerate(rows, start=3):
            for col, value in enumerate(row):
                name = columns[col][0]
                if name in LABELLED_COLUMNS and value is not None:
                    value = _label(labels, LABELLED_COLUMNS[name], value)
                elif name == "meets_target" and value is not None:
                    value = "是" if value else "否"
                elif isinstance(value, date):
                    value = value.isoformat()
                elif value is not None and not isinstance(value, (int, float, str, bool)):
                    value = float(value)
                sheet.write(row_no, col, value)
        sheet.freeze_panes(3, 0)
    workbook.close()
    return buffer.getvalue()


def report_summary(con: duckdb.DuckDBPyConnection, month: date) -> str:
    """A short text of the top three per tier, for the message body."""
    labels = code_labels(con, ("tier",))
    lines = [f"{month:%Y年%m月} 档案管控考核结果（已关账），明细见附件。", ""]
    rows = con.execute(
        "select tier, rank, entity_name, total_score from frozen.scorecard_monthly"
        " where month = ? and rank <= 3 order by tier, rank, entity_id",
        [month],
    ).fetchall()
    for tier, rank, name, total in rows:
        lines.append(f"- {_label(labels, 'tier', tier)} 第{rank}名 {name} {total}")
    return "\n".join(lines)
