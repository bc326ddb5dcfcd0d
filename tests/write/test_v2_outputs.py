"""Version 2 outputs in plan.xlsx, charts, report and overview (issue 15): support needed, sales,
stockpiles, and bookkeeping projects (blank stage) that count towards no stage.

The workbook reader does not carry the version 2 sheets yet, so the plan tables are made by hand
(the shapes of model/results.py), small enough that every number below is worked out in comments.
"""

from __future__ import annotations

import json

import numpy as np
import openpyxl
import pandas as pd
import pytest

from conftest import one_region_chain, write_case
from model.analysis import capital_subsidies, minimum_output_support, stage_key, stage_order, staged, stock_levels
from model.overview import scenario_row
from model.pipeline import solve_workbook
from model.write.chart_sheets import chart_sheet_names
from model.write.charts import figures, write_charts
from model.write.csv import write_csv
from model.write.report import build_report, sig3, write_report
from model.write.markup import to_markdown
from model.write.xlsx import write_xlsx

from test_charts import assert_picture, bars, lines

YEARS = [2025, 2026, 2027]
BUILD_COLS = ["project", "technology", "stage", "region", "start_year", "online_year", "capacity_tpa", "capex_musd"]
CAP_COLS = ["project", "technology", "stage", "region", "year", "existing_tpa", "committed_tpa", "new_tpa",
            "capacity_tpa", "activity_t"]
SUPPORT_COLS = ["project", "technology", "stage", "region", "kind", "year", "reduced_cost_musd_per_tpa",
                "subsidy_usd_per_tpa", "subsidy_usd_per_kg", "support_usd_per_t"]
SUMMARY = {"status": "optimal", "objective_musd": 11.2, "workbook": "inputs/v2.xlsx", "scenario": "base",
           "cost_by_component_musd": {"capex": 11.0, "holding": 0.5, "sales": -0.3}}


def _subsidy(project, technology, stage, region, year, per_tpa, per_kg):
    return [project, technology, stage, region, "capital_subsidy", year, per_tpa * 1e-6, per_tpa, per_kg, None]


def _min_output(project, technology, stage, region, year, usd_per_t):
    return [project, technology, stage, region, "minimum_output", year, None, None, None, usd_per_t]


def v2_tables() -> dict[str, pd.DataFrame]:
    """A magnet plant (manufacturing, EU) that grows 200 -> 300 t/yr with a 100 t/yr build online in
    2026, a mine (extraction, AU) at 500 t/yr, and a grade conversion `grade_map` of a bookkeeping
    technology (stage None) with 50 t/yr built: it is in builds and capacity but in no stage."""
    builds = pd.DataFrame([["mag_eu", "sinter", "manufacturing", "EU", 2025, 2026, 100.0, 10.0],
                           ["grade_map", "grade", None, "EU", 2025, 2025, 50.0, 1.0]], columns=BUILD_COLS)
    cap = []
    for y in YEARS:
        new = 100.0 if y >= 2026 else 0.0
        cap += [["grade_map", "grade", None, "EU", y, 0.0, 0.0, 50.0, 50.0, 50.0],
                ["mag_eu", "sinter", "manufacturing", "EU", y, 200.0, 0.0, new, 200.0 + new, 150.0],
                ["mine_au", "mine", "extraction", "AU", y, 500.0, 0.0, 0.0, 500.0, 400.0]]
    support = pd.DataFrame([
        _subsidy("book_x", "grade", None, "EU", 2025, 5000.0, 0.2),
        _subsidy("dear_plant", "mine", "extraction", "AU", 2026, 250000.0, 10.0),
        _subsidy("seadrift", "sep_light", "processing", "US", 2027, 12345.0, 0.4938),
        _subsidy("tie_plant", "sinter", "manufacturing", "EU", 2025, 0.0, 0.0),
        *[_min_output("mag_eu", "sinter", "manufacturing", "EU", y, 0.0) for y in YEARS],
        *[_min_output("mine_au", "mine", "extraction", "AU", y, v) for y, v in zip(YEARS, [0.0, 1200.4, 1500.0])],
    ], columns=SUPPORT_COLS)
    sales = pd.DataFrame([["china_offtake", "AU", "conc", 2025, 60.0, 80.0, 3000.0],
                          ["china_offtake", "AU", "conc", 2026, 40.0, 80.0, 3000.0]],
                         columns=["sale", "region", "commodity", "year", "sold_t", "max_tpa", "price_usd_per_t"])
    stocks = pd.DataFrame([["au_build", "AU", "conc", 2025, 20.0, 20.0, 10.0],
                           ["au_build", "AU", "conc", 2026, 50.0, 30.0, 10.0],
                           ["au_build", "AU", "conc", 2027, 50.0, 0.0, 10.0],
                           ["eu_reserve", "EU", "magnet", 2025, 100.0, 0.0, 50.0],
                           ["eu_reserve", "EU", "magnet", 2026, 70.0, -30.0, 50.0],
                           ["eu_reserve", "EU", "magnet", 2027, 40.0, -30.0, 50.0]],
                          columns=["stock", "region", "commodity", "year", "level_t", "change_t",
                                   "holding_cost_usd_per_t"])
    costs = pd.DataFrame([[c, y, v, v] for y in YEARS for c, v in (("capex", 11.0 / 3), ("holding", 0.5 / 3))]
                         + [["sales", 2025, -0.18, -0.18], ["sales", 2026, -0.12, -0.12]],
                         columns=["component", "year", "cost_musd", "discounted_musd"])
    return {"builds": builds, "capacity": pd.DataFrame(cap, columns=CAP_COLS), "costs": costs,
            "support": support, "sales": sales, "stocks": stocks}


