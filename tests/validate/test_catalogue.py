"""A catalogue of broken workbooks: each breaks one rule of the workbook contract.

Every case starts from one good multi-sheet study (built here as Python dicts), changes one
thing, runs `reeplan solve` on it and checks that the user gets exit code 2, an error that
names the exact sheet, Excel row and column (and the value found / what was expected), no
traceback, and no output folder. Most cases run in-process through click's CliRunner; a
handful run through a real subprocess as a user would.

Excel rows: the header is row 1, so the i-th dict of a sheet (0-based) is Excel row i + 2.
"""

from __future__ import annotations

import copy
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import openpyxl
import pytest
from click.testing import CliRunner

from model.cli import main
from model.write.workbook import write_study

# ------------------------------------------------------------------------ the good study
GOOD_SETTINGS = {  # Excel rows 2..7 of settings, in this order
    "first_year": 2025,
    "last_year": 2030,
    "base_year": 2025,
    "discount_rate": 0.08,
    "salvage": "yes",
    "unmet_penalty_usd_per_t": 100000,
}
SETTINGS_ROW = {k: i + 2 for i, k in enumerate(GOOD_SETTINGS)}

_GOOD: dict[str, list[dict]] = {
    "sources": [  # row 2
        {"source": "usgs", "title": "Mineral Commodity Summaries", "publisher": "USGS", "year": 2024,
         "url": "https://www.usgs.gov"},
    ],
    "regions": [  # EU 2, US 3, AU 4, CN 5
        {"region": "EU", "name": "European Union"},
        {"region": "US", "name": "United States"},
        {"region": "AU", "name": "Australia"},
        {"region": "CN", "name": "China"},
    ],
    "materials": [  # NdPr 2, DyTb 3
        {"material": "NdPr", "name": "neodymium-praseodymium oxide"},
        {"material": "DyTb", "name": "dysprosium-terbium oxide"},
    ],
    "commodities": [  # ore 2, oxide 3, magnet 4, scrap 5
        {"commodity": "ore", "name": "mixed concentrate", "stage": "extraction"},
        {"commodity": "oxide", "name": "NdPr oxide", "stage": "processing"},
        {"commodity": "magnet", "name": "sintered NdFeB magnet", "stage": "manufacturing",
         "unmet_penalty_usd_per_t": 500000},
        {"commodity": "scrap", "name": "magnet scrap"},
    ],
    "content": [  # rows 2..6
        {"commodity": "ore", "material": "NdPr", "t_per_t": 0.05},
        {"commodity": "oxide", "material": "NdPr", "t_per_t": 1.0},
        {"commodity": "magnet", "material": "NdPr", "t_per_t": 0.31},
        {"commodity": "magnet", "material": "DyTb", "t_per_t": 0.01},
        {"commodity": "scrap", "material": "NdPr", "t_per_t": 0.3},
    ],
    "technologies": [  # mine 2, refine 3, sinter 4, recycle 5
        {"technology": "mine", "stage": "extraction", "name": "open-pit mine and concentrator"},
        {"technology": "refine", "stage": "processing", "name": "separation and refining"},
        {"technology": "sinter", "stage": "manufacturing", "name": "magnet sintering"},
        {"technology": "recycle", "stage": "recycling", "name": "hydrometallurgical recycling"},
    ],
    "tech_io": [  # rows 2..8
        {"technology": "mine", "commodity": "ore", "coefficient": 1},
        {"technology": "refine", "commodity": "oxide", "coefficient": 1},
        {"technology": "refine", "commodity": "ore", "coefficient": -20},
        {"technology": "sinter", "commodity": "magnet", "coefficient": 1},
        {"technology": "sinter", "commodity": "oxide", "coefficient": -0.31},
        {"technology": "recycle", "commodity": "oxide", "coefficient": 0.25},
        {"technology": "recycle", "commodity": "scrap", "coefficient": -1},
    ],
    "projects": [  # au_mine 2 (existing), us_refine 3 (committed), eu_refine 4, eu_sinter 5, eu_recycle 6
        {"project": "au_mine", "technology": "mine", "region": "AU", "existing_tpa": 20000,
         "existing_retire_year": 2040, "fixed_om_usd_per_tpa": 50, "var_cost_usd_per_t": 200,
         "source": "usgs"},
        {"project": "us_refine", "technology": "refine", "region": "US", "committed_tpa": 500,
         "committed_online_year": 2026, "var_cost_usd_per_t": 5000, "note": "under construction"},
        {"project": "eu_refine", "technology": "refine", "region": "EU", "max_new_tpa": 2000,
         "capex_usd_per_tpa": 60000, "lead_time_years": 2, "earliest_start_year": 2025,
         "lifetime_years": 20, "availability": 0.9},
        {"project": "eu_sinter", "technology": "sinter", "region": "EU", "existing_tpa": 1000,
         "max_new_tpa": 5000, "capex_usd_per_tpa": 20000, "lead_time_years": 1},
        {"project": "eu_recycle", "technology": "recycle", "region": "EU", "max_new_tpa": 1000,
         "capex_usd_per_tpa": 15000},
    ],
    "supply": [  # cn_oxide 2, cn_magnet 3, eu_scrap 4
        {"offer": "cn_oxide", "region": "CN", "commodity": "oxide", "max_tpa": 10000, "price_usd_per_t": 60000},
        {"offer": "cn_magnet", "region": "CN", "commodity": "magnet", "first_year": 2025, "last_year": 2030,
         "price_usd_per_t": 80000, "source": "usgs"},
        {"offer": "eu_scrap", "region": "EU", "commodity": "scrap", "max_tpa": 500, "price_usd_per_t": 1000},
    ],
    "trade": [  # rows 2..4
        {"from_region": "*", "to_region": "*", "commodity": "*", "cost_usd_per_t": 100},
        {"from_region": "CN", "to_region": "EU", "commodity": "magnet", "cost_usd_per_t": 2000, "max_tpa": 3000},
        {"from_region": "AU", "to_region": "*", "commodity": "ore", "cost_usd_per_t": 50},
    ],
    "demand": (  # EU magnet 2025..2030 rows 2..7, US magnet 2025..2030 rows 8..13
        [{"region": "EU", "commodity": "magnet", "year": y, "quantity_t": 3000 + 400 * (y - 2025)}
         for y in range(2025, 2031)]
        + [{"region": "US", "commodity": "magnet", "year": y, "quantity_t": 1000} for y in range(2025, 2031)]
    ),
    "budgets": [  # eu_fund 2026 row 2, eu_fund 2027 row 3, global 2025 row 4
        {"budget": "eu_fund", "region": "EU", "stage": "processing", "year": 2026, "amount_musd": 100,
         "carryover": "yes"},
        {"budget": "eu_fund", "region": "EU", "stage": "processing", "year": 2027, "amount_musd": 100,
         "carryover": "yes"},
        {"budget": "global", "year": 2025, "amount_musd": 500},
    ],
    "policies": [  # crma_proc 2, crma_supplier 3, crma_recycling 4
        {"policy": "crma_proc", "region": "EU", "material": "NdPr", "kind": "min_domestic_share",
         "stage": "processing", "share": 0.4, "first_year": 2028, "basis": "output", "penalty_usd_per_t": 1e6},
        {"policy": "crma_supplier", "region": "EU", "material": "NdPr", "kind": "max_supplier_share",
         "stage": "manufacturing", "share": 0.65, "first_year": 2028, "last_year": 2030,
         "penalty_usd_per_t": 1e6},
        {"policy": "crma_recycling", "region": "EU", "material": "NdPr", "kind": "min_domestic_share",
         "stage": "recycling", "share": 0.25, "first_year": 2030, "basis": "capacity",
         "penalty_usd_per_t": 1e6},
    ],
}
DOC_EXTRA = {"projects": ["source", "note"], "supply": ["source", "note"]}


