"""The fast paths of a run give what the slow ones gave: a scenario shares the base's untouched
tables, its validation re-runs only the checks that read a changed sheet (and finds exactly what
re-running all of them finds), and charts drawn in a forked child come back as drawn inline."""

import os
import signal

import pytest

from conftest import one_region_chain, write_case
from model import scenarios, validate
from model.forked import Later
from model.pipeline import read_workbook
from model.read import read_tables

SUPPLY = {"scenario": "s", "sheet": "supply", "where": "offer=imp; year>=2026", "column": "max_tpa", "op": "set",
          "value": 0}


def tables(tmp_path, *rows, settings=None):
    return read_tables(write_case(tmp_path, settings={"base_year": 2025, **(settings or {})}, **one_region_chain(
        projects=[{"project": "p", "technology": "sinter", "region": "EU", "max_new_tpa": 100,
                   "capex_usd_per_tpa": 1000, "lead_time_years": 1},
                  {"project": "q", "technology": "sinter", "region": "EU", "max_new_tpa": 50,
                   "capex_usd_per_tpa": 2000, "lead_time_years": 1}],
        supply=[{"offer": "imp", "region": "EU", "commodity": "magnet", "price_usd_per_t": 50}],
        policies=[{"policy": "eu", "region": "EU", "material": "NdPr", "kind": "max_supplier_share",
                   "stage": "manufacturing", "share": 0.4}],
        demand=[{"region": "EU", "commodity": "magnet", "year": 2025, "quantity_t": 10}],
        scenarios=[{"scenario": "s", **r} for r in rows])))


def edit(sheet, where, column, value, op="set"):
    return {"sheet": sheet, "where": where, "column": column, "op": op, "value": value}


# scenario rows -> the sheets changed_sheets names
CHANGED = {
    "supply_by_year": ([SUPPLY], {"supply"}),
    "projects": ([edit("projects", "project=p", "capex_usd_per_tpa", 2, "scale")], {"projects"}),
    "two_sheets": ([SUPPLY, edit("policies", "*", "share", 0.5)], {"supply", "policies"}),
    "settings": ([edit("settings", "key=discount_rate", "value", 0.1)], {"settings"}),
}


def test_settings_a_scenario_fills_with_their_defaults_count_as_changed(tmp_path):
    """apply gives a scenario every setting's default (here base_year): validation re-runs the
    checks that read settings rather than assume they would find the same."""
    t = tables(tmp_path, SUPPLY, settings={"base_year": None})
    assert "base_year" not in t.settings
    assert scenarios.changed_sheets(t, scenarios.apply(t, "s").tables) == {"supply", "settings"}


@pytest.mark.parametrize("name", CHANGED)
def test_a_scenario_shares_every_table_it_does_not_edit(tmp_path, name):
    rows, changed = CHANGED[name]
    t = tables(tmp_path, *rows)
    a = scenarios.apply(t, "s")
    assert a.issues == [] and scenarios.changed_sheets(t, a.tables) == changed
    for sheet, df in a.tables.frames.items():
        assert (df is t.frames[sheet]) == (sheet not in changed), sheet


# scenario rows -> the message of the check the edits break (found only after them)
BROKEN = {
    "reference": ([edit("projects", "project=q", "region", "XX")],
                  'projects row 3, column region: got "XX", expected a region listed in sheet regions'),
    "unique_key": ([edit("projects", "project=q", "project", "p")],
                   'projects row 3, column project: got "p", expected a unique project; repeats row 2'),
    "policy_stage": ([edit("policies", "*", "stage", "recycling")],
                     'policies row 2, column stage: got "recycling", expected extraction, processing or '
                     "manufacturing for max_supplier_share"),
    "capex_of_a_candidate": ([edit("projects", "project=q", "capex_usd_per_tpa", None)],
                             "projects row 3, column capex_usd_per_tpa: expected a capital cost, because max_new_tpa > 0"),
}


def every_check(monkeypatch):
    """scenario_rules as it was: every check on every scenario."""
    monkeypatch.setattr(scenarios, "changed_sheets", lambda base, scenario: None)


@pytest.mark.parametrize("name", BROKEN)
def test_only_the_checks_of_changed_sheets_find_the_same_problems(tmp_path, monkeypatch, name):
    rows, message = BROKEN[name]
    t = tables(tmp_path, SUPPLY, *rows)
    fast = validate.scenario_rules(t, validate.check_tables(t))
    assert any(message in str(i) for i in fast) and all(i.expected.endswith("(after the edits of scenario s)")
                                                         for i in fast), fast
    every_check(monkeypatch)
    assert validate.scenario_rules(t, validate.check_tables(t)) == fast


def test_the_shipped_study_validates_the_same_either_way(monkeypatch):
    t = read_workbook("inputs/western_ree_2040.xlsx")
    fast = validate.scenario_rules(t, validate.check_tables(t))
    every_check(monkeypatch)
    assert validate.scenario_rules(t, validate.check_tables(t)) == fast == []


