"""`reeplan solve` as a user runs it: exit codes, files, messages, determinism, atomic writes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import one_region_chain, write_case
from model.results import TABLES

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "inputs" / "example.xlsx"


def reeplan(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "model", *args], capture_output=True, text=True, cwd=cwd)


def small_case(tmp_path: Path, **overrides) -> Path:
    sheets = one_region_chain(
        projects=[{"project": "plant", "technology": "sinter", "region": "EU", "max_new_tpa": 100,
                   "capex_usd_per_tpa": 1_000_000}],
        demand=[{"region": "EU", "commodity": "magnet", "year": 2025, "quantity_t": 10}],
    )
    sheets.update(overrides)
    return write_case(tmp_path, **sheets)


@pytest.fixture(scope="module")
def example_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    proc = reeplan("solve", str(EXAMPLE), "--out", str(out))
    return proc, out / "example" / "base"


def test_example_solves_and_writes_every_output(example_run):
    proc, folder = example_run
    assert proc.returncode == 0, proc.stderr
    for phase in ("reading", "building", "solving", "writing"):
        assert phase in proc.stderr
    assert "Traceback" not in proc.stderr
    assert sorted(p.stem for p in (folder / "csv").glob("*.csv")) == sorted(TABLES)
    summary = json.loads((folder / "summary.json").read_text())
    assert summary["status"] == "optimal"
    assert isinstance(summary["objective_musd"], float)
    assert [k for k in summary if "objective" in k] == ["objective_musd"]
    assert sum(summary["cost_by_component_musd"].values()) == pytest.approx(summary["objective_musd"], rel=1e-9)
    assert set(summary["seconds"]) == {"read", "build", "solve", "write"}
    assert summary["size"]["variables"] > 0 and summary["size"]["rows"] > 0
    assert summary["input_sha256"] and summary["versions"]["highspy"]
    wb = openpyxl.load_workbook(folder / "plan.xlsx")
    assert wb.sheetnames[0] == "summary"
    assert set(TABLES) <= set(wb.sheetnames)
    assert wb["builds"].freeze_panes == "A2" and wb["builds"].auto_filter.ref
    assert wb["chart_capacity_by_stage"]._charts


def test_csv_tables_are_sorted_by_their_keys(example_run):
    from model.results import KEYS

    _, folder = example_run
    for name in TABLES:
        keys = KEYS[name]
        df = pd.read_csv(folder / "csv" / f"{name}.csv", keep_default_na=False)
        if name == "costs":
            continue  # components in the objective's order, then year
        assert df[keys].equals(df[keys].sort_values(keys).reset_index(drop=True)), name


def test_same_inputs_give_byte_identical_csv(example_run, tmp_path):
    _, first = example_run
    proc = reeplan("solve", str(EXAMPLE), "--out", str(tmp_path))
    assert proc.returncode == 0
    again = tmp_path / "example" / "base" / "csv"
    for f in sorted((first / "csv").glob("*.csv")):
        assert f.read_bytes() == (again / f.name).read_bytes(), f.name


def test_numbers_follow_the_fixed_rule(example_run):
    _, folder = example_run
    text = (folder / "csv" / "capacity.csv").read_text()
    assert "e+" not in text and "e-" not in text
    from model.write.csv import format_number

    assert format_number(1234567.0) == "1234570"
    assert format_number(5e-7) == "0"
    assert format_number(-5e-7) == "0"
    assert format_number(0.000123456789) == "0.000123457"
    assert format_number(2.50) == "2.5"
    assert format_number(None) == ""


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.floats(allow_infinity=False), st.sampled_from([0.0, -0.0, 5e-7, -5e-7, 2.5])),
                max_size=30))
def test_a_float_column_is_written_value_by_value_by_the_number_rule(values):
    """write.csv.numbers formats each distinct value once: the same text as format_number on each."""
    from model.write.csv import format_number, numbers

    s = pd.Series(values, dtype=float, index=range(10, 10 + len(values)))
    assert numbers(s).tolist() == [format_number(v) for v in values]
    assert list(numbers(s).index) == list(s.index)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.text(alphabet="ab=+-@\t\r\n ", max_size=4), st.none(),
                          st.floats(allow_infinity=False)), max_size=20))
def test_a_text_column_is_written_value_by_value_by_the_text_rule(values):
    """write.csv.texts does each distinct value once: the same cells as neutralising each value
    and writing each number by the number rule (blanks blank)."""
    from model.write.csv import format_number, neutralised, texts

    s = pd.Series(values, dtype=object)
    one_by_one = [neutralised(v) for v in values]
    if any(isinstance(v, float) for v in one_by_one):
        one_by_one = [format_number(v) if isinstance(v, float) or v is None else v for v in one_by_one]
    blank = {None, ""}
    assert [v if v not in blank else "" for v in texts(s).tolist()] == \
        [v if v not in blank else "" for v in one_by_one]


def test_input_error_exits_2_names_the_cell_and_writes_nothing(tmp_path):
    wb = small_case(tmp_path, projects=[{"project": "plant", "technology": "sinter", "region": "EU",
                                          "max_new_tpa": 100, "capex_usd_per_tpa": 1e6, "lead_time_years": "two"}])
    out = tmp_path / "out"
    proc = reeplan("solve", str(wb), "--out", str(out))
    assert proc.returncode == 2
    assert 'projects row 2, column lead_time_years: got "two", expected a whole number >= 0' in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not out.exists()


def test_all_errors_are_reported_together(tmp_path):
    wb = small_case(tmp_path, projects=[
        {"project": "plant", "technology": "sinter", "region": "XX", "max_new_tpa": -1},
        {"project": "plant", "technology": "nope", "region": "EU", "availability": 1.5},
    ])
    proc = reeplan("solve", str(wb), "--out", str(tmp_path / "out"))
    assert proc.returncode == 2
    for text in ("projects row 2, column region", "projects row 2, column max_new_tpa",
                 "projects row 3, column technology", "projects row 3, column availability",
                 "projects row 3, column project"):
        assert text in proc.stderr, text


def test_not_a_workbook_gives_one_clear_line(tmp_path):
    bad = tmp_path / "notes.xlsx"
    bad.write_text("just text")
    proc = reeplan("solve", str(bad), "--out", str(tmp_path / "out"))
    assert proc.returncode == 2
    assert "is not an Excel workbook" in proc.stderr
    assert "Traceback" not in proc.stderr
    missing = reeplan("solve", str(tmp_path / "missing.xlsx"), "--out", str(tmp_path / "out"))
    assert missing.returncode == 2 and "file not found" in missing.stderr


def test_infeasible_exits_3_without_plan_tables(tmp_path):
    # hard demand (no penalty) that no project, offer or route can serve
    wb = small_case(tmp_path, projects=[{"project": "plant", "technology": "sinter", "region": "EU",
                                          "max_new_tpa": 5, "capex_usd_per_tpa": 1e6}])
    out = tmp_path / "out"
    proc = reeplan("solve", str(wb), "--out", str(out))
    assert proc.returncode == 3, proc.stderr
    folder = out / "case" / "base"
    summary = json.loads((folder / "summary.json").read_text())
    assert summary["status"] == "infeasible"
    assert summary["objective_musd"] is None
    assert not (folder / "csv").exists() and not (folder / "plan.xlsx").exists()


def test_demand_nothing_can_serve_is_named(tmp_path):
    wb = small_case(tmp_path, projects=[])
    proc = reeplan("solve", str(wb), "--out", str(tmp_path / "out"))
    assert proc.returncode == 3
    assert "demand for magnet in EU in 2025" in proc.stderr


def test_a_failed_run_keeps_the_previous_good_plan(tmp_path):
    wb = small_case(tmp_path)
    out = tmp_path / "out"
    assert reeplan("solve", str(wb), "--out", str(out)).returncode == 0
    folder = out / "case" / "base"
    before = {p.name: p.read_bytes() for p in (folder / "csv").glob("*.csv")}
    broken = small_case(tmp_path, demand=[{"region": "EU", "commodity": "magnet", "year": "soon", "quantity_t": 1}])
    assert reeplan("solve", str(broken), "--out", str(out)).returncode == 2
    assert {p.name: p.read_bytes() for p in (folder / "csv").glob("*.csv")} == before
    assert [p.name for p in (out / "case").iterdir()] == ["base"]  # no temporary folder left


def test_staged_folder_removes_partial_output_on_failure(tmp_path):
    from model.write.folder import staged_folder

    target = tmp_path / "plan"
    with pytest.raises(RuntimeError):
        with staged_folder(target) as stage:
            (stage.path / "half.csv").write_text("a,b\n")
            raise RuntimeError("disk full")
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []


def test_default_workbook_is_the_shipped_study(tmp_path):
    proc = reeplan("solve", "--out", str(tmp_path), cwd=REPO)
    assert proc.returncode == 0, proc.stderr
    summary = json.loads((tmp_path / "western_ree_2040" / "base" / "summary.json").read_text())
    assert summary["status"] == "optimal" and summary["workbook"].endswith("western_ree_2040.xlsx")


def test_console_script_help():
    proc = reeplan("--help")
    assert proc.returncode == 0 and "solve" in proc.stdout


def test_a_run_without_a_plan_writes_beside_the_plan_it_keeps(tmp_path):
    wb = small_case(tmp_path)
    out = tmp_path / "out"
    assert reeplan("solve", str(wb), "--out", str(out)).returncode == 0
    folder = out / "case" / "base"
    before = {p.name: p.read_bytes() for p in (folder / "csv").glob("*.csv")}
    stuck = small_case(tmp_path / "stuck", projects=[{"project": "plant", "technology": "sinter", "region": "EU",
                                                        "max_new_tpa": 5, "capex_usd_per_tpa": 1e6}])
    proc = reeplan("solve", str(stuck), "--out", str(out))
    assert proc.returncode == 3, proc.stderr
    failed = out / "case" / "_failed" / "base"
    assert f"wrote {failed}" in proc.stderr
    assert f"the plan in {folder} from an earlier run is kept" in proc.stderr
    assert {p.name: p.read_bytes() for p in (folder / "csv").glob("*.csv")} == before
    assert json.loads((failed / "summary.json").read_text())["status"] == "infeasible"
    assert (failed / "infeasibility.md").is_file() and not (failed / "csv").exists()
    assert reeplan("solve", str(wb), "--out", str(out)).returncode == 0
    assert sorted(p.name for p in (out / "case").iterdir()) == ["base"]  # the failure is out of date


def _out_is_a_file(tmp_path):
    (tmp_path / "taken").write_text("")
    return tmp_path / "taken" / "out", "not a folder"


def _out_read_only(tmp_path):
    if os.geteuid() == 0:  # root writes anywhere a file system allows: use a read-only one
        if not os.path.isdir("/sys") or os.access("/sys", os.W_OK) and not _cannot_mkdir("/sys"):
            pytest.skip("no read-only folder for root")
        return Path("/sys/reeplan-out"), "Operation not permitted"
    ro = tmp_path / "ro"
    ro.mkdir(mode=0o555)
    return ro / "out", "Permission denied"


def _cannot_mkdir(parent: str) -> bool:
    try:
        os.mkdir(os.path.join(parent, ".reeplan-test"))
    except OSError:
        return True
    os.rmdir(os.path.join(parent, ".reeplan-test"))
    return False


@pytest.mark.parametrize("make_out", [_out_is_a_file, _out_read_only], ids=["file", "read-only"])
@pytest.mark.parametrize("args", [(), ("--all",)], ids=["one", "batch"])
def test_an_unwritable_out_is_reported_once_before_solving(tmp_path, make_out, args):
    out, reason = make_out(tmp_path)
    proc = reeplan("solve", str(EXAMPLE), "--out", str(out), *args)
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr == f"error: cannot write to {out / 'example'}: {reason}\n"
