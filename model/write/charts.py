"""charts/*.png: the plan's pictures for a slide (matplotlib, Agg, no display needed).

    capacity_by_stage_region.png  capacity online per stage, stacked by region, over time
    supply_mix_<region>.png       per policy region with a single-supplier cap: imports by supplier
                                  (and the domestic share, where a target measures it) as shares of
                                  consumption, per stage, against the cap line
    domestic_shares.png           domestic shares per stage against their targets
    capital_spend.png             capital spend per budget (from the spend table) against the
                                  money available
    commodity_prices.png          commodity shadow prices per region over time
    stocks.png                    stockpile levels at year end, one line per stock (when there are stocks)
    origin_<region>.png           consumption by whose work at each stage (origin_chart.py, track_origin)

Targets, caps and budgets come from the plan tables (policies, budgets), never from constants.
A chart with nothing to show (no policies, no budgets, no prices) is not drawn. Regions and
commodities are shown by the names the workbook gives them (summary.json "names"), ids where
it gives none. Layout, bars, legends, names and saving are chart_base.py's. File names built
from ids are bounded, file-system safe and unique within a run (`slugs`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..analysis import TOL, budget_spend, key_regions, policy_status, stage_key, stage_order, staged
from .chart_base import (CAP_COLOR, DPI, MAX_PANELS, SIZE, ChartPath, bars, empty, figure, footnote, keep,
                         legend, named, percent, plain_text, png, recycle, slugs, style, subtitle, thousands,
                         write_png, years_axis)
from .colours import OTHER, region_colours, series_colours

__all__ = ["DPI", "KINDS", "PRICED", "SIZE", "UNPRICED", "ChartPath", "figures", "rendered", "slugs",
           "write_charts"]


def _years(df: pd.DataFrame) -> list[int]:
    return list(range(int(df["year"].min()), int(df["year"].max()) + 1))


def _lump(df: pd.DataFrame, column: str, kept: list) -> tuple[pd.DataFrame, list]:
    """`column` with the keys not kept renamed 'other'; the keys to draw, 'other' last if any."""
    df = df.assign(**{column: df[column].where(df[column].isin(kept), OTHER)})
    return df, kept + ([OTHER] if (df[column] == OTHER).any() else [])


def _missed(policies: pd.DataFrame) -> pd.DataFrame:
    """policy_status's rows of the targets missed (policy, year, achieved_share). Given the whole
    policies table, whose status the run's other outputs computed already (a subset of its rows
    would be a new frame, its status computed again)."""
    status = policy_status(policies)
    return status.loc[~status["met"], ["policy", "year", "achieved_share"]]


def _missed_in(missed: pd.DataFrame, policy, years) -> pd.DataFrame:
    return missed[(missed["policy"] == policy) & missed["year"].isin(years)]


def capacity_figure(capacity: pd.DataFrame | None, summary: dict):
    """Stacked columns of capacity online by region, one panel per stage (bookkeeping projects,
    without a stage, left out)."""
    capacity = staged(capacity)
    if empty(capacity) or capacity["capacity_tpa"].abs().max() <= TOL:
        return None
    stages = stage_order(capacity["stage"].unique())
    capacity, regions = _lump(capacity, "region", keep(capacity.groupby("region")["capacity_tpa"].sum()))
    color, region = region_colours(regions), named(summary, "regions")
    years = _years(capacity)
    online = capacity.pivot_table(index=["stage", "year"], columns="region", values="capacity_tpa", aggfunc="sum",
                                  fill_value=0.0)
    new = capacity.groupby(["stage", "year"])["new_tpa"].sum()
    fig, axes = figure(len(stages), "Capacity online by stage and region", subtitle(summary))
    for ax, stage in zip(axes, stages):
        p = online.loc[stage].reindex(years, fill_value=0.0)
        bottom = np.zeros(len(years))
        for r in regions:
            if r in p.columns and p[r].abs().max() > TOL:
                bottom = bars(ax, years, p[r].to_numpy(), bottom, color[r],
                              "other regions" if r == OTHER else region(r))
        n = new.loc[stage].reindex(years, fill_value=0.0)
        if n.abs().max() > TOL:
            ax.plot(years, n.to_numpy(), color="black", linestyle="--", linewidth=1.3, marker=".",
                    label="of which new builds (all regions)")
        style(ax, stage.capitalize(), "t/yr")
        years_axis(ax, years)
        thousands(ax)
    legend(fig, axes)
    footnote(fig, "each stage in tonnes per year of its own main product")
    return fig


def _policy_rows(policies: pd.DataFrame | None, kind: str) -> pd.DataFrame:
    if empty(policies):
        return pd.DataFrame()
    return policies[policies["kind"] == kind]


def _panels(rc: pd.DataFrame) -> list[tuple[str, str]]:
    """(material, stage) panels of one region's rows, by material then in supply-chain order."""
    return sorted({(m, s) for m, s in zip(rc["material"], rc["stage"])},
                  key=lambda ms: (ms[0], stage_key(ms[1])))[:MAX_PANELS]


