"""Several scenarios of one workbook, one after another, in parallel worker processes, or on a
Dask cluster (`--scheduler`, model/cluster.py).

The workbook is read and validated once (every scenario's edits included); each scenario
then builds, solves and writes its own folder. A scenario that fails is reported in its
`Outcome` and never stops the others. An interrupt (SIGINT, SIGTERM) stops the whole batch at
once: queued scenarios are cancelled, workers killed (their staging folders are removed by
the caller with `clean_stale`), and the interrupt is raised again.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import signal
import sys
from contextlib import contextmanager
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator

from .write.folder import ignore_interrupts, staged_folder

if TYPE_CHECKING:  # the CLI imports this module at start-up: no pandas yet
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
    reasons: tuple[str, ...] = ()  # the first rows that had to give way, when infeasible


REASONS = 3
WORKER_GC = (50_000, 20, 100)  # gc thresholds in a worker process (Python's default: 700, 10, 10)
_IN_WORKER = False  # this process is a batch worker (_worker_init)


def _worker_init() -> None:
    # the parent's objects (the workbook's tables, imports) are never garbage: the collector skips
    # them, and runs less often (each scenario's are collected after it, in run_one). Measured on the
    # shipped study: about 0.3 s less per scenario, a tenth of its time
    global _IN_WORKER
    _IN_WORKER = True
    gc.freeze()
    gc.set_threshold(*WORKER_GC)
    from .write import chart_base

    chart_base.REUSE_FIGURES = True  # each scenario's charts are drawn on the last one's figures
    # Ctrl-C reaches the whole process group; only the parent decides, workers are killed by it;
    # SIGTERM ends a worker (a forked one would otherwise inherit the parent's handler)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    # Pyomo makes a multiprocessing Lock at import; under the inherited spawn default it is a named
    # semaphore registered with the parent's resource tracker, which warns about a "leaked
    # semaphore" when a worker is killed. Workers start no processes, so fork's anonymous ones do.
    if "fork" in multiprocessing.get_all_start_methods():
        multiprocessing.set_start_method("fork", force=True)


def worker_context():
    """Linux: fork, so a worker starts with this process's imports (pandas, Pyomo, the model:
    about a second of CPU per worker, before its first scenario). Elsewhere spawn, a clean
    interpreter per worker (macOS's system libraries are not safe to fork, Windows cannot)."""
    if sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def run_one(workbook: str, tables: Tables, scenario: str, out: str, with_policy_costs: bool) -> Outcome:
    """Solve one scenario; any failure becomes an Outcome with status "error" (exit code 1)."""
    import time

    from .pipeline import solve_workbook

    t0 = time.perf_counter()
    try:
        r = solve_workbook(workbook, out, scenario=scenario, tables=tables, with_policy_costs=with_policy_costs)
    except Exception as e:  # noqa: BLE001 - reported per scenario, the batch goes on
        return Outcome(scenario, "error", 1, "", None, time.perf_counter() - t0, f"{type(e).__name__}: {e}")
    finally:
        gc.collect()  # this scenario's model and tables, before the next one
        if _IN_WORKER:  # what survives a scenario stays (matplotlib's and the figures' objects, caches):
            gc.freeze()  # not traversed again, collections take half the time and no longer grow
    reasons = () if r.diagnosis is None else tuple(r.diagnosis["message"].head(REASONS))
    return Outcome(scenario, r.status, r.exit_code, str(r.folder), r.solution.objective if r.solution.has_plan
                   else None, time.perf_counter() - t0, r.summary.get("message") or "", reasons)


def solve_remote(tables: Tables, workbook: str, scenario: str, with_policy_costs: bool) -> tuple[Outcome, dict]:
    """On a cluster worker: solve one scenario into a private temporary folder and return its
    Outcome and files (relative path -> bytes); the client writes them (`write_remote`)."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="reeplan-") as tmp:
        o = run_one(workbook, tables, scenario, tmp, with_policy_costs)
        root = Path(o.folder) if o.folder else None
        files = {str(f.relative_to(root)): f.read_bytes() for f in sorted(root.rglob("*")) if f.is_file()} \
            if root is not None and root.is_dir() else {}
    return o, files


def write_remote(outcome: Outcome, files: dict[str, bytes], target: Path) -> Outcome:
    """Write a worker's result folder into place atomically (a folder without a plan never replaces a plan)."""
    if not files:
        return outcome
    with staged_folder(target, plan=any(k.startswith("csv/") for k in files)) as stage:
        for rel, data in files.items():
            path = stage.path / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
    return replace(outcome, folder=str(stage.folder))


def run_batch(workbook: str | Path, tables: Tables, scenarios: list[str], out: str | Path, jobs: int = 1,
              with_policy_costs: bool = False, done: Callable[[Outcome], None] | None = None,
              scheduler: str | None = None, workers: Workers | None = None) -> list[Outcome]:
    """Solve `scenarios` (in `jobs` processes when > 1, or in `workers` already holding `tables`; on
    the Dask cluster at `scheduler` when given); outcomes in the order given."""
    done = done or (lambda o: None)
    if scheduler:
        return _run_on_cluster(workbook, tables, scenarios, out, with_policy_costs, done, scheduler)
    results: dict[str, Outcome] = {}

    def arrived(s: str, o: Outcome) -> None:
        results[s] = o
        done(o)

    def died(s: str, message: str) -> None:
        arrived(s, Outcome(s, "error", 1, "", None, 0.0, message))

    items = {s: (str(workbook), s, str(out), with_policy_costs) for s in largest_first(tables, scenarios)}
    if workers is not None and len(items) > 1:
        workers.map(run_shared, items, arrived, died)
    else:
        map_shared(run_shared, tables, items, jobs=jobs, arrived=arrived, died=died)
    return [results[s] for s in scenarios]


def run_shared(tables: Tables, workbook: str, scenario: str, out: str, with_policy_costs: bool) -> Outcome:
    """run_one with the tables first (the argument a worker process holds). When no scenario waits
    behind this one, the other workers are about to go idle: its charts are drawn in a child
    process on their cores (forked.SPARE_CORES), as in a single run, so the batch's last scenario
    does not finish alone."""
    with spare_cores():
        return run_one(workbook, tables, scenario, out, with_policy_costs)


@contextmanager
def spare_cores():
    """forked.SPARE_CORES while nothing waits behind the task running in this worker process."""
    from . import forked

    forked.SPARE_CORES = nothing_waits()
    try:
        yield
    finally:
        forked.SPARE_CORES = False


def largest_first(tables: Tables, scenarios: list[str]) -> list[str]:
    """The order to start a batch in: scenarios that switch origin tracking on (an LP four times the
    size) first, so the longest solve does not start last and leave one worker idle at the end;
    otherwise the order given. Outputs do not depend on it."""
    sc = tables.frames.get("scenarios")
    if sc is None or sc.empty or tables.settings.get("track_origin"):
        return list(scenarios)
    on = sc[(sc["sheet"] == "settings") & sc["where"].astype(str).str.contains("track_origin")]
    tracked = set(on["scenario"])
    return sorted(scenarios, key=lambda s: s not in tracked)  # stable: the given order otherwise


def _run_on_cluster(workbook, tables: Tables, scenarios: list[str], out, with_policy_costs: bool,
                    done: Callable[[Outcome], None], scheduler: str) -> list[Outcome]:
    target = Path(out) / Path(workbook).stem
    results: dict[str, Outcome] = {}

    def arrived(s: str, r: tuple[Outcome, dict]) -> None:
        results[s] = write_remote(r[0], r[1], target / s)
        done(results[s])

    def died(s: str, message: str) -> None:
        results[s] = Outcome(s, "error", 1, "", None, 0.0, message)
        done(results[s])

    map_shared(solve_remote, tables, {s: (str(workbook), s, with_policy_costs) for s in scenarios},
               scheduler=scheduler, arrived=arrived, died=died)
    return [results[s] for s in scenarios]


# ---------------------------------------------------------------- tasks sharing one large argument
# in a local worker process: the argument every task shares (sent once), and the pool's count of
# tasks submitted and not yet started (Workers.waiting)
_SHARED: list[Any] = []


def _share(shared: Any, waiting) -> None:
    _worker_init()
    _SHARED[:] = [shared, waiting]


def _call_shared(fn: Callable, args: tuple) -> Any:
    shared, waiting = _SHARED
    with waiting.get_lock():
        waiting.value -= 1
    return fn(shared, *args)


def nothing_waits() -> bool:
    """In a local worker process: no task waits to start behind the one running here."""
    return bool(_SHARED) and _SHARED[1].value <= 0


class Workers:
    """`jobs` local worker processes holding one argument every task shares (a workbook's tables),
    sent to each once (inherited, not sent, when forked); a task is fn(shared, *args).

    The processes start with the first task. As a context manager: leaving it normally waits for
    them; by an exception, an interrupt included, kills them at once (`stop`)."""

    def __init__(self, shared: Any, jobs: int):
        context = worker_context()
        self.waiting = context.Value("i", 0)  # tasks submitted, not yet started (nothing_waits)
        self.pool = ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_share,
                                        initargs=(shared, self.waiting))
        self.stopped = False

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, kind, error, tb) -> None:
        if kind is None or kind is SystemExit:
            self.pool.shutdown()
        else:
            self.stop()

    def submit(self, fn: Callable, args: list[tuple]) -> list:
        """Futures of fn(shared, *a) for each a in args (counted as waiting before the first starts)."""
        with self.waiting.get_lock():
            self.waiting.value += len(args)
        return [self.pool.submit(_call_shared, fn, a) for a in args]

    def each(self, fn: Callable) -> Callable[[list], Iterator]:
        """keys -> fn(shared, key) of each, in order; the tasks start when it is called, and a
        worker's failure is raised when its result is reached."""
        def run(keys: list) -> Iterator:
            return (f.result() for f in self.submit(fn, [(k,) for k in keys]))
        return run

    def map(self, fn: Callable, items: dict[Any, tuple], arrived: Callable[[Any, Any], None],
            died: Callable[[Any, str], None]) -> None:
        """fn(shared, *items[key]) for every key; `arrived(key, result)` as results come in (in any
        order), `died(key, message)` when a worker failed. An interrupt kills the workers."""
        try:
            futures = dict(zip(self.submit(fn, list(items.values())), items))
            for f in as_completed(futures):
                try:
                    r = f.result()
                except Exception as e:  # noqa: BLE001 - a worker that died (e.g. out of memory)
                    died(futures[f], f"worker failed: {type(e).__name__}: {e}")
                    continue
                arrived(futures[f], r)
        except BaseException:
            ignore_interrupts()
            self.stop()
            raise

    def stop(self) -> None:
        if not self.stopped:
            self.stopped = True
            stop(self.pool)


