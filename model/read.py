"""Workbook to typed tables, driven by `schema.py`. Excel quirks are handled here only.

The result is a `Tables`: one pandas DataFrame per sheet with the contract's column names,
schema types and defaults applied, plus a `_row` column holding the Excel row number so
later checks can name the cell. Problems are collected, never raised one at a time.
"""

from __future__ import annotations

import datetime as _dt
import difflib
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from openpyxl.utils import get_column_letter

from . import xlsxfile
from .errors import Issue
from .xlsxfile import SheetXml
from .schema import DOC_COLUMNS, MAGNITUDE, SETTING, SETTINGS, SHEET as SHEET_BY_NAME, SHEETS, WILDCARD, Column, Sheet

ROW = "_row"  # Excel row number of each table row


@dataclass
class Tables:
    """Typed tables of one workbook (before cross-sheet validation)."""

    path: str
    settings: dict
    frames: dict[str, pd.DataFrame]
    settings_rows: dict[str, int] = field(default_factory=dict)
    warnings: list[Issue] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)  # cell-level problems found while reading
    broken: set[str] = field(default_factory=set)  # sheets missing, or missing a column

    def __getitem__(self, sheet: str) -> pd.DataFrame:
        return self.frames[sheet]


# ---------------------------------------------------------------- cell parsing
class CellError(Exception):
    """A non-blank cell (or scenario value) that does not fit its column's kind."""


_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_THOUSANDS = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d*)?")
CURRENCY = "$€£¥"  # one leading or trailing symbol is accepted in a number cell
# what Excel shows for a formula that failed; never a value, even in a text column
EXCEL_ERRORS = frozenset({"#REF!", "#N/A", "#DIV/0!", "#VALUE!", "#NAME?", "#NUM!", "#NULL!",
                          "#SPILL!", "#CALC!", "#GETTING_DATA"})


def is_blank(v) -> bool:
    """An empty cell: None, NaN, pandas NA or only spaces."""
    return (v is None or v is pd.NA or (isinstance(v, str) and not v.strip())
            or (isinstance(v, float) and math.isnan(v)))


def is_excel_error(v) -> bool:
    return isinstance(v, str) and v.strip().upper() in EXCEL_ERRORS


def _unsigned(s: str) -> tuple[str, str]:
    """Split a leading sign off "-$1,000" so the currency symbol can follow it."""
    return (s[0], s[1:]) if s[:1] in "+-" else ("", s)


def _number(v) -> float:
    """Numbers, numbers stored as text, "1,000", "40 %", "$40,000", "40000 €"."""
    if isinstance(v, bool):
        raise CellError
    if isinstance(v, (int, float)):
        if isinstance(v, float) and not math.isfinite(v):
            raise CellError
        return float(v)
    if not isinstance(v, str):
        raise CellError
    sign, s = _unsigned(v.strip().replace("\u00a0", "").replace(" ", ""))
    pct = s.endswith("%")
    if pct:
        s = s[:-1]
    elif s[:1] and s[0] in CURRENCY:
        sign, s = (sign, s[1:]) if sign else _unsigned(s[1:])
    elif s[-1:] and s[-1] in CURRENCY:
        s = s[:-1]
    if _THOUSANDS.fullmatch(s):
        s = s.replace(",", "")
    if not _NUMBER.match(s):
        raise CellError
    x = float(sign + s)
    if not math.isfinite(x):
        raise CellError
    return x / 100.0 if pct else x


def _whole(v) -> int:
    """A whole number (also years): 2030, 2030.0, "2030", or a date (its year)."""
    if isinstance(v, (_dt.datetime, _dt.date)):
        return v.year
    x = _number(v)
    if x != int(x) or abs(x) >= 1e9:  # beyond any count of years (and any integer column)
        raise CellError
    return int(x)


_YES = {"yes", "y", "true", "1"}
_NO = {"no", "n", "false", "0"}


def _yesno(v) -> bool:
    if isinstance(v, bool):
        return v
    if isinstance(v, (int, float)) and v in (0, 1):
        return bool(v)
    if isinstance(v, str):
        s = v.strip().lower()
        if s in _YES:
            return True
        if s in _NO:
            return False
    raise CellError


def to_text(v) -> str:
    """A cell as trimmed text (2030.0 -> "2030", a date -> ISO)."""
    if isinstance(v, float) and math.isfinite(v) and v == int(v):
        return str(int(v))
    if isinstance(v, (_dt.datetime, _dt.date)):
        return v.isoformat()
    return str(v).strip()