def supply_mix_figures(policies: pd.DataFrame | None, summary: dict) -> list[tuple[str, object, str]]:
    """Per policy region (file name, figure, region): share of consumption by supplier per stage
    against the cap."""
    caps = _policy_rows(policies, "max_supplier_share")
    dom = _policy_rows(policies, "min_domestic_share")
    if caps.empty:
        return []
    caps = caps[caps["supplier"] != ""]
    missed = _missed(policies)  # at the largest supplier's share
    caps, suppliers = _lump(caps, "supplier", keep(caps.groupby("supplier")["achieved_share"].sum(), n=8))
    color, region_name = region_colours(suppliers), named(summary, "regions")
    panel = ["region", "material", "stage"]
    shares = caps.pivot_table(index=[*panel, "year"], columns="supplier", values="achieved_share", aggfunc="sum",
                              fill_value=0.0)
    domestic = dom.groupby([*panel, "year"])["achieved_share"].max() if len(dom) else None
    measured = set() if domestic is None else set(domestic.index.droplevel("year"))  # panels with a domestic target
    slug = slugs(caps["region"].unique())
    out = []
    for region, rc in caps.groupby("region", sort=True):
        panels = _panels(rc)
        materials = sorted({m for m, _ in panels})
        fig, axes = figure(len(panels), f"{region_name(region)}: {', '.join(materials)} supply by stage against the "
                                        "single-supplier cap", subtitle(summary))
        years = _years(rc)
        for ax, (material, stage) in zip(axes, panels):
            g = rc[(rc["material"] == material) & (rc["stage"] == stage)]
            bottom = np.zeros(len(years))
            if (region, material, stage) in measured:
                ds = domestic.loc[(region, material, stage)].reindex(years, fill_value=0.0).to_numpy()
                bottom = bars(ax, years, ds, bottom, "#4d4d4d", "domestic output (as its share target counts it)")
            by = shares.loc[(region, material, stage)].reindex(years, fill_value=0.0)
            for q in suppliers:
                if q in by.columns and by[q].abs().max() > TOL:
                    bottom = bars(ax, years, by[q].to_numpy(), bottom, color[q],
                                  "imports from other suppliers" if q == OTHER else f"imports from {region_name(q)}")
            for (policy, share), gk in g.groupby(["policy", "share"], sort=True):
                yk = sorted(gk["year"].unique())
                ax.hlines(share, min(yk) - 0.45, max(yk) + 0.45, colors=CAP_COLOR, linestyles="--", linewidth=1.8,
                          label=f"cap {share:.0%} on any one supplier")
                over = _missed_in(missed, policy, yk)
                if len(over):
                    ax.scatter(over["year"], over["achieved_share"], marker="v", color=CAP_COLOR, zorder=5,
                               label="above the cap (target missed)")
            style(ax, f"{stage.capitalize()} ({material})", "share of consumption")
            years_axis(ax, years)
            percent(ax)
            ax.set_ylim(0, max(1.0, float(bottom.max()) * 1.05))
        legend(fig, axes, ncol_max=4)
        out.append((f"supply_mix_{slug[str(region)]}.png", fig, str(region)))
    return out


def domestic_share_figure(policies: pd.DataFrame | None, summary: dict):
    """Achieved domestic share per stage (solid) against its target (dashed), per region and material."""
    dom = _policy_rows(policies, "min_domestic_share")
    if dom.empty:
        return None
    groups = sorted({(r, m) for r, m in zip(dom["region"], dom["material"])})[:MAX_PANELS]
    stages = stage_order(dom["stage"].unique())
    color, region_name = series_colours(stages), named(summary, "regions")
    missed = _missed(policies)
    fig, axes = figure(len(groups), "Domestic shares against the targets", subtitle(summary))
    top = 0.0
    for ax, (region, material) in zip(axes, groups):
        g = dom[(dom["region"] == region) & (dom["material"] == material)]
        for stage in stages:
            gs = g[g["stage"] == stage]
            for policy, gk in gs.groupby("policy", sort=True):
                gk = gk.sort_values("year")
                ax.plot(gk["year"], gk["achieved_share"], color=color[stage], linewidth=2.4, marker="o",
                        markersize=4, label=f"{stage} achieved")
                share = gk["share"].iloc[0]
                ax.step(gk["year"], gk["share"], where="mid", color=color[stage], linestyle="--", linewidth=1.4,
                        label=f"{stage} target {share:.0%}")
                under = _missed_in(missed, policy, gk["year"])
                if len(under):
                    ax.scatter(under["year"], under["achieved_share"], marker="x", s=45, color=CAP_COLOR, zorder=5,
                               label="target missed")
                top = max(top, float(gk["achieved_share"].max()), float(gk["share"].max()))
        style(ax, f"{region_name(region)}: share of {material} consumption made at home", "share of consumption")
        years_axis(ax, _years(dom))
        percent(ax)
    for ax in axes:
        ax.set_ylim(0, min(1.0, top * 1.15 + 0.02) if top < 0.87 else top * 1.05)
    legend(fig, axes, ncol_max=4)
    return fig


