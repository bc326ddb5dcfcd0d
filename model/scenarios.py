"""Scenarios: named what-if edits of the base data (docs/workbook.md, sheet `scenarios`).

A scenario is the rows of sheet `scenarios` with its name, applied in sheet order to the
typed tables of the base case. Each row picks rows of one sheet with `where` and edits one
column of them:

    where := "*" | condition (";" condition)*        conditions are ANDed
    condition := column OP value,   OP in  = != < <= > >=
    op := set value | scale by value | add value

A value that reads as a number cell would ("5,000", "$40,000", "40 %") compares numerically,
otherwise as trimmed, case-sensitive text; a blank cell matches `!=` only. `scale`/`add` first give a blank cell the number it
stands for (its default, or first_year); a blank meaning unlimited, hard or beyond the horizon
stays blank. On supply, sales and policies, whose rows span first_year..last_year, the edits see one
row per year (column `year`); afterwards equal consecutive years merge back into rows that
keep the original id and Excel row, so results stay keyed by the ids of the workbook.

The `where` text is parsed here, never evaluated as code. Every mistake is an `Issue` on
the scenario row; the row is skipped and the next rows still run, so all are reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from .errors import Issue
from .read import ROW, CellError, Tables, closest, did_you_mean, is_blank, out_of_range, parse_cell, per_year
from .schema import SETTING, SHEET, WILDCARD, Column

BASE = "base"
RESERVED = ("stochastic", "ensemble", "frontier", "alternatives")  # folders of other commands' outputs
YEARLY = ("supply", "sales", "policies")  # sheets edited per year (trade rows have windows but are not split)
WINDOW = ("first_year", "last_year")
HORIZON = ("first_year", "last_year")  # settings that define the horizon
OPS = ("set", "scale", "add")
COMPARATORS = ("<=", ">=", "!=", "=", "<", ">")  # two-character operators first
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _.+-]{0,63}$")  # a scenario names a folder
SEG = "_seg"  # original table row of a per-year row


class ScenarioError(Exception):
    """One problem with one scenario row (the message completes "expected ...")."""

    def __init__(self, column: str, found: str, expected: str):
        super().__init__(expected)
        self.column, self.found, self.expected = column, found, expected


# ---------------------------------------------------------------- where conditions
@dataclass(frozen=True)
class Condition:
    column: str
    op: str
    text: str
    number: float | None  # the value as a number, when it parses as one

    def mask(self, cells: pd.Series) -> pd.Series:
        return cells.map(self.holds).astype(bool)

    def holds(self, cell) -> bool:
        if is_blank(cell):
            return self.op == "!="
        if self.number is not None:
            x = _as_number(cell)
            if x is None:  # text cell against a number: only "!=" holds
                return self.op == "!="
            return _compare(x, self.op, self.number)
        return _compare(_as_text(cell), self.op, self.text)


def _as_number(v) -> float | None:
    """A cell or `where` value as a number, read as a number cell reads ("5,000", "$40", "40 %")."""
    if isinstance(v, bool):
        return None
    try:
        return parse_cell("number", v)
    except CellError:
        return None


def _as_text(v) -> str:
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float) and v == int(v):
        return str(int(v))
    return str(v).strip()


def _compare(a, op: str, b) -> bool:
    return {"=": a == b, "!=": a != b, "<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]


_CONDITION = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(<=|>=|!=|=|<|>)\s*(.*?)\s*$")


def parse_where(text: str) -> list[Condition]:
    """Conditions of a `where` cell; `*` (or blank) is the empty list, meaning every row."""
    text = (text or "").strip()
    if text in ("", WILDCARD):
        return []
    out = []
    for part in text.split(";"):
        if not part.strip():
            continue  # a trailing ";" is harmless
        m = _CONDITION.match(part)
        if not m or m.group(3).startswith(("=", "<", ">", "!")):
            raise ScenarioError("where", part.strip(), "a condition like column=value, column>=2030 or "
                                "column!=CN (operators = != < <= > >=, conditions joined by ;), or * for all rows")
        column, op, value = m.groups()
        if value == "":
            raise ScenarioError("where", part.strip(), f"a value after {op} (a blank cell matches only column!=…)")
        if re.search(r"[=<>]", value):
            raise ScenarioError("where", part.strip(), "one condition per part, joined by ; (a value cannot "
                                "contain = < or >)")
        number = _as_number(value)
        out.append(Condition(column, op, value, number))
    if not out:
        raise ScenarioError("where", text, "conditions joined by ; or * for all rows")
    return out


# ---------------------------------------------------------------- scenario rows
@dataclass(frozen=True)
class Edit:
    """One row of sheet `scenarios`."""

    scenario: str
    row: int  # Excel row
    sheet: str
    where: str
    column: str
    op: str
    value: str | None
    note: str | None = None

    def record(self, matched: int) -> dict:
        """What summary.json lists for an applied edit."""
        return {"row": self.row, "sheet": self.sheet, "where": self.where, "column": self.column,
                "op": self.op, "value": self.value, "matched": matched, "note": self.note}


def names(t: Tables) -> list[str]:
    """Scenario names in sheet order (without base)."""
    sc = t["scenarios"]
    return list(dict.fromkeys(s for s in sc["scenario"] if isinstance(s, str) and s))


def edits_of(t: Tables, scenario: str) -> list[Edit]:
    sc = t["scenarios"]
    sc = sc[sc["scenario"] == scenario]
    return [Edit(r["scenario"], int(r[ROW]), r["sheet"], r["where"], r["column"], r["op"],
                 None if is_blank(r["value"]) else str(r["value"]), r.get("note"))
            for r in sc.to_dict("records")]


def _editable() -> list[str]:
    return ["settings"] + [s for s in SHEET if s not in ("scenarios", "sources")]


# ---------------------------------------------------------------- applying
@dataclass
class Applied:
    """The tables of one scenario, what was applied, and the problems found."""

    tables: Tables
    edits: list[dict] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)


def _settings_frame(t: Tables) -> pd.DataFrame:
    rows = []
    for key, s in SETTING.items():
        v = t.settings.get(key)
        if v is None and s.blank == "first_year":
            v = t.settings.get("first_year")
        rows.append({ROW: t.settings_rows.get(key, 0), "key": key, "value": v})
    return pd.DataFrame(rows, columns=[ROW, "key", "value"]).astype(object)


def _signature(v) -> str:
    """A cell as text for comparing years: blanks alike, 2030 == 2030.0."""
    if is_blank(v):
        return ""
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return repr(float(v))
    return repr(v)


def _changes(df: pd.DataFrame) -> pd.Series:
    """Rows whose value differs from the row before's in some column, as `_signature` compares them
    (float columns without it: equal with the same sign, or both blank)."""
    out = pd.Series(False, index=df.index)
    for c in df.columns:
        s = df[c]
        if pd.api.types.is_float_dtype(s):
            a, b = s.to_numpy(), s.shift().to_numpy()
            same = (np.isnan(a) & np.isnan(b)) | ((a == b) & (np.signbit(a) == np.signbit(b)))
            out |= ~same
        else:
            sig = s.map(_signature)
            out |= sig != sig.shift()
    return out


def _merge_years(per_year: pd.DataFrame, base: pd.DataFrame) -> pd.DataFrame:
    """Back to one row per window: consecutive years of one row with equal values merge.

    A row whose years all kept equal values is the base row with its values (and its own,
    possibly blank, window); a row split by an edit becomes one row per run of years.
    Rows whose window lies outside the horizon had no years and stay as they were.
    """
    if per_year.empty:  # no row stands in any year of the horizon: nothing was edited
        return base.copy()
    values = [c for c in base.columns if c not in WINDOW and c != ROW]
    seg, year = per_year[SEG], per_year["year"]
    run = ((seg != seg.shift()) | (year != year.shift() + 1) | _changes(per_year[values])).cumsum()
    firsts = per_year.groupby(run, sort=False).first()
    span = per_year.groupby(run, sort=False)["year"].agg(["min", "max"])
    merged = firsts[values + [ROW, SEG]].copy()
    merged["first_year"] = span["min"].astype("Int64")
    merged["last_year"] = span["max"].astype("Int64")
    whole = merged.groupby(SEG)[SEG].transform("size") == 1
    for col in WINDOW:  # an unsplit row keeps its own window cell (which may be blank)
        merged.loc[whole, col] = merged.loc[whole, SEG].map(base[col].reset_index(drop=True))
    untouched = base.reset_index(drop=True)
    untouched = untouched[~pd.Series(range(len(untouched))).isin(per_year[SEG])].assign(**{SEG: lambda d: d.index})
    out = pd.concat([merged, untouched], ignore_index=True).sort_values([SEG, "first_year"], kind="stable")
    return out[list(base.columns)].reset_index(drop=True)


def _column(sheet: str, column: str) -> Column | None:
    if sheet == "settings":
        return None
    return next((c for c in SHEET[sheet].columns if c.name == column), None)


def _number_default(col: Column, settings: dict):
    """The number a blank cell stands for, or None when blank means unlimited/hard/beyond."""
    if isinstance(col.default, (int, float)) and not isinstance(col.default, bool):
        return col.default
    if col.blank == "first_year":
        return settings.get("first_year")
    return None


def _setting_column(key: str) -> Column:
    s = SETTING[key]
    return Column(key, s.kind, s.help, default=s.default, minimum=s.minimum, maximum=s.maximum,
                  blank=s.blank)


def _describe_row(sheet: str, r: dict) -> str:
    if sheet == "settings":
        return f"setting {r['key']}"
    ident = SHEET[sheet].id_column or (SHEET[sheet].key[0] if SHEET[sheet].key else None)
    where = f"{sheet} row {r[ROW]}"
    if ident and ident in r and not is_blank(r[ident]):
        where += f" ({r[ident]}"
        if "year" in r and sheet in YEARLY:
            where += f", {r['year']}"
        where += ")"
    return where


def _new_values(e: Edit, col: Column, cells: pd.Series, rows: pd.DataFrame, sheet: str,
                settings: dict) -> pd.Series:
    """The edited cells, or ScenarioError (the first value that does not fit its column)."""
    if e.op == "set":
        if e.value is None:
            if col.required:
                raise ScenarioError("value", "", f"a value: {col.name} of {sheet} is required")
            return pd.Series([col.default] * len(cells), index=cells.index, dtype=object)
        if col.wildcard and e.value.strip() == WILDCARD:
            x = WILDCARD
        else:
            try:
                x = parse_cell(col.kind, e.value, col.choices)
            except CellError:
                raise ScenarioError("value", e.value, f"{col.expected()} for {col.name}") from None
        new = pd.Series([x] * len(cells), index=cells.index, dtype=object)
    else:
        if col.kind not in ("number", "whole"):
            raise ScenarioError("op", e.op, f"set: {col.name} is not a number, so it cannot be {e.op}d")
        v = _as_number(e.value) if e.value is not None else None
        if v is None:
            raise ScenarioError("value", e.value or "", f"a number to {e.op} {col.name} by")
        fill = _number_default(col, settings)
        old = cells.astype(object).map(lambda c: fill if is_blank(c) else c)
        new = old.map(lambda c: None if is_blank(c) else (float(c) * v if e.op == "scale" else float(c) + v))
        if col.kind == "whole":
            frac = new.map(lambda c: not is_blank(c) and abs(c - round(c)) > 1e-9)
            if frac.any():
                i = frac.idxmax()
                raise ScenarioError("value", e.value, f"a result that is a whole number: {e.op} {e.value} makes "
                                    f"{col.name} of {_describe_row(sheet, rows.loc[i])} {new[i]:g}")
            new = new.map(lambda c: None if is_blank(c) else int(round(c)))
    if col.kind in ("number", "whole"):
        problems = new.map(lambda c: None if is_blank(c) else out_of_range(col, c, e.value if e.op == "set" else None))
        if problems.notna().any():
            i = problems.first_valid_index()
            raise ScenarioError("value", e.value or "", f"{problems[i]}: {e.op} {e.value} makes {col.name} "
                                f"of {_describe_row(sheet, rows.loc[i])} {new[i]:g}")
    return new


def _value_hint(conditions: list[Condition], df: pd.DataFrame) -> str:
    """A did-you-mean for the first `column=text` condition whose text no row has (a mistyped id)."""
    for c in conditions:
        cells = df[c.column].dropna().map(_as_text)
        if c.op == "=" and c.number is None and not (cells == c.text).any():
            best = closest(c.text, list(cells))
            if best is not None:
                return f" (did you mean {c.column}={best}?)"
    return ""


def _apply_one(e: Edit, frames: dict[str, pd.DataFrame], settings: dict, broken: set[str]) -> int:
    """Apply one edit to `frames` in place; the number of rows (row-years) it matched."""
    if e.sheet not in _editable():
        raise ScenarioError("sheet", e.sheet, "a sheet to edit: " + ", ".join(_editable()) + did_you_mean(e.sheet, _editable()))
    if e.sheet in broken:
        raise ScenarioError("sheet", e.sheet, f"a sheet without errors (fix sheet {e.sheet} first)")
    df = frames[e.sheet]
    if e.sheet == "settings":
        if e.column != "value":
            raise ScenarioError("column", e.column, 'the column "value" (sheet settings has key | value)')
    else:
        cols = SHEET[e.sheet].names
        if e.column not in cols:
            raise ScenarioError("column", e.column, f"a column of sheet {e.sheet}" + did_you_mean(e.column, cols))
        if e.sheet in YEARLY and e.column in WINDOW:
            raise ScenarioError("column", e.column, f"a column other than first_year/last_year of {e.sheet} "
                                "(limit the years with a condition on year, e.g. year>=2027)")
    conditions = parse_where(e.where)
    known = [c for c in df.columns if c not in (ROW, SEG)]
    for c in conditions:
        if c.column not in known:
            raise ScenarioError("where", f"{c.column}{c.op}{c.text}", f"a condition on a column of {e.sheet}: "
                                + ", ".join(known) + did_you_mean(c.column, known))
    mask = pd.Series(True, index=df.index)
    for c in conditions:
        mask &= c.mask(df[c.column])
    if not mask.any():
        raise ScenarioError("where", e.where, f"conditions that match at least one row of {e.sheet}"
                            + _value_hint(conditions, df))
    rows = df[mask]
    if e.sheet == "settings":
        if any(k in HORIZON for k in rows["key"]):
            raise ScenarioError("where", e.where, "a setting other than first_year/last_year (the horizon cannot "
                                "be edited; limit years with a condition on year instead)")
        for i, r in rows.iterrows():
            col = _setting_column(r["key"])
            new = _new_values(e, col, df.loc[[i], "value"], df.loc[[i]], "settings", settings)
            df.at[i, "value"] = new.iloc[0]
    else:
        col = _column(e.sheet, e.column)
        new = _new_values(e, col, rows[e.column], rows, e.sheet, settings)
        if df[e.column].dtype != object:
            df[e.column] = df[e.column].astype(object)
        df.loc[mask, e.column] = new
    return int(mask.sum())


def _retype(sheet: str, df: pd.DataFrame) -> pd.DataFrame:
    """Restore the reader's column types after object-typed edits."""
    for c in SHEET[sheet].columns:
        if c.kind == "number":
            df[c.name] = pd.to_numeric(df[c.name], errors="coerce").astype(float)
        elif c.kind == "whole":
            df[c.name] = pd.array([None if is_blank(v) else int(v) for v in df[c.name]], dtype="Int64")
    return df


