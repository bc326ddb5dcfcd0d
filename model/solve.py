"""Solve the Pyomo model with HiGHS (in memory, through highspy) and read back values, duals and
reduced costs; re-solve the persistent model without some rows. `fasthighs.FastHighs` hands
reeplan's models to HiGHS as arrays; `solver_options` picks HiGHS's algorithm by problem size.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import pyomo.core as pyo  # not pyomo.environ: its solver and transformation plugins are unused (0.15 s of start-up)
from pyomo.contrib.solver.common.results import TerminationCondition as TC
from pyomo.contrib.solver.solvers.highs import Highs

from .data import Study
from .fasthighs import FastHighs
from .lp.names import PRICED, REDUCED
from .numerics import matrix_warnings

__all__ = ["FastHighs", "Solution", "objective_without", "solve_model", "solver_options"]

# HiGHS's algorithm by problem size: None keeps HiGHS's choice (dual simplex for LPs) at every
# size. Measured on the synthetic ladder (benchmarks/README.md, 2 cores): interior point took
# 2-8x the time of dual simplex at every size from 8e4 to 1e6 columns, parallel dual simplex
# was no faster, PDLP took over 10 minutes at 3e5. Set a column count to switch to IPM there.
IPM_COLUMNS: int | None = None

_STATUS = {
    TC.convergenceCriteriaSatisfied: "optimal",
    TC.provenInfeasible: "infeasible",
    TC.locallyInfeasible: "infeasible",
    TC.infeasibleOrUnbounded: "infeasible_or_unbounded",
    TC.unbounded: "unbounded",
    TC.maxTimeLimit: "time_limit",
    TC.iterationLimit: "iteration_limit",
}


def solver_options(columns: int) -> dict:
    """HiGHS options for an LP with this many columns (IPM with crossover from IPM_COLUMNS on,
    so duals and warm starts are still those of a vertex; HiGHS's default otherwise)."""
    if IPM_COLUMNS is not None and columns >= IPM_COLUMNS:
        return {"solver": "ipm", "run_crossover": "on"}
    return {}


def mip_options(settings: dict) -> dict:
    """HiGHS options of a mixed-integer plan: reproducible (a fixed seed), to the workbook's `mip_gap`.

    HiGHS's feasibility-jump heuristic is off: on the shipped study's 15 plans it took a quarter of
    the MIP's time (0.37 -> 0.29 s for base, 1.5 -> 1.1 s for crma_by_origin) and its incumbent
    was never kept (randomized rounding at the root gave the plan); the plans were identical."""
    return {"mip_rel_gap": float(settings["mip_gap"]), "random_seed": 0, "mip_heuristic_run_feasibility_jump": False}


@dataclass
class Solution:
    status: str
    objective: float | None = None
    values: dict[str, dict] = field(default_factory=dict)  # family -> key -> value
    duals: dict[str, dict] = field(default_factory=dict)  # row family -> key -> raw dual (MUSD per unit)
    reduced: dict[str, dict] = field(default_factory=dict)  # build, act -> key -> reduced cost (MUSD per unit)
    size: dict[str, int] = field(default_factory=dict)
    solver: str = ""
    message: str = ""
    warnings: list[str] = field(default_factory=list)  # numerical trouble HiGHS would not report
    mip: dict | None = None  # a mixed-integer plan (lumpy builds): gap, bound, nodes
    log: str = ""  # HiGHS's own output (hand-over and solve): highs.log in the result folder

    @property
    def optimal(self) -> bool:
        return self.status == "optimal"

    @property
    def has_plan(self) -> bool:
        return bool(self.values)


def has_variables(m: pyo.ConcreteModel) -> bool:
    return any(len(v) for v in m._families.values())


def solve_model(m: pyo.ConcreteModel, s: Study, solver: Highs | None = None,
                on_values: Callable[[Solution], None] | None = None) -> tuple[Solution, Highs]:
    """Solve (or re-solve a persistent) model. Never raises on a non-optimal result. `on_values(sol)`:
    called when a mixed-integer plan's values are read, before the LP re-solve for its duals."""
    if s.impossible:
        rows = "; ".join(_impossible_text(r) for r in s.impossible[:5])
        return Solution("infeasible", message=f"rows that no variable can satisfy: {rows}"), solver
    if not has_variables(m):
        # nothing to decide: the plan is empty and the objective is its constant terms
        return Solution("optimal", objective=pyo.value(m.cost), values={f: {} for f in m._families},
                        duals={f: {} for f in PRICED},
                        size={"variables": 0, "rows": 0, "nonzeros": 0}, solver="none needed"), solver
    solver = solver or FastHighs()
    options = solver_options(sum(len(v) for v in m._families.values()))
    if s.units or s.opened:  # lumpy builds: a MIP, reproducible, to the workbook's gap
        options.update(mip_options(s.tables.settings))
    warnings = matrix_warnings(m._lp)
    try:
        res = solver.solve(
            m, load_solutions=False, raise_exception_on_nonoptimal_result=False,
            time_limit=s.horizon.time_limit, solver_options=options,
        )
    except Exception as exc:  # HiGHS refused the model (e.g. numbers it treats as infinite)
        return Solution("error", message=f"the solver could not handle this model ({type(exc).__name__}: {exc})",
                        warnings=warnings, log=getattr(solver, "handover_log", "")), solver
    h = solver._solver_model  # highspy.Highs
    size = {"variables": h.getNumCol(), "rows": h.getNumRow(), "nonzeros": h.getNumNz()}
    status = _STATUS.get(res.termination_condition, str(res.termination_condition.name))
    version = ".".join(str(v) for v in solver.version())
    sol = Solution(status, size=size, solver=f"HiGHS {version}", warnings=warnings,
                   log=getattr(solver, "handover_log", "") + (res.solver_log or ""))
    if res.incumbent_objective is None or status not in ("optimal", "time_limit", "iteration_limit"):
        return sol, solver
    res.solution_loader.load_vars()
    sol.objective = pyo.value(m.cost)
    if isinstance(solver, FastHighs) and solver._fast is not None:
        x = solver.column_values()
        sol.values = column_values(m, x)
        duals = rc = None
        if len(solver.integer):  # duals of the LP with the integers fixed at the chosen plan
            sol.mip = _mip_info(h, status)
            if status == "time_limit":
                sol.status = "time_limit_feasible"
            if on_values is not None:
                on_values(sol)
            fixed = solver.fixed_lp_duals()
            if fixed is not None:
                duals, rc = fixed
        elif status == "optimal":
            duals, rc = solver.row_duals(), solver.column_reduced_costs()
        if duals is not None:
            sol.duals = row_duals(m, solver, duals)
            spans = m._lp.columns.span
            sol.reduced = {fam: dict(zip(m._families[fam].keys(), rc[slice(*spans[fam])].tolist()))
                           for fam in REDUCED}
        return sol, solver
    sol.values = {name: {k: v.value or 0.0 for k, v in comp.items()} for name, comp in m._families.items()}
    if status == "optimal":
        for fam in [f for f in PRICED if hasattr(m, f)]:
            comp = getattr(m, fam)
            rows = list(comp.values())
            duals = res.solution_loader.get_duals(rows) if rows else {}
            sol.duals[fam] = {k: duals[c] for k, c in comp.items()}
        for fam in REDUCED:
            var = m._families[fam]
            rc = res.solution_loader.get_reduced_costs(list(var.values())) if len(var) else {}
            sol.reduced[fam] = {k: rc[v] for k, v in var.items()}
    return sol, solver


def column_values(m: pyo.ConcreteModel, x) -> dict[str, dict]:
    """Values by variable family and key from an array in the model's column order."""
    spans = m._lp.columns.span
    return {name: dict(zip(comp.keys(), [v or 0.0 for v in x[slice(*spans[name])].tolist()]))
            for name, comp in m._families.items()}


def row_duals(m: pyo.ConcreteModel, solver: FastHighs, duals) -> dict[str, dict]:
    """Duals by priced row family and key from an array in HiGHS's row order."""
    out = {}
    for fam in [f for f in PRICED if hasattr(m, f)]:
        comp = getattr(m, fam)
        start = solver._row_start[id(comp)]
        out[fam] = dict(zip(comp._block.keys, duals[start:start + len(comp._block)].tolist()))
    return out


def _mip_info(h, status: str) -> dict:
    """The mixed-integer solve: status, objective, dual bound, gaps (USD million and relative), nodes."""
    info = h.getInfo()
    obj, bound = float(info.objective_function_value), float(info.mip_dual_bound)
    return {"status": "optimal" if status == "optimal" else "time_limit_feasible" if status == "time_limit" else status,
            "objective_musd": obj, "dual_bound_musd": bound, "gap_musd": abs(obj - bound),
            "relative_gap": float(info.mip_gap), "nodes": int(info.mip_node_count),
            "duals": "from the LP with the integer columns fixed at this plan (conditional on it)"}


def _impossible_text(r: dict) -> str:
    if r["family"] == "balance":
        return (f"demand for {r['commodity']} in {r['region']} in {r['year']} ({r['rhs']:g} t) "
                "has no project, offer or route that could serve it")
    return (f"policy {r['policy']} in {r['region']} in {r['year']} needs {r['rhs']:g} t of {r['material']} "
            f"but no {r['stage']} project there can produce it")


def objective_without(m: pyo.ConcreteModel, solver: Highs, rows: list) -> tuple[str, float | None]:
    """Re-solve the persistent model with `rows` deactivated (HiGHS keeps its basis; FastHighs
    frees their bounds rather than deleting them), then restore.

    Returns the status and objective of the relaxed problem; the model's rows are active again
    afterwards, and variable values are those of the relaxed solve.
    """
    for c in rows:
        c.deactivate()
    try:
        # only rows change: skip the scans for changed variables, objective and parameters
        res = solver.solve(m, load_solutions=False, raise_exception_on_nonoptimal_result=False,
                           auto_updates={"update_vars": False, "update_objective": False,
                                         "check_for_new_objective": False, "update_parameters": False,
                                         "update_named_expressions": False})
        status = _STATUS.get(res.termination_condition, str(res.termination_condition.name))
        if status != "optimal":
            return status, None
        res.solution_loader.load_vars()
        return status, pyo.value(m.cost)
    finally:
        for c in rows:
            c.activate()
