"""The `reeplan` command line. Exit codes (outputs.md): 0 optimal, 1 other failure,
2 input errors, 3 infeasible or unbounded, 4 time limit without a feasible plan."""

from __future__ import annotations

import atexit
import gc
import os
import signal
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape

from .batch import ClusterUnavailable
from .errors import InputError, WorkbookUnreadable
from .write.folder import FAILED, Terminated, check_writable, clean_stale, failed_folder, identity, \
    ignore_interrupts, raise_interrupt

err = Console(stderr=True, highlight=False, soft_wrap=True)
REPO = Path(__file__).resolve().parent.parent
DEFAULT_STUDIES = ("western_ree_2040.xlsx", "example.xlsx")


def default_workbook() -> Path:
    """The shipped study: inputs/ of the working folder, else of the source checkout."""
    for base in (Path.cwd() / "inputs", REPO / "inputs"):
        for name in DEFAULT_STUDIES:
            if (base / name).is_file():
                return base / name
    raise click.UsageError("no WORKBOOK given and no shipped study found in inputs/")


def report_input_error(e: InputError) -> None:
    if isinstance(e, WorkbookUnreadable):
        err.print(f"[red]error:[/] {escape(str(e))}")
        return
    for w in e.warnings:
        err.print(f"[yellow]warning:[/] {escape(str(w))}")
    for i in e.listed:
        err.print(f"[red]error:[/] {escape(str(i))}")
    for line in e.unlisted():
        err.print(escape(line))
    n = len(e.issues)
    err.print(f"{n} input error{'s' if n != 1 else ''}; nothing was solved.")


def refuse_overwrite(path: Path, force: bool) -> None:
    if path.exists() and not force:
        err.print(f"[red]error:[/] {escape(str(path))} exists; choose another name or pass --force")
        sys.exit(1)


def interrupt_exit_code(e: KeyboardInterrupt) -> int:
    """128 + the signal number, as shells report it: 130 for SIGINT (Ctrl-C), 143 for SIGTERM."""
    return 143 if isinstance(e, Terminated) else 130


def check_scheduler(ctx, param, value: str | None) -> str | None:
    """--scheduler: tcp://host:port or local:N (a malformed address is a usage error, exit 2)."""
    from .batch import parse_scheduler

    if value is None:
        return None
    try:
        parse_scheduler(value)
    except ValueError as e:
        raise click.BadParameter(str(e)) from None
    return value


def one_executor(jobs: int, scheduler: str | None) -> None:
    if scheduler and jobs > 1:
        raise click.UsageError("give --jobs or --scheduler, not both")


def guarded(fn):
    """Run a command; input errors exit 2, anything unexpected exits 1 without a traceback."""

    def run(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except InputError as e:
            report_input_error(e)
            sys.exit(2)
        except ClusterUnavailable as e:
            err.print(f"[red]error:[/] {escape(str(e))}")
            sys.exit(1)
        except (click.exceptions.Exit, click.ClickException, SystemExit):
            raise
        except BrokenPipeError:  # output piped into e.g. `head`
            sys.exit(0)
        except KeyboardInterrupt as e:
            ignore_interrupts()
            err.print("interrupted")
            sys.exit(interrupt_exit_code(e))
        except Exception as e:  # noqa: BLE001 - the user gets one line, developers set REEPLAN_DEBUG
            if os.environ.get("REEPLAN_DEBUG"):
                raise
            err.print(f"[red]reeplan failed:[/] {type(e).__name__}: {escape(str(e))} (set REEPLAN_DEBUG=1 for details)",
                      soft_wrap=True)
            sys.exit(1)

    run.__name__, run.__doc__ = fn.__name__, fn.__doc__
    return run


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="reeplan")
def main() -> None:
    """reeplan: least-cost plans for the Western rare-earth magnet supply chain."""
    # clean up and exit 130 (Ctrl-C) or 143 (SIGTERM); an ignored SIGINT (nohup, `&`) stays ignored
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, raise_interrupt)
    if hasattr(signal, "SIGTERM"):
        signal.signal(signal.SIGTERM, raise_interrupt)
    # at exit, no last garbage collection over the whole heap (the model: ~0.2 s after a solve)
    atexit.register(gc.freeze)


@main.command()
@click.argument("workbook", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--scenario", "scenarios", multiple=True, metavar="NAME",
              help="scenario to solve (repeatable; default base)")
