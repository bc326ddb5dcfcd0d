"""One colour per region in every chart (charts/*.png) and every workbook chart (plan.xlsx,
overview.xlsx), kept here so that China is the same red everywhere.

Regions of the shipped study have fixed colours; any other region id gets one from a spare
palette chosen by a hash of the id, so its colour depends on the id alone (not on which other
regions a chart happens to show). "other" (the regions a legend leaves out) is always grey.
Series that are not regions (stages, stocks) use SERIES in order.
"""

from __future__ import annotations

import hashlib

OTHER, OTHER_COLOUR = "other", "#c7c7c7"
REGION_COLOURS = {
    "CN": "#d62728",  # red
    "US": "#1f77b4",  # blue
    "EU": "#2f4b9c",  # dark blue
    "UK": "#17becf",  # cyan
    "NO": "#9edae5",
    "CA": "#8c564b",  # brown
    "AU": "#ff7f0e",  # orange
    "JP": "#2ca02c",  # green
    "KR": "#9467bd",  # purple
    "BR": "#bcbd22",  # olive
    "MY": "#e377c2",  # pink
    "VN": "#f7b6d2",
    "MM": "#7f3b08",
    "RW": "#7f7f7f",  # rest of world: dark grey
}
SPARE = ("#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173", "#3182bd", "#e6550d", "#31a354",
         "#756bb1", "#636363", "#6baed6", "#fd8d3c", "#74c476", "#9e9ac8", "#ad494a", "#a55194")
SERIES = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#393b79",
          "#bcbd22", "#17becf")


def region_colour(region) -> str:
    """'#rrggbb' of one region id (grey for 'other')."""
    region = str(region)
    if region == OTHER:
        return OTHER_COLOUR
    if region in REGION_COLOURS:
        return REGION_COLOURS[region]
    digest = hashlib.sha1(region.encode("utf-8")).digest()
    return SPARE[int.from_bytes(digest[:4], "big") % len(SPARE)]


def region_colours(regions) -> dict:
    """{region: '#rrggbb'} for the regions of one chart, 'other' included."""
    return {r: region_colour(r) for r in regions} | {OTHER: OTHER_COLOUR}


def series_colours(keys) -> dict:
    """{key: '#rrggbb'} for series that are not regions, in order; 'other' grey."""
    out = {k: SERIES[i % len(SERIES)] for i, k in enumerate(k for k in keys if k != OTHER)}
    return out | {OTHER: OTHER_COLOUR}


def excel(colour: str) -> str:
    """'#d62728' -> 'D62728' (openpyxl's colour form)."""
    return colour.lstrip("#").upper()
