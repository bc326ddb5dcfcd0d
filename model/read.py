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
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .errors import Issue, WorkbookUnreadable
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


# ---------------------------------------------------------------- cell coercion
class _Bad(Exception):
    pass


_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def _blank(v) -> bool:
    return v is None or (isinstance(v, str) and not v.strip()) or (isinstance(v, float) and math.isnan(v))


def to_number(v) -> float:
    """A number from a cell: numbers, numbers stored as text, "1,000", "40 %"."""
    if isinstance(v, bool):
        raise _Bad
    if isinstance(v, (int, float)):
        if isinstance(v, float) and not math.isfinite(v):
            raise _Bad
        return float(v)
    if isinstance(v, str):
        s = v.strip().replace("\u00a0", "").replace(" ", "")
        pct = s.endswith("%")
        if pct:
            s = s[:-1]
        if re.fullmatch(r"[+-]?\d{1,3}(,\d{3})+(\.\d*)?", s):
            s = s.replace(",", "")
        if not _NUMBER.match(s):
            raise _Bad
        x = float(s)
        if not math.isfinite(x):
            raise _Bad
        return x / 100.0 if pct else x
    raise _Bad


def to_whole(v) -> int:
    """A whole number (also years): 2030, 2030.0, "2030", or a date (its year)."""
    if isinstance(v, (_dt.datetime, _dt.date)):
        return v.year
    x = to_number(v)
    if x != int(x) or abs(x) >= 1e9:  # beyond any count of years (and any integer column)
        raise _Bad
    return int(x)


_YES = {"yes", "y", "true", "1"}
_NO = {"no", "n", "false", "0"}


def to_yesno(v) -> bool:
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
    raise _Bad


def to_text(v) -> str:
    if isinstance(v, float) and math.isfinite(v) and v == int(v):
        return str(int(v))
    if isinstance(v, (_dt.datetime, _dt.date)):
        return v.isoformat()
    return str(v).strip()


def coerce(kind: str, v, choices=()):
    """Typed value of a non-blank cell; raises _Bad when it does not fit."""
    if kind == "number":
        return to_number(v)
    if kind == "whole":
        return to_whole(v)
    if kind == "yesno":
        return to_yesno(v)
    s = to_text(v)
    if kind == "choice" and s not in choices:
        raise _Bad
    return s


def _shown(v) -> str:
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


# ---------------------------------------------------------------- opening
def _open(path: Path):
    import openpyxl

    name = str(path)
    if not path.exists():
        raise WorkbookUnreadable(name, "file not found")
    if path.is_dir():
        raise WorkbookUnreadable(name, "is a folder, not a workbook")
    for lock in (path.with_name("~$" + path.name), path.with_name(f".~lock.{path.name}#")):
        if lock.exists():
            raise WorkbookUnreadable(
                name, f"is open in another program (lock file {lock.name}); save and close it, then try again"
            )
    with open(path, "rb") as fh:
        head = fh.read(8)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise WorkbookUnreadable(
            name, "is password protected or an old .xls file; save it as an unprotected .xlsx workbook"
        )
    if not zipfile.is_zipfile(path):
        raise WorkbookUnreadable(name, "is not an Excel workbook (.xlsx)")
    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for damaged files
        raise WorkbookUnreadable(name, f"cannot be read as an .xlsx workbook ({type(exc).__name__})") from None


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


