"""Random small studies (settings, sheets) for `model.write.workbook.write_study`.

A chain ore -> oxide -> magnet with scrap and recycling over 2-4 regions and 3-6 years; every
blank cell and wildcard the contract defines is drawn now and then. Most studies are feasible
(soft final demand, soft policies); some keep hard rows. `random_study(seed, v2=True)` adds the
version 2 inputs: sales, stocks, ramp-up and minimum output, trade years, a bookkeeping
technology with a blank stage, policy groups.
"""

from __future__ import annotations

import numpy as np

REGIONS = ["EU", "US", "AU", "CN"]
STAGES = ["extraction", "processing", "manufacturing", "recycling"]
# technology: (stage, capex range USD/tpa, variable cost range USD/t)
TECH = {
    "mine": ("extraction", (2e3, 2e4), (100, 1000)),
    "refine": ("processing", (5e4, 2e5), (2e3, 1e4)),
    "sinter": ("manufacturing", (5e4, 1.5e5), (2e3, 1e4)),
    "recycle": ("recycling", (3e4, 1e5), (1e3, 5e3)),
    "grade": (None, (1e3, 5e3), (0, 500)),
}
PRICE = {"ore": (1e3, 5e3), "oxide": (5e4, 1e5), "magnet": (6e4, 1.2e5), "scrap": (5e3, 2e4),
         "magnet_ev": (7e4, 1.3e5)}


class Draw:
    """Seeded random choices with blanks."""

    def __init__(self, seed: int):
        self.rng = np.random.default_rng(seed)

    def p(self, prob: float) -> bool:
        return bool(self.rng.random() < prob)

    def u(self, lo: float, hi: float, digits: int = 3) -> float:
        return round(float(self.rng.uniform(lo, hi)), digits)

    def i(self, lo: int, hi: int) -> int:
        """A whole number in [lo, hi]."""
        return int(self.rng.integers(lo, hi + 1))

    def pick(self, options: list):
        return options[int(self.rng.integers(len(options)))]

    def some(self, options: list, lo: int, hi: int) -> list:
        k = min(len(options), self.i(lo, hi))
        idx = sorted(self.rng.choice(len(options), size=k, replace=False))
        return [options[j] for j in idx]

    def maybe(self, prob: float, value):
        """value with probability prob, else a blank cell."""
        return value if self.p(prob) else None

    def window(self, T0: int, T1: int) -> tuple:
        a = self.maybe(0.4, self.i(T0 - 1, T1))
        b = self.maybe(0.4, self.i(a if a is not None else T0 - 1, T1 + 1))
        return a, b


def settings_of(d: Draw, T0: int, T1: int) -> dict:
    s = {"first_year": T0, "last_year": T1}
    for key, prob, value in (("base_year", 0.4, d.i(T0 - 2, T1)), ("discount_rate", 0.7, d.pick([0, 0.05, 0.1])),
                             ("salvage", 0.6, d.pick(["yes", "no"])),
                             ("unmet_penalty_usd_per_t", 0.3, d.u(1e5, 4e5, 0))):
        if d.p(prob):
            s[key] = value
    return s


def chain(d: Draw, v2: bool) -> dict:
    """Commodities, materials, content, technologies and tech_io."""
    coms = (["ore"] if d.p(0.75) else []) + ["oxide", "magnet"] + (["scrap"] if d.p(0.6) else [])
    grade = v2 and d.p(0.5)
    if grade:
        coms.append("magnet_ev")
    mats = ["NdPr"] + (["DyTb"] if d.p(0.4) else [])
    stage = {"ore": "extraction", "oxide": "processing", "magnet": "manufacturing", "scrap": None,
             "magnet_ev": d.pick(["manufacturing", None])}
    hard = d.p(0.12)  # a study whose final demand is hard
    commodities = [{"commodity": c, "stage": stage[c],
                    "unmet_penalty_usd_per_t": None if hard else d.maybe(0.9 if c in ("magnet", "magnet_ev") else 0.7,
                                                                          d.u(1.5e5, 5e5, 0))}
                   for c in coms]
    grams = {"ore": 0.06, "oxide": 0.85, "magnet": 0.3, "scrap": 0.25, "magnet_ev": 0.3}
    content = [{"commodity": c, "material": m, "t_per_t": d.u(0.5, 1.2) * grams[c] * (1 if m == "NdPr" else 0.1)}
               for c in coms for m in mats if d.p(0.9)]
    io = []
    techs = ["refine", "sinter"] + (["mine"] if "ore" in coms else []) + (["recycle"] if "scrap" in coms else [])
    if "ore" in coms:
        io.append(("mine", "ore", 1))
        io.append(("refine", "ore", -d.u(5, 15)))
    io.append(("refine", "oxide", 1))
    io += [("sinter", "oxide", -d.u(0.3, 0.45)), ("sinter", "magnet", 1)]
    if "scrap" in coms:
        io += [("recycle", "scrap", -d.u(2, 5)), ("recycle", "oxide", 1)]
        if d.p(0.5):
            io.append(("sinter", "scrap", d.u(0.02, 0.1)))
    if grade:
        techs.append("grade")
        io += [("grade", "magnet", -1), ("grade", "magnet_ev", 1)]
    return {
        "materials": [{"material": m} for m in mats],
        "commodities": commodities,
        "content": content,
        "technologies": [{"technology": t, "stage": TECH[t][0]} for t in techs],
        "tech_io": [{"technology": t, "commodity": c, "coefficient": a} for t, c, a in io],
    }


