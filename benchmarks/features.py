"""What origin tracking (formulation 14) and lumpy builds (formulation 15) cost on the synthetic ladder.

    python benchmarks/features.py [--scales 1 3 10]

For each scale: the plain LP; the LP with one tracked region (the largest hub, R000: its work at
the three stages traced) and an origin-based supplier cap added to every max_supplier_share
policy; and the MIP with a minimum build of 30 % of max_new_tpa on every candidate, at mip_gap
1e-2 and 1e-3. Writes benchmarks/features.csv (size, build and solve seconds, objective).
Timings are wall seconds on a shared 2-core machine: noisy.
"""

from __future__ import annotations

import argparse
import csv
import tempfile
import time
from pathlib import Path

import openpyxl

from model.data import build_study
from model.lp import build_model
from model.pipeline import read_workbook
from model.solve import FastHighs, solve_model
from model.synth import write_synth

HERE = Path(__file__).resolve().parent


def variant(path: Path, kind: str, gap: float | None = None) -> Path:
    """A copy of a synthetic workbook with origin tracking or lumpy builds switched on."""
    wb = openpyxl.load_workbook(path)
    out = path.with_name(f"{path.stem}_{kind}{'' if gap is None else f'_{gap:g}'}.xlsx")
    if kind == "origin":
        wb["settings"].append(["track_origin", "R000"])
        pol = wb["policies"]
        head = [c.value for c in pol[1]]
        rows = [dict(zip(head, (c.value for c in r))) for r in pol.iter_rows(min_row=2)]
        for r in rows:
            if r.get("kind") == "max_supplier_share" and r.get("stage") != "recycling":
                pol.append([{**r, "policy": f"{r['policy']}_origin", "basis": "origin", "group": None}.get(h)
                            for h in head])
    if kind == "lumpy":
        ws = wb["projects"]
        head = [c.value for c in ws[1]]
        col = head.index("min_build_tpa") + 1 if "min_build_tpa" in head else len(head) + 1
        ws.cell(1, col, "min_build_tpa")
        j = head.index("max_new_tpa")
        for i, r in enumerate(ws.iter_rows(min_row=2), start=2):
            m = r[j].value
            if m:
                ws.cell(i, col, round(0.3 * float(m), 3))
        wb["settings"].append(["mip_gap", gap])
    wb.save(out)
    return out


def measure(path: Path) -> dict:
    t0 = time.perf_counter()
    study = build_study(read_workbook(path))
    m = build_model(study)
    solver = FastHighs()
    solver.set_instance(m)
    build = time.perf_counter() - t0
    t0 = time.perf_counter()
    sol, _ = solve_model(m, study, solver)
    solve = time.perf_counter() - t0
    return {"variables": sol.size.get("variables"), "rows": sol.size.get("rows"), "build_s": round(build, 2),
            "solve_s": round(solve, 2), "status": sol.status, "objective_musd": sol.objective,
            "relative_gap": (sol.mip or {}).get("relative_gap")}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scales", nargs="+", type=float, default=[1, 3])
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for scale in args.scales:
            base = write_synth(Path(tmp) / f"synth_{scale:g}.xlsx", scale=scale, seed=0)
            for label, path in (("lp", base), ("origin", variant(base, "origin")),
                                ("mip 1e-2", variant(base, "lumpy", 1e-2)), ("mip 1e-3", variant(base, "lumpy", 1e-3))):
                r = {"scale": scale, "variant": label, **measure(path)}
                print(r, flush=True)
                rows.append(r)
    with open(HERE / "features.csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)


if __name__ == "__main__":
    main()
