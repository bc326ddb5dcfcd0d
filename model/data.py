"""Typed tables to the sparse index sets and typed records the LP is built from. No Pyomo, no rows.

Only the variables that can exist are indexed (docs/formulation.md gives the rules). Money is
converted to USD million here, so the LP never sees a `_usd` unit. Two derived rules live here
once, because the LP, the cost report and the output tables all read them:

    capacity_online   which builds (and how much existing and committed capacity) serve year t
    capital_spend     how a build's capital cost is spread over its construction years

The rows of the LP (term dicts by family) are made by the families in `lp/` and attached to the
study by `lp.formulate`, which `build_study` calls last.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .read import Tables, optional_column, per_year
from .routes import dated_routes
from .terms import Key, Row, Terms, VarRefs  # noqa: F401 (re-exported: the lp families import them from here)

MUSD = 1e-6  # USD -> USD million


# ------------------------------------------------------------------ typed records
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
    ramp_years: int = 0  # new and committed capacity ramps linearly to full use over these years
    min_output: float = 0.0  # share of usable capacity that must run (offtake, take-or-pay)
    unit: float | None = None  # builds come in whole units of this size (formulation 15)
    min_build: float | None = None  # a build is 0 or at least this

    def online(self, tau: int) -> int:
        """online(p, tau) = tau + L_p: the first year a build started in tau operates."""
        return tau + self.lead

    def existing_at(self, y: int) -> float:
        """Existing capacity operates until its retirement year."""
        return self.existing if y <= self.retire else 0.0

    def committed_at(self, y: int) -> float:
        """Committed capacity operates from its online year to the horizon end."""
        return self.committed if self.committed_online is not None and y >= self.committed_online else 0.0

    def constant_capacity(self, y: int) -> float:
        return self.existing_at(y) + self.committed_at(y)

    def usable(self, y: int, online: int) -> float:
        """rho_p(t - o) = min(1, (t - o + 1) / (ramp_years + 1)): the share of capacity online since
        year o that is usable in year t (formulation 10); 1 without a ramp."""
        return 1.0 if not self.ramp_years else min(1.0, (y - online + 1) / (self.ramp_years + 1))

    def usable_constant(self, y: int) -> float:
        """Existing capacity (no ramp) plus committed capacity ramping from its online year."""
        if not self.ramp_years or not self.committed_at(y):
            return self.constant_capacity(y)
        return self.existing_at(y) + self.usable(y, self.committed_online) * self.committed_at(y)


@dataclass(slots=True)
class Offer:
    """A supply offer in one year: buy[o, t] <= max (formulation 4)."""
    region: str
    commodity: str
    max: float | None  # t/yr, None = unlimited
    price: float  # MUSD per t


@dataclass(slots=True)
class Route:
    """A resolved route (from, to, commodity), shared by its years: flow <= max (formulation 4)."""
    cost: float  # MUSD per t
    max: float | None


@dataclass(slots=True)
class Unmet:
    """Unserved demand with a finite penalty: unmet <= demand (formulation 5)."""
    max: float
    penalty: float  # MUSD per t


@dataclass(slots=True)
class Sale:
    """An outside buyer in one year: sell[k, t] <= max (formulation 8)."""
    region: str
    commodity: str
    max: float
    price: float  # MUSD per t


@dataclass(slots=True)
class Stock:
    """A stockpile (formulation 9): level[s, t] held at the end of year t."""
    region: str
    commodity: str
    initial: float  # t held before first_year
    min: float
    max: float | None
    final: float
    holding: float  # MUSD per t per year


@dataclass(slots=True)
class Shortfall:
    """A soft policy row's shortfall variable."""
    penalty: float  # MUSD per t of material


@dataclass
class Horizon:
    years: list[int]
    base_year: int
    discount_rate: float
    salvage: bool
    time_limit: float | None
    df: dict[int, float]  # df(t) = (1 + rate) ** -(t - base_year)


