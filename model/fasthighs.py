"""`FastHighs`: Pyomo's persistent HiGHS interface (`pyomo.contrib.solver.solvers.highs.Highs`)
for models built by `lp.build_model`. Instead of walking one Pyomo expression per row it hands
the constraint matrix that `lp/` assembled (`m._lp`, CSR arrays) to HiGHS in one `passModel`
call, and reads values, duals and reduced costs back as arrays. Any other model goes through the
inherited generic path. It reads Pyomo internals, hence the pinned Pyomo versions
(tests/lp/test_fast_path.py compares both paths).
"""

from __future__ import annotations

import io
from contextlib import contextmanager

import highspy
import numpy as np
import pyomo.core as pyo
from pyomo.common.collections import ComponentMap
from pyomo.common.tee import capture_output
from pyomo.contrib.solver.common.util import (
    NoDualsError,
    NoReducedCostsError,
    NoSolutionError,
    get_objective,
)
from pyomo.contrib.solver.solvers.highs import Highs
from pyomo.core.staleflag import StaleFlagManager

from .lp.expr import INF, SparseConstraint, SparseRowData


class FastHighs(Highs):
    """Persistent HiGHS for reeplan models: the matrix goes over as arrays, not expressions.

    `set_instance(m)` passes the columns, the row blocks of `m._lp` (in block order: the
    families of `lp.build_model`) and the cost vector to HiGHS with one `passModel`. Column
    bounds are read from the Pyomo Vars (domain, bounds, fixed). A deactivated row is kept in
    HiGHS with free bounds (so row numbers and the warm-start basis survive); activating it
    restores its bounds. On each re-solve `update()` pushes what changed since the last one:
    row (de)activation, variable bounds, fixing and domains, and a new objective expression;
    any other change (a constraint added, removed or rewritten) rebuilds the HiGHS model.
    A model that is not entirely made of `lp.expr.SparseConstraint` rows uses Pyomo's generic
    path (`pyomo.contrib.solver.solvers.highs.Highs`) unchanged.
    """

    def __init__(self, **kwds):
        super().__init__(**kwds)
        self._fast = None  # the model's lp.expr.MatrixModel while the fast path is in use
        # what HiGHS printed while the model was handed over (never stdout), its banner first
        self.handover_log = one_thread()
        self.integer = np.zeros(0, dtype=np.int64)  # model columns that are integer (a MIP)

    # ------------------------------------------------------------ handing the model over
    def set_instance(self, model):
        lp = getattr(model, "_lp", None)
        if lp is None or not _matrix_only(model, lp):
            self._fast = None
            with _captured(self):
                return super().set_instance(model)
        if self._last_results_object is not None:
            self._last_results_object.solution_loader.invalidate()
        self._reinit()
        self._model = model
        self._fast = lp
        cols = lp.columns.vars
        self._blocks = list(lp.blocks)
        blocks = [c._block for c in self._blocks]
        self._row_start, n = {}, 0
        for comp in self._blocks:
            self._row_start[id(comp)] = n
            n += len(comp._block)
        self._active = [np.fromiter((d._active for d in c._data.values()), bool, len(c._data)) for c in self._blocks]
        row_lower = np.concatenate([np.where(a, b.lower, -INF) for a, b in zip(self._active, blocks)] or [[]])
        row_upper = np.concatenate([np.where(a, b.upper, INF) for a, b in zip(self._active, blocks)] or [[]])
        nnz = np.cumsum([0] + [b.nnz for b in blocks])
        a_start = np.concatenate([b.indptr[:-1] + off for b, off in zip(blocks, nnz)] or [[]]).astype(np.int32)
        a_index = np.concatenate([b.indices for b in blocks] or [[]]).astype(np.int32)
        self._order_columns(a_index, lp.cost, len(cols))
        self._snapshot = _var_state(cols)
        col_lower, col_upper = _col_bounds(cols, self._snapshot)
        lp_ = highspy.HighsLp()
        lp_.num_col_ = len(cols)
        lp_.num_row_ = n
        lp_.col_lower_ = col_lower[self._perm]
        lp_.col_upper_ = col_upper[self._perm]
        lp_.row_lower_ = row_lower
        lp_.row_upper_ = row_upper
        lp_.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
        lp_.a_matrix_.num_col_ = len(cols)
        lp_.a_matrix_.num_row_ = n
        lp_.a_matrix_.start_ = np.append(a_start, np.int32(nnz[-1]))
        lp_.a_matrix_.index_ = self._pos[a_index]
        lp_.a_matrix_.value_ = np.concatenate([b.data for b in blocks] or [[]])
        self.integer = _integer_columns(self._snapshot[3])  # model columns of integer domains
        if len(self.integer):  # a mixed-integer plan (lumpy builds)
            mask = np.zeros(len(cols), dtype=bool)
            mask[self.integer] = True
            lp_.integrality_ = integrality(mask[self._perm])
        with _captured(self):  # HiGHS's warnings about the matrix go to the log
            self._solver_model = highspy.Highs()
            self._objective = None
            self._set_fast_objective(model, lp_)
            status = self._solver_model.passModel(lp_)
        if status == highspy.HighsStatus.kError:
            raise ValueError("HiGHS rejected the model (passModel returned an error)")

    def _order_columns(self, a_index: np.ndarray, cost: np.ndarray, n: int) -> None:
        """HiGHS's column order: as Pyomo's generic interface adds them (in order of first use by
        the rows, then objective-only columns, then unused ones), so both give HiGHS the same LP
        and, on degenerate LPs, the same one of several equally cheap plans.
        `_perm[h]` is the model column at HiGHS column h, `_pos` the inverse."""
        used, first = np.unique(a_index, return_index=True)
        seen = np.zeros(n, dtype=bool)
        seen[used] = True
        rest = np.flatnonzero(~seen)
        in_cost = cost[rest] != 0
        self._perm = np.concatenate([used[np.argsort(first, kind="stable")], rest[in_cost], rest[~in_cost]]).astype(np.int64)
        self._pos = np.empty(n, dtype=np.int32)
        self._pos[self._perm] = np.arange(n, dtype=np.int32)

    def _set_fast_objective(self, model, lp_=None) -> None:
        """Costs from `m._lp` while the objective is the one `lp.build_model` made, else from its expression."""
        lp = self._fast
        obj = get_objective(model)
        self._objective = obj
        self._objective_state = _objective_state(obj)
        if obj is not None and obj is lp.objective and obj.from_arrays():
            cost, offset, sense = lp.cost, lp.offset, obj.sense
        else:
            cost, offset, sense = np.zeros(len(lp.columns)), 0.0, pyo.minimize
            if obj is not None:
                from pyomo.repn import generate_standard_repn

                repn = generate_standard_repn(obj.expr, quadratic=False)
                if repn.nonlinear_expr is not None:
                    raise ValueError("FastHighs handles linear objectives only")
                col = {id(v): j for j, v in enumerate(lp.columns.vars)}
                for c, v in zip(repn.linear_coefs, repn.linear_vars):
                    cost[col[id(v)]] += c
                offset, sense = float(pyo.value(repn.constant)), obj.sense
        hs = highspy.ObjSense.kMinimize if sense == pyo.minimize else highspy.ObjSense.kMaximize
        cost = cost[self._perm]
        if lp_ is not None:
            lp_.col_cost_ = cost
            lp_.offset_ = offset
            lp_.sense_ = hs
        else:
            h = self._solver_model
            h.changeColsCost(len(cost), np.arange(len(cost), dtype=np.int32), cost)
            h.changeObjectiveOffset(offset)
            h.changeObjectiveSense(hs)

    # ------------------------------------------------------------ re-solves
    def update(self, timer=None):
        """Push what changed since the last solve; the `auto_updates` options of the solve
        switch checks off as in Pyomo (`objective_without` skips the variable scan)."""
        if self._fast is None:
            return super().update(timer=timer)
        model, auto = self._model, self._active_config.auto_updates
        if (auto.check_for_new_or_removed_constraints or auto.update_constraints) and (
                model._lp is not self._fast or list(model._lp.blocks) != self._blocks
                or not _matrix_only(model, model._lp)):
            self.set_instance(model)
            return
        self._sol = None
        h = self._solver_model
        if auto.check_for_new_or_removed_constraints:
            # rows: deactivated rows get free bounds, reactivated rows their own again
            for k, comp in enumerate(self._blocks):
                now = np.fromiter((d._active for d in comp._data.values()), bool, len(comp._data))
                changed = np.flatnonzero(now != self._active[k])
                if len(changed):
                    b = comp._block
                    lo = np.where(now[changed], b.lower[changed], -INF)
                    hi = np.where(now[changed], b.upper[changed], INF)
                    idx = (changed + self._row_start[id(comp)]).astype(np.int32)
                    h.changeRowsBounds(len(idx), idx, lo, hi)
                    self._active[k] = now
        if auto.update_vars:
            # columns: bounds, fixing and domains that changed since the last hand-over
            cols = self._fast.columns.vars
            state = _var_state(cols)
            changed = [] if _same(state, self._snapshot) else sorted(
                {j for now, was in zip(state, self._snapshot) for j, (x, y) in enumerate(zip(now, was)) if x is not y},
                key=lambda j: self._pos[j])  # HiGHS wants its columns in order
            if changed:
                sub = [cols[j] for j in changed]
                lo, hi = _col_bounds(sub, _var_state(sub))
                idx = self._pos[changed]
                h.changeColsBounds(len(idx), idx, lo, hi)
                self._snapshot = state
        if (auto.update_objective or auto.check_for_new_objective) and \
                _objective_state(get_objective(model)) != self._objective_state:
            self._set_fast_objective(model)

    # ------------------------------------------------------------ reading back
    def row_index(self, con) -> int:
        """HiGHS row number of a row of a SparseConstraint."""
        return self._row_start[id(con.parent_component())] + con._expr

    def column_values(self) -> np.ndarray:
        """Value of every model column (in `m._lp.columns` order)."""
        if self._sol is None or not self._sol.value_valid:
            raise NoSolutionError()
        return np.asarray(self._sol.col_value, dtype=float)[self._pos]

    def column_reduced_costs(self) -> np.ndarray:
        """Reduced cost of every model column (in `m._lp.columns` order)."""
        if self._sol is None or not self._sol.dual_valid:
            raise NoReducedCostsError()
        return np.asarray(self._sol.col_dual, dtype=float)[self._pos]

    def fixed_lp_duals(self) -> tuple[np.ndarray, np.ndarray] | None:
        """Row duals and reduced costs (model column order) of the LP with the integer columns fixed at
        the mixed-integer plan (formulation 15); the model is restored afterwards. None if that LP fails."""
        cols = self._pos[self.integer]
        with _captured(self):
            duals = fixed_integer_duals(self._solver_model, cols, self.column_values()[self.integer])
        return None if duals is None else (duals[0], duals[1][self._pos])

    def row_duals(self) -> np.ndarray:
        if self._sol is None or not self._sol.dual_valid:
            raise NoDualsError()
        return np.asarray(self._sol.row_dual, dtype=float)

    def _load_vars(self, vars_to_load=None):
        if self._fast is None:
            return super()._load_vars(vars_to_load)
        if vars_to_load is None:
            for v, x in zip(self._fast.columns.vars, self.column_values().tolist()):
                v.set_value(x, skip_validation=True)
        else:
            for v, x in self._get_primals(vars_to_load).items():
                v.set_value(x, skip_validation=True)
        StaleFlagManager.mark_all_as_stale(delayed=True)

    def _columns_of(self, vars_to_load):
        cols = self._fast.columns.vars
        if vars_to_load is None:
            return cols, range(len(cols))
        where = {id(v): j for j, v in enumerate(cols)}
        return vars_to_load, [where[id(v)] for v in vars_to_load]

    def _get_primals(self, vars_to_load=None):
        if self._fast is None:
            return super()._get_primals(vars_to_load)
        vals = self.column_values()
        vars_, idx = self._columns_of(vars_to_load)
        return ComponentMap(zip(vars_, vals[list(idx)].tolist()))

    def _get_reduced_costs(self, vars_to_load=None):
        if self._fast is None:
            return super()._get_reduced_costs(vars_to_load)
        if self._sol is None or not self._sol.dual_valid:
            raise NoReducedCostsError()
        rc = self.column_reduced_costs()
        vars_, idx = self._columns_of(vars_to_load)
        return ComponentMap(zip(vars_, rc[list(idx)].tolist()))

    def _get_duals(self, cons_to_load=None):
        if self._fast is None:
            return super()._get_duals(cons_to_load)
        duals = self.row_duals()
        if cons_to_load is None:
            cons_to_load = [d for c in self._blocks for d in c._data.values() if d._active]
        return {c: float(duals[self.row_index(c)]) for c in cons_to_load}


