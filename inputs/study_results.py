"""The README's tables for the shipped study, from solved outputs.

    reeplan solve inputs/western_ree_2040.xlsx --all --jobs 2
    reeplan solve inputs/western_ree_2040.xlsx --relax --policy-costs --out outputs/relaxed   # linear plan
    python inputs/study_results.py [OUT_FOLDER] [WORKBOOK] [RELAXED_FOLDER]   # prints the tables as markdown

Every model number comes from the result folders (`outputs/western_ree_2040/<scenario>/csv/`)
and the workbook's `content` sheet. The only figures typed in here are the reported outputs of
the calibration table (REPORTED, each with the source id it comes from in the workbook's
`sources` sheet) and the reason for any gap above 15 %.

Definitions (tonnes of NdPr oxide equivalent, using `content`, unless stated):
* Calibration: a facility's 2025 output of its main product (t of that product) in the base.
* Shares: output by group of regions over that output plus the Chinese exports bought, at one
  step of the chain (mine = NdPr in concentrate, separation = NdPr oxide, magnet = sintered
  magnet); NdPr metal is not separation, so it is counted in none of them. West = every region
  but China, Myanmar and Southeast Asia (MY, VN); SE Asia = MY, VN.
* NdPr oxide price: shadow price of the US ndpr_oxide balance (USD/kg).
* Dependence on China (EU and US consumption of NdPr, per stage): by shipper, the NdPr in flows
  shipped from China at that stage over the region's consumption (formulation 7, the base); by
  origin, the share of that consumption whose stage work was done in China (origin.csv of
  ORIGIN_SCENARIO, which tracks China).
* Lumpy builds: the base (a MIP) against its LP relaxation (`--relax`), build by build.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from model.pipeline import read_workbook  # noqa: E402
from model.scenarios import BASE, names  # noqa: E402

WORKBOOK = REPO / "inputs" / "western_ree_2040.xlsx"
OUT = REPO / "outputs" / "western_ree_2040"
RELAXED = REPO / "outputs" / "relaxed" / "western_ree_2040" / "base"
ORIGIN_SCENARIO = "crma_by_origin"  # the base with track_origin = CN and the 65 % caps counted by origin
KEY_YEARS = (2025, 2030, 2035, 2040)
STAGES = ("extraction", "processing", "manufacturing")
TOLERANCE = 0.15
STEPS = {"mine": "ndpr_conc", "separation": "ndpr_oxide", "magnet": "magnet"}
SE_ASIA = {"MY", "VN"}
NOT_WEST = {"CN", "MM"} | SE_ASIA
PRICE_RANGE = (47.0, 123.0)  # USD/kg NdPr oxide, 2025-26 (reuters_prices_2026: Mar 2025 low, Feb 2026 high)

# facility, projects, commodity, reported (t of the commodity, None = not disclosed), what was reported
# (source id), reason for a gap above 15 % (blank when none is needed)
REPORTED = [
    ("Mountain Pass mine (MP)", ["mp_mountain_pass_mine"], "ndpr_conc", 7959,
     "50,692 t REO in concentrate in 2025 x 15.7 % NdPr (mp_results_2025)", ""),
    ("Mountain Pass separation (MP)", ["mp_mountain_pass_separation"], "ndpr_oxide", 2599,
     "2,599 t NdPr oxide in 2025 (mp_results_2025)", ""),
    ("Lynas Mt Weld (NdPr eq. mined)", ["lynas_mt_weld"], "ndpr_conc", 6558 * 1.03 * 1.02,
     "FY25 6,558 t NdPr oxide (lynas_fy25) x 1.05 (cracking and separation recoveries)", ""),
    ("Lynas Kalgoorlie + Malaysia (NdPr oxide)", ["lynas_malaysia"], "ndpr_oxide", 6558,
     "6,558 t NdPr in FY25, Jul 2024-Jun 2025 (lynas_fy25)", ""),
    ("MP Independence, Fort Worth (magnets)", ["mp_independence_magnets"], "magnet", 500,
     "2025 output est. 250-750 t (ier_mp_2025); mid 500",
     "inside the reported range 250-750 t (the mid-point is shown): 1,000 t ramping over 2025 x 90 % availability "
     "x 90 % GM offtake"),
    ("Japanese magnet makers", ["jp_magnet_makers"], "magnet", 12000,
     "10-15 kt/yr, estimate (magnetics_mag_2018)", ""),
    ("Korean magnet makers", ["kr_magnet_makers"], "magnet", 3000, "~3,000 t/yr, estimate (korea_2023)", ""),
    ("SRC Saskatoon (NdPr metal)", ["src_saskatoon_metal"], "ndpr_metal", 400,
     "~400 t/yr when fully operational, early 2025 (src_2024)", ""),
    ("Serra Verde Pela Ema (NdPr eq. mined)", ["serra_verde_pela_ema"], "ndpr_conc", 1250,
     ">= 5,000 t REO in 2024 x 25 % NdPr, estimate (serra_verde_2024)", ""),
    ("Solvay La Rochelle", ["solvay_la_rochelle"], "ndpr_oxide", 300,
     "'a few hundred tonnes' in 2025 (solvay_2025)", ""),
    ("Energy Fuels White Mesa", ["energy_fuels_white_mesa"], "ndpr_oxide", 30,
     "25-35 t NdPr in 2024, campaign operation (energy_fuels_2024)",
     "the reported figure is 2024, the circuit's first campaigns; the model runs it at its 10 % availability"),
    ("SGI Vina, Vietnam (magnets)", ["sgi_vina"], "magnet", 4000,
     "4,000 t/yr plant opened Feb 2025: a capacity, not an output (sgi_vn_2025)",
     "the reported figure is a capacity; opened in Feb 2025 on Chinese feed, the model runs it only where it "
     "beats Chinese magnets (full from 2026)"),
    ("Shin-Etsu Hai Phong (magnets)", ["shin_etsu_haiphong_magnets"], "magnet", 2000,
     "2,000 t/yr capacity (shinetsu_vn_2014)", ""),
    ("e-VAC Sumter (magnets)", ["evac_sumter"], "magnet", None,
     "operational late 2025, output not disclosed (evac_sumter_2024)", ""),
    ("Neo Narva (magnets)", ["neo_narva"], "magnet", None,
     "inaugurated Sep 2025, commercial ramp 2026, output not disclosed (sillamae_2025)",
     "no offtake in the data: at the estimated EU conversion cost (USD 50/kg) it loses to Chinese magnets"),
]


def csv(folder: Path, table: str) -> pd.DataFrame:
    return pd.read_csv(folder / "csv" / f"{table}.csv", keep_default_na=False, na_values=[""])


def facility_output(folder: Path, year: int = 2025) -> pd.DataFrame:
    """Model output in `year` of each facility in REPORTED, beside the reported figure and the gap."""
    prod = csv(folder, "production")
    prod = prod[(prod.year == year) & (prod.quantity_t > 0)]
    rows = []
    for name, projects, commodity, reported, text, reason in REPORTED:
        model = prod[prod.project.isin(projects) & (prod.commodity == commodity)].quantity_t.sum()
        gap = (model - reported) / reported if reported else float("nan")
        rows.append({"facility": name, "commodity": commodity, "reported_t": reported, "reported": text,
                     "model_t": model, "gap": gap, "reason": reason})
    return pd.DataFrame(rows)


def calibration(folder: Path) -> str:
    """Markdown: the calibration table (2025, base)."""
    df = facility_output(folder)
    lines = ["| facility | reported (source) | reported, t | model 2025, t | gap | reason for a gap over 15 % |",
             "|---|---|---:|---:|---:|---|"]
    for r in df.itertuples():
        rep = "" if pd.isna(r.reported_t) else f"{r.reported_t:,.0f}"
        gap = "" if pd.isna(r.gap) else f"{r.gap:+.0%}"
        lines.append(f"| {r.facility} | {r.reported} | {rep} | {r.model_t:,.0f} | {gap} | {r.reason} |")
    return "\n".join(lines)


def step_supply(folder: Path, year: int) -> pd.DataFrame:
    """t of each step's commodity made (by region) or bought from Chinese offers in `year`."""
    prod = csv(folder, "production")
    prod = prod[(prod.year == year) & (prod.quantity_t > 0) & prod.commodity.isin(STEPS.values())]
    sup = csv(folder, "supply")
    sup = sup[(sup.year == year) & (sup.region == "CN") & sup.commodity.isin(STEPS.values())]
    both = pd.concat([prod[["region", "commodity", "quantity_t"]],
                      sup.rename(columns={"bought_t": "quantity_t"})[["region", "commodity", "quantity_t"]]])
    both["group"] = both.region.map(lambda r: "SE Asia" if r in SE_ASIA else ("China" if r in NOT_WEST else "West"))
    return both.groupby(["commodity", "group"], as_index=False)["quantity_t"].sum()


