"""Capacity by hand: build versus import, lead time, project size, availability, lifetime,
earliest start, existing and committed capacity, salvage (formulation.md, Capacity online, 1, 2,
Objective).

Every instance has one region (EU) and one commodity (magnet, made 1:1 by technology `sinter`)
unless it says otherwise. Amounts in the comments are in USD; the objective is USD million,
so an objective of 45,000 USD is asserted as 0.045. Unless a test sets it, the discount rate
is 0 (df = 1 in every year) and the horizon is 2025..2027.
"""

from __future__ import annotations

import pytest

from conftest import one_region_chain

YEARS = (2025, 2026, 2027)
NO_SALVAGE = {"salvage": "no"}


def approx(x):
    return pytest.approx(x, rel=1e-9, abs=1e-12)


def project(name: str = "plant", **cols) -> dict:
    """A sinter project in EU; columns not given stay blank (contract defaults)."""
    return {"project": name, "technology": "sinter", "region": "EU", **cols}


def offer(name: str = "imp", price: float = 200, **cols) -> dict:
    """A magnet supply offer in EU (an import), unlimited unless max_tpa is given."""
    return {"offer": name, "region": "EU", "commodity": "magnet", "price_usd_per_t": price, **cols}


def demand(**by_year) -> list[dict]:
    """demand(y2025=100, ...) -> EU magnet demand rows."""
    return [{"region": "EU", "commodity": "magnet", "year": int(k[1:]), "quantity_t": q}
            for k, q in by_year.items()]


FLAT_100 = demand(y2025=100, y2026=100, y2027=100)


def build_keys(plan) -> set:
    """Every build variable the LP has (not only the nonzero ones)."""
    return set(plan.result.solution.values["build"])


# ---------------------------------------------------------------- 1. build versus import
def test_build_beats_a_dearer_import(solve):
    # Candidate: capex 300 USD/tpa, var 50 USD/t, lead 0, lifetime 25, no salvage.
    # Import: 200 USD/t, unlimited. Demand 100 t in each of 2025..2027.
    # A tpa built in 2025 serves all 3 years: (300 + 3*50) / 3 = 150 USD/t < 200 -> build.
    # (Built in 2026 it serves 2 years: 300/2 + 50 = 200, no better than importing;
    #  built in 2027: 350.) So build[plant, 2025] = 100, nothing imported.
    # Objective = capex 300*100 + var 50*100*3 = 30,000 + 15,000 = 45,000 USD = 0.045 MUSD.
    plan = solve(settings=NO_SALVAGE, **one_region_chain(
        projects=[project(max_new_tpa=1000, capex_usd_per_tpa=300, var_cost_usd_per_t=50)],
        supply=[offer(price=200)], demand=FLAT_100))
    assert plan.status == "optimal"
    assert plan.objective == approx(0.045)
    assert plan.values("build") == {("plant", 2025): approx(100)}
    assert plan.values("buy") == {}
    assert plan.values("act") == {("plant", y): approx(100) for y in YEARS}


def test_import_beats_a_dearer_build(solve):
    # Same study, import at 120 USD/t. The cheapest build still costs 150 USD/t (see above)
    # > 120 -> import everything, build nothing.
    # Objective = 120 * 100 * 3 = 36,000 USD = 0.036 MUSD.
    # Price: the unlimited import is used in every year, so one more (or one less) tonne of
    # demand in year t costs (saves) exactly 120 USD: price = 120 USD/t in each year.
    plan = solve(settings=NO_SALVAGE, **one_region_chain(
        projects=[project(max_new_tpa=1000, capex_usd_per_tpa=300, var_cost_usd_per_t=50)],
        supply=[offer(price=120)], demand=FLAT_100))
    assert plan.status == "optimal"
    assert plan.objective == approx(0.036)
    assert plan.values("build") == {}
    assert plan.values("buy") == {("imp", y): approx(100) for y in YEARS}
    for y in YEARS:
        assert plan.price("EU", "magnet", y) == approx(120)


