"""reeplan's lumpy builds (formulation 15) against an independent MIP (reference_lp.py, written from
the contract): on random small studies with unit_tpa and min_build_tpa the two agree on the status,
and their objectives agree within the gaps both solves report (each optimum lies between its
objective and its dual bound); with mip_gap 0 they agree to 1e-6. Hand-worked cases pin both to
numbers worked out on paper, next to the LP relaxation they differ from.
"""

from __future__ import annotations

import pytest
from random_studies import lumpy_study
from reference_lp import Reference, num, reference_solve
from test_reference import CN_FREE, FLAT, NO_PLAN, OPTIMAL, chain, demand

from model.pipeline import solve_workbook
from model.read import read_tables
from model.validate import validate
from model.write.workbook import write_study

SEEDS = range(1000, 1030)  # version 2 random studies with lumpy builds
EXACT_SEEDS = SEEDS[:12]  # solved again with mip_gap 0
REL = 1e-6


def solved(tmp_path, settings: dict, sheets: dict) -> dict:
    """Status, objective and gap (USD million) from reeplan and from the reference MIP for one study,
    whether reeplan reports a MIP and the reference has integer columns, and the reference LP relaxation."""
    path = write_study(tmp_path / "study.xlsx", settings, sheets)
    tables = read_tables(path)
    validate(tables)
    lp = Reference(tables).build_mip()
    ref_status, ref_obj, ref_bound = lp.solve_mip(num(tables.settings.get("mip_gap"), 0.001))
    run = solve_workbook(path, out=tmp_path / "out", figures=False, tables=tables)
    status = "infeasible" if run.status in NO_PLAN else run.status
    mip = run.summary.get("mip")
    return {"status": status, "ref_status": ref_status,
            "obj": run.summary["objective_musd"] if status == OPTIMAL else None, "ref_obj": ref_obj,
            "gap": mip["gap_musd"] if mip else 0.0, "ref_gap": abs(ref_obj - ref_bound) if ref_obj is not None else 0.0,
            "mip": mip, "integer": bool(lp.integer), "relaxed": reference_solve(tables)[1]}


def assert_agree(r: dict, exact: bool = False) -> None:
    """Same status class; objectives within both gaps (or 1e-6 relative when exact)."""
    assert r["status"] == r["ref_status"], f"reeplan {r['status']}, reference {r['ref_status']}"
    if r["status"] != OPTIMAL:
        return
    assert (r["mip"] is not None) == r["integer"], "reeplan reports a MIP exactly when there are integer columns"
    if r["mip"]:
        assert r["mip"]["status"] == OPTIMAL
        assert r["mip"]["objective_musd"] == pytest.approx(r["obj"], rel=1e-12)
        assert r["mip"]["gap_musd"] == pytest.approx(abs(r["obj"] - r["mip"]["dual_bound_musd"]), abs=1e-12)
    tol = REL * max(1.0, abs(r["obj"])) + (0.0 if exact else r["gap"] + r["ref_gap"])
    assert abs(r["obj"] - r["ref_obj"]) <= tol, f"reeplan {r['obj']!r}, reference {r['ref_obj']!r}, tolerance {tol:g}"


@pytest.mark.parametrize("seed", SEEDS)
def test_random_lumpy_study_matches_reference(tmp_path, seed):
    assert_agree(solved(tmp_path, *lumpy_study(seed)))


@pytest.mark.parametrize("seed", EXACT_SEEDS)
def test_random_lumpy_study_without_gap_matches_exactly(tmp_path, seed):
    settings, sheets = lumpy_study(seed)
    assert_agree(solved(tmp_path, settings | {"mip_gap": 0}, sheets), exact=True)


def test_random_lumpy_studies_bind(tmp_path):
    """Most studies have a plan and in several the whole units or minimum builds cost something over
    the LP relaxation (reference only), so the comparison above tests the integer part."""
    outcomes = []
    for seed in SEEDS:
        path = write_study(tmp_path / f"s{seed}.xlsx", *lumpy_study(seed))
        tables = read_tables(path)
        validate(tables)
        mip, relaxed = Reference(tables).build_mip().solve_mip(0.0)[:2], reference_solve(tables)
        assert mip[0] == relaxed[0]
        outcomes.append(None if mip[1] is None else mip[1] - relaxed[1])
    assert sum(o is not None for o in outcomes) >= 20
    assert sum(o is not None and o > REL * 10 for o in outcomes) >= 5
    assert min(o for o in outcomes if o is not None) >= -1e-6  # the MIP never beats its relaxation


# ---------------------------------------------------------------- hand-worked cases
# one year, no discount: a sinter plant at 1e5 USD/tpa (0.1 USD million per tpa) or magnet bought in EU
LUMPY = {"project": "p", "technology": "sinter", "region": "EU", "max_new_tpa": 300, "capex_usd_per_tpa": 1e5}


def bought(price: float) -> list:
    return [CN_FREE | {"region": "EU", "offer": "eu", "price_usd_per_t": price}]


HAND = [
    # 150 t: one unit of 100 (10) and 50 t at 0.15 beat two units (20); the LP builds 150 (15)
    ("whole units", FLAT,
     chain(projects=[LUMPY | {"unit_tpa": 100}], supply=bought(1.5e5), demand=demand(150, 2025)),
     10 + 7.5, 15.0),
    # 40 t: a build of at least 100 (10) is dearer than buying at 0.2 (8); the LP builds 40 (4)
    ("minimum build", FLAT,
     chain(projects=[LUMPY | {"min_build_tpa": 100}], supply=bought(2e5), demand=demand(40, 2025)),
     8.0, 4.0),
    # units of 30 and at least 70: 90 built (9) and 10 t bought (2); the LP builds 100 (10)
    ("whole units and a minimum build", FLAT,
     chain(projects=[LUMPY | {"unit_tpa": 30, "min_build_tpa": 70}], supply=bought(2e5), demand=demand(100, 2025)),
     9 + 2.0, 10.0),
    # a budget of 5 cannot pay the smallest build (100 tpa, 10): all 100 t bought; the LP builds 50
    ("budget below the minimum build", FLAT,
     chain(projects=[LUMPY | {"min_build_tpa": 100}], supply=bought(2e5), demand=demand(100, 2025),
           budgets=[{"budget": "b", "year": 2025, "amount_musd": 5}]),
     20.0, 5 + 10.0),
]


@pytest.mark.parametrize("settings, sheets, expected, relaxed", [h[1:] for h in HAND], ids=[h[0] for h in HAND])
def test_hand_worked_lumpy_case(tmp_path, settings, sheets, expected, relaxed):
    r = solved(tmp_path, settings | {"mip_gap": 0}, sheets)
    assert (r["status"], r["ref_status"], r["integer"]) == (OPTIMAL, OPTIMAL, True)
    assert r["ref_obj"] == pytest.approx(expected, rel=1e-9)
    assert r["obj"] == pytest.approx(expected, rel=1e-9)
    assert r["mip"]["dual_bound_musd"] == pytest.approx(expected, rel=1e-9)
    assert r["relaxed"] == pytest.approx(relaxed, rel=1e-9)
