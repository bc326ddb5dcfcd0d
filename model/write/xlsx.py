"""plan.xlsx: a summary sheet, one formatted sheet per table, and native Excel charts.

Sheets, in order:
    summary                  status, objective, cost by component, policy targets met or missed
                             (achieved shares by year), the largest builds, key commodity prices,
                             and a linked list of the other sheets
    <table> ...              one sheet per plan table, in the order given: headers in words with
                             their unit ("capacity (t/yr)"), number formats from the unit, frozen
                             and filtered header row, column widths from the content
    chart_capacity_by_stage  capacity online per stage over time (line chart)
    chart_capacity_by_region per stage, capacity online by region over time (stacked columns)
    chart_import_dependence  domestic shares and the largest single-supplier share against the
                             policy targets (line charts; targets dashed)

Number formats follow each column's unit suffix: tonnes (_t, _tpa) and USD/t with thousands
separators, USD million (_musd) with one decimal, shares as percent. Cells hold full-precision
values; only the display is rounded.

Speed: the workbook is written in openpyxl's write-only (streaming) mode, rows straight from
column lists, one pre-styled cell per formatted column, so large tables cost one pass and little
memory. `_table_sheet` writes whatever frame it is given: a row-count cutoff for huge studies
belongs in `write_xlsx`, where each table is handed to it.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.hyperlink import Hyperlink

HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
HEADER_FONT = Font(bold=True, color="FFFFFF")
SECTION_FONT = Font(bold=True, size=12, color="1F4E78")
TITLE_FONT = Font(bold=True, size=14)
NOTE_FONT = Font(italic=True, color="595959")
LINK_FONT = Font(color="0563C1", underline="single")
MET_FILL = PatternFill("solid", fgColor="C6EFCE")
MISSED_FILL = PatternFill("solid", fgColor="FFC7CE")

TONNES, MUSD, PERCENT, USD_PER_T, RATIO = "#,##0", "#,##0.0", "0.0%", "#,##0", "0.000"

# column-name suffix -> (unit in the header, number format); first match wins
UNITS = (
    ("_usd_per_usd", "USD per USD", RATIO),
    ("_usd_per_t", "USD/t", USD_PER_T),
    ("_musd", "USD million", MUSD),
    ("_tpa", "t/yr", TONNES),
    ("_t", "t", TONNES),
)
STAGES = ("extraction", "processing", "manufacturing", "recycling")
PALETTE = ("1F77B4", "FF7F0E", "2CA02C", "D62728", "9467BD", "8C564B", "E377C2", "7F7F7F",  # tab20 order:
           "BCBD22", "17BECF", "393B79", "AEC7E8", "FFBB78", "98DF8A", "FF9896", "C5B0D5",  # distinct for
           "C49C94", "F7B6D2", "DBDB8D", "9EDAE5")  # the first 20 series
TOL = 1e-6
SMALL = 1e-6  # the CSV rule: smaller magnitudes are shown as 0

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
    "chart_capacity_by_stage": "chart: capacity online per stage over time",
    "chart_capacity_by_region": "charts: capacity online by region over time, one per stage",
    "chart_import_dependence": "charts: domestic and single-supplier shares against the targets",
}


# --- columns: header text, unit and number format -----------------------------------------

def column_unit(column: str) -> tuple[str, str | None, str | None]:
    """(name in words, unit, number format) of a table column."""
    if "share" in column:
        return column.replace("_", " "), "%", PERCENT
    for suffix, unit, fmt in UNITS:
        if column.endswith(suffix):
            return column[: -len(suffix)].replace("_", " "), unit, fmt
    return column.replace("_", " "), None, None


def header(column: str) -> str:
    """'capacity_tpa' -> 'capacity (t/yr)', 'start_year' -> 'start year'."""
    name, unit, _ = column_unit(column)
    return f"{name} ({unit})" if unit else name


def number_format(column: str) -> str | None:
    return column_unit(column)[2]


def _width(df: pd.DataFrame, column: str, title: str) -> float:
    """Column width in characters from the header and the widest displayed value."""
    s = df[column]
    fmt = number_format(column)
    widest = 0
    if len(s) and pd.api.types.is_numeric_dtype(s) and fmt:
        big = s.abs().max()
        if pd.notna(big):
            widest = len(_display(float(big), fmt)) + 1
    elif len(s):
        lengths = s.dropna().astype(str).str.len()
        widest = int(lengths.max()) if len(lengths) else 0
    # headers may wrap onto two lines, so they need only about half their length
    return float(min(max(widest + 2, math.ceil(len(title) / 2) + 3, 8), 50))


def _display(x: float, fmt: str) -> str:
    if fmt == PERCENT:
        return f"{x:.1%}"
    if fmt == MUSD:
        return f"{x:,.1f}"
    if fmt == RATIO:
        return f"{x:.3f}"
    return f"{x:,.0f}"


def _column_values(s: pd.Series) -> list:
    """A column as Python values: |x| < 1e-6 as 0 (the CSV rule, so no '-0.0' is shown), NaN as empty."""
    if pd.api.types.is_float_dtype(s):
        s = s.mask(s.abs() < SMALL, 0.0)
    return [_plain(v) for v in s.tolist()] if s.hasnans else s.tolist()


def _plain(v):
    """A value openpyxl can write: NaN and NA become empty cells, |x| < 1e-6 becomes 0."""
    if v is None:
        return None
    try:
        if pd.isna(v):
            return None
    except (TypeError, ValueError):
        pass
    if isinstance(v, float) and abs(v) < SMALL:
        return 0.0
    return v


# --- cells -------------------------------------------------------------------------------

def _cell(ws, value, fmt: str | None = None, font: Font | None = None, fill: PatternFill | None = None,
          link: str | None = None, wrap: bool = False, align: str | None = None) -> WriteOnlyCell:
    c = WriteOnlyCell(ws, value=_plain(value))
    if fmt:
        c.number_format = fmt
    if font:
        c.font = font
    if fill:
        c.fill = fill
    if link:
        c.hyperlink = Hyperlink(ref="", location=link, display=str(value))
        c.font = LINK_FONT
    if wrap or align:
        c.alignment = Alignment(wrap_text=wrap, horizontal=align, vertical="center" if wrap else None)
    return c


def _header_row(ws, titles: list[str]) -> list[WriteOnlyCell]:
    return [_cell(ws, t, font=HEADER_FONT, fill=HEADER_FILL, wrap=True, align="center") for t in titles]


def _print_setup(ws) -> None:
    """Print landscape, one page wide (as many pages down as needed)."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def _sheet_link(name: str) -> str:
    return f"{quote_sheetname(name)}!A1"


