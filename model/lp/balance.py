"""Commodity balance (formulation 3, with 8 and 9), with free disposal, one row per (region r,
commodity c, year t) that has a term or a demand:

    sum_{p in r} a[tech_p, c] act[p, t] + sum_{o in r, c} buy[o, t]
      + sum_s flow[s->r, c, t] - sum_s flow[r->s, c, t] + unmet[r, c, t]
      - sum_{k in r, c} sell[k, t] - sum_{s in r, c} (level[s, t] - level[s, t-1])  >=  demand[r, c, t]

with level[s, T0 - 1] = initial_t_s (a constant, so it moves to the right-hand side).

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
    for k, sale in s.sell.items():  # sales leave the region like demand
        terms.setdefault((sale.region, sale.commodity, k[1]), {})[refs("sell", k)] = -1.0
    initial: dict[Key, float] = {}  # stock held before T0, on the right-hand side
    for name, y in s.level:
        st = s.stocks[name]
        row = terms.setdefault((st.region, st.commodity, y), {})
        row[refs("level", (name, y))] = -1.0
        if y > s.T0:
            row[refs("level", (name, y - 1))] = 1.0
        else:
            initial[(st.region, st.commodity, y)] = initial.get((st.region, st.commodity, y), 0.0) + st.initial
    rows, impossible = {}, []
    for k in sorted(set(terms) | set(s.demand)):
        d = s.demand.get(k, 0.0) - initial.get(k, 0.0) if initial else s.demand.get(k, 0.0)
        if not terms.get(k):
            impossible.append({"family": "balance", "key": k, "rhs": d, "region": k[0], "commodity": k[1],
                               "year": k[2]})
            continue
        rows[k] = Row(terms[k], ">=", d, k[2], {"region": k[0], "commodity": k[1]})
    return rows, impossible
