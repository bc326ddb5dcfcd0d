"""The two views of a `reeplan diff` (diff.py computes it): the terminal text and diff.xlsx.

Both lead with the headline (the objective and each cost component, absolute and %), then the
aggregate by stage x region (capacity, output, purchases, exports by shipper), then the largest
changes across builds, purchases, trade and policies, then the detail: by default the first
DETAIL rows of each table, all of them with `--all-rows`. Rows whose every value moves by less
than FOLD (relative), such as per-year price wobbles, are folded into one line. A side without
a plan (infeasible) points to its infeasibility.md instead of listing its rows as removed.
Projects, policies, regions and commodities are named where summary.json carries names.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .analysis import label
from .costs import COMPONENTS

DETAIL, TOP, TOP_POLICIES, AGG_ROWS = 10, 15, 5, 8
FOLD = 1e-3  # relative: a change smaller than 0.1 % in every value is noise for a reader
NO_PLAN = ("infeasible", "infeasible_or_unbounded", "unbounded", "time_limit")
# section -> the key that names an item and how its rows add up to one figure (kind, unit)
TOP_ITEMS = {"builds": (["project"], "capacity_tpa", "build", "t/yr"),
             "supply": (["region", "commodity"], "bought_t", "purchase", "t"),
             "trade": (["from_region", "to_region", "commodity"], "flow_t", "trade", "t")}


def num(x, digits: int = 0) -> str:
    if x is None or (isinstance(x, float) and np.isnan(x)):
        return ""
    text = f"{float(x):,.{digits}f}"
    return text[1:] if text.startswith("-") and not text.strip("-0.,") else text


def signed(x, digits: int = 0) -> str:
    s = num(x, digits)
    return s if not s or s.startswith("-") else "+" + s


def pct(x) -> str:
    return "" if x is None or pd.isna(x) else f"{'+' if x >= 0 else ''}{x:.1%}"


def side_names(d) -> tuple[str, str]:
    """The scenario names, or the folder names when both sides are the same scenario."""
    a, b = (s.get("scenario") or "" for s in d.sides)
    if a and b and a != b:
        return a, b
    return Path(d.a).name or "a", Path(d.b).name or "b"


def _names(d) -> dict:
    out: dict = {}
    for s in d.sides:
        for kind, m in (s.get("names") or {}).items():
            out.setdefault(kind, {}).update(m)
    return out


def no_plan(d) -> list[str]:
    """Sentences for a side without a plan, pointing at its diagnosis."""
    out = []
    for side, s, folder in zip(side_names(d), d.sides, (d.a, d.b)):
        if s.get("status") in NO_PLAN:
            md = Path(folder) / "infeasibility.md"
            why = f"; see {md} for why" if md.is_file() else ""
            out.append(f"{side} has no plan (status {s.get('status')}): nothing to compare row by row{why}.")
    return out


def headline(d) -> pd.DataFrame:
    """item, a, b, delta, pct of the objective and every cost component (USD million)."""
    ca, cb = (s.get("cost_by_component_musd") or {} for s in d.sides)
    rows = [("total cost (objective)", d.sides[0].get("objective_musd"), d.sides[1].get("objective_musd"))]
    rows += [(c, ca.get(c), cb.get(c)) for c in COMPONENTS if c in ca or c in cb]
    df = pd.DataFrame(rows, columns=["item", "a", "b"]).astype({"a": float, "b": float})
    df["delta"] = df["b"] - df["a"]
    df["pct"] = (df["delta"] / df["a"].abs()).where(df["a"].abs() > 0)
    return df[(df["a"].fillna(0) != 0) | (df["b"].fillna(0) != 0) | (df.index == 0)].reset_index(drop=True)


def top_changes(d) -> pd.DataFrame:
    """kind, item, unit, a, b, delta: builds, purchases and trade totalled per item over the
    horizon, largest change first (TOP rows); then the policies whose mean achieved share
    moved most (TOP_POLICIES rows)."""
    names, sections, rows = _names(d), {s.name: s for s in d.sections}, []
    for name, (keys, value, kind, unit) in TOP_ITEMS.items():
        s = sections.get(name)
        if s is None or not len(s.table) or s.full is None:
            continue
        ta, tb = (t.groupby(keys)[value].sum() for t in s.full)
        both = pd.concat([ta.rename("a"), tb.rename("b")], axis=1).fillna(0.0)
        both = both.loc[both.index.isin(s.table.set_index(keys).index.unique())]
        for k, r in both.iterrows():
            k = k if isinstance(k, tuple) else (k,)
            item = label(k[0], names.get("projects")) if name == "builds" else \
                f"{label(k[1], names.get('commodities'), short=True)} bought in {k[0]}" if name == "supply" else \
                f"{label(k[2], names.get('commodities'), short=True)} {k[0]} -> {k[1]}"
            rows.append((kind, item, unit, r["a"], r["b"]))
    df = pd.DataFrame(rows, columns=["kind", "item", "unit", "a", "b"])
    df = df.assign(delta=df["b"] - df["a"]).sort_values("delta", key=abs, ascending=False, kind="stable").head(TOP)
    pol = sections.get("policies")
    if pol is not None and len(pol.table) and pol.full is not None:
        ma, mb = (t.groupby("policy")["achieved_share"].mean() for t in pol.full)
        p = pd.concat([ma.rename("a"), mb.rename("b")], axis=1).assign(kind="policy", unit="mean share")
        p = p.assign(delta=p["b"] - p["a"]).dropna(subset=["delta"])
        p = p[p["delta"].abs() > FOLD].sort_values("delta", key=abs, ascending=False, kind="stable").head(TOP_POLICIES)
        p["item"] = [label(k, names.get("policies")) for k in p.index]
        df = pd.concat([df, p.reset_index(drop=True)[df.columns]], ignore_index=True)
    return df.reset_index(drop=True)


def fold(table: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """(the rows worth reading, how many changed rows moved by less than FOLD in every value)."""
    if not len(table):
        return table, 0
    small = table["change"] == "changed"
    for c in [c[:-2] for c in table.columns if c.endswith("_a")]:
        a, b = table[f"{c}_a"].astype(float), table[f"{c}_b"].astype(float)
        scale = np.maximum(a.abs(), b.abs())
        small &= ((b - a).abs() <= FOLD * scale) | (scale == 0)
    return table[~small], int(small.sum())


# ---------------------------------------------------------------- the terminal text
def _block(df: pd.DataFrame) -> list[str]:
    return ["  " + line.rstrip() for line in df.to_string(index=False).splitlines()]


def _digits(values: pd.DataFrame) -> int:
    """Decimals that show the table's numbers: 4 below 1, 2 below 100, else none."""
    top = float(np.nanmax(np.abs(values.to_numpy(dtype=float)))) if values.size else 0.0
    return 4 if top < 1 else 2 if top < 100 else 0


