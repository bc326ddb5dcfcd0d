"""Commodity balance by hand (formulation.md, 3, 4 (offers), 5, Objective): free disposal of
by-products, inputs that must be supplied, a stepped supply curve, unmet demand at a finite
penalty, and the commodity shadow price (USD/t, undiscounted) checked against finite differences.

One region (EU) throughout. Amounts in the comments are in USD; the objective is USD million,
so 45,000 USD is asserted as 0.045. Unless a test sets it, the discount rate is 0 (df = 1 in
every year) and the horizon is 2025..2027.

The price of a commodity is unique (and so asserted) only where the LP is not degenerate: the
marginal tonne comes from a variable strictly between its bounds (an offer below its max_tpa,
activity below capacity, unmet strictly between 0 and demand). The comments name that variable.
"""

from __future__ import annotations

import pytest

from conftest import one_region_chain

YEARS = (2025, 2026, 2027)


def approx(x):
    return pytest.approx(x, rel=1e-9, abs=1e-9)


def offer(name: str, price: float, commodity: str = "magnet", **cols) -> dict:
    """A supply offer in EU; unlimited unless max_tpa is given, whole horizon unless years are."""
    return {"offer": name, "region": "EU", "commodity": commodity, "price_usd_per_t": price, **cols}


def demand(q: float = 100, commodity: str = "magnet", years=YEARS, **by_year) -> list[dict]:
    """q t of EU demand in each year; demand(..., y2026=101) changes one year."""
    q_of = {y: by_year.get(f"y{y}", q) for y in years}
    return [{"region": "EU", "commodity": commodity, "year": y, "quantity_t": v} for y, v in q_of.items()]


def magnet(penalty=None) -> list[dict]:
    return [{"commodity": "magnet", "stage": "manufacturing", "unmet_penalty_usd_per_t": penalty}]


# ---------------------------------------------------------------- separation: two outputs
def separation(demand_rows, existing=200) -> dict:
    """Technology `separate` (processing) makes 1 t NdPr oxide and 2 t Ce oxide per t of activity.

    One existing plant `sep` (existing_tpa 200, var cost 10 USD/t of activity) and nothing else.
    """
    return one_region_chain(
        materials=[{"material": "NdPr"}],
        commodities=[{"commodity": "ndpr_oxide", "stage": "processing"},
                     {"commodity": "ce_oxide", "stage": "processing"}],
        content=[{"commodity": "ndpr_oxide", "material": "NdPr", "t_per_t": 1}],
        technologies=[{"technology": "separate", "stage": "processing"}],
        tech_io=[{"technology": "separate", "commodity": "ndpr_oxide", "coefficient": 1},
                 {"technology": "separate", "commodity": "ce_oxide", "coefficient": 2}],
        projects=[{"project": "sep", "technology": "separate", "region": "EU", "existing_tpa": existing,
                   "var_cost_usd_per_t": 10}],
        demand=demand_rows,
    )


def test_by_product_nobody_demands_is_disposed_free(solve):
    # Demand 100 t NdPr oxide a year, none for Ce oxide. Serving it takes act = 100 (capacity
    # 200), which also makes 2 * 100 = 200 t Ce oxide nobody wants. The Ce balance is
    # 200 >= 0: free disposal, the surplus costs nothing and the plan is feasible.
    # Objective = 10 USD/t * 100 t * 3 years = 3,000 USD = 0.003 MUSD.
    # Prices: one more t of NdPr = one more t of activity (act 100 < 200) = 10 USD/t.
    #         Ce oxide is in surplus (row slack 200) -> 0 USD/t.
    plan = solve(**separation(demand(100, "ndpr_oxide")))
    assert plan.status == "optimal"
    assert plan.objective == approx(0.003)
    assert plan.values("act") == {("sep", y): approx(100) for y in YEARS}
    for y in YEARS:
        assert plan.price("EU", "ndpr_oxide", y) == approx(10)
        assert plan.price("EU", "ce_oxide", y) == approx(0)
    prod = plan.table("production")
    ce = prod[prod.commodity == "ce_oxide"].set_index("year")
    for y in YEARS:
        assert ce.loc[y, "quantity_t"] == approx(200)


def test_by_product_demanded_below_coproduction_is_still_free(solve):
    # Add demand of 50 t Ce oxide a year. act = 100 for NdPr already gives 200 t Ce >= 50,
    # so nothing changes: objective 0.003, Ce price 0 (row slack 150), NdPr price 10.
    plan = solve(**separation(demand(100, "ndpr_oxide") + demand(50, "ce_oxide")))
    assert plan.status == "optimal"
    assert plan.objective == approx(0.003)
    for y in YEARS:
        assert plan.price("EU", "ce_oxide", y) == approx(0)
        assert plan.price("EU", "ndpr_oxide", y) == approx(10)


