"""Two-stage stochastic plan (formulation 16): hedge against scenarios that may come.

Branches b (scenarios of the workbook, `base` allowed) with probability pi_b and one branch year
B. The extensive form holds one copy of each branch's LP, built at the matrix level from the
branches' own `m._lp` (the fast path), with every variable of a year before B shared by all
branches (keys end with their year; a shared variable takes the tightest of its branches' bounds
and is fixed at 0 where a branch lacks it), every branch's rows, and the objective

    minimise  sum_b pi_b * objective_b        (a shared column's cost: sum_b pi_b c_b)

Reported: expected cost E, wait-and-see WS = sum_b pi_b obj*_b (each branch alone), EVPI = E - WS,
the regret table (each plan's pre-B decisions fixed, faced with each branch) and the cost of
ignoring the risk = sum_b pi_b cost(base plan's pre-B decisions, b) - E.
"""

from __future__ import annotations

import io
import time
from dataclasses import dataclass, field

import highspy
import numpy as np
import pyomo.core as pyo
from pyomo.common.tee import capture_output

from .data import Study, build_study
from .fasthighs import (FastHighs, _col_bounds, _integer_columns, _var_state, fixed_integer_duals, integrality,
                        one_thread)
from .lp import build_model
from .lp.lumpy import relax
from .lp.expr import INF
from .lp.names import PRICED, REDUCED, VIOLATION
from .read import Tables
from .scenarios import BASE
from .solve import Solution, _mip_info, column_values, mip_options, solve_model

STATUS = {highspy.HighsModelStatus.kOptimal: "optimal", highspy.HighsModelStatus.kInfeasible: "infeasible",
          highspy.HighsModelStatus.kUnboundedOrInfeasible: "infeasible_or_unbounded",
          highspy.HighsModelStatus.kUnbounded: "unbounded", highspy.HighsModelStatus.kTimeLimit: "time_limit"}


@dataclass
class Branch:
    name: str
    prob: float
    study: Study
    edits: list
    model: pyo.ConcreteModel = None
    cols: np.ndarray = None  # global column of each of the branch's columns
    rows: dict = field(default_factory=dict)  # priced family -> global row of each of its rows


@dataclass
class Extensive:
    """The solved extensive form."""
    status: str
    objective: float | None
    size: dict
    log: str
    x: np.ndarray | None = None
    row_dual: np.ndarray | None = None
    col_dual: np.ndarray | None = None
    shared: list = field(default_factory=list)  # (family, key) of each shared column, in column order
    shared_cols: np.ndarray | None = None
    row_weight: np.ndarray | None = None  # total probability of the branches sharing each row
    warnings: list = field(default_factory=list)  # branches that edit data of years before the branch year
    mip: dict | None = None  # lumpy builds: the mixed-integer solve (gap, bound, nodes), as for one plan


def branch_spec(tables: Tables) -> tuple[list[tuple[str, float]], int]:
    """(scenario, probability) of each branch in sheet order, and the branch year."""
    st = tables.frames.get("stochastic")
    if st is None or st.empty:
        return [], 0
    return list(zip(st["scenario"], st["probability"].astype(float))), int(st["branch_year"].iloc[0])


def is_shared(family: str, key, B: int) -> bool:
    """Variables of a year before B are decided before anyone knows the branch; keys end with their year."""
    return family != VIOLATION and isinstance(key, tuple) and isinstance(key[-1], (int, np.integer)) and key[-1] < B


def _columns(m) -> list[tuple[str, tuple]]:
    out = []
    for fam, index in m._lp.columns.index.items():
        out.extend((fam, k) for k in index)  # index dicts hold their keys in column order
    return out


