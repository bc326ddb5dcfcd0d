"""Results computed once per table object while it lives.

A scenario shares every table it does not edit with the base (scenarios.apply), and a run's
outputs read the same plan tables several times (report, summary sheet, charts): a function of a
table, memoised on that table object, is computed once per batch worker or once per run. The
result is shared, so callers read it and never change it in place.
"""

from __future__ import annotations

import functools
import weakref
from typing import Callable

import pandas as pd


def per_frame(fn: Callable) -> Callable:
    """fn(frame, *args) (args hashable), computed once per frame object and args, forgotten when
    the frame is freed (so a new frame given the freed one's id is never served its result); a
    frame of None is passed through uncached."""
    cache: dict[tuple, object] = {}

    def forget(key: int) -> None:
        for k in [k for k in cache if k[0] == key]:
            del cache[k]

    @functools.wraps(fn)
    def memoised(frame: pd.DataFrame | None, *args):
        if frame is None:  # nothing to hold on to
            return fn(frame, *args)
        key = (id(frame), *args)
        if key not in cache:
            if not any(k[0] == id(frame) for k in cache):
                weakref.finalize(frame, forget, id(frame))
            cache[key] = fn(frame, *args)
        return cache[key]

    return memoised