@click.option("--all", "all_scenarios", is_flag=True, help="solve base and every scenario of the workbook")
@click.option("--jobs", default=1, show_default=True, type=click.IntRange(min=1),
              help="scenarios solved in parallel worker processes")
@click.option("--out", "out", default="outputs", show_default=True, type=click.Path(file_okay=False, path_type=Path),
              help="folder that receives OUT/<workbook stem>/<scenario>/")
@click.option("--policy-costs", "policy_costs", is_flag=True,
              help="re-solve without each policy and report the cost it adds (policy_costs.csv)")
@click.option("--stochastic", "stochastic", is_flag=True,
              help="solve the two-stage plan of the stochastic sheet into OUT/<stem>/stochastic/")
@click.option("--scheduler", "scheduler", metavar="ADDRESS", callback=check_scheduler,
              help="solve the scenarios on a Dask cluster (tcp://host:8786, or local:N for N local workers)")
@click.option("--relax", "relax", is_flag=True,
              help="solve lumpy builds (unit_tpa, min_build_tpa) as the LP relaxation")
@guarded
def solve(workbook: Path | None, scenarios: tuple[str, ...], all_scenarios: bool, jobs: int, out: Path,
          policy_costs: bool, stochastic: bool = False, scheduler: str | None = None, relax: bool = False) -> None:
    """Validate, build, solve and write the plan of WORKBOOK (default: the shipped study).

    With several scenarios (--scenario repeated, or --all) it also writes
    OUT/<stem>/overview.csv and overview.xlsx, one row per scenario.
    """
    from .batch import local_workers
    from .pipeline import check_scenario
    from .read import read_tables
    from .scenarios import BASE, names
    from .validate import scenario_issues, to_check, validate

    workbook = workbook or default_workbook()
    one_executor(jobs, scheduler)
    results = out / workbook.stem
    prepare_out(results)
    if stochastic:
        sys.exit(_solve_stochastic(workbook, out, relax))
    asked = list(dict.fromkeys(scenarios)) or [BASE]
    only = None if all_scenarios else asked  # only the scenarios that run are applied
    tables = read_tables(workbook)
    if relax:  # before the workers start: they hold these tables
        from .pipeline import RELAX
        tables.settings[RELAX] = True
    single = len(asked) == 1 and not all_scenarios and not scheduler
    # a batch's worker processes start now: they check the scenarios' edits, then solve them
    with local_workers(tables, 1 if single or scheduler else min(jobs, 1 + len(to_check(tables, only)))) as workers:
        validate(tables, only, workers.each(scenario_issues) if workers else None)
        for w in tables.warnings:
            err.print(f"[yellow]warning:[/] {escape(str(w))}")
        chosen = [BASE] + names(tables) if all_scenarios else asked
        for name in chosen:
            check_scenario(tables, name)  # unknown names: input error, exit 2 (validation applied them already)
        before = {s: folder_identities(results / s) for s in chosen}
        try:
            if single:
                code = _solve_one(workbook, tables, chosen[0], out, policy_costs)
            else:
                code = _solve_batch(workbook, tables, chosen, out, jobs, policy_costs, scheduler, workers)
        except KeyboardInterrupt as e:
            ignore_interrupts()
            for d in (results, results / FAILED):
                clean_stale(d)  # staging folders of killed workers
            report_written(results, before)
            sys.exit(interrupt_exit_code(e))
    sys.exit(code)


def prepare_out(results: Path) -> None:
    """Before anything is read or solved: OUT/<stem> must be writable (exit 1 otherwise), and
    staging folders of earlier runs that died are removed."""
    try:
        check_writable(results)
    except OSError as e:
        err.print(f"[red]error:[/] cannot write to {escape(str(results))}: {escape(e.strerror or str(e))}")
        sys.exit(1)
    for d in (results, results / FAILED):
        clean_stale(d)


def folder_identities(target: Path) -> tuple:
    return identity(target), identity(failed_folder(target))


def report_written(results: Path, before: dict[str, tuple]) -> None:
    """After an interrupt: exactly which scenario folders were swapped in (each one complete)."""
    written = []
    for s, (plan, failed) in before.items():
        now_plan, now_failed = folder_identities(results / s)
        if now_plan is not None and now_plan != plan:
            written.append(f"{s} ({results / s})")
        elif now_failed is not None and now_failed != failed:
            written.append(f"{s} ({failed_folder(results / s)})")
    if not written:
        err.print("interrupted; no scenario folder was written (existing folders are unchanged)")
        return
    err.print(f"interrupted; {len(written)} of {len(before)} scenario folders were written: "
              + escape(", ".join(written)) + " (the others are unchanged)")


