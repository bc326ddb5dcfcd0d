"""Capital budgets (formulation.md, 6), hand-worked.

Common instance unless a test says otherwise: region EU, commodity magnet, one candidate
plant `plant` (technology sinter, lead time 0, capex 1000 USD/tpa, max_new 1000 tpa, no
O&M, no variable cost), an unlimited import offer `imp` at 2000 USD/t, demand 100 t/yr,
salvage off and discount rate 0 (so df = 1 and every build costs exactly its capex).

A tonne per year of domestic capacity built in year tau replaces one tonne of imports in every
year from tau to 2027, so it is worth 2000 USD per serving year against 1000 USD of capex:
building is always cheaper than importing, and only the budget holds it back.
With amounts in USD million and capex in USD, one USD million of budget buys 1000 tpa at
1000 USD/tpa; a budget row's shadow price (USD per USD) is what one more dollar of budget saves.
"""

from __future__ import annotations

import pytest

from conftest import one_region_chain

NO_SALVAGE = {"salvage": "no"}
YEARS = (2025, 2026, 2027)


def plant(**kw) -> dict:
    p = {"project": "plant", "technology": "sinter", "region": "EU", "max_new_tpa": 1000,
         "capex_usd_per_tpa": 1000}
    p.update(kw)
    return p


def chain(budgets: list[dict], projects: list[dict] | None = None, demand_years=YEARS, **kw) -> dict:
    return one_region_chain(
        projects=projects or [plant()],
        supply=[{"offer": "imp", "region": "EU", "commodity": "magnet", "price_usd_per_t": 2000}],
        demand=[{"region": "EU", "commodity": "magnet", "year": y, "quantity_t": 100} for y in demand_years],
        budgets=budgets,
        **kw,
    )


def rows(name: str, amounts: dict[int, float], **kw) -> list[dict]:
    return [{"budget": name, "year": y, "amount_musd": a, **kw} for y, a in amounts.items()]


# ------------------------------------------------------------------ without carryover
def test_budget_without_carryover_caps_each_years_build(solve):
    # Budget rows 0.05, 0.03, 0.01 MUSD in 2025, 2026, 2027, no carryover:
    #   1000 * build[2025] <= 50_000 -> build <= 50; 2026: <= 30; 2027: <= 10.
    # Building is always worth it, so every row binds: builds 50, 30, 10 tpa,
    # capacity 50, 80, 90, imports 100 - cap = 50, 20, 10 t.
    # objective = capex 90 * 1000 + imports (50 + 20 + 10) * 2000 = 90_000 + 160_000 USD = 0.25 MUSD.
    # Shadow prices: one more dollar in year tau builds 0.001 tpa more that saves 0.001 * 2000 USD
    # of imports in each year from tau to 2027, less the dollar spent:
    #   2025: 3 * 2 - 1 = 5,   2026: 2 * 2 - 1 = 3,   2027: 1 * 2 - 1 = 1  (USD per USD).
    plan = solve(settings=NO_SALVAGE, **chain(rows("cap", {2025: 0.05, 2026: 0.03, 2027: 0.01})))
    assert plan.status == "optimal"
    assert plan.objective == pytest.approx(0.25, rel=1e-9)
    assert plan.values("build") == pytest.approx({("plant", 2025): 50, ("plant", 2026): 30, ("plant", 2027): 10})
    assert plan.values("buy") == pytest.approx({("imp", 2025): 50, ("imp", 2026): 20, ("imp", 2027): 10})
    for y, avail, price in ((2025, 0.05, 5.0), (2026, 0.03, 3.0), (2027, 0.01, 1.0)):
        b = plan.budget("cap", y)
        assert b.available_musd == pytest.approx(avail)
        assert b.spend_musd == pytest.approx(avail)
        assert b.binding == "yes"
        assert b.shadow_price_usd_per_usd == pytest.approx(price, rel=1e-9)
    # the imports stay at the margin: the magnet price is the import price
    assert [plan.price("EU", "magnet", y) for y in YEARS] == pytest.approx([2000, 2000, 2000])


