"""The objective by hand (formulation.md, Objective): discounting to base_year, the constant
fixed O&M of existing and committed capacity, capex spread over construction years, and the
cost tables adding up to the objective.

Amounts in the comments are in USD; the objective is USD million (divide by 1e6).
"""

from __future__ import annotations

import pytest

from conftest import one_region_chain

YEARS = (2025, 2026, 2027)


def approx(x):
    return pytest.approx(x, rel=1e-9, abs=1e-12)


def project(name: str = "plant", region: str = "EU", **cols) -> dict:
    return {"project": name, "technology": "sinter", "region": region, **cols}


def offer(name: str = "imp", price: float = 200, region: str = "EU", **cols) -> dict:
    return {"offer": name, "region": region, "commodity": "magnet", "price_usd_per_t": price, **cols}


def demand(years, q: float = 100, region: str = "EU") -> list[dict]:
    return [{"region": region, "commodity": "magnet", "year": y, "quantity_t": q} for y in years]


# ---------------------------------------------------------------- discounting
@pytest.mark.parametrize("base_year, df", [
    # df(t) = 1.1 ** -(t - base_year)
    # base 2024 (before first_year): df = 1/1.1, 1/1.1^2, 1/1.1^3
    (2024, {2025: 1 / 1.1, 2026: 1 / 1.1 ** 2, 2027: 1 / 1.1 ** 3}),
    # base 2026 (inside the horizon): df = 1.1, 1, 1/1.1
    (2026, {2025: 1.1, 2026: 1.0, 2027: 1 / 1.1}),
])
def test_discounting_to_base_year(solve, base_year, df):
    # Only an import at 200 USD/t; demand 100 t/yr -> 20,000 USD = 0.02 MUSD each year.
    # Objective = 0.02 * (df(2025) + df(2026) + df(2027)):
    #   base 2024: 0.02 * (0.909091 + 0.826446 + 0.751315) = 0.02 * 2.486852 = 0.0497370
    #   base 2026: 0.02 * (1.1 + 1 + 0.909091)               = 0.02 * 3.009091 = 0.0601818
    # Prices are reported undiscounted: dual / df(t) * 1e6 = 200 USD/t in every year.
    plan = solve(settings={"discount_rate": 0.1, "base_year": base_year}, **one_region_chain(
        supply=[offer(price=200)], demand=demand(YEARS)))
    assert plan.status == "optimal"
    expected = 0.02 * (df[2025] + df[2026] + df[2027])
    assert plan.objective == approx(expected)
    assert plan.objective == approx({2024: 0.02 * (1 / 1.1 + 1 / 1.21 + 1 / 1.331),
                                     2026: 0.02 * (1.1 + 1 + 1 / 1.1)}[base_year])
    for y in YEARS:
        assert plan.price("EU", "magnet", y) == approx(200)
    costs = plan.table("costs")
    sup = costs[costs.component == "supply"].set_index("year")
    for y in YEARS:
        assert sup.loc[y, "cost_musd"] == approx(0.02)
        assert sup.loc[y, "discounted_musd"] == approx(0.02 * df[y])


# ---------------------------------------------------------------- constant fixed O&M
def test_objective_includes_fixed_om_of_existing_and_committed_capacity(solve):
    # No demand, no offer, no candidate: nothing to decide. r = 0.1, base 2025.
    # "old": existing 100 tpa to 2026 (inclusive), fixed O&M 50 USD/tpa  -> 5,000 in 2025, 2026.
    # "com": committed 200 tpa from 2026,            fixed O&M 10 USD/tpa -> 2,000 in 2026, 2027.
    # Yearly fixed O&M: 2025: 5,000; 2026: 7,000; 2027: 2,000.
    # Objective = 5,000 + 7,000/1.1 + 2,000/1.21 = 5,000 + 6,363.64 + 1,652.89 = 13,016.53 USD.
    plan = solve(settings={"discount_rate": 0.1}, **one_region_chain(
        projects=[project("old", existing_tpa=100, existing_retire_year=2026, fixed_om_usd_per_tpa=50),
                  project("com", committed_tpa=200, committed_online_year=2026, fixed_om_usd_per_tpa=10)]))
    assert plan.status == "optimal"
    assert plan.objective == approx(0.005 + 0.007 / 1.1 + 0.002 / 1.21)
    costs = plan.table("costs")
    fom = costs[costs.component == "fixed_om"].set_index("year")
    assert fom.cost_musd.to_dict() == {2025: approx(0.005), 2026: approx(0.007), 2027: approx(0.002)}
    assert plan.summary["objective_musd"] == approx(0.005 + 0.007 / 1.1 + 0.002 / 1.21)
    assert plan.summary["cost_by_component_musd"]["fixed_om"] == approx(0.005 + 0.007 / 1.1 + 0.002 / 1.21)