@pytest.fixture(scope="module")
def tables():
    return v2_tables()


@pytest.fixture(scope="module")
def xlsx(tables, tmp_path_factory):
    path = tmp_path_factory.mktemp("v2") / "plan.xlsx"
    write_xlsx(path, SUMMARY, tables)
    return openpyxl.load_workbook(path)


@pytest.fixture(scope="module")
def report(tables, tmp_path_factory):
    folder = tmp_path_factory.mktemp("v2report")
    charts = write_charts(folder, tables, SUMMARY)
    write_report(folder, tables, SUMMARY, charts)
    return folder


def rows(ws) -> list[list]:
    return [list(r) for r in ws.iter_rows(values_only=True)]


def after(ws, label: str, n: int) -> list[list]:
    """The n rows after the row whose first cell is `label`, trailing blanks dropped."""
    all_rows = rows(ws)
    i = next(i for i, r in enumerate(all_rows) if r[0] == label)
    out = []
    for r in all_rows[i + 1:i + 1 + n]:
        while r and r[-1] is None:
            r = r[:-1]
        out.append(r)
    return out


# --- stages ----------------------------------------------------------------------------------

@pytest.mark.parametrize("stages, want", [
    (["manufacturing", None, "extraction"], ["extraction", "manufacturing"]),
    (["processing", np.nan, "", "  ", "extraction"], ["extraction", "processing"]),
    (["recycling", "zz", None], ["recycling", "zz"]),
    ([None, np.nan], []),
])
def test_blank_stages_are_no_stage(stages, want):
    assert stage_order(stages) == want
    assert stage_key(None) > stage_key("zz") > stage_key("manufacturing")


def test_staged_drops_bookkeeping_rows(tables):
    cap = staged(tables["capacity"])
    assert sorted(cap["project"].unique()) == ["mag_eu", "mine_au"]
    back = tables["capacity"].assign(stage=tables["capacity"]["stage"].fillna(""))  # as read back from CSV
    assert sorted(staged(back)["project"].unique()) == ["mag_eu", "mine_au"]


def test_capacity_by_stage_sheet_leaves_out_the_bookkeeping_project(xlsx):
    ws = xlsx["chart_capacity_by_stage"]
    # header then one row per year: extraction 500; manufacturing 200, then 300 with the build;
    # grade_map's 50 t/yr count towards no stage
    assert after(ws, "capacity online by stage (t/yr of each stage's main product)", 4) == [
        ["year", "extraction", "manufacturing"], [2025, 500, 200], [2026, 500, 300], [2027, 500, 300]]
    by_region = [r[0] for r in rows(xlsx["chart_capacity_by_region"]) if r and isinstance(r[0], str)
                 and "capacity online by region" in r[0]]
    assert by_region == ["extraction: capacity online by region (t/yr)",
                         "manufacturing: capacity online by region (t/yr)"]


