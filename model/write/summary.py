"""The summary sheet of plan.xlsx, in the report's order (issue 18): status and total cost, cost by
component (named as in the report), dependence on China by stage (by shipper and, where origin is
tracked, by origin) in the key years, policy targets met or missed with their shadow price (median
and highest year) and cost, achieved shares by year, the builds (named, one row per project), key
commodity prices in the key years, then the support needed, sales and stockpiles, dependence by
origin region by region (track_origin) and a linked list of the other sheets. What the numbers
mean comes from model.analysis and model.dependence; this only lays it out."""

from __future__ import annotations

import math

from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from ..analysis import (ORIGIN_CAVEAT, TOL, capital_subsidies, component_label, key_prices, largest_builds,
                        minimum_output_support, origin_dependence, policy_rule, policy_status, policy_total_costs,
                        sales_totals, stock_levels)
from ..dependence import by_origin, by_shipper, consuming_regions, key_years, shares, stage_words
from .cells import (BOLD, MET_FILL, MISSED_FILL, MUSD, NOTE_FONT, PERCENT, SECTION_FONT, TITLE_FONT, TONNES,
                    USD_PER_KG, USD_PER_T, Rows, cell, print_setup, sheet_link, wrap)
from .markup import Namer, median_and_top, year_ranges

WIDTHS = [42, 36, 14, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9]  # 182 characters: prints one page wide at about 65 %


class _Summary(Rows):
    def append(self, row) -> int:
        """Text longer than its column, with a neighbour that would cut it, wraps in a taller row."""
        lines, row = 1, list(row)
        for j, v in enumerate(row[:-1]):
            fits = 1.2 * WIDTHS[j] if j < len(WIDTHS) else len(str(v))  # characters a column shows
            if isinstance(v, str) and len(v) > fits and row[j + 1] is not None:
                row = row[:j] + [cell(self.ws, v, wrap=True)] + row[j + 1:]
                lines = max(lines, math.ceil(len(v) / fits))
        if lines > 1:
            self.ws.row_dimensions[self.n + 1].height = 15 * min(lines, 4)
        return super().append(row)

    def section(self, title: str, note: str | None = None) -> None:
        self.blank()
        self.append([cell(self.ws, title, font=SECTION_FONT)])
        if note:
            self.note(note)

    def note(self, text: str) -> None:
        for line in wrap(text, WIDTHS):  # one row a line: text running past the print area is cut
            self.append([cell(self.ws, line, font=NOTE_FONT)])


def _head(rows: _Summary, summary: dict) -> None:
    ws = rows.ws
    stem = Path(str(summary.get("workbook") or "study")).stem
    rows.append([cell(ws, f"reeplan plan: {stem}, scenario {summary.get('scenario', 'base')}", font=TITLE_FONT)])
    for label, value, fmt in (
        ("status", summary.get("status"), None),
        ("objective (USD million, discounted)", summary.get("objective_musd"), MUSD),
        ("workbook", summary.get("workbook"), None),
        ("scenario", summary.get("scenario"), None),
        ("solver", summary.get("solver"), None),
        ("input sha256", summary.get("input_sha256"), None),
    ):
        rows.append([cell(ws, label, font=BOLD), cell(ws, value, fmt=fmt)])
    if summary.get("message"):
        rows.append([cell(ws, "message", font=BOLD), cell(ws, summary["message"])])


def _costs(rows: _Summary, summary: dict, tables: dict[str, pd.DataFrame]) -> None:
    ws = rows.ws
    rows.section("Cost by component", "discounted as in the objective, and undiscounted sums over the horizon; "
                                      "components named as in report.html (the id, as in the costs sheet)")
    rows.header(["component", "discounted (USD million)", "undiscounted (USD million)"], WIDTHS)
    undiscounted = {}
    if "costs" in tables and not tables["costs"].empty:
        undiscounted = tables["costs"].groupby("component")["cost_musd"].sum().to_dict()
    comps = summary.get("cost_by_component_musd") or {}
    for comp, v in comps.items():
        rows.append([component_label(comp), cell(ws, v, MUSD), cell(ws, undiscounted.get(comp, 0.0), MUSD)])
    if comps:
        rows.append([cell(ws, "total", font=BOLD), cell(ws, sum(comps.values()), MUSD, font=BOLD),
                     cell(ws, sum(undiscounted.get(c, 0.0) for c in comps), MUSD, font=BOLD)])