@dataclass
class Study:
    """The sparse, solver-independent description of one study (one scenario)."""

    path: str
    sha256: str
    horizon: Horizon
    tables: Tables
    projects: dict[str, Project]
    tech_io: dict[str, dict[str, float]]  # technology -> commodity -> coefficient
    content: dict[tuple[str, str], float]  # (commodity, material) -> t per t
    commodity_stage: dict[str, str | None]
    demand: dict[Key, float]  # (region, commodity, t) -> t
    consumption: dict[Key, float]  # (region, material, t) -> t of material
    # variable index sets, sorted, with their records
    build: list[Key]  # (p, tau)
    act: list[Key]  # (p, t)
    buy: dict[Key, Offer]  # (offer, t)
    flow: dict[Key, Route]  # (from, to, commodity, t)
    unmet: dict[Key, Unmet]  # (region, commodity, t)
    # derived rules (capacity_online, capital_spend)
    cap_const: dict[Key, float]  # (p, t) -> existing + committed capacity
    cap_builds: dict[Key, list[int]]  # (p, t) -> start years of the builds online in t
    spend: dict[Key, dict[int, float]]  # (p, t) -> {tau: MUSD per tpa of build[p, tau] spent in t}
    # version 2: outside buyers and stockpiles (formulation 8, 9)
    sell: dict[Key, Sale] = field(default_factory=dict)  # (sale, t)
    stocks: dict[str, Stock] = field(default_factory=dict)
    level: list[Key] = field(default_factory=list)  # (stock, t)
    # lumpy builds (formulation 15): whole units and open/closed builds, keyed like build
    units: list[Key] = field(default_factory=list)
    opened: list[Key] = field(default_factory=list)
    # origin tracking (formulation 14): tag variable family -> key -> upper bound (lp/origin.py)
    origin: dict[str, dict[Key, float | None]] = field(default_factory=dict)
    # rows by family (lp/names.py), soft-policy shortfalls and rows no variable can meet: lp.formulate
    rows: dict[str, dict[Key, Row]] = field(default_factory=dict)
    short: dict[Key, Shortfall] = field(default_factory=dict)  # (policy, supplier, t)
    impossible: list[dict] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # about the study's rows, for the user
    # elastic copies only (diagnose.py): violation variable i relaxes row (family, key)
    violations: list[tuple[str, Key]] = field(default_factory=list)
    refs: VarRefs = field(default_factory=VarRefs)

    @property
    def years(self) -> list[int]:
        return self.horizon.years

    @property
    def df(self) -> dict[int, float]:
        return self.horizon.df

    @property
    def T0(self) -> int:
        return self.horizon.years[0]

    @property
    def T1(self) -> int:
        return self.horizon.years[-1]


# ------------------------------------------------------------------ helpers
def _num(v, default=0.0) -> float:
    return default if v is None or pd.isna(v) else float(v)


def _int(v, default: int) -> int:
    return default if v is None or pd.isna(v) else int(v)


def _limit(v) -> float | None:
    """A blank limit is no limit."""
    return None if pd.isna(v) else float(v)


def file_hash(path: str) -> str:
    p = Path(path)
    return hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else ""


# ------------------------------------------------------------------ derived rules
def build_years(p: Project, years: list[int]) -> list[int]:
    """Start years tau of build[p, tau]: max(T0, earliest_start) <= tau <= T1 - L, if max_new > 0."""
    T0, T1 = years[0], years[-1]
    first, last = max(T0, p.earliest_start), T1 - p.lead
    if p.max_new <= 0 or first > last:
        return []
    # slices of `years` share its int objects: a million year numbers cost nothing extra
    return years[first - T0:last - T0 + 1]


def online_window(p: Project, tau: int, T1: int) -> tuple[int, int]:
    """The years build[p, tau] serves inside the horizon: online(p, tau) .. min(T1, online + lifetime - 1).

    Its length is served(p, tau), the years of life the salvage credit does not repay."""
    on = p.online(tau)
    return on, min(T1, on + p.lifetime - 1)


def capacity_online(p: Project, years: list[int], cap_const: dict, cap_builds: dict) -> None:
    """cap[p, t] = existing [t <= retire] + committed [t >= committed_online]
                 + sum of build[p, tau] over tau with online(p, tau) <= t < online(p, tau) + lifetime.

    Fills `cap_const[(p, t)]` (the constant part, where > 0) and `cap_builds[(p, t)]` (the start
    years of the builds online in t, consecutive)."""
    T0 = years[0]
    for y in years:
        c = p.constant_capacity(y)
        if c > 0:
            cap_const[(p.name, y)] = c
    taus = build_years(p, years)
    if not taus:
        return
    # the builds whose online_window holds y: started in lo..hi (consecutive, so a slice of years)
    first, L, life = taus[0], p.lead, p.lifetime
    for y in years[first + L - T0:]:
        lo, hi = max(first, y - L - life + 1), y - L
        if lo <= hi:
            cap_builds[(p.name, y)] = years[lo - T0:hi - T0 + 1]


