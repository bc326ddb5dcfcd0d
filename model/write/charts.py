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
A chart with nothing to show (no policies, no budgets, no prices) is not drawn. Figures are
10 x 5.6 in at 150 dpi (1500 x 840 px), sized to paste into a 16:9 slide.

matplotlib is used through its object API (`Figure`, no pyplot), so nothing global changes
(no backend switch in the caller's process) and nothing needs a display. Text from the workbook
is drawn as it is: mathtext is off while figures are built and saved (a `$` in an id is a
dollar sign, not a formula). File names built from ids are bounded, file-system safe and
unique within a run (`slugs`).
"""

from __future__ import annotations

import hashlib
import re
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd

from ..analysis import TOL, budget_spend, key_regions, policy_status, stage_key, stage_order, staged
from .colours import OTHER, region_colours, series_colours

SIZE = (10.0, 5.6)  # inches, 16:9
DPI = 150
CAP_COLOR = "#c00000"
MAX_LEGEND = 12  # legend entries; the rest are named as a count of others
MAX_PANELS = 6
SLUG_CHARS = 40  # the readable part of a file name made from an id


# --- figure helpers ------------------------------------------------------------------------

def _figure(n_panels: int, title: str, subtitle: str):
    """A figure with n panels in a grid, a title, room for a legend below and a small source line.

    Margins are fixed rather than computed by a layout engine: drawing a figure once instead of
    twice halves the time, and the charts all share one known shape."""
    from matplotlib.figure import Figure

    ncols = 1 if n_panels == 1 else 2 if n_panels in (2, 4) else 3
    nrows = int(np.ceil(n_panels / ncols))
    fig = Figure(figsize=SIZE, dpi=DPI)
    fig.subplots_adjust(left=0.085, right=0.985, top=0.87 if nrows == 1 else 0.885, bottom=0.1,
                        wspace=0.22 if ncols > 1 else 0.0, hspace=0.42)
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    for ax in axes[n_panels:]:
        ax.set_visible(False)
    fig.suptitle(title, fontsize=14, fontweight="bold", y=0.975)
    fig.text(0.005, 0.008, subtitle, fontsize=7, color="#595959", ha="left", va="bottom")
    return fig, list(axes[:n_panels])


def _style(ax, title: str | None = None, ylabel: str | None = None) -> None:
    if title:
        ax.set_title(title, fontsize=11)
    spec = ax.get_subplotspec()
    if ylabel and (spec is None or spec.is_first_col()):  # one axis title per row of panels
        ax.set_ylabel(ylabel, fontsize=10)
    ax.tick_params(labelsize=9)
    ax.grid(axis="y", color="#d9d9d9", linewidth=0.6)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def _years_axis(ax, years) -> None:
    """Whole years on the x axis, as many labels as the panel's width allows."""
    if not len(years):
        return
    spec = ax.get_subplotspec()
    ncols = spec.get_gridspec().ncols if spec is not None else 1
    room = {1: 12, 2: 7}.get(ncols, 5)  # labels that fit side by side in one panel
    step = int(np.ceil(len(years) / room))
    if step > 1 and step < 5:
        step = 2 if step == 2 else 5
    first = min(years)
    if step > 1:  # start on a round year where possible
        first += (-first) % step if (-first) % step < len(years) else 0
    ax.set_xticks([y for y in years if y >= first][::step])
    ax.set_xlim(min(years) - 0.6, max(years) + 0.6)


def _thousands(ax) -> None:
    from matplotlib.ticker import FuncFormatter

    ax.yaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:,.0f}"))


def _percent(ax) -> None:
    from matplotlib.ticker import PercentFormatter

    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))


def _legend(fig, axes, ncol_max: int = 6) -> None:
    """One legend for the figure, below the panels, without duplicates."""
    handles, labels, seen = [], [], set()
    for ax in axes:
        for h, lab in zip(*ax.get_legend_handles_labels()):
            if lab not in seen and not lab.startswith("_"):
                seen.add(lab)
                handles.append(h)
                labels.append(lab)
    if len(handles) > MAX_LEGEND:  # a long legend squashes the plot
        from matplotlib.patches import Patch

        more = len(handles) - MAX_LEGEND + 1
        handles = handles[:MAX_LEGEND - 1] + [Patch(color="white", label=f"... and {more} others")]
        labels = labels[:MAX_LEGEND - 1] + [f"... and {more} others"]
    if handles:
        ncol = min(ncol_max, len(labels))
        rows = int(np.ceil(len(labels) / ncol))
        fig.legend(handles, labels, loc="lower center", bbox_to_anchor=(0.5, 0.03), ncol=ncol, fontsize=9,
                   frameon=False)
        fig.subplots_adjust(bottom=0.1 + 0.042 * rows)  # room for the tick labels and the legend


