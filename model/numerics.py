"""Numerical health of the LP before HiGHS sees it.

HiGHS silently drops matrix coefficients below `small_matrix_value` (1e-9) and, with its output
off while the model is handed over, says nothing: a content of 1e-12 t/t then vanishes from a
policy row and the plan 'meets' a target it misses. Coefficients spanning many orders of magnitude
make simplex results unreliable. `matrix_warnings` names the rows and columns responsible.
"""

from __future__ import annotations

import numpy as np

from .lp.names import ROWS

SMALL = 1e-9  # HiGHS's small_matrix_value: smaller non-zero coefficients are set to zero
RANGE = 1e8  # largest / smallest |coefficient| beyond which results are unreliable
SHOWN = 5  # entries named per warning


def _column_name(columns, j: int) -> str:
    for fam, (a, b) in columns.span.items():
        if a <= j < b:
            key = next(k for k, c in columns.index[fam].items() if c == j)
            return f"{fam}[{', '.join(map(str, key if isinstance(key, tuple) else (key,)))}]"
    return f"column {j}"


def _row_name(block_name: str, key) -> str:
    fam = ROWS.get(block_name)
    where = f" ({fam.sheet})" if fam else ""
    return f"{block_name} row {key}{where}"


def _entries(lp):
    """Every non-zero coefficient: value, block, row within block, column."""
    vals, blocks, rows, cols = [], [], [], []
    for k, comp in enumerate(lp.blocks):
        b = comp._block
        nz = b.data != 0
        vals.append(b.data[nz])
        blocks.append(np.full(nz.sum(), k))
        rows.append(np.repeat(np.arange(len(b)), np.diff(b.indptr))[nz])
        cols.append(b.indices[nz])
    if not vals:
        return (np.zeros(0),) * 4
    return tuple(np.concatenate(x) for x in (vals, blocks, rows, cols))


def matrix_warnings(lp) -> list[str]:
    """Warnings about coefficients HiGHS would drop or that span too wide a range."""
    vals, blocks, rows, cols = _entries(lp)
    if not len(vals):
        return []
    mag = np.abs(vals)

    def name(i: int) -> str:
        comp = lp.blocks[int(blocks[i])]
        return (f"{mag[i]:.3g} for {_column_name(lp.columns, int(cols[i]))} in "
                f"{_row_name(comp.name, comp._block.keys[int(rows[i])])}")

    out = []
    tiny = np.flatnonzero(mag < SMALL)
    if len(tiny):
        shown = "; ".join(name(i) for i in tiny[:SHOWN])
        more = f" and {len(tiny) - SHOWN} more" if len(tiny) > SHOWN else ""
        out.append(f"{len(tiny)} matrix coefficient(s) below {SMALL:g}, which HiGHS sets to zero: {shown}{more}. "
                   "Check the units of these inputs (a content or coefficient this small is usually a typo).")
    kept = np.flatnonzero(mag >= SMALL)
    if len(kept):
        lo, hi = kept[np.argmin(mag[kept])], kept[np.argmax(mag[kept])]
        if mag[hi] / mag[lo] > RANGE:
            out.append(f"matrix coefficients span {mag[hi] / mag[lo]:.1e} (more than {RANGE:g}), so the solution "
                       f"may be inaccurate: smallest {name(lo)}; largest {name(hi)}. Rescale the inputs involved.")
    return out
