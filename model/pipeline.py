"""One run: read and validate a workbook, build the LP, solve it, write the result folder.

Each phase is timed; `progress(phase, seconds)` is called when a phase ends. Input errors
raise `InputError` before anything is written.
"""

from __future__ import annotations

import functools
import json
import platform
import sys
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Callable

import pandas as pd

from .data import Study, build_study
from .diagnose import diagnose, markdown
from .errors import InputError, Issue
from .forked import Later
from .lp import build_model
from .lp.lumpy import relax as relax_lumpy
from .read import Tables, did_you_mean, read_tables
from .results import cost_by_component, plan_tables, policy_costs
from .scenarios import BASE
from .scenarios import apply as apply_scenario
from .scenarios import names as scenario_names
from .solve import FastHighs as Highs  # the whole LP handed to highspy in one call
from .solve import Solution, has_variables, objective_without, solve_model
from .validate import validate
from .write.csv import write_csv
from .write.folder import staged_folder
from .write.xlsx import write_xlsx

RELAX = "_relax"  # set in a workbook's settings by `solve --relax`: travels with the tables to batch workers

EXIT = {"optimal": 0, "input": 2, "infeasible": 3, "unbounded": 3, "infeasible_or_unbounded": 3,
        "time_limit": 4, "iteration_limit": 4, "time_limit_feasible": 0}


@dataclass
class RunResult:
    status: str
    folder: Path
    summary: dict
    study: Study
    solution: Solution
    diagnosis: pd.DataFrame | None = None

    @property
    def exit_code(self) -> int:
        if self.status in ("time_limit", "iteration_limit") and self.solution.has_plan:
            return 0  # a feasible (not proven optimal) plan was written
        return EXIT.get(self.status, 1)


def read_workbook(workbook: str | Path, only: list[str] | None = None) -> Tables:
    """Read and validate a workbook, its scenarios included, or with `only` those scenarios' edits
    (raises InputError listing every problem)."""
    tables = read_tables(workbook)
    validate(tables, only)
    return tables


def check_scenario(tables: Tables, scenario: str) -> None:
    """An unknown scenario name is an input error (with a did-you-mean), found without applying it."""
    if scenario != BASE and scenario not in scenario_names(tables):
        known = ", ".join([BASE] + scenario_names(tables))
        hint = did_you_mean(scenario, [BASE] + scenario_names(tables))
        raise InputError([Issue("scenarios", 0, "scenario", scenario, f"a scenario of the workbook: {known}{hint}",
                                tables.path)])


def scenario_tables(tables: Tables, scenario: str = BASE) -> tuple[Tables, list[dict]]:
    """The tables of one scenario of a validated workbook, and the edits applied."""
    check_scenario(tables, scenario)
    applied = apply_scenario(tables, scenario)
    return applied.tables, applied.edits


def load_study(workbook: str | Path, scenario: str = BASE) -> Study:
    """Read, validate and index one scenario of a workbook (raises InputError listing every problem)."""
    tables, _ = scenario_tables(read_workbook(workbook), scenario)
    return build_study(tables)


