"""Capacity online, project size and the activity limit (formulation.md, Capacity online, 1, 2).

    cap[p, t] = existing_p [t <= retire_p] + committed_p [t >= online_p]
              + sum_tau build[p, tau]   over tau with tau + L_p <= t < tau + L_p + lifetime_p
"""

from __future__ import annotations

import pyomo.environ as pyo

from ..data import Study
from .expr import key_set, linear


def project_size(m: pyo.ConcreteModel, s: Study) -> None:
    """sum_tau build[p, tau] <= max_new_tpa_p, for every project that may build."""
    taus: dict[str, list[int]] = {}
    for p, tau in s.build:
        taus.setdefault(p, []).append(tau)
    m.project_size_index = pyo.Set(initialize=list(taus), ordered=pyo.Set.InsertionOrder)
    m.project_size = pyo.Constraint(
        m.project_size_index,
        rule=lambda m, p: linear(m, {("build", (p, t)): 1.0 for t in taus[p]}) <= s.projects[p].max_new,
    )


def activity_limit(m: pyo.ConcreteModel, s: Study) -> None:
    """act[p, t] <= availability_p * cap[p, t]."""

    def rule(m, p, t):
        const, builds = s.capacity_terms(p, t)
        a = s.projects[p].availability
        terms = {("act", (p, t)): 1.0, **{v: -a for v in builds}}
        return linear(m, terms) <= a * const

    m.activity_limit_index = key_set(s.act, 2)
    m.activity_limit = pyo.Constraint(m.activity_limit_index, rule=rule)
