"""Trade by hand (formulation.md, 3, 4; workbook.md, trade): routes exist only where listed,
`*` rows, how a more specific row overrides a `*` row for one (from, to, commodity) triple,
ties in sheet order, rows from a region to itself, per-commodity caps of `*` rows, route cost
in the objective, and prices that differ by the route cost across a route carrying flow.

Regions EU, CN, US; commodities magnet and ndpr_oxide, supplied only by offers (no projects).
Amounts in the comments are in USD; the objective is USD million. Discount rate 0, horizon
2025..2027, so a per-year cost counts three times.
"""

from __future__ import annotations

import pytest

YEARS = (2025, 2026, 2027)
MAG, OX = "magnet", "ndpr_oxide"


def approx(x):
    return pytest.approx(x, rel=1e-9, abs=1e-9)


def world(supply, trade, demand, regions=("EU", "CN", "US")) -> dict:
    return {
        "regions": [{"region": r} for r in regions],
        "materials": [{"material": "NdPr"}],
        "commodities": [{"commodity": MAG, "stage": "manufacturing"},
                        {"commodity": OX, "stage": "processing"}],
        "content": [{"commodity": MAG, "material": "NdPr", "t_per_t": 0.3},
                    {"commodity": OX, "material": "NdPr", "t_per_t": 1}],
        "technologies": [], "tech_io": [], "projects": [],
        "supply": supply, "trade": trade, "demand": demand,
    }


def offer(name: str, region: str, price: float, commodity: str = MAG, **cols) -> dict:
    """Unlimited unless max_tpa is given."""
    return {"offer": name, "region": region, "commodity": commodity, "price_usd_per_t": price, **cols}


def route(fr: str, to: str, commodity=None, cost=None, max_tpa=None) -> dict:
    """A trade row; None leaves the cell blank (commodity -> `*`, cost -> 0, max -> unlimited)."""
    return {"from_region": fr, "to_region": to, "commodity": commodity, "cost_usd_per_t": cost,
            "max_tpa": max_tpa}


def demand(region: str, q: float, commodity: str = MAG, years=YEARS) -> list[dict]:
    return [{"region": region, "commodity": commodity, "year": y, "quantity_t": q} for y in years]


def triples(plan) -> set:
    """(from, to, commodity) of every flow variable the LP has (not only the nonzero ones)."""
    return {k[:3] for k in plan.result.solution.values["flow"]}


def route_data(plan, fr, to, c, year=2025) -> tuple:
    """(cost USD/t, max_tpa) the triple resolved to."""
    f = plan.result.study.flow[(fr, to, c, year)]
    return f.cost * 1e6, f.max


# ---------------------------------------------------------------- routes only where listed
def test_unlisted_routes_do_not_exist(solve):
    # CN offers magnet at 100 and NdPr oxide at 50; EU buys magnet locally at 500.
    # Listed: CN->US (every commodity) and CN->EU for NdPr oxide only. Neither carries magnet into
    # EU, and EU->CN (the reverse direction) is not listed: EU must buy its own magnet.
    # EU demand 100 t magnet: 500 * 100 * 3 = 150,000 USD = 0.15 MUSD.
    plan = solve(**world(
        supply=[offer("cn_mag", "CN", 100), offer("cn_ox", "CN", 50, OX), offer("eu_mag", "EU", 500)],
        trade=[route("CN", "US"), route("CN", "EU", OX)],
        demand=demand("EU", 100)))
    assert plan.status == "optimal"
    assert plan.objective == approx(0.15)
    assert triples(plan) == {("CN", "US", MAG), ("CN", "US", OX), ("CN", "EU", OX)}
    assert plan.values("flow") == {}
    assert plan.values("buy") == {("eu_mag", y): approx(100) for y in YEARS}


def test_no_route_no_supply_means_no_way_to_serve(solve):
    # Demand in EU, magnet only in CN, no trade rows: hard demand cannot be met -> infeasible.
    plan = solve(**world(supply=[offer("cn_mag", "CN", 100)], trade=[], demand=demand("EU", 100)))
    assert plan.status == "infeasible"


