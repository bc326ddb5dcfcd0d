"""`reeplan frontier WORKBOOK --policy ID [--points N]`: the cost of dependence.

One share policy is made hard (its shortfall variables fixed at 0) and its share swept from the
level where it stops binding to the tightest feasible level, each point a warm re-solve in which
only the policy rows' right-hand sides change (share * consumption).

    free end     the policy's rows left free: the largest achieved share over its rows
                 (max_supplier_share) or the smallest (min_domestic_share)
    tight end    found exactly by one LP: the same model with the share a variable sigma in every
                 row of the policy (lhs - sigma * cons <= 0, or >= 0), minimising (maximising) sigma
    per point    total cost, cost by component, the marginal cost of independence (d cost / d share
                 per percentage point, discounted USD million, from the rows' duals: sum_rows dual * cons
                 / 100) and the highest shadow price of a row in USD per t of material (undiscounted),
                 builds by stage and region
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd

from .analysis import TOL
from .errors import InputError, Issue
from .pipeline import load_study
from .results import builds, cost_by_component, costs, policies
from .session import Session
from .write.csv import write_csv
from .write.folder import staged_folder
from .write.tables import write_tables_xlsx


def _policy_rows(s, policy: str) -> list[tuple]:
    return [k for k in s.rows["policy"] if k[0] == policy]


def _achieved(sess: Session, res, keys) -> np.ndarray:
    """Achieved share of each policy row (results.policies: its lhs without the shortfall, constants
    of the capacity basis included, over its consumption)."""
    pol = policies(sess.study, sess.solution(res)).set_index(["policy", "supplier", "year"])
    return pol.loc[keys, "achieved_share"].to_numpy(dtype=float)


def _tight_end(sess: Session, rows: np.ndarray, cons: np.ndarray, const: np.ndarray, kind_max: bool) -> float | None:
    """The tightest feasible share: sigma as a column in the policy rows, optimised alone."""
    h = sess.h
    n0 = h.getNumCol()
    h.addCol(1.0 if kind_max else -1.0, 0.0, 1.0, len(rows), rows.astype(np.int32), -cons.astype(float))
    zero = np.zeros(n0)
    h.changeColsCost(n0, np.arange(n0, dtype=np.int32), zero)
    h.changeObjectiveOffset(0.0)
    # lhs - sigma * cons <= -const (or >=): the rows' constants (capacity basis) stay on the right
    sess.set_row_bounds(rows, -np.inf if kind_max else -const, -const if kind_max else np.inf)
    res = sess.run()
    sigma = float(np.asarray(h.getSolution().col_value)[n0]) if res.status == "optimal" else None
    h.deleteCols(1, np.array([n0], dtype=np.int32))
    sess.set_costs(sess.cost, sess.offset)
    return sigma


def sweep(workbook: str | Path, policy: str, points: int = 8, scenario: str = "base") -> tuple[pd.DataFrame, dict]:
    s = load_study(workbook, scenario)
    keys = _policy_rows(s, policy)
    if not keys:
        known = sorted({k[0] for k in s.rows["policy"]})
        raise InputError([Issue("policies", 0, "policy", policy,
                                f"a policy with rows in this study: {', '.join(known) or 'none'}", s.path)])
    info = s.rows["policy"][keys[0]].info
    kind_max = info["kind"] == "max_supplier_share"
    sess = Session(s)
    rows = sess.rows("policy", keys)
    cons = np.array([s.rows["policy"][k].info["consumption"] for k in keys])
    const = np.array([s.rows["policy"][k].info["share"] * s.rows["policy"][k].info["consumption"]
                      - s.rows["policy"][k].rhs for k in keys])  # capacity-basis constants moved to the rhs
    short = [k for k in keys if k in s.short]
    if short:  # made hard
        sess.set_col_bounds(sess.cols("short", short), 0.0, 0.0)
    sess.set_row_bounds(rows, -np.inf, np.inf)
    free = sess.run()
    if free.x is None:
        raise RuntimeError(f"the study without policy {policy} is {free.status}")
    achieved = _achieved(sess, free, keys)
    start = float(achieved.max() if kind_max else achieved.min())
    tight = _tight_end(sess, rows, cons, const, kind_max)
    if tight is None:
        raise RuntimeError(f"no share of policy {policy} is feasible")
    shares = np.linspace(start, tight, max(points, 2))
    recs = []
    df = s.df
    for share in shares:
        rhs = share * cons - const
        sess.set_row_bounds(rows, -np.inf if kind_max else rhs, rhs if kind_max else np.inf)
        res = sess.run()
        rec = {"share": float(share), "status": res.status}
        if res.x is not None:
            sol = sess.solution(res)
            duals = res.row_dual[rows]
            tables = {"costs": costs(s, sol)}
            rec["objective_musd"] = sol.objective
            rec.update({f"{c}_musd": v for c, v in cost_by_component(tables).items()})
            sign = -1.0 if kind_max else 1.0  # a binding row's price is >= 0 (results.py)
            rec["marginal_cost_musd_per_point"] = float(sign * np.dot(duals, cons)) / 100
            prices = [sign * d / df[k[2]] * 1e6 for d, k in zip(duals, keys)]
            rec["max_shadow_price_usd_per_t"] = float(max(prices)) if prices else 0.0
            b = builds(s, sol)
            for (g, r), v in b.groupby(["stage", "region"], dropna=False)["capacity_tpa"].sum().items():
                rec[f"built {g if isinstance(g, str) else 'no stage'} {r} tpa"] = float(v)
        recs.append(rec)
    out = pd.DataFrame.from_records(recs)
    built = [c for c in out.columns if c.startswith("built ")]
    out.loc[out.status == "optimal", built] = out.loc[out.status == "optimal", built].fillna(0.0)
    fixed = ["share", "status", "objective_musd"]
    rest = sorted(c for c in out.columns if c not in fixed)
    out = out[[c for c in fixed if c in out.columns] + rest]
    if abs(tight - start) <= TOL:
        meta_note = (f"policy {policy} cannot move: it stops binding where it is also at its tightest feasible "
                     f"share ({start:.1%}); nothing in the study can change what it counts")
    else:
        meta_note = ""
    meta = {"note": meta_note, "policy": policy, "kind": info["kind"], "region": info["region"], "material": info["material"],
            "stage": info["stage"], "free_share": start, "tightest_share": tight, "scenario": scenario,
            "relaxed": sess.relaxed}  # lumpy builds solved as their LP relaxation
    return out, meta


def _chart(df: pd.DataFrame, meta: dict, path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ok = df[df.status == "optimal"].copy()
    ok["added"] = ok["objective_musd"] - ok["objective_musd"].iloc[0] if len(ok) else 0.0
    with matplotlib.rc_context({"text.parse_math": False}):
        fig, ax = plt.subplots(figsize=(8, 4.5))
        ax.plot(ok["share"] * 100, ok["added"], marker="o", color="#1f4e79")
        for (x0, y0), (x1, y1) in zip(ok[["share", "added"]].values[:-1], ok[["share", "added"]].values[1:]):
            if abs(x1 - x0) > TOL:
                slope = (y1 - y0) / ((x1 - x0) * 100)
                ax.annotate(f"{slope:,.1f} per pt", ((x0 + x1) * 50, (y0 + y1) / 2), fontsize=8, color="#555555",
                            ha="center", va="bottom")
        ax.set_xlabel(f"{meta['policy']}: share (%)")
        ax.set_ylabel("added cost (USD million, discounted)")
        ax.set_title(f"Cost of dependence: {meta['region']} {meta['material']} {meta['stage']} "
                     f"({meta['kind'].replace('_', ' ')})")
        ax.set_ylim(bottom=0)
        if meta["kind"] == "max_supplier_share":
            ax.invert_xaxis()  # tighter to the right
        fig.tight_layout()
        fig.savefig(path, dpi=110)
        plt.close(fig)


def write_frontier(workbook: str | Path, policy: str, points: int = 8, out: str | Path = "outputs",
                   scenario: str = "base") -> tuple[Path, pd.DataFrame, dict]:
    t0 = time.perf_counter()
    df, meta = sweep(workbook, policy, points, scenario)
    meta["seconds"] = time.perf_counter() - t0
    folder = Path(out) / Path(workbook).stem / "frontier" / policy
    with staged_folder(folder, plan=True) as stage:
        write_csv(df, stage.path / "frontier.csv")
        write_tables_xlsx(stage.path / "frontier.xlsx", {"frontier": df})
        _chart(df, meta, stage.path / "frontier.png")
        import json
        (stage.path / "summary.json").write_text(json.dumps(meta, indent=2, default=str) + "\n")
    return stage.folder, df, meta
