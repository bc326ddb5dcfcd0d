"""What the result tables mean: tolerances, stage order, policy status, the largest supplier's
share, largest builds, key regions and prices, capital spend per budget. Writers (plan.xlsx,
charts, report, overview) only format what these functions return.

Imports nothing of the model but `schema` and `memo`, so solver-side modules can import TOL from here.
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd

from .memo import per_frame
from .schema import STAGES

# A value counts as non-zero (a flow, a build, a shortfall, a share above its cap) above this;
# relative to max(1, |x|) where a scale is known.
TOL = 1e-6

POLICY_STATUS_COLUMNS = ["policy", "kind", "region", "material", "stage", "year", "share", "achieved_share",
                         "supplier", "shortfall_t", "met", "binding", "binding_suppliers",
                         "shadow_price_usd_per_t"]


# --- stages --------------------------------------------------------------------------------

def is_stage(stage) -> bool:
    """Whether a stage cell names a stage: a bookkeeping technology's projects have none (None in
    the tables, NaN or '' read back from CSV) and count towards no stage (formulation 12)."""
    return isinstance(stage, str) and stage.strip() != ""


def has_stage(stages: pd.Series) -> pd.Series:
    """Per row: `is_stage` of the stage column."""
    return stages.map(is_stage).astype(bool)


def staged(df: pd.DataFrame | None) -> pd.DataFrame | None:
    """The rows of a table that count towards a stage (bookkeeping projects left out)."""
    return df if df is None or df.empty else df[has_stage(df["stage"])]


def stage_key(stage) -> tuple[int, str]:
    """Sort key: the supply-chain order of schema.STAGES, unknown stages after, by name; no stage last."""
    if not is_stage(stage):
        return (len(STAGES) + 1, "")
    return (STAGES.index(stage) if stage in STAGES else len(STAGES), stage)


def stage_order(stages) -> list[str]:
    """The stages among these in supply-chain order; blanks (bookkeeping projects) are no stage."""
    return sorted({s for s in stages if is_stage(s)}, key=stage_key)


# --- policies ------------------------------------------------------------------------------

def policy_missed(policies: pd.DataFrame) -> pd.Series:
    """Per row of the policies table: is the target missed?

    Decided from the achieved share against the share (TOL on the share), so a plan that
    breaks a target is never called met even when the solver bought no shortfall for it (tiny
    coefficients it dropped); a bought shortfall counts as missed too. A min_domestic_share row
    is missed below its share, a max_supplier_share row (one per supplier) above it."""
    achieved, share = policies["achieved_share"].astype(float), policies["share"].astype(float)
    is_min = policies["kind"] == "min_domestic_share"
    by_share = (is_min & (achieved < share - TOL)) | (~is_min & (achieved > share + TOL))
    short = policies["shortfall_t"].astype(float).fillna(0.0)
    return by_share | (short > TOL * policies["target_t"].astype(float).abs().clip(lower=1.0))


def _suppliers(policies: pd.DataFrame) -> pd.Series:
    """The supplier column as text, blank for the domestic rows (read back from CSV it may be all NaN)."""
    return policies["supplier"].astype(object).fillna("").astype(str)


def largest_share(policies: pd.DataFrame) -> pd.DataFrame:
    """Per policy and year (index): the achieved share that counts against the target and whose.

    min_domestic_share has one row per year (the domestic share, supplier blank);
    max_supplier_share one per supplier, and the largest supplier's share is what the cap limits."""
    keys = ["policy", "year"]
    p = policies.assign(supplier=_suppliers(policies), achieved_share=policies["achieved_share"].astype(float))
    top = p.sort_values("achieved_share", ascending=False, kind="stable", na_position="last")
    return top.drop_duplicates(keys).set_index(keys).sort_index()[["achieved_share", "supplier"]]


