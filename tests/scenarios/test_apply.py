"""Applying scenario rows to the typed tables: each op, blanks and defaults, order, year splits."""

import pandas as pd
import pytest

from conftest import one_region_chain, write_case
from model import scenarios
from model.read import read_tables

PROJECTS = [
    {"project": "a", "technology": "sinter", "region": "EU", "existing_tpa": 10, "max_new_tpa": 50,
     "capex_usd_per_tpa": 1000, "lead_time_years": 2},
    {"project": "b", "technology": "sinter", "region": "EU", "max_new_tpa": 20, "capex_usd_per_tpa": 3000},
    {"project": "c", "technology": "sinter", "region": "US"},  # every optional cell blank
]
SUPPLY = [
    {"offer": "cn", "region": "CN", "commodity": "magnet", "max_tpa": 100, "price_usd_per_t": 50},
    {"offer": "cn2", "region": "CN", "commodity": "magnet", "first_year": 2026, "price_usd_per_t": 70},
    {"offer": "au", "region": "US", "commodity": "magnet", "last_year": 2026, "max_tpa": 5},
]
POLICIES = [
    {"policy": "eu40", "region": "EU", "material": "NdPr", "kind": "min_domestic_share",
     "stage": "manufacturing", "share": 0.4, "first_year": 2026},
]


def applied(tmp_path, rows, name="s", **sheets):
    base = one_region_chain(regions=[{"region": "EU"}, {"region": "US"}, {"region": "CN"}],
                            projects=PROJECTS, supply=SUPPLY, policies=POLICIES,
                            demand=[{"region": "EU", "commodity": "magnet", "year": 2025, "quantity_t": 10}])
    base.update(sheets)
    rows = [{"scenario": name, **r} for r in rows]
    t = read_tables(write_case(tmp_path, settings={"first_year": 2025, "last_year": 2028}, scenarios=rows, **base))
    assert t.issues == []
    return scenarios.apply(t, name)


def col(a, sheet, column, key="project"):
    df = a.tables[sheet]
    return dict(zip(df[key], df[column]))


def edit(sheet, where, column, op, value):
    return {"sheet": sheet, "where": where, "column": column, "op": op, "value": value}


def test_base_is_the_workbook_itself(tmp_path):
    a = applied(tmp_path, [edit("projects", "*", "capex_usd_per_tpa", "scale", 2)])
    base = scenarios.apply(a.tables, "base")
    assert base.edits == [] and base.issues == []


def test_set_scale_add_on_numbers(tmp_path):
    a = applied(tmp_path, [
        edit("projects", "project=a", "capex_usd_per_tpa", "set", 1500),
        edit("projects", "project=b", "capex_usd_per_tpa", "scale", 1.3),
        edit("projects", "region=EU", "max_new_tpa", "add", 5),
    ])
    assert col(a, "projects", "capex_usd_per_tpa")["a"] == 1500
    assert col(a, "projects", "capex_usd_per_tpa")["b"] == pytest.approx(3900)
    assert col(a, "projects", "max_new_tpa") == {"a": 55, "b": 25, "c": 0}
    assert [e["matched"] for e in a.edits] == [1, 1, 2]
    assert a.issues == []


def test_rows_apply_in_order(tmp_path):
    scale_then_add = applied(tmp_path, [edit("projects", "project=a", "capex_usd_per_tpa", "scale", 2),
                                        edit("projects", "project=a", "capex_usd_per_tpa", "add", 100)])
    add_then_scale = applied(tmp_path, [edit("projects", "project=a", "capex_usd_per_tpa", "add", 100),
                                        edit("projects", "project=a", "capex_usd_per_tpa", "scale", 2)])
    assert col(scale_then_add, "projects", "capex_usd_per_tpa")["a"] == 2100
    assert col(add_then_scale, "projects", "capex_usd_per_tpa")["a"] == 2200


def test_each_row_sees_the_data_left_by_the_rows_before(tmp_path):
    # the second row selects by a value the first row wrote
    a = applied(tmp_path, [edit("projects", "project=b", "region", "set", "US"),
                           edit("projects", "region=US", "max_new_tpa", "set", 7)])
    assert col(a, "projects", "max_new_tpa") == {"a": 50, "b": 7, "c": 7}


def test_blanks_take_their_numeric_default_before_scale_and_add(tmp_path):
    a = applied(tmp_path, [
        edit("projects", "project=c", "lifetime_years", "add", 5),  # blank = 25
        edit("projects", "project=c", "availability", "scale", 0.9),  # blank = 1
        edit("projects", "project=c", "earliest_start_year", "add", 2),  # blank = first_year 2025
        edit("projects", "project=c", "lead_time_years", "add", 2),  # blank = 0
    ])
    assert col(a, "projects", "lifetime_years")["c"] == 30
    assert col(a, "projects", "availability")["c"] == pytest.approx(0.9)
    assert col(a, "projects", "earliest_start_year")["c"] == 2027
    assert col(a, "projects", "lead_time_years")["c"] == 2