def test_the_surplus_commodity_is_the_free_one(solve):
    # Demand 100 t NdPr and 300 t Ce a year. Ce needs act = 300 / 2 = 150 (<= capacity 200),
    # which makes 150 t NdPr: 50 t of NdPr is now the surplus.
    # Objective = 10 * 150 * 3 = 4,500 USD = 0.0045 MUSD.
    # Prices: NdPr row slack 50 -> 0; one more t of Ce needs 1/2 t more activity -> 10 / 2 = 5 USD/t.
    plan = solve(**separation(demand(100, "ndpr_oxide") + demand(300, "ce_oxide")))
    assert plan.status == "optimal"
    assert plan.objective == approx(0.0045)
    assert plan.values("act") == {("sep", y): approx(150) for y in YEARS}
    for y in YEARS:
        assert plan.price("EU", "ndpr_oxide", y) == approx(0)
        assert plan.price("EU", "ce_oxide", y) == approx(5)


# ---------------------------------------------------------------- inputs (negative coefficients)
def sinter_with_input(supply, penalty=None, demand_rows=None) -> dict:
    """Technology `sinter` makes 1 t magnet from 0.4 t NdPr oxide (coefficient -0.4).

    One existing plant `plant` (1,000 tpa, var cost 50 USD/t). Demand 100 t magnet a year.
    """
    return one_region_chain(
        commodities=magnet(penalty) + [{"commodity": "ndpr_oxide", "stage": "processing"}],
        content=[{"commodity": "magnet", "material": "NdPr", "t_per_t": 0.3},
                 {"commodity": "ndpr_oxide", "material": "NdPr", "t_per_t": 1}],
        tech_io=[{"technology": "sinter", "commodity": "magnet", "coefficient": 1},
                 {"technology": "sinter", "commodity": "ndpr_oxide", "coefficient": -0.4}],
        projects=[{"project": "plant", "technology": "sinter", "region": "EU", "existing_tpa": 1000,
                   "var_cost_usd_per_t": 50}],
        supply=supply,
        demand=demand_rows if demand_rows is not None else demand(100),
    )


def test_input_is_consumed_and_bought(solve):
    # act = 100 consumes 0.4 * 100 = 40 t NdPr oxide a year, bought at 1,000 USD/t.
    # Per year: 50 * 100 + 1,000 * 40 = 5,000 + 40,000 = 45,000 USD; 3 years = 135,000 = 0.135.
    # Prices: NdPr oxide = the unlimited offer, 1,000 USD/t;
    #         magnet = 50 + 0.4 * 1,000 = 450 USD/t (act 100 < 1,000 capacity).
    plan = solve(**sinter_with_input([offer("ndpr_imp", 1000, "ndpr_oxide")]))
    assert plan.status == "optimal"
    assert plan.objective == approx(0.135)
    assert plan.values("act") == {("plant", y): approx(100) for y in YEARS}
    assert plan.values("buy") == {("ndpr_imp", y): approx(40) for y in YEARS}
    for y in YEARS:
        assert plan.price("EU", "ndpr_oxide", y) == approx(1000)
        assert plan.price("EU", "magnet", y) == approx(450)


def test_input_without_a_source_makes_hard_demand_infeasible(solve):
    # No NdPr oxide anywhere: the NdPr balance reads -0.4 * act >= 0, so act = 0, and the hard
    # magnet demand of 100 t cannot be met -> infeasible (the input is not free).
    plan = solve(**sinter_with_input([]))
    assert plan.status == "infeasible"


def test_input_without_a_source_leaves_demand_unmet(solve):
    # As above with a magnet penalty of 5,000 USD/t: act = 0, unmet = 100 t every year.
    # Objective = 5,000 * 100 * 3 = 1,500,000 USD = 1.5 MUSD.
    plan = solve(**sinter_with_input([], penalty=5000))
    assert plan.status == "optimal"
    assert plan.objective == approx(1.5)
    assert plan.values("act") == {}
    assert plan.values("unmet") == {("EU", "magnet", y): approx(100) for y in YEARS}


