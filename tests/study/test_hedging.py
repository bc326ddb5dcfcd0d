"""The README's "Hedging" numbers are what inputs/study_results.py produces from the shipped study.

One stochastic plan (the shipped sheet, ban at 30 %; a MIP of about 15 s) is solved here: its
sentence of E, WS, EVPI and the cost of ignoring the risk, the regret table, its reading, the
build-now list and the 30 % row of the probability table must stand in the README as generated.
The 10 % and 50 % rows come from the same function on copies of the sheet (`with_probability`,
tested without solving); solving them too would triple the runtime.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from test_western import WORKBOOK, study_results

README = Path(__file__).resolve().parents[2] / "README.md"


def flat(text: str) -> str:
    """Whitespace folded: the README wraps its sentences."""
    return " ".join(text.split())


def hedging_section() -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index("## Hedging: the two-stage stochastic plan")
    return text[start:text.index("\n## ", start + 1)]


@pytest.fixture(scope="module")
def mod():
    return study_results()


@pytest.fixture(scope="module")
def shipped(mod):
    return mod.stochastic_plan(WORKBOOK)


PARTS = [  # what the script generates from the shipped (30 %) plan, all of which the README quotes
    ("E, WS, EVPI, cost of ignoring the risk", lambda m, r: m.hedging_numbers(r)),
    ("range of the true EVPI", lambda m, r: m.evpi_range(r)),
    ("regret table", lambda m, r: m.regret(r)),
    ("reading of the regret table", lambda m, r: m.regret_words(r)),
    ("build-now list", lambda m, r: m.build_now(r, WORKBOOK)),
    ("30 % row of the probability table", lambda m, r: m.sensitivity_row(0.3, r)),
]


@pytest.mark.parametrize("part, make", PARTS, ids=[p for p, _ in PARTS])
def test_readme_quotes_the_generated_stochastic_numbers(mod, shipped, part, make):
    assert flat(make(mod, shipped)) in flat(hedging_section()), part


def test_the_shipped_plan_is_a_mip_within_its_gap(shipped):
    mip = shipped["extensive"].mip
    assert mip and mip["relative_gap"] <= 0.001 and shipped["evpi"] > 0 and shipped["ignoring_risk"] > 0


def test_the_readme_table_has_the_three_probabilities(mod):
    rows = [r for r in hedging_section().splitlines() if re.match(r"\| \d+ % \|", r)]
    assert [r.split("|")[1].strip() for r in rows] == [f"{p * 100:.0f} %" for p in mod.RISK_PROBABILITIES]


SHEETS = [  # (probability given, base's and the other branch's probability in the copy)
    (0.1, 0.9, 0.1),
    (0.5, 0.5, 0.5),
    (0.3, 0.7, 0.3),
]


@pytest.mark.parametrize("p, base, risk", SHEETS)
def test_a_copy_of_the_sheet_moves_only_the_probabilities(mod, p, base, risk):
    sheet = pd.DataFrame({"scenario": ["base", "china_ree_ban_2027"], "probability": [0.7, 0.3],
                          "branch_year": [2027, 2027]})
    got = mod.with_probability(sheet, p)
    assert got["probability"].tolist() == pytest.approx([base, risk])
    assert got.drop(columns="probability").equals(sheet.drop(columns="probability"))
    assert sheet["probability"].tolist() == [0.7, 0.3]  # the study's sheet is not touched


def test_a_copy_needs_base_and_one_other_branch(mod):
    sheet = pd.DataFrame({"scenario": ["a", "b"], "probability": [0.5, 0.5], "branch_year": [2027, 2027]})
    with pytest.raises(ValueError, match="needs base and one other branch"):
        mod.with_probability(sheet, 0.1)
