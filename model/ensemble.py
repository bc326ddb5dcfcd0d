"""`reeplan ensemble`: Monte Carlo over the uncertainty sheet, summarised as distributions.

The client reads and validates the workbook, draws every sample (model.ensemble_sample), sends
the tables to the workers once and each sample's drawn values with its task; workers return
small tables (model.ensemble_solve) and the client writes OUT/<stem>/ensemble/ atomically:

    samples.csv         per sample: drawn values, status, objective, costs, builds by stage x
                        region, each policy's shortfall and highest shadow price, Western shares
    robust_builds.csv   per project: share of solved samples that build it, capacity quantiles
    policies.csv        per policy and year: probability the target is met
    fans.csv            quantiles by year of the cost and of the Western share by stage
    charts/fan_*.png, report.md, summary.json

Rows are ordered by sample number and by key, never by arrival, so the CSV files depend only
on the workbook, the scenario and the seed, whatever the executor.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from .batch import map_shared
from .ensemble_sample import SHEET, draw, parse, parameters
from .ensemble_solve import TOL, SampleResult, solve_sample
from .errors import InputError, Issue
from .pipeline import read_workbook, scenario_tables
from .read import Tables
from .scenarios import BASE
from .write.csv import write_csv
from .write.folder import staged_folder

FOLDER = "ensemble"
QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


@dataclass
class Ensemble:
    folder: Path
    results: list[SampleResult]
    samples: pd.DataFrame
    robust: pd.DataFrame
    policies: pd.DataFrame
    seconds: float

    @property
    def failed(self) -> list[SampleResult]:
        return [r for r in self.results if not r.has_plan]


def prepare(workbook: str | Path, scenario: str) -> tuple[Tables, list]:
    """The validated tables (the scenario checked) and the uncertainty rows; InputError otherwise."""
    tables = read_workbook(workbook)
    scenario_tables(tables, scenario)  # an unknown scenario is an input error
    rows, _ = parse(tables)
    if not rows:
        raise InputError([Issue(SHEET, 0, "", "", "rows: reeplan ensemble draws the parameters of sheet uncertainty "
                                "(parameter | sheet | where | column | op | distribution | a | b | c | group)",
                                tables.path)])
    return tables, rows


def run_ensemble(workbook: str | Path, out: str | Path, samples: int, seed: int = 0, scenario: str = BASE,
                 jobs: int = 1, scheduler: str | None = None,
                 done: Callable[[SampleResult], None] | None = None) -> Ensemble:
    """Draw, solve and summarise `samples` samples; write OUT/<stem>/ensemble/."""
    t0 = time.perf_counter()
    tables, rows = prepare(workbook, scenario)
    values = draw(rows, samples, seed)
    shared = replace(tables, frames={**tables.frames, SHEET: tables.frames[SHEET].iloc[0:0]})  # workers need no draws
    items = {int(i): (scenario, rows, int(i), {k: _plain(v) for k, v in r.items()}) for i, r in values.iterrows()}
    got: dict[int, SampleResult] = {}

    def arrived(i: int, r: SampleResult) -> None:
        got[i] = r
        (done or (lambda r: None))(r)

    def died(i: int, message: str) -> None:
        arrived(i, SampleResult(i, "error", message=message))

    map_shared(solve_sample, shared, items, jobs=jobs, scheduler=scheduler, arrived=arrived, died=died)
    results = [got[i] for i in sorted(got)]
    ens = Ensemble(Path(out) / Path(workbook).stem / FOLDER, results, samples_table(values, results),
                   robust_builds(results), policy_odds(results), 0.0)
    fans = fan_table(results)
    ens.seconds = time.perf_counter() - t0
    summary = {"workbook": str(workbook), "scenario": scenario, "samples": samples, "seed": seed,
               "parameters": [r.parameter for r in parameters(rows)], "solved": len(results) - len(ens.failed),
               "failed": {str(r.sample): f"{r.status}: {r.message}" for r in ens.failed},
               "executor": scheduler or f"jobs {jobs}", "seconds": ens.seconds}
    with staged_folder(ens.folder) as stage:
        write_csv(ens.samples, stage.path / "samples.csv")
        write_csv(ens.robust, stage.path / "robust_builds.csv")
        write_csv(ens.policies, stage.path / "policies.csv")
        write_csv(fans, stage.path / "fans.csv")
        from .ensemble_report import write_fan_charts, write_report

        charts = write_fan_charts(stage.path, fans)
        write_report(stage.path, ens, summary, charts)
        (stage.path / "summary.json").write_text(json.dumps(summary, indent=2, default=str) + "\n")
    return ens


def _plain(v):
    """A drawn value as a plain Python value (numpy scalars pickle larger and print differently)."""
    return v if isinstance(v, str) else float(v)


# ---------------------------------------------------------------- tables
def _solved(results: list[SampleResult]) -> list[SampleResult]:
    return [r for r in results if r.has_plan]


def _stack(results: list[SampleResult], part: str) -> pd.DataFrame:
    frames = [getattr(r, part).assign(sample=r.sample) for r in _solved(results) if getattr(r, part) is not None]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["sample"])


def _wide(df: pd.DataFrame, keys: list[str], value: str, name: Callable[[tuple], str], how: str) -> pd.DataFrame:
    """Per sample, one column per key of `df` (aggregated by `how`), columns in key order."""
    if df.empty:
        return pd.DataFrame(index=pd.Index([], name="sample"))
    w = df.groupby(["sample"] + keys, sort=True)[value].agg(how).unstack(keys)
    w.columns = [name(k if isinstance(k, tuple) else (k,)) for k in w.columns]
    return w


def samples_table(values: pd.DataFrame, results: list[SampleResult]) -> pd.DataFrame:
    """One row per sample: drawn values, status, objective and the summaries of its plan."""
    base = pd.DataFrame({"sample": [r.sample for r in results], "status": [r.status for r in results],
                         "objective_musd": [r.objective for r in results]}).set_index("sample")
    costs = pd.DataFrame({r.sample: r.costs for r in _solved(results)}).T.add_suffix("_musd")
    b = _stack(results, "builds")
    builds = _wide(b, ["stage", "region"], "capacity_tpa", lambda k: f"build_{k[0]}_{k[1]}_tpa", "sum")
    if not builds.empty:
        builds = builds.reindex(costs.index).fillna(0.0)  # a solved sample that builds nothing there
    p = _stack(results, "policies")
    short = _wide(p, ["policy"], "shortfall_t", lambda k: f"shortfall_{k[0]}_t", "sum")
    price = _wide(p, ["policy"], "shadow_price_usd_per_t", lambda k: f"shadow_price_{k[0]}_usd_per_t", "max")
    s = _stack(results, "shares")
    last = s[s["year"] == s.groupby("sample")["year"].transform("max")] if not s.empty else s
    shares = _wide(last, ["stage"], "western_share", lambda k: f"western_share_{k[0]}_last_year", "first")
    drawn = values.copy()
    drawn.index.name = "sample"
    out = drawn.join([base, costs, builds, short, price, shares], how="left")
    return out.reset_index()


def robust_builds(results: list[SampleResult]) -> pd.DataFrame:
    """Per project built in any solved sample: the share of solved samples that build it and the
    quantiles of its new capacity (samples that do not build it count as 0)."""
    cols = ["project", "stage", "region", "built_share", "mean_tpa", "p10_tpa", "p50_tpa", "p90_tpa", "max_tpa"]
    b = _stack(results, "builds")
    solved = [r.sample for r in _solved(results)]
    if b.empty or not solved:
        return pd.DataFrame(columns=cols)
    cap = b.pivot_table(index=["project", "stage", "region"], columns="sample", values="capacity_tpa",
                        aggfunc="sum").reindex(columns=solved).fillna(0.0)
    x = cap.to_numpy()
    out = pd.DataFrame({"built_share": (x > TOL).mean(axis=1), "mean_tpa": x.mean(axis=1),
                        "p10_tpa": np.quantile(x, 0.1, axis=1), "p50_tpa": np.quantile(x, 0.5, axis=1),
                        "p90_tpa": np.quantile(x, 0.9, axis=1), "max_tpa": x.max(axis=1)}, index=cap.index)
    out = out[out["max_tpa"] > TOL].reset_index()
    return out.sort_values(["built_share", "mean_tpa", "project"], ascending=[False, False, True],
                           kind="stable")[cols].reset_index(drop=True)


def policy_odds(results: list[SampleResult]) -> pd.DataFrame:
    """Per policy and year: the probability (share of solved samples) that the target is met,
    that it binds, and the mean shortfall and median shadow price."""
    cols = ["policy", "kind", "region", "material", "stage", "year", "share", "samples", "p_met", "p_binding",
            "mean_shortfall_t", "median_shadow_price_usd_per_t"]
    p = _stack(results, "policies")
    if p.empty:
        return pd.DataFrame(columns=cols)
    g = p.groupby(["policy", "year"], sort=True)
    out = g[["kind", "region", "material", "stage", "share"]].first()
    out["samples"] = g["sample"].nunique()
    out["p_met"] = g["met"].mean()
    out["p_binding"] = g["binding"].mean()
    out["mean_shortfall_t"] = g["shortfall_t"].mean()
    out["median_shadow_price_usd_per_t"] = g["shadow_price_usd_per_t"].median()
    return out.reset_index()[cols]


def fan_table(results: list[SampleResult]) -> pd.DataFrame:
    """Quantiles by year of the yearly cost (USD million, undiscounted) and of each stage's Western share."""
    c = _stack(results, "cost_by_year").assign(quantity="cost_musd").rename(columns={"cost_musd": "value"})
    s = _stack(results, "shares")
    s = s.assign(quantity="western_share " + s["stage"].astype(str)).rename(columns={"western_share": "value"}) \
        if not s.empty else s
    both = pd.concat([c, s], ignore_index=True)
    cols = ["quantity", "year"] + [f"p{round(q * 100)}" for q in QUANTILES]
    if both.empty or "value" not in both:
        return pd.DataFrame(columns=cols)
    both = both.astype({"value": float, "year": int})
    q = both.groupby(["quantity", "year"], sort=True)["value"].quantile(list(QUANTILES)).unstack()
    q.columns = cols[2:]
    return q.reset_index()[cols]