def good_settings() -> dict:
    return dict(GOOD_SETTINGS)


def good_sheets() -> dict[str, list[dict]]:
    return copy.deepcopy(_GOOD)


def write_good(path: Path, edit: Callable[[dict, dict], None] | None = None,
               post: Callable[[openpyxl.Workbook], None] | None = None,
               extra_columns: dict[str, list[str]] | None = None) -> Path:
    """Write the good study to `path`, after `edit(settings, sheets)` on the dicts and `post(wb)`
    on the written workbook (for what dicts cannot say: renamed sheets or headers)."""
    settings, sheets = good_settings(), good_sheets()
    if edit:
        edit(settings, sheets)
    extra = {k: list(v) for k, v in DOC_EXTRA.items()}
    for sheet, cols in (extra_columns or {}).items():
        extra.setdefault(sheet, []).extend(c for c in cols if c not in extra.get(sheet, []))
    write_study(path, settings, sheets, extra_columns=extra)
    if post:
        wb = openpyxl.load_workbook(path)
        post(wb)
        wb.save(path)
    return path


# ------------------------------------------------------------------------ edits
def put(sheet: str, row: int, column: str, value):
    """Set the cell at Excel `row` of `sheet` (None writes an empty cell)."""
    def edit(settings, sheets):
        sheets[sheet][row - 2][column] = value
    return edit


def puts(*edits):
    def edit(settings, sheets):
        for e in edits:
            e(settings, sheets)
    return edit


def add(_sheet: str, **row):
    """Append a row to sheet `_sheet` (it becomes Excel row len(rows) + 2)."""
    def edit(settings, sheets):
        sheets.setdefault(_sheet, []).append(row)
    return edit


def copy_row(sheet: str, row: int, **changes):
    """Append a copy of Excel `row` of `sheet`, with changes."""
    def edit(settings, sheets):
        sheets[sheet].append({**sheets[sheet][row - 2], **changes})
    return edit


def setting(key: str, value):
    def edit(settings, sheets):
        settings[key] = value
    return edit


def drop_setting(key: str):
    def edit(settings, sheets):
        del settings[key]
    return edit


def drop_sheet(name: str):
    def post(wb):
        del wb[name]
    return post


def rename_sheet(name: str, new: str):
    def post(wb):
        wb[name].title = new
    return post


def rename_header(sheet: str, column: str, new):
    def post(wb):
        ws = wb[sheet]
        for cell in ws[1]:
            if cell.value == column:
                cell.value = new
                return
        raise AssertionError(f"no header {column} in {sheet}")
    return post


def drop_column(sheet: str, column: str):
    def post(wb):
        ws = wb[sheet]
        for cell in ws[1]:
            if cell.value == column:
                ws.delete_cols(cell.column)
                return
        raise AssertionError(f"no header {column} in {sheet}")
    return post


# ------------------------------------------------------------------------ the catalogue
@dataclass
class Case:
    id: str
    sheet: str
    row: int | None  # Excel row; None when the error names a whole sheet or a missing settings key
    column: str | None
    text: str | tuple[str, ...]  # fragment(s) of the message after the location
    edit: Callable | None = None
    post: Callable | None = None

    @property
    def where(self) -> str:
        """The location as the message spells it: `<sheet> row <n>, column <col>`."""
        w = self.sheet
        if self.row:
            w += f" row {self.row}"
        if self.column:
            w += f", column {self.column}"
        return w


