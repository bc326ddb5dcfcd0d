"""End-to-end timings of the issue-18 speed targets, appended to benchmarks/end_to_end.csv.

    python benchmarks/end_to_end.py                    # all three targets (scale 40: several minutes)
    python benchmarks/end_to_end.py --only single all  # the shipped study only
    python benchmarks/end_to_end.py --scale 30 --repeat 3
    python benchmarks/end_to_end.py --only single --repeat 7 --tree /tmp/old --label before --interleave

Targets (2-core machine):
    single   `reeplan solve` of the shipped study with every output    <= 3 s wall
    all      `reeplan solve --all --jobs 2` of the shipped study       <= 15 s wall
    large    synthetic study at ~4e5 variables (`reeplan synth --scale 40`):
             the write phase <= 30 % of the solve phase (summary.json seconds)

Each command runs as a fresh `reeplan` process (imports included), `--repeat` times; the CSV
keeps every run with its wall and CPU seconds (user + sys of the process and its workers) and
the machine's 1-minute load average when it started: the machine is shared, so a run under
load is slower in wall time but not in CPU time.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
STUDY = ROOT / "inputs" / "western_ree_2040.xlsx"
RESULTS = HERE / "end_to_end.csv"
TREE = ROOT  # the source tree whose `model` runs (--tree: an older commit, for before/after)
FIELDS = ["date", "commit", "target", "run", "wall_s", "cpu_s", "load_1min", "limit", "detail"]
LIMITS = {"single": "3 s wall", "all": "15 s wall", "large": "write <= 0.30 x solve"}


def commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


def timed(args: list[str]) -> tuple[float, float, str]:
    """(wall seconds, CPU seconds of the process and its children, stderr) of one reeplan command."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    r = subprocess.run([sys.executable, "-m", "model", *args], cwd=TREE, capture_output=True, text=True,
                       env={**os.environ, "PYTHONPATH": str(TREE)})  # that tree's model, not the installed one
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if r.returncode != 0:
        raise SystemExit(f"reeplan {' '.join(args)} failed ({r.returncode}):\n{r.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, r.stderr


def phases(stderr: str) -> str:
    """The phase lines reeplan prints ('reading 0.17 s' ...), as 'reading 0.17; building ...'."""
    out = []
    for line in stderr.splitlines():
        words = line.split()
        if len(words) == 3 and words[2] == "s" and words[0] in ("reading", "building", "solving", "writing"):
            out.append(f"{words[0]} {words[1]}")
    return "; ".join(out)


def single(out: Path) -> tuple[float, float, str]:
    wall, cpu, err = timed(["solve", str(STUDY), "--out", str(out)])
    return wall, cpu, phases(err)


def batch(out: Path) -> tuple[float, float, str]:
    wall, cpu, err = timed(["solve", str(STUDY), "--all", "--jobs", "2", "--out", str(out)])
    n = sum(1 for line in err.splitlines() if line.strip().startswith(("ok ", "failed ")))
    return wall, cpu, f"{n} scenarios"


def large(out: Path, scale: float) -> tuple[float, float, str]:
    book = out / f"synth_{scale:g}.xlsx"
    if not book.exists():
        subprocess.run([sys.executable, "-m", "model", "synth", str(book), "--scale", f"{scale:g}"], cwd=TREE,
                       check=True, capture_output=True)
    wall, cpu, _ = timed(["solve", str(book), "--out", str(out)])
    summary = json.loads((out / book.stem / "base" / "summary.json").read_text())
    s, size = summary["seconds"], summary.get("size", {})
    ratio = s["write"] / s["solve"]
    return wall, cpu, (f"scale {scale:g}, {size.get('variables', '?')} variables: read {s['read']:.1f} s, "
                       f"build {s['build']:.1f}, solve {s['solve']:.1f}, write {s['write']:.1f}, "
                       f"write/solve {ratio:.2f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", nargs="+", choices=list(LIMITS), default=list(LIMITS))
    ap.add_argument("--repeat", type=int, default=3, help="runs of single and all (large runs once)")
    ap.add_argument("--scale", type=float, default=40.0)
    ap.add_argument("--tree", type=Path, help="run `python -m model` of this source tree (e.g. `git archive` of "
                    "an older commit); the study is still this checkout's inputs/")
    ap.add_argument("--label", default="", help="noted in the commit column (e.g. before)")
    ap.add_argument("--interleave", action="store_true", help="with --tree: run that tree and this checkout "
                    "in turn, each run of one followed by one of the other (the load then falls on both alike)")
    a = ap.parse_args()
    global TREE
    trees = [(a.tree.resolve() if a.tree else ROOT, a.label or commit())]
    if a.interleave and a.tree:
        trees.append((ROOT, commit()))
    rows = []
    tmp = Path(tempfile.mkdtemp(prefix="reeplan-e2e-"))
    try:
        for target in a.only:
            for k in range(1 if target == "large" else a.repeat):
                for i, (TREE, label) in enumerate(trees):
                    out = tmp / f"{target}{k}-{i}"
                    load = os.getloadavg()[0]
                    wall, cpu, detail = (single(out) if target == "single" else batch(out) if target == "all"
                                         else large(tmp, a.scale))
                    row = {"date": datetime.datetime.now().isoformat(timespec="seconds"), "commit": label,
                           "target": target, "run": k + 1, "wall_s": f"{wall:.2f}", "cpu_s": f"{cpu:.2f}",
                           "load_1min": f"{load:.1f}", "limit": LIMITS[target], "detail": detail}
                    rows.append(row)
                    print(f"{label[:16]:16s} {target:6s} run {k + 1}: {wall:6.2f} s wall, {cpu:6.2f} s CPU, "
                          f"load {load:4.1f}  {detail}", flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    new = not RESULTS.exists()
    with RESULTS.open("a", newline="") as f:
        w = csv.DictWriter(f, fieldnames=FIELDS)
        if new:
            w.writeheader()
        w.writerows(rows)


if __name__ == "__main__":
    main()