def _solve_stochastic(workbook: Path, out: Path, relax: bool = False) -> int:
    from .stochastic_run import solve_stochastic_workbook

    err.print(f"reeplan: solving the stochastic plan of {escape(str(workbook))}")
    labels = {"read": "reading", "build": "building", "solve": "solving", "regret": "regret table",
              "write": "writing"}
    code, folder, s = solve_stochastic_workbook(
        workbook, out, progress=lambda p, sec: err.print(f"  {labels.get(p, p):<12} {sec:8.2f} s"), relax=relax)
    for w in s.get("warnings", []):
        err.print(f"[yellow]warning:[/] {escape(w)}")
    if s["objective_musd"] is None:
        err.print(f"[red]status {s['status']}[/]: no plan.")
    else:
        err.print(f"status {s['status']}, expected cost {s['objective_musd']:,.2f} USD million"
                  + (f", EVPI {s['evpi_musd']:,.2f}" if s.get("evpi_musd") is not None else ""))
    err.print(f"wrote {escape(str(folder))}")
    return code


def _solve_one(workbook: Path, tables, scenario: str, out: Path, policy_costs: bool) -> int:
    from .pipeline import solve_workbook

    err.print(f"reeplan: solving {escape(str(workbook))}" + (f", scenario {escape(scenario)}"
                                                              if scenario != "base" else ""))
    labels = {"read": "reading", "build": "building", "solve": "solving", "write": "writing",
              "policy_costs": "policy costs"}
    result = solve_workbook(workbook, out, scenario=scenario, tables=tables, with_policy_costs=policy_costs,
                            progress=lambda p, s: err.print(f"  {labels[p]:<12} {s:8.2f} s"))
    s = result.summary
    for w in s.get("warnings", []):
        err.print(f"[yellow]warning:[/] {escape(w)}")
    if result.solution.has_plan:
        err.print(f"status {s['status']}, objective {s['objective_musd']:,.2f} USD million")
        if s["status"] != "optimal":
            err.print("[yellow]warning:[/] the solver stopped early; this plan is feasible but not proven optimal")
    else:
        err.print(f"[red]status {s['status']}[/]: no plan.")
        if result.diagnosis is not None and not result.diagnosis.empty:
            err.print("rows that had to give way (see infeasibility.md):")
            for msg in result.diagnosis["message"].head(20):
                err.print(f"  - {escape(msg)}")
            if len(result.diagnosis) > 20:
                err.print(f"  ... and {len(result.diagnosis) - 20} more")
    err.print(f"wrote {escape(str(result.folder))}")
    if result.folder.parent.name == FAILED:
        err.print(f"the plan in {escape(str(result.folder.parent.parent / scenario))} from an earlier run is kept")
    return result.exit_code


