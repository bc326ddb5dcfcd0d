"""The uncertainty sheet: errors by row (exit 2, exact cell), and the draws' distributions."""

from __future__ import annotations

import numpy as np
import pytest
from click.testing import CliRunner
from helpers_ensemble import CAPEX, COST, PRICE, chain

from model.cli import main
from model.ensemble_sample import Distribution, draw, parse
from model.pipeline import read_workbook

ERRORS = [  # (row edited, expected error line)
    (dict(CAPEX, where="project=q"), 'uncertainty row 2, column where: got "project=q", expected conditions that '
     "match at least one row of projects"),
    (dict(PRICE, c=50), 'uncertainty row 2, column c: got "50", expected a mode between a and b (-10 to 30)'),
    (dict(PRICE, c=None), "uncertainty row 2, column c: expected a number (triangular needs c)"),
    (dict(CAPEX, a=0.5, b=0.1), 'uncertainty row 2, column b: got "0.1", expected a maximum >= a (0.5)'),
    (dict(CAPEX, a="cheap"), 'uncertainty row 2, column a: got "cheap", expected a number'),
    (dict(CAPEX, distribution="discrete", a="0.5; 1", b="1"), 'uncertainty row 2, column b: got "1", expected 2 '
     "weights >= 0 separated by ; (one per value), not all 0"),
    (dict(COST, b=-1), 'uncertainty row 2, column b: got "-1", expected a standard deviation >= 0'),
    (dict(COST, distribution="lognormal", a=0), 'uncertainty row 2, column a: got "0", expected a median > 0'),
    (dict(CAPEX, sheet="projectz"), 'uncertainty row 2, column sheet: got "projectz", expected a sheet to edit'),
    (dict(CAPEX, column="capex_usd_per_tp"), 'uncertainty row 2, column column: got "capex_usd_per_tp", expected a column of sheet '
     'projects (did you mean "capex_usd_per_tpa"?)'),
    (dict(CAPEX, a=-1), 'uncertainty row 2, column a: got "-1.0", expected a number >= 0: scale -1.0 makes '
     "capex_usd_per_tpa of projects row 2 (p) -1000"),
]


@pytest.mark.parametrize("row,message", ERRORS, ids=[m.split(",")[1].strip() for _, m in ERRORS])
def test_a_bad_row_is_an_input_error_naming_its_cell(tmp_path, row, message):
    book = chain(tmp_path, [row])
    r = CliRunner().invoke(main, ["validate", str(book)])
    assert r.exit_code == 2
    assert f"{book}: {message}" in r.output


def test_rows_of_one_parameter_must_agree(tmp_path):
    book = chain(tmp_path, [CAPEX, dict(CAPEX, sheet="supply", where="*", column="price_usd_per_t", b=0.2)])
    r = CliRunner().invoke(main, ["validate", str(book)])
    assert r.exit_code == 2
    assert (f'{book}: uncertainty row 3, column distribution: got "uniform", expected the same distribution as '
            "row 2 (parameter capex is drawn once per sample)") in r.output


def test_a_good_sheet_validates(tmp_path):
    r = CliRunner().invoke(main, ["validate", str(chain(tmp_path, [CAPEX, PRICE, COST]))])
    assert r.exit_code == 0, r.output


def rows_of(tmp_path, uncertainty):
    rows, issues = parse(read_workbook(chain(tmp_path, uncertainty)))
    assert issues == []
    return rows


def test_uniform_draws_match_their_distribution(tmp_path):
    x = draw(rows_of(tmp_path, [CAPEX]), 4000, seed=7)["capex"].to_numpy()
    assert x.min() >= 0.01 and x.max() <= 0.1
    assert x.mean() == pytest.approx(0.055, abs=0.002)  # sd of the mean: 0.026 / sqrt(4000) = 0.0004
    assert x.std() == pytest.approx(0.09 / np.sqrt(12), rel=0.03)
    counts, _ = np.histogram(x, bins=10, range=(0.01, 0.1))
    assert counts.min() > 340 and counts.max() < 460  # 400 expected per decile


def test_same_seed_same_draws_other_seed_other_draws(tmp_path):
    rows = rows_of(tmp_path, [CAPEX, PRICE, COST])
    assert draw(rows, 50, seed=1).equals(draw(rows, 50, seed=1))
    assert not draw(rows, 50, seed=1).equals(draw(rows, 50, seed=2))


def test_a_correlation_group_takes_one_quantile(tmp_path):
    rows = rows_of(tmp_path, [dict(CAPEX, group="g"), dict(PRICE, group="g")])
    d = draw(rows, 200, seed=3)
    assert d["capex"].rank().tolist() == d["price"].rank().tolist()  # comonotonic


@pytest.mark.parametrize("dist,u,expected", [
    (Distribution("uniform", 2, 4), [0, 0.25, 1], [2, 2.5, 4]),
    (Distribution("triangular", 0, 2, 1), [0.125, 0.5, 0.875], [0.5, 1, 1.5]),
    (Distribution("normal", 10, 2, None), [0.5], [10]),
    (Distribution("normal", 10, 2, 10), [0, 0.5], [10, 10 + 2 * 0.6744897501960817]),  # truncated at the mean
    (Distribution("lognormal", 3, 0.5), [0.5], [3]),
    (Distribution("discrete", values=("a", "b", "c"), weights=(1, 2, 1)), [0.1, 0.3, 0.74, 0.76], ["a", "b", "b", "c"]),
])
def test_quantiles_of_each_distribution(dist, u, expected):
    got = dist.quantile(np.array(u, dtype=float))
    if dist.kind == "discrete":
        assert list(got) == expected
    else:
        assert list(got) == pytest.approx(expected, rel=1e-9, abs=1e-6)
