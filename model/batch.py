"""Several scenarios of one workbook, one after another or in parallel worker processes.

The workbook is read and validated once (every scenario's edits included); each scenario
then builds, solves and writes its own folder. A scenario that fails is reported in its
`Outcome` and never stops the others.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .read import Tables


@dataclass(frozen=True)
class Outcome:
    scenario: str
    status: str  # a solver status, or "error" when the run itself failed
    exit_code: int
    folder: str
    objective: float | None
    seconds: float
    message: str = ""


def run_one(workbook: str, tables: Tables, scenario: str, out: str, with_policy_costs: bool) -> Outcome:
    """Solve one scenario; any failure becomes an Outcome with status "error" (exit code 1)."""
    import time

    from .pipeline import solve_workbook

    t0 = time.perf_counter()
    try:
        r = solve_workbook(workbook, out, scenario=scenario, tables=tables, with_policy_costs=with_policy_costs)
    except Exception as e:  # noqa: BLE001 - reported per scenario, the batch goes on
        return Outcome(scenario, "error", 1, "", None, time.perf_counter() - t0, f"{type(e).__name__}: {e}")
    return Outcome(scenario, r.status, r.exit_code, str(r.folder), r.solution.objective if r.solution.has_plan
                   else None, time.perf_counter() - t0, r.summary.get("message") or "")


def run_batch(workbook: str | Path, tables: Tables, scenarios: list[str], out: str | Path, jobs: int = 1,
              with_policy_costs: bool = False, done: Callable[[Outcome], None] | None = None) -> list[Outcome]:
    """Solve `scenarios` (in `jobs` processes when > 1); outcomes in the order given."""
    done = done or (lambda o: None)
    args = [(str(workbook), tables, s, str(out), with_policy_costs) for s in scenarios]
    results: dict[str, Outcome] = {}
    if jobs <= 1 or len(scenarios) <= 1:
        for a in args:
            results[a[2]] = run_one(*a)
            done(results[a[2]])
    else:
        # spawn: a clean interpreter per worker, the same on Linux, macOS and Windows
        ctx = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=min(jobs, len(scenarios)), mp_context=ctx) as pool:
            futures = {pool.submit(run_one, *a): a[2] for a in args}
            for f in as_completed(futures):
                s = futures[f]
                try:
                    results[s] = f.result()
                except Exception as e:  # noqa: BLE001 - a worker that died (e.g. out of memory)
                    results[s] = Outcome(s, "error", 1, "", None, 0.0, f"worker failed: {type(e).__name__}: {e}")
                done(results[s])
    return [results[s] for s in scenarios]


def batch_exit_code(outcomes: list[Outcome]) -> int:
    """0 when every scenario solved; otherwise the highest exit code among them."""
    return max((o.exit_code for o in outcomes), default=0)