class _RowCounter:
    """Appends rows to a write-only sheet and remembers how many were written."""

    def __init__(self, ws):
        self.ws, self.n = ws, 0

    def append(self, row) -> int:
        self.ws.append(row)
        self.n += 1
        return self.n

    def header(self, titles: list[str], widths: list[float]) -> int:
        """A header row, tall enough for titles that wrap in their column width."""
        lines = max((math.ceil(len(t) / max(w - 2.0, 1.0)) for t, w in zip(titles, widths)), default=1)
        if lines > 1:
            self.ws.row_dimensions[self.n + 1].height = 15 * min(lines, 3)
        return self.append(_header_row(self.ws, titles))

    def blank(self, k: int = 1) -> None:
        for _ in range(k):
            self.append([])

    def block(self, label: str, frame: pd.DataFrame, fmt: str) -> tuple[int, int]:
        """A bold label, a header row, one row per year; returns (header row, last row)."""
        ws = self.ws
        self.append([_cell(ws, label, font=Font(bold=True))])
        titles = ["year"] + [str(c) for c in frame.columns]
        head = self.header(titles, [ws.column_dimensions[get_column_letter(j)].width or 13
                                    for j in range(1, len(titles) + 1)])
        for year, row in frame.iterrows():
            self.append([int(year)] + [_cell(ws, float(v), fmt) if pd.notna(v) else None for v in row])
        return head, self.n


# --- table sheets --------------------------------------------------------------------------

