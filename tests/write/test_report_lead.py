"""What the report leads with (issue 18), on small hand-made plans: the total cost first, the
dependence on China by stage with hand-counted percentages, names beside ids, key years, prices
in the key years with regions of one price on one row, shadow prices never as min-max ranges."""

from __future__ import annotations

import pandas as pd
import pytest

from model.analysis import key_prices, policy_status
from model.dependence import by_shipper, key_years, shares
from model.write.markup import Namer, median_and_top, short_name, to_markdown
from model.write.report import build_report

CHAIN = {"stage": {"magnet": "manufacturing", "oxide": "processing", "conc": "extraction"},
         "content": {"magnet": {"NdPr": 0.3}, "oxide": {"NdPr": 1.0}, "conc": {"NdPr": 1.0}}}
YEARS = list(range(2025, 2031))
SUMMARY = {"workbook": "hand.xlsx", "scenario": "base", "status": "optimal", "objective_musd": 1234.5,
           "cost_by_component_musd": {"capex": 1000.0, "supply": 234.5}, "chain": CHAIN,
           "names": {"regions": {"EU": "European Union (27)", "CN": "China"},
                     "projects": {"mp_mine": "Mountain Pass"},
                     "commodities": {"magnet": "sintered NdFeB magnet (any grade; high-performance)"}}}


def _tables() -> dict[str, pd.DataFrame]:
    """EU and US consume 100 t of magnet a year (30 t of NdPr each); China ships the EU 60 t of
    magnets in 2025 and 30 t in 2030, and 3 t of oxide in 2025; Malaysia ships the US 50 t."""
    unmet = pd.DataFrame([(r, "magnet", y, 100.0, 0.0) for r in ("EU", "US") for y in YEARS],
                         columns=["region", "commodity", "year", "demand_t", "unmet_t"])
    trade = pd.DataFrame([("CN", "EU", "magnet", 2025, 60.0, 0.0), ("CN", "EU", "magnet", 2030, 30.0, 0.0),
                          ("CN", "EU", "oxide", 2025, 3.0, 0.0), ("MY", "US", "magnet", 2025, 50.0, 0.0)],
                         columns=["from_region", "to_region", "commodity", "year", "flow_t", "cost_usd_per_t"])
    costs = pd.DataFrame([("capex", y, 1.0, 1.0) for y in YEARS],
                         columns=["component", "year", "cost_musd", "discounted_musd"])
    builds = pd.DataFrame([("mp_mine", "mine", "extraction", "EU", 2025, 2027, 500.0, 60.0)],
                          columns=["project", "technology", "stage", "region", "start_year", "online_year",
                                   "capacity_tpa", "capex_musd"])
    return {"unmet": unmet, "trade": trade, "costs": costs, "builds": builds}


@pytest.fixture(scope="module")
def md(tmp_path_factory) -> str:
    doc, _ = build_report(_tables(), SUMMARY, [])
    return to_markdown(doc, tmp_path_factory.mktemp("lead"))


@pytest.mark.parametrize("years, want", [
    (range(2025, 2041), [2025, 2030, 2035, 2040]),
    (range(2025, 2028), [2025, 2027]),
    (range(2024, 2031), [2024, 2025, 2030]),
    (range(2025, 2071), [2025, 2030, 2040, 2050, 2060, 2070]),  # long horizons: every tenth year
    ([2030], [2030]),
    ([], []),
])
def test_key_years(years, want):
    assert key_years(years) == want


def test_dependence_by_stage_counts_tonnes_of_material_shipped_from_china():
    dep = by_shipper(_tables(), CHAIN)
    s = shares(dep, [2025, 2030]).set_index(["material", "stage"])
    # EU + US consume 60 t of NdPr a year; China ships 18 t (60 t x 0.3) of it in magnets in 2025,
    # 9 t in 2030, and 3 t as oxide in 2025; Malaysia's magnets are not China's
    assert s.loc[("NdPr", "manufacturing")].tolist() == pytest.approx([0.3, 0.15])
    assert s.loc[("NdPr", "processing")].tolist() == pytest.approx([0.05, 0.0])
    assert s.loc[("NdPr", "extraction")].tolist() == pytest.approx([0.0, 0.0])
    per = shares(dep, [2025], by_region=True).set_index(["region", "stage"])[2025]
    assert per[("EU", "manufacturing")] == pytest.approx(0.6) and per[("US", "manufacturing")] == 0
    assert by_shipper(_tables(), None).empty  # a folder written before summary.json had a chain


