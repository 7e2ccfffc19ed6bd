"""Excel and CSV downloads: real spreadsheets, named after page, month and tier.

A sheet made by :func:`workbook` opens with a header block (title, month and whether it is
final, the filters, the data's ``as_of``), then the table: numbers stay numbers with a number
format (percent, two decimals), dates stay dates, every text stays text (never a formula or a
link), an autofilter over the table, and optional drop-downs. :func:`to_xlsx` writes plain
sheets (header row first) for callers that need no header block.

Nothing here reads Streamlit state: the data callables of download buttons run outside the
user's script run, so everything a sheet shows is resolved before.
"""

from __future__ import annotations

import datetime as dt
import decimal
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MIME = "text/csv"

# Number formats by the kind of a column's values.
FORMATS = {
    "percent": "0.0%",
    "decimal": "0.00",
    "integer": "0",
    "date": "yyyy-mm-dd",
    "datetime": "yyyy-mm-dd hh:mm",
}

# A name from the source data such as ``=HYPERLINK(...)`` must stay a name: xlsxwriter
# writes a string beginning with ``=`` as a formula, and one that looks like a URL as a
# link, unless told not to.
XLSX_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}

# Characters a file name on Windows or in a browser's download must not carry.
UNSAFE_IN_NAME = re.compile(r'[\\/:*?"<>|\s]+')


def xlsx_name(month: dt.date | str, title: str) -> str:
    return f"{pd.Timestamp(month).strftime('%Y-%m')}_{title}.xlsx"


def file_name(
    page: str, month: dt.date | str | None = None, tier: str | None = None, ext: str = "xlsx"
) -> str:
    """``<page>_<YYYY-MM>_<tier>.<ext>``, leaving out what the view has not: one file per view,
    so a browser never saves ``(1)``, ``(2)`` copies of different tiers."""
    parts = [page]
    if month is not None and str(month) != "":
        parts.append(pd.Timestamp(month).strftime("%Y-%m"))
    if tier:
        parts.append(tier)
    stem = "_".join(UNSAFE_IN_NAME.sub("-", part).strip("-") for part in parts if part)
    return f"{stem}.{ext}"


@dataclass
class Sheet:
    """One sheet: the table with typed values, its header block and how to format it.

    ``formats`` maps a column to a key of :data:`FORMATS`; ``choices`` maps a column to the
    values of a drop-down offered in each of its cells."""

    frame: pd.DataFrame
    title: str
    header: Sequence[tuple[str, str]] = ()
    formats: dict[str, str] = field(default_factory=dict)
    choices: dict[str, Sequence[str]] = field(default_factory=dict)


def _width(column: object, values: pd.Series) -> int:
    cells = [str(column), *("" if pd.isna(value) else str(value) for value in values.head(200))]
    width = max(len(cell.encode("gbk", errors="replace")) for cell in cells)
    return min(max(width + 2, 8), 50)


def to_xlsx(sheets: dict[str, pd.DataFrame]) -> bytes:
    """One workbook, one sheet per frame, header row frozen and columns sized to fit;
    every string written as a string, never as a formula or a link."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="xlsxwriter", engine_kwargs={"options": XLSX_OPTIONS}) as writer:
        for name, frame in sheets.items():
            sheet_name = name[:31]
            frame.to_excel(writer, sheet_name=sheet_name, index=False)
            sheet = writer.sheets[sheet_name]
            sheet.freeze_panes(1, 0)
            for position, column in enumerate(frame.columns):
                sheet.set_column(position, position, _width(column, frame[column].astype(str)))
    return buffer.getvalue()


def workbook(sheets: dict[str, Sheet]) -> bytes:
    """One workbook of :class:`Sheet` s: header block, then the table typed and formatted."""
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, **XLSX_OPTIONS})
    bold = book.add_format({"bold": True})
    title_format = book.add_format({"bold": True, "font_size": 14})
    head_format = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    formats = {kind: book.add_format({"num_format": code}) for kind, code in FORMATS.items()}
    for name, spec in sheets.items():
        sheet = book.add_worksheet(name[:31])
        sheet.write_string(0, 0, spec.title, title_format)
        for row, (label, value) in enumerate(spec.header, start=1):
            sheet.write_string(row, 0, label, bold)
            sheet.write_string(row, 1, value)
        top = len(spec.header) + 2
        frame = spec.frame
        for position, column in enumerate(frame.columns):
            sheet.write_string(top, position, str(column), head_format)
            kind = spec.formats.get(str(column))
            cell_format = formats.get(kind) if kind else None
            sheet.set_column(position, position, _width(column, frame[column]), cell_format)
            for offset, value in enumerate(frame[column].tolist(), start=1):
                _write(sheet, top + offset, position, value, cell_format)
        last = top + len(frame)
        if len(frame.columns):
            sheet.autofilter(top, 0, last, len(frame.columns) - 1)
        for column, values in spec.choices.items():
            if column in frame.columns and len(frame):
                position = list(frame.columns).index(column)
                sheet.data_validation(
                    top + 1, position, last, position, {"validate": "list", "source": list(values)}
                )
        sheet.freeze_panes(top + 1, 0)
    book.close()
    return buffer.getvalue()


def _write(sheet, row: int, column: int, value: object, cell_format) -> None:  # noqa: ANN001 - xlsxwriter types
    """A value as its type: text as text (never a formula), numbers and dates as such."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        sheet.write_blank(row, column, None, cell_format)
    elif isinstance(value, bool):
        sheet.write_boolean(row, column, value, cell_format)
    elif isinstance(value, int | float | decimal.Decimal):
        sheet.write_number(row, column, float(value), cell_format)
    elif isinstance(value, pd.Timestamp | dt.datetime | dt.date):
        sheet.write_datetime(row, column, pd.Timestamp(value).to_pydatetime(), cell_format)
    elif hasattr(value, "item"):
        _write(sheet, row, column, value.item(), cell_format)
    else:
        sheet.write_string(row, column, str(value), cell_format)


# A CSV cell Excel would run as a formula: one beginning with = + - @ (or a tab or return).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _inert(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_START):
        try:
            float(value)
        except ValueError:
            return "'" + value
    return value


def to_csv(frame: pd.DataFrame) -> bytes:
    """The whole table as UTF-8 CSV with a byte-order mark, so Excel opens Chinese text right;
    a text that Excel would read as a formula gets a leading apostrophe (shown, never run)."""
    safe = frame.copy()
    for column in safe.columns:
        if pd.api.types.is_object_dtype(safe[column]) or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].astype(object).map(_inert)
    return safe.to_csv(index=False).encode("utf-8-sig")
