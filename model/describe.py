"""A one-screen summary of a valid study, for `reeplan validate`."""

from __future__ import annotations

import pandas as pd

from .data import Study


def _fmt(x: float) -> str:
    return f"{x:,.0f}"


def _sales_and_stocks(t) -> list[str]:
    """Version 2 sheets, listed only when the study has rows in them."""
    out = []
    for sheet, label, what in (("sales", "sales     ", "outside buyers"), ("stocks", "stocks    ", "stockpiles")):
        df = t[sheet]
        if len(df):
            out.append(f"{label} {len(df)} {what} of " + ", ".join(dict.fromkeys(df["commodity"].dropna())))
    return out


def summary_lines(s: Study) -> list[str]:
    t = s.tables
    lines = [
        f"years      {s.T0}-{s.T1} ({len(s.years)} years), discount rate {s.horizon.discount_rate:g}, "
        f"base year {s.horizon.base_year}, salvage {'yes' if s.horizon.salvage else 'no'}",
        f"regions    {len(t['regions'])}: " + ", ".join(t["regions"]["region"]),
        "materials  " + ", ".join(t["materials"]["material"]),
        f"commodities {len(t['commodities'])}: " + ", ".join(t["commodities"]["commodity"]),
    ]
    projects = pd.DataFrame([vars(p) for p in s.projects.values()]) if s.projects else pd.DataFrame()
    lines.append(f"projects   {len(s.projects)}")
    if not projects.empty:
        # bookkeeping technologies (blank stage) are listed under "no stage"
        by = projects.fillna({"stage": "(no stage)"}).groupby("stage").agg(
            n=("name", "size"), existing=("existing", "sum"), committed=("committed", "sum"),
            candidates=("max_new", lambda v: int((v > 0).sum())), max_new=("max_new", "sum"))
        for r in by.itertuples():
            lines.append(f"  {r.Index:<14} {r.n:>4} projects: existing {_fmt(r.existing)} t/yr, committed "
                         f"{_fmt(r.committed)} t/yr, {r.candidates} candidates up to {_fmt(r.max_new)} t/yr")
    lines.append(f"supply     {len(t['supply'])} offers; trade {len(t['trade'])} route rows")
    lines += _sales_and_stocks(t)
    d = t["demand"]
    lines.append(f"demand     {len(d)} rows")
    if not d.empty:
        for c, g in d.groupby("commodity"):
            first, last = g[g.year == g.year.min()], g[g.year == g.year.max()]
            lines.append(f"  {c:<14} {_fmt(first.quantity_t.sum())} t in {int(g.year.min())} -> "
                         f"{_fmt(last.quantity_t.sum())} t in {int(g.year.max())}")
    b = t["budgets"]
    lines.append(f"budgets    {b['budget'].nunique()} ({_fmt(b['amount_musd'].sum())} USD million in all)")
    p = t["policies"]
    lines.append(f"policies   {len(p)}")
    for r in p.itertuples(index=False):
        soft = "hard" if pd.isna(r.penalty_usd_per_t) else f"soft at {_fmt(r.penalty_usd_per_t)} USD/t"
        lines.append(f"  {r.policy:<28} {r.region} {r.material} {r.kind} {r.stage} {r.share:.0%} ({soft})")
    sc = t["scenarios"]
    names = list(dict.fromkeys(sc["scenario"].dropna()))
    lines.append(f"scenarios  {len(names)}" + (": " + ", ".join(names) if names else ""))
    return lines