P, S = SETTINGS_ROW, "settings"
CASES = [
    # ---- wrong types
    Case("text_in_whole", "projects", 4, "lead_time_years", 'got "two", expected a whole number >= 0',
         put("projects", 4, "lead_time_years", "two")),
    Case("text_in_number", "projects", 4, "capex_usd_per_tpa", 'got "lots", expected a number >= 0',
         put("projects", 4, "capex_usd_per_tpa", "lots")),
    Case("fractional_year_demand", "demand", 5, "year", 'got "2027.5", expected a',
         put("demand", 5, "year", 2027.5)),
    Case("fractional_online_year", "projects", 3, "committed_online_year", 'got "2026.5", expected a',
         put("projects", 3, "committed_online_year", 2026.5)),
    Case("bad_yesno_budget", "budgets", 4, "carryover", 'got "maybe", expected yes or no',
         put("budgets", 4, "carryover", "maybe")),
    Case("bad_yesno_setting", S, P["salvage"], "value", 'got "perhaps", expected salvage: yes or no',
         setting("salvage", "perhaps")),
    Case("bad_commodity_stage", "commodities", 3, "stage",
         'got "refining", expected one of extraction, processing, manufacturing',
         put("commodities", 3, "stage", "refining")),
    Case("bad_technology_stage", "technologies", 5, "stage",
         'got "recyling", expected one of extraction, processing, manufacturing, recycling',
         put("technologies", 5, "stage", "recyling")),
    Case("bad_policy_kind", "policies", 2, "kind", 'got "min_share", expected one of min_domestic_share, '
         "max_supplier_share", put("policies", 2, "kind", "min_share")),
    Case("bad_policy_stage", "policies", 2, "stage", 'got "separation", expected one of extraction',
         put("policies", 2, "stage", "separation")),
    Case("bad_basis", "policies", 2, "basis", 'got "input", expected one of output, capacity',
         put("policies", 2, "basis", "input")),
    Case("bad_budget_stage", "budgets", 4, "stage", 'got "refining", expected one of extraction',
         put("budgets", 4, "stage", "refining")),
    Case("recycling_is_no_commodity_stage", "commodities", 5, "stage",
         'got "recycling", expected one of extraction, processing, manufacturing',
         put("commodities", 5, "stage", "recycling")),
    Case("fractional_lifetime", "projects", 4, "lifetime_years", 'got "20.5", expected a whole number >= 1',
         put("projects", 4, "lifetime_years", 20.5)),
    Case("fractional_first_year_setting", S, P["first_year"], "value", 'got "2025.5", expected first_year',
         setting("first_year", 2025.5)),
    Case("text_coefficient", "tech_io", 4, "coefficient", 'got "minus twenty", expected a number',
         put("tech_io", 4, "coefficient", "minus twenty")),
    Case("unit_in_content", "content", 4, "t_per_t", 'got "0.31 t", expected a number >= 0',
         put("content", 4, "t_per_t", "0.31 t")),
    Case("text_price", "supply", 2, "price_usd_per_t", 'got "60k", expected a number >= 0',
         put("supply", 2, "price_usd_per_t", "60k")),
    Case("text_trade_max", "trade", 3, "max_tpa", 'got "lots", expected a number >= 0',
         put("trade", 3, "max_tpa", "lots")),
    Case("text_first_year_setting", S, P["first_year"], "value", 'got "twenty25", expected first_year',
         setting("first_year", "twenty25")),
    Case("text_discount_rate", S, P["discount_rate"], "value", 'got "8 percent", expected discount_rate',
         setting("discount_rate", "8 percent")),
    Case("bad_scenario_op", "scenarios", 2, "op", 'got "multiply", expected one of set, scale, add',
         add("scenarios", scenario="cheap", sheet="supply", where="*", column="price_usd_per_t",
             op="multiply", value=0.5)),
    # ---- ranges
    Case("share_above_1", "policies", 2, "share", 'got "1.5", expected a fraction in [0, 1] (did you mean 0.015?)',
         put("policies", 2, "share", 1.5)),
    Case("share_negative", "policies", 3, "share", 'got "-0.1", expected a fraction in [0, 1]',
         put("policies", 3, "share", -0.1)),
    Case("negative_content", "content", 2, "t_per_t", 'got "-0.05", expected a number >= 0',
         put("content", 2, "t_per_t", -0.05)),
    Case("negative_demand", "demand", 3, "quantity_t", 'got "-5", expected a number >= 0',
         put("demand", 3, "quantity_t", -5)),
    Case("negative_existing", "projects", 2, "existing_tpa", 'got "-1", expected a number >= 0',
         put("projects", 2, "existing_tpa", -1)),
    Case("negative_committed", "projects", 3, "committed_tpa", 'got "-500", expected a number >= 0',
         put("projects", 3, "committed_tpa", -500)),
    Case("negative_max_new", "projects", 5, "max_new_tpa", 'got "-5000", expected a number >= 0',
         put("projects", 5, "max_new_tpa", -5000)),
    Case("negative_capex", "projects", 4, "capex_usd_per_tpa", 'got "-60000", expected a number >= 0',
         put("projects", 4, "capex_usd_per_tpa", -60000)),
    Case("negative_fixed_om", "projects", 2, "fixed_om_usd_per_tpa", 'got "-50", expected a number >= 0',
         put("projects", 2, "fixed_om_usd_per_tpa", -50)),
    Case("negative_var_cost", "projects", 3, "var_cost_usd_per_t", 'got "-1", expected a number >= 0',
         put("projects", 3, "var_cost_usd_per_t", -1)),
    Case("negative_supply_max", "supply", 2, "max_tpa", 'got "-10", expected a number >= 0',
         put("supply", 2, "max_tpa", -10)),
    Case("negative_price", "supply", 4, "price_usd_per_t", 'got "-1", expected a number >= 0',
         put("supply", 4, "price_usd_per_t", -1)),
    Case("negative_trade_cost", "trade", 2, "cost_usd_per_t", 'got "-100", expected a number >= 0',
         put("trade", 2, "cost_usd_per_t", -100)),
    Case("negative_budget", "budgets", 3, "amount_musd", 'got "-100", expected a number >= 0',
         put("budgets", 3, "amount_musd", -100)),
    Case("negative_unmet_penalty", "commodities", 4, "unmet_penalty_usd_per_t", 'got "-1", expected a number >= 0',
         put("commodities", 4, "unmet_penalty_usd_per_t", -1)),
    Case("negative_policy_penalty", "policies", 2, "penalty_usd_per_t", 'got "-1", expected a number >= 0',
         put("policies", 2, "penalty_usd_per_t", -1)),
    Case("negative_setting_penalty", S, P["unmet_penalty_usd_per_t"], "value", 'got "-1"',
         setting("unmet_penalty_usd_per_t", -1)),
    Case("negative_discount_rate", S, P["discount_rate"], "value", 'got "-0.1", expected discount_rate',
         setting("discount_rate", -0.1)),
    Case("negative_time_limit", S, len(GOOD_SETTINGS) + 2, "value", 'got "-5", expected solver_time_limit_s',
         setting("solver_time_limit_s", -5)),
    Case("availability_0", "projects", 4, "availability", 'got "0", expected a fraction in (0, 1]',
         put("projects", 4, "availability", 0)),
    Case("availability_1_5", "projects", 4, "availability", 'got "1.5", expected a fraction in (0, 1]',
         put("projects", 4, "availability", 1.5)),
    Case("lifetime_0", "projects", 4, "lifetime_years", 'got "0", expected a whole number >= 1',
         put("projects", 4, "lifetime_years", 0)),
    Case("negative_lead_time", "projects", 5, "lead_time_years", 'got "-1", expected a whole number >= 0',
         put("projects", 5, "lead_time_years", -1)),
    Case("supply_years_reversed", "supply", 3, "last_year", 'got "2026", expected last_year >= first_year',
         puts(put("supply", 3, "first_year", 2029), put("supply", 3, "last_year", 2026))),
    Case("policy_years_reversed", "policies", 3, "last_year", 'got "2028", expected last_year >= first_year',
         puts(put("policies", 3, "first_year", 2030), put("policies", 3, "last_year", 2028))),
    Case("settings_years_reversed", S, P["last_year"], "value", 'got "2026", expected last_year >= first_year',
         puts(setting("first_year", 2030), setting("last_year", 2026))),
    # ---- required cells left blank
    Case("blank_project_id", "projects", 3, "project", "expected a value", put("projects", 3, "project", None)),
    Case("blank_project_region", "projects", 5, "region", "expected a value", put("projects", 5, "region", None)),
    Case("blank_project_technology", "projects", 2, "technology", "expected a value",
         put("projects", 2, "technology", None)),
    Case("blank_amount", "budgets", 4, "amount_musd", "expected a value", put("budgets", 4, "amount_musd", None)),
    Case("blank_budget_year", "budgets", 2, "year", "expected a value", put("budgets", 2, "year", None)),
    Case("blank_share", "policies", 2, "share", "expected a value", put("policies", 2, "share", None)),
    Case("blank_policy_kind", "policies", 3, "kind", "expected a value", put("policies", 3, "kind", None)),
    Case("blank_policy_material", "policies", 4, "material", "expected a value",
         put("policies", 4, "material", None)),
    Case("spaces_only_region_id", "regions", 3, "region", "expected a value", put("regions", 3, "region", "   ")),
    Case("blank_material_id", "materials", 3, "material", "expected a value", put("materials", 3, "material", None)),
    Case("blank_commodity_id", "commodities", 5, "commodity", "expected a value",
         put("commodities", 5, "commodity", None)),
    Case("blank_offer", "supply", 3, "offer", "expected a value", put("supply", 3, "offer", None)),
    Case("blank_trade_from", "trade", 3, "from_region", "expected a value", put("trade", 3, "from_region", None)),
    Case("blank_demand_year", "demand", 2, "year", "expected a value", put("demand", 2, "year", None)),
    Case("blank_demand_quantity", "demand", 9, "quantity_t", "expected a value",
         put("demand", 9, "quantity_t", None)),
    Case("blank_coefficient", "tech_io", 2, "coefficient", "expected a value", put("tech_io", 2, "coefficient", None)),
    Case("blank_t_per_t", "content", 3, "t_per_t", "expected a value", put("content", 3, "t_per_t", None)),
    Case("blank_first_year_setting", S, P["first_year"], "value", "expected a value for first_year",
         setting("first_year", None)),
    Case("blank_last_year_setting", S, P["last_year"], "value", "expected a value for last_year",
         setting("last_year", None)),
    Case("missing_last_year_setting", S, None, "key", "expected a value for last_year", drop_setting("last_year")),
    # ---- duplicate ids and repeated keys
    Case("duplicate_region", "regions", 6, "region", 'got "EU", expected a unique region; repeats row 2',
         add("regions", region="EU", name="Europe again")),
    Case("duplicate_region_after_trim", "regions", 6, "region", 'got "US", expected a unique region; repeats row 3',
         add("regions", region=" US ")),
    Case("duplicate_material", "materials", 4, "material", 'got "NdPr", expected a unique material; repeats row 2',
         add("materials", material="NdPr")),
    Case("duplicate_commodity", "commodities", 6, "commodity", "repeats row 3",
         add("commodities", commodity="oxide", stage="processing")),
    Case("duplicate_technology", "technologies", 6, "technology", "repeats row 4",
         add("technologies", technology="sinter", stage="manufacturing")),
    Case("duplicate_project", "projects", 7, "project", 'got "eu_refine", expected a unique project; repeats row 4',
         copy_row("projects", 4)),
    Case("duplicate_offer", "supply", 5, "offer", 'got "cn_magnet", expected a unique offer; repeats row 3',
         copy_row("supply", 3, price_usd_per_t=90000)),
    Case("duplicate_policy", "policies", 5, "policy", 'got "crma_proc", expected a unique policy; repeats row 2',
         copy_row("policies", 2, share=0.5)),
    Case("duplicate_source", "sources", 3, "source", 'got "usgs", expected a unique source; repeats row 2',
         add("sources", source="usgs", title="again")),
    Case("repeated_demand_key", "demand", 14, "year",
         'got "2027", expected a unique (region, commodity, year); repeats row 4',
         add("demand", region="EU", commodity="magnet", year=2027, quantity_t=1)),
    Case("repeated_content_key", "content", 7, "material", "a unique (commodity, material); repeats row 4",
         add("content", commodity="magnet", material="NdPr", t_per_t=0.3)),
    Case("repeated_tech_io_key", "tech_io", 9, "commodity", "a unique (technology, commodity); repeats row 4",
         add("tech_io", technology="refine", commodity="ore", coefficient=-19)),
    Case("repeated_budget_year", "budgets", 5, "year", "a unique (budget, year); repeats row 3",
         copy_row("budgets", 3, amount_musd=50)),
    # ---- unknown references
    Case("unknown_project_region", "projects", 2, "region", 'got "XX", expected a region listed in sheet regions',
         put("projects", 2, "region", "XX")),
    Case("unknown_project_region_case", "projects", 5, "region", 'got "eu", expected a region listed',
         put("projects", 5, "region", "eu")),
    Case("unknown_project_technology", "projects", 4, "technology",
         'got "smelter", expected a technology listed in sheet technologies',
         put("projects", 4, "technology", "smelter")),
    Case("unknown_supply_region", "supply", 2, "region", 'got "JP", expected a region listed',
         put("supply", 2, "region", "JP")),
    Case("unknown_supply_commodity", "supply", 3, "commodity", 'got "alloy", expected a commodity listed',
         put("supply", 3, "commodity", "alloy")),
    Case("unknown_trade_from", "trade", 3, "from_region", 'got "RU", expected a region listed',
         put("trade", 3, "from_region", "RU")),
    Case("unknown_trade_to", "trade", 4, "to_region", 'got "Eu", expected a region listed',
         put("trade", 4, "to_region", "Eu")),
    Case("unknown_trade_commodity", "trade", 4, "commodity", 'got "concentrate", expected a commodity listed',
         put("trade", 4, "commodity", "concentrate")),
    Case("unknown_demand_region", "demand", 5, "region", 'got "UK", expected a region listed',
         put("demand", 5, "region", "UK")),
    Case("unknown_demand_commodity", "demand", 10, "commodity", 'got "magnets", expected a commodity listed',
         put("demand", 10, "commodity", "magnets")),
    Case("unknown_content_commodity", "content", 6, "commodity", 'got "swarf", expected a commodity listed',
         put("content", 6, "commodity", "swarf")),
    Case("unknown_content_material", "content", 5, "material", 'got "Dy", expected a material listed in sheet '
         "materials", put("content", 5, "material", "Dy")),
    Case("unknown_tech_io_technology", "tech_io", 5, "technology", 'got "sintering", expected a technology listed',
         put("tech_io", 5, "technology", "sintering")),
    Case("unknown_tech_io_commodity", "tech_io", 6, "commodity", 'got "metal", expected a commodity listed',
         put("tech_io", 6, "commodity", "metal")),
    Case("wildcard_not_allowed_in_demand", "demand", 4, "region", 'got "*", expected a region listed',
         put("demand", 4, "region", "*")),
    Case("wildcard_not_allowed_in_policy", "policies", 2, "region", 'got "*", expected a region listed',
         put("policies", 2, "region", "*")),
    Case("wildcard_not_allowed_in_supply", "supply", 4, "commodity", 'got "*", expected a commodity listed',
         put("supply", 4, "commodity", "*")),
    Case("unknown_budget_region", "budgets", 4, "region", 'got "JP", expected a region listed',
         put("budgets", 4, "region", "JP")),
    Case("unknown_policy_region", "policies", 2, "region", 'got "EEU", expected a region listed',
         put("policies", 2, "region", "EEU")),
    Case("unknown_policy_material", "policies", 3, "material", 'got "NdFeB", expected a material listed',
         put("policies", 3, "material", "NdFeB")),
    # ---- cross-row and cross-sheet rules
    Case("technology_without_output", "technologies", 2, "technology",
         'got "mine", expected a technology with at least one output',
         put("tech_io", 2, "coefficient", -1)),
    Case("technology_without_tech_io", "technologies", 6, "technology", 'got "smelt", expected a technology with',
         add("technologies", technology="smelt", stage="processing")),
    Case("committed_without_online_year", "projects", 3, "committed_online_year", "because committed_tpa > 0",
         put("projects", 3, "committed_online_year", None)),
    Case("candidate_without_capex", "projects", 6, "capex_usd_per_tpa", "because max_new_tpa > 0",
         put("projects", 6, "capex_usd_per_tpa", None)),
    Case("budget_carryover_disagrees", "budgets", 3, "carryover",
         'got "no", expected the same carryover on every row of budget eu_fund',
         put("budgets", 3, "carryover", "no")),
    Case("budget_region_disagrees", "budgets", 3, "region", 'got "US", expected the same region on every row',
         put("budgets", 3, "region", "US")),
    Case("budget_region_blank_disagrees", "budgets", 3, "region", 'got "*", expected the same region on every row',
         put("budgets", 3, "region", None)),  # blank means *, which is not EU
    Case("budget_stage_disagrees", "budgets", 3, "stage", 'got "manufacturing", expected the same stage',
         put("budgets", 3, "stage", "manufacturing")),
    Case("supplier_share_at_recycling", "policies", 3, "stage", 'got "recycling", expected extraction, '
         "processing or manufacturing", put("policies", 3, "stage", "recycling")),
    Case("repeated_setting", S, len(GOOD_SETTINGS) + 2, "key", 'got "discount_rate", expected each key once',
         lambda s, sh: s.update({"discount_rate ": 0.05})),  # trimmed: a second discount_rate row
    # ---- missing sheets and columns
    Case("missing_sheet", "demand", None, None, "expected a sheet named demand", post=drop_sheet("demand")),
    Case("missing_settings_sheet", "settings", None, None, "expected a sheet named settings",
         post=drop_sheet("settings")),
    Case("sheet_wrong_case", "projects", None, None, 'expected a sheet named projects (found "Projects")',
         post=rename_sheet("projects", "Projects ")),
    Case("sheet_near_miss", "technologies", None, None,
         'expected a sheet named technologies (did you mean "technology"?)',
         post=rename_sheet("technologies", "technology")),
    # the hint must point at the misspelt header, not at another contract column that is present
    Case("header_with_space", "projects", 1, "lead_time_years",
         ("expected this column in the header row", '"lead time"'),
         post=rename_header("projects", "lead_time_years", "lead time")),
    Case("header_near_miss", "projects", 1, "capex_usd_per_tpa",
         'expected this column in the header row (did you mean "capex_usd_per_t"?)',
         post=rename_header("projects", "capex_usd_per_tpa", "capex_usd_per_t")),
    Case("header_missing", "policies", 1, "basis", "expected this column in the header row",
         post=drop_column("policies", "basis")),
    Case("settings_header_case", S, 1, "value", 'expected this column in the header row (found "Value")',
         post=rename_header("settings", "value", "Value")),
    # ---- values that must be reported as input errors, never crash the reader or the console
    Case("markup_like_id", "projects", 2, "region", 'got "[/EU]", expected a region listed in sheet regions',
         put("projects", 2, "region", "[/EU]")),
    Case("markup_like_text_value", "projects", 4, "lead_time_years", 'got "[bold]two", expected a whole number',
         put("projects", 4, "lead_time_years", "[bold]two")),
    Case("year_beyond_int64", "demand", 2, "year", 'got "1',
         put("demand", 2, "year", 1e19)),
    Case("retire_year_beyond_int64", "projects", 2, "existing_retire_year", 'got "1',
         put("projects", 2, "existing_retire_year", 1e30)),
]

