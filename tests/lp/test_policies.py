"""Share policies (formulation.md, 7), hand-worked.

Base instance unless a test says otherwise: region EU, material NdPr, commodity magnet
(manufacturing, 0.5 t NdPr per t), technology sinter (manufacturing, 1 t magnet per t).
Demand 100 t magnet a year, so the consumption base is cons = 0.5 * 100 = 50 t NdPr.
Salvage is off; the discount rate is 0 unless stated.

Shadow prices are USD per t of material, positive = the cost of tightening the row by one tonne.
Where the brief asks for it, each binding hard row is checked against a finite difference of the
objective in its share: cost of tightening = dObjective / (d * cons) * 1e6 / df(t).
"""

from __future__ import annotations

import pytest

from conftest import one_region_chain

NO_SALVAGE = {"salvage": "no"}
ONE_YEAR = {"salvage": "no", "first_year": 2025, "last_year": 2025}
D = 0.01  # finite-difference step in the share


def eu_import(price: float = 2000) -> dict:
    return {"offer": "imp", "region": "EU", "commodity": "magnet", "price_usd_per_t": price}


def demand(years=(2025,), qty: float = 100, region: str = "EU") -> list[dict]:
    return [{"region": region, "commodity": "magnet", "year": y, "quantity_t": qty} for y in years]


def min_domestic(share: float, stage: str = "manufacturing", **kw) -> dict:
    return {"policy": "dom", "region": "EU", "material": "NdPr", "kind": "min_domestic_share",
            "stage": stage, "share": share, **kw}


def max_supplier(share: float, stage: str = "manufacturing", **kw) -> dict:
    return {"policy": "cap", "region": "EU", "material": "NdPr", "kind": "max_supplier_share",
            "stage": stage, "share": share, **kw}


# ------------------------------------------------------------------ min_domestic_share
def new_plant_case(policy: dict) -> dict:
    """One year. A new plant at 3000 USD/tpa (lead 0) against imports at 2000 USD/t:
    on cost alone nothing is built."""
    return one_region_chain(
        projects=[{"project": "plant", "technology": "sinter", "region": "EU", "max_new_tpa": 1000,
                   "capex_usd_per_tpa": 3000}],
        supply=[eu_import()],
        demand=demand(),
        policies=[policy],
    )


def test_no_policy_builds_nothing(solve):
    # Reference: imports at 2000 beat building at 3000: objective 100 * 2000 = 0.2 MUSD.
    sheets = new_plant_case(min_domestic(0.4))
    sheets["policies"] = []
    plan = solve(settings=ONE_YEAR, **sheets)
    assert plan.objective == pytest.approx(0.2, rel=1e-9)
    assert plan.values("build") == {}


def test_min_domestic_share_hard_forces_domestic_production(solve):
    # share 0.4: 0.5 * act >= 0.4 * 50 = 20 t NdPr -> act >= 40 -> build 40, import 60.
    # objective = 40 * 3000 + 60 * 2000 = 240_000 USD = 0.24 MUSD.
    # Tightening by 1 t NdPr needs 2 t more magnet made at home instead of imported:
    # 2 * (3000 - 2000) = 2000 USD per t NdPr. Magnets stay imported at the margin: 2000 USD/t.
    plan = solve(settings=ONE_YEAR, **new_plant_case(min_domestic(0.4)))
    assert plan.objective == pytest.approx(0.24, rel=1e-9)
    assert plan.values("build") == pytest.approx({("plant", 2025): 40})
    assert plan.value("act", ("plant", 2025)) == pytest.approx(40)
    assert plan.value("buy", ("imp", 2025)) == pytest.approx(60)
    row = plan.policy("dom", 2025)
    assert row.consumption_t == pytest.approx(50)
    assert row.target_t == pytest.approx(20)
    assert row.achieved_t == pytest.approx(20)
    assert row.achieved_share == pytest.approx(0.4)
    assert row.shortfall_t == pytest.approx(0)
    assert row.binding == "yes"
    assert row.shadow_price_usd_per_t == pytest.approx(2000, rel=1e-9)
    assert plan.price("EU", "magnet", 2025) == pytest.approx(2000, rel=1e-9)

    # Finite difference: share 0.41 -> act 41 -> objective + 1000 USD = 0.241 MUSD.
    tighter = solve(settings=ONE_YEAR, **new_plant_case(min_domestic(0.4 + D)))
    assert tighter.objective == pytest.approx(0.241, rel=1e-9)
    fd = (tighter.objective - plan.objective) / (D * 50) * 1e6 / 1.0
    assert fd == pytest.approx(row.shadow_price_usd_per_t, rel=1e-6)


