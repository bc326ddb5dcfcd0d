"""Rows as sparse matrices: the term dicts of `data.py` become CSR arrays, held by a Pyomo
constraint component and handed to HiGHS in one piece (`solve.FastHighs`).

Why not one Pyomo expression per row: building a `LinearExpression` and a `ConstraintData`
costs ~30 µs and ~1.3 kB per row, and Pyomo's persistent HiGHS interface then walks every
expression again (~100 µs and ~2 kB per row). At a million variables that is minutes and
gigabytes before HiGHS starts. Here a family of rows is one `RowBlock` (numpy arrays) and a
`SparseConstraint` whose rows are light `SparseRowData` objects: each still behaves as a
Pyomo constraint (`m.policy[key]`, `.deactivate()`, `.body`, `.expr`, printing, writers,
any Pyomo solver), building its expression from the arrays only when asked.

Columns are numbered family by family (`names.VARIABLES` order, then `viol` in elastic copies), each
family in its index order (sorted keys), so the matrix HiGHS sees is deterministic.
"""

from __future__ import annotations

import weakref
from array import array
from dataclasses import dataclass, field

import numpy as np
import pyomo.core as pyo
from pyomo.core.base.constraint import ConstraintData, IndexedConstraint
from pyomo.core.expr.numeric_expr import LinearExpression
from pyomo.core.expr.relational_expr import EqualityExpression, InequalityExpression, RangedExpression

from ..data import Row, Terms

INF = float("inf")


# ------------------------------------------------------------------ columns
class Columns:
    """The column of every variable: families in order, keys in each family's index order."""

    def __init__(self, families: dict[str, pyo.Var]):
        self.vars: list = []  # VarData by column
        self.index: dict[str, dict] = {}  # family -> {key: column}
        self.span: dict[str, tuple[int, int]] = {}  # family -> (first column, end)
        for fam, var in families.items():
            n0 = len(self.vars)
            # a dense Var's data dict holds its members in index order (cheaper than var.items())
            keys = list(var._data)
            self.vars.extend(var._data.values())
            self.index[fam] = dict(zip(keys, range(n0, n0 + len(keys))))
            self.span[fam] = (n0, len(self.vars))
        assert len(self.vars) == sum(len(v) for v in families.values())

    def __len__(self) -> int:
        return len(self.vars)

    def of(self, terms: Terms) -> tuple[list[int], list[float]]:
        """Columns and coefficients of a term dict {(family, key): coef}, zero coefficients dropped."""
        index = self.index
        cols, coefs = [], []
        for (fam, key), c in terms.items():
            if c:
                cols.append(index[fam][key])
                coefs.append(c)
        return cols, coefs


# ------------------------------------------------------------------ row blocks
@dataclass
class RowBlock:
    """One family of rows, lower <= A x <= upper, A in CSR form (row i: indptr[i]:indptr[i+1])."""

    keys: list
    indptr: np.ndarray  # int64, len(keys) + 1
    indices: np.ndarray  # int32 columns
    data: np.ndarray  # float64 coefficients
    lower: np.ndarray  # float64, -inf where none
    upper: np.ndarray  # float64, +inf where none

    def __len__(self) -> int:
        return len(self.keys)

    @property
    def nnz(self) -> int:
        return int(self.indptr[-1])


class RowBuilder:
    """Collects rows one by one (columns, coefficients, sense, rhs) into a `RowBlock`.

    Columns and coefficients go straight into typed arrays (4 and 8 bytes a term, not a
    Python object each)."""

    def __init__(self):
        self.keys: list = []
        self.lengths = array("q")
        self.cols = array("i")
        self.coefs = array("d")
        self.lower = array("d")
        self.upper = array("d")

    def add(self, key, cols: list[int], coefs: list[float], sense: str, rhs: float) -> None:
        self.keys.append(key)
        self.lengths.append(len(cols))
        self.cols.extend(cols)
        self.coefs.extend(coefs)
        if sense == ">=":
            self.lower.append(rhs)
            self.upper.append(INF)
        elif sense == "==":
            self.lower.append(rhs)
            self.upper.append(rhs)
        else:
            self.lower.append(-INF)
            self.upper.append(rhs)

    def block(self) -> RowBlock:
        indptr = np.zeros(len(self.keys) + 1, dtype=np.int64)
        np.cumsum(np.frombuffer(self.lengths, dtype=np.int64), out=indptr[1:])

        def arr(a, dtype):
            return np.frombuffer(a, dtype=dtype).copy() if len(a) else np.zeros(0, dtype=dtype)

        return RowBlock(self.keys, indptr, arr(self.cols, np.int32), arr(self.coefs, np.float64),
                        arr(self.lower, np.float64), arr(self.upper, np.float64))