def test_budget_shadow_price_matches_finite_difference(solve):
    # Same instance; raise the 2025 amount by 0.001 MUSD = 1000 USD: build[2025] = 51, the other
    # rows unchanged, so imports fall by 1 t in each of 3 years (-6000 USD) for +1000 USD capex:
    # objective 0.25 - 0.005 = 0.245; (0.25 - 0.245) / 0.001 = 5 = the 2025 shadow price.
    base = solve(settings=NO_SALVAGE, **chain(rows("cap", {2025: 0.05, 2026: 0.03, 2027: 0.01})))
    more = solve(settings=NO_SALVAGE, **chain(rows("cap", {2025: 0.051, 2026: 0.03, 2027: 0.01})))
    assert more.objective == pytest.approx(0.245, rel=1e-9)
    assert (base.objective - more.objective) / 0.001 == pytest.approx(
        base.budget("cap", 2025).shadow_price_usd_per_usd, rel=1e-6)


def test_year_without_budget_row_is_unconstrained_without_carryover(solve):
    # Only a 2025 row (0.02 MUSD, no carryover): build[2025] <= 20; 2026 and 2027 spend is free.
    # Optimum: build 20 in 2025, the remaining 80 in 2026 (nothing left to build in 2027).
    # imports: 80 t in 2025 only. objective = 100 * 1000 + 80 * 2000 = 260_000 USD = 0.26 MUSD.
    # Shadow 2025: one more dollar moves 0.001 tpa from 2026 to 2025 (capex unchanged) and saves
    # 0.001 t of 2025 imports: 2 USD per USD.
    plan = solve(settings=NO_SALVAGE, **chain(rows("cap", {2025: 0.02})))
    assert plan.objective == pytest.approx(0.26, rel=1e-9)
    assert plan.values("build") == pytest.approx({("plant", 2025): 20, ("plant", 2026): 80})
    assert plan.values("buy") == pytest.approx({("imp", 2025): 80})
    assert list(plan.table("budgets").year) == [2025]
    assert plan.budget("cap", 2025).shadow_price_usd_per_usd == pytest.approx(2.0, rel=1e-9)


# ------------------------------------------------------------------ with carryover
def test_carryover_lets_a_later_year_spend_earlier_money(solve):
    # The plant may start building only in 2026 (earliest_start_year). Budget rows:
    #   2024: 0.02 (before first_year), 2025: 0.03, 2026: 0.01, 2027: 0.01 MUSD, carryover yes.
    # Running sums (spend in 2025 is always 0):
    #   2026: 1000 * b26            <= 0.02 + 0.03 + 0.01 = 0.06 MUSD -> b26 <= 60
    #   2027: 1000 * (b26 + b27)    <= 0.07 MUSD                       -> b26 + b27 <= 70
    # Earlier capacity serves more years: b26 = 60, b27 = 10; capacity 0, 60, 70.
    # imports 100 + 40 + 30 = 170 t -> 340_000 USD; capex 70 * 1000 = 70_000 USD; objective 0.41.
    # Shadow 2027: a dollar more buys 0.001 tpa in 2027: 2 - 1 = 1.
    # Shadow 2026: a dollar more moves 0.001 tpa from 2027 to 2026 (capex unchanged),
    # saving 0.001 t of 2026 imports: 2.
    b = rows("cap", {2024: 0.02, 2025: 0.03, 2026: 0.01, 2027: 0.01}, carryover="yes")
    plan = solve(settings=NO_SALVAGE, **chain(b, projects=[plant(earliest_start_year=2026)]))
    assert plan.objective == pytest.approx(0.41, rel=1e-9)
    assert plan.values("build") == pytest.approx({("plant", 2026): 60, ("plant", 2027): 10})
    assert plan.budget("cap", 2026).available_musd == pytest.approx(0.06)
    assert plan.budget("cap", 2026).spend_musd == pytest.approx(0.06)
    assert plan.budget("cap", 2027).available_musd == pytest.approx(0.07)
    assert plan.budget("cap", 2027).spend_musd == pytest.approx(0.07)
    assert plan.budget("cap", 2026).shadow_price_usd_per_usd == pytest.approx(2.0, rel=1e-9)
    assert plan.budget("cap", 2027).shadow_price_usd_per_usd == pytest.approx(1.0, rel=1e-9)

    # The 2024 row counts: 0.001 MUSD more in 2024 raises both running sums by 1000 USD:
    # b26 = 61, b27 = 10 -> imports 100 + 39 + 29 = 168 t (336_000) + capex 71_000 = 0.407 MUSD,
    # i.e. 3 USD per USD = the sum of the two shadow prices.
    b = rows("cap", {2024: 0.021, 2025: 0.03, 2026: 0.01, 2027: 0.01}, carryover="yes")
    more = solve(settings=NO_SALVAGE, **chain(b, projects=[plant(earliest_start_year=2026)]))
    assert more.objective == pytest.approx(0.407, rel=1e-9)
    assert more.values("build") == pytest.approx({("plant", 2026): 61, ("plant", 2027): 10})