def test_scarce_input_limits_output_and_prices_the_input(solve):
    # NdPr oxide offer capped at 30 t/yr (1,000 USD/t); magnet penalty 5,000 USD/t.
    # act <= 30 / 0.4 = 75 t, so unmet = 100 - 75 = 25 t a year (making a magnet costs
    # 50 + 400 = 450 < 5,000, so all the oxide is used).
    # Per year: 50 * 75 + 1,000 * 30 + 5,000 * 25 = 3,750 + 30,000 + 125,000 = 158,750 USD;
    # 3 years = 476,250 USD = 0.47625 MUSD.
    # Prices: magnet = 5,000 (unmet 25 is strictly inside [0, 100]).
    # act is basic (75 < 1,000): 50 - price_magnet + 0.4 * price_ndpr = 0
    #   -> price_ndpr = (5,000 - 50) / 0.4 = 12,375 USD/t, far above the offer's 1,000 (at cap).
    plan = solve(**sinter_with_input([offer("ndpr_imp", 1000, "ndpr_oxide", max_tpa=30)], penalty=5000))
    assert plan.status == "optimal"
    assert plan.objective == approx(0.47625)
    assert plan.values("act") == {("plant", y): approx(75) for y in YEARS}
    assert plan.values("unmet") == {("EU", "magnet", y): approx(25) for y in YEARS}
    for y in YEARS:
        assert plan.price("EU", "magnet", y) == approx(5000)
        assert plan.price("EU", "ndpr_oxide", y) == approx(12375)


def test_scarce_input_price_matches_finite_difference(solve):
    # Same study, plus 1 t of (hard) NdPr oxide demand in 2026: the oxide left for the plant
    # falls to 29 t, act to 29 / 0.4 = 72.5, unmet rises to 27.5.
    # Change in 2026: 50 * (-2.5) + 5,000 * 2.5 = -125 + 12,500 = 12,375 USD -> the price above.
    sup = [offer("ndpr_imp", 1000, "ndpr_oxide", max_tpa=30)]
    base = solve(**sinter_with_input(sup, penalty=5000))
    more = solve(**sinter_with_input(sup, penalty=5000, demand_rows=demand(100) + [
        {"region": "EU", "commodity": "ndpr_oxide", "year": 2026, "quantity_t": 1}]))
    assert more.status == "optimal"
    assert more.value("act", ("plant", 2026)) == approx(72.5)
    assert more.value("unmet", ("EU", "magnet", 2026)) == approx(27.5)
    assert (more.objective - base.objective) * 1e6 == pytest.approx(12375, rel=1e-7)
    assert base.price("EU", "ndpr_oxide", 2026) == pytest.approx(12375, rel=1e-7)


# ---------------------------------------------------------------- stepped supply curve
# Three offers for EU magnet, listed dearest first so sheet order cannot be what picks them:
#   dear  300 USD/t unlimited;  mid  200 USD/t, max 30;  cheap  100 USD/t, max 60.
STEPS = [offer("dear", 300), offer("mid", 200, max_tpa=30), offer("cheap", 100, max_tpa=60)]


@pytest.mark.parametrize("q, buys, price, per_year", [
    # 50 t: cheap 50 (below its cap)                  -> 100 * 50 = 5,000; price 100
    (50, {"cheap": 50}, 100, 5_000),
    # 80 t: cheap 60 (full), mid 20 (below cap 30)     -> 6,000 + 4,000 = 10,000; price 200
    (80, {"cheap": 60, "mid": 20}, 200, 10_000),
    # 100 t: cheap 60, mid 30 (both full), dear 10     -> 6,000 + 6,000 + 3,000 = 15,000; price 300
    (100, {"cheap": 60, "mid": 30, "dear": 10}, 300, 15_000),
])
def test_stepped_supply_cheapest_first_price_is_marginal_step(solve, q, buys, price, per_year):
    # Objective = per_year * 3 years; the price is the price of the step that is partly used.
    plan = solve(**one_region_chain(supply=STEPS, demand=demand(q)))
    assert plan.status == "optimal"
    assert plan.objective == approx(per_year * 3 / 1e6)
    assert plan.values("buy") == {(o, y): approx(v) for o, v in buys.items() for y in YEARS}
    for y in YEARS:
        assert plan.price("EU", "magnet", y) == approx(price)


@pytest.mark.parametrize("q, price", [(50, 100), (80, 200), (100, 300)])
def test_stepped_supply_price_is_cost_of_one_more_tonne(solve, q, price):
    # One more tonne of demand in 2026 comes from the partly used step: +price USD.
    base = solve(**one_region_chain(supply=STEPS, demand=demand(q)))
    more = solve(**one_region_chain(supply=STEPS, demand=demand(q, y2026=q + 1)))
    assert (more.objective - base.objective) * 1e6 == pytest.approx(price, rel=1e-7)
    assert base.price("EU", "magnet", 2026) == approx(price)