def integrality(is_integer: np.ndarray) -> list:
    """HiGHS's column types for a mask of integer columns (in HiGHS's column order)."""
    kinds = (highspy.HighsVarType.kContinuous, highspy.HighsVarType.kInteger)
    return [kinds[k] for k in is_integer.astype(np.int64).tolist()]


def fixed_integer_duals(h: highspy.Highs, cols, values) -> tuple[np.ndarray, np.ndarray] | None:
    """Row duals and reduced costs (HiGHS column order) of h's LP with the integer columns `cols` fixed
    at `values` rounded (formulation 15: shadow prices conditional on the chosen plan); h is restored
    afterwards. None if that LP is not solved to optimality."""
    order = np.argsort(cols)
    cols = np.asarray(cols)[order].astype(np.int32)
    fixed = np.round(np.asarray(values)[order])
    lp = h.getLp()
    lower, upper = np.asarray(lp.col_lower_)[cols], np.asarray(lp.col_upper_)[cols]
    n = len(cols)
    h.changeColsIntegrality(n, cols, [highspy.HighsVarType.kContinuous] * n)
    h.changeColsBounds(n, cols, fixed, fixed)
    try:
        h.clearSolver()  # the MIP left a solution without a basis: a start from it took twice the iterations
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        sol = h.getSolution()
        return np.asarray(sol.row_dual, dtype=float), np.asarray(sol.col_dual, dtype=float)
    finally:
        h.changeColsBounds(n, cols, lower, upper)
        h.changeColsIntegrality(n, cols, [highspy.HighsVarType.kInteger] * n)


