"""Synthetic study workbooks whose size grows with `scale`, for benchmarks and size guards.

    write_synth("synth.xlsx", scale=10, seed=0)

A study at `scale` has about 1e4 * scale LP variables (1e4 at scale 1, ~1e6 at scale 100):
regions grow with sqrt(scale), projects per region and stage with sqrt(scale), so projects,
routes and rows grow about linearly; the horizon grows slowly (15 years at scale 1, 23 at 100).
Every number comes from `numpy.random.default_rng(seed)`, so one seed gives one workbook.

The study is always feasible and bounded: every commodity has an unmet-demand penalty
(settings default), policies are soft, budgets only limit builds (building nothing fits any
budget), minimum output is set only on mines (no inputs) and on pure candidates (not building
them is always possible), stockpiles end at most at their initial level.
It is a plausible NdPr/DyTb chain: mines -> separation -> magnets, recycling of scrap, a few
hub regions exporting every stage, routes to neighbouring regions, and the version 2 inputs at
realistic rates: outside buyers of surplus concentrate and oxide, strategic stockpiles, ramp-up
of new capacity, offtake contracts (minimum output), tariffs from a mid-horizon year, magnets
graded into a motor duty (a bookkeeping technology) and policy groups pairing duplicate targets.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .schema import SHEETS

VERSION = 2  # of the generator (benchmarks/results.csv records it): 2 adds the version 2 inputs
FIRST_YEAR = 2025
DUTY = "magnet_duty"  # the duty some regions demand instead of the magnet grade (bookkeeping)

MATERIALS = [{"material": "NdPr", "name": "neodymium-praseodymium oxide equivalent"},
             {"material": "DyTb", "name": "dysprosium-terbium oxide equivalent"}]
COMMODITIES = [
    {"commodity": "concentrate", "name": "mineral concentrate", "stage": "extraction"},
    {"commodity": "ndpr_oxide", "name": "separated NdPr oxide", "stage": "processing"},
    {"commodity": "dytb_oxide", "name": "separated DyTb oxide", "stage": "processing"},
    {"commodity": "magnet", "name": "sintered NdFeB magnet", "stage": "manufacturing"},
    {"commodity": "scrap", "name": "end-of-life magnet scrap", "stage": None},
    {"commodity": DUTY, "name": "magnets serving a traction-motor duty", "stage": None},
]
CONTENT = [
    {"commodity": "concentrate", "material": "NdPr", "t_per_t": 0.75},
    {"commodity": "concentrate", "material": "DyTb", "t_per_t": 0.04},
    {"commodity": "ndpr_oxide", "material": "NdPr", "t_per_t": 1.0},
    {"commodity": "dytb_oxide", "material": "DyTb", "t_per_t": 1.0},
    {"commodity": "magnet", "material": "NdPr", "t_per_t": 0.29},
    {"commodity": "magnet", "material": "DyTb", "t_per_t": 0.03},
    {"commodity": "scrap", "material": "NdPr", "t_per_t": 0.29},
    {"commodity": "scrap", "material": "DyTb", "t_per_t": 0.03},
    {"commodity": DUTY, "material": "NdPr", "t_per_t": 0.29},
    {"commodity": DUTY, "material": "DyTb", "t_per_t": 0.03},
]
# technology -> (stage, {commodity: coefficient}); stage None: bookkeeping (formulation 12)
TECHNOLOGIES = {
    "mine_hard_rock": ("extraction", {"concentrate": 1.0}),
    "mine_ionic_clay": ("extraction", {"concentrate": 1.0}),
    "separation": ("processing", {"ndpr_oxide": 1.0, "dytb_oxide": 0.05, "concentrate": -1.35}),
    "magnet_sintered": ("manufacturing", {"magnet": 1.0, "ndpr_oxide": -0.31, "dytb_oxide": -0.032}),
    "magnet_hot_pressed": ("manufacturing", {"magnet": 1.0, "ndpr_oxide": -0.30, "dytb_oxide": -0.01}),
    "recycling": ("recycling", {"ndpr_oxide": 0.26, "dytb_oxide": 0.025, "scrap": -1.0}),
    "grade_to_duty": (None, {DUTY: 1.0, "magnet": -1.0}),
}
STAGES = ("extraction", "processing", "manufacturing", "recycling")
TECH_OF_STAGE = {g: [t for t, (s, _) in TECHNOLOGIES.items() if s == g] for g in STAGES}
# capex range (USD per t/yr), lead time range (years), size range (t/yr) per stage
STAGE_DATA = {
    "extraction": ((60_000, 250_000), (3, 7), (1_000, 8_000)),
    "processing": ((40_000, 120_000), (2, 4), (1_000, 6_000)),
    "manufacturing": ((50_000, 150_000), (1, 3), (1_000, 10_000)),
    "recycling": ((80_000, 160_000), (1, 3), (300, 3_000)),
}
VAR_COST = {"extraction": (15_000, 35_000), "processing": (8_000, 15_000),
            "manufacturing": (20_000, 30_000), "recycling": (6_000, 12_000)}
BASE_PRICE = {"concentrate": 20_000, "ndpr_oxide": 60_000, "dytb_oxide": 400_000, "magnet": 50_000}
# stockpiled commodity -> range of its initial tonnes
STOCK_SIZE = {"ndpr_oxide": (200, 2_000), "dytb_oxide": (20, 200), "magnet": (500, 3_000)}


@dataclass(frozen=True)
class Size:
    """How big a synthetic study is at one scale."""

    years: int
    regions: int
    projects_per_stage: int  # per region and stage
    neighbours: int  # routes out of each region (besides hubs)
    hubs: int  # regions exporting every stage through `*` routes and big offers


def size(scale: float) -> Size:
    if scale <= 0:
        raise ValueError("scale must be > 0")
    root = math.sqrt(scale)
    regions = max(4, round(8 * root))
    return Size(
        years=15 + round(4 * math.log10(scale)) if scale >= 1 else 15,
        regions=regions,
        projects_per_stage=max(2, round(6.3 * root)),
        neighbours=min(regions - 1, 5 + round(math.log2(scale)) if scale >= 1 else 5),
        hubs=max(1, regions // 10),
    )


class _Draw:
    """The study's random numbers: one generator, drawn in a fixed order."""

    def __init__(self, seed: int):
        self.rng = np.random.default_rng(seed)

    def u(self, lo, hi) -> float:
        """A uniform draw rounded to a whole number."""
        return float(round(self.rng.uniform(lo, hi)))

    def frac(self, lo, hi) -> float:
        """A uniform draw rounded to two decimals (shares)."""
        return float(round(self.rng.uniform(lo, hi), 2))

    def year(self, T0: int, lo: int, hi: int) -> int:
        """T0 + a whole number in [lo, hi)."""
        return int(T0 + self.rng.integers(lo, hi))

    def chance(self, p: float) -> bool:
        return bool(self.rng.random() < p)