@contextmanager
def local_workers(shared: Any, jobs: int):
    """Workers(shared, jobs), or None when jobs <= 1 (tasks then run in this process)."""
    if jobs <= 1:
        yield None
        return
    with Workers(shared, jobs) as w:
        yield w


def map_shared(fn: Callable, shared: Any, items: dict[Any, tuple], jobs: int = 1, scheduler: str | None = None,
               arrived: Callable[[Any, Any], None] | None = None,
               died: Callable[[Any, str], None] | None = None) -> None:
    """Call fn(shared, *items[key]) for every key: in this process, in `jobs` worker processes (the
    shared argument sent once to each), or on the Dask cluster at `scheduler`. `arrived(key, result)`
    is called as results come in (in any order); `died(key, message)` when a worker failed."""
    arrived = arrived or (lambda k, r: None)
    died = died or (lambda k, m: None)
    if scheduler:
        return run_tasks(fn, shared, items, scheduler, arrived, died)
    if jobs <= 1 or len(items) <= 1:
        for k, a in items.items():
            arrived(k, fn(shared, *a))
        return None
    with Workers(shared, min(jobs, len(items))) as w:
        w.map(fn, items, arrived, died)
    return None


def stop(pool: ProcessPoolExecutor) -> None:
    """Cancel queued work and kill the workers now (SIGKILL: a worker may be deep in the solver)."""
    workers = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for p in workers:
        p.kill()
    for p in workers:
        p.join(10)
    pool.shutdown(wait=True)


