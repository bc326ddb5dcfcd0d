"""Synthetic study workbooks whose size grows with `scale`, for benchmarks and size guards.

    write_synth("synth.xlsx", scale=10, seed=0)

A study at `scale` has about 1e4 * scale LP variables (1e4 at scale 1, ~1e6 at scale 100):
regions grow with sqrt(scale), projects per region and stage with sqrt(scale), so projects,
routes and rows grow about linearly; the horizon grows slowly (12 years at scale 1, 20 at 100).
Every number comes from `numpy.random.default_rng(seed)`, so one seed gives one workbook.

The study is always feasible and bounded: every commodity has an unmet-demand penalty
(settings default), policies are soft, budgets only limit builds (building nothing fits any
budget). It is a plausible NdPr/DyTb chain: mines -> separation -> magnets, recycling of
scrap, a few hub regions exporting every stage, routes to neighbouring regions.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .schema import SHEETS

FIRST_YEAR = 2025

MATERIALS = [{"material": "NdPr", "name": "neodymium-praseodymium oxide equivalent"},
             {"material": "DyTb", "name": "dysprosium-terbium oxide equivalent"}]
COMMODITIES = [
    {"commodity": "concentrate", "name": "mineral concentrate", "stage": "extraction"},
    {"commodity": "ndpr_oxide", "name": "separated NdPr oxide", "stage": "processing"},
    {"commodity": "dytb_oxide", "name": "separated DyTb oxide", "stage": "processing"},
    {"commodity": "magnet", "name": "sintered NdFeB magnet", "stage": "manufacturing"},
    {"commodity": "scrap", "name": "end-of-life magnet scrap", "stage": None},
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
]
# technology -> (stage, {commodity: coefficient})
TECHNOLOGIES = {
    "mine_hard_rock": ("extraction", {"concentrate": 1.0}),
    "mine_ionic_clay": ("extraction", {"concentrate": 1.0}),
    "separation": ("processing", {"ndpr_oxide": 1.0, "dytb_oxide": 0.05, "concentrate": -1.35}),
    "magnet_sintered": ("manufacturing", {"magnet": 1.0, "ndpr_oxide": -0.31, "dytb_oxide": -0.032}),
    "magnet_hot_pressed": ("manufacturing", {"magnet": 1.0, "ndpr_oxide": -0.30, "dytb_oxide": -0.01}),
    "recycling": ("recycling", {"ndpr_oxide": 0.26, "dytb_oxide": 0.025, "scrap": -1.0}),
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


def synth_study(scale: float, seed: int) -> tuple[dict, dict[str, list[dict]]]:
    """(settings, sheets) of the synthetic study at `scale`, deterministic in `seed`."""
    z = size(scale)
    rng = np.random.default_rng(seed)
    T0, T1 = FIRST_YEAR, FIRST_YEAR + z.years - 1
    years = list(range(T0, T1 + 1))

    def u(lo, hi):  # a rounded uniform draw
        return float(round(rng.uniform(lo, hi)))

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

    # --- projects: per region and stage, a mix of existing, committed and candidate plants
    projects = []
    for r in regions:
        hub = r in hubs
        for g in STAGES:
            (clo, chi), (llo, lhi), (slo, shi) = STAGE_DATA[g]
            for j in range(z.projects_per_stage):
                tech = TECH_OF_STAGE[g][int(rng.integers(len(TECH_OF_STAGE[g])))]
                kind = rng.random()
                p = {"project": f"{r}_{g[:4]}_{j:03d}", "technology": tech, "region": r,
                     "var_cost_usd_per_t": u(*VAR_COST[g])}
                if kind < 0.15 or (hub and kind < 0.5):  # existing plant, maybe retiring, maybe expandable
                    p["existing_tpa"] = u(slo, shi) * (2 if hub else 0.5)
                    if rng.random() < 0.4:
                        p["existing_retire_year"] = int(T0 + rng.integers(3, z.years + 5))
                if 0.3 <= kind < 0.35:  # committed, coming online in a few years
                    p["committed_tpa"] = u(slo, shi)
                    p["committed_online_year"] = int(T0 + rng.integers(1, 5))
                if kind >= 0.1:  # candidate (or brownfield expansion)
                    capex = u(clo, chi)
                    p.update({
                        "max_new_tpa": u(slo, shi), "capex_usd_per_tpa": capex,
                        "fixed_om_usd_per_tpa": float(round(capex * rng.uniform(0.02, 0.05))),
                        "lead_time_years": int(rng.integers(llo, lhi + 1)),
                        "lifetime_years": int(rng.integers(15, 31)),
                    })
                    if rng.random() < 0.5:
                        p["earliest_start_year"] = int(T0 + rng.integers(0, 4))
                if rng.random() < 0.3:
                    p["availability"] = float(round(rng.uniform(0.75, 0.98), 2))
                projects.append(p)
    sheets["projects"] = projects

    # --- outside supply: scrap everywhere, stepped export offers of every stage from hubs
    supply = []
    for r in regions:
        supply.append({"offer": f"{r}_scrap", "region": r, "commodity": "scrap",
                       "max_tpa": u(500, 5_000), "price_usd_per_t": u(5_000, 15_000)})
    base_price = {"concentrate": 20_000, "ndpr_oxide": 60_000, "dytb_oxide": 400_000, "magnet": 50_000}
    for h in hubs:
        for c, price in base_price.items():
            for step in range(3):
                o = {"offer": f"{h}_{c}_{step}", "region": h, "commodity": c,
                     "max_tpa": u(2_000, 20_000) if c != "dytb_oxide" else u(100, 1_000),
                     "price_usd_per_t": float(round(price * (1 + 0.25 * step) * rng.uniform(0.9, 1.1)))}
                if rng.random() < 0.3:  # an export control ends this tranche early
                    o["last_year"] = int(T0 + rng.integers(2, z.years))
                supply.append(o)
    sheets["supply"] = supply

    # --- routes: hubs ship everywhere, every region to a few random neighbours
    trade = []
    for h in hubs:
        trade.append({"from_region": h, "to_region": "*", "commodity": "*", "cost_usd_per_t": u(150, 400)})
    for i, r in enumerate(regions):
        others = [s for s in regions if s != r and s not in hubs]
        k = min(z.neighbours, len(others))
        for s in rng.choice(others, size=k, replace=False):
            trade.append({"from_region": r, "to_region": str(s), "commodity": "*",
                          "cost_usd_per_t": u(100, 600),
                          "max_tpa": u(2_000, 20_000) if rng.random() < 0.3 else None})
    for h in hubs:  # tariffs on magnets from a hub into a quarter of the regions
        for r in regions[len(hubs)::4]:
            trade.append({"from_region": h, "to_region": r, "commodity": "magnet",
                          "cost_usd_per_t": u(5_000, 15_000)})
    sheets["trade"] = trade

    # --- demand: magnets everywhere, oxides for other uses in some regions
    demand = []
    for r in regions:
        q0, g = u(2_000, 20_000), rng.uniform(0.05, 0.12)
        demand += [{"region": r, "commodity": "magnet", "year": y, "quantity_t": float(round(q0 * (1 + g) ** (y - T0)))}
                   for y in years]
        if rng.random() < 0.5:
            q1 = u(100, 2_000)
            demand += [{"region": r, "commodity": "ndpr_oxide", "year": y, "quantity_t": q1} for y in years]
    sheets["demand"] = demand

    # --- budgets: a running (carryover) budget per region, a yearly processing fund in some
    budgets = []
    for i, r in enumerate(regions):
        amount = u(50, 600)
        budgets += [{"budget": f"{r}_capital", "region": r, "stage": "*", "year": y, "amount_musd": amount,
                     "carryover": "yes"} for y in years[: max(1, z.years * 2 // 3)]]
        if i % 3 == 1:
            budgets += [{"budget": f"{r}_processing_fund", "region": r, "stage": "processing", "year": y,
                         "amount_musd": u(20, 150), "carryover": "no"} for y in years]
    sheets["budgets"] = budgets

    # --- policies: the CRMA set (soft) in half of the regions
    policies = []
    for r in regions[len(hubs)::2]:
        fy = int(T0 + rng.integers(2, 6))
        pen = u(100_000, 300_000)
        for g, share in (("extraction", 0.10), ("processing", 0.40), ("recycling", 0.25)):
            policies.append({"policy": f"{r}_dom_{g}", "region": r, "material": "NdPr",
                             "kind": "min_domestic_share", "stage": g, "share": share, "first_year": fy,
                             "basis": "capacity" if g == "processing" and rng.random() < 0.3 else "output",
                             "penalty_usd_per_t": pen})
        for g in ("processing", "manufacturing"):
            policies.append({"policy": f"{r}_cap_{g}", "region": r, "material": "NdPr",
                             "kind": "max_supplier_share", "stage": g, "share": 0.65, "first_year": fy,
                             "penalty_usd_per_t": pen})
    sheets["policies"] = policies
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
