"""What the LP's rows are made of, without Pyomo: term dicts keyed by shared (family, key) tuples,
and `Row`, one constraint row with its workbook identity (data.py re-exports both)."""

from __future__ import annotations

from dataclasses import dataclass, field

Key = tuple
Terms = dict  # {(variable family, variable key): coefficient}


@dataclass
class Row:
    """One constraint row: sum(coef * var) (sense) rhs, with its workbook identity."""

    terms: Terms
    sense: str  # ">=", "<=" or "=="
    rhs: float
    year: int
    info: dict = field(default_factory=dict)


class VarRefs:
    """One shared `(family, key)` tuple per variable.

    Term dicts are keyed by `(family, key)`; a study has millions of terms but only one tuple
    per variable is needed, so every term dict refers to the same tuple (a term then costs a
    dict slot, not two new tuples). `refs(family, key)` returns the shared tuple, making it
    the first time; `refs.family(name)` is the {key: tuple} dict for bulk lookups.
    """

    def __init__(self):
        self.by: dict[str, dict] = {}

    def family(self, fam: str) -> dict:
        return self.by.setdefault(fam, {})

    def add(self, fam: str, keys) -> dict:
        d = self.family(fam)
        for k in keys:
            if k not in d:
                d[k] = (fam, k)
        return d

    def __call__(self, fam: str, key) -> tuple:
        d = self.by.setdefault(fam, {})
        r = d.get(key)
        if r is None:
            r = d[key] = (fam, key)
        return r
