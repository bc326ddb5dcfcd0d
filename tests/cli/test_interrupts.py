"""Killing `reeplan solve` at any moment never loses a plan or leaves a half-written one.

Each case starts the real command on an output folder that already holds a complete plan,
sends SIGINT, SIGTERM or SIGKILL at a chosen moment, and checks: the plan folder is the old
complete one or the new complete one (and the message says which), exit 130 / 143, no
traceback, no staging folder left after SIGINT/SIGTERM, and the next run removes those a
SIGKILL left. Batches: queued scenarios are cancelled, workers are gone, the message lists
exactly the folders written.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from model.results import TABLES

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "inputs" / "example.xlsx"
MARKER = "old-plan.txt"  # put into the old plan: a new plan does not have it
pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX signals")


def start(out: Path, *args: str, workbook: Path = EXAMPLE, env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "model", "solve", str(workbook), "--out", str(out), *args],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=REPO,
                            env={**os.environ, **(env or {})})


def complete(folder: Path) -> bool:
    """summary.json parses and every plan table is there and parses."""
    summary = json.loads((folder / "summary.json").read_text())
    assert summary["status"] == "optimal"
    for name in TABLES:
        pd.read_csv(folder / "csv" / f"{name}.csv")
    return True


def hidden(d: Path) -> list[str]:
    return sorted(p.name for p in d.rglob(".*"))


def wait_for(check, proc: subprocess.Popen, timeout: float = 60) -> None:
    end = time.monotonic() + timeout
    while not check():
        assert proc.poll() is None or check(), "the run ended before the moment came"
        assert time.monotonic() < end, "timed out"
        time.sleep(0.005)


@pytest.fixture(scope="module")
def old_plan(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("old")
    proc = subprocess.run([sys.executable, "-m", "model", "solve", str(EXAMPLE), "--out", str(out)],
                          capture_output=True, text=True, cwd=REPO)
    assert proc.returncode == 0, proc.stderr
    (out / "example" / "base" / MARKER).write_text("")
    return out


def moment(name: str, proc: subprocess.Popen, results: Path):
    """Block until the run reaches `name`; returns the stderr lines read so far."""
    lines: list[str] = []
    if name == "after_read":  # the model is being built or solved
        while "reading" not in (lines[-1] if lines else ""):
            line = proc.stderr.readline()
            assert line, "the run ended before reading was done"
            lines.append(line)
    elif name == "staging":  # the new folder has just been started
        wait_for(lambda: any(results.glob(".base.tmp-*")), proc)
    elif name == "staged_xlsx":  # the new folder is nearly complete
        wait_for(lambda: any(results.glob(".base.tmp-*/plan.xlsx")), proc)
    return lines


# (signal, moment, exit code when the signal stops the run)
CASES = [
    (signal.SIGINT, "after_read", 130),
    (signal.SIGINT, "staging", 130),
    (signal.SIGTERM, "after_read", 143),
    (signal.SIGTERM, "staged_xlsx", 143),
    (signal.SIGKILL, "staging", -signal.SIGKILL),
    (signal.SIGKILL, "staged_xlsx", -signal.SIGKILL),
]


@pytest.mark.parametrize("sig,when,code", CASES, ids=[f"{c[0].name}-{c[1]}" for c in CASES])
def test_a_killed_run_leaves_the_old_or_the_new_complete_plan(old_plan, tmp_path, sig, when, code):
    out = tmp_path / "out"
    shutil.copytree(old_plan, out)
    results, folder = out / "example", out / "example" / "base"
    proc = start(out)
    lines = moment(when, proc, results)
    proc.send_signal(sig)
    stderr = "".join(lines) + proc.stderr.read()
    rc = proc.wait(30)
    assert rc in (code, 0), stderr  # 0: it finished before the signal arrived
    assert complete(folder)
    kept_old = (folder / MARKER).exists()
    assert "Traceback" not in stderr and "leaked" not in stderr, stderr
    if rc == 0:
        assert not kept_old
    elif sig != signal.SIGKILL:
        if kept_old:
            assert "interrupted; no scenario folder was written (existing folders are unchanged)" in stderr
        else:
            assert f"interrupted; 1 of 1 scenario folders were written: base ({folder})" in stderr
        assert hidden(results) == [], "a staging folder was left"
    if sig == signal.SIGKILL:
        if when.startswith("stag"):
            assert kept_old and hidden(results), "SIGKILL during the write leaves its staging folder"
        # the next run removes it first thing (here one that then stops at an input error)
        again = subprocess.run([sys.executable, "-m", "model", "solve", str(EXAMPLE), "--out", str(out),
                                "--scenario", "nope"], capture_output=True, text=True, cwd=REPO)
        assert again.returncode == 2 and "scenario" in again.stderr
        assert hidden(results) == [] and complete(folder)


def scenario_study(tmp_path: Path) -> Path:
    """The example with five scenarios (projects dearer by 10 %, 20 %, ...)."""
    wb = openpyxl.load_workbook(EXAMPLE)
    ws = wb.create_sheet("scenarios")
    ws.append(["scenario", "sheet", "where", "column", "op", "value", "note"])
    for i in range(1, 6):
        ws.append([f"s{i}", "projects", "*", "capex_usd_per_tpa", "scale", 1 + i / 10, "dearer plants"])
    path = tmp_path / "example.xlsx"
    wb.save(path)
    return path


def processes_with(mark: str) -> list[int]:
    """Processes (workers included) started with REEPLAN_TEST_MARK=mark that are still alive."""
    pids = []
    for p in Path("/proc").glob("[0-9]*"):
        try:
            if f"REEPLAN_TEST_MARK={mark}".encode() in (p / "environ").read_bytes().split(b"\0"):
                pids.append(int(p.name))
        except OSError:
            continue
    return pids


@pytest.mark.parametrize("jobs,sig,code", [(2, signal.SIGINT, 130), (1, signal.SIGTERM, 143)],
                         ids=["jobs2-SIGINT", "jobs1-SIGTERM"])
def test_an_interrupted_batch_stops_at_once_and_lists_what_it_wrote(tmp_path, jobs, sig, code):
    out = tmp_path / "out"
    mark = uuid.uuid4().hex
    proc = start(out, "--all", "--jobs", str(jobs), workbook=scenario_study(tmp_path),
                 env={"REEPLAN_TEST_MARK": mark})
    lines = []
    while not lines or " ok " not in lines[-1]:  # the first scenario is written
        line = proc.stderr.readline()
        assert line, "".join(lines)
        lines.append(line)
    proc.send_signal(sig)
    t0 = time.monotonic()
    stderr = "".join(lines) + proc.stderr.read()
    assert proc.wait(30) == code, stderr
    assert time.monotonic() - t0 < 10, "stopping took too long"
    assert "Traceback" not in stderr and "leaked" not in stderr, stderr
    results = out / "example"
    names = ["base", "s1", "s2", "s3", "s4", "s5"]
    written = sorted(p.name for p in results.iterdir())
    assert written and set(written) < set(names) and hidden(results) == []  # queued ones never ran
    assert not (results / "overview.csv").exists()
    listed = ", ".join(f"{s} ({results / s})" for s in names if s in written)
    assert f"interrupted; {len(written)} of 6 scenario folders were written: {listed} (the others are unchanged)" \
        in stderr
    for s in written:
        assert complete(results / s)
    if os.path.isdir("/proc"):
        assert processes_with(mark) == [], "a worker outlived the batch"
