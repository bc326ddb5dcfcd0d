"""Nothing silent between the workbook and HiGHS: coefficients HiGHS would drop or that span too
wide a range are named (model/numerics.py), policies that make no row are named, and HiGHS's own
output goes to highs.log in the result folder, never to stdout."""

from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import one_region_chain, write_case

ONE_YEAR = {"salvage": "no", "first_year": 2025, "last_year": 2025}


def chain(content: float = 0.5, coefficient: float = 1.0, policies=()) -> dict:
    sheets = one_region_chain(
        regions=[{"region": "EU"}, {"region": "CN"}],
        projects=[{"project": "plant", "technology": "sinter", "region": "EU", "existing_tpa": 1000}],
        supply=[{"offer": "imp", "region": "CN", "commodity": "magnet", "price_usd_per_t": 10}],
        trade=[{"from_region": "CN", "to_region": "EU", "commodity": "magnet"}],
        demand=[{"region": "EU", "commodity": "magnet", "year": 2025, "quantity_t": 100}],
        policies=list(policies),
    )
    sheets["content"] = [{"commodity": "magnet", "material": "NdPr", "t_per_t": content}]
    sheets["tech_io"] = [{"technology": "sinter", "commodity": "magnet", "coefficient": coefficient}]
    return sheets


CAP = {"policy": "cap", "region": "EU", "material": "NdPr", "kind": "max_supplier_share",
       "stage": "manufacturing", "share": 0.65}


@pytest.mark.parametrize("sheets, expected", [
    # a content of 1e-12 t/t: HiGHS would set the policy row's coefficient to zero
    (chain(content=1e-12, policies=[CAP]), ["below 1e-09", "flow[CN, EU, magnet, 2025]", "policy row ('cap', 'CN', 2025)"]),
    # a coefficient of 1e9 beside ones: a range of 1e9
    (chain(coefficient=1e9), ["span 1.0e+09", "largest 1e+09 for act[plant, 2025]"]),
], ids=["tiny content", "wide range"])
def test_numerical_trouble_is_named(solve, sheets, expected):
    plan = solve(settings=ONE_YEAR, **sheets)
    text = " ".join(plan.summary["warnings"])
    for fragment in expected:
        assert fragment in text


def test_a_sound_study_has_no_warning(solve):
    plan = solve(settings=ONE_YEAR, **chain(policies=[CAP]))
    assert plan.status == "optimal" and plan.summary["warnings"] == []


@pytest.mark.parametrize("policy, reason", [
    # CN ships magnets only: nothing at the processing stage can count against a supplier
    ({**CAP, "stage": "processing"}, "no route into EU carries a processing commodity containing NdPr"),
    # the policy's years lie after the horizon
    ({**CAP, "first_year": 2030, "last_year": 2031}, "outside the horizon 2025-2025"),
    # CN consumes nothing
    ({**CAP, "region": "CN"}, "CN has no demand containing NdPr"),
], ids=["no import at the stage", "outside the horizon", "no consumption"])
def test_a_policy_without_rows_is_named_with_its_reason(solve, policy, reason):
    plan = solve(settings=ONE_YEAR, **chain(policies=[policy]))
    assert plan.status == "optimal"
    assert plan.table("policies").empty
    [warning] = plan.summary["warnings"]
    assert warning.startswith("policy cap makes no constraint") and reason in warning


def test_highs_output_is_in_the_log_not_on_stdout(tmp_path):
    wb = write_case(tmp_path, ONE_YEAR, **chain(policies=[CAP]))
    out = tmp_path / "out"
    run = subprocess.run([sys.executable, "-m", "model", "solve", str(wb), "--out", str(out)],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "HiGHS" not in run.stdout and "HiGHS" not in run.stderr
    log = (out / "case" / "base" / "highs.log").read_text()
    assert "Running HiGHS" in log and "Coefficient ranges" in log
