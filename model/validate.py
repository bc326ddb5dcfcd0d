"""Cross-sheet checks on typed tables. Each check returns the issues it finds; all run.

Cell-level problems (types, ranges, required cells, missing columns) are found while
reading (`read.py`); this module checks keys, references and rules that span rows or sheets.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Callable, Iterable

import pandas as pd

from . import scenarios
from .errors import InputError, Issue
from .read import ROW, Tables, did_you_mean
from .schema import SHEET, SHEETS, WILDCARD


def _issue(t: Tables, sheet: str, row: int, column: str, found, expected: str) -> Issue:
    shown = "" if found is None or (isinstance(found, float) and pd.isna(found)) else found
    if isinstance(shown, float) and shown == int(shown):
        shown = int(shown)
    return Issue(sheet, int(row), column, str(shown), expected, t.path)


def unique_keys(t: Tables, only: set[str] | None = None) -> list[Issue]:
    """Every key of the contract is unique: ids, (region, commodity, year) in demand, …"""
    out = []
    for sheet in SHEETS:
        df = t[sheet.name]
        if not sheet.key or df.empty or sheet.name in t.broken or not _reads(only, sheet.name):
            continue
        # rows a scenario split by year share their Excel row and are one row of the workbook
        keyed = df.dropna(subset=list(sheet.key)).drop_duplicates(list(sheet.key) + [ROW])
        dup = keyed.duplicated(list(sheet.key), keep="first")
        first = keyed.drop_duplicates(list(sheet.key)).set_index(list(sheet.key))[ROW]
        for _, r in keyed[dup].iterrows():
            k = tuple(r[c] for c in sheet.key)
            was = first.loc[k if len(k) > 1 else k[0]]
            what = ", ".join(sheet.key)
            col = sheet.key[-1] if len(sheet.key) > 1 else sheet.key[0]
            out.append(_issue(t, sheet.name, r[ROW], col, r[col],
                              f"a unique ({what}); repeats row {int(was)}" if len(k) > 1
                              else f"a unique {what}; repeats row {int(was)}"))
    return out


def references(t: Tables, only: set[str] | None = None) -> list[Issue]:
    """Names of regions, technologies, commodities and materials exist where they are defined."""
    out = []
    for sheet in SHEETS:
        df = t[sheet.name]
        for col in sheet.columns:
            if not col.ref or df.empty or {sheet.name, col.ref} & t.broken or not _reads(only, sheet.name, col.ref):
                continue
            target = SHEET[col.ref]
            known = list(t[col.ref][target.id_column].dropna())
            vals = df[col.name]
            bad = vals.notna() & ~vals.isin(known) & ~(col.wildcard & (vals == WILDCARD))
            for _, r in df[bad].iterrows():
                out.append(_issue(t, sheet.name, r[ROW], col.name, r[col.name],
                                  f"a {target.id_column} listed in sheet {col.ref}"
                                  + did_you_mean(str(r[col.name]), known)))
    return out


def technology_outputs(t: Tables) -> list[Issue]:
    """Each technology has at least one output (a positive tech_io coefficient)."""
    io = t["tech_io"]
    # a coefficient that could not be read is reported where it is, not again here
    fine = set(io.loc[(io["coefficient"] > 0) | io["coefficient"].isna(), "technology"])
    tech = t["technologies"]
    return [_issue(t, "technologies", r[ROW], "technology", r["technology"],
                   "a technology with at least one output (positive coefficient in tech_io)")
            for _, r in tech[~tech["technology"].isin(fine)].iterrows()]


def project_rules(t: Tables) -> list[Issue]:
    """Committed capacity has an online year; a candidate (max_new_tpa > 0) has a capex; unit_tpa and
    min_build_tpa are no larger than max_new_tpa."""
    p = t["projects"]
    out = [_issue(t, "projects", r[ROW], "committed_online_year", None,
                  "a year, because committed_tpa > 0")
           for _, r in p[(p["committed_tpa"] > 0) & p["committed_online_year"].isna()].iterrows()]
    out += [_issue(t, "projects", r[ROW], "capex_usd_per_tpa", None,
                   "a capital cost, because max_new_tpa > 0")
            for _, r in p[(p["max_new_tpa"] > 0) & p["capex_usd_per_tpa"].isna()].iterrows()]
    for col in ("unit_tpa", "min_build_tpa"):  # lumpy builds need room to build one
        if col in p.columns:
            out += [_issue(t, "projects", r[ROW], col, r[col], f"a size <= max_new_tpa ({r['max_new_tpa']:g})")
                    for _, r in p[p[col].notna() & (p[col] > p["max_new_tpa"].fillna(0))].iterrows()]
    return out


def horizon(t: Tables) -> list[Issue]:
    """first_year <= last_year in settings."""
    s = t.settings
    if "first_year" in s and "last_year" in s and s["first_year"] > s["last_year"]:
        return [Issue("settings", t.settings_rows.get("last_year", 0), "value", str(s["last_year"]),
                      f"last_year >= first_year ({s['first_year']})", t.path)]
    return []


def year_windows(t: Tables, only: set[str] | None = None) -> list[Issue]:
    """first_year <= last_year in every sheet with a year window, where a row gives both."""
    out = []
    for sheet in (s.name for s in SHEETS if {"first_year", "last_year"} <= set(s.names)):
        if sheet in t.broken or not _reads(only, sheet):
            continue
        df = t[sheet]
        # only years the row gives itself: a window ending before the horizon is merely unused
        bad = df["first_year"].notna() & df["last_year"].notna() & (df["first_year"] > df["last_year"])
        for _, r in df[bad.astype(bool)].iterrows():
            out.append(_issue(t, sheet, r[ROW], "last_year", r["last_year"],
                              f"last_year >= first_year ({r['first_year']})"))
    return out


# stockpile rules (column, op, bound); an error names the column of the row that breaks one
_STOCK_BOUNDS = (("min_t", "<=", "max_t"), ("initial_t", ">=", "min_t"), ("initial_t", "<=", "max_t"),
                 ("final_t", "<=", "max_t"))


def stock_bounds(t: Tables) -> list[Issue]:
    """min_t <= max_t, min_t <= initial_t <= max_t and final_t <= max_t (a blank max_t is unlimited)."""
    st = t["stocks"]
    out = []
    for col, op, bound in _STOCK_BOUNDS:
        v, b = st[col], st[bound]
        bad = v.notna() & b.notna() & ((v > b) if op == "<=" else (v < b))
        out += [_issue(t, "stocks", r[ROW], col, r[col], f"{col} {op} {bound} ({r[bound]:g})")
                for _, r in st[bad].iterrows()]
    return out


def budget_rows_agree(t: Tables) -> list[Issue]:
    """All rows of one budget agree on carryover, region and stage."""
    b = t["budgets"]
    out = []
    for col in ("carryover", "region", "stage"):
        first = b.groupby("budget", sort=False)[col].transform("first")
        for _, r in b[(b[col] != first) & b[col].notna() & first.notna()].iterrows():
            out.append(_issue(t, "budgets", r[ROW], col, r[col] if col != "carryover" else
                              ("yes" if r[col] else "no"),
                              f"the same {col} on every row of budget {r['budget']}"))
    return out


def policy_rules(t: Tables) -> list[Issue]:
    """max_supplier_share names a stage that commodities deliver (not recycling)."""
    p = t["policies"]
    bad = (p["kind"] == "max_supplier_share") & (p["stage"] == "recycling")
    return [_issue(t, "policies", r[ROW], "stage", r["stage"],
                   "extraction, processing or manufacturing for max_supplier_share")
            for _, r in p[bad].iterrows()]


def tracked_regions(t: Tables) -> list[str]:
    """The regions of settings track_origin, comma-separated."""
    text = t.settings.get("track_origin")
    return [x.strip() for x in text.split(",") if x.strip()] if isinstance(text, str) else []


def origin_rules(t: Tables) -> list[Issue]:
    """track_origin names regions; basis origin is for max_supplier_share and needs track_origin;
    basis capacity is for min_domestic_share."""
    regions = list(t["regions"]["region"])
    tracked = tracked_regions(t)
    out = [Issue("settings", t.settings_rows.get("track_origin", 0), "value", q,
                 "track_origin: regions of sheet regions, comma-separated" + did_you_mean(q, regions), t.path)
           for q in tracked if q not in regions]
    p = t["policies"]
    for _, r in p[p["basis"] == "origin"].iterrows():
        if r["kind"] != "max_supplier_share":
            out.append(_issue(t, "policies", r[ROW], "basis", r["basis"], "output or capacity for min_domestic_share"))
        elif not tracked:
            out.append(_issue(t, "policies", r[ROW], "basis", r["basis"],
                              "output, or list the regions to trace in settings track_origin (e.g. CN)"))
    for _, r in p[(p["basis"] == "capacity") & (p["kind"] == "max_supplier_share")].iterrows():
        out.append(_issue(t, "policies", r[ROW], "basis", r["basis"], "output or origin for max_supplier_share"))
    return out


def stochastic_rules(t: Tables) -> list[Issue]:
    """The branches of a two-stage plan: known scenarios (base allowed), probabilities summing to 1
    (within 1e-9), one branch_year for all rows with first_year < branch_year <= last_year."""
    st = t.frames.get("stochastic")
    if st is None or st.empty:
        return []
    out = []
    known = [scenarios.BASE] + scenarios.names(t)
    for _, r in st[~st["scenario"].isin(known)].iterrows():
        out.append(_issue(t, "stochastic", r[ROW], "scenario", r["scenario"],
                          "a scenario of sheet scenarios, or base" + did_you_mean(str(r["scenario"]), known)))
    total = float(st["probability"].sum())
    if abs(total - 1.0) > 1e-9:
        r = st.iloc[-1]
        out.append(_issue(t, "stochastic", r[ROW], "probability", r["probability"],
                          f"probabilities that sum to 1 (they sum to {total:.12g})"))
    first = st.iloc[0]["branch_year"]
    for _, r in st[st["branch_year"] != first].iterrows():
        out.append(_issue(t, "stochastic", r[ROW], "branch_year", r["branch_year"],
                          f"the same branch_year on every row ({first:g})"))
    T0, T1 = t.settings.get("first_year"), t.settings.get("last_year")
    if T0 is not None and T1 is not None and not T0 < first <= T1:
        r = st.iloc[0]
        out.append(_issue(t, "stochastic", r[ROW], "branch_year", first,
                          f"a year with first_year < branch_year <= last_year ({T0} < year <= {T1})"))
    return out


def uncertainty_rules(t: Tables, only: set[str] | None = None) -> list[Issue]:
    """Each row of the uncertainty sheet reads as a distribution and applies to the base as a scenario
    edit at the ends of its distribution (model.ensemble_sample). With `only`, the edits of rows on
    those sheets (all rows when settings, read by every edit, are among them)."""
    from .ensemble_sample import row_issues

    return row_issues(t, None if only is None or only & {"settings", "uncertainty"} else only)


def source_ids(t: Tables) -> list[Issue]:
    """A `source` cell names an id of the sources sheet (reported as a warning)."""
    known = list(t["sources"]["source"].dropna())
    out = []
    for sheet in SHEETS:
        df = t[sheet.name]
        if "source" not in df.columns or sheet.name == "sources":
            continue
        for _, r in df[df["source"].notna() & ~df["source"].isin(known)].iterrows():
            out.append(_issue(t, sheet.name, r[ROW], "source", r["source"], "a source listed in sheet sources"
                              + did_you_mean(str(r["source"]), known)))
    return out


# each check with the sheets it reads; a check is skipped when one of them is broken
# (missing, or missing a column), so every other problem is still reported in the same run.
# The checks of SHEET_BY_SHEET read every sheet but each one on its own (they take `only`).
CHECKS = (
    (unique_keys, ()),  # skips broken sheets itself
    (references, ()),  # likewise
    (technology_outputs, ("technologies", "tech_io")),
    (project_rules, ("projects",)),
    (horizon, ("settings",)),
    (year_windows, ()),  # skips broken sheets itself
    (budget_rows_agree, ("budgets",)),
    (policy_rules, ("policies",)),
    (origin_rules, ("regions", "policies", "settings")),
    (stochastic_rules, ("stochastic", "scenarios", "settings")),
    (stock_bounds, ("stocks",)),
    (uncertainty_rules, ("uncertainty", "scenarios", "settings")),
)


SHEET_BY_SHEET = (unique_keys, references, year_windows, uncertainty_rules)


def _reads(only: set[str] | None, *sheets: str) -> bool:
    return only is None or bool(only.intersection(sheets))


def check_tables(t: Tables, changed: set[str] | None = None) -> list[Issue]:
    """Every cross-sheet check whose sheets are readable. With `changed` (the sheets a scenario's
    edits changed), only the checks, or parts of checks, that read one of them: the others would
    find exactly what they found in the base case."""
    out = []
    for check, sheets in CHECKS:
        if set(sheets) & t.broken:
            continue
        if check in SHEET_BY_SHEET:
            out += check(t, changed)
        elif changed is None or _reads(changed, *sheets):
            out += check(t)
    return out


# scenario names -> their `scenario_issues`, in order
Each = Callable[[list[str]], Iterable[tuple[list[Issue], list[Issue]]]]


def scenario_rules(t: Tables, found: list[Issue], only: list[str] | None = None,
                   results: Iterable[tuple[list[Issue], list[Issue]]] | None = None) -> list[Issue]:
    """Each scenario applies cleanly, and the data it leaves passes every check.

    Problems of an edit name its scenario row; a check failing only after a scenario's edits
    names the data row and the scenario. `found` holds the base case's problems (not repeated).
    `only`: the scenarios to apply (a run of some scenarios need not apply the others); their
    names are checked all the same. `results`: the `scenario_issues` of `to_check(t, only)`, in
    order, found elsewhere (a batch's worker processes); by default they are found here.
    """
    out = scenarios.name_issues(t)
    todo = to_check(t, only)  # none when the scenarios sheet is broken
    seen = set(found)
    for name, (applied, checked) in zip(todo, results if results is not None else
                                        (scenario_issues(t, name) for name in todo)):
        out += applied + [replace(i, expected=f"{i.expected} (after the edits of scenario {name})")
                          for i in checked if i not in seen]
    return out


def to_check(t: Tables, only: list[str] | None = None) -> list[str]:
    """The scenarios whose edits `scenario_rules` applies (none when the scenarios sheet is broken)."""
    if "scenarios" in t.broken:
        return []
    return [name for name in scenarios.names(t) if name.lower() != scenarios.BASE and (only is None or name in only)]


def scenario_issues(t: Tables, name: str) -> tuple[list[Issue], list[Issue]]:
    """The problems of applying scenario `name`'s edits, and those the checks of the sheets they
    changed find in the tables they leave (base-case problems among them too)."""
    applied = scenarios.apply(t, name)
    if not applied.edits:
        return applied.issues, []
    return applied.issues, check_tables(applied.tables, scenarios.changed_sheets(t, applied.tables))


def validate(t: Tables, only: list[str] | None = None, each: Each | None = None) -> None:
    """Raise InputError with every problem: cell problems found while reading, all checks,
    and every scenario's edits (with `only`, the edits of those scenarios). `each(names)`: those
    scenarios' `scenario_issues`, in order, found elsewhere (it starts on them when called).

    A check that reads a missing sheet or column is skipped (it would only repeat that
    problem); everything else is reported together.
    """
    if "sources" not in t.broken:  # first: a batch's worker processes start at `each`, with the tables as they are
        t.warnings = sorted(set(t.warnings) | set(source_ids(t)))
    results = each(to_check(t, only)) if each is not None else None  # elsewhere, while the base is checked here
    issues = list(t.issues) + check_tables(t)
    issues += scenario_rules(t, issues, only, results)
    if issues:
        raise InputError(issues, t.warnings)