@contextmanager
def _plain_text():
    """Workbook text is drawn literally: no mathtext (restored afterwards, nothing global)."""
    import matplotlib

    with matplotlib.rc_context({"text.parse_math": False}):
        yield


class ChartPath(type(Path())):
    """The path of a chart file; `subject` is the id it is drawn for (the region of a supply-mix
    chart), since the file name holds only a slug of it."""

    subject: str | None = None


def _save(fig, path: Path, subject: str | None = None) -> ChartPath:
    path.parent.mkdir(parents=True, exist_ok=True)
    with _plain_text():
        fig.savefig(path, dpi=DPI, facecolor="white", metadata={"Software": None})
    out = ChartPath(path)
    out.subject = subject
    return out


def slugs(ids) -> dict[str, str]:
    """id -> a file-name part: ASCII letters, digits and _ . -, at most SLUG_CHARS characters plus,
    when that changed or shortened the id, '-' and 8 hex digits of its SHA-1; unique among the
    ids given even on a case-insensitive file system."""
    out: dict[str, str] = {}
    taken: set[str] = set()
    for text in sorted({str(i) for i in ids}):
        base = re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("_.") or "id"
        slug = base[:SLUG_CHARS]
        digest = hashlib.sha1(text.encode("utf-8")).hexdigest()
        if slug != text or slug.lower() in taken:
            slug = f"{slug}-{digest[:8]}"
        n = 1
        while slug.lower() in taken:  # clashes with a slug taken before (practically never)
            n += 1
            slug = f"{base[:SLUG_CHARS]}-{digest[:8]}-{n}"
        taken.add(slug.lower())
        out[text] = slug
    return out


def _colors(keys) -> dict:
    """Colours of series that are not regions (stages, stocks); regions use region_colours."""
    return series_colours(keys)


def _keep(totals: pd.Series, n: int = 9) -> list:
    """The n largest keys by total (in name order); the rest are drawn together as 'other'."""
    totals = totals[totals.abs() > TOL]
    if len(totals) <= n + 1:
        return sorted(totals.index)
    return sorted(totals.sort_values(ascending=False, kind="stable").index[:n])


def _subtitle(summary: dict) -> str:
    stem = Path(str(summary.get("workbook") or "study")).stem
    return f"reeplan  |  study {stem}  |  scenario {summary.get('scenario', 'base')}  |  status {summary.get('status')}"


def _empty(df: pd.DataFrame | None) -> bool:
    return df is None or df.empty


# --- charts --------------------------------------------------------------------------------

def capacity_figure(capacity: pd.DataFrame | None, summary: dict):
    """Stacked columns of capacity online by region, one panel per stage (bookkeeping projects,
    without a stage, left out)."""
    capacity = staged(capacity)
    if _empty(capacity) or capacity["capacity_tpa"].abs().max() <= TOL:
        return None
    stages = stage_order(capacity["stage"].unique())
    keep = _keep(capacity.groupby("region")["capacity_tpa"].sum())
    capacity = capacity.assign(region=capacity["region"].where(capacity["region"].isin(keep), OTHER))
    regions = keep + ([OTHER] if (capacity["region"] == OTHER).any() else [])
    color = region_colours(regions)
    years = list(range(int(capacity["year"].min()), int(capacity["year"].max()) + 1))
    fig, axes = _figure(len(stages), "Capacity online by stage and region", _subtitle(summary))
    for ax, stage in zip(axes, stages):
        p = capacity[capacity["stage"] == stage].pivot_table(index="year", columns="region", values="capacity_tpa",
                                                             aggfunc="sum", fill_value=0.0).reindex(years,
                                                                                                    fill_value=0.0)
        bottom = np.zeros(len(years))
        for r in regions:
            if r in p.columns and p[r].abs().max() > TOL:
                ax.bar(years, p[r].to_numpy(), bottom=bottom, color=color[r], width=0.8,
                       label="other regions" if r == OTHER else r)
                bottom += p[r].to_numpy()
        new = capacity[(capacity["stage"] == stage)].groupby("year")["new_tpa"].sum().reindex(years, fill_value=0.0)
        if new.abs().max() > TOL:
            ax.plot(years, new.to_numpy(), color="black", linestyle="--", linewidth=1.3, marker=".",
                    label="of which new builds (all regions)")
        _style(ax, stage.capitalize(), "t/yr")
        _years_axis(ax, years)
        _thousands(ax)
    _legend(fig, axes)
    _footnote(fig, "each stage in tonnes per year of its own main product")
    return fig


