"""docs/workbook.md, generated from `schema.py`: `python -m model.schema_docs` rewrites it.

Every table of the page (sheets, columns, type, unit, default, help, settings keys, keys,
references) is read from the schema when the page is made, so a changed help text or a new
column reaches the page without editing it. The prose the schema does not hold (units,
blanks, trade resolution, budget and scenario rules, the CRMA example) is kept here as text,
by sheet. `tests/test_docs.py` fails when the committed page differs from `workbook_markdown()`.
"""

from __future__ import annotations

import re
import sys
import textwrap
from pathlib import Path

from . import schema

PAGE = Path(__file__).resolve().parent.parent / "docs" / "workbook.md"
COMMAND = "python -m model.schema_docs"
WIDTH = 96  # prose line length

TITLE = "# The input workbook"

INTRO = """\
One `.xlsx` workbook holds one study: the base case (the sheets as they are) and any number of
named scenarios (sheet `scenarios`). Edit it in Excel or LibreOffice; `reeplan template PATH`
writes a blank one with a help note on every header cell, and `reeplan validate WORKBOOK` lists
every problem at once. How the model uses the numbers is in [formulation.md](formulation.md);
what it writes is in [outputs.md](outputs.md).

**Sheets and columns.** Sheet and column names are lower-case and exact; spaces around them are
trimmed. The sheets are {sheets}. Every column listed below must be in the header row of its sheet,
even when all its cells are blank; a missing column is an input error (the rest of the workbook is
still checked, reading the column as blank). The exceptions came with version 2 of the workbook:
optional columns ({optional_columns}) may be left out of the header, and then every cell of them
is blank; a header that looks like a misspelt one (`ramp years`) is still an error, so the data is
never silently ignored. Optional sheets may be left out (an absent sheet is empty): {optional}.
A workbook made before version 2 thus stays valid and gives the same plan. Other
columns are ignored with a warning, except {doc_columns}, which any sheet may carry as
documentation (`source` names a row of `sources`; an unknown one is a warning). Other sheets are
ignored silently, so notes can live in the workbook.

**Blanks.** A blank cell means "not given": it takes the default shown in the tables below, or the
meaning written there (e.g. "blank = unlimited"). A required cell left blank is an input error.
Wholly empty rows are skipped.

**Ids and keys.** Ids are trimmed, case-sensitive text (`EU` and `eu` are two regions). A column
whose type reads "id from `sheet`" must name a row of that sheet; where "or `*`" is allowed,
`*` means every one. Keys are unique: {keys}. A repeated key is an input error, never summed or
overwritten.

**Units** are in the column names: `_t` tonnes, `_tpa` tonnes per year of capacity, `_usd_per_t`
US dollars per tonne, `_usd_per_tpa` US dollars per tonne-per-year of capacity, `_musd` millions
of US dollars, `_years` years, `_s` seconds. Shares and availabilities are fractions in [0, 1]
(`40 %` typed in a cell reads as 0.4). Materials are counted in tonnes of contained oxide.
Costs are discounted to `base_year` at `discount_rate` (settings).

**Cells as Excel users type them.** Numbers stored as text, `1,000`, `40 %`, dates in year
columns (their year), `yes`/`no`/`true`/`false`/`1`/`0`, trailing spaces in ids and headers, and
formulas (their cached values) are all read as meant. A year is a whole number from {year_min}
to {year_max}; no number may be larger than {magnitude} in size (a larger one is a typo that
would reach the solver as "infinite"). Every error names the sheet, Excel row and column, the
value found and what was expected."""

SETTINGS_TEXT = """\
Two columns, `key` and `value`, one row per key. An unknown key is a warning (a typo never
hides the other checks); a key given twice is an error."""