def spend_window(p: Project, tau: int) -> tuple[int, int, float]:
    """The capital spend of one tpa of build[p, tau]: (first year, last year, MUSD per year).

    spend[p, t] = capex_p / L_p * sum of build[p, tau] over tau <= t <= tau + L_p - 1   (L_p >= 1)
    spend[p, t] = capex_p * build[p, t]                                                 (L_p = 0)
    """
    if p.lead == 0:
        return tau, tau, p.capex
    return tau, tau + p.lead - 1, p.capex / p.lead


def capital_spend(p: Project, years: list[int], spend: dict) -> None:
    """Fills `spend[(p, t)][tau]`, the MUSD per tpa of build[p, tau] spent in year t (`spend_window`)."""
    T0 = years[0]
    for tau in build_years(p, years):
        first, last, per_year = spend_window(p, tau)
        for y in years[first - T0:last - T0 + 1]:
            spend.setdefault((p.name, y), {})[tau] = per_year


# ------------------------------------------------------------------ the study
def _horizon(s: dict) -> Horizon:
    T0, T1 = int(s["first_year"]), int(s["last_year"])
    years = list(range(T0, T1 + 1))
    base_year = int(s.get("base_year", T0))
    rate = float(s.get("discount_rate", 0.08))
    return Horizon(years=years, base_year=base_year, discount_rate=rate, salvage=bool(s.get("salvage", True)),
                   time_limit=s.get("solver_time_limit_s"),
                   df={y: (1.0 + rate) ** -(y - base_year) for y in years})


def _sheet(t: Tables, name: str) -> pd.DataFrame:
    """A version 2 sheet; absent means empty."""
    return t.frames.get(name, pd.DataFrame())


def _projects(t: Tables, T0: int, T1: int) -> dict[str, Project]:
    # a blank technology stage is a bookkeeping technology: its projects count towards no stage
    tech_stage = {k: (g if isinstance(g, str) else None)
                  for k, g in zip(t["technologies"]["technology"], t["technologies"]["stage"])}
    df = t["projects"].assign(**{c: optional_column(t["projects"], c) for c in
                                 ("ramp_years", "min_output_share", "unit_tpa", "min_build_tpa")})
    return {r["project"]: Project(
        name=r["project"], technology=r["technology"], region=r["region"], stage=tech_stage[r["technology"]],
        existing=_num(r["existing_tpa"]), retire=_int(r["existing_retire_year"], T1 + 10**4),
        committed=_num(r["committed_tpa"]),
        committed_online=None if pd.isna(r["committed_online_year"]) else int(r["committed_online_year"]),
        max_new=_num(r["max_new_tpa"]), capex=_num(r["capex_usd_per_tpa"]) * MUSD,
        fixed_om=_num(r["fixed_om_usd_per_tpa"]) * MUSD, var_cost=_num(r["var_cost_usd_per_t"]) * MUSD,
        lead=_int(r["lead_time_years"], 0), earliest_start=_int(r["earliest_start_year"], T0),
        lifetime=_int(r["lifetime_years"], 25), availability=_num(r["availability"], 1.0),
        ramp_years=_int(r["ramp_years"], 0), min_output=_num(r["min_output_share"]),
        unit=_limit(r["unit_tpa"]), min_build=_limit(r["min_build_tpa"]),
    ) for r in df.to_dict("records")}


def _sales(t: Tables, T0: int, T1: int) -> dict[Key, Sale]:
    sales = per_year(_sheet(t, "sales"), T0, T1)
    if sales.empty:
        return {}
    return dict(sorted(((k, y), Sale(region=r, commodity=c, max=float(mx), price=float(pr) * MUSD)) for k, y, r, c, mx, pr in
                       sales[["sale", "year", "region", "commodity", "max_tpa", "price_usd_per_t"]]
                       .itertuples(index=False)))


def _stocks(t: Tables) -> dict[str, Stock]:
    df = _sheet(t, "stocks")
    return {r["stock"]: Stock(region=r["region"], commodity=r["commodity"], initial=_num(r["initial_t"]),
                              min=_num(r["min_t"]), max=_limit(r["max_t"]), final=_num(r["final_t"]),
                              holding=_num(r["holding_cost_usd_per_t"]) * MUSD)
            for r in df.to_dict("records")}


