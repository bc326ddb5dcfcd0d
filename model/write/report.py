"""report.md and report.html: the plan in words, on about one page.

What the plan builds (where, when, how much), what it costs by component, which policy targets
are met or missed and which bind (shadow prices, and the cost each policy adds when the
`policy_costs` table is there), which budgets bind, what it would take (capital subsidies for
unbuilt candidates, support for minimum output), sales and stockpiles when the study has them,
dependence by origin beside dependence by shipper (studies with track_origin), key commodity prices, unserved demand, then the charts. report.md links the PNGs in `charts/`; report.html embeds them (base64), so the
html is one self-contained file to mail or print.

The text is built once as a list of blocks (markup.py) and rendered to both formats; user
text (ids from the workbook) is escaped in both. What the tables mean (met or missed, largest
builds, key prices) comes from model.analysis.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..analysis import (ORIGIN_CAVEAT, TOL, capital_subsidies, has_stage, is_stage, key_prices, largest_builds,
                        minimum_output_support, origin_dependence, policy_rule, policy_status, policy_total_costs,
                        sales_totals, stage_order, stock_levels)
from .markup import Doc, musd, num, pct, price_range, ratio_range, to_html, to_markdown, tonnes, year_ranges
from .markup import user as _u

COMPONENT_WORDS = {
    "capex": "capital spend on new capacity",
    "fixed_om": "fixed operation and maintenance",
    "variable": "variable operating cost",
    "supply": "purchases from outside supply",
    "trade": "freight and tariffs",
    "unmet": "penalty for unserved demand",
    "shortfall": "penalties for missed policy targets",
    "holding": "holding cost of stockpiles",
    "sales": "revenue from outside buyers (a credit)",
    "salvage": "salvage value of late builds (a credit)",
}
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


def _empty(df) -> bool:
    return df is None or df.empty


# --- the plan in words ---------------------------------------------------------------------

def _headline(doc: Doc, tables: dict, summary: dict) -> None:
    stem = Path(str(summary.get("workbook") or "study")).stem
    doc.h(1, f"Plan for {_u(stem)}, scenario {_u(summary.get('scenario', 'base'))}")
    status = summary.get("status")
    obj = summary.get("objective_musd")
    costs = tables.get("costs")
    y0 = int(costs["year"].min()) if not _empty(costs) else None
    y1 = int(costs["year"].max()) if not _empty(costs) else None
    quality = "the least-cost plan" if status == "optimal" else \
        f"the best plan found before the solver stopped (status {_u(status)}, not proven least-cost)"
    comps = summary.get("cost_by_component_musd") or {}
    holding = ", stockpile holding costs" if "holding" in comps else ""
    revenue = " and the revenue from outside buyers" if "sales" in comps else ""
    doc.p(f"Status **{_u(status)}**. Over {y0}-{y1}, {quality} costs **{musd(obj)}** in total"
          f"{f', discounted to {y0}' if y0 else ''}: capital, operating, purchase and freight costs{holding} and "
          f"penalties, less the salvage value of capacity built late in the horizon{revenue}."
          if obj is not None else f"Status **{_u(status)}**.")
    mip = summary.get("mip")
    if mip:  # lumpy builds: say what the prices are conditional on
        doc.p(f"Lumpy builds make this a mixed-integer plan, accepted at a relative gap of "
              f"{pct(mip['relative_gap'], 2)} ({musd(mip['gap_musd'])} from the best bound). Its shadow prices, "
              "commodity prices and the support figures are those of the LP with the integer choices fixed: "
              "they are conditional on this plan.")
    if summary.get("relaxed"):
        doc.p("Lumpy builds (unit_tpa, min_build_tpa) were solved as their LP relaxation (--relax).")


def _build_item(label: str, bs: pd.DataFrame) -> str:
    """New capacity of one stage in words: by region (largest first) and project, online years, capex."""
    by_region = []
    for region, br in bs.groupby("region", sort=True):
        projects = br.groupby("project", sort=True)["capacity_tpa"].sum()
        names = ", ".join(f"{_u(p)} {tonnes(v)}" for p, v in projects.items()) if len(projects) > 1 \
            else _u(projects.index[0])
        by_region.append((br["capacity_tpa"].sum(), f"{_u(region)} {tonnes(br['capacity_tpa'].sum())} t/yr "
                                                    f"({names})"))
    by_region.sort(key=lambda x: -x[0])
    return (f"{label}: {tonnes(bs['capacity_tpa'].sum())} t/yr new, {'; '.join(t for _, t in by_region)}; "
            f"online {year_ranges(bs['online_year'])}, {musd(bs['capex_musd'].sum())}.")


def _stage(stage) -> str:
    return _u(stage) if is_stage(stage) else "none"


def _builds(doc: Doc, tables: dict) -> None:
    doc.h(2, "What the plan builds")
    b = tables.get("builds")
    if _empty(b):
        doc.p("The plan builds no new capacity: existing and committed capacity, outside supply and trade serve "
              "demand.")
        return
    n_projects = b["project"].nunique()
    doc.p(f"It builds **{n_projects} project{'s' if n_projects != 1 else ''}** "
          f"({len(b)} start-year tranche{'s' if len(b) != 1 else ''}), for **{musd(b['capex_musd'].sum())}** of "
          "capital (undiscounted), spread over each project's construction years.")
    stage = has_stage(b["stage"])
    items = [_build_item(f"**{_u(g)}**", b[b["stage"] == g]) for g in stage_order(b["stage"])]
    if not stage.all():  # formulation 12: they count towards no stage
        items.append(_build_item("**no stage** (bookkeeping conversions, counted in no stage's figures)",
                                 b[~stage]))
    doc.ul(items)
    costs = tables.get("costs")
    if not _empty(costs):
        capex = costs[costs["component"] == "capex"]
        if not capex.empty and capex["cost_musd"].max() > TOL:
            peak = capex.loc[capex["cost_musd"].idxmax()]
            doc.p(f"Capital spend peaks in {int(peak['year'])} at {musd(peak['cost_musd'])}.")
    lb = largest_builds(b, 8)
    doc.p(f"The {len(lb)} largest projects by new capacity" + (f" (of {n_projects})" if n_projects > len(lb) else "")
          + ":")
    doc.table(["project", "stage", "region", "starts", "online", "new capacity (t/yr)", "capex (USD million)"],
              [[_u(r.project), _stage(r.stage), _u(r.region), int(r.first_start_year), int(r.first_online_year),
                tonnes(r.capacity_tpa), num(r.capex_musd, 1)] for r in lb.itertuples(index=False)],
              right={3, 4, 5, 6})


def _costs(doc: Doc, summary: dict) -> None:
    doc.h(2, "What it costs")
    comps = {k: v for k, v in (summary.get("cost_by_component_musd") or {}).items() if abs(v) > TOL}
    if not comps:
        doc.p("No cost components.")
        return
    total = sum(comps.values())
    big = max(comps, key=lambda k: comps[k])
    doc.p(f"The largest cost is {COMPONENT_WORDS.get(big, big)}: {musd(comps[big])}"
          f"{f' ({pct(comps[big] / total, 0)} of the total)' if abs(total) > TOL else ''}. Discounted costs:")
    rows = [[COMPONENT_WORDS.get(k, _u(k)), num(v, 1), pct(v / total) if abs(total) > TOL else ""]
            for k, v in comps.items()]
    rows.append(["**total**", f"**{num(total, 1)}**", "**100.0%**" if abs(total) > TOL else ""])
    doc.table(["component", "USD million (discounted)", "share"], rows, right={1, 2})


def _policy_item(k: str, g: pd.DataFrame, pcost: dict[str, float]) -> str:
    """One policy in words: met or missed in which years (status from analysis.policy_status),
    where it binds and at what shadow price, what dropping it would save."""
    f = g.iloc[0]
    rule = policy_rule(f["kind"], f["share"], f["region"], f["material"], f["stage"])
    met_years, miss_years = g.loc[g["met"], "year"], g.loc[~g["met"], "year"]
    last = g.iloc[-1]
    what = "largest supplier at" if f["kind"] == "max_supplier_share" else "achieved"
    parts = [f"**{_u(k)}** ({_u(rule)}):"]
    if len(miss_years):
        short = g["shortfall_t"].sum()
        bought = f"{tonnes(short)} t of {_u(f['material'])} short in all" if short > TOL else \
            "no shortfall bought, the plan breaks the target"
        worst = g.loc[~g["met"], "achieved_share"]
        worst = worst.max() if f["kind"] == "max_supplier_share" else worst.min()
        parts.append((f"met in {year_ranges(met_years)}, " if len(met_years) else "")
                     + f"missed in {year_ranges(miss_years)} ({bought}; {what} {pct(worst)} at worst against "
                     f"{pct(f['share'], 0)}, {pct(last['achieved_share'])} in {int(last['year'])}).")
    else:
        parts.append(f"met in every year ({what} {pct(last['achieved_share'])} in {int(last['year'])}).")
    gb = g[g["binding"]]
    priced = gb[gb["shadow_price_usd_per_t"].fillna(0) > TOL]
    if len(priced):
        who = sorted({s for x in priced["binding_suppliers"] for s in x.split(", ") if s})
        meaning = "what one tonne more of target would cost" if f["kind"] == "min_domestic_share" else \
            "what allowing one tonne less from that supplier would cost"
        top = priced.loc[priced["shadow_price_usd_per_t"].idxmax()]
        parts.append(f"Binds in {year_ranges(priced['year'])}" + (f" for {', '.join(_u(s) for s in who)}" if who else "")
                     + f" at a median shadow price of {num(priced['shadow_price_usd_per_t'].median())} USD per t of "
                     f"{_u(f['material'])} (highest {num(top['shadow_price_usd_per_t'])} in {int(top['year'])}): "
                     f"{meaning}.")
    elif len(gb):
        parts.append(f"Holds exactly in {year_ranges(gb['year'])} but costs nothing at the margin there.")
    if k in pcost:
        parts.append(f"Dropping it would save {musd(pcost[k])} (discounted).")
    return " ".join(parts)


def _policies(doc: Doc, tables: dict) -> list[str]:
    doc.h(2, "Policy targets")
    status = policy_status(tables.get("policies"))
    if status.empty:
        doc.p("The study sets no policy targets (or none has consumption to measure in the horizon).")
        return []
    pcost = policy_total_costs(tables.get("policy_costs"))
    binding = sorted(status.loc[status["binding"], "policy"].unique())
    loose = sorted(set(status["policy"]) - set(binding))
    missed = sorted(status.loc[~status["met"], "policy"].unique())
    n = status["policy"].nunique()
    doc.p((f"{len(binding)} of {n} {'policy binds' if n == 1 else 'policies bind'}: "
           f"**{', '.join(_u(k) for k in binding)}**." if binding else "No policy binds.")
          + (f" Missed in some years (the achieved share is on the wrong side of the target): "
             f"{', '.join(_u(k) for k in missed)}." if missed else " Every target is met in every year."))
    by_policy = {k: g.sort_values("year") for k, g in status.groupby("policy", sort=True)}
    doc.ul([_policy_item(k, by_policy[k], pcost) for k in sorted(set(binding) | set(missed))])
    if loose:
        doc.p(f"Not binding: {', '.join(_u(k) for k in loose)}.")
    if missed:
        doc.p("A shadow price equal to the policy's penalty means the target is not reached and the "
              "shortfall is paid for at that penalty instead.")
    if not pcost:
        doc.p("Run `reeplan solve --policy-costs` to see what each policy adds to the total cost.")
    headers = ["policy", "target", "years met", "achieved, last year", "binding years", "shadow price (USD/t)"]
    if pcost:
        headers.append("cost of the policy (USD million)")
    rows = []
    for k, g in by_policy.items():
        f = g.iloc[0]
        row = [_u(k), ("min " if f["kind"] == "min_domestic_share" else "max per supplier ") + pct(f["share"], 0),
               f"{int(g['met'].sum())} of {len(g)}", pct(g["achieved_share"].iloc[-1]),
               str(int(g["binding"].sum())), price_range(g.loc[g["binding"], "shadow_price_usd_per_t"])
               if g["binding"].any() else "0"]
        if pcost:
            row.append(num(pcost[k], 1) if k in pcost else "")
        rows.append(row)
    doc.table(headers, rows, right={2, 3, 4, 5, 6})
    return binding


def _budgets(doc: Doc, tables: dict) -> None:
    bud = tables.get("budgets")
    if _empty(bud):
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
                         f"of budget would save USD {ratio_range(bind['shadow_price_usd_per_usd'])} of cost.")
        else:
            spent = g["spend_musd"].max() if f["carryover"] == "yes" else g["spend_musd"].sum()
            avail = last["available_musd"] if f["carryover"] == "yes" else g["available_musd"].sum()
            items.append(f"**{_u(name)}** ({_u(scope)}, {carry}) does not bind: {musd(spent)} spent of "
                         f"{musd(avail)} available by {int(last['year'])}.")
    doc.ul(items)


def _prices(doc: Doc, tables: dict) -> None:
    doc.h(2, "Prices, supply and demand")
    kp = key_prices(tables, limit=12)
    sup = tables.get("supply")
    if not _empty(sup):
        top = sup.groupby(["offer", "region", "commodity"], sort=True)["bought_t"].sum().sort_values(
            ascending=False, kind="stable").head(3)
        doc.p("Largest outside purchases over the horizon: " + "; ".join(
            f"{_u(o)} ({_u(c)} in {_u(r)}) {tonnes(v)} t" for (o, r, c), v in top.items()) + ".")
    un = tables.get("unmet")
    if not _empty(un) and un["unmet_t"].max() > TOL:
        u = un[un["unmet_t"] > TOL]
        doc.p("**Unserved demand**: " + "; ".join(
            f"{tonnes(g['unmet_t'].sum())} t of {_u(c)} in {_u(r)} ({year_ranges(g['year'])})"
            for (r, c), g in u.groupby(["region", "commodity"], sort=True)) + ", paid at the unmet-demand penalty.")
    elif not _empty(un):
        doc.p("All demand is met.")
    if not kp.empty:
        y0, y1 = kp.attrs["years"]
        doc.p("Commodity prices below are shadow prices: the cost of serving one more tonne in the region "
              "(USD/t, money of each year).")
        doc.table(["region", "commodity", f"{y0}", f"{y1}", "mean"],
                  [[_u(r.region), _u(r.commodity), price_range([r.first]), price_range([r.last]),
                    price_range([r.mean])] for r in kp.itertuples(index=False)], right={2, 3, 4})


def sig3(x: float) -> str:
    """A subsidy to three significant digits (12,345 -> 12,300): a reduced cost is a marginal
    figure, not an accounting one."""
    x = float(x)
    if abs(x) < 1000:
        return num(x)
    return num(round(x, 3 - len(str(int(abs(x))))))


def per_kg(x: float) -> str:
    return num(x, 2) if abs(x) >= 0.005 else f"{float(x):.1g}"


def _where(r) -> str:
    """'(US, processing)', or '(US)' for a project without a stage."""
    return f"({_u(r.region)}, {_u(r.stage)})" if is_stage(r.stage) else f"({_u(r.region)})"


def _support(doc: Doc, tables: dict) -> None:
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
        doc.ul([f"{_u(r.project)} {_where(r)} would enter the plan with a capital subsidy of "
                f"{sig3(r.subsidy_usd_per_tpa)} USD per tpa ({per_kg(r.subsidy_usd_per_kg)} USD/kg of lifetime "
                f"output), starting {int(r.year)}." for r in priced.head(SUPPORT_SENTENCES).itertuples(index=False)])
    if len(margin):
        names = ", ".join(_u(p) for p in margin["project"].head(MARGIN_NAMES))
        more = f" and {len(margin) - MARGIN_NAMES} more" if len(margin) > MARGIN_NAMES else ""
        doc.p(f"{len(margin)} unbuilt candidate{'s tie' if len(margin) != 1 else ' ties'} with the plan's choice "
              f"(no subsidy needed: an equally cheap plan could build {'them' if len(margin) != 1 else 'it'}): "
              f"{names}{more}.")
    if len(mo):
        doc.p("Plants whose minimum output (an offtake or take-or-pay level) costs money, with the support per "
              "tonne a contract or price floor would have to pay:")
        doc.ul([f"{_u(r.project)} {_where(r)} needs {price_range([r.low_usd_per_t, r.high_usd_per_t])} USD/t "
                f"to run at its contracted level in {year_ranges(r.years)}." for r in mo.itertuples(index=False)])


def _sales_stocks(doc: Doc, tables: dict) -> None:
    """Tonnes sold to outside buyers and the revenue; stockpile levels and draws."""
    sales, stocks = tables.get("sales"), tables.get("stocks")
    if sales is None and _empty(stocks):
        return
    doc.h(2, "Sales and stockpiles")
    if sales is not None:
        st = sales_totals(sales)
        doc.p("The plan sells nothing to outside buyers." if st.empty else "Outside buyers take " + "; ".join(
            f"**{tonnes(r.sold_t)} t** of {_u(r.commodity)} in {_u(r.region)} ({year_ranges(r.years)}), "
            f"{musd(r.revenue_musd)} of revenue" for r in st.itertuples(index=False)) + " (undiscounted).")
    items = []
    for r in stock_levels(stocks).itertuples(index=False):
        drawn = f"drawn in {year_ranges(r.draw_years)} ({tonnes(r.drawn_t)} t in all)" if r.draw_years \
            else "never drawn"
        items.append(f"**{_u(r.stock)}** ({_u(r.commodity)} in {_u(r.region)}): {tonnes(r.initial_t)} t held "
                     f"before {r.first_year}, {tonnes(r.last_t)} t at the end of {r.last_year}, at most "
                     f"{tonnes(r.peak_t)} t at a year end ({r.peak_year}); {drawn}.")
    doc.ul(items)


STAGE_WORK = {"extraction": "mined", "processing": "refined", "manufacturing": "manufactured"}


def _dependence_item(r) -> str:
    """One consuming region, material and stage: the highest share by origin and, where a cap by
    shipper measures the stage, the share shipped from the same region that year."""
    work = STAGE_WORK.get(r.stage, f"{_u(r.stage)} work")
    held = "held at its origin cap" if r.capped else "no origin cap binds: one of many equally cheap splits"
    text = (f"**{_u(r.region)} {_u(r.stage)}** ({_u(r.material)}), {r.year}: {pct(r.origin_share)} "
            f"{_u(r.tracked_region)}-{work} by origin ({held}), ")
    if pd.isna(r.shipper_policy):
        return text + "no single-supplier cap by shipper measures this stage."
    text += f"{pct(r.shipped_share)} shipped from {_u(r.tracked_region)}"
    if r.top_shipper_share > TOL and r.top_shipper != r.tracked_region:
        text += f" (largest shipper {_u(r.top_shipper)} at {pct(r.top_shipper_share)})"
    return text + f", as {_u(r.shipper_policy)} counts it."


def _origin(doc: Doc, tables: dict) -> None:
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
    doc.ul([_dependence_item(r) for r in dep[dep["origin_share"] > TOL].itertuples(index=False)])
    doc.p(ORIGIN_CAVEAT)


def _caption(path: Path) -> str:
    """The caption of a chart file; a supply-mix chart names its region (the path's `subject`,
    set by charts.write_charts, since the file name holds only a slug of it)."""
    stem = Path(path).stem
    if stem.startswith("supply_mix_"):
        region = getattr(path, "subject", None) or stem[len("supply_mix_"):]
        return (f"Supply by stage for {_u(region)}: imports by supplier as shares of "
                "consumption against the single-supplier cap (dashed).")
    if stem.startswith("origin_"):
        region = getattr(path, "subject", None) or stem[len("origin_"):]
        return (f"What {_u(region)} consumes, by whose work at each stage: shares of consumption by tracked region "
                "and the untraced rest; where no origin cap binds, one of many equally cheap splits.")
    return CHART_CAPTIONS.get(stem, stem.replace("_", " "))


def build_report(tables: dict[str, pd.DataFrame], summary: dict, charts: list[Path]) -> tuple[Doc, list[str]]:
    doc = Doc()
    _headline(doc, tables, summary)
    _builds(doc, tables)
    _costs(doc, summary)
    binding = _policies(doc, tables)
    _budgets(doc, tables)
    _support(doc, tables)
    _sales_stocks(doc, tables)
    _origin(doc, tables)
    _prices(doc, tables)
    if charts:
        doc.h(2, "Charts")
        for c in charts:
            doc.img(Path(c), _caption(c))  # c, not Path(c): the caption reads c.subject
    return doc, binding


def write_report(folder: Path, tables: dict[str, pd.DataFrame], summary: dict,
                 charts: list[Path] | None = None) -> list[Path]:
    """Write report.md and report.html into `folder`; return their paths."""
    folder = Path(folder)
    doc, _ = build_report(tables, summary, list(charts or []))
    md, page = folder / "report.md", folder / "report.html"
    md.write_text(to_markdown(doc, folder), encoding="utf-8")
    stem = Path(str(summary.get("workbook") or "study")).stem
    page.write_text(to_html(doc, f"reeplan plan: {stem}, scenario {summary.get('scenario', 'base')}"),
                    encoding="utf-8")
    return [md, page]
