"""Ensemble throughput: samples per minute of the shipped study with --jobs N and with a local
Dask cluster of N workers, and the cluster's overhead against local processes.

    python benchmarks/ensemble.py                 # 20 samples, 2 workers (a few minutes on 2 cores)
    python benchmarks/ensemble.py --samples 200   # the issue's 200-sample run

The shipped study is copied with an `uncertainty` sheet (UNCERTAINTY below) added when it has
none. Each run is the real command in a subprocess; the CSV files of the two runs are compared
byte for byte. Results are appended to benchmarks/ensemble.csv.
"""

from __future__ import annotations

import argparse
import csv
import filecmp
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import openpyxl

ROOT = Path(__file__).resolve().parent.parent
STUDY = ROOT / "inputs" / "western_ree_2040.xlsx"
RESULTS = Path(__file__).resolve().parent / "ensemble.csv"
HEADER = ["parameter", "sheet", "where", "column", "op", "distribution", "a", "b", "c", "group"]
UNCERTAINTY = [  # estimates of the shipped study, as a strategist would doubt them
    ["western_capex", "projects", "region!=CN", "capex_usd_per_tpa", "scale", "triangular", 0.8, 1.6, 1.0, ""],
    ["western_opex", "projects", "region!=CN", "var_cost_usd_per_t", "scale", "uniform", 0.85, 1.3, None, ""],
    ["china_price", "supply", "region=CN", "price_usd_per_t", "scale", "lognormal", 1.0, 0.25, None, ""],
    ["demand_growth", "demand", "year>=2030", "quantity_t", "scale", "normal", 1.0, 0.12, 0.6, ""],
    ["lead_time_slip", "projects", "max_new_tpa>0", "lead_time_years", "add", "discrete", "0; 1; 2", "3; 2; 1",
     None, ""],
]


def with_uncertainty(src: Path, dst: Path) -> Path:
    """A copy of `src` with the uncertainty sheet above (kept as it is when `src` has one)."""
    wb = openpyxl.load_workbook(src)
    if "uncertainty" not in wb.sheetnames:
        ws = wb.create_sheet("uncertainty")
        ws.append(HEADER)
        for row in UNCERTAINTY:
            ws.append(row)
    wb.save(dst)
    return dst


def run(book: Path, out: Path, samples: int, seed: int, executor: list[str]) -> tuple[float, str]:
    t0 = time.perf_counter()
    r = subprocess.run([sys.executable, "-m", "model", "ensemble", str(book), "--samples", str(samples), "--seed",
                        str(seed), "--out", str(out), *executor], cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    if r.returncode != 0:
        sys.exit(f"ensemble {' '.join(executor)} failed ({r.returncode}):\n{r.stderr}")
    solved = re.search(r"(\d+) of (\d+) samples solved", r.stderr)
    return seconds, solved.group(0) if solved else "?"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--samples", type=int, default=20)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        book = with_uncertainty(STUDY, Path(tmp) / STUDY.name)
        rows = {}
        for name, executor in (("jobs", ["--jobs", str(args.workers)]),
                               ("local_cluster", ["--scheduler", f"local:{args.workers}"])):
            out = Path(tmp) / name
            seconds, solved = run(book, out, args.samples, args.seed, executor)
            rows[name] = (seconds, solved, out / STUDY.stem / "ensemble")
            print(f"{name:>14}: {seconds:7.1f} s, {60 * args.samples / seconds:6.1f} samples/min ({solved})")
        a, b = rows["jobs"][2], rows["local_cluster"][2]
        same = all(filecmp.cmp(a / f, b / f, shallow=False) for f in ("samples.csv", "robust_builds.csv",
                                                                        "policies.csv", "fans.csv"))
    overhead = rows["local_cluster"][0] - rows["jobs"][0]
    print(f"cluster overhead: {overhead:+.1f} s ({100 * overhead / rows['jobs'][0]:+.0f} %); CSVs identical: {same}")
    new = not RESULTS.exists()
    with RESULTS.open("a", newline="") as f:
        w = csv.writer(f)
        if new:
            w.writerow(["date", "machine", "samples", "workers", "jobs_s", "jobs_samples_per_min", "cluster_s",
                        "cluster_samples_per_min", "overhead_s", "csvs_identical"])
        j, c = rows["jobs"][0], rows["local_cluster"][0]
        w.writerow([time.strftime("%Y-%m-%d"), platform.machine(), args.samples, args.workers, f"{j:.1f}",
                    f"{60 * args.samples / j:.1f}", f"{c:.1f}", f"{60 * args.samples / c:.1f}", f"{overhead:.1f}", same])


if __name__ == "__main__":
    main()