# ---------------------------------------------------------------- 2. lead time
def test_lead_time_delays_first_online_year(solve):
    # Horizon 2025..2028, lead_time_years = 2: build[plant, tau] exists for
    # tau <= 2028 - 2 = 2026 only -> taus {2025, 2026}, online 2027 and 2028.
    # Capex 300 USD/tpa (spent 150 in tau and 150 in tau+1, r = 0 so the timing does not
    # change the sum), var 0, lifetime 25, no salvage. Import 400 USD/t. Demand 100 t/yr.
    # 2025 and 2026 cannot be served by the plant: import 2 * 100 t * 400 = 80,000.
    # build 2025 (online 2027) serves 2027 and 2028 for 300/tpa vs importing 800 -> build 100.
    # build 2026 would serve 2028 only, already covered -> 0.
    # Objective = 80,000 + 300 * 100 = 110,000 USD = 0.11 MUSD.
    # Prices 2025, 2026: the import is the only source and is used -> 400 USD/t.
    plan = solve(settings={"last_year": 2028, **NO_SALVAGE}, **one_region_chain(
        projects=[project(max_new_tpa=1000, capex_usd_per_tpa=300, lead_time_years=2)],
        supply=[offer(price=400)],
        demand=demand(y2025=100, y2026=100, y2027=100, y2028=100)))
    assert plan.status == "optimal"
    assert build_keys(plan) == {("plant", 2025), ("plant", 2026)}
    assert plan.values("build") == {("plant", 2025): approx(100)}
    b = plan.table("builds")
    assert list(b.online_year) == [2027]
    cap = plan.table("capacity")
    assert int(cap.year.min()) == 2027
    assert plan.values("act") == {("plant", 2027): approx(100), ("plant", 2028): approx(100)}
    assert plan.values("buy") == {("imp", 2025): approx(100), ("imp", 2026): approx(100)}
    assert plan.objective == approx(0.11)
    assert plan.price("EU", "magnet", 2025) == approx(400)
    assert plan.price("EU", "magnet", 2026) == approx(400)


def test_lead_time_longer_than_horizon_allows_no_build(solve):
    # Horizon 2025..2027 (3 years), lead 3: tau <= 2027 - 3 = 2024 < first_year -> no build
    # variable at all. All demand is imported: 3 * 100 t * 400 = 120,000 USD = 0.12 MUSD.
    plan = solve(settings=NO_SALVAGE, **one_region_chain(
        projects=[project(max_new_tpa=1000, capex_usd_per_tpa=1, lead_time_years=3)],
        supply=[offer(price=400)], demand=FLAT_100))
    assert plan.status == "optimal"
    assert build_keys(plan) == set()
    assert plan.objective == approx(0.12)


def test_lead_time_demand_before_online_is_unmet(solve):
    # No import; demand has a penalty of 1,000 USD/t (settings default). Lead 1: taus
    # 2025, 2026 (online 2026, 2027). Capex 300, lifetime 25, no salvage.
    # 2025 cannot be served: unmet 100 t * 1,000 = 100,000.
    # build 2025 = 100 serves 2026 and 2027 for 30,000 (vs 200,000 penalty).
    # Objective = 100,000 + 30,000 = 130,000 USD = 0.13 MUSD.
    # Price 2025 = the penalty, 1,000 USD/t (unmet is strictly between 0 and demand).
    plan = solve(settings={"unmet_penalty_usd_per_t": 1000, **NO_SALVAGE}, **one_region_chain(
        projects=[project(max_new_tpa=1000, capex_usd_per_tpa=300, lead_time_years=1)],
        demand=demand(y2025=100, y2026=100, y2027=100)))
    assert plan.status == "optimal"
    assert build_keys(plan) == {("plant", 2025), ("plant", 2026)}
    assert plan.values("build") == {("plant", 2025): approx(100)}
    assert plan.values("unmet") == {("EU", "magnet", 2025): approx(100)}
    assert plan.objective == approx(0.13)
    assert plan.price("EU", "magnet", 2025) == approx(1000)


# ---------------------------------------------------------------- 3. size, availability, lifetime, start
def test_max_new_tpa_caps_the_sum_of_builds(solve):
    # As test_build_beats_a_dearer_import (build 150 USD/t vs import 200) but
    # max_new_tpa = 60: build 60 in 2025 (the cheapest start year), import 40 t each year.
    # Objective = capex 300*60 + var 50*60*3 + import 200*40*3
    #           = 18,000 + 9,000 + 24,000 = 51,000 USD = 0.051 MUSD.
    # Prices: the import is used in every year and the plant is full -> 200 USD/t each year.
    plan = solve(settings=NO_SALVAGE, **one_region_chain(
        projects=[project(max_new_tpa=60, capex_usd_per_tpa=300, var_cost_usd_per_t=50)],
        supply=[offer(price=200)], demand=FLAT_100))
    assert plan.status == "optimal"
    assert plan.values("build") == {("plant", 2025): approx(60)}
    assert sum(plan.values("build").values()) == approx(60)
    assert plan.values("buy") == {("imp", y): approx(40) for y in YEARS}
    assert plan.objective == approx(0.051)
    for y in YEARS:
        assert plan.price("EU", "magnet", y) == approx(200)


