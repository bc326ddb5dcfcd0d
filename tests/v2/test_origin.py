"""Origin tracking (formulation 14), hand-worked.

EU consumes 100 t of magnets (0.3 t NdPr each: 30 t NdPr). Chinese oxide (1 t NdPr per t) costs
50,000 USD/t; sintering (0.3 t oxide per t magnet, no running cost) exists in CN and VN, so a
magnet made in either from Chinese oxide costs 15,000 USD/t. A Western magnet offer in the EU
costs 40,000 USD/t. Every magnet Asia makes is Chinese-refined: tag (CN, processing, NdPr).
"""

from __future__ import annotations

import pytest

from conftest import one_region_chain

ONE_YEAR = {"salvage": "no", "first_year": 2025, "last_year": 2025}
OXIDE_TO_MAGNET = {  # oxide (processing) sintered into magnets (manufacturing), 0.3 t of NdPr a t
    "commodities": [{"commodity": "oxide", "stage": "processing"}, {"commodity": "magnet", "stage": "manufacturing"}],
    "content": [{"commodity": "oxide", "material": "NdPr", "t_per_t": 1.0},
                {"commodity": "magnet", "material": "NdPr", "t_per_t": 0.3}],
    "tech_io": [{"technology": "sinter", "commodity": "oxide", "coefficient": -0.3},
                {"technology": "sinter", "commodity": "magnet", "coefficient": 1}],
}


def chain(policies=(), track="CN") -> tuple[dict, dict]:
    sheets = one_region_chain(
        regions=[{"region": "EU"}, {"region": "CN"}, {"region": "VN"}],
        **OXIDE_TO_MAGNET,
        projects=[{"project": "cn_sinter", "technology": "sinter", "region": "CN", "existing_tpa": 1000},
                  {"project": "vn_sinter", "technology": "sinter", "region": "VN", "existing_tpa": 1000}],
        supply=[{"offer": "cn_oxide", "region": "CN", "commodity": "oxide", "price_usd_per_t": 50000},
                {"offer": "eu_magnet", "region": "EU", "commodity": "magnet", "price_usd_per_t": 40000}],
        trade=[{"from_region": "CN", "to_region": "VN", "commodity": "oxide"},
               {"from_region": "VN", "to_region": "EU", "commodity": "magnet"},
               {"from_region": "CN", "to_region": "EU", "commodity": "magnet"}],
        demand=[{"region": "EU", "commodity": "magnet", "year": 2025, "quantity_t": 100}],
        policies=list(policies),
    )
    settings = dict(ONE_YEAR, **({"track_origin": track} if track else {}))
    return settings, sheets


CAP = {"policy": "cap", "region": "EU", "material": "NdPr", "kind": "max_supplier_share", "stage": "processing",
       "share": 0.5}


def test_a_flow_based_processing_cap_misses_chinese_oxide_inside_magnets(solve):
    # Basis output counts oxide shipped into the EU: there is none, so the cap never binds and
    # all 100 t come from Asia at 15,000: 1.5 MUSD.
    settings, sheets = chain([CAP], track=None)
    plan = solve(settings=settings, **sheets)
    assert plan.objective == pytest.approx(1.5, abs=1e-12)


def test_an_origin_cap_counts_chinese_refining_inside_vietnamese_magnets(solve):
    # Basis origin: Chinese-refined NdPr in EU consumption <= 0.5 * 30 = 15 t, i.e. 50 t of
    # Asian magnets; the other 50 t are Western at 40,000. Objective 50 * 15,000 + 50 * 40,000
    # = 2.75 MUSD. The cap's shadow price: one more t of Chinese-refined NdPr replaces 1/0.3 t
    # of Western magnets: (40,000 - 15,000) / 0.3 = 83,333 USD/t.
    settings, sheets = chain([{**CAP, "basis": "origin"}])
    plan = solve(settings=settings, **sheets)
    assert plan.objective == pytest.approx(2.75, abs=1e-12)
    row = plan.policy("cap", 2025, "CN")
    assert row["achieved_share"] == pytest.approx(0.5)
    assert row["shadow_price_usd_per_t"] == pytest.approx(25000 / 0.3)
    origin = plan.csv("origin")
    eu = origin[(origin.region == "EU") & (origin.stage == "processing")]
    assert eu[["tracked_region", "tagged_t", "consumption_t", "share"]].values.tolist() == [["CN", 15, 30, 0.5]]


