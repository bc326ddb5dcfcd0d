"""The documentation in docs/ stays true to the code.

* docs/workbook.md is exactly what `python -m model.schema_docs` generates from model/schema.py,
  and the generator reads the schema (a changed help text reaches the page).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from model import schema, schema_docs

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"


# ------------------------------------------------------------------ workbook.md
def test_workbook_page_is_generated_from_the_schema():
    page = (DOCS / "workbook.md").read_text(encoding="utf-8")
    assert page == schema_docs.workbook_markdown(), (
        "docs/workbook.md differs from model/schema.py: run `python -m model.schema_docs` and commit docs/workbook.md")


@pytest.mark.parametrize("sheet, column, row", [
    ("projects", "availability",
     "| `availability` | number in (0, 1] | fraction | 1 | share of capacity usable per year |"),
    ("projects", "capex_usd_per_tpa",
     "| `capex_usd_per_tpa` | number >= 0 | USD per t/yr | required if max_new_tpa > 0 | "
     "overnight capital cost of new capacity |"),
    ("projects", "existing_retire_year",
     "| `existing_retire_year` | year | year | blank = beyond horizon | last year existing capacity operates |"),
    ("supply", "max_tpa", "| `max_tpa` | number >= 0 | t/yr | blank = unlimited | most tonnes per year |"),
    ("trade", "commodity",
     "| `commodity` | id from `commodities` or `*` |  | `*` | commodity, `*` for every commodity |"),
    ("budgets", "stage",
     "| `stage` | one of `extraction`, `processing`, `manufacturing`, `recycling` or `*` |  | `*` | "
     "stage whose projects it funds, `*` for all |"),
    ("budgets", "carryover", "| `carryover` | yes/no |  | no | unspent money carries to later years |"),
    ("tech_io", "coefficient",
     "| `coefficient` | number | t/t | required | per tonne of activity: + output, - input |"),
    ("policies", "penalty_usd_per_t",
     "| `penalty_usd_per_t` | number >= 0 | USD/t | blank = hard | blank = hard; a number makes it soft |"),
])
def test_column_rows(sheet, column, row):
    assert row in schema_docs.sheet_section(schema.SHEET[sheet])


@pytest.mark.parametrize("key, row", [
    ("first_year", "| `first_year` | whole number in [1900, 2200] | required | first planning year |"),
    ("discount_rate", "| `discount_rate` | number in [0, 1] | 0.08 | real annual discount rate, e.g. 0.08 |"),
    ("salvage", "| `salvage` | yes/no | yes | credit the unused life of late builds at the horizon end |"),
    ("solver_time_limit_s", "| `solver_time_limit_s` | number >= 0 | blank = none | HiGHS time limit in seconds |"),
])
def test_settings_rows(key, row):
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
    assert "| `mip_gap` | number >= 0 | 0.001 | relative gap |" in page
    assert "years from build decision to first operating year" not in page


def test_notes_belong_to_declared_sheets():
    assert set(schema_docs.NOTES) <= set(schema.SHEET)


def test_main_rewrites_the_page(tmp_path, monkeypatch, capsys):
    target = tmp_path / "docs" / "workbook.md"
    monkeypatch.setattr(schema_docs, "PAGE", target)
    assert schema_docs.main() == 0
    assert target.read_text(encoding="utf-8") == schema_docs.workbook_markdown()
    assert capsys.readouterr().out == f"wrote {target}\n"
