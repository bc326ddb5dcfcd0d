"""Input errors that name the workbook cell a consultant has to fix."""

from __future__ import annotations

from collections import Counter
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


LISTED = 200  # errors listed one per line; the rest are counted per sheet and column


class InputError(Exception):
    """The workbook has errors; nothing was solved. Carries every problem found."""

    def __init__(self, issues: list[Issue], warnings: list[Issue] | None = None):
        self.issues = sorted(issues)
        self.warnings = sorted(warnings or [])
        super().__init__("\n".join([str(i) for i in self.listed] + self.unlisted()))

    @property
    def listed(self) -> list[Issue]:
        """The errors to print one per line (the first LISTED)."""
        return self.issues[:LISTED]

    def unlisted(self) -> list[str]:
        """Lines counting the errors beyond the first LISTED, per (sheet, column), most first:
        a typo copied down 100,000 rows must not bury the other problems."""
        rest = self.issues[LISTED:]
        if not rest:
            return []
        counts = Counter((i.sheet, i.column) for i in rest)
        lines = [f"... and {len(rest):,} more errors not listed:"]
        for (sheet, column), n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
            where = f"{sheet}, column {column}" if column else (sheet or "the workbook")
            lines.append(f"    {n:,} in {where}")
        return lines


class WorkbookUnreadable(InputError):
    """The file cannot be opened as a workbook at all (one line explains why)."""

    def __init__(self, workbook: str, why: str):
        super().__init__([Issue("", 0, "", "", why, workbook)])
        self.why = why

    def __str__(self) -> str:
        return f"{self.issues[0].workbook}: {self.why}"