# A few run through a real `python -m model` subprocess, as a user runs them.
SUBPROCESS = {"text_in_whole", "duplicate_project", "unknown_trade_commodity", "missing_sheet",
              "header_with_space", "budget_carryover_disagrees", "blank_first_year_setting", "markup_like_id"}


def test_catalogue_is_large_and_ids_unique():
    assert len(CASES) >= 40
    assert len({c.id for c in CASES}) == len(CASES)
    assert SUBPROCESS <= {c.id for c in CASES}


# ------------------------------------------------------------------------ running reeplan
@dataclass
class Run:
    code: int
    output: str  # stdout and stderr together
    crashed: str = ""  # an exception other than SystemExit (in-process) or a traceback (subprocess)


def run_cli(*args: str) -> Run:
    """`reeplan ARGS` in-process: exit code, all output, and any exception that escaped."""
    result = CliRunner().invoke(main, list(args), catch_exceptions=True)
    crashed = ""
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        crashed = f"{type(result.exception).__name__}: {result.exception}"
    return Run(result.exit_code, result.output, crashed)


def run_subprocess(*args: str) -> Run:
    proc = subprocess.run([sys.executable, "-m", "model", *args], capture_output=True, text=True, timeout=300)
    out = proc.stdout + proc.stderr
    return Run(proc.returncode, out, "Traceback" if "Traceback" in out else "")


