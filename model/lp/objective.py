"""Discounted total cost (formulation.md, Objective), USD million, constant terms included:

    sum_t df(t) [ spend + fixed O&M * cap + var_cost * act + price * buy + cost * flow
                  + penalty * unmet + penalty * short ]  -  df(T1) * salvage

The terms come from `costs.cost_terms`, which the cost report reads too.
"""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo

from ..costs import CostTerms
from ..data import Study
from .expr import linear


def total_cost(m: pyo.ConcreteModel, s: Study, costs: CostTerms) -> None:
    coef, const = costs.objective_coefficients(s.df)
    m.cost = pyo.Objective(expr=linear(m, coef, const), sense=pyo.minimize)
    lp = m._lp
    cols, values = lp.columns.of(coef)
    lp.cost = np.zeros(len(lp.columns))
    lp.cost[cols] = values
    lp.offset = const
    lp.objective, lp.objective_expr = m.cost, m.cost.expr
