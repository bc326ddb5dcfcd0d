"""Shared helpers: build a small study workbook in a temp folder and solve it for real.

    plan = solve_case(tmp_path, settings={...}, regions=[...], projects=[...], ...)
    plan.objective                      # USD million, full precision
    plan.value("build", ("p", 2025))    # a variable's value
    plan.price("EU", "magnet", 2026)    # commodity shadow price, USD/t
    plan.table("policies")              # an output table (full precision DataFrame)
    plan.csv("builds")                  # the CSV file as written
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from model.pipeline import RunResult, solve_workbook
from model.results import plan_tables
from model.write.workbook import write_study

BASE_SETTINGS = {"first_year": 2025, "last_year": 2027, "discount_rate": 0.0}


def one_region_chain(**overrides) -> dict:
    """A one-region, one-commodity study skeleton: region EU, material NdPr, commodity magnet."""
    sheets = {
        "regions": [{"region": "EU"}],
        "materials": [{"material": "NdPr"}],
        "commodities": [{"commodity": "magnet", "stage": "manufacturing"}],
        "content": [{"commodity": "magnet", "material": "NdPr", "t_per_t": 0.5}],
        "technologies": [{"technology": "sinter", "stage": "manufacturing"}],
        "tech_io": [{"technology": "sinter", "commodity": "magnet", "coefficient": 1}],
    }
    sheets.update(overrides)
    return sheets


def write_case(tmp_path: Path, settings: dict | None = None, name: str = "case", **sheets) -> Path:
    s = dict(BASE_SETTINGS)
    s.update(settings or {})
    return write_study(tmp_path / f"{name}.xlsx", s, sheets)


@dataclass
class Plan:
    result: RunResult

    @property
    def status(self) -> str:
        return self.result.status

    @property
    def objective(self) -> float:
        return self.result.solution.objective

    @property
    def summary(self) -> dict:
        return self.result.summary

    def value(self, family: str, key: tuple) -> float:
        return self.result.solution.values[family].get(key, 0.0)

    def values(self, family: str) -> dict:
        """Nonzero values of a variable family."""
        return {k: v for k, v in self.result.solution.values[family].items() if abs(v) > 1e-9}

    def table(self, name: str) -> pd.DataFrame:
        return plan_tables(self.result.study, self.result.solution)[name]

    def csv(self, name: str) -> pd.DataFrame:
        return pd.read_csv(self.result.folder / "csv" / f"{name}.csv", keep_default_na=False)

    def price(self, region: str, commodity: str, year: int) -> float:
        p = self.table("prices")
        r = p[(p.region == region) & (p.commodity == commodity) & (p.year == year)]
        assert len(r) == 1, f"no balance row for {region}, {commodity}, {year}"
        return float(r.price_usd_per_t.iloc[0])

    def policy(self, policy: str, year: int, supplier: str = "") -> pd.Series:
        p = self.table("policies")
        r = p[(p.policy == policy) & (p.year == year) & (p.supplier == supplier)]
        assert len(r) == 1, f"no policy row for {policy}, {year}, {supplier!r}"
        return r.iloc[0]

    def budget(self, budget: str, year: int) -> pd.Series:
        b = self.table("budgets")
        r = b[(b.budget == budget) & (b.year == year)]
        assert len(r) == 1, f"no budget row for {budget}, {year}"
        return r.iloc[0]


def solve_case(tmp_path: Path, settings: dict | None = None, name: str = "case", figures: bool = False,
               **sheets) -> Plan:
    """Solve a small study; charts and report only with figures=True (tests/write checks them)."""
    path = write_case(tmp_path, settings, name, **sheets)
    return Plan(solve_workbook(path, tmp_path / "out", figures=figures))


@pytest.fixture
def solve(tmp_path):
    """solve(settings=None, **sheets) -> Plan, in a fresh folder for each call."""
    counter = iter(range(10**6))

    def run(settings: dict | None = None, **sheets) -> Plan:
        d = tmp_path / f"run{next(counter)}"
        d.mkdir()
        return solve_case(d, settings, **sheets)

    return run