def project(d: Draw, i: int, tech: str, region: str, T0: int, T1: int, v2: bool) -> dict:
    capex = d.u(*TECH[tech][1], 0)
    size = d.u(50, 600, 1)
    p = {"project": f"p{i}", "technology": tech, "region": region,
         "existing_tpa": d.maybe(0.4, size), "existing_retire_year": d.maybe(0.4, d.i(T0 - 1, T1 + 1)),
         "fixed_om_usd_per_tpa": d.maybe(0.6, round(capex * d.u(0.01, 0.05), 2)),
         "var_cost_usd_per_t": d.maybe(0.8, d.u(*TECH[tech][2], 1)),
         "lead_time_years": d.maybe(0.7, d.i(0, 3)), "earliest_start_year": d.maybe(0.3, d.i(T0 - 1, T1)),
         "lifetime_years": d.maybe(0.7, d.i(1, T1 - T0 + 2)), "availability": d.maybe(0.5, d.u(0.5, 1.0))}
    if d.p(0.3):
        p.update(committed_tpa=d.u(20, 300, 1), committed_online_year=d.i(T0 - 1, T1 + 1))
    if d.p(0.7):
        p.update(max_new_tpa=d.u(50, 1500, 1), capex_usd_per_tpa=capex)
    elif d.p(0.3):
        p.update(capex_usd_per_tpa=capex)  # capex without max_new_tpa: no build
    if v2:
        p.update(ramp_years=d.maybe(0.5, d.i(0, 3)), min_output_share=d.maybe(0.15, d.u(0.05, 0.3)))
    return p


def projects(d: Draw, regions: list, techs: list, T0: int, T1: int, v2: bool) -> list:
    out = [project(d, i, d.pick(techs), d.pick(regions), T0, T1, v2) for i in range(d.i(3, 8))]
    if "grade" in techs:  # the bookkeeping step in every region with its demand, mostly existing
        out += [project(d, len(out) + j, "grade", r, T0, T1, v2) | {"existing_tpa": d.maybe(0.8, 1e4), "min_output_share": None}
                for j, r in enumerate(regions)]
    return out


def tranches(d: Draw, id_col: str, n: int, regions: list, coms: list, T0: int, T1: int, cap, price) -> list:
    """Rows of supply or sales: id, region, commodity, year window, max_tpa = cap(), price = price(commodity)."""
    out = []
    for i in range(n):
        c = d.pick(coms)
        a, b = d.window(T0, T1)
        out.append({id_col: f"{id_col[0]}{i}", "region": d.pick(regions), "commodity": c, "first_year": a,
                    "last_year": b, "max_tpa": cap(), "price_usd_per_t": price(c)})
    return out


def supply(d: Draw, regions: list, coms: list, T0: int, T1: int) -> list:
    return tranches(d, "offer", d.i(2, 6), regions, coms, T0, T1, lambda: d.maybe(0.6, d.u(10, 800, 1)),
                    lambda c: d.maybe(0.9, d.u(*PRICE[c], 0)))


def trade(d: Draw, regions: list, coms: list, T0: int, T1: int, v2: bool) -> list:
    out = []
    if d.p(0.7):
        out.append({"from_region": "*", "to_region": "*", "commodity": d.maybe(0.5, "*"),
                    "cost_usd_per_t": d.maybe(0.7, d.u(0, 3000, 0)), "max_tpa": d.maybe(0.3, d.u(50, 500, 0))})
    for _ in range(d.i(1, 4)):
        out.append({"from_region": d.pick(regions + ["*"]), "to_region": d.pick(regions + ["*"]),
                    "commodity": d.pick(coms + ["*", None]), "cost_usd_per_t": d.maybe(0.7, d.u(0, 5000, 0)),
                    "max_tpa": d.maybe(0.5, d.u(0, 500, 0))})
    d.rng.shuffle(out)
    if v2:
        for r in out:
            r["first_year"], r["last_year"] = d.window(T0, T1) if d.p(0.4) else (None, None)
    return out


def demand(d: Draw, regions: list, coms: list, T0: int, T1: int) -> list:
    final = [c for c in ("magnet_ev", "magnet") if c in coms][:1] + (["oxide"] if d.p(0.3) else [])
    out = []
    for r in d.some(regions, 1, 3):
        for c in final:
            q = d.u(100, 1500, 1)
            for t in range(T0 - 1 if d.p(0.2) else T0, T1 + 1 + d.p(0.2)):
                if d.p(0.9):
                    out.append({"region": r, "commodity": c, "year": t, "quantity_t": round(q, 1)})
                q *= d.u(0.9, 1.3)
    return out


