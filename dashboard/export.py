"""Excel downloads with Chinese headers, named like ``2026-10_三级排名.xlsx``."""

from __future__ import annotations

import datetime as dt
import io

import pandas as pd


def xlsx_name(month: dt.date | str, title: str) -> str:
    return f"{pd.Timestamp(month).strftime('%Y-%m')}_{title}.xlsx"


# A name from the source data such as ``=HYPERLINK(...)`` must stay a name: xlsxwriter
# writes a string beginning with ``=`` as a formula, and one that looks like a URL as a
# link, unless told not to.
XLSX_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}


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
                cells = [str(column), *(str(value) for value in frame[column].head(200))]
                width = max(len(cell.encode("gbk", errors="replace")) for cell in cells)
                sheet.set_column(position, position, min(max(width + 2, 8), 50))
    return buffer.getvalue()
