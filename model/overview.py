"""All scenarios of a batch side by side: `DIR/<stem>/overview.csv` and `overview.xlsx`.

One row per scenario, read back from the folders the batch wrote: status, objective, cost
by component, capacity built by stage, and each policy's achieved share and shadow price in
each of its years. For a max_supplier_share policy (one row per supplier) the columns give
the largest supplier's share and the highest shadow price that year.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import pandas as pd

from .analysis import policy_status
from .costs import COMPONENTS, OPTIONAL
from .schema import STAGES
from .write.csv import write_csv
from .write.tables import write_tables_xlsx


def _read(folder: Path, table: str) -> pd.DataFrame | None:
    p = folder / "csv" / f"{table}.csv"
    return pd.read_csv(p, keep_default_na=False, na_values=[""]) if p.is_file() else None


def scenario_row(scenario: str, folder: str | Path | None, status: str, message: str = "") -> dict:
    """The overview row of one scenario from its result folder."""
    row: dict = {"scenario": scenario, "status": status, "objective_musd": None}
    if not folder or not (Path(folder) / "summary.json").is_file():
        row["message"] = message
        return row
    folder = Path(folder)
    summary = json.loads((folder / "summary.json").read_text())
    row["status"] = summary["status"]
    row["objective_musd"] = summary.get("objective_musd")
    costs = summary.get("cost_by_component_musd") or {}
    for c in COMPONENTS:
        if c not in OPTIONAL or c in costs:
            row[f"{c}_musd"] = costs.get(c)
    builds = _read(folder, "builds")
    for g in STAGES:
        row[f"built_{g}_tpa"] = None if builds is None else float(builds.loc[builds["stage"] == g, "capacity_tpa"].sum())
    for r in policy_status(_read(folder, "policies")).itertuples(index=False):
        row[f"{r.policy} {r.year} share"] = r.achieved_share
        row[f"{r.policy} {r.year} price_usd_per_t"] = r.shadow_price_usd_per_t
    row["message"] = summary.get("message") or message
    return row


def overview_table(rows: list[dict]) -> pd.DataFrame:
    """Rows in the order given; policy columns sorted by policy and year."""
    fixed = ["scenario", "status", "objective_musd"] + \
        [f"{c}_musd" for c in COMPONENTS if c not in OPTIONAL or any(f"{c}_musd" in r for r in rows)] + \
        [f"built_{g}_tpa" for g in STAGES]
    extra = sorted({k for r in rows for k in r if k not in fixed and k != "message"},
                   key=lambda k: (k.rsplit(" ", 2)[0], k.rsplit(" ", 2)[1], k.rsplit(" ", 2)[2] != "share"))
    return pd.DataFrame.from_records(rows, columns=fixed + extra + ["message"])


def _replace_atomically(path: Path, write) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(fd)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; an overview is as readable as any output
    try:
        write(Path(tmp))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_overview(folder: Path, df: pd.DataFrame) -> list[Path]:
    """overview.csv (number rule of the plan CSVs) and overview.xlsx into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    csv, xlsx = folder / "overview.csv", folder / "overview.xlsx"
    _replace_atomically(csv, lambda p: write_csv(df, p))
    _replace_atomically(xlsx, lambda p: write_tables_xlsx(p, {"overview": df}))
    return [csv, xlsx]
