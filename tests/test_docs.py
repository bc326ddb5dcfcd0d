"""The documentation in docs/ stays true to the code.

* docs/workbook.md is exactly what `python -m model.schema_docs` generates from model/schema.py,
  and the generator reads the schema (a changed help text reaches the page).
* every `model/....py: name` in docs/formulation.md exists, and each section names its builder.
* docs/outputs.md documents every command and option, every column of every table a solve
  writes (sales, stocks and the policy-group columns included), every cost component, every
  summary.json key and the infeasibility columns.
* no user-facing page points outside the repository.
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import re
from pathlib import Path

import pandas as pd
import pytest

from model import results, schema, schema_docs
from model.cli import main
from model.costs import COMPONENTS
from model.diagnose import COLUMNS as DIAGNOSIS_COLUMNS
from model.pipeline import solve_workbook
from model.results import KEYS, OPTIONAL_TABLES

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"


# ------------------------------------------------------------------ workbook.md
def test_workbook_page_is_generated_from_the_schema():
    page = (DOCS / "workbook.md").read_text(encoding="utf-8")
    assert page == schema_docs.workbook_markdown(), (
        "docs/workbook.md differs from model/schema.py: run `python -m model.schema_docs` and commit docs/workbook.md")


@pytest.mark.parametrize("sheet, column, type_, default", [
    ("projects", "technology", "id from `technologies`", "required"),
    ("projects", "existing_tpa", "number >= 0", "0"),
    ("projects", "capex_usd_per_tpa", "number >= 0", "required if max_new_tpa > 0"),
    ("projects", "existing_retire_year", "year", "blank = beyond horizon"),
    ("projects", "lead_time_years", "whole number >= 0", "0"),
    ("projects", "lifetime_years", "whole number >= 1", "25"),
    ("supply", "max_tpa", "number >= 0", "blank = unlimited"),
    ("trade", "from_region", "id from `regions` or `*`", "required"),
    ("trade", "commodity", "id from `commodities` or `*`", "`*`"),
    ("budgets", "stage", "one of `extraction`, `processing`, `manufacturing`, `recycling` or `*`", "`*`"),
    ("budgets", "carryover", "yes/no", "no"),
    ("tech_io", "coefficient", "number", "required"),
    ("policies", "kind", "one of `min_domestic_share`, `max_supplier_share`", "required"),
    ("policies", "basis", "one of `output`, `capacity`, `origin`", "output"),
    ("policies", "penalty_usd_per_t", "number >= 0", "blank = hard"),
    ("sources", "title", "text", "blank"),
])
def test_column_rows(sheet, column, type_, default):
    """type, unit, default and meaning of a column, as the schema declares them today."""
    col = schema.SHEET[sheet].column(column)
    row = f"| `{column}` | {type_} | {col.unit} | {default} | {schema_docs._cell(col.help)} |"
    assert row in schema_docs.sheet_section(schema.SHEET[sheet])


@pytest.mark.parametrize("key, type_, default", [
    ("first_year", "whole number in [1900, 2200]", "required"),
    ("base_year", "whole number in [1900, 2200]", "blank = first_year"),
    ("salvage", "yes/no", "yes"),
    ("unmet_penalty_usd_per_t", "number >= 0", "blank = demand is hard"),
    ("solver_time_limit_s", "number >= 0", "blank = none"),
])
def test_settings_rows(key, type_, default):
    s = schema.SETTING[key]
    row = f"| `{key}` | {type_} | {getattr(s, 'unit', '')} | {default} | {schema_docs._cell(s.help)} |"
    assert row in schema_docs.settings_section()


def test_every_sheet_column_and_setting_is_on_the_page():
    page = schema_docs.workbook_markdown()
    for sheet in schema.SHEETS:
        section = page.split(f"\n## {sheet.name}\n", 1)[1].split("\n## ", 1)[0]
        documented = [line.split(" | ")[0][3:-1] for line in section.splitlines() if line.startswith("| `")]
        assert documented == sheet.names, sheet.name
    assert [f"`{s.key}`" for s in schema.SETTINGS] == [
        line.split(" | ")[0][2:] for line in page.split("\n## settings\n")[1].split("\n## ")[0].splitlines()
        if line.startswith("| `")]


def test_the_page_follows_a_changed_schema(monkeypatch):
    """The generator reads schema.py when called: a new help text, column or setting shows up."""
    projects = schema.SHEET["projects"]
    extra = schema.Column("ramp_years", "whole", "years to full use", unit="years", default=0, minimum=0)
    lead = dataclasses.replace(projects.column("lead_time_years"), help="years of construction")
    changed = dataclasses.replace(projects, columns=tuple(lead if c.name == "lead_time_years" else c
                                                          for c in projects.columns) + (extra,))
    monkeypatch.setattr(schema, "SHEETS", tuple(changed if s.name == "projects" else s for s in schema.SHEETS))
    monkeypatch.setattr(schema, "SETTINGS", schema.SETTINGS + (schema.Setting("mip_gap", "number", "relative gap",
                                                                              default=0.001, minimum=0.0),))
    page = schema_docs.workbook_markdown()
    assert "| `lead_time_years` | whole number >= 0 | years | 0 | years of construction |" in page
    assert "| `ramp_years` | whole number >= 0 | years | 0 | years to full use |" in page
    assert "| `mip_gap` | number >= 0 |  | 0.001 | relative gap |" in page
    assert "years from build decision to first operating year" not in page


def test_notes_belong_to_declared_sheets():
    assert set(schema_docs.NOTES) <= set(schema.SHEET)


def test_main_rewrites_the_page(tmp_path, monkeypatch, capsys):
    target = tmp_path / "docs" / "workbook.md"
    monkeypatch.setattr(schema_docs, "PAGE", target)
    assert schema_docs.main() == 0
    assert target.read_text(encoding="utf-8") == schema_docs.workbook_markdown()
    assert capsys.readouterr().out == f"wrote {target}\n"


# ------------------------------------------------------------------ formulation.md
NAMED = re.compile(r"`(model/[\w/]+)\.py: ([\w.]+)`")


def formulation_names() -> list[tuple[str, str]]:
    """Every `model/....py: name` the page mentions."""
    return sorted(set(NAMED.findall((DOCS / "formulation.md").read_text(encoding="utf-8"))))


@pytest.mark.parametrize("path, name", formulation_names())
def test_formulation_names_exist(path, name):
    obj = importlib.import_module(path.replace("/", "."))
    for part in name.split("."):
        assert hasattr(obj, part), f"docs/formulation.md names `{path}.py: {name}`, which does not exist"
        obj = getattr(obj, part)


@pytest.mark.parametrize("section, named", [
    ("Variables", "model/lp/variables.py: define_variables"),
    ("Capacity online", "model/data.py: capacity_online"),
    ("Capacity online", "model/data.py: Project.online"),
    ("1. Project size", "model/lp/capacity.py: project_size"),
    ("2. Activity limit", "model/lp/capacity.py: activity_limit"),
    ("3. Commodity balance", "model/lp/balance.py: commodity_balance"),
    ("3. Commodity balance", "model/results.py: prices"),
    ("4. Offers and routes", "model/lp/variables.py: define_variables"),
    ("5. Unmet demand", "model/lp/variables.py: define_variables"),
    ("6. Capital spending and budgets", "model/data.py: capital_spend"),
    ("6. Capital spending and budgets", "model/lp/budgets.py: capital_budget"),
    ("6. Capital spending and budgets", "model/results.py: budgets"),
    ("7. Policies", "model/lp/policies.py: policy_share"),
    ("7. Policies", "model/results.py: policies"),
    ("7. Policies", "model/lp/policies.py: silent_policies"),
    ("8. Outside buyers", "model/lp/variables.py: define_variables"),
    ("8. Outside buyers", "model/lp/balance.py: commodity_balance"),
    ("8. Outside buyers", "model/costs.py: cost_blocks"),
    ("9. Stockpiles", "model/lp/variables.py: define_variables"),
    ("9. Stockpiles", "model/lp/balance.py: commodity_balance"),
    ("9. Stockpiles", "model/costs.py: cost_blocks"),
    ("10. Ramp-up and minimum output", "model/data.py: Project.usable"),
    ("10. Ramp-up and minimum output", "model/data.py: Project.usable_constant"),
    ("10. Ramp-up and minimum output", "model/lp/capacity.py: activity_limit"),
    ("10. Ramp-up and minimum output", "model/lp/capacity.py: minimum_output"),
    ("10. Ramp-up and minimum output", "model/lp/policies.py: policy_share"),
    ("11. Route years", "model/routes.py: dated_routes"),
    ("12. Bookkeeping technologies", "model/data.py: _projects"),
    ("12. Bookkeeping technologies", "model/lp/budgets.py: capital_budget"),
    ("13. Policy groups", "model/pipeline.py: policy_cost_musd"),
    ("Objective", "model/lp/objective.py: total_cost"),
    ("Objective", "model/costs.py: objective_vectors"),
    ("Objective", "model/results.py: costs"),
    ("Infeasibility diagnosis", "model/diagnose.py: diagnose"),
    ("Support needed", "model/results.py: support"),
    ("Support needed", "model/results.py: capex_weight"),
    ("Numerical checks and warnings", "model/numerics.py: matrix_warnings"),
    ("Numerical checks and warnings", "model/lp/policies.py: silent_policies"),
    ("15. Lumpy builds", "model/lp/lumpy.py: lumpy_builds"),
    ("15. Lumpy builds", "model/lp/lumpy.py: relax"),
    ("15. Lumpy builds", "model/fasthighs.py: FastHighs.fixed_lp_duals"),
    ("15. Lumpy builds", "model/solve.py: _mip_info"),
    ("Frontier and alternatives", "model/frontier.py: sweep"),
    ("Frontier and alternatives", "model/alternatives.py: generate"),
    ("Frontier and alternatives", "model/session.py: Session"),
    ("16. Two-stage stochastic plan", "model/stochastic.py: extensive_form"),
    ("16. Two-stage stochastic plan", "model/stochastic.py: branch_solution"),
    ("16. Two-stage stochastic plan", "model/stochastic.py: cost_with_fixed"),
    ("16. Two-stage stochastic plan", "model/stochastic.py: solve_stochastic"),
    ("16. Two-stage stochastic plan", "model/stochastic_run.py: solve_stochastic_workbook"),
])
def test_each_section_names_its_builder(section, named):
    page = (DOCS / "formulation.md").read_text(encoding="utf-8")
    assert f"\n## {section}\n" in page, f"docs/formulation.md has no section {section}"
    body = page.split(f"\n## {section}\n", 1)[1].split("\n## ", 1)[0]
    assert f"`{named}`" in body


# ------------------------------------------------------------------ outputs.md
def outputs_page() -> str:
    return (DOCS / "outputs.md").read_text(encoding="utf-8")


def section(page: str, heading: str) -> str:
    """The text under a `### heading` up to the next heading."""
    assert f"\n### {heading}\n" in page, f"docs/outputs.md has no section ### {heading}"
    return re.split(r"\n#{2,3} ", page.split(f"\n### {heading}\n", 1)[1], maxsplit=1)[0]


def documented_columns(page: str, heading: str) -> list[str]:
    return re.findall(r"^\| `([^`]+)` \|", section(page, heading), flags=re.MULTILINE)


@pytest.mark.parametrize("command", sorted(main.commands))
def test_every_command_and_option_is_documented(command):
    text = section(outputs_page(), f"reeplan {command}")
    for param in main.commands[command].params:
        for flag in param.opts:
            if flag.startswith("--"):
                assert f"`{flag}" in text, f"docs/outputs.md, reeplan {command}: option {flag} is not documented"


@pytest.fixture(scope="module")
def example_result(tmp_path_factory):
    """The small example study solved with --policy-costs (every table a plan always has)."""
    out = tmp_path_factory.mktemp("plan")
    result = solve_workbook(ROOT / "inputs" / "example.xlsx", out, with_policy_costs=True, figures=False)
    assert result.status == "optimal"
    return result


@pytest.fixture(scope="module")
def example_plan(example_result):
    return example_result.folder


def header_of(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()[0].split(",")


GROUP_COLUMNS = ["group", "group_total_cost_musd"]  # policy_costs.csv, only with policy groups


def test_every_table_written_is_documented_column_by_column(example_plan):
    page = outputs_page()
    written = sorted(p.stem for p in (example_plan / "csv").glob("*.csv"))
    assert set(written) == set(KEYS) - {"sales", "stocks", "origin"}  # policy_costs included (--policy-costs)
    for name in written:
        documented = [c for c in documented_columns(page, f"{name}.csv")
                      if name != "policy_costs" or c not in GROUP_COLUMNS]
        assert documented == header_of(example_plan / "csv" / f"{name}.csv"), name


@pytest.mark.parametrize("name", ["sales", "stocks"])
def test_tables_of_studies_with_buyers_or_stockpiles_are_documented(example_result, name):
    """sales.csv and stocks.csv are written only by studies that have them: their columns are
    those of the results function (an empty table for the example study)."""
    assert name in OPTIONAL_TABLES
    table = getattr(results, name)(example_result.study, example_result.solution)
    assert table.empty
    assert documented_columns(outputs_page(), f"{name}.csv") == list(table.columns)


def test_policy_group_columns_are_documented(example_plan):
    """With policy groups, policy_costs.csv gains `group` and `group_total_cost_musd`."""
    pol = pd.read_csv(example_plan / "csv" / "policies.csv", keep_default_na=False)
    first = pol["policy"].iloc[0]
    grouped = results.policy_costs(pol, {first: 1.0}, {"g": 2.0}, {first: "g"})
    assert list(grouped.columns) == header_of(example_plan / "csv" / "policy_costs.csv") + GROUP_COLUMNS
    assert documented_columns(outputs_page(), "policy_costs.csv") == list(grouped.columns)
    assert grouped.loc[grouped["policy"] == first, "group_total_cost_musd"].tolist() == [2.0] * (pol["policy"] == first).sum()


def test_cost_components_are_documented():
    """Every cost component, the optional ones (holding, sales) included, in costs.csv's order."""
    text = section(outputs_page(), "costs.csv")
    listed = re.findall(r"`(\w+)`", text.split("\n\n")[0])
    assert [c for c in dict.fromkeys(listed) if c in COMPONENTS] == list(COMPONENTS)


