"""The README's calibration and scenario tables for the shipped study, from solved outputs.

    reeplan solve inputs/western_ree_2040.xlsx --all --jobs 2
    python inputs/study_results.py                 # prints both tables as markdown

Every number comes from the result folders (`outputs/western_ree_2040/<scenario>/`) and the
workbook's `content` and `commodities` sheets; nothing is typed in here except the reported
shares quoted beside the calibration (with their source ids from the workbook's sources sheet).

Definitions (all in tonnes of NdPr oxide equivalent, using `content`):
* Western share of a stage in a year: output outside China of the commodities that stage
  delivers, over that output plus what is bought from Chinese offers (region CN). The model's
  market is consumption outside China, so this is the share of non-Chinese supply.
* Binding CRMA targets: EU policies whose row binds (or falls short) in 2030, with the shadow
  price in USD per tonne of material.
* NdPr oxide price in the US: shadow price of the US ndpr_oxide balance, against the 110 USD/kg
  floor of the Department of Defense agreement with MP Materials (mp_dod_8k_2025).
* Iron nitride share: magnet demand served by iron nitride (standard-grade duty) over all
  magnet demand (high-performance and standard-grade) in the year.
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
STAGES = ("extraction", "processing", "manufacturing")
FLOOR_USD_PER_T = 110_000  # USD/kg 110 (mp_dod_8k_2025)
# reported world shares quoted beside the 2025 calibration (shares.csv of the study's data)
REPORTED = {
    ("extraction", "CN"): "69 % of world mine output, 2024 (usgs_mcs_2025)",
    ("extraction", "US"): "11 %, 2024 (usgs_mcs_2025)",
    ("extraction", "AU"): "3.3 %, 2024 (usgs_mcs_2025)",
    ("processing", "CN"): "92 % of refined output, 2023 (iea_gcmo_2024)",
    ("processing", "MY"): "5 %, 2023 (iea_gcmo_2024)",
    ("processing", "AU"): "1 %, 2023 (iea_gcmo_2024)",
    ("manufacturing", "CN"): "92-94 % of magnet output, 2022-24 (adamas_outlook_2040)",
    ("manufacturing", "JP"): "5 %, 2022 (adamas_outlook_2040)",
    ("manufacturing", "VN"): "1 %, 2022 (adamas_outlook_2040)",
    ("manufacturing", "EU"): "1 %, 2022 (adamas_outlook_2040)",
}


def csv(folder: Path, table: str) -> pd.DataFrame:
    return pd.read_csv(folder / "csv" / f"{table}.csv", keep_default_na=False, na_values=[""])


def stage_supply(folder: Path, content: dict, stage_of: dict, year: int) -> pd.DataFrame:
    """t NdPr supplied per stage and region in `year`: Western output and Chinese offers bought."""
    prod = csv(folder, "production")
    prod = prod[(prod.year == year) & (prod.quantity_t > 0) & (prod.region != "CN")]
    prod = prod.assign(stage=prod.commodity.map(stage_of), ndpr=prod.quantity_t * prod.commodity.map(content))
    sup = csv(folder, "supply")
    sup = sup[(sup.year == year) & (sup.region == "CN")]
    sup = sup.assign(stage=sup.commodity.map(stage_of), ndpr=sup.bought_t * sup.commodity.map(content))
    both = pd.concat([prod[["stage", "region", "ndpr"]], sup[["stage", "region", "ndpr"]]])
    both = both[both.stage.isin(STAGES) & (both.ndpr > 0)]
    return both.groupby(["stage", "region"], as_index=False)["ndpr"].sum()


def western_share(folder: Path, content: dict, stage_of: dict, year: int) -> dict[str, float]:
    s = stage_supply(folder, content, stage_of, year)
    out = {}
    for g in STAGES:
        x = s[s.stage == g]
        total = x.ndpr.sum()
        out[g] = x[x.region != "CN"].ndpr.sum() / total if total > 0 else float("nan")
    return out


def calibration(folder: Path, content: dict, stage_of: dict) -> str:
    s = stage_supply(folder, content, stage_of, 2025)
    lines = ["| stage | region | model 2025 (t NdPr) | model share of non-Chinese supply | reported world share |",
             "|---|---|---:|---:|---|"]
    for g in STAGES:
        x = s[s.stage == g].sort_values("ndpr", ascending=False)
        total = x.ndpr.sum()
        shown = set()
        for r in x.itertuples():
            shown.add(r.region)
            lines.append(f"| {g} | {r.region} | {r.ndpr:,.0f} | {r.ndpr / total:.0%} | {REPORTED.get((g, r.region), '')} |")
        for (gg, region), text in REPORTED.items():
            if gg == g and region not in shown:
                lines.append(f"| {g} | {region} | 0 | 0% | {text} |")
    return "\n".join(lines)


def binding_targets(folder: Path, year: int = 2030) -> str:
    """EU policies with a positive shadow price (or a shortfall) in `year`, e.g. `ext NdPr 250 (-819 t)`:
    k USD per t of material, and the shortfall of a soft target in tonnes."""
    p = csv(folder, "policies")
    p = p[(p.year == year) & (p.region == "EU")]
    p = p.groupby(["policy", "kind", "stage", "material"], as_index=False).agg(
        price=("shadow_price_usd_per_t", "max"), short=("shortfall_t", "sum"))
    p = p[(p.price > 1e-6) | (p.short > 0.5)]
    if p.empty:
        return "none"
    abbrev = {"extraction": "ext", "processing": "proc", "manufacturing": "mfg", "recycling": "rec"}
    label = lambda r: ("65% cap " if r.kind == "max_supplier_share" else "") + f"{abbrev[r.stage]} {r.material}"  # noqa: E731
    return "; ".join(f"{label(r)} {r.price / 1000:,.0f}" + (f" (-{r.short:,.0f} t)" if r.short > 0.5 else "")
                     for r in p.itertuples())


def us_oxide_price(folder: Path, year: int) -> float:
    p = csv(folder, "prices")
    r = p[(p.region == "US") & (p.commodity == "ndpr_oxide") & (p.year == year)]
    return float(r.price_usd_per_t.iloc[0]) if len(r) else float("nan")


def iron_nitride_share(folder: Path, year: int) -> float:
    prod = csv(folder, "production")
    fen = prod[(prod.technology == "std_from_fen") & (prod.commodity == "std_magnet") & (prod.year == year)]
    dem = csv(folder, "unmet")
    dem = dem[(dem.year == year) & dem.commodity.isin(["magnet", "std_magnet"])]
    return fen.quantity_t.sum() / dem.demand_t.sum() if dem.demand_t.sum() > 0 else float("nan")


def results(out: Path, scenarios: list[str], content: dict, stage_of: dict) -> str:
    head = ("| scenario | total cost (USD bn) | Western share 2030: mine / sep. / magnet | 2035 | "
            "EU CRMA targets binding in 2030 (shadow price, k USD/t; shortfall) | US NdPr oxide price 2030 / 2035 (USD/kg; floor 110) "
            "| iron nitride share of magnet demand 2035 |")
    lines = [head, "|---|---:|---|---|---|---|---:|"]
    for s in scenarios:
        folder = out / s
        summary = json.loads((folder / "summary.json").read_text())
        if summary["status"] != "optimal":
            lines.append(f"| {s} | {summary['status']} | | | | | |")
            continue
        w30 = western_share(folder, content, stage_of, 2030)
        w35 = western_share(folder, content, stage_of, 2035)
        fmt = lambda w: " / ".join(f"{w[g]:.0%}" for g in STAGES)  # noqa: E731
        lines.append(f"| {s} | {summary['objective_musd'] / 1000:,.1f} | {fmt(w30)} | {fmt(w35)} | "
                     f"{binding_targets(folder)} | {us_oxide_price(folder, 2030) / 1000:,.0f} / "
                     f"{us_oxide_price(folder, 2035) / 1000:,.0f} | {iron_nitride_share(folder, 2035):.1%} |")
    return "\n".join(lines)


def main(out: Path = OUT, workbook: Path = WORKBOOK) -> None:
    t = read_workbook(workbook)
    ndpr = t["content"][t["content"].material == "NdPr"]
    content = dict(zip(ndpr.commodity, ndpr.t_per_t))
    stage_of = dict(zip(t["commodities"].commodity, t["commodities"].stage))
    scenarios = [s for s in [BASE] + names(t) if (out / s / "summary.json").is_file()]
    print("### Calibration: 2025, base case\n")
    print(calibration(out / BASE, content, stage_of))
    print("\n### Scenarios\n")
    print(results(out, scenarios, content, stage_of))


if __name__ == "__main__":
    main(*(Path(a) for a in sys.argv[1:3]))