def test_same_amounts_without_carryover_strand_unspent_money(solve):
    # As above without carryover: 2024 is outside the horizon and nothing can be built in 2025,
    # so that money is lost. 2026: b26 <= 10, 2027: b27 <= 10. Capacity 0, 10, 20.
    # imports 100 + 90 + 80 = 270 t -> 540_000 USD; capex 20_000 USD; objective 0.56 MUSD.
    # Shadows: 2026: 2 * 2 - 1 = 3; 2027: 2 - 1 = 1.
    b = rows("cap", {2024: 0.02, 2025: 0.03, 2026: 0.01, 2027: 0.01})
    plan = solve(settings=NO_SALVAGE, **chain(b, projects=[plant(earliest_start_year=2026)]))
    assert plan.objective == pytest.approx(0.56, rel=1e-9)
    assert plan.values("build") == pytest.approx({("plant", 2026): 10, ("plant", 2027): 10})
    assert plan.budget("cap", 2026).available_musd == pytest.approx(0.01)
    assert plan.budget("cap", 2026).shadow_price_usd_per_usd == pytest.approx(3.0, rel=1e-9)
    assert plan.budget("cap", 2027).shadow_price_usd_per_usd == pytest.approx(1.0, rel=1e-9)


def test_carryover_row_covers_spend_in_years_without_a_row(solve):
    # Carryover rows in 2025 (0.02) and 2027 (0.05) only; 2026 has no row of its own, but its
    # spend is inside the 2027 running sum:
    #   2025: 1000 * b25                 <= 0.02 MUSD -> b25 <= 20
    #   2027: 1000 * (b25 + b26 + b27)   <= 0.07 MUSD -> b25 + b26 + b27 <= 70
    # Net worth per tpa: b25 5000, b26 3000, b27 1000 USD -> b25 = 20, b26 = 50, b27 = 0.
    # capacity 20, 70, 70; imports 80 + 30 + 30 = 140 t -> 280_000; capex 70_000; objective 0.35.
    # Shadow 2027: a dollar more is 0.001 tpa more in 2026: 2 * 2 - 1 = 3.
    # Shadow 2025: a dollar more moves 0.001 tpa from 2026 to 2025: saves 2025 imports, 2.
    b = rows("cap", {2025: 0.02, 2027: 0.05}, carryover="yes")
    plan = solve(settings=NO_SALVAGE, **chain(b))
    assert plan.objective == pytest.approx(0.35, rel=1e-9)
    assert plan.values("build") == pytest.approx({("plant", 2025): 20, ("plant", 2026): 50})
    assert plan.budget("cap", 2027).available_musd == pytest.approx(0.07)
    assert plan.budget("cap", 2027).spend_musd == pytest.approx(0.07)
    assert plan.budget("cap", 2025).shadow_price_usd_per_usd == pytest.approx(2.0, rel=1e-9)
    assert plan.budget("cap", 2027).shadow_price_usd_per_usd == pytest.approx(3.0, rel=1e-9)
    assert 2026 not in set(plan.table("budgets").year)