def test_constant_fixed_om_with_zero_discount(solve):
    # Same idea at r = 0: existing 40 tpa, fixed O&M 25 USD/tpa over 3 years, never retiring
    # -> 3 * 1,000 = 3,000 USD = 0.003 MUSD, although no variable has a cost.
    plan = solve(**one_region_chain(projects=[project("old", existing_tpa=40, fixed_om_usd_per_tpa=25)]))
    assert plan.status == "optimal"
    assert plan.objective == approx(0.003)


# ---------------------------------------------------------------- capex spread over construction
@pytest.mark.parametrize("lead, last_year, expected", [
    # Lead 2, capex 600 USD/tpa, build 100 tpa in 2025 (online 2027):
    # spend 600/2 * 100 = 30,000 USD in 2025 and in 2026.
    # Objective = 0.03 * df(2025) + 0.03 * df(2026) = 0.03 + 0.03/1.1 = 0.0572727 MUSD
    # (overnight at tau would be 0.06; all at the online year 0.06/1.21 = 0.0495868).
    (2, 2028, 0.03 + 0.03 / 1.1),
    # Lead 3, horizon to 2029: spend 200 * 100 = 20,000 USD in 2025, 2026, 2027.
    # Objective = 0.02 * (1 + 1/1.1 + 1/1.21) = 0.02 * 2.735537 = 0.0547107 MUSD.
    (3, 2029, 0.02 + 0.02 / 1.1 + 0.02 / 1.21),
    # Lead 1: all 60,000 USD spent in 2025, df = 1.
    (1, 2028, 0.06),
])
def test_capex_spread_over_construction_years(solve, lead, last_year, expected):
    # r = 0.1, base 2025, no salvage, lifetime 25, var 0. Demand 100 t in each year from
    # 2025 + lead to last_year; the only other source is an import at 100,000 USD/t, so the
    # plant is built as early as possible: tau = 2025, 100 tpa (one build covers every
    # demand year; a later build would leave the first demand year to the import).
    first_online = 2025 + lead
    plan = solve(settings={"discount_rate": 0.1, "salvage": "no", "last_year": last_year},
                 **one_region_chain(
                     projects=[project(max_new_tpa=1000, capex_usd_per_tpa=600, lead_time_years=lead)],
                     supply=[offer(price=100_000)],
                     demand=demand(range(first_online, last_year + 1))))
    assert plan.status == "optimal"
    assert plan.values("build") == {("plant", 2025): approx(100)}
    assert plan.values("buy") == {}
    assert plan.objective == approx(expected)
    costs = plan.table("costs")
    capex = costs[(costs.component == "capex") & (costs.cost_musd.abs() > 1e-12)].set_index("year")
    # undiscounted spend: capex * build / L in each construction year 2025 .. 2025 + L - 1
    assert capex.cost_musd.to_dict() == {y: approx(0.06 / lead) for y in range(2025, 2025 + lead)}


# ---------------------------------------------------------------- the cost tables add up
def _rich_case():
    # Two regions, EU and CN; magnet with an unmet penalty of 1,000 USD/t.
    # r = 0.1, base_year 2024 (df(2025) = 1/1.1, df(2026) = 1/1.21, df(2027) = 1/1.331),
    # salvage yes.
    #  * eu_old: existing 50 tpa, retires after 2025, fixed O&M 5, var 30.
    #  * eu_new: max_new 40, capex 300, fixed O&M 10, var 20, lead 1, lifetime 4.
    #  * cn_imp: offer in CN at 100 USD/t, unlimited; route CN->EU magnet, 50 USD/t, max 30 t/yr.
    #  * EU demand 100 t/yr.
    return {"discount_rate": 0.1, "base_year": 2024}, one_region_chain(
        regions=[{"region": "EU"}, {"region": "CN"}],
        commodities=[{"commodity": "magnet", "stage": "manufacturing", "unmet_penalty_usd_per_t": 1000}],
        projects=[project("eu_old", existing_tpa=50, existing_retire_year=2025,
                          fixed_om_usd_per_tpa=5, var_cost_usd_per_t=30),
                  project("eu_new", max_new_tpa=40, capex_usd_per_tpa=300, fixed_om_usd_per_tpa=10,
                          var_cost_usd_per_t=20, lead_time_years=1, lifetime_years=4)],
        supply=[offer("cn_imp", price=100, region="CN")],
        trade=[{"from_region": "CN", "to_region": "EU", "commodity": "magnet",
                "cost_usd_per_t": 50, "max_tpa": 30}],
        demand=demand(YEARS))


