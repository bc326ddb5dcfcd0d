"""Scenario typos never silently do nothing: each is an input error naming the scenario row,
reported all at once by `validate` and by a `solve` that runs the scenario (exit 2, nothing written)."""

import pytest
from click.testing import CliRunner

from conftest import one_region_chain, write_case
from model.cli import main

GOOD = {"scenario": "ok", "sheet": "supply", "where": "offer=imp; year>=2026", "column": "max_tpa",
        "op": "set", "value": 0}


def workbook(tmp_path, *rows):
    return write_case(tmp_path, **one_region_chain(
        projects=[{"project": "p", "technology": "sinter", "region": "EU", "max_new_tpa": 100,
                   "capex_usd_per_tpa": 1000, "lead_time_years": 1}],
        supply=[{"offer": "imp", "region": "EU", "commodity": "magnet", "price_usd_per_t": 50}],
        policies=[{"policy": "eu", "region": "EU", "material": "NdPr", "kind": "min_domestic_share",
                   "stage": "manufacturing", "share": 0.4}],
        demand=[{"region": "EU", "commodity": "magnet", "year": 2025, "quantity_t": 10}],
        scenarios=[GOOD, *rows]))


def row(**kw):
    return {**GOOD, "scenario": "typo", **kw}


# (scenario row, column named, words in the message)
CASES = {
    "where_matches_nothing": (row(where="offer=IMP"), "where", 'got "offer=IMP", expected conditions that match'),
    "conditions_together_match_nothing": (row(where="offer=imp; year>2027"), "where", "match at least one row"),
    "unknown_sheet": (row(sheet="suply"), "sheet", 'did you mean "supply"'),
    "scenarios_sheet_not_editable": (row(sheet="scenarios"), "sheet", "a sheet to edit"),
    "unknown_column": (row(column="max_tp"), "column", 'did you mean "max_tpa"'),
    "column_of_another_sheet": (row(column="capex_usd_per_tpa"), "column", "a column of sheet supply"),
    "unknown_op": (row(op="multiply"), "op", "one of set, scale, add"),
    "blank_op": (row(op=None), "op", "set, scale or add"),
    "condition_does_not_parse": (row(where="year=>2026"), "where", "a condition like column=value"),
    "condition_on_unknown_column": (row(where="country=EU"), "where", "a condition on a column of supply"),
    "year_condition_on_a_sheet_without_years": (
        row(sheet="projects", where="year>=2026", column="capex_usd_per_tpa", op="scale", value=2),
        "where", "a condition on a column of projects"),
    "rows_for_base": (row(scenario="base"), "scenario", "a name other than base"),
    "rows_for_Base": (row(scenario="Base"), "scenario", "a name other than base"),
    "name_not_a_folder": (row(scenario="a/b"), "scenario", "it names the output folder"),
    "supply_first_year": (row(column="first_year", value=2027), "column", "other than first_year/last_year"),
    "supply_last_year": (row(column="last_year", value=2026), "column", "other than first_year/last_year"),
    "sales_first_year": (row(sheet="sales", where="*", column="first_year", value=2027), "column",
                         "a column other than first_year/last_year of sales"),
    "year_condition_on_trade": (row(sheet="trade", where="year>=2026"), "where",
                                'got "year>=2026", expected a condition on a column of trade'),
    "stocks_column_typo": (row(sheet="stocks", where="*", column="max_tpa"), "column",
                           'a column of sheet stocks (did you mean "max_t"?)'),
    "policies_first_year": (row(sheet="policies", where="*", column="first_year", value=2027), "column",
                            "limit the years with a condition on year"),
    "horizon": (row(sheet="settings", where="key=last_year", column="value", value=2030), "where",
                "the horizon cannot be edited"),
    "horizon_by_star": (row(sheet="settings", where="*", column="value", op="scale", value=2), "where",
                        "the horizon cannot be edited"),
    "settings_column": (row(sheet="settings", where="key=discount_rate", column="key", value="x"), "column",
                        'the column "value"'),
    "scale_text": (row(sheet="projects", where="*", column="region", op="scale", value=2), "op",
                   "region is not a number"),
    "scale_by_text": (row(op="scale", value="double"), "value", "a number to scale max_tpa by"),
    "set_not_a_number": (row(value="none"), "value", "a number >= 0 for max_tpa"),
    "set_not_a_choice": (row(sheet="policies", where="*", column="kind", value="min_share"), "value",
                         "one of min_domestic_share"),
    "set_required_blank": (row(sheet="policies", where="*", column="share", value=None), "value",
                           "share of policies is required"),
    "share_scaled_above_one": (row(sheet="policies", where="*", column="share", op="scale", value=3), "value",
                               "makes share of policies row 2 (eu, 2025) 1.2"),
    "negative_after_add": (row(sheet="projects", where="*", column="capex_usd_per_tpa", op="add", value=-2000),
                           "value", "makes capex_usd_per_tpa of projects row 2 (p) -1000"),
    "whole_number_after_scale": (row(sheet="projects", where="*", column="lead_time_years", op="scale",
                                     value=1.5), "value", "a result that is a whole number"),
}