def test_min_domestic_share_window_and_undiscounted_price(solve):
    # Three years, discount rate 0.25: df = 1, 0.8, 0.64. An existing plant (100 tpa, no capex)
    # makes magnets at 3000 USD/t against imports at 2000. The policy binds in 2026 only
    # (first_year = last_year = 2026): act[2026] = 40, act = 0 in 2025 and 2027.
    # Every year costs 100 * 2000 = 200_000 except 2026: 40 * 3000 + 60 * 2000 = 240_000.
    # objective = 0.2 * 1 + 0.24 * 0.8 + 0.2 * 0.64 = 0.2 + 0.192 + 0.128 = 0.52 MUSD.
    # Undiscounted shadow price in 2026: 2 * (3000 - 2000) = 2000 USD per t NdPr.
    # share + 0.01 -> act[2026] 41 -> +1000 USD in 2026 -> +0.0008 MUSD discounted;
    # 0.0008 / (0.01 * 50) * 1e6 / 0.8 = 2000.
    def case(share):
        return one_region_chain(
            projects=[{"project": "plant", "technology": "sinter", "region": "EU", "existing_tpa": 100,
                       "var_cost_usd_per_t": 3000}],
            supply=[eu_import()],
            demand=demand((2025, 2026, 2027)),
            policies=[min_domestic(share, first_year=2026, last_year=2026)],
        )

    settings = {"discount_rate": 0.25, "salvage": "no"}
    plan = solve(settings=settings, **case(0.4))
    assert plan.objective == pytest.approx(0.52, rel=1e-9)
    assert plan.values("act") == pytest.approx({("plant", 2026): 40})
    assert list(plan.table("policies").year) == [2026]
    row = plan.policy("dom", 2026)
    assert row.binding == "yes"
    assert row.shadow_price_usd_per_t == pytest.approx(2000, rel=1e-9)

    tighter = solve(settings=settings, **case(0.4 + D))
    assert tighter.objective == pytest.approx(0.5208, rel=1e-9)
    fd = (tighter.objective - plan.objective) / (D * 50) * 1e6 / 0.8
    assert fd == pytest.approx(row.shadow_price_usd_per_t, rel=1e-6)


def test_min_domestic_share_soft_penalty_cheaper_than_complying(solve):
    # Complying costs 2000 USD per t NdPr; a penalty of 1500 is cheaper: nothing is built,
    # shortfall = 20 t NdPr. objective = 100 * 2000 + 20 * 1500 = 230_000 USD = 0.23 MUSD.
    # The row's price is the penalty: 1500 USD per t.
    plan = solve(settings=ONE_YEAR, **new_plant_case(min_domestic(0.4, penalty_usd_per_t=1500)))
    assert plan.objective == pytest.approx(0.23, rel=1e-9)
    assert plan.values("build") == {}
    assert plan.value("short", ("dom", "", 2025)) == pytest.approx(20)
    row = plan.policy("dom", 2025)
    assert row.shortfall_t == pytest.approx(20)
    assert row.achieved_t == pytest.approx(0, abs=1e-9)
    assert row.shadow_price_usd_per_t == pytest.approx(1500, rel=1e-9)
    costs = plan.table("costs")
    assert costs[costs.component == "shortfall"].cost_musd.sum() == pytest.approx(0.03, rel=1e-9)


