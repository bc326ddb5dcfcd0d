"""CSV tables with one fixed number rule, so equal inputs give byte-identical files.

Rule (outputs.md): a value below 1e-6 in magnitude is written as 0; otherwise at most six
significant digits, positional notation (no exponent), no trailing zeros. Blanks stay blank.

Text a spreadsheet would run as a formula is neutralised as OWASP recommends: a text cell
(or header) starting with =, +, -, @, tab or carriage return is written with a leading
single quote ('=x). Carriage returns inside text are written as line feeds: the csv module
quotes a field only for the line ending it writes (\n), and a bare \r would start a new row
in a spreadsheet. Numbers are never changed (-5 stays -5).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

SMALL = 1e-6
RISKY_START = ("=", "+", "-", "@", "\t", "\r")


def format_number(x) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return ""
    x = float(x)
    if abs(x) < SMALL:
        return "0"
    return np.format_float_positional(x, precision=6, unique=False, fractional=False, trim="-")


def numbers(s: pd.Series) -> pd.Series:
    """A float column as text by the number rule, each distinct value formatted once (a plan's
    columns repeat values: zeros, capacities held year after year)."""
    distinct, where = np.unique(s.to_numpy(dtype=float), return_inverse=True)  # NaNs together (blank)
    text = np.array([format_number(x) for x in distinct.tolist()] or [""], dtype=object)
    return pd.Series(text[where.reshape(-1)], index=s.index, dtype=object)


def neutralised(v):
    """Text that a spreadsheet would run, with a leading quote, and \r as \n; anything else as it is."""
    if not isinstance(v, str):
        return v
    if v.startswith(RISKY_START):
        v = "'" + v
    return v.replace("\r\n", "\n").replace("\r", "\n") if "\r" in v else v


def formatted(df: pd.DataFrame) -> pd.DataFrame:
    """Floats as text by the number rule; integers as they are; text neutralised."""
    out = df.copy()
    out.columns = [neutralised(c) for c in out.columns]
    for c in out.columns:
        s = out[c]
        if not (pd.api.types.is_object_dtype(s) or pd.api.types.is_string_dtype(s)):
            if pd.api.types.is_float_dtype(s):
                out[c] = numbers(s)
            continue
        out[c] = texts(s)
    return out


def texts(s: pd.Series) -> pd.Series:
    """A text column: text neutralised, numbers among it by the number rule, blanks blank; each
    distinct value done once (a plan's text columns repeat a few ids)."""
    codes, distinct = pd.factorize(s, use_na_sentinel=False)  # None and NaN kept as values
    done = [neutralised(v) for v in distinct.tolist()]  # before numbers become text, so no number is touched
    if any(isinstance(v, float) for v in done):
        done = [format_number(v) if isinstance(v, (float, int)) or v is None else v for v in done]
    return pd.Series(np.array(done, dtype=object)[codes] if len(done) else [], index=s.index, dtype=object)


def write_csv(df: pd.DataFrame, path: Path) -> None:
    formatted(df).to_csv(path, index=False, lineterminator="\n", encoding="utf-8")