def budget_figure(budgets: pd.DataFrame | None, spend: pd.DataFrame | None, summary: dict):
    """Per budget: annual capital spend of the projects it funds (bars, from the spend table; none
    without it) against the money available; running sums where money carries over."""
    if empty(budgets):
        return None
    order = budgets.groupby("budget")["available_musd"].max().sort_values(ascending=False, kind="stable")
    names = sorted(order.index[:MAX_PANELS])
    region_name = named(summary, "regions")
    fig, axes = figure(len(names), "Capital spend against budgets (USD million, money of each year)",
                       subtitle(summary))
    for ax, name in zip(axes, names):
        g = budgets[budgets["budget"] == name].sort_values("year")
        first = g.iloc[0]
        y0 = int(min(g["year"].min(), spend["year"].min() if not empty(spend) else g["year"].min()))
        years = list(range(y0, int(g["year"].max()) + 1))
        if spend is not None:
            annual = budget_spend(spend, first["region"], first["stage"], years)
            bars(ax, years, annual.to_numpy(), np.zeros(len(years)), "#1f77b4", "capital spend in the year", width=0.7)
        bind = g[g["binding"] == "yes"]
        carry = first["carryover"] == "yes"
        ax.hlines(g["available_musd"], g["year"] - 0.45, g["year"] + 0.45, colors="black", linewidth=2.2,
                  label="money available to date (with carryover)" if carry else "money available in the year")
        if carry:
            ax.plot(g["year"], g["spend_musd"], color="#ff7f0e", linewidth=1.8, marker="o", markersize=4,
                    label="spend to date")
        if len(bind):
            ax.scatter(bind["year"], bind["spend_musd"], marker="o", s=70, facecolors="none", edgecolors=CAP_COLOR,
                       linewidths=1.8, zorder=5, label="budget binds")
        scope = ", ".join((region_name(first["region"]) if first["region"] != "*" else "all regions",
                           first["stage"] if first["stage"] != "*" else "all stages"))
        style(ax, f"{name} ({scope})", "USD million")
        years_axis(ax, years)
        thousands(ax)
        ax.set_ylim(bottom=0)
    legend(fig, axes, ncol_max=3)
    return fig


def price_figure(prices: pd.DataFrame | None, tables: dict, summary: dict):
    """Commodity shadow prices per region over time, one panel per commodity."""
    if empty(prices) or prices["price_usd_per_t"].abs().max() <= TOL:
        return None
    regions = sorted(prices["region"].unique())
    if len(regions) > 6:
        regions = [r for r in key_regions(tables) if r in regions] or regions[:6]
    p = prices[prices["region"].isin(regions)]
    mean = p.groupby("commodity")["price_usd_per_t"].mean()
    peak = p["price_usd_per_t"].abs().groupby(p["commodity"]).max()
    commodities = sorted([c for c in mean.sort_values(ascending=False, kind="stable").index
                          if peak[c] > TOL][:MAX_PANELS])
    if not commodities:
        return None
    color, region_name, commodity = region_colours(regions), named(summary, "regions"), named(summary, "commodities")
    years = _years(p)
    fig, axes = figure(len(commodities), "Commodity prices: marginal cost of one more tonne (USD/t)",
                       subtitle(summary))
    for ax, c in zip(axes, commodities):
        g = p[p["commodity"] == c].sort_values("year", kind="stable")
        lines = list(g.groupby("region", sort=True))
        for i, (r, gr) in enumerate(lines):  # regions at the same price: the lines drawn first are wider
            wide = (len(lines) - 1 - i) / max(len(lines) - 1, 1)
            ax.plot(gr["year"], gr["price_usd_per_t"], color=color[r], linewidth=1.5 + 2.5 * wide, marker="o",
                    markersize=3 + 2 * wide, label=region_name(r))
        style(ax, commodity(c), "USD/t")
        years_axis(ax, years)
        thousands(ax)
        ax.set_ylim(bottom=min(0.0, float(g["price_usd_per_t"].min()) * 1.05))  # from zero: a wobble is no crash
    legend(fig, axes)
    footnote(fig, "shadow prices of the commodity balances, undiscounted")
    return fig