# Hand solution of _rich_case. Every source is cheaper than the 1,000 USD/t penalty, so all
# are used to their limit: 2025 eu_old 50 + import 30 (150/t landed) -> unmet 20;
# 2026, 2027 eu_new 40 + import 30 -> unmet 30. eu_new: build 40 in 2025 (online 2026; the
# 2026 start would serve 2027 only, and max_new 40 caps the sum).
# Undiscounted components (USD):
#   capex     2025: 300 * 40 = 12,000 (lead 1: all in the start year)
#   fixed_om  2025: 5 * 50 = 250;  2026, 2027: 10 * 40 = 400
#   variable  2025: 30 * 50 = 1,500;  2026, 2027: 20 * 40 = 800
#   supply    100 * 30 = 3,000 each year
#   trade     50 * 30 = 1,500 each year
#   unmet     2025: 1,000 * 20 = 20,000;  2026, 2027: 1,000 * 30 = 30,000
#   salvage   2027: served = min(4, 2027 - 2026 + 1) = 2, unused 1/2 -> -300 * 40 / 2 = -6,000
# Year totals: 2025: 38,250;  2026: 35,700;  2027: 29,700.
D = {2025: 1 / 1.1, 2026: 1 / 1.1 ** 2, 2027: 1 / 1.1 ** 3}
RICH_COMPONENTS = {
    "capex": 0.012 * D[2025],
    "fixed_om": 0.00025 * D[2025] + 0.0004 * D[2026] + 0.0004 * D[2027],
    "variable": 0.0015 * D[2025] + 0.0008 * D[2026] + 0.0008 * D[2027],
    "supply": 0.003 * (D[2025] + D[2026] + D[2027]),
    "trade": 0.0015 * (D[2025] + D[2026] + D[2027]),
    "unmet": 0.02 * D[2025] + 0.03 * D[2026] + 0.03 * D[2027],
    "shortfall": 0.0,
    "salvage": -0.006 * D[2027],
}
# = 0.03825/1.1 + 0.0357/1.21 + 0.0297/1.331 = 0.0347727 + 0.0295041 + 0.0223140 = 0.0865909
RICH_OBJECTIVE = 0.03825 / 1.1 + 0.0357 / 1.21 + 0.0297 / 1.331


def test_rich_case_objective_by_hand(solve):
    settings, sheets = _rich_case()
    plan = solve(settings=settings, **sheets)
    assert plan.status == "optimal"
    assert plan.values("build") == {("eu_new", 2025): approx(40)}
    assert plan.values("unmet") == {("EU", "magnet", 2025): approx(20), ("EU", "magnet", 2026): approx(30),
                                    ("EU", "magnet", 2027): approx(30)}
    assert plan.values("flow") == {("CN", "EU", "magnet", y): approx(30) for y in YEARS}
    assert plan.objective == approx(RICH_OBJECTIVE)
    assert sum(RICH_COMPONENTS.values()) == approx(RICH_OBJECTIVE)  # the two hand sums agree
    # EU: unmet is strictly between 0 and demand -> price = the penalty, 1,000 USD/t.
    # CN: the unlimited offer is used -> price = 100 USD/t.
    for y in YEARS:
        assert plan.price("EU", "magnet", y) == approx(1000)
        assert plan.price("CN", "magnet", y) == approx(100)


def test_costs_table_sums_to_objective(solve):
    settings, sheets = _rich_case()
    plan = solve(settings=settings, **sheets)
    costs = plan.table("costs")
    assert costs.discounted_musd.sum() == approx(plan.objective)
    assert costs.discounted_musd.sum() == approx(RICH_OBJECTIVE)
    # discounted = cost * df(year), df to base 2024
    for r in costs.itertuples():
        assert r.discounted_musd == approx(r.cost_musd * D[r.year])
    by_comp = costs.groupby("component").discounted_musd.sum().to_dict()
    for comp, v in RICH_COMPONENTS.items():
        assert by_comp.get(comp, 0.0) == approx(v), comp


def test_summary_components_sum_to_objective(solve):
    settings, sheets = _rich_case()
    plan = solve(settings=settings, **sheets)
    s = plan.summary
    assert s["objective_musd"] == approx(plan.objective)
    assert s["objective_musd"] == approx(RICH_OBJECTIVE)
    comps = s["cost_by_component_musd"]
    assert sum(comps.values()) == approx(s["objective_musd"])
    assert set(comps) == set(RICH_COMPONENTS)
    for comp, v in RICH_COMPONENTS.items():
        assert comps[comp] == approx(v), comp
