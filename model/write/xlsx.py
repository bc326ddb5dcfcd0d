"""plan.xlsx: a summary sheet, one formatted sheet per table, and capacity charts.

Number formats follow the unit suffix of each column (t, t/yr with thousands separators,
USD million with one decimal, shares as percent). Every table sheet has a frozen, filtered
header row. Charts are native Excel charts over small pivot sheets.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
HEADER_FONT = Font(bold=True, color="FFFFFF")


def number_format(column: str) -> str | None:
    if "share" in column:
        return "0.0%"
    if column.endswith("_musd"):
        return "#,##0.0"
    if column.endswith(("_t", "_tpa", "_usd_per_t")):
        return "#,##0"
    if column.endswith("_usd_per_usd"):
        return "0.000"
    return None


def _table_sheet(wb: Workbook, name: str, df: pd.DataFrame) -> None:
    ws = wb.create_sheet(name[:31])  # Excel's sheet-name limit
    ws.append(list(df.columns))
    for row in df.itertuples(index=False):
        ws.append([None if (isinstance(v, float) and pd.isna(v)) else v for v in row])
    for j, col in enumerate(df.columns, start=1):
        cell = ws.cell(row=1, column=j)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = Alignment(horizontal="center")
        fmt = number_format(col)
        if fmt:
            for (c,) in ws.iter_rows(min_row=2, min_col=j, max_col=j):
                c.number_format = fmt
        width = max([len(col)] + [len(str(v)) for v in df[col].head(200)]) + 2
        ws.column_dimensions[get_column_letter(j)].width = min(max(width, 8), 40)
    ws.freeze_panes = "A2"
    if len(df.columns):
        ws.auto_filter.ref = f"A1:{get_column_letter(len(df.columns))}{max(1, len(df) + 1)}"


def _summary_sheet(wb: Workbook, summary: dict) -> None:
    ws = wb.active
    ws.title = "summary"
    ws.append(["item", "value"])
    rows = [("status", summary["status"]), ("objective_musd", summary.get("objective_musd")),
            ("scenario", summary.get("scenario")), ("workbook", summary.get("workbook"))]
    rows += [(f"cost_{k}_musd", v) for k, v in summary.get("cost_by_component_musd", {}).items()]
    for k, v in rows:
        ws.append([k, v])
    for cell in ws[1]:
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
    for (c,) in ws.iter_rows(min_row=3, min_col=2, max_col=2):
        if isinstance(c.value, float):
            c.number_format = "#,##0.0"
    ws.column_dimensions["A"].width = 28
    ws.column_dimensions["B"].width = 40
    ws.freeze_panes = "A2"


def _capacity_chart(wb: Workbook, capacity: pd.DataFrame, by: str) -> None:
    """Stacked columns of online capacity (t/yr) per year, by stage or by region."""
    if capacity.empty:
        return
    pivot = capacity.pivot_table(index="year", columns=by, values="capacity_tpa", aggfunc="sum", fill_value=0.0)
    ws = wb.create_sheet(f"chart_capacity_by_{by}")
    ws.append(["year"] + [str(c) for c in pivot.columns])
    for year, row in pivot.iterrows():
        ws.append([int(year)] + [float(v) for v in row])
    chart = BarChart()
    chart.type, chart.grouping, chart.overlap = "col", "stacked", 100
    chart.title = f"Capacity online by {by} (t/yr, each stage in its own product tonnes)"
    chart.y_axis.title, chart.x_axis.title = "t/yr", "year"
    n = len(pivot)
    data = Reference(ws, min_col=2, max_col=1 + len(pivot.columns), min_row=1, max_row=n + 1)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=2, max_row=n + 1))
    chart.width, chart.height = 24, 12
    ws.add_chart(chart, f"{get_column_letter(len(pivot.columns) + 3)}2")


def write_xlsx(path: Path, summary: dict, tables: dict[str, pd.DataFrame]) -> None:
    wb = Workbook()
    _summary_sheet(wb, summary)
    for name, df in tables.items():
        _table_sheet(wb, name, df)
    if "capacity" in tables:
        _capacity_chart(wb, tables["capacity"], "stage")
        _capacity_chart(wb, tables["capacity"], "region")
    wb.save(path)
