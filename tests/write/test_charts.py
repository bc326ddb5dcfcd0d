"""charts/*.png: drawn headless, slide-sized, not blank; targets from the policies table; charts with
nothing to show are skipped."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import time
from collections import Counter
from contextlib import nullcontext

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PolyCollection
from matplotlib.image import imread

from _plans import bound, example, plain
from model.results import plan_tables
from model.analysis import budget_spend
from model import forked
from model.forked import Later
from model.write import chart_base
from model.write.chart_base import _columns, name
from model.write.charts import (DPI, PRICED, SIZE, UNPRICED, VALUE_TABLES, figures, rendered,
                                write_charts)

EXAMPLE_CHARTS = ["capacity_by_stage_region.png", "supply_mix_EU.png", "domestic_shares.png",
                  "capital_spend.png", "commodity_prices.png"]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    return example(tmp_path_factory)


@pytest.fixture(scope="module")
def tables(run):
    return plan_tables(run.study, run.solution)


def lines(fig, panel: int | None = None) -> dict[str, np.ndarray]:
    """Label -> y data of every labelled line of a figure (or of one of its panels)."""
    axes = fig.axes if panel is None else [fig.axes[panel]]
    return {ln.get_label(): np.asarray(ln.get_ydata(), dtype=float)
            for ax in axes for ln in ax.get_lines() if not ln.get_label().startswith("_")}


def bars(ax) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Label -> (x centres, heights) of every series of columns of a panel (chart_base.bars)."""
    out = {}
    for c in ax.collections:
        if isinstance(c, PolyCollection) and not c.get_label().startswith("_"):
            corners = np.array([p.vertices[:4] for p in c.get_paths()])
            out[c.get_label()] = (corners[:, :, 0].mean(axis=1), np.ptp(corners[:, :, 1], axis=1))
    return out


def assert_picture(path):
    img = imread(path)
    assert img.shape[:2] == (round(SIZE[1] * DPI), round(SIZE[0] * DPI))  # 840 x 1500 px
    gray = img[..., :3].mean(axis=2)
    assert gray.std() > 0.05, f"{path.name} looks blank"  # white page with a few lines has std ~0.02
    assert (gray < 0.5).mean() > 0.01, f"{path.name} has almost no ink"


def test_example_draws_every_chart(run):
    charts = sorted(p.name for p in (run.folder / "charts").iterdir())
    assert charts == sorted(EXAMPLE_CHARTS)
    for name in EXAMPLE_CHARTS:
        assert_picture(run.folder / "charts" / name)
        assert 20_000 < (run.folder / "charts" / name).stat().st_size < 1_000_000


def test_write_charts_returns_the_files_in_order(tmp_path, run, tables):
    paths = write_charts(tmp_path, tables, run.summary)
    assert [p.name for p in paths] == EXAMPLE_CHARTS
    assert all(p.parent == tmp_path / "charts" and p.exists() for p in paths)


def test_titles_units_and_legends(run, tables):
    figs = dict(figures(tables, run.summary))
    for name, fig in figs.items():
        assert fig._suptitle is not None and fig._suptitle.get_text(), name
        assert fig.legends, name  # one legend per figure
        assert all(ax.get_title() for ax in fig.axes if ax.get_visible()), name
        units = {ax.get_ylabel() for ax in fig.axes if ax.get_visible()} - {""}
        assert units, name
        w, h = fig.get_size_inches()
        assert (w, h) == SIZE
    assert {ax.get_title() for ax in figs["capacity_by_stage_region.png"].axes} == {
        "Extraction", "Processing", "Manufacturing", "Recycling"}
    assert figs["capital_spend.png"].axes[0].get_ylabel() == "USD million"
    assert figs["commodity_prices.png"].axes[0].get_ylabel() == "USD/t"


