"""Lumpy builds at run level (formulation 15, outputs `mip`): a time limit with an integer plan in hand,
and reruns of a MIP byte-identical. The synthetic study at scale 0.1 with a minimum build of 30 % of
max_new_tpa on every candidate needs about 9 s to prove optimality at gap 0; HiGHS holds an integer
plan within 0.5 s, so a 2 s limit stops it with a plan and a gap."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from model.cli import main
from model.synth import synth_study, write_rows


def lumpy_synth(path, **settings):
    base, sheets = synth_study(0.1, 0)
    for p in sheets["projects"]:
        if p.get("max_new_tpa"):
            p["min_build_tpa"] = round(0.3 * float(p["max_new_tpa"]), 3)
    return write_rows(path, {**base, **settings}, sheets)


def solve(tmp_path, wb, out):
    res = CliRunner().invoke(main, ["solve", str(wb), "--out", str(tmp_path / out)])
    folder = tmp_path / out / wb.stem / "base"
    return res.exit_code, folder


def test_a_time_limit_with_an_integer_plan_writes_it_with_its_gap(tmp_path):
    wb = lumpy_synth(tmp_path / "lumpy.xlsx", mip_gap=0, solver_time_limit_s=2)
    code, folder = solve(tmp_path, wb, "out")
    assert code == 0
    s = json.loads((folder / "summary.json").read_text())
    mip = s["mip"]
    assert s["status"] == mip["status"] == "time_limit_feasible"
    assert mip["gap_musd"] == pytest.approx(abs(mip["objective_musd"] - mip["dual_bound_musd"]))
    assert mip["gap_musd"] > 0 and 0 < mip["relative_gap"] < 1
    assert mip["objective_musd"] == pytest.approx(s["objective_musd"], rel=1e-9)
    assert (folder / "csv" / "builds.csv").stat().st_size > 0 and (folder / "csv" / "prices.csv").exists()


def test_a_mip_rerun_gives_byte_identical_csv(tmp_path):
    wb = lumpy_synth(tmp_path / "lumpy.xlsx", mip_gap=0.01)
    first, second = (solve(tmp_path, wb, out) for out in ("a", "b"))
    assert first[0] == second[0] == 0
    assert json.loads((first[1] / "summary.json").read_text())["mip"]["status"] == "optimal"
    files = sorted((first[1] / "csv").glob("*.csv"))
    assert len(files) > 5
    for f in files:
        assert f.read_bytes() == (second[1] / "csv" / f.name).read_bytes(), f.name
