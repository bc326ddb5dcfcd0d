"""Turning term dicts from `data.py` into Pyomo linear expressions and constraints."""

from __future__ import annotations

import pyomo.environ as pyo
from pyomo.core.expr.numeric_expr import LinearExpression

from ..data import Row, Terms

FAMILIES = ("build", "act", "buy", "flow", "unmet", "short")


def linear(m: pyo.ConcreteModel, terms: Terms, constant: float = 0.0) -> LinearExpression:
    """sum(coef * var) + constant, with variables looked up by (family, key)."""
    comps = m._families
    coefs, vars_ = [], []
    for (fam, key), c in terms.items():
        if c:
            coefs.append(c)
            vars_.append(comps[fam][key])
    return LinearExpression(constant=constant, linear_coefs=coefs, linear_vars=vars_)


def key_set(keys, dimen: int) -> pyo.Set:
    return pyo.Set(initialize=list(keys), dimen=dimen, ordered=pyo.Set.InsertionOrder)


def add_rows(m: pyo.ConcreteModel, name: str, rows: dict[tuple, Row], dimen: int) -> None:
    """One indexed Constraint named `name` with a row per key of `rows` (sum terms  sense  rhs)."""

    def rule(m, *key):
        r = rows[key]
        e = linear(m, r.terms)
        return e >= r.rhs if r.sense == ">=" else e <= r.rhs

    m.add_component(name + "_index", key_set(rows, dimen))
    m.add_component(name, pyo.Constraint(getattr(m, name + "_index"), rule=rule))