def error_lines(output: str) -> list[str]:
    return [ln[len("error: "):] for ln in output.splitlines() if ln.startswith("error: ")]


def check_input_error(run: Run, wb: Path, out: Path, case: Case) -> None:
    assert not run.crashed, f"crashed instead of reporting an input error: {run.crashed}\n{run.output}"
    assert "Traceback" not in run.output, run.output
    assert run.code == 2, f"exit {run.code}, expected 2\n{run.output}"
    lines = error_lines(run.output)
    located = [ln for ln in lines if ln.startswith(f"{wb}: {case.where}:")]
    assert located, f"no error naming {case.where!r}\n{run.output}"
    texts = (case.text,) if isinstance(case.text, str) else case.text
    assert any(all(t in ln for t in texts) for ln in located), f"{texts!r} not all in one of {located}"
    assert not out.exists(), "an output folder was written for a workbook with input errors"


def solve_args(case: Case, wb: Path, out: Path) -> tuple[str, ...]:
    """`reeplan solve` of a broken workbook; --all when a scenario is what is broken (a run applies
    only the scenarios it solves, `reeplan validate` and --all apply every one)."""
    scenario = case.sheet == "scenarios" or "scenario" in str(case.text)
    return ("solve", str(wb), "--out", str(out)) + (("--all",) if scenario else ())


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_broken_workbook_is_refused(case: Case, tmp_path: Path):
    wb = write_good(tmp_path / "study.xlsx", case.edit, case.post)
    out = tmp_path / "out"
    runner = run_subprocess if case.id in SUBPROCESS else run_cli
    run = runner(*solve_args(case, wb, out))
    check_input_error(run, wb, out, case)