OPTIONAL_SUMMARY = {"diagnosis", "mip", "relaxed", "names"}  # infeasible; lumpy builds (solved, --relax); full names


def test_every_summary_key_is_documented(example_plan):
    summary = json.loads((example_plan / "summary.json").read_text())
    documented = documented_columns(outputs_page(), "summary.json")
    assert set(summary) | OPTIONAL_SUMMARY == set(documented)


@pytest.fixture(scope="module")
def lumpy_summaries(tmp_path_factory):
    """The example study with a minimum size on its first candidate: solved, and with --relax."""
    import openpyxl
    tmp = tmp_path_factory.mktemp("lumpy")
    wb = openpyxl.load_workbook(ROOT / "inputs" / "example.xlsx")
    ws = wb["projects"]
    head = [c.value for c in ws[1]]
    row = next(r for r in range(2, ws.max_row + 1) if (ws.cell(r, head.index("max_new_tpa") + 1).value or 0) > 0)
    ws.cell(1, len(head) + 1, "min_build_tpa")
    ws.cell(row, len(head) + 1, 0.5 * ws.cell(row, head.index("max_new_tpa") + 1).value)
    wb.save(tmp / "lumpy.xlsx")
    return [solve_workbook(tmp / "lumpy.xlsx", tmp / name, figures=False, relax=relax).summary
            for name, relax in (("mip", False), ("relaxed", True))]


def test_mip_and_relaxed_keys_are_documented(lumpy_summaries):
    """The mip block of a lumpy study, and relaxed with --relax, with every key of the block named."""
    mip, relaxed = lumpy_summaries
    assert "mip" in mip and "relaxed" not in mip and "relaxed" in relaxed and "mip" not in relaxed
    text = [line for line in section(outputs_page(), "summary.json").splitlines() if line.startswith("| `mip` |")]
    assert len(text) == 1
    assert [k for k in mip["mip"] if f"`{k}`" not in text[0]] == []


def test_infeasibility_columns_are_documented():
    assert documented_columns(outputs_page(), "infeasibility.csv and infeasibility.md") == list(DIAGNOSIS_COLUMNS)


# ------------------------------------------------------------------ no pointers outside the repository
@pytest.mark.parametrize("page", ["README.md", "docs/workbook.md", "docs/formulation.md", "docs/outputs.md"])
def test_user_pages_point_only_inside_the_repository(page):
    hits = [line for line in (ROOT / page).read_text(encoding="utf-8").splitlines() if "shared/" in line]
    assert hits == [], f"{page} points outside the repository (users never see ../shared)"
