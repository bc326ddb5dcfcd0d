"""Results computed once per table object while it lives.

A scenario shares every table it does not edit with the base (scenarios.apply), and a run's
outputs read the same plan tables several times (report, summary sheet, charts): a function of
tables, memoised on those table objects, is computed once per batch worker or once per run. The
result is shared, so callers read it and never change it in place.
"""

from __future__ import annotations

import functools
import weakref
from typing import Callable

import pandas as pd

_MEMO: dict = {}  # (function, ids of its tables) -> [(its other arguments, result)], while the tables live


def once(fn: Callable, frames: tuple, args: tuple):
    """fn(*frames, *args), computed once per set of table objects (by identity) and arguments (by
    equality: they may hold dicts; every set asked for is kept, as the report and the summary
    sheet ask in turn for shares in one year, in the key years and by region). Forgotten when a
    table is freed, so a new table given a freed one's id is never served its result."""
    key = (fn, tuple(id(f) for f in frames))
    known = _MEMO.get(key)
    for asked, value in known or ():
        if asked == args:
            return value
    value = fn(*frames, *args)
    if known is None:
        known = _MEMO[key] = []
        for f in frames:
            if f is not None:
                weakref.finalize(f, _MEMO.pop, key, None)
    known.append((args, value))
    return value


def per_frame(fn: Callable) -> Callable:
    """fn(frame, *args) as a function `once` per frame object and args; a frame of None is passed
    through uncached (nothing to hold on to)."""
    @functools.wraps(fn)
    def memoised(frame: pd.DataFrame | None, *args):
        return fn(frame, *args) if frame is None else once(fn, (frame,), args)

    return memoised