# ---------------------------------------------------------------- route cost and prices
def test_route_cost_is_in_the_objective_and_separates_prices(solve):
    # CN magnet 100 (unlimited) + route CN->EU cost 20 = 120 landed < EU's own 500.
    # Flow 100 t a year. Objective = (100 + 20) * 100 * 3 = 36,000 USD = 0.036 MUSD,
    # of which trade 20 * 100 = 2,000 USD = 0.002 MUSD a year.
    # Prices: CN = 100 (cn_mag partly used without limit); flow is strictly inside its bounds, so
    # price_EU - price_CN = route cost: EU = 120.
    plan = solve(**world(
        supply=[offer("cn_mag", "CN", 100), offer("eu_mag", "EU", 500)],
        trade=[route("CN", "EU", MAG, cost=20)],
        demand=demand("EU", 100)))
    assert plan.status == "optimal"
    assert plan.objective == approx(0.036)
    assert plan.values("flow") == {("CN", "EU", MAG, y): approx(100) for y in YEARS}
    costs = plan.table("costs")
    trade = costs[costs.component == "trade"].set_index("year")
    for y in YEARS:
        assert trade.loc[y, "cost_musd"] == approx(0.002)
        assert plan.price("CN", MAG, y) == approx(100)
        assert plan.price("EU", MAG, y) == approx(120)
        assert plan.price("EU", MAG, y) - plan.price("CN", MAG, y) == approx(20)
    t = plan.table("trade")
    assert list(t.cost_usd_per_t) == [approx(20)] * 3
    assert list(t.flow_t) == [approx(100)] * 3


def test_price_across_route_is_cost_of_one_more_tonne(solve):
    # Same study; one more tonne of EU demand in 2026 is one more tonne from CN: +120 USD.
    kw = dict(supply=[offer("cn_mag", "CN", 100), offer("eu_mag", "EU", 500)],
              trade=[route("CN", "EU", MAG, cost=20)])
    base = solve(**world(**kw, demand=demand("EU", 100)))
    more = solve(**world(**kw, demand=[{"region": "EU", "commodity": MAG, "year": y,
                                        "quantity_t": 101 if y == 2026 else 100} for y in YEARS]))
    assert (more.objective - base.objective) * 1e6 == pytest.approx(120, rel=1e-7)
    assert base.price("EU", MAG, 2026) == approx(120)


def test_route_at_cap_decouples_prices(solve):
    # As above with the route capped at 60 t/yr: 60 t come from CN at 120, the other 40 t from
    # EU's own offer at 500. Per year 60 * 120 + 40 * 500 = 7,200 + 20,000 = 27,200 USD;
    # 3 years = 81,600 USD = 0.0816 MUSD.
    # Prices: EU = 500 (eu_mag partly used), CN = 100: they differ by 400, not by the cost 20,
    # because the route is at its cap.
    plan = solve(**world(
        supply=[offer("cn_mag", "CN", 100), offer("eu_mag", "EU", 500)],
        trade=[route("CN", "EU", MAG, cost=20, max_tpa=60)],
        demand=demand("EU", 100)))
    assert plan.status == "optimal"
    assert plan.objective == approx(0.0816)
    assert plan.values("flow") == {("CN", "EU", MAG, y): approx(60) for y in YEARS}
    for y in YEARS:
        assert plan.price("EU", MAG, y) == approx(500)
        assert plan.price("CN", MAG, y) == approx(100)


