"""The data rows of plan.xlsx's table sheets as worksheet XML, spliced into the saved file.

openpyxl builds a cell object and an XML element per cell (about 10-35 µs a cell): most of the
time plan.xlsx takes. A table's rows are plain: numbers (one number format per column), text and
blanks. Here they are formatted column by column as the XML openpyxl's write-only mode would
write for them (inline strings, numbers as '%.16g', the column's style id from openpyxl's own
style table) and put into the sheet's `<sheetData>` after `Workbook.save`. openpyxl still
writes everything else: the header row, widths, frozen panes, filters, print set-up, styles.

A table with a value this does not write the same way (a text a spreadsheet would run, an
illegal XML character, dates, ...) returns None: the caller writes it through openpyxl.
"""

from __future__ import annotations

import math
import shutil
import tempfile
import zipfile
from pathlib import Path

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter

from .cells import needs_guard

MAX_TEXT = 32767  # Excel's cell limit; openpyxl truncates there too


def _text(v: str) -> str | None:
    v = v[:MAX_TEXT]
    if needs_guard(v) or ILLEGAL_CHARACTERS_RE.search(v):
        return None
    body = v.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")  # as lxml
    space = ' xml:space="preserve"' if v != v.strip() else ""
    return f'<is><t{space}>{body}</t></is>'


def _cell(ref: str, v, style: str, texts: dict | None = None) -> str | None:
    """One cell's XML ('' for a blank), None when openpyxl should write it. `texts`: the XML of
    texts met before (ids and names repeat down a column, each is checked once)."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return f'<c r="{ref}"{style} t="b"><v>{int(v)}</v></c>'
    if isinstance(v, (int, float)):
        body = "" if isinstance(v, float) and (math.isnan(v) or math.isinf(v)) else "%.16g" % v
        return f'<c r="{ref}"{style} t="n"><v>{body}</v></c>'
    if isinstance(v, str):
        if v == "":  # openpyxl writes an empty text cell without a value
            return f'<c r="{ref}"{style} t="inlineStr"></c>'
        t = texts.get(v, False) if texts is not None else False
        if t is False:
            t = _text(v)
            if texts is not None:
                texts[v] = t
        return None if t is None else f'<c r="{ref}"{style} t="inlineStr">{t}</c>'
    return None


def _finite_numbers(values: list) -> bool:
    """Every value an int or a float (not a bool, not None), and finite."""
    return {type(v) for v in values} <= {int, float} and all(map(math.isfinite, values))


def rows_xml(columns: list[list], styles: list[int | None], first_row: int = 2) -> list[str] | None:
    """`<row>` elements of the values (one list per column, rows from `first_row`), each column's
    numbers with its style id; None when some value must go through openpyxl. Built a column at a
    time."""
    cells = []
    for j, (values, style) in enumerate(zip(columns, styles)):
        letter, attr, texts = get_column_letter(j + 1), f' s="{style}"' if style is not None else "", {}
        if _finite_numbers(values):  # most columns: _cell's number case without a call per cell
            column = [f'<c r="{letter}{i}"{attr} t="n"><v>{"%.16g" % v}</v></c>'
                      for i, v in enumerate(values, start=first_row)]
        else:
            column = [_cell(f"{letter}{i}", v, attr, texts) for i, v in enumerate(values, start=first_row)]
        if None in column:
            return None
        cells.append(column)
    return [f'<row r="{i}">{"".join(row)}</row>' for i, row in enumerate(zip(*cells), start=first_row)]


def splice(path: Path, rows: dict[str, list[str]]) -> None:
    """Put each sheet's rows (zip member name -> rows) at the end of its `<sheetData>` in the
    saved workbook at `path`."""
    if not rows:
        return
    with tempfile.NamedTemporaryFile(dir=Path(path).parent, suffix=".xlsx", delete=False) as tmp:
        spliced = Path(tmp.name)
    try:
        with zipfile.ZipFile(path) as src, zipfile.ZipFile(spliced, "w", zipfile.ZIP_DEFLATED) as dst:
            for info in src.infolist():
                data = src.read(info.filename)
                if info.filename in rows:
                    head, sep, tail = data.decode("utf-8").rpartition("</sheetData>")
                    if not sep:
                        raise ValueError(f"no sheetData in {info.filename}")
                    data = (head + "".join(rows[info.filename]) + sep + tail).encode("utf-8")
                dst.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=1)
        shutil.copymode(path, spliced)  # the workbook's own mode (umask), not the temporary file's 0600
        shutil.move(spliced, path)
    finally:
        spliced.unlink(missing_ok=True)
