"""Plans shared by the tests of tests/write/, each solved once per session.

    example(tmp_path_factory)   the shipped study with --policy-costs (policies, budgets, trade)
    plain(tmp_path_factory)     one region, no policy and no budget (charts about them are skipped)
    bound(tmp_path_factory)     one region, a hard domestic target that binds, ids with markup
"""

from __future__ import annotations

from pathlib import Path

from conftest import one_region_chain, solve_case
from model.pipeline import RunResult, solve_workbook

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "inputs" / "example.xlsx"
_cache: dict[str, RunResult] = {}

YEARS = (2025, 2026, 2027)
# Markup characters in ids: the report and the workbook must show them as text.
PLANT = "plant <b>&*"
POLICY = "dom|<i>_x_"


def example(factory) -> RunResult:
    if "example" not in _cache:
        _cache["example"] = solve_workbook(EXAMPLE, factory.mktemp("example"), with_policy_costs=True)
    return _cache["example"]


def _case(factory, name: str, policies: list[dict]) -> RunResult:
    if name not in _cache:
        sheets = one_region_chain(
            projects=[{"project": PLANT, "technology": "sinter", "region": "EU", "max_new_tpa": 1000,
                       "capex_usd_per_tpa": 7000}],
            supply=[{"offer": "imp", "region": "EU", "commodity": "magnet", "price_usd_per_t": 2000}],
            demand=[{"region": "EU", "commodity": "magnet", "year": y, "quantity_t": 100} for y in YEARS],
            policies=policies,
        )
        _cache[name] = solve_case(factory.mktemp(name), {"salvage": "no"}, figures=True, **sheets).result
    return _cache[name]


def plain(factory) -> RunResult:
    return _case(factory, "plain", [])


def bound(factory) -> RunResult:
    # Imports (2000 USD/t, 6000 over three years) beat building (7000 USD/tpa, one-off), so only the
    # 40 % target builds: 40 t/yr, and the target binds in every year.
    return _case(factory, "bound", [{"policy": POLICY, "region": "EU", "material": "NdPr",
                                     "kind": "min_domestic_share", "stage": "manufacturing", "share": 0.4}])
