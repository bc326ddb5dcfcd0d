"""Commodity balance (formulation.md, 3), with free disposal:

    sum_{p in r} a[tech_p, c] act[p, t] + sum_{o in r, c} buy[o, t]
      + sum_s flow[s->r, c, t] - sum_s flow[r->s, c, t] + unmet[r, c, t]  >=  demand[r, c, t]

The dual is the marginal cost of commodity c in region r and year t.
"""

from __future__ import annotations

import pyomo.environ as pyo

from ..data import Study
from .expr import add_rows


def commodity_balance(m: pyo.ConcreteModel, s: Study) -> None:
    add_rows(m, "balance", s.balance)
