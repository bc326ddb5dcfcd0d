"""CSV tables with one fixed number rule, so equal inputs give byte-identical files.

Rule (outputs.md): a value below 1e-6 in magnitude is written as 0; otherwise at most six
significant digits, positional notation (no exponent), no trailing zeros. Blanks stay blank.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

SMALL = 1e-6


def format_number(x) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return ""
    x = float(x)
    if abs(x) < SMALL:
        return "0"
    return np.format_float_positional(x, precision=6, unique=False, fractional=False, trim="-")


def formatted(df: pd.DataFrame) -> pd.DataFrame:
    """Floats as text by the number rule; integers and text as they are."""
    out = df.copy()
    for c in out.columns:
        if pd.api.types.is_float_dtype(out[c]) or out[c].map(lambda v: isinstance(v, float)).any():
            out[c] = out[c].map(lambda v: format_number(v) if isinstance(v, (float, int)) or v is None else v)
    return out


def write_csv(df: pd.DataFrame, path: Path) -> None:
    formatted(df).to_csv(path, index=False, lineterminator="\n", encoding="utf-8")
