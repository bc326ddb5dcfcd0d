"""Input errors that name the workbook cell a consultant has to fix."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Issue:
    """One input problem. Sorted by sheet, then Excel row, then column."""

    sheet: str
    row: int  # Excel row number; 0 when the problem is the sheet or a header
    column: str
    found: str
    expected: str
    workbook: str = ""

    def __str__(self) -> str:
        where = f"{self.workbook}: {self.sheet}" if self.workbook else self.sheet
        if self.row:
            where += f" row {self.row}"
        if self.column:
            where += f", column {self.column}"
        found = f'got "{self.found}", ' if self.found != "" else ""
        return f"{where}: {found}expected {self.expected}"


class InputError(Exception):
    """The workbook has errors; nothing was solved. Carries every problem found."""

    def __init__(self, issues: list[Issue], warnings: list[Issue] | None = None):
        self.issues = sorted(issues)
        self.warnings = sorted(warnings or [])
        super().__init__("\n".join(str(i) for i in self.issues))


class WorkbookUnreadable(InputError):
    """The file cannot be opened as a workbook at all (one line explains why)."""

    def __init__(self, workbook: str, why: str):
        super().__init__([Issue("", 0, "", "", why, workbook)])
        self.why = why

    def __str__(self) -> str:
        return f"{self.issues[0].workbook}: {self.why}"