def test_availability_limits_activity(solve):
    # availability 0.8, demand 80 t/yr, capex 300, var 0, import 200, no salvage.
    # act <= 0.8 * cap, so 80 t needs cap = 100 tpa: 30,000 USD for 240 t over 3 years,
    # 125 USD/t < 200 -> build 100 in 2025, act = 80 = 0.8 * 100 each year.
    # Objective = 300 * 100 = 30,000 USD = 0.03 MUSD.
    plan = solve(settings=NO_SALVAGE, **one_region_chain(
        projects=[project(max_new_tpa=1000, capex_usd_per_tpa=300, availability=0.8)],
        supply=[offer(price=200)], demand=demand(y2025=80, y2026=80, y2027=80)))
    assert plan.status == "optimal"
    assert plan.values("build") == {("plant", 2025): approx(100)}
    assert plan.values("act") == {("plant", y): approx(80) for y in YEARS}
    assert plan.values("buy") == {}
    assert plan.objective == approx(0.03)


def test_lifetime_ends_service(solve):
    # lifetime 2, lead 0: build in 2025 serves 2025, 2026 and stops in 2027.
    # Capex 300, var 0, no salvage. Offers: "early" 500 USD/t in 2025-2026, "late" 200 USD/t in
    # 2027 only. Demand 100 t/yr.
    # build 2025 (serves 25, 26) costs 300/tpa vs 1,000 of imports -> build 100.
    # 2027: the 2025 plant is retired; build 2026 (26+27, 300) or 2027 (300) vs import 200
    # -> import 100 t at 200 = 20,000.
    # Objective = 30,000 + 20,000 = 50,000 USD = 0.05 MUSD.
    # (Were the plant still serving in 2027 it would be 30,000.)
    # Price 2027 = 200 USD/t: the late offer is used, and building is dearer.
    plan = solve(settings=NO_SALVAGE, **one_region_chain(
        projects=[project(max_new_tpa=1000, capex_usd_per_tpa=300, lifetime_years=2)],
        supply=[offer("early", price=500, first_year=2025, last_year=2026),
                offer("late", price=200, first_year=2027, last_year=2027)],
        demand=FLAT_100))
    assert plan.status == "optimal"
    assert plan.values("build") == {("plant", 2025): approx(100)}
    assert plan.values("act") == {("plant", 2025): approx(100), ("plant", 2026): approx(100)}
    assert plan.values("buy") == {("late", 2027): approx(100)}
    cap = plan.table("capacity").set_index("year")
    assert sorted(cap.index) == [2025, 2026]
    assert cap.loc[2026, "new_tpa"] == approx(100)
    assert plan.objective == approx(0.05)
    assert plan.price("EU", "magnet", 2027) == approx(200)


def test_earliest_start_year(solve):
    # earliest_start_year 2026: build[plant, tau] for tau in {2026, 2027} only.
    # Capex 300, lead 0, var 0, lifetime 25, no salvage, import 200, demand 100 t/yr.
    # 2025: import 100 t = 20,000. build 2026 serves 2026, 2027 for 300/tpa < 400 of imports
    # -> build 100 in 2026. Objective = 20,000 + 30,000 = 50,000 USD = 0.05 MUSD.
    # Price 2025 = 200 USD/t (import is the only source).
    plan = solve(settings=NO_SALVAGE, **one_region_chain(
        projects=[project(max_new_tpa=1000, capex_usd_per_tpa=300, earliest_start_year=2026)],
        supply=[offer(price=200)], demand=FLAT_100))
    assert plan.status == "optimal"
    assert build_keys(plan) == {("plant", 2026), ("plant", 2027)}
    assert plan.values("build") == {("plant", 2026): approx(100)}
    assert plan.values("buy") == {("imp", 2025): approx(100)}
    assert plan.objective == approx(0.05)
    assert plan.price("EU", "magnet", 2025) == approx(200)