def shares(folder: Path, year: int) -> dict[str, dict[str, float]]:
    """{step: {group: share}} of supply outside China's own use."""
    s = step_supply(folder, year)
    out = {}
    for step, c in STEPS.items():
        x = s[s.commodity == c]
        total = x.quantity_t.sum()
        out[step] = {g: (x[x.group == g].quantity_t.sum() / total if total > 0 else float("nan"))
                     for g in ("West", "SE Asia", "China")}
    return out


def oxide_price(folder: Path, year: int, region: str = "US") -> float:
    """USD/kg NdPr oxide in `region` and `year` (shadow price)."""
    p = csv(folder, "prices")
    r = p[(p.region == region) & (p.commodity == "ndpr_oxide") & (p.year == year)]
    return float(r.price_usd_per_t.iloc[0]) / 1000 if len(r) else float("nan")


def unmet_total(folder: Path) -> float:
    return float(csv(folder, "unmet").unmet_t.sum())


def results(out: Path, scenarios: list[str]) -> str:
    """Markdown: one row per solved scenario."""
    base = json.loads((out / BASE / "summary.json").read_text())["objective_musd"]
    lines = ["| scenario | total cost (USD bn) | vs base (USD bn) | West share 2030: mine / sep. / magnet | "
             "SE Asia magnets 2030 | NdPr oxide US 2026 / 2030 (USD/kg) | unmet demand 2025-40 (kt) |",
             "|---|---:|---:|---|---:|---|---:|"]
    for s in scenarios:
        folder = out / s
        summary = json.loads((folder / "summary.json").read_text())
        if summary["status"] != "optimal":
            lines.append(f"| {s} | {summary['status']} | | | | | |")
            continue
        sh = shares(folder, 2030)
        obj = summary["objective_musd"]
        west = " / ".join(f"{sh[k]['West']:.0%}" for k in STEPS)
        lines.append(f"| {s} | {obj / 1000:,.1f} | {(obj - base) / 1000:+,.1f} | {west} | "
                     f"{sh['magnet']['SE Asia']:.0%} | {oxide_price(folder, 2026):,.0f} / "
                     f"{oxide_price(folder, 2030):,.0f} | {unmet_total(folder) / 1000:,.1f} |")
    return "\n".join(lines)


