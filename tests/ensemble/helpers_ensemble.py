"""The ensemble tests' study (tests/scenarios/test_batch.py's chain, with uncertain inputs) and a real
Dask cluster: `dask scheduler` and two `dask worker` processes on 127.0.0.1, torn down after.

The study: region EU needs 10 t of magnet in each of 2025-2027. It imports at 50 USD/t or builds
project p (capex 1000 USD per t/yr, variable cost 10 USD/t, no lead time); discount rate 0, no
salvage. With capex scaled by s <= 0.1 it builds 10 t/yr in 2025: 10 x 1000 s + 3 x 10 x 10 USD.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import one_region_chain, write_case

REPO = Path(__file__).resolve().parents[2]
CAPEX = {"parameter": "capex", "sheet": "projects", "where": "*", "column": "capex_usd_per_tpa", "op": "scale",
         "distribution": "uniform", "a": 0.01, "b": 0.1}
PRICE = {"parameter": "price", "sheet": "supply", "where": "region=EU", "column": "price_usd_per_t", "op": "add",
         "distribution": "triangular", "a": -10, "b": 30, "c": 0}
COST = {"parameter": "var_cost", "sheet": "projects", "where": "*", "column": "var_cost_usd_per_t", "op": "scale",
        "distribution": "normal", "a": 1, "b": 0.2, "c": 0.5}


def chain(folder: Path, uncertainty: list[dict], name: str = "chain", scenarios: list[dict] | None = None) -> Path:
    return write_case(folder, settings={"salvage": "no"}, name=name, **one_region_chain(
        projects=[{"project": "p", "technology": "sinter", "region": "EU", "max_new_tpa": 100,
                   "capex_usd_per_tpa": 1000, "var_cost_usd_per_t": 10}],
        supply=[{"offer": "imp", "region": "EU", "commodity": "magnet", "price_usd_per_t": 50}],
        policies=[{"policy": "eu_half", "region": "EU", "material": "NdPr", "kind": "min_domestic_share",
                   "stage": "manufacturing", "share": 0.5, "first_year": 2026, "penalty_usd_per_t": 100}],
        demand=[{"region": "EU", "commodity": "magnet", "year": y, "quantity_t": 10} for y in (2025, 2026, 2027)],
        uncertainty=uncertainty, scenarios=scenarios or []))


@pytest.fixture(scope="module")
def study(tmp_path_factory) -> Path:
    return chain(tmp_path_factory.mktemp("study"), [CAPEX, dict(PRICE, group="g"), COST])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    """A scheduler and two workers (no nanny: a killed worker stays dead)."""

    def __init__(self, log: Path):
        self.address = f"tcp://127.0.0.1:{free_port()}"
        self.log = log
        self.scheduler = self._start("distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port",
                                     self.address.rsplit(":", 1)[1], "--no-dashboard")
        self.workers = [self._start("distributed.cli.dask_worker", self.address, "--nthreads", "1", "--no-nanny",
                                    "--host", "127.0.0.1", "--no-dashboard") for _ in range(2)]

    def _start(self, module: str, *args: str) -> subprocess.Popen:
        out = open(self.log, "a")
        return subprocess.Popen([sys.executable, "-m", module, *args], cwd=REPO, stdout=out, stderr=out,
                                start_new_session=True)

    def wait(self, workers: int, timeout: float = 60) -> None:
        from distributed import Client

        with Client(self.address, timeout="30s") as c:
            c.wait_for_workers(workers, timeout=timeout)

    def stop(self) -> None:
        for p in self.workers + [self.scheduler]:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGKILL)
            p.wait(10)


@pytest.fixture
def cluster(tmp_path):
    pytest.importorskip("distributed")
    c = Cluster(tmp_path / "cluster.log")
    try:
        c.wait(2)
        yield c
    finally:
        c.stop()


def run_cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "model", *args], cwd=REPO, capture_output=True, text=True,
                          timeout=timeout)


def started(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "model", *args], cwd=REPO, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def wait_until(check, timeout: float = 60) -> None:
    end = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.05)
