"""`reeplan diff A B`: what changed between two solved result folders, for a reviewer.

Compared: status, objective and cost by component (summary.json, full precision); builds
(project, start year, capacity); policy achieved shares and shadow prices; commodity
prices; unmet demand; outside purchases and trade (t); and, when either side has them, sales (tonnes sold), stockpile levels,
the support needed (capital subsidy per t/yr, minimum-output support per t) and the shares of
consumption by origin (origin.csv, studies with track_origin) (csv/). A
table only one side has is compared against an empty one. Two numbers are equal when

    |a - b| <= atol + rtol * max(|a|, |b|)

so solver noise and the CSV's six significant digits are not changes; a non-finite number
(inf, -inf, nan) equals only the same non-finite number. A row present on one side only is
added/removed unless all its numbers are zero. Anything that is not a well-formed result
folder (missing or unreadable summary.json keys, a truncated or garbled csv, a value that is
not a number) raises NotAResultFolder: exit 2, never "differences". The inputs (workbook, hash,
scenario edits) are shown beside the results as context; they do not count as a change.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .costs import COMPONENTS
from .dependence import by_origin, by_shipper, compare, key_years

RTOL, ATOL = 1e-5, 1e-6

# table -> keys, compared values, title
TABLES = {
    "builds": (["project", "start_year"], ["capacity_tpa"], "builds (capacity started, t/yr)"),
    "policies": (["policy", "supplier", "year"], ["achieved_share", "shadow_price_usd_per_t"],
                 "policies (achieved share, shadow price USD/t)"),
    "prices": (["region", "commodity", "year"], ["price_usd_per_t"], "commodity prices (USD/t)"),
    "unmet": (["region", "commodity", "year"], ["unmet_t"], "unmet demand (t)"),
    "sales": (["sale", "year"], ["sold_t"], "sales to outside buyers (t)"),
    "stocks": (["stock", "year"], ["level_t"], "stockpile levels (t)"),
    "support": (["project", "kind", "year"], ["subsidy_usd_per_tpa", "support_usd_per_t"],
                "support needed (capital subsidy USD per t/yr, minimum-output support USD/t)"),
    "origin": (["region", "material", "stage", "tracked_region", "year"], ["share"],
               "consumption by origin (share of consumption)"),
    "supply": (["offer", "region", "commodity", "year"], ["bought_t"], "outside purchases (t)"),
    "trade": (["from_region", "to_region", "commodity", "year"], ["flow_t"], "trade (t)"),
}
# version 2 tables, written only by studies that have them (support.csv by every newer run,
# origin.csv with track_origin): compared when either side has the file, a side without it as
# an empty table
OPTIONAL = ("sales", "stocks", "support", "origin", "supply", "trade")


class NotAResultFolder(Exception):
    pass


@dataclass
class Section:
    name: str
    title: str
    table: pd.DataFrame  # changed rows only: keys, change, <value>_a, <value>_b, ...
    full: tuple[pd.DataFrame, pd.DataFrame] | None = None  # both sides' whole tables

    def counts(self) -> dict[str, int]:
        return self.table["change"].value_counts().to_dict() if len(self.table) else {}


@dataclass
class Diff:
    a: Path
    b: Path
    summary: pd.DataFrame  # item, a, b, delta, pct (changed items only)
    inputs: pd.DataFrame  # item, a, b (differing inputs, context only)
    sections: list[Section] = field(default_factory=list)
    sides: tuple[dict, dict] = ({}, {})  # the two summary.json
    aggregate: pd.DataFrame | None = None  # measure, stage, region, value_a, value_b, delta, pct
    dependence: pd.DataFrame | None = None  # basis, material, stage, year, share_a, share_b, change_pp

    @property
    def differs(self) -> bool:
        return bool(len(self.summary)) or any(len(s.table) for s in self.sections)


def close(a, b, rtol: float = RTOL, atol: float = ATOL):
    """Elementwise equality within tolerance for finite numbers; two blanks (nan) are equal, and
    inf equals only inf of the same sign: a non-finite value never equals a finite one."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    both_nan = np.isnan(a) & np.isnan(b)
    same_inf = np.isinf(a) & (a == b)
    with np.errstate(invalid="ignore"):
        near = np.isfinite(a) & np.isfinite(b) & (np.abs(a - b) <= atol + rtol * np.maximum(np.abs(a), np.abs(b)))
    return both_nan | same_inf | near