# ---------------------------------------------------------------- Dask
class ClusterUnavailable(Exception):
    """--scheduler cannot be used: Dask is not installed, or the scheduler cannot be reached."""


RETRIES = 2  # a task whose worker died is run again elsewhere (Dask's allowed-failures) this often


def parse_scheduler(address: str) -> int | None:
    """The worker count of `local:N` (None for the address of a running scheduler); ValueError if malformed."""
    if not address.startswith("local:"):
        if "://" not in address and ":" not in address:
            raise ValueError(f"{address!r}: expected tcp://host:port or local:N")
        return None
    n = address[len("local:"):]
    if not n.isdigit() or int(n) < 1:
        raise ValueError(f"{address!r}: expected local:N with N >= 1 worker processes")
    return int(n)


@contextmanager
def dask_client(address: str):
    """A Dask client of the scheduler at `address`, or of a LocalCluster for `local:N` (N worker
    processes, one thread each: HiGHS and Pyomo are not run in threads side by side)."""
    n = parse_scheduler(address)
    try:
        import dask
        from distributed import Client, LocalCluster
    except ImportError:
        raise ClusterUnavailable("--scheduler needs Dask, which is not installed: pip install -e \".[cluster]\" "
                                 "(or pip install \"dask[distributed]\")") from None
    with dask.config.set({"distributed.scheduler.allowed-failures": RETRIES}):
        cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None,
                               silence_logs=logging.ERROR) if n else None
        try:
            client = Client(cluster if cluster is not None else address, timeout=CONNECT_TIMEOUT)
        except (OSError, TimeoutError) as e:
            if cluster is not None:
                cluster.close()
            raise ClusterUnavailable(f"cannot reach the Dask scheduler at {address}: {e}") from None
        try:
            yield client
        finally:
            client.close()
            if cluster is not None:
                cluster.close()