# ---------------------------------------------------------------- sheets
def _read_sheet(sheet: Sheet, ws, book: str, issues: list[Issue], warnings: list[Issue]) -> pd.DataFrame:
    header, rows = _rows(ws)
    where: dict[str, int] = {}
    for i, h in enumerate(header):
        if h:
            where.setdefault(h, i)
    spare = [h for h in header if h and h not in sheet.names and h not in DOC_COLUMNS]
    for col in sheet.columns:
        if col.name not in where:
            issues.append(Issue(sheet.name, 1, col.name, "", "this column in the header row" +
                                _hint(col.name, spare), book))
    for h in header:
        if h and h not in sheet.names and h not in DOC_COLUMNS:
            warnings.append(Issue(sheet.name, 1, h, h, "a known column; this one is ignored", book))
    present = [c for c in sheet.columns if c.name in where]
    records = []
    for n, raw in enumerate(rows, start=2):
        cells = {c.name: (raw[where[c.name]] if where[c.name] < len(raw) else None) for c in present}
        if all(_blank(v) for v in cells.values()):
            continue  # empty (trailing) rows
        rec = {ROW: n}
        for doc in DOC_COLUMNS:
            if doc in where and doc not in sheet.names:
                v = raw[where[doc]] if where[doc] < len(raw) else None
                rec[doc] = None if _blank(v) else to_text(v)
        for col in present:
            v = cells[col.name]
            if _blank(v):
                if col.required:
                    issues.append(Issue(sheet.name, n, col.name, "", f"a value ({col.help})", book))
                rec[col.name] = col.default
                continue
            if col.wildcard and isinstance(v, str) and v.strip() == WILDCARD:
                rec[col.name] = WILDCARD
                continue
            try:
                x = coerce(col.kind, v, col.choices)
            except _Bad:
                issues.append(Issue(sheet.name, n, col.name, _shown(v), col.expected(), book))
                rec[col.name] = None
                continue
            if col.kind in ("number", "whole") and not check_range(col, x):
                issues.append(Issue(sheet.name, n, col.name, _shown(v), col.expected(), book))
            elif col.kind == "number" and abs(x) > MAGNITUDE:
                issues.append(Issue(sheet.name, n, col.name, _shown(v), f"{col.expected()} of at most "
                                    f"{MAGNITUDE:.0e} in size", book))
            rec[col.name] = x
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
            df[c.name] = pd.array([None if _blank(v) else int(v) for v in df[c.name]], dtype="Int64")
        elif c.kind == "yesno":
            df[c.name] = df[c.name].astype(object)
        else:
            df[c.name] = df[c.name].astype(object).where(df[c.name].notna(), None)
    for d in docs:
        df[d] = df[d].astype(object).where(df[d].notna(), None)
    df[ROW] = df[ROW].astype(int)
    return df.reset_index(drop=True)


def _read_settings(ws, book: str, issues: list[Issue], warnings: list[Issue]):
    header, rows = _rows(ws)
    where = {h: i for i, h in enumerate(header)}
    for need in ("key", "value"):
        if need not in where:
            issues.append(Issue("settings", 1, need, "", "this column in the header row" + _hint(need, header), book))
    values, at = {}, {}
    if issues and any(i.sheet == "settings" and i.row == 1 for i in issues):
        return values, at
    for n, raw in enumerate(rows, start=2):
        cell = lambda c: raw[where[c]] if where[c] < len(raw) else None  # noqa: E731
        key, v = cell("key"), cell("value")
        if _blank(key) and _blank(v):
            continue
        key = to_text(key) if not _blank(key) else ""
        s = SETTING.get(key)
        if s is None:
            warnings.append(Issue("settings", n, "key", key, "one of " + ", ".join(SETTING), book))
            continue
        if key in values:
            issues.append(Issue("settings", n, "key", key, "each key once (repeated)", book))
            continue
        at[key] = n
        if _blank(v):
            continue
        try:
            x = coerce(s.kind, v)
        except _Bad:
            issues.append(Issue("settings", n, "value", _shown(v), f"{s.key}: {s.expected()}", book))
            continue
        if not check_range(s, x) or (s.kind == "number" and abs(x) > MAGNITUDE):
            issues.append(Issue("settings", n, "value", _shown(v), f"{s.key}: {s.expected()}"
                                + (f" of at most {MAGNITUDE:.0e} in size" if s.kind == "number" else ""), book))
            continue
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
    wb = _open(path)
    issues: list[Issue] = []
    warnings: list[Issue] = []
    try:
        names = {str(n).strip(): n for n in wb.sheetnames}
        frames: dict[str, pd.DataFrame] = {}
        settings, at = {}, {}
        if "settings" in names:
            settings, at = _read_settings(wb[names["settings"]], book, issues, warnings)
        else:
            issues.append(Issue("settings", 0, "", "", "a sheet named settings" + _hint("settings", names), book))
        for sheet in SHEETS:
            if sheet.name in names:
                frames[sheet.name] = _read_sheet(sheet, wb[names[sheet.name]], book, issues, warnings)
            else:
                if sheet.required:
                    issues.append(Issue(sheet.name, 0, "", "", f"a sheet named {sheet.name}" +
                                        _hint(sheet.name, names), book))
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