def test_capacity_png_has_a_panel_per_real_stage(tables):
    fig = dict(figures(tables, SUMMARY))["capacity_by_stage_region.png"]
    assert [ax.get_title() for ax in fig.axes] == ["Extraction", "Manufacturing"]
    heights = {}
    for ax in fig.axes:
        stacked = sum(pd.Series(h, index=np.round(x).astype(int)) for x, h in bars(ax).values())
        heights[ax.get_title()] = [stacked[y] for y in YEARS]
    assert heights == {"Extraction": [500, 500, 500], "Manufacturing": [200, 300, 300]}


def test_only_bookkeeping_capacity_draws_no_stage_chart(tables):
    only = {"capacity": tables["capacity"][tables["capacity"]["project"] == "grade_map"]}
    assert chart_sheet_names(only) == []
    assert dict(figures(only, SUMMARY)).get("capacity_by_stage_region.png") is None


def test_overview_counts_bookkeeping_builds_in_no_stage(tables, tmp_path):
    (tmp_path / "csv").mkdir()
    write_csv(tables["builds"], tmp_path / "csv" / "builds.csv")
    (tmp_path / "summary.json").write_text(json.dumps(SUMMARY))
    row = scenario_row("base", tmp_path, "optimal")
    assert (row["built_manufacturing_tpa"], row["built_extraction_tpa"], row["built_processing_tpa"]) == (100, 0, 0)
    assert (row["holding_musd"], row["sales_musd"]) == (0.5, -0.3)


# --- plan.xlsx -------------------------------------------------------------------------------

def test_sheets_for_support_sales_and_stocks_in_table_order(xlsx):
    assert xlsx.sheetnames == ["summary", "builds", "capacity", "costs", "support", "sales", "stocks",
                               "chart_capacity_by_stage", "chart_capacity_by_region"]


@pytest.mark.parametrize("sheet, headers", [
    ("support", ["project", "technology", "stage", "region", "kind", "year",
                 "reduced cost (USD million per t/yr)", "subsidy (USD per t/yr)", "subsidy (USD/kg)", "support (USD/t)"]),
    ("sales", ["sale", "region", "commodity", "year", "sold (t)", "max (t/yr)", "price (USD/t)"]),
    ("stocks", ["stock", "region", "commodity", "year", "level (t)", "change (t)", "holding cost (USD/t)"]),
])
def test_v2_sheets_have_worded_headers_with_units(xlsx, sheet, headers):
    ws = xlsx[sheet]
    assert [c.value for c in ws[1]] == headers
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref


def test_support_sheet_formats_and_blank_stage(xlsx):
    ws = xlsx["support"]
    first = [c for c in ws[2]]  # book_x, the bookkeeping candidate
    assert [c.value for c in first[:6]] == ["book_x", "grade", None, "EU", "capital_subsidy", 2025]
    assert (first[7].value, first[7].number_format) == (5000, "#,##0")
    assert (first[8].value, first[8].number_format) == (0.2, "#,##0.00")
    assert first[6].number_format == "#,##0.000000" and first[9].value is None


def test_summary_support_needed(xlsx):
    ws = xlsx["summary"]
    # cheapest by USD/kg first; tie_plant (subsidy 0) is counted in a note, not listed
    assert after(ws, "Support needed", 6) == [
        ["capital subsidy that would bring an unbuilt candidate into the plan (cut in capex, cheapest start "
         "year); support per tonne a plant needs to run at its minimum output"],
        ["1 unbuilt candidate tie with the plan's choice (subsidy 0): an equally cheap plan could build them"],
        ["project", "technology", "stage", "region", "start year", "subsidy (USD per t/yr)",
         "subsidy (USD/kg of lifetime output)"],
        ["book_x", "grade", None, "EU", 2025, 5000, 0.2],
        ["seadrift", "sep_light", "processing", "US", 2027, 12345, 0.4938],
        ["dear_plant", "mine", "extraction", "AU", 2026, 250000, 10],
    ]
    # mag_eu's minimum output costs nothing; mine_au's needs support in 2026-2027
    assert after(ws, "dear_plant", 2) == [
        ["project (minimum output)", "technology", "stage", "region", "years needing support",
         "lowest support (USD/t)", "highest support (USD/t)"],
        ["mine_au", "mine", "extraction", "AU", "2026-2027", 1200.4, 1500]]


