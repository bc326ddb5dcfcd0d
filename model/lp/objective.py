"""Discounted total cost (formulation: Objective), USD million, constant terms included:

    sum_t df(t) [ spend + fixed O&M * cap + var_cost * act + price * buy + cost * flow
                  + penalty * unmet + penalty * short ]  -  df(T1) * salvage

The coefficients come from `costs.objective_vectors`: the cost terms of `costs.cost_blocks`
(which the cost report reads too), discounted and summed per variable. `CostObjective` keeps them as one array over the
columns of `m._lp` and builds its Pyomo expression (a million-term `LinearExpression` costs
seconds and ~100 MB) only if something asks for it; its value is computed from the array.
"""

from __future__ import annotations

import numpy as np
import pyomo.core as pyo
from pyomo.common.flags import NOTSET
from pyomo.core.base.objective import ScalarObjective
from pyomo.core.expr.numeric_expr import LinearExpression

from ..costs import objective_vectors
from ..data import Study

_LAZY = object()  # stands for the expression until someone asks for it


class CostObjective(ScalarObjective):
    """minimize offset + sum_j cost_j x_j over the columns of `lp`, expression built on demand.

    A complete Pyomo Objective (`.expr`, `value()`, printing, writers, any solver); assigning
    a new expression (`set_value`, `.expr = ...`) makes it an ordinary one.
    """

    def __init__(self, lp, **kwds):
        super().__init__(sense=pyo.minimize, **kwds)
        self._lp = lp
        self._built = None

    def construct(self, data=None):
        if self._constructed:
            return
        self._constructed = True
        self._data[None] = self
        self._args_ = (_LAZY,)

    @property
    def args(self):
        if self._args_[0] is _LAZY:
            nz = self._nonzero()
            variables = self._lp.columns.vars
            self._built = LinearExpression(constant=self._lp.offset, linear_coefs=self._lp.cost[nz].tolist(),
                                           linear_vars=[variables[j] for j in nz])
            self._args_ = (self._built,)
        return self._args_

    def _nonzero(self) -> list[int]:
        return np.flatnonzero(self._lp.cost).tolist()

    def from_arrays(self) -> bool:
        """True while the objective is still offset + cost . x (its expression not replaced)."""
        return self._args_[0] is _LAZY or self._args_[0] is self._built

    def __call__(self, exception=NOTSET):
        if not self.from_arrays():
            return super().__call__(exception)
        nz = self._nonzero()
        variables = self._lp.columns.vars
        xs = [variables[j]._value for j in nz]
        if any(x is None for x in xs):
            return super().__call__(exception)  # Pyomo's own message for an unset variable
        # summed left to right as Pyomo evaluates a LinearExpression
        return sum([self._lp.offset] + [c * x for c, x in zip(self._lp.cost[nz].tolist(), xs)])


def total_cost(m: pyo.ConcreteModel, s: Study) -> None:
    """minimize sum_t df(t) [costs of every component] - df(T1) salvage, constants included."""
    lp = m._lp
    vectors, const = objective_vectors(s, {fam: b - a for fam, (a, b) in lp.columns.span.items()})
    lp.cost = np.zeros(len(lp.columns))
    for fam, (a, b) in lp.columns.span.items():
        lp.cost[a:b] = vectors[fam]
    lp.offset = const
    m.cost = CostObjective(lp)
    lp.objective = m.cost