def test_targets_and_caps_come_from_the_policies_table(run, tables):
    pol = tables["policies"].copy()
    figs = dict(figures(tables, run.summary))
    targets = lines(figs["domestic_shares.png"])
    assert set(np.unique(targets["processing target 40%"])) == {0.4}
    assert set(np.unique(targets["recycling target 25%"])) == {0.25}
    assert set(np.unique(targets["extraction target 10%"])) == {0.1}
    got = targets["processing achieved"]
    want = pol[pol.policy == "crma_processing"].sort_values("year")["achieved_share"].to_numpy()
    assert got == pytest.approx(want)
    # change the targets in the table: the chart follows
    pol.loc[pol.policy == "crma_processing", "share"] = 0.55
    pol.loc[pol.kind == "max_supplier_share", "share"] = 0.5
    moved = dict(figures({**tables, "policies": pol}, run.summary))
    assert set(np.unique(lines(moved["domestic_shares.png"])["processing target 55%"])) == {0.55}
    caps = [c for ax in moved["supply_mix_EU.png"].axes for c in ax.collections
            if c.get_label() == "cap 50% on any one supplier"]
    assert caps and all(np.allclose([seg[:, 1] for seg in c.get_segments()], 0.5) for c in caps)


def test_supply_mix_stacks_suppliers_against_the_cap(run, tables):
    fig = dict(figures(tables, run.summary))["supply_mix_EU.png"]
    assert [ax.get_title() for ax in fig.axes] == ["Extraction (NdPr)", "Processing (NdPr)", "Manufacturing (NdPr)"]
    columns = bars(fig.axes[2])  # manufacturing
    assert "imports from China" in columns  # the region's name from the workbook (issue 18)
    x, cn = columns["imports from China"]
    pol = tables["policies"]
    want = pol[(pol.policy == "crma_max_supplier_manufacturing") & (pol.supplier == "CN")].sort_values("year")
    assert x.tolist() == want["year"].tolist()
    assert cn.tolist() == pytest.approx(want["achieved_share"].tolist())


def legend_labels(fig) -> list[str]:
    return [t.get_text() for legend in fig.legends for t in legend.get_texts()]


def test_names_not_ids_in_titles_and_legends(run, tables):
    assert run.summary["names"]["regions"]["CN"] == "China"
    figs = dict(figures(tables, run.summary))
    assert figs["supply_mix_EU.png"]._suptitle.get_text().startswith("European Union: NdPr supply by stage")
    assert legend_labels(figs["capacity_by_stage_region.png"]) == [  # columns first, stacked in region order
        "Australia", "European Union", "United States", "Malaysia", "Japan", "of which new builds (all regions)"]
    assert "imports from China" in legend_labels(figs["supply_mix_EU.png"])
    # commodity names up to their first parenthesis (units stay in the workbook), ids where none is given
    prices = figs["commodity_prices.png"]
    assert {ax.get_title() for ax in prices.axes} >= {"separated NdPr oxide", "sintered NdFeB magnet"}
    assert {"European Union", "United States"} <= set(legend_labels(prices))
    bare = dict(figures(tables, {k: v for k, v in run.summary.items() if k != "names"}))
    assert "imports from CN" in legend_labels(bare["supply_mix_EU.png"])
    assert {"ndpr_oxide", "magnet"} <= {ax.get_title() for ax in bare["commodity_prices.png"].axes}


@pytest.mark.parametrize("full, shown", [
    ("China", "China"),
    ("mineral concentrate (t NdPr oxide equivalent)", "mineral concentrate"),
    ("sintered NdFeB magnet (any grade; demand here is high-performance)", "sintered NdFeB magnet"),
    ("magnet; any grade", "magnet"),
    ("standard-grade duty, met in the region", "standard-grade duty"),  # the report's rule too
    ("(only a note)", "(only a note)"),
    ("a very long name for a commodity that goes on and on", "a very long name for a commodity that g…"),
])
def test_chart_names_are_short(full, shown):
    assert name("x", {"x": full}) == shown
    assert name("y", {"x": full}) == "y"  # no name: the id


@pytest.mark.parametrize("labels, ncol_max, want", [
    (["CN", "US", "EU"], 6, 3),
    ([f"region {i}" for i in range(12)], 6, 6),
    (["domestic output (as its share target counts it)"] + [f"imports from country {i}" for i in range(8)], 4, 3),
    (["x" * 120, "y"], 4, 1),
])
def test_legend_columns_fit_the_figure(labels, ncol_max, want):
    assert _columns(labels, ncol_max) == want


