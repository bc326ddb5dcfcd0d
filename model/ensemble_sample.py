"""The `uncertainty` sheet: parameters, their distributions, and the samples drawn from them.

Each sample draws every parameter once. All draws go through one uniform number per
parameter (per correlation group, when the row names one) mapped by the inverse of the
parameter's distribution: parameters of a group take the same quantile (fully correlated),
and the whole table of samples is a function of the seed alone, drawn by the client before
any solve, so every executor solves the same samples. A sample is a list of scenario `Edit`s
applied with model.scenarios, after the edits of a named scenario.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from statistics import NormalDist

import numpy as np
import pandas as pd

from . import scenarios
from .errors import Issue
from .read import ROW, Tables, is_blank
from .scenarios import Edit, _as_number

SHEET = "uncertainty"
SAMPLE = "ensemble sample"  # the scenario name a sample's edits are applied under
KINDS = ("uniform", "triangular", "normal", "lognormal", "discrete")
EPS = 1e-12  # quantiles stay inside (0, 1): the normal's inverse is infinite at the ends


class RowError(Exception):
    """One problem with one uncertainty row (the message completes "expected ...")."""

    def __init__(self, column: str, found, expected: str):
        super().__init__(expected)
        self.column, self.found, self.expected = column, "" if found is None else str(found), expected


@dataclass(frozen=True)
class Distribution:
    kind: str
    a: float = 0.0
    b: float = 0.0
    c: float | None = None
    values: tuple[str, ...] = ()  # discrete: the values as written
    weights: tuple[float, ...] = ()

    def quantile(self, u: np.ndarray) -> np.ndarray:
        """The values at quantiles `u` (floats; object array of the written texts for discrete)."""
        u = np.asarray(u, dtype=float)
        if self.kind == "uniform":
            return self.a + u * (self.b - self.a)
        if self.kind == "triangular":
            return _triangular(u, self.a, self.c, self.b)
        if self.kind == "normal":
            return _normal(u, self.a, self.b, self.c)
        if self.kind == "lognormal":
            return np.exp(np.log(self.a) + _normal(u, 0.0, self.b, None))
        cum = np.cumsum(self.weights) / sum(self.weights)
        idx = np.minimum(np.searchsorted(cum, u, side="right"), len(self.values) - 1)
        return np.array(self.values, dtype=object)[idx]

    def extremes(self) -> list[str]:
        """Values a validation applies: the ends of a bounded support, else a central value."""
        if self.kind == "discrete":
            return list(self.values)
        if self.kind in ("uniform", "triangular"):
            return [text(self.a), text(self.b)]
        if self.kind == "normal":
            return [text(self.a)] if self.c is None or self.c < self.a else [text(self.c)]
        return [text(self.a)]


def text(x: float) -> str:
    """A drawn number as an edit value: shortest text that reads back as the same double."""
    return repr(float(x))


def _triangular(u: np.ndarray, lo: float, mode: float, hi: float) -> np.ndarray:
    if hi == lo:
        return np.full(u.shape, lo)
    f = (mode - lo) / (hi - lo)
    left = lo + np.sqrt(u * (hi - lo) * (mode - lo))
    right = hi - np.sqrt((1 - u) * (hi - lo) * (hi - mode))
    return np.where(u < f, left, right)


def _normal(u: np.ndarray, mean: float, sd: float, lower: float | None) -> np.ndarray:
    """Inverse CDF of a normal truncated below at `lower` (None: not truncated)."""
    if sd == 0:
        return np.full(u.shape, mean)
    d = NormalDist(mean, sd)
    p0 = d.cdf(lower) if lower is not None else 0.0
    p = np.clip(p0 + u * (1 - p0), EPS, 1 - EPS)
    out = np.array([d.inv_cdf(float(x)) for x in p])
    return out if lower is None else np.maximum(out, lower)


# ---------------------------------------------------------------- reading the rows
@dataclass(frozen=True)
class Row:
    """One row of the sheet: the edit it makes and the distribution of its value."""

    row: int
    parameter: str
    group: str  # the draw it takes: its correlation group, else its parameter
    edit: Edit  # value filled in per sample
    distribution: Distribution


def _number(r: dict, column: str, required: bool = True) -> float | None:
    v = r.get(column)
    if is_blank(v):
        if required:
            raise RowError(column, "", f"a number ({r['distribution']} needs {column})")
        return None
    x = _as_number(v)
    if x is None or not np.isfinite(x):
        raise RowError(column, v, "a number")
    return x


def _list(r: dict, column: str) -> list[str]:
    v = r.get(column)
    return [] if is_blank(v) else [p.strip() for p in str(v).split(";") if p.strip()]


def distribution(r: dict) -> Distribution:
    """The distribution of one row, or RowError naming the column at fault."""
    kind = r["distribution"]
    if kind == "discrete":
        values = _list(r, "a")
        if not values:
            raise RowError("a", r.get("a"), "values separated by ;")
        if is_blank(r.get("b")):
            return Distribution(kind, values=tuple(values), weights=(1.0,) * len(values))
        weights = [_as_number(w) for w in _list(r, "b")]
        if len(weights) != len(values) or any(w is None or w < 0 for w in weights) or sum(weights) <= 0:
            raise RowError("b", r.get("b"), f"{len(values)} weights >= 0 separated by ; (one per value), not all 0")
        return Distribution(kind, values=tuple(values), weights=tuple(weights))
    a, b = _number(r, "a"), _number(r, "b")
    if kind == "uniform" and b < a:
        raise RowError("b", r["b"], f"a maximum >= a ({a:g})")
    if kind == "triangular":
        c = _number(r, "c")
        if b < a:
            raise RowError("b", r["b"], f"a maximum >= a ({a:g})")
        if not a <= c <= b:
            raise RowError("c", r["c"], f"a mode between a and b ({a:g} to {b:g})")
        return Distribution(kind, a, b, c)
    if kind in ("normal", "lognormal") and b < 0:
        raise RowError("b", r["b"], "a standard deviation >= 0")
    if kind == "lognormal" and a <= 0:
        raise RowError("a", r["a"], "a median > 0")
    c = _number(r, "c", required=False) if kind == "normal" else None
    if kind == "normal" and c is not None and b == 0 and c > a:
        raise RowError("c", r["c"], f"a lower bound <= the mean ({a:g}) when sd is 0")
    return Distribution(kind, a, b, c)


def parse(t: Tables) -> tuple[list[Row], list[Issue]]:
    """The rows of the uncertainty sheet, and the problems of the rows that could not be read."""
    df = t.frames.get(SHEET)
    if df is None or df.empty:
        return [], []
    rows, issues, first = [], [], {}
    for r in df.to_dict("records"):
        if any(is_blank(r.get(c)) for c in ("parameter", "sheet", "where", "column", "op", "distribution", "a")):
            continue  # a required cell is blank: the reader reported it on this row
        try:
            d = distribution(r)
            seen = first.get(r["parameter"])
            if seen is not None and seen[1] != d:
                raise RowError("distribution", r["distribution"], f"the same distribution as row {seen[0]} "
                               f"(parameter {r['parameter']} is drawn once per sample)")
            first.setdefault(r["parameter"], (int(r[ROW]), d))
        except RowError as e:
            issues.append(Issue(SHEET, int(r[ROW]), e.column, e.found, e.expected, t.path))
            continue
        group = r.get("group")
        edit = Edit(SAMPLE, int(r[ROW]), r["sheet"], r["where"], r["column"], r["op"], None)
        rows.append(Row(int(r[ROW]), r["parameter"], r["parameter"] if is_blank(group) else f"group {group}",
                        edit, d))
    return rows, issues


def parameters(rows: list[Row]) -> list[Row]:
    """The first row of each parameter, in sheet order (one draw each)."""
    return list({r.parameter: r for r in reversed(rows)}.values())[::-1]


# ---------------------------------------------------------------- drawing
def draw(rows: list[Row], samples: int, seed: int) -> pd.DataFrame:
    """One row per sample (index 1..N), one column per parameter: the drawn values.

    Uniforms are drawn for the groups in order of first appearance, samples x groups in one
    call, so the table depends only on the sheet and the seed."""
    params = parameters(rows)
    groups = list(dict.fromkeys(r.group for r in params))
    u = np.random.default_rng(seed).random((samples, len(groups)))
    cols = {r.parameter: r.distribution.quantile(u[:, groups.index(r.group)]) for r in params}
    return pd.DataFrame(cols, index=pd.RangeIndex(1, samples + 1, name="sample"))


def sample_edits(rows: list[Row], values: dict) -> list[Edit]:
    """The edits of one sample: each row with its parameter's drawn value."""
    return [replace(r.edit, value=v if isinstance(v := values[r.parameter], str) else text(v)) for r in rows]