def test_blanks_meaning_unlimited_hard_or_beyond_stay_blank(tmp_path):
    a = applied(tmp_path, [
        edit("supply", "offer=cn2", "max_tpa", "scale", 0.5),  # unlimited
        edit("projects", "project=c", "existing_retire_year", "add", 1),  # beyond the horizon
        edit("policies", "*", "penalty_usd_per_t", "add", 10),  # hard
    ])
    assert pd.isna(col(a, "supply", "max_tpa", "offer")["cn2"])
    assert pd.isna(col(a, "projects", "existing_retire_year")["c"])
    assert pd.isna(col(a, "policies", "penalty_usd_per_t", "policy")["eu40"])
    assert a.issues == []


def test_set_blank_restores_the_default(tmp_path):
    a = applied(tmp_path, [edit("supply", "offer=cn", "max_tpa", "set", None),
                           edit("projects", "project=a", "lead_time_years", "set", None)])
    assert pd.isna(col(a, "supply", "max_tpa", "offer")["cn"])
    assert col(a, "projects", "lead_time_years")["a"] == 0


def test_set_text_choice_and_yes_no(tmp_path):
    a = applied(tmp_path, [
        edit("policies", "*", "basis", "set", "capacity"),
        edit("budgets", "*", "carryover", "set", "yes"),
        edit("budgets", "*", "region", "set", "*"),
    ], budgets=[{"budget": "eu", "region": "EU", "year": 2025, "amount_musd": 10}])
    assert col(a, "policies", "basis", "policy")["eu40"] == "capacity"
    assert col(a, "budgets", "carryover", "budget")["eu"] is True
    assert col(a, "budgets", "region", "budget")["eu"] == "*"


def test_numeric_columns_keep_their_types(tmp_path):
    a = applied(tmp_path, [edit("projects", "*", "lead_time_years", "add", 2),
                           edit("projects", "*", "capex_usd_per_tpa", "scale", 1.3)])
    p = a.tables["projects"]
    assert str(p["lead_time_years"].dtype) == "Int64" and p["capex_usd_per_tpa"].dtype == float


def test_settings_edits(tmp_path):
    a = applied(tmp_path, [edit("settings", "key=discount_rate", "value", "set", 0.03),
                           edit("settings", "key=salvage", "value", "set", "no"),
                           edit("settings", "key=base_year", "value", "add", 1)])  # blank = first_year
    s = a.tables.settings
    assert s["discount_rate"] == 0.03 and s["salvage"] is False and s["base_year"] == 2026
    assert s["first_year"] == 2025 and s["last_year"] == 2028


# ---------------------------------------------------------------- year splits
def windows(a, sheet, key):
    df = a.tables[sheet]
    return [(r[key], None if pd.isna(r["first_year"]) else int(r["first_year"]),
             None if pd.isna(r["last_year"]) else int(r["last_year"]),
             None if pd.isna(r["max_tpa" if sheet == "supply" else "share"]) else
             float(r["max_tpa" if sheet == "supply" else "share"]), int(r["_row"]))
            for _, r in df.iterrows()]


def test_supply_edit_on_part_of_the_years_splits_the_row(tmp_path):
    a = applied(tmp_path, [edit("supply", "region=CN; year>=2027", "max_tpa", "set", 0)])
    # cn (row 2) spans the horizon 2025-2028: kept for 2025-2026, cut from 2027; ids and rows kept
    # cn2 (row 3) starts 2026: 2026 unchanged, 2027-2028 cut; au untouched, blank window kept
    assert windows(a, "supply", "offer") == [
        ("cn", 2025, 2026, 100.0, 2), ("cn", 2027, 2028, 0.0, 2),
        ("cn2", 2026, 2026, None, 3), ("cn2", 2027, 2028, 0.0, 3),
        ("au", None, 2026, 5.0, 4),
    ]
    assert a.edits[0]["matched"] == 4  # row-years: cn 2027, 2028; cn2 2027, 2028


def test_an_edit_of_every_year_keeps_the_row_whole(tmp_path):
    a = applied(tmp_path, [edit("supply", "offer=cn2", "price_usd_per_t", "scale", 2)])
    df = a.tables["supply"]
    r = df[df.offer == "cn2"]
    assert len(r) == 1 and r.first_year.iloc[0] == 2026 and pd.isna(r.last_year.iloc[0])
    assert r.price_usd_per_t.iloc[0] == 140


def test_a_middle_year_edit_gives_three_pieces_and_equal_years_merge_back(tmp_path):
    a = applied(tmp_path, [edit("supply", "offer=cn; year=2026", "max_tpa", "set", 1),
                           edit("supply", "offer=cn; year=2026", "max_tpa", "set", 100)])
    assert windows(a, "supply", "offer")[0] == ("cn", None, None, 100.0, 2)  # back to one row
    b = applied(tmp_path, [edit("supply", "offer=cn; year=2026", "max_tpa", "add", 1)])
    assert windows(b, "supply", "offer")[:3] == [("cn", 2025, 2025, 100.0, 2), ("cn", 2026, 2026, 101.0, 2),
                                                 ("cn", 2027, 2028, 100.0, 2)]


