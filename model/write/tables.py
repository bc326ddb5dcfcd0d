"""Plain formatted workbooks of tables (overview.xlsx, diff.xlsx): one sheet per table,
bold frozen header with filters, number formats from the column names, sensible widths.
Text (headers too) is stored as text, never as a formula (cells.py)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from .cells import as_text, number_format


def write_tables_xlsx(path: Path, sheets: dict[str, pd.DataFrame]) -> Path:
    wb = Workbook(write_only=True)
    bold = Font(bold=True)
    for name, df in sheets.items():
        ws = wb.create_sheet(name[:31])  # Excel's sheet-name limit
        ws.freeze_panes = "B2"
        for j, col in enumerate(df.columns, start=1):
            width = max([len(str(col))] + [len(f"{v:,.1f}" if isinstance(v, float) else str(v))
                                           for v in df[col].head(500)]) + 2
            ws.column_dimensions[get_column_letter(j)].width = min(max(width, 8), 50)
        if len(df.columns):
            ws.auto_filter.ref = f"A1:{get_column_letter(len(df.columns))}{max(1, len(df) + 1)}"
        header = []
        for col in df.columns:
            c = as_text(WriteOnlyCell(ws, value=str(col)))
            c.font = bold
            header.append(c)
        ws.append(header)
        fmts = [number_format(str(c)) for c in df.columns]
        for row in df.itertuples(index=False):
            cells = []
            for v, fmt in zip(row, fmts):
                v = None if (v is None or (isinstance(v, float) and pd.isna(v))) else v
                c = as_text(WriteOnlyCell(ws, value=v))
                if fmt and isinstance(v, (int, float)):
                    c.number_format = fmt
                cells.append(c)
            ws.append(cells)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path
