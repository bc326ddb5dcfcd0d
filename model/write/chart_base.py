"""What every chart of charts/*.png shares (charts.py, origin_chart.py): the figure and its
panels, axes, legend, bars, names from the workbook, saving, file names.

Figures are 10 x 5.6 in at 150 dpi (1500 x 840 px), sized to paste into a 16:9 slide, with
fixed margins rather than a layout engine (drawing a figure once instead of twice). matplotlib
is used through its object API (`Figure`, no pyplot), so nothing global changes and nothing
needs a display. Text from the workbook is drawn as it is: mathtext is off while figures are
built and saved (a `$` in an id is a dollar sign, not a formula).
"""

from __future__ import annotations

import hashlib
import re
import struct
import zlib
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd

from ..analysis import TOL, label, short_name

SIZE = (10.0, 5.6)  # inches, 16:9
DPI = 150
CAP_COLOR = "#c00000"
MAX_LEGEND = 12  # legend entries; the rest are named as a count of others
MAX_PANELS = 6
SLUG_CHARS = 40  # the readable part of a file name made from an id
NAME_CHARS = 40  # a name in a panel title or legend entry
LEGEND_CHAR_IN, LEGEND_ENTRY_IN = 0.07, 0.6  # inches per character at 9 pt; per entry's line, gaps


def figure(n_panels: int, title: str, subtitle: str):
    """A figure with n panels in a grid, a title, room for a legend below and a small source line.

    Margins are fixed rather than computed by a layout engine: drawing a figure once instead of
    twice halves the time, and the charts all share one known shape."""
    spare = _SPARE.get(n_panels)
    fig, axes = spare.pop() if spare else _blank(n_panels)
    fig.suptitle(title, fontsize=14, fontweight="bold", y=0.975)
    fig.text(0.005, 0.008, subtitle, fontsize=7, color="#595959", ha="left", va="bottom")
    return fig, axes


def _blank(n_panels: int):
    """An untitled figure of n panels."""
    from matplotlib.figure import Figure

    nrows, ncols = _grid(n_panels)
    fig = Figure(figsize=SIZE, dpi=DPI, facecolor="white")
    fig.subplots_adjust(**_margins(n_panels))
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    for ax in axes[n_panels:]:
        ax.set_visible(False)
    return fig, list(axes[:n_panels])


def _grid(n_panels: int) -> tuple[int, int]:
    """Rows and columns of panels."""
    ncols = 1 if n_panels == 1 else 2 if n_panels in (2, 4) else 3
    return int(np.ceil(n_panels / ncols)), ncols


def _margins(n_panels: int) -> dict:
    """A blank figure's margins (`legend` raises the bottom one)."""
    nrows, ncols = _grid(n_panels)
    return dict(left=0.085, right=0.985, top=0.87 if nrows == 1 else 0.885, bottom=0.1,
                wspace=0.22 if ncols > 1 else 0.0, hspace=0.42)


REUSE_FIGURES = False  # batch workers set it (batch._worker_init): they draw the same figures scenario after scenario


def recycle(fig) -> None:
    """With REUSE_FIGURES, put a drawn figure back among the spares as a blank one of its panel count.

    A batch worker draws the same kinds of figure for every scenario, and creating the axes and
    their tick marks is about a fifth of a chart's time. Everything a chart adds (titles, texts,
    legends, columns, lines, markers) is removed and every label, limit, scale, locator, formatter
    and colour cycle reset; the axes and tick marks stay. A chart on a recycled figure is the same
    PNG, byte for byte, as on a new one (tests/write/test_charts.py, tests/scenarios/test_batch.py; and
    every chart of the shipped study's 15 scenarios when this was written)."""
    from matplotlib.transforms import Bbox

    if not REUSE_FIGURES:
        return
    panels = [ax for ax in fig.axes if ax.get_visible()]  # `_blank` hid the rest of the grid
    fig.legends.clear()
    for text in list(fig.texts):  # the title and footnotes
        text.remove()
    fig._suptitle = None
    fig.subplots_adjust(**_margins(len(panels)))
    for ax in fig.axes:
        for artist in [*ax.collections, *ax.lines, *ax.patches, *ax.texts, *ax.images]:
            artist.remove()
        ax.set_title("")
        ax.set_ylabel("")
        ax.set_prop_cycle(None)
        ax.set_xscale("linear")  # default locators and formatters
        ax.set_yscale("linear")
        ax.dataLim.set_points(Bbox.null().get_points())
        ax.viewLim.set_points(Bbox.unit().get_points())
        ax.ignore_existing_data_limits = True
        ax.autoscale(True)
    _SPARE.setdefault(len(panels), []).append((fig, panels))