def test_policy_split_by_year(tmp_path):
    a = applied(tmp_path, [edit("policies", "policy=eu40; year>=2030", "share", "set", 0.5),
                           edit("policies", "policy=eu40; year<=2027", "share", "set", 0.2)],
                )
    assert a.issues[0].row == 2 and "match" in a.issues[0].expected  # 2030 is beyond the 2028 horizon
    assert windows(a, "policies", "policy") == [("eu40", 2026, 2027, 0.2, 2), ("eu40", 2028, 2028, 0.4, 2)]


def test_split_rows_pass_validation_and_solve(tmp_path):
    from model.data import build_study

    a = applied(tmp_path, [edit("supply", "region=CN; year>=2027", "max_tpa", "set", 0)])
    s = build_study(a.tables)
    assert s.buy[("cn", 2026)].max == 100 and s.buy[("cn", 2027)].max == 0
    assert ("cn2", 2025) not in s.buy and s.buy[("cn2", 2028)].max == 0


# ---------------------------------------------------------------- version 2 sheets and columns
SALES = [
    {"sale": "s1", "region": "EU", "commodity": "magnet", "max_tpa": 50, "price_usd_per_t": 3000},
    {"sale": "s2", "region": "US", "commodity": "magnet", "first_year": 2026, "max_tpa": 10, "price_usd_per_t": 4000},
]
STOCKS = [
    {"stock": "st", "region": "EU", "commodity": "magnet", "initial_t": 10, "max_t": 100},
    {"stock": "open", "region": "US", "commodity": "magnet"},  # every optional cell blank
]


def test_sales_edit_on_part_of_the_years_splits_the_row(tmp_path):
    from model.data import build_study

    a = applied(tmp_path, [edit("sales", "sale=s1; year>=2027", "price_usd_per_t", "scale", 0.5),
                           edit("sales", "region=US", "max_tpa", "set", 0)], sales=SALES)
    assert a.issues == [] and [e["matched"] for e in a.edits] == [2, 3]  # row-years: s1 2027-28; s2 2026-28
    df = a.tables["sales"]
    got = [(r["sale"], None if pd.isna(r["first_year"]) else int(r["first_year"]),
            None if pd.isna(r["last_year"]) else int(r["last_year"]), r["max_tpa"], r["price_usd_per_t"], r["_row"])
           for r in df.to_dict("records")]
    assert got == [("s1", 2025, 2026, 50, 3000, 2), ("s1", 2027, 2028, 50, 1500, 2), ("s2", 2026, None, 0, 4000, 3)]
    s = build_study(a.tables)
    assert s.sell[("s1", 2026)].price == pytest.approx(3000e-6) and s.sell[("s1", 2027)].price == pytest.approx(1500e-6)
    assert ("s2", 2025) not in s.sell and s.sell[("s2", 2028)].max == 0


def test_stocks_edits(tmp_path):
    a = applied(tmp_path, [edit("stocks", "stock=st", "min_t", "set", 5),
                           edit("stocks", "*", "holding_cost_usd_per_t", "add", 7),  # blank = 0
                           edit("stocks", "*", "max_t", "scale", 2),  # blank = unlimited stays blank
                           edit("stocks", "region=US", "final_t", "set", 3)], stocks=STOCKS)
    assert a.issues == [] and [e["matched"] for e in a.edits] == [1, 2, 2, 1]
    assert col(a, "stocks", "min_t", "stock") == {"st": 5, "open": 0}
    assert col(a, "stocks", "holding_cost_usd_per_t", "stock") == {"st": 7, "open": 7}
    assert col(a, "stocks", "max_t", "stock")["st"] == 200 and pd.isna(col(a, "stocks", "max_t", "stock")["open"])
    assert col(a, "stocks", "final_t", "stock") == {"st": 0, "open": 3}
    assert a.tables["stocks"]["_row"].tolist() == [2, 3]


def test_version_2_columns_are_editable_also_when_the_header_lacks_them(tmp_path):
    # the projects, trade and policies sheets written here have no version 2 column in the header
    a = applied(tmp_path, [edit("projects", "project=a", "ramp_years", "add", 2),  # blank = 0
                           edit("projects", "region=EU", "min_output_share", "set", "30 %"),
                           edit("trade", "from_region=CN", "last_year", "set", 2026),  # trade rows are not split
                           edit("policies", "*", "group", "set", "crma")],
                trade=[{"from_region": "CN", "to_region": "*"}, {"from_region": "US", "to_region": "EU"}])
    assert a.issues == []
    assert col(a, "projects", "ramp_years") == {"a": 2, "b": 0, "c": 0}
    assert col(a, "projects", "min_output_share") == {"a": 0.3, "b": 0.3, "c": 0.0}
    trade = a.tables["trade"]
    assert len(trade) == 2 and trade["last_year"].tolist()[0] == 2026 and pd.isna(trade["last_year"].tolist()[1])
    assert pd.isna(trade["first_year"]).all()
    assert col(a, "policies", "group", "policy") == {"eu40": "crma"}