SUPPORT_OF = ["gen_sep_US", "gen_sep_EU", "arafura_nolans_refinery", "gen_magnet_US", "gen_magnet_EU",
              "vulcan_benson", "mp_10x", "evac_sumter", "mp_independence_magnets", "jp_magnet_makers"]


def support(folder: Path) -> str:
    """Markdown: the support a Western separator and magnet plant need (support.csv of the base)."""
    s = csv(folder, "support")
    s = s[s.project.isin(SUPPORT_OF)]
    lines = ["| project | kind | support |", "|---|---|---|"]
    for p in SUPPORT_OF:
        x = s[s.project == p]
        if x.empty:
            continue
        if (x.kind == "capital_subsidy").any():
            r = x[x.kind == "capital_subsidy"].iloc[0]
            text = (f"USD {r.subsidy_usd_per_tpa:,.0f} per t/yr of capacity = USD {r.subsidy_usd_per_kg:,.1f}/kg "
                    f"over its life (build starting {r.year})")
            lines.append(f"| {p} | capital subsidy to break even | {text} |")
        m = x[(x.kind == "minimum_output") & x.year.between(2025, 2035)]
        if len(m):
            lines.append(f"| {p} | minimum-output support 2025-35 | USD {m.support_usd_per_t.min() / 1000:,.1f}-"
                         f"{m.support_usd_per_t.max() / 1000:,.1f}/kg of magnet (mean "
                         f"{m.support_usd_per_t.mean() / 1000:,.1f}) |")
    return "\n".join(lines)