def stock_figure(stocks: pd.DataFrame | None, summary: dict):
    """Stockpile levels at each year end, one line per stock (formulation 9)."""
    if empty(stocks):
        return None
    names = sorted(stocks["stock"].unique())
    color, region_name, commodity = series_colours(names), named(summary, "regions"), named(summary, "commodities")
    fig, (ax,) = figure(1, "Stockpile levels at year end (t)", subtitle(summary))
    for name, g in stocks.sort_values("year", kind="stable").groupby("stock", sort=True):
        first = g.iloc[0]
        ax.plot(g["year"], g["level_t"], color=color[name], linewidth=2.2, marker="o", markersize=4,
                label=f"{name} ({commodity(first['commodity'])} in {region_name(first['region'])})")
    style(ax, None, "t")
    years_axis(ax, _years(stocks))
    thousands(ax)
    ax.set_ylim(bottom=0)
    legend(fig, [ax], ncol_max=3)
    return fig


# The kinds of chart, in the order they are drawn and shown. Only the price chart needs the
# plan's shadow prices: the others can be drawn from its values before the duals of a
# mixed-integer plan are computed (pipeline.py).
KINDS = ("capacity", "supply_mix", "domestic", "budget", "prices", "stocks", "origin")
PRICED = ("prices",)
UNPRICED = tuple(k for k in KINDS if k not in PRICED)
VALUE_TABLES = ("capacity", "policies", "budgets", "spend", "stocks", "origin")  # the tables UNPRICED charts read


def _makers(tables: dict[str, pd.DataFrame], summary: dict) -> dict:
    """kind -> a function making its (file name, Figure or None, subject id or None)."""
    from .origin_chart import origin_figures

    return {"capacity": lambda: [("capacity_by_stage_region.png", capacity_figure(tables.get("capacity"), summary),
                                  None)],
            "supply_mix": lambda: supply_mix_figures(tables.get("policies"), summary),
            "domestic": lambda: [("domestic_shares.png", domestic_share_figure(tables.get("policies"), summary),
                                  None)],
            "budget": lambda: [("capital_spend.png", budget_figure(tables.get("budgets"), tables.get("spend"),
                                                                   summary), None)],
            "prices": lambda: [("commodity_prices.png", price_figure(tables.get("prices"), tables, summary), None)],
            "stocks": lambda: [("stocks.png", stock_figure(tables.get("stocks"), summary), None)],
            "origin": lambda: origin_figures(tables, summary)}


def _figures(tables: dict[str, pd.DataFrame], summary: dict,
             kinds=KINDS) -> list[tuple[str, object, str | None, str]]:
    """(file name, matplotlib Figure, subject id or None, kind) of every chart of `kinds` with
    something to show, in order."""
    makers = _makers(tables, summary)
    with plain_text():
        out = [(name, fig, subject, kind) for kind in kinds for name, fig, subject in makers[kind]()]
    return [x for x in out if x[1] is not None]


def figures(tables: dict[str, pd.DataFrame], summary: dict) -> list[tuple[str, object]]:
    """(file name, matplotlib Figure) of every chart the plan has something to show for, in order."""
    return [(name, fig) for name, fig, _, _ in _figures(tables, summary)]


def rendered(tables: dict[str, pd.DataFrame], summary: dict, kinds=KINDS) -> list[tuple[str, bytes, str | None, str]]:
    """(file name, PNG, subject id or None, kind) of every chart of `kinds` the plan has something
    to show for, in order, drawn in memory."""
    out = []
    for name, fig, subject, kind in _figures(tables, summary, kinds):
        out.append((name, png(fig), subject, kind))
        recycle(fig)  # in a batch worker the next scenario draws on it
    return out


def write_charts(folder: Path, tables: dict[str, pd.DataFrame], summary: dict, kinds=KINDS,
                 ahead: list | None = None) -> list[ChartPath]:
    """Draw every chart of `kinds` the plan has something to show for into `folder/charts/`, with
    the charts of other kinds drawn ahead (`rendered`: from the plan's values, before its shadow
    prices existed); return the paths in the order of KINDS."""
    charts = sorted([*(ahead or []), *rendered(tables, summary, kinds)], key=lambda c: KINDS.index(c[3]))
    return [write_png(data, Path(folder) / "charts" / name, subject) for name, data, subject, _ in charts]
