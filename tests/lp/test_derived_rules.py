"""The derived rules written once in model/data.py (online window, capacity online, spend
profile) and the tables that report them: spend.csv, hand-worked."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import one_region_chain
from model.data import Project, build_years, capacity_online, capital_spend, online_window, spend_window


def project(lead: int, life: int, earliest: int, retire: int = 0, existing: float = 0.0) -> Project:
    return Project(name="p", technology="t", region="EU", stage="manufacturing", existing=existing, retire=retire,
                   committed=0.0, committed_online=None, max_new=1.0, capex=3.0, fixed_om=0.0, var_cost=0.0,
                   lead=lead, earliest_start=earliest, lifetime=life, availability=1.0)


@given(lead=st.integers(0, 6), life=st.integers(1, 12), earliest=st.integers(2020, 2034),
       T0=st.integers(2020, 2026), span=st.integers(0, 14))
def test_capacity_online_is_the_inverse_of_the_online_window(lead, life, earliest, T0, span):
    years = list(range(T0, T0 + span + 1))
    p = project(lead, life, earliest)
    const, online = {}, {}
    capacity_online(p, years, const, online)
    for y in years:
        expected = [tau for tau in build_years(p, years)
                    if online_window(p, tau, years[-1])[0] <= y <= online_window(p, tau, years[-1])[1]]
        assert list(online.get(("p", y), [])) == expected


@given(lead=st.integers(0, 6), earliest=st.integers(2020, 2030), span=st.integers(0, 12))
def test_spend_profile_spends_the_whole_capex_inside_the_horizon(lead, earliest, span):
    years = list(range(2020, 2020 + span + 1))
    p = project(lead, 25, earliest)
    spend = {}
    capital_spend(p, years, spend)
    for tau in build_years(p, years):
        first, last, per_year = spend_window(p, tau)
        assert sum(spend[("p", y)][tau] for y in range(first, last + 1)) == pytest.approx(p.capex)
        assert years[0] <= first <= last <= years[-1]


def test_spend_table_spreads_capex_over_construction_years(solve):
    # A plant must serve 100 t of magnets in 2027; it takes 2 years to build (lead 2), so it starts
    # in 2025 and its 100 tpa at 3000 USD/tpa cost 0.3 MUSD, spent 0.15 in 2025 and 0.15 in 2026.
    sheets = one_region_chain(
        projects=[{"project": "plant", "technology": "sinter", "region": "EU", "max_new_tpa": 1000,
                   "capex_usd_per_tpa": 3000, "lead_time_years": 2}],
        demand=[{"region": "EU", "commodity": "magnet", "year": 2027, "quantity_t": 100}],
    )
    plan = solve(settings={"salvage": "no"}, **sheets)
    spend = plan.csv("spend")
    assert spend[["project", "year"]].values.tolist() == [["plant", 2025], ["plant", 2026]]
    assert spend["spend_musd"].tolist() == pytest.approx([0.15, 0.15])
    assert list(spend.columns) == ["project", "technology", "stage", "region", "year", "spend_musd"]
    costs = plan.table("costs")
    capex = costs[costs.component == "capex"].set_index("year")["cost_musd"]
    assert capex.to_dict() == pytest.approx({2025: 0.15, 2026: 0.15})