# ---------------------------------------------------------------- wildcard rows
def test_star_row_covers_every_pair_and_commodity(solve):
    # One row `* | * | * | cost 10` makes a route for each of the 6 ordered pairs of 3 regions
    # and each of the 2 commodities: 12 triples, none from a region to itself.
    # CN offers magnet at 100 and NdPr oxide at 50. EU needs 100 t magnet, US 30 t oxide.
    # Direct routes are cheapest (a detour pays 10 twice):
    #   per year 100 * (100 + 10) + 30 * (50 + 10) = 11,000 + 1,800 = 12,800 USD;
    #   3 years = 38,400 USD = 0.0384 MUSD.
    plan = solve(**world(
        supply=[offer("cn_mag", "CN", 100), offer("cn_ox", "CN", 50, OX)],
        trade=[route("*", "*", "*", cost=10)],
        demand=demand("EU", 100) + demand("US", 30, OX)))
    assert plan.status == "optimal"
    assert plan.objective == approx(0.0384)
    regions = ("EU", "CN", "US")
    assert triples(plan) == {(a, b, c) for a in regions for b in regions if a != b for c in (MAG, OX)}
    assert plan.values("flow") == {**{("CN", "EU", MAG, y): approx(100) for y in YEARS},
                                   **{("CN", "US", OX, y): approx(30) for y in YEARS}}


def test_blank_commodity_means_every_commodity(solve):
    # `CN | EU | (blank) | cost 10`: both commodities may travel. CN magnet 100, oxide 50;
    # EU needs 100 t magnet and 20 t oxide: per year 100 * 110 + 20 * 60 = 11,000 + 1,200 = 12,200;
    # 3 years = 36,600 USD = 0.0366 MUSD.
    plan = solve(**world(
        supply=[offer("cn_mag", "CN", 100), offer("cn_ox", "CN", 50, OX)],
        trade=[route("CN", "EU", None, cost=10)],
        demand=demand("EU", 100) + demand("EU", 20, OX)))
    assert plan.status == "optimal"
    assert plan.objective == approx(0.0366)
    assert triples(plan) == {("CN", "EU", MAG), ("CN", "EU", OX)}


def test_commodity_row_overrides_star_row_for_that_commodity_only(solve):
    # Rows, in this order:
    #   1. CN | EU | *          | cost 10 | max 40
    #   2. CN | EU | ndpr_oxide | cost 30 | max (blank = unlimited)
    # (CN, EU, oxide) is covered by both; row 2 names more (3 vs 2) and wins although it comes
    # second: cost 30, unlimited (its blank max_tpa is not filled from row 1).
    # (CN, EU, magnet) is covered by row 1 only: cost 10, max 40.
    # Offers: CN magnet 100, CN oxide 50, EU magnet 200, EU oxide 200 (all unlimited).
    # EU demand: 100 t magnet, 50 t oxide a year.
    #   magnet: 40 t via the route at 100 + 10 = 110, 60 t local at 200: 4,400 + 12,000 = 16,400
    #   oxide:  50 t via the route at 50 + 30 = 80 (< 200):                 4,000
    #   per year 20,400 USD; 3 years = 61,200 USD = 0.0612 MUSD.
    # Prices: EU magnet 200 (route at cap, local partly used), EU oxide 80 (= 50 + 30).
    plan = solve(**world(
        supply=[offer("cn_mag", "CN", 100), offer("cn_ox", "CN", 50, OX),
                offer("eu_mag", "EU", 200), offer("eu_ox", "EU", 200, OX)],
        trade=[route("CN", "EU", "*", cost=10, max_tpa=40), route("CN", "EU", OX, cost=30)],
        demand=demand("EU", 100) + demand("EU", 50, OX)))
    assert plan.status == "optimal"
    assert route_data(plan, "CN", "EU", OX) == (approx(30), None)
    assert route_data(plan, "CN", "EU", MAG) == (approx(10), approx(40))
    assert plan.objective == approx(0.0612)
    assert plan.values("flow") == {**{("CN", "EU", MAG, y): approx(40) for y in YEARS},
                                   **{("CN", "EU", OX, y): approx(50) for y in YEARS}}
    for y in YEARS:
        assert plan.price("EU", MAG, y) == approx(200)
        assert plan.price("EU", OX, y) == approx(80)


