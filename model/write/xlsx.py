"""plan.xlsx: a summary sheet, one formatted sheet per table, and native Excel charts.

Sheets, in order:
    summary                  status, objective, cost by component, policy targets met or missed
                             (achieved shares by year), the largest builds, key commodity prices,
                             and a linked list of the other sheets (summary.py)
    <table> ...              one sheet per plan table, in the order of the tables dict: headers in
                             words with their unit ("capacity (t/yr)"), number formats from the
                             unit, frozen and filtered header row, column widths from the content;
                             printed one page wide with the header row on every page, portrait
                             when the table stays legible there (cells.print_setup)
    chart_...                native charts of capacity and import dependence (chart_sheets.py)

Number formats follow each column's unit suffix: tonnes (_t, _tpa), USD/t and USD per t/yr with
thousands separators, USD million (_musd) with one decimal, USD/kg with two, shares as percent. Cells hold full-precision
values; only the display is rounded. Text is always stored as text, never as a formula (cells.py).

Speed: the workbook is written in openpyxl's write-only (streaming) mode; the data rows of a
table sheet are formatted as XML column by column and spliced into the saved file (sheetxml.py),
or, when a value needs openpyxl (text a spreadsheet would run, ...), written as rows of one
pre-styled cell per formatted column. `table_sheet` writes whatever frame it is given: a row-count cutoff for huge studies
belongs in `write_xlsx`, where each table is handed to it.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter

from .cells import Rows, column_values, display, guarded, header, number_format, print_setup
from .chart_sheets import DESCRIPTIONS as CHART_DESCRIPTIONS
from .chart_sheets import chart_sheet_names, chart_sheets
from .sheetxml import rows_xml, splice
from .summary import summary_sheet

__all__ = ["header", "number_format", "table_sheet", "write_table_workbook", "write_xlsx"]

DESCRIPTIONS = {
    "builds": "new capacity started per project and year, online year, capex",
    "capacity": "capacity online per project and year (existing, committed, new) and activity",
    "production": "activity and signed quantity per commodity (outputs +, inputs -)",
    "trade": "tonnes shipped per route, commodity and year",
    "supply": "tonnes bought from outside-supply offers",
    "policies": "policy targets, achieved tonnes and shares, shortfall, shadow price",
    "budgets": "money available, spend, shadow price per budget and year",
    "prices": "commodity shadow prices (marginal cost of one more tonne)",
    "costs": "cost by objective component and year, undiscounted and discounted",
    "unmet": "demand and unserved demand",
    "policy_costs": "cost each policy adds to the plan, beside its shadow prices",
    "spend": "capital spend per project and year (undiscounted)",
    "support": "what would bring each unbuilt candidate in (capital subsidy) and what minimum output costs",
    "sales": "tonnes sold to outside buyers and the price they pay",
    "stocks": "stockpile level at each year end, the change over the year, holding cost",
    "origin": ("material in each region's consumption whose stage work was done in a tracked region; where "
               "no origin cap binds this split is one of many equally cheap ones"),
    **CHART_DESCRIPTIONS,
}


def _width(df: pd.DataFrame, column: str, title: str) -> float:
    """Column width in characters from the header and the widest displayed value."""
    s = df[column]
    fmt = number_format(column)
    widest = 0
    if len(s) and pd.api.types.is_numeric_dtype(s) and fmt:
        big = s.abs().max()
        if pd.notna(big):
            widest = len(display(float(big), fmt)) + 1
    elif len(s):
        widest = max(map(len, map(str, s.dropna().tolist())), default=0)  # as str(value) shows each
    # headers may wrap onto two lines, so they need only about half their length
    return float(min(max(widest + 2, math.ceil(len(title) / 2) + 3, 8), 50))


def table_sheet(wb: Workbook, name: str, df: pd.DataFrame, keys: int = 0) -> tuple | None:
    """One table: worded headers with units, number formats, frozen and filtered header row;
    the first `keys` columns frozen too and, like the header, repeated on every printed page.
    Returns (sheet, XML of its data rows) when the rows are left to `sheetxml.splice`."""
    ws = wb.create_sheet(name[:31])  # Excel's sheet-name limit
    columns = list(df.columns)
    titles = [header(c) for c in columns]
    widths = [_width(df, col, title) for col, title in zip(columns, titles)]
    for j, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = w
    ws.freeze_panes = f"{get_column_letter(keys + 1)}2"
    ws.print_title_rows = "1:1"  # the header row on every printed page
    if keys:
        ws.print_title_cols = f"A:{get_column_letter(keys)}"
    print_setup(ws, sum(widths))
    if columns:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(1, len(df) + 1)}"
    Rows(ws).header(titles, widths)
    # one pre-styled cell per formatted column, reused row after row (each row is written
    # out as soon as it is appended); plain values everywhere else, text guarded
    styled = {}
    for j, col in enumerate(columns):
        fmt = number_format(col)
        if fmt:
            styled[j] = WriteOnlyCell(ws)
            styled[j].number_format = fmt
    values = [column_values(df[c]) for c in columns]
    xml = rows_xml(values, [styled[j].style_id if j in styled else None for j in range(len(columns))])
    if xml is not None:
        return ws, xml  # spliced into the saved file (sheetxml.py)
    text = [j for j, c in enumerate(columns) if not pd.api.types.is_numeric_dtype(df[c])]
    for row in zip(*values):
        row = list(row)
        for j in text:
            row[j] = guarded(ws, row[j])
        for j, cell in styled.items():
            if row[j] is not None:
                cell.value = row[j]
                row[j] = cell
        ws.append(row)


# --- size cutoff for huge studies (benchmarks/README.md) -----------------------------------
# openpyxl writes ~50k cells a second; a table longer than this stays in csv/ only and its
# sheet says so, so plan.xlsx of a million-variable study takes seconds, not minutes.
XLSX_MAX_ROWS = 50_000


def _csv_only_sheet(wb: Workbook, name: str, df: pd.DataFrame) -> None:
    ws = wb.create_sheet(name[:31])
    ws.append([f"{name}: {len(df):,} rows, more than plan.xlsx holds ({XLSX_MAX_ROWS:,} per table); "
               f"the full table is csv/{name}.csv"])


def write_xlsx(path: Path, summary: dict, tables: dict[str, pd.DataFrame]) -> None:
    wb = Workbook(write_only=True)
    sheets = list(tables) + chart_sheet_names(tables)
    summary_sheet(wb, summary, tables, {name: DESCRIPTIONS.get(name, "") for name in sheets})
    rows = []
    for name, df in tables.items():
        if len(df) > XLSX_MAX_ROWS:
            _csv_only_sheet(wb, name, df)
        elif (sheet_rows := table_sheet(wb, name, df)) is not None:
            rows.append(sheet_rows)
    chart_sheets(wb, tables, summary.get("names"))
    _save(wb, path, rows)


def write_table_workbook(path: Path, sheets: dict[str, pd.DataFrame], keys: dict[str, int] | None = None) -> None:
    """A workbook of table sheets only (overview.xlsx); keys: leading key columns per sheet."""
    wb = Workbook(write_only=True)
    rows = [r for name, df in sheets.items() if (r := table_sheet(wb, name, df, (keys or {}).get(name, 0)))]
    _save(wb, path, rows)


def _save(wb: Workbook, path: Path, rows: list[tuple]) -> None:
    wb.save(path)
    splice(path, {ws.path.lstrip("/"): xml for ws, xml in rows})
