"""Solving scenarios: optima worked by hand, batches with --all and --jobs, the overview,
and byte-identical CSV files.

The study: region EU needs 10 t of magnet in each of 2025-2027 (no unmet penalty). It can
import at 50 USD/t (offer imp, unlimited) or build project p (capex 1000 USD per t/yr, variable
cost 10 USD/t, no lead time). Discount rate 0, no salvage. Objective in USD million:

    base:  import everything                          3 x 10 x 50            = 1500 USD
    ban:   imports cut from 2026 (max_tpa 0, year>=2026). Build 10 t/yr in 2025 and make all
           three years: 10 x 1000 + 3 x 10 x 10 = 10300 USD, cheaper than importing in 2025 and
           building in 2026 (500 + 10000 + 200 = 10700)
    cheap: capex scaled by 0.01 -> 10 USD per t/yr: build in 2025: 100 + 300 = 400 USD
    dear:  import price add 20 -> 70 USD/t: 3 x 10 x 70 = 2100 USD (building costs 10300)
    stuck: imports and building both set to 0: infeasible
"""

import json

import pandas as pd
import pytest
from click.testing import CliRunner

from conftest import BASE_SETTINGS, one_region_chain, write_case
from model.cli import main
from model.pipeline import solve_workbook
from model.write.workbook import write_study

SCENARIOS = [
    {"scenario": "ban", "sheet": "supply", "where": "offer=imp; year>=2026", "column": "max_tpa", "op": "set",
     "value": 0, "note": "export ban"},
    {"scenario": "cheap", "sheet": "projects", "where": "*", "column": "capex_usd_per_tpa", "op": "scale",
     "value": 0.01},
    {"scenario": "dear", "sheet": "supply", "where": "region=EU", "column": "price_usd_per_t", "op": "add",
     "value": 20},
    {"scenario": "stuck", "sheet": "supply", "where": "*", "column": "max_tpa", "op": "set", "value": 0},
    {"scenario": "stuck", "sheet": "projects", "where": "project=p", "column": "max_new_tpa", "op": "set",
     "value": 0},
]
EXPECTED = {"base": 1500e-6, "ban": 10300e-6, "cheap": 400e-6, "dear": 2100e-6}


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    d = tmp_path_factory.mktemp("study")
    return write_case(d, settings={"salvage": "no"}, name="chain", **one_region_chain(
        projects=[{"project": "p", "technology": "sinter", "region": "EU", "max_new_tpa": 100,
                   "capex_usd_per_tpa": 1000, "var_cost_usd_per_t": 10}],
        supply=[{"offer": "imp", "region": "EU", "commodity": "magnet", "price_usd_per_t": 50}],
        policies=[{"policy": "eu_half", "region": "EU", "material": "NdPr", "kind": "min_domestic_share",
                   "stage": "manufacturing", "share": 0.0, "first_year": 2026}],
        demand=[{"region": "EU", "commodity": "magnet", "year": y, "quantity_t": 10} for y in (2025, 2026, 2027)],
        scenarios=SCENARIOS))


@pytest.fixture(scope="module")
def batch(study, tmp_path_factory):
    out = tmp_path_factory.mktemp("batch1")
    r = CliRunner().invoke(main, ["solve", str(study), "--all", "--out", str(out)])
    return r, out / "chain"


@pytest.mark.parametrize("scenario", EXPECTED)
def test_each_scenario_solves_to_its_hand_worked_optimum(study, tmp_path, scenario):
    r = solve_workbook(study, tmp_path, scenario=scenario, figures=False)
    assert r.status == "optimal"
    assert r.solution.objective == pytest.approx(EXPECTED[scenario], rel=1e-9)
    assert r.folder == tmp_path / "chain" / scenario


def test_ban_builds_in_2025_and_buys_only_then(study, tmp_path):
    r = solve_workbook(study, tmp_path, scenario="ban", figures=False)
    assert r.solution.values["build"][("p", 2025)] == pytest.approx(10)
    bought = {k: v for k, v in r.solution.values["buy"].items() if v > 1e-9}
    assert bought == {}  # once built, making (10 USD/t) beats importing (50 USD/t) in 2025 too
    assert r.study.buy[("imp", 2025)].max is None and r.study.buy[("imp", 2026)].max == 0


def test_summary_lists_the_edits_applied(study, tmp_path):
    r = solve_workbook(study, tmp_path, scenario="ban", figures=False)
    s = json.loads((r.folder / "summary.json").read_text())
    assert s["scenario"] == "ban"
    assert s["edits"] == [{"row": 2, "sheet": "supply", "where": "offer=imp; year>=2026", "column": "max_tpa",
                           "op": "set", "value": "0", "matched": 2, "note": "export ban"}]
    base = solve_workbook(study, tmp_path, scenario="base", figures=False)
    assert json.loads((base.folder / "summary.json").read_text())["edits"] == []


