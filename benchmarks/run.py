"""Scaling benchmark: time and memory of each phase on a ladder of synthetic studies.

    python benchmarks/run.py                       # scales 1 3 10 30 100, seed 0
    python benchmarks/run.py --scales 1 3 10       # a shorter ladder
    python benchmarks/run.py --figures             # also time charts/*.png and report.md/html

Each size runs in a fresh subprocess, so its peak memory (ru_maxrss) is its own:

    read      openpyxl read of the workbook into typed tables      (model.read.read_tables)
    validate  cross-sheet checks                                    (model.validate.validate)
    index     sparse sets and row term dicts, no Pyomo              (model.data.build_study)
    build     Pyomo model + handing it to HiGHS                     (lp.build_model, FastHighs.set_instance)
    solve     HiGHS run, values and duals read back                 (model.solve.solve_model)
    write     plan tables, csv/*.csv, plan.xlsx (+ charts, report)  (as model.pipeline writes them)

Then the LP is written to an .mps file and a second subprocess times HiGHS alone on it
(highspy readModel + run with the same options), the reference for the targets:
build <= HiGHS solve, end to end <= 2 x HiGHS solve, peak memory <= 3 x HiGHS alone.

Results go to benchmarks/results.csv (one row per size, appended rows replace the same
scale and seed; `synth_version` says which generator made the study, model.synth.VERSION)
and benchmarks/scaling.png (log-log seconds per phase against variables).
Timings on a shared machine are noisy; compare orders of magnitude, not digits.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import highspy

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
PHASES = ("read", "validate", "index", "build", "solve", "write")
COLUMNS = [
    "scale", "seed", "variables", "rows", "nonzeros", "status", "objective_musd",
    *[f"{p}_s" for p in PHASES], "total_s", "highs_run_in_solve_s",
    "write_tables_s", "write_csv_s", "write_xlsx_s", "write_figures_s",
    *[f"rss_after_{p}_mb" for p in PHASES], "peak_rss_mb",
    "highs_alone_read_s", "highs_alone_run_s", "highs_alone_peak_rss_mb", "highs_alone_objective",
    "build_over_highs", "total_over_highs", "rss_over_highs", "solver_options", "python", "highspy", "synth_version",
]


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far (MB); Linux reports ru_maxrss in kB."""
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(kb / (1024 * 1024) if sys.platform == "darwin" else kb / 1024, 1)


# ------------------------------------------------------------------ one size (child process)
def run_one(workbook: Path, mps: Path, out: Path, figures: bool) -> dict:
    sys.path.insert(0, str(REPO))
    from model.data import build_study
    from model.lp import build_model
    from model.read import read_tables
    from model.results import cost_by_component, plan_tables
    from model.solve import FastHighs, solve_model, solver_options
    from model.validate import validate
    from model.write.csv import write_csv
    from model.write.xlsx import write_xlsx

    rec: dict = {}

    def done(phase: str, t0: float) -> None:
        rec[f"{phase}_s"] = round(time.perf_counter() - t0, 3)
        rec[f"rss_after_{phase}_mb"] = peak_rss_mb()

    t0 = time.perf_counter()
    tables = read_tables(workbook)
    done("read", t0)
    t0 = time.perf_counter()
    validate(tables)
    done("validate", t0)
    t0 = time.perf_counter()
    study = build_study(tables)
    done("index", t0)
    t0 = time.perf_counter()
    m = build_model(study)
    solver = FastHighs()
    solver.set_instance(m)
    done("build", t0)
    t0 = time.perf_counter()
    sol, solver = solve_model(m, study, solver)
    done("solve", t0)
    rec["highs_run_in_solve_s"] = round(solver._solver_model.getRunTime(), 3)
    rec["solver_options"] = json.dumps(solver_options(sol.size.get("variables", 0)))
    rec.update(status=sol.status, objective_musd=sol.objective, **sol.size)

    t0 = time.perf_counter()
    folder = out / "plan"
    (folder / "csv").mkdir(parents=True, exist_ok=True)
    t1 = time.perf_counter()
    plan = plan_tables(study, sol)
    rec["write_tables_s"] = round(time.perf_counter() - t1, 3)
    summary = {"status": sol.status, "objective_musd": sol.objective, "scenario": "base",
               "workbook": str(workbook), "input_sha256": study.sha256, "message": sol.message,
               "cost_by_component_musd": cost_by_component(plan), "seconds": {}, "size": sol.size,
               "solver": sol.solver, "versions": {}, "edits": []}
    t1 = time.perf_counter()
    for name, df in plan.items():
        write_csv(df, folder / "csv" / f"{name}.csv")
    rec["write_csv_s"] = round(time.perf_counter() - t1, 3)
    t1 = time.perf_counter()
    write_xlsx(folder / "plan.xlsx", summary, plan)
    rec["write_xlsx_s"] = round(time.perf_counter() - t1, 3)
    rec["write_figures_s"] = None
    if figures:
        from model.write.charts import write_charts
        from model.write.report import write_report

        t1 = time.perf_counter()
        write_report(folder, plan, summary, write_charts(folder, plan, summary))
        rec["write_figures_s"] = round(time.perf_counter() - t1, 3)
    done("write", t0)
    rec["peak_rss_mb"] = peak_rss_mb()
    rec["total_s"] = round(sum(rec[f"{p}_s"] for p in PHASES), 3)
    # the same LP for HiGHS alone (after every measurement, so it costs no phase time)
    h = solver._solver_model
    h.setOptionValue("output_flag", False)
    h.writeModel(str(mps))
    return rec