def parse_cell(kind: str, v, choices=()):
    """Typed value of a non-blank cell (or scenario value) of a column of `kind`; raises CellError."""
    if kind == "number":
        return _number(v)
    if kind == "whole":
        return _whole(v)
    if kind == "yesno":
        return _yesno(v)
    s = to_text(v)
    if kind == "choice" and s not in choices:
        raise CellError
    return s


def shown(v) -> str:
    """A cell as the user typed it, for "got ..." in a message."""
    if isinstance(v, float) and math.isfinite(v) and v == int(v):
        return str(int(v))
    return str(v).strip() if isinstance(v, str) else str(v)


def check_range(col: Column | object, x) -> bool:
    lo, hi, above = getattr(col, "minimum", None), getattr(col, "maximum", None), getattr(col, "above", None)
    if lo is not None and x < lo:
        return False
    if hi is not None and x > hi:
        return False
    if above is not None and x <= above:
        return False
    return True


def _as_fraction(x: float) -> str:
    y = x / 100.0
    two = f"{y:.2f}"
    return two if abs(float(two) - y) < 1e-12 else f"{y:g}"


def out_of_range(col: Column | object, x, raw=None) -> str | None:
    """What a number cell should have been ("expected ..."), or None when `x` fits its column.

    A fraction typed as a percentage without the sign (40 for 0.40) gets a hint."""
    if getattr(col, "kind", "") not in ("number", "whole"):
        return None
    if not check_range(col, x):
        hint = ""
        typed = raw is not None and not (isinstance(raw, str) and "%" in raw)  # not a scale/add result
        if getattr(col, "unit", "") == "fraction" and 1 < x <= 100 and typed:
            hint = f" (did you mean {_as_fraction(x)}?)"
        return col.expected() + hint
    if col.kind == "number" and abs(x) > MAGNITUDE:
        return f"{col.expected()} of at most {MAGNITUDE:.0e} in size"
    return None


def closest(name: str, options) -> str | None:
    """The option `name` most likely meant: the same but for case, else a close spelling."""
    options = [o for o in dict.fromkeys(options) if isinstance(o, str)]
    folded = {o.lower(): o for o in options}
    if name.lower() in folded:
        return folded[name.lower()]
    close = difflib.get_close_matches(name, options, n=1, cutoff=0.6)
    return close[0] if close else None


def did_you_mean(name: str, options) -> str:
    """' (did you mean "X"?)' for the option closest to `name`, or ""."""
    best = closest(name, options)
    return f' (did you mean "{best}"?)' if best is not None and best != name else ""


def optional_column(df: pd.DataFrame, name: str) -> pd.Series:
    """A version 2 column; absent from the header means every cell is blank."""
    return df[name] if name in df.columns else pd.Series(float("nan"), index=df.index, dtype=float)


def per_year(df: pd.DataFrame, T0: int, T1: int) -> pd.DataFrame:
    """One row per year of each row's first_year..last_year window, clipped to T0..T1.

    A blank first_year means T0 and a blank last_year T1; rows whose window has no year in
    the horizon are dropped. Adds an int column `year`; the index is reset."""
    if df.empty:
        return df.assign(year=pd.Series(dtype=int))
    fy = df["first_year"].astype("Float64").fillna(T0).astype(int).clip(lower=T0)
    ly = df["last_year"].astype("Float64").fillna(T1).astype(int).clip(upper=T1)
    out = df.assign(year=[list(range(a, b + 1)) for a, b in zip(fy, ly)]).explode("year")
    out = out.dropna(subset=["year"])
    return out.assign(year=out["year"].astype(int)).reset_index(drop=True)


def _hint(name: str, candidates) -> str:
    norm = {re.sub(r"[\s_]+", "_", c.strip().lower()): c for c in candidates}
    key = re.sub(r"[\s_]+", "_", name.strip().lower())
    if key in norm:
        return f' (found "{norm[key]}")'
    close = difflib.get_close_matches(key, list(norm), n=1, cutoff=0.75)
    return f' (did you mean "{norm[close[0]]}"?)' if close else ""


def _rows(ws):
    """Header and data rows of a sheet as lists of raw values (formulas give cached values)."""
    it = ws.iter_rows(values_only=True)
    header = next(it, None)
    if header is None:
        return [], []
    return [("" if h is None else str(h).strip()) for h in header], list(it)


