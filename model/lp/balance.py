"""Commodity balance (formulation 3), with free disposal, one row per (region r, commodity c, year t)
that has a term or a demand:

    sum_{p in r} a[tech_p, c] act[p, t] + sum_{o in r, c} buy[o, t]
      + sum_s flow[s->r, c, t] - sum_s flow[r->s, c, t] + unmet[r, c, t]  >=  demand[r, c, t]

The dual is the marginal cost of commodity c in region r and year t (prices.csv).
"""

from __future__ import annotations

from ..data import Key, Row, Study, Terms


def commodity_balance(s: Study) -> tuple[dict[Key, Row], list[dict]]:
    """The balance rows, and the demands no variable can serve (the study is then infeasible)."""
    refs = s.refs
    terms: dict[Key, Terms] = {}
    ref_act = refs.family("act")
    for k in s.act:
        p, y = k
        pr = s.projects[p]
        for c, a in s.tech_io.get(pr.technology, {}).items():
            terms.setdefault((pr.region, c, y), {})[ref_act[k]] = a
    for (o, y), b in s.buy.items():
        row = terms.setdefault((b.region, b.commodity, y), {})
        ref = refs("buy", (o, y))
        row[ref] = row.get(ref, 0.0) + 1.0
    for k in s.flow:
        fr, to, c, y = k
        ref = refs("flow", k)
        terms.setdefault((to, c, y), {})[ref] = 1.0
        terms.setdefault((fr, c, y), {})[ref] = -1.0
    for k in s.unmet:
        terms.setdefault(k, {})[refs("unmet", k)] = 1.0
    rows, impossible = {}, []
    for k in sorted(set(terms) | set(s.demand)):
        d = s.demand.get(k, 0.0)
        if not terms.get(k):
            impossible.append({"family": "balance", "key": k, "rhs": d, "region": k[0], "commodity": k[1],
                               "year": k[2]})
            continue
        rows[k] = Row(terms[k], ">=", d, k[2], {"region": k[0], "commodity": k[1]})
    return rows, impossible
