"""`reeplan template`: a blank study workbook that explains itself.

Every sheet of the contract with its header row; a comment on each header cell giving its
meaning, unit and default; drop-down lists for stage, kind, basis, op and yes/no columns;
and the EU CRMA 2030 benchmarks as example rows of `policies`. Built from `schema.py`.

The example policies are soft (a penalty per tonne short), so the first solve of a new study
reports how far it falls short instead of stopping infeasible while validate said ok.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from ..schema import DOC_COLUMNS, SETTINGS, SHEETS, Column

HEADER = PatternFill("solid", fgColor="DDEBF7")
LAST_ROW = 5000  # drop-downs cover this many rows

EXAMPLE_SETTINGS = {"first_year": 2025, "last_year": 2040, "base_year": 2025, "discount_rate": 0.08,
                    "salvage": "yes"}

CRMA_PENALTY = 250_000  # USD/t short, as the shipped study's NdPr CRMA rows
CRMA_NOTE = (f"EU CRMA (Regulation 2024/1252) Article 5 benchmark; soft: each tonne short costs "
             f"{CRMA_PENALTY:,} USD (clear penalty_usd_per_t to make it a hard constraint)")
CRMA = [
    ("crma_extraction", "min_domestic_share", "extraction", 0.10),
    ("crma_processing", "min_domestic_share", "processing", 0.40),
    ("crma_recycling", "min_domestic_share", "recycling", 0.25),
    ("crma_supplier_extraction", "max_supplier_share", "extraction", 0.65),
    ("crma_supplier_processing", "max_supplier_share", "processing", 0.65),
    ("crma_supplier_manufacturing", "max_supplier_share", "manufacturing", 0.65),
]
EXAMPLE_ROWS = {
    "regions": [{"region": "EU", "name": "European Union", "notes": "the CRMA applies to the Union as a whole"}],
    "materials": [{"material": "NdPr", "name": "neodymium-praseodymium (t oxide equivalent)"}],
    "policies": [{"policy": k, "region": "EU", "material": "NdPr", "kind": kind, "stage": g, "share": sh,
                  "first_year": 2030, "penalty_usd_per_t": CRMA_PENALTY, "note": CRMA_NOTE}
                 for k, kind, g, sh in CRMA],
}


def _help(col: Column) -> str:
    parts = [col.help]
    if col.unit:
        parts.append(f"Unit: {col.unit}.")
    if col.required:
        parts.append("Required.")
    elif col.default is not None:
        d = {True: "yes", False: "no"}.get(col.default, col.default)
        parts.append(f"Blank means {d}.")
    elif col.blank:
        parts.append(f"Blank means {col.blank}.")
    if col.choices:
        parts.append("One of: " + ", ".join(col.choices) + ".")
    if col.ref:
        parts.append(f"Must be listed in sheet {col.ref}.")
    if col.optional:
        parts.append("Optional column: a sheet without it reads it as blank.")
    return " ".join(parts)


def _header(ws, names: list[str], helps: dict[str, str]) -> None:
    ws.append(names)
    for j, name in enumerate(names, start=1):
        cell = ws.cell(row=1, column=j)
        cell.font, cell.fill = Font(bold=True), HEADER
        cell.comment = Comment(helps.get(name, ""), "reeplan", width=320, height=140)
        ws.column_dimensions[get_column_letter(j)].width = max(12, len(name) + 3)
    ws.freeze_panes = "A2"


def _dropdown(ws, j: int, options: tuple[str, ...]) -> None:
    dv = DataValidation(type="list", formula1='"' + ",".join(options) + '"', allow_blank=True,
                        showErrorMessage=True, errorTitle="reeplan", error="Pick one of: " + ", ".join(options))
    col = get_column_letter(j)
    dv.add(f"{col}2:{col}{LAST_ROW}")
    ws.add_data_validation(dv)


def write_template(path: str | Path) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "settings"
    _header(ws, ["key", "value"], {"key": "setting name", "value": "its value"})
    for s in SETTINGS:
        ws.append([s.key, EXAMPLE_SETTINGS.get(s.key)])
        blank = f" Blank means {s.blank}." if s.blank else (f" Default {s.default}." if s.default is not None else "")
        ws.cell(row=ws.max_row, column=1).comment = Comment(s.help + blank, "reeplan", width=300, height=100)
    ws.column_dimensions["A"].width = 26
    salvage_row = 2 + [s.key for s in SETTINGS].index("salvage")
    dv = DataValidation(type="list", formula1='"yes,no"', allow_blank=True)
    dv.add(f"B{salvage_row}")
    ws.add_data_validation(dv)

    for sheet in SHEETS:
        ws = wb.create_sheet(sheet.name)
        doc = [] if sheet.name in ("sources", "scenarios") else list(DOC_COLUMNS)
        names = sheet.names + doc
        helps = {c.name: _help(c) for c in sheet.columns}
        for d, text in (("source", "documentation: id of a row in sheet sources"), ("note", "documentation: free text")):
            helps.setdefault(d, text)
        _header(ws, names, helps)
        for r in EXAMPLE_ROWS.get(sheet.name, []):
            ws.append([r.get(n) for n in names])
        for j, col in enumerate(sheet.columns, start=1):
            if col.kind == "choice":
                _dropdown(ws, j, col.choices)
            elif col.kind == "yesno":
                _dropdown(ws, j, ("yes", "no"))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path