def _positions(header: list[str], wanted, sheet: str, book: str, issues: list[Issue]) -> dict[str, int]:
    """Index of each wanted column in the header; a column given twice is an input error
    (which of the two holds the data?)."""
    where: dict[str, int] = {}
    for i, h in enumerate(header):
        if h not in wanted:
            continue
        if h in where:
            issues.append(Issue(sheet, 1, h, "", f"the column once in the header row (it is in columns "
                                f"{get_column_letter(where[h] + 1)} and {get_column_letter(i + 1)})", book))
        else:
            where[h] = i
    return where


_EXCEL_ERROR = "a value, not an Excel error (fix the formula or the cell it refers to)"


def _typed(sheet: str, n: int, col: Column, v, blanked: bool, book: str, issues: list[Issue]):
    """The typed value of one cell (its default when blank); problems are added to `issues`."""
    if is_excel_error(v):
        issues.append(Issue(sheet, n, col.name, shown(v), _EXCEL_ERROR, book))
        return None
    if is_blank(v):
        if col.required and not blanked:
            issues.append(Issue(sheet, n, col.name, "", f"a value ({col.help})", book))
        return col.default
    if col.wildcard and isinstance(v, str) and v.strip() == WILDCARD:
        return WILDCARD
    try:
        x = parse_cell(col.kind, v, col.choices)
    except CellError:
        issues.append(Issue(sheet, n, col.name, shown(v), col.expected(), book))
        return None
    problem = out_of_range(col, x, v)
    if problem:
        issues.append(Issue(sheet, n, col.name, shown(v), problem, book))
    return x


# ---------------------------------------------------------------- sheets
def _read_sheet(sheet: Sheet, ws, xml: SheetXml, book: str, issues: list[Issue],
                warnings: list[Issue]) -> pd.DataFrame:
    header, rows = _rows(ws)
    docs = [d for d in DOC_COLUMNS if d not in sheet.names]
    where = _positions(header, sheet.names + docs, sheet.name, book, issues)
    spare = [h for h in header if h and h not in where]
    for col in (c for c in sheet.columns if c.name not in where):
        hint = _hint(col.name, spare)  # an optional column may be left out, but not misspelt
        if hint or not col.optional:
            issues.append(Issue(sheet.name, 1, col.name, "", "this column in the header row" + hint, book))
    for h in spare:
        warnings.append(Issue(sheet.name, 1, h, h, "a known column; this one is ignored", book))
    blanked = xlsxfile.quirks(sheet.name, xml, where, book, issues)
    present = [c for c in sheet.columns if c.name in where]
    docs = [d for d in docs if d in where]
    absent = {c.name: c.default for c in sheet.columns if c.name not in where}  # read as blank cells
    records = []
    for n, raw in enumerate(rows, start=2):
        cells = {c: (raw[i] if i < len(raw) else None) for c, i in where.items()}
        if all(is_blank(cells[c.name]) for c in present):
            continue  # empty (trailing) rows
        rec = {ROW: n, **absent}
        for d in docs:
            v = cells[d]
            if is_excel_error(v):
                issues.append(Issue(sheet.name, n, d, shown(v), _EXCEL_ERROR, book))
            rec[d] = None if is_blank(v) or is_excel_error(v) else to_text(v)
        for col in present:
            rec[col.name] = _typed(sheet.name, n, col, cells[col.name], blanked(n, where[col.name]), book, issues)
        records.append(rec)
    return _frame(sheet, records)


def _frame(sheet: Sheet, records: list[dict]) -> pd.DataFrame:
    docs = [d for d in DOC_COLUMNS if d not in sheet.names and any(d in r for r in records)]
    cols = [ROW] + sheet.names + docs
    df = pd.DataFrame.from_records(records, columns=cols)
    for c in sheet.columns:
        if c.kind == "number":
            df[c.name] = pd.to_numeric(df[c.name], errors="coerce").astype(float)
        elif c.kind == "whole":
            df[c.name] = pd.array([None if is_blank(v) else int(v) for v in df[c.name]], dtype="Int64")
        elif c.kind == "yesno":
            df[c.name] = df[c.name].astype(object)
        else:
            df[c.name] = df[c.name].astype(object).where(df[c.name].notna(), None)
    for d in docs:
        df[d] = df[d].astype(object).where(df[d].notna(), None)
    df[ROW] = df[ROW].astype(int)
    return df.reset_index(drop=True)


def _setting(n: int, s, v, book: str, issues: list[Issue]):
    """The typed value of one settings cell, or None (blank, or a problem added to `issues`)."""
    if is_excel_error(v):
        issues.append(Issue("settings", n, "value", shown(v), _EXCEL_ERROR, book))
        return None
    if is_blank(v):
        return None
    try:
        x = parse_cell(s.kind, v)
    except CellError:
        issues.append(Issue("settings", n, "value", shown(v), f"{s.key}: {s.expected()}", book))
        return None
    problem = out_of_range(s, x, v)
    if problem:
        issues.append(Issue("settings", n, "value", shown(v), f"{s.key}: {problem}", book))
        return None
    return x