# ------------------------------------------------------------------ lead time
def test_lead_time_spreads_spend_evenly_over_construction_years(solve):
    # Lead time 2: a build may start only in 2025 (2025 + 2 <= 2027), spends capex / 2 = 500 USD
    # per tpa in 2025 and in 2026, and is online in 2027. Demand 100 t in 2027 only.
    # Budget (no carryover): 2025: 0.03 MUSD -> 500 b <= 30_000 -> b <= 60
    #                        2026: 0.02 MUSD -> 500 b <= 20_000 -> b <= 40   (binds)
    # b = 40, imports 60 t in 2027. objective = 40 * 1000 + 60 * 2000 = 160_000 USD = 0.16 MUSD.
    # spend 0.02 MUSD in each construction year; 2025 has 0.01 MUSD slack (price 0).
    # Shadow 2026: a dollar more -> 0.002 tpa -> 0.002 * 2000 = 4 USD of imports saved
    # for 0.002 * 1000 = 2 USD of capex: 2 USD per USD.
    b = rows("cap", {2025: 0.03, 2026: 0.02})
    plan = solve(settings=NO_SALVAGE, **chain(b, projects=[plant(lead_time_years=2)], demand_years=(2027,)))
    assert plan.objective == pytest.approx(0.16, rel=1e-9)
    assert plan.values("build") == pytest.approx({("plant", 2025): 40})
    assert plan.value("act", ("plant", 2027)) == pytest.approx(40)
    assert plan.budget("cap", 2025).spend_musd == pytest.approx(0.02)
    assert plan.budget("cap", 2026).spend_musd == pytest.approx(0.02)
    assert plan.budget("cap", 2025).binding == "no"
    assert plan.budget("cap", 2026).binding == "yes"
    assert plan.budget("cap", 2025).shadow_price_usd_per_usd == pytest.approx(0.0, abs=1e-9)
    assert plan.budget("cap", 2026).shadow_price_usd_per_usd == pytest.approx(2.0, rel=1e-9)
    costs = plan.table("costs")
    capex = costs[costs.component == "capex"].set_index("year").cost_musd
    assert capex.to_dict() == pytest.approx({2025: 0.02, 2026: 0.02})


# ------------------------------------------------------------------ region and stage filters
ONE_YEAR = {"salvage": "no", "first_year": 2025, "last_year": 2025}


def two_regions(budgets: list[dict], eu_price: float = 2000) -> dict:
    """EU and US, a plant in each (capex 1000), no trade, import offers in each, demand 100 each."""
    return one_region_chain(
        regions=[{"region": "EU"}, {"region": "US"}],
        projects=[plant(project="plant_eu", region="EU"), plant(project="plant_us", region="US")],
        supply=[{"offer": "imp_eu", "region": "EU", "commodity": "magnet", "price_usd_per_t": eu_price},
                {"offer": "imp_us", "region": "US", "commodity": "magnet", "price_usd_per_t": 2000}],
        demand=[{"region": r, "commodity": "magnet", "year": 2025, "quantity_t": 100} for r in ("EU", "US")],
        budgets=budgets,
    )


def test_region_filter_funds_only_that_regions_projects(solve):
    # One year. Budget `eu` (region EU, 0.02 MUSD) caps plant_eu at 20 tpa; plant_us is not in it.
    # EU: build 20, import 80. US: build 100.
    # objective = 120 * 1000 + 80 * 2000 = 280_000 USD = 0.28 MUSD; shadow 2 - 1 = 1.
    plan = solve(settings=ONE_YEAR, **two_regions([{"budget": "eu", "region": "EU", "year": 2025,
                                                     "amount_musd": 0.02}]))
    assert plan.objective == pytest.approx(0.28, rel=1e-9)
    assert plan.values("build") == pytest.approx({("plant_eu", 2025): 20, ("plant_us", 2025): 100})
    assert plan.budget("eu", 2025).spend_musd == pytest.approx(0.02)
    assert plan.budget("eu", 2025).shadow_price_usd_per_usd == pytest.approx(1.0, rel=1e-9)