def _share_table(rows: _Summary, s: pd.DataFrame, years: list[int], n: Namer, by_region: bool) -> None:
    # the stage's words go to the wide second column either way
    lead = ["region", "stage", "material"] if by_region else ["material", "stage"]
    rows.header(lead + [str(y) for y in years], WIDTHS)
    for r in s.to_dict("records"):
        first = [n.region(r["region"]), stage_words(r["stage"]), r["material"]] if by_region else \
            [r["material"], stage_words(r["stage"])]
        rows.append(first + [cell(rows.ws, r[y], PERCENT) if pd.notna(r[y]) else None for y in years])


def _dependence(rows: _Summary, tables: dict[str, pd.DataFrame], summary: dict, n: Namer, years: list[int]) -> None:
    """Shares of consumption from China by stage, the consuming regions together (and by region)."""
    dep = by_shipper(tables, summary.get("chain"))
    if dep.empty or not years:
        return
    rows.section("Dependence on China by stage", "share of the consuming regions' consumption of each material "
                 f"shipped from China at each stage ({', '.join(consuming_regions(dep))} together: tonnes added); "
                 "by shipper, a magnet made elsewhere from Chinese oxide counts as the shipper's")
    _share_table(rows, shares(dep, years), years, n, False)
    org = by_origin(tables.get("origin"))
    if not org.empty:
        rows.section("Dependence on China by origin", "whose work it is, whichever way it shipped (origin sheet). "
                     + ORIGIN_CAVEAT)
        _share_table(rows, shares(org, years), years, n, False)
    per = shares(dep, years, by_region=True)
    per = per[(per[years].fillna(0).abs() > TOL).any(axis=1)]
    if len(per):
        rows.section("Shipped from China, by region", "rows at 0 % in every key year left out; above 100 %: gross "
                                                      "imports, part re-exported")
        _share_table(rows, per, years, n, True)


def _policies(rows: _Summary, tables: dict[str, pd.DataFrame], summary: dict, n: Namer, years: list[int]) -> None:
    ws = rows.ws
    status = policy_status(tables.get("policies"))
    pcost = policy_total_costs(tables.get("policy_costs"))
    bases = summary.get("policy_basis") or {}
    rows.section("Policy targets", "achieved share: the domestic share, or the largest single supplier's share; "
                                   "missed = the achieved share is on the wrong side of the target; shadow price in "
                                   "the years it binds, USD per t of material: median and highest year. Above 100 %: "
                                   "more capacity (capacity basis) or output (output basis) than consumption, or "
                                   "gross imports from one supplier above it (re-exports)")
    if status.empty:
        rows.note("no policy rows in the horizon")
        return
    titles = ["target", "rule", "years in force", "years met", "achieved share, last year",
              "worst achieved share", "years binding", "shortfall (t)", "shadow price when binding (USD/t)"]
    if pcost:
        titles.append("cost of the target (USD million, discounted)")
    rows.header(titles, WIDTHS)
    groups = _by_policy(status)
    for k, g in groups:
        first = g.iloc[0]
        share = g["achieved_share"]
        worst = share.min() if first["kind"] == "min_domestic_share" else share.max()
        met, binding = int(g["met"].sum()), g["binding"].to_numpy(bool)
        priced = binding & (g["shadow_price_usd_per_t"].fillna(0).to_numpy() > TOL)
        price = median_and_top(g["shadow_price_usd_per_t"][priced], g["year"][priced]) if priced.any() else \
            "holds exactly, costs nothing" if binding.any() else "not binding"
        rule = policy_rule(first["kind"], first["share"], n.region(first["region"]), first["material"], first["stage"])
        years_in_force = g["year"].to_numpy()
        row = [n.policy(k), rule + (f" ({bases[k]} basis)" if k in bases else ""),
               f"{years_in_force.min()}-{years_in_force.max()}" if len(g) > 1 else str(years_in_force[0]),
               cell(ws, f"{met} of {len(g)}", fill=MET_FILL if met == len(g) else MISSED_FILL),
               cell(ws, share.iloc[-1], PERCENT), cell(ws, worst, PERCENT),
               int(binding.sum()), cell(ws, g["shortfall_t"].sum(), TONNES), price]
        if pcost:
            row.append(cell(ws, pcost.get(k), MUSD))
        rows.append(row)
    rows.section("Achieved share by year", "green: target met; red: missed")
    rows.header(["target", "share"] + [str(y) for y in years], WIDTHS)
    for k, g in groups:
        by_year = dict(zip(g["year"].tolist(), zip(g["achieved_share"].tolist(), g["met"].tolist())))
        row = [n.policy(k), cell(ws, g["share"].iloc[0], PERCENT)]
        for y in years:
            achieved, met = by_year.get(y, (None, None))
            row.append(None if met is None else
                       cell(ws, achieved, PERCENT, fill=MET_FILL if met else MISSED_FILL))
        rows.append(row)


