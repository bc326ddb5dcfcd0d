"""Cells of the workbooks we write (plan.xlsx, overview.xlsx, diff.xlsx): styles, units and
number formats from column names, and text that is always stored as text.

Text is never a formula: openpyxl would store a string starting with '=' as a formula (and
'#N/A' as an error), so every text cell is typed as a string, and text a spreadsheet would
run if typed in (starting with = + - @, tab or carriage return) also gets Excel's quote
prefix, so it stays text when a user edits the cell.
"""

from __future__ import annotations

import math
import textwrap
from copy import copy

import pandas as pd
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.page import PageMargins

from .csv import RISKY_START, SMALL

HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
HEADER_FONT = Font(bold=True, color="FFFFFF")
SECTION_FONT = Font(bold=True, size=12, color="1F4E78")
TITLE_FONT = Font(bold=True, size=14)
NOTE_FONT = Font(italic=True, color="595959")
BOLD = Font(bold=True)
LINK_FONT = Font(color="0563C1", underline="single")
MET_FILL = PatternFill("solid", fgColor="C6EFCE")
MISSED_FILL = PatternFill("solid", fgColor="FFC7CE")

TONNES, MUSD, PERCENT, USD_PER_T, RATIO = "#,##0", "#,##0.0", "0.0%", "#,##0", "0.000"
USD_PER_KG, MUSD_PER_TPA = "#,##0.00", "#,##0.000000"

# column-name suffix -> (unit in the header, number format); first match wins
UNITS = (
    ("_usd_per_usd", "USD per USD", RATIO),
    ("_musd_per_tpa", "USD million per t/yr", MUSD_PER_TPA),
    ("_usd_per_tpa", "USD per t/yr", USD_PER_T),
    ("_usd_per_kg", "USD/kg", USD_PER_KG),
    ("_usd_per_t", "USD/t", USD_PER_T),
    ("_musd", "USD million", MUSD),
    ("_tpa", "t/yr", TONNES),
    ("_t", "t", TONNES),
)


# --- columns: header text, unit and number format -----------------------------------------

def column_unit(column: str) -> tuple[str, str | None, str | None]:
    """(name in words, unit, number format) of a table column."""
    if "share" in column:
        return column.replace("_", " "), "%", PERCENT
    for suffix, unit, fmt in UNITS:
        if column.endswith(suffix):
            return column[: -len(suffix)].replace("_", " "), unit, fmt
    return column.replace("_", " "), None, None


def header(column: str) -> str:
    """'capacity_tpa' -> 'capacity (t/yr)', 'start_year' -> 'start year'."""
    name, unit, _ = column_unit(column)
    return f"{name} ({unit})" if unit else name


def number_format(column: str) -> str | None:
    return column_unit(column)[2]


def display(x: float, fmt: str) -> str:
    """A number as the format shows it (for column widths)."""
    if fmt == PERCENT:
        return f"{x:.1%}"
    if fmt == MUSD:
        return f"{x:,.1f}"
    if fmt == RATIO:
        return f"{x:.3f}"
    if fmt in (USD_PER_KG, MUSD_PER_TPA):
        return f"{x:,.{len(fmt) - fmt.index('.') - 1}f}"
    return f"{x:,.0f}"


def plain(v):
    """A value openpyxl can write: NaN and NA become empty cells, |x| < 1e-6 becomes 0."""
    if v is None:
        return None
    try:
        if pd.isna(v):
            return None
    except (TypeError, ValueError):
        pass
    if isinstance(v, float) and abs(v) < SMALL:
        return 0.0
    return v


def column_values(s: pd.Series) -> list:
    """A column as Python values: |x| < 1e-6 as 0 (the CSV rule, so no '-0.0' is shown), NaN as empty."""
    if pd.api.types.is_float_dtype(s):
        s = s.mask(s.abs() < SMALL, 0.0)
    return [plain(v) for v in s.tolist()] if s.hasnans else s.tolist()


# --- text that stays text ------------------------------------------------------------------

def needs_guard(v) -> bool:
    """Text openpyxl would not store as a plain string, or a spreadsheet would run when typed in."""
    return isinstance(v, str) and (v.startswith(RISKY_START) or v.startswith("#"))


def as_text(c: WriteOnlyCell) -> WriteOnlyCell:
    """Type a cell holding text as a string (never a formula or error) with the quote prefix
    where a spreadsheet would otherwise run it."""
    if isinstance(c.value, str):
        c.data_type = "s"
        if c.value.startswith(RISKY_START):
            c.quotePrefix = True
    return c


def guarded(ws, v):
    """v itself, or a text cell for text that needs it (see needs_guard)."""
    return as_text(WriteOnlyCell(ws, value=v)) if needs_guard(v) else v


def cell(ws, value, fmt: str | None = None, font: Font | None = None, fill: PatternFill | None = None,
         link: str | None = None, wrap: bool = False, align: str | None = None) -> WriteOnlyCell:
    c = WriteOnlyCell(ws, value=plain(value))
    if link:
        c.hyperlink = Hyperlink(ref="", location=link, display=str(value))
        font = LINK_FONT
    if fmt or font or fill or wrap or align:
        c._style = copy(_style(ws, fmt, font, fill, wrap, align))
    return as_text(c)  # after the style: its quote prefix is part of it


