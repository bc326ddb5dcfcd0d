"""Tidy plan tables from a solved study: long format, one value column per quantity.

Shadow prices are undiscounted to their year and sign-normalised so that a binding row
has a price >= 0: what tightening it by one unit would cost.

    commodity price (USD/t)          =  dual_balance / df(t) * 1e6
    policy price (USD/t material)    = +dual / df(t) * 1e6 for >= rows, -dual / df(t) * 1e6 for <= rows
    budget value (USD per USD)       = -dual / df(t)
    minimum-output support (USD/t)   = +dual / df(t) * 1e6
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from .analysis import TOL
from .costs import COMPONENTS, OPTIONAL, cost_table
from .data import Project, Row, Study, online_window, spend_window
from .solve import Solution

# table -> key columns (rows are sorted by them)
KEYS = {
    "builds": ["project", "start_year"],
    "capacity": ["project", "year"],
    "production": ["project", "commodity", "year"],
    "trade": ["from_region", "to_region", "commodity", "year"],
    "supply": ["offer", "year"],
    "policies": ["policy", "supplier", "year"],
    "budgets": ["budget", "year"],
    "spend": ["project", "year"],
    "prices": ["region", "commodity", "year"],
    "costs": ["component", "year"],
    "unmet": ["region", "commodity", "year"],
    "policy_costs": ["policy", "supplier", "year"],
    "sales": ["sale", "year"],
    "stocks": ["stock", "year"],
    "support": ["project", "kind", "year"],
    "origin": ["region", "material", "stage", "tracked_region", "year"],
}
OPTIONAL_TABLES = ("policy_costs", "sales", "stocks", "origin")  # written only on request or when the study has them
TABLES = tuple(k for k in KEYS if k not in OPTIONAL_TABLES)


def _value(values: dict, terms: dict) -> float:
    return sum(c * values[fam].get(k, 0.0) for (fam, k), c in terms.items())


def _binding(row: Row, lhs: float) -> bool:
    return abs(lhs - row.rhs) <= TOL * max(1.0, abs(row.rhs))


def _frame(name: str, records: list[dict], columns: list[str]) -> pd.DataFrame:
    df = pd.DataFrame.from_records(records, columns=columns)
    return df.sort_values(KEYS[name], kind="stable").reset_index(drop=True)


def builds(s: Study, sol: Solution) -> pd.DataFrame:
    recs = []
    for (p, tau), v in sol.values["build"].items():
        if v > TOL:
            pr = s.projects[p]
            recs.append({"project": p, "technology": pr.technology, "stage": pr.stage, "region": pr.region,
                         "start_year": tau, "online_year": pr.online(tau), "capacity_tpa": v,
                         "capex_musd": pr.capex * v})
    return _frame("builds", recs, ["project", "technology", "stage", "region", "start_year", "online_year",
                                   "capacity_tpa", "capex_musd"])


def capacity(s: Study, sol: Solution) -> pd.DataFrame:
    recs = []
    b = sol.values["build"]
    for p, y in s.act:
        pr = s.projects[p]
        new = sum(b[(p, tau)] for tau in s.cap_builds.get((p, y), ()))
        existing, committed = pr.existing_at(y), pr.committed_at(y)
        total = existing + committed + new
        if total > TOL:
            recs.append({"project": p, "technology": pr.technology, "stage": pr.stage, "region": pr.region,
                         "year": y, "existing_tpa": existing, "committed_tpa": committed, "new_tpa": new,
                         "capacity_tpa": total, "activity_t": sol.values["act"][(p, y)]})
    return _frame("capacity", recs, ["project", "technology", "stage", "region", "year", "existing_tpa",
                                     "committed_tpa", "new_tpa", "capacity_tpa", "activity_t"])


def production(s: Study, sol: Solution) -> pd.DataFrame:
    recs = []
    for (p, y), v in sol.values["act"].items():
        if v > TOL:
            pr = s.projects[p]
            for c, a in s.tech_io.get(pr.technology, {}).items():
                recs.append({"project": p, "technology": pr.technology, "stage": pr.stage, "region": pr.region,
                             "commodity": c, "year": y, "activity_t": v, "quantity_t": a * v})
    return _frame("production", recs, ["project", "technology", "stage", "region", "commodity", "year",
                                       "activity_t", "quantity_t"])


def trade(s: Study, sol: Solution) -> pd.DataFrame:
    recs = [{"from_region": k[0], "to_region": k[1], "commodity": k[2], "year": k[3], "flow_t": v,
             "cost_usd_per_t": s.flow[k].cost * 1e6}
            for k, v in sol.values["flow"].items() if v > TOL]
    return _frame("trade", recs, ["from_region", "to_region", "commodity", "year", "flow_t", "cost_usd_per_t"])


def supply(s: Study, sol: Solution) -> pd.DataFrame:
    recs = [{"offer": k[0], "region": s.buy[k].region, "commodity": s.buy[k].commodity, "year": k[1],
             "bought_t": v, "max_tpa": s.buy[k].max, "price_usd_per_t": s.buy[k].price * 1e6}
            for k, v in sol.values["buy"].items() if v > TOL]
    return _frame("supply", recs, ["offer", "region", "commodity", "year", "bought_t", "max_tpa",
                                   "price_usd_per_t"])


def policies(s: Study, sol: Solution) -> pd.DataFrame:
    recs = []
    duals = sol.duals.get("policy", {})
    for key, row in s.rows["policy"].items():
        k, q, y = key
        i = row.info
        target = i["share"] * i["consumption"]
        short_terms = {v: c for v, c in row.terms.items() if v[0] == "short"}
        lhs = _value(sol.values, row.terms)
        shortfall = sol.values["short"].get(key, 0.0) if short_terms else 0.0
        achieved = lhs - _value(sol.values, short_terms) + (target - row.rhs)
        dual = duals.get(key)
        sign = 1.0 if row.sense == ">=" else -1.0
        recs.append({
            "policy": k, "kind": i["kind"], "region": i["region"], "material": i["material"],
            "stage": i["stage"], "supplier": q, "year": y, "share": i["share"],
            "consumption_t": i["consumption"], "target_t": target, "achieved_t": achieved,
            "achieved_share": achieved / i["consumption"], "shortfall_t": shortfall,
            "shadow_price_usd_per_t": None if dual is None else sign * dual / s.df[y] * 1e6,
            "binding": "yes" if _binding(row, lhs) else "no", "basis": i["basis"],
        })
    # basis only when origin is tracked: it then says whether a supplier cap counts shippers or origins
    basis = ["basis"] if s.origin.get("ouse") else []
    return _frame("policies", recs, ["policy", "kind", "region", "material", "stage", "supplier", "year",
                                     "share", "consumption_t", "target_t", "achieved_t", "achieved_share",
                                     "shortfall_t", "shadow_price_usd_per_t", "binding"] + basis)


def budgets(s: Study, sol: Solution) -> pd.DataFrame:
    recs = []
    duals = sol.duals.get("budget", {})
    for key, row in s.rows["budget"].items():
        lhs = _value(sol.values, row.terms)
        dual = duals.get(key)
        recs.append({
            "budget": key[0], "year": key[1], "region": row.info["region"], "stage": row.info["stage"],
            "carryover": "yes" if row.info["carryover"] else "no", "available_musd": row.rhs, "spend_musd": lhs,
            "shadow_price_usd_per_usd": None if dual is None else -dual / s.df[row.year],
            "binding": "yes" if _binding(row, lhs) else "no",
        })
    return _frame("budgets", recs, ["budget", "year", "region", "stage", "carryover", "available_musd",
                                    "spend_musd", "shadow_price_usd_per_usd", "binding"])


def prices(s: Study, sol: Solution) -> pd.DataFrame:
    """Marginal cost of demand: the balance row's dual, and with origin tracking also the duals of
    the disposal rows (odrop <= surplus) of the same (region, commodity, year), whose right-hand
    side moves with demand too (otherwise the price is split between duplicate rows at random)."""
    dual = dict(sol.duals.get("balance", {}))
    for key, d in sol.duals.get("origin_disposal", {}).items():
        dual[key[3:]] = dual.get(key[3:], 0.0) - d
    recs = [{"region": k[0], "commodity": k[1], "year": k[2], "price_usd_per_t": d / s.df[k[2]] * 1e6}
            for k, d in dual.items()]
    return _frame("prices", recs, ["region", "commodity", "year", "price_usd_per_t"])


def spend(s: Study, sol: Solution) -> pd.DataFrame:
    """Capital spend by project and year (data.capital_spend), USD million, undiscounted."""
    b = sol.values["build"]
    recs = []
    for (p, y), taus in s.spend.items():
        v = sum(c * b[(p, tau)] for tau, c in taus.items())
        if v > TOL:
            pr = s.projects[p]
            recs.append({"project": p, "technology": pr.technology, "stage": pr.stage, "region": pr.region,
                         "year": y, "spend_musd": v})
    return _frame("spend", recs, ["project", "technology", "stage", "region", "year", "spend_musd"])


def costs(s: Study, sol: Solution) -> pd.DataFrame:
    values = {fam: np.fromiter(v.values(), dtype=float, count=len(v)) for fam, v in sol.values.items()}
    recs = [{"component": comp, "year": y, "cost_musd": v, "discounted_musd": v * s.df[y]}
            for (comp, y), v in cost_table(s, values).items()]
    df = _frame("costs", recs, ["component", "year", "cost_musd", "discounted_musd"])
    order = {c: i for i, c in enumerate(COMPONENTS)}
    return df.sort_values(["component", "year"], key=lambda col: col.map(order) if col.name == "component"
                          else col, kind="stable").reset_index(drop=True)


def unmet(s: Study, sol: Solution) -> pd.DataFrame:
    recs = [{"region": k[0], "commodity": k[1], "year": k[2], "demand_t": d,
             "unmet_t": sol.values["unmet"].get(k, 0.0)} for k, d in s.demand.items()]
    return _frame("unmet", recs, ["region", "commodity", "year", "demand_t", "unmet_t"])


def sales(s: Study, sol: Solution) -> pd.DataFrame:
    """What outside buyers took (formulation 8)."""
    recs = [{"sale": k[0], "region": s.sell[k].region, "commodity": s.sell[k].commodity, "year": k[1],
             "sold_t": v, "max_tpa": s.sell[k].max, "price_usd_per_t": s.sell[k].price * 1e6}
            for k, v in sol.values["sell"].items() if v > TOL]
    return _frame("sales", recs, ["sale", "region", "commodity", "year", "sold_t", "max_tpa", "price_usd_per_t"])


def stocks(s: Study, sol: Solution) -> pd.DataFrame:
    """Stockpile levels at each year end and the change over the year (formulation 9)."""
    level = sol.values["level"]
    recs = []
    for name, y in s.level:
        st = s.stocks[name]
        before = st.initial if y == s.T0 else level[(name, y - 1)]
        recs.append({"stock": name, "region": st.region, "commodity": st.commodity, "year": y,
                     "level_t": level[(name, y)], "change_t": level[(name, y)] - before,
                     "holding_cost_usd_per_t": st.holding * 1e6})
    return _frame("stocks", recs, ["stock", "region", "commodity", "year", "level_t", "change_t",
                                   "holding_cost_usd_per_t"])


def origin(s: Study, sol: Solution) -> pd.DataFrame:
    """Tagged tonnes of material in each region's consumption, by stage and tracked region
    (formulation 14). Where no origin cap binds, the split between tagged and untagged units is
    one of many equally cheap ones."""
    tagged: dict[tuple, float] = {}
    for (q, g, m, r, c, t), v in sol.values["ouse"].items():
        key = (r, m, g, q, t)
        tagged[key] = tagged.get(key, 0.0) + s.content[(c, m)] * v
    recs = []
    for (r, m, g, q, t), v in tagged.items():
        cons = s.consumption.get((r, m, t), 0.0)
        recs.append({"region": r, "material": m, "stage": g, "tracked_region": q, "year": t, "tagged_t": v,
                     "consumption_t": cons, "share": v / cons if cons > 0 else None})
    return _frame("origin", recs, ["region", "material", "stage", "tracked_region", "year", "tagged_t",
                                   "consumption_t", "share"])


def capex_weight(s: Study, p: Project, tau: int) -> float:
    """d objective / d capex_p for build[p, tau]: the discounted spend of one unit of capex less its
    salvage credit (data.spend_window, data.online_window)."""
    first, last, per_year = spend_window(replace(p, capex=1.0), tau)
    weight = sum(s.df[y] for y in range(first, last + 1)) * per_year
    if s.horizon.salvage:
        on, end = online_window(p, tau, s.T1)
        weight -= s.df[s.T1] * max(0.0, 1.0 - (end - on + 1) / p.lifetime)
    return weight


def _unbuilt_reduced_costs(s: Study, sol: Solution, built: dict[str, float]) -> dict[tuple, float]:
    """Reduced costs of the builds of projects not built, priced with their operation.

    An unbuilt project's activity rows read 0 <= 0, so their duals y_t are not unique and HiGHS
    may charge the build for the activity it would allow, or not (a reduced cost of 0 then says
    nothing). The largest reduced cost over the optimal duals is what building must gain before
    it pays: raise each y_t (<= 0, a <= row) to min(0, k_t), k_t = rc(act[p, t]) + y_t, the most
    that keeps act[p, t] dual feasible. A build's column has -availability * rho in the rows of
    the years it is online, so its reduced cost rises by availability * rho * (y*_t - y_t)."""
    y, rc_act = sol.duals.get("activity_limit", {}), sol.reduced.get("act", {})
    out = {}
    for (p, tau), rc in sol.reduced.get("build", {}).items():
        if built[p] > TOL:
            continue
        pr = s.projects[p]
        on, end = online_window(pr, tau, s.T1)
        for t in range(on, end + 1):
            yt = y.get((p, t), 0.0)
            best = min(0.0, rc_act.get((p, t), 0.0) + yt)
            rc += pr.availability * pr.usable(t, on) * (best - yt)
        out[(p, tau)] = rc
    return out


def support(s: Study, sol: Solution) -> pd.DataFrame:
    """What would bring each candidate project that was not built into the plan, and what each
    minimum-output row costs.

    capital_subsidy: the reduced cost of build[p, tau] (MUSD per tpa, discounted) is what the
    objective coefficient must fall by before building pays; divided by `capex_weight` it is the
    cut in capex_usd_per_tpa that does it. The cheapest start year is reported, also per kg of
    lifetime output (availability * lifetime_years * 1000 kg per tpa).
    minimum_output: the dual of the row (formulation 10) in USD per t, undiscounted: the support
    per tonne the plant needs to run at that level.
    """
    recs = []
    built: dict[str, float] = {}
    for (p, _), v in sol.values["build"].items():
        built[p] = built.get(p, 0.0) + v
    best: dict[str, tuple] = {}
    rc_build = _unbuilt_reduced_costs(s, sol, built)
    for (p, tau), rc in rc_build.items():
        pr = s.projects[p]
        w = capex_weight(s, pr, tau)
        subsidy = max(rc, 0.0) / w * 1e6 if w > 0 else None
        if p not in best or (subsidy is not None and (best[p][2] is None or subsidy < best[p][2])):
            best[p] = (tau, rc, subsidy)
    for p, (tau, rc, subsidy) in best.items():
        pr = s.projects[p]
        recs.append({"project": p, "technology": pr.technology, "stage": pr.stage, "region": pr.region,
                     "kind": "capital_subsidy", "year": tau, "reduced_cost_musd_per_tpa": rc,
                     "subsidy_usd_per_tpa": subsidy,
                     "subsidy_usd_per_kg": None if subsidy is None else subsidy / (pr.availability * pr.lifetime * 1000),
                     "support_usd_per_t": None})
    for (p, y), d in sol.duals.get("min_output", {}).items():
        pr = s.projects[p]
        recs.append({"project": p, "technology": pr.technology, "stage": pr.stage, "region": pr.region,
                     "kind": "minimum_output", "year": y, "reduced_cost_musd_per_tpa": None,
                     "subsidy_usd_per_tpa": None, "subsidy_usd_per_kg": None,
                     "support_usd_per_t": d / s.df[y] * 1e6})
    return _frame("support", recs, ["project", "technology", "stage", "region", "kind", "year",
                                    "reduced_cost_musd_per_tpa", "subsidy_usd_per_tpa", "subsidy_usd_per_kg",
                                    "support_usd_per_t"])


def policy_costs(pol: pd.DataFrame, cost: dict[str, float | None], group_cost: dict | None = None,
                 groups: dict[str, str] | None = None) -> pd.DataFrame:
    """Total discounted cost each policy adds (objective with it minus without it), beside its
    shadow price per year (and supplier). `cost` maps policy id -> USD million (None: the
    re-solve without it did not reach optimality); `pol` is the policies table. With policy
    groups (formulation 13), each row also gets its group and the cost of removing the whole group."""
    df = pol[["policy", "kind", "region", "material", "stage", "supplier", "year", "share",
              "shadow_price_usd_per_t", "binding"]].copy()
    df.insert(len(df.columns), "policy_total_cost_musd", df["policy"].map(cost).astype(float))
    if groups:
        df["group"] = df["policy"].map(groups)
        df["group_total_cost_musd"] = df["group"].map(group_cost or {}).astype(float)
    return df.sort_values(KEYS["policy_costs"], kind="stable").reset_index(drop=True)


def plan_tables(s: Study, sol: Solution, only: tuple[str, ...] | None = None) -> dict[str, pd.DataFrame]:
    """Every output table of outputs.md (except summary) for a solved study (`only`: those of them)."""
    fns = {"builds": builds, "capacity": capacity, "production": production, "trade": trade,
           "supply": supply, "policies": policies, "budgets": budgets, "spend": spend, "prices": prices,
           "costs": costs, "unmet": unmet, "support": support, "sales": sales, "stocks": stocks, "origin": origin}
    names = list(TABLES) + (["sales"] if s.sell else []) + (["stocks"] if s.stocks else []) + \
        (["origin"] if s.origin.get("ouse") else [])
    return {name: fns[name](s, sol) for name in names if only is None or name in only}


def cost_by_component(tables: dict[str, pd.DataFrame]) -> dict[str, float]:
    """Discounted USD million by component, in the order of costs.COMPONENTS."""
    c = tables["costs"].groupby("component")["discounted_musd"].sum()
    return {comp: float(c.get(comp, 0.0)) for comp in COMPONENTS if comp not in OPTIONAL or comp in c}
