"""Cells that Excel users really produce are read as meant; unreadable files give one clear line.

Workbooks start from the good study of test_catalogue and are then edited with openpyxl (or,
for cached formula values, by editing the sheet XML inside the .xlsx zip).
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest

from model.errors import InputError, WorkbookUnreadable
from model.pipeline import load_study
from model.read import read_tables
from test_catalogue import GOOD_SETTINGS, error_lines, put, puts, run_cli, run_subprocess, setting, write_good


# ------------------------------------------------------------------------ helpers
def column_of(ws, header: str) -> int:
    for cell in ws[1]:
        if cell.value is not None and str(cell.value).strip() == header:
            return cell.column
    raise AssertionError(f"no header {header!r} in {ws.title}")


def edit_book(path: Path, fn) -> Path:
    wb = openpyxl.load_workbook(path)
    fn(wb)
    wb.save(path)
    return path


def set_cell(sheet: str, row: int, header: str, value):
    def fn(wb):
        ws = wb[sheet]
        ws.cell(row=row, column=column_of(ws, header), value=value)
    return fn


def row_of(df, column: str, value):
    rows = df[df[column] == value]
    assert len(rows) == 1, f"{len(rows)} rows with {column} == {value!r}"
    return rows.iloc[0]


def loads_ok(path: Path):
    """The workbook validates (in-process and through the CLI) and its study is returned."""
    try:
        study = load_study(path)
    except InputError as e:
        raise AssertionError(f"unexpected input errors:\n{e}") from None
    run = run_cli("validate", str(path))
    assert not run.crashed and run.code == 0, run.output
    return study


# ------------------------------------------------------------------------ numbers
def test_numbers_stored_as_text_with_spaces_and_thousands_separators(tmp_path: Path):
    wb = write_good(tmp_path / "study.xlsx", puts(
        put("projects", 2, "existing_tpa", " 1,000 "),
        put("projects", 4, "capex_usd_per_tpa", "60000"),
        put("projects", 3, "var_cost_usd_per_t", "1,234.5"),
        put("projects", 4, "lead_time_years", " 2 "),
        put("projects", 4, "lifetime_years", "20.0"),
        put("demand", 2, "quantity_t", "3,000"),
        put("demand", 3, "year", "2026"),
        put("budgets", 4, "amount_musd", "1,500"),
        setting("first_year", "2025"),
        setting("discount_rate", " 0.08 "),
    ))
    t = loads_ok(wb).tables
    p = t["projects"]
    assert row_of(p, "project", "au_mine")["existing_tpa"] == 1000.0
    assert row_of(p, "project", "eu_refine")["capex_usd_per_tpa"] == 60000.0
    assert row_of(p, "project", "us_refine")["var_cost_usd_per_t"] == 1234.5
    assert row_of(p, "project", "eu_refine")["lead_time_years"] == 2
    assert row_of(p, "project", "eu_refine")["lifetime_years"] == 20
    d = t["demand"]
    assert d.loc[d["_row"] == 2, "quantity_t"].item() == 3000.0
    assert d.loc[d["_row"] == 3, "year"].item() == 2026
    assert row_of(t["budgets"], "budget", "global")["amount_musd"] == 1500.0
    assert t.settings["first_year"] == 2025 and t.settings["discount_rate"] == pytest.approx(0.08)


def test_percentages_typed_with_a_percent_sign(tmp_path: Path):
    wb = write_good(tmp_path / "study.xlsx", puts(
        put("policies", 2, "share", "40 %"),
        put("policies", 3, "share", "65%"),
        put("projects", 4, "availability", "90 %"),
        setting("discount_rate", "8 %"),
    ))
    t = loads_ok(wb).tables
    pol = t["policies"]
    assert row_of(pol, "policy", "crma_proc")["share"] == pytest.approx(0.4)
    assert row_of(pol, "policy", "crma_supplier")["share"] == pytest.approx(0.65)
    assert row_of(t["projects"], "project", "eu_refine")["availability"] == pytest.approx(0.9)
    assert t.settings["discount_rate"] == pytest.approx(0.08)


def test_a_percentage_above_100_is_named_as_typed(tmp_path: Path):
    wb = write_good(tmp_path / "study.xlsx", put("policies", 2, "share", "140 %"))
    run = run_cli("validate", str(wb))
    assert run.code == 2
    assert f'{wb}: policies row 2, column share: got "140 %", expected a fraction in [0, 1]' in run.output
    assert "did you mean" not in run.output  # typed as a percentage: no hint to divide by 100


def test_dates_in_year_columns_mean_their_year(tmp_path: Path):
    wb = write_good(tmp_path / "study.xlsx", puts(
        put("demand", 4, "year", dt.datetime(2027, 1, 1)),
        put("supply", 3, "last_year", dt.date(2030, 12, 31)),
        put("policies", 2, "first_year", dt.datetime(2028, 6, 30)),
        put("projects", 3, "committed_online_year", dt.datetime(2026, 1, 1)),
        put("budgets", 4, "year", dt.date(2025, 1, 1)),
        setting("last_year", dt.datetime(2030, 1, 1)),
    ))
    # openpyxl writes these as date-formatted serial numbers, as Excel does; read back as dates
    ws = openpyxl.load_workbook(wb)["demand"]
    assert isinstance(ws.cell(row=4, column=column_of(ws, "year")).value, dt.datetime)
    t = loads_ok(wb).tables
    assert t["demand"].loc[t["demand"]["_row"] == 4, "year"].item() == 2027
    assert row_of(t["supply"], "offer", "cn_magnet")["last_year"] == 2030
    assert row_of(t["policies"], "policy", "crma_proc")["first_year"] == 2028
    assert row_of(t["projects"], "project", "us_refine")["committed_online_year"] == 2026
    assert row_of(t["budgets"], "budget", "global")["year"] == 2025
    assert t.settings["last_year"] == 2030


def test_a_date_in_a_quantity_column_is_an_error_not_a_serial_number(tmp_path: Path):
    wb = write_good(tmp_path / "study.xlsx", put("demand", 2, "quantity_t", dt.datetime(2025, 3, 1)))
    run = run_cli("validate", str(wb))
    assert not run.crashed and run.code == 2, run.output
    assert f"{wb}: demand row 2, column quantity_t: got " in run.output


# ------------------------------------------------------------------------ text
def test_trailing_spaces_in_ids_are_trimmed(tmp_path: Path):
    wb = write_good(tmp_path / "study.xlsx", puts(
        put("regions", 5, "region", "CN "),
        put("projects", 4, "project", " eu_refine "),
        put("projects", 4, "region", "EU\u00a0"),  # a non-breaking space pasted from a web page
        put("projects", 4, "technology", "refine  "),
        put("tech_io", 5, "technology", " sinter"),
        put("supply", 2, "region", "CN  "),
        put("demand", 2, "commodity", "magnet "),
        put("policies", 2, "material", " NdPr "),
        put("policies", 2, "stage", "processing "),
        put("budgets", 2, "carryover", "Yes "),
    ))
    t = loads_ok(wb).tables
    assert "CN" in set(t["regions"]["region"])
    p = row_of(t["projects"], "project", "eu_refine")
    assert (p["region"], p["technology"]) == ("EU", "refine")
    assert row_of(t["supply"], "offer", "cn_oxide")["region"] == "CN"
    assert row_of(t["policies"], "policy", "crma_proc")["stage"] == "processing"


def test_trailing_spaces_in_headers_and_sheet_names_are_trimmed(tmp_path: Path):
    def fn(wb):
        ws = wb["projects"]
        ws.cell(row=1, column=column_of(ws, "region")).value = "region "
        ws.cell(row=1, column=column_of(ws, "capex_usd_per_tpa")).value = " capex_usd_per_tpa"
        ws = wb["demand"]
        ws.cell(row=1, column=column_of(ws, "quantity_t")).value = "quantity_t  "
        ws = wb["settings"]
        ws.cell(row=1, column=1).value = "key "
        wb["policies"].title = "policies "
        wb["regions"].title = " regions"

    wb = edit_book(write_good(tmp_path / "study.xlsx"), fn)
    study = loads_ok(wb)
    assert not study.tables.warnings, study.tables.warnings
    assert row_of(study.tables["projects"], "project", "eu_refine")["capex_usd_per_tpa"] == 60000
    assert len(study.tables["policies"]) == 3
    assert len(study.tables["regions"]) == 4


def test_yes_no_written_in_the_ways_people_write_it(tmp_path: Path):
    wb = write_good(tmp_path / "study.xlsx", puts(
        put("budgets", 2, "carryover", "YES"),
        put("budgets", 3, "carryover", True),
        put("budgets", 4, "carryover", "No"),
        setting("salvage", "no "),
    ))
    t = loads_ok(wb).tables
    b = t["budgets"]
    assert list(b.loc[b["budget"] == "eu_fund", "carryover"]) == [True, True]
    assert not row_of(b, "budget", "global")["carryover"]
    assert t.settings["salvage"] is False


# ------------------------------------------------------------------------ rows
def test_empty_trailing_rows_are_ignored(tmp_path: Path):
    def fn(wb):
        for name in ("projects", "demand", "policies", "settings"):
            ws = wb[name]
            last = ws.max_row
            for r in range(last + 1, last + 6):
                ws.cell(row=r, column=1, value=None)
            ws.cell(row=last + 2, column=2, value="   ")  # a cell someone typed spaces into
            ws.cell(row=last + 40, column=1).fill = openpyxl.styles.PatternFill("solid", fgColor="FFFF00")

    wb = edit_book(write_good(tmp_path / "study.xlsx"), fn)
    t = loads_ok(wb).tables
    assert len(t["projects"]) == 5 and len(t["demand"]) == 12 and len(t["policies"]) == 3


def test_a_blank_row_in_the_middle_keeps_excel_row_numbers(tmp_path: Path):
    def fn(wb):
        ws = wb["demand"]
        ws.insert_rows(5)  # old rows 5..13 are now 6..14
        ws.cell(row=12, column=column_of(ws, "quantity_t"), value=-7)

    wb = edit_book(write_good(tmp_path / "study.xlsx"), fn)
    run = run_cli("validate", str(wb))
    assert run.code == 2, run.output
    assert f'{wb}: demand row 12, column quantity_t: got "-7", expected a number >= 0' in run.output
    t = read_tables(wb)
    assert 5 not in set(t["demand"]["_row"]) and len(t["demand"]) == 12


# ------------------------------------------------------------------------ formulas
def _sheet_xml(path: Path, sheet: str) -> str:
    """Zip member of a sheet in a workbook written by openpyxl (sheets are numbered in order)."""
    names = openpyxl.load_workbook(path, read_only=True).sheetnames
    return f"xl/worksheets/sheet{names.index(sheet) + 1}.xml"


def set_cached_value(path: Path, sheet: str, ref: str, cached, text: bool = False) -> None:
    """Give the formula in `ref` a cached value, as Excel does when it saves (openpyxl cannot)."""
    member = _sheet_xml(path, sheet)
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    xml = parts[member].decode()
    pattern = re.compile(rf'<c r="{ref}"([^>]*)><f>(.*?)</f>(?:<v\s*/>|<v></v>)')  # without / with lxml
    assert pattern.search(xml), f"no formula cell {ref} in {member}"
    t = ' t="str"' if text else ""
    xml = pattern.sub(lambda m: f'<c r="{ref}"{m.group(1)}{t}><f>{m.group(2)}</f><v>{cached}</v>', xml, count=1)
    parts[member] = xml.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for n, data in parts.items():
            z.writestr(n, data)


def test_formulas_give_their_cached_values(tmp_path: Path):
    refs = {}

    def fn(wb):
        for sheet, row, header, formula in (
            ("projects", 2, "existing_tpa", "=10*2000"),
            ("projects", 2, "region", '="A"&"U"'),
            ("policies", 2, "share", "=0.2*2"),
            ("demand", 13, "year", "=2025+5"),
        ):
            ws = wb[sheet]
            cell = ws.cell(row=row, column=column_of(ws, header), value=formula)
            refs[(sheet, header)] = cell.coordinate

    wb = edit_book(write_good(tmp_path / "study.xlsx"), fn)
    set_cached_value(wb, "projects", refs[("projects", "existing_tpa")], 20000)
    set_cached_value(wb, "projects", refs[("projects", "region")], "AU", text=True)
    set_cached_value(wb, "policies", refs[("policies", "share")], 0.4)
    set_cached_value(wb, "demand", refs[("demand", "year")], 2030)
    t = loads_ok(wb).tables
    p = row_of(t["projects"], "project", "au_mine")
    assert p["existing_tpa"] == 20000 and p["region"] == "AU"
    assert row_of(t["policies"], "policy", "crma_proc")["share"] == pytest.approx(0.4)
    assert t["demand"].loc[t["demand"]["_row"] == 13, "year"].item() == 2030


def test_a_formula_whose_cached_value_is_wrong_is_named(tmp_path: Path):
    ref = {}

    def fn(wb):
        ws = wb["policies"]
        ref["c"] = ws.cell(row=3, column=column_of(ws, "share"), value="=B2*3").coordinate

    wb = edit_book(write_good(tmp_path / "study.xlsx"), fn)
    set_cached_value(wb, "policies", ref["c"], 1.95)
    run = run_cli("validate", str(wb))
    assert run.code == 2
    assert f'{wb}: policies row 3, column share: got "1.95", expected a fraction in [0, 1]' in run.output


def test_a_formula_never_calculated_is_named_not_read_as_blank(tmp_path: Path):
    """openpyxl reads an uncalculated formula as an empty cell; it must not pass as "blank"."""
    wb = edit_book(write_good(tmp_path / "study.xlsx"), set_cell("budgets", 4, "amount_musd", "=100*5"))
    run = run_cli("solve", str(wb), "--out", str(tmp_path / "out"))
    assert not run.crashed and run.code == 2, run.output
    assert error_lines(run.output) == [
        f'{wb}: budgets row 4, column amount_musd: got "=100*5", expected a saved value for the formula in '
        "cell E4: open and save the workbook in Excel or LibreOffice, or write values"]
    assert not (tmp_path / "out").exists()


SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_the_advice_works_saving_in_libreoffice_gives_the_formula_values(tmp_path: Path):
    """Formulas written by a script are refused; once LibreOffice has saved the workbook their
    results are read (a formula whose result is the empty text "" is then a blank note)."""
    def formulas(b):
        b["supply"]["G2"], b["supply"]["F4"] = "=49000", "=30000*2"
        b["projects"]["Q3"] = '=IF(1=1,"","x")'

    wb = edit_book(write_good(tmp_path / "study.xlsx"), formulas)
    run = run_cli("validate", str(wb))
    assert run.code == 2 and len(error_lines(run.output)) == 3, run.output
    proc = subprocess.run([SOFFICE, f"-env:UserInstallation={(tmp_path / 'profile').resolve().as_uri()}",
                           "--headless", "--norestore", "--convert-to", "xlsx", "--outdir", str(tmp_path / "lo"),
                           str(wb)], capture_output=True, text=True, timeout=240)
    assert proc.returncode == 0, proc.stderr
    t = loads_ok(tmp_path / "lo" / "study.xlsx").tables
    assert row_of(t["supply"], "offer", "cn_oxide")["price_usd_per_t"] == 49000
    assert row_of(t["supply"], "offer", "eu_scrap")["max_tpa"] == 60000
    assert row_of(t["projects"], "project", "us_refine")["note"] is None


def replace_number(path: Path, sheet: str, marker: str, text: str) -> None:
    """Replace the stored number `marker` of a sheet by `text` (what another tool might write)."""
    member = _sheet_xml(path, sheet)
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    xml = parts[member].decode()
    assert xml.count(f"<v>{marker}</v>") == 1, f"marker {marker} not found once in {member}"
    parts[member] = xml.replace(f"<v>{marker}</v>", f"<v>{text}</v>").encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for n, data in parts.items():
            z.writestr(n, data)


def test_a_number_that_overflows_is_an_input_error_not_a_crash(tmp_path: Path):
    """`<v>1e309</v>` reads as infinity (openpyxl itself writes 1.7976931348623157e308 that way)."""
    wb = write_good(tmp_path / "study.xlsx", puts(
        put("projects", 2, "existing_tpa", 123456781),
        put("budgets", 4, "carryover", 123456782),
        put("regions", 2, "name", 123456783),
    ))
    replace_number(wb, "projects", "123456781", "1e309")
    replace_number(wb, "budgets", "123456782", "1e309")
    replace_number(wb, "regions", "123456783", "-1e309")
    try:
        load_study(wb)
    except InputError as e:
        text = str(e)
    except Exception as e:  # noqa: BLE001
        pytest.fail(f"reading raised {type(e).__name__}: {e}")
    else:
        pytest.fail("an infinite existing_tpa and carryover were accepted")
    assert "projects row 2, column existing_tpa" in text
    assert "budgets row 4, column carryover" in text
    run = run_cli("solve", str(wb), "--out", str(tmp_path / "out"))
    assert not run.crashed and run.code == 2, run.output
    assert not (tmp_path / "out").exists()


# ------------------------------------------------------------------------ files that are not workbooks
def _text_file(p: Path) -> None:
    p.write_text("region,name\nEU,European Union\n")


def _empty_file(p: Path) -> None:
    p.write_bytes(b"")


def _protected(p: Path) -> None:
    # an encrypted .xlsx is an OLE compound file (as is an old .xls)
    p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504)


def _plain_zip(p: Path) -> None:
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("readme.txt", "not a spreadsheet")


UNREADABLE = [
    ("text_named_xlsx", _text_file, "is not an Excel workbook"),
    ("empty_file", _empty_file, "is not an Excel workbook"),
    ("password_protected", _protected, "password protected"),
    ("zip_but_not_xlsx", _plain_zip, "cannot be read as an .xlsx workbook"),
]


def _one_error_line(run, wb: Path, phrase: str) -> None:
    assert not run.crashed and "Traceback" not in run.output, run.output
    assert run.code == 2, run.output
    errors = [ln for ln in run.output.splitlines() if "error" in ln.lower() or str(wb) in ln]
    errors = [ln for ln in errors if not ln.startswith("reeplan: solving")]
    assert len(errors) == 1, errors
    assert errors[0].startswith(f"error: {wb}: ") and phrase in errors[0], errors[0]


@pytest.mark.parametrize("make,phrase", [u[1:] for u in UNREADABLE], ids=[u[0] for u in UNREADABLE])
def test_unreadable_file_gives_one_clear_line(make, phrase, tmp_path: Path):
    wb = tmp_path / "study.xlsx"
    make(wb)
    with pytest.raises(WorkbookUnreadable):
        read_tables(wb)
    run = run_cli("validate", str(wb))
    _one_error_line(run, wb, phrase)
    assert len([ln for ln in run.output.splitlines() if ln.strip()]) == 1, run.output
    out = tmp_path / "out"
    run = run_cli("solve", str(wb), "--out", str(out))
    _one_error_line(run, wb, phrase)
    assert not out.exists()


LOCKS = [("excel", "~$study.xlsx"), ("libreoffice", ".~lock.study.xlsx#")]


@pytest.mark.parametrize("lock", [name for _, name in LOCKS], ids=[k for k, _ in LOCKS])
def test_workbook_open_in_another_program(lock: str, tmp_path: Path):
    wb = write_good(tmp_path / "study.xlsx")
    (tmp_path / lock).write_bytes(b"user,host\n")
    run = run_cli("validate", str(wb))
    _one_error_line(run, wb, "open in another program")
    assert lock in run.output
    out = tmp_path / "out"
    run = run_subprocess("solve", str(wb), "--out", str(out))
    _one_error_line(run, wb, "open in another program")
    assert not out.exists()
    (tmp_path / lock).unlink()
    assert run_cli("validate", str(wb)).code == 0


def test_unreadable_files_through_a_subprocess(tmp_path: Path):
    for name, make, phrase in UNREADABLE[:3]:
        wb = tmp_path / f"{name}.xlsx"
        make(wb)
        out = tmp_path / "out"
        run = run_subprocess("solve", str(wb), "--out", str(out))
        _one_error_line(run, wb, phrase)
        assert not out.exists()


def test_missing_file_gives_one_clear_line(tmp_path: Path):
    wb = tmp_path / "nope.xlsx"
    run = run_cli("validate", str(wb))
    _one_error_line(run, wb, "file not found")


def test_settings_row_numbers_follow_the_sheet(tmp_path: Path):
    """A sanity check of the catalogue's settings rows (they follow GOOD_SETTINGS order)."""
    wb = write_good(tmp_path / "study.xlsx")
    ws = openpyxl.load_workbook(wb)["settings"]
    assert [ws.cell(row=i + 2, column=1).value for i in range(len(GOOD_SETTINGS))] == list(GOOD_SETTINGS)