def policy_status(policies: pd.DataFrame | None) -> pd.DataFrame:
    """One row per policy and year: the share that counts against the target (`largest_share`),
    whether the target is met (`policy_missed`), whether it binds, for which suppliers, the
    shortfall bought and the highest shadow price.

    Computed once per policies table (the report, the summary sheet and the chart sheets of one
    run all ask); the frame returned is shared, so read it, never change it in place."""
    if policies is None or policies.empty:
        return pd.DataFrame(columns=POLICY_STATUS_COLUMNS)
    return _policy_status(policies)


@per_frame
def _policy_status(policies: pd.DataFrame) -> pd.DataFrame:
    keys = ["policy", "year"]
    p = policies.assign(missed=policy_missed(policies), is_binding=policies["binding"] == "yes",
                        price=policies["shadow_price_usd_per_t"].astype(float),
                        supplier=_suppliers(policies))
    g = p.groupby(keys, sort=True)
    out = g[["kind", "region", "material", "stage", "share"]].first()
    top = largest_share(p)
    out["achieved_share"] = top["achieved_share"]
    out["supplier"] = top["supplier"]
    out["shortfall_t"] = g["shortfall_t"].sum(min_count=1).fillna(0.0).astype(float)
    out["met"] = ~g["missed"].any()
    out["binding"] = g["is_binding"].any()
    bind = p[p["is_binding"] & (p["supplier"] != "")]
    out["binding_suppliers"] = bind.groupby(keys, sort=True)["supplier"].agg(", ".join).reindex(out.index) \
        .fillna("")
    out["shadow_price_usd_per_t"] = g["price"].max()
    out = out.reset_index()
    out["year"] = out["year"].astype(int)
    out["share"] = out["share"].astype(float)
    return out[POLICY_STATUS_COLUMNS]


def policy_rule(kind: str, share: float, region: str, material: str, stage: str) -> str:
    """The target in words, e.g. 'EU processing at least 40% of NdPr consumption'."""
    if kind == "min_domestic_share":
        return f"{region} {stage} at least {share:.0%} of {material} consumption"
    return f"no single supplier above {share:.0%} of {region} {material} consumption at {stage}"


def policy_total_costs(policy_costs: pd.DataFrame | None) -> dict[str, float]:
    """Policy id -> discounted USD million the policy adds (|x| < TOL shown as 0)."""
    if policy_costs is None or policy_costs.empty:
        return {}
    c = policy_costs.groupby("policy", sort=False)["policy_total_cost_musd"].first()
    return {k: 0.0 if abs(v) < TOL else float(v) for k, v in c.items() if pd.notna(v)}


# --- builds, spend, prices -----------------------------------------------------------------

@per_frame  # the report and the summary sheet both ask
def largest_builds(builds: pd.DataFrame | None, n: int = 10) -> pd.DataFrame:
    """New capacity per project (all its start years), largest capital cost first."""
    cols = ["project", "technology", "stage", "region", "first_start_year", "first_online_year",
            "capacity_tpa", "capex_musd"]
    if builds is None or builds.empty:
        return pd.DataFrame(columns=cols)
    g = builds.groupby(["project", "technology", "stage", "region"], sort=True, dropna=False).agg(
        first_start_year=("start_year", "min"), first_online_year=("online_year", "min"),
        capacity_tpa=("capacity_tpa", "sum"), capex_musd=("capex_musd", "sum")).reset_index()
    g = g.sort_values(["capex_musd", "capacity_tpa", "project"], ascending=[False, False, True], kind="stable")
    return g.head(n)[cols].reset_index(drop=True)


def budget_spend(spend: pd.DataFrame | None, region: str, stage: str, years: list[int]) -> pd.Series:
    """Annual capital spend (USD million, undiscounted) of the projects a budget funds, from the
    spend table; `*` matches every region or stage. Zero in years without spend."""
    if spend is None or spend.empty:
        return pd.Series(0.0, index=years)
    s = spend
    if region != "*":
        s = s[s["region"] == region]
    if stage != "*":
        s = s[s["stage"] == stage]
    return s.groupby("year")["spend_musd"].sum().reindex(years, fill_value=0.0).astype(float)


