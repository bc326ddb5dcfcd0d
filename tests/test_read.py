"""Reading the workbook (workbook.md; outputs.md, Input errors): model.read.read_tables,
model.validate.validate, model.data.build_study, model.routes.resolve_routes, model.read.per_year, and the
messages of model.errors.InputError.

Workbooks are written with conftest.write_case (cells exactly as given: a string stays a text
cell) and, for header and sheet-name quirks, edited afterwards with openpyxl. Excel row numbers:
the header is row 1, the first data row is row 2.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from conftest import one_region_chain, write_case
from model.data import build_study
from model.routes import resolve_routes
from model.errors import InputError, Issue, WorkbookUnreadable
from model.read import ROW, per_year, read_tables
from model.schema import SHEET
from model.validate import validate
from model.write.workbook import write_study

HORIZON = {"first_year": 2025, "last_year": 2027}


def sheets(**over) -> dict:
    """A small valid study: regions EU, CN; magnet made by sinter; one project, offer, route."""
    base = one_region_chain(
        regions=[{"region": "EU"}, {"region": "CN"}],
        projects=[{"project": "p1", "technology": "sinter", "region": "EU", "existing_tpa": 100}],
        supply=[{"offer": "imp", "region": "CN", "commodity": "magnet", "price_usd_per_t": 200}],
        trade=[{"from_region": "CN", "to_region": "EU"}],
        demand=[{"region": "EU", "commodity": "magnet", "year": 2025, "quantity_t": 50}],
    )
    base.update(over)
    return base


def project(name="p1", **cols) -> dict:
    return {"project": name, "technology": "sinter", "region": "EU", **cols}


def edit(path: Path, fn) -> Path:
    wb = openpyxl.load_workbook(path)
    fn(wb)
    wb.save(path)
    return path


def rename_header(wb, sheet: str, old: str, new: str) -> None:
    ws = wb[sheet]
    cell = next(c for c in ws[1] if c.value == old)
    cell.value = new


def input_error(path: Path) -> InputError:
    """Read and validate; return the InputError raised (the test fails if none is)."""
    with pytest.raises(InputError) as e:
        validate(read_tables(path))
    return e.value


def where(err: InputError) -> set:
    """(sheet, row, column) of every issue."""
    return {(i.sheet, i.row, i.column) for i in err.issues}


def valid(path: Path):
    t = read_tables(path)
    validate(t)  # raises on any problem
    return t


# ================================================================= defaults
def test_blank_cells_take_the_contract_defaults(tmp_path):
    path = write_study(tmp_path / "d.xlsx", dict(HORIZON), sheets(
        projects=[project()],  # every optional column blank
        budgets=[{"budget": "b", "year": 2025, "amount_musd": 10}],
        policies=[{"policy": "k", "region": "EU", "material": "NdPr", "kind": "min_domestic_share",
                   "stage": "manufacturing", "share": 0.4}],
    ))
    t = valid(path)
    p = t["projects"].iloc[0]
    assert p["availability"] == 1.0
    assert p["lifetime_years"] == 25
    assert p["lead_time_years"] == 0
    assert (p["existing_tpa"], p["committed_tpa"], p["max_new_tpa"]) == (0.0, 0.0, 0.0)
    assert (p["fixed_om_usd_per_tpa"], p["var_cost_usd_per_t"]) == (0.0, 0.0)
    assert pd.isna(p["earliest_start_year"]) and pd.isna(p["existing_retire_year"])
    assert pd.isna(p["capex_usd_per_tpa"]) and pd.isna(p["committed_online_year"])
    s = t["supply"].iloc[0]
    assert pd.isna(s["first_year"]) and pd.isna(s["last_year"]) and pd.isna(s["max_tpa"])
    r = t["trade"].iloc[0]
    assert r["commodity"] == "*"
    assert r["cost_usd_per_t"] == 0.0 and pd.isna(r["max_tpa"])
    b = t["budgets"].iloc[0]
    assert (b["region"], b["stage"], b["carryover"]) == ("*", "*", False)
    k = t["policies"].iloc[0]
    assert k["basis"] == "output" and pd.isna(k["penalty_usd_per_t"])
    assert pd.isna(k["first_year"]) and pd.isna(k["last_year"])
    # settings: discount 0.08, salvage yes, demand hard (no default penalty)
    assert t.settings["discount_rate"] == 0.08
    assert t.settings["salvage"] is True
    assert t.settings.get("unmet_penalty_usd_per_t") is None


def test_defaults_reach_the_study(tmp_path):
    # Through build_study: availability 1, lifetime 25, lead 0, earliest start = first_year,
    # existing capacity never retires inside the horizon, base_year = first_year,
    # df = 1.08 ** -(t - 2025); the offer with blank years stands 2025..2027, unlimited;
    # the blank-commodity route carries magnet.
    path = write_study(tmp_path / "d.xlsx", dict(HORIZON), sheets(
        projects=[project(existing_tpa=100, max_new_tpa=50, capex_usd_per_tpa=1000)]))
    s = build_study(valid(path))
    p = s.projects["p1"]
    assert (p.availability, p.lifetime, p.lead, p.earliest_start) == (1.0, 25, 0, 2025)
    assert p.retire > 2027
    assert s.horizon.base_year == 2025 and s.horizon.salvage is True
    assert s.df == {2025: 1.0, 2026: pytest.approx(1 / 1.08), 2027: pytest.approx(1 / 1.08 ** 2)}
    assert s.build == [("p1", 2025), ("p1", 2026), ("p1", 2027)]
    assert sorted(s.buy) == [("imp", 2025), ("imp", 2026), ("imp", 2027)]
    assert all(v.max is None for v in s.buy.values())
    assert sorted(s.flow) == [("CN", "EU", "magnet", y) for y in (2025, 2026, 2027)]
    assert s.unmet == {}  # no penalty anywhere: demand is hard


# ================================================================= Excel quirks
def test_numbers_stored_as_text_thousands_separators_and_percent(tmp_path):
    path = write_case(tmp_path, None, **sheets(
        projects=[project(existing_tpa="1,000", availability="40 %", max_new_tpa=" 250 ",
                          capex_usd_per_tpa="1,250.5", lifetime_years="30", lead_time_years="2")],
        demand=[{"region": "EU", "commodity": "magnet", "year": "2026", "quantity_t": "12,345"}],
        supply=[{"offer": "imp", "region": "CN", "commodity": "magnet", "price_usd_per_t": "2e2",
                 "max_tpa": "50%"}],
    ))
    t = valid(path)
    p = t["projects"].iloc[0]
    assert p["existing_tpa"] == 1000.0
    assert p["availability"] == pytest.approx(0.4)
    assert p["max_new_tpa"] == 250.0
    assert p["capex_usd_per_tpa"] == 1250.5
    assert p["lifetime_years"] == 30 and p["lead_time_years"] == 2
    d = t["demand"].iloc[0]
    assert d["year"] == 2026 and d["quantity_t"] == 12345.0
    s = t["supply"].iloc[0]
    assert s["price_usd_per_t"] == 200.0 and s["max_tpa"] == pytest.approx(0.5)


def test_whole_years_from_floats_text_and_dates(tmp_path):
    path = write_case(tmp_path, None, **sheets(demand=[
        {"region": "EU", "commodity": "magnet", "year": 2025.0, "quantity_t": 1},
        {"region": "EU", "commodity": "magnet", "year": " 2026 ", "quantity_t": 1},
        {"region": "EU", "commodity": "magnet", "year": dt.datetime(2027, 1, 1), "quantity_t": 1},
    ]))
    t = valid(path)
    assert list(t["demand"]["year"]) == [2025, 2026, 2027]


def test_a_year_with_a_fraction_is_an_error(tmp_path):
    path = write_case(tmp_path, None, **sheets(demand=[
        {"region": "EU", "commodity": "magnet", "year": 2025.5, "quantity_t": 1}]))
    err = input_error(path)
    assert [str(i) for i in err.issues] == [
        f'{path}: demand row 2, column year: got "2025.5", expected a year from 1900 to 2200']


def test_yes_no_cells(tmp_path):
    path = write_case(tmp_path, {"salvage": "No"}, **sheets(budgets=[
        {"budget": "b", "year": 2025, "amount_musd": 1, "carryover": "YES"},
        {"budget": "b", "year": 2026, "amount_musd": 1, "carryover": " yes "},
        {"budget": "c", "year": 2025, "amount_musd": 1, "carryover": "no"},
        {"budget": "d", "year": 2025, "amount_musd": 1, "carryover": True},   # an Excel TRUE cell
        {"budget": "e", "year": 2025, "amount_musd": 1, "carryover": 0},
    ]))
    t = valid(path)
    assert t.settings["salvage"] is False
    assert list(t["budgets"]["carryover"]) == [True, True, False, True, False]
    path2 = write_case(tmp_path, {"salvage": "maybe"}, name="bad", **sheets())
    err = input_error(path2)
    assert len(err.issues) == 1
    i = err.issues[0]
    assert (i.sheet, i.column, i.found) == ("settings", "value", "maybe")
    assert "yes or no" in i.expected


def test_ids_headers_and_sheet_names_are_trimmed(tmp_path):
    path = write_case(tmp_path, None, **sheets(
        regions=[{"region": " EU "}, {"region": "CN"}],
        projects=[{"project": " p1 ", "technology": "sinter ", "region": "EU  "}],
        demand=[{"region": "EU", "commodity": " magnet", "year": 2025, "quantity_t": 50}],
        trade=[{"from_region": "CN ", "to_region": " * ", "commodity": "* "}],
    ))

    def quirks(wb):
        rename_header(wb, "projects", "region", "region ")
        rename_header(wb, "projects", "project", "  project")
        wb["demand"].title = "demand "
    edit(path, quirks)
    t = valid(path)  # the references resolve after trimming
    p = t["projects"].iloc[0]
    assert (p["project"], p["technology"], p["region"]) == ("p1", "sinter", "EU")
    assert list(t["regions"]["region"]) == ["EU", "CN"]
    assert t["demand"].iloc[0]["commodity"] == "magnet"
    r = t["trade"].iloc[0]
    assert (r["from_region"], r["to_region"], r["commodity"]) == ("CN", "*", "*")
    assert len(t["demand"]) == 1
    assert t.warnings == []  # trimmed headers are not unknown columns


def test_blank_rows_are_skipped_and_row_numbers_stay_excel_rows(tmp_path):
    path = write_case(tmp_path, None, **sheets(demand=[
        {"region": "EU", "commodity": "magnet", "year": 2025, "quantity_t": 50},
        {"region": None, "commodity": " ", "year": None, "quantity_t": ""},  # blank row 3
        {"region": "EU", "commodity": "magnet", "year": 2026, "quantity_t": 60},
    ]))

    def trailing(wb):
        ws = wb["demand"]
        for r in range(5, 9):  # formatted but empty trailing rows, as Excel leaves them
            ws.cell(row=r, column=1).font = openpyxl.styles.Font(bold=True)
        ws.cell(row=9, column=2).value = "   "
    edit(path, trailing)
    t = valid(path)
    d = t["demand"]
    assert list(d[ROW]) == [2, 4]
    assert list(d["year"]) == [2025, 2026]
    # an error after the blank row names its Excel row (4), not its position (3)
    path2 = write_case(tmp_path, None, name="bad", **sheets(demand=[
        {"region": "EU", "commodity": "magnet", "year": 2025, "quantity_t": 50},
        {},
        {"region": "EU", "commodity": "magnet", "year": 2026, "quantity_t": "lots"},
    ]))
    err = input_error(path2)
    assert [str(i) for i in err.issues] == [
        f'{path2}: demand row 4, column quantity_t: got "lots", expected a number >= 0']


# ================================================================= year windows
def test_per_year_clips_to_the_horizon():
    df = pd.DataFrame({
        "offer": ["all", "wide", "late", "early", "before", "after", "one"],
        "first_year": pd.array([None, 2020, 2026, None, 2010, 2030, 2026], dtype="Int64"),
        "last_year": pd.array([None, 2040, None, 2025, 2020, 2035, 2026], dtype="Int64"),
    })
    out = per_year(df, 2025, 2027)
    got = {o: sorted(g["year"]) for o, g in out.groupby("offer")}
    assert got == {"all": [2025, 2026, 2027], "wide": [2025, 2026, 2027], "late": [2026, 2027],
                   "early": [2025], "one": [2026]}  # "before" and "after" stand in no horizon year


def test_per_year_keeps_columns_and_order_and_resets_the_index():
    df = pd.DataFrame({
        "offer": ["all", "before", "one"],
        "first_year": pd.array([None, 2010, 2026], dtype="Int64"),
        "last_year": pd.array([None, 2020, 2026], dtype="Int64"),
        "max_tpa": [1.0, None, 7.0],
    }, index=[10, 11, 12])
    out = per_year(df, 2025, 2027)
    assert list(out.columns) == ["offer", "first_year", "last_year", "max_tpa", "year"]
    assert list(out.index) == [0, 1, 2, 3] and out["year"].dtype == int
    assert list(zip(out["offer"], out["year"], out["max_tpa"])) == [
        ("all", 2025, 1.0), ("all", 2026, 1.0), ("all", 2027, 1.0), ("one", 2026, 7.0)]
    empty = per_year(df.iloc[0:0], 2025, 2027)
    assert empty.empty and "year" in empty.columns and empty["year"].dtype == int


def test_supply_years_in_the_study(tmp_path):
    path = write_case(tmp_path, None, **sheets(supply=[
        {"offer": "wide", "region": "CN", "commodity": "magnet", "first_year": 2000, "last_year": 2050},
        {"offer": "late", "region": "CN", "commodity": "magnet", "first_year": 2027},
        {"offer": "gone", "region": "CN", "commodity": "magnet", "first_year": 2020, "last_year": 2024},
    ]))
    s = build_study(valid(path))
    assert sorted(s.buy) == [("late", 2027), ("wide", 2025), ("wide", 2026), ("wide", 2027)]


# ================================================================= routes
def trade_frame(*rows) -> pd.DataFrame:
    """rows: (from, to, commodity, cost, max) with None for blank cost/max."""
    return pd.DataFrame([{"from_region": f, "to_region": t, "commodity": c,
                          "cost_usd_per_t": float(cost if cost is not None else 0.0),
                          "max_tpa": float("nan") if cap is None else float(cap)}
                         for f, t, c, cost, cap in rows])


def resolved(routes: pd.DataFrame) -> dict:
    return {(r.from_region, r.to_region, r.commodity):
            (r.cost_usd_per_t, None if pd.isna(r.max_tpa) else r.max_tpa)
            for r in routes.itertuples(index=False)}


def test_resolve_routes_star_row_expands_without_self_routes():
    got = resolved(resolve_routes(trade_frame(("*", "*", "*", 10, 100)), ["EU", "CN", "US"], ["a", "b"]))
    assert got == {(f, t, c): (10.0, 100.0) for f in ("EU", "CN", "US") for t in ("EU", "CN", "US")
                   if f != t for c in ("a", "b")}


def test_resolve_routes_most_specific_row_wins_per_triple():
    rows = trade_frame(
        ("*", "*", "*", 50, None),     # 0 named
        ("CN", "*", "*", 40, 30),      # 1 named
        ("CN", "EU", "*", 20, None),   # 2 named
        ("CN", "EU", "b", 5, 7),       # 3 named
        ("*", "US", "a", 1, None),     # 2 named
    )
    got = resolved(resolve_routes(rows, ["EU", "CN", "US"], ["a", "b"]))
    assert got[("CN", "EU", "b")] == (5.0, 7.0)       # the commodity row, for b only
    assert got[("CN", "EU", "a")] == (20.0, None)     # a keeps the pair row (not the b row)
    assert got[("CN", "US", "b")] == (40.0, 30.0)     # from-region row (1 named) beats `* | * | *`
    assert got[("CN", "US", "a")] == (1.0, None)      # `* | US | a` (2 named) beats `CN | * | *` (1)
    assert got[("EU", "US", "a")] == (1.0, None)      # `* | US | a` beats `* | * | *`
    assert got[("EU", "CN", "a")] == (50.0, None)
    assert got[("US", "EU", "b")] == (50.0, None)
    assert len(got) == 12


def test_resolve_routes_ties_go_to_the_first_row():
    # `CN | * | *` and `* | EU | *` both name one field of (CN, EU, a); neither covers EU -> CN
    # (the first starts in CN, the second ends in EU), and their CN -> CN, EU -> EU are ignored.
    first = trade_frame(("CN", "*", "*", 40, None), ("*", "EU", "*", 10, 5))
    assert resolved(resolve_routes(first, ["EU", "CN"], ["a"])) == {("CN", "EU", "a"): (40.0, None)}
    second = trade_frame(("*", "EU", "*", 10, 5), ("CN", "*", "*", 40, None))
    assert resolved(resolve_routes(second, ["EU", "CN"], ["a"]))[("CN", "EU", "a")] == (10.0, 5.0)


def test_resolve_routes_ignores_rows_to_the_same_region():
    got = resolved(resolve_routes(trade_frame(("EU", "EU", "*", 1, 0), ("CN", "EU", "a", 2, None)),
                                  ["EU", "CN"], ["a", "b"]))
    assert got == {("CN", "EU", "a"): (2.0, None)}


# ================================================================= input errors
def test_text_in_lead_time_names_sheet_row_column_found_expected(tmp_path):
    path = write_case(tmp_path, None, **sheets(projects=[project(lead_time_years="two")]))
    err = input_error(path)
    assert 'projects row 2, column lead_time_years: got "two", expected a whole number >= 0' in str(err)
    assert str(err) == f'{path}: projects row 2, column lead_time_years: got "two", expected a whole number >= 0'
    assert err.issues == [Issue("projects", 2, "lead_time_years", "two", "a whole number >= 0", str(path))]


def test_all_errors_are_reported_together(tmp_path):
    # Cell problems (found while reading) and cross-sheet problems (validate) in one InputError,
    # sorted by sheet, then row.
    path = write_case(tmp_path, None, **sheets(
        projects=[project(lead_time_years="two"),                       # row 2: not a number
                  project("p2", region="XX"),                           # row 3: unknown region
                  project("p1", availability=1.5)],                     # row 4: duplicate id, > 1
        demand=[{"region": "EU", "commodity": "magnet", "year": 2025, "quantity_t": -5}],  # row 2
        trade=[{"from_region": "CN", "to_region": "EU", "commodity": "steel"}],            # row 2
    ))
    err = input_error(path)
    assert where(err) == {
        ("demand", 2, "quantity_t"),
        ("projects", 2, "lead_time_years"),
        ("projects", 3, "region"),
        ("projects", 4, "availability"),
        ("projects", 4, "project"),
        ("trade", 2, "commodity"),
    }
    text = str(err).splitlines()
    assert len(text) == 6
    assert all(line.startswith(f"{path}: ") for line in text)
    assert f'{path}: demand row 2, column quantity_t: got "-5", expected a number >= 0' in text
    assert f'{path}: projects row 4, column availability: got "1.5", expected a fraction in (0, 1] (did you mean 0.015?)' in text
    assert f'{path}: trade row 2, column commodity: got "steel", expected a commodity listed in sheet commodities' in text
    assert [(i.sheet, i.row) for i in err.issues] == sorted((i.sheet, i.row) for i in err.issues)


def test_unknown_region_reference(tmp_path):
    path = write_case(tmp_path, None, **sheets(projects=[project(region="XX")]))
    err = input_error(path)
    assert [str(i) for i in err.issues] == [
        f'{path}: projects row 2, column region: got "XX", expected a region listed in sheet regions']


def test_duplicate_project_id(tmp_path):
    path = write_case(tmp_path, None, **sheets(projects=[project(), project("p2"), project()]))
    err = input_error(path)
    assert [str(i) for i in err.issues] == [
        f'{path}: projects row 4, column project: got "p1", expected a unique project; repeats row 2']


def test_technology_with_no_output(tmp_path):
    path = write_case(tmp_path, None, **sheets(
        technologies=[{"technology": "sinter", "stage": "manufacturing"},
                      {"technology": "melt", "stage": "manufacturing"},     # row 3: input only
                      {"technology": "idle", "stage": "processing"}],       # row 4: no tech_io rows
        tech_io=[{"technology": "sinter", "commodity": "magnet", "coefficient": 1},
                 {"technology": "melt", "commodity": "magnet", "coefficient": -1}]))
    err = input_error(path)
    assert where(err) == {("technologies", 3, "technology"), ("technologies", 4, "technology")}
    assert (f'{path}: technologies row 3, column technology: got "melt", expected a technology with at '
            "least one output (positive coefficient in tech_io)") in str(err)


def test_committed_capacity_without_online_year(tmp_path):
    path = write_case(tmp_path, None, **sheets(projects=[project(committed_tpa=50)]))
    err = input_error(path)
    assert [str(i) for i in err.issues] == [
        f"{path}: projects row 2, column committed_online_year: expected a year, because committed_tpa > 0"]


def test_candidate_without_capex(tmp_path):
    path = write_case(tmp_path, None, **sheets(projects=[project(max_new_tpa=100)]))
    err = input_error(path)
    assert [str(i) for i in err.issues] == [
        f"{path}: projects row 2, column capex_usd_per_tpa: expected a capital cost, because max_new_tpa > 0"]


def test_max_supplier_share_at_stage_recycling(tmp_path):
    pol = {"policy": "k", "region": "EU", "material": "NdPr", "kind": "max_supplier_share", "share": 0.65}
    path = write_case(tmp_path, None, **sheets(policies=[{**pol, "stage": "processing"},
                                                        {**pol, "policy": "k2", "stage": "recycling"}]))
    err = input_error(path)
    assert len(err.issues) == 1
    i = err.issues[0]
    assert (i.sheet, i.row, i.column, i.found) == ("policies", 3, "stage", "recycling")
    assert "max_supplier_share" in i.expected


def test_budget_rows_disagreeing_on_carryover(tmp_path):
    path = write_case(tmp_path, None, **sheets(budgets=[
        {"budget": "b", "year": 2025, "amount_musd": 10, "carryover": "yes"},
        {"budget": "b", "year": 2026, "amount_musd": 10, "carryover": "yes"},
        {"budget": "b", "year": 2027, "amount_musd": 10},                    # row 4: blank = no
        {"budget": "c", "year": 2025, "amount_musd": 10, "carryover": "no"},
    ]))
    err = input_error(path)
    assert [str(i) for i in err.issues] == [
        f'{path}: budgets row 4, column carryover: got "no", expected the same carryover on every row of budget b']


def test_missing_sheet(tmp_path):
    path = edit(write_case(tmp_path, None, **sheets()), lambda wb: wb.remove(wb["regions"]))
    err = input_error(path)
    assert [str(i) for i in err.issues] == [f"{path}: regions: expected a sheet named regions"]


@pytest.mark.parametrize("title, hint", [
    ("Regions", ' (found "Regions")'),
    ("region", ' (did you mean "region"?)'),
])
def test_missing_sheet_with_near_miss_hint(tmp_path, title, hint):
    def rename(wb):
        wb["regions"].title = "tmp"  # openpyxl refuses a title equal but for case to an existing one
        wb["tmp"].title = title
    path = edit(write_case(tmp_path, None, **sheets()), rename)
    err = input_error(path)
    assert [str(i) for i in err.issues] == [f"{path}: regions: expected a sheet named regions{hint}"]


@pytest.mark.parametrize("header, hint", [
    ("lead_time_year", ' (did you mean "lead_time_year"?)'),
    ("Lead Time Years", ' (found "Lead Time Years")'),
])
def test_missing_column_with_near_miss_hint(tmp_path, header, hint):
    path = edit(write_case(tmp_path, None, **sheets()),
                lambda wb: rename_header(wb, "projects", "lead_time_years", header))
    err = input_error(path)
    assert [str(i) for i in err.issues] == [
        f"{path}: projects row 1, column lead_time_years: expected this column in the header row{hint}"]
    assert [(w.sheet, w.column) for w in err.warnings] == [("projects", header)]  # ignored column


def test_missing_column_without_a_near_miss(tmp_path):
    path = edit(write_case(tmp_path, None, **sheets()),
                lambda wb: rename_header(wb, "demand", "quantity_t", "amount"))
    err = input_error(path)
    assert [str(i) for i in err.issues] == [
        f"{path}: demand row 1, column quantity_t: expected this column in the header row"]


def test_optional_column_left_out_reads_its_default_and_a_misspelt_one_is_an_error(tmp_path):
    # write_study writes a version 2 column only when a row gives it: this projects header has none
    path = write_case(tmp_path, None, **sheets())
    header = [c.value for c in openpyxl.load_workbook(path)["projects"][1]]
    assert "ramp_years" not in header and "min_output_share" not in header
    t = read_tables(path)
    assert t.issues == [] and t.warnings == []
    assert t["projects"][["ramp_years", "min_output_share"]].values.tolist() == [[0, 0.0]]
    assert str(t["projects"]["ramp_years"].dtype) == "Int64"
    path = edit(write_case(tmp_path, None, name="typo", **sheets(projects=[
        {"project": "p1", "technology": "sinter", "region": "EU", "existing_tpa": 100, "ramp_years": 2}])),
        lambda wb: rename_header(wb, "projects", "ramp_years", "ramp_year"))
    err = input_error(path)
    assert [str(i) for i in err.issues] == [
        f'{path}: projects row 1, column ramp_years: expected this column in the header row (did you mean "ramp_year"?)']
    assert [(w.sheet, w.column) for w in err.warnings] == [("projects", "ramp_year")]


def test_version_2_sheet_left_out_is_empty_with_the_contract_columns(tmp_path):
    t = read_tables(write_case(tmp_path, None, **sheets()))
    for name in ("sales", "stocks"):
        assert t[name].empty and list(t[name].columns) == [ROW] + SHEET[name].names
    study = build_study(t)
    assert study.sell == {} and study.stocks == {}


def test_missing_required_setting(tmp_path):
    path = write_study(tmp_path / "s.xlsx", {"first_year": 2025}, sheets())
    err = input_error(path)
    assert len(err.issues) == 1
    i = err.issues[0]
    assert i.sheet == "settings" and "last_year" in i.expected


def test_not_an_xlsx_file_is_unreadable(tmp_path):
    path = tmp_path / "study.xlsx"
    path.write_text("region,name\nEU,Europe\n")
    with pytest.raises(WorkbookUnreadable) as e:
        read_tables(path)
    assert isinstance(e.value, InputError)
    assert str(e.value) == f"{path}: is not an Excel workbook (.xlsx)"


def test_missing_file_is_unreadable(tmp_path):
    with pytest.raises(WorkbookUnreadable) as e:
        read_tables(tmp_path / "nowhere.xlsx")
    assert str(e.value) == f"{tmp_path / 'nowhere.xlsx'}: file not found"
