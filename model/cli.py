"""The `reeplan` command line. Exit codes (outputs.md): 0 optimal, 1 other failure,
2 input errors, 3 infeasible or unbounded, 4 time limit without a feasible plan."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape

from .errors import InputError, WorkbookUnreadable

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
    for i in e.issues:
        err.print(f"[red]error:[/] {escape(str(i))}")
    n = len(e.issues)
    err.print(f"{n} input error{'s' if n != 1 else ''}; nothing was solved.")


def guarded(fn):
    """Run a command; input errors exit 2, anything unexpected exits 1 without a traceback."""

    def run(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except InputError as e:
            report_input_error(e)
            sys.exit(2)
        except (click.exceptions.Exit, click.ClickException, SystemExit):
            raise
        except BrokenPipeError:  # output piped into e.g. `head`
            sys.exit(0)
        except KeyboardInterrupt:
            err.print("interrupted; nothing was written")
            sys.exit(1)
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


@main.command()
@click.argument("workbook", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", "out", default="outputs", show_default=True, type=click.Path(file_okay=False, path_type=Path),
              help="folder that receives OUT/<workbook stem>/<scenario>/")
@click.option("--policy-costs", "policy_costs", is_flag=True,
              help="re-solve without each policy and report the cost it adds (policy_costs.csv)")
@guarded
def solve(workbook: Path | None, out: Path, policy_costs: bool) -> None:
    """Validate, build, solve and write the plan of WORKBOOK (default: the shipped study)."""
    from .pipeline import solve_workbook

    workbook = workbook or default_workbook()
    err.print(f"reeplan: solving {escape(str(workbook))}")
    labels = {"read": "reading", "build": "building", "solve": "solving", "write": "writing",
              "policy_costs": "policy costs"}
    result = solve_workbook(workbook, out, progress=lambda p, s: err.print(f"  {labels[p]:<12} {s:8.2f} s"),
                            with_policy_costs=policy_costs)
    for w in result.study.tables.warnings:
        err.print(f"[yellow]warning:[/] {escape(str(w))}")
    s = result.summary
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
    sys.exit(result.exit_code)


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

    if path.exists() and not force:
        err.print(f"[red]error:[/] {escape(str(path))} exists; choose another name or pass --force")
        sys.exit(1)
    write_template(path)
    click.echo(f"wrote {path}")


if __name__ == "__main__":  # pragma: no cover
    main()