def test_min_domestic_share_soft_penalty_dearer_than_complying(solve):
    # A penalty of 2500 > 2000: the plan complies exactly as in the hard case (objective 0.24,
    # build 40, no shortfall) and the price is the cost of complying, 2000 USD per t.
    plan = solve(settings=ONE_YEAR, **new_plant_case(min_domestic(0.4, penalty_usd_per_t=2500)))
    assert plan.objective == pytest.approx(0.24, rel=1e-9)
    assert plan.values("build") == pytest.approx({("plant", 2025): 40})
    row = plan.policy("dom", 2025)
    assert row.shortfall_t == pytest.approx(0, abs=1e-9)
    assert row.shadow_price_usd_per_t == pytest.approx(2000, rel=1e-9)


def capacity_case(basis: str, share: float = 0.4) -> dict:
    """One year. Plant: 20 tpa existing, up to 1000 new at 3000 USD/tpa, availability 0.5,
    variable cost 2500 USD/t (dearer than the 2000 import)."""
    return one_region_chain(
        projects=[{"project": "plant", "technology": "sinter", "region": "EU", "existing_tpa": 20,
                   "max_new_tpa": 1000, "capex_usd_per_tpa": 3000, "var_cost_usd_per_t": 2500,
                   "availability": 0.5}],
        supply=[eu_import()],
        demand=demand(),
        policies=[min_domestic(share, basis=basis)],
    )


def test_min_domestic_share_capacity_basis_counts_capacity_not_output(solve):
    # basis capacity: Q = availability * cap = 0.5 * (20 + b);
    #   0.5 (NdPr per magnet) * 0.5 * (20 + b) >= 20  ->  b >= 60.
    # The capacity is built but not run (2500 > 2000): act = 0, imports 100.
    # objective = 60 * 3000 + 100 * 2000 = 380_000 USD = 0.38 MUSD.
    # achieved = 0.25 * 80 = 20 t (5 t of it from existing capacity).
    # Tightening by 1 t NdPr: 4 tpa more at 3000 = 12_000 USD per t.
    # FD: share 0.41 -> b = 62 -> +6000 USD; 0.006 / (0.01 * 50) * 1e6 = 12_000.
    plan = solve(settings=ONE_YEAR, **capacity_case("capacity"))
    assert plan.objective == pytest.approx(0.38, rel=1e-9)
    assert plan.values("build") == pytest.approx({("plant", 2025): 60})
    assert plan.value("act", ("plant", 2025)) == pytest.approx(0, abs=1e-9)
    row = plan.policy("dom", 2025)
    assert row.achieved_t == pytest.approx(20)
    assert row.binding == "yes"
    assert row.shadow_price_usd_per_t == pytest.approx(12_000, rel=1e-9)

    tighter = solve(settings=ONE_YEAR, **capacity_case("capacity", 0.4 + D))
    assert tighter.objective == pytest.approx(0.386, rel=1e-9)
    fd = (tighter.objective - plan.objective) / (D * 50) * 1e6
    assert fd == pytest.approx(row.shadow_price_usd_per_t, rel=1e-6)


def test_min_domestic_share_output_basis_on_the_same_plant(solve):
    # Contrast, basis output: 0.5 * act >= 20 -> act = 40 -> cap >= 40 / 0.5 = 80 -> b = 60.
    # objective = 60 * 3000 + 40 * 2500 + 60 * 2000 = 180_000 + 100_000 + 120_000 = 0.4 MUSD.
    # Tightening by 1 t: 2 t magnet more (4 tpa more capacity): 12_000 + 2 * (2500 - 2000) = 13_000.
    plan = solve(settings=ONE_YEAR, **capacity_case("output"))
    assert plan.objective == pytest.approx(0.4, rel=1e-9)
    assert plan.values("build") == pytest.approx({("plant", 2025): 60})
    assert plan.value("act", ("plant", 2025)) == pytest.approx(40)
    assert plan.policy("dom", 2025).shadow_price_usd_per_t == pytest.approx(13_000, rel=1e-9)


