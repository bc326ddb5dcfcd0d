"""Typed tables to the sparse sets and per-row term lists the LP is built from. No Pyomo here.

Everything the LP needs is a plain dict or list keyed by tuples, built once from the data:
only the rows and variables that can exist are indexed (formulation.md gives the rules).
Money is converted to USD million here, so the LP never sees a `_usd` unit.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .read import ROW, Tables
from .schema import WILDCARD

MUSD = 1e-6  # USD -> USD million

Key = tuple
Terms = dict  # {(variable family, variable key): coefficient}


@dataclass
class Project:
    name: str
    technology: str
    region: str
    stage: str
    existing: float
    retire: int  # last year existing capacity operates
    committed: float
    committed_online: int | None
    max_new: float
    capex: float  # MUSD per tpa
    fixed_om: float  # MUSD per tpa-year
    var_cost: float  # MUSD per t
    lead: int
    earliest_start: int
    lifetime: int
    availability: float
    row: int

    def online(self, tau: int) -> int:
        return tau + self.lead


class VarRefs:
    """One shared `(family, key)` tuple per variable.

    Term dicts are keyed by `(family, key)`; a study has millions of terms but only one tuple
    per variable is needed, so every term dict refers to the same tuple (a term then costs a
    dict slot, not two new tuples). `refs(family, key)` returns the shared tuple, making it
    the first time; `refs.family(name)` is the {key: tuple} dict for bulk lookups.
    """

    def __init__(self):
        self.by: dict[str, dict] = {}

    def family(self, fam: str) -> dict:
        return self.by.setdefault(fam, {})

    def add(self, fam: str, keys) -> dict:
        d = self.family(fam)
        for k in keys:
            if k not in d:
                d[k] = (fam, k)
        return d

    def __call__(self, fam: str, key) -> tuple:
        d = self.by.setdefault(fam, {})
        r = d.get(key)
        if r is None:
            r = d[key] = (fam, key)
        return r


@dataclass
class Row:
    """One constraint row: sum(coef * var) + const (sense) rhs, with its workbook identity."""

    terms: Terms
    sense: str  # ">=" or "<="
    rhs: float
    year: int
    info: dict = field(default_factory=dict)


@dataclass
class Study:
    """The sparse, solver-independent description of one study (one scenario)."""

    path: str
    sha256: str
    years: list[int]
    base_year: int
    discount_rate: float
    salvage: bool
    time_limit: float | None
    df: dict[int, float]
    tables: Tables
    projects: dict[str, Project]
    tech_io: dict[str, dict[str, float]]  # technology -> commodity -> coefficient
    content: dict[tuple[str, str], float]
    commodity_stage: dict[str, str | None]
    # variable index sets (sorted) and per-variable data
    build: list[Key]
    act: list[Key]
    buy: dict[Key, dict]  # (offer, t) -> {max, price, region, commodity}
    flow: dict[Key, dict]  # (from, to, commodity, t) -> {max, cost}
    unmet: dict[Key, dict]  # (region, commodity, t) -> {max, penalty}
    short: dict[Key, dict]  # (policy, supplier, t) -> {penalty}
    # capacity: (p, t) -> constant part and the builds online at t
    cap_const: dict[Key, float]
    cap_builds: dict[Key, list[int]]
    # spend: (p, t) -> {tau: coefficient in MUSD per tpa}
    spend: dict[Key, dict[int, float]]
    # constraint rows by family, keyed as in the outputs
    balance: dict[Key, Row]
    budgets: dict[Key, Row]
    policies: dict[Key, Row]
    # rows with no variable that cannot hold (the problem is infeasible before solving)
    impossible: list[dict]
    demand: dict[Key, float]
    consumption: dict[Key, float]  # (region, material, t) -> t material
    # elastic copies only (diagnose.py): violation variable i relaxes row (family, key)
    violations: list[tuple[str, Key]] = field(default_factory=list)
    # the shared (family, key) tuple of every variable (term dict keys)
    refs: VarRefs = field(default_factory=VarRefs)

    @property
    def T0(self) -> int:
        return self.years[0]

    @property
    def T1(self) -> int:
        return self.years[-1]

    def row(self, family: str, key: Key) -> Row:
        """A constraint row by family ("balance", "budget", "policy") and key."""
        return {"balance": self.balance, "budget": self.budgets, "policy": self.policies}[family][key]

    def capacity_terms(self, p: str, t: int) -> tuple[float, Terms]:
        """cap[p, t] = const + sum of builds online in t."""
        refs = self.refs
        return self.cap_const.get((p, t), 0.0), {refs("build", (p, tau)): 1.0 for tau in self.cap_builds.get((p, t), ())}


# ------------------------------------------------------------------ helpers
def _num(v, default=0.0) -> float:
    return default if v is None or pd.isna(v) else float(v)


def _int(v, default: int) -> int:
    return default if v is None or pd.isna(v) else int(v)


def file_hash(path: str) -> str:
    p = Path(path)
    return hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else ""


def resolve_routes(trade: pd.DataFrame, regions: list[str], commodities: list[str]) -> pd.DataFrame:
    """One row per (from_region, to_region, commodity) triple a trade row covers.

    The most specific covering row wins (most of from, to, commodity named); ties go to
    the first row in sheet order. A row from a region to itself is ignored.
    """
    cols = ["from_region", "to_region", "commodity", "cost_usd_per_t", "max_tpa"]
    if trade.empty:
        return pd.DataFrame(columns=cols)
    t = trade.reset_index(drop=True).copy()
    t["_order"] = range(len(t))
    t["_spec"] = sum((t[c] != WILDCARD).astype(int) for c in ("from_region", "to_region", "commodity"))
    parts = []
    for col, universe in (("from_region", regions), ("to_region", regions), ("commodity", commodities)):
        exp = t[[col, "_order"]].copy()
        exp[col] = exp[col].map(lambda v: universe if v == WILDCARD else [v])
        parts.append(exp.explode(col).rename(columns={col: col + "_x"}))
    tri = parts[0].merge(parts[1], on="_order").merge(parts[2], on="_order")
    tri = tri.merge(t[["_order", "_spec", "cost_usd_per_t", "max_tpa"]], on="_order")
    tri = tri[tri["from_region_x"] != tri["to_region_x"]]
    tri = tri.sort_values(["from_region_x", "to_region_x", "commodity_x", "_spec", "_order"],
                          ascending=[True, True, True, False, True], kind="stable")
    tri = tri.drop_duplicates(["from_region_x", "to_region_x", "commodity_x"], keep="first")
    tri = tri.rename(columns={"from_region_x": "from_region", "to_region_x": "to_region",
                              "commodity_x": "commodity"})
    return tri[cols].reset_index(drop=True)


def expand_years(df: pd.DataFrame, T0: int, T1: int) -> pd.DataFrame:
    """One row per year of each row's first_year..last_year window, clipped to the horizon."""
    if df.empty:
        return df.assign(year=pd.Series(dtype=int))
    fy = df["first_year"].fillna(T0).astype(int).clip(lower=T0)
    ly = df["last_year"].fillna(T1).astype(int).clip(upper=T1)
    out = df.assign(year=[list(range(a, b + 1)) for a, b in zip(fy, ly)]).explode("year")
    out = out.dropna(subset=["year"])
    return out.assign(year=out["year"].astype(int)).reset_index(drop=True)