def test_summary_sales_and_stockpiles(xlsx):
    ws = xlsx["summary"]
    # 60 + 40 t at 3000 USD/t: 0.3 USD million
    assert after(ws, "Sales to outside buyers", 3)[1:] == [
        ["region", "commodity", "sold (t)", "revenue (USD million)", "years"],
        ["AU", "conc", 100, pytest.approx(0.3), "2025-2026"]]
    assert after(ws, "Stockpiles", 4)[1:] == [
        ["stock", "region", "commodity", "held before (t)", "first year end (t)", "last year end (t)", "peak (t)",
         "peak year", "drawn (t)", "draw years"],
        ["au_build", "AU", "conc", 0, 20, 50, 50, 2026, 0, "none"],
        ["eu_reserve", "EU", "magnet", 100, 100, 40, 100, 2025, 60, "2026-2027"]]
    components = after(ws, "Cost by component", 6)[2:]
    assert [r[0] for r in components] == ["capital spend on new capacity (capex)", "holding cost of stockpiles (holding)",
                                          "revenue from outside buyers, a credit (sales)", "total"]


def test_stockpiles_and_offers_are_shown_by_name(tables, tmp_path):
    # the optional name columns of stocks and supply: 'name (id)' in the report and summary sheet
    named = {**SUMMARY, "names": {"stocks": {"eu_reserve": "EU magnet reserve"},
                                  "supply": {"cn_mag_2025": "Chinese magnet exports 2025"}}}
    supply = pd.DataFrame([["cn_mag_2025", "CN", "magnet", 2025, 30.0, 100.0, 50000.0]],
                          columns=["offer", "region", "commodity", "year", "bought_t", "max_tpa", "price_usd_per_t"])
    plan = {**tables, "supply": supply}
    write_report(tmp_path, plan, named, [])
    md = (tmp_path / "report.md").read_text()
    assert "* **EU magnet reserve (eu_reserve)** (magnet in EU): 100 t held before 2025" in md
    assert "* **au_build** (conc in AU)" in md  # no name: the id
    assert "Largest outside purchases over the horizon: Chinese magnet exports 2025 (cn_mag_2025), 30 t of magnet " \
           "in CN." in md
    write_xlsx(tmp_path / "p.xlsx", named, plan)
    stocks = after(openpyxl.load_workbook(tmp_path / "p.xlsx")["summary"], "Stockpiles", 4)
    assert [r[0] for r in stocks[2:]] == ["au_build", "EU magnet reserve (eu_reserve)"]


def test_summary_without_v2_tables_has_no_v2_sections(tables, tmp_path):
    write_xlsx(tmp_path / "p.xlsx", SUMMARY, {"builds": tables["builds"]})
    first = {r[0] for r in rows(openpyxl.load_workbook(tmp_path / "p.xlsx")["summary"]) if r}
    assert not {"Support needed", "Sales to outside buyers", "Stockpiles"} & first


# --- report ----------------------------------------------------------------------------------

def section(md: str, title: str) -> str:
    return md.split(f"## {title}\n", 1)[1].split("\n## ", 1)[0]


def test_report_what_would_it_take(report):
    md = section((report / "report.md").read_text(), "What would it take")
    assert "* book_x (EU) would enter the plan with a capital subsidy of 5,000 USD per tpa (0.20 USD/kg of " \
           "lifetime output), starting 2025." in md
    # 12,345 to three significant digits
    assert "* seadrift (US, processing) would enter the plan with a capital subsidy of 12,300 USD per tpa " \
           "(0.49 USD/kg of lifetime output), starting 2027." in md
    assert "* dear_plant (AU, extraction) would enter the plan with a capital subsidy of 250,000 USD per tpa " \
           "(10.00 USD/kg of lifetime output), starting 2026." in md
    assert md.index("book_x") < md.index("seadrift") < md.index("dear_plant")
    assert "1 unbuilt candidate ties with the plan's choice (no subsidy needed: an equally cheap plan could " \
           "build it): tie_plant." in md
    assert "* mine_au (AU, extraction) needs 1,200 to 1,500 USD/t to run at its contracted level in 2026-2027." in md
    assert "mag_eu" not in md


