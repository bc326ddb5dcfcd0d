"""Lumpy builds (formulation 15): whole units and minimum plant sizes, a mixed-integer program.

    unit_tpa:       build[p, tau] = unit_tpa_p * units[p, tau],            units integer >= 0
    min_build_tpa:  min_build_tpa_p * opened[p, tau] <= build[p, tau] <= max_new_tpa_p * opened[p, tau],
                    opened binary

Only projects that set one of them get integer columns; without any the model stays an LP.
Shadow prices then come from the LP with the integer columns fixed at the chosen plan (solve.py).
"""

from __future__ import annotations

from ..data import Key, Row, Study


def lumpy_builds(s: Study) -> dict[Key, Row]:
    """Rows keyed ("unit" | "min" | "max", project, start year)."""
    ref_build = s.refs.family("build")
    rows: dict[Key, Row] = {}
    for k in s.units:
        p = s.projects[k[0]]
        rows[("unit",) + k] = Row({ref_build[k]: 1.0, s.refs("units", k): -p.unit}, "==", 0.0, k[1])
    for k in s.opened:
        p = s.projects[k[0]]
        y = s.refs("opened", k)
        rows[("min",) + k] = Row({ref_build[k]: 1.0, y: -p.min_build}, ">=", 0.0, k[1])
        rows[("max",) + k] = Row({ref_build[k]: 1.0, y: -p.max_new}, "<=", 0.0, k[1])
    return dict(sorted(rows.items()))


def relax(s: Study) -> None:
    """The LP relaxation (--relax): builds continuous again, exactly the version 1 LP."""
    s.units, s.opened = [], []
    s.rows.pop("lumpy", None)
