"""plan.xlsx as a consultant opens it: sheet order, worded headers with units, number formats,
frozen and filtered headers, column widths, the summary's content and the native charts."""

from __future__ import annotations

import os
import time

import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl.chart import BarChart, LineChart

from _plans import POLICY, bound, example, plain
from model.analysis import component_label
from model.results import TABLES
from model.write.xlsx import header, number_format, write_xlsx

CHART_SHEETS = ["chart_capacity_by_stage", "chart_capacity_by_region", "chart_import_dependence"]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    return example(tmp_path_factory)


@pytest.fixture(scope="module")
def wb(run):
    return openpyxl.load_workbook(run.folder / "plan.xlsx")


def summary_rows(ws) -> list[list]:
    return [[c for c in row] for row in ws.iter_rows(values_only=True)]


def find_row(ws, label: str):
    for row in ws.iter_rows():
        if row[0].value == label:
            return row
    raise AssertionError(f"no row {label!r} in {ws.title}")


def test_summary_first_then_every_table_in_order_then_charts(wb):
    assert wb.sheetnames == ["summary", *TABLES, "policy_costs", *CHART_SHEETS]


def test_headers_are_words_with_units(wb, run):
    assert [c.value for c in wb["builds"][1]] == [
        "project", "technology", "stage", "region", "start year", "online year", "capacity (t/yr)",
        "capex (USD million)"]
    assert [c.value for c in wb["budgets"][1]][5:8] == [
        "available (USD million)", "spend (USD million)", "shadow price (USD per USD)"]
    pol = [c.value for c in wb["policies"][1]]
    assert {"share (%)", "consumption (t)", "achieved share (%)", "shadow price (USD/t)"} <= set(pol)
    for name in TABLES:
        df = pd.read_csv(run.folder / "csv" / f"{name}.csv", nrows=0)
        assert [c.value for c in wb[name][1]] == [header(c) for c in df.columns], name
        for col in df.columns:  # every column with a unit names it
            if col.endswith(("_t", "_tpa", "_musd", "_usd_per_t", "_usd_per_usd")) or "share" in col:
                assert header(col).endswith(")"), col


def test_number_formats_follow_the_unit(wb, run):
    assert number_format("capacity_tpa") == "#,##0"
    assert number_format("flow_t") == "#,##0"
    assert number_format("capex_musd") == "#,##0.0"
    assert number_format("achieved_share") == "0.0%"
    assert number_format("price_usd_per_t") == "#,##0"
    assert number_format("year") is None
    for name in TABLES:
        ws = wb[name]
        heads = [c.value for c in ws[1]]
        for j, col in enumerate(pd.read_csv(run.folder / "csv" / f"{name}.csv", nrows=0).columns):
            fmts = {row[j].number_format for row in ws.iter_rows(min_row=2) if row[j].value is not None}
            want = number_format(col) or "General"
            assert fmts <= {want}, (name, heads[j], fmts)
    cap = wb["capacity"]
    assert cap["I2"].number_format == "#,##0" and cap["E2"].number_format == "General"  # capacity, year


def test_every_table_sheet_has_a_frozen_filtered_header_and_widths(wb, run):
    for name in [*TABLES, "policy_costs"]:
        ws = wb[name]
        n = len(pd.read_csv(run.folder / "csv" / f"{name}.csv"))
        ncol = len(list(ws[1]))
        assert ws.freeze_panes == "A2", name
        assert ws.auto_filter.ref == f"A1:{openpyxl.utils.get_column_letter(ncol)}{n + 1}", name
        assert ws.max_row == n + 1, name
        for j in range(1, ncol + 1):
            width = ws.column_dimensions[openpyxl.utils.get_column_letter(j)].width
            assert 8 <= width <= 50, (name, j, width)
        assert ws.print_title_rows == "$1:$1"