def _summary(folder: Path) -> dict:
    p = folder / "summary.json"
    if not folder.is_dir():
        raise NotAResultFolder(f"{folder}: no such folder")
    if not p.is_file():
        raise NotAResultFolder(f"{folder}: not a reeplan result folder (no summary.json); give a scenario folder "
                               "such as outputs/<workbook>/<scenario>")
    try:
        s = json.loads(p.read_text())
    except (OSError, ValueError) as e:
        raise NotAResultFolder(f"{p}: cannot be read ({e})") from None
    if not isinstance(s, dict):
        raise NotAResultFolder(f"{p}: not a reeplan summary (expected an object with status and objective_musd)")
    _check_summary(p, s)
    return s


def _is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _check_summary(p: Path, s: dict) -> None:
    """The keys diff reads: status (text), objective_musd and each cost (a number or null)."""
    missing = [k for k in ("status", "objective_musd", "cost_by_component_musd") if k not in s]
    if missing:
        raise NotAResultFolder(f"{p}: missing {', '.join(missing)}; not a complete reeplan summary")
    if not isinstance(s["status"], str):
        raise NotAResultFolder(f"{p}: status is {s['status']!r}, expected text")
    costs = s["cost_by_component_musd"]
    if costs is not None and not isinstance(costs, dict):
        raise NotAResultFolder(f"{p}: cost_by_component_musd is {costs!r}, expected an object of numbers")
    values = {"objective_musd": s["objective_musd"]} | {f"cost_by_component_musd.{k}": v
                                                       for k, v in (costs or {}).items()}
    for k, v in values.items():
        if v is not None and not _is_number(v):
            raise NotAResultFolder(f"{p}: {k} is {v!r}, expected a number")


def _table(folder: Path, name: str, keys: list[str], values: list[str]) -> pd.DataFrame:
    p = folder / "csv" / f"{name}.csv"
    if not p.is_file():
        return pd.DataFrame(columns=keys + values)
    rows = _csv_rows(p)
    header, body = rows[0], rows[1:]
    missing = [c for c in keys + values if c not in header]
    if missing:
        raise NotAResultFolder(f"{p}: missing columns {', '.join(missing)}")
    df = pd.DataFrame(body, columns=header, dtype=str)[keys + values].copy()
    for v in values:
        df[v] = _numbers(p, df[v], v)
    return df


def _csv_rows(p: Path) -> list[list[str]]:
    """Every row of a csv written by reeplan: complete (ends with a newline), each row as long as
    the header; otherwise the file was cut short or damaged."""
    try:
        text = p.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise NotAResultFolder(f"{p}: cannot be read ({e})") from None
    if not text.endswith("\n"):
        raise NotAResultFolder(f"{p}: truncated (the last line is incomplete)")
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as e:
        raise NotAResultFolder(f"{p}: not a valid csv ({e})") from None
    if not rows or not rows[0]:
        raise NotAResultFolder(f"{p}: empty, no header row")
    bad = next((i for i, r in enumerate(rows) if len(r) != len(rows[0])), None)
    if bad is not None:
        raise NotAResultFolder(f"{p}: line {bad + 1} has {len(rows[bad])} fields, the header has {len(rows[0])}")
    return rows


def _numbers(p: Path, col: pd.Series, name: str) -> pd.Series:
    """A value column as floats: blank is nan; inf/-inf/nan are kept; anything else is an error."""
    num = pd.to_numeric(col.where(col != ""), errors="coerce")
    bad = num.isna() & (col != "") & (col.str.strip().str.lower() != "nan")
    if bad.any():
        i = int(bad.to_numpy().argmax())
        raise NotAResultFolder(f"{p}: line {i + 2}, column {name}: {col.iloc[i]!r} is not a number")
    return num.astype(float)