# Rules the schema cannot say, by sheet (a sheet the schema no longer declares loses its text).
NOTES = {
    "sources": """\
The `source` column of any other sheet names one of these ids; an unknown id is a warning, not
an error. The shipped study names a source on every row of every sheet.""",
    "commodities": """\
`stage` is the stage that delivers the commodity (blank for none: scrap, or inputs that are not
a stage's product). It decides which stage an import counts against in `max_supplier_share`
policies. Demand for a commodity is soft when it has an unmet-demand penalty (its own, else
`unmet_penalty_usd_per_t` in settings): unserved tonnes then cost that much each. Without
either, its demand is hard.""",
    "content": """\
E.g. magnet, NdPr, 0.31. A commodity with no row contains no material. The consumption of a
material in a region and year, `Σ_c t_per_t × demand`, is the base of every policy share.""",
    "technologies": """\
A blank `stage` makes a bookkeeping technology: it converts one commodity into another for
accounting (a magnet grade into a duty it can serve). Its projects count towards no stage: not in
capacity or output by stage, not in any policy, not in the charts, and in no stage-specific
budget (only in budgets for every stage, `*`); they still enter balances and costs.""",
    "tech_io": """\
Each technology has at least one output (a positive coefficient). Coefficients are used exactly
as given, never normalised; by convention the main output has coefficient 1, so activity and
capacity are in tonnes of it.""",
    "projects": """\
One row per facility: existing (`existing_tpa`), committed (`committed_tpa`: under construction,
its cost sunk; it operates from `committed_online_year` to the end of the horizon, with no
retirement and no lifetime), a candidate (`max_new_tpa` > 0), or any mix. New capacity whose
construction starts in year τ operates from τ + `lead_time_years` for `lifetime_years` years;
builds may start from the later of `first_year` and `earliest_start_year` up to
`last_year` − `lead_time_years` (capacity that could not come online inside the horizon is not
built). `committed_tpa` > 0 needs `committed_online_year`; `max_new_tpa` > 0 needs
`capex_usd_per_tpa`.

Ramp-up: with `ramp_years` = R, capacity that comes online in year o (a build, or committed
capacity) is usable at (t − o + 1) / (R + 1) of its size in year t, reaching full use after R
years; existing capacity is fully usable. Fixed O&M and the capacity tables count the full
nameplate. Minimum output: with `min_output_share` = m, activity is at least m × availability ×
usable capacity each year (an offtake or take-or-pay contract). The support.csv output gives the
support per tonne a plant needs to run at that level.""",
    "supply": """\
Several offers for one region and commodity form a stepped supply curve. An offer stands in
each year of its window that lies in the horizon; an offer outside the horizon is simply unused.
An offer located in a region is never an import of that region. Export controls are scenarios
that cut `max_tpa` of a region's offers.""",
    "sales": """\
Outside buyers: in each year of its window a sale takes up to `max_tpa` tonnes of the commodity
out of the region, paying `price_usd_per_t` (a credit in the objective). Both are required: a
buyer without a limit who pays more than the cost would make the plan unbounded. Sales leave the
region like demand but are not consumption, so they never enter a policy's base. Scenarios see
one row per year, as on `supply`.""",
    "stocks": """\
A stockpile of one commodity in one region: `initial_t` is held before `first_year`; the level at
each year end stays between `min_t` (a strategic floor) and `max_t`, and is at least `final_t` at
the end of `last_year`. Filling it takes the commodity out of the region's balance and drawing it
puts it back; each tonne held at a year end costs `holding_cost_usd_per_t`. The bounds must fit
together: `min_t` <= `max_t`, `min_t` <= `initial_t` <= `max_t` and `final_t` <= `max_t`, else an
input error names the row.""",
    "trade": """\
A route not listed does not exist. Within a region no route is needed; a row from a region to
itself is ignored. Rows are resolved for each (from_region, to_region, commodity) triple on its
own: the triple takes `cost_usd_per_t` and `max_tpa` from the covering row that names the most of
from_region, to_region and commodity; among equally specific covering rows the first in sheet
order wins. A row naming one commodity changes that commodity only and never removes other
commodities from the region pair. A `*` row stands for one row per triple it covers: its
`max_tpa` caps each of them on its own, never their total (quotas belong on `supply`). Routes
are created only for commodities that some project produces or some offer sells.

Dated rows: `first_year` and `last_year` limit the years a row applies (blank: the whole
horizon). Each year resolves among the rows whose window holds it, by the rules above; a year that
no covering row holds has no route, so a route can open or close during the horizon (a row
`CN | EU | magnet | ... | last_year 2026` closes after 2026 when no wider row covers it).
Scenarios edit trade rows as a whole: they are not split by year, so a `where` on trade cannot
test `year` (edit `first_year`/`last_year` instead).""",
    "demand": """\
A missing (region, commodity, year) is zero; rows outside the horizon are ignored. Whether
demand may go unserved is set per commodity (`unmet_penalty_usd_per_t`).""",
    "budgets": """\
One row per budget and year. All rows of one budget agree on `region`, `stage` and `carryover`.
A budget caps the capital spend of the projects it funds (a build spends its capex evenly over
its construction years). Without carryover each row caps the spend of its own year; a year with
no row is not limited by that budget. With carryover each row caps the running sum of spend up
to its year against the running sum of the amounts dated up to that year (rows before
`first_year` included; a row dated after `last_year` covers all spend in the horizon).""",
    "policies": """\
`min_domestic_share`: the region's own output (or, with `basis` = `capacity`, its usable
capacity) at the stage, in tonnes of the material, is at least `share` × its consumption of
the material. `max_supplier_share`: imports of the stage's commodities from each other region, in
tonnes of the material, are at most `share` × consumption; it applies to stages that commodities
deliver (extraction, processing, manufacturing), so naming `recycling` for it is an input error.
A year in which the region consumes none of the material has no target. Blank
`penalty_usd_per_t` makes the target hard; a number makes it soft at that cost per tonne short.
Policies that share a `group` are also costed together by `--policy-costs` (the cost of removing
all of them at once: two policies that duplicate each other each cost 0 alone).

The EU Critical Raw Materials Act 2030 benchmarks for a region `EU` and material `NdPr`:
extraction 10 %, processing 40 %, recycling 25 % (`min_domestic_share`), and no single third
country above 65 % at any processing stage (`max_supplier_share`, one row, with its own id, per
stage). `reeplan template` writes them as example rows.""",
    "scenarios": """\
A scenario is the rows with its name; each row edits the base data, and the rows of one
scenario apply in sheet order, each to the data as the rows before left it. The base case is the
workbook itself and takes no rows.

* `where` selects rows of `sheet`: `*` for all rows, or conditions `column OP value` joined by
  `;` (all must hold), with OP one of `= != < <= > >=`. A value that reads as a number compares
  as a number, otherwise as trimmed, case-sensitive text; a blank cell matches only `!=`. The
  text is parsed, never evaluated. A value cannot contain `=`, `<` or `>`.
* `op` is `set`, `scale` (multiply) or `add`. Before `scale`/`add`, a blank cell takes the number
  it stands for (its default: 0, 1, 25, first_year, 0.08); a blank meaning unlimited, hard or
  beyond the horizon stays blank. `set` with a blank value restores the column's default.
* On `supply`, `sales` and `policies` an edit sees one row per year, so `where` may test `year` and an
  edit may change part of a row's years; the row is split into runs of equal years that keep its
  id and Excel row. `first_year`/`last_year` of these sheets and the horizon in settings cannot
  be edited (limit years with a `year` condition instead). Other sheets, `trade` included, are
  edited row by row; `first_year`/`last_year` of trade rows may be edited.
* `settings` is edited like a sheet with columns `key` and `value`, e.g.
  `settings | key=discount_rate | value | set | 0.05`.
* Example: `china_ban_2027 | supply | region=CN; commodity=magnet; year>=2027 | max_tpa | set | 0`.

Typos must not silently do nothing, so each of these is an input error naming the scenario row:
a `where` matching no row; an unknown sheet, column or op; a condition that does not parse;
rows for `base` (in any letter case); an edit of year windows or the horizon; a result outside
the column's range (a share scaled above 1, a lead time scaled to 2.5 years); a scenario whose
edits break a cross-sheet rule. A scenario name must be usable as a folder name (up to 64
letters, digits, spaces and `_ . + -`, starting with a letter or digit). One bad scenario row
stops every run of the workbook, base included.""",
}


