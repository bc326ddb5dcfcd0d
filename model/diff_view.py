"""The two views of a `reeplan diff` (diff.py computes it): the terminal text and diff.xlsx.

Both lead with the headline (the objective and each cost component, named as in the report,
absolute and %); the text then says why in a few lines (the largest changes of builds,
purchases and trade, with the year a flow goes to 0 for good) and shows the dependence on China
by stage in the key years, both sides and the change in percentage points (the report's
figures, dependence.py). Then the aggregate by stage x region (capacity, output, purchases,
exports by shipper), the largest changes across builds, purchases, trade and policies, and the
detail: by default the first DETAIL rows of each table, all of them with `--all-rows`. Rows
whose every value moves by less than FOLD (relative), such as per-year price wobbles, are
folded into one line. A side without a plan (infeasible) points to its infeasibility.md instead
of listing its rows as removed. Ids are shown as the report shows them, 'name (id)' where
either side's summary.json names them (markup.Namer), stages in words."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .analysis import component_label
from .costs import COMPONENTS
from .dependence import stage_words
from .write.markup import Namer

DETAIL, TOP, TOP_POLICIES, AGG_ROWS, IN_SHORT = 10, 15, 5, 8, 3
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


def namer(d) -> Namer:
    """Ids as the report shows them, from both sides' summary.json `names` (b's name wins)."""
    names: dict = {}
    for side in d.sides:
        for kind, m in (side.get("names") or {}).items():
            names.setdefault(kind, {}).update(m)
    return Namer({"names": names})


# key column -> how a reader sees its ids (Namer method)
NAMED = {"project": "project", "policy": "policy", "region": "region", "from_region": "region",
         "to_region": "region", "tracked_region": "region", "commodity": "commodity", "offer": "offer",
         "stock": "stock"}


def named(df: pd.DataFrame, n: Namer) -> pd.DataFrame:
    """Key columns as 'name (id)' where summary.json names the id, stages in words."""
    out = df.copy()
    for c in out.columns.intersection(list(NAMED) + ["stage"]):
        show = (lambda v: stage_words(v) if isinstance(v, str) and v else v) if c == "stage" \
            else getattr(n, NAMED[c])
        out[c] = out[c].map({v: show(v) for v in out[c].unique()})
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
    """item, a, b, delta, pct of the objective and every cost component (USD million), named
    as in the report and plan.xlsx."""
    ca, cb = (s.get("cost_by_component_musd") or {} for s in d.sides)
    rows = [("total cost (objective)", d.sides[0].get("objective_musd"), d.sides[1].get("objective_musd"))]
    rows += [(component_label(c), ca.get(c), cb.get(c)) for c in COMPONENTS if c in ca or c in cb]
    df = pd.DataFrame(rows, columns=["item", "a", "b"]).astype({"a": float, "b": float})
    df["delta"] = df["b"] - df["a"]
    df["pct"] = (df["delta"] / df["a"].abs()).where(df["a"].abs() > 0)
    return df[(df["a"].fillna(0) != 0) | (df["b"].fillna(0) != 0) | (df.index == 0)].reset_index(drop=True)


def _item(name: str, k: tuple, n: Namer) -> str:
    if name == "builds":
        return n.project(k[0])
    if name == "supply":
        return f"{n.commodity(k[1])} bought in {n.region(k[0])}"
    return f"{n.commodity(k[2])} {n.region(k[0])} -> {n.region(k[1])}"


def gone_from(a: pd.Series, b: pd.Series) -> int | None:
    """The first year from which `b` is 0 to the end of the horizon while `a` is not (both per
    year, a missing year is 0): 'Chinese magnet purchases went to 0 in 2027'. None when b never
    goes to 0 for good, or is 0 throughout (the totals say so)."""
    both = pd.concat([a.rename("a"), b.rename("b")], axis=1).fillna(0.0).sort_index()
    zero = (both["b"].abs() <= 0.5)[::-1].cummin()[::-1]  # 0 from this year on (tonnes)
    if not zero.any() or zero.all():
        return None
    first = zero.idxmax()
    return int(first) if (both.loc[first:, "a"].abs() > 0.5).any() else None


def top_changes(d) -> pd.DataFrame:
    """kind, item, unit, a, b, delta, note: builds, purchases and trade totalled per item over
    the horizon, largest change first (TOP rows), with the year b goes to 0 for good (`note`);
    then the policies whose mean achieved share moved most (TOP_POLICIES rows)."""
    n, sections, rows = namer(d), {s.name: s for s in d.sections}, []
    for name, (keys, value, kind, unit) in TOP_ITEMS.items():
        s = sections.get(name)
        if s is None or not len(s.table) or s.full is None:
            continue
        year = "start_year" if name == "builds" else "year"
        per = [t.assign(**{year: t[year].astype(int)}).groupby(keys + [year])[value].sum() for t in s.full]
        ta, tb = (p.groupby(level=keys).sum() for p in per)
        both = pd.concat([ta.rename("a"), tb.rename("b")], axis=1).fillna(0.0)
        both = both.loc[both.index.isin(s.table.set_index(keys).index.unique())]
        for k, r in both.iterrows():
            k = k if isinstance(k, tuple) else (k,)
            rows.append((kind, _item(name, k, n), unit, r["a"], r["b"], per, k))
    df = pd.DataFrame(rows, columns=["kind", "item", "unit", "a", "b", "per", "key"])
    df = df.assign(delta=df["b"] - df["a"]).sort_values("delta", key=abs, ascending=False, kind="stable").head(TOP)
    df["note"] = [_note(per, k) for per, k in zip(df["per"], df["key"])]
    df = df.drop(columns=["per", "key"])
    pol = sections.get("policies")
    if pol is not None and len(pol.table) and pol.full is not None:
        ma, mb = (t.groupby("policy")["achieved_share"].mean() for t in pol.full)
        p = pd.concat([ma.rename("a"), mb.rename("b")], axis=1).assign(kind="policy", unit="mean share", note="")
        p = p.assign(delta=p["b"] - p["a"]).dropna(subset=["delta"])
        p = p[p["delta"].abs() > FOLD].sort_values("delta", key=abs, ascending=False, kind="stable").head(TOP_POLICIES)
        p["item"] = [n.policy(k) for k in p.index]
        df = pd.concat([df, p.reset_index(drop=True)[df.columns]], ignore_index=True)
    return df.reset_index(drop=True)


def _note(per: list[pd.Series], key: tuple) -> str:
    """'0 from 2027' when the item's b side goes to 0 for good (gone_from); '0 in 2040' when
    only in the last year."""
    sides = []
    for p in per:  # p: per item and year
        mask = np.ones(len(p), dtype=bool)
        for i, v in enumerate(key):
            mask &= p.index.get_level_values(i) == v
        sides.append(pd.Series(p.to_numpy()[mask], index=p.index.get_level_values(-1)[mask]))
    year = gone_from(*sides)
    last = max(max(side.index, default=0) for side in sides)
    return "" if not year else f"0 in {year}" if year == last else f"0 from {year}"


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


KIND_WORDS = {"build": "new capacity", "purchase": "purchases", "trade": "trade"}


def why(top: pd.DataFrame) -> list[str]:
    """The IN_SHORT largest changes of builds, purchases and trade as sentences."""
    rows = top[top["kind"] != "policy"].head(IN_SHORT)
    return [f"  {KIND_WORDS.get(r.kind, r.kind)}: {r.item}: {num(r.a)} -> {num(r.b)} {r.unit}"
            + (f" ({pct(r.delta / abs(r.a))})" if r.a else "") + (f", {r.note}" if r.note else "")
            for r in rows.itertuples(index=False)]


def dependence_block(d, na: str, nb: str) -> list[str]:
    """Dependence on China by stage, both sides in the key years and the change in percentage
    points, for the material-stage rows that move (by shipper, then by origin); nothing when
    neither side gets anything from China."""
    dep, lines = d.dependence, []
    if dep is None or not (dep[["share_a", "share_b"]].fillna(0) > 0).any(axis=None):
        return lines  # nothing comes from China on either side (or no chain): nothing to say
    for basis, g in dep.groupby("basis", sort=False):
        moved = (g["change_pp"].abs() >= 0.05) | (g["share_a"].isna() != g["share_b"].isna())
        keys = list(dict.fromkeys(zip(g["material"], g["stage"])))
        shown = list(dict.fromkeys(zip(g.loc[moved, "material"], g.loc[moved, "stage"])))
        what = "shipped from China" if basis == "by shipper" else "that is China's work, however it shipped"
        lines.append(f"dependence on China by stage, {basis} (share of the consuming regions' consumption "
                     f"{what}, key years):")
        if not shown:
            lines.append("  unchanged in every key year")
            continue
        wide = {v: g.pivot(index=["material", "stage"], columns="year", values=v)
                for v in ("share_a", "share_b", "change_pp")}
        years, rows = list(wide["share_a"].columns), []
        for k in shown:
            rows.append([k[0], stage_words(k[1]), na] + [_share(v) for v in wide["share_a"].loc[k]])
            rows.append(["", "", nb] + [_share(v) for v in wide["share_b"].loc[k]])
            rows.append(["", "", "change"] + ["n/a" if pd.isna(v) else f"{v:+.1f} pp" for v in wide["change_pp"].loc[k]])
        lines += _block(pd.DataFrame(rows, columns=["material", "stage", ""] + [str(y) for y in years]))
        same = [k for k in keys if k not in shown]
        if same:
            lines.append("  unchanged in every key year: " + ", ".join(f"{m} {stage_words(st).split(' (')[0]}"
                                                                       for m, st in same))
    return lines


def _share(v) -> str:
    return "n/a" if pd.isna(v) else f"{v:.1%}"


def text(d, all_rows: bool = False) -> str:
    """The terminal report."""
    na, nb = side_names(d)
    n = namer(d)
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
    lines.append("headline (USD million, discounted):")
    lines += _block(_fmt_values(headline(d)).rename(columns={"a": na, "b": nb, "delta": "change", "pct": "change %"}))
    if missing:
        return "\n".join(lines + missing) + "\n"
    top = top_changes(d)
    if (top["kind"] != "policy").any():
        lines.append("why: the largest changes over the horizon")
        lines += why(top)
    lines += dependence_block(d, na, nb)
    if d.aggregate is not None and len(d.aggregate):
        lines.append("by stage and region (changed only):")
        agg = d.aggregate if all_rows else d.aggregate.groupby("measure", sort=False).head(AGG_ROWS)
        if len(agg) < len(d.aggregate):
            lines.append(f"  (the {AGG_ROWS} largest changes of each measure; --all-rows for all)")
        agg = named(agg, n).rename(columns={"value_a": na, "value_b": nb, "delta": "change"})
        lines += _block(_fmt_values(agg).rename(columns={"pct": "change %"}))
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
            lines += _block(_rename(_fmt_values(named(shown.head(limit), n)), na, nb))
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

    if c.endswith(("pct", "%")) or "share" in c:
        return "0.0%"
    if not pd.api.types.is_numeric_dtype(values) or c.endswith("year"):
        return None
    return number_format(c.split(" (")[0]) or ("#,##0.0" if values.abs().max() < 1000 else "#,##0")


def write_xlsx(d, path: Path) -> Path:
    """diff.xlsx: headline, dependence on China, aggregate, largest changes, then every changed row
    per table; columns named by scenario, ids named as in the report, numbers formatted, each
    sheet landscape, one page wide, header repeated."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    from .write.cells import print_setup

    na, nb, n = *side_names(d), namer(d)
    sheets = {"headline": headline(d).rename(columns={"delta": "change", "pct": "change %"}),
              "dependence on China": None if d.dependence is None else named(d.dependence, n).rename(
                  columns={"change_pp": "change (pp)"}),
              "by stage and region": None if d.aggregate is None else named(d.aggregate, n).rename(
                  columns={"delta": "change", "pct": "change %"}),
              "largest changes": top_changes(d).rename(columns={"delta": "change"}), "inputs": d.inputs}
    sheets.update({s.name: named(s.table, n) for s in d.sections})
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