def test_capital_spend_matches_the_budgets(run, tables):
    fig = dict(figures(tables, run.summary))["capital_spend.png"]
    assert [ax.get_title() for ax in fig.axes] == ["eu_crma (European Union, all stages)",
                                              "us_dod (United States, all stages)"]
    b = tables["budgets"]
    eu = b[b.budget == "eu_crma"].sort_values("year")
    assert lines(fig, 0)["spend to date"] == pytest.approx(eu["spend_musd"].to_numpy())
    us = b[b.budget == "us_dod"]
    assert lines(fig, 1)["spend to date"] == pytest.approx(us["spend_musd"].to_numpy())


SPEND = pd.DataFrame({"project": ["a", "b", "c", "a"], "technology": "t",
                      "stage": ["processing", "manufacturing", "processing", "processing"],
                      "region": ["EU", "EU", "US", "EU"], "year": [2025, 2025, 2025, 2027],
                      "spend_musd": [1.5, 2.0, 4.0, 3.0]})


@pytest.mark.parametrize("region, stage, want", [
    ("EU", "*", [3.5, 0.0, 3.0]),
    ("*", "*", [7.5, 0.0, 3.0]),
    ("*", "processing", [5.5, 0.0, 3.0]),
    ("EU", "manufacturing", [2.0, 0.0, 0.0]),
    ("CN", "*", [0.0, 0.0, 0.0]),
])
def test_budget_spend_sums_the_spend_table(region, stage, want):
    assert budget_spend(SPEND, region, stage, [2025, 2026, 2027]).tolist() == want


def spend_bars(tables, summary) -> list[float]:
    """Per panel of capital_spend.png: the sum of its 'capital spend in the year' bars."""
    fig = dict(figures(tables, summary))["capital_spend.png"]
    return [columns["capital spend in the year"][1].sum() for columns in map(bars, fig.axes)
            if "capital spend in the year" in columns]


def test_spend_bars_come_from_the_spend_table(run, tables):
    # eu_crma (EU, all stages): a 1.5 + 3.0, b 2.0; us_dod (US): c 4.0
    assert spend_bars({**tables, "spend": SPEND}, run.summary) == pytest.approx([6.5, 4.0])
    assert spend_bars({k: v for k, v in tables.items() if k != "spend"}, run.summary) == []  # no table, no bars


def test_annual_spend_adds_up_to_the_budget_rows(tables):
    if "spend" not in tables:
        pytest.skip("results.py does not write the spend table yet")
    eu = tables["budgets"].query("budget == 'eu_crma'").sort_values("year")
    annual = budget_spend(tables["spend"], "EU", "*", list(range(2025, int(eu.year.max()) + 1)))
    assert annual.cumsum()[eu.year].to_numpy() == pytest.approx(eu["spend_musd"].to_numpy(), rel=1e-9)


def test_nothing_to_show_is_not_drawn(tmp_path_factory):
    run = plain(tmp_path_factory)
    names = sorted(p.name for p in (run.folder / "charts").iterdir())
    # nothing built and no capacity (imports are cheaper), no policy, no budget: only prices
    assert names == ["commodity_prices.png"]
    for p in (run.folder / "charts").iterdir():
        assert_picture(p)
    empty = {k: pd.DataFrame() for k in ("capacity", "policies", "budgets", "prices", "builds")}
    assert write_charts(tmp_path_factory.mktemp("none"), empty, {}) == []


def test_domestic_target_only_gives_no_supply_mix(tmp_path_factory):
    names = sorted(p.name for p in (bound(tmp_path_factory).folder / "charts").iterdir())
    assert "domestic_shares.png" in names and not any(n.startswith("supply_mix") for n in names)


