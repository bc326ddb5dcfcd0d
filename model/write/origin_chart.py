"""charts/origin_<region>.png: what a region consumes, by whose work at each stage (origin.csv,
only for studies with settings track_origin; formulation 14).

One figure per consuming region with tracked consumption, one panel per material and stage
(extraction, processing, manufacturing): stacked columns of the share of the region's
consumption of the material whose work at that stage was done in each tracked region, and the
untraced rest (work done elsewhere, or in regions not tracked); an origin cap on the panel's
stage is drawn as a dashed line. Where no origin cap binds the split is one of many equally
cheap ones, and every figure says so. Helpers (layout, bars, names, file-name slugs) are chart_base.py's.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..analysis import TOL, origin_policies, stage_key
from .chart_base import (CAP_COLOR, MAX_PANELS, bars, figure, footnote, keep, legend, named, percent, slugs, style,
                         subtitle, years_axis)
from .colours import OTHER, region_colours

REST_COLOR = "#d9d9d9"
INDIFFERENT = "one of many equally cheap splits where no origin cap binds"


def _caps(policies: pd.DataFrame | None, origin: pd.DataFrame) -> pd.DataFrame:
    """The rows of origin caps (max_supplier_share, basis origin)."""
    if policies is None or policies.empty:
        return pd.DataFrame(columns=["policy", "region", "material", "stage", "share", "year"])
    return policies[policies["policy"].isin(origin_policies(policies, origin))]


def _panel(ax, by: pd.DataFrame, has: np.ndarray, years: list[int], tracked: list, color: dict, caps: pd.DataFrame,
           region_name) -> None:
    """Stacked shares by tracked region over the years (`by`: year x tracked region), the untraced
    rest on top in the years with consumption (`has`), origin caps dashed."""
    bottom = np.zeros(len(years))
    for q in tracked:
        if q in by.columns and by[q].abs().max() > TOL:
            bottom = bars(ax, years, by[q].to_numpy(), bottom, color[q],
                          "work in other tracked regions" if q == OTHER else f"work done in {region_name(q)}")
    bars(ax, years, np.where(has, np.clip(1.0 - bottom, 0.0, None), 0.0), bottom, REST_COLOR, "untraced (work elsewhere)")
    for (_, share), gk in caps.groupby(["policy", "share"], sort=True):
        yk = sorted(gk["year"].unique())
        ax.hlines(share, min(yk) - 0.45, max(yk) + 0.45, colors=CAP_COLOR, linestyles="--", linewidth=1.8,
                  label=f"origin cap {share:.0%} per tracked region")
    ax.set_ylim(0, 1.05)


def origin_figures(tables: dict[str, pd.DataFrame], summary: dict) -> list[tuple[str, object, str]]:
    """(file name, figure, region) per consuming region with tracked consumption."""
    origin = tables.get("origin")
    if origin is None or origin.empty:
        return []
    origin = origin.assign(share=origin["share"].astype(float).fillna(0.0))
    caps = _caps(tables.get("policies"), origin)
    kept = keep(origin.groupby("tracked_region")["tagged_t"].sum(), n=8)
    origin = origin.assign(tracked_region=origin["tracked_region"].where(origin["tracked_region"].isin(kept), OTHER))
    tracked = kept + ([OTHER] if (origin["tracked_region"] == OTHER).any() else [])
    color, region_name = region_colours(tracked), named(summary, "regions")
    years = list(range(int(origin["year"].min()), int(origin["year"].max()) + 1))
    totals = origin.groupby("region")["tagged_t"].sum()
    regions = sorted(totals[totals > TOL].index)
    slug = slugs(regions)
    panel = ["region", "material", "stage"]  # one pivot for every panel of every figure
    shares = origin.pivot_table(index=[*panel, "year"], columns="tracked_region", values="share", aggfunc="sum",
                                fill_value=0.0)
    consumed = origin.groupby([*panel, "year"])["consumption_t"].max()
    traced = set(shares.index.droplevel("year"))
    out = []
    for region in regions:
        rc = origin[origin["region"] == region]
        panels = sorted({(m, s) for m, s in zip(rc["material"], rc["stage"])},
                        key=lambda ms: (ms[0], stage_key(ms[1])))[:MAX_PANELS]
        fig, axes = figure(len(panels), f"{region_name(region)}: what it consumes, by whose work at each stage",
                           subtitle(summary))
        for ax, (material, stage) in zip(axes, panels):
            key = (region, material, stage)
            c = caps[(caps["region"] == region) & (caps["material"] == material) & (caps["stage"] == stage)]
            has = consumed.loc[key].reindex(years, fill_value=0.0).to_numpy() > 0
            by = shares.loc[key] if key in traced else pd.DataFrame(index=years)  # all untraced
            _panel(ax, by.reindex(years, fill_value=0.0), has, years, tracked, color, c, region_name)
            style(ax, f"{stage.capitalize()} ({material})", "share of consumption")
            years_axis(ax, years)
            percent(ax)
        legend(fig, axes, ncol_max=4)
        footnote(fig, INDIFFERENT)
        out.append((f"origin_{slug[str(region)]}.png", fig, str(region)))
    return out
