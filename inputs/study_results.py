"""The README's tables for the shipped study, from solved outputs.

    reeplan solve inputs/western_ree_2040.xlsx --all --jobs 2
    reeplan solve inputs/western_ree_2040.xlsx --relax --policy-costs --out outputs/relaxed   # linear plan
    python inputs/study_results.py [OUT_FOLDER] [WORKBOOK] [RELAXED_FOLDER]   # prints the tables as markdown
    python inputs/study_results.py --stochastic   # ... and the "Hedging" numbers (three stochastic plans, ~45 s)

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
* Hedging: the stochastic plan of the workbook's `stochastic` sheet (the ban at its shipped 30 %)
  and of copies of that sheet with the ban at 10 % and 50 %, solved in memory (a MIP each, as
  `reeplan solve --stochastic` solves it); the build-now list is what the hedged plan starts
  before the branch year, by stage.
"""

from __future__ import annotations

import json
import sys
from functools import lru_cache
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from model.analysis import label, names_of  # noqa: E402
from model.dependence import STAGE_WORDS  # noqa: E402
from model.pipeline import read_workbook, scenario_tables  # noqa: E402
from model.scenarios import BASE, names  # noqa: E402
from model.stochastic import solve_stochastic  # noqa: E402
from model.stochastic_run import _first_stage_builds as first_stage_builds  # noqa: E402

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


@lru_cache(maxsize=4)
def _frames(workbook: Path):
    """The workbook's tables for reading only (scenario edits not applied: about 1 s less a call)."""
    return read_workbook(workbook, only=[])


def consumption(workbook: Path, region: str, material: str = "NdPr") -> pd.Series:
    """t of `material` in `region`'s demand by year (the policies' consumption base, formulation 7)."""
    t = _frames(workbook)
    content = t.frames["content"].query("material == @material").set_index("commodity")["t_per_t"]
    d = t.frames["demand"].query("region == @region")
    return (d.quantity_t * d.commodity.map(content).fillna(0.0)).groupby(d.year).sum()


def shipped_from_china(folder: Path, workbook: Path, region: str, material: str = "NdPr") -> pd.DataFrame:
    """Share of `region`'s consumption shipped from China, by stage (rows) and year (columns)."""
    t = _frames(workbook)
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


# ---- the two-stage stochastic plan (README "Hedging"): solved in memory, nothing written
RISK_PROBABILITIES = (0.1, 0.3, 0.5)  # of the branch that is not base; the shipped sheet's is one of them
NO_STAGE = "metal making (no stage)"
PLAN_WORDS = {BASE: "plan for no ban", "china_ree_ban_2027": "plan for the ban"}


def stochastic_plan(workbook: Path = WORKBOOK, probability: float | None = None) -> dict:
    """solve_stochastic on the study's `stochastic` sheet, or on a copy of it whose one non-base
    branch has `probability` (and base the rest)."""
    tables = read_workbook(workbook)
    if probability is not None:
        tables.frames["stochastic"] = with_probability(tables.frames["stochastic"], probability)
    return solve_stochastic(tables, scenario_tables)


def with_probability(sheet: pd.DataFrame, probability: float) -> pd.DataFrame:
    """A copy of a stochastic sheet of base and one other branch, that branch at `probability`."""
    risk = sheet["scenario"] != BASE
    if risk.sum() != 1 or risk.all():
        raise ValueError("a copy with another probability needs base and one other branch")
    return sheet.assign(probability=risk.map({True: probability, False: 1 - probability}))


def risk_branch(res: dict) -> str:
    return next(br.name for br in res["branches"] if br.name != BASE)


def hedging_numbers(res: dict) -> str:
    """The README's sentence of E, WS, EVPI and the cost of ignoring the risk (USD million)."""
    return (f"E = {res['expected']:,.1f}, WS = {res['wait_and_see']:,.1f}, EVPI = {res['evpi']:,.1f}, "
            f"and the cost of ignoring the risk is {res['ignoring_risk']:,.1f} USD million.")


def dual_bound(mip: dict | None, objective: float) -> float:
    """A MIP's best bound (USD million); an LP's objective is its own."""
    return mip["dual_bound_musd"] if mip else objective


def evpi_range(res: dict) -> str:
    """Where the true EVPI lies, given the gaps of E and of each branch alone: E* is between E's
    dual bound and E, WS* between the probability-weighted bounds and WS."""
    e_low = dual_bound(res["extensive"].mip, res["expected"])
    ws_low = sum(br.prob * dual_bound(getattr(res["alone"][br.name], "mip", None), res["alone"][br.name].objective)
                 for br in res["branches"])
    return (f"the true EVPI lies between {e_low - res['wait_and_see']:,.1f} and "
            f"{res['expected'] - ws_low:,.1f} USD million")