# ---------------------------------------------------------------- forked.Later
def _square(x):
    return x * x


def _fails(x):
    raise ValueError(f"no {x}")


def _dies(x):
    os.kill(os.getpid(), signal.SIGKILL)


@pytest.mark.parametrize("fork", [True, False])
def test_later_returns_what_the_function_returns(fork):
    assert Later(_square, 7, fork=fork).result() == 49


@pytest.mark.parametrize("fork", [True, False])
def test_later_raises_what_the_function_raised(fork):
    with pytest.raises(ValueError, match="no 3"):
        Later(_fails, 3, fork=fork).result()


def test_a_child_that_dies_is_an_error_naming_the_function():
    later = Later(_dies, 1)
    if later.proc is None:
        pytest.skip("no fork here")
    with pytest.raises(RuntimeError, match=r"the process running _dies died \(exit code -9\)"):
        later.result()


def _warm():
    import json  # noqa: F401 - stands for matplotlib


@pytest.mark.parametrize("fork", [True, False])
def test_later_started_before_its_arguments_runs_on_them(fork):
    later = Later(_square, fork=fork, warm=_warm)
    later.give(9)
    assert later.result() == 81


def test_a_later_never_given_its_arguments_is_killed_by_cancel():
    later = Later(_square, warm=_warm)
    proc = later.proc
    later.cancel()
    assert proc is None or not proc.is_alive()


# ---------------------------------------------------------------- a batch's last scenarios use idle cores
def _waits_and_may_fork(shared, i):
    """In a batch worker: (nothing waits behind this task, forked.can_fork() while it runs)."""
    from model import batch, forked

    with batch.spare_cores():
        return batch.nothing_waits(), forked.can_fork()


def test_only_a_task_nothing_waits_behind_may_fork_its_charts():
    from model.batch import Workers

    if not can_fork_here():
        pytest.skip("no fork here")
    got = {}
    with Workers(None, 1) as w:  # one worker: the tasks run in the order submitted
        w.map(_waits_and_may_fork, {i: (i,) for i in range(4)}, got.__setitem__, pytest.fail)
    assert [got[i] for i in range(4)] == [(False, False)] * 3 + [(True, True)]


def can_fork_here() -> bool:
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods() and (os.cpu_count() or 1) >= 2


def _sleep(seconds):
    import time

    time.sleep(seconds)


def _start_a_child_then_wait(pids):
    """A stand-in for a batch worker: a chart child (forked.Later) that outlives it unless killed with it."""
    from model import forked

    forked.SPARE_CORES = True
    later = Later(_sleep, 60)
    pids.put(later.proc.pid if later.proc is not None else None)
    _sleep(60)


def test_a_chart_child_dies_with_a_killed_batch_worker():
    """batch.stop kills workers with SIGKILL (no clean-up runs in them): their chart children go too,
    so none writes into a staging folder the batch has removed."""
    import multiprocessing
    import time

    from model.forked import _dies_with_parent

    if not can_fork_here() or not _dies_with_parent():
        pytest.skip("Linux only")
    ctx = multiprocessing.get_context("fork")
    pids = ctx.Queue()
    worker = ctx.Process(target=_start_a_child_then_wait, args=(pids,))
    worker.start()
    child = pids.get(timeout=30)
    assert child is not None
    os.kill(child, 0)  # alive
    worker.kill()
    worker.join(10)
    for _ in range(100):
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    os.kill(child, signal.SIGKILL)
    pytest.fail("the chart child outlived its worker")


# ---------------------------------------------------------------- memo.per_frame
def test_a_result_per_frame_is_computed_once_while_the_frame_lives():
    import gc

    import pandas as pd

    from model.memo import per_frame

    calls = []

    @per_frame
    def total(frame, column):
        calls.append(column)
        return float(frame[column].sum())

    a = pd.DataFrame({"x": [1.0, 2.0], "y": [5.0, 5.0]})
    assert total(a, "x") == total(a, "x") == 3.0 and total(a, "y") == 10.0
    assert calls == ["x", "y"]
    b = pd.DataFrame({"x": [7.0]})  # another frame: its own result
    assert total(b, "x") == 7.0 and calls == ["x", "y", "x"]
    del a
    gc.collect()
    assert total(pd.DataFrame({"x": [4.0]}), "x") == 4.0  # never the freed frame's result, whatever its id


def test_scenarios_that_leave_the_trade_sheet_alone_share_its_routes():
    from model.data import build_study
    from model.pipeline import scenario_tables
    from model.routes import dated_routes

    t = read_workbook("inputs/western_ree_2040.xlsx")
    a, _ = scenario_tables(t, "capex_plus_30")
    b, _ = scenario_tables(t, "high_demand")
    assert a["trade"] is b["trade"] is t["trade"]
    key = (tuple(t["regions"]["region"]), tuple(t["commodities"]["commodity"]), tuple(build_study(a).years))
    assert dated_routes(a["trade"], *key) is dated_routes(b["trade"], *key)