def test_offer_years_limit_the_step(solve):
    # cheap (100 USD/t, max 60) stands only in 2025 (last_year 2025); dear 300 unlimited.
    # Demand 50 t: 2025 cheap 50 (price 100); 2026, 2027 dear 50 (price 300).
    # Objective = 5,000 + 15,000 + 15,000 = 35,000 USD = 0.035 MUSD.
    plan = solve(**one_region_chain(
        supply=[offer("dear", 300), offer("cheap", 100, max_tpa=60, last_year=2025)], demand=demand(50)))
    assert plan.status == "optimal"
    assert plan.objective == approx(0.035)
    assert plan.values("buy") == {("cheap", 2025): approx(50), ("dear", 2026): approx(50),
                                  ("dear", 2027): approx(50)}
    assert set(plan.result.solution.values["buy"]) == {("cheap", 2025)} | {("dear", y) for y in YEARS}
    assert [plan.price("EU", "magnet", y) for y in YEARS] == [approx(100), approx(300), approx(300)]


# ---------------------------------------------------------------- unmet demand
# Offers: cheap 100 USD/t max 60, dear 300 unlimited. Demand 100 t a year.
TWO_STEPS = [offer("cheap", 100, max_tpa=60), offer("dear", 300)]


def test_unmet_is_used_when_cheaper_than_supply(solve):
    # Penalty 250 USD/t on magnet (commodities sheet): cheap 60 (100 < 250), then the next 40 t
    # cost 300 from `dear` or 250 unmet -> unmet 40.
    # Per year: 100 * 60 + 250 * 40 = 6,000 + 10,000 = 16,000; 3 years = 48,000 USD = 0.048.
    # Price = the penalty, 250 USD/t (unmet 40 is strictly inside [0, 100]).
    plan = solve(**one_region_chain(commodities=magnet(250), supply=TWO_STEPS, demand=demand(100)))
    assert plan.status == "optimal"
    assert plan.objective == approx(0.048)
    assert plan.values("buy") == {("cheap", y): approx(60) for y in YEARS}
    assert plan.values("unmet") == {("EU", "magnet", y): approx(40) for y in YEARS}
    for y in YEARS:
        assert plan.price("EU", "magnet", y) == approx(250)
    u = plan.table("unmet").set_index("year")
    for y in YEARS:
        assert (u.loc[y, "demand_t"], u.loc[y, "unmet_t"]) == (approx(100), approx(40))


def test_settings_default_penalty_applies_when_commodity_gives_none(solve):
    # Same as above with the 250 USD/t coming from settings: same plan, objective and price.
    plan = solve(settings={"unmet_penalty_usd_per_t": 250},
                 **one_region_chain(commodities=magnet(None), supply=TWO_STEPS, demand=demand(100)))
    assert plan.status == "optimal"
    assert plan.objective == approx(0.048)
    assert plan.values("unmet") == {("EU", "magnet", y): approx(40) for y in YEARS}
    for y in YEARS:
        assert plan.price("EU", "magnet", y) == approx(250)


@pytest.mark.parametrize("default, own, per_year, unmet, price", [
    # commodity 250 beats the settings default 1,000: as above, 16,000 a year, price 250
    (1000, 250, 16_000, 40, 250),
    # commodity 1,000 beats the default 250: 1,000 > 300 so `dear` serves the 40 t:
    #   100 * 60 + 300 * 40 = 6,000 + 12,000 = 18,000 a year, no unmet, price 300 (dear unlimited)
    (250, 1000, 18_000, 0, 300),
])
def test_commodity_penalty_overrides_settings_default(solve, default, own, per_year, unmet, price):
    plan = solve(settings={"unmet_penalty_usd_per_t": default},
                 **one_region_chain(commodities=magnet(own), supply=TWO_STEPS, demand=demand(100)))
    assert plan.status == "optimal"
    assert plan.objective == approx(per_year * 3 / 1e6)
    assert sum(plan.values("unmet").values()) == approx(unmet * 3)
    for y in YEARS:
        assert plan.price("EU", "magnet", y) == approx(price)


def test_unmet_price_is_cost_of_one_more_tonne(solve):
    # Penalty 250: one more tonne of demand in 2027 is one more tonne unmet: +250 USD.
    kw = dict(commodities=magnet(250), supply=TWO_STEPS)
    base = solve(**one_region_chain(**kw, demand=demand(100)))
    more = solve(**one_region_chain(**kw, demand=demand(100, y2027=101)))
    assert more.value("unmet", ("EU", "magnet", 2027)) == approx(41)
    assert (more.objective - base.objective) * 1e6 == pytest.approx(250, rel=1e-7)
    assert base.price("EU", "magnet", 2027) == approx(250)


