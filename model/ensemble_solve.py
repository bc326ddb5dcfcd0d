"""One ensemble sample, solved where it runs (a local process or a Dask worker).

The worker applies the sample's edits to the tables it was sent once, builds and solves the LP,
and returns a small `SampleResult` of tables: no folder is written on the worker, so workers
need no shared disk. Any failure becomes a result with status "error" and a message.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from .analysis import policy_status
from .ensemble_sample import Row, sample_edits, with_edits
from .read import Tables

CHINA = "CN"  # the region whose output is not Western (the shipped study's id for China)
TOL = 1e-6  # tonnes per year below which a project counts as not built


@dataclass
class SampleResult:
    sample: int
    status: str
    objective: float | None = None
    message: str = ""
    costs: dict[str, float] = field(default_factory=dict)  # component -> discounted USD million
    builds: pd.DataFrame | None = None  # project, stage, region, capacity_tpa (new capacity, all start years)
    policies: pd.DataFrame | None = None  # analysis.policy_status
    shares: pd.DataFrame | None = None  # stage, year, western_share
    cost_by_year: pd.DataFrame | None = None  # year, cost_musd (undiscounted)
    seconds: float = 0.0

    @property
    def has_plan(self) -> bool:
        return self.objective is not None


def western_shares(tables: dict[str, pd.DataFrame], commodities: pd.DataFrame) -> pd.DataFrame:
    """Per stage and year: the share of the stage's tonnes (made by projects plus bought on offer)
    that was made or sold outside China."""
    stage = commodities.set_index("commodity")["stage"]
    prod = tables["production"]
    made = prod[prod["quantity_t"] > 0][["region", "commodity", "year", "quantity_t"]]
    bought = tables["supply"].rename(columns={"bought_t": "quantity_t"})[["region", "commodity", "year", "quantity_t"]]
    t = pd.concat([made, bought], ignore_index=True)
    t["stage"] = t["commodity"].map(stage)
    t = t[t["stage"].notna() & (t["quantity_t"] > 0)]
    t["western"] = t["quantity_t"].where(t["region"] != CHINA, 0.0)
    g = t.groupby(["stage", "year"], sort=True)[["western", "quantity_t"]].sum()
    return (g["western"] / g["quantity_t"]).rename("western_share").reset_index()


def summarise(sample: int, study, sol, tables: dict[str, pd.DataFrame], seconds: float) -> SampleResult:
    """The parts of a solved plan that an ensemble aggregates."""
    from .results import cost_by_component

    b = tables["builds"].groupby(["project", "stage", "region"], sort=True)["capacity_tpa"].sum().reset_index()
    costs = tables["costs"].groupby("year", sort=True)["cost_musd"].sum().reset_index()
    return SampleResult(sample, sol.status, sol.objective, sol.message, cost_by_component(tables), b,
                        policy_status(tables["policies"]), western_shares(tables, study.tables["commodities"]),
                        costs, seconds)


def solve_sample(tables: Tables, scenario: str, rows: list[Row], sample: int, values: dict) -> SampleResult:
    """Solve one sample: the scenario's edits, then the sample's; never raises."""
    import time

    t0 = time.perf_counter()
    try:
        from .data import build_study
        from .lp import build_model
        from .results import plan_tables
        from .solve import FastHighs, solve_model
        from .validate import check_tables

        applied = with_edits(tables, sample_edits(rows, values), scenario)
        issues = applied.issues or check_tables(applied.tables)
        if issues:
            return SampleResult(sample, "input", message="; ".join(str(i) for i in issues[:3]),
                                seconds=time.perf_counter() - t0)
        study = build_study(applied.tables)
        m = build_model(study)
        sol, _ = solve_model(m, study, FastHighs())
        if not sol.has_plan:
            return SampleResult(sample, sol.status, message=sol.message, seconds=time.perf_counter() - t0)
        return summarise(sample, study, sol, plan_tables(study, sol), time.perf_counter() - t0)
    except Exception as e:  # noqa: BLE001 - reported per sample, the ensemble goes on
        return SampleResult(sample, "error", message=f"{type(e).__name__}: {e}", seconds=time.perf_counter() - t0)