def build_study(t: Tables) -> Study:
    s = t.settings
    hz = _horizon(s)
    years = hz.years
    T0, T1 = years[0], years[-1]

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
    projects = _projects(t, T0, T1)

    # --- capacity online and capital spend, one project at a time
    build: list[Key] = []
    cap_const: dict[Key, float] = {}
    cap_builds: dict[Key, list[int]] = {}
    spend: dict[Key, dict[int, float]] = {}
    for p in projects.values():
        capacity_online(p, years, cap_const, cap_builds)
        capital_spend(p, years, spend)
        build.extend([(p.name, tau) for tau in build_years(p, years)])
    act = sorted(set(cap_const) | set(cap_builds))

    # --- outside supply, one (offer, year) per year the offer stands
    sup = per_year(t["supply"], T0, T1)
    buy = {(o, y): Offer(region=r, commodity=c, max=_limit(mx), price=_num(pr) * MUSD) for o, y, r, c, mx, pr in
           sup[["offer", "year", "region", "commodity", "max_tpa", "price_usd_per_t"]].itertuples(index=False)}

    # --- routes; a commodity nobody produces or offers anywhere is never shipped
    sources = {c for p in projects.values() for c, a in tech_io[p.technology].items() if a > 0}
    sources |= set(sup["commodity"]) if not sup.empty else set()
    stocks = _stocks(t)
    sources |= {st.commodity for st in stocks.values() if st.initial > 0}
    routes = dated_routes(t["trade"], tuple(regions), tuple(commodities), tuple(years))
    routes = routes[routes["commodity"].isin(sources)]
    flow: dict[Key, Route] = {}
    info: dict[tuple, Route] = {}  # one record per resolved (cost, max), shared by its years
    # columns as plain lists (iterating pandas' nullable arrays cell by cell took half of this function)
    cost = (pd.to_numeric(routes["cost_usd_per_t"]).astype(float).fillna(0.0) * MUSD).tolist()
    cap = pd.to_numeric(routes["max_tpa"]).astype(object).where(routes["max_tpa"].notna(), None).tolist()
    for fr, to, c, y, cost_, cap_ in zip(*(routes[k].tolist() for k in ("from_region", "to_region", "commodity", "year")),
                                         cost, cap):
        r = info.get((fr, to, c, cost_, cap_))
        if r is None:
            r = info[(fr, to, c, cost_, cap_)] = Route(cost=cost_, max=None if cap_ is None else float(cap_))
        flow[(fr, to, c, y)] = r

    # --- demand, unmet demand and the consumption base of policies
    dem = t["demand"]
    dem = dem[(dem["year"] >= T0) & (dem["year"] <= T1) & (dem["quantity_t"] > 0)]
    demand = {(r, c, int(y)): float(q) for r, c, y, q in
              dem[["region", "commodity", "year", "quantity_t"]].itertuples(index=False)}
    default_pen = s.get("unmet_penalty_usd_per_t")
    pen = {c: (v if pd.notna(v) else default_pen) for c, v in
           zip(t["commodities"]["commodity"], t["commodities"]["unmet_penalty_usd_per_t"])}
    unmet = {k: Unmet(max=q, penalty=pen[k[1]] * MUSD) for k, q in demand.items() if pen.get(k[1]) is not None}
    consumption: dict[Key, float] = defaultdict(float)
    for (r, c, y), q in demand.items():
        for (cc, m), v in content.items():
            if cc == c:
                consumption[(r, m, y)] += v * q

    study = Study(
        path=t.path, sha256=file_hash(t.path), horizon=hz, tables=t, projects=projects, tech_io=dict(tech_io),
        content=content, commodity_stage=commodity_stage, demand=demand, consumption=dict(consumption),
        build=build, act=act, buy=dict(sorted(buy.items())), flow=dict(sorted(flow.items())),
        unmet=dict(sorted(unmet.items())), cap_const=cap_const, cap_builds=cap_builds, spend=spend,
        sell=_sales(t, T0, T1), stocks=stocks, level=[(k, y) for k in sorted(stocks) for y in years],
        units=[k for k in build if projects[k[0]].unit], opened=[k for k in build if projects[k[0]].min_build],
    )
    study.refs.add("build", build)
    study.refs.add("act", act)
    from .lp.build import formulate  # the rows are the LP's; results and diagnosis read them off the study
    formulate(study)
    return study