_BANNER: list[str] = []


def one_thread() -> str:
    """Start HiGHS's process-wide task scheduler with one thread (once per process), and return the
    banner HiGHS prints on its first use in a process (so every highs.log starts with it).

    reeplan solves one model at a time per process, and scenarios in parallel processes. With a
    second thread HiGHS's MIP solver spent ~40 % more CPU for the same wall time (the shipped
    study's crma_by_origin: 3.6 against 2.5 CPU s, both 2.5 s), CPU that a batch's other worker
    needs; the plans were identical. Later solves with the default `threads` use this scheduler.
    One that other code in the process started first, with more threads, is kept (HiGHS refuses to
    change it)."""
    if not _BANNER:
        buf = io.StringIO()
        with capture_output(output=buf, capture_fd=True):
            h = highspy.Highs()
            h.setOptionValue("output_flag", False)
            h.setOptionValue("threads", 1)
            h.run()  # an empty model: only starts the scheduler
        _BANNER.append(buf.getvalue())
    return _BANNER[0]


@contextmanager
def _captured(solver):
    """Keep what HiGHS prints (at the C level) off stdout, in `solver.handover_log`."""
    buf = io.StringIO()
    try:
        with capture_output(output=buf, capture_fd=True):
            yield
    finally:
        solver.handover_log = getattr(solver, "handover_log", "") + buf.getvalue()