def test_the_report_leads_with_cost_then_dependence_targets_builds_prices(md):
    heads = [line for line in md.splitlines() if line.startswith("## ")]
    assert heads[:4] == ["## What it costs", "## Dependence on China by stage", "## Policy targets",
                         "## What the plan builds"]
    glance = md.split("\n## ", 1)[0]
    assert "* **Cost**: USD 1,234.5 million over 2025-2030, discounted to 2025; the largest part is capital spend " \
           "on new capacity (capex): USD 1,000.0 million." in glance
    assert "* **Dependence on China** in 2030, share of the consuming regions' consumption shipped from China: " \
           "NdPr 15.0% at magnet making, 0.0% at separation and refining, 0.0% at mining." in glance
    assert "* **Builds**: 1 projects, USD 60.0 million of capital (undiscounted); the largest by capital: " \
           "Mountain Pass (mp_mine)." in glance


def test_the_dependence_table_shows_the_key_years(md):
    text = md.split("## Dependence on China by stage\n", 1)[1].split("\n## ", 1)[0]
    assert "The consuming regions (European Union (EU), US) together" in text
    assert "| material | stage | 2025 | 2030 |" in text
    assert "| NdPr | mining (extraction) | 0.0% | 0.0% |" in text
    assert "| NdPr | separation and refining (processing) | 5.0% | 0.0% |" in text
    assert "| NdPr | magnet making (manufacturing) | 30.0% | 15.0% |" in text
    assert "* NdPr, magnet making (manufacturing): China (CN) 15.0%" in text  # largest shippers, last key year
    assert "| European Union (EU) | NdPr | magnet making (manufacturing) | 60.0% | 30.0% |" in text
    assert "Set `track_origin`" in text  # by shipper only: says how to count by origin


def test_builds_are_named_counted_as_projects_with_capacity_and_online_year(md):
    text = md.split("## What the plan builds\n", 1)[1].split("\n## ", 1)[0]
    assert "It builds **1 project** (1 start-year tranche)" in text
    assert "| Mountain Pass (mp_mine) | mining | European Union (EU) | 500 | 2027 | 60.0 |" in text


@pytest.mark.parametrize("kind, key, want", [
    ("projects", "mp_mine", "Mountain Pass (mp_mine)"),
    ("projects", "other", "other"),
    ("regions", "EU", "European Union (EU)"),  # the name's note in parentheses left out
    ("commodities", "magnet", "sintered NdFeB magnet (magnet)"),
])
def test_names_stand_beside_ids(kind, key, want):
    n = Namer(SUMMARY)
    assert {"projects": n.project, "regions": n.region, "commodities": n.commodity}[kind](key) == want


def test_short_name():
    assert short_name("NdPr metal / alloy (t metal)") == "NdPr metal / alloy"
    assert short_name("standard-grade duty (t NdFeB), met in the region") == "standard-grade duty"


@pytest.mark.parametrize("values, want", [
    ([3770.0, 2_400_000.0, 50_000.0], "median 50,000; highest 2,400,000 in 2026"),
    ([645.0, 645.0, 645.0], "645 in 2025-2027"),
    ([12.0], "12 in 2025"),
])
def test_a_price_over_years_is_a_median_and_its_highest_year(values, want):
    assert median_and_top(pd.Series(values), pd.Series(range(2025, 2025 + len(values)))) == want


def test_key_prices_share_a_row_where_regions_agree_within_one_percent():
    prices = pd.DataFrame([(r, c, y, p) for r, c, ps in (("EU", "magnet", (100.0, 110.0)),
                                                         ("US", "magnet", (100.5, 110.5)),
                                                         ("JP", "magnet", (100.0, 90.0)),
                                                         ("EU", "oxide", (50.0, 60.0)))
                           for y, p in zip((2025, 2030), ps)],
                          columns=["region", "commodity", "year", "price_usd_per_t"])
    unmet = pd.DataFrame([(r, "magnet", 2025, 1.0, 0.0) for r in ("EU", "US", "JP")],
                         columns=["region", "commodity", "year", "demand_t", "unmet_t"])
    kp = key_prices({"prices": prices, "unmet": unmet}, [2025, 2030], CHAIN["stage"])
    assert kp.to_dict("records") == [
        {"commodity": "oxide", "regions": ["EU"], 2025: 50.0, 2030: 60.0},
        {"commodity": "magnet", "regions": ["EU", "US"], 2025: 100.25, 2030: 110.25},
        {"commodity": "magnet", "regions": ["JP"], 2025: 100.0, 2030: 90.0},
    ]


def test_policy_status_is_computed_once_per_table():
    pol = pd.DataFrame([("p", "min_domestic_share", "EU", "NdPr", "manufacturing", "", 2025, 0.4, 100.0, 40.0,
                         40.0, 0.4, 0.0, 5.0, "yes")],
                       columns=["policy", "kind", "region", "material", "stage", "supplier", "year", "share",
                                "consumption_t", "target_t", "achieved_t", "achieved_share", "shortfall_t",
                                "shadow_price_usd_per_t", "binding"])
    first = policy_status(pol)
    assert policy_status(pol) is first
    assert policy_status(pol.copy()) is not first and policy_status(pol.copy()).equals(first)
