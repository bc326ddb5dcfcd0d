"""Capital budgets (formulation.md, 6).

    spend[p, t] = capex_p / L_p * sum_tau build[p, tau]  over tau <= t <= tau + L_p - 1   (L_p >= 1)
    spend[p, t] = capex_p * build[p, t]                                                    (L_p = 0)

    without carryover:  sum_{p in P_b} spend[p, t] <= amount_b(t)
    with carryover:     sum_{t' <= t} sum_{p in P_b} spend[p, t'] <= sum_{t' <= t} amount_b(t')

Rows are keyed (budget, year); `data._budget_rows` builds their terms.
"""

from __future__ import annotations

import pyomo.environ as pyo

from ..data import Study
from .expr import add_rows


def capital_budget(m: pyo.ConcreteModel, s: Study) -> None:
    add_rows(m, "budget", s.budgets)