@functools.cache  # the installed packages do not change while a process runs (a batch worker's scenarios)
def _versions() -> tuple[tuple[str, str], ...]:
    out = {"python": platform.python_version()}
    for pkg in ("reeplan", "pyomo", "highspy", "pandas", "openpyxl"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = "unknown"
    return tuple(out.items())


def versions() -> dict[str, str]:
    return dict(_versions())


def policy_groups(study: Study) -> dict[str, str]:
    """policy id -> group (formulation 13), for policies with a group."""
    pol = study.tables["policies"]
    if "group" not in pol.columns:
        return {}
    return {k: g for k, g in zip(pol["policy"], pol["group"]) if isinstance(g, str) and g}


def policy_cost_musd(m, study: Study, sol: Solution, solver) -> tuple[dict, dict]:
    """Cost each policy adds, and each policy group together: the objective minus the objective
    with their rows removed (None: that re-solve did not reach optimality)."""
    rows_of: dict[str, list] = {}
    for key in study.rows["policy"]:
        rows_of.setdefault(key[0], []).append(m.policy[key])

    def cost(policies) -> float | None:
        rows = [r for k in policies for r in rows_of.get(k, [])]
        if not rows:
            return 0.0  # no row in any year (no consumption, or outside the horizon)
        _, obj = objective_without(m, solver, rows)
        return None if obj is None else sol.objective - obj

    by_policy = {k: cost([k]) for k in dict.fromkeys(study.tables["policies"]["policy"])}  # a scenario may split a policy by year
    members: dict[str, list[str]] = {}
    for k, g in policy_groups(study).items():
        members.setdefault(g, []).append(k)
    return by_policy, {g: cost(ks) for g, ks in members.items()}


def solve_workbook(workbook: str | Path, out: str | Path = "outputs", scenario: str = BASE,
                   progress: Callable[[str, float], None] | None = None,
                   with_policy_costs: bool = False, tables: Tables | None = None,
                   figures: bool = True, relax: bool = False) -> RunResult:
    """Solve one scenario of a workbook into OUT/<stem>/<scenario>/. `tables` (already read and
    validated) saves reading the workbook again when a batch runs several scenarios;
    `figures=False` skips charts/*.png and report.md/html (tests of the LP use it for speed)."""
    progress = progress or (lambda phase, seconds: None)
    seconds: dict[str, float] = {}

    def phase(name: str, t0: float) -> None:
        seconds[name] = time.perf_counter() - t0
        progress(name, seconds[name])

    t0 = time.perf_counter()
    # a child process loads matplotlib now and makes blank figures while this one builds and solves,
    # then draws the charts and writes the report
    charts = Later(draw_figures, warm=import_charts, idle=spare_figures, early=draw_values) if figures else None
    tables, edits = scenario_tables(tables if tables is not None else read_workbook(workbook), scenario)
    study = build_study(tables)
    relaxed = (relax or bool(tables.settings.get(RELAX))) and bool(study.units or study.opened)
    if relaxed:  # lumpy builds solved as the LP relaxation
        relax_lumpy(study)
    phase("read", t0)

    t0 = time.perf_counter()
    m = build_model(study)
    solver = Highs()
    if not study.impossible and has_variables(m):
        try:
            solver.set_instance(m)  # handing the model to HiGHS is part of building it
        except Exception:  # noqa: BLE001 - solve_model reports the solver's refusal as status "error"
            solver = Highs()
    phase("build", t0)

    t0 = time.perf_counter()
    sol, solver = solve_model(m, study, solver, on_values=values_hand_over(charts, workbook, scenario, study))
    phase("solve", t0)

    costs_by_policy = None
    if with_policy_costs and sol.optimal:
        t0 = time.perf_counter()
        costs_by_policy = policy_cost_musd(m, study, sol, solver)
        phase("policy_costs", t0)

    t0 = time.perf_counter()
    folder = Path(out) / Path(workbook).stem / scenario
    summary = {
        "status": sol.status,
        "objective_musd": sol.objective,
        "scenario": scenario,
        "workbook": str(workbook),
        "input_sha256": study.sha256,
        "message": sol.message,
        "cost_by_component_musd": {},
        "seconds": seconds,
        "size": sol.size,
        "solver": sol.solver,
        "versions": versions(),
        "edits": edits,
        "warnings": study.warnings + sol.warnings,
    }
    if sol.mip is not None:
        summary["mip"] = sol.mip
    if relaxed:  # as in frontier, alternatives and the stochastic plan: lumpy builds solved as the LP relaxation
        summary["relaxed"] = True
    diagnosis = None
    if sol.status in ("infeasible", "infeasible_or_unbounded"):
        t1 = time.perf_counter()
        diagnosis = diagnose(study)
        seconds["diagnose"] = time.perf_counter() - t1
        summary["diagnosis"] = {"rows": len(diagnosis), "files": ["infeasibility.csv", "infeasibility.md"]}
    with staged_folder(folder, plan=sol.has_plan) as stage:  # no plan never replaces a plan
        write_result(stage.path, workbook, study, sol, summary, diagnosis, costs_by_policy, figures, charts)
        phase("write", t0)
        (stage.path / "summary.json").write_text(json.dumps(summary, indent=2, default=str) + "\n")
    return RunResult(sol.status, stage.folder, summary, study, sol, diagnosis)


def write_result(tmp: Path, workbook: str | Path, study: Study, sol: Solution, summary: dict,
                 diagnosis: pd.DataFrame | None = None, costs_by_policy=None, figures: bool = True,
                 charts: Later | None = None) -> None:
    """Write a result folder's files (all but summary.json) into `tmp`; fills the summary's costs.
    `charts`: a `Later(draw_figures)` started without its arguments (else one is started here)."""
    if sol.log:
        (tmp / "highs.log").write_text(sol.log)
    if diagnosis is not None:
        write_csv(diagnosis, tmp / "infeasibility.csv")
        (tmp / "infeasibility.md").write_text(markdown(diagnosis, Path(workbook).name))
    if not sol.has_plan:
        if charts is not None:
            charts.cancel()
        return
    tables = plan_tables(study, sol)
    if costs_by_policy is not None:
        tables["policy_costs"] = policy_costs(tables["policies"], *costs_by_policy, policy_groups(study))
    summary["cost_by_component_musd"] = cost_by_component(tables)
    from .analysis import study_facts  # names, commodity chain, policy bases for report and diff (issue 18)
    summary.update(study_facts(study))
    # the charts and the report are made in a child process while this one writes the tables (forked.py)
    if figures:
        if charts is None:
            charts = Later(draw_figures, tmp, tables, summary)
        else:
            charts.give(tmp, tables, summary)
    try:
        (tmp / "csv").mkdir()
        for name, df in tables.items():
            write_csv(df, tmp / "csv" / f"{name}.csv")
        write_xlsx(tmp / "plan.xlsx", summary, tables)
        if figures:
            charts.result()
    finally:
        if charts is not None:
            charts.cancel()


def import_charts() -> None:
    """Load matplotlib (without pyplot), the chart module and the report's."""
    skip_pyomo_pyplot()
    import matplotlib.backends.backend_agg  # noqa: F401 - savefig's canvas
    import matplotlib.figure  # noqa: F401

    from .write import charts, origin_chart, report  # noqa: F401


def spare_figures(ready: Callable[[], bool]) -> None:
    """Blank figures made ahead while the plan is solved (chart_base.make_spares)."""
    from .write.chart_base import make_spares

    make_spares(ready)


def values_hand_over(charts: Later | None, workbook, scenario: str, study: Study):
    """solve_model's `on_values` for a chart child: the charts that need no shadow prices are drawn
    from a mixed-integer plan's values while this process re-solves the LP for its duals."""
    if charts is None or not charts.forked:
        return None

    def hand_over(sol: Solution) -> None:
        from .analysis import study_facts
        from .write.charts import VALUE_TABLES

        summary = {"workbook": str(workbook), "scenario": scenario, "status": sol.status, **study_facts(study)}
        charts.early(plan_tables(study, sol, only=VALUE_TABLES), summary)  # what subtitle and names read

    return hand_over


def draw_values(tables: dict[str, pd.DataFrame], summary: dict) -> list:
    """The charts drawn from a plan's values alone (charts.UNPRICED), in memory."""
    from .write.charts import UNPRICED, rendered

    return rendered(tables, summary, UNPRICED)


def draw_figures(folder: Path, tables: dict[str, pd.DataFrame], summary: dict, early: list | None = None) -> None:
    """charts/*.png of a plan, then report.md/html, which shows them. `early`: the charts
    `draw_values` drew (only the priced ones are left to draw)."""
    import_charts()  # matplotlib loads only when a plan is drawn
    from .write.charts import PRICED, write_charts
    from .write.report import write_report

    paths = write_charts(folder, tables, summary) if early is None else \
        write_charts(folder, tables, summary, PRICED, ahead=early)
    write_report(folder, tables, summary, paths)


def skip_pyomo_pyplot() -> None:
    """Pyomo hooks the import of matplotlib to import pyplot and pylab as well (0.3 s); the
    charts use matplotlib's object API only, so the hook is dropped before they import it."""
    from pyomo.common import dependencies

    callbacks = getattr(getattr(dependencies, "_DeferredImportCallbackFinder", None), "_callbacks", None)
    if isinstance(callbacks, dict) and "matplotlib" not in sys.modules:
        callbacks.pop("matplotlib", None)