def _table_sheet(wb: Workbook, name: str, df: pd.DataFrame) -> None:
    """One table: worded headers with units, number formats, frozen and filtered header row."""
    ws = wb.create_sheet(name[:31])  # Excel's sheet-name limit
    columns = list(df.columns)
    titles = [header(c) for c in columns]
    for j, (col, title) in enumerate(zip(columns, titles), start=1):
        ws.column_dimensions[get_column_letter(j)].width = _width(df, col, title)
    ws.freeze_panes = "A2"
    ws.print_title_rows = "1:1"  # the header row on every printed page
    _print_setup(ws)
    if columns:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(1, len(df) + 1)}"
    widths = [ws.column_dimensions[get_column_letter(j)].width for j in range(1, len(columns) + 1)]
    _RowCounter(ws).header(titles, widths)
    # one pre-styled cell per formatted column, reused row after row (each row is written
    # out as soon as it is appended); plain values everywhere else
    styled = {}
    for j, col in enumerate(columns):
        fmt = number_format(col)
        if fmt:
            styled[j] = WriteOnlyCell(ws)
            styled[j].number_format = fmt
    values = [_column_values(df[c]) for c in columns]
    for row in zip(*values):
        row = list(row)
        for j, cell in styled.items():
            if row[j] is not None:
                cell.value = row[j]
                row[j] = cell
        ws.append(row)


# --- summary -------------------------------------------------------------------------------

def policy_overview(policies: pd.DataFrame | None) -> pd.DataFrame:
    """One row per policy and year: the share that counts against the target and whether it is met.

    min_domestic_share: the domestic share; max_supplier_share: the largest single supplier's
    share (and who). Met when no shortfall is bought (hard policies always hold).
    """
    if policies is None or policies.empty:
        return pd.DataFrame(columns=["policy", "kind", "region", "material", "stage", "year", "share",
                                     "achieved_share", "supplier", "shortfall_t", "met", "binding",
                                     "binding_suppliers", "shadow_price_usd_per_t"])
    p = policies.copy()
    p["missed"] = p["shortfall_t"].fillna(0.0) > TOL * p["target_t"].abs().clip(lower=1.0)
    p["is_binding"] = p["binding"] == "yes"
    p["price"] = p["shadow_price_usd_per_t"].astype(float)
    p["supplier"] = p["supplier"].fillna("").astype(str)
    keys = ["policy", "year"]
    g = p.groupby(keys, sort=True)
    out = g[["kind", "region", "material", "stage", "share"]].first()
    top = p.loc[g["achieved_share"].idxmax(), keys + ["achieved_share", "supplier"]].set_index(keys)
    out["achieved_share"] = top["achieved_share"].astype(float)
    out["supplier"] = top["supplier"]
    out["shortfall_t"] = g["shortfall_t"].sum(min_count=1).fillna(0.0).astype(float)
    out["met"] = ~g["missed"].any()
    out["binding"] = g["is_binding"].any()
    bind = p[p["is_binding"] & (p["supplier"] != "")]
    out["binding_suppliers"] = bind.groupby(keys, sort=True)["supplier"].agg(", ".join).reindex(out.index) \
        .fillna("")
    out["shadow_price_usd_per_t"] = g["price"].max()
    out = out.reset_index()
    out["year"] = out["year"].astype(int)
    out["share"] = out["share"].astype(float)
    return out


def policy_rule(kind: str, share: float, region: str, material: str, stage: str) -> str:
    """The target in words, e.g. 'EU processing at least 40% of NdPr consumption'."""
    if kind == "min_domestic_share":
        return f"{region} {stage} at least {share:.0%} of {material} consumption"
    return f"no single supplier above {share:.0%} of {region} {material} consumption at {stage}"


def policy_total_costs(policy_costs: pd.DataFrame | None) -> dict[str, float]:
    if policy_costs is None or policy_costs.empty:
        return {}
    c = policy_costs.groupby("policy", sort=False)["policy_total_cost_musd"].first()
    return {k: 0.0 if abs(v) < SMALL else float(v) for k, v in c.items() if pd.notna(v)}


def largest_builds(builds: pd.DataFrame, n: int = 10) -> pd.DataFrame:
    """New capacity per project (all its start years), largest capital cost first."""
    cols = ["project", "technology", "stage", "region", "first_start_year", "first_online_year",
            "capacity_tpa", "capex_musd"]
    if builds is None or builds.empty:
        return pd.DataFrame(columns=cols)
    g = builds.groupby(["project", "technology", "stage", "region"], sort=True).agg(
        first_start_year=("start_year", "min"), first_online_year=("online_year", "min"),
        capacity_tpa=("capacity_tpa", "sum"), capex_musd=("capex_musd", "sum")).reset_index()
    g = g.sort_values(["capex_musd", "capacity_tpa", "project"], ascending=[False, False, True], kind="stable")
    return g.head(n)[cols].reset_index(drop=True)


