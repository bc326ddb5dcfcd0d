"""The objective's cost terms by component and year, in USD million, undiscounted.

Both the LP objective (`lp/objective.py`) and the reported cost breakdown (`results.py`)
read these terms, so the two cannot drift apart:

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
        coef: dict = defaultdict(float)
        for (_, y), terms in self.linear.items():
            for var, c in terms.items():
                coef[var] += df[y] * c
        const = sum(df[y] * c for (_, y), c in self.constant.items())
        return dict(coef), const


def served_years(study: Study, p, tau: int) -> int:
    """served(p, tau) = max(0, min(lifetime, T1 - online + 1))."""
    return max(0, min(p.lifetime, study.T1 - p.online(tau) + 1))


def cost_terms(s: Study) -> CostTerms:
    lin: dict = defaultdict(dict)
    const: dict = defaultdict(float)
    for (p, y), taus in s.spend.items():
        for tau, c in taus.items():
            lin[("capex", y)][("build", (p, tau))] = c
    for (p, y), c in s.cap_const.items():
        fom = s.projects[p].fixed_om
        if fom:
            const[("fixed_om", y)] += fom * c
    for (p, y), taus in s.cap_builds.items():
        fom = s.projects[p].fixed_om
        if fom:
            for tau in taus:
                lin[("fixed_om", y)][("build", (p, tau))] = fom
    for p, y in s.act:
        vc = s.projects[p].var_cost
        if vc:
            lin[("variable", y)][("act", (p, y))] = vc
    for k, b in s.buy.items():
        if b["price"]:
            lin[("supply", k[1])][("buy", k)] = b["price"]
    for k, f in s.flow.items():
        if f["cost"]:
            lin[("trade", k[3])][("flow", k)] = f["cost"]
    for k, u in s.unmet.items():
        lin[("unmet", k[2])][("unmet", k)] = u["penalty"]
    for k, sh in s.short.items():
        lin[("shortfall", k[2])][("short", k)] = sh["penalty"]
    if s.salvage:
        for p, tau in s.build:
            pr = s.projects[p]
            unused = max(0.0, 1.0 - served_years(s, pr, tau) / pr.lifetime)
            if unused and pr.capex:
                lin[("salvage", s.T1)][("build", (p, tau))] = -pr.capex * unused
    for i, (family, key) in enumerate(s.violations):
        y = s.row(family, key).year
        lin[("violation", y)][("viol", i)] = VIOLATION_PENALTY / s.df[y]
    return CostTerms(dict(lin), dict(const))