# ------------------------------------------------------------------ the study
def build_study(t: Tables) -> Study:
    s = t.settings
    T0, T1 = int(s["first_year"]), int(s["last_year"])
    years = list(range(T0, T1 + 1))
    base_year = int(s.get("base_year", T0))
    rate = float(s.get("discount_rate", 0.08))
    df = {y: (1.0 + rate) ** -(y - base_year) for y in years}

    tech_stage = dict(zip(t["technologies"]["technology"], t["technologies"]["stage"]))
    tech_io: dict[str, dict[str, float]] = defaultdict(dict)
    for tech, c, a in t["tech_io"][["technology", "commodity", "coefficient"]].itertuples(index=False):
        if a != 0:
            tech_io[tech][c] = float(a)
    content = {(c, m): float(v) for c, m, v in t["content"][["commodity", "material", "t_per_t"]]
               .itertuples(index=False) if v != 0}
    commodities = list(t["commodities"]["commodity"])
    regions = list(t["regions"]["region"])
    commodity_stage = {c: (g if isinstance(g, str) else None)
                       for c, g in zip(t["commodities"]["commodity"], t["commodities"]["stage"])}

    projects: dict[str, Project] = {}
    for r in t["projects"].to_dict("records"):
        projects[r["project"]] = Project(
            name=r["project"], technology=r["technology"], region=r["region"],
            stage=tech_stage[r["technology"]],
            existing=_num(r["existing_tpa"]), retire=_int(r["existing_retire_year"], T1 + 10**4),
            committed=_num(r["committed_tpa"]),
            committed_online=None if pd.isna(r["committed_online_year"]) else int(r["committed_online_year"]),
            max_new=_num(r["max_new_tpa"]), capex=_num(r["capex_usd_per_tpa"]) * MUSD,
            fixed_om=_num(r["fixed_om_usd_per_tpa"]) * MUSD, var_cost=_num(r["var_cost_usd_per_t"]) * MUSD,
            lead=_int(r["lead_time_years"], 0), earliest_start=_int(r["earliest_start_year"], T0),
            lifetime=_int(r["lifetime_years"], 25), availability=_num(r["availability"], 1.0), row=r[ROW],
        )

    # --- capacity: builds, online windows, constants
    build: list[Key] = []
    cap_const: dict[Key, float] = {}
    cap_builds: dict[Key, list[int]] = defaultdict(list)
    spend: dict[Key, dict[int, float]] = defaultdict(dict)
    for p in projects.values():
        name = p.name
        for y in years:
            c = (p.existing if y <= p.retire else 0.0) + \
                (p.committed if p.committed_online is not None and y >= p.committed_online else 0.0)
            if c > 0:
                cap_const[(name, y)] = c
        first, last = max(T0, p.earliest_start), T1 - p.lead
        if p.max_new <= 0 or first > last:
            continue
        # slices of `years` share its int objects: a million year numbers cost nothing extra
        taus = years[first - T0:last - T0 + 1]
        build.extend([(name, tau) for tau in taus])
        L, life = p.lead, p.lifetime
        for y in years[first + L - T0:]:  # builds started in lo..hi are online in y
            lo, hi = max(first, y - L - life + 1), y - L
            if lo <= hi:
                cap_builds[(name, y)] = years[lo - T0:hi - T0 + 1]
        per_year = p.capex / L if L else p.capex  # one float object shared by every entry
        for tau in taus:
            if L == 0:
                spend[(name, tau)][tau] = per_year
            for y in years[tau - T0:tau - T0 + L]:
                spend[(name, y)][tau] = per_year
    cap_builds.default_factory = spend.default_factory = None  # plain dicts from here on (no copy)
    act = sorted(set(cap_const) | set(cap_builds))

    # --- outside supply, one (offer, year) per year the offer stands
    buy: dict[Key, dict] = {}
    sup = expand_years(t["supply"], T0, T1)
    for r in sup.to_dict("records"):
        buy[(r["offer"], r["year"])] = {
            "region": r["region"], "commodity": r["commodity"],
            "max": None if pd.isna(r["max_tpa"]) else float(r["max_tpa"]),
            "price": _num(r["price_usd_per_t"]) * MUSD,
        }

    # --- routes; a commodity nobody produces or offers anywhere is never shipped
    sources = {c for p in projects.values() for c, a in tech_io[p.technology].items() if a > 0}
    sources |= set(sup["commodity"]) if not sup.empty else set()
    routes = resolve_routes(t["trade"], regions, commodities)
    routes = routes[routes["commodity"].isin(sources)]
    flow: dict[Key, dict] = {}
    for fr, to, c, cost, cap in routes.itertuples(index=False):
        info = {"cost": _num(cost) * MUSD, "max": None if pd.isna(cap) else float(cap)}
        for y in years:
            flow[(fr, to, c, y)] = info

    # --- demand and unmet demand
    dem = t["demand"]
    dem = dem[(dem["year"] >= T0) & (dem["year"] <= T1) & (dem["quantity_t"] > 0)]
    demand = {(r, c, int(y)): float(q) for r, c, y, q in
              dem[["region", "commodity", "year", "quantity_t"]].itertuples(index=False)}
    default_pen = s.get("unmet_penalty_usd_per_t")
    pen = {c: (v if pd.notna(v) else default_pen) for c, v in
           zip(t["commodities"]["commodity"], t["commodities"]["unmet_penalty_usd_per_t"])}
    unmet = {k: {"max": q, "penalty": pen[k[1]] * MUSD} for k, q in demand.items()
             if pen.get(k[1]) is not None}

    refs = VarRefs()
    refs.add("build", build)
    refs.add("act", act)
    balance, impossible = _balance_rows(years, projects, tech_io, act, buy, flow, unmet, demand, refs)
    budgets = _budget_rows(t, years, projects, spend, refs)
    consumption: dict[Key, float] = defaultdict(float)
    for (r, c, y), q in demand.items():
        for (cc, m), v in content.items():
            if cc == c:
                consumption[(r, m, y)] += v * q
    policies, short, more_impossible = _policy_rows(
        t, years, projects, tech_io, content, commodity_stage, flow, set(act), consumption,
        cap_const, cap_builds, refs)

    return Study(
        path=t.path, sha256=file_hash(t.path), years=years, base_year=base_year, discount_rate=rate,
        salvage=bool(s.get("salvage", True)), time_limit=s.get("solver_time_limit_s"), df=df, tables=t,
        projects=projects, tech_io=dict(tech_io), content=content, commodity_stage=commodity_stage,
        build=build, act=act, buy=dict(sorted(buy.items())), flow=dict(sorted(flow.items())),
        unmet=dict(sorted(unmet.items())), short=short, cap_const=cap_const, cap_builds=cap_builds,
        spend=spend, balance=balance, budgets=budgets, policies=policies,
        impossible=impossible + more_impossible, demand=demand, consumption=dict(consumption), refs=refs,
    )