def key_regions(tables: dict[str, pd.DataFrame]) -> list[str]:
    """Regions whose demand or policies the study is about."""
    regions: set[str] = set()
    un = tables.get("unmet")
    if un is not None and not un.empty:
        regions |= set(un.loc[un["demand_t"] > 0, "region"])
    pol = tables.get("policies")
    if pol is not None and not pol.empty:
        regions |= set(pol["region"])
    return sorted(regions)


PRICE_CLOSE = 0.01  # regions whose prices are this close (of the commodity's highest price) share a row


def key_prices(tables: dict[str, pd.DataFrame], years: list[int], stage: dict | None = None) -> pd.DataFrame:
    """Commodity prices (USD/t) in the key regions in `years` (columns): per commodity, the
    regions whose prices are within PRICE_CLOSE of each other in every one of those years share
    a row (`regions`, a list) showing their median. Rows by stage (`stage`: commodity -> stage),
    then commodity, then the row's first region."""
    pr = tables.get("prices")
    if pr is None or pr.empty or not years:
        return pd.DataFrame(columns=["commodity", "regions", *years])
    regions = key_regions(tables) or sorted(pr["region"].unique())
    pr = pr[pr["region"].isin(regions) & pr["year"].isin(years)]
    wide = pr.pivot_table(index=["commodity", "region"], columns="year", values="price_usd_per_t",
                          aggfunc="first").reindex(columns=years)
    recs = []
    for c, g in wide.groupby(level="commodity", sort=False):
        v = g.to_numpy(dtype=float)  # arrays, not a Series a row: the report and the summary sheet wait on this
        seen = np.abs(v[~np.isnan(v)])
        tol = PRICE_CLOSE * max(float(seen.max()) if seen.size else float("nan"), 1.0)
        groups: list[tuple[list, list]] = []  # (regions, row numbers); a group's first row is its reference
        for i, r in enumerate(g.index.get_level_values("region")):
            near = next((m for m in groups if (np.nan_to_num(np.abs(v[m[1][0]] - v[i])) <= tol).all()), None)
            if near is None:
                groups.append(([r], [i]))
            else:
                near[0].append(r)
                near[1].append(i)
        for members, rows in groups:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # a year blank in every member: nan, as in pandas
                med = np.nanmedian(v[rows], axis=0)
            recs.append({"commodity": c, "regions": members} | dict(zip(years, med.tolist())))
    out = pd.DataFrame.from_records(recs, columns=["commodity", "regions", *years])
    rank = out["commodity"].map(lambda c: stage_key((stage or {}).get(c))[0])
    return out.assign(rank=rank).sort_values(["rank", "commodity"], kind="stable").drop(columns="rank") \
        .reset_index(drop=True)


# --- version 2: support, sales, stockpiles -------------------------------------------------

SUBSIDY_COLUMNS = ["project", "technology", "stage", "region", "year", "subsidy_usd_per_tpa", "subsidy_usd_per_kg"]
MIN_OUTPUT_COLUMNS = ["project", "technology", "stage", "region", "years", "low_usd_per_t", "high_usd_per_t"]


@per_frame  # the report and the summary sheet both ask
def capital_subsidies(support: pd.DataFrame | None) -> pd.DataFrame:
    """The candidate projects not built, cheapest to bring in first (by subsidy per kg of lifetime
    output, then per tpa, then id), with the start year the subsidy is for. Column `margin`: the
    subsidy is zero (|x| <= TOL): the project ties with the plan's choice, an equally cheap plan
    could build it. Rows without a subsidy (no capital to cut) are left out."""
    if support is None or support.empty:
        return pd.DataFrame(columns=SUBSIDY_COLUMNS + ["margin"])
    s = support[(support["kind"] == "capital_subsidy") & support["subsidy_usd_per_tpa"].notna()]
    s = s.assign(subsidy_usd_per_tpa=s["subsidy_usd_per_tpa"].astype(float),
                 subsidy_usd_per_kg=s["subsidy_usd_per_kg"].astype(float), year=s["year"].astype(int))
    s = s.sort_values(["subsidy_usd_per_kg", "subsidy_usd_per_tpa", "project"], kind="stable")
    out = s[SUBSIDY_COLUMNS].reset_index(drop=True)
    out["margin"] = out["subsidy_usd_per_tpa"].abs() <= TOL
    return out


