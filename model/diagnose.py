"""Why is it infeasible? An elastic re-solve that names the hard rows that had to give way.

Every hard row gets a violation variable at a large, undiscounted-equal price
(`costs.VIOLATION_PENALTY` USD million per unit):

    demand rows  (balance with demand > 0 and no unmet-demand penalty):  lhs + v >= demand
    budget rows:                                                           lhs - v <= amount
    hard policy rows:   min_domestic_share  lhs + v >= target,   max_supplier_share  lhs - v <= target
    minimum-output rows:                                                   act - ... + v >= minimum

The elastic copy is always feasible; the rows with v > 0 are reported by their workbook
identity (sheet, id, year, region, supplier) with the amount and its unit. Rows that no
variable can touch (`Study.impossible`) are reported as they are.
"""

from __future__ import annotations

import dataclasses

import pandas as pd

from .analysis import TOL
from .data import Row, Study
from .lp import build_model
from .lp.names import ROWS, VIOLATION
from .solve import solve_model

COLUMNS = ["sheet", "id", "year", "region", "supplier", "item", "amount", "unit", "message"]

# which rows are hard (may be relaxed): demand rows without unmet-demand penalty, every budget and
# minimum-output row, policy rows without a shortfall variable
HARD = {
    "balance": lambda r: r.rhs > 0 and not any(v[0] == "unmet" for v in r.terms),
    "budget": lambda r: True,
    "policy": lambda r: not any(v[0] == "short" for v in r.terms),
    "min_output": lambda r: True,
    "origin_link": lambda r: False,  # tags can always follow the physical plan
    "origin_balance": lambda r: False,
    "origin_disposal": lambda r: False,
    "lumpy": lambda r: False,  # a build may always be 0
}


def elastic_copy(s: Study) -> Study:
    violations: list[tuple[str, tuple]] = []

    def relax(family: str, rows: dict) -> dict:
        out = {}
        for key, row in rows.items():
            if HARD[family](row):
                sign = 1.0 if row.sense == ">=" else -1.0
                row = Row({**row.terms, (VIOLATION, len(violations)): sign}, row.sense, row.rhs, row.year, row.info)
                violations.append((family, key))
            out[key] = row
        return out

    rows = {family: relax(family, rows) for family, rows in s.rows.items()}
    return dataclasses.replace(s, rows=rows, violations=violations, impossible=[])


def qty(x: float) -> str:
    """A quantity for a sentence: thousands separators for large, three digits for small."""
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.3g}"


def _record(family: str, key: tuple, info: dict, amount: float) -> dict:
    sheet = ROWS[family].sheet
    if family == "min_output":
        p, y = key
        return {"sheet": sheet, "id": p, "year": y, "region": "", "supplier": "", "item": "output",
                "amount": amount, "unit": "t",
                "message": f"project {p} must run {qty(amount)} t more in {y} than its inputs, routes and "
                           "demand allow (min_output_share); lower its minimum output or give it inputs"}
    if family == "balance":
        r, c, y = key
        return {"sheet": sheet, "id": f"{r}/{c}", "year": y, "region": r, "supplier": "", "item": c,
                "amount": amount, "unit": f"t {c}",
                "message": f"demand for {c} in {r} in {y}: {qty(amount)} t cannot be served by the projects, "
                           f"offers and routes available; add supply or give {c} an unmet_penalty_usd_per_t"}
    if family == "budget":
        b, y = key
        carry = " (running sum, with carryover)" if info.get("carryover") else ""
        return {"sheet": sheet, "id": b, "year": y, "region": info.get("region", ""), "supplier": "",
                "item": "capital", "amount": amount, "unit": "USD million",
                "message": f"budget {b} in {y} is {qty(amount)} USD million short{carry} of the spending that "
                           "demand and the hard targets need"}
    k, q, y = key
    m, g, region = info["material"], info["stage"], info["region"]
    if info["kind"] == "min_domestic_share":
        what = "capacity" if info.get("basis") == "capacity" else "output"
        msg = (f"policy {k} in {region} needs {qty(amount)} t more {m} {g} {what} in {y} than the "
               "projects and budgets allow")
    else:
        msg = (f"policy {k} in {region}: {qty(amount)} t of {m} at stage {g} from {q} in {y} exceed the "
               f"{info['share']:.0%} cap and nothing else can replace them")
    return {"sheet": sheet, "id": k, "year": y, "region": region, "supplier": q, "item": m,
            "amount": amount, "unit": f"t {m}", "message": msg}


def diagnose(s: Study) -> pd.DataFrame:
    """The rows that had to give way, one per row and year, sorted by sheet, id, year, supplier."""
    recs = []
    for r in s.impossible:
        family = "balance" if r["family"] == "balance" else "policy"
        recs.append(_record(family, r["key"], r, r["rhs"]))
    e = elastic_copy(s)
    if e.violations:
        sol, _ = solve_model(build_model(e), e)
        if sol.has_plan:
            for i, (family, key) in enumerate(e.violations):
                v = sol.values[VIOLATION].get(i, 0.0)
                if v > TOL:
                    recs.append(_record(family, key, s.rows[family][key].info, v))
    df = pd.DataFrame.from_records(recs, columns=COLUMNS)
    return df.sort_values(["sheet", "id", "year", "supplier"], kind="stable").reset_index(drop=True)


def markdown(df: pd.DataFrame, workbook: str) -> str:
    lines = [f"# Why {workbook} is infeasible", ""]
    if df.empty:
        lines.append("HiGHS reported the problem infeasible, but the elastic re-solve found no hard row "
                     "that had to give way; check the solver log and numerical ranges.")
        return "\n".join(lines) + "\n"
    lines += [f"{len(df)} hard row(s) had to give way in the elastic re-solve (every hard demand, budget and "
              "policy row may be violated at a large price; the smallest violations are shown). "
              "Fix these rows, or make them soft, and solve again.", ""]
    lines += [f"- {m}" for m in df["message"]]
    lines += ["", "| sheet | id | year | region | supplier | amount | unit |", "|---|---|---|---|---|---|---|"]
    lines += [f"| {r.sheet} | {r.id} | {r.year} | {r.region} | {r.supplier} | {r.amount:,.1f} | {r.unit} |"
              for r in df.itertuples(index=False)]
    return "\n".join(lines) + "\n"