def extensive_form(branches: list[Branch], B: int, time_limit: float | None = None,
                   mip: dict | None = None) -> Extensive:
    """Build the extensive form from the branches' matrices and solve it with HiGHS: a MIP when a branch
    has lumpy builds, whose integer companions of pre-branch builds are shared like the builds."""
    col_of: dict = {}
    lower, upper, cost, has = [], [], [], []
    integer: set[int] = set()  # global columns that are integer in some branch
    warnings: set[str] = set()
    for bi, br in enumerate(branches):
        lp = br.model._lp
        state = _var_state(lp.columns.vars)
        lo, hi = _col_bounds(lp.columns.vars, state)
        local_integer = _integer_columns(state[3])
        glob = np.empty(len(lp.columns), dtype=np.int64)
        for j, (fam, k) in enumerate(_columns(br.model)):
            g = ("shared", fam, k) if is_shared(fam, k, B) else (bi, fam, k)
            i = col_of.get(g)
            if i is None:
                i = col_of[g] = len(cost)
                lower.append(lo[j]), upper.append(hi[j]), cost.append(0.0), has.append(0)
            elif (lower[i], upper[i]) != (lo[j], hi[j]):
                warnings.add(f"scenario {br.name} changes the limits of {fam}[{', '.join(map(str, k))}], a "
                             f"decision of a year before the branch year {B}: the tightest limits apply to all branches")
                lower[i], upper[i] = max(lower[i], lo[j]), min(upper[i], hi[j])
            cost[i] += br.prob * lp.cost[j]
            has[i] += 1
            glob[j] = i
        br.cols = glob
        integer.update(glob[local_integer].tolist())
    lower, upper, has = np.array(lower), np.array(upper), np.array(has)
    shared_cols = np.array([i for g, i in col_of.items() if g[0] == "shared"], dtype=np.int64)
    missing = np.zeros(len(cost), dtype=bool)
    missing[shared_cols] = has[shared_cols] < len(branches)  # a shared variable some branch lacks is fixed at 0
    upper[missing] = 0.0
    lower[missing] = np.minimum(lower[missing], 0.0)
    is_shared_col = np.zeros(len(cost), dtype=bool)
    is_shared_col[shared_cols] = True
    rows: list[tuple] = []  # (columns, coefficients, lower, upper) of each global row
    weight: list[float] = []  # total probability of the branches whose copy is this row
    seen: dict[tuple, int] = {}
    for br in branches:
        for comp in br.model._lp.blocks:
            blk = comp._block
            glob_rows = np.empty(len(blk), dtype=np.int64)
            for i in range(len(blk)):
                lo_i, hi_i = int(blk.indptr[i]), int(blk.indptr[i + 1])
                cols, coefs = br.cols[blk.indices[lo_i:hi_i]], blk.data[lo_i:hi_i]
                row = (cols, coefs, float(blk.lower[i]), float(blk.upper[i]))
                key = None
                if len(cols) and is_shared_col[cols].all():  # a pre-branch row: one copy serves all branches
                    key = (tuple(cols.tolist()), tuple(coefs.tolist()), row[2], row[3])
                    if key in seen:
                        glob_rows[i] = seen[key]
                        weight[seen[key]] += br.prob
                        continue
                glob_rows[i] = len(rows)
                if key is not None:
                    seen[key] = len(rows)
                rows.append(row)
                weight.append(br.prob)
            if comp.name in PRICED:
                br.rows[comp.name] = glob_rows
    nrow, nnz = len(rows), sum(len(r[0]) for r in rows)
    starts = np.cumsum([0] + [len(r[0]) for r in rows])
    out_weight = np.array(weight)
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = len(cost), nrow
    lp.col_cost_, lp.col_lower_, lp.col_upper_ = np.array(cost), lower, upper
    lp.row_lower_ = np.array([r[2] for r in rows], dtype=float)
    lp.row_upper_ = np.array([r[3] for r in rows], dtype=float)
    lp.offset_ = sum(br.prob * br.model._lp.offset for br in branches)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = len(cost), nrow
    lp.a_matrix_.start_ = starts.astype(np.int32)
    lp.a_matrix_.index_ = np.concatenate([r[0] for r in rows]).astype(np.int32) if rows else np.zeros(0, np.int32)
    lp.a_matrix_.value_ = np.concatenate([r[1] for r in rows]) if rows else np.zeros(0)
    int_cols = np.array(sorted(integer), dtype=np.int64)
    if len(int_cols):
        mask = np.zeros(len(cost), dtype=bool)
        mask[int_cols] = True
        lp.integrality_ = integrality(mask)
    buf = io.StringIO()
    buf.write(one_thread())
    with capture_output(output=buf, capture_fd=True):
        h = highspy.Highs()
        h.passModel(lp)
        if time_limit:
            h.setOptionValue("time_limit", float(time_limit))
        if len(int_cols):  # as for one plan (solve.mip_options)
            for key, value in (mip or {}).items():
                h.setOptionValue(key, value)
        h.run()
    status = STATUS.get(h.getModelStatus(), str(h.getModelStatus()))
    size = {"variables": len(cost), "rows": nrow, "nonzeros": nnz, "shared": int(sum(1 for g in col_of if g[0] == "shared"))}
    out = Extensive(status, None, size, buf.getvalue())
    out.row_weight = out_weight
    out.warnings = sorted(warnings)[:20]
    shared = [(g[1], g[2]) for g in col_of if g[0] == "shared"]
    out.shared, out.shared_cols = shared, np.array([col_of[("shared",) + s] for s in shared], dtype=np.int64)
    if status in ("optimal", "time_limit") and h.getInfo().primal_solution_status == 2:
        sol = h.getSolution()
        out.x = np.asarray(sol.col_value)
        out.objective = float(h.getInfo().objective_function_value)
        if len(int_cols):  # shadow prices of the LP with the integers fixed at the chosen plan
            out.mip = _mip_info(h, status)
            with capture_output(output=buf, capture_fd=True):
                duals = fixed_integer_duals(h, int_cols, out.x[int_cols])
            if duals is not None:
                out.row_dual, out.col_dual = duals
        elif status == "optimal":
            out.row_dual, out.col_dual = np.asarray(sol.row_dual), np.asarray(sol.col_dual)
    return out