def _style(ws, fmt: str | None, font: Font | None, fill: PatternFill | None, wrap: bool, align: str | None):
    """The style of a cell of ws's workbook with this format, font, fill and alignment, made once
    per workbook: setting a cell's font or fill looks it up in the workbook's lists by value, which
    took most of a styled cell's time (openpyxl copies a cell's style the same way)."""
    styles = ws.parent.__dict__.setdefault("_reeplan_styles", {})
    key = (fmt, id(font), id(fill), wrap, align)  # the objects are kept below: their ids stay theirs
    if key not in styles:
        c = WriteOnlyCell(ws)
        if fmt:
            c.number_format = fmt
        if font:
            c.font = font
        if fill:
            c.fill = fill
        if wrap or align:
            c.alignment = Alignment(wrap_text=wrap, horizontal=align, vertical="center" if wrap else None)
        styles[key] = (c._style, font, fill)
    return styles[key][0]


def header_row(ws, titles: list[str]) -> list[WriteOnlyCell]:
    return [cell(ws, t, font=HEADER_FONT, fill=HEADER_FILL, wrap=True, align="center") for t in titles]


# --- print layout --------------------------------------------------------------------------
# Characters (Excel column-width units) that print across a Letter page at 100 % with MARGINS,
# measured through LibreOffice; A4 is a little wider. Below MIN_SCALE (0.6 of 11 pt is about
# 7 pt) a sheet prints more than one page wide instead of shrinking its text; a table prints
# portrait (about 1.6 times the rows of a landscape page) when that keeps it at PORTRAIT_SCALE.
LANDSCAPE_CHARS, PORTRAIT_CHARS, MIN_SCALE, PORTRAIT_SCALE = 117, 86, 0.6, 0.75
MARGINS = PageMargins(left=0.4, right=0.4, top=0.5, bottom=0.6, header=0.25, footer=0.25)
DEFAULT_WIDTH = 13  # a column whose width is not set, as the sheets' text width rule counts it


def print_setup(ws, width: float | None = None) -> None:
    """Fit to width (never to one page high), narrow margins, the sheet name and page number in
    the footer; landscape, or portrait for a table `width` characters wide that stays legible
    there. Rows(ws, across=True) sets the pages across from the columns it writes."""
    portrait = width is not None and width * PORTRAIT_SCALE <= PORTRAIT_CHARS
    ws.page_setup.orientation = "portrait" if portrait else "landscape"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins = MARGINS
    ws.oddFooter.center.text = "&A, page &P of &N"
    if width is not None:
        pages_across(ws, width)


def pages_across(ws, width: float) -> None:
    """One page wide unless that would print below MIN_SCALE; then across first, then down."""
    pages = max(1, math.ceil(width * MIN_SCALE / LANDSCAPE_CHARS - 1e-9))
    ws.page_setup.fitToWidth = pages
    ws.page_setup.pageOrder = "overThenDown" if pages > 1 else None


def used_width(ws, columns: int) -> float:
    """Width in characters of the first `columns` columns."""
    return sum(ws.column_dimensions[get_column_letter(j)].width or DEFAULT_WIDTH for j in range(1, columns + 1))


def wrap(text: str, widths: list[float]) -> list[str]:
    """Text as lines that print within columns of these widths (a proportional font fits about
    1.1 characters in a column-width unit, so this leaves a margin)."""
    return textwrap.wrap(text, max(20, int(sum(widths))), break_on_hyphens=False) or [""]


def sheet_link(name: str) -> str:
    return f"{quote_sheetname(name)}!A1"


class Rows:
    """Appends rows to a write-only sheet (text guarded) and remembers how many were written."""

    def __init__(self, ws, print_columns: int = 0):
        """print_columns > 0: print the columns written, at least that many, on as many pages
        across as they need (pages_across); text running on past them, as a note may, is cut."""
        self.ws, self.n, self.columns, self.print_columns = ws, 0, print_columns, print_columns

    def append(self, row) -> int:
        self.ws.append([guarded(self.ws, v) for v in row])
        self.n += 1
        if self.print_columns:  # page setup and print area are written last, so they can follow the rows
            if len(row) > self.columns or self.n == 1:
                self.columns = max(self.columns, len(row))
                pages_across(self.ws, used_width(self.ws, self.columns))
            self.ws.print_area = f"A1:{get_column_letter(self.columns)}{self.n}"
        return self.n

    def header(self, titles: list[str], widths: list[float]) -> int:
        """A header row, tall enough for titles that wrap in their column width."""
        lines = max((math.ceil(len(t) / max(w - 2.0, 1.0)) for t, w in zip(titles, widths)), default=1)
        if lines > 1:
            self.ws.row_dimensions[self.n + 1].height = 15 * min(lines, 4)
        return self.append(header_row(self.ws, titles))

    def blank(self, k: int = 1) -> None:
        for _ in range(k):
            self.append([])

    def block(self, label: str, frame: pd.DataFrame, fmt: str) -> tuple[int, int]:
        """A bold label, a header row, one row per year; returns (header row, last row)."""
        ws = self.ws
        self.append([cell(ws, label, font=BOLD)])
        titles = ["year"] + [str(c) for c in frame.columns]
        head = self.header(titles, [ws.column_dimensions[get_column_letter(j)].width or DEFAULT_WIDTH
                                    for j in range(1, len(titles) + 1)])
        for year, row in frame.iterrows():
            self.append([int(year)] + [cell(ws, float(v), fmt) if pd.notna(v) else None for v in row])
        return head, self.n
