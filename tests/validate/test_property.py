"""Property: corrupting random cells of a good workbook never produces a crash or a traceback.

Reading and validating either succeeds or raises `InputError` (never another exception), and
`reeplan solve` exits 0, 2 or 3 with no traceback. Shrinking is off to bound the run time; a
failure prints the corrupted cells.
"""

from __future__ import annotations

import datetime as dt
import io
import tempfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from model.errors import InputError
from model.pipeline import load_study
from test_catalogue import GOOD_SETTINGS, good_sheets, run_cli, write_good

SETTINGS = settings(
    max_examples=45,
    deadline=None,
    database=None,  # write nothing into the repository
    phases=[Phase.explicit, Phase.generate],  # no shrinking: keeps a failing run short
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.fixture(scope="module")
def good_path(tmp_path_factory) -> Path:
    return write_good(tmp_path_factory.mktemp("good") / "study.xlsx")


def _cells() -> list[tuple[str, int, int]]:
    """Every cell of the good workbook, its header row, plus one row and one column beyond."""
    path = Path(tempfile.mkdtemp()) / "cells.xlsx"
    wb = openpyxl.load_workbook(write_good(path))
    out = []
    for ws in wb.worksheets:
        for r in range(1, ws.max_row + 2):
            for c in range(1, ws.max_column + 2):
                out.append((ws.title, r, c))
    return out


CELLS = _cells()

# values that are valid somewhere in the study, so corruption can reach the cross-sheet checks and the LP
_IDS = sorted({str(v) for rows in good_sheets().values() for r in rows for v in r.values() if isinstance(v, str)}
              | set(map(str, GOOD_SETTINGS)))
NASTY = ["", " ", "*", "**", "yes", "no", "Yes ", "1,000", " 1,000 ", "40 %", "140 %", "%", "-0", "1e400", "NaN",
         "nan", "inf", "-inf", "#N/A", "#REF!", "#DIV/0!", "2030.5", "None", "null", "TRUE", "0x10", "1_000",
         "1.000,5", "[/]", "[bold]x", "[red]EU[/red]", "ü", "😀", "  EU  ", "=1+1", "=A1", "'2030", "二〇三〇",
         "٢٠٣٠", "１０", "\u00a0", "EU\u00a0", "a" * 300]

VALUES = st.one_of(
    st.sampled_from(_IDS),
    st.sampled_from(NASTY),
    st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=12),
    st.integers(min_value=1890, max_value=2210),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(min_value=-1.0, max_value=2.0, allow_nan=False),
    # |x| <= 1e308: openpyxl rounds 1.7976931348623157e308 to text that reads back as inf; that case is
    # a fixed test in test_cells (test_a_number_that_overflows_is_an_input_error_not_a_crash)
    st.floats(min_value=-1e308, max_value=1e308, allow_nan=False),
    st.sampled_from([0, 1, -1, 0.5, 1e-12, 1e12, 1e308, -1e308, 5e-324, 2**63, 2**63 - 1, -(2**63)]),
    st.none(),
    st.booleans(),
    st.datetimes(min_value=dt.datetime(1900, 3, 1), max_value=dt.datetime(2200, 12, 31)),
    st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(2200, 12, 31)),
)
CORRUPTIONS = st.lists(st.tuples(st.sampled_from(CELLS), VALUES), min_size=1, max_size=4)


def corrupt(good: Path, corruptions, folder: Path) -> Path:
    wb = openpyxl.load_workbook(io.BytesIO(good.read_bytes()))
    for (sheet, row, col), value in corruptions:
        wb[sheet].cell(row=row, column=col, value=value)
    path = folder / "study.xlsx"
    wb.save(path)
    return path


def describe(corruptions) -> str:
    return "; ".join(f"{s}!R{r}C{c} = {v!r}" for (s, r, c), v in corruptions)


@SETTINGS
@given(corruptions=CORRUPTIONS)
def test_validation_succeeds_or_raises_input_error(good_path, corruptions):
    with tempfile.TemporaryDirectory() as d:
        path = corrupt(good_path, corruptions, Path(d))
        try:
            load_study(path)
        except InputError as e:
            assert e.issues, describe(corruptions)
            for issue in e.issues:
                assert issue.workbook == str(path)
                assert issue.expected, issue
                text = str(issue)
                assert text.startswith(f"{path}: ") and "\n" not in text, text
        except Exception as e:  # noqa: BLE001 - the property under test
            pytest.fail(f"{type(e).__name__}: {e}\ncorrupted cells: {describe(corruptions)}")


@SETTINGS
@given(corruptions=CORRUPTIONS)
def test_solve_never_shows_a_traceback(good_path, corruptions):
    with tempfile.TemporaryDirectory() as d:
        path = corrupt(good_path, corruptions, Path(d))
        out = Path(d) / "out"
        run = run_cli("solve", str(path), "--out", str(out))
        where = f"corrupted cells: {describe(corruptions)}\n{run.output}"
        assert not run.crashed, f"{run.crashed}\n{where}"
        assert "Traceback" not in run.output, where
        assert run.code in (0, 2, 3), f"exit {run.code}\n{where}"
        if run.code == 2:
            assert not out.exists(), where
            assert "nothing was solved" in run.output, where
        else:
            assert (out / "study" / "base" / "summary.json").is_file(), where


# Well-typed but extreme numbers found while exploring: they pass validation (no upper bound in the
# contract) and must then either be refused as input errors (exit 2) or solved (0/3), never crash.
EXTREME = [
    ("demand", 2, "quantity_t", 1e20),
    ("tech_io", 4, "coefficient", -1e15),
    ("content", 4, "t_per_t", 1e15),
    ("content", 4, "t_per_t", 1e308),
    ("projects", 4, "capex_usd_per_tpa", 1e50),
]


@pytest.mark.parametrize("sheet,row,column,value", EXTREME, ids=[f"{s}.{c}={v:g}" for s, _, c, v in EXTREME])
def test_extreme_numbers_never_crash_the_solve(sheet, row, column, value, tmp_path: Path):
    from test_catalogue import put

    wb = write_good(tmp_path / "study.xlsx", put(sheet, row, column, value))
    out = tmp_path / "out"
    run = run_cli("solve", str(wb), "--out", str(out))
    assert not run.crashed and "Traceback" not in run.output, run.output
    assert run.code in (0, 2, 3), f"exit {run.code}\n{run.output}"
    if run.code == 2:
        assert f"{sheet} row {row}, column {column}" in run.output, run.output
