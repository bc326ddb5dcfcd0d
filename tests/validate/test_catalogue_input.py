"""A second catalogue of broken workbooks: what spreadsheets (and scripts writing them) do to
cells, headers and sheets, and the hints an error gives (issue 14).

Each case starts from the good study of test_catalogue, breaks one thing (most after saving,
with openpyxl, as a user or a script would), and runs both `reeplan validate` and `reeplan
solve`: exit 2, an error naming the exact sheet, Excel row and column with the fragments
given, no traceback and no output folder.

Column letters of the good study (write_study writes contract order, then source and note):
supply A offer .. F max_tpa, G price_usd_per_t; projects A project, C region, H max_new_tpa,
Q note; demand D quantity_t; policies F share; settings B value.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from model.errors import LISTED, InputError
from model.read import read_tables
from model.validate import validate
from test_catalogue import (
    GOOD_SETTINGS, Case, add, check_input_error, error_lines, put, puts, run_cli, run_subprocess, setting,
    solve_args, write_good,
)

P, S = {k: i + 2 for i, k in enumerate(GOOD_SETTINGS)}, "settings"
SAVE = "open and save the workbook in Excel or LibreOffice, or write values"
EXCEL_ERROR = "expected a value, not an Excel error"


# ------------------------------------------------------------------------ edits after saving
def cell(sheet: str, ref: str, value):
    """Write `value` into cell `ref` (a formula stays uncalculated: openpyxl saves no result)."""
    def post(wb):
        wb[sheet][ref] = value
    return post


def merge(sheet: str, ref: str):
    def post(wb):
        wb[sheet].merge_cells(ref)
    return post


def header(sheet: str, ref: str, name: str):
    def post(wb):
        wb[sheet][ref] = name
    return post


def append_row(sheet: str, *values):
    def post(wb):
        wb[sheet].append(list(values))
    return post


def new_sheet(title: str, hidden: bool = False, copy_of: str | None = None):
    """A second sheet whose name differs only by spaces or case (openpyxl keeps the title as given)."""
    def post(wb):
        ws = wb.copy_worksheet(wb[copy_of]) if copy_of else wb.create_sheet()
        ws.title = title
        if hidden:
            ws.sheet_state = "hidden"
    return post


def posts(*fns):
    def post(wb):
        for f in fns:
            f(wb)
    return post


def scenario(**row):
    return add("scenarios", **{"scenario": "what_if", "where": "*", "op": "set", **row})


# ------------------------------------------------------------------------ the catalogue
CASES = [
    # ---- 1. formulas no spreadsheet program ever calculated (a workbook written by a script)
    Case("uncached_formula_optional_price", "supply", 2, "price_usd_per_t",
         ('got "=49000", expected a saved value for the formula in cell G2', SAVE),
         post=cell("supply", "G2", "=49000")),
    Case("uncached_formula_unlimited_max", "supply", 4, "max_tpa",
         ('got "=30000*2", expected a saved value for the formula in cell F4', SAVE),
         post=cell("supply", "F4", "=30000*2")),
    Case("uncached_formula_required", "demand", 3, "quantity_t",
         ('got "=3000+400", expected a saved value for the formula in cell D3', SAVE),
         post=cell("demand", "D3", "=3000+400")),
    Case("uncached_formula_id", "projects", 4, "project",
         ('got "="eu_"&"refine"", expected a saved value for the formula in cell A4', SAVE),
         post=cell("projects", "A4", '="eu_"&"refine"')),
    Case("uncached_formula_note", "projects", 3, "note", ("cell Q3", SAVE),
         post=cell("projects", "Q3", '="under "&"construction"')),
    Case("uncached_formula_setting", S, P["discount_rate"], "value",
         ('got "=0.04*2", expected a saved value for the formula in cell B5', SAVE),
         post=cell("settings", "B5", "=0.04*2")),
    Case("uncached_formula_required_setting", S, P["first_year"], "value", ("cell B2", SAVE),
         post=cell("settings", "B2", "=2020+5")),
    Case("uncached_formula_header", "supply", 1, "", ("cell F1", SAVE), post=cell("supply", "F1", '="max_"&"tpa"')),
    # ---- 2. merged cells over data
    Case("merged_optional_column", "supply", 2, "max_tpa",
         'got "F2:F4", expected no merged cells over data: unmerge F2:F4 and type the value in each cell',
         post=merge("supply", "F2:F4")),
    Case("merged_across_columns", "projects", 5, "max_new_tpa", "unmerge H5:I6", post=merge("projects", "H5:I6")),
    Case("merged_from_header_into_data", "demand", 2, "quantity_t", "unmerge D1:D3", post=merge("demand", "D1:D3")),
    Case("merged_settings_value", S, P["base_year"], "value", "unmerge B4:B5", post=merge("settings", "B4:B5")),
    # ---- 3. a column (or settings key) given twice
    Case("duplicate_header", "projects", 1, "region",
         "expected the column once in the header row (it is in columns C and Q)",
         post=header("projects", "Q1", "region")),
    Case("duplicate_header_doc_column", "supply", 1, "note", "it is in columns I and J",
         post=header("supply", "J1", "note")),
    Case("duplicate_settings_header", S, 1, "value", "it is in columns B and C", post=header("settings", "C1", "value")),
    Case("duplicate_settings_key_after_a_blank", S, len(GOOD_SETTINGS) + 2, "key",
         'got "discount_rate", expected each key once (repeated; first in row 5)',
         setting("discount_rate", None), post=append_row("settings", "discount_rate", 0.05)),
    # ---- 4. two sheets that are one name after trimming and ignoring case
    Case("hidden_sheet_with_trailing_space", "projects", None, None,
         'expected one sheet named projects, found "projects" and "projects " (hidden)',
         post=new_sheet("projects ", hidden=True, copy_of="projects")),
    Case("sheet_names_differing_in_case", "demand", None, None,
         'expected one sheet named demand, found "demand" and " Demand"', post=new_sheet(" Demand")),
    Case("settings_sheet_twice", S, None, None, 'found "settings" and "settings  "',
         post=new_sheet("settings  ", copy_of="settings")),
    # ---- 5. Excel error values, ids included
    Case("excel_error_in_id", "projects", 2, "project", f'got "#REF!", {EXCEL_ERROR}',
         put("projects", 2, "project", "#REF!")),
    Case("excel_error_in_reference", "supply", 3, "region", f'got "#N/A", {EXCEL_ERROR}',
         put("supply", 3, "region", "#N/A")),
    Case("excel_error_in_number", "demand", 4, "quantity_t", f'got "#DIV/0!", {EXCEL_ERROR}',
         put("demand", 4, "quantity_t", "#DIV/0!")),
    Case("excel_error_in_optional_number", "supply", 2, "max_tpa", f'got "#VALUE!", {EXCEL_ERROR}',
         put("supply", 2, "max_tpa", "#VALUE!")),
    Case("excel_error_in_year", "policies", 2, "first_year", f'got "#NUM!", {EXCEL_ERROR}',
         put("policies", 2, "first_year", "#NUM!")),
    Case("excel_error_in_choice", "policies", 3, "kind", f'got "#NULL!", {EXCEL_ERROR}',
         put("policies", 3, "kind", "#NULL!")),
    Case("excel_error_in_setting", S, P["discount_rate"], "value", f'got "#NAME?", {EXCEL_ERROR}',
         setting("discount_rate", "#NAME?")),
    Case("excel_error_in_note", "projects", 3, "note", f'got "#REF!", {EXCEL_ERROR}',
         put("projects", 3, "note", "#REF!")),
    # ---- 6. scenario `where` reads numbers as cells do: 5,000 is five thousand (eu_sinter, row 5)
    Case("where_with_thousands_separator", "scenarios", 2, "value",
         ('got "-1", expected a number >= 0: set -1 makes capex_usd_per_tpa of projects row 5 (eu_sinter)',),
         scenario(sheet="projects", where="max_new_tpa>=5,000", column="capex_usd_per_tpa", value=-1)),
    Case("where_with_currency", "scenarios", 2, "value", "makes max_tpa of supply row 3 (cn_magnet, 2025)",
         scenario(sheet="supply", where="price_usd_per_t>$70,000", column="max_tpa", value=-5)),
    # ---- 8. a reversed horizon with scenarios is an input error, not a pandas crash
    Case("reversed_horizon_with_scenarios", S, P["last_year"], "value",
         'got "2026", expected last_year >= first_year (2030)',
         puts(setting("first_year", 2030), setting("last_year", 2026),
              scenario(sheet="supply", column="price_usd_per_t", op="scale", value=0.5))),
    Case("reversed_horizon_names_the_yearly_edit", "scenarios", 2, "sheet",
         'got "policies", expected a valid horizon in settings',
         puts(setting("first_year", 2030), setting("last_year", 2026),
              scenario(sheet="policies", column="share", value=0.5))),
    # ---- 9. currency: one symbol before or after, with thousands separators; anything else is refused
    Case("currency_code_is_not_a_number", "supply", 2, "price_usd_per_t", 'got "USD 60,000", expected a number >= 0',
         put("supply", 2, "price_usd_per_t", "USD 60,000")),
    Case("two_currency_symbols", "projects", 4, "capex_usd_per_tpa", 'got "$60,000$", expected a number >= 0',
         put("projects", 4, "capex_usd_per_tpa", "$60,000$")),
    Case("currency_in_scenario_value_is_read", "scenarios", 2, "value",
         'got "-$1,000", expected a number >= 0: set -$1,000 makes price_usd_per_t',
         scenario(sheet="supply", column="price_usd_per_t", value="-$1,000")),
    # ---- 10. a share typed as a percentage without the sign
    Case("share_typed_as_percent", "policies", 2, "share", 'got "40", expected a fraction in [0, 1] (did you mean 0.40?)',
         put("policies", 2, "share", 40)),
    Case("availability_typed_as_percent", "projects", 4, "availability",
         'got "90", expected a fraction in (0, 1] (did you mean 0.90?)', put("projects", 4, "availability", 90)),
    Case("discount_rate_typed_as_percent", S, P["discount_rate"], "value",
         'got "8", expected discount_rate: a fraction in [0, 1] (did you mean 0.08?)', setting("discount_rate", 8)),
    Case("scenario_share_typed_as_percent", "scenarios", 2, "value",
         'got "65", expected a fraction in [0, 1] (did you mean 0.65?): set 65 makes share',
         scenario(sheet="policies", column="share", value=65)),
    # ---- 11. did you mean, for ids that other sheets name
    Case("region_case_hint", "projects", 5, "region", 'got "eu", expected a region listed in sheet regions '
         '(did you mean "EU"?)', put("projects", 5, "region", "eu")),
    Case("technology_hint", "projects", 4, "technology", '(did you mean "refine"?)',
         put("projects", 4, "technology", "refining")),
    Case("commodity_hint", "supply", 3, "commodity", 'got "magnets", expected a commodity listed in sheet '
         'commodities (did you mean "magnet"?)', put("supply", 3, "commodity", "magnets")),
    Case("material_hint", "policies", 2, "material", '(did you mean "NdPr"?)', put("policies", 2, "material", "NdPR")),
    Case("tech_io_commodity_hint", "tech_io", 3, "commodity", '(did you mean "oxide"?)',
         put("tech_io", 3, "commodity", "oxyde")),
    Case("budget_region_hint", "budgets", 4, "region", '(did you mean "CN"?)', put("budgets", 4, "region", "cn")),
    Case("no_hint_when_nothing_is_close", "projects", 2, "region", 'got "Atlantis", expected a region listed in '
         "sheet regions", put("projects", 2, "region", "Atlantis")),
    Case("where_value_hint", "scenarios", 2, "where",
         'expected conditions that match at least one row of supply (did you mean offer=cn_oxide?)',
         scenario(sheet="supply", where="offer=cn_oxyde", column="price_usd_per_t", op="scale", value=0.5)),
    Case("scenario_sheet_hint", "scenarios", 2, "sheet", '(did you mean "supply"?)',
         scenario(sheet="suply", column="price_usd_per_t", value=1)),
]


def test_catalogue_ids_unique_and_apart_from_the_first():
    from test_catalogue import CASES as FIRST

    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids)) and not set(ids) & {c.id for c in FIRST}


@pytest.mark.parametrize("command", ["validate", "solve"])
@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_broken_workbook_is_refused(case: Case, command: str, tmp_path: Path):
    wb = write_good(tmp_path / "study.xlsx", case.edit, case.post)
    out = tmp_path / "out"
    args = solve_args(case, wb, out) if command == "solve" else ("validate", str(wb))
    check_input_error(run_cli(*args), wb, out, case)


def test_no_hint_when_nothing_is_close(tmp_path: Path):
    case = next(c for c in CASES if c.id == "no_hint_when_nothing_is_close")
    wb = write_good(tmp_path / "study.xlsx", case.edit)
    assert "did you mean" not in run_cli("validate", str(wb)).output


def test_uncached_formula_through_a_subprocess(tmp_path: Path):
    case = next(c for c in CASES if c.id == "uncached_formula_unlimited_max")
    wb = write_good(tmp_path / "study.xlsx", case.edit, case.post)
    out = tmp_path / "out"
    check_input_error(run_subprocess("solve", str(wb), "--out", str(out)), wb, out, case)


# ------------------------------------------------------------------------ what stays accepted
def test_values_that_read_as_meant(tmp_path: Path):
    """Currency symbols and separators, a merged title in the header row, a formula with a
    saved result of "" and cached Excel results are not errors."""
    wb = write_good(tmp_path / "study.xlsx", puts(
        put("supply", 2, "price_usd_per_t", "$60,000"),
        put("supply", 4, "price_usd_per_t", "1 000 €"),
        put("projects", 4, "capex_usd_per_tpa", "£60,000.00"),
        put("projects", 5, "capex_usd_per_tpa", "¥20000"),
        put("budgets", 4, "amount_musd", "$500"),
        scenario(sheet="projects", where="max_new_tpa<5,000", column="capex_usd_per_tpa", value="$45,000"),
        scenario(sheet="supply", where="max_tpa>=$1,000", column="price_usd_per_t", op="scale", value="50 %"),
    ), post=posts(merge("settings", "C1:D1"), cell("settings", "C1", "title")))
    run = run_cli("validate", str(wb))
    assert run.code == 0, run.output
    t = read_tables(wb)
    validate(t)
    assert list(t["supply"]["price_usd_per_t"]) == [60000.0, 80000.0, 1000.0]
    assert list(t["projects"]["capex_usd_per_tpa"].fillna(-1)) == [-1, -1, 60000.0, 20000.0, 15000.0]
    from model.scenarios import apply

    a = apply(t, "what_if")
    assert not a.issues
    # blank max_new_tpa means 0: au_mine and us_refine match as well (eu_sinter has 5,000)
    assert list(a.tables["projects"]["capex_usd_per_tpa"]) == [45000.0, 45000.0, 45000.0, 20000.0, 45000.0]
    assert list(a.tables["supply"]["price_usd_per_t"]) == [30000.0, 80000.0, 1000.0]
    assert [e["matched"] for e in a.edits] == [4, 6]  # cn_oxide (10,000 t/yr) in 6 years; eu_scrap has 500


# ------------------------------------------------------------------------ 7. long listings are capped
def _many_bad_rows(settings, sheets):
    sheets["demand"] += [{"region": "EU", "commodity": "magnet", "year": 2031 + i, "quantity_t": -1}
                         for i in range(150)]
    sheets["demand"] += [{"region": "XX", "commodity": "magnet", "year": 2031 + i, "quantity_t": 5}
                         for i in range(150)]
    sheets["supply"] += [{"offer": f"o{i}", "region": "CN", "commodity": "oxide", "max_tpa": "lots"}
                         for i in range(30)]


def test_a_long_error_listing_is_capped_with_counts_per_sheet_and_column(tmp_path: Path):
    wb = write_good(tmp_path / "study.xlsx", _many_bad_rows)
    run = run_cli("solve", str(wb), "--out", str(tmp_path / "out"))
    assert not run.crashed and "Traceback" not in run.output and run.code == 2, run.output
    assert len(error_lines(run.output)) == LISTED == 200
    tail = run.output.splitlines()
    i = tail.index("... and 130 more errors not listed:")
    # demand rows come first (sorted by sheet, then row): the first 200 are demand errors
    assert tail[i + 1:] == ["    100 in demand, column region", "    30 in supply, column max_tpa",
                            "330 input errors; nothing was solved."]
    assert not (tmp_path / "out").exists()


def test_the_input_error_text_is_capped_too(tmp_path: Path):
    wb = write_good(tmp_path / "study.xlsx", _many_bad_rows)
    t = read_tables(wb)
    with pytest.raises(InputError) as e:
        validate(t)
    assert len(e.value.issues) == 330
    lines = str(e.value).splitlines()
    assert len(lines) == 200 + 3 and lines[200] == "... and 130 more errors not listed:"


def test_every_error_is_listed_below_the_cap(tmp_path: Path):
    def edit(settings, sheets):
        sheets["supply"] += [{"offer": f"o{i}", "region": "CN", "commodity": "oxide", "max_tpa": "lots"}
                             for i in range(LISTED)]

    run = run_cli("validate", str(write_good(tmp_path / "study.xlsx", edit)))
    assert len(error_lines(run.output)) == LISTED and "more errors not listed" not in run.output
    assert f"{LISTED} input errors; nothing was solved." in run.output