def test_wildcard_budget_funds_every_region(solve):
    # Budget `all` with region and stage left blank (`*`), 0.05 MUSD: plant_eu + plant_us <= 50.
    # EU imports cost 3000, US imports 2000: a dollar saves 3 - 1 = 2 in EU, 2 - 1 = 1 in US,
    # so all 50 tpa go to EU. EU import 50 (150_000), US import 100 (200_000), capex 50_000:
    # objective 0.4 MUSD; shadow 2.
    plan = solve(settings=ONE_YEAR, **two_regions([{"budget": "all", "year": 2025, "amount_musd": 0.05}],
                                                 eu_price=3000))
    assert plan.objective == pytest.approx(0.4, rel=1e-9)
    assert plan.values("build") == pytest.approx({("plant_eu", 2025): 50})
    b = plan.budget("all", 2025)
    assert (b.region, b.stage) == ("*", "*")
    assert b.shadow_price_usd_per_usd == pytest.approx(2.0, rel=1e-9)


def test_stage_filter_funds_only_that_stages_projects(solve):
    # Two stages in EU: refine (processing) makes oxide; sinter (manufacturing) turns 1 t oxide
    # into 1 t magnet. Refinery capex 200 USD/tpa, magnet plant capex 500 USD/tpa. Imports:
    # oxide 1000 USD/t, magnet 3000 USD/t. Demand 100 t magnet, one year.
    # Budget `mfg` (stage manufacturing, 0.02 MUSD): 500 * b_sinter <= 20_000 -> b_sinter <= 40.
    # The refinery is not funded by it: it builds the 40 tpa of oxide the magnet plant needs
    # (200 < 1000). Magnet imports 60.
    # objective = 40 * 500 + 40 * 200 + 60 * 3000 = 20_000 + 8_000 + 180_000 = 208_000 USD.
    # Shadow: a dollar more -> 0.002 tpa magnet plant and 0.002 tpa refinery:
    # saves 0.002 * 3000 = 6, costs 1 + 0.002 * 200 = 1.4 -> 4.6 USD per USD.
    sheets = one_region_chain(
        commodities=[{"commodity": "oxide", "stage": "processing"},
                     {"commodity": "magnet", "stage": "manufacturing"}],
        technologies=[{"technology": "refine", "stage": "processing"},
                      {"technology": "sinter", "stage": "manufacturing"}],
        tech_io=[{"technology": "refine", "commodity": "oxide", "coefficient": 1},
                 {"technology": "sinter", "commodity": "oxide", "coefficient": -1},
                 {"technology": "sinter", "commodity": "magnet", "coefficient": 1}],
        projects=[plant(project="refinery", technology="refine", capex_usd_per_tpa=200),
                  plant(project="magnets", technology="sinter", capex_usd_per_tpa=500)],
        supply=[{"offer": "imp_oxide", "region": "EU", "commodity": "oxide", "price_usd_per_t": 1000},
                {"offer": "imp_magnet", "region": "EU", "commodity": "magnet", "price_usd_per_t": 3000}],
        demand=[{"region": "EU", "commodity": "magnet", "year": 2025, "quantity_t": 100}],
        budgets=[{"budget": "mfg", "stage": "manufacturing", "year": 2025, "amount_musd": 0.02}],
    )
    plan = solve(settings=ONE_YEAR, **sheets)
    assert plan.objective == pytest.approx(0.208, rel=1e-9)
    assert plan.values("build") == pytest.approx({("refinery", 2025): 40, ("magnets", 2025): 40})
    assert plan.values("buy") == pytest.approx({("imp_magnet", 2025): 60})
    assert plan.budget("mfg", 2025).spend_musd == pytest.approx(0.02)
    assert plan.budget("mfg", 2025).shadow_price_usd_per_usd == pytest.approx(4.6, rel=1e-9)
