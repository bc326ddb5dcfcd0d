"""The later sections of report.md and report.html (report.py writes the first ones): budgets,
what it would take (subsidies, minimum-output support), sales and stockpiles, dependence by
origin region by region, supply and unserved demand, chart captions. Names beside ids come from
markup.Namer; what the numbers mean from model.analysis.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..analysis import (ORIGIN_CAVEAT, TOL, capital_subsidies, is_stage, minimum_output_support, origin_dependence,
                        sales_totals, stock_levels)
from .markup import Doc, Namer, median_and_top, musd, num, pct, tonnes, year_ranges
from .markup import user as _u

CHART_CAPTIONS = {
    "capacity_by_stage_region": "Capacity online by stage and region (t/yr of each stage's product); "
                                "the dashed line is the part from new builds.",
    "domestic_shares": "Domestic shares of consumption (solid) against the targets (dashed); "
                       "crosses mark years the target is missed.",
    "capital_spend": "Capital spend per budget against the money available.",
    "commodity_prices": "Commodity prices: the marginal cost of one more tonne in each region (USD/t).",
    "stocks": "Stockpile levels at the end of each year (t).",
}
SUPPORT_SENTENCES = 5  # unbuilt candidates named with their subsidy
MARGIN_NAMES = 8  # candidates named that tie with the plan's choice


def empty(df) -> bool:
    return df is None or df.empty


def budgets(doc: Doc, tables: dict) -> None:
    bud = tables.get("budgets")
    if empty(bud):
        return
    doc.h(2, "Budgets")
    items = []
    for name, g in bud.groupby("budget", sort=True):
        g = g.sort_values("year")
        f = g.iloc[0]
        scope = ", ".join([f["region"] if f["region"] != "*" else "all regions",
                           f["stage"] if f["stage"] != "*" else "all stages"])
        carry = "with carryover" if f["carryover"] == "yes" else "year by year"
        bind = g[g["binding"] == "yes"]
        last = g.iloc[-1]
        if len(bind):
            items.append(f"**{_u(name)}** ({_u(scope)}, {carry}) binds in {year_ranges(bind['year'])}: one more USD "
                         f"of budget would save USD {median_and_top(bind['shadow_price_usd_per_usd'], bind['year'], 3)} "
                         "of cost.")
        else:
            spent = g["spend_musd"].max() if f["carryover"] == "yes" else g["spend_musd"].sum()
            avail = last["available_musd"] if f["carryover"] == "yes" else g["available_musd"].sum()
            items.append(f"**{_u(name)}** ({_u(scope)}, {carry}) does not bind: {musd(spent)} spent of "
                         f"{musd(avail)} available by {int(last['year'])}.")
    doc.ul(items)


def sig3(x: float) -> str:
    """A subsidy to three significant digits (12,345 -> 12,300): a reduced cost is a marginal
    figure, not an accounting one."""
    x = float(x)
    if abs(x) < 1000:
        return num(x)
    return num(round(x, 3 - len(str(int(abs(x))))))


def _support_per_t(r) -> str:
    """Minimum-output support over the years it is needed: one figure, or lowest and highest
    when they are close (within a factor of 2), else the highest and its spread stated."""
    lo, hi = float(r.low_usd_per_t), float(r.high_usd_per_t)
    if num(lo) == num(hi):
        return num(hi)
    return f"{num(lo)} to {num(hi)}" if hi <= 2 * lo else f"up to {num(hi)} (at least {num(lo)})"


def per_kg(x: float) -> str:
    return num(x, 2) if abs(x) >= 0.005 else f"{float(x):.1g}"


def _where(r, n: Namer) -> str:
    """'(US, processing)', or '(US)' for a project without a stage."""
    return f"({n.region(r.region)}, {_u(r.stage)})" if is_stage(r.stage) else f"({n.region(r.region)})"


def support(doc: Doc, tables: dict, n: Namer) -> None:
    """What would it take: the capital subsidy that brings the cheapest unbuilt candidates into the
    plan, and the support per tonne plants need to run at their minimum output (support table)."""
    support = tables.get("support")
    if support is None:
        return
    doc.h(2, "What would it take")
    subs = capital_subsidies(support)
    margin, priced = subs[subs["margin"]], subs[~subs["margin"]]
    mo = minimum_output_support(support)
    if subs.empty and mo.empty:
        doc.p("Every candidate project is built, and no plant needs support to run at its minimum output.")
        return
    if len(priced):
        doc.p("The capital subsidy (a cut in capital cost per t/yr of capacity) that would bring an unbuilt "
              "candidate project into the plan, for the cheapest to bring in; per kg of the output it could make "
              "over its life:")
        doc.ul([f"{n.project(r.project)} {_where(r, n)} would enter the plan with a capital subsidy of "
                f"{sig3(r.subsidy_usd_per_tpa)} USD per tpa ({per_kg(r.subsidy_usd_per_kg)} USD/kg of lifetime "
                f"output), starting {int(r.year)}." for r in priced.head(SUPPORT_SENTENCES).itertuples(index=False)])
    if len(margin):
        names = ", ".join(n.project(p) for p in margin["project"].head(MARGIN_NAMES))
        more = f" and {len(margin) - MARGIN_NAMES} more" if len(margin) > MARGIN_NAMES else ""
        doc.p(f"{len(margin)} unbuilt candidate{'s tie' if len(margin) != 1 else ' ties'} with the plan's choice "
              f"(no subsidy needed: an equally cheap plan could build {'them' if len(margin) != 1 else 'it'}): "
              f"{names}{more}.")
    if len(mo):
        doc.p("Plants whose minimum output (an offtake or take-or-pay level) costs money, with the support per "
              "tonne a contract or price floor would have to pay:")
        doc.ul([f"{n.project(r.project)} {_where(r, n)} needs {_support_per_t(r)} USD/t to run at its contracted "
                f"level in {year_ranges(r.years)}." for r in mo.itertuples(index=False)])


def sales_stocks(doc: Doc, tables: dict, n: Namer) -> None:
    """Tonnes sold to outside buyers and the revenue; stockpile levels and draws."""
    sales, stocks = tables.get("sales"), tables.get("stocks")
    if sales is None and empty(stocks):
        return
    doc.h(2, "Sales and stockpiles")
    if sales is not None:
        st = sales_totals(sales)
        doc.p("The plan sells nothing to outside buyers." if st.empty else "Outside buyers take " + "; ".join(
            f"**{tonnes(r.sold_t)} t** of {n.commodity(r.commodity)} in {n.region(r.region)} ({year_ranges(r.years)}), "
            f"{musd(r.revenue_musd)} of revenue" for r in st.itertuples(index=False)) + " (undiscounted).")
    items, levels = [], stock_levels(stocks)
    unused = levels[(levels["peak_t"] <= TOL) & (levels["initial_t"] <= TOL)]
    if len(unused):
        doc.p(f"{len(unused)} stockpile{'s are' if len(unused) != 1 else ' is'} never filled: "
              f"{', '.join(n.stock(k) for k in unused['stock'])}.")
    for r in levels.drop(unused.index).itertuples(index=False):
        drawn = f"drawn in {year_ranges(r.draw_years)} ({tonnes(r.drawn_t)} t in all)" if r.draw_years \
            else "never drawn"
        items.append(f"**{n.stock(r.stock)}** ({n.commodity(r.commodity)} in {n.region(r.region)}): {tonnes(r.initial_t)} t held "
                     f"before {r.first_year}, {tonnes(r.last_t)} t at the end of {r.last_year}, at most "
                     f"{tonnes(r.peak_t)} t at a year end ({r.peak_year}); {drawn}.")
    doc.ul(items)


STAGE_WORK = {"extraction": "mined", "processing": "refined", "manufacturing": "manufactured"}


def _dependence_item(r, n: Namer) -> str:
    """One consuming region, material and stage: the highest share by origin and, where a cap by
    shipper measures the stage, the share shipped from the same region that year."""
    work = STAGE_WORK.get(r.stage, f"{_u(r.stage)} work")
    held = "held at its origin cap" if r.capped else "no origin cap binds: one of many equally cheap splits"
    text = (f"**{n.region(r.region)} {_u(r.stage)}** ({_u(r.material)}), {r.year}: {pct(r.origin_share)} "
            f"{_u(r.tracked_region)}-{work} by origin ({held}), ")
    if pd.isna(r.shipper_policy):
        return text + "no single-supplier cap by shipper measures this stage."
    text += f"{pct(r.shipped_share)} shipped from {_u(r.tracked_region)}"
    if r.top_shipper_share > TOL and r.top_shipper != r.tracked_region:
        text += f" (largest shipper {n.region(r.top_shipper)} at {pct(r.top_shipper_share)})"
    return text + f", as {n.policy(r.shipper_policy)} counts it."


def origin_detail(doc: Doc, tables: dict, n: Namer) -> None:
    """Dependence by origin (origin.csv) beside dependence by shipper (policies by shipper)."""
    origin = tables.get("origin")
    if origin is None:
        return
    doc.h(2, "Dependence by origin")
    dep = origin_dependence(origin, tables.get("policies"))
    if dep.empty or dep["origin_share"].max() <= TOL:
        doc.p("None of the consumption is traced to the tracked regions' work.")
        return
    doc.p("Whose work is inside what a region consumes (by origin: where the material was mined, refined or "
          "made, whichever way it shipped) beside who ships it (by shipper: the region the imports come from). "
          "The highest share by origin over the horizon, per consuming region and stage:")
    doc.ul([_dependence_item(r, n) for r in dep[dep["origin_share"] > TOL].itertuples(index=False)])
    doc.p(ORIGIN_CAVEAT)


def caption(path: Path, n: Namer) -> str:
    """The caption of a chart file; a supply-mix chart names its region (the path's `subject`,
    set by charts.write_charts, since the file name holds only a slug of it)."""
    stem = Path(path).stem
    if stem.startswith("supply_mix_"):
        region = getattr(path, "subject", None) or stem[len("supply_mix_"):]
        return (f"Supply by stage for {n.region(region)}: imports by supplier as shares of "
                "consumption against the single-supplier cap (dashed).")
    if stem.startswith("origin_"):
        region = getattr(path, "subject", None) or stem[len("origin_"):]
        return (f"What {n.region(region)} consumes, by whose work at each stage: shares of consumption by tracked region "
                "and the untraced rest; where no origin cap binds, one of many equally cheap splits.")
    return CHART_CAPTIONS.get(stem, stem.replace("_", " "))




def supply_demand(doc: Doc, tables: dict, n: Namer) -> None:
    """The largest outside purchases over the horizon and any unserved demand."""
    sup, un = tables.get("supply"), tables.get("unmet")
    if empty(sup) and empty(un):
        return
    doc.h(2, "Supply and demand")
    if not empty(sup):
        top = sup.groupby(["offer", "region", "commodity"], sort=True)["bought_t"].sum().sort_values(
            ascending=False, kind="stable").head(3)
        doc.p("Largest outside purchases over the horizon: " + "; ".join(
            f"{n.offer(o)}, {tonnes(v)} t of {n.commodity(c)} in {n.region(r)}" for (o, r, c), v in top.items()) + ".")
    if not empty(un) and un["unmet_t"].max() > TOL:
        u = un[un["unmet_t"] > TOL]
        doc.p("**Unserved demand**: " + "; ".join(
            f"{tonnes(g['unmet_t'].sum())} t of {n.commodity(c)} in {n.region(r)} ({year_ranges(g['year'])})"
            for (r, c), g in u.groupby(["region", "commodity"], sort=True)) + ", paid at the unmet-demand penalty.")
    elif not empty(un):
        doc.p("All demand is met.")
