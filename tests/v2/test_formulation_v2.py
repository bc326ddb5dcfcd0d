"""Version 2 of the formulation (docs/formulation.md 8-13), each equation on a small instance
whose optimum is worked out by hand in the comments. Discount rate 0 and no salvage unless a
test says otherwise, so the objective is the plain sum of costs in USD million.
"""

from __future__ import annotations

import pytest

from conftest import Plan, one_region_chain, write_case
from model.pipeline import solve_workbook

ONE_YEAR = {"salvage": "no", "first_year": 2025, "last_year": 2025}
THREE_YEARS = {"salvage": "no", "first_year": 2025, "last_year": 2027}


@pytest.fixture
def solve_policy_costs(tmp_path):
    """Like `solve`, with --policy-costs."""
    def run(settings=None, **sheets) -> Plan:
        path = write_case(tmp_path, settings, **sheets)
        return Plan(solve_workbook(path, tmp_path / "out", with_policy_costs=True, figures=False))
    return run


def demand(qty=100, years=(2025,), region="EU", commodity="magnet") -> list[dict]:
    return [{"region": region, "commodity": commodity, "year": y, "quantity_t": qty} for y in years]


def offer(name="imp", price=2000, region="EU", commodity="magnet", **kw) -> dict:
    return {"offer": name, "region": region, "commodity": commodity, "price_usd_per_t": price, **kw}


# ------------------------------------------------------------------ 8. outside buyers
def test_a_buyer_takes_surplus_concentrate_at_its_price(solve):
    # A mine with 100 tpa existing runs at 1000 USD/t; buyers take up to 60 t at 3000 USD/t and
    # nothing else wants concentrate. It sells 60: objective 60 * 1000 - 60 * 3000 = -0.12 MUSD.
    # The mine is not full, so concentrate's marginal cost (the price) is its running cost, 1000.
    sheets = one_region_chain(
        regions=[{"region": "AU"}],
        commodities=[{"commodity": "conc", "stage": "extraction"}],
        content=[{"commodity": "conc", "material": "NdPr", "t_per_t": 0.1}],
        technologies=[{"technology": "mine", "stage": "extraction"}],
        tech_io=[{"technology": "mine", "commodity": "conc", "coefficient": 1}],
        projects=[{"project": "mt", "technology": "mine", "region": "AU", "existing_tpa": 100,
                   "var_cost_usd_per_t": 1000}],
        sales=[{"sale": "china", "region": "AU", "commodity": "conc", "max_tpa": 60, "price_usd_per_t": 3000}],
    )
    plan = solve(settings=ONE_YEAR, **sheets)
    assert plan.objective == pytest.approx(-0.12, abs=1e-12)
    assert plan.value("sell", ("china", 2025)) == pytest.approx(60)
    assert plan.price("AU", "conc", 2025) == pytest.approx(1000)
    sales = plan.csv("sales")
    assert sales[["sale", "year", "sold_t", "price_usd_per_t"]].values.tolist() == [["china", 2025, 60, 3000]]
    costs = plan.table("costs").set_index("component")["cost_musd"]
    assert costs["sales"] == pytest.approx(-0.18) and costs["variable"] == pytest.approx(0.06)


def test_sales_are_not_consumption(solve):
    # EU consumes 100 t magnet (50 t NdPr) and a buyer takes 100 t more at 2500; imports at 2000.
    # The 40 % domestic target is on 0.4 * 50 = 20 t NdPr, not on sales too: shortfall 20 t at
    # 1000 USD/t = 0.02. Objective: 200 * 2000 - 100 * 2500 + 0.02 = 0.4 - 0.25 + 0.02 = 0.17.
    sheets = one_region_chain(
        supply=[offer()], demand=demand(),
        sales=[{"sale": "out", "region": "EU", "commodity": "magnet", "max_tpa": 100, "price_usd_per_t": 2500}],
        policies=[{"policy": "dom", "region": "EU", "material": "NdPr", "kind": "min_domestic_share",
                   "stage": "manufacturing", "share": 0.4, "penalty_usd_per_t": 1000}],
    )
    plan = solve(settings=ONE_YEAR, **sheets)
    assert plan.objective == pytest.approx(0.17, abs=1e-12)
    assert plan.table("policies")["consumption_t"].tolist() == [50]


