"""The objective, written once: every cost term by component, in USD million, undiscounted.

    objective = sum_component sum_year df(year) * (sum_var coef * var + constant)   (docs/formulation.md)

`cost_blocks` gives each component's terms as arrays over a variable family: a coefficient that
applies in one year, or in every year of a window (capital spread over construction years, fixed
O&M over a build's life). The LP's cost vector (`objective_vectors`, read by lp/objective.py) and
the reported cost by component and year (`cost_table`, costs.csv) are both computed from them.

Components:
    capex       spend[p, t]                    (data.spend_window: construction years of each build)
    fixed_om    fixed_om_p * cap[p, t]         (data.online_window; existing and committed are constants)
    variable    var_cost_p * act[p, t]
    supply      price_o * buy[o, t]
    trade       cost_route * flow
    unmet       penalty_c * unmet
    shortfall   penalty_k * short
    holding     holding_cost_s * level[s, t]   (formulation 9)
    sales       -price_k * sell[k, t]          (formulation 8: revenue, so negative)
    salvage     -capex_p * build[p, tau] * max(0, 1 - served / lifetime)   at T1 (data.online_window)
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from .data import Study, online_window, spend_window
from .lp.names import VIOLATION

# elastic diagnosis only: USD million per unit of violation (t, or USD million for budgets),
# the same in every year after discounting, far above any cost of a real plan
VIOLATION_PENALTY = 1e4

COMPONENTS = ("capex", "fixed_om", "variable", "supply", "trade", "unmet", "shortfall", "holding", "sales",
              "salvage")
OPTIONAL = ("holding", "sales")  # version 2: reported only by studies with stockpiles or buyers


@dataclass
class CostBlock:
    """coef[i] USD million per unit of variable `family`[index[i]] in each year first[i]..last[i]
    (only first[i] when `last` is None). `zeros`: whether zero coefficients are reported terms."""

    component: str
    family: str
    index: np.ndarray
    coef: np.ndarray
    first: np.ndarray
    last: np.ndarray | None = None
    zeros: bool = False

    def discounted(self, s: Study, cum: np.ndarray) -> np.ndarray:
        """sum over the years it applies of df(year) * coef."""
        if self.last is None:
            return self.coef * np.array([s.df[y] for y in self.first.tolist()], dtype=float)
        n = len(cum) - 1
        lo, hi = np.clip(self.first - s.T0, 0, n), np.clip(self.last - s.T0 + 1, 0, n)
        return self.coef * np.where(hi > lo, cum[hi] - cum[np.minimum(lo, hi)], 0.0)


def _yearly(component: str, family: str, keys, coefs: list[float], year_at: int, zeros=False) -> CostBlock:
    """A block of one-year terms: key[year_at] is the year."""
    return CostBlock(component, family, np.arange(len(coefs)), np.array(coefs, dtype=float),
                     np.array([k[year_at] for k in keys], dtype=np.int64), zeros=zeros)


def cost_blocks(s: Study) -> tuple[list[CostBlock], dict[tuple[str, int], float]]:
    """Every cost term (blocks in the order their costs add up per variable) and the constants
    by (component, year): fixed O&M of existing and committed capacity."""
    T1 = s.T1
    proj = [s.projects[p] for p, _ in s.build]
    n = len(proj)
    at = np.arange(n)
    tau = np.fromiter((k[1] for k in s.build), dtype=np.int64, count=n)
    lead = np.fromiter((p.lead for p in proj), dtype=np.int64, count=n)
    life = np.fromiter((p.lifetime for p in proj), dtype=np.int64, count=n)
    capex = np.fromiter((p.capex for p in proj), dtype=float, count=n)
    fom = np.fromiter((p.fixed_om for p in proj), dtype=float, count=n)
    window = np.array([spend_window(p, t) for p, t in zip(proj, tau.tolist())], dtype=float).reshape(n, 3)
    first, last = window[:, 0].astype(np.int64), window[:, 1].astype(np.int64)
    online = np.array([online_window(p, t, T1) for p, t in zip(proj, tau.tolist())], dtype=np.int64).reshape(n, 2)
    once = lead == 0
    blocks = [
        CostBlock("capex", "build", at[once], window[once, 2], first[once], zeros=True),
        CostBlock("capex", "build", at[~once], window[~once, 2], first[~once], last[~once], zeros=True),
        CostBlock("fixed_om", "build", at, fom, online[:, 0], online[:, 1]),
    ]
    if s.horizon.salvage:
        served = online[:, 1] - online[:, 0] + 1  # served(p, tau)
        unused = np.maximum(0.0, 1.0 - served / life)
        blocks.append(CostBlock("salvage", "build", at, -capex * unused, np.full(n, T1, dtype=np.int64)))
    blocks += [
        _yearly("variable", "act", s.act, [s.projects[p].var_cost for p, _ in s.act], 1),
        _yearly("supply", "buy", s.buy, [b.price for b in s.buy.values()], 1),
        _yearly("trade", "flow", s.flow, [f.cost for f in s.flow.values()], 3),
        _yearly("unmet", "unmet", s.unmet, [u.penalty for u in s.unmet.values()], 2, zeros=True),
        _yearly("shortfall", "short", s.short, [sh.penalty for sh in s.short.values()], 2, zeros=True),
        _yearly("holding", "level", s.level, [s.stocks[k].holding for k, _ in s.level], 1),
        _yearly("sales", "sell", s.sell, [-k.price for k in s.sell.values()], 1, zeros=True),
    ]
    if s.violations:
        years = [s.rows[family][key].year for family, key in s.violations]
        blocks.append(_yearly("violation", VIOLATION, [(y,) for y in years],
                              [VIOLATION_PENALTY / s.df[y] for y in years], 0, zeros=True))
    constant: dict[tuple[str, int], float] = defaultdict(float)
    for (p, y), c in s.cap_const.items():
        f = s.projects[p].fixed_om
        if f:
            constant[("fixed_om", y)] += f * c
    return blocks, dict(constant)


def objective_vectors(s: Study, sizes: dict[str, int]) -> tuple[dict[str, np.ndarray], float]:
    """Discounted objective coefficient of every variable (per family, in the family's key order;
    `sizes` gives each family's length) and the discounted constant."""
    cum = np.concatenate([[0.0], np.cumsum([s.df[y] for y in s.years])])
    blocks, constant = cost_blocks(s)
    out = {fam: np.zeros(n) for fam, n in sizes.items()}
    for b in blocks:
        out[b.family][b.index] += b.discounted(s, cum)
    return out, sum(s.df[y] * c for (_, y), c in constant.items())


def cost_table(s: Study, values: dict[str, np.ndarray]) -> dict[tuple[str, int], float]:
    """Undiscounted USD million by (component, year) for variable values by family (key order)."""
    blocks, constant = cost_blocks(s)
    total: dict[tuple[str, int], float] = defaultdict(float)
    for b in blocks:
        keep = slice(None) if b.zeros else b.coef != 0
        idx, coef, first = b.index[keep], b.coef[keep], b.first[keep]
        last = first if b.last is None else b.last[keep]
        n = np.maximum(last - first + 1, 0)
        amount = np.repeat(coef * values[b.family][idx], n)
        years = np.repeat(first, n) + (np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n))
        for y, a in zip(years.tolist(), amount.tolist()):
            total[(b.component, y)] += a
    for key, c in constant.items():
        total[key] += c
    return dict(total)