# ------------------------------------------------------------------ HiGHS alone (child process)
def run_highs(mps: Path, options: dict) -> dict:
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    t0 = time.perf_counter()
    h.readModel(str(mps))
    read = time.perf_counter() - t0
    for k, v in options.items():
        h.setOptionValue(k, v)
    t0 = time.perf_counter()
    h.run()
    run = time.perf_counter() - t0
    return {"highs_alone_read_s": round(read, 3), "highs_alone_run_s": round(run, 3),
            "highs_alone_peak_rss_mb": peak_rss_mb(),
            "highs_alone_objective": h.getInfo().objective_function_value,
            "highs_alone_status": h.modelStatusToString(h.getModelStatus())}


# ------------------------------------------------------------------ the ladder (parent)
def child(args: list[str], timeout: float | None) -> dict:
    proc = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, timeout=timeout, check=False,
                          cwd=REPO)
    if proc.returncode != 0:
        raise RuntimeError(f"benchmark child {args} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def measure(scale: float, seed: int, work: Path, figures: bool, timeout: float | None) -> dict:
    sys.path.insert(0, str(REPO))
    from model.solve import solver_options
    from model.synth import VERSION, write_synth

    d = work / f"scale_{scale:g}_seed_{seed}"
    d.mkdir(parents=True, exist_ok=True)
    wb = d / "synth.xlsx"
    write_synth(wb, scale=scale, seed=seed)
    mps = d / "model.mps"
    rec = {"scale": scale, "seed": seed, "synth_version": VERSION}
    rec.update(child(["--one", str(wb), "--mps", str(mps), "--out", str(d)] + (["--figures"] if figures else []),
                     timeout))
    rec.update(child(["--highs", str(mps), "--options", json.dumps(solver_options(rec["variables"]))], timeout))
    hs = rec["highs_alone_run_s"]
    rec["build_over_highs"] = round(rec["build_s"] / hs, 3) if hs else None
    rec["total_over_highs"] = round(rec["total_s"] / hs, 3) if hs else None
    rec["rss_over_highs"] = round(rec["peak_rss_mb"] / rec["highs_alone_peak_rss_mb"], 3)
    rec["python"] = platform.python_version()
    rec["highspy"] = f"{highspy.HIGHS_VERSION_MAJOR}.{highspy.HIGHS_VERSION_MINOR}.{highspy.HIGHS_VERSION_PATCH}"
    mps.unlink(missing_ok=True)
    return rec


def save(rows: list[dict], path: Path) -> None:
    old = []
    if path.exists():
        with open(path, newline="") as fh:
            old = [r for r in csv.DictReader(fh)
                   if (float(r["scale"]), int(r["seed"])) not in {(float(n["scale"]), int(n["seed"])) for n in rows}]
    allrows = sorted(old + rows, key=lambda r: (int(r["seed"]), float(r["scale"])))
    with open(path, "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=COLUMNS, extrasaction="ignore", lineterminator="\n")
        w.writeheader()
        for r in allrows:
            w.writerow({k: r.get(k) for k in COLUMNS})


def plot(results: Path, png: Path) -> None:
    import matplotlib

    from model.synth import VERSION

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with open(results, newline="") as fh:
        rows = sorted(csv.DictReader(fh), key=lambda r: float(r["variables"]))
    seeds = sorted({r["seed"] for r in rows})
    rows = [r for r in rows if r["seed"] == seeds[0]]
    x = [float(r["variables"]) for r in rows]
    fig, ax = plt.subplots(figsize=(8, 5.5))
    series = [("read_s", "read"), ("validate_s", "validate"), ("index_s", "index (data.py)"),
              ("build_s", "build (Pyomo + hand to HiGHS)"), ("solve_s", "solve"), ("write_s", "write"),
              ("total_s", "end to end")]
    for col, label in series:
        y = [max(float(r[col]), 1e-3) for r in rows]
        ax.plot(x, y, marker="o", lw=2.2 if col == "total_s" else 1.4, label=label)
    ax.plot(x, [float(r["highs_alone_run_s"]) for r in rows], "k--", marker="s", label="HiGHS alone (run)")
    for xi, r in zip(x, rows):  # sizes kept from an older generator (not re-run) say so
        if r.get("synth_version") != str(VERSION):
            ax.annotate(f"older generator (v{r.get('synth_version') or 1})", (xi, float(r["total_s"])),
                        textcoords="offset points", xytext=(-10, 0), ha="right", va="center", fontsize=8)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("LP variables")
    ax.set_ylabel("seconds")
    ax.set_title("reeplan on synthetic studies: time per phase")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(png, dpi=120)
    plt.close(fig)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scales", type=float, nargs="+", default=[1, 3, 10, 30, 100])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--figures", action="store_true", help="also time charts/*.png and report.md/html")
    ap.add_argument("--work", type=Path, default=None, help="folder for workbooks and plans (default: a temp folder)")
    ap.add_argument("--results", type=Path, default=HERE / "results.csv")
    ap.add_argument("--plot", type=Path, default=HERE / "scaling.png")
    ap.add_argument("--timeout", type=float, default=None, help="seconds allowed per subprocess")
    # internal: one size, or HiGHS alone, in a child process
    ap.add_argument("--one", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--mps", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--highs", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--options", default="{}", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.one:
        print(json.dumps(run_one(a.one, a.mps, a.out, a.figures), default=str))
        return
    if a.highs:
        print(json.dumps(run_highs(a.highs, json.loads(a.options))))
        return
    work = a.work or Path(tempfile.mkdtemp(prefix="reeplan-bench-"))
    rows = []
    for scale in a.scales:
        t0 = time.perf_counter()
        rec = measure(scale, a.seed, work, a.figures, a.timeout)
        rows.append(rec)
        save([rec], a.results)
        print(f"scale {scale:g}: {rec['variables']:,} variables, {rec['rows']:,} rows, {rec['nonzeros']:,} nnz; "
              + ", ".join(f"{p} {rec[p + '_s']:.2f}s" for p in PHASES)
              + f"; peak {rec['peak_rss_mb']:.0f} MB; HiGHS alone {rec['highs_alone_run_s']:.2f}s "
              f"{rec['highs_alone_peak_rss_mb']:.0f} MB ({time.perf_counter() - t0:.0f}s)", flush=True)
    plot(a.results, a.plot)
    print(f"wrote {a.results} and {a.plot}")


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()