def _add(terms: Terms, var: tuple, coef: float) -> None:
    terms[var] = terms.get(var, 0.0) + coef


def _describe(kind: str, key: Key, rhs: float, info: dict) -> dict:
    return {"family": kind, "key": key, "rhs": rhs, **info}


def _balance_rows(years, projects, tech_io, act, buy, flow, unmet, demand, refs: VarRefs):
    """Commodity balance (formulation.md, 3), one row per (region, commodity, year) with a term.

    sum_p a[tech_p, c] act[p, t] + sum_o buy[o, t] + inflow - outflow + unmet >= demand
    """
    terms: dict[Key, Terms] = defaultdict(dict)
    ref_act = refs.family("act")
    for k in act:
        p, y = k
        pr = projects[p]
        for c, a in tech_io.get(pr.technology, {}).items():
            terms[(pr.region, c, y)][ref_act[k]] = a
    for (o, y), b in buy.items():
        _add(terms[(b["region"], b["commodity"], y)], refs("buy", (o, y)), 1.0)
    for k in flow:
        fr, to, c, y = k
        ref = refs("flow", k)
        terms[(to, c, y)][ref] = 1.0
        terms[(fr, c, y)][ref] = -1.0
    for k in unmet:
        terms[k][refs("unmet", k)] = 1.0
    rows, impossible = {}, []
    for k in sorted(set(terms) | set(demand)):
        d = demand.get(k, 0.0)
        if not terms.get(k):
            impossible.append(_describe("balance", k, d, {"region": k[0], "commodity": k[1], "year": k[2]}))
            continue
        rows[k] = Row(terms[k], ">=", d, k[2], {"region": k[0], "commodity": k[1]})
    return rows, impossible


