"""Lumpy builds (formulation 15), hand-worked. One year, discount 0, no salvage; EU needs 100 t
of magnets; imports cost 2,000 USD/t; a plant (lead 0) may be built."""

from __future__ import annotations

import pytest

from conftest import Plan, one_region_chain, write_case
from model.pipeline import solve_workbook

ONE_YEAR = {"salvage": "no", "first_year": 2025, "last_year": 2025, "discount_rate": 0}


def chain(capex=1500, var=0, demand=100, **plant) -> dict:
    return one_region_chain(
        projects=[{"project": "plant", "technology": "sinter", "region": "EU", "max_new_tpa": 1000,
                   "capex_usd_per_tpa": capex, "var_cost_usd_per_t": var, **plant}],
        supply=[{"offer": "imp", "region": "EU", "commodity": "magnet", "price_usd_per_t": 2000}],
        demand=[{"region": "EU", "commodity": "magnet", "year": 2025, "quantity_t": demand}],
    )


def run(tmp_path, sheets, name="case", **kw) -> Plan:
    d = tmp_path / name
    d.mkdir()
    return Plan(solve_workbook(write_case(d, ONE_YEAR, **sheets), d / "out", figures=False, **kw))


def test_a_minimum_size_makes_the_plant_not_worth_building(tmp_path):
    # Linear: 100 t at 1,500 beats imports at 2,000: 0.15 MUSD. With a minimum build of 150 t the
    # plant costs 225,000 against 200,000 of imports: nothing is built, 0.2 MUSD.
    lumpy = run(tmp_path, chain(min_build_tpa=150))
    assert lumpy.values("build") == {} and lumpy.objective == pytest.approx(0.2, abs=1e-9)
    relaxed = run(tmp_path, chain(min_build_tpa=150), "relaxed", relax=True)
    linear = run(tmp_path, chain(), "linear")
    assert relaxed.objective == pytest.approx(linear.objective, abs=1e-12) == pytest.approx(0.15)
    assert "relaxed" in relaxed.summary and "mip" not in relaxed.summary
    assert relaxed.csv("builds").equals(linear.csv("builds"))


def test_whole_units_overshoot_demand_and_the_rest_is_disposed_of(tmp_path):
    # Units of 60 t at 1,000 USD/tpa, running at 1 USD/t: one unit and 40 t imported cost
    # 60,000 + 60 + 80,000 = 140,060; two units (120 t, 20 t idle) cost 120,000 + 100 = 120,100.
    plan = run(tmp_path, chain(capex=1000, var=1, unit_tpa=60))
    assert plan.value("build", ("plant", 2025)) == pytest.approx(120)
    assert plan.value("units", ("plant", 2025)) == pytest.approx(2)
    assert plan.value("act", ("plant", 2025)) == pytest.approx(100)
    assert plan.objective == pytest.approx(0.1201, abs=1e-9)
    mip = plan.summary["mip"]
    assert mip["status"] == "optimal" and mip["relative_gap"] <= 0.001 + 1e-12
    assert mip["objective_musd"] == pytest.approx(0.1201, abs=1e-9)
    assert mip["gap_musd"] == pytest.approx(abs(mip["objective_musd"] - mip["dual_bound_musd"]))
    assert "conditional" in mip["duals"]


def test_conditional_duals_equal_finite_differences_with_the_integers_fixed(tmp_path):
    # With two units (120 t) fixed, one more tonne of demand is made at home at 1 USD/t: the
    # magnet price is 1 USD/t, and so is the objective's change when demand rises by 1 t.
    plan = run(tmp_path, chain(capex=1000, var=1, unit_tpa=60))
    assert plan.price("EU", "magnet", 2025) == pytest.approx(1)
    more = run(tmp_path, chain(capex=1000, var=1, unit_tpa=60, demand=101), "more")
    assert more.value("units", ("plant", 2025)) == pytest.approx(2)  # still two units
    assert (more.objective - plan.objective) * 1e6 == pytest.approx(1, abs=1e-6)


@pytest.mark.parametrize("column, value, expected", [
    ("min_build_tpa", 2000, "a size <= max_new_tpa (1000)"),
    ("unit_tpa", 1500, "a size <= max_new_tpa (1000)"),
    ("unit_tpa", 0, "a number > 0"),
    ("min_build_tpa", -5, "a number > 0"),
], ids=["min build above max", "unit above max", "zero unit", "negative minimum"])
def test_lumpy_sizes_are_validated(tmp_path, column, value, expected):
    from model.errors import InputError
    from model.pipeline import read_workbook

    with pytest.raises(InputError) as err:
        read_workbook(write_case(tmp_path, ONE_YEAR, **chain(**{column: value})))
    hits = [i for i in err.value.issues if i.sheet == "projects" and i.column == column and i.row == 2]
    assert hits and expected in hits[0].expected


def test_the_report_says_prices_are_conditional_on_the_integer_plan(tmp_path):
    d = tmp_path / "fig"
    d.mkdir()
    plan = Plan(solve_workbook(write_case(d, ONE_YEAR, **chain(capex=1000, var=1, unit_tpa=60)), d / "out"))
    text = (plan.result.folder / "report.md").read_text()
    assert "mixed-integer plan" in text and "conditional on this plan" in text