CONNECT_TIMEOUT = "20s"
CLIENT_ROUNDS = 3  # rounds of resubmission after Dask's own retries gave up


def run_tasks(fn: Callable, shared: Any, items: dict[Any, tuple], address: str,
              arrived: Callable[[Any, Any], None], died: Callable[[Any, str], None]) -> None:
    """fn(shared, *args) for every item on a Dask cluster. `shared` is scattered to every worker
    once; a task whose worker died is rescheduled by Dask (up to RETRIES times), then reported to
    `died` while the others go on."""
    import uuid

    with dask_client(address) as client:
        from distributed import as_completed as completed

        pending, failures = dict(items), {}
        for attempt in range(CLIENT_ROUNDS):  # a dead worker can take the scattered inputs with it:
            if not pending:                   # scatter again and resubmit what failed
                break
            big = client.scatter(shared, broadcast=True, hash=False)
            run = uuid.uuid4().hex[:8]
            futures = {client.submit(fn, big, *pending[k], key=f"reeplan-{run}-{i}", pure=False): k
                       for i, k in enumerate(pending)}
            try:
                for f in completed(futures):
                    try:
                        r = f.result()
                    except Exception as e:  # noqa: BLE001 - KilledWorker after RETRIES, or a lost input
                        failures[futures[f]] = f"worker failed: {type(e).__name__}: {e}"
                        continue
                    arrived(futures[f], r)
                    pending.pop(futures[f], None)
                    failures.pop(futures[f], None)
            except BaseException:
                ignore_interrupts()
                client.cancel(list(futures))
                raise
        for k in pending:
            died(k, failures.get(k, "worker failed"))


def batch_exit_code(outcomes: list[Outcome]) -> int:
    """0 when every scenario solved; otherwise the highest exit code among them."""
    return max((o.exit_code for o in outcomes), default=0)