@pytest.mark.parametrize("case_id", ["text_in_whole", "duplicate_region", "unknown_policy_material",
                                     "missing_sheet", "technology_without_output", "markup_like_id"])
def test_validate_lists_errors_and_exits_2(case_id: str, tmp_path: Path):
    case = next(c for c in CASES if c.id == case_id)
    wb = write_good(tmp_path / "study.xlsx", case.edit, case.post)
    run = run_cli("validate", str(wb))
    check_input_error(run, wb, tmp_path / "out", case)
    assert "ok" not in run.output.split()
    assert re.search(r"\d+ input errors?; nothing was solved", run.output)


# ------------------------------------------------------------------------ the good study
@pytest.fixture(scope="module")
def good_workbook(tmp_path_factory) -> Path:
    return write_good(tmp_path_factory.mktemp("good") / "study.xlsx")


def test_good_workbook_validates_with_summary(good_workbook: Path):
    run = run_cli("validate", str(good_workbook))
    assert not run.crashed, run.crashed
    assert run.code == 0, run.output
    lines = run.output.splitlines()
    assert lines[0] == f"ok: {good_workbook}"
    text = "\n".join(lines)
    assert "warning" not in text  # source and note columns are documentation, not unknown columns
    assert re.search(r"years\s+2025-2030", text)
    assert re.search(r"regions\s+4: EU, US, AU, CN", text)
    assert re.search(r"projects\s+5", text)
    assert re.search(r"policies\s+3", text)
    assert "crma_supplier" in text
    assert len(lines) <= 40  # one screen


