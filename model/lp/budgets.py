"""Capital budgets (formulation 6), one row per (budget b, year t with a budget row), over the
spend profile of `data.capital_spend`:

    spend[p, t] = capex_p / L_p * sum_tau build[p, tau]  over tau <= t <= tau + L_p - 1   (L_p >= 1)
    spend[p, t] = capex_p * build[p, t]                                                    (L_p = 0)

    without carryover:  sum_{p in P_b} spend[p, t] <= amount_b(t)
    with carryover:     sum_{t' <= t} sum_{p in P_b} spend[p, t'] <= sum_{t' <= t} amount_b(t')

P_b: the projects matching the budget's region and stage (`*` for all). The dual is the value
of one more USD in that budget and year (budgets.csv).
"""

from __future__ import annotations

from ..data import Key, Row, Study, Terms
from ..schema import WILDCARD


def capital_budget(s: Study) -> dict[Key, Row]:
    """The budget rows, keyed (budget, year).

    A carryover row's terms are those of the row before plus the spend of the years between
    them, so each project keeps a running sum of its spend coefficients (added in year order,
    exactly as a fresh sum would add them) instead of summing all earlier years again.
    """
    T0, T1 = s.T0, s.T1
    rows: dict[Key, Row] = {}
    ref_build = s.refs.family("build")
    by_region: dict[str, list] = {}
    for p in s.projects.values():
        by_region.setdefault(p.region, []).append(p)

    def add_spend(acc: Terms, p: str, year: int) -> None:
        for tau, coef in s.spend.get((p, year), {}).items():
            ref = ref_build[(p, tau)]
            acc[ref] = acc.get(ref, 0.0) + coef

    for name, g in s.tables["budgets"].groupby("budget", sort=False):
        first = g.iloc[0]
        region, stage, carry = first["region"], first["stage"], bool(first["carryover"])
        pool = list(s.projects.values()) if region == WILDCARD else by_region.get(region, [])
        funded = [p.name for p in pool if stage in (WILDCARD, p.stage)]
        amounts = dict(zip(g["year"].astype(int), g["amount_musd"].astype(float)))
        running: dict[str, Terms] = {p: {} for p in funded}
        done = T0 - 1  # running sums cover spend in years <= done
        for y in sorted(amounts):
            terms: Terms = {}
            if carry:
                rhs = sum(v for u, v in amounts.items() if u <= y)
                for u in range(done + 1, min(y, T1) + 1):
                    for p in funded:
                        add_spend(running[p], p, u)
                done = max(done, min(y, T1))
                for p in funded:
                    terms.update(running[p])
            else:
                rhs = amounts[y]
                if T0 <= y <= T1:
                    for p in funded:
                        add_spend(terms, p, y)
            if terms:
                rows[(name, y)] = Row(terms, "<=", rhs, min(y, T1),
                                      {"region": region, "stage": stage, "carryover": carry})
    return dict(sorted(rows.items()))