def _solve_batch(workbook: Path, tables, chosen: list[str], out: Path, jobs: int, policy_costs: bool,
                 scheduler: str | None = None, workers=None) -> int:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from .batch import batch_exit_code, run_batch
    from .overview import overview_table, scenario_row, write_overview

    err.print(f"reeplan: solving {len(chosen)} scenarios of {escape(str(workbook))} " + (
        f"on the Dask cluster {escape(scheduler)}" if scheduler else f"with {jobs} job{'s' if jobs > 1 else ''}"))
    with Progress(TextColumn("  scenarios"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err, transient=True) as bar:
        task = bar.add_task("scenarios", total=len(chosen))
        rows = {}  # overview rows, read from each folder as it arrives (while the workers go on)

        def done(o) -> None:
            rows[o.scenario] = scenario_row(o.scenario, o.folder, o.status, o.message)
            mark = "[green]ok[/]" if o.exit_code == 0 else "[red]failed[/]"
            obj = f", objective {o.objective:,.2f} USD million" if o.objective is not None else ""
            msg = f" ({escape(o.message)})" if o.exit_code and o.message else ""
            bar.console.print(f"  {mark} {escape(o.scenario)}: {o.status}{obj}{msg} ({o.seconds:.1f} s)")
            for line in failure_lines(o):
                bar.console.print(f"      {escape(line)}")
            bar.advance(task)

        outcomes = run_batch(workbook, tables, chosen, out, jobs=jobs, with_policy_costs=policy_costs, done=done,
                             scheduler=scheduler, workers=workers)
    files = write_overview(out / workbook.stem, overview_table([rows[o.scenario] for o in outcomes]))
    failed = [o.scenario for o in outcomes if o.exit_code]
    err.print(f"wrote {len(outcomes)} scenario folders and {escape(str(files[0]))} (+ .xlsx)")
    if failed:
        err.print(f"[red]{len(failed)} of {len(outcomes)} scenarios did not solve:[/] {escape(', '.join(failed))}")
    return batch_exit_code(outcomes)


def failure_lines(o) -> list[str]:
    """Why a scenario of a batch failed, and where its diagnosis is."""
    if not o.exit_code:
        return []
    lines = [f"- {r}" for r in o.reasons]
    if o.folder:
        folder = Path(o.folder)
        diagnosis = folder / "infeasibility.md"
        lines.append(f"see {diagnosis if diagnosis.is_file() else folder / 'summary.json'}")
        if folder.parent.name == FAILED:
            lines.append(f"the plan in {folder.parent.parent / o.scenario} from an earlier run is kept")
    return lines


@main.command()
@click.argument("workbook", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--samples", required=True, type=click.IntRange(min=1), help="number of samples to draw and solve")
@click.option("--seed", default=0, show_default=True, type=int, help="random seed (same seed, same samples)")
@click.option("--scenario", default="base", show_default=True, metavar="NAME",
              help="scenario whose edits the samples' edits follow")
@click.option("--jobs", default=1, show_default=True, type=click.IntRange(min=1),
              help="samples solved in parallel worker processes")
@click.option("--scheduler", "scheduler", metavar="ADDRESS", callback=check_scheduler,
              help="solve the samples on a Dask cluster (tcp://host:8786, or local:N for N local workers)")
@click.option("--out", "out", default="outputs", show_default=True, type=click.Path(file_okay=False, path_type=Path),
              help="folder that receives OUT/<workbook stem>/ensemble/")
@guarded
def ensemble(workbook: Path | None, samples: int, seed: int, scenario: str, jobs: int, scheduler: str | None,
             out: Path) -> None:
    """Monte Carlo over the uncertainty sheet of WORKBOOK: solve SAMPLES drawn worlds and write
    OUT/<stem>/ensemble/ (samples.csv, robust_builds.csv, policies.csv, fan charts, report.md)."""
    from .ensemble_cli import run

    workbook = workbook or default_workbook()
    one_executor(jobs, scheduler)
    prepare_out(out / workbook.stem)
    sys.exit(run(err, workbook, samples, seed, scenario, jobs, scheduler, out))


@main.command(name="diff")
@click.argument("dir_a", type=click.Path(path_type=Path))
@click.argument("dir_b", type=click.Path(path_type=Path))
@click.option("--xlsx", "xlsx", type=click.Path(dir_okay=False, path_type=Path), help="also write the report to this workbook")
@click.option("--rtol", default=1e-5, show_default=True, type=click.FloatRange(min=0), help="relative tolerance")
@click.option("--atol", default=1e-6, show_default=True, type=click.FloatRange(min=0), help="absolute tolerance")
@click.option("--all-rows", is_flag=True, help="list every changed row (default: the first 10 of each table, "
              "changes below 0.1 % folded)")
@guarded
def diff_cmd(dir_a: Path, dir_b: Path, xlsx: Path | None, rtol: float, atol: float, all_rows: bool) -> None:
    """What changed between two solved scenario folders, and why: the cost and each component
    (absolute and %), the three largest changes in words, dependence on China by stage, an
    aggregate by stage x region, the largest changes across builds, supply, trade and policies,
    then the detail. Exit 0: no differences; 1: differences (like diff); 2: a folder is not a
    result folder."""
    from .diff import NotAResultFolder, diff_folders, text, write_xlsx

    try:
        d = diff_folders(dir_a, dir_b, rtol=rtol, atol=atol)
    except NotAResultFolder as e:
        err.print(f"[red]error:[/] {escape(str(e))}")
        sys.exit(2)
    click.echo(text(d, all_rows=all_rows), nl=False)
    if xlsx is not None:
        write_xlsx(d, xlsx)
        err.print(f"wrote {escape(str(xlsx))}")
    sys.exit(1 if d.differs else 0)


@main.command(name="validate")
@click.argument("workbook", type=click.Path(dir_okay=False, path_type=Path))
@guarded
def validate_cmd(workbook: Path) -> None:
    """Check WORKBOOK: list every input error (exit 2), or print "ok" and a summary of the study."""
    from .describe import summary_lines
    from .pipeline import load_study

    study = load_study(workbook)
    for w in study.tables.warnings:
        err.print(f"[yellow]warning:[/] {escape(str(w))}")
    click.echo(f"ok: {workbook}")
    for line in summary_lines(study):
        click.echo(line)


@main.command()
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="overwrite PATH if it exists")
@guarded
def template(path: Path, force: bool) -> None:
    """Write a blank study workbook to PATH: every sheet, headers with help notes, drop-down lists."""
    from .write.template import write_template

    refuse_overwrite(path, force)
    write_template(path)
    click.echo(f"wrote {path}")


@main.command()
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--scale", default=1.0, show_default=True, type=click.FloatRange(min=0, min_open=True),
              help="size: about 1e4 x SCALE LP variables")