def test_good_workbook_solves_through_a_subprocess(good_workbook: Path, tmp_path: Path):
    out = tmp_path / "out"
    run = run_subprocess("solve", str(good_workbook), "--out", str(out))
    assert run.code == 0, run.output
    assert "Traceback" not in run.output and "warning" not in run.output
    assert (out / "study" / "base" / "summary.json").is_file()


def test_validate_good_workbook_through_a_subprocess(good_workbook: Path):
    run = run_subprocess("validate", str(good_workbook))
    assert run.code == 0, run.output
    assert f"ok: {good_workbook}" in run.output


# ------------------------------------------------------------------------ many errors at once
MULTI = [
    ("settings", P["salvage"], "value", setting("salvage", "perhaps")),
    ("regions", 6, "region", add("regions", region="CN")),
    ("projects", 2, "region", put("projects", 2, "region", "XX")),
    ("projects", 4, "lead_time_years", put("projects", 4, "lead_time_years", "two")),
    ("projects", 4, "availability", put("projects", 4, "availability", 1.5)),
    ("projects", 6, "capex_usd_per_tpa", put("projects", 6, "capex_usd_per_tpa", None)),
    ("demand", 3, "year", put("demand", 3, "year", "soon")),
    ("demand", 13, "quantity_t", put("demand", 13, "quantity_t", -1)),
    ("budgets", 4, "amount_musd", put("budgets", 4, "amount_musd", None)),
    ("policies", 2, "share", put("policies", 2, "share", 2)),
    ("policies", 3, "stage", put("policies", 3, "stage", "recycling")),
    ("tech_io", 9, "commodity", add("tech_io", technology="mine", commodity="ore", coefficient=1)),
]


def _check_sorted(wb: Path, lines: list[str]) -> None:
    located = []
    for ln in lines:
        m = re.match(re.escape(f"{wb}: ") + r"(\w+)(?: row (\d+))?", ln)
        assert m, ln
        located.append((m.group(1), int(m.group(2) or 0)))
    sheets = [s for s, _ in located]
    order = list(dict.fromkeys(sheets))
    assert sheets == sorted(sheets, key=order.index), f"errors of one sheet are not together: {sheets}"
    from model.schema import SHEETS

    contract_order = ["settings"] + [s.name for s in SHEETS]
    assert order in (sorted(order), sorted(order, key=contract_order.index)), order
    for sheet in order:
        rows = [r for s, r in located if s == sheet]
        assert rows == sorted(rows), f"rows of {sheet} not in Excel order: {rows}"