def test_every_sheet_prints_fit_to_width_with_its_name_in_the_footer(wb):
    for ws in wb.worksheets:
        ps = ws.page_setup
        assert ws.sheet_properties.pageSetUpPr.fitToPage and (ps.fitToWidth, ps.fitToHeight) == (1, 0), ws.title
        assert ws.oddFooter.center.text == "&A, page &P of &N" and ws.page_margins.left == 0.4, ws.title
        if ws.title in TABLES:  # portrait where the table keeps 75 % of its size there: more rows a page
            width = sum(d.width for d in ws.column_dimensions.values() if d.width)
            assert ps.orientation == ("portrait" if width * 0.75 <= 86 else "landscape"), (ws.title, width)
    assert wb["prices"].page_setup.orientation == "portrait" and wb["policies"].page_setup.orientation == "landscape"


def test_summary_prints_its_columns_at_a_readable_size(wb):
    """Landscape, one page wide over its 13 columns (about 65 %, not 4-pt text): the print area
    stops there and long notes are split into lines that fit in it."""
    from model.write.cells import LANDSCAPE_CHARS, MIN_SCALE
    from model.write.summary import WIDTHS

    ws = wb["summary"]
    assert ws.page_setup.orientation == "landscape" and ws.print_area == f"'summary'!$A$1:$M${ws.max_row}"
    assert sum(WIDTHS) * MIN_SCALE <= LANDSCAPE_CHARS  # so one page wide is at least MIN_SCALE
    notes = [c.value for c in ws["A"] if c.font.i and isinstance(c.value, str)]
    assert len(notes) >= 8 and max(map(len, notes)) <= sum(WIDTHS)
    assert all(ws.cell(c.row, 2).value is None for c in ws["A"] if c.font.i)


@pytest.mark.parametrize("width, orientation, across, order", [
    (38, "portrait", 1, None),        # prices: 4 narrow columns
    (114, "portrait", 1, None),       # 86 characters fit a portrait page: 75 % of it is still legible
    (116, "landscape", 1, None),
    (195, "landscape", 1, None),      # 117 characters fit a landscape page: 60 % (about 7 pt)
    (196, "landscape", 2, "overThenDown"),  # below 60 %: two pages across, each band left then right
    (400, "landscape", 3, "overThenDown"),
])
def test_print_setup_orientation_and_pages_across(width, orientation, across, order):
    from openpyxl import Workbook

    from model.write.cells import print_setup

    ws = Workbook().active
    print_setup(ws, width)
    assert (ws.page_setup.orientation, ws.page_setup.fitToWidth, ws.page_setup.pageOrder) == (orientation, across, order)


def test_table_cells_hold_full_precision_values(wb, run):
    from model.results import plan_tables

    builds = plan_tables(run.study, run.solution)["builds"]
    ws = wb["builds"]
    values = [[c.value for c in row] for row in ws.iter_rows(min_row=2)]
    assert len(values) == len(builds)
    for got, (_, want) in zip(values, builds.iterrows()):
        assert got[0] == want["project"] and got[4] == want["start_year"]
        assert got[6] == pytest.approx(want["capacity_tpa"], rel=1e-12)
        assert got[7] == pytest.approx(want["capex_musd"], rel=1e-12)


def test_summary_states_status_objective_and_costs(wb, run):
    ws = wb["summary"]
    assert ws.freeze_panes == "A2"
    assert find_row(ws, "status")[1].value == "optimal"
    obj = find_row(ws, "objective (USD million, discounted)")[1]
    assert obj.value == pytest.approx(run.summary["objective_musd"], rel=1e-15)  # not rounded; only the display is
    assert obj.number_format == "#,##0.0"
    for comp, v in run.summary["cost_by_component_musd"].items():
        row = find_row(ws, component_label(comp))  # named as in the report
        assert row[1].value == pytest.approx(v, abs=1e-6) and row[1].number_format == "#,##0.0"
    total = find_row(ws, "total")
    assert total[1].value == pytest.approx(run.summary["objective_musd"], rel=1e-9)


