"""`reeplan solve WORKBOOK --stochastic`: solve the two-stage plan of the `stochastic` sheet and
write DIR/<stem>/stochastic/: summary.json (objective_musd = the expected cost E), stochastic.csv,
regret.csv, stochastic.md, first_stage.png and one ordinary result folder per branch."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pandas as pd

from .errors import InputError, Issue
from .pipeline import read_workbook, scenario_tables, versions, write_result
from .stochastic import branch_spec, solve_stochastic
from .write.csv import write_csv
from .write.folder import staged_folder

FOLDER = "stochastic"


def _summary_table(res: dict) -> pd.DataFrame:
    rows = [("expected_cost", res.get("expected"), "E: the hedged plan's probability-weighted cost"),
            ("wait_and_see", res.get("wait_and_see"), "WS: each branch planned with perfect foresight"),
            ("evpi", res.get("evpi"), "E - WS: what knowing the branch in advance would be worth"),
            ("cost_of_ignoring_risk", res.get("ignoring_risk"),
             f"the {res.get('base_plan')} plan's pre-branch decisions faced with every branch, minus E")]
    return pd.DataFrame(rows, columns=["measure", "value_musd", "meaning"])


def _regret_table(res: dict) -> pd.DataFrame:
    recs = [{"plan": plan, "outcome": outcome, "status": status, "cost_musd": cost}
            for (plan, outcome), (status, cost) in res["regret"].items()]
    return pd.DataFrame.from_records(recs, columns=["plan", "outcome", "status", "cost_musd"])


def _first_stage_builds(res: dict) -> pd.DataFrame:
    """Capacity started before the branch year (shared) and after it in each branch, by project."""
    recs = []
    B = res["branch_year"]
    for br in res["branches"]:
        sol = res["solutions"][br.name]
        for (p, tau), v in sol.values["build"].items():
            if v > 1e-6:
                recs.append({"project": p, "stage": br.study.projects[p].stage, "region": br.study.projects[p].region,
                             "branch": "shared" if tau < B else br.name, "start_year": tau, "capacity_tpa": v})
    df = pd.DataFrame.from_records(recs, columns=["project", "stage", "region", "branch", "start_year", "capacity_tpa"])
    return df.drop_duplicates().sort_values(["branch", "project", "start_year"], kind="stable").reset_index(drop=True)


def _markdown(res: dict, builds: pd.DataFrame, workbook: str) -> str:
    from .analysis import study_facts
    from .write.markup import Namer

    n = Namer(study_facts(res["branches"][0].study))  # 'name (id)' where the workbook names them
    B = res["branch_year"]
    lines = [f"# Hedged plan for {Path(workbook).name}", ""]
    probs = ", ".join(f"{br.name} ({br.prob:.0%})" for br in res["branches"])
    lines += [f"Branches: {probs}; they are told apart from {B} on. Costs in USD million, discounted.", ""]
    if res.get("expected") is None:
        return "\n".join(lines + [f"The extensive form ended {res['extensive'].status}: no plan."]) + "\n"
    lines += [f"- Expected cost of the hedged plan: {res['expected']:,.1f}."]
    if res.get("evpi") is not None:
        lines += [f"- Knowing in advance which branch comes would save {res['evpi']:,.1f} (EVPI)."]
    if res.get("ignoring_risk") is not None:
        lines += [f"- Planning for {res['base_plan']} alone and adapting later costs {res['ignoring_risk']:,.1f} more "
                  "in expectation (the cost of ignoring the risk)."]
    now = builds[builds.branch == "shared"].groupby(["project", "stage", "region"])["capacity_tpa"].sum()
    lines += ["", f"## Build now (started before {B}, whatever happens)", ""]
    lines += [f"- {n.project(p)}: {v:,.0f} t/yr ({g}, {r})"
              for (p, g, r), v in now.sort_values(ascending=False).items()] or \
        ["- nothing"]
    lines += ["", f"## Wait, and build from {B} only in the branch that comes", ""]
    for br in res["branches"]:
        later = builds[builds.branch == br.name].groupby("project")["capacity_tpa"].sum()
        text = ", ".join(f"{n.project(p)} {v:,.0f} t/yr" for p, v in later.sort_values(ascending=False).head(8).items())
        lines.append(f"- {br.name}: {text or 'nothing more'}")
    lines += ["", "## Regret table (cost of each plan's pre-branch decisions in each branch)", "",
              "| plan \\ outcome | " + " | ".join(br.name for br in res["branches"]) + " |",
              "|---|" + "---|" * len(res["branches"])]
    for plan in dict.fromkeys(p for p, _ in res["regret"]):
        cells = []
        for br in res["branches"]:
            status, cost = res["regret"][(plan, br.name)]
            cells.append(f"{cost:,.1f}" if cost is not None else status)
        lines.append(f"| {plan} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _chart(builds: pd.DataFrame, path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with matplotlib.rc_context({"text.parse_math": False}):
        fig, ax = plt.subplots(figsize=(9, 4.5))
        pivot = builds.pivot_table(index="branch", columns="stage", values="capacity_tpa", aggfunc="sum").fillna(0)
        bottom = None
        for stage in pivot.columns:
            ax.bar(pivot.index.astype(str), pivot[stage], bottom=bottom, label=str(stage))
            bottom = pivot[stage] if bottom is None else bottom + pivot[stage]
        ax.set_ylabel("capacity started (t/yr)")
        ax.set_title("Shared first-stage builds and each branch's recourse")
        if len(pivot.columns):
            ax.legend(frameon=False)
        fig.tight_layout()
        fig.savefig(path, dpi=110)
        plt.close(fig)


def solve_stochastic_workbook(workbook: str | Path, out: str | Path = "outputs", progress=None,
                              figures: bool = True, relax: bool = False) -> tuple[int, Path, dict]:
    """Solve and write the two-stage plan; returns (exit code, folder, summary)."""
    seconds: dict[str, float] = {}

    def phase(name: str, s: float) -> None:
        seconds[name] = s
        if progress:
            progress(name, s)

    t0 = time.perf_counter()
    tables = read_workbook(workbook)
    spec, B = branch_spec(tables)
    if not spec:
        raise InputError([Issue("stochastic", 0, "scenario", "", "a stochastic sheet with the branches of the plan",
                                tables.path)])
    phase("read", time.perf_counter() - t0)
    res = solve_stochastic(tables, scenario_tables, phase, relaxed=relax)
    ext = res["extensive"]
    t0 = time.perf_counter()
    summary = {
        "status": ext.mip["status"] if ext.mip else ext.status, "objective_musd": res.get("expected"), "workbook": str(workbook),
        "branch_year": B, "branches": [{"scenario": br.name, "probability": br.prob,
                                        "objective_musd": res["solutions"][br.name].objective
                                        if br.name in res["solutions"] else None} for br in res["branches"]],
        "wait_and_see_musd": res.get("wait_and_see"), "evpi_musd": res.get("evpi"),
        "cost_of_ignoring_risk_musd": res.get("ignoring_risk"), "base_plan": res.get("base_plan"),
        "size": ext.size, "seconds": seconds, "versions": versions(), "warnings": ext.warnings,
        "relaxed": res.get("relaxed", False),  # lumpy builds solved as their LP relaxation (--relax)
    }
    if ext.mip:  # lumpy builds: the extensive form is a MIP, its duals conditional on the chosen plan
        summary["mip"] = ext.mip
    folder = Path(out) / Path(workbook).stem / FOLDER
    with staged_folder(folder, plan=ext.x is not None) as stage:
        tmp = stage.path
        (tmp / "highs.log").write_text(ext.log)
        if ext.x is not None:
            write_csv(_summary_table(res), tmp / "stochastic.csv")
            write_csv(_regret_table(res), tmp / "regret.csv")
            builds = _first_stage_builds(res)
            (tmp / "stochastic.md").write_text(_markdown(res, builds, str(workbook)))
            if figures:
                _chart(builds, tmp / "first_stage.png")
            for br in res["branches"]:
                sol = res["solutions"][br.name]
                sub = tmp / br.name
                sub.mkdir()
                bsum = {"status": sol.status, "objective_musd": sol.objective, "scenario": br.name,
                        "probability": br.prob, "branch_year": B, "workbook": str(workbook),
                        "input_sha256": br.study.sha256, "message": "branch of the stochastic plan",
                        "cost_by_component_musd": {}, "size": {"extensive_form": sol.size}, "solver": sol.solver,
                        "edits": br.edits,
                        "warnings": br.study.warnings}
                write_result(sub, workbook, br.study, sol, bsum, figures=figures)
                (sub / "summary.json").write_text(json.dumps(bsum, indent=2, default=str) + "\n")
        phase("write", time.perf_counter() - t0)
        (tmp / "summary.json").write_text(json.dumps(summary, indent=2, default=str) + "\n")
    code = 0 if ext.status == "optimal" or (ext.status == "time_limit" and ext.x is not None) else \
        4 if ext.status == "time_limit" else 3  # a feasible plan at the time limit is written, as for one solve
    return code, stage.folder, summary