@per_frame  # the report and the summary sheet both ask
def minimum_output_support(support: pd.DataFrame | None) -> pd.DataFrame:
    """Per plant whose minimum-output row has a positive dual (> TOL USD/t): the years it needs
    support (list) and the lowest and highest support in USD per t, highest first."""
    if support is None or support.empty:
        return pd.DataFrame(columns=MIN_OUTPUT_COLUMNS)
    m = support[support["kind"] == "minimum_output"]
    m = m.assign(support_usd_per_t=m["support_usd_per_t"].astype(float))
    m = m[m["support_usd_per_t"] > TOL]
    if m.empty:
        return pd.DataFrame(columns=MIN_OUTPUT_COLUMNS)
    g = m.groupby("project", sort=True)
    out = g[["technology", "stage", "region"]].first()
    out["years"] = g["year"].agg(lambda y: sorted(int(v) for v in y))
    out["low_usd_per_t"] = g["support_usd_per_t"].min()
    out["high_usd_per_t"] = g["support_usd_per_t"].max()
    out = out.reset_index().sort_values(["high_usd_per_t", "project"], ascending=[False, True], kind="stable")
    return out[MIN_OUTPUT_COLUMNS].reset_index(drop=True)


@per_frame  # the report and the summary sheet both ask
def sales_totals(sales: pd.DataFrame | None) -> pd.DataFrame:
    """Per region and commodity: tonnes sold to outside buyers over the horizon, the revenue
    (USD million, undiscounted) and the years with sales."""
    cols = ["region", "commodity", "sold_t", "revenue_musd", "years"]
    if sales is None or sales.empty:
        return pd.DataFrame(columns=cols)
    s = sales.assign(revenue_musd=sales["sold_t"].astype(float) * sales["price_usd_per_t"].astype(float) / 1e6)
    s = s[s["sold_t"].astype(float) > TOL]
    g = s.groupby(["region", "commodity"], sort=True)
    out = g[["sold_t", "revenue_musd"]].sum()
    out["years"] = g["year"].agg(lambda y: sorted(int(v) for v in y))
    return out.reset_index()[cols]


@per_frame  # the report and the summary sheet both ask
def stock_levels(stocks: pd.DataFrame | None) -> pd.DataFrame:
    """Per stockpile: tonnes held before the horizon and at the end of its first and last year,
    the peak (and its first year), and the draws: tonnes taken out over the horizon and the years."""
    cols = ["stock", "region", "commodity", "initial_t", "first_year", "first_t", "last_year", "last_t",
            "peak_t", "peak_year", "drawn_t", "draw_years"]
    if stocks is None or stocks.empty:
        return pd.DataFrame(columns=cols)
    recs = []
    for name, g in stocks.sort_values("year", kind="stable").groupby("stock", sort=True):
        level, change = g["level_t"].astype(float), g["change_t"].astype(float)
        first, last = g.iloc[0], g.iloc[-1]
        draws = change < -TOL
        recs.append({"stock": name, "region": first["region"], "commodity": first["commodity"],
                     "initial_t": float(level.iloc[0] - change.iloc[0]), "first_year": int(first["year"]),
                     "first_t": float(level.iloc[0]), "last_year": int(last["year"]), "last_t": float(level.iloc[-1]),
                     "peak_t": float(level.max()), "peak_year": int(g["year"].iloc[int(level.to_numpy().argmax())]),
                     "drawn_t": float(-change[draws].sum()), "draw_years": [int(y) for y in g.loc[draws, "year"]]})
    return pd.DataFrame.from_records(recs, columns=cols)


# --- origin tracking (formulation 14) -----------------------------------------------------

ORIGIN_CAVEAT = ("Where no origin cap binds, this split is one of many equally cheap ones: the plan is "
                 "indifferent to which units carry the tag, so read it as possible, not as forecast.")
DEPENDENCE_COLUMNS = ["region", "material", "stage", "tracked_region", "year", "origin_share", "capped",
                      "shipper_policy", "shipped_share", "top_shipper", "top_shipper_share"]


