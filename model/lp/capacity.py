"""Capacity online, project size, the activity limit and minimum output (formulation: Capacity
online, 1, 2, 10).

    cap[p, t]  = existing_p [t <= retire_p] + committed_p [t >= online_p]
               + sum_tau build[p, tau]   over tau with online(p, tau) <= t < online(p, tau) + lifetime_p
    ucap[p, t] = the same with each build and the committed capacity weighted by its ramp,
                 rho_p(t - o) = min(1, (t - o + 1) / (ramp_years_p + 1))   (ucap = cap without ramps)

`data.capacity_online` says which builds are online in t; `Project.usable` is rho.
"""

from __future__ import annotations

import numpy as np
import pyomo.core as pyo

from ..data import Key, Row, Study, Terms
from .expr import RowBlock, RowBuilder, add_block


def project_size(m: pyo.ConcreteModel, s: Study) -> None:
    """1. sum_tau build[p, tau] <= max_new_tpa_p, for every project that may build."""
    col = m._lp.columns.index["build"]
    taus: dict[str, list[int]] = {}
    for p, tau in s.build:
        taus.setdefault(p, []).append(col[(p, tau)])
    rows = RowBuilder()
    for p, cols in taus.items():
        rows.add(p, cols, [1.0] * len(cols), "<=", s.projects[p].max_new)
    add_block(m, "project_size", rows.block())


def _usable_rows(m: pyo.ConcreteModel, s: Study, keys: list, scale: list[float]) -> tuple:
    """For act[p, t] rows `keys`: act - scale * sum(rho * builds online), and scale * ucap's constant.

    The builds online in t are consecutive start years of p, whose columns are consecutive too, so
    a row is its act column, then the first build column and a count; numpy spreads them into
    the matrix. Returns (indptr, indices, data, constant * scale)."""
    cols = m._lp.columns
    act = cols.index["act"]
    build = cols.index["build"]
    n = len(keys)
    firsts, counts, consts, factors = [], [], [], []
    for key, a in zip(keys, scale):
        p, y = key
        pr = s.projects[p]
        consts.append(a * (pr.usable_constant(y) if pr.ramp_years else s.cap_const.get(key, 0.0)))
        taus = s.cap_builds.get(key)
        if taus:
            j = build[(p, taus[0])]
            if build[(p, taus[-1])] - j != len(taus) - 1:
                raise AssertionError(f"builds online in {key} are not consecutive columns")
            firsts.append(j)
            counts.append(len(taus))
            factors.extend([-a * pr.usable(y, pr.online(tau)) for tau in taus] if pr.ramp_years
                           else [-a] * len(taus))
        else:
            firsts.append(0)
            counts.append(0)
    first = np.array(firsts, dtype=np.int64)  # first build column online in the row's year
    count = np.array(counts, dtype=np.int64)  # number of builds online
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(count + 1, out=indptr[1:])
    head = indptr[:-1]
    indices = np.empty(indptr[-1], dtype=np.int32)
    data = np.empty(indptr[-1])
    indices[head] = [act[k] for k in keys]
    data[head] = 1.0
    rest = np.ones(indptr[-1], dtype=bool)
    rest[head] = False
    within = np.arange(int(count.sum())) - np.repeat(np.cumsum(count) - count, count)
    indices[rest] = np.repeat(first, count) + within
    data[rest] = np.array(factors, dtype=float)
    return indptr, indices, data, np.array(consts, dtype=float)


def activity_limit(m: pyo.ConcreteModel, s: Study) -> None:
    """2. act[p, t] <= availability_p * ucap[p, t], one row per act[p, t] in act's order:
    act - a * sum(rho * builds online) <= a * constant."""
    keys = list(s.act)
    indptr, indices, data, upper = _usable_rows(m, s, keys, [s.projects[p].availability for p, _ in keys])
    add_block(m, "activity_limit", RowBlock(keys, indptr, indices, data, np.full(len(keys), -np.inf), upper))


def minimum_output(s: Study) -> dict[Key, Row]:
    """10. act[p, t] >= min_output_share_p * availability_p * ucap[p, t], for projects with a
    minimum output share (few: term dicts, so the diagnosis can relax them like other hard rows).
    The dual is the support per tonne the plant needs to run (support.csv)."""
    ref_act, ref_build = s.refs.family("act"), s.refs.family("build")
    rows: dict[Key, Row] = {}
    for key in s.act:
        p, y = key
        pr = s.projects[p]
        if pr.min_output <= 0:
            continue
        scale = pr.min_output * pr.availability
        terms: Terms = {ref_act[key]: 1.0}
        for tau in s.cap_builds.get(key, ()):
            terms[ref_build[(p, tau)]] = -scale * pr.usable(y, pr.online(tau))
        rows[key] = Row(terms, ">=", scale * pr.usable_constant(y), y, {"project": p})
    return rows
