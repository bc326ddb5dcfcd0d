"""Native Excel chart sheets of plan.xlsx, each with the data it plots above or beside it:

    chart_capacity_by_stage  capacity online per stage over time (line chart)
    chart_capacity_by_region per stage, capacity online by region over time (stacked columns)
    chart_import_dependence  domestic shares and the largest single-supplier share against the
                             policy targets (line charts; targets dashed)

Projects of bookkeeping technologies (blank stage) count towards no stage and are not charted.
Regions and policies are headed by the names the workbook gives them (summary.json "names"),
ids where it gives none.
"""

from __future__ import annotations

import pandas as pd
from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.utils import get_column_letter

from ..analysis import label, policy_status, stage_order, staged
from .cells import PERCENT, TONNES, Rows, print_setup
from .colours import excel, region_colours

PALETTE = ("1F77B4", "FF7F0E", "2CA02C", "D62728", "9467BD", "8C564B", "E377C2", "7F7F7F",  # tab20 order:
           "BCBD22", "17BECF", "393B79", "AEC7E8", "FFBB78", "98DF8A", "FF9896", "C5B0D5",  # distinct for
           "C49C94", "F7B6D2", "DBDB8D", "9EDAE5")  # the first 20 series
CHART_ROWS = 24  # rows a chart of height 11 cm covers, roughly
DESCRIPTIONS = {
    "chart_capacity_by_stage": "chart: capacity online per stage over time",
    "chart_capacity_by_region": "charts: capacity online by region over time, one per stage",
    "chart_import_dependence": "charts: domestic and single-supplier shares against the targets",
}


def _pivot(df: pd.DataFrame, columns: str, values: str, years: list[int]) -> pd.DataFrame:
    p = df.pivot_table(index="year", columns=columns, values=values, aggfunc="sum", fill_value=0.0)
    return p.reindex(years, fill_value=0.0)


def _style_chart(chart, title: str, y_title: str, width: float = 24, height: float = 11) -> None:
    chart.title = title
    chart.y_axis.title, chart.x_axis.title = y_title, "year"
    chart.width, chart.height = width, height
    chart.x_axis.delete = False  # openpyxl >= 3.1 hides axes unless told
    chart.y_axis.delete = False
    chart.legend.position = "b"


def _add_series(chart, ws, head: int, last: int, first_col: int, last_col: int) -> None:
    chart.add_data(Reference(ws, min_col=first_col, max_col=last_col, min_row=head, max_row=last),
                   titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=head + 1, max_row=last))


def _capacity_by_stage_sheet(wb: Workbook, capacity: pd.DataFrame, years: list[int]) -> None:
    ws = wb.create_sheet("chart_capacity_by_stage")
    print_setup(ws)
    rows = Rows(ws)
    pivot = _pivot(capacity, "stage", "capacity_tpa", years)
    pivot = pivot[stage_order(pivot.columns)]
    ws.column_dimensions["A"].width = 10
    for j in range(2, len(pivot.columns) + 2):
        ws.column_dimensions[get_column_letter(j)].width = 15
    head, last = rows.block("capacity online by stage (t/yr of each stage's main product)", pivot, TONNES)
    chart = LineChart()
    _style_chart(chart, "Capacity online by stage (t/yr, each stage in tonnes of its own product)", "t/yr")
    _add_series(chart, ws, head, last, 2, 1 + len(pivot.columns))
    for i, s in enumerate(chart.series):
        s.graphicalProperties.line.solidFill = PALETTE[i % len(PALETTE)]
        s.graphicalProperties.line.width = 28575  # 2.25 pt
        s.smooth = False
    chart.y_axis.number_format = TONNES
    ws.add_chart(chart, f"{get_column_letter(len(pivot.columns) + 3)}2")


