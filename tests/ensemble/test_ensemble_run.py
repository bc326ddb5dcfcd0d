"""reeplan ensemble end to end: the same seed gives byte-identical CSV files with --jobs 1, --jobs 2
and a real Dask cluster; a worker killed mid-run is survived; a discrete draw of one value is the
deterministic solve; without Dask, --scheduler says what to install."""

from __future__ import annotations

import os
import signal
import sys

import pandas as pd
import pytest
from click.testing import CliRunner
from helpers_ensemble import CAPEX, chain, cluster, run_cli, started, study, wait_until  # noqa: F401 (fixtures)

from model.cli import main
from model.pipeline import solve_workbook

CSVS = ("samples.csv", "robust_builds.csv", "policies.csv", "fans.csv")
SAMPLES = 12


def ensemble(book, out, *args) -> None:
    r = run_cli("ensemble", str(book), "--samples", str(SAMPLES), "--seed", "5", "--out", str(out), *args)
    assert r.returncode == 0, r.stderr
    assert f"{SAMPLES} of {SAMPLES} samples solved" in r.stderr


def files(out) -> dict[str, bytes]:
    return {f: (out / "chain" / "ensemble" / f).read_bytes() for f in CSVS}


@pytest.fixture(scope="module")
def serial(study, tmp_path_factory):
    out = tmp_path_factory.mktemp("jobs1")
    ensemble(study, out, "--jobs", "1")
    return out


def test_serial_run_writes_every_table_and_the_report(serial):
    folder = serial / "chain" / "ensemble"
    s = pd.read_csv(folder / "samples.csv")
    assert list(s["sample"]) == list(range(1, SAMPLES + 1))
    assert (s["status"] == "optimal").all()
    assert list(s.columns[:4]) == ["sample", "capex", "price", "var_cost"]
    assert (s["build_manufacturing_EU_tpa"] == 10).all()  # capex scaled to at most 0.1: always build
    hand = 1e-5 * s["capex"] * 1000 + 3e-4 * s["var_cost"]  # CSV values: 6 significant digits
    assert s["objective_musd"].tolist() == pytest.approx(hand.tolist(), rel=2e-5)
    robust = pd.read_csv(folder / "robust_builds.csv")
    assert robust[["project", "built_share", "p50_tpa"]].values.tolist() == [["p", 1.0, 10.0]]
    pol = pd.read_csv(folder / "policies.csv")
    assert pol[["policy", "year", "p_met"]].values.tolist() == [["eu_half", 2026, 1.0], ["eu_half", 2027, 1.0]]
    for f in ("report.md", "charts/fan_cost.png", "charts/fan_shares.png", "summary.json"):
        assert (folder / f).is_file()
    assert "| p | manufacturing | EU | 100 % | 10 | 10 - 10 |" in (folder / "report.md").read_text()


def test_two_jobs_give_byte_identical_csvs(study, serial, tmp_path):
    ensemble(study, tmp_path, "--jobs", "2")
    assert files(tmp_path) == files(serial)


def test_a_dask_cluster_gives_byte_identical_csvs(study, serial, cluster, tmp_path):
    ensemble(study, tmp_path, "--scheduler", cluster.address)
    assert files(tmp_path) == files(serial)


def test_a_worker_killed_mid_run_is_survived(study, serial, cluster, tmp_path):
    proc = started("ensemble", str(study), "--samples", str(SAMPLES), "--seed", "5", "--out", str(tmp_path),
                   "--scheduler", cluster.address)
    from distributed import Client

    with Client(cluster.address, timeout="30s") as c:  # kill a worker while it is solving samples
        pids = c.run(os.getpid)
        wait_until(lambda: any(c.processing().values()), timeout=60)
        busy = next(a for a, tasks in c.processing().items() if tasks)
        os.kill(pids[busy], signal.SIGKILL)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert files(tmp_path) == files(serial)


def test_a_discrete_single_value_is_the_deterministic_solve(tmp_path):
    book = chain(tmp_path, [dict(CAPEX, distribution="discrete", a="0.05", b=None)],
                 scenarios=[{"scenario": "cheap", "sheet": "projects", "where": "*", "column": "capex_usd_per_tpa",
                             "op": "scale", "value": 0.05}])
    r = CliRunner().invoke(main, ["ensemble", str(book), "--samples", "3", "--out", str(tmp_path / "out")])
    assert r.exit_code == 0, r.output
    s = pd.read_csv(tmp_path / "out" / "chain" / "ensemble" / "samples.csv")
    det = solve_workbook(book, tmp_path / "det", scenario="cheap", figures=False)
    assert det.solution.objective == pytest.approx(10 * 1000 * 0.05e-6 + 300e-6, rel=1e-12)
    assert s["objective_musd"].tolist() == [float(f"{det.solution.objective:.6g}")] * 3


def test_scheduler_without_dask_says_what_to_install(study, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # import fails as if not installed
    r = CliRunner().invoke(main, ["ensemble", str(study), "--samples", "2", "--scheduler", "local:1",
                                  "--out", str(tmp_path)])
    assert r.exit_code == 1
    assert 'error: --scheduler needs Dask, which is not installed: pip install -e ".[cluster]"' in r.output


@pytest.mark.parametrize("args,message", [
    (["--scheduler", "local:0"], "expected local:N with N >= 1 worker processes"),
    (["--scheduler", "local:2", "--jobs", "2"], "give --jobs or --scheduler, not both"),
])
def test_bad_executor_options_are_usage_errors(study, tmp_path, args, message):
    r = CliRunner().invoke(main, ["ensemble", str(study), "--samples", "2", "--out", str(tmp_path), *args])
    assert r.exit_code == 2
    assert message in r.output
