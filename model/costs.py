"""The objective's cost terms by component and year, in USD million, undiscounted.

The reported cost breakdown (`results.py`) reads these terms; the LP objective
(`lp/objective.py`) uses `objective_vectors`, the same terms summed per variable with numpy
(building millions of term dicts only to add them up again took seconds at scale).
`tests/test_synth.py` checks that the two agree on a synthetic study with every component:

    objective = sum_component sum_year df(year) * (sum_var coef * var + constant)

Components (formulation.md, Objective):
    capex       spend[p, t]                    (construction years of each build)
    fixed_om    fixed_om_p * cap[p, t]         (existing and committed capacity are constants)
    variable    var_cost_p * act[p, t]
    supply      price_o * buy[o, t]
    trade       cost_route * flow
    unmet       penalty_c * unmet
    shortfall   penalty_k * short
    salvage     -capex_p * build[p, tau] * max(0, 1 - served / lifetime)   at T1
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from .data import Study

# elastic diagnosis only: USD million per unit of violation (t, or USD million for budgets),
# the same in every year after discounting, far above any cost of a real plan
VIOLATION_PENALTY = 1e4

COMPONENTS = ("capex", "fixed_om", "variable", "supply", "trade", "unmet", "shortfall", "salvage")


@dataclass
class CostTerms:
    # (component, year) -> {(family, key): coefficient}
    linear: dict
    # (component, year) -> constant
    constant: dict

    def objective_coefficients(self, df: dict[int, float]) -> tuple[dict, float]:
        """Discounted coefficient per variable and the discounted constant."""
        coef: dict = {}
        get = coef.get
        for (_, y), terms in self.linear.items():
            d = df[y]
            for var, c in terms.items():
                coef[var] = get(var, 0.0) + d * c
        const = sum(df[y] * c for (_, y), c in self.constant.items())
        return coef, const


def served_years(study: Study, p, tau: int) -> int:
    """served(p, tau) = max(0, min(lifetime, T1 - online + 1))."""
    return max(0, min(p.lifetime, study.T1 - p.online(tau) + 1))


def cost_terms(s: Study) -> CostTerms:
    lin: dict = defaultdict(dict)
    const: dict = defaultdict(float)
    ref = s.refs  # shared (family, key) tuples
    ref_build, ref_act = ref.family("build"), ref.family("act")
    for (p, y), taus in s.spend.items():
        for tau, c in taus.items():
            lin[("capex", y)][ref_build[(p, tau)]] = c
    for (p, y), c in s.cap_const.items():
        fom = s.projects[p].fixed_om
        if fom:
            const[("fixed_om", y)] += fom * c
    for (p, y), taus in s.cap_builds.items():
        fom = s.projects[p].fixed_om
        if fom:
            for tau in taus:
                lin[("fixed_om", y)][ref_build[(p, tau)]] = fom
    for k in s.act:
        vc = s.projects[k[0]].var_cost
        if vc:
            lin[("variable", k[1])][ref_act[k]] = vc
    for k, b in s.buy.items():
        if b["price"]:
            lin[("supply", k[1])][ref("buy", k)] = b["price"]
    for k, f in s.flow.items():
        if f["cost"]:
            lin[("trade", k[3])][ref("flow", k)] = f["cost"]
    for k, u in s.unmet.items():
        lin[("unmet", k[2])][ref("unmet", k)] = u["penalty"]
    for k, sh in s.short.items():
        lin[("shortfall", k[2])][ref("short", k)] = sh["penalty"]
    if s.salvage:
        for k in s.build:
            pr = s.projects[k[0]]
            unused = max(0.0, 1.0 - served_years(s, pr, k[1]) / pr.lifetime)
            if unused and pr.capex:
                lin[("salvage", s.T1)][ref_build[k]] = -pr.capex * unused
    for i, (family, key) in enumerate(s.violations):
        y = s.row(family, key).year
        lin[("violation", y)][ref("viol", i)] = VIOLATION_PENALTY / s.df[y]
    return CostTerms(dict(lin), dict(const))


def objective_vectors(s: Study) -> tuple[dict[str, np.ndarray], float]:
    """Discounted objective coefficient of every variable, per family in the family's key order,
    and the discounted constant: `CostTerms.objective_coefficients` without the term dicts.

    build[p, tau]:  capex spend   df(tau) capex                      (L = 0)
                                  capex / L * sum_{tau <= y < tau + L} df(y)
                    fixed O&M     fom * sum_{y online, y <= T1} df(y)
                    salvage       -df(T1) capex max(0, 1 - served / lifetime)
    act, buy, flow, unmet, short: df(t) * cost per unit;  viol (elastic copies): the penalty.
    """
    T0, T1, df = s.T0, s.T1, s.df
    dfa = np.array([df[y] for y in s.years])
    cum = np.concatenate([[0.0], np.cumsum(dfa)])

    def df_sum(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """sum of df(y) over a <= y <= b (0 when b < a), years clipped to the horizon."""
        lo = np.clip(a - T0, 0, len(dfa))
        hi = np.clip(b - T0 + 1, 0, len(dfa))
        return np.where(hi > lo, cum[hi] - cum[np.minimum(lo, hi)], 0.0)

    out: dict[str, np.ndarray] = {}
    proj = [s.projects[p] for p, _ in s.build]
    n = len(proj)
    tau = np.fromiter((k[1] for k in s.build), dtype=np.int64, count=n)
    capex = np.fromiter((p.capex for p in proj), dtype=float, count=n)
    lead = np.fromiter((p.lead for p in proj), dtype=np.int64, count=n)
    life = np.fromiter((p.lifetime for p in proj), dtype=np.int64, count=n)
    fom = np.fromiter((p.fixed_om for p in proj), dtype=float, count=n)
    on = tau + lead
    spread = capex / np.maximum(lead, 1) * df_sum(tau, tau + lead - 1)
    at_once = capex * (dfa[np.clip(tau - T0, 0, len(dfa) - 1)] if n else 0.0)
    build = np.where(lead == 0, at_once, spread)
    build = build + fom * df_sum(on, np.minimum(T1, on + life - 1))
    if s.salvage:
        served = np.maximum(0, np.minimum(life, T1 - on + 1))
        unused = np.maximum(0.0, 1.0 - served / life)
        build = build - df[T1] * capex * unused
    out["build"] = build
    out["act"] = np.array([df[y] * s.projects[p].var_cost for p, y in s.act], dtype=float)
    out["buy"] = np.array([df[k[1]] * b["price"] for k, b in s.buy.items()], dtype=float)
    out["flow"] = np.array([df[k[3]] * f["cost"] for k, f in s.flow.items()], dtype=float)
    out["unmet"] = np.array([df[k[2]] * u["penalty"] for k, u in s.unmet.items()], dtype=float)
    out["short"] = np.array([df[k[2]] * sh["penalty"] for k, sh in s.short.items()], dtype=float)
    if s.violations:
        years = [s.row(family, key).year for family, key in s.violations]
        out["viol"] = np.array([df[y] * (VIOLATION_PENALTY / df[y]) for y in years], dtype=float)
    fixed: dict[int, float] = defaultdict(float)
    for (p, y), c in s.cap_const.items():
        f = s.projects[p].fixed_om
        if f:
            fixed[y] += f * c
    return out, sum(df[y] * c for y, c in fixed.items())
