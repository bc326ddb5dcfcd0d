"""overview.xlsx laid out for print: one row per scenario on the first sheet, the policy columns of
overview.csv as one row per policy and scenario with a column per year; overview.csv unchanged."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest

from model.overview import workbook_sheets, write_overview
from model.write.csv import write_csv

OVERVIEW = pd.DataFrame({
    "scenario": ["base", "ban", "stuck"],
    "status": ["optimal", "optimal", "infeasible"],
    "objective_musd": [1500.25, 10300.5, None],
    "built_manufacturing_tpa": [0.0, 10.0, None],
    "eu half 2026 share": [0.0, 1.0, None],  # a policy id with a space
    "eu half 2026 price_usd_per_t": [0.0, 2_400_000.0, None],
    "eu half 2027 share": [0.0, 1.0, None],
    "eu half 2027 price_usd_per_t": [0.0, 0.0, None],
    "cap 2027 share": [0.65, None, None],
    "cap 2027 price_usd_per_t": [12.5, None, None],
    "message": [None, None, "infeasible: see infeasibility.md"],
})


@pytest.mark.parametrize("sheet, columns, rows", [
    ("overview", ["scenario", "status", "objective_musd", "built_manufacturing_tpa", "message"],
     [["base", "optimal", 1500.25, 0.0, None], ["ban", "optimal", 10300.5, 10.0, None],
      ["stuck", "infeasible", None, None, "infeasible: see infeasibility.md"]]),
    ("policy shares", ["policy", "scenario", "2026_share", "2027_share"],
     [["cap", "base", None, 0.65], ["eu half", "base", 0.0, 0.0], ["eu half", "ban", 1.0, 1.0]]),
    ("policy prices", ["policy", "scenario", "2026_usd_per_t", "2027_usd_per_t"],
     [["cap", "base", None, 12.5], ["eu half", "base", 0.0, 0.0], ["eu half", "ban", 2_400_000.0, 0.0]]),
])
def test_workbook_sheets(sheet, columns, rows):
    df = workbook_sheets(OVERVIEW)[sheet]
    assert list(df.columns) == columns
    got = [[None if pd.isna(v) else v for v in r] for r in df.itertuples(index=False)]
    assert got == rows  # policies sorted, scenarios in batch order, a scenario without a plan left out


def test_no_policy_columns_one_sheet():
    df = OVERVIEW[["scenario", "status", "objective_musd"]]
    assert list(workbook_sheets(df)) == ["overview"]


def test_overview_csv_unchanged_and_xlsx_printable(tmp_path):
    csv, xlsx = write_overview(tmp_path, OVERVIEW)
    write_csv(OVERVIEW, tmp_path / "plain.csv")
    assert csv.read_bytes() == (tmp_path / "plain.csv").read_bytes()  # the wide table, as before
    wb = openpyxl.load_workbook(xlsx)
    assert wb.sheetnames == ["overview", "policy shares", "policy prices"]
    for ws, keys in zip(wb.worksheets, ("A", "B", "B")):
        ps = ws.page_setup
        assert (ps.orientation, ps.fitToWidth, ps.fitToHeight) == ("portrait", 1, 0), ws.title
        assert ws.print_title_rows == "$1:$1" and ws.print_title_cols == f"$A:${keys}", ws.title
        assert ws.freeze_panes == ("B2" if keys == "A" else "C2"), ws.title
    ov, shares, prices = wb.worksheets
    assert [c.value for c in ov[1]][:4] == ["scenario", "status", "objective (USD million)",
                                            "built manufacturing (t/yr)"]
    assert ov["C3"].value == 10300.5 and ov["C3"].number_format == "#,##0.0"
    assert [c.value for c in shares[1]] == ["policy", "scenario", "2026 share (%)", "2027 share (%)"]
    assert shares["D2"].value == 0.65 and shares["D2"].number_format == "0.0%"
    assert prices["C4"].value == 2_400_000 and prices["C4"].number_format == "#,##0"