def test_region_pair_row_overrides_star_row_for_that_pair_only(solve):
    # Rows: `* | * | * | cost 50` then `CN | EU | * | cost 5`.
    # Resolved: CN->EU cost 5 (row 2 names 2 > 0); US->EU, CN->US, ... keep cost 50.
    # Offers: CN magnet 100, US magnet 90. EU demand 100 t.
    # Landed in EU: from CN 100 + 5 = 105, from US 90 + 50 = 140 -> CN.
    # 105 * 100 * 3 = 31,500 USD = 0.0315 MUSD; price EU 105, CN 100.
    plan = solve(**world(
        supply=[offer("cn_mag", "CN", 100), offer("us_mag", "US", 90)],
        trade=[route("*", "*", "*", cost=50), route("CN", "EU", "*", cost=5)],
        demand=demand("EU", 100)))
    assert plan.status == "optimal"
    assert route_data(plan, "CN", "EU", MAG)[0] == approx(5)
    for fr, to in (("US", "EU"), ("CN", "US"), ("EU", "CN"), ("US", "CN"), ("EU", "US")):
        assert route_data(plan, fr, to, MAG)[0] == approx(50)
    assert plan.objective == approx(0.0315)
    assert plan.values("flow") == {("CN", "EU", MAG, y): approx(100) for y in YEARS}
    for y in YEARS:
        assert plan.price("EU", MAG, y) == approx(105)
        assert plan.price("CN", MAG, y) == approx(100)


def test_from_region_row_overrides_star_row(solve):
    # Rows: `* | * | * | cost 50` then `US | * | * | cost 0`: every route out of US is free,
    # others cost 50. Offers CN 100, US 90; EU demand 100 t.
    # From US: 90 + 0 = 90 < from CN: 100 + 50 = 150 -> US. 90 * 100 * 3 = 27,000 USD = 0.027.
    plan = solve(**world(
        supply=[offer("cn_mag", "CN", 100), offer("us_mag", "US", 90)],
        trade=[route("*", "*", "*", cost=50), route("US", "*", "*", cost=0)],
        demand=demand("EU", 100)))
    assert plan.status == "optimal"
    assert route_data(plan, "US", "EU", MAG)[0] == approx(0)
    assert route_data(plan, "US", "CN", MAG)[0] == approx(0)
    assert route_data(plan, "CN", "EU", MAG)[0] == approx(50)
    assert plan.objective == approx(0.027)
    assert plan.values("flow") == {("US", "EU", MAG, y): approx(100) for y in YEARS}


@pytest.mark.parametrize("rows, cost, objective", [
    # `CN | * | * | 40` and `* | EU | * | 10` both name one field for (CN, EU, magnet): the first
    # in sheet order wins.
    # First CN row -> cost 40: landed 100 + 40 = 140 > EU's own 130 -> buy locally:
    #   130 * 100 * 3 = 39,000 USD = 0.039.
    ([route("CN", "*", "*", cost=40), route("*", "EU", "*", cost=10)], 40, 0.039),
    # First the EU row -> cost 10: landed 110 < 130 -> import: 110 * 100 * 3 = 33,000 = 0.033.
    ([route("*", "EU", "*", cost=10), route("CN", "*", "*", cost=40)], 10, 0.033),
])
def test_tie_between_equally_specific_rows_goes_to_the_first(solve, rows, cost, objective):
    plan = solve(**world(supply=[offer("cn_mag", "CN", 100), offer("eu_mag", "EU", 130)],
                         trade=rows, demand=demand("EU", 100), regions=("EU", "CN")))
    assert plan.status == "optimal"
    assert route_data(plan, "CN", "EU", MAG)[0] == approx(cost)
    assert plan.objective == approx(objective)


@pytest.mark.parametrize("order", ["specific_first", "specific_last"])
def test_specificity_beats_sheet_order(solve, order):
    # `CN | EU | magnet | cost 40` (3 named) against `* | * | * | cost 0`: the named row wins
    # in either order. Landed 100 + 40 = 140 > EU's own 130 -> local: 0.039 MUSD.
    rows = [route("CN", "EU", MAG, cost=40), route("*", "*", "*", cost=0)]
    if order == "specific_last":
        rows.reverse()
    plan = solve(**world(supply=[offer("cn_mag", "CN", 100), offer("eu_mag", "EU", 130)],
                         trade=rows, demand=demand("EU", 100), regions=("EU", "CN")))
    assert plan.status == "optimal"
    assert route_data(plan, "CN", "EU", MAG)[0] == approx(40)
    assert route_data(plan, "EU", "CN", MAG)[0] == approx(0)
    assert plan.objective == approx(0.039)
    assert plan.values("flow") == {}