@pytest.mark.parametrize("runner", [run_cli, run_subprocess], ids=["in_process", "subprocess"])
def test_all_errors_are_listed_together_sorted_by_sheet_then_row(runner, tmp_path: Path):
    wb = write_good(tmp_path / "study.xlsx", puts(*(e for *_, e in MULTI)))
    out = tmp_path / "out"
    run = runner("solve", str(wb), "--out", str(out))
    assert not run.crashed, run.crashed
    assert run.code == 2, run.output
    lines = error_lines(run.output)
    for sheet, row, column, _ in MULTI:
        where = f"{wb}: {sheet} row {row}, column {column}:"
        assert any(ln.startswith(where) for ln in lines), f"missing {where}\n{run.output}"
    assert f"{len(lines)} input errors; nothing was solved" in run.output
    _check_sorted(wb, lines)
    assert not out.exists()


def test_validate_lists_the_same_errors_as_solve(tmp_path: Path):
    wb = write_good(tmp_path / "study.xlsx", puts(*(e for *_, e in MULTI)))
    solve = run_cli("solve", str(wb), "--out", str(tmp_path / "out"))
    validate = run_cli("validate", str(wb))
    assert validate.code == solve.code == 2
    assert error_lines(validate.output) == error_lines(solve.output)


def test_a_bad_settings_cell_does_not_hide_year_window_errors(tmp_path: Path):
    """A typo in one settings value is a cell error, not a broken sheet: the first_year > last_year
    checks of supply and policies (which use only the row's own years) must still be reported."""
    wb = write_good(tmp_path / "study.xlsx", puts(
        setting("salvage", "perhaps"),
        put("supply", 3, "first_year", 2029), put("supply", 3, "last_year", 2026),
        put("policies", 3, "first_year", 2030), put("policies", 3, "last_year", 2028),
    ))
    run = run_cli("validate", str(wb))
    assert run.code == 2, run.output
    lines = error_lines(run.output)
    for where in (f"settings row {P['salvage']}, column value", "supply row 3, column last_year",
                  "policies row 3, column last_year"):
        assert any(ln.startswith(f"{wb}: {where}:") for ln in lines), f"missing {where}\n{run.output}"


def test_a_bad_settings_cell_does_not_hide_a_reversed_horizon(tmp_path: Path):
    """first_year and last_year were both read; a typo in salvage must not hide first_year > last_year."""
    wb = write_good(tmp_path / "study.xlsx", puts(
        setting("salvage", "perhaps"), setting("first_year", 2030), setting("last_year", 2026)))
    run = run_cli("validate", str(wb))
    assert run.code == 2, run.output
    lines = error_lines(run.output)
    for where in (f"settings row {P['salvage']}, column value", f"settings row {P['last_year']}, column value"):
        assert any(ln.startswith(f"{wb}: {where}:") for ln in lines), f"missing {where}\n{run.output}"


# ------------------------------------------------------------------------ warnings are not errors
def test_unknown_column_is_a_warning_not_an_error(tmp_path: Path):
    wb = write_good(tmp_path / "study.xlsx", put("projects", 2, "comment", "check with the operator"),
                    extra_columns={"projects": ["comment"], "regions": ["source", "note"]})
    run = run_cli("validate", str(wb))
    assert not run.crashed and run.code == 0, run.output
    warnings = [ln for ln in run.output.splitlines() if ln.startswith("warning: ")]
    assert len(warnings) == 1, warnings
    assert warnings[0].startswith(f"warning: {wb}: projects row 1, column comment:")
    assert "source" not in warnings[0] and "note" not in warnings[0]
    out = tmp_path / "out"
    solved = run_cli("solve", str(wb), "--out", str(out))
    assert solved.code == 0, solved.output
    assert "projects row 1, column comment" in solved.output
    assert (out / "study" / "base").is_dir()


def test_source_and_note_columns_are_not_warned_about_on_any_sheet(tmp_path: Path):
    from model.schema import SHEETS

    extra = {s.name: [c for c in ("source", "note") if c not in s.names] for s in SHEETS}

    def edit(settings, sheets):
        for name, cols in extra.items():
            for r in sheets.get(name, []):
                r.setdefault("note", "documented")

    wb = write_good(tmp_path / "study.xlsx", edit, extra_columns=extra)
    run = run_cli("validate", str(wb))
    assert run.code == 0, run.output
    assert "warning" not in run.output


def test_unknown_settings_key_is_a_warning(tmp_path: Path):
    wb = write_good(tmp_path / "study.xlsx", setting("discount", 0.05))
    run = run_cli("validate", str(wb))
    assert not run.crashed and run.code == 0, run.output
    row = len(GOOD_SETTINGS) + 2
    assert f"warning: {wb}: settings row {row}, column key: got \"discount\"" in run.output
    assert "error" not in run.output


def test_unknown_source_id_is_a_warning(tmp_path: Path):
    wb = write_good(tmp_path / "study.xlsx", put("projects", 2, "source", "iea"))
    run = run_cli("validate", str(wb))
    assert run.code == 0, run.output
    assert f"warning: {wb}: projects row 2, column source: got \"iea\"" in run.output


def test_warnings_are_shown_with_errors(tmp_path: Path):
    wb = write_good(tmp_path / "study.xlsx", puts(setting("discount", 0.05), put("projects", 2, "region", "XX")))
    run = run_cli("solve", str(wb), "--out", str(tmp_path / "out"))
    assert run.code == 2
    assert f"{wb}: settings row {len(GOOD_SETTINGS) + 2}, column key" in run.output
    assert f"error: {wb}: projects row 2, column region" in run.output