# ------------------------------------------------------------------ 9. stockpiles
def test_a_stockpile_is_filled_before_a_cut_and_drawn_during_it(solve):
    # Demand 50 t a year 2025-2027; Chinese supply at 10,000 USD/t up to 100 t/yr stops after 2026.
    # Holding costs 500 USD/t a year, so 2027's 50 t are bought in 2026 (one year held), not 2025.
    # Objective: (50 + 100) * 10,000 + 50 * 500 = 1.5 + 0.025 = 1.525 MUSD. Levels 0, 50, 0.
    # Price of oxide in 2027: buy in 2026 and hold a year, 10,500 USD/t.
    sheets = one_region_chain(
        supply=[offer("cn", 10000, max_tpa=100, last_year=2026)],
        demand=demand(50, (2025, 2026, 2027)),
        commodities=[{"commodity": "magnet", "stage": "manufacturing", "unmet_penalty_usd_per_t": 100000}],
        stocks=[{"stock": "sp", "region": "EU", "commodity": "magnet", "max_t": 100,
                 "holding_cost_usd_per_t": 500}],
    )
    plan = solve(settings=THREE_YEARS, **sheets)
    assert plan.objective == pytest.approx(1.525, abs=1e-12)
    assert [plan.value("level", ("sp", y)) for y in (2025, 2026, 2027)] == pytest.approx([0, 50, 0])
    assert plan.price("EU", "magnet", 2027) == pytest.approx(10500)
    stocks = plan.csv("stocks")
    assert stocks["level_t"].tolist() == [0, 50, 0] and stocks["change_t"].tolist() == [0, 50, -50]


def test_initial_floor_and_final_stock(solve):
    # 30 t held at the start, a floor of 10 t at every year end and 40 t required at the end;
    # holding costs 100 USD/t a year, so nothing is held beyond what the rules ask.
    # Demand 100 in 2025 only: the stock gives 20 (down to the floor), 80 bought at 2000;
    # 2026: buy 30 to end at 40. Objective (80 + 30) * 2000 + (10 + 40) * 100 = 0.225 MUSD.
    sheets = one_region_chain(
        supply=[offer()], demand=demand(100, (2025,)),
        stocks=[{"stock": "sp", "region": "EU", "commodity": "magnet", "initial_t": 30, "min_t": 10,
                 "final_t": 40, "holding_cost_usd_per_t": 100}],
    )
    plan = solve(settings={"salvage": "no", "first_year": 2025, "last_year": 2026}, **sheets)
    assert plan.objective == pytest.approx(0.225, abs=1e-12)
    assert [plan.value("level", ("sp", y)) for y in (2025, 2026)] == pytest.approx([10, 40])


# ------------------------------------------------------------------ 10. ramp-up and minimum output
def test_a_ramp_delays_full_output(solve):
    # 100 tpa committed from 2025 ramps over 2 years: usable 1/3, 2/3, then all of it.
    # Demand 100 a year; the plant runs at 1000 USD/t against imports at 5000.
    # Output 33.3, 66.7, 100; imports 66.7 + 33.3 = 100 t.
    # Objective: 200 * 1000 + 100 * 5000 = 0.7 MUSD.
    sheets = one_region_chain(
        projects=[{"project": "plant", "technology": "sinter", "region": "EU", "committed_tpa": 100,
                   "committed_online_year": 2025, "ramp_years": 2, "var_cost_usd_per_t": 1000}],
        supply=[offer(price=5000)], demand=demand(100, (2025, 2026, 2027)),
    )
    plan = solve(settings=THREE_YEARS, **sheets)
    assert [plan.value("act", ("plant", y)) for y in (2025, 2026, 2027)] == pytest.approx([100 / 3, 200 / 3, 100])
    assert plan.objective == pytest.approx(0.7, abs=1e-12)
    cap = plan.csv("capacity")
    assert cap["capacity_tpa"].tolist() == [100, 100, 100]  # nameplate is not ramped


def test_a_ramp_applies_to_new_builds_and_capacity_targets(solve):
    # A build started in 2025 (lead 0) ramps over 1 year: half of it is usable in 2025.
    # A hard 60 % domestic target on capacity (basis capacity) in 2025 on 50 t NdPr needs 30 t
    # NdPr = 60 t magnet of usable capacity: 120 tpa built (half usable). Building beyond that
    # costs 1500 USD/tpa and saves only 0.5 t of 2025 imports (1000 USD), so exactly 120.
    # The plant (no running cost) makes 60 t in 2025 and 100 t in 2026; imports 40 t at 2000.
    # Objective 120 * 1500 + 40 * 2000 = 0.26 MUSD.
    sheets = one_region_chain(
        projects=[{"project": "plant", "technology": "sinter", "region": "EU", "max_new_tpa": 1000,
                   "capex_usd_per_tpa": 1500, "ramp_years": 1}],
        supply=[offer()], demand=demand(100, (2025, 2026)),
        policies=[{"policy": "dom", "region": "EU", "material": "NdPr", "kind": "min_domestic_share",
                   "stage": "manufacturing", "share": 0.6, "basis": "capacity", "first_year": 2025,
                   "last_year": 2025}],
    )
    plan = solve(settings={"salvage": "no", "first_year": 2025, "last_year": 2026}, **sheets)
    assert plan.value("build", ("plant", 2025)) == pytest.approx(120)
    assert [plan.value("act", ("plant", y)) for y in (2025, 2026)] == pytest.approx([60, 100])
    assert plan.objective == pytest.approx(0.26, abs=1e-12)