def rows_block(rows: dict[tuple, Row], columns: Columns) -> RowBlock:
    """The `Row`s of data.py (balance, budgets, policies) as one block, in key order."""
    b = RowBuilder()
    for key, r in rows.items():
        cols, coefs = columns.of(r.terms)
        b.add(key, cols, coefs, r.sense, r.rhs)
    return b.block()


# ------------------------------------------------------------------ the Pyomo component
class SparseRowData(ConstraintData):
    """One row of a `SparseConstraint`; `_expr` holds its row number within the block.

    The expression is built from the block on demand, so the row is a complete Pyomo
    constraint (body, bounds, value, printing, writers) without storing one. `set_value`
    turns it into an ordinary ConstraintData holding the new expression.
    """

    __slots__ = ()

    def __init__(self, component, index, row: int):
        self._component = component
        self._index = index
        self._active = True
        self._expr = row

    def _terms(self):
        comp = self.parent_component()
        b, i = comp._block, self._expr
        lo, hi = int(b.indptr[i]), int(b.indptr[i + 1])
        cols = comp._columns.vars
        return [cols[j] for j in b.indices[lo:hi].tolist()], b.data[lo:hi].tolist()

    @property
    def expr(self):
        """The row as a relational expression, built once on first use (kept, so that Pyomo's
        generic persistent interfaces see an unchanged expression on every re-solve)."""
        cache = self.parent_component()._exprs
        e = cache.get(self._expr)
        if e is None:
            lo, body, hi = self.to_bounded_expression()
            if lo is None:
                e = InequalityExpression((body, hi), False)
            elif hi is None:
                e = InequalityExpression((lo, body), False)
            elif lo == hi:
                e = EqualityExpression((body, lo))
            else:
                e = RangedExpression((lo, body, hi), (False, False))
            cache[self._expr] = e
        return e

    def bounds(self) -> tuple[float | None, float | None]:
        b = self.parent_component()._block
        lo, hi = float(b.lower[self._expr]), float(b.upper[self._expr])
        return (None if lo == -INF else lo), (None if hi == INF else hi)

    def to_bounded_expression(self, evaluate_bounds=False):
        vars_, coefs = self._terms()
        lo, hi = self.bounds()
        return lo, LinearExpression(constant=0.0, linear_coefs=coefs, linear_vars=vars_), hi

    def __call__(self, exception=True):
        comp = self.parent_component()
        b, i = comp._block, self._expr
        lo, hi = int(b.indptr[i]), int(b.indptr[i + 1])
        cols = comp._columns.vars
        vals = [cols[j].value for j in b.indices[lo:hi].tolist()]
        if any(v is None for v in vals):
            if exception:
                raise ValueError(f"No value for uninitialized variable in {self.name}")
            return None
        return float(np.dot(b.data[lo:hi], vals))

    def set_value(self, expr):
        self.parent_component()._exprs.pop(self._expr, None)
        self.__class__ = ConstraintData
        self._expr = None
        return self.set_value(expr)


class SparseConstraint(IndexedConstraint):
    """An indexed Constraint whose rows live in one `RowBlock` (keys in block order)."""

    _ComponentDataClass = SparseRowData

    def __init__(self, block: RowBlock, columns: Columns, **kwargs):
        kwargs.setdefault("ctype", pyo.Constraint)
        super().__init__(pyo.Any, **kwargs)
        self._block = block
        self._columns = columns
        self._exprs: dict[int, object] = {}  # row -> expression, filled only when one is asked for

    def construct(self, data=None):
        if self._constructed:
            return
        self._constructed = True
        ref = weakref.ref(self)
        self._data = {k: SparseRowData(ref, k, i) for i, k in enumerate(self._block.keys)}

    def __len__(self) -> int:
        return len(self._data)


# ------------------------------------------------------------------ the whole LP
@dataclass
class MatrixModel:
    """What `solve.FastHighs` hands to HiGHS: columns, row blocks in order, costs (bounds are the Vars')."""

    columns: Columns
    blocks: list[SparseConstraint] = field(default_factory=list)
    cost: np.ndarray | None = None  # objective coefficient of each column
    offset: float = 0.0  # objective constant
    objective: object = None  # the objective.CostObjective these costs describe


def add_block(m: pyo.ConcreteModel, name: str, block: RowBlock) -> SparseConstraint:
    """Add a family of rows to the model under `name` (rows in key order)."""
    comp = SparseConstraint(block, m._lp.columns)
    m.add_component(name, comp)
    m._lp.blocks.append(comp)
    return comp


def add_rows(m: pyo.ConcreteModel, name: str, rows: dict[tuple, Row]) -> SparseConstraint:
    """One constraint family from data.py `Row`s: sum(coef * var) (sense) rhs per key."""
    return add_block(m, name, rows_block(rows, m._lp.columns))


def key_set(keys, dimen: int) -> pyo.Set:
    return pyo.Set(initialize=list(keys), dimen=dimen, ordered=pyo.Set.InsertionOrder)
