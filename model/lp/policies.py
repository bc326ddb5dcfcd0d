"""Share policies (formulation.md, 7): one generic share row serves every target.

    cons[r, m, t] = sum_c content[c, m] demand[r, c, t]

    min_domestic_share (>=):
        sum_{p in r, stage g} sum_{c: a > 0} a[tech_p, c] content[c, m] Q[p, t] + short[k, t]
            >= share_k cons[r, m, t]          (Q = act, or availability * cap for basis capacity)
    max_supplier_share (<=), for every supplier q with a route into r:
        sum_{c: stage(c) = g} content[c, m] flow[q->r, c, t] - short[k, q, t]
            <= share_k cons[r, m, t]

Rows are keyed (policy, supplier, year), supplier "" for min_domestic_share; `short` exists
only for soft policies. The dual is the marginal cost of the target per tonne of material.
"""

from __future__ import annotations

import pyomo.environ as pyo

from ..data import Study
from .expr import add_rows


def policy_share(m: pyo.ConcreteModel, s: Study) -> None:
    add_rows(m, "policy", s.policies)
