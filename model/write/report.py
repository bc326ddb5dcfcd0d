"""report.md and report.html: the plan in words, on a few pages, leading with what a minister's
adviser asks (issue 18):

1. what it costs, in total and by component (named as in plan.xlsx);
2. how dependent on China the consuming regions remain, by stage (mining, separation and
   refining, magnet making), by shipper and, where origin is tracked, by origin, in the key years
   (dependence.py);
3. each target met or missed and what it costs (shadow price as a median and its highest year,
   and the re-solve cost with --policy-costs);
4. what the plan builds, counted as projects, with capacity and online years;
5. prices in the key years;

then supply and demand, budgets, what it would take, sales and stockpiles, dependence by origin
region by region (report_sections.py) and the charts. Names stand beside ids (markup.Namer).
report.md links the PNGs in `charts/`; report.html embeds them (base64), one file to mail or print.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..analysis import (TOL, component_label, has_stage, is_stage, key_prices, largest_builds, policy_rule, policy_status,
                        policy_total_costs, stage_order)
from ..dependence import STAGE_WORDS, by_origin, by_shipper, consuming_regions, key_years, shares, stage_words, top_shippers
from . import report_sections as sections
from .markup import Doc, Namer, median_and_top, musd, num, pct, to_html, to_markdown, tonnes, year_ranges
from .report_sections import sig3  # noqa: F401 - tests and callers import it from here
from .markup import user as _u

BUILD_ROWS = 25  # projects listed; more are counted, not listed
PRICE_ROWS = 20


def _horizon(tables: dict) -> list[int]:
    costs = tables.get("costs")
    return sorted(int(y) for y in costs["year"].unique()) if not sections.empty(costs) else []


# --- 0. title and the plan at a glance ----------------------------------------------------------

def _glance(doc: Doc, tables: dict, summary: dict, n: Namer, ctx: dict) -> None:
    stem = Path(str(summary.get("workbook") or "study")).stem
    doc.h(1, f"Plan for {_u(stem)}, scenario {_u(summary.get('scenario', 'base'))}")
    status, obj, years = summary.get("status"), summary.get("objective_musd"), ctx["horizon"]
    if obj is None or not years:
        doc.p(f"Status **{_u(status)}**.")
        return
    quality = "the least-cost plan" if status == "optimal" else \
        f"the best plan found before the solver stopped (status {_u(status)}, not proven least-cost)"
    comps = {k: v for k, v in (summary.get("cost_by_component_musd") or {}).items() if abs(v) > TOL}
    items = [f"**Cost**: {musd(obj)} over {years[0]}-{years[-1]}, discounted to {years[0]}"
             + (f"; the largest part is {component_label(max(comps, key=comps.get))}: "
                f"{musd(max(comps.values()))}." if comps else ".")]
    dep = ctx["shipper"]
    if not dep.empty:
        y = ctx["years"][-1]
        items.append(f"**Dependence on China** in {y}, share of the consuming regions' consumption shipped from "
                     f"China: {_dependence_words(dep, y)}" + (f"; by origin (whose work it is): "
                                                              f"{_dependence_words(ctx['origin'], y)}"
                                                              if not ctx["origin"].empty else "") + ".")
    status_t = ctx["status"]
    if not status_t.empty:
        met = status_t.groupby("policy")["met"].all()
        items.append(f"**Targets**: {int(met.sum())} of {len(met)} met in every year"
                     + (f"; missed in some years: {', '.join(n.policy(k) for k in met.index[~met])}."
                        if (~met).any() else "."))
    b = tables.get("builds")
    if not sections.empty(b):
        lb = largest_builds(b, 3)
        items.append(f"**Builds**: {b['project'].nunique()} projects, {musd(b['capex_musd'].sum())} of capital "
                     f"(undiscounted); the largest by capital: {', '.join(n.project(p) for p in lb['project'])}.")
    else:
        items.append("**Builds**: none; existing and committed capacity, outside supply and trade serve demand.")
    doc.p(f"Status **{_u(status)}**: {quality}.")
    doc.ul(items)
    mip = summary.get("mip")
    if mip:  # lumpy builds: say what the prices are conditional on
        doc.p(f"Lumpy builds make this a mixed-integer plan, accepted at a relative gap of "
              f"{pct(mip['relative_gap'], 2)} ({musd(mip['gap_musd'])} from the best bound). Its shadow prices, "
              "commodity prices and the support figures are those of the LP with the integer choices fixed: "
              "they are conditional on this plan.")
    if summary.get("relaxed"):
        doc.p("Lumpy builds (unit_tpa, min_build_tpa) were solved as their LP relaxation (--relax).")


def _dependence_words(dep: pd.DataFrame, year: int) -> str:
    """'NdPr 59.9 % at magnet making, 0.0 % at separation and refining, ...' per material."""
    s = shares(dep, [year])
    parts = []
    for m, g in s.groupby("material", sort=False):
        parts.append(f"{_u(m)} " + ", ".join(f"{pct(v)} at {stage_words(st).split(' (')[0]}"
                                             for st, v in zip(g["stage"][::-1], g[year][::-1])))
    return "; ".join(parts)


# --- 1. what it costs ---------------------------------------------------------------------------

def _costs(doc: Doc, summary: dict, years: list[int]) -> None:
    doc.h(2, "What it costs")
    comps = {k: v for k, v in (summary.get("cost_by_component_musd") or {}).items() if abs(v) > TOL}
    if not comps:
        doc.p("No cost components.")
        return
    total = sum(comps.values())
    holding = ", stockpile holding costs" if "holding" in comps else ""
    revenue = " and the revenue from outside buyers" if "sales" in comps else ""
    doc.p(f"The total cost, **{musd(total)}**, is discounted to {years[0] if years else 'the first year'}: "
          f"capital, operating, purchase and freight costs{holding} and penalties, less the salvage value of capacity "
          f"built late in the horizon{revenue}. By component, named as in plan.xlsx:")
    rows = [[component_label(k), num(v, 1), pct(v / total) if abs(total) > TOL else ""] for k, v in comps.items()]
    rows.append(["**total**", f"**{num(total, 1)}**", "**100.0%**" if abs(total) > TOL else ""])
    doc.table(["component", "USD million (discounted)", "share"], rows, right={1, 2})


# --- 2. dependence on China ---------------------------------------------------------------------

def _share_rows(s: pd.DataFrame, years: list[int], n: Namer, by_region: bool) -> list[list]:
    return [([n.region(r["region"])] if by_region else []) + [_u(r["material"]), stage_words(r["stage"])]
            + [pct(r[y]) if pd.notna(r[y]) else "n/a" for y in years] for r in s.to_dict("records")]


def _dependence(doc: Doc, tables: dict, n: Namer, ctx: dict) -> None:
    dep, org, years = ctx["shipper"], ctx["origin"], ctx["years"]
    if dep.empty:
        return
    doc.h(2, "Dependence on China by stage")
    regions = consuming_regions(dep)
    doc.p(f"The consuming regions ({n.regions(regions)}) together: the share of each material they consume that "
          "is **shipped from China** at each stage, as concentrate (mining), as oxide or metal (separation and "
          "refining) or inside magnets (magnet making), in the study's key years:")
    doc.table(["material", "stage"] + [str(y) for y in years], _share_rows(shares(dep, years), years, n, False),
              right=set(range(2, 2 + len(years))))
    top = top_shippers(tables, ctx["chain"], dep, years[-1])
    if len(top):
        doc.p(f"Largest shippers into the consuming regions in {years[-1]} (share of their consumption):")
        doc.ul([f"{_u(m)}, {stage_words(st)}: " + ", ".join(f"{n.region(q)} {pct(v)}"
                                                           for q, v in zip(g["from_region"], g["share"]))
                for (m, st), g in top.groupby(["material", "stage"], sort=False)])
    if org.empty:
        doc.p("By shipper, goods count against the region that ships them: a magnet made in a third country from "
              "Chinese oxide counts as that country's at every stage, so upstream dependence on Chinese work can be "
              "larger than shown. Set `track_origin` in the settings sheet to count it by origin.")
    else:
        doc.p("**By origin** (whose work it is, whichever way it shipped: origin.csv), the same regions together:")
        doc.table(["material", "stage"] + [str(y) for y in years], _share_rows(shares(org, years), years, n, False),
                  right=set(range(2, 2 + len(years))))
        doc.p(sections.ORIGIN_CAVEAT)
    per = shares(dep, years, by_region=True)
    nonzero = per[(per[years].fillna(0).abs() > TOL).any(axis=1)]
    if len(nonzero):
        doc.p(f"Shipped from China, region by region ({len(per) - len(nonzero)} of {len(per)} rows, those at 0 % in "
              "every key year, left out):")
        doc.table(["region", "material", "stage"] + [str(y) for y in years],
                  _share_rows(nonzero, years, n, True), right=set(range(3, 3 + len(years))))
    if (pd.concat([shares(dep, years, True), shares(org, years, True)])[years].fillna(0) > 1 + TOL).any(axis=None):
        doc.p("A share above 100 % counts gross imports: a region that re-exports part of what it imports brings in "
              "more than it consumes.")
    if "recycling" in set(tables["builds"]["stage"] if not sections.empty(tables.get("builds")) else []) \
            or "recycling" in set(ctx["status"].get("stage", [])):
        doc.p("Recycling is a stage of plants, not of traded goods: see its targets and builds below.")


# --- 3. policy targets --------------------------------------------------------------------------

# A policy's years are a list of status records (dicts, by year): a few hundred pandas lookups
# per report otherwise.

def _met_words(g: list[dict]) -> str:
    met, missed = [r["year"] for r in g if r["met"]], [r["year"] for r in g if not r["met"]]
    if not missed:
        return f"every year ({year_ranges(r['year'] for r in g)})"
    return f"missed {year_ranges(missed)}" + (f"; met {year_ranges(met)}" if met else "")


def _price_words(g: list[dict]) -> str:
    gb = [r for r in g if r["binding"]]
    priced = [r for r in gb if pd.notna(r["shadow_price_usd_per_t"]) and r["shadow_price_usd_per_t"] > TOL]
    if priced:
        return median_and_top(pd.Series([r["shadow_price_usd_per_t"] for r in priced], dtype=float),
                              pd.Series([r["year"] for r in priced]))
    return "holds exactly, costs nothing at the margin" if gb else "not binding"


def _missed_item(k: str, g: list[dict], n: Namer, plain: Namer) -> str:
    """A missed target: the years, the shortfall bought (or that none was) and the worst share."""
    f, last = g[0], g[-1]
    rule = policy_rule(f["kind"], f["share"], plain.region(f["region"]), f["material"], f["stage"])
    short = sum(r["shortfall_t"] for r in g if pd.notna(r["shortfall_t"]))
    bought = f"{tonnes(short)} t of {_u(f['material'])} short in all" if short > TOL else \
        "no shortfall bought, the plan breaks the target"
    cap = f["kind"] == "max_supplier_share"
    worst = [r["achieved_share"] for r in g if not r["met"] and pd.notna(r["achieved_share"])] or [float("nan")]
    return (f"**{n.policy(k)}** ({_u(rule)}): missed in {year_ranges(r['year'] for r in g if not r['met'])} "
            f"({bought}; {'largest supplier at' if cap else 'achieved'} {pct(max(worst) if cap else min(worst))} "
            f"at worst against {pct(f['share'], 0)}, {pct(last['achieved_share'])} in {int(last['year'])}).")


def _policies(doc: Doc, tables: dict, summary: dict, n: Namer, status: pd.DataFrame) -> None:
    doc.h(2, "Policy targets")
    if status.empty:
        doc.p("The study sets no policy targets (or none has consumption to measure in the horizon).")
        return
    pcost = policy_total_costs(tables.get("policy_costs"))
    bases, plain = summary.get("policy_basis") or {}, Namer(summary)
    by_policy: dict[str, list[dict]] = {}
    for r in status.sort_values(["policy", "year"], kind="stable").to_dict("records"):
        by_policy.setdefault(r["policy"], []).append(r)
    missed = [k for k, g in by_policy.items() if not all(r["met"] for r in g)]
    doc.p(f"{len(by_policy) - len(missed)} of {len(by_policy)} targets are met in every year"
          + (f"; {len(missed)} are missed in some years (the achieved share is on the wrong side of the target)."
             if missed else ".")
          + " The shadow price is what one tonne more of target would cost (or, for a cap on one supplier, one "
            "tonne less from it), in USD per t of the material, in the years the target binds: the median and "
            "the highest year.")
    headers = ["target", "rule", "met", "achieved, last year", "shadow price when binding (USD/t)"]
    if pcost:
        headers.append("cost of the target (USD million, discounted)")
    rows, over = [], []
    for k, g in by_policy.items():
        f, last = g[0], g[-1]
        rule = policy_rule(f["kind"], f["share"], plain.region(f["region"]), f["material"], f["stage"])
        basis = bases.get(k)
        mark = " †" if last["achieved_share"] > 1 + TOL else ""
        if mark:
            over.append(basis or "output")
        row = [n.policy(k), _u(rule + (f" ({basis} basis)" if basis else "")), _met_words(g),
               pct(last["achieved_share"]) + mark, _price_words(g)]
        if pcost:
            row.append(num(pcost[k], 1) if k in pcost else "")
        rows.append(row)
    doc.table(headers, rows, right={3, 4, 5})
    if over:
        doc.p("† Above 100 %: " + ("on the capacity basis the region has more capacity at that stage (available "
                                     "capacity, used or not) than the material it consumes; " if "capacity" in over
                                     else "") + "on the output basis it makes more than it consumes and the rest "
              "is exported; for a cap on one supplier, gross imports from it exceed consumption (re-exports).")
    if missed:
        doc.p("Missed in some years (the shortfall is paid for at the target's penalty; a shadow price equal to "
              "that penalty means the target is not reached):")
        doc.ul([_missed_item(k, by_policy[k], n, plain) for k in missed])
    if not pcost:
        doc.p("Run `reeplan solve --policy-costs` to see what each target adds to the total cost.")


# --- 4. builds ----------------------------------------------------------------------------------

def _online(b: pd.DataFrame) -> dict[str, str]:
    """Per project: the first year its new capacity is online, and the last when more follows."""
    g = b.groupby("project")["online_year"].agg(["min", "max"])
    return {p: str(int(lo)) if lo == hi else f"{int(lo)}, more to {int(hi)}" for p, lo, hi in
            zip(g.index, g["min"], g["max"])}


def _builds(doc: Doc, tables: dict, n: Namer) -> None:
    doc.h(2, "What the plan builds")
    b = tables.get("builds")
    if sections.empty(b):
        doc.p("The plan builds no new capacity: existing and committed capacity, outside supply and trade serve "
              "demand.")
        return
    per = largest_builds(b, len(b))
    doc.p(f"It builds **{len(per)} project{'s' if len(per) != 1 else ''}** ({len(b)} start-year "
          f"tranche{'s' if len(b) != 1 else ''}), for **{musd(b['capex_musd'].sum())}** of capital (undiscounted), "
          "spread over each project's construction years. New capacity by stage:")
    staged = has_stage(b["stage"])
    items = [(f"**{stage_words(st)}**", b[b["stage"] == st]) for st in stage_order(b["stage"])]
    if not staged.all():  # formulation 12: they count towards no stage
        items.append(("**no stage** (bookkeeping conversions, in no stage's figures)", b[~staged]))
    doc.ul([f"{t}: {tonnes(g['capacity_tpa'].sum())} t/yr in {g['project'].nunique()} project"
            f"{'s' if g['project'].nunique() != 1 else ''}, online {year_ranges(g['online_year'])}, "
            f"{musd(g['capex_musd'].sum())}." for t, g in items])
    online = _online(b)
    shown = per.head(BUILD_ROWS)
    doc.p("Every project built, by capital cost:" if len(shown) == len(per) else
          f"The top {len(shown)} of {len(per)} projects built, by capital cost:")
    doc.table(["project", "stage", "region", "new capacity (t/yr)", "online", "capex (USD million)"],
              [[n.project(r.project), STAGE_WORDS.get(r.stage, _u(r.stage)) if is_stage(r.stage) else "none",
                n.region(r.region), tonnes(r.capacity_tpa), online[r.project], num(r.capex_musd, 1)]
               for r in shown.itertuples(index=False)], right={3, 4, 5})


# --- 5. prices ----------------------------------------------------------------------------------

def _regions(regions: list, kp: pd.DataFrame, n: Namer) -> str:
    every = sorted({r for rs in kp["regions"] for r in rs})
    return f"all {len(every)} key regions" if sorted(regions) == every else n.regions(regions)


def _prices(doc: Doc, tables: dict, summary: dict, n: Namer, years: list[int]) -> None:
    kp = key_prices(tables, years, (summary.get("chain") or {}).get("stage"))
    if kp.empty:
        return
    doc.h(2, "Prices")
    shown = kp.head(PRICE_ROWS)
    doc.p("Commodity prices are shadow prices: the cost of serving one more tonne in the region (USD/t, money of "
          "each year), in the key years. Regions whose prices are within 1 % of each other share a row, which "
          "shows their median" + ("." if len(shown) == len(kp) else
                                  f"; the first {len(shown)} of {len(kp)} rows (all in plan.xlsx, sheet prices)."))
    doc.table(["commodity", "regions"] + [str(y) for y in years],
              [[n.commodity(r["commodity"]), _regions(r["regions"], kp, n)] + [num(r[y]) if pd.notna(r[y]) else "n/a"
                                                                          for y in years]
               for _, r in shown.iterrows()], right=set(range(2, 2 + len(years))))


def build_report(tables: dict[str, pd.DataFrame], summary: dict, charts: list[Path]) -> tuple[Doc, list[str]]:
    """The report's blocks and the ids of the policies that bind in some year."""
    n, horizon = Namer(summary, _u), _horizon(tables)
    chain = summary.get("chain")
    ctx = {"horizon": horizon, "years": key_years(horizon), "chain": chain,
           "shipper": by_shipper(tables, chain), "origin": by_origin(tables.get("origin")),
           "status": policy_status(tables.get("policies"))}
    doc = Doc()
    _glance(doc, tables, summary, n, ctx)
    _costs(doc, summary, horizon)
    _dependence(doc, tables, n, ctx)
    _policies(doc, tables, summary, n, ctx["status"])
    _builds(doc, tables, n)
    sections.origin_detail(doc, tables, n)
    _prices(doc, tables, summary, n, ctx["years"])
    sections.supply_demand(doc, tables, n)
    sections.budgets(doc, tables)
    sections.support(doc, tables, n)
    sections.sales_stocks(doc, tables, n)
    if charts:
        doc.h(2, "Charts")
        for c in charts:
            doc.img(Path(c), sections.caption(c, n))  # c, not Path(c): the caption reads c.subject
    status = ctx["status"]
    return doc, sorted(status.loc[status["binding"], "policy"].unique()) if not status.empty else []


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