def test_a_minimum_output_plant_runs_at_a_loss_and_its_dual_is_the_loss(solve):
    # A take-or-pay plant of 100 tpa must run at half its capacity at 3000 USD/t while imports
    # cost 2000: it makes 50 t at a loss of 1000 USD/t. Objective 50 * 3000 + 50 * 2000 = 0.25.
    # The minimum-output row's dual is the loss per tonne: 1000 USD/t (support.csv).
    sheets = one_region_chain(
        projects=[{"project": "plant", "technology": "sinter", "region": "EU", "existing_tpa": 100,
                   "var_cost_usd_per_t": 3000, "min_output_share": 0.5}],
        supply=[offer()], demand=demand(),
    )
    plan = solve(settings=ONE_YEAR, **sheets)
    assert plan.objective == pytest.approx(0.25, abs=1e-12)
    assert plan.value("act", ("plant", 2025)) == pytest.approx(50)
    support = plan.csv("support")
    row = support[support.kind == "minimum_output"]
    assert row[["project", "year"]].values.tolist() == [["plant", 2025]]
    assert float(row["support_usd_per_t"].iloc[0]) == pytest.approx(1000)


# ------------------------------------------------------------------ 11. route years
def test_a_tariff_that_starts_in_a_given_year(solve):
    # CN magnets at 2000 against EU supply at 2500. From 2026 a magnet tariff of 1000 USD/t (a
    # dated row more specific than the free `*` row) makes CN dearer: import in 2025 only.
    # Objective: 100 * 2000 + 2 * 100 * 2500 = 0.7 MUSD.
    sheets = one_region_chain(
        regions=[{"region": "EU"}, {"region": "CN"}],
        supply=[offer("cn", 2000, region="CN"), offer("eu", 2500)],
        trade=[{"from_region": "CN", "to_region": "EU", "commodity": "*", "cost_usd_per_t": 0},
               {"from_region": "CN", "to_region": "EU", "commodity": "magnet", "cost_usd_per_t": 1000,
                "first_year": 2026}],
        demand=demand(100, (2025, 2026, 2027)),
    )
    plan = solve(settings=THREE_YEARS, **sheets)
    assert plan.objective == pytest.approx(0.7, abs=1e-12)
    trade = plan.csv("trade")
    assert trade[["year", "flow_t", "cost_usd_per_t"]].values.tolist() == [[2025, 100, 0]]
    assert plan.result.study.flow[("CN", "EU", "magnet", 2027)].cost == pytest.approx(1000e-6)


def test_a_year_no_row_covers_has_no_route(solve):
    # The only route ends in 2025: from 2026 the EU buys its own at 2500.
    sheets = one_region_chain(
        regions=[{"region": "EU"}, {"region": "CN"}],
        supply=[offer("cn", 2000, region="CN"), offer("eu", 2500)],
        trade=[{"from_region": "CN", "to_region": "EU", "last_year": 2025}],
        demand=demand(100, (2025, 2026)),
    )
    plan = solve(settings={"salvage": "no", "first_year": 2025, "last_year": 2026}, **sheets)
    assert set(plan.result.solution.values["flow"]) == {("CN", "EU", "magnet", 2025)}
    assert plan.objective == pytest.approx(0.45, abs=1e-12)