def compare_table(a: pd.DataFrame, b: pd.DataFrame, keys: list[str], values: list[str],
                  rtol: float = RTOL, atol: float = ATOL) -> pd.DataFrame:
    """Rows added, removed or changed between two keyed tables (values compared with tolerance)."""
    m = a.merge(b, on=keys, how="outer", suffixes=("_a", "_b"), indicator=True)
    same = np.ones(len(m), dtype=bool)
    zero_a = np.ones(len(m), dtype=bool)
    zero_b = np.ones(len(m), dtype=bool)
    for v in values:
        va, vb = m[f"{v}_a"].astype(float), m[f"{v}_b"].astype(float)
        same &= close(va, vb, rtol, atol)
        zero_a &= close(va.fillna(0.0), 0.0, rtol, atol)
        zero_b &= close(vb.fillna(0.0), 0.0, rtol, atol)
    change = np.select([m["_merge"] == "right_only", m["_merge"] == "left_only"], ["added", "removed"], "changed")
    keep = np.where(change == "added", ~zero_b, np.where(change == "removed", ~zero_a, ~same))
    out = m.assign(change=change)[keep]
    for v in values:
        out[f"{v}_delta"] = out[f"{v}_b"].astype(float).fillna(0.0) - out[f"{v}_a"].astype(float).fillna(0.0)
    cols = keys + ["change"] + [f"{v}{s}" for v in values for s in ("_a", "_b", "_delta")]
    out = out[cols]
    for k in keys:  # keys are read as text so both sides merge; years go back to numbers
        if len(out) and out[k].str.fullmatch(r"-?\d+").all():
            out[k] = out[k].astype(int)
    return out.sort_values(keys, kind="stable").reset_index(drop=True)


def _summary_rows(sa: dict, sb: dict, rtol: float, atol: float) -> pd.DataFrame:
    rows = []
    if sa.get("status") != sb.get("status"):
        rows.append({"item": "status", "a": sa.get("status"), "b": sb.get("status"), "delta": None})
    items = [("objective_musd", sa.get("objective_musd"), sb.get("objective_musd"))]
    ca, cb = sa.get("cost_by_component_musd") or {}, sb.get("cost_by_component_musd") or {}
    items += [(f"{c}_musd", ca.get(c), cb.get(c)) for c in COMPONENTS]
    for item, x, y in items:
        x = np.nan if x is None else float(x)
        y = np.nan if y is None else float(y)
        if not close(x, y, rtol, atol):
            rows.append({"item": item, "a": x, "b": y, "delta": y - x if not np.isnan(x + y) else None,
                         "pct": (y - x) / abs(x) if x and not np.isnan(x + y) else None})
    return pd.DataFrame(rows, columns=["item", "a", "b", "delta", "pct"])


def _edits_text(s: dict) -> str:
    edits = s.get("edits") or []
    return "; ".join(f"{e['sheet']} [{e['where']}] {e['column']} {e['op']} {e.get('value') or ''}".strip()
                     for e in edits) or "(none)"


def _inputs(sa: dict, sb: dict) -> pd.DataFrame:
    rows = []
    for item, x, y in (("workbook", sa.get("workbook"), sb.get("workbook")),
                       ("input_sha256", sa.get("input_sha256"), sb.get("input_sha256")),
                       ("scenario", sa.get("scenario"), sb.get("scenario")),
                       ("edits", _edits_text(sa), _edits_text(sb))):
        if x != y:
            rows.append({"item": item, "a": x, "b": y})
    return pd.DataFrame(rows, columns=["item", "a", "b"])


def diff_folders(a: str | Path, b: str | Path, rtol: float = RTOL, atol: float = ATOL) -> Diff:
    a, b = Path(a), Path(b)
    sa, sb = _summary(a), _summary(b)
    d = Diff(a, b, _summary_rows(sa, sb, rtol, atol), _inputs(sa, sb), sides=(sa, sb))
    for name, (keys, values, title) in TABLES.items():
        if name in OPTIONAL and not any((f / "csv" / f"{name}.csv").is_file() for f in (a, b)):
            continue
        ta, tb = _table(a, name, keys, values), _table(b, name, keys, values)
        d.sections.append(Section(name, title, compare_table(ta, tb, keys, values, rtol, atol), (ta, tb)))
    chain = {c: st for side in (sa, sb) for c, st in ((side.get("chain") or {}).get("stage") or {}).items() if st}
    d.aggregate = aggregate(a, b, rtol, atol, chain)
    d.dependence = china_dependence(a, b, sa, sb)
    return d


# what dependence.py reads of a plan: table -> keys, values
PLAN_TABLES = {"unmet": (["region", "commodity"], ["year", "demand_t"]),
               "trade": (["from_region", "to_region", "commodity"], ["year", "flow_t"]),
               "origin": (["region", "material", "stage", "tracked_region"], ["year", "tagged_t", "consumption_t"])}


def _plan_tables(folder: Path) -> dict[str, pd.DataFrame]:
    """unmet, trade and (where written) origin of a result folder, years as numbers."""
    out = {}
    for name, (keys, values) in PLAN_TABLES.items():
        if (folder / "csv" / f"{name}.csv").is_file():
            t = _table(folder, name, keys, values)
            if t["year"].isna().any():
                raise NotAResultFolder(f"{folder / 'csv' / name}.csv: a row without a year")
            out[name] = t.assign(year=t["year"].astype(int))
    return out