def budgets(d: Draw, regions: list, T0: int, T1: int) -> list:
    out = []
    for b in range(d.i(0, 3)):
        head = {"budget": f"b{b}", "region": d.pick(regions + ["*", None]), "stage": d.pick(STAGES + ["*", None]),
                "carryover": d.pick(["yes", "no", None])}
        for t in d.some(list(range(T0 - 1, T1 + 2)), 1, 4):
            out.append(head | {"year": t, "amount_musd": d.u(0, 40)})
    return out


def policies(d: Draw, regions: list, mats: list, T0: int, T1: int, v2: bool) -> list:
    out = []
    for k in range(d.i(1, 3)):
        kind = d.pick(["min_domestic_share", "max_supplier_share"])
        a, b = d.window(T0, T1)
        row = {"policy": f"k{k}", "region": d.pick(regions), "material": d.pick(mats), "kind": kind,
               "stage": d.pick(STAGES if kind == "min_domestic_share" else STAGES[:3]),
               "share": d.u(0.05, 0.6 if kind == "min_domestic_share" else 0.9), "first_year": a, "last_year": b,
               "basis": d.pick(["output", "capacity", None]) if kind == "min_domestic_share" else d.maybe(0.2, "output"),
               "penalty_usd_per_t": d.maybe(0.8, d.u(5e4, 1e6, 0))}
        if v2:
            row["group"] = d.pick(["g1", "g2", None])
        out.append(row)
    return out


def sales(d: Draw, regions: list, coms: list, T0: int, T1: int) -> list:
    return tranches(d, "sale", d.i(0, 2), regions, coms, T0, T1, lambda: d.u(0, 300, 1),
                    lambda c: d.u(0.5 * PRICE[c][0], 1.5 * PRICE[c][1], 0))


def stocks(d: Draw, regions: list, coms: list) -> list:
    out = []
    for k in range(d.i(0, 2)):
        hi = d.maybe(0.6, d.u(100, 1000, 1))
        top = hi if hi is not None else 1000
        lo = d.maybe(0.4, d.u(0, 0.3 * top, 1))
        init = d.maybe(0.7, d.u(lo or 0, top, 1))
        lo = lo if init is not None else None  # a blank initial_t is 0, below any floor
        out.append({"stock": f"st{k}", "region": d.pick(regions), "commodity": d.pick(coms), "initial_t": init,
                    "max_t": hi, "min_t": lo, "final_t": d.maybe(0.4, d.u(0, init if init and d.p(0.8) else top, 1)),
                    "holding_cost_usd_per_t": d.maybe(0.7, d.u(10, 3000, 0))})
    return out


def random_study(seed: int, v2: bool = False) -> tuple[dict, dict]:
    """(settings, sheets) of one random study."""
    d = Draw(seed)
    T0 = d.i(2025, 2027)
    T1 = T0 + d.i(2, 5)
    regions = REGIONS[:d.i(2, 4)]
    sheets = chain(d, v2)
    coms = [c["commodity"] for c in sheets["commodities"]]
    techs = [t["technology"] for t in sheets["technologies"]]
    sheets.update(
        regions=[{"region": r} for r in regions],
        projects=projects(d, regions, techs, T0, T1, v2),
        supply=supply(d, regions, coms, T0, T1),
        trade=trade(d, regions, coms, T0, T1, v2),
        demand=demand(d, regions, coms, T0, T1),
        budgets=budgets(d, regions, T0, T1),
        policies=policies(d, regions, [m["material"] for m in sheets["materials"]], T0, T1, v2),
    )
    if v2:
        sheets.update(sales=sales(d, regions, coms, T0, T1), stocks=stocks(d, regions, coms))
    return settings_of(d, T0, T1), sheets


def lumpy_study(seed: int, v2: bool = True) -> tuple[dict, dict]:
    """random_study(seed, v2) with lumpy builds (formulation 15): about half of the candidate projects
    get a unit_tpa and/or a min_build_tpa, both at most their max_new_tpa; mip_gap is sometimes set."""
    settings, sheets = random_study(seed, v2)
    d = Draw(seed + 7919)  # its own stream, so the study itself is random_study's
    for p in sheets["projects"]:
        top = p.get("max_new_tpa")
        if top and d.p(0.6):
            kind = d.pick(["unit", "min", "both"])
            if kind in ("unit", "both"):
                p["unit_tpa"] = round(top * d.u(0.15, 0.95), 1)
            if kind in ("min", "both"):
                p["min_build_tpa"] = round(top * d.u(0.1, 0.9), 1)
    if d.p(0.3):
        settings["mip_gap"] = d.pick([0, 1e-4, 0.01])
    return settings, sheets