def test_policy_year_without_consumption_adds_no_row(solve):
    # Demand in 2025 and 2027 only; the policy spans the horizon. cons[2026] = 0: no 2026 row,
    # so the existing plant (3000 USD/t vs imports at 2000) is idle in 2026.
    # objective = 2 * (40 * 3000 + 60 * 2000) = 480_000 USD = 0.48 MUSD.
    sheets = one_region_chain(
        projects=[{"project": "plant", "technology": "sinter", "region": "EU", "existing_tpa": 100,
                   "var_cost_usd_per_t": 3000}],
        supply=[eu_import()],
        demand=demand((2025, 2027)),
        policies=[min_domestic(0.4)],
    )
    plan = solve(settings=NO_SALVAGE, **sheets)
    assert plan.objective == pytest.approx(0.48, rel=1e-9)
    assert plan.values("act") == pytest.approx({("plant", 2025): 40, ("plant", 2027): 40})
    assert list(plan.table("policies").year) == [2025, 2027]


def test_min_domestic_share_counts_only_projects_of_the_policy_stage(solve):
    # Two stages. oxide (processing, 1 t NdPr per t), magnet (manufacturing, 0.5 t NdPr per t).
    # refine (processing): +1 oxide; sinter (manufacturing): -0.5 oxide, +1 magnet.
    # Existing magnet plant 100 tpa (no costs); a new refinery at 3000 USD/tpa; oxide imports at
    # 1000 USD/t; magnet imports at 2000 USD/t. Demand 100 t magnet: cons = 50 t NdPr (only final
    # demand counts, not the 50 t oxide consumed on the way).
    # Without policy: magnets made at home from imported oxide (0.5 * 1000 < 2000), no refinery.
    # Policy processing, share 0.4: refinery oxide * 1.0 >= 20. The magnet plant's 50 t NdPr of
    # output is manufacturing and does not count. Build 20, run 20, import 30 t oxide.
    # objective = 20 * 3000 + 30 * 1000 = 90_000 USD = 0.09 MUSD.
    # Tightening by 1 t NdPr: 1 t oxide made (3000) instead of imported (1000): 2000 USD per t.
    def case(share):
        return one_region_chain(
            commodities=[{"commodity": "oxide", "stage": "processing"},
                         {"commodity": "magnet", "stage": "manufacturing"}],
            content=[{"commodity": "oxide", "material": "NdPr", "t_per_t": 1.0},
                     {"commodity": "magnet", "material": "NdPr", "t_per_t": 0.5}],
            technologies=[{"technology": "refine", "stage": "processing"},
                          {"technology": "sinter", "stage": "manufacturing"}],
            tech_io=[{"technology": "refine", "commodity": "oxide", "coefficient": 1},
                     {"technology": "sinter", "commodity": "oxide", "coefficient": -0.5},
                     {"technology": "sinter", "commodity": "magnet", "coefficient": 1}],
            projects=[{"project": "magnets", "technology": "sinter", "region": "EU", "existing_tpa": 100},
                      {"project": "refinery", "technology": "refine", "region": "EU", "max_new_tpa": 1000,
                       "capex_usd_per_tpa": 3000}],
            supply=[{"offer": "imp_oxide", "region": "EU", "commodity": "oxide", "price_usd_per_t": 1000},
                    eu_import()],
            demand=demand(),
            policies=[min_domestic(share, stage="processing")],
        )

    plan = solve(settings=ONE_YEAR, **case(0.4))
    assert plan.objective == pytest.approx(0.09, rel=1e-9)
    assert plan.values("build") == pytest.approx({("refinery", 2025): 20})
    assert plan.values("act") == pytest.approx({("refinery", 2025): 20, ("magnets", 2025): 100})
    assert plan.values("buy") == pytest.approx({("imp_oxide", 2025): 30})
    row = plan.policy("dom", 2025)
    assert row.consumption_t == pytest.approx(50)
    assert row.achieved_t == pytest.approx(20)
    assert row.shadow_price_usd_per_t == pytest.approx(2000, rel=1e-9)

    tighter = solve(settings=ONE_YEAR, **case(0.4 + D))
    fd = (tighter.objective - plan.objective) / (D * 50) * 1e6
    assert fd == pytest.approx(row.shadow_price_usd_per_t, rel=1e-6)