def key_regions(tables: dict[str, pd.DataFrame]) -> list[str]:
    """Regions whose demand or policies the study is about."""
    regions: set[str] = set()
    un = tables.get("unmet")
    if un is not None and not un.empty:
        regions |= set(un.loc[un["demand_t"] > 0, "region"])
    pol = tables.get("policies")
    if pol is not None and not pol.empty:
        regions |= set(pol["region"])
    return sorted(regions)


def key_prices(tables: dict[str, pd.DataFrame], limit: int = 24) -> pd.DataFrame:
    """Commodity prices (USD/t) in the key regions: first year, last year and horizon mean."""
    pr = tables.get("prices")
    if pr is None or pr.empty:
        return pd.DataFrame(columns=["region", "commodity", "first", "last", "mean"])
    regions = key_regions(tables) or sorted(pr["region"].unique())
    pr = pr[pr["region"].isin(regions)]
    y0, y1 = int(pr["year"].min()), int(pr["year"].max())
    out = []
    for (r, c), g in pr.groupby(["region", "commodity"], sort=True):
        by_year = g.set_index("year")["price_usd_per_t"]
        out.append({"region": r, "commodity": c, "first": by_year.get(y0), "last": by_year.get(y1),
                    "mean": float(by_year.mean())})
    df = pd.DataFrame(out).head(limit)
    df.attrs["years"] = (y0, y1)
    return df