# ---------------------------------------------------------------- a region to itself
def test_row_from_a_region_to_itself_is_ignored(solve):
    # `EU | EU | magnet | cost 1,000 | max 0` would, if taken as a route, neither cost nor limit
    # anything; it must not create a flow variable. `* | * | *` makes no self routes either.
    # Within EU no route is needed: EU's own offer (100) serves EU demand 100 t -> 0.03 MUSD.
    plan = solve(**world(supply=[offer("eu_mag", "EU", 100), offer("cn_mag", "CN", 100)],
                         trade=[route("EU", "EU", MAG, cost=1000, max_tpa=0), route("*", "*", "*", cost=5)],
                         demand=demand("EU", 100), regions=("EU", "CN")))
    assert plan.status == "optimal"
    assert plan.objective == approx(0.03)
    assert triples(plan) == {("EU", "CN", MAG), ("CN", "EU", MAG)}
    assert all(k[0] != k[1] for k in plan.result.study.flow)
    assert plan.values("flow") == {}


def test_self_row_alone_makes_no_route(solve):
    plan = solve(**world(supply=[offer("eu_mag", "EU", 100)], trade=[route("EU", "EU")],
                         demand=demand("EU", 100), regions=("EU", "CN")))
    assert plan.status == "optimal"
    assert plan.result.study.flow == {}
    assert plan.objective == approx(0.03)


# ---------------------------------------------------------------- caps of `*` rows
def test_star_commodity_cap_applies_to_each_commodity_separately(solve):
    # `CN | EU | * | cost 0 | max 50`: magnet and oxide may each ship 50 t a year.
    # CN: magnet 100, oxide 50; EU: magnet 300, oxide 300. EU needs 60 t of each.
    #   magnet: 50 via CN at 100 + 10 local at 300 = 5,000 + 3,000 = 8,000
    #   oxide:  50 via CN at 50  + 10 local at 300 = 2,500 + 3,000 = 5,500
    #   per year 13,500; 3 years = 40,500 USD = 0.0405 MUSD.
    # (A cap of 50 shared by both would give oxide 50, magnet 0:
    #  50*50 + 10*300 + 60*300 = 23,500 a year -- not what the contract says.)
    plan = solve(**world(
        supply=[offer("cn_mag", "CN", 100), offer("cn_ox", "CN", 50, OX),
                offer("eu_mag", "EU", 300), offer("eu_ox", "EU", 300, OX)],
        trade=[route("CN", "EU", "*", max_tpa=50)],
        demand=demand("EU", 60) + demand("EU", 60, OX), regions=("EU", "CN")))
    assert plan.status == "optimal"
    assert plan.objective == approx(0.0405)
    assert plan.values("flow") == {("CN", "EU", c, y): approx(50) for c in (MAG, OX) for y in YEARS}
    for y in YEARS:
        assert plan.price("EU", MAG, y) == approx(300)
        assert plan.price("EU", OX, y) == approx(300)


def test_star_region_cap_applies_to_each_pair_separately(solve):
    # `* | EU | magnet | max 50`: CN->EU and US->EU may each ship 50 t.
    # CN and US magnet at 100, EU's own at 300; EU demand 120 t.
    #   50 * 100 + 50 * 100 + 20 * 300 = 5,000 + 5,000 + 6,000 = 16,000 a year; 48,000 USD = 0.048.
    plan = solve(**world(
        supply=[offer("cn_mag", "CN", 100), offer("us_mag", "US", 100), offer("eu_mag", "EU", 300)],
        trade=[route("*", "EU", MAG, max_tpa=50)],
        demand=demand("EU", 120)))
    assert plan.status == "optimal"
    assert plan.objective == approx(0.048)
    assert triples(plan) == {("CN", "EU", MAG), ("US", "EU", MAG)}
    assert plan.values("flow") == {(fr, "EU", MAG, y): approx(50) for fr in ("CN", "US") for y in YEARS}
