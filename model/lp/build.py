"""The LP of docs/formulation.md, family by family: this module is the table of contents.

`formulate` makes the rows that are term dicts (balance, budgets, policies, minimum output) before any Pyomo
object exists, because soft policies define the shortfall variables; the study carries them so
that results and the diagnosis can read them. `build_model` then declares the variables and adds
every family of rows (names.ROWS order) and the objective.
"""

from __future__ import annotations

import pyomo.core as pyo

from ..data import Study
from .balance import commodity_balance
from .budgets import capital_budget
from .capacity import activity_limit, minimum_output, project_size
from .expr import add_rows
from .lumpy import lumpy_builds
from .objective import total_cost
from .origin import origin_tracking
from .policies import policy_share, silent_policies
from .variables import define_variables


def formulate(s: Study) -> None:
    """Attach the term-dict rows (s.rows), the shortfall variables (s.short), the rows no
    variable can meet (s.impossible) and warnings about policies that make no row to a study."""
    balance, impossible = commodity_balance(s)     # 3
    s.rows = {"balance": balance}
    s.origin, origin = origin_tracking(s)          # 14 (its disposal rows read the balance rows)
    budget = capital_budget(s)                     # 6
    policy, short, unreachable = policy_share(s)   # 7 (origin-based caps read s.origin)
    s.rows.update({"budget": budget, "policy": policy, "min_output": minimum_output(s)})  # + 10
    if s.units or s.opened:
        s.rows["lumpy"] = lumpy_builds(s)          # 15
    if s.origin["oact"] or s.origin["ouse"]:
        s.rows.update(origin)
    s.short = short
    s.impossible = impossible + unreachable
    s.warnings = silent_policies(s, policy, unreachable)


def build_model(s: Study) -> pyo.ConcreteModel:
    m = pyo.ConcreteModel(name="reeplan")
    define_variables(m, s)              # with offer, route and unmet-demand bounds (4, 5)
    project_size(m, s)                  # 1
    activity_limit(m, s)                # 2
    for family, rows in s.rows.items():  # 3 balance, 6 budget, 7 policy, 10 minimum output, 14 origin, 15 lumpy
        add_rows(m, family, rows)
    total_cost(m, s)
    return m