def _footnote(fig: Figure, text: str) -> None:
    fig.text(0.995, 0.008, text, fontsize=7, color="#595959", ha="right", va="bottom")


def _policy_rows(policies: pd.DataFrame | None, kind: str) -> pd.DataFrame:
    if _empty(policies):
        return pd.DataFrame()
    return policies[policies["kind"] == kind]


def supply_mix_figures(policies: pd.DataFrame | None, summary: dict) -> list[tuple[str, object, str]]:
    """Per policy region (file name, figure, region): share of consumption by supplier per stage
    against the cap."""
    caps = _policy_rows(policies, "max_supplier_share")
    dom = _policy_rows(policies, "min_domestic_share")
    out = []
    if caps.empty:
        return out
    caps = caps[caps["supplier"] != ""]
    keep = _keep(caps.groupby("supplier")["achieved_share"].sum(), n=8)
    caps = caps.assign(supplier=caps["supplier"].where(caps["supplier"].isin(keep), OTHER))
    suppliers = keep + ([OTHER] if (caps["supplier"] == OTHER).any() else [])
    color = region_colours(suppliers)
    slug = slugs(caps["region"].unique())
    for region, rc in caps.groupby("region", sort=True):
        panels = sorted({(m, s) for m, s in zip(rc["material"], rc["stage"])},
                        key=lambda ms: (ms[0], stage_key(ms[1])))[:MAX_PANELS]
        materials = sorted({m for m, _ in panels})
        fig, axes = _figure(len(panels), f"{region}: {', '.join(materials)} supply by stage against the "
                                         "single-supplier cap", _subtitle(summary))
        years = list(range(int(rc["year"].min()), int(rc["year"].max()) + 1))
        for ax, (material, stage) in zip(axes, panels):
            g = rc[(rc["material"] == material) & (rc["stage"] == stage)]
            bottom = np.zeros(len(years))
            d = dom[(dom["region"] == region) & (dom["material"] == material) & (dom["stage"] == stage)]
            if not d.empty:
                ds = d.groupby("year")["achieved_share"].max().reindex(years, fill_value=0.0).to_numpy()
                ax.bar(years, ds, bottom=bottom, color="#4d4d4d", width=0.8,
                       label="domestic output (as its share target counts it)")
                bottom += ds
            for q in suppliers:
                s = g[g["supplier"] == q].groupby("year")["achieved_share"].sum().reindex(years, fill_value=0.0)
                if s.abs().max() > TOL:
                    ax.bar(years, s.to_numpy(), bottom=bottom, color=color[q], width=0.8,
                           label="imports from other suppliers" if q == OTHER else f"imports from {q}")
                    bottom += s.to_numpy()
            for (_, share), gk in g.groupby(["policy", "share"], sort=True):
                yk = sorted(gk["year"].unique())
                ax.hlines(share, min(yk) - 0.45, max(yk) + 0.45, colors=CAP_COLOR, linestyles="--", linewidth=1.8,
                          label=f"cap {share:.0%} on any one supplier")
                status = policy_status(gk)
                over = status[~status["met"]]  # at the largest supplier's share
                if len(over):
                    ax.scatter(over["year"], over["achieved_share"], marker="v", color=CAP_COLOR, zorder=5,
                               label="above the cap (target missed)")
            _style(ax, f"{stage.capitalize()} ({material})", "share of consumption")
            _years_axis(ax, years)
            _percent(ax)
            ax.set_ylim(0, max(1.0, float(bottom.max()) * 1.05))
        _legend(fig, axes, ncol_max=4)
        out.append((f"supply_mix_{slug[str(region)]}.png", fig, str(region)))
    return out