# ------------------------------------------------------------------ max_supplier_share
def two_suppliers(policy: dict | None) -> dict:
    """One year. EU buys magnets from CN (offer at 1000 USD/t) or US (1500 USD/t), free routes,
    no EU production. Without a policy everything comes from CN: 100 * 1000 = 0.1 MUSD."""
    return one_region_chain(
        regions=[{"region": "EU"}, {"region": "CN"}, {"region": "US"}],
        projects=[],
        supply=[{"offer": "cn", "region": "CN", "commodity": "magnet", "price_usd_per_t": 1000},
                {"offer": "us", "region": "US", "commodity": "magnet", "price_usd_per_t": 1500}],
        trade=[{"from_region": "CN", "to_region": "EU"}, {"from_region": "US", "to_region": "EU"}],
        demand=demand(),
        policies=[policy] if policy else [],
    )


def test_max_supplier_share_hard_forces_a_second_supplier(solve):
    # share 0.6: 0.5 * flow[q->EU] <= 0.6 * 50 = 30 t NdPr for each q -> CN ships 60, US 40.
    # objective = 60 * 1000 + 40 * 1500 = 120_000 USD = 0.12 MUSD.
    # Tightening the CN row by 1 t NdPr moves 2 t magnet from CN to US: 2 * 500 = 1000 USD per t.
    # The US row (20 <= 30) is slack: price 0. EU magnet price = US import, 1500 USD/t.
    # FD: share 0.59 -> CN 59, US 41 -> +500 USD; 0.0005 / (0.01 * 50) * 1e6 = 1000.
    plan = solve(settings=ONE_YEAR, **two_suppliers(max_supplier(0.6)))
    assert plan.objective == pytest.approx(0.12, rel=1e-9)
    assert plan.values("flow") == pytest.approx({("CN", "EU", "magnet", 2025): 60,
                                                 ("US", "EU", "magnet", 2025): 40})
    cn = plan.policy("cap", 2025, "CN")
    assert cn.target_t == pytest.approx(30)
    assert cn.achieved_t == pytest.approx(30)
    assert cn.achieved_share == pytest.approx(0.6)
    assert cn.binding == "yes"
    assert cn.shadow_price_usd_per_t == pytest.approx(1000, rel=1e-9)
    us = plan.policy("cap", 2025, "US")
    assert us.achieved_t == pytest.approx(20)
    assert us.binding == "no"
    assert us.shadow_price_usd_per_t == pytest.approx(0, abs=1e-9)
    assert plan.price("EU", "magnet", 2025) == pytest.approx(1500, rel=1e-9)

    looser = solve(settings=ONE_YEAR, **two_suppliers(max_supplier(0.6 + D)))
    tighter = solve(settings=ONE_YEAR, **two_suppliers(max_supplier(0.6 - D)))
    assert looser.objective == pytest.approx(0.1195, rel=1e-9)  # CN 61, US 39: the objective falls
    assert tighter.objective == pytest.approx(0.1205, rel=1e-9)
    fd = (tighter.objective - plan.objective) / (D * 50) * 1e6
    assert fd == pytest.approx(cn.shadow_price_usd_per_t, rel=1e-6)


