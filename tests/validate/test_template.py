"""`reeplan template PATH`: a blank workbook that explains itself and validates as it is."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from model.schema import DOC_COLUMNS, SETTINGS, SHEETS
from test_catalogue import run_cli, run_subprocess

CRMA = {  # (kind, stage) -> share: EU Critical Raw Materials Act 2030 benchmarks (workbook.md)
    ("min_domestic_share", "extraction"): 0.10,
    ("min_domestic_share", "processing"): 0.40,
    ("min_domestic_share", "recycling"): 0.25,
    ("max_supplier_share", "extraction"): 0.65,
    ("max_supplier_share", "processing"): 0.65,
    ("max_supplier_share", "manufacturing"): 0.65,
}


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "new" / "study.xlsx"  # parent folder does not exist yet
    run = run_cli("template", str(path))
    assert not run.crashed and run.code == 0, run.output
    assert path.is_file()
    return path


@pytest.fixture(scope="module")
def book(template: Path) -> openpyxl.Workbook:
    return openpyxl.load_workbook(template)


def headers(ws) -> list:
    return [c.value for c in ws[1] if c.value is not None]


def test_every_contract_sheet_with_exactly_the_contract_headers(book):
    assert book.sheetnames[0] == "settings"
    assert set(book.sheetnames) == {"settings"} | {s.name for s in SHEETS}
    assert headers(book["settings"]) == ["key", "value"]
    for sheet in SHEETS:
        got = headers(book[sheet.name])
        assert got[: len(sheet.names)] == sheet.names, sheet.name
        rest = got[len(sheet.names):]
        assert set(rest) <= set(DOC_COLUMNS) and len(rest) == len(set(rest)), (sheet.name, rest)


def test_settings_lists_every_key_with_a_note(book):
    ws = book["settings"]
    keys = [ws.cell(row=r, column=1).value for r in range(2, ws.max_row + 1)]
    assert [k for k in keys if k] == [s.key for s in SETTINGS]
    for r, s in enumerate(SETTINGS, start=2):
        comment = ws.cell(row=r, column=1).comment
        assert comment is not None and s.help in comment.text, s.key


def test_every_header_cell_has_a_comment_with_meaning_and_unit(book):
    problems = []
    for ws in book.worksheets:
        for cell in ws[1]:
            if cell.value is not None and (cell.comment is None or not cell.comment.text.strip()):
                problems.append(f"{ws.title}!{cell.coordinate} has no comment")
    for sheet in SHEETS:
        ws = book[sheet.name]
        for j, col in enumerate(sheet.columns, start=1):
            comment = ws.cell(row=1, column=j).comment
            text = comment.text if comment else ""
            if col.help not in text:
                problems.append(f"{sheet.name}.{col.name}: comment {text!r} lacks its meaning {col.help!r}")
            if col.unit and col.unit not in text:
                problems.append(f"{sheet.name}.{col.name}: comment {text!r} lacks its unit {col.unit!r}")
    assert not problems, "\n".join(problems)


def test_optional_columns_say_so_in_their_comment(book):
    optional = [(s.name, j, c.name) for s in SHEETS for j, c in enumerate(s.columns, start=1) if c.optional]
    assert ("projects", 16, "ramp_years") in optional and ("policies", 11, "group") in optional
    for sheet, j, name in optional:
        text = book[sheet].cell(row=1, column=j).comment.text
        assert text.endswith("Optional column: a sheet without it reads it as blank."), (sheet, name, text)
    assert "Optional column" not in book["projects"].cell(row=1, column=1).comment.text


def _validations(ws) -> list[tuple]:
    """(covers(cell), listed options, last row) of each list-type data validation of a sheet."""
    out = []
    for dv in ws.data_validations.dataValidation:
        if dv.type != "list":
            continue
        ranges = list(dv.sqref.ranges)

        def covers(ref: str, ranges=ranges) -> bool:
            c = openpyxl.utils.cell.coordinate_from_string(ref)
            col, row = openpyxl.utils.column_index_from_string(c[0]), c[1]
            return any(r.min_col <= col <= r.max_col and r.min_row <= row <= r.max_row for r in ranges)

        options = [o.strip() for o in dv.formula1.strip('"').split(",")]
        out.append((covers, options, max(r.max_row for r in ranges)))
    return out


DROPDOWNS = [
    ("commodities", "stage", ["extraction", "processing", "manufacturing"]),
    ("technologies", "stage", ["extraction", "processing", "manufacturing", "recycling"]),
    ("budgets", "stage", ["extraction", "processing", "manufacturing", "recycling", "*"]),
    ("budgets", "carryover", ["yes", "no"]),
    ("policies", "kind", ["min_domestic_share", "max_supplier_share"]),
    ("policies", "stage", ["extraction", "processing", "manufacturing", "recycling"]),
    ("policies", "basis", ["output", "capacity", "origin"]),
    ("scenarios", "op", ["set", "scale", "add"]),
]


@pytest.mark.parametrize("sheet,column,options", DROPDOWNS, ids=[f"{s}.{c}" for s, c, _ in DROPDOWNS])
def test_drop_down_lists(book, sheet, column, options):
    ws = book[sheet]
    letter = get_column_letter(headers(ws).index(column) + 1)
    found = [(opts, last) for covers, opts, last in _validations(ws) if covers(f"{letter}2") and covers(f"{letter}3")]
    assert found, f"no drop-down on {sheet}.{column}"
    opts, last = found[0]
    assert sorted(opts) == sorted(options)
    assert last >= 1000, f"the drop-down on {sheet}.{column} stops at row {last}"


def test_salvage_setting_has_a_yes_no_drop_down(book):
    ws = book["settings"]
    row = 2 + [s.key for s in SETTINGS].index("salvage")
    assert ws.cell(row=row, column=1).value == "salvage"
    found = [opts for covers, opts, _ in _validations(ws) if covers(f"B{row}")]
    assert found and sorted(found[0]) == ["no", "yes"]


def test_policies_hold_the_eu_crma_benchmarks(book):
    ws = book["policies"]
    cols = headers(ws)
    rows = [dict(zip(cols, (c.value for c in r))) for r in ws.iter_rows(min_row=2) if any(c.value for c in r)]
    assert len(rows) == 6
    assert len({r["policy"] for r in rows}) == 6
    got = {(r["kind"], r["stage"]): r["share"] for r in rows}
    assert got.keys() == CRMA.keys()
    for k, share in CRMA.items():
        assert got[k] == pytest.approx(share), k
    assert {(r["region"], r["material"]) for r in rows} == {("EU", "NdPr")}
    for r in rows:
        assert r["kind"] != "max_supplier_share" or r["stage"] != "recycling"


def test_crma_examples_are_soft_with_a_stated_penalty(book):
    """A new study's first solve must not be infeasible because of the example policies."""
    ws = book["policies"]
    cols = headers(ws)
    rows = [dict(zip(cols, (c.value for c in r))) for r in ws.iter_rows(min_row=2) if any(c.value for c in r)]
    assert [r["penalty_usd_per_t"] for r in rows] == [250000] * 6
    for r in rows:
        assert "soft: each tonne short costs 250,000 USD" in r["note"], r["note"]
        assert "clear penalty_usd_per_t to make it a hard constraint" in r["note"]


def test_validate_passes_on_the_template(template: Path):
    run = run_cli("validate", str(template))
    assert not run.crashed and run.code == 0, run.output
    assert run.output.splitlines()[0] == f"ok: {template}"
    assert "warning" not in run.output
    assert "policies   6" in run.output


def test_template_through_a_subprocess(tmp_path: Path):
    path = tmp_path / "blank.xlsx"
    run = run_subprocess("template", str(path))
    assert run.code == 0 and not run.crashed, run.output
    run = run_subprocess("validate", str(path))
    assert run.code == 0, run.output
    assert "ok" in run.output


def test_refuses_to_overwrite_without_force(tmp_path: Path):
    path = tmp_path / "study.xlsx"
    path.write_bytes(b"my precious study")
    run = run_cli("template", str(path))
    assert not run.crashed and "Traceback" not in run.output
    assert run.code != 0
    assert "--force" in run.output and "exists" in run.output
    assert path.read_bytes() == b"my precious study"
    run = run_cli("template", str(path), "--force")
    assert run.code == 0, run.output
    assert run_cli("validate", str(path)).code == 0
