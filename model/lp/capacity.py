"""Capacity online, project size and the activity limit (formulation.md, Capacity online, 1, 2).

    cap[p, t] = existing_p [t <= retire_p] + committed_p [t >= online_p]
              + sum_tau build[p, tau]   over tau with tau + L_p <= t < tau + L_p + lifetime_p
"""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo

from ..data import Study
from .expr import RowBlock, RowBuilder, add_block


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
    """act[p, t] <= availability_p * cap[p, t], i.e. act - a * sum(builds online) <= a * constant.

    One row per act[p, t], in act's order. The builds online in t are consecutive start years
    of p, whose columns are consecutive too, so a row is: its act column, then the first build
    column and a count; numpy spreads them into the matrix.
    """
    cols = m._lp.columns
    act0 = cols.span["act"][0]
    build = cols.index["build"]
    n = len(s.act)
    firsts, counts, avails, uppers = [], [], [], []
    cap_const, cap_builds, projects = s.cap_const, s.cap_builds, s.projects
    for key in s.act:
        p = key[0]
        a = projects[p].availability
        avails.append(a)
        uppers.append(a * cap_const.get(key, 0.0))
        taus = cap_builds.get(key)
        if taus:
            j = build[(p, taus[0])]
            if build[(p, taus[-1])] - j != len(taus) - 1:
                raise AssertionError(f"builds online in {key} are not consecutive columns")
            firsts.append(j)
            counts.append(len(taus))
        else:
            firsts.append(0)
            counts.append(0)
    first = np.array(firsts, dtype=np.int64)  # first build column online in the row's year
    count = np.array(counts, dtype=np.int64)  # number of builds online
    avail = np.array(avails, dtype=float)
    upper = np.array(uppers, dtype=float)
    length = count + 1
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(length, out=indptr[1:])
    head = indptr[:-1]
    indices = np.empty(indptr[-1], dtype=np.int32)
    data = np.empty(indptr[-1])
    indices[head] = np.arange(act0, act0 + n)
    data[head] = 1.0
    rest = np.ones(indptr[-1], dtype=bool)
    rest[head] = False
    nb = int(count.sum())
    within = np.arange(nb) - np.repeat(np.cumsum(count) - count, count)
    indices[rest] = np.repeat(first, count) + within
    data[rest] = np.repeat(-avail, count)
    add_block(m, "activity_limit", RowBlock(list(s.act), indptr, indices, data, np.full(n, -np.inf), upper))