def _budget_rows(t: Tables, years, projects, spend, refs: VarRefs) -> dict[Key, Row]:
    """Capital budgets (formulation.md, 6), one row per (budget, year with a budget row).

    without carryover: sum_{p in P_b} spend[p, t] <= amount_b(t)
    with carryover:    sum_{t' <= t} sum_{p in P_b} spend[p, t'] <= sum_{t' <= t} amount_b(t')

    A carryover row's terms are those of the row before plus the spend of the years between
    them, so each project keeps a running sum of its spend coefficients (added in year order,
    exactly as a fresh sum would add them) instead of summing all earlier years again.
    """
    T0, T1 = years[0], years[-1]
    rows: dict[Key, Row] = {}
    b = t["budgets"]
    ref_build = refs.family("build")
    by_region: dict[str, list[Project]] = defaultdict(list)
    for p in projects.values():
        by_region[p.region].append(p)
    for name, g in b.groupby("budget", sort=False):
        first = g.iloc[0]
        region, stage, carry = first["region"], first["stage"], bool(first["carryover"])
        pool = list(projects.values()) if region == "*" else by_region.get(region, [])
        funded = [p.name for p in pool if stage in ("*", p.stage)]
        amounts = dict(zip(g["year"].astype(int), g["amount_musd"].astype(float)))
        running: dict[str, Terms] = {p: {} for p in funded} if carry else {}
        done = T0 - 1  # running sums cover spend in years <= done
        for y in sorted(amounts):
            terms: Terms = {}
            if carry:
                rhs = sum(v for u, v in amounts.items() if u <= y)
                for u in range(done + 1, min(y, T1) + 1):
                    for p in funded:
                        acc = running[p]
                        for tau, coef in spend.get((p, u), {}).items():
                            ref = ref_build[(p, tau)]
                            acc[ref] = acc.get(ref, 0.0) + coef
                done = max(done, min(y, T1))
                for p in funded:
                    terms.update(running[p])
            else:
                rhs = amounts[y]
                if T0 <= y <= T1:
                    for p in funded:
                        for tau, coef in spend.get((p, y), {}).items():
                            ref = ref_build[(p, tau)]
                            terms[ref] = terms.get(ref, 0.0) + coef
            if terms:
                rows[(name, y)] = Row(terms, "<=", rhs, min(y, T1),
                                      {"region": region, "stage": stage, "carryover": carry})
    return dict(sorted(rows.items()))