def test_report_sales_and_stockpiles(report):
    md = section((report / "report.md").read_text(), "Sales and stockpiles")
    assert "Outside buyers take **100 t** of conc in AU (2025-2026), USD 0.3 million of revenue (undiscounted)." in md
    assert "* **eu_reserve** (magnet in EU): 100 t held before 2025, 40 t at the end of 2027, at most 100 t " \
           "at a year end (2025); drawn in 2026-2027 (60 t in all)." in md
    assert "* **au_build** (conc in AU): 0 t held before 2025, 50 t at the end of 2027, at most 50 t " \
           "at a year end (2026); never drawn." in md
    html = (report / "report.html").read_text()
    assert "What would it take" in html and "Sales and stockpiles" in html


def test_report_builds_by_real_stage_and_bookkeeping_apart(report):
    md = section((report / "report.md").read_text(), "What the plan builds")
    items = [line for line in md.splitlines() if line.startswith("* ")]
    assert items == [
        "* **magnet making (manufacturing)**: 100 t/yr in 1 project, online 2026, USD 10.0 million.",
        "* **no stage** (bookkeeping conversions, in no stage's figures): 50 t/yr in 1 project, online 2025, "
        "USD 1.0 million."]
    assert "| grade_map | none | EU |" in md


def test_report_costs_name_holding_and_sales(report):
    md = section((report / "report.md").read_text(), "What it costs")
    assert "| holding cost of stockpiles (holding) | 0.5 |" in md
    assert "| revenue from outside buyers, a credit (sales) | -0.3 |" in md


def test_report_without_support_or_v2_tables(tables):
    doc, _ = build_report({"builds": tables["builds"]}, SUMMARY, [])
    md = to_markdown(doc, None)
    assert "What would it take" not in md and "Sales and stockpiles" not in md
    doc, _ = build_report({"support": tables["support"].iloc[0:0]}, SUMMARY, [])
    assert "Every candidate project is built, and no plant needs support to run at its minimum output." in \
        to_markdown(doc, None)


@pytest.mark.parametrize("x, want", [(12345, "12,300"), (356143, "356,000"), (1470.59, "1,470"), (245.098, "245"),
                                     (999.6, "1,000"), (0.0, "0")])
def test_subsidies_in_three_significant_digits(x, want):
    assert sig3(x) == want


# --- charts ----------------------------------------------------------------------------------

def test_stockpile_chart(report, tables):
    assert_picture(report / "charts" / "stocks.png")
    fig = dict(figures(tables, SUMMARY))["stocks.png"]
    got = {k: v.tolist() for k, v in lines(fig).items()}
    assert got == {"au_build (conc in AU)": [20, 50, 50], "eu_reserve (magnet in EU)": [100, 70, 40]}
    assert "![Stockpile levels at the end of each year (t).](charts/stocks.png)" in (report / "report.md").read_text()


def test_no_stocks_no_stockpile_chart(tables):
    assert "stocks.png" not in dict(figures({"capacity": tables["capacity"]}, SUMMARY))


# --- analysis --------------------------------------------------------------------------------

def test_support_read_back_from_csv(tables, tmp_path):
    """The same answers from support.csv as written (blank stage and support cells)."""
    write_csv(tables["support"], tmp_path / "support.csv")
    back = pd.read_csv(tmp_path / "support.csv", keep_default_na=False, na_values=[""])
    assert capital_subsidies(back)["project"].tolist() == ["tie_plant", "book_x", "seadrift", "dear_plant"]
    mo = minimum_output_support(back)
    assert mo[["project", "years", "low_usd_per_t", "high_usd_per_t"]].values.tolist() == [
        ["mine_au", [2026, 2027], 1200.4, 1500.0]]
    assert stock_levels(tables["stocks"])["drawn_t"].tolist() == [0.0, 60.0]


def test_headline_names_holding_costs_and_revenue(report):
    md = (report / "report.md").read_text()
    assert "capital, operating, purchase and freight costs, stockpile holding costs and penalties, less the " \
           "salvage value of capacity built late in the horizon and the revenue from outside buyers." in md


# --- end to end: a workbook with the version 2 sheets, solved and written ---------------------