def regret(res: dict) -> str:
    """Markdown: each plan's pre-branch decisions in each outcome (USD million, discounted)."""
    names = [br.name for br in res["branches"]]
    lines = ["| plan \\ outcome | " + " | ".join(names) + " |", "|---|" + "---:|" * len(names)]
    for plan in dict.fromkeys(p for p, _ in res["regret"]):
        cells = [f"{c:,.1f}" if c is not None else s for s, c in (res["regret"][(plan, n)] for n in names)]
        words = f" ({PLAN_WORDS[plan]})" if plan in PLAN_WORDS else ""
        lines.append(f"| {plan}{words} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def regret_words(res: dict) -> str:
    """The README's reading of the regret table (USD billion)."""
    risk, r = risk_branch(res), {k: c / 1000 for k, (_s, c) in res["regret"].items()}
    return (f"Planning for no ban and meeting one costs {r[(BASE, risk)]:,.1f} billion against "
            f"{r[(risk, risk)]:,.1f} for a plan that expected it; the hedged plan pays "
            f"{r[('hedged', BASE)] - r[(BASE, BASE)]:,.1f} billion more than the no-ban plan if no ban comes, and "
            f"{r[('hedged', risk)] - r[(risk, risk)]:,.1f} billion more than the ban plan if it does.")


def shared_builds(res: dict) -> pd.DataFrame:
    """The builds the hedged plan starts before the branch year (stage NO_STAGE for stageless ones)."""
    b = first_stage_builds(res)
    return b[b.branch == "shared"].fillna({"stage": NO_STAGE})


def build_now(res: dict, workbook: Path = WORKBOOK) -> str:
    """Markdown: what the hedged plan starts before the branch year, by stage (t/yr, names)."""
    names = names_of(_frames(workbook)).get("projects", {})
    b = shared_builds(res).groupby(["stage", "project"]).capacity_tpa.sum()
    lines = []
    for stage in [g for g in (*STAGES, "recycling", NO_STAGE) if g in b.index.get_level_values("stage")]:
        x = b[stage].sort_values(ascending=False)
        who = ", ".join(f"{label(p, names, short=True)} {v:,.0f}" for p, v in x.items())
        lines.append(f"* {STAGE_WORDS.get(stage, stage)}: {x.sum():,.0f} t/yr ({who})")
    return "\n".join(lines)


def sensitivity_row(p: float, res: dict) -> str:
    """One row of the README's table of the stochastic plan against the ban probability."""
    risk, hedged = risk_branch(res), {o: c for (plan, o), (_s, c) in res["regret"].items() if plan == "hedged"}
    return (f"| {p * 100:.0f} % | {res['expected']:,.1f} | {res['wait_and_see']:,.1f} | {res['evpi']:,.1f} | "
            f"{res['ignoring_risk']:,.1f} | {hedged[BASE]:,.1f} / {hedged[risk]:,.1f} |")


def stochastic_sensitivity(runs: dict[float, dict]) -> str:
    """Markdown: the README's table of the stochastic plan at each ban probability."""
    lines = ["| ban probability | E | WS | EVPI | cost of ignoring the risk | hedged plan if no ban / if ban |",
             "|---:|---:|---:|---:|---:|---|"]
    return "\n".join(lines + [sensitivity_row(p, res) for p, res in sorted(runs.items())])


def sensitivity_words(runs: dict[float, dict]) -> str:
    """The README's reading of the probability table (USD billion): the lowest probability's hedge,
    the hedged plan's premium if no ban comes, what the ban costs the no-ban plan, and how far the
    first-stage builds move between the probabilities."""
    low = min(runs)
    risk, res = risk_branch(runs[low]), runs[low]
    premium = [(r["regret"][("hedged", BASE)][1] - r["regret"][(BASE, BASE)][1]) / 1000 for r in runs.values()]
    hit = (res["regret"][(BASE, risk)][1] - res["regret"][(BASE, BASE)][1]) / 1000
    stages = pd.concat({p: shared_builds(r).groupby("stage").capacity_tpa.sum() for p, r in runs.items()},
                       axis=1).fillna(0.0)
    moved = (stages.max(axis=1) - stages.min(axis=1)).sum() / stages.mean(axis=1).sum()
    return (f"Even at {low * 100:.0f} % the hedge is worth {res['ignoring_risk'] / 1000:,.1f} billion: the first-stage "
            f"builds barely change with the probability (their capacity by stage moves by {moved * 100:.0f} % in all "
            f"between {low * 100:.0f} and {max(runs) * 100:.0f} %; the hedged plan costs {min(premium):,.2f}-"
            f"{max(premium):,.2f} billion more than the no-ban plan if no ban comes), because what the ban would "
            f"cost without them ({hit:,.0f} billion more) dwarfs what they cost.")


def hedging(workbook: Path = WORKBOOK) -> str:
    """Markdown: every stochastic number of the README (three plans, ~15 s each)."""
    shipped = stochastic_plan(workbook)
    p0 = next(br.prob for br in shipped["branches"] if br.name != BASE)
    runs = {p: shipped if abs(p - p0) < 1e-9 else stochastic_plan(workbook, p) for p in RISK_PROBABILITIES}
    parts = [hedging_numbers(shipped), evpi_range(shipped), regret(shipped), regret_words(shipped),
             build_now(shipped, workbook), stochastic_sensitivity(runs), sensitivity_words(runs)]
    return "\n\n".join(parts)


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
    if "--stochastic" in sys.argv:
        print("\n### Hedging: the two-stage stochastic plan\n")
        print(hedging(workbook))


if __name__ == "__main__":
    main(*(Path(a) for a in [a for a in sys.argv[1:] if not a.startswith("--")][:3]))