def policy_costs(folder: Path) -> str:
    """Markdown: what each CRMA benchmark group costs (needs a --policy-costs run of the base; main()
    takes the linear plan's, because a MIP re-solved to a 0.1 % gap moves by more than some costs)."""
    f = folder / "csv" / "policy_costs.csv"
    if not f.is_file():
        return "(run `reeplan solve --policy-costs` for this table)"
    p = pd.read_csv(f)
    g = p.groupby("group", as_index=False)["group_total_cost_musd"].first()
    lines = ["| CRMA benchmark (policy group) | cost to 2040, discounted (USD million) |", "|---|---:|"]
    lines += [f"| {r.group} | {r.group_total_cost_musd:,.0f} |" for r in g.itertuples()]
    return "\n".join(lines)


def consumption(workbook: Path, region: str, material: str = "NdPr") -> pd.Series:
    """t of `material` in `region`'s demand by year (the policies' consumption base, formulation 7)."""
    t = read_workbook(workbook)
    content = t.frames["content"].query("material == @material").set_index("commodity")["t_per_t"]
    d = t.frames["demand"].query("region == @region")
    return (d.quantity_t * d.commodity.map(content).fillna(0.0)).groupby(d.year).sum()


def shipped_from_china(folder: Path, workbook: Path, region: str, material: str = "NdPr") -> pd.DataFrame:
    """Share of `region`'s consumption shipped from China, by stage (rows) and year (columns)."""
    t = read_workbook(workbook)
    stage = t.frames["commodities"].set_index("commodity")["stage"]
    content = t.frames["content"].query("material == @material").set_index("commodity")["t_per_t"]
    f = csv(folder, "trade").query("from_region == 'CN' and to_region == @region")
    f = f.assign(stage=f.commodity.map(stage), t=f.flow_t * f.commodity.map(content).fillna(0.0))
    tagged = f.groupby(["stage", "year"]).t.sum().unstack("year").reindex(index=list(STAGES), columns=KEY_YEARS)
    return tagged.fillna(0.0) / consumption(workbook, region, material).reindex(KEY_YEARS)


def china_by_origin(folder: Path, region: str, material: str = "NdPr") -> pd.DataFrame:
    """Share of `region`'s consumption whose stage work was done in China (origin.csv)."""
    o = csv(folder, "origin").query("region == @region and material == @material and tracked_region == 'CN'")
    return o.pivot_table(index="stage", columns="year", values="share").reindex(index=list(STAGES),
                                                                                 columns=KEY_YEARS)


def plan_differences(a: Path, b: Path) -> list[str]:
    """Projects whose builds (capacity and start year, to 0.1 t) differ between two result folders."""
    x, y = (csv(f, "builds").set_index(["project", "start_year"])["capacity_tpa"].round(1) for f in (a, b))
    both = pd.concat({"a": x, "b": y}, axis=1).fillna(0.0)
    return sorted(set(both.index[both.a != both.b].get_level_values("project")))


