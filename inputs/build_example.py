"""Write inputs/example.xlsx: a small NdPr magnet chain study, 2025-2035.

A teaching example until the full sourced study (western_ree_2040.xlsx) ships. Figures are
rounded from the sourced figures of the full study (its `sources` sheet lists them); each row's
`note` says where a number comes from or that it is an estimate.

    python inputs/build_example.py        # rewrites inputs/example.xlsx
"""

from pathlib import Path

from model.write.workbook import write_study

YEARS = range(2025, 2036)


def growth(base: float, rate: float, year: int, base_year: int = 2024) -> float:
    return round(base * (1 + rate) ** (year - base_year))


settings = {"first_year": 2025, "last_year": 2035, "base_year": 2025, "discount_rate": 0.08,
            "salvage": "yes", "unmet_penalty_usd_per_t": 500000}

sheets = {
    "regions": [
        {"region": "EU", "name": "European Union"}, {"region": "US", "name": "United States"},
        {"region": "AU", "name": "Australia"}, {"region": "MY", "name": "Malaysia"},
        {"region": "JP", "name": "Japan"}, {"region": "CN", "name": "China"},
    ],
    "materials": [{"material": "NdPr", "name": "neodymium-praseodymium oxide equivalent"}],
    "commodities": [
        {"commodity": "concentrate", "name": "mineral concentrate (t NdPr oxide equivalent)", "stage": "extraction"},
        {"commodity": "ndpr_oxide", "name": "separated NdPr oxide", "stage": "processing"},
        {"commodity": "magnet", "name": "sintered NdFeB magnet", "stage": "manufacturing"},
        {"commodity": "scrap", "name": "end-of-life magnet scrap"},
    ],
    "content": [
        {"commodity": "concentrate", "material": "NdPr", "t_per_t": 1.0},
        {"commodity": "ndpr_oxide", "material": "NdPr", "t_per_t": 1.0},
        {"commodity": "magnet", "material": "NdPr", "t_per_t": 0.31},  # content.csv: 29-32.5 wt% RE
        {"commodity": "scrap", "material": "NdPr", "t_per_t": 0.31},
    ],
    "technologies": [
        {"technology": "mining", "stage": "extraction", "name": "mine and concentrator"},
        {"technology": "separation", "stage": "processing", "name": "cracking and solvent extraction"},
        {"technology": "magnet_making", "stage": "manufacturing", "name": "alloy, sintering, finishing"},
        {"technology": "recycling", "stage": "recycling", "name": "magnet-to-oxide recycling"},
    ],
    "tech_io": [
        {"technology": "mining", "commodity": "concentrate", "coefficient": 1},
        {"technology": "separation", "commodity": "ndpr_oxide", "coefficient": 1},
        {"technology": "separation", "commodity": "concentrate", "coefficient": -1.05},  # ~95 % recovery
        {"technology": "magnet_making", "commodity": "magnet", "coefficient": 1},
        {"technology": "magnet_making", "commodity": "ndpr_oxide", "coefficient": -0.37},  # content.csv
        {"technology": "recycling", "commodity": "ndpr_oxide", "coefficient": 0.28},  # 0.31 x 90 % yield
        {"technology": "recycling", "commodity": "scrap", "coefficient": -1},
    ],
    "projects": [
        # US: MP Materials (projects.csv, costs.csv)
        {"project": "mp_mountain_pass_mine", "technology": "mining", "region": "US", "existing_tpa": 7136,
         "max_new_tpa": 2280, "capex_usd_per_tpa": 69000, "var_cost_usd_per_t": 26750, "lead_time_years": 3,
         "note": "45,455 t REO x 15.7 % NdPr; Upstream 60K; capex as Mt Weld brownfield"},
        {"project": "mp_mountain_pass_separation", "technology": "separation", "region": "US",
         "existing_tpa": 1294, "committed_tpa": 4706, "committed_online_year": 2027,
         "var_cost_usd_per_t": 10000, "note": "1,294 t in 2024 ramping to 6,000 t nameplate"},
        {"project": "mp_independence", "technology": "magnet_making", "region": "US", "existing_tpa": 1000,
         "committed_tpa": 2000, "committed_online_year": 2027, "var_cost_usd_per_t": 25000},
        {"project": "mp_10x", "technology": "magnet_making", "region": "US", "max_new_tpa": 7000,
         "capex_usd_per_tpa": 143000, "var_cost_usd_per_t": 25000, "lead_time_years": 3},
        {"project": "vulcan_benson", "technology": "magnet_making", "region": "US", "max_new_tpa": 10000,
         "capex_usd_per_tpa": 92000, "var_cost_usd_per_t": 25000, "lead_time_years": 2},
        # Australia and Malaysia: Lynas, Iluka, Arafura
        {"project": "lynas_mt_weld", "technology": "mining", "region": "AU", "existing_tpa": 7000,
         "max_new_tpa": 5000, "capex_usd_per_tpa": 69000, "var_cost_usd_per_t": 20000, "lead_time_years": 3},
        {"project": "arafura_nolans", "technology": "mining", "region": "AU", "max_new_tpa": 4440,
         "capex_usd_per_tpa": 150000, "var_cost_usd_per_t": 20000, "lead_time_years": 4,
         "note": "integrated A$1.6bn split between mine and refinery (estimate)"},
        {"project": "iluka_eneabba", "technology": "separation", "region": "AU", "committed_tpa": 5500,
         "committed_online_year": 2027, "var_cost_usd_per_t": 10000, "note": "~5,500 t NdPr (estimate)"},
        {"project": "lynas_malaysia", "technology": "separation", "region": "MY", "existing_tpa": 10500,
         "var_cost_usd_per_t": 10000},
        # EU: Solvay, Neo, Caremag, a generic EU mine
        {"project": "solvay_la_rochelle", "technology": "separation", "region": "EU", "existing_tpa": 300,
         "max_new_tpa": 4200, "capex_usd_per_tpa": 60000, "var_cost_usd_per_t": 12000, "lead_time_years": 3,
         "note": "4,500 t target by 2030; capex estimate"},
        {"project": "neo_narva", "technology": "magnet_making", "region": "EU", "existing_tpa": 2000,
         "max_new_tpa": 3000, "capex_usd_per_tpa": 52000, "var_cost_usd_per_t": 25000, "lead_time_years": 2},
        {"project": "caremag_lacq", "technology": "recycling", "region": "EU", "max_new_tpa": 2000,
         "capex_usd_per_tpa": 116500, "var_cost_usd_per_t": 8000, "lead_time_years": 2},
        {"project": "eu_generic_mine", "technology": "mining", "region": "EU", "max_new_tpa": 3000,
         "capex_usd_per_tpa": 241000, "var_cost_usd_per_t": 30000, "lead_time_years": 6,
         "earliest_start_year": 2026, "note": "generic; Nolans-like greenfield capex (estimate)"},
        # Japan
        {"project": "jp_magnet_makers", "technology": "magnet_making", "region": "JP", "existing_tpa": 12000,
         "var_cost_usd_per_t": 25000},
    ],
    "supply": [
        {"offer": "cn_oxide_exports", "region": "CN", "commodity": "ndpr_oxide", "max_tpa": 10000,
         "price_usd_per_t": 60000, "note": "FOB China ~USD 50-63/kg 2024-25 (prices.csv)"},
        {"offer": "cn_magnet_exports", "region": "CN", "commodity": "magnet", "max_tpa": 60000,
         "price_usd_per_t": 49000, "note": "derived Chinese export magnet price (prices.csv, estimate)"},
        {"offer": "cn_magnet_exports_extra", "region": "CN", "commodity": "magnet", "max_tpa": 40000,
         "price_usd_per_t": 70000, "note": "second, dearer tranche of a stepped supply curve (estimate)"},
        {"offer": "eu_scrap_early", "region": "EU", "commodity": "scrap", "last_year": 2029, "max_tpa": 1500,
         "price_usd_per_t": 10000, "note": "estimate"},
        {"offer": "eu_scrap_late", "region": "EU", "commodity": "scrap", "first_year": 2030, "max_tpa": 4000,
         "price_usd_per_t": 10000, "note": "estimate"},
    ],
    "trade": [
        {"from_region": "*", "to_region": "*", "commodity": "*", "cost_usd_per_t": 200,
         "note": "ocean freight + insurance USD 0.2/kg (costs.csv)"},
        {"from_region": "CN", "to_region": "US", "commodity": "magnet", "cost_usd_per_t": 12450,
         "note": "Section 301 25 % of USD 49/kg + freight"},
    ],
    "demand": (
        [{"region": "EU", "commodity": "magnet", "year": y, "quantity_t": growth(20000, 0.087, y)} for y in YEARS]
        + [{"region": "US", "commodity": "magnet", "year": y, "quantity_t": growth(15000, 0.087, y)} for y in YEARS]
        + [{"region": "JP", "commodity": "magnet", "year": y, "quantity_t": growth(12000, 0.05, y)} for y in YEARS]
    ),
    "budgets": [
        {"budget": "us_dod", "region": "US", "stage": "*", "year": 2025, "amount_musd": 400, "carryover": "yes",
         "note": "DoD equity and awards 2025 (policy.csv)"},
        *[{"budget": "eu_crma", "region": "EU", "stage": "*", "year": y, "amount_musd": 300, "carryover": "yes",
           "note": "illustrative EU funding per year (estimate)"} for y in range(2026, 2031)],
    ],
    "policies": [
        {"policy": "crma_extraction", "region": "EU", "material": "NdPr", "kind": "min_domestic_share",
         "stage": "extraction", "share": 0.10, "first_year": 2030, "penalty_usd_per_t": 200000},
        {"policy": "crma_processing", "region": "EU", "material": "NdPr", "kind": "min_domestic_share",
         "stage": "processing", "share": 0.40, "first_year": 2030, "penalty_usd_per_t": 200000},
        {"policy": "crma_recycling", "region": "EU", "material": "NdPr", "kind": "min_domestic_share",
         "stage": "recycling", "share": 0.25, "first_year": 2030, "penalty_usd_per_t": 200000},
        *[{"policy": f"crma_max_supplier_{g}", "region": "EU", "material": "NdPr", "kind": "max_supplier_share",
           "stage": g, "share": 0.65, "first_year": 2030, "penalty_usd_per_t": 200000}
          for g in ("extraction", "processing", "manufacturing")],
    ],
}

if __name__ == "__main__":
    out = write_study(Path(__file__).with_name("example.xlsx"), settings, sheets,
                      extra_columns={s: ["note"] for s in sheets})
    print(f"wrote {out}")
