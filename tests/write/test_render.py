"""The outputs look like something when rendered: report.html in headless Chromium and the first
printed page of plan.xlsx (LibreOffice to PDF, pdftoppm to PNG) are not blank pages.

The renderers are docs/img/make_screenshots.py's (the README's screenshots come from them). Each
test skips when its programs are missing (.ci/run installs chromium, libreoffice-calc and
poppler-utils); every program runs with a timeout and a fresh profile under tmp_path.
"""

from __future__ import annotations

import importlib.util

import pytest

from _plans import REPO, example

_spec = importlib.util.spec_from_file_location("make_screenshots", REPO / "docs" / "img" / "make_screenshots.py")
shots = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(shots)

HEADER_BLUE = (0x1F, 0x4E, 0x78)  # table headers of the report and the workbook


def has_colour(png, rgb, tolerance: int = 12) -> bool:
    import numpy as np
    from PIL import Image

    px = np.asarray(Image.open(png).convert("RGB")).astype(int)
    return bool((abs(px - np.array(rgb)).max(axis=2) <= tolerance).any())


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    return example(tmp_path_factory)


@pytest.mark.skipif(shots.CHROMIUM is None, reason="chromium is not installed")
def test_report_html_renders_in_chromium(run, tmp_path):
    png = shots.html_png(run.folder / "report.html", tmp_path / "report.png", tmp_path, size=(1280, 2000))
    inked, colours = shots.ink(png)
    # text, tables and charts: a blank or error page has almost no ink and a handful of colours
    assert 0.03 < inked < 0.6 and colours > 200, (inked, colours)
    assert has_colour(png, HEADER_BLUE)  # the stylesheet applied: table headers are dark blue


@pytest.mark.skipif(shots.SOFFICE is None or shots.PDFTOPPM is None,
                    reason="LibreOffice (soffice) or pdftoppm (poppler-utils) is not installed")
def test_plan_xlsx_first_printed_page_is_the_summary(run, tmp_path):
    pdf = shots.xlsx_pdf(run.folder / "plan.xlsx", tmp_path)
    png = shots.pdf_png(pdf, tmp_path / "plan.png", page=1, dpi=60)
    inked, colours = shots.ink(png)
    assert 0.02 < inked < 0.6 and colours > 20, (inked, colours)
    assert has_colour(png, HEADER_BLUE)  # the summary's header rows printed
    from PIL import Image

    assert Image.open(png).width > Image.open(png).height  # landscape