def dependence(out: Path, workbook: Path = WORKBOOK, regions: tuple[str, ...] = ("EU", "US")) -> str:
    """Markdown: China's share of EU and US NdPr consumption by shipper (base) and by origin."""
    origin = out / ORIGIN_SCENARIO
    head = " | ".join(f"{y} shipper / origin" for y in KEY_YEARS)
    lines = [f"| region | stage | {head} |", "|---|---|" + "---|" * len(KEY_YEARS)]
    for r in regions:
        ship, orig = shipped_from_china(out / BASE, workbook, r), china_by_origin(origin, r)
        for g in STAGES:
            cells = " | ".join(f"{ship.at[g, y]:.0%} / {orig.at[g, y]:.0%}" for y in KEY_YEARS)
            lines.append(f"| {r} | {g} | {cells} |")
    cost = [json.loads((f / "summary.json").read_text())["objective_musd"] for f in (out / BASE, origin)]
    moved = plan_differences(out / BASE, origin)
    lines.append(f"\n{ORIGIN_SCENARIO}: objective {cost[1]:,.1f} against the base's {cost[0]:,.1f} USD million; "
                 + (f"its builds differ from the base's in {', '.join(moved)}." if moved else
                    "the same builds as the base."))
    return "\n".join(lines)


def build_totals(folder: Path) -> pd.DataFrame:
    """Capacity built per project: total t/yr, number of builds and their start years."""
    b = csv(folder, "builds")
    b = b[b.capacity_tpa > 0.5]
    return b.groupby("project").agg(built_tpa=("capacity_tpa", "sum"), builds=("start_year", "size"),
                                    starts=("start_year", lambda s: ", ".join(str(y) for y in sorted(set(s)))))


def lumpy_vs_linear(lumpy: Path, linear: Path) -> str:
    """Markdown: the base (lumpy builds, a MIP) beside its LP relaxation, and every build that differs."""
    a, b = (json.loads((f / "summary.json").read_text()) for f in (lumpy, linear))
    mip = a["mip"]
    lines = ["| plan | objective (USD million) | vs linear | dual bound | gap (USD million) | nodes | solve |",
             "|---|---:|---:|---:|---:|---:|---:|",
             f"| linear (`--relax`) | {b['objective_musd']:,.1f} | | | | | {b['seconds']['solve']:.1f} s |",
             f"| lumpy (base) | {a['objective_musd']:,.1f} | {a['objective_musd'] - b['objective_musd']:+,.1f} | "
             f"{mip['dual_bound_musd']:,.1f} | {mip['gap_musd']:,.1f} | {mip['nodes']} | {a['seconds']['solve']:.1f} s |",
             "", "| project | linear: t/yr (builds; start years) | lumpy: t/yr (builds; start years) |", "|---|---|---|"]
    both = build_totals(linear).add_suffix("_lin").join(build_totals(lumpy).add_suffix("_mip"), how="outer")
    for p, r in both.iterrows():
        cell = [f"{r[f'built_tpa_{s}']:,.0f} ({r[f'builds_{s}']:.0f}; {r[f'starts_{s}']})"
                if pd.notna(r[f"built_tpa_{s}"]) else "0" for s in ("lin", "mip")]
        if cell[0] != cell[1]:
            lines.append(f"| {p} | {cell[0]} | {cell[1]} |")
    return "\n".join(lines)


def main(out: Path = OUT, workbook: Path = WORKBOOK, relaxed: Path = RELAXED) -> None:
    t = read_workbook(workbook)
    scenarios = [s for s in [BASE] + names(t) if (out / s / "summary.json").is_file()]
    print("### Calibration: 2025, base case\n")
    print(calibration(out / BASE))
    print("\n### Scenarios\n")
    print(results(out, scenarios))
    print("\n### Support needed (base)\n")
    print(support(out / BASE))
    print("\n### What the CRMA benchmarks cost\n")
    print(policy_costs(relaxed if (relaxed / "csv" / "policy_costs.csv").is_file() else out / BASE))
    if (out / ORIGIN_SCENARIO / "csv" / "origin.csv").is_file():
        print("\n### Dependence on China by shipper and by origin (NdPr)\n")
        print(dependence(out, workbook))
    if (relaxed / "summary.json").is_file():
        print("\n### Lumpy builds: base against its LP relaxation\n")
        print(lumpy_vs_linear(out / BASE, relaxed))


if __name__ == "__main__":
    main(*(Path(a) for a in sys.argv[1:4]))