def test_tracking_without_an_origin_policy_changes_nothing(solve):
    plain = solve(settings=chain(track=None)[0], **chain(track=None)[1])
    settings, sheets = chain()
    tracked = solve(settings=settings, **sheets)
    assert tracked.objective == pytest.approx(plain.objective, abs=1e-12) == pytest.approx(1.5)
    assert tracked.values("build") == plain.values("build")
    assert "origin" not in plain.result.solution.values or not plain.values("ouse")
    # prices too: the disposal rows' duals are added back to the balance's
    p0, p1 = plain.table("prices"), tracked.table("prices")
    assert p1["price_usd_per_t"].tolist() == pytest.approx(p0["price_usd_per_t"].tolist(), abs=1e-6)


def test_tags_exist_only_where_tagged_material_can_reach(solve):
    # CN's manufacturing tag starts on the magnets CN sinters: it can ride the CN->EU magnet route
    # but never the CN->VN oxide route, VN's sintering or VN's magnets, so no tag variables exist
    # there. The processing tag starts on CN's oxide offer and reaches every route and both plants.
    settings, sheets = chain([{**CAP, "basis": "origin"}])
    plan = solve(settings=settings, **sheets)
    assert plan.objective == pytest.approx(2.75, abs=1e-12)  # as with every tag (test above)

    def tagged(family: str, stage: str, part: slice) -> set:
        return {k[part] for k in plan.result.study.origin[family] if k[:3] == ("CN", stage, "NdPr")}

    assert tagged("oflow", "manufacturing", slice(3, 6)) == {("CN", "EU", "magnet")}
    assert tagged("oflow", "processing", slice(3, 6)) == {("CN", "VN", "oxide"), ("CN", "EU", "magnet"),
                                                          ("VN", "EU", "magnet")}
    assert tagged("oact", "manufacturing", slice(3, 4)) == set()
    assert tagged("oact", "processing", slice(3, 4)) == {("cn_sinter",), ("vn_sinter",)}
    assert tagged("ouse", "manufacturing", slice(3, 5)) == {("EU", "magnet")}


def test_an_origin_policy_without_tracking_is_an_input_error(tmp_path):
    from conftest import write_case
    from model.errors import InputError
    from model.pipeline import read_workbook

    settings, sheets = chain([{**CAP, "basis": "origin"}], track=None)
    with pytest.raises(InputError) as err:
        read_workbook(write_case(tmp_path, settings, **sheets))
    assert any("track_origin" in str(i) for i in err.value.issues)


def test_a_tracked_region_that_does_not_exist_is_an_input_error(tmp_path):
    from conftest import write_case
    from model.errors import InputError
    from model.pipeline import read_workbook

    settings, sheets = chain(track="CN, XX")
    with pytest.raises(InputError) as err:
        read_workbook(write_case(tmp_path, settings, **sheets))
    assert any("XX" in str(i) for i in err.value.issues)


# ------------------------------------------------------------------ (a)-(d) of the issue
def oxide_chain(policies=(), years=(2025,), **extra) -> dict:
    """EU and VN consume or convert oxide; CN oxide at 50,000 USD/t, Australian (untracked) at
    80,000; routes CN->VN, AU->VN, CN->EU, AU->EU, VN->EU for every commodity."""
    sheets = one_region_chain(
        regions=[{"region": "EU"}, {"region": "CN"}, {"region": "VN"}, {"region": "AU"}],
        **OXIDE_TO_MAGNET,
        supply=[{"offer": "cn_oxide", "region": "CN", "commodity": "oxide", "price_usd_per_t": 50000},
                {"offer": "au_oxide", "region": "AU", "commodity": "oxide", "price_usd_per_t": 80000}],
        trade=[{"from_region": fr, "to_region": to} for fr, to in
               (("CN", "VN"), ("AU", "VN"), ("CN", "EU"), ("AU", "EU"), ("VN", "EU"))],
        policies=list(policies),
    )
    sheets.update(extra)
    return sheets