# ---------------------------------------------------------------- 4. existing and committed capacity
def test_existing_capacity_retires(solve):
    # "old": existing 150 tpa, retires after 2026 (existing_retire_year 2026, inclusive),
    # fixed O&M 20 USD/tpa, var 30 USD/t, no new build. Import 200 USD/t. Demand 100 t/yr.
    # 2025, 2026: old serves 100 t (30 < 200); 2027: old is gone -> import 100 t.
    # Objective = fixed O&M 20*150*2 + var 30*100*2 + import 200*100
    #           = 6,000 + 6,000 + 20,000 = 32,000 USD = 0.032 MUSD.
    # Prices: 2025, 2026 the plant has spare capacity -> var cost 30 USD/t; 2027 -> 200 USD/t.
    plan = solve(**one_region_chain(
        projects=[project("old", existing_tpa=150, existing_retire_year=2026,
                          fixed_om_usd_per_tpa=20, var_cost_usd_per_t=30)],
        supply=[offer(price=200)], demand=FLAT_100))
    assert plan.status == "optimal"
    assert plan.values("act") == {("old", 2025): approx(100), ("old", 2026): approx(100)}
    assert ("old", 2027) not in plan.result.solution.values["act"]
    assert plan.values("buy") == {("imp", 2027): approx(100)}
    cap = plan.table("capacity").set_index("year")
    assert sorted(cap.index) == [2025, 2026]
    assert cap.loc[2026, "existing_tpa"] == approx(150)
    assert plan.objective == approx(0.032)
    assert plan.price("EU", "magnet", 2025) == approx(30)
    assert plan.price("EU", "magnet", 2026) == approx(30)
    assert plan.price("EU", "magnet", 2027) == approx(200)


def test_committed_capacity_is_sunk(solve):
    # "new": committed 150 tpa online from 2026, fixed O&M 30 USD/tpa, var 20 USD/t, a capex
    # of 1,000 USD/tpa given but max_new 0: the committed capital is sunk and never counted.
    # Import 200 USD/t, demand 100 t/yr.
    # 2025: import 100 t = 20,000. 2026, 2027: committed plant serves 100 t (20 < 200).
    # Objective = import 20,000 + fixed O&M 30*150*2 + var 20*100*2
    #           = 20,000 + 9,000 + 4,000 = 33,000 USD = 0.033 MUSD.
    # Prices: 2025 -> 200 USD/t; 2026, 2027 (spare committed capacity) -> 20 USD/t.
    plan = solve(**one_region_chain(
        projects=[project("new", committed_tpa=150, committed_online_year=2026,
                          capex_usd_per_tpa=1000, fixed_om_usd_per_tpa=30, var_cost_usd_per_t=20)],
        supply=[offer(price=200)], demand=FLAT_100))
    assert plan.status == "optimal"
    assert build_keys(plan) == set()
    assert plan.values("act") == {("new", 2026): approx(100), ("new", 2027): approx(100)}
    assert plan.values("buy") == {("imp", 2025): approx(100)}
    cap = plan.table("capacity").set_index("year")
    assert sorted(cap.index) == [2026, 2027]
    assert cap.loc[2027, "committed_tpa"] == approx(150)
    assert plan.objective == approx(0.033)
    assert plan.price("EU", "magnet", 2025) == approx(200)
    assert plan.price("EU", "magnet", 2026) == approx(20)
    assert plan.price("EU", "magnet", 2027) == approx(20)


# ---------------------------------------------------------------- 5. salvage
SALVAGE_STUDY = dict(
    # lead 0, lifetime 5, capex 500 USD/tpa, var 0; import 400 USD/t; demand 100 t/yr.
    projects=[project(max_new_tpa=1000, capex_usd_per_tpa=500, lifetime_years=5)],
    supply=[offer(price=400)], demand=FLAT_100)


