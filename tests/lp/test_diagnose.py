"""Infeasibility diagnosis (elastic re-solve) and policy costs (re-solve without each policy).

Penalty in the elastic copy: 1e4 USD million per unit of violation (t, or USD million for
budgets), so the rows that give way are the ones whose violation is cheapest in those units.
"""

from __future__ import annotations

import pandas as pd
import pytest

from conftest import one_region_chain, solve_case


def two_region_chain(**overrides) -> dict:
    """EU demand for magnets (content 0.5 t NdPr per t), CN offers magnets at 100 USD/t."""
    sheets = one_region_chain(
        regions=[{"region": "EU"}, {"region": "CN"}],
        supply=[{"offer": "cn", "region": "CN", "commodity": "magnet", "price_usd_per_t": 100}],
        trade=[{"from_region": "CN", "to_region": "EU"}],
        demand=[{"region": "EU", "commodity": "magnet", "year": y, "quantity_t": 10} for y in (2025, 2026, 2027)],
    )
    sheets.update(overrides)
    return sheets


def test_demand_with_no_supply_is_named(tmp_path):
    # EU needs 10 t/yr; the only plant may build 4 t/yr in all: 6 t short each year.
    plan = solve_case(tmp_path, **one_region_chain(
        projects=[{"project": "p", "technology": "sinter", "region": "EU", "max_new_tpa": 4, "capex_usd_per_tpa": 10}],
        demand=[{"region": "EU", "commodity": "magnet", "year": y, "quantity_t": 10} for y in (2025, 2026, 2027)]))
    assert plan.status == "infeasible"
    d = plan.result.diagnosis
    assert list(d["sheet"]) == ["demand"] * 3
    assert list(d["year"]) == [2025, 2026, 2027]
    assert list(d["amount"]) == pytest.approx([6, 6, 6])
    assert set(d["unit"]) == {"t magnet"}
    assert "demand for magnet in EU in 2025: 6 t cannot be served" in d["message"].iloc[0]
    folder = plan.result.folder
    assert (folder / "infeasibility.csv").exists() and (folder / "infeasibility.md").exists()
    assert not (folder / "csv").exists() and not (folder / "plan.xlsx").exists()
    csv = pd.read_csv(folder / "infeasibility.csv")
    assert list(csv.columns) == ["sheet", "id", "year", "region", "supplier", "item", "amount", "unit", "message"]


def test_budget_too_small_for_a_hard_target(tmp_path):
    # Hard target: domestic manufacturing >= 50 % of NdPr consumption in 2025 only:
    # cons = 0.5 * 10 = 5 t NdPr -> 2.5 t NdPr = 5 t of magnets made in EU in 2025.
    # A build costs 1 USD million per t/yr; the budget gives 2 USD million in 2025 -> 2 t/yr.
    # Shortfall 3 t magnets = 1.5 t NdPr. Giving way costs 1.5 units on the policy row
    # versus 3 units (USD million) on the budget row, so the policy is named, 1.5 t NdPr short.
    plan = solve_case(tmp_path, **two_region_chain(
        projects=[{"project": "p", "technology": "sinter", "region": "EU", "max_new_tpa": 100,
                   "capex_usd_per_tpa": 1e6}],
        budgets=[{"budget": "eu_fund", "year": 2025, "amount_musd": 2}],
        policies=[{"policy": "dom", "region": "EU", "material": "NdPr", "kind": "min_domestic_share",
                   "stage": "manufacturing", "share": 0.5, "first_year": 2025, "last_year": 2025}]))
    assert plan.status == "infeasible"
    d = plan.result.diagnosis
    assert len(d) == 1
    r = d.iloc[0]
    assert (r["sheet"], r["id"], r["year"], r["region"], r["item"], r["unit"]) == \
        ("policies", "dom", 2025, "EU", "NdPr", "t NdPr")
    assert r["amount"] == pytest.approx(1.5)
    assert r["message"] == ("policy dom in EU needs 1.5 t more NdPr manufacturing output in 2025 than the "
                            "projects and budgets allow")


