"""The ensemble's report page and fan charts, written from its tables."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

ROBUST, RARE = 0.9, 0.1  # built in at least / at most this share of samples


def write_fan_charts(folder: Path, fans: pd.DataFrame) -> list[str]:
    """charts/fan_cost.png and charts/fan_shares.png: median, 25-75 % and 5-95 % bands by year."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    if fans.empty:
        return []
    (folder / "charts").mkdir(exist_ok=True)
    written = []
    groups = {"fan_cost.png": ["cost_musd"],
              "fan_shares.png": sorted(q for q in fans["quantity"].unique() if q.startswith("western_share"))}
    for name, quantities in groups.items():
        if not quantities:
            continue
        fig, axes = plt.subplots(1, len(quantities), figsize=(4.2 * len(quantities) + 1, 3.6), squeeze=False)
        for ax, q in zip(axes[0], quantities):
            f = fans[fans["quantity"] == q]
            ax.fill_between(f["year"], f["p5"], f["p95"], alpha=0.2, color="C0", label="5-95 %")
            ax.fill_between(f["year"], f["p25"], f["p75"], alpha=0.4, color="C0", label="25-75 %")
            ax.plot(f["year"], f["p50"], color="C0", label="median")
            ax.set_title("cost by year, USD million" if q == "cost_musd" else q.replace("_", " ") + " (non-CN)")
            ax.set_xlabel("year")
            if q != "cost_musd":
                ax.set_ylim(0, 1.02)
        axes[0][0].legend(loc="best", fontsize=8)
        fig.tight_layout()
        fig.savefig(folder / "charts" / name, dpi=110)
        plt.close(fig)
        written.append(f"charts/{name}")
    return written


def _table(df: pd.DataFrame) -> list[str]:
    cols = list(df.columns)
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    return lines + ["| " + " | ".join(str(v) for v in r) + " |" for r in df.itertuples(index=False)]


def _pct(x: float) -> str:
    return f"{100 * x:.0f} %"


def builds_lines(robust: pd.DataFrame) -> list[str]:
    if robust.empty:
        return ["No project is built in any solved sample."]
    show = robust.assign(built=robust["built_share"].map(_pct),
                         median_tpa=robust["p50_tpa"].map(lambda v: f"{v:,.0f}"),
                         range_tpa=[f"{a:,.0f} - {b:,.0f}" for a, b in zip(robust["p10_tpa"], robust["p90_tpa"])])
    out = []
    for title, mask in (("Robust builds (in at least 90 % of samples)", robust["built_share"] >= ROBUST),
                        ("Contested builds (10-90 % of samples)", robust["built_share"].between(RARE, ROBUST,
                                                                                               inclusive="neither")),
                        ("Rare builds (at most 10 % of samples)", robust["built_share"] <= RARE)):
        rows = show[mask]
        out += ["", f"## {title}", ""]
        out += _table(rows[["project", "stage", "region", "built", "median_tpa", "range_tpa"]].rename(
            columns={"range_tpa": "p10 - p90 tpa"})) if not rows.empty else ["None."]
    return out


def policy_lines(policies: pd.DataFrame) -> list[str]:
    """Probability each target is met, in milestone years (every fifth year and the last)."""
    if policies.empty:
        return ["", "## Targets", "", "The plan has no policy rows."]
    years = sorted(policies["year"].unique())
    milestones = sorted({y for y in years if y % 5 == 0} | {years[-1]})
    w = policies[policies["year"].isin(milestones)].pivot_table(index="policy", columns="year", values="p_met",
                                                                aggfunc="first")
    w = w.map(lambda v: "" if pd.isna(v) else _pct(v)).reset_index()
    w.columns = [str(c) for c in w.columns]
    return ["", "## Probability that each target is met", "",
            "Share of solved samples in which the target is met in that year (policies.csv has every year)."
            " A target can be missed by buying its priced shortfall.", ""] + _table(w)


def write_report(folder: Path, ens, summary: dict, charts: list[str]) -> None:
    """report.md: what was drawn, how the cost spreads, which builds are robust, target odds."""
    obj = ens.samples["objective_musd"].dropna()
    lines = [f"# Ensemble of {Path(summary['workbook']).name}", "",
             f"{summary['samples']} samples (seed {summary['seed']}) of scenario {summary['scenario']}, drawing "
             + ", ".join(summary["parameters"]) + f". {summary['solved']} solved."]
    if ens.failed:
        lines += ["", "Samples without a plan (see samples.csv and summary.json):"]
        lines += [f"- sample {r.sample}: {r.status} {r.message}".rstrip() for r in ens.failed[:20]]
    if not obj.empty:
        q = obj.quantile([0.05, 0.5, 0.95])
        lines += ["", f"Total discounted cost: median {q[0.5]:,.0f} USD million, 90 % of samples between "
                  f"{q[0.05]:,.0f} and {q[0.95]:,.0f}."]
    lines += builds_lines(ens.robust) + policy_lines(ens.policies)
    if charts:
        lines += ["", "## Fan charts", ""] + [f"![{c}]({c})" for c in charts]
    (folder / "report.md").write_text("\n".join(lines) + "\n")
