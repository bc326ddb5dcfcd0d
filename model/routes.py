"""Trade routes: the trade sheet's rows resolved into one route per (from, to, commodity) triple
and year (workbook trade rules; formulation 4 and 11)."""

from __future__ import annotations

import pandas as pd

from .memo import per_frame
from .read import optional_column
from .schema import WILDCARD


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


@per_frame
def dated_routes(trade: pd.DataFrame, regions: tuple[str, ...], commodities: tuple[str, ...],
                 years: tuple[int, ...]) -> pd.DataFrame:
    """Routes by year (formulation 11): each year resolves among the trade rows whose
    first_year..last_year window holds it (`resolve_routes`). Columns as resolve_routes, plus year.
    Once per trade table (memo.per_frame: the scenarios of a batch that leave it alone share it)."""
    regions, commodities, years = list(regions), list(commodities), list(years)
    fy, ly = optional_column(trade, "first_year"), optional_column(trade, "last_year")
    if fy.isna().all() and ly.isna().all():  # no dated row: one resolution serves every year
        routes = resolve_routes(trade, regions, commodities)
        return routes.merge(pd.DataFrame({"year": years}), how="cross")
    lo, hi = fy.fillna(years[0]).to_numpy(), ly.fillna(years[-1]).to_numpy()
    parts, active, start = [], None, None
    for y in years + [None]:  # consecutive years with the same rows in force resolve once
        now = None if y is None else tuple(((lo <= y) & (y <= hi)).tolist())
        if now != active:
            if active is not None and any(active):
                routes = resolve_routes(trade[list(active)], regions, commodities)
                parts.append(routes.merge(pd.DataFrame({"year": range(start, y if y else years[-1] + 1)}), how="cross"))
            active, start = now, y
    cols = ["from_region", "to_region", "commodity", "cost_usd_per_t", "max_tpa", "year"]
    return pd.concat(parts, ignore_index=True)[cols] if parts else pd.DataFrame(columns=cols)
