"""Version 2 inputs (issue 15): the catalogue of broken version 2 workbooks, what version 2 accepts,
and version 1 workbooks reading as they always did.

The good version 2 study is the good study of test_catalogue plus (Excel rows in brackets):
sales au_ore [2], cn_magnet [3]; stocks eu_oxide [2], eu_magnet [3]; projects eu_refine [4] with
ramp_years and min_output_share; a dated trade row CN -> EU magnet [3]; policies crma_proc [2] and
crma_recycling [4] in group crma; a bookkeeping technology regrade [6] (blank stage).
Each case breaks one thing and runs `reeplan solve`: exit 2, an error naming the exact sheet, Excel
row and column with the fragments given, no traceback and no output folder.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from model.read import read_tables
from model.schema import SHEET, SHEETS
from model.validate import validate
from test_catalogue import Case, add, check_input_error, copy_row, put, puts, run_cli, solve_args, write_good

STUDY = Path(__file__).resolve().parents[2] / "inputs" / "western_ree_2040.xlsx"
# version 2 columns of version 1 sheets (a new sheet's columns are all part of it)
V2_COLUMNS = {s.name: [c.name for c in s.columns if c.optional] for s in SHEETS
              if s.since == 1 and any(c.optional for c in s.columns)}


def v2(settings, sheets):
    """The good study with every version 2 input in use."""
    sheets["sales"] = [
        {"sale": "au_ore", "region": "AU", "commodity": "ore", "max_tpa": 5000, "price_usd_per_t": 300},
        {"sale": "cn_magnet", "region": "CN", "commodity": "magnet", "first_year": 2027, "last_year": 2030,
         "max_tpa": 100, "price_usd_per_t": 50000},
    ]
    sheets["stocks"] = [
        {"stock": "eu_oxide", "region": "EU", "commodity": "oxide", "initial_t": 100, "max_t": 1000, "min_t": 50,
         "final_t": 50, "holding_cost_usd_per_t": 200},
        {"stock": "eu_magnet", "region": "EU", "commodity": "magnet"},
    ]
    sheets["projects"][2].update(ramp_years=2, min_output_share=0.2)
    sheets["trade"][1].update(first_year=2025, last_year=2027)
    for i in (0, 2):
        sheets["policies"][i]["group"] = "crma"
    sheets["technologies"].append({"technology": "regrade", "name": "magnet grade bookkeeping"})
    sheets["tech_io"] += [{"technology": "regrade", "commodity": "magnet", "coefficient": 1},
                          {"technology": "regrade", "commodity": "scrap", "coefficient": -1}]


def on_v2(*edits):
    return puts(v2, *edits)


def header(sheet: str, old: str, new: str):
    """Rename header cell `old` of `sheet` after writing."""
    def post(wb):
        ws = wb[sheet]
        next(c for c in ws[1] if c.value == old).value = new
    return post


NEG = "expected a number >= 0"
CASES = [
    # ---- sales
    Case("sales_blank_max", "sales", 2, "max_tpa", "expected a value (most tonnes per year they take)",
         on_v2(put("sales", 2, "max_tpa", None))),
    Case("sales_blank_price", "sales", 3, "price_usd_per_t", "expected a value (what they pay per tonne)",
         on_v2(put("sales", 3, "price_usd_per_t", None))),
    Case("sales_unknown_region", "sales", 2, "region",
         'got "Au", expected a region listed in sheet regions (did you mean "AU"?)',
         on_v2(put("sales", 2, "region", "Au"))),
    Case("sales_unknown_commodity", "sales", 3, "commodity",
         'got "magnets", expected a commodity listed in sheet commodities (did you mean "magnet"?)',
         on_v2(put("sales", 3, "commodity", "magnets"))),
    Case("duplicate_sale", "sales", 4, "sale", 'got "au_ore", expected a unique sale; repeats row 2',
         on_v2(copy_row("sales", 2, commodity="oxide"))),
    Case("sales_negative_price", "sales", 2, "price_usd_per_t", f'got "-300", {NEG}',
         on_v2(put("sales", 2, "price_usd_per_t", -300))),
    Case("sales_negative_max", "sales", 3, "max_tpa", f'got "-1", {NEG}', on_v2(put("sales", 3, "max_tpa", -1))),
    Case("sales_years_reversed", "sales", 3, "last_year", 'got "2026", expected last_year >= first_year (2027)',
         on_v2(put("sales", 3, "last_year", 2026))),
    # ---- stocks
    Case("stocks_unknown_region", "stocks", 3, "region",
         'got "eu", expected a region listed in sheet regions (did you mean "EU"?)',
         on_v2(put("stocks", 3, "region", "eu"))),
    Case("stocks_unknown_commodity", "stocks", 2, "commodity",
         'got "oxyde", expected a commodity listed in sheet commodities (did you mean "oxide"?)',
         on_v2(put("stocks", 2, "commodity", "oxyde"))),
    Case("duplicate_stock", "stocks", 4, "stock", 'got "eu_magnet", expected a unique stock; repeats row 3',
         on_v2(copy_row("stocks", 3))),
    Case("stock_min_above_max", "stocks", 2, "min_t", 'got "1200", expected min_t <= max_t (1000)',
         on_v2(put("stocks", 2, "min_t", 1200), put("stocks", 2, "initial_t", 1200))),
    Case("stock_initial_below_min", "stocks", 2, "initial_t", 'got "10", expected initial_t >= min_t (50)',
         on_v2(put("stocks", 2, "initial_t", 10))),
    Case("stock_initial_above_max", "stocks", 2, "initial_t", 'got "1500", expected initial_t <= max_t (1000)',
         on_v2(put("stocks", 2, "initial_t", 1500))),
    Case("stock_final_above_max", "stocks", 2, "final_t", 'got "1001", expected final_t <= max_t (1000)',
         on_v2(put("stocks", 2, "final_t", 1001))),
    Case("stock_bound_on_a_row_of_defaults", "stocks", 3, "final_t", 'got "5", expected final_t <= max_t (0)',
         on_v2(put("stocks", 3, "final_t", 5), put("stocks", 3, "max_t", 0))),
    Case("stock_negative_initial", "stocks", 2, "initial_t", f'got "-1", {NEG}',
         on_v2(put("stocks", 2, "initial_t", -1))),
    Case("stock_negative_holding_cost", "stocks", 3, "holding_cost_usd_per_t", f'got "-5", {NEG}',
         on_v2(put("stocks", 3, "holding_cost_usd_per_t", -5))),
    Case("stock_text_in_max", "stocks", 2, "max_t", 'got "lots", expected a number >= 0',
         on_v2(put("stocks", 2, "max_t", "lots"))),
    # ---- projects
    Case("ramp_years_not_whole", "projects", 4, "ramp_years", 'got "1.5", expected a whole number >= 0',
         on_v2(put("projects", 4, "ramp_years", 1.5))),
    Case("ramp_years_negative", "projects", 4, "ramp_years", 'got "-1", expected a whole number >= 0',
         on_v2(put("projects", 4, "ramp_years", -1))),
    Case("min_output_share_as_percent", "projects", 4, "min_output_share",
         'got "20", expected a fraction in [0, 1] (did you mean 0.20?)',
         on_v2(put("projects", 4, "min_output_share", 20))),
    Case("min_output_share_negative", "projects", 4, "min_output_share", 'got "-0.1", expected a fraction in [0, 1]',
         on_v2(put("projects", 4, "min_output_share", -0.1))),
    # ---- trade
    Case("trade_years_reversed", "trade", 3, "last_year", 'got "2026", expected last_year >= first_year (2028)',
         on_v2(put("trade", 3, "first_year", 2028), put("trade", 3, "last_year", 2026))),
    Case("trade_year_not_a_year", "trade", 3, "first_year", 'got "soon", expected a year from 1900 to 2200',
         on_v2(put("trade", 3, "first_year", "soon"))),
    # ---- an optional column may be left out, never misspelt
    Case("misspelt_optional_column", "projects", 1, "ramp_years",
         'expected this column in the header row (found "Ramp Years")',
         v2, header("projects", "ramp_years", "Ramp Years")),
    Case("misspelt_group_column", "policies", 1, "group",
         'expected this column in the header row (did you mean "groups"?)', v2, header("policies", "group", "groups")),
    # ---- a version 2 sheet's own columns are all in its header
    Case("sales_sheet_without_price_column", "sales", 1, "price_usd_per_t", "expected this column in the header row",
         v2, header("sales", "price_usd_per_t", "price")),
    # ---- scenarios
    Case("scenario_year_condition_on_trade", "scenarios", 2, "where",
         'got "year>=2027", expected a condition on a column of trade',
         on_v2(add("scenarios", scenario="s", sheet="trade", where="year>=2027", column="max_tpa", op="set", value=0))),
    Case("scenario_edits_sales_years", "scenarios", 2, "column",
         "expected a column other than first_year/last_year of sales",
         on_v2(add("scenarios", scenario="s", sheet="sales", where="*", column="last_year", op="set", value=2028))),
    Case("scenario_breaks_stock_bounds", "stocks", 2, "min_t",
         'got "2000", expected min_t <= max_t (1000) (after the edits of scenario s)',
         on_v2(add("scenarios", scenario="s", sheet="stocks", where="stock=eu_oxide", column="min_t", op="set",
                   value=2000))),
    Case("scenario_scales_min_output_above_one", "scenarios", 2, "value",
         "expected a fraction in [0, 1]: scale 10 makes min_output_share of projects row 4 (eu_refine) 2",
         on_v2(add("scenarios", scenario="s", sheet="projects", where="project=eu_refine", column="min_output_share",
                   op="scale", value=10))),
]


def test_catalogue_ids_unique():
    assert len({c.id for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_broken_v2_workbook_is_refused(case: Case, tmp_path: Path):
    wb = write_good(tmp_path / "study.xlsx", case.edit, case.post)
    out = tmp_path / "out"
    check_input_error(run_cli(*solve_args(case, wb, out)), wb, out, case)


@pytest.mark.parametrize("case_id", ["sales_blank_max", "stock_initial_below_min", "min_output_share_as_percent"])
def test_validate_exits_2_on_v2_errors(case_id: str, tmp_path: Path):
    case = next(c for c in CASES if c.id == case_id)
    wb = write_good(tmp_path / "study.xlsx", case.edit, case.post)
    check_input_error(run_cli("validate", str(wb)), wb, tmp_path / "out", case)


# ------------------------------------------------------------------------ what version 2 accepts
@pytest.fixture(scope="module")
def v2_workbook(tmp_path_factory) -> Path:
    return write_good(tmp_path_factory.mktemp("v2") / "study.xlsx", v2)


def test_v2_workbook_validates_with_sales_and_stocks_in_the_summary(v2_workbook: Path):
    run = run_cli("validate", str(v2_workbook))
    assert run.code == 0 and not run.crashed, run.output
    assert "warning" not in run.output
    lines = run.output.splitlines()
    assert "sales      2 outside buyers of ore, magnet" in lines
    assert "stocks     2 stockpiles of oxide, magnet" in lines


def test_v2_inputs_are_read_as_typed_values(v2_workbook: Path):
    t = read_tables(v2_workbook)
    assert t.issues == [] and t.warnings == []
    tech = t["technologies"].set_index("technology")["stage"]
    assert tech["regrade"] is None and tech["mine"] == "extraction"  # blank stage: a bookkeeping technology
    assert list(t["policies"]["group"]) == ["crma", None, "crma"]
    p = t["projects"].set_index("project")
    assert p.loc["eu_refine", "ramp_years"] == 2 and p.loc["eu_refine", "min_output_share"] == 0.2
    assert p.loc["au_mine", "ramp_years"] == 0 and p.loc["au_mine", "min_output_share"] == 0.0  # blank: defaults
    assert t["trade"]["first_year"].isna().tolist() == [True, False, True]
    assert t["trade"]["first_year"].dropna().tolist() == [2025] and t["trade"]["last_year"].dropna().tolist() == [2027]
    stocks = t["stocks"].set_index("stock")
    assert stocks.loc["eu_magnet", ["initial_t", "min_t", "final_t", "holding_cost_usd_per_t"]].tolist() == [0, 0, 0, 0]
    assert pd.isna(stocks.loc["eu_magnet", "max_t"])  # unlimited
    sales = t["sales"].set_index("sale")
    assert sales[["max_tpa", "price_usd_per_t"]].values.tolist() == [[5000, 300], [100, 50000]]
    assert pd.isna(sales.loc["au_ore", "first_year"]) and sales.loc["cn_magnet", "first_year"] == 2027


def test_v2_workbook_solves(v2_workbook: Path, tmp_path: Path):
    out = tmp_path / "out"
    run = run_cli("solve", str(v2_workbook), "--out", str(out))
    assert run.code == 0 and not run.crashed, run.output
    assert (out / "study" / "base" / "csv" / "sales.csv").is_file()
    assert (out / "study" / "base" / "csv" / "stocks.csv").is_file()


@pytest.mark.parametrize("name,edit", [
    ("blank_stage", put("technologies", 3, "stage", None)),
    ("policy_group", put("policies", 3, "group", "supplier caps")),
    ("stock_bounds_equal", puts(put("stocks", 2, "min_t", 1000), put("stocks", 2, "initial_t", 1000),
                                put("stocks", 2, "final_t", 1000))),
    ("min_output_share_percent_sign", put("projects", 4, "min_output_share", "40 %")),
    ("trade_one_year_window", puts(put("trade", 3, "first_year", 2026), put("trade", 3, "last_year", 2026))),
    ("sales_window_beyond_the_horizon", put("sales", 3, "last_year", 2045)),
])
def test_v2_values_accepted(tmp_path: Path, name: str, edit):
    wb = write_good(tmp_path / "study.xlsx", puts(v2, edit))
    run = run_cli("validate", str(wb))
    assert run.code == 0 and not run.crashed, run.output
    t = read_tables(wb)
    if name == "min_output_share_percent_sign":
        assert t["projects"]["min_output_share"].tolist()[2] == pytest.approx(0.4)
    if name == "blank_stage":
        assert t["technologies"]["stage"].tolist()[1] is None


# ------------------------------------------------------------------------ version 1 workbooks
def _frames(path: Path) -> dict[str, pd.DataFrame]:
    t = read_tables(path)
    assert t.issues == [] and t.warnings == []
    return t.frames


def test_v1_workbook_reads_as_one_with_every_v2_column_blank(tmp_path: Path):
    """No version 2 sheet or column in the header: the same tables as with them present and blank."""
    v1 = write_good(tmp_path / "v1.xlsx")
    blank = write_good(tmp_path / "blank.xlsx", extra_columns=V2_COLUMNS)
    assert V2_COLUMNS == {"projects": ["ramp_years", "min_output_share", "unit_tpa", "min_build_tpa", "name"],
                          "supply": ["name"], "trade": ["first_year", "last_year"], "policies": ["group", "name"]}
    for sheet, cols in V2_COLUMNS.items():
        assert not set(cols) & {c.value for c in openpyxl.load_workbook(v1)[sheet][1]}
    a, b = _frames(v1), _frames(blank)
    assert a.keys() == b.keys() == {s.name for s in SHEETS}
    for sheet in a:
        pd.testing.assert_frame_equal(a[sheet], b[sheet], obj=sheet)
    assert a["sales"].empty and list(a["sales"].columns)[1:] == SHEET["sales"].names
    assert a["stocks"].empty and list(a["stocks"].columns)[1:] == SHEET["stocks"].names
    assert set(a["projects"]["ramp_years"]) == {0} and set(a["projects"]["min_output_share"]) == {0.0}
    assert a["trade"][["first_year", "last_year"]].isna().all().all()
    assert a["policies"]["group"].isna().all()


def test_shipped_study_validates_without_warnings_and_the_example_is_a_v1_workbook():
    t = read_tables(STUDY)
    assert t.issues == [] and t.warnings == []
    validate(t)
    assert t.warnings == []
    assert not t["sales"].empty and not t["stocks"].empty  # the calibrated study uses version 2
    v1 = read_tables(STUDY.parent / "example.xlsx")
    validate(v1)
    assert v1.warnings == [] and v1["sales"].empty and v1["stocks"].empty
