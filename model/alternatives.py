"""`reeplan alternatives WORKBOOK [--slack 0.05] [--count N]`: near-optimal plans (modelling to
generate alternatives).

After the least-cost plan, the real cost (the objective without the penalties of missed targets
and unmet demand) may rise to (1 + slack) times its optimum, while every shortfall and unmet-demand
variable is held at its optimal value (otherwise an alternative could be bought by dropping
targets). Within that budget, each direction minimises or maximises capacity built in one group of
projects (a stage and region; a minimum is skipped where the least-cost plan builds nothing, as it
is 0), and further directions (a seeded Halton sequence of weights over the groups) fill up to
`count`. Each alternative is a warm re-solve of the same HiGHS instance.

Reported per alternative: its real cost, capacity built by stage x region; per project whether it
is built in every alternative ("must build"), in none ("never") or in some, and per group the range
of capacity over all alternatives.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import pandas as pd

from .analysis import TOL
from .pipeline import load_study
from .results import builds
from .session import Session
from .write.csv import write_csv
from .write.folder import staged_folder
from .write.tables import write_tables_xlsx

PENALTIES = ("unmet", "short")  # their cost is not real cost


def _halton(i: int, base: int) -> float:
    f, r = 1.0, 0.0
    while i > 0:
        f /= base
        r += f * (i % base)
        i //= base
    return r


PRIMES = (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71)


def _directions(groups: list[str], count: int) -> list[tuple[str, dict[str, float]]]:
    """min and max of each group, then Halton-weighted mixes (weights in [-1, 1]) up to count."""
    out = []
    for g in groups:
        out += [(f"min {g}", {g: 1.0}), (f"max {g}", {g: -1.0})]
    i = 1
    while len(out) < count:
        w = {g: 2 * _halton(i, PRIMES[k % len(PRIMES)]) - 1 for k, g in enumerate(groups)}
        out.append((f"mix {i}", w))
        i += 1
    return out[:count] if count else out


def generate(workbook: str | Path, slack: float = 0.05, count: int = 0, scenario: str = "base") -> dict:
    s = load_study(workbook, scenario)
    sess = Session(s)
    best = sess.run()
    if best.x is None:
        raise RuntimeError(f"the study is {best.status}: no least-cost plan to start from")
    n = len(sess.cost)
    penalty = np.zeros(n, dtype=bool)
    for fam in PENALTIES:
        penalty[sess.span(fam)] = True
    real = np.where(penalty, 0.0, sess.cost)
    real_opt = float(sess.offset + real @ best.x)
    for fam in PENALTIES:  # held at their optimum
        keys = list(sess.model._families[fam].keys())
        if keys:
            v = best.x[sess.span(fam)]
            sess.set_col_bounds(sess.cols(fam, keys), v, v)
    sess.add_row(real, -np.inf, (1 + slack) * real_opt - sess.offset if real_opt >= 0 else
                 (1 - slack) * real_opt - sess.offset)
    keys = list(s.build)
    b0 = sess.span("build").start
    group_of = [f"{s.projects[p].stage or 'no stage'} {s.projects[p].region}" for p, _ in keys]
    groups = sorted(set(group_of))
    plans = [("least cost", best)]
    built = {g: 0.0 for g in groups}
    for j, g in enumerate(group_of):
        built[g] += float(best.x[b0 + j])
    for name, weights in _directions(groups, count):
        if name.startswith("min ") and built[name[4:]] <= TOL:
            continue  # the least-cost plan already builds nothing there: the minimum is 0
        c = np.zeros(n)
        for j, g in enumerate(group_of):
            c[b0 + j] = weights.get(g, 0.0)
        sess.set_costs(c)
        plans.append((name, sess.run()))
    sess.set_costs(sess.cost, sess.offset)
    return {"study": s, "session": sess, "plans": plans, "real_opt": real_opt, "real": real, "slack": slack,
            "groups": groups}


def tables(res: dict) -> dict[str, pd.DataFrame]:
    s, sess = res["study"], res["session"]
    recs, built_by = [], {}
    for name, r in res["plans"]:
        rec = {"alternative": name, "status": r.status}
        if r.x is not None:
            sol = sess.solution(r)
            rec["real_cost_musd"] = float(sess.offset + res["real"] @ r.x)
            rec["objective_musd"] = sol.objective
            b = builds(s, sol)
            for (g, reg), v in b.groupby(["stage", "region"], dropna=False)["capacity_tpa"].sum().items():
                rec[f"{g if isinstance(g, str) else 'no stage'} {reg} tpa"] = float(v)
            built_by[name] = b.groupby("project")["capacity_tpa"].sum()
        recs.append(rec)
    alt = pd.DataFrame.from_records(recs)
    groups = [c for c in alt.columns if c.endswith(" tpa")]
    alt[groups] = alt[groups].fillna(0.0)
    alt = alt[["alternative", "status", "real_cost_musd", "objective_musd"] + sorted(groups)]
    candidates = sorted({p for p, _ in s.build})
    solved = list(built_by)
    proj = []
    for p in candidates:
        caps = [float(built_by[a].get(p, 0.0)) for a in solved]
        n_built = sum(c > TOL for c in caps)
        verdict = "must build" if n_built == len(solved) else "never" if n_built == 0 else "some"
        pr = s.projects[p]
        proj.append({"project": p, "stage": pr.stage, "region": pr.region, "verdict": verdict,
                     "built_in": n_built, "alternatives": len(solved), "min_tpa": min(caps), "max_tpa": max(caps)})
    ranges = pd.DataFrame({"group": sorted(groups), "min_tpa": [alt[g].min() for g in sorted(groups)],
                           "max_tpa": [alt[g].max() for g in sorted(groups)],
                           "least_cost_tpa": [alt[g].iloc[0] for g in sorted(groups)]})
    projects = pd.DataFrame.from_records(proj, columns=["project", "stage", "region", "verdict", "built_in",
                                                         "alternatives", "min_tpa", "max_tpa"])
    return {"alternatives": alt, "projects": projects, "ranges": ranges}


def _chart(ranges: pd.DataFrame, path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    r = ranges[ranges.max_tpa > TOL].sort_values("max_tpa")
    with matplotlib.rc_context({"text.parse_math": False}):
        fig, ax = plt.subplots(figsize=(8, max(3, 0.28 * len(r) + 1)))
        y = np.arange(len(r))
        ax.hlines(y, r.min_tpa, r.max_tpa, color="#7fa7c9", linewidth=6)
        ax.plot(r.least_cost_tpa, y, "o", color="#1f4e79", label="least-cost plan")
        ax.set_yticks(y, [str(g).removesuffix(" tpa") for g in r.group])
        ax.set_xlabel("capacity built over the horizon (t/yr)")
        ax.set_xlim(left=0)
        ax.set_title("Room to manoeuvre: capacity by stage and region across near-optimal plans")
        ax.legend(frameon=False, loc="lower right")
        fig.tight_layout()
        fig.savefig(path, dpi=110)
        plt.close(fig)


def write_alternatives(workbook: str | Path, slack: float = 0.05, count: int = 0, out: str | Path = "outputs",
                       scenario: str = "base") -> tuple[Path, dict[str, pd.DataFrame]]:
    t0 = time.perf_counter()
    res = generate(workbook, slack, count, scenario)
    out_tables = tables(res)
    folder = Path(out) / Path(workbook).stem / "alternatives"
    with staged_folder(folder, plan=True) as stage:
        write_csv(out_tables["alternatives"], stage.path / "alternatives.csv")
        write_csv(out_tables["projects"], stage.path / "projects.csv")
        write_csv(out_tables["ranges"], stage.path / "ranges.csv")
        write_tables_xlsx(stage.path / "alternatives.xlsx", out_tables)
        _chart(out_tables["ranges"], stage.path / "ranges.png")
        meta = {"slack": slack, "count": len(res["plans"]) - 1, "real_cost_optimum_musd": res["real_opt"],
                "scenario": scenario, "seconds": time.perf_counter() - t0,
                "relaxed": res["session"].relaxed}  # lumpy builds solved as their LP relaxation
        (stage.path / "summary.json").write_text(json.dumps(meta, indent=2) + "\n")
    return stage.folder, out_tables
