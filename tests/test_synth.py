"""Synthetic studies (model/synth.py) as a regression guard on problem size and on the fast
hand-over to HiGHS (solve.FastHighs). Nothing here is timed: benchmarks/run.py measures time.

The fixed study (scale 1, seed 0) must validate, solve to optimality, and give exactly the
LP size below. A change of these numbers means the synthetic generator or the LP's index sets
changed: if that was intended, update them (and benchmarks/results.csv).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pyomo.contrib.solver.solvers.highs import Highs

from model.costs import cost_table
from model.data import build_study
from model.lp import build_model
from model.read import read_tables
from model.solve import FastHighs, objective_without, solve_model
from model.synth import size, synth_study, write_synth
from model.validate import validate

VARIABLES, ROWS, NONZEROS = 9156, 4039, 40004  # scale 1, seed 0
FAMILIES = {"build": 1843, "act": 2280, "buy": 272, "flow": 3780, "unmet": 225, "short": 681, "sell": 45, "level": 30,
            "oact": 0, "ouse_in": 0, "oflow": 0, "osell": 0, "olevel": 0, "ouse": 0, "odrop": 0,
            "units": 0, "opened": 0}
ROW_FAMILIES = {"balance": 720, "budget": 122, "policy": 681, "min_output": 66}


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    path = write_synth(tmp_path_factory.mktemp("synth") / "synth.xlsx", scale=1, seed=0)
    tables = read_tables(path)
    validate(tables)  # raises InputError listing every problem
    assert not tables.issues and not tables.warnings
    return build_study(tables)


@pytest.fixture(scope="module")
def solved(study):
    m = build_model(study)
    solver = FastHighs()
    solver.set_instance(m)
    sol, solver = solve_model(m, study, solver)
    return m, sol, solver


def test_fixed_study_has_the_recorded_size_and_solves(study, solved):
    _, sol, _ = solved
    assert sol.status == "optimal"
    assert sol.size == {"variables": VARIABLES, "rows": ROWS, "nonzeros": NONZEROS}
    assert {f: len(v) for f, v in sol.values.items()} == FAMILIES
    assert {f: len(r) for f, r in study.rows.items()} == ROW_FAMILIES
    assert not study.impossible


def test_fixed_study_has_every_version_2_input(study, solved):
    """Buyers take surplus oxide, stockpiles are held, offtake rows hold, the duty is met through
    the bookkeeping (blank-stage) technology, an oxide tariff starts mid-horizon, a policy group."""
    _, sol, _ = solved
    assert sum(sol.values["sell"].values()) > 1 and sum(sol.values["level"].values()) > 1
    for row in study.rows["min_output"].values():
        assert sum(c * sol.values[fam][key] for (fam, key), c in row.terms.items()) >= row.rhs - 1e-6
    grading = {p for p, pr in study.projects.items() if pr.stage is None}
    assert grading and sum(v for (p, _), v in sol.values["act"].items() if p in grading) > 1
    assert any(pr.ramp_years for pr in study.projects.values())
    _, sheets = synth_study(1, 0)
    mid = 2025 + size(1).years // 2
    assert [r["first_year"] for r in sheets["trade"] if r.get("first_year")] == [mid, mid]
    groups = [p["group"] for p in sheets["policies"] if p.get("group")]
    assert groups and all(groups.count(g) == 2 for g in groups)


def test_fixed_study_exercises_every_part_of_the_model(study, solved):
    """Builds in every stage, soft policies missed, budgets binding, some demand unmet."""
    _, sol, _ = solved
    built = {study.projects[p].stage for (p, _), v in sol.values["build"].items() if v > 1e-6}
    assert built == {"extraction", "processing", "manufacturing", "recycling"}
    assert sum(sol.values["short"].values()) > 1
    assert sum(sol.values["unmet"].values()) > 1
    binding = [k for k, r in study.rows["budget"].items()
               if abs(sum(c * sol.values["build"].get(v[1], 0.0) for v, c in r.terms.items()) - r.rhs) < 1e-6]
    assert binding
    assert any(sol.duals["policy"].values()) and any(sol.duals["balance"].values())


def test_fast_handover_gives_pyomos_generic_result(study, solved):
    """FastHighs (arrays to HiGHS) and Pyomo's generic HiGHS interface build the same LP."""
    _, fast, _ = solved
    m = build_model(study)
    generic, _ = solve_model(m, study, Highs())
    assert generic.size == fast.size
    assert generic.objective == pytest.approx(fast.objective, rel=1e-12)
    for fam in fast.values:
        assert generic.values[fam] == pytest.approx(fast.values[fam], abs=1e-6)
    for fam in fast.duals:
        assert generic.duals[fam] == pytest.approx(fast.duals[fam], abs=1e-9)


def test_resolves_follow_row_and_bound_changes(study, solved):
    """Deactivated rows, variable bounds and a new objective reach HiGHS on a re-solve, as in
    Pyomo's generic interface; reactivating restores the original optimum."""
    m, sol, solver = solved
    key = next(iter(study.rows["policy"]))
    rows = [m.policy[k] for k in study.rows["policy"] if k[0] == key[0]]
    g = build_model(study)
    generic = Highs()
    solve_model(g, study, generic)
    grows = [g.policy[k] for k in study.rows["policy"] if k[0] == key[0]]
    assert objective_without(m, solver, rows)[1] == pytest.approx(objective_without(g, generic, grows)[1], rel=1e-12)
    offer = next(iter(study.buy))
    for model, s in ((m, solver), (g, generic)):
        model.buy[offer].setub(0.0)
    assert solver.solve(m).incumbent_objective == pytest.approx(generic.solve(g).incumbent_objective, rel=1e-12)
    m.buy[offer].setub(study.buy[offer].max)
    assert solver.solve(m).incumbent_objective == pytest.approx(sol.objective, rel=1e-12)


def test_objective_is_the_discounted_cost_table(study, solved):
    """The LP's objective and the cost report come from the same cost terms (costs.cost_blocks):
    the objective at the optimum is the cost table discounted and summed."""
    _, sol, _ = solved
    values = {fam: np.fromiter(v.values(), dtype=float, count=len(v)) for fam, v in sol.values.items()}
    total = sum(study.df[y] * v for (_, y), v in cost_table(study, values).items())
    assert total == pytest.approx(sol.objective, rel=1e-9)


def test_same_seed_same_tables_other_seed_other_study(tmp_path):
    assert synth_study(1, 0) == synth_study(1, 0)
    assert synth_study(1, 0) != synth_study(1, 1)
    a = read_tables(write_synth(tmp_path / "a.xlsx", 1, 0))
    b = read_tables(write_synth(tmp_path / "b.xlsx", 1, 0))
    assert a.settings == b.settings
    for sheet, frame in a.frames.items():
        pd.testing.assert_frame_equal(frame, b.frames[sheet])


def test_size_grows_with_scale():
    small, big = size(1), size(100)
    assert big.years > small.years and big.regions > small.regions
    assert big.projects_per_stage > small.projects_per_stage and big.hubs > small.hubs
