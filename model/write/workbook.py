"""Write a study workbook (every contract sheet, in contract column order) from plain rows.

Used by the example-study script and by tests that build small instances; blank cells are
written as empty cells so the reader applies the contract's defaults. Optional sheets and
columns (version 2) are written only when a row gives them, so a study without them is a
version 1 workbook, as a user's older workbook would be.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font

from ..schema import SHEETS


def write_study(path: str | Path, settings: dict, sheets: dict[str, list[dict]],
                extra_columns: dict[str, list[str]] | None = None) -> Path:
    """settings: {key: value}; sheets: {sheet: [ {column: value}, ... ]}. Unlisted sheets are empty."""
    unknown = set(sheets) - {s.name for s in SHEETS}
    if unknown:
        raise ValueError(f"unknown sheets {sorted(unknown)}")
    wb = Workbook()
    ws = wb.active
    ws.title = "settings"
    ws.append(["key", "value"])
    for k, v in settings.items():
        ws.append([k, v])
    bold = Font(bold=True)
    for sheet in SHEETS:
        rows = sheets.get(sheet.name, [])
        if not rows and not sheet.required:
            continue
        extra = (extra_columns or {}).get(sheet.name, [])
        given = {c for r in rows for c, v in r.items() if v is not None} | set(extra)
        names = [c.name for c in sheet.columns if not c.optional or c.name in given]
        cols = names + [c for c in extra if c not in names]
        for r in rows:
            bad = set(r) - set(cols) - set(sheet.names)
            if bad:
                raise ValueError(f"sheet {sheet.name}: unknown columns {sorted(bad)}")
        ws = wb.create_sheet(sheet.name)
        ws.append(cols)
        for r in rows:
            ws.append([r.get(c) for c in cols])
    for ws in wb.worksheets:
        for cell in ws[1]:
            cell.font = bold
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path