def apply(t: Tables, scenario: str) -> Applied:
    """The tables of `scenario` (base: the workbook itself), with the edits applied in order."""
    if scenario == BASE:
        return Applied(t)
    # sheets no edit touches stay the base's own frames (not copied): `changed_sheets` tells them
    # apart, and validation re-runs only the checks that read an edited sheet
    frames = dict(t.frames)
    frames["settings"] = _settings_frame(t)
    T0, T1 = t.settings.get("first_year"), t.settings.get("last_year")
    split: set[str] = set()
    own = {"settings"}  # frames this scenario may edit in place
    applied, issues = [], []
    for e in edits_of(t, scenario):
        if e.op not in OPS or not e.sheet or not e.column or e.where is None:
            continue  # a blank or unknown cell: the reader reported it on this row
        if e.sheet in frames and e.sheet not in own:
            frames[e.sheet] = frames[e.sheet].copy()
            own.add(e.sheet)
        try:
            if e.sheet in YEARLY and e.sheet not in split and e.sheet not in t.broken:
                if T0 is None or T1 is None or T0 > T1:  # reported on the settings row
                    raise ScenarioError("sheet", e.sheet, "a valid horizon in settings (first_year, last_year)")
                frames[e.sheet] = per_year(frames[e.sheet].assign(**{SEG: range(len(frames[e.sheet]))}), T0, T1)
                split.add(e.sheet)
            applied.append(e.record(_apply_one(e, frames, t.settings, t.broken)))
        except ScenarioError as x:
            issues.append(Issue("scenarios", e.row, x.column, x.found, x.expected, t.path))
    for sheet in split:
        frames[sheet] = _merge_years(frames[sheet], t.frames[sheet])
    for sheet in frames:
        if sheet != "settings" and sheet in {e["sheet"] for e in applied}:
            frames[sheet] = _retype(sheet, frames[sheet])
    settings = dict(t.settings)
    for key, v in zip(frames["settings"]["key"], frames.pop("settings")["value"]):
        if v is not None or key in settings:
            if v is None:
                settings.pop(key, None)
            else:
                settings[key] = v
    return Applied(replace(t, frames=frames, settings=settings, warnings=list(t.warnings), issues=[]),
                   applied, issues)


