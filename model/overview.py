"""All scenarios of a batch side by side: `DIR/<stem>/overview.csv` and `overview.xlsx`.

One row per scenario, read back from the folders the batch wrote: status, objective, cost
by component, capacity built by stage, and each policy's achieved share and shadow price in
each of its years. For a max_supplier_share policy (one row per supplier) the columns give
the largest supplier's share and the highest shadow price that year.

overview.xlsx holds the same numbers laid out for print: the `overview` sheet one row per
scenario without the policy columns, then `policy shares` and `policy prices`, one row per
policy and scenario with a column per year (headers in words with units, number formats,
key columns and header repeated on every printed page).
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
from .write.xlsx import write_table_workbook


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


POLICY_MEASURES = {"share": ("policy shares", "share"), "price_usd_per_t": ("policy prices", "usd_per_t")}


def _policy_columns(df: pd.DataFrame) -> dict[str, tuple[str, int, str]]:
    """'<policy> <year> <measure>' column -> (policy, year, measure)."""
    out = {}
    for c in df.columns:
        parts = str(c).rsplit(" ", 2)
        if len(parts) == 3 and parts[1].isdigit() and parts[2] in POLICY_MEASURES:
            out[c] = (parts[0], int(parts[1]), parts[2])
    return out


def workbook_sheets(df: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The overview's sheets for print: one row per scenario without the policy columns, then per
    measure one row per policy and scenario with a column per year (blank rows left out)."""
    cols = _policy_columns(df)
    sheets = {"overview": df.drop(columns=list(cols))}
    if not cols:
        return sheets
    long = df.melt(id_vars="scenario", value_vars=list(cols), var_name="column").dropna(subset=["value"])
    key = long["column"].map(cols)
    long = long.assign(policy=key.str[0], year=key.str[1], measure=key.str[2],
                       order=long["scenario"].map({s: i for i, s in enumerate(df["scenario"].unique())}))
    for measure, (sheet, suffix) in POLICY_MEASURES.items():
        part = long[long["measure"] == measure]
        if part.empty:
            continue
        wide = part.pivot_table(index=["policy", "order", "scenario"], columns="year", values="value", aggfunc="first")
        wide.columns = [f"{y}_{suffix}" for y in wide.columns]
        sheets[sheet] = wide.reset_index().drop(columns="order")
    return sheets


def write_overview(folder: Path, df: pd.DataFrame) -> list[Path]:
    """overview.csv (number rule of the plan CSVs) and overview.xlsx into `folder`; the workbook
    is laid out for print (workbook_sheets) and holds the same numbers."""
    folder.mkdir(parents=True, exist_ok=True)
    csv, xlsx = folder / "overview.csv", folder / "overview.xlsx"
    _replace_atomically(csv, lambda p: write_csv(df, p))
    sheets = workbook_sheets(df)
    keys = {"overview": 1, **{sheet: 2 for sheet, _ in POLICY_MEASURES.values()}}
    _replace_atomically(xlsx, lambda p: write_table_workbook(p, sheets, keys))
    return [csv, xlsx]