@click.option("--seed", default=0, show_default=True, type=int, help="random seed (same seed, same workbook)")
@click.option("--force", is_flag=True, help="overwrite PATH if it exists")
@guarded
def synth(path: Path, scale: float, seed: int, force: bool) -> None:
    """Write a synthetic study workbook to PATH for benchmarks: regions, projects, years, routes,
    offers, policies and budgets all grow with SCALE."""
    from .synth import write_synth

    refuse_overwrite(path, force)
    write_synth(path, scale=scale, seed=seed)
    click.echo(f"wrote {path}")


@main.command()
@click.argument("workbook", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--policy", "policy", required=True, metavar="ID", help="the share policy to sweep")
@click.option("--points", default=8, show_default=True, type=click.IntRange(min=2), help="points on the frontier")
@click.option("--scenario", default="base", show_default=True, metavar="NAME", help="scenario to sweep in")
@click.option("--out", "out", default="outputs", show_default=True, type=click.Path(file_okay=False, path_type=Path),
              help="folder that receives OUT/<workbook stem>/frontier/<policy>/")
@guarded
def frontier(workbook: Path | None, policy: str, points: int, scenario: str, out: Path) -> None:
    """The cost of dependence: make POLICY hard and sweep its share from where it stops binding to
    the tightest feasible level (frontier.csv, frontier.png, frontier.xlsx)."""
    from .frontier import write_frontier

    workbook = workbook or default_workbook()
    prepare_out(out / workbook.stem)
    folder, df, meta = write_frontier(workbook, policy, points, out, scenario)
    err.print(f"{escape(policy)}: free at {meta['free_share']:.1%}, tightest feasible {meta['tightest_share']:.1%}")
    if meta.get("note"):
        err.print(f"[yellow]warning:[/] {escape(meta['note'])}")
    for r in df.itertuples(index=False):
        cost = f"{r.objective_musd:,.1f} USD million" if r.status == "optimal" else r.status
        err.print(f"  share {r.share:7.2%}  {cost}")
    err.print(f"wrote {escape(str(folder))}")


@main.command()
@click.argument("workbook", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--slack", default=0.05, show_default=True, type=click.FloatRange(min=0),
              help="real cost may rise this share above its optimum")
@click.option("--count", default=0, show_default=True, type=click.IntRange(min=0),
              help="alternatives (0: min and max of every stage x region group)")
@click.option("--scenario", default="base", show_default=True, metavar="NAME")
@click.option("--out", "out", default="outputs", show_default=True, type=click.Path(file_okay=False, path_type=Path),
              help="folder that receives OUT/<workbook stem>/alternatives/")
@guarded
def alternatives(workbook: Path | None, slack: float, count: int, scenario: str, out: Path) -> None:
    """Near-optimal plans: within SLACK of the least real cost (penalties held at their optimum),
    push capacity by stage and region to its extremes (alternatives.csv, projects.csv, ranges.png)."""
    from .alternatives import write_alternatives

    workbook = workbook or default_workbook()
    prepare_out(out / workbook.stem)
    folder, tabs = write_alternatives(workbook, slack, count, out, scenario)
    verdicts = tabs["projects"]["verdict"].value_counts()
    err.print(f"{len(tabs['alternatives'])} plans within {slack:.0%} of the least real cost; candidate projects: "
              f"{verdicts.get('must build', 0)} in every plan, {verdicts.get('some', 0)} in some, "
              f"{verdicts.get('never', 0)} in none")
    err.print(f"wrote {escape(str(folder))}")


if __name__ == "__main__":  # pragma: no cover
    main()
