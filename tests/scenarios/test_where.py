"""The `where` language: parsed by the project (never evaluated), numbers compare as numbers,
text as trimmed case-sensitive text, a blank cell matches only !=."""

import math
import re

import pandas as pd
import pytest

from model.scenarios import ScenarioError, parse_where


def matches(where: str, column: str, cells: list) -> list[bool]:
    conditions = parse_where(where)
    mask = pd.Series(True, index=range(len(cells)))
    for c in conditions:
        assert c.column == column
        mask &= c.mask(pd.Series(cells, dtype=object))
    return list(mask)


def test_star_and_blank_mean_every_row():
    assert parse_where("*") == [] and parse_where("  * ") == []


@pytest.mark.parametrize("where, cells, expected", [
    ("year=2027", [2026, 2027, 2028, None], [False, True, False, False]),
    ("year!=2027", [2026, 2027, 2028, None], [True, False, True, True]),
    ("year<2027", [2026, 2027, 2028, None], [True, False, False, False]),
    ("year<=2027", [2026, 2027, 2028, None], [True, True, False, False]),
    ("year>2027", [2026, 2027, 2028, None], [False, False, True, False]),
    ("year>=2027", [2026, 2027, 2028, None], [False, True, True, False]),
    # values read as number cells read: thousands separators, currency symbols, percentages
    ("max_new_tpa<5,000", [4000, 5000, 12000, "4,500"], [True, False, False, True]),
    ("max_new_tpa>=$1,000", [999, 1000.0, None], [False, True, False]),
    ("max_new_tpa=40 %", [0.4, 40, 0.5], [True, False, False]),
    # numbers compare numerically: 10 > 9 (as text "10" < "9")
    ("year>9", [10, 9.5, 2, float("nan")], [True, True, False, False]),
    # 2027.0 in a number column equals 2027; "2027" stored as text also compares as a number
    ("year=2027", [2027.0, "2027", "x"], [True, True, False]),
])
def test_numeric_comparisons(where, cells, expected):
    assert matches(where, re.match(r"\w+", where).group(0), cells) == expected


@pytest.mark.parametrize("where, cells, expected", [
    ("region=CN", ["CN", "cn", " CN ", "US", None], [True, False, True, False, False]),  # trimmed, case-sensitive
    ("region!=CN", ["CN", "cn", "US", None], [False, True, True, True]),  # blank matches != only
    ("region<M", ["AU", "US", "CN"], [True, False, True]),  # text order
    ("region = CN ", ["CN"], [True]),  # spaces around the operator and value are trimmed
])
def test_text_comparisons(where, cells, expected):
    assert matches(where, "region", cells) == expected


def test_text_value_against_a_number_cell_matches_only_not_equal():
    assert matches("year=abc", "year", [2027, None]) == [False, False]
    assert matches("year!=abc", "year", [2027, None]) == [True, True]


def test_yes_no_cells_compare_as_yes_and_no():
    assert matches("carryover=yes", "carryover", [True, False, None]) == [True, False, False]


def test_conditions_are_anded_and_a_trailing_semicolon_is_harmless():
    c = parse_where("region=CN; commodity=magnet; year>=2027;")
    assert [(x.column, x.op, x.text) for x in c] == [("region", "=", "CN"), ("commodity", "=", "magnet"),
                                                    ("year", ">=", "2027")]
    assert c[2].number == 2027 and c[0].number is None


@pytest.mark.parametrize("where", [
    "year>>2027", "year==2027", "year=", "region CN", "=CN", "year=>2027", ";", "__import__('os').system('x')",
    "region=CN or region=US", "1year=2",
])
def test_conditions_that_do_not_parse(where):
    with pytest.raises(ScenarioError) as e:
        parse_where(where)
    assert e.value.column == "where"


def test_where_is_never_evaluated(tmp_path):
    marker = tmp_path / "pwned"
    code = f"__import__('pathlib').Path({str(marker)!r}).touch()"
    (c,) = parse_where(f"region!={code}")  # a value is only ever a value
    assert c.text == code and c.number is None
    assert matches(f"region!={code}", "region", ["CN"]) == [True]
    with pytest.raises(ScenarioError):
        parse_where(code)
    assert not marker.exists()
