"""The .xlsx file itself: opening it (one clear line when that fails), finding the contract's
sheets among its titles, and what openpyxl's fast reader cannot tell: formulas never calculated, and merged cells.

openpyxl in read-only, values-only mode gives a formula's saved result, and None both for
an empty cell and for a formula no spreadsheet program ever calculated (a workbook written
by a script); it also drops merged ranges, whose covered cells then read as blanks. Both
would silently turn into defaults (0, unlimited, hard), so `read.py` reports them from this
scan of the sheet XML. Only sheets that contain a formula are searched for formulas.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path
from xml.etree import ElementTree

import openpyxl
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import coordinate_to_tuple, range_boundaries

from .errors import Issue, WorkbookUnreadable

_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
_R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_FORMULA = re.compile(rb"<(?:\w+:)?f\b")
_CELL_OPEN = re.compile(rb"<(?:\w+:)?c\b[^>]*>")
_CELL_CLOSE = re.compile(rb"</(?:\w+:)?c>")
_CELL_TYPE = re.compile(rb'\bt="([A-Za-z]+)"')
_CELL_REF = re.compile(rb'\br="([A-Z]+[0-9]+)"')
_VALUE = re.compile(rb"<(?:\w+:)?v>[^<]")
_FORMULA_TEXT = re.compile(rb"<(?:\w+:)?f\b[^>]*>([^<]*)<")
_MERGED = re.compile(rb'<(?:\w+:)?mergeCell\s[^>]*?ref="([^"]+)"')


@dataclass
class SheetXml:
    """Formula cells without a saved value as (row, column, formula), and merged ranges as
    (text, min_row, min_col, max_row, max_col); rows and columns count from 1."""

    uncached: list[tuple[int, int, str]] = field(default_factory=list)
    merged: list[tuple[str, int, int, int, int]] = field(default_factory=list)


def _target(base: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(base), target))


def _rels(z: zipfile.ZipFile, part: str) -> dict[str, str]:
    """Relationship id -> zip member, for the part `part`."""
    name = posixpath.join(posixpath.dirname(part), "_rels", posixpath.basename(part) + ".rels")
    root = ElementTree.fromstring(z.read(name))
    return {r.get("Id"): _target(part, r.get("Target", "")) for r in root.iter(_REL)}


def _sheet_members(z: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> zip member of its XML."""
    book = next(t for t in _rels(z, "").values() if t.endswith(".xml") and "workbook" in t.lower())
    rels = _rels(z, book)
    root = ElementTree.fromstring(z.read(book))
    return {s.get("name"): rels[s.get(_R_ID)] for s in root.iter() if s.tag.endswith("}sheet")
            and s.get(_R_ID) in rels}


def _uncached(xml: bytes) -> list[tuple[int, int, str]]:
    out = []
    for m in _FORMULA.finditer(xml):
        opening = None
        for opening in _CELL_OPEN.finditer(xml, max(0, m.start() - 400), m.start()):
            pass  # the last cell opened before the formula is the formula's cell
        close = _CELL_CLOSE.search(xml, m.start())
        if opening is None or close is None or _VALUE.search(xml, m.start(), close.start()):
            continue
        kind = _CELL_TYPE.search(opening.group(0))
        if kind and kind.group(1) in (b"str", b"s", b"inlineStr"):
            continue  # a calculated formula whose result is the empty text ""
        ref = _CELL_REF.search(opening.group(0))
        if ref is None:
            continue  # a cell without a reference cannot be located (no spreadsheet writes one)
        text = _FORMULA_TEXT.match(xml, m.start())
        formula = unescape(text.group(1).decode("utf-8", "replace")) if text and text.group(1) else ""
        row, col = coordinate_to_tuple(ref.group(1).decode())
        out.append((row, col, "=" + formula if formula else ""))
    return out


def _merged(xml: bytes) -> list[tuple[str, int, int, int, int]]:
    out = []
    for m in _MERGED.finditer(xml):
        ref = m.group(1).decode()
        min_col, min_row, max_col, max_row = range_boundaries(ref)
        out.append((ref, min_row, min_col, max_row, max_col))
    return out


def scan(path: str | Path) -> dict[str, SheetXml]:
    """Uncached formulas and merged ranges of every sheet, by sheet name (as in the workbook).

    An unusual package layout gives an empty result rather than an error: openpyxl has read
    the workbook, so only these two checks are lost."""
    out: dict[str, SheetXml] = {}
    try:
        with zipfile.ZipFile(path) as z:
            for name, member in _sheet_members(z).items():
                xml = z.read(member)
                uncached = _uncached(xml) if _FORMULA.search(xml) else []
                out[name] = SheetXml(uncached, _merged(xml) if b"mergeCell" in xml else [])
    except (KeyError, StopIteration, ElementTree.ParseError, zipfile.BadZipFile):
        return {}
    return out


def open_workbook(path: Path):
    """The workbook opened read-only with saved formula results, or WorkbookUnreadable."""
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


_UNCACHED_TEXT = ("a saved value for the formula in cell {ref}: open and save the workbook in Excel or "
             "LibreOffice, or write values")
_MERGED_TEXT = "no merged cells over data: unmerge {ref} and type the value in each cell"


def quirks(sheet: str, xml: SheetXml, where: dict[str, int], book: str, issues: list[Issue]):
    """Report formulas never calculated and merged ranges over the columns read. Returns a
    test blanked(row, index) for the cells they leave blank, so those are not reported again."""
    name = {i: h for h, i in where.items()}
    cells, spans = set(), []
    for row, col, formula in xml.uncached:
        ref = f"{get_column_letter(col)}{row}"
        if row == 1 or col - 1 in name:
            issues.append(Issue(sheet, row, name.get(col - 1, ""), formula, _UNCACHED_TEXT.format(ref=ref), book))
            cells.add((row, col - 1))
    for ref, r0, c0, r1, c1 in xml.merged:
        cols = [i for i in range(c0 - 1, c1) if i in name]
        if r1 >= 2 and cols:
            issues.append(Issue(sheet, max(r0, 2), name[cols[0]], ref, _MERGED_TEXT.format(ref=ref), book))
            spans.append((r0, r1, c0 - 1, c1 - 1))
    return lambda row, i: (row, i) in cells or any(a <= row <= b and c <= i <= d for a, b, c, d in spans)


def sheet_titles(wb, names: list[str], book: str, issues: list[Issue]) -> dict[str, str]:
    """Contract sheet name -> workbook sheet title (trimmed). Two titles that are one name after
    trimming and ignoring case (a hidden "projects " beside "projects") are an input error."""
    by: dict[str, list[str]] = {}
    for title in wb.sheetnames:
        by.setdefault(str(title).strip().lower(), []).append(title)
    out = {}
    for name in names:
        same = by.get(name, [])
        if len(same) > 1:
            listed = " and ".join(f'"{t}"' + (f" ({wb[t].sheet_state})" if wb[t].sheet_state != "visible" else "")
                                  for t in same)
            issues.append(Issue(name, 0, "", "", f"one sheet named {name}, found {listed} (delete or rename "
                                "all but one)", book))
        exact = [t for t in same if str(t).strip() == name]
        if len(same) == 1 and exact:
            out[name] = exact[0]
    return out
