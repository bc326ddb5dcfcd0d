"""Many warm re-solves of one model, straight on its HiGHS instance (frontier, alternatives).

The model is handed to HiGHS once by `fasthighs.FastHighs`; a `Session` then changes right-hand
sides, bounds, costs or adds rows in HiGHS itself, re-runs from the last basis and reads the
solution back in the model's column order. Pyomo is not involved after the hand-over, so a
re-solve costs what HiGHS takes.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import highspy
import numpy as np
from pyomo.common.tee import capture_output

from .data import Study
from .fasthighs import FastHighs
from .lp import build_model
from .lp.lumpy import relax
from .solve import Solution, column_values, row_duals

OPTIMAL = highspy.HighsModelStatus.kOptimal


@dataclass
class Result:
    status: str
    objective: float | None
    x: np.ndarray | None = None  # model column order
    row_dual: np.ndarray | None = None  # HiGHS row order (= model blocks in order)


class Session:
    """A study's model on a persistent HiGHS instance, with its optimum solved."""

    def __init__(self, study: Study):
        self.relaxed = bool(study.units or study.opened)  # many re-solves: lumpy builds as their LP relaxation
        relax(study)
        self.study = study
        self.model = build_model(study)
        self.solver = FastHighs()
        self.solver.set_instance(self.model)
        self.h = self.solver._solver_model
        self.h.setOptionValue("output_flag", False)
        self.cost = np.asarray(self.model._lp.cost, dtype=float).copy()
        self.offset = float(self.model._lp.offset)
        self.log = io.StringIO()

    # ---------------------------------------------------------------- indices
    def cols(self, family: str, keys) -> np.ndarray:
        """HiGHS columns of model variables."""
        index = self.model._lp.columns.index[family]
        return self.solver._pos[np.array([index[k] for k in keys], dtype=np.int64)].astype(np.int32)

    def span(self, family: str) -> slice:
        return slice(*self.model._lp.columns.span[family])

    def rows(self, family: str, keys) -> np.ndarray:
        comp = getattr(self.model, family)
        start = self.solver._row_start[id(comp)]
        where = {k: i for i, k in enumerate(comp._block.keys)}
        return np.array([start + where[k] for k in keys], dtype=np.int32)

    # ---------------------------------------------------------------- changes
    def set_row_bounds(self, rows: np.ndarray, lower, upper) -> None:
        lower, upper = np.broadcast_to(lower, rows.shape), np.broadcast_to(upper, rows.shape)
        self.h.changeRowsBounds(len(rows), rows, np.asarray(lower, float), np.asarray(upper, float))

    def set_col_bounds(self, cols: np.ndarray, lower, upper) -> None:
        order = np.argsort(cols)
        lower = np.broadcast_to(lower, cols.shape)[order]
        upper = np.broadcast_to(upper, cols.shape)[order]
        self.h.changeColsBounds(len(cols), cols[order], np.asarray(lower, float), np.asarray(upper, float))

    def set_costs(self, cost: np.ndarray, offset: float = 0.0) -> None:
        """Objective offset + cost . x over model columns."""
        n = len(cost)
        self.h.changeColsCost(n, np.arange(n, dtype=np.int32), np.asarray(cost, float)[self.solver._perm])
        self.h.changeObjectiveOffset(offset)

    def add_row(self, cost_like: np.ndarray, lower: float, upper: float) -> int:
        """Add the row lower <= cost_like . x <= upper (model columns); returns its HiGHS row."""
        nz = np.flatnonzero(cost_like)
        self.h.addRow(lower, upper, len(nz), self.solver._pos[nz].astype(np.int32), cost_like[nz].astype(float))
        return self.h.getNumRow() - 1

    # ---------------------------------------------------------------- solving
    def run(self) -> Result:
        with capture_output(output=self.log, capture_fd=True):
            self.h.run()
        status = self.h.getModelStatus()
        if status != OPTIMAL:
            return Result(self.h.modelStatusToString(status).lower(), None)
        sol = self.h.getSolution()
        x = np.asarray(sol.col_value, dtype=float)[self.solver._pos]
        return Result("optimal", float(self.h.getInfo().objective_function_value), x,
                      np.asarray(sol.row_dual, dtype=float))

    def solution(self, res: Result) -> Solution:
        """The model's solution in the shape results.py reads (values by family; duals of priced rows)."""
        m = self.model
        sol = Solution(res.status, objective=float(self.offset + self.cost @ res.x) if res.x is not None else None)
        if res.x is None:
            return sol
        sol.values = column_values(m, res.x)
        sol.duals = row_duals(m, self.solver, res.row_dual)
        return sol