# ------------------------------------------------------------------ 12. bookkeeping technologies
def test_a_bookkeeping_technology_counts_in_no_stage(solve):
    # Magnets (imported at 2000) become the duty the EU demands through a bookkeeping
    # technology (blank stage) with 1000 tpa existing in the EU. Its output contains NdPr, yet a
    # 40 % manufacturing target on 50 t NdPr cannot count it: shortfall 20 t at 1000 USD/t.
    # Objective 100 * 2000 + 20 * 1000 = 0.22 MUSD.
    sheets = one_region_chain(
        commodities=[{"commodity": "magnet", "stage": "manufacturing"}, {"commodity": "duty"}],
        content=[{"commodity": "magnet", "material": "NdPr", "t_per_t": 0.5},
                 {"commodity": "duty", "material": "NdPr", "t_per_t": 0.5}],
        technologies=[{"technology": "sinter", "stage": "manufacturing"}, {"technology": "grade"}],
        tech_io=[{"technology": "sinter", "commodity": "magnet", "coefficient": 1},
                 {"technology": "grade", "commodity": "magnet", "coefficient": -1},
                 {"technology": "grade", "commodity": "duty", "coefficient": 1}],
        projects=[{"project": "acct", "technology": "grade", "region": "EU", "existing_tpa": 1000}],
        supply=[offer()], demand=demand(commodity="duty"),
        policies=[{"policy": "dom", "region": "EU", "material": "NdPr", "kind": "min_domestic_share",
                   "stage": "manufacturing", "share": 0.4, "penalty_usd_per_t": 1000}],
    )
    plan = solve(settings=ONE_YEAR, **sheets)
    assert plan.objective == pytest.approx(0.22, abs=1e-12)
    assert plan.table("policies")["shortfall_t"].tolist() == pytest.approx([20])
    cap = plan.csv("capacity")
    assert cap["project"].tolist() == ["acct"] and cap["stage"].tolist() == [""]


# ------------------------------------------------------------------ 13. policy groups
def test_a_policy_group_is_costed_together(solve_policy_costs):
    # Two identical 50 % caps on CN magnets (group crma): CN at 2000, EU at 2500, demand 100.
    # With either cap: 50 from CN, 50 from the EU: 0.225 MUSD; with none 0.2. Removing one alone
    # changes nothing (cost 0); removing the group saves 0.025 MUSD.
    cap = {"region": "EU", "material": "NdPr", "kind": "max_supplier_share", "stage": "manufacturing",
           "share": 0.5, "group": "crma"}
    sheets = one_region_chain(
        regions=[{"region": "EU"}, {"region": "CN"}],
        supply=[offer("cn", 2000, region="CN"), offer("eu", 2500)],
        trade=[{"from_region": "CN", "to_region": "EU"}],
        demand=demand(), policies=[{"policy": "cap1", **cap}, {"policy": "cap2", **cap}],
    )
    plan = solve_policy_costs(settings=ONE_YEAR, **sheets)
    assert plan.objective == pytest.approx(0.225, abs=1e-12)
    costs = plan.csv("policy_costs")
    assert costs["policy_total_cost_musd"].tolist() == pytest.approx([0, 0], abs=1e-9)
    assert costs["group"].tolist() == ["crma", "crma"]
    assert costs["group_total_cost_musd"].tolist() == pytest.approx([0.025, 0.025], abs=1e-9)


# ------------------------------------------------------------------ support.csv
@pytest.mark.parametrize("settings, lead", [
    ({"salvage": "no", "first_year": 2025, "last_year": 2025, "discount_rate": 0}, 0),
    ({"salvage": "yes", "first_year": 2025, "last_year": 2030, "discount_rate": 0.08}, 2),
], ids=["one year", "discounted, lead 2, salvage"])
def test_the_subsidy_that_support_reports_brings_the_project_in(solve, settings, lead):
    years = range(settings["first_year"], settings["last_year"] + 1)
    sheets = one_region_chain(
        projects=[{"project": "plant", "technology": "sinter", "region": "EU", "max_new_tpa": 1000,
                   "capex_usd_per_tpa": 30000, "lead_time_years": lead, "lifetime_years": 10}],
        supply=[offer()], demand=demand(100, years),
    )
    plan = solve(settings=settings, **sheets)
    assert plan.values("build") == {}
    support = plan.csv("support")
    row = support[support.kind == "capital_subsidy"].iloc[0]
    subsidy = float(row["subsidy_usd_per_tpa"])
    if lead == 0:
        # one year: building 1 tpa saves one tonne of imports (2000): it needs 30,000 - 2,000
        assert subsidy == pytest.approx(28000)
        assert float(row["subsidy_usd_per_kg"]) == pytest.approx(28000 / (10 * 1000))
    for factor, enters in ((1.001, True), (0.999, False)):
        sheets["projects"][0]["capex_usd_per_tpa"] = 30000 - subsidy * factor
        again = solve(settings=settings, **sheets)
        assert (sum(again.values("build").values()) > 1e-6) is enters, factor
