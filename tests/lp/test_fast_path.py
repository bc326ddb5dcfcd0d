"""The fast hand-over to HiGHS (solve.FastHighs: the matrix as arrays) against Pyomo's generic
persistent HiGHS interface (one expression per row), on the shipped study and a synthetic one:
the same LP must give the same objective, primal values and duals.

FastHighs reads Pyomo internals (model components' `_data`, the solver's `_reinit`, ...), which
is why pyproject.toml pins Pyomo to the minor versions these tests have run on.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pyomo.contrib.solver.solvers.highs import Highs

from model.lp import build_model
from model.lp.lumpy import relax
from model.pipeline import load_study
from model.solve import FastHighs, solve_model
from model.synth import write_synth

SHIPPED = Path(__file__).resolve().parents[2] / "inputs" / "western_ree_2040.xlsx"


@pytest.fixture(scope="module", params=["shipped", "synthetic"])
def study(request, tmp_path_factory):
    if request.param == "shipped":  # a MIP (lumpy builds): the two paths are compared on its LP relaxation
        shipped = load_study(SHIPPED)
        relax(shipped)
        return shipped
    return load_study(write_synth(tmp_path_factory.mktemp("synth") / "synth.xlsx", scale=1, seed=3))


def test_fast_and_generic_paths_give_the_same_solution(study):
    fast, solver = solve_model(build_model(study), study, FastHighs())
    assert solver._fast is not None  # the arrays path was taken
    generic, other = solve_model(build_model(study), study, Highs())
    assert not isinstance(other, FastHighs)
    assert fast.status == generic.status == "optimal"
    assert fast.size == generic.size
    assert fast.objective == pytest.approx(generic.objective, rel=1e-12)
    assert fast.values.keys() == generic.values.keys()
    for family in fast.values:
        assert fast.values[family].keys() == generic.values[family].keys()
        assert fast.values[family] == pytest.approx(generic.values[family], abs=1e-6), family
    for family in fast.duals:
        assert fast.duals[family] == pytest.approx(generic.duals[family], abs=1e-9), family
