"""The two-stage stochastic plan (formulation 16), hand-worked.

2025-2026, discount 0, no salvage; EU needs 100 t of magnets a year. China sells at 2,000 USD/t;
in scenario `cut` it sells nothing from 2026 and the EU pays 10,000 on the spot market. An EU
plant costs 3,000 USD/tpa, takes a year to build (start 2025, online 2026) and runs at 500 USD/t.
The branch year is 2026, so the only decision, building in 2025, is taken before anyone knows.

Per tonne of plant: 3,000 + (1 - pi) * (500 - 2,000) + pi * (500 - 10,000) = 1,500 - 8,000 pi:
with pi(cut) = 0.3 the hedged plan builds all 100 t.
    E  = 100 * 2,000 (2025) + 100 * 3,000 (plant) + 100 * 500 (2026)       = 0.55 MUSD
    WS = 0.7 * (0.2 + 0.2) + 0.3 * 0.55                                     = 0.445
    EVPI = 0.105
    regret: base plan (no plant) in cut = 0.2 + 100 * 10,000 = 1.2; in base 0.4;
            cut plan (100 t) = hedged plan: 0.55 in both
    cost of ignoring the risk = 0.7 * 0.4 + 0.3 * 1.2 - 0.55                = 0.09
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

from conftest import one_region_chain, write_case
from model.pipeline import solve_workbook
from model.stochastic_run import solve_stochastic_workbook

SETTINGS = {"salvage": "no", "first_year": 2025, "last_year": 2026, "discount_rate": 0}
CUT = {"scenario": "cut", "sheet": "supply", "where": "offer=cn; year>=2026", "column": "max_tpa", "op": "set",
       "value": 0}
SAME = {"scenario": "same", "sheet": "projects", "where": "*", "column": "capex_usd_per_tpa", "op": "scale",
        "value": 1}


def study(branches, scenarios=(CUT,)) -> dict:
    return one_region_chain(
        projects=[{"project": "plant", "technology": "sinter", "region": "EU", "max_new_tpa": 1000,
                   "capex_usd_per_tpa": 3000, "lead_time_years": 1, "var_cost_usd_per_t": 500}],
        supply=[{"offer": "cn", "region": "EU", "commodity": "magnet", "price_usd_per_t": 2000},
                {"offer": "spot", "region": "EU", "commodity": "magnet", "price_usd_per_t": 10000}],
        demand=[{"region": "EU", "commodity": "magnet", "year": y, "quantity_t": 100} for y in (2025, 2026)],
        scenarios=list(scenarios),
        stochastic=[{"scenario": s, "probability": p, "branch_year": 2026} for s, p in branches],
    )


def run(tmp_path, branches, scenarios=(CUT,)):
    wb = write_case(tmp_path, SETTINGS, **study(branches, scenarios))
    code, folder, summary = solve_stochastic_workbook(wb, tmp_path / "out", figures=False)
    return code, folder, summary


def test_the_hedged_plan_evpi_and_regret_table(tmp_path):
    code, folder, summary = run(tmp_path, [("base", 0.7), ("cut", 0.3)])
    assert code == 0
    assert summary["objective_musd"] == pytest.approx(0.55, abs=1e-12)
    assert summary["wait_and_see_musd"] == pytest.approx(0.445, abs=1e-12)
    assert summary["evpi_musd"] == pytest.approx(0.105, abs=1e-12)
    assert summary["cost_of_ignoring_risk_musd"] == pytest.approx(0.09, abs=1e-12)
    regret = pd.read_csv(folder / "regret.csv").set_index(["plan", "outcome"])["cost_musd"]
    assert regret.to_dict() == pytest.approx({("base", "base"): 0.4, ("base", "cut"): 1.2, ("cut", "base"): 0.55,
                                              ("cut", "cut"): 0.55, ("hedged", "base"): 0.55,
                                              ("hedged", "cut"): 0.55})
    builds = pd.read_csv(folder / "base" / "csv" / "builds.csv")
    assert builds[["project", "start_year", "capacity_tpa"]].values.tolist() == [["plant", 2025, 100]]
    table = pd.read_csv(folder / "stochastic.csv").set_index("measure")["value_musd"]
    assert table["evpi"] == pytest.approx(0.105)
    # the expected cost is the probability-weighted sum of the branch objectives
    branches = {b["scenario"]: b for b in summary["branches"]}
    assert 0.7 * branches["base"]["objective_musd"] + 0.3 * branches["cut"]["objective_musd"] == \
        pytest.approx(summary["objective_musd"], abs=1e-12)
    assert "Build now" in (folder / "stochastic.md").read_text()
    # prices per branch are in money of the year: the base branch's 2025 magnet price is 2,000 USD/t
    prices = pd.read_csv(folder / "base" / "csv" / "prices.csv")
    assert prices.loc[prices.year == 2025, "price_usd_per_t"].tolist() == pytest.approx([2000])


def test_one_branch_of_probability_one_is_the_deterministic_plan(tmp_path):
    _, _, summary = run(tmp_path, [("cut", 1.0)])
    alone = solve_workbook(write_case(tmp_path, SETTINGS, name="alone", **study([("cut", 1.0)])),
                           tmp_path / "alone", scenario="cut", figures=False)
    assert summary["objective_musd"] == pytest.approx(alone.summary["objective_musd"], abs=1e-12)
    assert summary["evpi_musd"] == pytest.approx(0, abs=1e-12)


def test_two_identical_branches_are_the_deterministic_plan(tmp_path):
    _, _, summary = run(tmp_path, [("base", 0.5), ("same", 0.5)], scenarios=(CUT, SAME))
    alone = solve_workbook(write_case(tmp_path, SETTINGS, name="alone", **study([("base", 1.0)])),
                           tmp_path / "alone", figures=False)
    assert summary["objective_musd"] == pytest.approx(alone.summary["objective_musd"], abs=1e-12)
    assert summary["evpi_musd"] == pytest.approx(0, abs=1e-12)
    assert summary["cost_of_ignoring_risk_musd"] == pytest.approx(0, abs=1e-12)


@pytest.mark.parametrize("rows, column, expected", [
    ([("base", 0.7), ("cut", 0.2)], "probability", "sum to 1"),
    ([("base", 0.7), ("nope", 0.3)], "scenario", "a scenario of sheet scenarios"),
    ([("base", 0.7), ("base", 0.3)], "scenario", ""),
], ids=["probabilities", "unknown scenario", "twice"])
def test_the_stochastic_sheet_is_validated(tmp_path, rows, column, expected):
    from model.errors import InputError
    from model.pipeline import read_workbook

    with pytest.raises(InputError) as err:
        read_workbook(write_case(tmp_path, SETTINGS, **study(rows)))
    hits = [i for i in err.value.issues if i.sheet == "stochastic" and i.column == column]
    assert hits and expected in hits[0].expected


def test_a_branch_year_outside_the_horizon_is_an_input_error(tmp_path):
    from model.errors import InputError
    from model.pipeline import read_workbook

    sheets = study([("base", 0.7), ("cut", 0.3)])
    for r in sheets["stochastic"]:
        r["branch_year"] = 2025
    with pytest.raises(InputError) as err:
        read_workbook(write_case(tmp_path, SETTINGS, **sheets))
    assert any(i.column == "branch_year" for i in err.value.issues)


def test_summary_json_has_the_expected_cost_at_full_precision(tmp_path):
    _, folder, _ = run(tmp_path, [("base", 0.7), ("cut", 0.3)])
    s = json.loads((folder / "summary.json").read_text())
    assert s["objective_musd"] == pytest.approx(0.55, abs=1e-12) and s["status"] == "optimal"


@pytest.mark.parametrize("seed", range(6))
def test_evpi_and_the_cost_of_ignoring_risk_are_never_negative(tmp_path, seed):
    import random

    rng = random.Random(seed)
    p = round(rng.uniform(0.05, 0.95), 3)
    sheets = study([("base", 1 - p), ("cut", p)])
    sheets["projects"][0].update(capex_usd_per_tpa=rng.uniform(500, 9000), var_cost_usd_per_t=rng.uniform(0, 3000))
    sheets["supply"][1]["price_usd_per_t"] = rng.uniform(2500, 20000)
    wb = write_case(tmp_path, SETTINGS, **sheets)
    code, _, s = solve_stochastic_workbook(wb, tmp_path / "out", figures=False)
    assert code == 0
    assert s["evpi_musd"] >= -1e-9 and s["cost_of_ignoring_risk_musd"] >= -1e-9
    weighted = sum(b["probability"] * b["objective_musd"] for b in s["branches"])
    assert weighted == pytest.approx(s["objective_musd"], rel=1e-9, abs=1e-12)


# Lumpy builds under the stochastic plan (formulations 15 and 16): the plant above may only be built at
# 150 t or more (min_build_tpa), and its binary companion opened[plant, 2025] is shared like the build.
#   build 150 in 2025:  0.2 (2025) + 150 * 3,000 + 100 * 500 (2026)         = 0.70 in either branch
#   build nothing:      0.2 + (1 - pi) * 0.2 + pi * 1.0 (spot in 2026)        = 0.2 + 0.2 + 0.8 pi
# pi = 0.3: nothing (E = 0.64; the LP relaxation builds 100 t for 0.55). pi = 0.5: build (E = 0.70).
#   WS(pi) = (1 - pi) * 0.4 + pi * 0.70 (cut alone builds 150 t); EVPI = E - WS.
def lumpy_run(tmp_path, pi, relax=False):
    case = study([("base", 1 - pi), ("cut", pi)])
    case["projects"][0]["min_build_tpa"] = 150
    wb = write_case(tmp_path, SETTINGS, **case)
    return solve_stochastic_workbook(wb, tmp_path / "out", figures=False, relax=relax)


@pytest.mark.parametrize("pi, expected, built", [(0.3, 0.64, 0.0), (0.5, 0.70, 150.0)])
def test_lumpy_builds_are_a_mip_whose_integer_companions_are_shared(tmp_path, pi, expected, built):
    code, folder, summary = lumpy_run(tmp_path, pi)
    assert code == 0 and summary["status"] == "optimal" and summary["relaxed"] is False
    assert summary["objective_musd"] == pytest.approx(expected, abs=1e-9)
    ws = (1 - pi) * 0.4 + pi * 0.70
    assert summary["wait_and_see_musd"] == pytest.approx(ws, abs=1e-9)
    assert summary["evpi_musd"] == pytest.approx(expected - ws, abs=1e-9)
    assert summary["mip"]["status"] == "optimal" and summary["mip"]["objective_musd"] == pytest.approx(expected)
    assert "fixed" in summary["mip"]["duals"]
    for branch in ("base", "cut"):  # the same pre-branch decision in both branches, a whole plant or none
        builds = pd.read_csv(folder / branch / "csv" / "builds.csv")
        assert builds["capacity_tpa"].sum() == pytest.approx(built)
        assert json.loads((folder / branch / "summary.json").read_text())["status"] == "optimal"
    # the price of 2026 in the cut branch, conditional on the plan: the plant's running cost, or the spot price
    prices = pd.read_csv(folder / "cut" / "csv" / "prices.csv").set_index("year")["price_usd_per_t"]
    assert prices[2026] == pytest.approx(500 if built else 10000)
    # regret: the hedged plan's whole plant (its binary fixed at 1, not 0.9999999) or nothing, in each branch
    regret = pd.read_csv(folder / "regret.csv").set_index(["plan", "outcome"])["cost_musd"]
    assert regret[("hedged", "cut")] == pytest.approx(0.70 if built else 1.2, abs=1e-9)
    assert regret[("hedged", "base")] == pytest.approx(0.70 if built else 0.4, abs=1e-9)
    assert regret[("cut", "base")] == pytest.approx(0.70, abs=1e-9)


def test_lumpy_stochastic_plan_relaxed_on_request(tmp_path):
    code, _, summary = lumpy_run(tmp_path, 0.3, relax=True)
    assert code == 0 and summary["relaxed"] is True and "mip" not in summary
    assert summary["objective_musd"] == pytest.approx(0.55, abs=1e-9)  # the LP of the test above
