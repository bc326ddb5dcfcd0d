"""`reeplan frontier` and `reeplan alternatives` on small chains worked by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from conftest import one_region_chain, write_case
from model.alternatives import generate, tables
from model.frontier import sweep

ONE_YEAR = {"salvage": "no", "first_year": 2025, "last_year": 2025, "discount_rate": 0}


def domestic_chain(capacity: float = 60) -> dict:
    # EU needs 100 t magnets (50 t NdPr). Imports cost 2,000 USD/t; the EU plant (existing, at most
    # `capacity` t) runs at 3,000. A domestic share s of NdPr costs 0.2 + 0.1 s MUSD.
    return one_region_chain(
        projects=[{"project": "plant", "technology": "sinter", "region": "EU", "existing_tpa": capacity,
                   "var_cost_usd_per_t": 3000}],
        supply=[{"offer": "imp", "region": "EU", "commodity": "magnet", "price_usd_per_t": 2000}],
        demand=[{"region": "EU", "commodity": "magnet", "year": 2025, "quantity_t": 100}],
        policies=[{"policy": "dom", "region": "EU", "material": "NdPr", "kind": "min_domestic_share",
                   "stage": "manufacturing", "share": 0.4, "penalty_usd_per_t": 500}],
    )


def test_the_frontier_runs_from_the_free_share_to_the_tightest_feasible(tmp_path):
    # Free: nothing domestic (s = 0). Tightest: the plant's 60 t, s = 0.6 (found by the LP, not
    # guessed). Five points 0, 0.15, ..., 0.6 cost 0.2 + 0.1 s; the slope is 0.1 MUSD per unit of
    # share (0.001 per point), and one more t of domestic NdPr costs 2 t of magnets made at home
    # instead of bought: 2,000 USD/t. The soft penalty (500 USD/t) is ignored: the policy is made hard.
    wb = write_case(tmp_path, ONE_YEAR, **domestic_chain())
    df, meta = sweep(wb, "dom", 5)
    assert meta["free_share"] == pytest.approx(0, abs=1e-9)
    assert meta["tightest_share"] == pytest.approx(0.6, abs=1e-9)
    assert df["share"].tolist() == pytest.approx([0, 0.15, 0.3, 0.45, 0.6])
    assert df["objective_musd"].tolist() == pytest.approx([0.2, 0.215, 0.23, 0.245, 0.26], abs=1e-12)
    binding = df[df.share > 0]
    assert binding["marginal_cost_musd_per_point"].tolist() == pytest.approx([0.001] * 4, rel=1e-9)
    assert binding["max_shadow_price_usd_per_t"].tolist() == pytest.approx([2000] * 4, rel=1e-9)
    assert (np.diff(df["objective_musd"]) >= -1e-12).all()  # never cheaper as the share tightens


def test_a_supplier_cap_frontier_tightens_towards_zero(tmp_path):
    # CN supplies magnets at 2,000, the EU market at 2,500: a 65 % cap on CN swept from where it
    # stops binding (100 %) to the tightest feasible (0 %): cost 0.2 + 0.05 (1 - s) MUSD.
    sheets = one_region_chain(
        regions=[{"region": "EU"}, {"region": "CN"}],
        supply=[{"offer": "cn", "region": "CN", "commodity": "magnet", "price_usd_per_t": 2000},
                {"offer": "eu", "region": "EU", "commodity": "magnet", "price_usd_per_t": 2500}],
        trade=[{"from_region": "CN", "to_region": "EU"}],
        demand=[{"region": "EU", "commodity": "magnet", "year": 2025, "quantity_t": 100}],
        policies=[{"policy": "cap", "region": "EU", "material": "NdPr", "kind": "max_supplier_share",
                   "stage": "manufacturing", "share": 0.65}],
    )
    df, meta = sweep(write_case(tmp_path, ONE_YEAR, **sheets), "cap", 3)
    assert (meta["free_share"], meta["tightest_share"]) == pytest.approx((1.0, 0.0), abs=1e-9)
    assert df["objective_musd"].tolist() == pytest.approx([0.2, 0.225, 0.25], abs=1e-12)


def two_plants() -> dict:
    # Plant A (EU) at 1,000 USD/tpa and plant B (FR, shipped free to the EU) at 1,500 against
    # imports at 5,000: the least-cost plan builds 100 t of A (real cost 0.1 MUSD). With 10 % slack
    # (0.01 MUSD) up to 20 t can move to B (500 USD more each).
    return one_region_chain(
        regions=[{"region": "EU"}, {"region": "FR"}],
        projects=[{"project": "a", "technology": "sinter", "region": "EU", "max_new_tpa": 1000,
                   "capex_usd_per_tpa": 1000},
                  {"project": "b", "technology": "sinter", "region": "FR", "max_new_tpa": 1000,
                   "capex_usd_per_tpa": 1500}],
        supply=[{"offer": "imp", "region": "EU", "commodity": "magnet", "price_usd_per_t": 5000}],
        trade=[{"from_region": "FR", "to_region": "EU"}],
        demand=[{"region": "EU", "commodity": "magnet", "year": 2025, "quantity_t": 100}],
        commodities=[{"commodity": "magnet", "stage": "manufacturing", "unmet_penalty_usd_per_t": 100000}],
    )


def test_alternatives_stay_within_the_slack_and_show_the_room(tmp_path):
    res = generate(write_case(tmp_path, ONE_YEAR, **two_plants()), slack=0.1)
    out = tables(res)
    alt = out["alternatives"]
    assert res["real_opt"] == pytest.approx(0.1, abs=1e-12)
    assert (alt["real_cost_musd"] <= 0.11 + 1e-9).all()
    ranges = out["ranges"].set_index("group")
    assert ranges.loc["manufacturing FR tpa", "max_tpa"] == pytest.approx(20)
    assert ranges.loc["manufacturing EU tpa", "min_tpa"] == pytest.approx(80)
    verdict = out["projects"].set_index("project")["verdict"]
    assert verdict.to_dict() == {"a": "must build", "b": "some"}


def test_with_no_slack_the_ranges_collapse_to_the_optimum(tmp_path):
    out = tables(generate(write_case(tmp_path, ONE_YEAR, **two_plants()), slack=0.0))
    ranges = out["ranges"].set_index("group")
    assert ranges["min_tpa"].tolist() == pytest.approx(ranges["max_tpa"].tolist(), abs=1e-6)
    assert ranges.loc["manufacturing EU tpa", "least_cost_tpa"] == pytest.approx(100)


def test_alternatives_hold_shortfalls_at_their_optimum(tmp_path):
    # A soft 50 % domestic target at 1,000 USD/t is missed in the least-cost plan (the plant's
    # extra cost is 1,000 per t magnet = 2,000 per t NdPr); alternatives may not buy cost room by
    # missing it more: the shortfall stays at its optimum in every alternative.
    sheets = domestic_chain(capacity=100)
    sheets["policies"][0].update(share=0.5, penalty_usd_per_t=1000)
    res = generate(write_case(tmp_path, ONE_YEAR, **sheets), slack=0.2, count=6)
    sess = res["session"]
    short = [r.x[sess.span("short")] for _, r in res["plans"] if r.x is not None]
    assert all(np.allclose(s, short[0]) for s in short) and short[0].sum() == pytest.approx(25)


def test_the_commands_write_their_folders(tmp_path):
    from click.testing import CliRunner

    from model.cli import main

    wb = write_case(tmp_path, ONE_YEAR, **domestic_chain())
    out = tmp_path / "out"
    r = CliRunner().invoke(main, ["frontier", str(wb), "--policy", "dom", "--points", "3", "--out", str(out)])
    assert r.exit_code == 0, r.output
    df = pd.read_csv(out / "case" / "frontier" / "dom" / "frontier.csv")
    assert len(df) == 3 and (out / "case" / "frontier" / "dom" / "frontier.png").stat().st_size > 1000
    r = CliRunner().invoke(main, ["alternatives", str(wb), "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert (out / "case" / "alternatives" / "ranges.png").is_file()
    r = CliRunner().invoke(main, ["frontier", str(wb), "--policy", "nope", "--out", str(out)])
    assert r.exit_code == 2
