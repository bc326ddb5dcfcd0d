"""The linear program of formulation.md in Pyomo: `build.build_model` is the table of contents."""

from .build import build_model

__all__ = ["build_model"]