def domestic_share_figure(policies: pd.DataFrame | None, summary: dict):
    """Achieved domestic share per stage (solid) against its target (dashed), per region and material."""
    dom = _policy_rows(policies, "min_domestic_share")
    if dom.empty:
        return None
    groups = sorted({(r, m) for r, m in zip(dom["region"], dom["material"])})[:MAX_PANELS]
    stages = stage_order(dom["stage"].unique())
    color = _colors(stages)
    years = list(range(int(dom["year"].min()), int(dom["year"].max()) + 1))
    fig, axes = _figure(len(groups), "Domestic shares against the targets", _subtitle(summary))
    top = 0.0
    for ax, (region, material) in zip(axes, groups):
        g = dom[(dom["region"] == region) & (dom["material"] == material)]
        for stage in stages:
            gs = g[g["stage"] == stage]
            for _, gk in gs.groupby("policy", sort=True):
                gk = gk.sort_values("year")
                ax.plot(gk["year"], gk["achieved_share"], color=color[stage], linewidth=2.4, marker="o",
                        markersize=4, label=f"{stage} achieved")
                share = gk["share"].iloc[0]
                ax.step(gk["year"], gk["share"], where="mid", color=color[stage], linestyle="--", linewidth=1.4,
                        label=f"{stage} target {share:.0%}")
                status = policy_status(gk)
                missed = status[~status["met"]]
                if len(missed):
                    ax.scatter(missed["year"], missed["achieved_share"], marker="x", s=45, color=CAP_COLOR, zorder=5,
                               label="target missed")
                top = max(top, float(gk["achieved_share"].max()), float(gk["share"].max()))
        _style(ax, f"{region}: share of {material} consumption made at home", "share of consumption")
        _years_axis(ax, years)
        _percent(ax)
    for ax in axes:
        ax.set_ylim(0, min(1.0, top * 1.15 + 0.02) if top < 0.87 else top * 1.05)
    _legend(fig, axes, ncol_max=4)
    return fig


def budget_figure(budgets: pd.DataFrame | None, spend: pd.DataFrame | None, summary: dict):
    """Per budget: annual capital spend of the projects it funds (bars, from the spend table; none
    without it) against the money available; running sums where money carries over."""
    if _empty(budgets):
        return None
    order = budgets.groupby("budget")["available_musd"].max().sort_values(ascending=False, kind="stable")
    names = sorted(order.index[:MAX_PANELS])
    fig, axes = _figure(len(names), "Capital spend against budgets (USD million, money of each year)",
                        _subtitle(summary))
    for ax, name in zip(axes, names):
        g = budgets[budgets["budget"] == name].sort_values("year")
        first = g.iloc[0]
        y0 = int(min(g["year"].min(), spend["year"].min() if not _empty(spend) else g["year"].min()))
        years = list(range(y0, int(g["year"].max()) + 1))
        if spend is not None:
            annual = budget_spend(spend, first["region"], first["stage"], years)
            ax.bar(years, annual.to_numpy(), color="#1f77b4", width=0.7, label="capital spend in the year")
        bind = g[g["binding"] == "yes"]
        carry = first["carryover"] == "yes"
        ax.hlines(g["available_musd"], g["year"] - 0.45, g["year"] + 0.45, colors="black", linewidth=2.2,
                  label="money available to date (with carryover)" if carry else "money available in the year")
        if carry:
            ax.plot(g["year"], g["spend_musd"], color="#ff7f0e", linewidth=1.8, marker="o", markersize=4,
                    label="spend to date")
        yb = bind["spend_musd"]
        if len(bind):
            ax.scatter(bind["year"], yb, marker="o", s=70, facecolors="none", edgecolors=CAP_COLOR, linewidths=1.8,
                       zorder=5, label="budget binds")
        scope = ", ".join(x for x in (first["region"] if first["region"] != "*" else "all regions",
                                      first["stage"] if first["stage"] != "*" else "all stages"))
        _style(ax, f"{name} ({scope})", "USD million")
        _years_axis(ax, years)
        _thousands(ax)
        ax.set_ylim(bottom=0)
    _legend(fig, axes, ncol_max=3)
    return fig