def _summary_sheet(wb: Workbook, summary: dict, tables: dict[str, pd.DataFrame], sheets: list[str]) -> None:
    ws = wb.create_sheet("summary")
    widths = [38, 44, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16]
    for j, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = w
    years = sorted(tables["policies"]["year"].unique()) if "policies" in tables and not tables["policies"].empty \
        else []
    for j in range(len(widths) + 1, len(widths) + len(years) + 3):
        ws.column_dimensions[get_column_letter(j)].width = 9
    ws.freeze_panes = "A2"
    _print_setup(ws)
    rows = _RowCounter(ws)

    def blank():
        rows.blank()

    def section(title: str, note: str | None = None):
        blank()
        rows.append([_cell(ws, title, font=SECTION_FONT)])
        if note:
            rows.append([_cell(ws, note, font=NOTE_FONT)])

    stem = Path(str(summary.get("workbook") or "study")).stem
    rows.append([_cell(ws, f"reeplan plan: {stem}, scenario {summary.get('scenario', 'base')}", font=TITLE_FONT)])
    obj = summary.get("objective_musd")
    for label, value, fmt in (
        ("status", summary.get("status"), None),
        ("objective (USD million, discounted)", obj, MUSD),
        ("workbook", summary.get("workbook"), None),
        ("scenario", summary.get("scenario"), None),
        ("solver", summary.get("solver"), None),
        ("input sha256", summary.get("input_sha256"), None),
    ):
        rows.append([_cell(ws, label, font=Font(bold=True)), _cell(ws, value, fmt=fmt)])
    if summary.get("message"):
        rows.append([_cell(ws, "message", font=Font(bold=True)), _cell(ws, summary["message"])])

    # cost by component
    section("Cost by component", "discounted as in the objective, and undiscounted sums over the horizon")
    rows.header(["component", "discounted (USD million)", "undiscounted (USD million)"], widths)
    undiscounted = {}
    if "costs" in tables and not tables["costs"].empty:
        undiscounted = tables["costs"].groupby("component")["cost_musd"].sum().to_dict()
    comps = summary.get("cost_by_component_musd") or {}
    for comp, v in comps.items():
        rows.append([comp, _cell(ws, v, MUSD), _cell(ws, undiscounted.get(comp, 0.0), MUSD)])
    if comps:
        rows.append([_cell(ws, "total", font=Font(bold=True)),
                   _cell(ws, sum(comps.values()), MUSD, font=Font(bold=True)),
                   _cell(ws, sum(undiscounted.get(c, 0.0) for c in comps), MUSD, font=Font(bold=True))])

    # policy targets
    pol = tables.get("policies")
    over = policy_overview(pol)
    pcost = policy_total_costs(tables.get("policy_costs"))
    section("Policy targets", "achieved share: the domestic share, or the largest single supplier's share; "
                              "missed = a shortfall was bought at the policy's penalty")
    if over.empty:
        rows.append([_cell(ws, "no policy rows in the horizon", font=NOTE_FONT)])
    else:
        titles = ["policy", "rule", "years in force", "years met", "achieved share, last year",
                  "worst achieved share", "years binding", "shortfall (t)", "highest shadow price (USD/t)"]
        if pcost:
            titles.append("cost of the policy (USD million, discounted)")
        rows.header(titles, widths)
        for k, g in over.groupby("policy", sort=True):
            g = g.sort_values("year")
            first = g.iloc[0]
            worst = g["achieved_share"].min() if first["kind"] == "min_domestic_share" else g["achieved_share"].max()
            met = int(g["met"].sum())
            row = [k, policy_rule(first["kind"], first["share"], first["region"], first["material"], first["stage"]),
                   f"{g['year'].min()}-{g['year'].max()}" if len(g) > 1 else str(g["year"].iloc[0]),
                   _cell(ws, f"{met} of {len(g)}", fill=MET_FILL if met == len(g) else MISSED_FILL),
                   _cell(ws, g["achieved_share"].iloc[-1], PERCENT), _cell(ws, worst, PERCENT),
                   int(g["binding"].sum()), _cell(ws, g["shortfall_t"].sum(), TONNES),
                   _cell(ws, g["shadow_price_usd_per_t"].max(), USD_PER_T)]
            if pcost:
                row.append(_cell(ws, pcost.get(k), MUSD))
            rows.append(row)
        section("Achieved share by year", "green: target met; red: missed (shortfall bought)")
        rows.header(["policy", "target"] + [str(y) for y in years], widths)
        for k, g in over.groupby("policy", sort=True):
            by_year = g.set_index("year")
            row = [k, _cell(ws, g["share"].iloc[0], PERCENT)]
            for y in years:
                if y in by_year.index:
                    r = by_year.loc[y]
                    row.append(_cell(ws, r["achieved_share"], PERCENT, fill=MET_FILL if r["met"] else MISSED_FILL))
                else:
                    row.append(None)
            rows.append(row)

    # largest builds
    section("Largest builds", "new capacity per project over all its start years, by capital cost (undiscounted)")
    lb = largest_builds(tables.get("builds"))
    if lb.empty:
        rows.append([_cell(ws, "the plan builds nothing new", font=NOTE_FONT)])
    else:
        rows.header(["project", "technology", "stage", "region", "first start year",
                                   "first online year", "new capacity (t/yr)", "capex (USD million)"], widths)
        for r in lb.itertuples(index=False):
            rows.append([r.project, r.technology, r.stage, r.region, int(r.first_start_year), int(r.first_online_year),
                       _cell(ws, r.capacity_tpa, TONNES), _cell(ws, r.capex_musd, MUSD)])

    # key prices
    kp = key_prices(tables)
    section("Key commodity prices", "shadow price of one more tonne in the region, USD/t in money of each year")
    if kp.empty:
        rows.append([_cell(ws, "no commodity balance rows", font=NOTE_FONT)])
    else:
        y0, y1 = kp.attrs["years"]
        rows.header(["region", "commodity", f"{y0} (USD/t)", f"{y1} (USD/t)", "mean (USD/t)"], widths)
        for r in kp.itertuples(index=False):
            rows.append([r.region, r.commodity, _cell(ws, r.first, USD_PER_T), _cell(ws, r.last, USD_PER_T),
                       _cell(ws, r.mean, USD_PER_T)])

    # contents
    section("Sheets")
    for name in sheets:
        rows.append([_cell(ws, name, link=_sheet_link(name)), DESCRIPTIONS.get(name, "")])


# --- native charts -------------------------------------------------------------------------

def _stage_order(stages) -> list[str]:
    return sorted(stages, key=lambda s: (STAGES.index(s) if s in STAGES else len(STAGES), s))


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
    _print_setup(ws)
    rows = _RowCounter(ws)
    pivot = _pivot(capacity, "stage", "capacity_tpa", years)
    pivot = pivot[_stage_order(pivot.columns)]
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