def test_unmet_can_cover_all_demand_but_no_more(solve):
    # No supply at all, penalty 250: unmet = demand = 100 t a year (its bound).
    # Objective = 250 * 100 * 3 = 75,000 USD = 0.075 MUSD.
    plan = solve(**one_region_chain(commodities=magnet(250), demand=demand(100)))
    assert plan.status == "optimal"
    assert plan.objective == approx(0.075)
    assert plan.values("unmet") == {("EU", "magnet", y): approx(100) for y in YEARS}


def test_demand_is_hard_without_a_penalty(solve):
    # No penalty anywhere: only `cheap` (max 60) against 100 t -> infeasible; the LP has no
    # unmet variable at all.
    plan = solve(**one_region_chain(commodities=magnet(None), supply=[offer("cheap", 100, max_tpa=60)],
                                    demand=demand(100)))
    assert plan.status == "infeasible"
    assert plan.result.study.unmet == {}


def test_hard_demand_with_enough_supply_has_no_unmet_variable(solve):
    # No penalty, TWO_STEPS can serve it: 100 * 60 + 300 * 40 = 6,000 + 12,000 = 18,000 a year
    # -> 54,000 USD = 0.054 MUSD, price 300; and no unmet variable exists.
    plan = solve(**one_region_chain(commodities=magnet(None), supply=TWO_STEPS, demand=demand(100)))
    assert plan.status == "optimal"
    assert plan.objective == approx(0.054)
    assert plan.result.study.unmet == {}
    assert plan.result.solution.values["unmet"] == {}
    for y in YEARS:
        assert plan.price("EU", "magnet", y) == approx(300)


# ---------------------------------------------------------------- shadow prices with discounting
DF_2025 = {2025: 1.0, 2026: 1 / 1.1, 2027: 1 / 1.21}  # rate 0.1, base_year = first_year 2025


def test_price_is_undiscounted_with_a_discount_rate(solve):
    # TWO_STEPS, no penalty, rate 0.1: 18,000 USD a year (price 300, `dear` partly used).
    # Objective = 18,000 * (1 + 1/1.1 + 1/1.21) = 18,000 * 2.7355372 = 49,239.669 USD.
    # The balance dual in 2027 is 300 * df(2027) = 247.93 USD; reported undiscounted: 300.
    plan = solve(settings={"discount_rate": 0.1}, **one_region_chain(supply=TWO_STEPS, demand=demand(100)))
    assert plan.status == "optimal"
    assert plan.objective == approx(0.018 * (1 + 1 / 1.1 + 1 / 1.21))
    assert plan.objective == pytest.approx(0.049239669, rel=1e-8)
    for y in YEARS:
        assert plan.price("EU", "magnet", y) == approx(300)


@pytest.mark.parametrize("year", YEARS)
def test_discounted_finite_difference_equals_price_times_df(solve, year):
    # One more tonne in `year` costs 300 USD in that year, i.e. 300 * df(year) in the objective:
    # 2025: 300; 2026: 272.727; 2027: 247.934. Undiscounting it gives back the price, 300.
    kw = dict(supply=TWO_STEPS)
    base = solve(settings={"discount_rate": 0.1}, **one_region_chain(**kw, demand=demand(100)))
    more = solve(settings={"discount_rate": 0.1},
                 **one_region_chain(**kw, demand=demand(100, **{f"y{year}": 101})))
    delta = (more.objective - base.objective) * 1e6
    assert delta == pytest.approx(300 * DF_2025[year], rel=1e-7)
    assert base.price("EU", "magnet", year) == pytest.approx(delta / DF_2025[year], rel=1e-7)


def test_price_undiscounted_to_its_own_year_with_base_year_inside_horizon(solve):
    # rate 0.1, base_year 2026: df = 1.1, 1, 1/1.1. Scarce-input study (prices 5,000 magnet,
    # 12,375 NdPr oxide in every year, see above). Objective = 158,750 * (1.1 + 1 + 1/1.1)
    # = 158,750 * 3.0090909 = 477,693.18 USD. Prices are the same in every year.
    plan = solve(**sinter_with_input([offer("ndpr_imp", 1000, "ndpr_oxide", max_tpa=30)], penalty=5000),
                 settings={"discount_rate": 0.1, "base_year": 2026})
    assert plan.status == "optimal"
    assert plan.objective == approx(0.15875 * (1.1 + 1 + 1 / 1.1))
    for y in YEARS:
        assert plan.price("EU", "magnet", y) == pytest.approx(5000, rel=1e-7)
        assert plan.price("EU", "ndpr_oxide", y) == pytest.approx(12375, rel=1e-7)