def price_figure(prices: pd.DataFrame | None, tables: dict, summary: dict):
    """Commodity shadow prices per region over time, one panel per commodity."""
    if _empty(prices) or prices["price_usd_per_t"].abs().max() <= TOL:
        return None
    regions = sorted(prices["region"].unique())
    if len(regions) > 6:
        regions = [r for r in key_regions(tables) if r in regions] or regions[:6]
    p = prices[prices["region"].isin(regions)]
    mean = p.groupby("commodity")["price_usd_per_t"].mean()
    commodities = [c for c in mean.sort_values(ascending=False, kind="stable").index
                   if p.loc[p["commodity"] == c, "price_usd_per_t"].abs().max() > TOL][:MAX_PANELS]
    commodities = sorted(commodities)
    if not commodities:
        return None
    color = region_colours(regions)
    years = list(range(int(p["year"].min()), int(p["year"].max()) + 1))
    fig, axes = _figure(len(commodities), "Commodity prices: marginal cost of one more tonne (USD/t)",
                        _subtitle(summary))
    for ax, c in zip(axes, commodities):
        g = p[p["commodity"] == c]
        for r in regions:
            gr = g[g["region"] == r].sort_values("year")
            if len(gr):
                ax.plot(gr["year"], gr["price_usd_per_t"], color=color[r], linewidth=1.8, marker="o", markersize=3,
                        label=r)
        _style(ax, c, "USD/t")
        _years_axis(ax, years)
        _thousands(ax)
        ax.set_ylim(bottom=min(0.0, float(g["price_usd_per_t"].min()) * 1.05))  # from zero: a wobble is no crash
    _legend(fig, axes)
    _footnote(fig, "shadow prices of the commodity balances, undiscounted")
    return fig


def stock_figure(stocks: pd.DataFrame | None, summary: dict):
    """Stockpile levels at each year end, one line per stock (formulation 9)."""
    if _empty(stocks):
        return None
    names = sorted(stocks["stock"].unique())
    color = _colors(names)
    years = list(range(int(stocks["year"].min()), int(stocks["year"].max()) + 1))
    fig, (ax,) = _figure(1, "Stockpile levels at year end (t)", _subtitle(summary))
    for name in names:
        g = stocks[stocks["stock"] == name].sort_values("year")
        first = g.iloc[0]
        ax.plot(g["year"], g["level_t"], color=color[name], linewidth=2.2, marker="o", markersize=4,
                label=f"{name} ({first['commodity']} in {first['region']})")
    _style(ax, None, "t")
    _years_axis(ax, years)
    _thousands(ax)
    ax.set_ylim(bottom=0)
    _legend(fig, [ax], ncol_max=3)
    return fig


def _figures(tables: dict[str, pd.DataFrame], summary: dict) -> list[tuple[str, object, str | None]]:
    """(file name, matplotlib Figure, subject id or None) of every chart with something to show, in order."""
    from .origin_chart import origin_figures  # it imports this module's helpers
    with _plain_text():
        out = [("capacity_by_stage_region.png", capacity_figure(tables.get("capacity"), summary), None),
               *supply_mix_figures(tables.get("policies"), summary),
               ("domestic_shares.png", domestic_share_figure(tables.get("policies"), summary), None),
               ("capital_spend.png", budget_figure(tables.get("budgets"), tables.get("spend"), summary), None),
               ("commodity_prices.png", price_figure(tables.get("prices"), tables, summary), None),
               ("stocks.png", stock_figure(tables.get("stocks"), summary), None),
               *origin_figures(tables, summary)]
    return [x for x in out if x[1] is not None]


def figures(tables: dict[str, pd.DataFrame], summary: dict) -> list[tuple[str, object]]:
    """(file name, matplotlib Figure) of every chart the plan has something to show for, in order."""
    return [(name, fig) for name, fig, _ in _figures(tables, summary)]


def write_charts(folder: Path, tables: dict[str, pd.DataFrame], summary: dict) -> list[ChartPath]:
    """Draw every chart the plan has something to show for into `folder/charts/`; return their paths."""
    out = Path(folder) / "charts"
    return [_save(fig, out / name, subject) for name, fig, subject in _figures(tables, summary)]
