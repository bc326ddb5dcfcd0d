"""plan.xlsx opens in LibreOffice: it converts to PDF, and its first sheet (the summary) to CSV
holding the objective. Skipped only when `soffice` is not installed (.ci/run installs it).

Each conversion runs with its own LibreOffice profile (-env:UserInstallation) so parallel test
runs do not fight over one, and with a timeout so a hung office process cannot stall the suite.
"""

from __future__ import annotations

import csv
import shutil
import subprocess
from pathlib import Path

import pytest

from _plans import example

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
TIMEOUT = 240  # seconds; a cold start of LibreOffice takes a few

pytestmark = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")


def convert(xlsx: Path, to: str, out: Path, profile: Path) -> Path:
    """soffice --headless --convert-to TO; returns the converted file."""
    out.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(
        [SOFFICE, f"-env:UserInstallation={profile.resolve().as_uri()}", "--headless", "--norestore",
         "--convert-to", to, "--outdir", str(out), str(xlsx)],
        capture_output=True, text=True, timeout=TIMEOUT)
    assert proc.returncode == 0, proc.stderr
    result = out / f"{xlsx.stem}.{to.split(':')[0]}"
    assert result.exists(), f"no {result.name}: {proc.stdout} {proc.stderr}"
    assert "Error" not in proc.stderr, proc.stderr
    return result


@pytest.fixture(scope="module")
def plan(tmp_path_factory):
    run = example(tmp_path_factory)
    return run, run.folder / "plan.xlsx"


def test_plan_converts_to_pdf(plan, tmp_path):
    _, xlsx = plan
    pdf = convert(xlsx, "pdf", tmp_path / "pdf", tmp_path / "profile")
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and len(data) > 20_000
    assert data.count(b"/Type /Page") + data.count(b"/Type/Page") > 3  # summary, tables, charts


def test_summary_sheet_converts_to_csv_with_the_objective(plan, tmp_path):
    run, xlsx = plan
    out = convert(xlsx, "csv", tmp_path / "csv", tmp_path / "profile")
    rows = list(csv.reader(out.read_text(encoding="utf-8", errors="replace").splitlines()))
    assert rows[0][0].startswith("reeplan plan: example")  # the first sheet is the summary
    by_label = {r[0]: r[1:] for r in rows if r}
    assert by_label["status"][0] == "optimal"
    value = by_label["objective (USD million, discounted)"][0]
    # LibreOffice writes the cell's value (or, with other settings, the displayed 28,669.5)
    assert float(value.replace(",", "")) == pytest.approx(run.summary["objective_musd"], rel=1e-9 if "," not in value
                                                          else 1e-5)
    assert "crma_recycling" in by_label and "Policy targets" in by_label