def _capacity_by_region_sheet(wb: Workbook, capacity: pd.DataFrame, years: list[int], names: dict) -> None:
    ws = wb.create_sheet("chart_capacity_by_region")
    print_setup(ws)
    rows = Rows(ws)
    regions = sorted(capacity["region"].unique())
    color = {r: excel(c) for r, c in region_colours(regions).items()}  # the PNG charts' colours
    ws.column_dimensions["A"].width = 10
    for j in range(2, len(regions) + 2):
        ws.column_dimensions[get_column_letter(j)].width = 13
    online = capacity.pivot_table(index=["stage", "year"], columns="region", values="capacity_tpa", aggfunc="sum",
                                  fill_value=0.0)  # one pivot, cut per stage to the regions with capacity rows
    in_stage = capacity.groupby("stage")["region"].unique()
    for stage in stage_order(capacity["stage"].unique()):
        pivot = online.loc[stage, sorted(in_stage[stage])].reindex(years, fill_value=0.0)
        top = rows.n + 1
        shown = pivot.rename(columns=lambda r: label(r, names.get("regions"), short=True))
        head, last = rows.block(f"{stage}: capacity online by region (t/yr)", shown, TONNES)
        chart = BarChart()
        chart.type, chart.grouping, chart.overlap, chart.gapWidth = "col", "stacked", 100, 50
        _style_chart(chart, f"{stage.capitalize()} capacity online by region (t/yr)", "t/yr", height=11)
        _add_series(chart, ws, head, last, 2, 1 + len(pivot.columns))
        for s, r in zip(chart.series, pivot.columns):
            s.graphicalProperties.solidFill = color[r]
            s.graphicalProperties.line.solidFill = color[r]
        chart.y_axis.number_format = TONNES
        ws.add_chart(chart, f"{get_column_letter(len(regions) + 3)}{top}")
        rows.blank(max(2, CHART_ROWS - (rows.n - top + 1)))


def _import_dependence_sheet(wb: Workbook, policies: pd.DataFrame, years: list[int], names: dict) -> None:
    status = policy_status(policies)
    ws = wb.create_sheet("chart_import_dependence")
    print_setup(ws)
    rows = Rows(ws)
    ws.column_dimensions["A"].width = 10
    groups = (("min_domestic_share", "Domestic share against the target (share of consumption)", "domestic share"),
              ("max_supplier_share", "Largest single-supplier share against the cap (share of consumption)",
               "largest supplier"))
    for kind, title, what in groups:
        g = status[status["kind"] == kind]
        if g.empty:
            continue
        frame = pd.DataFrame(index=pd.Index(years, name="year"))
        for k, pk in g.groupby("policy", sort=True):
            by_year, shown = pk.set_index("year"), label(k, names.get("policies"), short=True)
            frame[f"{shown}: {what}"] = by_year["achieved_share"]
            frame[f"{shown}: target {pk['share'].iloc[0]:.0%}"] = by_year["share"]
        frame = frame.dropna(how="all")
        for j in range(2, len(frame.columns) + 2):
            ws.column_dimensions[get_column_letter(j)].width = max(ws.column_dimensions[get_column_letter(j)].width
                                                                   or 0, 18)
        top = rows.n + 1
        head, last = rows.block(title, frame, PERCENT)
        chart = LineChart()
        _style_chart(chart, title, "share of consumption")
        _add_series(chart, ws, head, last, 2, 1 + len(frame.columns))
        for i, s in enumerate(chart.series):
            s.smooth = False
            s.graphicalProperties.line.solidFill = PALETTE[(i // 2) % len(PALETTE)]
            s.graphicalProperties.line.width = 28575 if i % 2 == 0 else 19050
            if i % 2:
                s.graphicalProperties.line.dashStyle = "dash"
        chart.y_axis.number_format = "0%"
        chart.y_axis.scaling.min = 0
        ws.add_chart(chart, f"{get_column_letter(len(frame.columns) + 3)}{top}")
        rows.blank(max(2, CHART_ROWS - (rows.n - top + 1)))


def chart_sheet_names(tables: dict[str, pd.DataFrame]) -> list[str]:
    """Names of the chart sheets this plan will have, in order."""
    names = []
    cap = tables.get("capacity")
    if cap is not None and not cap.empty and {"stage", "region", "year", "capacity_tpa"} <= set(cap.columns) \
            and not staged(cap).empty:
        names += ["chart_capacity_by_stage", "chart_capacity_by_region"]
    pol = tables.get("policies")
    if pol is not None and not pol.empty:
        names.append("chart_import_dependence")
    return names


def _years(tables: dict[str, pd.DataFrame]) -> list[int]:
    ys: set[int] = set()
    for name in ("costs", "capacity", "policies", "unmet"):
        df = tables.get(name)
        if df is not None and not df.empty:
            ys |= {int(y) for y in df["year"].unique()}
    return list(range(min(ys), max(ys) + 1)) if ys else []


def chart_sheets(wb: Workbook, tables: dict[str, pd.DataFrame], names: dict | None = None) -> None:
    """Add every chart sheet of chart_sheet_names, after the table sheets; `names`: summary.json's
    {sheet: {id: name}}."""
    sheets = chart_sheet_names(tables)
    years = _years(tables)
    if "chart_capacity_by_stage" in sheets:
        capacity = staged(tables["capacity"])  # bookkeeping projects count towards no stage
        _capacity_by_stage_sheet(wb, capacity, years)
        _capacity_by_region_sheet(wb, capacity, years, names or {})
    if "chart_import_dependence" in sheets:
        _import_dependence_sheet(wb, tables["policies"], years, names or {})
