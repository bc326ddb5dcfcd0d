"""Capacity online, project size and the activity limit (formulation.md, Capacity online, 1, 2).

    cap[p, t] = existing_p [t <= retire_p] + committed_p [t >= online_p]
              + sum_tau build[p, tau]   over tau with tau + L_p <= t < tau + L_p + lifetime_p
"""

from __future__ import annotations

import pyomo.environ as pyo

from ..data import Study
from .expr import RowBuilder, add_block


def project_size(m: pyo.ConcreteModel, s: Study) -> None:
    """sum_tau build[p, tau] <= max_new_tpa_p, for every project that may build."""
    col = m._lp.columns.index["build"]
    taus: dict[str, list[int]] = {}
    for p, tau in s.build:
        taus.setdefault(p, []).append(col[(p, tau)])
    rows = RowBuilder()
    for p, cols in taus.items():
        rows.add(p, cols, [1.0] * len(cols), "<=", s.projects[p].max_new)
    add_block(m, "project_size", rows.block())


def activity_limit(m: pyo.ConcreteModel, s: Study) -> None:
    """act[p, t] <= availability_p * cap[p, t], i.e. act - a * sum(builds online) <= a * constant."""
    act = m._lp.columns.index["act"]
    build = m._lp.columns.index["build"]
    rows = RowBuilder()
    cap_const, cap_builds, projects = s.cap_const, s.cap_builds, s.projects
    for key in s.act:
        p, t = key
        a = projects[p].availability
        taus = cap_builds.get(key, ())
        rows.add(key, [act[key]] + [build[(p, tau)] for tau in taus], [1.0] + [-a] * len(taus), "<=",
                 a * cap_const.get(key, 0.0))
    add_block(m, "activity_limit", rows.block())