def _by_policy(status: pd.DataFrame) -> list[tuple[str, pd.DataFrame]]:
    """(policy, its rows by year) for each policy in order: slices of one sorted frame (cheaper than
    a groupby's frames, read twice)."""
    s = status.sort_values(["policy", "year"], kind="stable").reset_index(drop=True)
    keys, starts = np.unique(s["policy"].to_numpy(), return_index=True)
    ends = [*starts[1:], len(s)]
    return [(k, s.iloc[a:b]) for k, a, b in zip(keys.tolist(), starts.tolist(), ends)]


BUILD_ROWS = 25  # projects listed


def _builds(rows: _Summary, tables: dict[str, pd.DataFrame], n: Namer) -> None:
    ws = rows.ws
    b = tables.get("builds")
    per = largest_builds(b, len(b) if b is not None else 0)
    shown = per.head(BUILD_ROWS)
    rows.section("Largest builds", "new capacity per project over all its start years, by capital cost (undiscounted)"
                 + (f"; top {len(shown)} of {len(per)} projects" if len(shown) < len(per) else
                    f"; {len(per)} project{'s' if len(per) != 1 else ''}"))
    if per.empty:
        rows.note("the plan builds nothing new")
        return
    online = b.groupby("project")["online_year"].agg(year_ranges)
    rows.header(["project", "technology", "stage", "region", "first start year", "online",
                 "new capacity (t/yr)", "capex (USD million)"], WIDTHS)
    for r in shown.itertuples(index=False):
        rows.append([n.project(r.project), r.technology, r.stage, n.region(r.region), int(r.first_start_year),
                     online[r.project], cell(ws, r.capacity_tpa, TONNES), cell(ws, r.capex_musd, MUSD)])


SUPPORT_ROWS = 5  # the cheapest unbuilt candidates shown


def _support(rows: _Summary, tables: dict[str, pd.DataFrame], n: Namer) -> None:
    """The cheapest unbuilt candidates by capital subsidy per kg, and plants whose minimum output
    needs support (the support table)."""
    support = tables.get("support")
    if support is None:
        return
    ws = rows.ws
    rows.section("Support needed", "capital subsidy that would bring an unbuilt candidate into the plan (cut in "
                                   "capex, cheapest start year); support per tonne a plant needs to run at its "
                                   "minimum output")
    subs = capital_subsidies(support)
    margin, priced = subs[subs["margin"]], subs[~subs["margin"]]
    if len(margin):
        rows.note(f"{len(margin)} unbuilt candidate{'s' if len(margin) != 1 else ''} tie with the plan's choice "
                  "(subsidy 0): an equally cheap plan could build them")
    if len(priced):
        rows.header(["project", "technology", "stage", "region", "start year", "subsidy (USD per t/yr)",
                     "subsidy (USD/kg of lifetime output)"], [*WIDTHS[:6], 20])
        for r in priced.head(SUPPORT_ROWS).itertuples(index=False):
            rows.append([n.project(r.project), r.technology, r.stage, n.region(r.region), int(r.year),
                         cell(ws, r.subsidy_usd_per_tpa, USD_PER_T), cell(ws, r.subsidy_usd_per_kg, USD_PER_KG)])
    elif not len(margin):
        rows.note("every candidate project is built")
    mo = minimum_output_support(support)
    if len(mo):
        rows.header(["project (minimum output)", "technology", "stage", "region", "years needing support",
                     "lowest support (USD/t)", "highest support (USD/t)"], WIDTHS)
        for r in mo.itertuples(index=False):
            rows.append([n.project(r.project), r.technology, r.stage, n.region(r.region), year_ranges(r.years),
                         cell(ws, r.low_usd_per_t, USD_PER_T), cell(ws, r.high_usd_per_t, USD_PER_T)])