def _project(d: _Draw, z: Size, T0: int, r: str, hub: bool, g: str, j: int) -> dict:
    """One plant: existing (maybe retiring), committed or candidate (or existing and expandable);
    most new and committed capacity ramps up; some mines and new plants have offtake contracts."""
    (clo, chi), (llo, lhi), (slo, shi) = STAGE_DATA[g]
    tech = TECH_OF_STAGE[g][int(d.rng.integers(len(TECH_OF_STAGE[g])))]
    kind = d.rng.random()
    p = {"project": f"{r}_{g[:4]}_{j:03d}", "technology": tech, "region": r, "var_cost_usd_per_t": d.u(*VAR_COST[g])}
    if kind < 0.15 or (hub and kind < 0.5):
        p["existing_tpa"] = d.u(slo, shi) * (2 if hub else 0.5)
        if d.chance(0.4):
            p["existing_retire_year"] = d.year(T0, 3, z.years + 5)
    if 0.3 <= kind < 0.35:  # under construction, coming online in a few years
        p["committed_tpa"] = d.u(slo, shi)
        p["committed_online_year"] = d.year(T0, 1, 5)
    if kind >= 0.1:  # candidate (or brownfield expansion)
        capex = d.u(clo, chi)
        p.update({"max_new_tpa": d.u(slo, shi), "capex_usd_per_tpa": capex,
                  "fixed_om_usd_per_tpa": float(round(capex * d.rng.uniform(0.02, 0.05))),
                  "lead_time_years": int(d.rng.integers(llo, lhi + 1)), "lifetime_years": int(d.rng.integers(15, 31))})
        if d.chance(0.5):
            p["earliest_start_year"] = d.year(T0, 0, 4)
    if d.chance(0.3):
        p["availability"] = d.frac(0.75, 0.98)
    if ("max_new_tpa" in p or "committed_tpa" in p) and d.chance(0.7):
        p["ramp_years"] = int(d.rng.integers(1, 4))
    # Offtake contracts only where running is always possible: a mine needs no input, and a
    # pure candidate need not be built.
    running = "existing_tpa" in p or "committed_tpa" in p
    if d.chance(0.3 if g == "extraction" and running else 0.04 if not running else 0.0):
        p["min_output_share"] = d.frac(0.3, 0.6)
    return p