def test_supplier_cap_no_route_can_meet(tmp_path):
    # All 10 t/yr of magnets must come from CN (no EU plant); the cap allows 65 % of
    # cons = 0.65 * 5 t NdPr = 3.25 t NdPr, so CN ships 5 t NdPr: 1.75 t NdPr over the cap each year.
    # Violating the cap costs 1.75 units per year; the demand row would need 3.5 t: the cap gives way.
    plan = solve_case(tmp_path, **two_region_chain(
        policies=[{"policy": "cap", "region": "EU", "material": "NdPr", "kind": "max_supplier_share",
                   "stage": "manufacturing", "share": 0.65}]))
    assert plan.status == "infeasible"
    d = plan.result.diagnosis
    assert list(d["sheet"]) == ["policies"] * 3
    assert list(d["supplier"]) == ["CN"] * 3
    assert list(d["amount"]) == pytest.approx([1.75] * 3)
    assert "from CN in 2025 exceed the 65% cap" in d["message"].iloc[0]


def test_cli_exit_3_and_message(tmp_path):
    import subprocess
    import sys

    from conftest import write_case

    wb = write_case(tmp_path, **two_region_chain(
        policies=[{"policy": "cap", "region": "EU", "material": "NdPr", "kind": "max_supplier_share",
                   "stage": "manufacturing", "share": 0.65}]))
    proc = subprocess.run([sys.executable, "-m", "model", "solve", str(wb), "--out", str(tmp_path / "out")],
                          capture_output=True, text=True)
    assert proc.returncode == 3
    assert "policy cap in EU" in proc.stderr and "Traceback" not in proc.stderr


# ------------------------------------------------------------------ policy costs
DOM = {"policy": "dom", "region": "EU", "material": "NdPr", "kind": "min_domestic_share",
       "stage": "manufacturing", "share": 0.5}


def test_binding_policy_cost_by_hand(tmp_path):
    # Plant capex 600 USD per t/yr, lifetime 3 (no salvage); import 100 USD/t.
    # Without the policy: import 30 t -> 0.003 USD million.
    # With it: 5 t/yr made in EU from 2025 (build 5 at 600 = 0.003) + 15 t imported (0.0015) = 0.0045.
    # Policy cost = 0.0015 USD million.
    from conftest import Plan, write_case
    from model.pipeline import solve_workbook

    def case(d, policies):
        d.mkdir()
        s = two_region_chain(policies=policies, projects=[
            {"project": "p", "technology": "sinter", "region": "EU", "max_new_tpa": 100, "capex_usd_per_tpa": 600,
             "lifetime_years": 3}])
        return write_case(d, **s)

    with_p = Plan(solve_workbook(case(tmp_path / "a", [DOM]), tmp_path / "a" / "out", with_policy_costs=True,
                                 figures=False))
    without = Plan(solve_workbook(case(tmp_path / "b", []), tmp_path / "b" / "out", figures=False))
    assert with_p.objective == pytest.approx(0.0045)
    assert without.objective == pytest.approx(0.003)
    pc = with_p.table("policies")
    assert list(pc["binding"]) == ["yes", "yes", "yes"]
    costs = pd.read_csv(with_p.result.folder / "csv" / "policy_costs.csv")
    assert list(costs["year"]) == [2025, 2026, 2027]
    assert costs["policy_total_cost_musd"].tolist() == pytest.approx([0.0015] * 3)
    assert costs["policy_total_cost_musd"].iloc[0] == pytest.approx(with_p.objective - without.objective, abs=1e-12)
    assert with_p.summary["objective_musd"] == pytest.approx(0.0045)  # restored after the re-solves


def test_non_binding_policy_costs_nothing(tmp_path):
    # 10 % domestic share with an existing EU plant of 10 t/yr at zero cost: met for free.
    from conftest import Plan, write_case
    from model.pipeline import solve_workbook

    d = tmp_path / "c"
    d.mkdir()
    s = two_region_chain(
        policies=[dict(DOM, share=0.1)],
        projects=[{"project": "old", "technology": "sinter", "region": "EU", "existing_tpa": 10}])
    plan = Plan(solve_workbook(write_case(d, **s), d / "out", with_policy_costs=True, figures=False))
    assert plan.objective == pytest.approx(0.0)
    costs = pd.read_csv(plan.result.folder / "csv" / "policy_costs.csv")
    assert costs["policy_total_cost_musd"].tolist() == [0, 0, 0]
    assert set(costs["binding"]) == {"no"}