def _sales_stocks(rows: _Summary, tables: dict[str, pd.DataFrame], n: Namer) -> None:
    """Sales to outside buyers (tonnes, revenue) and stockpile levels, when the study has them."""
    ws = rows.ws
    if tables.get("sales") is not None:
        rows.section("Sales to outside buyers", "over the horizon; revenue undiscounted (price x tonnes)")
        st = sales_totals(tables["sales"])
        if st.empty:
            rows.note("nothing sold")
        else:
            rows.header(["region", "commodity", "sold (t)", "revenue (USD million)", "years"], WIDTHS)
            for r in st.itertuples(index=False):
                rows.append([n.region(r.region), n.commodity(r.commodity), cell(ws, r.sold_t, TONNES), cell(ws, r.revenue_musd, MUSD),
                             year_ranges(r.years)])
    if tables.get("stocks") is not None and not tables["stocks"].empty:
        rows.section("Stockpiles", "tonnes held at year end; drawn = tonnes taken out over the horizon")
        rows.header(["stock", "region", "commodity", "held before (t)", "first year end (t)", "last year end (t)",
                     "peak (t)", "peak year", "drawn (t)", "draw years"], WIDTHS)
        for r in stock_levels(tables["stocks"]).itertuples(index=False):
            rows.append([n.stock(r.stock), n.region(r.region), n.commodity(r.commodity), cell(ws, r.initial_t, TONNES), cell(ws, r.first_t, TONNES),
                         cell(ws, r.last_t, TONNES), cell(ws, r.peak_t, TONNES), r.peak_year,
                         cell(ws, r.drawn_t, TONNES), year_ranges(r.draw_years) or "none"])


def _origin(rows: _Summary, tables: dict[str, pd.DataFrame], n: Namer) -> None:
    """The highest share of consumption by origin per region and stage, beside the share by shipper."""
    if tables.get("origin") is None:
        return
    ws = rows.ws
    rows.section("Dependence by origin", "highest share of consumption whose stage work was done in a tracked "
                                         "region (origin sheet), beside the share shipped from it where a cap by "
                                         "shipper measures the stage (policies sheet). " + ORIGIN_CAVEAT)
    dep = origin_dependence(tables["origin"], tables.get("policies"))
    if dep.empty:
        rows.note("no tracked consumption")
        return
    rows.header(["region", "material", "stage", "tracked region", "year", "share by origin", "origin cap binds",
                 "shipped from it (share)", "largest shipper", "largest shipper's share"], WIDTHS)
    for r in dep.itertuples(index=False):
        ship = not pd.isna(r.shipper_policy)
        rows.append([n.region(r.region), r.material, r.stage, n.region(r.tracked_region), r.year, cell(ws, r.origin_share, PERCENT),
                     "yes" if r.capped else "no", cell(ws, r.shipped_share, PERCENT) if ship else None,
                     n.region(r.top_shipper) if ship and r.top_shipper else None, cell(ws, r.top_shipper_share, PERCENT) if ship else None])


PRICE_ROWS = 40


def _prices(rows: _Summary, tables: dict[str, pd.DataFrame], summary: dict, n: Namer, years: list[int]) -> None:
    ws = rows.ws
    kp = key_prices(tables, years, (summary.get("chain") or {}).get("stage"))
    shown = kp.head(PRICE_ROWS)
    rows.section("Key commodity prices", "shadow price of one more tonne in the region, USD/t in money of each year, "
                                         "in the key years; regions within 1 % of each other share a row (their "
                                         "median)" + (f"; first {len(shown)} of {len(kp)} rows (all in the prices "
                                                      "sheet)" if len(shown) < len(kp) else ""))
    if kp.empty:
        rows.note("no commodity balance rows")
        return
    rows.header(["commodity", "regions"] + [f"{y} (USD/t)" for y in years], WIDTHS)
    for _, r in shown.iterrows():
        rows.append([n.commodity(r["commodity"]), n.regions(r["regions"])]
                    + [cell(ws, r[y], USD_PER_T) if pd.notna(r[y]) else None for y in years])


def summary_sheet(wb: Workbook, summary: dict, tables: dict[str, pd.DataFrame],
                  sheets: dict[str, str]) -> None:
    """The summary sheet; `sheets` maps each other sheet's name to its description."""
    ws = wb.create_sheet("summary")
    for j, w in enumerate(WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(j)].width = w
    pol = tables.get("policies")
    years = sorted(pol["year"].unique()) if pol is not None and not pol.empty else []
    costs = tables.get("costs")
    keys = key_years(costs["year"].unique()) if costs is not None and not costs.empty else []
    for j in range(len(WIDTHS) + 1, len(WIDTHS) + len(years) + 3):
        ws.column_dimensions[get_column_letter(j)].width = 9
    ws.freeze_panes = "A2"
    print_setup(ws)
    rows, n = _Summary(ws, print_columns=len(WIDTHS)), Namer(summary)
    _head(rows, summary)
    _costs(rows, summary, tables)
    _dependence(rows, tables, summary, n, keys)
    _policies(rows, tables, summary, n, years)
    _builds(rows, tables, n)
    _prices(rows, tables, summary, n, keys)
    _support(rows, tables, n)
    _sales_stocks(rows, tables, n)
    _origin(rows, tables, n)
    rows.section("Sheets")
    for name, description in sheets.items():
        rows.append([cell(ws, name, link=sheet_link(name)), description])
