"""What the result tables mean: tolerances, stage order, policy status, the largest supplier's
share, largest builds, key regions and prices, capital spend per budget. Writers (plan.xlsx,
charts, report, overview) only format what these functions return.

Imports nothing of the model but `schema`, so solver-side modules can import TOL from here.
"""

from __future__ import annotations

import pandas as pd

from .schema import STAGES

# A value counts as non-zero (a flow, a build, a shortfall, a share above its cap) above this;
# relative to max(1, |x|) where a scale is known.
TOL = 1e-6

POLICY_STATUS_COLUMNS = ["policy", "kind", "region", "material", "stage", "year", "share", "achieved_share",
                         "supplier", "shortfall_t", "met", "binding", "binding_suppliers",
                         "shadow_price_usd_per_t"]


# --- stages --------------------------------------------------------------------------------

def stage_key(stage: str) -> tuple[int, str]:
    """Sort key: the supply-chain order of schema.STAGES, unknown stages after, by name."""
    return (STAGES.index(stage) if stage in STAGES else len(STAGES), stage)


def stage_order(stages) -> list[str]:
    return sorted(stages, key=stage_key)


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
    shortfall bought and the highest shadow price."""
    if policies is None or policies.empty:
        return pd.DataFrame(columns=POLICY_STATUS_COLUMNS)
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

def largest_builds(builds: pd.DataFrame | None, n: int = 10) -> pd.DataFrame:
    """New capacity per project (all its start years), largest capital cost first."""
    cols = ["project", "technology", "stage", "region", "first_start_year", "first_online_year",
            "capacity_tpa", "capex_musd"]
    if builds is None or builds.empty:
        return pd.DataFrame(columns=cols)
    g = builds.groupby(["project", "technology", "stage", "region"], sort=True).agg(
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


def key_prices(tables: dict[str, pd.DataFrame], limit: int = 24) -> pd.DataFrame:
    """Commodity prices (USD/t) in the key regions: first year, last year and horizon mean;
    attrs['years'] = (first year, last year)."""
    pr = tables.get("prices")
    if pr is None or pr.empty:
        return pd.DataFrame(columns=["region", "commodity", "first", "last", "mean"])
    regions = key_regions(tables) or sorted(pr["region"].unique())
    pr = pr[pr["region"].isin(regions)]
    y0, y1 = int(pr["year"].min()), int(pr["year"].max())
    by = pr.pivot_table(index=["region", "commodity"], columns="year", values="price_usd_per_t", aggfunc="first")
    df = pd.DataFrame({"first": by.get(y0), "last": by.get(y1),
                       "mean": pr.groupby(["region", "commodity"])["price_usd_per_t"].mean()})
    df = df.reset_index().head(limit)
    df.attrs["years"] = (y0, y1)
    return df