def test_headless_and_no_global_matplotlib_state(run, tmp_path):
    # a fresh interpreter with no display: no pyplot, no backend switch for the caller
    code = (
        "import sys, json, pandas as pd\n"
        "from pathlib import Path\n"
        "from model.write.charts import write_charts\n"
        f"folder = Path({str(run.folder)!r})\n"
        "tables = {p.stem: pd.read_csv(p, keep_default_na=False, na_values=[''])\n"
        "          for p in (folder / 'csv').glob('*.csv')}\n"
        "for t in tables.values():\n"
        "    for c in ('supplier', 'region', 'stage'):\n"
        "        if c in t: t[c] = t[c].fillna('')\n"
        "summary = json.loads((folder/'summary.json').read_text())\n"
        f"paths = write_charts(Path({str(tmp_path)!r}), tables, summary)\n"
        "assert len(paths) == 5, paths\n"
        "assert 'matplotlib.pyplot' not in sys.modules\n"
        "print('ok')\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "MPLBACKEND", "WAYLAND_DISPLAY")}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0 and proc.stdout.strip() == "ok", proc.stderr


def test_charts_do_not_touch_the_csv_tables(run, tmp_path):
    before = {p.name: p.read_bytes() for p in (run.folder / "csv").iterdir()}
    assert all(n.endswith(".csv") for n in before)
    write_charts(run.folder, plan_tables(run.study, run.solution), run.summary)
    assert {p.name: p.read_bytes() for p in (run.folder / "csv").iterdir()} == before


def test_native_chart_sheets_head_series_by_name(run, tables):
    from openpyxl import Workbook

    from model.write.chart_sheets import chart_sheets

    def headers(names):
        wb = Workbook()
        chart_sheets(wb, tables, names)
        ws = wb["chart_capacity_by_region"]
        return [c.value for c in ws[2]]  # row 1: the block's label, row 2: its header

    named = headers(run.summary["names"])
    assert named[0] == "year" and "European Union" in named and "EU" not in named
    assert "EU" in headers(None)  # no names: the ids
    pol = tables["policies"].assign(name="")
    wb = Workbook()
    chart_sheets(wb, {**tables, "policies": pol}, {"policies": {"crma_processing": "CRMA processing target"}})
    heads = {c.value for row in wb["chart_import_dependence"].iter_rows() for c in row if isinstance(c.value, str)}
    assert "CRMA processing target: domestic share" in heads and "crma_processing: domestic share" not in heads


# ---------------------------------------------------------------- the chart child (pipeline.py, forked.py)
def _panels(fig) -> int:
    return sum(ax.get_visible() for ax in fig.axes)


@pytest.mark.parametrize("height,width", [(1, 1), (2, 3), (37, 53)])
def test_encode_png_is_read_back_pixel_for_pixel(height, width):
    """chart_base.encode_png: Pillow reads the same pixels (every byte value, rows whose difference
    wraps around 256) and the resolution."""
    from io import BytesIO

    from PIL import Image

    rgb = np.random.default_rng(height).integers(0, 256, (height, width, 3), dtype=np.uint8)
    rgb[-1] = 255 - rgb[0]  # differences across the full range
    image = Image.open(BytesIO(chart_base.encode_png(rgb, 150)))
    image.load()
    assert image.format == "PNG" and image.mode == "RGB" and image.size == (width, height)
    assert np.array_equal(np.asarray(image), rgb)
    assert image.info["dpi"] == pytest.approx((150, 150), abs=0.02)


def test_spare_figures_draw_the_same_pictures(run, tables, tmp_path):
    fresh = write_charts(tmp_path / "fresh", tables, run.summary)
    want = Counter(_panels(fig) for _, fig in figures(tables, run.summary))
    try:
        chart_base.make_spares(lambda: False)
        made = Counter({n: len(v) for n, v in chart_base._SPARE.items()})
        spared = write_charts(tmp_path / "spare", tables, run.summary)
        left = Counter({n: len(v) for n, v in chart_base._SPARE.items()})
    finally:
        chart_base._SPARE.clear()
    assert made == Counter(chart_base.SPARE_PANELS)
    assert made - left == want & made  # every chart with a spare of its panel count drew on it
    assert [p.name for p in spared] == [p.name for p in fresh] == EXAMPLE_CHARTS
    assert all(a.read_bytes() == b.read_bytes() for a, b in zip(fresh, spared))


def test_spares_stop_when_the_plan_comes():
    try:
        chart_base.make_spares(lambda: True)
        assert chart_base._SPARE == {}
        first = chart_base.SPARE_PANELS[0]
        chart_base.make_spares(lambda: bool(chart_base._SPARE))  # the plan comes while the first is made
        assert {n: len(v) for n, v in chart_base._SPARE.items()} == {first: 1}
    finally:
        chart_base._SPARE.clear()


def test_charts_drawn_ahead_from_the_values_are_those_drawn_at_once(run, tables, tmp_path):
    values_only = dataclasses.replace(run.solution, duals={}, reduced={})  # before the duals of a MIP exist
    values = plan_tables(run.study, values_only, only=VALUE_TABLES)
    assert set(values) == set(VALUE_TABLES) & set(tables) and values["policies"]["shadow_price_usd_per_t"].isna().all()
    ahead = rendered(values, run.summary, UNPRICED)
    assert [name for name, *_ in ahead] == [n for n in EXAMPLE_CHARTS if n != "commodity_prices.png"]
    parts = write_charts(tmp_path / "parts", tables, run.summary, PRICED, ahead=ahead)
    whole = write_charts(tmp_path / "whole", tables, run.summary)
    assert [p.name for p in parts] == [p.name for p in whole] == EXAMPLE_CHARTS
    assert all(a.read_bytes() == b.read_bytes() for a, b in zip(parts, whole))


def _plus(x, early=None):
    return x if early is None else x + early


def _double(x):
    return 2 * x


def _wait(ready):
    while not ready():
        time.sleep(0.005)


def _fails(x):
    raise ValueError(f"no {x}")


@pytest.mark.parametrize("fork,want", [(True, 4 + 6), (False, 4)])  # without a child, early does nothing
def test_later_runs_early_work_then_the_function_on_its_result(fork, want):
    later = Later(_plus, fork=fork, idle=_wait, early=_double)
    later.early(3)
    later.give(4)
    assert later.result() == want


def test_an_error_in_the_early_work_is_raised_by_result():
    later = Later(_plus, idle=_wait, early=_fails)
    later.early(5)
    later.give(1)
    with pytest.raises(ValueError, match="no 5") if later.forked else nullcontext():
        later.result()


def test_arguments_for_a_busy_child_are_sent_without_waiting():
    if forked.fcntl is None:
        pytest.skip("the pipe's size is set on Linux only")
    later = Later(_plus, idle=_wait, early=time.sleep)
    if not later.forked:
        pytest.skip("no fork here")
    later.early(30)  # busy: it reads nothing more
    t0 = time.perf_counter()
    later.give(list(range(60_000)))  # ~300 kB: more than a default pipe holds (64 kB)
    assert time.perf_counter() - t0 < 5
    proc = later.proc
    later.cancel()
    assert not proc.is_alive()


def test_a_panel_of_columns_only_is_scaled_to_them():
    # no line on the panel (a stage without new builds): the y axis must still reach the columns'
    # tops (100 + 200 = 300 t), not stay at matplotlib's 0-1
    fig, (ax,) = chart_base._blank(1)
    top = chart_base.bars(ax, [2025, 2026], [100.0, 300.0], [0.0, 0.0], "#1f77b4", "a")
    chart_base.bars(ax, [2025, 2026], [50.0, 0.0], top, "#ff7f0e", "b")
    chart_base.png(fig)
    low, high = ax.get_ylim()
    assert low == 0.0 and 300.0 <= high <= 330.0


def test_recycled_figures_draw_the_same_pictures(run, tables, tmp_path, monkeypatch):
    # a batch worker draws each scenario on the last one's figures (chart_base.recycle): the
    # example's charts, a plan without prices or policies, then the example again are the same
    # bytes as on new figures
    fresh = write_charts(tmp_path / "fresh", tables, run.summary)
    assert chart_base._SPARE == {}  # off by default: nothing kept
    bare = {k: v for k, v in tables.items() if k not in ("prices", "policies")}
    fresh_bare = write_charts(tmp_path / "fresh_bare", bare, run.summary)
    monkeypatch.setattr(chart_base, "REUSE_FIGURES", True)
    try:
        first = write_charts(tmp_path / "first", tables, run.summary)
        kept = Counter({n: len(v) for n, v in chart_base._SPARE.items()})
        second = write_charts(tmp_path / "second", bare, run.summary)
        third = write_charts(tmp_path / "third", tables, run.summary)
    finally:
        chart_base._SPARE.clear()
    assert kept == Counter(_panels(fig) for _, fig in figures(tables, run.summary))
    for new, drawn in ((fresh, first), (fresh_bare, second), (fresh, third)):
        assert [p.name for p in drawn] == [p.name for p in new]
        assert all(a.read_bytes() == b.read_bytes() for a, b in zip(new, drawn))