def test_max_supplier_share_hard_forces_domestic_production(solve):
    # EU can build a plant at 3000 USD/tpa; CN sells at 1000 (only supplier).
    # share 0.6: CN <= 60 t magnet, the other 40 made at home.
    # objective = 60 * 1000 + 40 * 3000 = 180_000 USD = 0.18 MUSD.
    # Tightening by 1 t NdPr: 2 t magnet at home instead of from CN: 2 * 2000 = 4000 USD per t.
    # FD: share 0.59 -> CN 59, build 41 -> +2000 USD; 0.002 / (0.01 * 50) * 1e6 = 4000.
    def case(share):
        return one_region_chain(
            regions=[{"region": "EU"}, {"region": "CN"}],
            projects=[{"project": "plant", "technology": "sinter", "region": "EU", "max_new_tpa": 1000,
                       "capex_usd_per_tpa": 3000}],
            supply=[{"offer": "cn", "region": "CN", "commodity": "magnet", "price_usd_per_t": 1000}],
            trade=[{"from_region": "CN", "to_region": "EU"}],
            demand=demand(),
            policies=[max_supplier(share)],
        )

    plan = solve(settings=ONE_YEAR, **case(0.6))
    assert plan.objective == pytest.approx(0.18, rel=1e-9)
    assert plan.values("build") == pytest.approx({("plant", 2025): 40})
    assert plan.values("flow") == pytest.approx({("CN", "EU", "magnet", 2025): 60})
    cn = plan.policy("cap", 2025, "CN")
    assert cn.binding == "yes"
    assert cn.shadow_price_usd_per_t == pytest.approx(4000, rel=1e-9)

    tighter = solve(settings=ONE_YEAR, **case(0.6 - D))
    assert tighter.objective == pytest.approx(0.182, rel=1e-9)
    fd = (tighter.objective - plan.objective) / (D * 50) * 1e6
    assert fd == pytest.approx(cn.shadow_price_usd_per_t, rel=1e-6)


def test_max_supplier_share_soft_penalty_cheaper_than_complying(solve):
    # Switching 1 t NdPr (2 t magnet) from CN to US costs 1000 USD; a penalty of 600 per t is
    # cheaper: CN ships all 100 t, short[cap, CN] = 50 - 30 = 20 t NdPr.
    # objective = 100 * 1000 + 20 * 600 = 112_000 USD = 0.112 MUSD; price = penalty = 600.
    plan = solve(settings=ONE_YEAR, **two_suppliers(max_supplier(0.6, penalty_usd_per_t=600)))
    assert plan.objective == pytest.approx(0.112, rel=1e-9)
    assert plan.values("flow") == pytest.approx({("CN", "EU", "magnet", 2025): 100})
    assert plan.values("short") == pytest.approx({("cap", "CN", 2025): 20})
    cn = plan.policy("cap", 2025, "CN")
    assert cn.shortfall_t == pytest.approx(20)
    assert cn.achieved_t == pytest.approx(50)
    assert cn.shadow_price_usd_per_t == pytest.approx(600, rel=1e-9)


def test_max_supplier_share_soft_penalty_dearer_than_complying(solve):
    # A penalty of 1200 > 1000: comply as in the hard case (objective 0.12, no shortfall),
    # price = cost of complying, 1000 USD per t.
    plan = solve(settings=ONE_YEAR, **two_suppliers(max_supplier(0.6, penalty_usd_per_t=1200)))
    assert plan.objective == pytest.approx(0.12, rel=1e-9)
    assert plan.values("flow") == pytest.approx({("CN", "EU", "magnet", 2025): 60,
                                                 ("US", "EU", "magnet", 2025): 40})
    cn = plan.policy("cap", 2025, "CN")
    assert cn.shortfall_t == pytest.approx(0, abs=1e-9)
    assert cn.shadow_price_usd_per_t == pytest.approx(1000, rel=1e-9)


