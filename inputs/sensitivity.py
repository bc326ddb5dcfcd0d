"""Tornado of the shipped study: total cost and 2030 Western magnet share against its estimated inputs.

    python inputs/sensitivity.py        # writes inputs/sensitivity.csv and inputs/sensitivity.png

Each input is moved down and up on its own (the scenario machinery edits the base in memory) and
the base is re-solved; nothing is written to outputs/. Western magnet share: magnets made outside
China, Myanmar and Southeast Asia over all magnets supplied outside China (made or bought from
Chinese offers) in 2030, as in inputs/study_results.py.
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from model.data import build_study  # noqa: E402
from model.lp import build_model  # noqa: E402
from model.pipeline import read_workbook, scenario_tables  # noqa: E402
from model.solve import solve_model  # noqa: E402

WORKBOOK = REPO / "inputs" / "western_ree_2040.xlsx"
NOT_WEST = {"CN", "MM", "MY", "VN"}
PLANTS = "technology!=std_from_ndfeb; technology!=std_from_fen; region!=CN"
GROWTH = [(y, f"year={y}") for y in range(2026, 2041)]

# input, low label, high label, edits(factor) -> rows (sheet, where, column, op, value)
INPUTS = {
    "Western running costs (-/+25 %)": (0.75, 1.25, lambda f: [("projects", PLANTS, "var_cost_usd_per_t", "scale", f)]),
    "Chinese prices (-/+25 %)": (0.75, 1.25, lambda f: [("supply", "region=CN", "price_usd_per_t", "scale", f),
                                                       ("sales", "region=CN", "price_usd_per_t", "scale", f)]),
    "unmet-demand penalty (-/+50 %)": (0.5, 1.5, lambda f: [("settings", "key=unmet_penalty_usd_per_t", "value",
                                                             "scale", f)]),
    "Dy/Tb per t of magnet (-/+30 %)": (0.7, 1.3, lambda f: [("tech_io", "technology=ndfeb_sinter; commodity=dytb_oxide",
                                                              "coefficient", "scale", f)]),
    "demand growth (-/+2 pp a year)": (-0.02, 0.02, lambda g: [("demand", w, "quantity_t", "scale",
                                                                round((1 + g) ** (y - 2025), 4)) for y, w in GROWTH]),
    # the stated estimates of fixed O&M (3 % of capex a year; rule of thumb 2-5 %) and availability (90 %)
    "fixed O&M (-/+50 %: 1.5-4.5 % of capex)": (0.5, 1.5, lambda f: [("projects", PLANTS, "fixed_om_usd_per_tpa",
                                                                       "scale", f)]),
    "plant availability (80 % / 100 %)": (0.8 / 0.9, 1 / 0.9, lambda f: [("projects", PLANTS + "; availability=0.9",
                                                                          "availability", "scale", round(f, 6))]),
}


def run(tables: dict, rows: list[tuple]) -> tuple[float, float]:
    """Objective (USD bn) and 2030 Western magnet share with `rows` applied as one scenario."""
    t = tables
    if rows:
        sc = tables.frames["scenarios"]
        extra = pd.DataFrame([{"scenario": "sens", "sheet": s, "where": w, "column": c, "op": o, "value": str(v),
                               "_row": 10_000 + i} for i, (s, w, c, o, v) in enumerate(rows)])
        t = dataclasses.replace(tables, frames={**tables.frames, "scenarios": pd.concat([sc, extra], ignore_index=True)})
        t = scenario_tables(t, "sens")[0]
    study = build_study(t)
    sol, _ = solve_model(build_model(study), study)
    assert sol.status == "optimal", sol.message
    made = {"west": 0.0, "all": 0.0}
    for (p, y), v in sol.values["act"].items():
        prj = study.projects[p]
        out = study.tech_io[prj.technology].get("magnet", 0.0) * v
        if y == 2030 and out > 0 and prj.technology != "std_from_ndfeb":
            made["all"] += out
            made["west"] += out if prj.region not in NOT_WEST else 0.0
    bought = sum(v for (o, y), v in sol.values["buy"].items()
                 if y == 2030 and study.buy[(o, y)].region == "CN" and study.buy[(o, y)].commodity == "magnet")
    return sol.objective / 1000, made["west"] / (made["all"] + bought)


def tornado(tables: dict) -> pd.DataFrame:
    cost0, share0 = run(tables, [])
    rows = []
    for name, (lo, hi, edits) in INPUTS.items():
        for side, f in (("low", lo), ("high", hi)):
            cost, share = run(tables, edits(f))
            rows.append({"input": name, "side": side, "factor": f, "total_cost_usd_bn": round(cost, 2),
                         "delta_cost_usd_bn": round(cost - cost0, 2), "west_magnet_share_2030": round(share, 3),
                         "delta_share_pp": round(100 * (share - share0), 1)})
    return pd.DataFrame(rows)


def chart(df: pd.DataFrame, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(11, 3.8), sharey=True)
    order = df.groupby("input").delta_cost_usd_bn.apply(lambda s: s.abs().max()).sort_values().index
    for ax, col, title in ((axes[0], "delta_cost_usd_bn", "total cost vs base (USD bn)"),
                           (axes[1], "delta_share_pp", "2030 Western magnet share vs base (pp)")):
        for i, name in enumerate(order):
            x = df[df.input == name].set_index("side")[col]
            ax.barh(i, x["low"], color="#4c72b0", label="low" if i == 0 else None)
            ax.barh(i, x["high"], color="#dd8452", label="high" if i == 0 else None)
        ax.axvline(0, color="black", lw=0.8)
        ax.set_title(title, fontsize=10)
    axes[0].set_yticks(range(len(order)), order, fontsize=8)
    axes[0].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main() -> None:
    df = tornado(read_workbook(WORKBOOK))
    out = WORKBOOK.with_name("sensitivity.csv")
    df.to_csv(out, index=False)
    chart(df, out.with_suffix(".png"))
    print(df.to_string(index=False))


if __name__ == "__main__":
    main()