def _fmt_values(df: pd.DataFrame) -> pd.DataFrame:
    """Numbers as text: shares and % changes as percentages, the rest with thousands separators
    and the same decimals for a quantity's two sides and its change."""
    out = df.copy()
    groups: dict[str, list[str]] = {}
    for c in out.columns:
        if pd.api.types.is_float_dtype(out[c]) and "share" not in c and not c.endswith("pct"):
            groups.setdefault(c.rsplit("_", 1)[0] if c[-2:] in ("_a", "_b") or c.endswith("_delta") else "", []).append(c)
    for cols in groups.values():
        k = _digits(out[cols])
        for c in cols:
            out[c] = out[c].map(lambda v, k=k, c=c: signed(v, k) if c.endswith(("delta", "change")) else num(v, k))
    for c in out.columns:
        if c.endswith("pct"):
            out[c] = out[c].map(pct)
        elif "share" in c and pd.api.types.is_float_dtype(out[c]):
            out[c] = out[c].map(lambda v: "" if pd.isna(v) else f"{v:.1%}")
    return out


def text(d, all_rows: bool = False) -> str:
    """The terminal report."""
    na, nb = side_names(d)
    lines = [f"reeplan diff {d.a} {d.b}", f"  a = {na}, b = {nb}"]
    if len(d.inputs):
        lines.append("inputs (context):")
        lines += [f"  {r.item}: {r.a}  ->  {r.b}" for r in d.inputs.itertuples()]
    if not d.differs:
        lines.append("no differences")
        return "\n".join(lines) + "\n"
    status = [s.get("status") for s in d.sides]
    if status[0] != status[1]:
        lines.append(f"status: {status[0]}  ->  {status[1]}")
    missing = no_plan(d)
    h = headline(d)
    lines.append("headline (USD million, discounted):")
    lines += _block(_fmt_values(h.rename(columns={"a": na, "b": nb})))
    if missing:
        return "\n".join(lines + missing) + "\n"
    if d.aggregate is not None and len(d.aggregate):
        lines.append("by stage and region (changed only):")
        agg = d.aggregate if all_rows else d.aggregate.groupby("measure", sort=False).head(AGG_ROWS)
        if len(agg) < len(d.aggregate):
            lines.append(f"  (the {AGG_ROWS} largest changes of each measure; --all-rows for all)")
        agg = agg.rename(columns={"value_a": na, "value_b": nb, "delta": "change"})
        lines += _block(_fmt_values(agg).rename(columns={"change": "change", "pct": "change %"}))
    top = top_changes(d)
    if len(top):
        lines.append(f"largest changes (top {TOP} builds, purchases and trade by size; top {TOP_POLICIES} policies):")
        fmt = top.assign(a=[f"{v:.1%}" if k == "policy" else num(v) for k, v in zip(top["kind"], top["a"])],
                         b=[f"{v:.1%}" if k == "policy" else num(v) for k, v in zip(top["kind"], top["b"])],
                         delta=[f"{v:+.1%}" if k == "policy" else signed(v) for k, v in zip(top["kind"], top["delta"])])
        lines += _block(fmt.rename(columns={"a": na, "b": nb, "delta": "change"}))
    lines.append("detail" + ("" if all_rows else f" (first {DETAIL} rows of each; --all-rows for all)") + ":")
    for s in d.sections:
        if not len(s.table):
            continue
        counts = s.counts()
        lines.append(f"{s.title}: " + ", ".join(f"{counts[k]} {k}" for k in ("added", "removed", "changed")
                                                if k in counts))
        shown, folded = (s.table, 0) if all_rows else fold(s.table)
        if folded:
            lines.append(f"  ({folded} rows that change by less than {FOLD:.1%} folded)")
        if len(shown):
            limit = len(shown) if all_rows else DETAIL
            lines += _block(_rename(_fmt_values(shown.head(limit)), na, nb))
            if len(shown) > limit:
                lines.append(f"  ... and {len(shown) - limit} more rows (--all-rows, or --xlsx PATH)")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- diff.xlsx
