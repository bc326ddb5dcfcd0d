"""Solve the Pyomo model with HiGHS (in memory, through highspy) and read back values and duals."""

from __future__ import annotations

from dataclasses import dataclass, field

import pyomo.environ as pyo
from pyomo.contrib.solver.common.results import TerminationCondition as TC
from pyomo.contrib.solver.solvers.highs import Highs

from .data import Study

ROW_FAMILIES = ("balance", "budget", "policy")

_STATUS = {
    TC.convergenceCriteriaSatisfied: "optimal",
    TC.provenInfeasible: "infeasible",
    TC.locallyInfeasible: "infeasible",
    TC.infeasibleOrUnbounded: "infeasible_or_unbounded",
    TC.unbounded: "unbounded",
    TC.maxTimeLimit: "time_limit",
    TC.iterationLimit: "iteration_limit",
}


@dataclass
class Solution:
    status: str
    objective: float | None = None
    values: dict[str, dict] = field(default_factory=dict)  # family -> key -> value
    duals: dict[str, dict] = field(default_factory=dict)  # row family -> key -> raw dual (MUSD per unit)
    size: dict[str, int] = field(default_factory=dict)
    solver: str = ""
    message: str = ""

    @property
    def optimal(self) -> bool:
        return self.status == "optimal"

    @property
    def has_plan(self) -> bool:
        return bool(self.values)


def has_variables(m: pyo.ConcreteModel) -> bool:
    return any(len(v) for v in m._families.values())


def solve_model(m: pyo.ConcreteModel, s: Study, solver: Highs | None = None) -> tuple[Solution, Highs]:
    """Solve (or re-solve a persistent) model. Never raises on a non-optimal result."""
    if s.impossible:
        rows = "; ".join(_impossible_text(r) for r in s.impossible[:5])
        return Solution("infeasible", message=f"rows that no variable can satisfy: {rows}"), solver
    if not has_variables(m):
        # nothing to decide: the plan is empty and the objective is its constant terms
        return Solution("optimal", objective=pyo.value(m.cost), values={f: {} for f in m._families},
                        duals={f: {} for f in ROW_FAMILIES},
                        size={"variables": 0, "rows": 0, "nonzeros": 0}, solver="none needed"), solver
    solver = solver or Highs()
    try:
        res = solver.solve(
            m, load_solutions=False, raise_exception_on_nonoptimal_result=False,
            time_limit=s.time_limit,
        )
    except Exception as exc:  # HiGHS refused the model (e.g. numbers it treats as infinite)
        return Solution("error", message=f"the solver could not handle this model ({type(exc).__name__}: {exc})"), solver
    h = solver._solver_model  # highspy.Highs
    size = {"variables": h.getNumCol(), "rows": h.getNumRow(), "nonzeros": h.getNumNz()}
    status = _STATUS.get(res.termination_condition, str(res.termination_condition.name))
    version = ".".join(str(v) for v in solver.version())
    sol = Solution(status, size=size, solver=f"HiGHS {version}")
    if res.incumbent_objective is None or status not in ("optimal", "time_limit", "iteration_limit"):
        return sol, solver
    res.solution_loader.load_vars()
    sol.objective = pyo.value(m.cost)
    sol.values = {name: {k: v.value or 0.0 for k, v in comp.items()} for name, comp in m._families.items()}
    if status == "optimal":
        for fam in ROW_FAMILIES:
            comp = getattr(m, fam)
            rows = list(comp.values())
            duals = res.solution_loader.get_duals(rows) if rows else {}
            sol.duals[fam] = {k: duals[c] for k, c in comp.items()}
    return sol, solver


def _impossible_text(r: dict) -> str:
    if r["family"] == "balance":
        return (f"demand for {r['commodity']} in {r['region']} in {r['year']} ({r['rhs']:g} t) "
                "has no project, offer or route that could serve it")
    return (f"policy {r['policy']} in {r['region']} in {r['year']} needs {r['rhs']:g} t of {r['material']} "
            f"but no {r['stage']} project there can produce it")


def objective_without(m: pyo.ConcreteModel, solver: Highs, rows: list) -> tuple[str, float | None]:
    """Re-solve the persistent model with `rows` deactivated (HiGHS keeps its basis), then restore.

    Returns the status and objective of the relaxed problem; the model's rows are active again
    afterwards, and variable values are those of the relaxed solve.
    """
    for c in rows:
        c.deactivate()
    try:
        res = solver.solve(m, load_solutions=False, raise_exception_on_nonoptimal_result=False)
        status = _STATUS.get(res.termination_condition, str(res.termination_condition.name))
        if status != "optimal":
            return status, None
        res.solution_loader.load_vars()
        return status, pyo.value(m.cost)
    finally:
        for c in rows:
            c.activate()