def _capacity_by_region_sheet(wb: Workbook, capacity: pd.DataFrame, years: list[int]) -> None:
    ws = wb.create_sheet("chart_capacity_by_region")
    _print_setup(ws)
    rows = _RowCounter(ws)
    regions = sorted(capacity["region"].unique())
    color = {r: PALETTE[i % len(PALETTE)] for i, r in enumerate(regions)}
    ws.column_dimensions["A"].width = 10
    for j in range(2, len(regions) + 2):
        ws.column_dimensions[get_column_letter(j)].width = 13
    chart_rows = 24  # rows a chart of height 11 cm covers, roughly
    for stage in _stage_order(capacity["stage"].unique()):
        pivot = _pivot(capacity[capacity["stage"] == stage], "region", "capacity_tpa", years)
        top = rows.n + 1
        head, last = rows.block(f"{stage}: capacity online by region (t/yr)", pivot, TONNES)
        chart = BarChart()
        chart.type, chart.grouping, chart.overlap, chart.gapWidth = "col", "stacked", 100, 50
        _style_chart(chart, f"{stage.capitalize()} capacity online by region (t/yr)", "t/yr", height=11)
        _add_series(chart, ws, head, last, 2, 1 + len(pivot.columns))
        for s, r in zip(chart.series, pivot.columns):
            s.graphicalProperties.solidFill = color[r]
            s.graphicalProperties.line.solidFill = color[r]
        chart.y_axis.number_format = TONNES
        ws.add_chart(chart, f"{get_column_letter(len(regions) + 3)}{top}")
        rows.blank(max(2, chart_rows - (rows.n - top + 1)))


def _import_dependence_sheet(wb: Workbook, policies: pd.DataFrame, years: list[int]) -> bool:
    over = policy_overview(policies)
    if over.empty:
        return False
    ws = wb.create_sheet("chart_import_dependence")
    _print_setup(ws)
    rows = _RowCounter(ws)
    ws.column_dimensions["A"].width = 10
    chart_rows = 24
    groups = (("min_domestic_share", "Domestic share against the target (share of consumption)", "domestic share"),
              ("max_supplier_share", "Largest single-supplier share against the cap (share of consumption)",
               "largest supplier"))
    for kind, title, what in groups:
        g = over[over["kind"] == kind]
        if g.empty:
            continue
        frame = pd.DataFrame(index=pd.Index(years, name="year"))
        for k, pk in g.groupby("policy", sort=True):
            by_year = pk.set_index("year")
            frame[f"{k}: {what}"] = by_year["achieved_share"]
            frame[f"{k}: target {pk['share'].iloc[0]:.0%}"] = by_year["share"]
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
        rows.blank(max(2, chart_rows - (rows.n - top + 1)))
    return True


def _chart_sheets(tables: dict[str, pd.DataFrame]) -> list[str]:
    """Names of the chart sheets this plan will have (for the summary's list of sheets)."""
    names = []
    cap = tables.get("capacity")
    if cap is not None and not cap.empty and {"stage", "region", "year", "capacity_tpa"} <= set(cap.columns):
        names += ["chart_capacity_by_stage", "chart_capacity_by_region"]
    if not policy_overview(tables.get("policies")).empty:
        names.append("chart_import_dependence")
    return names


def _years(tables: dict[str, pd.DataFrame]) -> list[int]:
    ys: set[int] = set()
    for name in ("costs", "capacity", "policies", "unmet"):
        df = tables.get(name)
        if df is not None and not df.empty:
            ys |= {int(y) for y in df["year"].unique()}
    return list(range(min(ys), max(ys) + 1)) if ys else []


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
    charts = _chart_sheets(tables)
    _summary_sheet(wb, summary, tables, list(tables) + charts)
    for name, df in tables.items():
        if len(df) > XLSX_MAX_ROWS:
            _csv_only_sheet(wb, name, df)
        else:
            _table_sheet(wb, name, df)
    years = _years(tables)
    if "chart_capacity_by_stage" in charts:
        _capacity_by_stage_sheet(wb, tables["capacity"], years)
        _capacity_by_region_sheet(wb, tables["capacity"], years)
    if "chart_import_dependence" in charts:
        _import_dependence_sheet(wb, tables["policies"], years)
    wb.save(path)