def _rename(df: pd.DataFrame, na: str, nb: str) -> pd.DataFrame:
    """`<value>_a`/`_b` -> `<value> (<scenario>)`."""
    def name(c: str) -> str:
        if c.endswith("_a") or c == "a" or c == "value_a":
            return f"{c[:-2] or 'value'} ({na})" if c != "a" else na
        if c.endswith("_b") or c == "b" or c == "value_b":
            return f"{c[:-2] or 'value'} ({nb})" if c != "b" else nb
        return c
    return df.rename(columns=name)


def _format(c: str, values: pd.Series) -> str | None:
    from .write.cells import number_format

    if c.endswith("pct") or "share" in c:
        return "0.0%"
    if not pd.api.types.is_numeric_dtype(values) or c.endswith("year"):
        return None
    return number_format(c.split(" (")[0]) or ("#,##0.0" if values.abs().max() < 1000 else "#,##0")


def write_xlsx(d, path: Path) -> Path:
    """diff.xlsx: headline, aggregate, largest changes, then every changed row per table; columns
    named by scenario, numbers formatted, each sheet landscape, one page wide, header repeated."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    from .write.cells import print_setup

    na, nb = side_names(d)
    sheets = {"headline": headline(d), "by stage and region": d.aggregate, "largest changes": top_changes(d),
              "inputs": d.inputs}
    sheets.update({s.name: s.table for s in d.sections})
    wb = Workbook()
    wb.remove(wb.active)
    for title, df in sheets.items():
        df = _rename(df if df is not None else pd.DataFrame(), na, nb)
        ws = wb.create_sheet(title[:31])
        ws.append([str(c) for c in df.columns])
        for c in ws[1]:
            c.font = Font(bold=True)
        for row in df.itertuples(index=False):
            ws.append([None if isinstance(v, float) and np.isnan(v) else v for v in row])
        for j, c in enumerate(df.columns, start=1):
            fmt = _format(str(c), df[c])
            if fmt:
                for (cell,) in ws.iter_rows(min_row=2, min_col=j, max_col=j):
                    cell.number_format = fmt
            width = max([len(str(c))] + [len(str(v)) for v in df[c].head(200)]) + 2
            ws.column_dimensions[get_column_letter(j)].width = min(max(width, 9), 45)
        ws.freeze_panes = "A2"
        ws.print_title_rows = "1:1"
        print_setup(ws)  # widths above come from raw values, so no orientation or pages across from them
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return Path(path)