# Figures made ahead by a chart process while it waits for its plan (`make_spares`), by panel
# count: creating the axes and their tick marks is about a third of a chart's time.
_SPARE: dict[int, list] = {}
SPARE_PANELS = (6, 4, 1, 2, 6, 3, 5, 4, 2, 6)  # the order they are made in, most used first
SPARE_TICKS = (13, 10)  # x (years_axis labels at most 12 years) and y tick marks per panel


def make_spares(ready) -> None:
    """Make blank figures ahead (SPARE_PANELS) until `ready()` says the plan has come: `figure`
    then takes one of the right panel count instead of building it. Tick marks are made ahead
    too (an axis reuses its first ones and never draws the others). All is made under
    `plain_text`, as `figure` is called (text settings are fixed when an artist is created): a
    chart looks the same, pixel for pixel, on a spare or a new figure."""
    with plain_text():
        for n in SPARE_PANELS:
            if ready():
                return
            fig, axes = _blank(n)
            _SPARE.setdefault(n, []).append((fig, axes))
            for ax in axes:
                if ready():
                    return
                ax.xaxis.get_major_ticks(SPARE_TICKS[0])
                ax.yaxis.get_major_ticks(SPARE_TICKS[1])


TITLE_CHARS = {1: 100, 2: 50, 3: 32}  # characters of a panel title at 11 pt, by panels side by side


def style(ax, title: str | None = None, ylabel: str | None = None) -> None:
    spec = ax.get_subplotspec()
    if title:  # a long name is drawn smaller rather than over the next panel; y given: placed
        room = TITLE_CHARS.get(spec.get_gridspec().ncols if spec is not None else 1, 32)  # without measuring
        ax.set_title(title, fontsize=max(8.0, min(11.0, 11.0 * room / len(title))), y=1.0)  # the tick labels
    if ylabel and (spec is None or spec.is_first_col()):  # one axis title per row of panels
        ax.set_ylabel(ylabel, fontsize=10)
    if getattr(ax, "_reeplan_styled", False):  # a recycled panel keeps these (recycle resets the rest)
        return
    ax.tick_params(labelsize=9)
    ax.grid(axis="y", color="#d9d9d9", linewidth=0.6)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax._reeplan_styled = True


def years_axis(ax, years) -> None:
    """Whole years on the x axis, as many labels as the panel's width allows."""
    if not len(years):
        return
    spec = ax.get_subplotspec()
    ncols = spec.get_gridspec().ncols if spec is not None else 1
    room = {1: 12, 2: 7}.get(ncols, 5)  # labels that fit side by side in one panel
    step = int(np.ceil(len(years) / room))
    if step > 1 and step < 5:
        step = 2 if step == 2 else 5
    first = min(years)
    if step > 1:  # start on a round year where possible
        first += (-first) % step if (-first) % step < len(years) else 0
    ax.set_xticks([y for y in years if y >= first][::step])
    ax.set_xlim(min(years) - 0.6, max(years) + 0.6)


def thousands(ax) -> None:
    from matplotlib.ticker import FuncFormatter

    ax.yaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:,.0f}"))


def percent(ax) -> None:
    from matplotlib.ticker import PercentFormatter

    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))