def _policy_rows(t: Tables, years, projects, tech_io, content, commodity_stage, flow, act,
                 consumption, cap_const, cap_builds, refs: VarRefs):
    """Share policies (formulation.md, 7): one generic share row with a sense.

    min_domestic_share: sum_p sum_{c: a>0} a content[c,m] Q[p,t] + short >= share * cons[r,m,t]
    max_supplier_share: sum_{c: stage(c)=g} content[c,m] flow[q->r,c,t] - short <= share * cons[r,m,t]
    Rows are keyed (policy, supplier, year); supplier is "" for min_domestic_share.
    """
    T0, T1 = years[0], years[-1]
    rows: dict[Key, Row] = {}
    short: dict[Key, dict] = {}
    impossible = []
    into = defaultdict(list)  # (to, year) -> flow keys
    for k in flow:
        into[(k[1], k[3])].append(k)
    at = defaultdict(list)  # (region, stage) -> projects, in sheet order
    for p in projects.values():
        at[(p.region, p.stage)].append(p)
    ref_build, ref_act = refs.family("build"), refs.family("act")
    for r in t["policies"].to_dict("records"):
        k, region, m, g, share = r["policy"], r["region"], r["material"], r["stage"], float(r["share"])
        penalty = None if pd.isna(r["penalty_usd_per_t"]) else float(r["penalty_usd_per_t"]) * MUSD
        fy = max(T0, _int(r["first_year"], T0))
        ly = min(T1, _int(r["last_year"], T1))
        info = {"policy": k, "region": region, "material": m, "kind": r["kind"], "stage": g,
                "share": share, "basis": r["basis"], "row": r[ROW]}
        # tonnes of material m per tonne of activity of each domestic project of the stage
        domestic = []
        if r["kind"] == "min_domestic_share":
            for p in at.get((region, g), ()):
                coef = sum(a * content.get((c, m), 0.0) for c, a in tech_io.get(p.technology, {}).items() if a > 0)
                if coef != 0:
                    domestic.append((p, coef))
        for y in range(fy, ly + 1):
            cons = consumption.get((region, m, y), 0.0)
            if cons <= 0:
                continue
            target = share * cons
            if r["kind"] == "min_domestic_share":
                terms: Terms = {}
                const = 0.0
                for p, coef in domestic:
                    if (p.name, y) not in act:
                        continue
                    if r["basis"] == "capacity":
                        const += coef * p.availability * cap_const.get((p.name, y), 0.0)
                        for tau in cap_builds.get((p.name, y), ()):
                            _add(terms, ref_build[(p.name, tau)], coef * p.availability)
                    else:
                        terms[ref_act[(p.name, y)]] = coef
                groups = [("", terms, ">=", target - const)]
            else:
                groups = []
                by_supplier: dict[str, Terms] = defaultdict(dict)
                for fk in into.get((region, y), ()):
                    c = fk[2]
                    v = content.get((c, m), 0.0)
                    if commodity_stage.get(c) == g and v:
                        by_supplier[fk[0]][refs("flow", fk)] = v
                groups = [(q, terms, "<=", target) for q, terms in sorted(by_supplier.items())]
            for q, terms, sense, rhs in groups:
                key = (k, q, y)
                if penalty is not None:
                    short[key] = {"penalty": penalty}
                    terms = {**terms, refs("short", key): 1.0 if sense == ">=" else -1.0}
                if not terms:
                    if rhs > 1e-9:
                        impossible.append(_describe("policy", key, rhs, {**info, "year": y, "supplier": q}))
                    continue
                rows[key] = Row(terms, sense, rhs, y, {**info, "supplier": q, "consumption": cons})
    return dict(sorted(rows.items())), dict(sorted(short.items())), impossible
