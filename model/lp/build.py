"""Build the Pyomo model of one study: the families of formulation.md, in order."""

from __future__ import annotations

import pyomo.environ as pyo

from ..data import Study
from .balance import commodity_balance
from .budgets import capital_budget
from .capacity import activity_limit, project_size
from .objective import total_cost
from .policies import policy_share
from .variables import define_variables


def build_model(s: Study) -> pyo.ConcreteModel:
    m = pyo.ConcreteModel(name="reeplan")
    define_variables(m, s)    # with offer, route and unmet-demand bounds (4, 5)
    project_size(m, s)        # 1
    activity_limit(m, s)      # 2
    commodity_balance(m, s)   # 3
    capital_budget(m, s)      # 6
    policy_share(m, s)        # 7
    total_cost(m, s)
    return m