def test_all_runs_every_scenario_and_one_failure_does_not_stop_the_others(batch):
    r, folder = batch
    assert r.exit_code == 3, r.output  # stuck is infeasible: the batch exit code says so
    for s in ("base", "ban", "cheap", "dear"):
        assert (folder / s / "csv" / "builds.csv").is_file()
    assert (folder / "stuck" / "infeasibility.md").is_file()
    assert not (folder / "stuck" / "csv").exists()
    assert "1 of 5 scenarios did not solve: stuck" in r.output
    # why, and where the diagnosis is
    reason = "cannot be served by the projects, offers and routes available; add supply or give magnet an " \
             "unmet_penalty_usd_per_t"
    assert "  failed stuck: infeasible" in r.output
    for y in (2025, 2026, 2027):
        assert f"      - demand for magnet in EU in {y}: 10 t {reason}\n" in r.output
    assert f"      see {folder / 'stuck' / 'infeasibility.md'}\n" in r.output


def test_overview_has_one_row_per_scenario(batch):
    _, folder = batch
    o = pd.read_csv(folder / "overview.csv", keep_default_na=False)
    assert list(o.scenario) == ["base", "ban", "cheap", "dear", "stuck"]
    assert list(o.status) == ["optimal"] * 4 + ["infeasible"]
    for s, v in EXPECTED.items():
        assert float(o.loc[o.scenario == s, "objective_musd"].iloc[0]) == pytest.approx(v, rel=1e-5)
    row = o.set_index("scenario")
    assert float(row.loc["ban", "built_manufacturing_tpa"]) == 10
    assert float(row.loc["base", "built_manufacturing_tpa"]) == 0
    assert float(row.loc["ban", "capex_musd"]) == pytest.approx(0.01)
    assert float(row.loc["dear", "supply_musd"]) == pytest.approx(0.0021)
    # the policy's achieved share in each of its years: everything domestic once p is built
    assert float(row.loc["ban", "eu_half 2026 share"]) == 1 and float(row.loc["base", "eu_half 2027 share"]) == 0
    assert "eu_half 2026 price_usd_per_t" in o.columns and "eu_half 2025 share" not in o.columns
    assert row.loc["stuck", "objective_musd"] == ""


def test_overview_xlsx_matches(batch):
    from openpyxl import load_workbook

    _, folder = batch
    wb = load_workbook(folder / "overview.xlsx", read_only=True)
    assert wb.sheetnames == ["overview", "policy shares", "policy prices"]
    rows = list(wb["overview"].iter_rows(values_only=True))
    assert rows[0][:3] == ("scenario", "status", "objective (USD million)")
    assert [r[0] for r in rows[1:]] == ["base", "ban", "cheap", "dear", "stuck"]
    assert rows[2][2] == pytest.approx(EXPECTED["ban"])
    # the policy's share by year, one row per scenario with a plan (stuck has none)
    shares = list(wb["policy shares"].iter_rows(values_only=True))
    assert shares[0] == ("policy", "scenario", "2026 share (%)", "2027 share (%)")
    assert [r[:2] for r in shares[1:]] == [("eu_half", s) for s in ("base", "ban", "cheap", "dear")]
    assert shares[2][2:] == (1, 1) and shares[1][3] == 0


def test_jobs_2_gives_the_same_files_as_jobs_1(study, batch, tmp_path):
    _, one = batch
    r = CliRunner().invoke(main, ["solve", str(study), "--all", "--jobs", "2", "--out", str(tmp_path)])
    assert r.exit_code == 3, r.output
    two = tmp_path / "chain"
    files = sorted(p.relative_to(one) for p in one.rglob("*.csv"))
    assert len(files) > 40 and files == sorted(p.relative_to(two) for p in two.rglob("*.csv"))
    # the charts too: a worker draws each scenario on the figures of its last (chart_base.recycle)
    charts = sorted(p.relative_to(one) for p in one.rglob("*.png"))
    assert len(charts) >= 8 and charts == sorted(p.relative_to(two) for p in two.rglob("*.png"))
    for f in files + charts:
        assert (one / f).read_bytes() == (two / f).read_bytes(), f