def test_max_supplier_share_counts_matching_stage_and_reexports_against_shipper(solve):
    # Regions EU, CN, US. oxide (processing, 1 t NdPr/t), magnet (manufacturing, 0.5 t NdPr/t).
    # EU: existing magnet plant 60 tpa (needs 0.5 t oxide per t magnet, no other cost),
    # demand 100 t magnet -> cons = 50 t NdPr.
    # CN sells oxide at 1000 and magnets at 2000. Routes: CN->EU (all commodities, free),
    # CN->US oxide at 100, US->EU oxide at 100. US makes nothing: its oxide is a re-export.
    # Policy: max_supplier_share, stage processing, share 0.4 -> per supplier 0.4 * 50 = 20 t NdPr.
    # EU makes 60 magnets (oxide at <= 1200 * 0.5 = 600 < 2000), needs 30 t oxide, imports
    # 40 magnets from CN. Magnets are manufacturing: they do not count against the processing cap.
    # CN row: oxide CN->EU <= 20 (binding); the other 10 t go CN->US->EU and count against US
    # (10 <= 20, slack), not against CN where they were made.
    # objective = 30 * 1000 (oxide) + 10 * (100 + 100) (re-export freight) + 40 * 2000 (magnets)
    #           = 30_000 + 2_000 + 80_000 = 112_000 USD = 0.112 MUSD.
    # Tightening the CN row by 1 t NdPr = 1 t oxide rerouted via US: 200 USD per t.
    # FD: share 0.39 -> CN cap 19.5 -> 10.5 t via US -> +100 USD; 0.0001 / (0.01 * 50) * 1e6 = 200.
    def case(share):
        return one_region_chain(
            regions=[{"region": "EU"}, {"region": "CN"}, {"region": "US"}],
            commodities=[{"commodity": "oxide", "stage": "processing"},
                         {"commodity": "magnet", "stage": "manufacturing"}],
            content=[{"commodity": "oxide", "material": "NdPr", "t_per_t": 1.0},
                     {"commodity": "magnet", "material": "NdPr", "t_per_t": 0.5}],
            technologies=[{"technology": "sinter", "stage": "manufacturing"}],
            tech_io=[{"technology": "sinter", "commodity": "oxide", "coefficient": -0.5},
                     {"technology": "sinter", "commodity": "magnet", "coefficient": 1}],
            projects=[{"project": "magnets", "technology": "sinter", "region": "EU", "existing_tpa": 60}],
            supply=[{"offer": "cn_oxide", "region": "CN", "commodity": "oxide", "price_usd_per_t": 1000},
                    {"offer": "cn_magnet", "region": "CN", "commodity": "magnet", "price_usd_per_t": 2000}],
            trade=[{"from_region": "CN", "to_region": "EU"},
                   {"from_region": "CN", "to_region": "US", "commodity": "oxide", "cost_usd_per_t": 100},
                   {"from_region": "US", "to_region": "EU", "commodity": "oxide", "cost_usd_per_t": 100}],
            demand=demand(),
            policies=[max_supplier(share, stage="processing")],
        )

    plan = solve(settings=ONE_YEAR, **case(0.4))
    assert plan.objective == pytest.approx(0.112, rel=1e-9)
    assert plan.values("flow") == pytest.approx({
        ("CN", "EU", "oxide", 2025): 20, ("CN", "EU", "magnet", 2025): 40,
        ("CN", "US", "oxide", 2025): 10, ("US", "EU", "oxide", 2025): 10})
    cn = plan.policy("cap", 2025, "CN")
    assert cn.consumption_t == pytest.approx(50)
    assert cn.achieved_t == pytest.approx(20)  # oxide only; 40 magnets (20 t NdPr) not counted
    assert cn.binding == "yes"
    assert cn.shadow_price_usd_per_t == pytest.approx(200, rel=1e-9)
    us = plan.policy("cap", 2025, "US")
    assert us.achieved_t == pytest.approx(10)  # the re-export counts against US
    assert us.binding == "no"
    assert us.shadow_price_usd_per_t == pytest.approx(0, abs=1e-9)

    tighter = solve(settings=ONE_YEAR, **case(0.4 - D))
    assert tighter.objective == pytest.approx(0.1121, rel=1e-9)
    fd = (tighter.objective - plan.objective) / (D * 50) * 1e6
    assert fd == pytest.approx(cn.shadow_price_usd_per_t, rel=1e-6)