@pytest.fixture(scope="module")
def solved(tmp_path_factory):
    """EU needs 50 t/yr of magnet and 30 t/yr of grade_a, which only the bookkeeping conversion
    `conv` (blank stage, 100 USD per tpa) makes from magnet: it builds 30 t/yr. `plant` (200 t/yr at
    1000 USD/t) must run at 90 %: 180 t, more than demand (50), the conversion (30) and the buyer
    (40 at 500 USD/t) take; the stockpile is drawn from 20 t to its floor of 10 in 2025, and the
    surplus is left (the balance is an inequality). A forced tonne costs its running cost with no
    use for it: the minimum-output support is 1000 USD/t. `spare` (5000 USD per tpa, 25 years,
    availability 1) is not built: 5000 USD per tpa would bring it in, 5000 / (25 * 1000) = 0.20 USD/kg."""
    d = tmp_path_factory.mktemp("v2solve")
    years = (2025, 2026, 2027)
    sheets = one_region_chain(
        commodities=[{"commodity": "magnet", "stage": "manufacturing"},
                     {"commodity": "grade_a", "stage": "manufacturing"}],
        content=[{"commodity": c, "material": "NdPr", "t_per_t": 0.5} for c in ("magnet", "grade_a")],
        technologies=[{"technology": "sinter", "stage": "manufacturing"}, {"technology": "regrade", "stage": None}],
        tech_io=[{"technology": "sinter", "commodity": "magnet", "coefficient": 1},
                 {"technology": "regrade", "commodity": "magnet", "coefficient": -1},
                 {"technology": "regrade", "commodity": "grade_a", "coefficient": 1}],
        projects=[{"project": "plant", "technology": "sinter", "region": "EU", "existing_tpa": 200,
                   "var_cost_usd_per_t": 1000, "min_output_share": 0.9},
                  {"project": "conv", "technology": "regrade", "region": "EU", "max_new_tpa": 100,
                   "capex_usd_per_tpa": 100},
                  {"project": "spare", "technology": "sinter", "region": "EU", "max_new_tpa": 100,
                   "capex_usd_per_tpa": 5000}],
        demand=[{"region": "EU", "commodity": c, "year": y, "quantity_t": q} for y in years
                for c, q in (("magnet", 50), ("grade_a", 30))],
        sales=[{"sale": "buyer", "region": "EU", "commodity": "magnet", "max_tpa": 40, "price_usd_per_t": 500}],
        stocks=[{"stock": "res", "region": "EU", "commodity": "magnet", "initial_t": 20, "min_t": 10,
                 "holding_cost_usd_per_t": 10}],
    )
    return solve_workbook(write_case(d, {"salvage": "no"}, **sheets), d / "out")


def test_solved_v2_study_writes_every_output(solved):
    folder = solved.folder
    wb = openpyxl.load_workbook(folder / "plan.xlsx")
    assert wb.sheetnames[-5:] == ["support", "sales", "stocks", "chart_capacity_by_stage", "chart_capacity_by_region"]
    # conv's 30 t/yr count towards no stage: manufacturing is plant's 200 alone
    assert after(wb["chart_capacity_by_stage"], "capacity online by stage (t/yr of each stage's main product)", 4) \
        == [["year", "manufacturing"], [2025, 200], [2026, 200], [2027, 200]]
    assert sorted(p.name for p in (folder / "charts").iterdir()) == [
        "capacity_by_stage_region.png", "commodity_prices.png", "stocks.png"]
    assert_picture(folder / "charts" / "stocks.png")
    md = (folder / "report.md").read_text()
    assert "* spare (EU, manufacturing) would enter the plan with a capital subsidy of 5,000 USD per tpa " \
           "(0.20 USD/kg of lifetime output), starting 2025." in md
    assert "* plant (EU, manufacturing) needs 1,000 USD/t to run at its contracted level in 2025-2027." in md
    assert "Outside buyers take **120 t** of magnet in EU (2025-2027)" in md
    assert "* **res** (magnet in EU): 20 t held before 2025, 10 t at the end of 2027, at most 10 t at a year end " \
           "(2025); drawn in 2025 (10 t in all)." in md
    assert "* **no stage** (bookkeeping conversions, in no stage's figures): 30 t/yr in 1 project" in md