def chain_with(tmp_path, scenarios, **sheets):
    return write_study(tmp_path / "chain.xlsx", {**BASE_SETTINGS, "salvage": "no"}, extra_columns={"supply": ["source"]},
                       sheets=one_region_chain(
        projects=[{"project": "p", "technology": "sinter", "region": "EU", "max_new_tpa": 100,
                   "capex_usd_per_tpa": 1000, "var_cost_usd_per_t": 10}],
        supply=[{"offer": "imp", "region": "EU", "commodity": "magnet", "price_usd_per_t": 50, "source": "nowhere"}],
        demand=[{"region": "EU", "commodity": "magnet", "year": y, "quantity_t": 10} for y in (2025, 2026, 2027)],
        scenarios=scenarios, **sheets))


def test_jobs_2_checks_the_scenarios_in_its_workers_and_writes_nothing_on_an_input_error(tmp_path):
    """The workers check the scenarios' edits before any is solved: the same errors as --jobs 1
    (the base case's and each scenario's), exit 2, no folder written."""
    bad = [*SCENARIOS[:2], {"scenario": "lost", "sheet": "projects", "where": "project=p", "column": "region",
                            "op": "set", "value": "XX"},
           {"scenario": "late", "sheet": "demand", "where": "*", "column": "year", "op": "set", "value": 2090}]
    study = chain_with(tmp_path, bad, sources=[{"source": "usgs", "title": "t", "publisher": "p", "year": 2024}])
    runs = [CliRunner().invoke(main, ["solve", str(study), "--all", "--jobs", j, "--out", str(tmp_path / j)])
            for j in ("1", "2")]
    assert [r.exit_code for r in runs] == [2, 2]
    assert runs[0].output == runs[1].output
    assert 'column region: got "XX", expected a region listed in sheet regions' in runs[1].output
    assert "(after the edits of scenario lost)" in runs[1].output and "scenario late" in runs[1].output
    assert not (tmp_path / "2" / "chain").exists() or not any((tmp_path / "2" / "chain").iterdir())


def test_jobs_2_warns_as_jobs_1(tmp_path):
    """Validation's warnings (a source not listed) are printed once, before the batch, as with --jobs 1."""
    study = chain_with(tmp_path, SCENARIOS[:2], sources=[{"source": "usgs", "title": "t", "publisher": "p",
                                                            "year": 2024}])
    runs = [CliRunner().invoke(main, ["solve", str(study), "--all", "--jobs", j, "--out", str(tmp_path / j)])
            for j in ("1", "2")]
    assert [r.exit_code for r in runs] == [0, 0], runs[1].output
    warned = [[line for line in r.output.splitlines() if line.startswith("warning:")] for r in runs]
    assert warned[0] == warned[1] and len(warned[1]) == 1 and "nowhere" in warned[1][0], warned


def test_same_scenario_twice_gives_byte_identical_csv(study, tmp_path):
    a = solve_workbook(study, tmp_path / "a", scenario="ban", figures=False).folder / "csv"
    b = solve_workbook(study, tmp_path / "b", scenario="ban", figures=False).folder / "csv"
    names = sorted(p.name for p in a.iterdir())
    assert names == sorted(p.name for p in b.iterdir())
    assert all((a / n).read_bytes() == (b / n).read_bytes() for n in names)


def test_repeated_scenario_options_choose_a_batch(study, tmp_path):
    r = CliRunner().invoke(main, ["solve", str(study), "--scenario", "cheap", "--scenario", "base",
                                  "--scenario", "cheap", "--out", str(tmp_path)])
    assert r.exit_code == 0, r.output
    o = pd.read_csv(tmp_path / "chain" / "overview.csv")
    assert list(o.scenario) == ["cheap", "base"]


def test_single_scenario_run_prints_phases_and_writes_no_overview(study, tmp_path):
    r = CliRunner().invoke(main, ["solve", str(study), "--scenario", "dear", "--out", str(tmp_path)])
    assert r.exit_code == 0, r.output
    assert "scenario dear" in r.output and "solving" in r.output
    assert (tmp_path / "chain" / "dear" / "plan.xlsx").is_file()
    assert not (tmp_path / "chain" / "overview.csv").exists()


def test_a_batch_starts_the_origin_tracked_scenarios_first():
    from types import SimpleNamespace

    import pandas as pd

    from model.batch import largest_first

    rows = pd.DataFrame({"scenario": ["a", "tracked", "b"], "sheet": ["supply", "settings", "settings"],
                         "where": ["*", "key=track_origin", "key=discount_rate"]})
    tables = SimpleNamespace(frames={"scenarios": rows}, settings={})
    assert largest_first(tables, ["base", "a", "b", "tracked"]) == ["tracked", "base", "a", "b"]
    tables.settings["track_origin"] = "CN"  # every scenario tracks: the order given
    assert largest_first(tables, ["base", "a", "b", "tracked"]) == ["base", "a", "b", "tracked"]