@pytest.mark.parametrize("name", CASES)
def test_scenario_error_names_the_scenario_row(tmp_path, name):
    bad, column, words = CASES[name]
    wb = workbook(tmp_path, bad)
    r = CliRunner().invoke(main, ["validate", str(wb)])
    assert r.exit_code == 2, r.output
    assert f"scenarios row 3, column {column}:" in r.output, r.output
    assert words in r.output
    assert "Traceback" not in r.output


def test_an_edit_that_breaks_a_reference_names_the_data_row_and_the_scenario(tmp_path):
    wb = workbook(tmp_path, row(sheet="projects", where="*", column="region", value="XX"))
    r = CliRunner().invoke(main, ["validate", str(wb)])
    assert r.exit_code == 2
    assert ('projects row 2, column region: got "XX", expected a region listed in sheet regions '
            "(after the edits of scenario typo)") in r.output


def test_all_scenario_errors_at_once_and_solve_writes_nothing(tmp_path):
    wb = workbook(tmp_path, row(where="offer=IMP"), row(sheet="suply"), row(scenario="other", column="max_tp"),
                  row(scenario="base"))
    r = CliRunner().invoke(main, ["validate", str(wb)])
    assert r.exit_code == 2
    for n in (3, 4, 5, 6):
        assert f"scenarios row {n}," in r.output
    assert "4 input errors" in r.output
    out = tmp_path / "out"
    r = CliRunner().invoke(main, ["solve", str(wb), "--scenario", "ok", "--out", str(out)])
    assert r.exit_code == 2 and not out.exists()


def test_a_run_applies_only_the_scenarios_it_solves(tmp_path):
    """A broken scenario blocks the runs that solve it (and validate, and --all), not a run of base:
    a single run does not pay for applying every other scenario."""
    wb = workbook(tmp_path, row(where="offer=IMP"))
    for args, refused in ((["--scenario", "typo"], True), (["--all"], True), ([], False),
                          (["--scenario", "ok"], False)):
        out = tmp_path / f"out{len(args)}{refused}"
        r = CliRunner().invoke(main, ["solve", str(wb), *args, "--out", str(out)])
        assert (r.exit_code == 2) == refused, (args, r.output)
        assert out.exists() != refused  # solved (this small case is infeasible: exit 3, written to _failed)
        assert ('scenarios row 3, column where: got "offer=IMP"' in r.output) == refused


def test_unknown_scenario_name_on_the_command_line(tmp_path):
    wb = workbook(tmp_path)
    out = tmp_path / "out"
    r = CliRunner().invoke(main, ["solve", str(wb), "--scenario", "ok", "--scenario", "nope", "--out", str(out)])
    assert r.exit_code == 2
    assert 'got "nope", expected a scenario of the workbook: base, ok' in r.output
    assert not out.exists()


def test_valid_scenarios_are_listed_by_validate(tmp_path):
    r = CliRunner().invoke(main, ["validate", str(workbook(tmp_path))])
    assert r.exit_code == 0, r.output
    assert "scenarios  1: ok" in r.output