def _matrix_only(model, lp) -> bool:
    """Every constraint of the model is a row of one of lp's blocks (not rewritten by set_value)."""
    blocks = {id(c) for c in lp.blocks}
    for comp in model.component_objects(pyo.Constraint, descend_into=True):
        if id(comp) not in blocks:
            return False
    return all(type(d) is SparseRowData for c in lp.blocks for d in c._data.values()) and \
        all(isinstance(c, SparseConstraint) for c in lp.blocks)


def _objective_state(obj) -> tuple:
    """What decides the objective HiGHS has: which objective, its expression (or "the arrays"), its sense."""
    if obj is None:
        return (None,)
    from_arrays = getattr(obj, "from_arrays", None)
    expr = "arrays" if from_arrays is not None and from_arrays() else id(obj.expr)
    return (id(obj), expr, obj.sense)


def _same(a: tuple[list, ...], b: tuple[list, ...]) -> bool:
    """a == b element by element (identical objects compare in C); False when unsure."""
    try:
        return all(x == y for x, y in zip(a, b))
    except Exception:  # noqa: BLE001 - a Pyomo expression bound refuses ==: compare one by one
        return False


def _integer_columns(domains: list) -> np.ndarray:
    """Columns whose domain is integer (Binary, NonNegativeIntegers, ...), found per distinct domain."""
    integer = {id(d) for d in {id(d): d for d in domains}.values() if d.get_interval()[2] == 1}
    if not integer:
        return np.zeros(0, dtype=np.int64)
    return np.flatnonzero([id(d) in integer for d in domains]).astype(np.int64)


def _var_state(vars_) -> tuple[list, list, list, list, list]:
    """What decides a column's bounds: (lower, upper, fixed, domain, value if fixed) of each Var,
    compared by identity (a variable fixed again at another value is a change)."""
    return ([v._lb for v in vars_], [v._ub for v in vars_], [v.fixed for v in vars_],
            [v._domain for v in vars_], [v._value if v.fixed else None for v in vars_])


def _col_bounds(vars_, state) -> tuple[np.ndarray, np.ndarray]:
    """Column bounds for HiGHS: the fast common case (non-negative, numeric upper bound) in bulk."""
    lbs, ubs, fixed, domains, _ = state
    nonneg = pyo.NonNegativeReals
    lower = np.zeros(len(vars_))
    try:
        upper = np.array([INF if u is None else u for u in ubs], dtype=float)
    except (TypeError, ValueError):  # a bound that is an expression (a Param)
        upper = np.full(len(vars_), INF)
        fixed = [True] * len(vars_)  # resolve every column below
    for j in [j for j, (lb, f, d) in enumerate(zip(lbs, fixed, domains)) if lb is not None or f or d is not nonneg]:
        v = vars_[j]
        if v.fixed:
            lower[j] = upper[j] = v.value
        else:
            lo, hi = v.bounds
            lower[j] = -INF if lo is None else lo
            upper[j] = INF if hi is None else hi
    return lower, upper
