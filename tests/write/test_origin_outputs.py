"""Origin tracking in the outputs (issue 16, formulation 14): the origin chart, the report's
'Dependence by origin', the origin sheet and summary block of plan.xlsx, and reeplan diff.

The study is the Vietnamese magnet of tests/v2/test_origin.py over 2025-2026: the EU needs 100 t
of magnets a year (30 t NdPr), made only in VN from Chinese (50,000 USD/t) or Australian (80,000)
oxide. `origin_cap` (basis origin, 65 %) holds Chinese-refined NdPr at 0.65 * 30 = 19.5 t a year;
`ship_cap` (by shipper, 90 %) counts oxide shipped into the EU: none, the EU imports magnets. CN
oxide bought from an offer located in CN is CN-mined too (its stage, processing, is later than
extraction), so extraction is 65 % CN as well, with no cap holding it there.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import solve_case
from test_charts import assert_picture

from model.analysis import origin_dependence, origin_policies
from model.cli import main

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "v2"))
from test_origin import CAP, oxide_chain

SETTINGS = {"salvage": "no", "first_year": 2025, "last_year": 2026, "track_origin": "CN"}
PROJECTS = [{"project": "vn_sinter", "technology": "sinter", "region": "VN", "existing_tpa": 1000}]
DEMAND = [{"region": "EU", "commodity": "magnet", "year": y, "quantity_t": 100} for y in (2025, 2026)]
_cache: dict = {}


def _solved(factory, name: str, policies: list[dict], settings: dict = SETTINGS):
    if name not in _cache:
        sheets = oxide_chain(policies, projects=PROJECTS, demand=DEMAND)
        _cache[name] = solve_case(factory.mktemp(name), settings, figures=True, **sheets).result
    return _cache[name]


@pytest.fixture(scope="module")
def capped(tmp_path_factory):
    return _solved(tmp_path_factory, "capped", [{**CAP, "policy": "origin_cap", "share": 0.65, "basis": "origin"},
                                                {**CAP, "policy": "ship_cap", "share": 0.9}])


@pytest.fixture(scope="module")
def soft(tmp_path_factory):
    # A 50 % origin cap with a 10,000 USD/t penalty: going over costs 10,000 per t of NdPr, Australian
    # oxide 30,000 more, so the plan stays all Chinese and buys 15 t of shortfall a year.
    return _solved(tmp_path_factory, "soft", [{**CAP, "policy": "soft_cap", "basis": "origin",
                                               "penalty_usd_per_t": 10000}])


def _report(result) -> str:
    return (result.folder / "report.md").read_text()


def test_the_origin_chart_is_drawn_per_consuming_region(capped):
    charts = sorted(p.name for p in (capped.folder / "charts").iterdir())
    assert "origin_EU.png" in charts, charts
    assert_picture(capped.folder / "charts" / "origin_EU.png")
    assert ("![What EU consumes, by whose work at each stage: shares of consumption by tracked region and the "
            "untraced rest; where no origin cap binds, one of many equally cheap splits.](charts/origin_EU.png)"
            in _report(capped))


def test_the_report_states_dependence_by_origin_beside_dependence_by_shipper(capped):
    text = _report(capped)
    section = text[text.index("## Dependence by origin"):text.index("## Prices")]
    assert ("* **EU extraction** (NdPr), 2025: 65.0% CN-mined by origin (no origin cap binds: one of many equally "
            "cheap splits), no single-supplier cap by shipper measures this stage.") in section
    assert ("* **EU processing** (NdPr), 2025: 65.0% CN-refined by origin (held at its origin cap), 0.0% shipped "
            "from CN, as ship_cap counts it.") in section
    assert ("Where no origin cap binds, this split is one of many equally cheap ones: the plan is indifferent to "
            "which units carry the tag, so read it as possible, not as forecast.") in section
    assert "Dependence by origin" in (capped.folder / "report.html").read_text()


def test_an_origin_cap_above_its_share_is_reported_missed_never_met(soft):
    policies = pd.read_csv(soft.folder / "csv" / "policies.csv")
    assert policies["achieved_share"].tolist() == [1.0, 1.0]
    assert policies["shortfall_t"].tolist() == [15, 15]
    text = _report(soft)
    assert ("**soft_cap** (no single supplier above 50% of EU NdPr consumption at processing): missed in "
            "2025-2026 (30 t of NdPr short in all; largest supplier at 100.0% at worst against 50%, 100.0% in "
            "2026).") in text
    assert "Every target is met" not in text
    assert ("* **EU processing** (NdPr), 2025: 100.0% CN-refined by origin (held at its origin cap), no "
            "single-supplier cap by shipper measures this stage.") in text


def test_plan_xlsx_has_the_origin_sheet_and_a_summary_block(capped):
    wb = openpyxl.load_workbook(capped.folder / "plan.xlsx")
    ws = wb["origin"]
    assert [c.value for c in ws[1]] == ["region", "material", "stage", "tracked region", "year", "tagged (t)",
                                        "consumption (t)", "share (%)"]
    assert [(c.value, c.number_format) for c in ws[2]][5:] == [(19.5, "#,##0"), (30, "#,##0"), (0.65, "0.0%")]
    rows = [[v for v in r if v is not None] for r in wb["summary"].iter_rows(values_only=True)]
    at = rows.index(["Dependence by origin"])
    at = next(i for i in range(at, len(rows)) if rows[i][:1] == ["region"]) - 2  # the note may wrap
    assert rows[at + 2] == ["region", "material", "stage", "tracked region", "year", "share by origin",
                            "origin cap binds", "shipped from it (share)", "largest shipper",
                            "largest shipper's share"]
    assert rows[at + 3] == ["EU", "NdPr", "extraction", "CN", 2025, 0.65, "no"]
    assert rows[at + 4] == ["EU", "NdPr", "processing", "CN", 2025, 0.65, "yes", 0, 0]  # nothing shipped: no name
    described = ("material in each region's consumption whose stage work was done in a tracked region; where no "
                 "origin cap binds this split is one of many equally cheap ones")
    assert ["origin", described] in rows


def test_a_plan_without_tracking_has_no_origin_outputs(tmp_path_factory):
    plain = _solved(tmp_path_factory, "untracked", [{**CAP, "policy": "ship_cap", "share": 0.9}],
                    {k: v for k, v in SETTINGS.items() if k != "track_origin"})
    assert not (plain.folder / "csv" / "origin.csv").exists()
    assert not any(p.name.startswith("origin_") for p in (plain.folder / "charts").iterdir())
    assert "Dependence by origin" not in _report(plain)
    assert "origin" not in openpyxl.load_workbook(plain.folder / "plan.xlsx").sheetnames


def _diff(a, b):
    return CliRunner().invoke(main, ["diff", str(a), str(b)])


def test_diff_sees_a_change_in_origin_shares(capped, tmp_path):
    same, changed = tmp_path / "same", tmp_path / "changed"
    shutil.copytree(capped.folder, same)
    shutil.copytree(capped.folder, changed)
    path = changed / "csv" / "origin.csv"
    path.write_text(path.read_text().replace("EU,NdPr,processing,CN,2026,19.5,30,0.65",
                                             "EU,NdPr,processing,CN,2026,15,30,0.5"))
    r = _diff(capped.folder, same)
    assert r.exit_code == 0, r.output
    r = _diff(capped.folder, changed)
    assert r.exit_code == 1, r.output
    assert "consumption by origin (share of consumption): 1 changed" in r.output


# --- the basis of a cap, from a column or from its rows --------------------------------------
POL = ["policy", "kind", "region", "material", "stage", "supplier", "year", "share", "consumption_t", "target_t",
       "achieved_t", "achieved_share", "shortfall_t", "shadow_price_usd_per_t", "binding"]
ORIGIN = pd.DataFrame([["EU", "NdPr", "processing", "CN", 2025, 15.0, 30.0, 0.5]],
                      columns=["region", "material", "stage", "tracked_region", "year", "tagged_t", "consumption_t",
                               "share"])


def _cap(policy, supplier, achieved):
    return [policy, "max_supplier_share", "EU", "NdPr", "processing", supplier, 2025, 0.6, 30.0, 18.0, achieved,
            achieved / 30, 0.0, 0.0, "no"]


BASIS_CASES = [
    # (case, policy rows, extra columns, origin caps recognised)
    ("rows match the tags", [_cap("o", "CN", 15.0)], {}, {"o"}),
    ("an untracked supplier: by shipper", [_cap("s", "CN", 15.0), _cap("s", "AU", 3.0)], {}, set()),
    ("tonnes differ from the tags: by shipper", [_cap("s", "CN", 6.0)], {}, set()),
    ("a basis column decides", [_cap("s", "CN", 15.0)], {"basis": ["output"]}, set()),
]


@pytest.mark.parametrize("case,rows,extra,expected", BASIS_CASES, ids=[c[0] for c in BASIS_CASES])
def test_origin_caps_are_told_from_caps_by_shipper(case, rows, extra, expected):
    policies = pd.DataFrame(rows, columns=POL).assign(**extra)
    assert origin_policies(policies, ORIGIN) == expected


def test_dependence_names_the_largest_shipper_beside_the_tracked_one():
    # By shipper: AU ships 20 % of the EU's processed NdPr, CN 10 %; by origin 50 % is CN-refined.
    policies = pd.DataFrame([_cap("s", "CN", 3.0), _cap("s", "AU", 6.0)], columns=POL)
    dep = origin_dependence(ORIGIN, policies)
    assert dep[["region", "stage", "tracked_region", "year", "origin_share", "capped", "shipper_policy",
                "shipped_share", "top_shipper", "top_shipper_share"]].values.tolist() == \
        [["EU", "processing", "CN", 2025, 0.5, False, "s", pytest.approx(0.1), "AU", pytest.approx(0.2)]]