# ------------------------------------------------------------------ cells
def _cell(text: str) -> str:
    """Text for a table cell: pipes escaped, a lone `*` (meaning "every") in code quotes."""
    text = text.replace("|", "\\|")
    return re.sub(r"(?<![\S`])\*(?![\S`])", "`*`", text)


def _value(v) -> str:
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        return f"{v:g}"
    return f"`{v}`" if v == schema.WILDCARD else str(v)


def _bounded(expected: str) -> str:
    """Column.expected() without its article: "a number >= 0" -> "number >= 0"."""
    return re.sub(r"^an? ", "", expected)


def type_words(col: schema.Column) -> str:
    if col.kind == "text":
        words = f"id from `{col.ref}`" if col.ref else "text"
    elif col.kind == "whole" and col.unit == "year":
        words = "year"
    elif col.kind == "yesno":
        words = "yes/no"
    elif col.kind == "choice":
        words = "one of " + ", ".join(f"`{c}`" for c in col.choices if c != schema.WILDCARD)
    else:
        words = _bounded(col.expected())
    return words + (" or `*`" if col.wildcard or schema.WILDCARD in col.choices else "")


def default_words(item) -> str:
    """A column's or setting's default: required, a value, or what a blank means."""
    if item.required:
        return "required"
    if item.default is not None:
        return _value(item.default)
    if item.blank.startswith("required"):
        return item.blank  # "required if max_new_tpa > 0"
    return f"blank = {item.blank}" if item.blank else "blank"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return out + ["| " + " | ".join(_cell(c) if i else c for i, c in enumerate(r)) + " |" for r in rows]


