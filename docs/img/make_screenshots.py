"""The README's screenshots, and the renderers tests/write/test_render.py checks with.

    python docs/img/make_screenshots.py

solves the shipped study (base scenario) into a temporary folder and writes
    docs/img/report.png   the top of report.html as headless Chromium shows it (1280 px wide)
    docs/img/plan.png     the first printed page of plan.xlsx (its summary sheet), through
                          LibreOffice to PDF and pdftoppm to PNG
each a palette PNG under 300 KB. Needs chromium, soffice (LibreOffice) and pdftoppm
(poppler-utils). Every program runs with a timeout and a fresh profile in a temporary folder.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image  # a dependency of matplotlib, so always installed with reeplan

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
PDFTOPPM = shutil.which("pdftoppm")
TIMEOUT = 240  # seconds; a cold LibreOffice start takes a few, a busy CI machine more
HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]


def _run(args: list[str]) -> None:
    proc = subprocess.run(args, capture_output=True, text=True, timeout=TIMEOUT)
    if proc.returncode != 0:
        raise RuntimeError(f"{Path(args[0]).name} failed ({proc.returncode}): {proc.stderr[-2000:]}")


def html_png(html: Path, png: Path, tmp: Path, size: tuple[int, int] = (1280, 2000)) -> Path:
    """A screenshot of `html` (the top `size` pixels) in headless Chromium."""
    _run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
          "--disable-background-networking", "--disable-component-update", "--disable-sync",
          f"--user-data-dir={tmp / 'chromium-profile'}", f"--screenshot={png}",
          f"--window-size={size[0]},{size[1]}", html.resolve().as_uri()])
    return png


def xlsx_pdf(xlsx: Path, tmp: Path) -> Path:
    """The workbook as LibreOffice prints it (its own page setup), as PDF."""
    out = tmp / "pdf"
    _run([SOFFICE, f"-env:UserInstallation={(tmp / 'office-profile').resolve().as_uri()}", "--headless",
          "--norestore", "--convert-to", "pdf", "--outdir", str(out), str(xlsx)])
    return out / f"{xlsx.stem}.pdf"


def pdf_png(pdf: Path, png: Path, page: int = 1, dpi: int = 80) -> Path:
    """One page of a PDF as PNG."""
    _run([PDFTOPPM, "-f", str(page), "-l", str(page), "-r", str(dpi), "-png", "-singlefile", str(pdf),
          str(png.with_suffix(""))])
    return png


def ink(png: Path) -> tuple[float, int]:
    """(share of pixels that are not near-white, number of distinct colours) of an image."""
    rgb = np.asarray(Image.open(png).convert("RGB"))
    inked = (rgb < 235).any(axis=2).mean()
    colours = len(np.unique(rgb.reshape(-1, 3) @ np.array([65536, 256, 1])))
    return float(inked), colours


def small_png(src: Path, dst: Path, height: int | None = None, width: int = 900) -> Path:
    """The top `height` pixels of `src`, `width` pixels wide, as a 256-colour PNG."""
    im = Image.open(src).convert("RGB")
    if height:
        im = im.crop((0, 0, im.width, min(height, im.height)))
    if im.width > width:
        im = im.resize((width, round(im.height * width / im.width)), Image.LANCZOS)
    im.quantize(256, method=Image.Quantize.MEDIANCUT).save(dst, optimize=True)
    return dst


def main() -> None:
    sys.path.insert(0, str(REPO))
    from model.pipeline import solve_workbook

    os.chdir(REPO)  # the summary names the workbook as given: inputs/..., not this machine's path
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        run = solve_workbook(Path("inputs") / "western_ree_2040.xlsx", tmp / "out")
        report = small_png(html_png(run.folder / "report.html", tmp / "report.png", tmp), HERE / "report.png",
                           height=1500)
        plan = small_png(pdf_png(xlsx_pdf(run.folder / "plan.xlsx", tmp), tmp / "plan.png", dpi=110),
                         HERE / "plan.png")
    for png in (report, plan):
        print(f"{png.relative_to(REPO)}: {png.stat().st_size / 1000:.0f} KB")


if __name__ == "__main__":
    main()
