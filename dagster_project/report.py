"""The monthly report for management: rankings and indicators of a closed month as .xlsx.

Read from ``frozen.*`` so that the report shows exactly the figures that were closed;
headers are in Chinese because the report goes to the company's management as is.
"""

from __future__ import annotations

import io
from datetime import date

import duckdb
import xlsxwriter

TIER_LABEL = {"supply_unit": "供电所", "team": "班组", "staff": "业务人员", "collector": "归档员"}

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


def _rows(
    con: duckdb.DuckDBPyConnection, table: str, columns: list[tuple[str, str]], month: date, order: str
):
    names = ", ".join(name for name, _ in columns)
    return con.execute(
        f"select {names} from frozen.{table} where month = ? order by {order}", [month]
    ).fetchall()


def monthly_report_xlsx(con: duckdb.DuckDBPyConnection, month: date) -> bytes:
    """The workbook as bytes: sheet 排名 (scorecard) and sheet 指标 (indicators)."""
    rankings = _rows(con, "scorecard_monthly", RANKING_COLUMNS, month, "tier, rank, entity_id")
    indicators = _rows(con, "kpi_monthly", INDICATOR_COLUMNS, month, "tier, entity_id, indicator")
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
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
                if columns[col][0] == "tier":
                    value = TIER_LABEL.get(value, value)
                elif columns[col][0] == "meets_target" and value is not None:
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
    lines = [f"{month:%Y年%m月} 档案管控考核结果（已关账），明细见附件。", ""]
    rows = con.execute(
        "select tier, rank, entity_name, total_score from frozen.scorecard_monthly"
        " where month = ? and rank <= 3 order by tier, rank, entity_id",
        [month],
    ).fetchall()
    for tier, rank, name, total in rows:
        lines.append(f"- {TIER_LABEL.get(tier, tier)} 第{rank}名 {name} {total}")
    return "\n".join(lines)