TRACK = {"salvage": "no", "first_year": 2025, "last_year": 2025, "track_origin": "CN"}


def test_a_the_vietnamese_magnet_mixes_metal_to_exactly_the_cap(solve):
    # EU needs 100 t magnets (30 t NdPr), made only in VN from Chinese (50,000) or Australian
    # (80,000) oxide. A 65 % origin cap at processing: 0.65 * 30 = 19.5 t Chinese-refined NdPr,
    # the other 10.5 t Australian. Objective 19.5 * 50,000 + 10.5 * 80,000 = 0.975 + 0.84 = 1.815.
    sheets = oxide_chain([{**CAP, "share": 0.65, "basis": "origin"}],
                         projects=[{"project": "vn_sinter", "technology": "sinter", "region": "VN",
                                    "existing_tpa": 1000}],
                         demand=[{"region": "EU", "commodity": "magnet", "year": 2025, "quantity_t": 100}])
    plan = solve(settings=TRACK, **sheets)
    assert plan.objective == pytest.approx(1.815, abs=1e-12)
    assert plan.value("buy", ("cn_oxide", 2025)) == pytest.approx(19.5)
    assert plan.policy("cap", 2025, "CN")["achieved_share"] == pytest.approx(0.65)


def test_b_a_re_export_keeps_the_tag(solve):
    # EU needs 100 t oxide. Chinese oxide shipped through VN (re-exported) still counts as
    # Chinese-refined: a 50 % cap leaves 50 t Chinese and 50 t Australian, whichever way it ships.
    # Objective 50 * 50,000 + 50 * 80,000 = 6.5 MUSD (without the cap: 5.0).
    sheets = oxide_chain([{**CAP, "basis": "origin"}],
                         demand=[{"region": "EU", "commodity": "oxide", "year": 2025, "quantity_t": 100}])
    sheets["trade"] = [{"from_region": "CN", "to_region": "VN"}, {"from_region": "VN", "to_region": "EU"},
                       {"from_region": "AU", "to_region": "EU"}]  # Chinese oxide reaches the EU only via VN
    plan = solve(settings=TRACK, **sheets)
    assert plan.objective == pytest.approx(6.5, abs=1e-12)
    assert plan.value("flow", ("VN", "EU", "oxide", 2025)) == pytest.approx(50)


def test_c_disposal_drops_tags_only_up_to_the_surplus(solve):
    # Buying 50 t more Chinese oxide than the EU needs and throwing it away cannot hide the tags of
    # what is consumed: the region may drop at most its surplus. The cap still forces 50 t of
    # Australian oxide: 6.5 MUSD, and nothing is bought beyond demand.
    sheets = oxide_chain([{**CAP, "basis": "origin"}],
                         demand=[{"region": "EU", "commodity": "oxide", "year": 2025, "quantity_t": 100}])
    plan = solve(settings=TRACK, **sheets)
    assert plan.objective == pytest.approx(6.5, abs=1e-12)
    assert plan.value("buy", ("cn_oxide", 2025)) == pytest.approx(50)
    origin = plan.csv("origin")
    assert origin.loc[(origin.region == "EU") & (origin.stage == "processing"), "tagged_t"].tolist() == [50]