def changed_sheets(base: Tables, scenario: Tables) -> set[str]:
    """The sheets (settings included) whose table in `scenario` is not the base's own: the ones its edits touched."""
    out = {k for k, df in scenario.frames.items() if df is not base.frames.get(k)}
    a, b = base.settings, scenario.settings
    same = a.keys() == b.keys() and all(_signature(a[k]) == _signature(b[k]) for k in a)  # blanks alike
    return out | (set() if same else {"settings"})


def name_issues(t: Tables) -> list[Issue]:
    """Scenario names: `base` takes no rows, and a name must be usable as a folder name."""
    out = []
    sc = t["scenarios"]
    for r in sc.to_dict("records"):
        s = r["scenario"]
        if not isinstance(s, str) or not s:
            continue
        if s.lower() == BASE:
            out.append(Issue("scenarios", int(r[ROW]), "scenario", s, "a name other than base (the base case is the "
                             "workbook itself and takes no rows)", t.path))
        elif s.lower() in RESERVED:
            out.append(Issue("scenarios", int(r[ROW]), "scenario", s, f"a name other than {s.lower()} (the folder of "
                             f"reeplan's {s.lower()} outputs beside the scenario folders)", t.path))
        elif not NAME.match(s):
            out.append(Issue("scenarios", int(r[ROW]), "scenario", s, "a name of letters, digits, spaces and "
                             "_ . + - (at most 64 characters), because it names the output folder", t.path))
    return out