def china_dependence(a: Path, b: Path, sa: dict, sb: dict) -> pd.DataFrame:
    """basis, material, stage, year, share_a, share_b, change_pp: the consuming regions' dependence
    on China by stage in the key years, as the report counts it (dependence.py, from each side's
    summary.json `chain` and CSVs): by shipper and, where either side tracks origin, by origin."""
    ta, tb = _plan_tables(a), _plan_tables(b)
    deps = {"by shipper": (by_shipper(ta, sa.get("chain")), by_shipper(tb, sb.get("chain")))}
    if "origin" in ta or "origin" in tb:
        deps["by origin"] = (by_origin(ta.get("origin")), by_origin(tb.get("origin")))
    years = key_years({y for pair in deps.values() for dep in pair for y in dep["year"]})
    parts = [compare(*pair, years).assign(basis=basis) for basis, pair in deps.items()]
    out = pd.concat(parts, ignore_index=True)
    return out[["basis"] + [c for c in out.columns if c != "basis"]]


def _stage_of(folder: Path) -> dict[str, str]:
    """commodity -> the stage of the projects that make it (production.csv outputs)."""
    prod = _table(folder, "production", ["stage", "commodity"], ["quantity_t"])
    made = prod[(prod["quantity_t"] > 0) & (prod["stage"] != "")]
    return dict(zip(made["commodity"], made["stage"]))


def _measures(folder: Path, stage: dict[str, str]) -> pd.DataFrame:
    """measure, stage, region, value: capacity in the last year (t/yr), output, purchases and
    exports by shipper over the horizon (t)."""
    cap = _table(folder, "capacity", ["stage", "region", "year"], ["capacity_tpa"])
    prod = _table(folder, "production", ["stage", "region"], ["quantity_t"])
    sup = _table(folder, "supply", ["region", "commodity"], ["bought_t"])
    trade = _table(folder, "trade", ["from_region", "commodity"], ["flow_t"])
    last = cap["year"].astype(int).max() if len(cap) else 0
    parts = [cap[cap["year"].astype(int) == last].assign(measure=f"capacity {last} (t/yr)", value=cap["capacity_tpa"]),
             prod[prod["quantity_t"] > 0].assign(measure="output (t)", value=prod["quantity_t"]),
             sup.assign(measure="purchases (t)", stage=sup["commodity"].map(stage), value=sup["bought_t"]),
             trade.rename(columns={"from_region": "region"}).assign(
                 measure="exports by shipper (t)", stage=trade["commodity"].map(stage), value=trade["flow_t"])]
    out = pd.concat([p[["measure", "stage", "region", "value"]] for p in parts], ignore_index=True)
    out["stage"] = out["stage"].replace("", np.nan).fillna("no stage")
    out["value"] = out["value"].astype(float)  # object when a side lacks a table
    return out.groupby(["measure", "stage", "region"], sort=False, as_index=False)["value"].sum()


def aggregate(a: Path, b: Path, rtol: float = RTOL, atol: float = ATOL, chain: dict | None = None) -> pd.DataFrame:
    """Capacity, output, purchases and trade by stage x region where they changed beyond the
    tolerance (rounded to the tonne), largest change first within each measure. A commodity's
    stage: summary.json's `chain` (`chain`: commodity -> stage), else that of the projects
    that make it."""
    stage = _stage_of(a) | _stage_of(b) | (chain or {})
    m = _measures(a, stage).merge(_measures(b, stage), on=["measure", "stage", "region"], how="outer",
                                  suffixes=("_a", "_b")).fillna({"value_a": 0.0, "value_b": 0.0})
    m = m[~close(m["value_a"], m["value_b"], rtol, max(atol, 0.5))]
    m = m.assign(delta=m["value_b"] - m["value_a"])
    m["pct"] = np.where(m["value_a"].abs() > 0, m["delta"] / m["value_a"].abs().where(m["value_a"] != 0), np.nan)
    order = {k: i for i, k in enumerate(m["measure"].unique())}
    m = m.assign(_o=m["measure"].map(order), _s=-m["delta"].abs())
    return m.sort_values(["_o", "_s", "stage", "region"], kind="stable").drop(columns=["_o", "_s"]).reset_index(drop=True)


from .diff_view import text, write_xlsx  # noqa: E402  (the views read Diff)