def test_d_a_stockpile_keeps_its_tags(solve):
    # EU needs 100 t oxide in 2025 and in 2026; the cap (50 %) binds only in 2026. Chinese oxide
    # bought in 2025 and stored (holding 1,000 USD/t) is still Chinese-refined when drawn in 2026:
    # 2026 takes 50 t Chinese + 50 t Australian whether stored or not. 2025: 100 t Chinese.
    # Objective 150 * 50,000 + 50 * 80,000 = 11.5 MUSD, no stock held.
    sheets = oxide_chain([{**CAP, "basis": "origin", "first_year": 2026}],
                         demand=[{"region": "EU", "commodity": "oxide", "year": y, "quantity_t": 100}
                                 for y in (2025, 2026)],
                         stocks=[{"stock": "sp", "region": "EU", "commodity": "oxide",
                                  "holding_cost_usd_per_t": 1000}])
    plan = solve(settings={**TRACK, "last_year": 2026}, **sheets)
    assert plan.objective == pytest.approx(11.5, abs=1e-12)
    assert plan.value("level", ("sp", 2025)) == pytest.approx(0)


# ------------------------------------------------------------------ pruning keeps the optimum
@pytest.mark.parametrize("seed", range(8))
def test_tags_only_where_reachable_keep_the_optimum(tmp_path, monkeypatch, seed):
    """Random oxide-to-magnet networks with a soft origin cap that Chinese prices make bind: the LP
    with tags only where tagged material can reach (lp/origin.py: _reachable) has the optimum of the
    LP with tags everywhere (on these seeds 15-40 % fewer tag variables; the cap binds in 7 of 8)."""
    import numpy as np

    from conftest import write_case
    from model.data import build_study
    from model.lp import build_model, origin
    from model.pipeline import read_workbook
    from model.solve import solve_model

    rng = np.random.default_rng(seed)
    regions = ["EU", "CN", "VN", "AU", "US"]
    pick = lambda items, p: [x for x in items if rng.random() < p]  # noqa: E731
    sheets = one_region_chain(
        regions=[{"region": r} for r in regions],
        **{**OXIDE_TO_MAGNET, "commodities": [{"commodity": "oxide", "stage": "processing"},
                                              {"commodity": "magnet", "stage": "manufacturing",
                                               "unmet_penalty_usd_per_t": 200000}]},
        projects=[{"project": f"sinter_{r}", "technology": "sinter", "region": r,
                   "existing_tpa": int(rng.integers(20, 120))} for r in ["CN"] + pick(regions[2:], 0.7)],
        supply=[{"offer": f"{c}_{r}", "region": r, "commodity": c,
                 "price_usd_per_t": int(rng.integers(20, 40) if r == "CN" else rng.integers(50, 90)) * 1000}
                for c in ("oxide", "magnet") for r in ["CN"] + pick(regions[2:], 0.5)],
        trade=[{"from_region": fr, "to_region": to, "commodity": c, "cost_usd_per_t": int(rng.integers(0, 5)) * 1000}
               for fr in regions for to in regions for c in ("oxide", "magnet")
               if fr != to and ((fr, to) in (("CN", "VN"), ("VN", "EU"), ("CN", "US")) or rng.random() < 0.3)],
        demand=[{"region": r, "commodity": "magnet", "year": 2025, "quantity_t": int(rng.integers(50, 150))}
                for r in ("EU", "US")],
        policies=[{**CAP, "stage": str(rng.choice(["extraction", "processing", "manufacturing"])),
                   "share": round(float(rng.uniform(0.05, 0.5)), 2), "basis": "origin", "penalty_usd_per_t": 100000}],
    )
    tables = read_workbook(write_case(tmp_path, TRACK, **sheets))

    def optimum() -> float:
        study = build_study(tables)
        sol, _ = solve_model(build_model(study), study)
        assert sol.status == "optimal"
        return sol.objective

    pruned = optimum()
    every = {(r, c) for r in regions for c in ("oxide", "magnet")}
    monkeypatch.setattr(origin, "_reachable", lambda s, q, g, bearing, onward: every)
    assert pruned == pytest.approx(optimum(), rel=1e-9, abs=1e-9)