def bars(ax, x, heights, bottom, color: str, label: str, width: float = 0.8) -> np.ndarray:
    """Columns from `bottom` up by `heights` at `x`, as one PolyCollection; returns their tops.

    One artist per series instead of one Rectangle per column (`ax.bar`): adding 500 columns
    to a figure costs ~0.01 s instead of ~0.3 s, and drawing them less too. Like `ax.bar`, the
    y axis stops at 0 (no margin below the columns)."""
    from matplotlib.collections import PolyCollection

    x, h, b = (np.asarray(v, dtype=float) for v in (x, heights, bottom))
    x0, x1, top = x - width / 2, x + width / 2, b + h
    corners = np.stack([np.c_[x0, b], np.c_[x0, top], np.c_[x1, top], np.c_[x1, b]], axis=1)
    columns = PolyCollection(corners, closed=True, facecolors=color, edgecolors="none", linewidths=0,
                             label=label)
    columns.sticky_edges.y.append(0.0)
    # the data limits taken here, the view rescaled once when drawn: add_collection's own autolim
    # first applies the rescale the last series asked for (a third of a chart's building time);
    # add_collection alone never rescales (a panel of columns only stayed at 0-1)
    ax.add_collection(columns, autolim=False)
    ax.update_datalim(corners.reshape(-1, 2))
    ax.autoscale(axis="y")
    return top


def legend(fig, axes, ncol_max: int = 6) -> None:
    """One legend for the figure, below the panels, without duplicates: the columns' series
    first (in stacking order), then lines and markers."""
    from matplotlib.collections import PolyCollection

    entries, seen = [], set()
    for ax in axes:
        for h, lab in zip(*ax.get_legend_handles_labels()):
            if lab not in seen and not lab.startswith("_"):
                seen.add(lab)
                entries.append((h, lab))
    entries.sort(key=lambda e: not isinstance(e[0], PolyCollection))  # stable
    handles, labels = [h for h, _ in entries], [lab for _, lab in entries]
    if len(handles) > MAX_LEGEND:  # a long legend squashes the plot
        from matplotlib.patches import Patch

        more = len(handles) - MAX_LEGEND + 1
        handles = handles[:MAX_LEGEND - 1] + [Patch(color="white", label=f"... and {more} others")]
        labels = labels[:MAX_LEGEND - 1] + [f"... and {more} others"]
    if handles:
        ncol = _columns(labels, ncol_max)
        rows = int(np.ceil(len(labels) / ncol))
        fig.legend(handles, labels, loc="lower center", bbox_to_anchor=(0.5, 0.03), ncol=ncol, fontsize=9,
                   frameon=False)
        fig.subplots_adjust(bottom=0.1 + 0.042 * rows)  # room for the tick labels and the legend


def _columns(labels: list[str], ncol_max: int) -> int:
    """The most legend columns (at most ncol_max) whose widest entries fit across the figure:
    matplotlib splits the entries into columns as evenly as it can, each as wide as its longest."""
    chars = [len(t) for t in labels]
    for ncol in range(min(ncol_max, len(labels)), 1, -1):
        widths = [max(part) for part in np.array_split(chars, ncol)]
        if sum(LEGEND_CHAR_IN * w + LEGEND_ENTRY_IN for w in widths) <= SIZE[0] - 0.4:
            return ncol
    return 1


def footnote(fig, text: str) -> None:
    fig.text(0.995, 0.008, text, fontsize=7, color="#595959", ha="right", va="bottom")


@contextmanager
def plain_text():
    """Workbook text is drawn literally: no mathtext (restored afterwards, nothing global); glyphs
    unhinted (at 150 dpi as legible, and text is drawn about a fifth faster)."""
    import matplotlib

    with matplotlib.rc_context({"text.parse_math": False, "text.hinting": "no_hinting"}):
        yield


class ChartPath(type(Path())):
    """The path of a chart file; `subject` is the id it is drawn for (the region of a supply-mix
    chart), since the file name holds only a slug of it."""

    subject: str | None = None