def origin_policies(policies: pd.DataFrame | None, origin: pd.DataFrame | None) -> set[str]:
    """Ids of the max_supplier_share policies with basis origin.

    From a `basis` column when the table has one; otherwise recognised by their rows: every
    supplier is a tracked region of origin.csv and every achieved tonnage is the tagged tonnage
    of that region, stage and year (a cap by shipper counts flows, which only match the tags where
    the two readings agree anyway)."""
    if policies is None or policies.empty:
        return set()
    caps = policies[policies["kind"] == "max_supplier_share"]
    if "basis" in caps.columns:
        return set(caps.loc[caps["basis"] == "origin", "policy"])
    if origin is None or origin.empty or caps.empty:
        return set()
    keys = ["region", "material", "stage", "supplier", "year"]
    tags = origin.rename(columns={"tracked_region": "supplier"})[keys + ["tagged_t"]]
    m = caps.assign(supplier=_suppliers(caps)).merge(tags, on=keys, how="left")
    achieved, tagged = m["achieved_t"].astype(float), m["tagged_t"].astype(float)
    m["match"] = tagged.notna() & ((achieved - tagged).abs() <= TOL * achieved.abs().clip(lower=1.0))
    return {k for k, g in m.groupby("policy") if g["match"].all()}


def dependence_regions(origin: pd.DataFrame | None, policies: pd.DataFrame | None) -> list[str]:
    """Consuming regions the dependence statements are about: those of origin.csv with policies,
    else the EU when it consumes tracked material, else all of them."""
    if origin is None or origin.empty:
        return []
    regions = sorted(set(origin["region"]))
    with_policies = [r for r in regions if policies is not None and r in set(policies["region"])]
    return with_policies or (["EU"] if "EU" in regions else regions)


def origin_dependence(origin: pd.DataFrame | None, policies: pd.DataFrame | None) -> pd.DataFrame:
    """Per region of `dependence_regions`, material and stage: the highest share of consumption by
    origin (tracked region, year; the earliest year on a tie), whether an origin cap binds on that
    share (`capped`: else it is one of many equally cheap splits), and, where a max_supplier_share
    by shipper covers the same region, material and stage, the share shipped from that tracked
    region in that year (0 without a route from it) and the largest shipper's share (no name when
    nothing is shipped)."""
    regions = dependence_regions(origin, policies)
    if not regions:
        return pd.DataFrame(columns=DEPENDENCE_COLUMNS)
    o = origin[origin["region"].isin(regions)].assign(origin_share=origin["share"].astype(float).fillna(0.0))
    o = o.assign(rounded=o["origin_share"].round(9), stage_rank=o["stage"].map(lambda s: stage_key(s)[0]))
    top = o.sort_values(["rounded", "year", "tracked_region"], ascending=[False, True, True], kind="stable") \
        .drop_duplicates(["region", "material", "stage"]).sort_values(["region", "material", "stage_rank"])
    caps = policies[policies["kind"] == "max_supplier_share"] if policies is not None and not policies.empty \
        else pd.DataFrame(columns=["policy", "region", "material", "stage", "supplier", "year", "achieved_share",
                                   "binding"])
    by_origin = origin_policies(caps, origin)
    caps = caps.assign(supplier=_suppliers(caps), achieved_share=caps["achieved_share"].astype(float))
    recs = []
    for r in top.itertuples(index=False):
        same = caps[(caps["region"] == r.region) & (caps["material"] == r.material) & (caps["stage"] == r.stage)
                    & (caps["year"] == r.year)]
        mine = same[same["policy"].isin(by_origin)]
        capped = bool(((mine["supplier"] == r.tracked_region) & (mine["binding"] == "yes")).any())
        ship = same[~same["policy"].isin(by_origin)]
        rec = {"region": r.region, "material": r.material, "stage": r.stage, "tracked_region": r.tracked_region,
               "year": int(r.year), "origin_share": r.origin_share, "capped": capped, "shipper_policy": None,
               "shipped_share": None, "top_shipper": None, "top_shipper_share": None}
        if len(ship):
            first = min(ship["policy"])
            p = ship[ship["policy"] == first].sort_values(["achieved_share", "supplier"], ascending=[False, True],
                                                          kind="stable")
            from_q = p.loc[p["supplier"] == r.tracked_region, "achieved_share"]
            rec.update(shipper_policy=first, shipped_share=float(from_q.iloc[0]) if len(from_q) else 0.0,
                       top_shipper=p["supplier"].iloc[0] if p["achieved_share"].iloc[0] > TOL else None,
                       top_shipper_share=float(p["achieved_share"].iloc[0]))
        recs.append(rec)
    return pd.DataFrame.from_records(recs, columns=DEPENDENCE_COLUMNS)