@pytest.mark.parametrize("rate, salvage, expected", [
    # Build 100 in 2025 in every case: it covers all three years; 2025 itself can only be
    # covered by that build or by importing at 400 (far dearer per year than the build).
    # served(2025) = min(5, 2027 - 2025 + 1) = 3, unused share 1 - 3/5 = 0.4,
    # salvage = 500 * 100 * 0.4 = 20,000 USD, credited at df(2027).
    # r = 0, salvage yes: 50,000 - 20,000 = 30,000 USD.
    (0.0, "yes", 0.05 - 0.02),
    # r = 0, salvage no: 50,000 USD.
    (0.0, "no", 0.05),
    # r = 0.1, base 2025: capex at df(2025) = 1, credit at df(2027) = 1/1.1^2 = 1/1.21:
    # 0.05 - 0.02/1.21 MUSD.  (Still optimal: building in 2026 instead costs an import of
    # 400 in 2025 plus 500/1.1 - 300/1.21 per tpa, more than 500 - 200/1.21.)
    (0.1, "yes", 0.05 - 0.02 / 1.21),
    # r = 0.1, salvage no: 0.05 (capex spent in 2025, df = 1).
    (0.1, "no", 0.05),
])
def test_salvage_credit(solve, rate, salvage, expected):
    plan = solve(settings={"discount_rate": rate, "salvage": salvage}, **one_region_chain(**SALVAGE_STUDY))
    assert plan.status == "optimal"
    assert plan.values("build") == {("plant", 2025): approx(100)}
    assert plan.values("buy") == {}
    assert plan.objective == approx(expected)
    costs = plan.table("costs")
    sal = costs[costs.component == "salvage"]
    if salvage == "yes":
        # the salvage component is -20,000 USD in 2027, undiscounted
        assert list(sal.year) == [2027]
        assert sal.cost_musd.iloc[0] == approx(-0.02)
    else:
        assert sal.cost_musd.abs().sum() == approx(0)


@pytest.mark.parametrize("rate, salvage, expected", [
    # Lead 1, lifetime 4, capex 400 USD/tpa (all spent in tau since L = 1), var 0.
    # Demand 100 t in 2026 and 2027 only; import 500 USD/t.
    # build 2025: online 2026, served = min(4, 2027 - 2026 + 1) = 2 (counted from the online
    # year, not the start year), unused 1 - 2/4 = 0.5 -> salvage 400 * 100 * 0.5 = 20,000.
    # build 2025 = 100 covers 2026 and 2027 (net 200/tpa at r = 0) vs build 2026 (online 2027,
    # served 1, salvage 300, net 100) + importing 2026 at 500 -> build 2025.
    # r = 0, salvage yes: 40,000 - 20,000 = 20,000 USD.
    (0.0, "yes", 0.04 - 0.02),
    (0.0, "no", 0.04),
    # r = 0.1: spend at df(2025) = 1, credit at df(2027) = 1/1.21.
    # (build 2025: 400 - 200/1.21 = 234.7/tpa; the alternative 500/1.1 + 400/1.1 - 300/1.21
    #  = 570.2/tpa -> build 2025 still.)
    (0.1, "yes", 0.04 - 0.02 / 1.21),
    (0.1, "no", 0.04),
])
def test_salvage_counts_service_from_online_year(solve, rate, salvage, expected):
    plan = solve(settings={"discount_rate": rate, "salvage": salvage}, **one_region_chain(
        projects=[project(max_new_tpa=1000, capex_usd_per_tpa=400, lifetime_years=4, lead_time_years=1)],
        supply=[offer(price=500)], demand=demand(y2026=100, y2027=100)))
    assert plan.status == "optimal"
    assert plan.values("build") == {("plant", 2025): approx(100)}
    assert plan.values("buy") == {}
    assert plan.objective == approx(expected)


def test_no_salvage_when_life_is_used_up(solve):
    # lifetime 3 = horizon length: build 2025 (lead 0) is served min(3, 3) = 3 years, unused 0
    # -> no credit. Capex 300, import 200, demand 100 t/yr: build 100 in 2025 (100 USD/t/yr).
    # Objective = 30,000 USD = 0.03 MUSD with salvage yes (the default).
    # (Later builds would earn credit: build 2026 served 2 -> 1/3 back, net 200 for 2 years,
    #  also 100/yr, but 2025 can only be covered by the 2025 build, which already covers all.)
    plan = solve(**one_region_chain(
        projects=[project(max_new_tpa=1000, capex_usd_per_tpa=300, lifetime_years=3)],
        supply=[offer(price=200)], demand=FLAT_100))
    assert plan.status == "optimal"
    assert plan.values("build") == {("plant", 2025): approx(100)}
    assert plan.objective == approx(0.03)
