"""`reeplan ensemble` on the terminal: a progress bar, one line per failed sample, the headline."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.markup import escape


def run(err: Console, workbook: Path, samples: int, seed: int, scenario: str, jobs: int, scheduler: str | None,
        out: Path) -> int:
    """Run the ensemble; exit 0 when at least one sample solved (failed ones are listed), else 1."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from .ensemble import run_ensemble

    where = f"on the Dask cluster {escape(scheduler)}" if scheduler else f"with {jobs} job{'s' if jobs > 1 else ''}"
    err.print(f"reeplan: {samples} samples of {escape(str(workbook))}"
              + (f", scenario {escape(scenario)}" if scenario != "base" else "") + f", seed {seed}, {where}")
    with Progress(TextColumn("  samples"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err, transient=True) as bar:
        task = bar.add_task("samples", total=samples)

        def done(r) -> None:
            if not r.has_plan:
                bar.console.print(f"  [red]failed[/] sample {r.sample}: {r.status} {escape(r.message)}".rstrip())
            bar.advance(task)

        ens = run_ensemble(workbook, out, samples, seed=seed, scenario=scenario, jobs=jobs, scheduler=scheduler,
                           done=done)
    solved = len(ens.results) - len(ens.failed)
    err.print(f"{solved} of {samples} samples solved in {ens.seconds:.1f} s "
              f"({60 * samples / max(ens.seconds, 1e-9):.1f} samples per minute)")
    if ens.failed:
        err.print(f"[yellow]warning:[/] {len(ens.failed)} samples have no plan: "
                  + ", ".join(str(r.sample) for r in ens.failed[:20]) + (" ..." if len(ens.failed) > 20 else ""))
    err.print(f"wrote {escape(str(ens.folder))}")
    return 0 if solved else 1