def _read_settings(ws, xml: SheetXml, book: str, issues: list[Issue], warnings: list[Issue]):
    header, rows = _rows(ws)
    where = _positions(header, ("key", "value"), "settings", book, issues)
    for need in ("key", "value"):
        if need not in where:
            issues.append(Issue("settings", 1, need, "", "this column in the header row" + _hint(need, header), book))
    values, at = {}, {}
    if any(i.sheet == "settings" and i.row == 1 for i in issues):
        return values, at
    blanked = xlsxfile.quirks("settings", xml, where, book, issues)
    for n, raw in enumerate(rows, start=2):
        key, v = ((raw[where[c]] if where[c] < len(raw) else None) for c in ("key", "value"))
        if is_excel_error(key):
            issues.append(Issue("settings", n, "key", shown(key), _EXCEL_ERROR, book))
            continue
        if is_blank(key) and is_blank(v):
            continue
        key = to_text(key) if not is_blank(key) else ""
        s = SETTING.get(key)
        if s is None:
            if not blanked(n, where["key"]):
                warnings.append(Issue("settings", n, "key", key, "one of " + ", ".join(SETTING), book))
            continue
        if key in at:
            issues.append(Issue("settings", n, "key", key, f"each key once (repeated; first in row {at[key]})", book))
            continue
        at[key] = n
        x = _setting(n, s, v, book, issues)
        if x is not None:
            values[key] = x
    for s in SETTINGS:
        if s.key not in values:
            if s.required and not any(i.sheet == "settings" and i.row == at.get(s.key, -1) for i in issues):
                issues.append(Issue("settings", at.get(s.key, 0), "value" if s.key in at else "key",
                                    "", f"a value for {s.key} ({s.help})", book))
            elif s.default is not None:
                values[s.key] = s.default
    return values, at


def read_tables(path: str | Path) -> Tables:
    """Read every contract sheet into typed DataFrames, collecting cell problems in `issues`.

    Raises WorkbookUnreadable only when the file cannot be opened as a workbook at all;
    `validate.validate` reports the collected issues together with the cross-sheet checks.
    """
    path = Path(path)
    book = str(path)
    wb = xlsxfile.open_workbook(path)
    xml = xlsxfile.scan(path)
    issues: list[Issue] = []
    warnings: list[Issue] = []
    try:
        titles = xlsxfile.sheet_titles(wb, ["settings"] + [s.name for s in SHEETS], book, issues)
        clashed = {i.sheet for i in issues}
        trimmed = [str(n).strip() for n in wb.sheetnames]
        frames: dict[str, pd.DataFrame] = {}
        settings, at = {}, {}
        if "settings" in titles:
            t = titles["settings"]
            settings, at = _read_settings(wb[t], xml.get(t, SheetXml()), book, issues, warnings)
        elif "settings" not in clashed:
            issues.append(Issue("settings", 0, "", "", "a sheet named settings" + _hint("settings", trimmed), book))
        for sheet in SHEETS:
            if sheet.name in titles:
                t = titles[sheet.name]
                frames[sheet.name] = _read_sheet(sheet, wb[t], xml.get(t, SheetXml()), book, issues, warnings)
                continue
            if sheet.required and sheet.name not in clashed:
                issues.append(Issue(sheet.name, 0, "", "", f"a sheet named {sheet.name}" +
                                    _hint(sheet.name, trimmed), book))
            frames[sheet.name] = _frame(sheet, [])
    finally:
        wb.close()
    return Tables(book, settings, frames, at, warnings, issues, _broken(issues))


def _broken(issues: list[Issue]) -> set[str]:
    """Sheets that cross-sheet checks cannot trust: missing, or missing a column they rely on
    (required, key, id or reference columns). A missing optional column reads as blanks."""
    broken = set()
    for i in issues:
        if i.row == 0 or (i.sheet == "settings" and i.row == 1):
            broken.add(i.sheet)
        elif i.row == 1 and i.sheet in SHEET_BY_NAME:
            sheet = SHEET_BY_NAME[i.sheet]
            col = next((c for c in sheet.columns if c.name == i.column), None)
            if col is None or col.required or col.ref or col.name in sheet.key or col.name == sheet.id_column:
                broken.add(i.sheet)
    return broken