def test_summary_policy_targets_met_or_missed(wb, run):
    ws = wb["summary"]
    pol = pd.read_csv(run.folder / "csv" / "policies.csv", keep_default_na=False)
    rows = summary_rows(ws)
    policies = sorted(pol["policy"].unique())
    # one line per policy: years met out of years in force, achieved share as percent
    for k in policies:
        row = find_row(ws, k)  # the first row naming the policy is its line in "Policy targets"
        g = pol[pol.policy == k]
        years = g["year"].nunique()
        assert row[2].value == f"{g.year.min()}-{g.year.max()}"
        met, of = row[3].value.split(" of ")
        assert int(of) == years
        assert row[4].number_format == "0.0%" and row[5].number_format == "0.0%"
        assert row[6].value == g.groupby("year")["binding"].apply(lambda b: (b == "yes").any()).sum()
    recycling = find_row(ws, "crma_recycling")
    assert recycling[3].value == "0 of 6" and recycling[3].fill.fgColor.rgb.endswith("FFC7CE")  # missed: red
    assert find_row(ws, "crma_max_supplier_extraction")[3].fill.fgColor.rgb.endswith("C6EFCE")  # met: green
    assert recycling[9].value == pytest.approx(
        pd.read_csv(run.folder / "csv" / "policy_costs.csv").query("policy == 'crma_recycling'")
        ["policy_total_cost_musd"].iloc[0], rel=1e-5)
    # the year-by-year matrix: the last row naming a policy, one percent cell per year
    matrix = [r for r in ws.iter_rows() if r[0].value == "crma_processing"][-1]
    shares = pol[pol.policy == "crma_processing"].sort_values("year")["achieved_share"].tolist()
    assert [c.value for c in matrix[2:2 + len(shares)]] == pytest.approx(shares, rel=1e-5)
    assert all(c.number_format == "0.0%" for c in matrix[1:2 + len(shares)])
    assert any(r[0] == "Achieved share by year" for r in rows)


def test_summary_lists_largest_builds_prices_and_links(wb, run):
    ws = wb["summary"]
    rows = summary_rows(ws)
    labels = [r[0] for r in rows]
    assert labels.index("Largest builds") < labels.index("Key commodity prices") < labels.index("Sheets")
    top = rows[labels.index("Largest builds") + 3]
    builds = pd.read_csv(run.folder / "csv" / "builds.csv")
    biggest = builds.groupby("project")["capex_musd"].sum().idxmax()
    assert top[0] == biggest
    assert find_row(ws, biggest)[7].number_format == "#,##0.0"
    assert find_row(ws, biggest)[6].number_format == "#,##0"
    head = next(r for r in rows[labels.index("Key commodity prices") + 1:] if r[2] is not None)  # notes: one cell
    assert head[:2] == ["commodity", "regions"] and head[2].endswith("(USD/t)")
    links = {c.value: c.hyperlink.location for row in ws.iter_rows() for c in row[:1] if c.hyperlink}
    assert set(links) == set(wb.sheetnames) - {"summary"}
    assert links["builds"] == "'builds'!A1"


def test_native_charts_of_capacity_and_import_dependence(wb, run):
    stage = wb["chart_capacity_by_stage"]._charts
    assert len(stage) == 1 and isinstance(stage[0], LineChart)
    capacity = pd.read_csv(run.folder / "csv" / "capacity.csv")
    assert len(stage[0].series) == capacity["stage"].nunique()
    region = wb["chart_capacity_by_region"]._charts
    assert len(region) == capacity["stage"].nunique()
    assert all(isinstance(c, BarChart) and c.grouping == "stacked" for c in region)
    imports = wb["chart_import_dependence"]._charts
    assert len(imports) == 2  # domestic shares, largest single-supplier share
    for chart in imports:
        assert isinstance(chart, LineChart) and chart.y_axis.number_format.formatCode == "0%"
        dashed = [s for s in chart.series if s.graphicalProperties.line.prstDash == "dash"]
        assert len(dashed) == len(chart.series) // 2  # one dashed target per policy
    # the chart data sit on the chart sheet and the series point at them
    ref = region[0].series[0].val.numRef.f
    assert ref.startswith("'chart_capacity_by_region'!$B$")
    # the targets plotted are the policies' shares
    ws = wb["chart_import_dependence"]
    heads = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str) and "target" in c.value]
    assert "crma_processing: target 40%" in heads and "crma_max_supplier_manufacturing: target 65%" in heads