# ------------------------------------------------------------------ sections
def _keys_sentence() -> str:
    parts = []
    for s in schema.SHEETS:
        if s.key:
            key = ", ".join(s.key)
            parts.append(f"`{key}` in {s.name}" if len(s.key) == 1 else f"({key}) in {s.name}")
    return "; ".join(parts)


def _wrap(text: str) -> str:
    """Paragraphs refilled after their blanks were filled in (code spans never broken)."""
    return "\n\n".join(textwrap.fill(" ".join(p.split()), WIDTH, break_long_words=False, break_on_hyphens=False)
                       for p in text.split("\n\n"))


def intro() -> str:
    optional = [f"`{s.name}`" for s in schema.SHEETS if not s.required]
    columns = [f"{s.name} `{c.name}`" for s in schema.SHEETS for c in s.columns if c.optional]
    return _wrap(INTRO.format(
        sheets=", ".join(["`settings`"] + [f"`{s.name}`" for s in schema.SHEETS]),
        optional=", ".join(optional) or "none", optional_columns=", ".join(columns) or "none",
        doc_columns=" and ".join(f"`{c}`" for c in schema.DOC_COLUMNS),
        keys=_keys_sentence(),
        year_min=schema.YEAR_MIN, year_max=schema.YEAR_MAX, magnitude=f"{schema.MAGNITUDE:.0e}".replace("e+0", "e"),
    ))


def settings_section() -> list[str]:
    rows = []
    for s in schema.SETTINGS:
        unit = getattr(s, "unit", "")
        col = schema.Column(s.key, s.kind, s.help, unit=unit, minimum=s.minimum, maximum=s.maximum)
        rows.append([f"`{s.key}`", type_words(col), unit, default_words(s), s.help])
    return ["## settings", "", SETTINGS_TEXT, "", *_table(["key", "type", "unit", "default", "meaning"], rows)]


def sheet_section(sheet: schema.Sheet) -> list[str]:
    lines = [f"## {sheet.name}", "", sheet.help[:1].upper() + sheet.help[1:] + "."]
    facts = []
    if not sheet.required:
        facts.append(f"Optional sheet (version {sheet.since})." if sheet.since > 1 else "Optional sheet.")
    if sheet.key:
        facts.append("Key: " + ", ".join(f"`{k}`" for k in sheet.key) + ".")
    if sheet.id_column:
        facts.append(f"Other sheets refer to its rows by `{sheet.id_column}`.")
    later = [f"`{c.name}`" for c in sheet.columns if c.optional]
    if later:
        facts.append("Optional columns (may be left out of the header, reading as blank): " + ", ".join(later) + ".")
    if facts:
        lines[-1] += " " + " ".join(facts)
    rows = [[f"`{c.name}`", type_words(c), c.unit, default_words(c), c.help] for c in sheet.columns]
    lines += ["", *_table(["column", "type", "unit", "default", "meaning"], rows)]
    if sheet.name in NOTES:
        lines += ["", NOTES[sheet.name]]
    return lines


def workbook_markdown() -> str:
    lines = [TITLE, "", f"<!-- Generated from model/schema.py by `{COMMAND}`; edit those, not this page. -->",
             "", intro(), "", *settings_section()]
    for sheet in schema.SHEETS:
        lines += ["", *sheet_section(sheet)]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    PAGE.parent.mkdir(parents=True, exist_ok=True)
    PAGE.write_text(workbook_markdown(), encoding="utf-8")
    print(f"wrote {PAGE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