# --- names beside ids ----------------------------------------------------------------------
NAMED = {"regions": "region", "projects": "project", "policies": "policy", "commodities": "commodity",
         "supply": "offer", "stocks": "stock"}


def names_of(tables) -> dict[str, dict[str, str]]:
    """{sheet: {id: full name}} from the workbook's optional name columns, only where a name is
    given and differs from its id (summary.json carries it to the report, charts and diff)."""
    out = {}
    for sheet, key in NAMED.items():
        frames = getattr(tables, "frames", tables)  # a read.Tables or a plain dict of frames
        df = frames.get(sheet)
        if df is None or "name" not in df or df.empty:
            continue
        named = df[df["name"].notna() & (df["name"].astype(str).str.strip() != "")]
        named = named[named["name"].astype(str) != named[key].astype(str)]
        if len(named):
            out[sheet] = dict(zip(named[key].astype(str), named["name"].astype(str)))
    return out


def short_name(name: str) -> str:
    """A full name without its trailing explanation, as the report, summary sheet, diff and charts
    show it: 'sintered NdFeB magnet (any grade; ...)' -> 'sintered NdFeB magnet' (commodity and
    region names carry units and notes)."""
    cut = re.split(r" \(|; |, ", str(name), maxsplit=1)[0].strip()
    return cut or str(name)


def label(key, names: dict | None, short: bool = False) -> str:
    """'Full name (id)', or the id alone when it has no name; `short` gives the name alone."""
    name = (names or {}).get(str(key))
    if not name:
        return str(key)
    return name if short else f"{name} ({key})"


# --- what the writers are told about the study (summary.json) ----------------------------------
COMPONENT_WORDS = {
    "capex": "capital spend on new capacity",
    "fixed_om": "fixed operation and maintenance",
    "variable": "variable operating cost",
    "supply": "purchases from outside supply",
    "trade": "freight and tariffs",
    "unmet": "penalty for unserved demand",
    "shortfall": "penalties for missed policy targets",
    "holding": "holding cost of stockpiles",
    "sales": "revenue from outside buyers, a credit",
    "salvage": "salvage value of late builds, a credit",
}


def component_label(component: str) -> str:
    """A cost component as plan.xlsx and the report both name it: 'freight and tariffs (trade)'."""
    words = COMPONENT_WORDS.get(component)
    return f"{words} ({component})" if words else str(component)


def policy_bases(tables) -> dict[str, str]:
    """Policy id -> basis, for the policies whose basis is not output (capacity or origin)."""
    p = getattr(tables, "frames", tables).get("policies")
    if p is None or p.empty or "basis" not in p:
        return {}
    basis = p["basis"].astype(object).where(p["basis"].notna(), "").astype(str).str.strip()
    keep = (basis != "") & (basis != "output")
    return dict(zip(p.loc[keep, "policy"].astype(str), basis[keep]))


def study_facts(study) -> dict:
    """What summary.json carries of the study for the report, the summary sheet and the diff:
    full names (`names`, only when the workbook gives any), each commodity's stage and content
    (`chain`, dependence.py) and the policies not on the output basis (`policy_basis`)."""
    from .dependence import chain_of

    names = names_of(study.tables)
    return {**({"names": names} if names else {}), "chain": chain_of(study), "policy_basis": policy_bases(study.tables)}