def png(fig) -> bytes:
    """Draw the figure as an RGB PNG (`encode_png`)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image

    canvas = FigureCanvasAgg(fig)
    with plain_text():
        canvas.draw()
    width, height = canvas.get_width_height()
    rgba = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    return encode_png(np.asarray(rgba.convert("RGB")), DPI)


def encode_png(rgb: np.ndarray, dpi: int) -> bytes:
    """An RGB image (height x width x 3, uint8) as a PNG: every row filtered as "Up" (the
    difference from the row above, mostly 0 on a chart's flat colours) and deflated at zlib's
    fastest level. Half of what Pillow takes (it tries each filter on every row, for files ~3 %
    smaller) and a tenth of a scenario's chart time; Pillow reads the result back pixel for pixel
    (tests/write/test_charts.py)."""
    height, width, _ = rgb.shape
    rows = rgb.reshape(height, width * 3)
    data = np.empty((height, width * 3 + 1), np.uint8)
    data[:, 0] = 2  # filter type Up
    data[0, 1:] = rows[0]
    np.subtract(rows[1:], rows[:-1], out=data[1:, 1:])  # modulo 256, as the filter is defined

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    per_metre = round(dpi / 0.0254)
    return b"".join([b"\x89PNG\r\n\x1a\n",
                     chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)),  # 8-bit RGB
                     chunk(b"pHYs", struct.pack(">IIB", per_metre, per_metre, 1)),
                     chunk(b"IDAT", zlib.compress(data.tobytes(), 1)),
                     chunk(b"IEND", b"")])


def write_png(data: bytes, path: Path, subject: str | None = None) -> ChartPath:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    out = ChartPath(path)
    out.subject = subject
    return out


def slugs(ids) -> dict[str, str]:
    """id -> a file-name part: ASCII letters, digits and _ . -, at most SLUG_CHARS characters plus,
    when that changed or shortened the id, '-' and 8 hex digits of its SHA-1; unique among the
    ids given even on a case-insensitive file system."""
    out: dict[str, str] = {}
    taken: set[str] = set()
    for text in sorted({str(i) for i in ids}):
        base = re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("_.") or "id"
        slug = base[:SLUG_CHARS]
        digest = hashlib.sha1(text.encode("utf-8")).hexdigest()
        if slug != text or slug.lower() in taken:
            slug = f"{slug}-{digest[:8]}"
        n = 1
        while slug.lower() in taken:  # clashes with a slug taken before (practically never)
            n += 1
            slug = f"{base[:SLUG_CHARS]}-{digest[:8]}-{n}"
        taken.add(slug.lower())
        out[text] = slug
    return out


def keep(totals: pd.Series, n: int = 9) -> list:
    """The n largest keys by total (in name order); the rest are drawn together as 'other'."""
    totals = totals[totals.abs() > TOL]
    if len(totals) <= n + 1:
        return sorted(totals.index)
    return sorted(totals.sort_values(ascending=False, kind="stable").index[:n])


def subtitle(summary: dict) -> str:
    stem = Path(str(summary.get("workbook") or "study")).stem
    return f"reeplan  |  study {stem}  |  scenario {summary.get('scenario', 'base')}  |  status {summary.get('status')}"


def named(summary: dict, sheet: str):
    """id -> the short name a chart shows for it (`name`), for one sheet of summary['names']."""
    names = (summary.get("names") or {}).get(sheet)
    return lambda key: name(key, names)


def name(key, names: dict | None) -> str:
    """The workbook's name of an id as a chart shows it: its short name (`analysis.short_name`,
    as in the report; units and notes stay in the workbook), at most NAME_CHARS characters; the
    id when it has no name."""
    short = short_name(label(key, names, short=True))
    return short if len(short) <= NAME_CHARS else short[:NAME_CHARS - 1].rstrip() + "…"


def empty(df: pd.DataFrame | None) -> bool:
    return df is None or df.empty
