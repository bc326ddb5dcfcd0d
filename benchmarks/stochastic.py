"""Benchmark of the two-stage stochastic plan (formulation 16) on synthetic studies.

    python benchmarks/stochastic.py                          # scales 1 3 10, 2 and 4 branches
    python benchmarks/stochastic.py --scales 1 --branches 2  # one quick case

`reeplan synth` writes the study; this script adds a `scenarios` and a `stochastic` sheet to it
with openpyxl (the generator makes no scenarios), branch year = first_year + 4:

    base          nothing changes
    hub_ban       the hubs' offers end from the branch year (an export ban)
    high_demand   demand x 1.3 from the branch year
    scrap_push    scrap offers x 2 from the branch year (a collection push)

2 branches: base 0.7, hub_ban 0.3; 4 branches: base 0.4, hub_ban 0.2, high_demand 0.25,
scrap_push 0.15. Each case runs in a fresh subprocess (its own peak memory) and times, as
`model.stochastic.solve_stochastic` reports them: build (every branch's model), solve (the
extensive form built from their matrices and solved by HiGHS), regret (every branch alone, then
each plan's pre-branch decisions fixed in each branch). For comparison it also times the base
branch alone (build + solve, as `reeplan solve`). Writing the outputs is not timed.
Results: benchmarks/stochastic.csv (rows of the same scale and branches are replaced).
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
from run import peak_rss_mb  # benchmarks/run.py, beside this file

RESULTS = HERE / "stochastic.csv"
YEARS_BEFORE_BRANCH = 4
BRANCHES = {2: [("base", 0.7), ("hub_ban", 0.3)],
            4: [("base", 0.4), ("hub_ban", 0.2), ("high_demand", 0.25), ("scrap_push", 0.15)]}
COLUMNS = ["scale", "branches", "variables_one_branch", "ef_variables", "ef_rows", "ef_nonzeros", "ef_shared",
           "status", "expected_musd", "wait_and_see_musd", "evpi_musd", "one_branch_build_s", "one_branch_solve_s",
           "build_s", "ef_solve_s", "regret_s", "total_s", "ef_solve_over_one_branch", "peak_rss_mb", "warnings"]


def scenario_rows(hubs: list[str], B: int) -> list[tuple]:
    """scenario | sheet | where | column | op | value of the four branches (base takes no rows)."""
    out = [("hub_ban", "supply", f"region={h}; year>={B}", "max_tpa", "set", 0) for h in hubs]
    out.append(("high_demand", "demand", f"year>={B}", "quantity_t", "scale", 1.3))
    out.append(("scrap_push", "supply", f"commodity=scrap; year>={B}", "max_tpa", "scale", 2))
    return out


def add_branches(path: Path, n: int) -> int:
    """Add the scenarios and stochastic sheets for n branches to a synthetic workbook; the branch year."""
    import openpyxl

    wb = openpyxl.load_workbook(path)
    settings = {k: v for k, v in wb["settings"].iter_rows(min_row=2, values_only=True)}
    B = int(settings["first_year"]) + YEARS_BEFORE_BRANCH
    hubs = [r[0] for r in wb["regions"].iter_rows(min_row=2, values_only=True) if "(hub)" in str(r[1])]
    sc = wb.create_sheet("scenarios")
    sc.append(("scenario", "sheet", "where", "column", "op", "value", "note"))
    for row in scenario_rows(hubs, B):
        sc.append(row + ("benchmark branch",))
    st = wb.create_sheet("stochastic")
    st.append(("scenario", "probability", "branch_year"))
    for name, prob in BRANCHES[n]:
        st.append((name, prob, B))
    wb.save(path)
    return B


# ------------------------------------------------------------------ one case (child process)
def run_one(workbook: Path) -> dict:
    sys.path.insert(0, str(REPO))
    from model.data import build_study
    from model.lp import build_model
    from model.pipeline import read_workbook, scenario_tables
    from model.solve import FastHighs, solve_model
    from model.stochastic import solve_stochastic

    seconds: dict[str, float] = {}
    tables = read_workbook(workbook)
    t0 = time.perf_counter()
    res = solve_stochastic(tables, scenario_tables, lambda phase, s: seconds.__setitem__(phase, s))
    seconds["total"] = time.perf_counter() - t0
    ext = res["extensive"]
    rec = {"ef_variables": ext.size["variables"], "ef_rows": ext.size["rows"], "ef_nonzeros": ext.size["nonzeros"],
           "ef_shared": ext.size["shared"], "status": ext.status, "expected_musd": res.get("expected"),
           "wait_and_see_musd": res.get("wait_and_see"), "evpi_musd": res.get("evpi"),
           "build_s": seconds.get("build"), "ef_solve_s": seconds.get("solve"), "regret_s": seconds.get("regret"),
           "total_s": seconds["total"], "warnings": len(ext.warnings)}
    del res, ext
    t0 = time.perf_counter()
    study = build_study(tables)
    m = build_model(study)
    solver = FastHighs()
    solver.set_instance(m)
    rec["one_branch_build_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    sol, _ = solve_model(m, study, solver)
    rec["one_branch_solve_s"] = time.perf_counter() - t0
    rec["variables_one_branch"] = sol.size["variables"]
    rec["peak_rss_mb"] = peak_rss_mb()
    return rec


def run_case(scale: float, n: int, tmp: Path) -> dict:
    """Write the study, add n branches and time it in a fresh subprocess."""
    path = tmp / f"synth_{scale:g}_{n}.xlsx"
    subprocess.run(["reeplan", "synth", str(path), "--scale", str(scale), "--seed", "0", "--force"],
                   check=True, capture_output=True)
    add_branches(path, n)
    out = subprocess.run([sys.executable, __file__, "--child", str(path)], check=True, capture_output=True, text=True)
    rec = json.loads(out.stdout.strip().splitlines()[-1])
    rec.update(scale=scale, branches=n)
    rec["ef_solve_over_one_branch"] = rec["ef_solve_s"] / rec["one_branch_solve_s"]
    return {k: round(v, 3) if k.endswith(("_s", "_over_one_branch")) and v is not None else v
            for k, v in rec.items()}


def save(records: list[dict]) -> None:
    """Merge into benchmarks/stochastic.csv: a new row replaces the one of the same scale and branches."""
    old = list(csv.DictReader(RESULTS.open())) if RESULTS.exists() else []
    new = {(float(r["scale"]), int(r["branches"])): r for r in old}
    new.update({(float(r["scale"]), int(r["branches"])): r for r in records})
    with RESULTS.open("w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=COLUMNS, extrasaction="ignore")
        w.writeheader()
        for key in sorted(new):
            w.writerow(new[key])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scales", type=float, nargs="+", default=[1, 3, 10])
    ap.add_argument("--branches", type=int, nargs="+", default=[2, 4], choices=sorted(BRANCHES))
    ap.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(run_one(args.child)))
        return
    records = []
    with tempfile.TemporaryDirectory() as tmp:
        for scale in args.scales:
            for n in args.branches:
                rec = run_case(scale, n, Path(tmp))
                print(json.dumps(rec), flush=True)
                records.append(rec)
                save(records)


if __name__ == "__main__":
    main()