# ---------------------------------------------------------------- applying
def with_edits(t: Tables, edits: list[Edit], scenario: str = scenarios.BASE) -> scenarios.Applied:
    """The tables of `scenario` with `edits` applied after its own (scenario machinery, rows as given)."""
    base = scenarios.apply(t, scenario).tables if scenario != scenarios.BASE else t
    sheet = pd.DataFrame([{ROW: e.row, "scenario": SAMPLE, "sheet": e.sheet, "where": e.where, "column": e.column,
                           "op": e.op, "value": e.value, "note": None} for e in edits],
                         columns=[ROW, "scenario", "sheet", "where", "column", "op", "value", "note"])
    staged = replace(base, frames={**base.frames, "scenarios": sheet})
    applied = scenarios.apply(staged, SAMPLE)
    applied.tables = replace(applied.tables, frames={**applied.tables.frames, "scenarios": base.frames["scenarios"]})
    applied.issues = [as_uncertainty(i) for i in applied.issues]
    return applied


def as_uncertainty(i: Issue) -> Issue:
    """An issue the scenario machinery raised on a sample edit, named on the uncertainty row."""
    return replace(i, sheet=SHEET, column="a" if i.column == "value" else i.column)


def row_issues(t: Tables, sheets: set[str] | None = None) -> list[Issue]:
    """Every problem of the sheet: rows that do not read, and edits that do not apply to the base
    at the ends of their distribution (unknown sheet/column, a where matching nothing, a value
    out of range). With `sheets`, only the edits of rows on those sheets are tried (an edit
    reads its own sheet only)."""
    rows, issues = parse(t)
    rows = [r for r in rows if sheets is None or r.edit.sheet in sheets]
    if not rows:
        return issues
    width = max(len(r.distribution.extremes()) for r in rows)
    for k in range(width):
        edits = [replace(r.edit, value=ext[min(k, len(ext) - 1)]) for r in rows if (ext := r.distribution.extremes())]
        issues += with_edits(t, edits).issues
    return sorted(set(issues))