def test_no_policy_no_import_chart_sheet(tmp_path_factory):
    wb = openpyxl.load_workbook(plain(tmp_path_factory).folder / "plan.xlsx")
    assert "chart_import_dependence" not in wb.sheetnames
    assert wb.sheetnames[:len(TABLES) + 1] == ["summary", *TABLES]
    rows = summary_rows(wb["summary"])
    first = [r[0] for r in rows]
    after = rows[first.index("Policy targets") + 1:first.index("Achieved share by year") if "Achieved share by year"
                 in first else None]
    assert ("no policy rows in the horizon",) in [tuple(v for v in r if v is not None) for r in after]


def test_markup_in_ids_is_plain_text(tmp_path_factory):
    wb = openpyxl.load_workbook(bound(tmp_path_factory).folder / "plan.xlsx")
    assert find_row(wb["summary"], POLICY)[1].value.startswith("EU manufacturing at least 40%")
    assert wb["policies"]["A2"].value == POLICY


def test_blanks_tiny_values_and_empty_tables(tmp_path):
    tables = {
        "builds": pd.DataFrame(columns=["project", "start_year", "capacity_tpa", "capex_musd"]),
        "policy_costs": pd.DataFrame({"policy": ["a", "b"], "year": [2025, 2025],
                                      "shadow_price_usd_per_t": [float("nan"), 5.0],
                                      "policy_total_cost_musd": [-1e-11, 2.5]}),
    }
    write_xlsx(tmp_path / "p.xlsx", {"status": "optimal", "objective_musd": 1.0}, tables)
    wb = openpyxl.load_workbook(tmp_path / "p.xlsx")
    assert wb.sheetnames == ["summary", "builds", "policy_costs"]
    b = wb["builds"]
    assert b.max_row == 1 and b.auto_filter.ref == "A1:D1" and b.freeze_panes == "A2"
    pc = wb["policy_costs"]
    assert pc["C2"].value is None and pc["C3"].value == 5.0  # NaN -> empty cell
    assert pc["D2"].value == 0 and pc["D3"].value == 2.5  # -1e-11 shows as 0, not -0.0


def test_large_tables_stream_quickly(tmp_path):
    n = 20_000
    df = pd.DataFrame({"project": [f"p{i % 97}" for i in range(n)], "year": [2025 + i % 30 for i in range(n)],
                       "capacity_tpa": [i * 1.5 for i in range(n)], "capex_musd": [i / 7 for i in range(n)],
                       "achieved_share": [i / n for i in range(n)]})
    t0 = time.perf_counter()
    write_xlsx(tmp_path / "big.xlsx", {"status": "optimal", "objective_musd": 1.0}, {"capacity": df})
    seconds = time.perf_counter() - t0
    assert seconds < 30, seconds  # about 1.5 s on an idle laptop; generous for busy CI machines
    ws = openpyxl.load_workbook(tmp_path / "big.xlsx", read_only=True)["capacity"]
    last = list(ws.iter_rows(min_row=n + 1, max_row=n + 1))[0]
    assert [c.value for c in last][:3] == [f"p{(n - 1) % 97}", 2025 + (n - 1) % 30, (n - 1) * 1.5]
    assert last[4].number_format == "0.0%"


def test_plan_xlsx_is_as_readable_as_the_other_files(run):
    """Its rows are spliced in through a temporary file (sheetxml.splice), which is made 0600:
    the workbook keeps the mode every other file of the folder gets (0666 less the umask)."""
    mode = (run.folder / "summary.json").stat().st_mode & 0o777
    assert (run.folder / "plan.xlsx").stat().st_mode & 0o777 == mode


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.integers(-10**20, 10**20), st.floats(allow_nan=False, allow_infinity=False)),
                min_size=1, max_size=20), st.sampled_from([None, 3]))
def test_a_column_of_numbers_is_written_as_cell_by_cell(values, style):
    """sheetxml.rows_xml's shortcut for columns of finite numbers writes what _cell writes."""
    from model.write.sheetxml import _cell, rows_xml

    attr = f' s="{style}"' if style is not None else ""
    assert rows_xml([values], [style]) == [f'<row r="{i}">{_cell(f"A{i}", v, attr)}</row>'
                                           for i, v in enumerate(values, start=2)]