def _projects(d: _Draw, z: Size, T0: int, regions: list[str], hubs: list[str]) -> list[dict]:
    return [_project(d, z, T0, r, r in hubs, g, j)
            for r in regions for g in STAGES for j in range(z.projects_per_stage)]


def _supply(d: _Draw, z: Size, T0: int, regions: list[str], hubs: list[str]) -> list[dict]:
    """Scrap collection everywhere; stepped export offers of every stage from hubs, some ended
    early by an export control (most DyTb tranches: the scarce heavy rare earths)."""
    supply = [{"offer": f"{r}_scrap", "region": r, "commodity": "scrap",
               "max_tpa": d.u(500, 5_000), "price_usd_per_t": d.u(5_000, 15_000)} for r in regions]
    for h in hubs:
        for c, price in BASE_PRICE.items():
            for step in range(3):
                o = {"offer": f"{h}_{c}_{step}", "region": h, "commodity": c,
                     "max_tpa": d.u(2_000, 20_000) if c != "dytb_oxide" else d.u(100, 1_000),
                     "price_usd_per_t": float(round(price * (1 + 0.25 * step) * d.rng.uniform(0.9, 1.1)))}
                if d.chance(0.8 if c == "dytb_oxide" else 0.3):
                    o["last_year"] = d.year(T0, 2, z.years)
                supply.append(o)
    return supply


