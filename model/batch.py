"""Several scenarios of one workbook, one after another or in parallel worker processes.

The workbook is read and validated once (every scenario's edits included); each scenario
then builds, solves and writes its own folder. A scenario that fails is reported in its
`Outcome` and never stops the others. An interrupt (SIGINT, SIGTERM) stops the whole batch at
once: queued scenarios are cancelled, workers killed (their staging folders are removed by
the caller with `clean_stale`), and the interrupt is raised again.
"""

from __future__ import annotations

import multiprocessing
import signal
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .read import Tables
from .write.folder import ignore_interrupts


@dataclass(frozen=True)
class Outcome:
    scenario: str
    status: str  # a solver status, or "error" when the run itself failed
    exit_code: int
    folder: str
    objective: float | None
    seconds: float
    message: str = ""
    reasons: tuple[str, ...] = ()  # the first rows that had to give way, when infeasible


REASONS = 3


def _worker_init() -> None:
    # Ctrl-C reaches the whole process group; only the parent decides, workers are killed by it
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Pyomo makes a multiprocessing Lock at import; under the inherited spawn default it is a named
    # semaphore registered with the parent's resource tracker, which warns about a "leaked
    # semaphore" when a worker is killed. Workers start no processes, so fork's anonymous ones do.
    if "fork" in multiprocessing.get_all_start_methods():
        multiprocessing.set_start_method("fork", force=True)


def run_one(workbook: str, tables: Tables, scenario: str, out: str, with_policy_costs: bool) -> Outcome:
    """Solve one scenario; any failure becomes an Outcome with status "error" (exit code 1)."""
    import time

    from .pipeline import solve_workbook

    t0 = time.perf_counter()
    try:
        r = solve_workbook(workbook, out, scenario=scenario, tables=tables, with_policy_costs=with_policy_costs)
    except Exception as e:  # noqa: BLE001 - reported per scenario, the batch goes on
        return Outcome(scenario, "error", 1, "", None, time.perf_counter() - t0, f"{type(e).__name__}: {e}")
    reasons = () if r.diagnosis is None else tuple(r.diagnosis["message"].head(REASONS))
    return Outcome(scenario, r.status, r.exit_code, str(r.folder), r.solution.objective if r.solution.has_plan
                   else None, time.perf_counter() - t0, r.summary.get("message") or "", reasons)


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
        pool = ProcessPoolExecutor(max_workers=min(jobs, len(scenarios)), mp_context=ctx, initializer=_worker_init)
        try:
            futures = {pool.submit(run_one, *a): a[2] for a in args}
            for f in as_completed(futures):
                s = futures[f]
                try:
                    results[s] = f.result()
                except Exception as e:  # noqa: BLE001 - a worker that died (e.g. out of memory)
                    results[s] = Outcome(s, "error", 1, "", None, 0.0, f"worker failed: {type(e).__name__}: {e}")
                done(results[s])
        except BaseException:
            ignore_interrupts()
            stop(pool)
            raise
        pool.shutdown()
    return [results[s] for s in scenarios]


def stop(pool: ProcessPoolExecutor) -> None:
    """Cancel queued work and kill the workers now (SIGKILL: a worker may be deep in the solver)."""
    workers = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for p in workers:
        p.kill()
    for p in workers:
        p.join(10)
    pool.shutdown(wait=True)


def batch_exit_code(outcomes: list[Outcome]) -> int:
    """0 when every scenario solved; otherwise the highest exit code among them."""
    return max((o.exit_code for o in outcomes), default=0)
