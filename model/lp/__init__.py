"""The linear program of docs/formulation.md in Pyomo: `build.build_model` is the table of contents."""

from __future__ import annotations


def __getattr__(name: str):
    # lazy, so that `lp.names` can be imported by modules that lp.build itself imports (costs)
    if name in ("build_model", "formulate"):
        from . import build
        return getattr(build, name)
    raise AttributeError(name)


__all__ = ["build_model", "formulate"]