def _sales(d: _Draw, z: Size, T0: int, regions: list[str], hubs: list[str]) -> list[dict]:
    """Buyers of surplus concentrate and oxide in the hubs and every fifth other region, modest
    and paying below the cheapest offer (0.9 x base price), so buying to resell never pays."""
    sales = []
    for r in hubs + regions[len(hubs) + 2::5]:
        for c, (lo, hi) in (("concentrate", (500, 3_000)), ("ndpr_oxide", (100, 800))):
            if not d.chance(0.7):
                continue
            s = {"sale": f"{r}_{c}_buyer", "region": r, "commodity": c, "max_tpa": d.u(lo, hi),
                 "price_usd_per_t": float(round(BASE_PRICE[c] * d.rng.uniform(0.75, 0.88)))}
            if d.chance(0.3):  # an offtake that starts later
                s["first_year"] = d.year(T0, 2, max(3, z.years // 2))
            sales.append(s)
    return sales


def _stocks(d: _Draw, regions: list[str], hubs: list[str]) -> list[dict]:
    """Strategic stockpiles of oxide or magnets in about a quarter of the consuming regions, held
    at a cost (2-5 % of the value a year) down to a floor and a final level <= the initial one."""
    stocks = []
    for r in regions[len(hubs):]:
        if not d.chance(0.25):
            continue
        c = list(STOCK_SIZE)[int(d.rng.integers(len(STOCK_SIZE)))]
        initial = d.u(*STOCK_SIZE[c])
        stocks.append({"stock": f"{r}_{c}_reserve", "region": r, "commodity": c, "initial_t": initial,
                       "max_t": float(round(1.5 * initial)),
                       "min_t": float(round(0.25 * initial)) if d.chance(0.5) else None,
                       "final_t": float(round(initial * d.rng.uniform(0.6, 1.0))),
                       "holding_cost_usd_per_t": float(round(BASE_PRICE[c] * d.rng.uniform(0.02, 0.05)))})
    return stocks


def _trade(d: _Draw, z: Size, T0: int, regions: list[str], hubs: list[str]) -> list[dict]:
    """Hubs ship everywhere, every region to a few random neighbours; magnet tariffs from each hub
    into a quarter of the regions, and oxide tariffs into two regions from mid-horizon."""
    trade = [{"from_region": h, "to_region": "*", "commodity": "*", "cost_usd_per_t": d.u(150, 400)} for h in hubs]
    others = [s for s in regions if s not in hubs]
    for r in regions:
        cand = [s for s in others if s != r]
        for s in d.rng.choice(cand, size=min(z.neighbours, len(cand)), replace=False):
            trade.append({"from_region": r, "to_region": str(s), "commodity": "*", "cost_usd_per_t": d.u(100, 600),
                          "max_tpa": d.u(2_000, 20_000) if d.chance(0.3) else None})
    for h in hubs:
        for r in regions[len(hubs)::4]:
            trade.append({"from_region": h, "to_region": r, "commodity": "magnet",
                          "cost_usd_per_t": d.u(5_000, 15_000)})
    mid = T0 + z.years // 2
    for h in hubs:
        for r in d.rng.choice(others, size=min(2, len(others)), replace=False):
            c = ("ndpr_oxide", "dytb_oxide")[int(d.rng.integers(2))]
            trade.append({"from_region": h, "to_region": str(r), "commodity": c, "first_year": mid,
                          "cost_usd_per_t": float(round(BASE_PRICE[c] * d.rng.uniform(0.15, 0.35)))})
    return trade


def _demand(d: _Draw, years: list[int], regions: list[str]) -> tuple[list[dict], dict[str, float]]:
    """Magnets everywhere (in a third of the regions partly as the motor duty), oxides for other
    uses in some; also the largest duty demand of each region that has one."""
    demand, duty = [], {}
    T0 = years[0]
    for r in regions:
        q0, g = d.u(2_000, 20_000), d.rng.uniform(0.05, 0.12)
        moved = d.frac(0.4, 0.7) if d.chance(1 / 3) else 0.0
        for y in years:
            q = float(round(q0 * (1 + g) ** (y - T0)))
            demand.append({"region": r, "commodity": "magnet", "year": y, "quantity_t": float(round(q * (1 - moved)))})
            if moved:
                demand.append({"region": r, "commodity": DUTY, "year": y, "quantity_t": float(round(q * moved))})
                duty[r] = max(duty.get(r, 0.0), float(round(q * moved)))
        if d.chance(0.5):
            q1 = d.u(100, 2_000)
            demand += [{"region": r, "commodity": "ndpr_oxide", "year": y, "quantity_t": q1} for y in years]
    return demand, duty


def _grading(duty: dict[str, float]) -> list[dict]:
    """A bookkeeping plant per region with duty demand (grading and testing), ample capacity."""
    return [{"project": f"{r}_grading", "technology": "grade_to_duty", "region": r,
             "existing_tpa": float(math.ceil(1.5 * q)), "var_cost_usd_per_t": 200.0} for r, q in duty.items()]


def _budgets(d: _Draw, z: Size, years: list[int], regions: list[str]) -> list[dict]:
    """A running (carryover) budget per region, a yearly processing fund in a third of them."""
    budgets = []
    for i, r in enumerate(regions):
        amount = d.u(50, 600)
        budgets += [{"budget": f"{r}_capital", "region": r, "stage": "*", "year": y, "amount_musd": amount,
                     "carryover": "yes"} for y in years[: max(1, z.years * 2 // 3)]]
        if i % 3 == 1:
            budgets += [{"budget": f"{r}_processing_fund", "region": r, "stage": "processing", "year": y,
                         "amount_musd": d.u(20, 150), "carryover": "no"} for y in years]
    return budgets


def _policies(d: _Draw, T0: int, regions: list[str], hubs: list[str]) -> list[dict]:
    """The CRMA set (soft) in half of the regions; in half of those a national processing target
    duplicates the CRMA one, the two in one policy group."""
    policies = []
    for r in regions[len(hubs)::2]:
        fy, pen = d.year(T0, 2, 6), d.u(100_000, 300_000)
        for g, share in (("extraction", 0.10), ("processing", 0.40), ("recycling", 0.25)):
            policies.append({"policy": f"{r}_dom_{g}", "region": r, "material": "NdPr",
                             "kind": "min_domestic_share", "stage": g, "share": share, "first_year": fy,
                             "basis": "capacity" if g == "processing" and d.chance(0.3) else "output",
                             "penalty_usd_per_t": pen})
        for g in ("processing", "manufacturing"):
            policies.append({"policy": f"{r}_cap_{g}", "region": r, "material": "NdPr",
                             "kind": "max_supplier_share", "stage": g, "share": 0.65, "first_year": fy,
                             "penalty_usd_per_t": pen})
        if d.chance(0.5):
            crma = next(p for p in policies if p["policy"] == f"{r}_dom_processing")
            crma["group"] = f"{r}_processing"
            policies.append({**crma, "policy": f"{r}_national_processing", "penalty_usd_per_t": d.u(50_000, 150_000)})
    return policies


def synth_study(scale: float, seed: int) -> tuple[dict, dict[str, list[dict]]]:
    """(settings, sheets) of the synthetic study at `scale`, deterministic in `seed`."""
    z = size(scale)
    d = _Draw(seed)
    T0, T1 = FIRST_YEAR, FIRST_YEAR + z.years - 1
    years = list(range(T0, T1 + 1))
    regions = [f"R{i:03d}" for i in range(z.regions)]
    hubs = regions[:z.hubs]
    settings = {"first_year": T0, "last_year": T1, "base_year": T0, "discount_rate": 0.07,
                "salvage": "yes", "unmet_penalty_usd_per_t": 1_000_000}
    sheets: dict[str, list[dict]] = {
        "regions": [{"region": r, "name": f"synthetic region {r}" + (" (hub)" if r in hubs else "")}
                    for r in regions],
        "materials": MATERIALS,
        "commodities": COMMODITIES,
        "content": CONTENT,
        "technologies": [{"technology": t, "stage": g} for t, (g, _) in TECHNOLOGIES.items()],
        "tech_io": [{"technology": t, "commodity": c, "coefficient": a}
                    for t, (_, io) in TECHNOLOGIES.items() for c, a in io.items()],
    }
    sheets["projects"] = _projects(d, z, T0, regions, hubs)
    sheets["supply"] = _supply(d, z, T0, regions, hubs)
    sheets["sales"] = _sales(d, z, T0, regions, hubs)
    sheets["stocks"] = _stocks(d, regions, hubs)
    sheets["trade"] = _trade(d, z, T0, regions, hubs)
    sheets["demand"], duty = _demand(d, years, regions)
    sheets["projects"] += _grading(duty)
    sheets["budgets"] = _budgets(d, z, years, regions)
    sheets["policies"] = _policies(d, T0, regions, hubs)
    return settings, sheets


def write_rows(path: str | Path, settings: dict, sheets: dict[str, list[dict]]) -> Path:
    """A study workbook in openpyxl write-only mode (streams rows; fast and small in memory).

    Same layout as `write.workbook.write_study`: a settings sheet, then each contract sheet in
    contract column order; None is an empty cell.
    """
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("settings")
    ws.append(["key", "value"])
    for k, v in settings.items():
        ws.append([k, v])
    for sheet in SHEETS:
        rows = sheets.get(sheet.name, [])
        if not rows and not sheet.required:
            continue
        cols = sheet.names
        ws = wb.create_sheet(sheet.name)
        ws.append(cols)
        for r in rows:
            ws.append([r.get(c) for c in cols])
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def write_synth(path: str | Path, scale: float = 1, seed: int = 0) -> Path:
    """Write the synthetic study at `scale` (about 1e4 * scale LP variables) to `path`."""
    settings, sheets = synth_study(scale, seed)
    return write_rows(path, settings, sheets)