def branch_solution(br: Branch, ext: Extensive) -> Solution:
    """One branch's plan from the extensive form: values, its objective, duals and reduced costs in
    money of the year (divided by the probability as well as, later, the discount factor)."""
    m = br.model
    x = ext.x[br.cols]
    lp = m._lp
    status = ext.mip["status"] if ext.mip else ext.status
    sol = Solution(status, size=ext.size, solver="HiGHS (extensive form)", mip=ext.mip)
    sol.objective = float(sum([lp.offset] + (lp.cost * x).tolist()))
    sol.values = column_values(m, x)
    if ext.row_dual is not None:
        for fam, glob in br.rows.items():
            keys = getattr(m, fam)._block.keys
            sol.duals[fam] = dict(zip(keys, (ext.row_dual[glob] / ext.row_weight[glob]).tolist()))
        mask = np.zeros(len(ext.x), dtype=bool)
        mask[ext.shared_cols] = True
        rc = ext.col_dual[br.cols] / np.where(mask[br.cols], 1.0, br.prob)  # shared: all branches' money
        sol.reduced = {fam: dict(zip(m._families[fam].keys(), rc[slice(*lp.columns.span[fam])].tolist()))
                       for fam in REDUCED}
    return sol


def first_stage(sol: Solution, B: int) -> dict[tuple, float]:
    """The pre-branch decisions of a plan: (family, key) -> value."""
    return {(fam, k): v for fam, vals in sol.values.items() for k, v in vals.items() if is_shared(fam, k, B)}


def cost_with_fixed(br: Branch, solver: FastHighs, plan: dict[tuple, float], B: int) -> tuple[str, float | None]:
    """Branch br's best cost with the pre-branch decisions fixed at `plan` (missing ones at 0)."""
    fixed = []
    for fam, var in br.model._families.items():
        for k, v in var.items():
            if is_shared(fam, k, B):
                lo, hi = v.bounds
                x = min(max(plan.get((fam, k), 0.0), lo if lo is not None else 0.0), hi if hi is not None else INF)
                x = round(x) if v.is_integer() else x  # a MIP's 0.9999999 opened is 1
                v.fix(x, skip_validation=True)
                fixed.append(v)
    try:
        sol, _ = solve_model(br.model, br.study, solver)
        return sol.status, sol.objective if sol.optimal else None
    finally:
        for v in fixed:
            v.unfix()


def solve_stochastic(tables: Tables, scenario_tables, progress=None, relaxed: bool = False) -> dict:
    """Everything the stochastic outputs need: branches with their plans, E, WS, EVPI, regret
    (with lumpy builds a MIP, unless `relaxed`: then every branch is its LP relaxation)."""
    progress = progress or (lambda phase, seconds: None)
    spec, B = branch_spec(tables)
    out_relaxed = False
    t0 = time.perf_counter()
    branches = []
    for name, prob in spec:
        bt, edits = scenario_tables(tables, name)
        study = build_study(bt)
        if relaxed and (study.units or study.opened):  # --relax: lumpy builds as the LP relaxation
            relax(study)
            out_relaxed = True
        branches.append(Branch(name, prob, study, edits, build_model(study)))
    progress("build", time.perf_counter() - t0)
    out = {"branches": branches, "branch_year": B, "solutions": {}, "alone": {}, "regret": {}, "relaxed": out_relaxed}
    stuck = [br for br in branches if br.study.impossible]  # rows no variable can meet: the plan is infeasible
    if stuck:
        ext = Extensive("infeasible", None, {}, "")
        ext.warnings = [f"branch {br.name} has rows that no variable can satisfy (reeplan solve --scenario "
                        f"{br.name} names them)" for br in stuck]
        out["extensive"] = ext
        return out
    t0 = time.perf_counter()
    ext = extensive_form(branches, B, tables.settings.get("solver_time_limit_s"), mip_options(tables.settings))
    progress("solve", time.perf_counter() - t0)
    out["extensive"] = ext
    if ext.x is None:
        return out
    t0 = time.perf_counter()
    for br in branches:
        out["solutions"][br.name] = branch_solution(br, ext)
    solvers = {}
    for br in branches:  # each branch alone (wait-and-see), on a persistent solver kept for the regret table
        solver = FastHighs()
        sol, solvers[br.name] = solve_model(br.model, br.study, solver)
        out["alone"][br.name] = sol
    plans = {br.name: first_stage(out["alone"][br.name], B) for br in branches if out["alone"][br.name].has_plan}
    plans["hedged"] = {s: float(ext.x[j]) for s, j in zip(ext.shared, ext.shared_cols)}
    for plan, decisions in plans.items():
        for br in branches:
            out["regret"][(plan, br.name)] = cost_with_fixed(br, solvers[br.name], decisions, B)
    progress("regret", time.perf_counter() - t0)
    alone = [out["alone"][br.name].objective for br in branches]
    out["expected"] = ext.objective
    out["wait_and_see"] = None if any(o is None for o in alone) else sum(br.prob * o for br, o in zip(branches, alone))
    out["evpi"] = None if out["wait_and_see"] is None else ext.objective - out["wait_and_see"]
    base = BASE if any(br.name == BASE for br in branches) else branches[0].name
    costs = [out["regret"].get((base, br.name), ("", None))[1] for br in branches]
    out["base_plan"] = base
    out["ignoring_risk"] = None if any(c is None for c in costs) else \
        sum(br.prob * c for br, c in zip(branches, costs)) - ext.objective
    return out
