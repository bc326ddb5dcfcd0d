"""An independent re-implementation of the planning LP, written from the contract only.

It reads typed tables (`model.read.read_tables` + `model.validate.validate`) and builds the LP of
formulation.md (version 1, and version 2 sections 8-13) as a sparse matrix handed to highspy
directly: no Pyomo, nothing from model/data.py, model/lp, model/costs.py or model/results.py.
Tests compare its status and objective with `reeplan`'s. Each column carries a name whose last
element is its year (`LP.names`), and `LP.matrix` / `solve_arrays` expose the matrix and a plain
HiGHS solve, so test_stochastic_reference.py can join branches into an extensive form.
`reference_mip_solve` adds the lumpy builds of section 15 (integer `units`, binary `opened`
columns, `LP.integer`) and solves the MIP to the workbook's `mip_gap` (`solve_mip_arrays`).

Where the contract left room, this reading was chosen:
* `ucap` (ramp-up, 10) sums a build only over the years it is online (online <= t < online +
  lifetime), as `cap` does; committed capacity ramps from its online year even when that year is
  before first_year (it is then further up its ramp at first_year).
* Carryover budgets get one row per budget row year, also for years after last_year (all horizon
  spend against all amounts dated <= that year) and before first_year (trivial).
* A budget row without carryover in a year outside the horizon constrains nothing.
* `max_supplier_share` rows are written for every other region q with a route into r in year t
  that carries a stage-g commodity with content of m; a row without such a flow could only be
  met with short = 0 and changes nothing.
* A policy year needs `cons > 0`; a year outside the horizon is ignored; a demand row outside the
  horizon is ignored.
* A trade row naming the same region on both ends is dropped before resolution; wildcard rows
  never cover a region's route to itself.
* Several stockpiles of one (region, commodity) each enter that balance; `final_t` and `min_t`
  both bound the last year's level (the larger wins).
* Minimum output (10) applies to all usable capacity, existing included (ucap as written).
* An unmet-demand or policy penalty of 0 is finite: the row is soft at no cost.
* A technology with a blank stage (12) is in budgets whose stage is `*` only, and in no policy.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import highspy
import numpy as np
import pandas as pd
import scipy.sparse as sp

INF = highspy.kHighsInf
MUSD = 1e-6  # USD -> USD million
STAR = "*"


def blank(v) -> bool:
    return v is None or (not isinstance(v, str) and bool(pd.isna(v)))


def num(v, default=None):
    return default if blank(v) else float(v)


def rows(tables, sheet: str) -> list[dict]:
    """Rows of a sheet as dicts (an absent sheet is empty), in sheet order."""
    df = tables.frames.get(sheet)
    return [] if df is None else df.to_dict("records")


@dataclass
class LP:
    """Columns (cost, bounds) and rows (sparse terms, bounds) with a constant objective term."""

    cost: list = field(default_factory=list)
    lo: list = field(default_factory=list)
    hi: list = field(default_factory=list)
    row_lo: list = field(default_factory=list)
    row_hi: list = field(default_factory=list)
    ri: list = field(default_factory=list)
    ci: list = field(default_factory=list)
    vals: list = field(default_factory=list)
    constant: float = 0.0
    names: list = field(default_factory=list)  # (family, ..., year) of each column: the year comes last
    integer: list = field(default_factory=list)  # columns that take whole values (section 15)

    def var(self, cost=0.0, lo=0.0, hi=INF, name: tuple = ()) -> int:
        self.cost.append(cost)
        self.lo.append(lo)
        self.hi.append(INF if hi is None else hi)
        self.names.append(name)
        return len(self.cost) - 1

    def row(self, terms: dict, lo=-INF, hi=INF) -> None:
        r = len(self.row_lo)
        for c, v in terms.items():
            if v != 0:
                self.ri.append(r)
                self.ci.append(c)
                self.vals.append(v)
        self.row_lo.append(lo)
        self.row_hi.append(hi)

    def matrix(self) -> sp.csc_matrix:
        """The constraint matrix, rows x columns (repeated terms summed)."""
        return sp.csc_matrix((self.vals, (self.ri, self.ci)), shape=(len(self.row_lo), len(self.cost)))

    def solve(self) -> tuple[str, float | None]:
        """('optimal', objective) or ('infeasible', None) (infeasible or unbounded)."""
        return solve_arrays(self.cost, self.lo, self.hi, self.matrix(), self.row_lo, self.row_hi, self.constant)

    def solve_mip(self, mip_gap: float) -> tuple[str, float | None, float | None]:
        """('optimal', objective, dual bound) of the MIP with `integer` columns, to relative gap mip_gap."""
        return solve_mip_arrays(self.cost, self.lo, self.hi, self.matrix(), self.row_lo, self.row_hi, self.constant,
                                self.integer, mip_gap)


def highs_of(cost, lo, hi, a: sp.spmatrix, row_lo, row_hi, constant: float, integer=()) -> highspy.Highs:
    """A quiet Highs holding min cost.x + constant, lo <= x <= hi, row_lo <= a.x <= row_hi (columns in
    `integer` whole)."""
    a = sp.csc_matrix(a)
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = a.shape[1], a.shape[0]
    lp.col_cost_ = np.array(cost, float)
    lp.col_lower_ = np.array(lo, float)
    lp.col_upper_ = np.array(hi, float)
    lp.row_lower_ = np.array(row_lo, float)
    lp.row_upper_ = np.array(row_hi, float)
    lp.offset_ = constant
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = a.indptr
    lp.a_matrix_.index_ = a.indices
    lp.a_matrix_.value_ = a.data
    if len(integer):
        kinds = [highspy.HighsVarType.kContinuous] * a.shape[1]
        for c in integer:
            kinds[c] = highspy.HighsVarType.kInteger
        lp.integrality_ = kinds
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.passModel(lp)
    return h


def outcome(h: highspy.Highs, constant: float) -> tuple[str, float | None]:
    """Status class and objective of a solved Highs (see solve_arrays)."""
    status = h.getModelStatus()
    if status == highspy.HighsModelStatus.kOptimal:
        return "optimal", h.getInfo().objective_function_value
    if status == highspy.HighsModelStatus.kModelEmpty:  # no columns and no rows
        return "optimal", constant
    bad = (highspy.HighsModelStatus.kInfeasible, highspy.HighsModelStatus.kUnbounded,
           highspy.HighsModelStatus.kUnboundedOrInfeasible)
    return ("infeasible" if status in bad else h.modelStatusToString(status)), None


def solve_arrays(cost, lo, hi, a: sp.spmatrix, row_lo, row_hi, constant: float) -> tuple[str, float | None]:
    """Solve min cost.x + constant, lo <= x <= hi, row_lo <= a.x <= row_hi with HiGHS: ('optimal',
    objective) or ('infeasible', None) (infeasible or unbounded)."""
    h = highs_of(cost, lo, hi, a, row_lo, row_hi, constant)
    h.run()
    return outcome(h, constant)


def solve_mip_arrays(cost, lo, hi, a: sp.spmatrix, row_lo, row_hi, constant: float, integer,
                     mip_gap: float) -> tuple[str, float | None, float | None]:
    """As solve_arrays with the `integer` columns whole, solved to relative gap mip_gap (HiGHS measures
    it on the objective with the constant): (status class, objective, dual bound). Without integer
    columns it is the LP, and the bound is the objective."""
    h = highs_of(cost, lo, hi, a, row_lo, row_hi, constant, integer)
    h.setOptionValue("mip_rel_gap", float(mip_gap))
    h.run()
    status, obj = outcome(h, constant)
    if obj is None or not len(integer):
        return status, obj, obj
    return status, obj, h.getInfo().mip_dual_bound


def specific(r: dict) -> int:
    """How many of from_region, to_region and commodity a trade row names."""
    return sum(r[k] != STAR for k in ("from_region", "to_region", "commodity"))


def add(into: dict, terms: dict, scale: float = 1.0) -> dict:
    for c, v in terms.items():
        into[c] = into.get(c, 0.0) + scale * v
    return into


class Reference:
    """The LP of one validated workbook (base case)."""

    def __init__(self, tables):
        self.t = tables
        s = tables.settings
        self.T0, self.T1 = int(s["first_year"]), int(s["last_year"])
        self.years = list(range(self.T0, self.T1 + 1))
        base = s.get("base_year")
        base = self.T0 if blank(base) else int(base)
        rate = num(s.get("discount_rate"), 0.08)
        self.df = {t: (1.0 + rate) ** -(t - base) for t in self.years}
        self.salvage = bool(s.get("salvage", True))
        self.default_penalty = num(s.get("unmet_penalty_usd_per_t"))
        self.lp = LP()
        self.regions = [r["region"] for r in rows(tables, "regions")]
        com = rows(tables, "commodities")
        self.commodities = [c["commodity"] for c in com]
        self.com_stage = {c["commodity"]: (None if blank(c["stage"]) else c["stage"]) for c in com}
        self.penalty = {c["commodity"]: num(c["unmet_penalty_usd_per_t"], self.default_penalty) for c in com}
        self.tech_stage = {r["technology"]: (None if blank(r["stage"]) else r["stage"])
                           for r in rows(tables, "technologies")}
        self.io = defaultdict(dict)  # technology -> commodity -> coefficient
        for r in rows(tables, "tech_io"):
            self.io[r["technology"]][r["commodity"]] = float(r["coefficient"])
        self.content = defaultdict(float)  # (commodity, material) -> t/t
        for r in rows(tables, "content"):
            self.content[r["commodity"], r["material"]] = float(r["t_per_t"])
        self.demand = defaultdict(float)  # (region, commodity, year) -> t
        for r in rows(tables, "demand"):
            if self.T0 <= int(r["year"]) <= self.T1:
                self.demand[r["region"], r["commodity"], int(r["year"])] = float(r["quantity_t"])
        self.balance = defaultdict(dict)  # (region, commodity, year) -> terms
        self.balance_rhs = defaultdict(float)
        for k, v in self.demand.items():
            self.balance_rhs[k] += v

    def window(self, r: dict) -> list[int]:
        """Horizon years of a row's first_year..last_year (blank = the whole horizon)."""
        a = self.T0 if blank(r.get("first_year")) else max(self.T0, int(r["first_year"]))
        b = self.T1 if blank(r.get("last_year")) else min(self.T1, int(r["last_year"]))
        return list(range(a, b + 1))

    # ------------------------------------------------------------------ projects
    def projects(self) -> None:
        self.proj = []
        for r in rows(self.t, "projects"):
            p = self.project(r)
            self.proj.append(p)
            self.project_rows(p)

    def project(self, r: dict) -> dict:
        """One project's numbers, its build and activity columns and its capacity expressions."""
        T0, T1, df, lp = self.T0, self.T1, self.df, self.lp
        p = dict(id=r["project"], tech=r["technology"], region=r["region"], stage=self.tech_stage[r["technology"]],
                 L=int(num(r["lead_time_years"], 0)), life=int(num(r["lifetime_years"], 25)),
                 avail=num(r["availability"], 1.0), capex=num(r["capex_usd_per_tpa"], 0.0) * MUSD,
                 fom=num(r["fixed_om_usd_per_tpa"], 0.0) * MUSD, var=num(r["var_cost_usd_per_t"], 0.0) * MUSD,
                 ramp=int(num(r.get("ramp_years"), 0)), mos=num(r.get("min_output_share"), 0.0))
        rho = lambda x: min(1.0, (x + 1) / (p["ramp"] + 1))  # noqa: E731 - usable share x years after online
        ex, retire = num(r["existing_tpa"], 0.0), r["existing_retire_year"]
        com, online_c = num(r["committed_tpa"], 0.0), r["committed_online_year"]
        p["cap0"], p["ucap0"] = {}, {}  # constant nameplate / usable capacity per year
        for t in self.years:
            e = ex if (blank(retire) or t <= int(retire)) else 0.0
            c = com if (com > 0 and t >= int(online_c)) else 0.0
            p["cap0"][t] = e + c
            p["ucap0"][t] = e + (c * rho(t - int(online_c)) if c else 0.0)
            self.lp.constant += df[t] * p["fom"] * p["cap0"][t]
        es = r["earliest_start_year"]
        first = T0 if blank(es) else max(T0, int(es))
        p["build"] = {}
        if num(r["max_new_tpa"], 0.0) > 0:
            for tau in range(first, T1 - p["L"] + 1):
                p["build"][tau] = lp.var(self.build_cost(p, tau), name=("build", p["id"], tau))
        p["cap"] = {t: {} for t in self.years}
        p["ucap"] = {t: {} for t in self.years}
        for tau, col in p["build"].items():
            on = tau + p["L"]
            for t in range(on, min(T1, on + p["life"] - 1) + 1):
                p["cap"][t][col] = 1.0
                p["ucap"][t][col] = rho(t - on)
        p["act"] = {t: lp.var(df[t] * p["var"], name=("act", p["id"], t)) for t in self.years}
        p["max_new"] = num(r["max_new_tpa"], 0.0)
        return p

    def spend(self, p: dict, tau: int) -> dict[int, float]:
        """Capital spent per year (USD million per tpa) by a build starting in tau."""
        if p["L"] == 0:
            return {tau: p["capex"]}
        return {t: p["capex"] / p["L"] for t in range(tau, tau + p["L"])}

    def build_cost(self, p: dict, tau: int) -> float:
        """Objective coefficient of build[p, tau]: spend, fixed O&M while online, minus salvage."""
        df, on = self.df, tau + p["L"]
        c = sum(df[t] * v for t, v in self.spend(p, tau).items())
        c += sum(df[t] * p["fom"] for t in range(on, min(self.T1, on + p["life"] - 1) + 1))
        if self.salvage:
            served = max(0, min(p["life"], self.T1 - on + 1))
            c -= df[self.T1] * p["capex"] * max(0.0, 1.0 - served / p["life"])
        return c

    def project_rows(self, p: dict) -> None:
        lp = self.lp
        if p["build"]:
            lp.row({c: 1.0 for c in p["build"].values()}, hi=p["max_new"])
        for t in self.years:
            a, u, u0 = p["act"][t], p["ucap"][t], p["ucap0"][t] * p["avail"]
            lp.row(add({a: 1.0}, u, -p["avail"]), hi=u0)  # act <= availability * ucap
            if p["mos"] > 0:
                lp.row(add({a: 1.0}, u, -p["avail"] * p["mos"]), lo=p["mos"] * u0)
            for c, coef in self.io[p["tech"]].items():
                add(self.balance[p["region"], c, t], {a: coef})

    # ------------------------------------------------------------------ supply, sales, stocks, unmet
    def offers(self) -> None:
        for r in rows(self.t, "supply"):
            for t in self.window(r):
                col = self.lp.var(self.df[t] * num(r["price_usd_per_t"], 0.0) * MUSD, hi=num(r["max_tpa"], INF),
                                  name=("buy", r["offer"], t))
                add(self.balance[r["region"], r["commodity"], t], {col: 1.0})

    def sales(self) -> None:
        for r in rows(self.t, "sales"):
            for t in self.window(r):
                col = self.lp.var(-self.df[t] * float(r["price_usd_per_t"]) * MUSD, hi=float(r["max_tpa"]),
                                  name=("sell", r["sale"], t))
                add(self.balance[r["region"], r["commodity"], t], {col: -1.0})

    def stocks(self) -> None:
        for r in rows(self.t, "stocks"):
            lo, hi = num(r["min_t"], 0.0), num(r["max_t"], INF)
            hold, prev = num(r["holding_cost_usd_per_t"], 0.0) * MUSD, None
            key = (r["region"], r["commodity"])
            self.balance_rhs[key + (self.T0,)] -= num(r["initial_t"], 0.0)  # level[T0-1] is a constant
            for t in self.years:
                low = max(lo, num(r["final_t"], 0.0)) if t == self.T1 else lo
                col = self.lp.var(self.df[t] * hold, lo=low, hi=hi, name=("level", r["stock"], t))
                add(self.balance[key + (t,)], {col: -1.0} if prev is None else {col: -1.0, prev: 1.0})
                prev = col

    def unmet(self) -> None:
        for (r, c, t), d in self.demand.items():
            pen = self.penalty[c]
            if pen is not None and d > 0:
                add(self.balance[r, c, t], {self.lp.var(self.df[t] * pen * MUSD, hi=d, name=("unmet", r, c, t)): 1.0})

    # ------------------------------------------------------------------ trade
    def route_table(self) -> dict[tuple, dict]:
        """(from, to, commodity, year) -> the trade row it resolves to (most specific, then first)."""
        trade = [r for r in rows(self.t, "trade")
                 if not (r["from_region"] != STAR and r["from_region"] == r["to_region"])]
        out = {}
        for a in self.regions:
            for b in self.regions:
                if a == b:
                    continue
                for c in self.commodities:
                    cover = [r for r in trade if r["from_region"] in (a, STAR) and r["to_region"] in (b, STAR)
                             and (blank(r["commodity"]) or r["commodity"] in (c, STAR))]
                    for t in self.years:
                        here = [(specific(r), -i, r) for i, r in enumerate(cover) if t in self.window(r)]
                        if here:
                            out[a, b, c, t] = max(here, key=lambda x: x[:2])[2]
        return out

    def trade(self) -> None:
        self.flow = {}
        for (a, b, c, t), r in self.route_table().items():
            col = self.lp.var(self.df[t] * num(r["cost_usd_per_t"], 0.0) * MUSD, hi=num(r["max_tpa"], INF),
                              name=("flow", a, b, c, t))
            self.flow[a, b, c, t] = col
            add(self.balance[b, c, t], {col: 1.0})
            add(self.balance[a, c, t], {col: -1.0})

    def balances(self) -> None:
        for r in self.regions:
            for c in self.commodities:
                for t in self.years:
                    self.lp.row(self.balance.get((r, c, t), {}), lo=self.balance_rhs.get((r, c, t), 0.0))

    # ------------------------------------------------------------------ budgets
    def budgets(self) -> None:
        groups = defaultdict(list)
        for r in rows(self.t, "budgets"):
            groups[r["budget"]].append(r)
        for rs in groups.values():
            region, stage = rs[0]["region"] or STAR, rs[0]["stage"] or STAR
            members = [p for p in self.proj if region in (STAR, p["region"]) and (stage == STAR or p["stage"] == stage)]
            spend = {t: {} for t in range(self.T0, self.T1 + 1)}
            for p in members:
                for tau, col in p["build"].items():
                    for t, v in self.spend(p, tau).items():
                        add(spend[t], {col: v})
            if not blank(rs[0]["carryover"]) and bool(rs[0]["carryover"]):
                for r in rs:
                    y = int(r["year"])
                    terms = {}
                    for t in range(self.T0, min(y, self.T1) + 1):
                        add(terms, spend[t])
                    amount = sum(float(q["amount_musd"]) for q in rs if int(q["year"]) <= y)
                    self.lp.row(terms, hi=amount)
            else:
                for r in rs:
                    if int(r["year"]) in spend:
                        self.lp.row(spend[int(r["year"])], hi=float(r["amount_musd"]))

    # ------------------------------------------------------------------ policies
    def policies(self) -> None:
        for k in rows(self.t, "policies"):
            pen = num(k["penalty_usd_per_t"])
            m, r, g, share = k["material"], k["region"], k["stage"], float(k["share"])
            for t in self.window(k):
                cons = sum(self.content[c, m] * self.demand.get((r, c, t), 0.0) for c in self.commodities)
                if cons == 0:
                    continue
                short = (lambda *q, t=t, pen=pen, kid=k["policy"]:
                         self.lp.var(self.df[t] * pen * MUSD, name=("short", kid, *q, t))) if pen is not None else None
                if k["kind"] == "min_domestic_share":
                    self.domestic(k, m, r, g, t, share * cons, short)
                else:
                    self.supplier(m, r, g, t, share * cons, short)

    def domestic(self, k, m, r, g, t, target, short) -> None:
        terms, const = {}, 0.0
        capacity = (k["basis"] or "output") == "capacity"
        for p in self.proj:
            if p["region"] != r or p["stage"] != g:
                continue
            w = sum(a * self.content[c, m] for c, a in self.io[p["tech"]].items() if a > 0)
            if capacity:
                add(terms, p["ucap"][t], w * p["avail"])
                const += w * p["avail"] * p["ucap0"][t]
            else:
                add(terms, {p["act"][t]: w})
        if short:
            terms[short()] = 1.0
        self.lp.row(terms, lo=target - const)

    def supplier(self, m, r, g, t, target, short) -> None:
        for q in self.regions:
            terms = {self.flow[q, r, c, t]: self.content[c, m] for c in self.commodities
                     if self.com_stage[c] == g and (q, r, c, t) in self.flow and self.content[c, m] > 0}
            if q == r or not terms:
                continue
            if short:
                terms[short(q)] = -1.0
            self.lp.row(terms, hi=target)

    # ------------------------------------------------------------------ lumpy builds (15)
    def lumpy(self) -> None:
        """Whole units (build = unit_tpa * units, units integer) and minimum builds (min_build_tpa *
        opened <= build <= max_new_tpa * opened, opened binary) for each start year of a project that
        sets them; a project setting both gets both."""
        lp = self.lp
        for r, p in zip(rows(self.t, "projects"), self.proj):
            unit, least = num(r.get("unit_tpa")), num(r.get("min_build_tpa"))
            for tau, b in p["build"].items():
                if unit is not None:
                    n = lp.var(name=("units", p["id"], tau))
                    lp.integer.append(n)
                    lp.row({b: 1.0, n: -unit}, lo=0.0, hi=0.0)
                if least is not None:
                    y = lp.var(hi=1.0, name=("opened", p["id"], tau))
                    lp.integer.append(y)
                    lp.row({b: 1.0, y: -least}, lo=0.0)
                    lp.row({b: 1.0, y: -p["max_new"]}, hi=0.0)

    def build_mip(self) -> LP:
        """The LP of `build` with the integer columns of section 15 (LP.integer)."""
        self.build()
        self.lumpy()
        return self.lp

    # ------------------------------------------------------------------ all
    def build(self) -> LP:
        self.projects()
        self.offers()
        self.sales()
        self.stocks()
        self.unmet()
        self.trade()
        self.balances()
        self.budgets()
        self.policies()
        return self.lp


def reference_solve(tables) -> tuple[str, float | None]:
    """Status class ('optimal' or 'infeasible') and full objective (USD million) of the base case."""
    return Reference(tables).build().solve()


def reference_mip_solve(tables) -> tuple[str, float | None, float | None]:
    """Status class, full objective and dual bound (USD million) of the base case with lumpy builds."""
    mip_gap = num(tables.settings.get("mip_gap"), 0.001)
    return Reference(tables).build_mip().solve_mip(mip_gap)
