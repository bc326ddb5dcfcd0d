"""Every decision variable (formulation: Variables), all >= 0, indexed by the sparse sets.

Offer, route and unmet-demand limits (formulation 4 and 5) are variable bounds:
    buy[o, t] <= max_tpa_o,   flow[r->s, c, t] <= max_tpa_route,   unmet[r, c, t] <= demand[r, c, t]

Besides the Pyomo Vars, `m._lp` (an `expr.MatrixModel`) numbers every variable as a column
(families in `names.VARIABLES` order); the rows and the objective refer to these columns.
"""

from __future__ import annotations

import pyomo.core as pyo

from ..data import Study
from .expr import Columns, MatrixModel, key_set
from .names import VARIABLES, VIOLATION
from .origin import FAMILIES as ORIGIN


def define_variables(m: pyo.ConcreteModel, s: Study) -> None:
    nonneg = pyo.NonNegativeReals
    m.build_index = key_set(s.build, 2)
    m.build = pyo.Var(m.build_index, within=nonneg, doc="new capacity started in tau (t/yr)")
    m.act_index = key_set(s.act, 2)
    m.act = pyo.Var(m.act_index, within=nonneg, doc="activity (t)")
    for name, info, dimen, doc in (
        ("buy", s.buy, 2, "tonnes bought from an offer"),
        ("flow", s.flow, 4, "tonnes shipped on a route"),
        ("unmet", s.unmet, 3, "tonnes of demand not served"),
    ):
        m.add_component(name + "_index", key_set(info, dimen))
        var = pyo.Var(getattr(m, name + "_index"), within=nonneg, doc=doc)
        m.add_component(name, var)
        for vd, v in zip(var.values(), info.values()):
            if v.max is not None:
                vd.setub(v.max)
    m.short_index = key_set(s.short, 3)
    m.short = pyo.Var(m.short_index, within=nonneg, doc="tonnes of material a soft target is missed by")
    # version 2 (formulation 8, 9): sell[k, t] <= max_tpa_k; min_t <= level[s, t] <= max_t, level[s, T1] >= final_t
    m.sell_index = key_set(s.sell, 2)
    m.sell = pyo.Var(m.sell_index, within=nonneg, doc="tonnes sold to outside buyers")
    for vd, k in zip(m.sell.values(), s.sell.values()):
        vd.setub(k.max)
    m.level_index = key_set(s.level, 2)
    m.level = pyo.Var(m.level_index, within=nonneg, doc="tonnes held in a stockpile at the end of a year")
    for vd, (name, y) in zip(m.level.values(), s.level):
        st = s.stocks[name]
        vd.setlb(max(st.min, st.final) if y == s.T1 else st.min)
        vd.setub(st.max)
    for fam in ORIGIN:  # origin tags (formulation 14): tag <= physical rows; ouse <= demand as a bound
        index = s.origin.get(fam, {})
        m.add_component(fam + "_index", key_set(index, ORIGIN[fam]))
        var = pyo.Var(getattr(m, fam + "_index"), within=nonneg, doc=f"origin tag {fam}")
        m.add_component(fam, var)
        for vd, ub in zip(var.values(), index.values()):
            if ub is not None:
                vd.setub(ub)
    # lumpy builds (formulation 15): whole units and open/closed builds of projects that ask for them
    m.units_index = key_set(s.units, 2)
    m.units = pyo.Var(m.units_index, within=pyo.NonNegativeIntegers, doc="whole units built")
    m.opened_index = key_set(s.opened, 2)
    m.opened = pyo.Var(m.opened_index, within=pyo.Binary, doc="1 if a build of at least min_build_tpa starts")
    m._families = {fam: getattr(m, fam) for fam in VARIABLES}
    if s.violations:  # elastic copy for diagnosis: violation i relaxes row s.violations[i]
        m.viol = pyo.Var(range(len(s.violations)), within=nonneg, doc="violation of a hard row")
        m._families[VIOLATION] = m.viol
    m._lp = MatrixModel(Columns(m._families))
