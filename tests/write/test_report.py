"""report.md and report.html: the plan in words, the binding policies and their prices, charts
embedded so the html is one self-contained file, workbook ids shown as text."""

from __future__ import annotations

import base64
import re
from html.parser import HTMLParser

import pandas as pd
import pytest

from _plans import PLANT, POLICY, bound, example, plain
from model.dependence import stage_words
from model.write.report import num, pct, write_report, year_ranges


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    return example(tmp_path_factory)


@pytest.fixture(scope="module")
def md(run) -> str:
    return (run.folder / "report.md").read_text()


@pytest.fixture(scope="module")
def page(run) -> str:
    return (run.folder / "report.html").read_text()


def section(text: str, title: str) -> str:
    return text.split(f"## {title}\n", 1)[1].split("\n## ", 1)[0]


def test_report_states_the_objective_and_status(md, run):
    assert md.startswith("# Plan for example, scenario base\n")
    assert "Status **optimal**" in md
    assert f"**USD {run.summary['objective_musd']:,.1f} million**" in md  # 28,669.5


def test_report_says_what_is_built_where_and_when(md, run):
    builds = pd.read_csv(run.folder / "csv" / "builds.csv")
    text = section(md, "What the plan builds")
    assert f"It builds **{builds.project.nunique()} projects** ({len(builds)} start-year tranches)" in text
    assert "Every project built, by capital cost:" in text  # no more than BUILD_ROWS: none left out
    for stage, g in builds.groupby("stage"):
        assert f"**{stage_words(stage)}**: {g.capacity_tpa.sum():,.0f} t/yr in {g.project.nunique()} project" in text
        assert f"online {year_ranges(g.online_year)}" in text
    for p in builds.project.unique():
        assert p in text
    assert f"USD {builds.capex_musd.sum():,.1f} million" in text


def test_report_costs_by_component(md, run):
    text = section(md, "What it costs")
    for comp, v in run.summary["cost_by_component_musd"].items():
        if abs(v) > 1e-6:
            assert f"| {num(v, 1)} |" in text, comp
    assert "| purchases from outside supply (supply) |" in text  # named as in plan.xlsx
    assert "the largest part is purchases from outside supply (supply): USD" in md.split("\n## ")[0]


def test_report_names_every_target_met_or_missed_with_its_price_and_cost(md, run):
    pol = pd.read_csv(run.folder / "csv" / "policies.csv", keep_default_na=False)
    costs = pd.read_csv(run.folder / "csv" / "policy_costs.csv", keep_default_na=False)
    text = section(md, "Policy targets")
    rows = {line.split(" | ")[0].lstrip("| "): line for line in text.splitlines() if line.startswith("| crma")}
    assert sorted(rows) == sorted(pol.policy.unique())
    for k, g in pol.groupby("policy"):
        line = rows[k]
        b = g[(g.binding == "yes") & (g.shadow_price_usd_per_t.astype(float) > 1e-6)]
        prices = b.groupby("year").shadow_price_usd_per_t.max().astype(float)
        if len(prices) and f"{prices.min():,.0f}" == f"{prices.max():,.0f}":  # one price: no statistic
            assert f"| {prices.max():,.0f} in {year_ranges(prices.index)} |" in line, line
        elif len(prices) > 1:  # a median and the highest year, never a min-max range over orders of magnitude
            top = prices[prices >= prices.max() * (1 - 1e-5)].index  # CSV values carry 6 digits: ties
            assert any(f"median {prices.median():,.0f}; highest {prices.max():,.0f} in {y} |" in line for y in top), line
        elif (g.binding == "yes").any() and not len(prices):
            assert "holds exactly, costs nothing at the margin" in line, line
        elif not (g.binding == "yes").any():
            assert "not binding" in line, line
        cost = costs.loc[costs.policy == k, "policy_total_cost_musd"].iloc[0]
        assert line.endswith(f" | {num(cost, 1)} |"), line
    assert "| target | rule | met | achieved, last year | shadow price when binding (USD/t) | cost of the target" in text
    no_years = re.sub(r"\b20\d\d-20\d\d\b", "", text)  # year ranges aside
    assert not re.search(r"\d-\d", no_years), "no min-max ranges"
    # missed targets are said so, with the shortfall
    recycling = next(x for x in text.splitlines() if x.startswith("* **crma_recycling**"))
    short = pol.loc[pol.policy == "crma_recycling", "shortfall_t"].sum()
    assert "missed in 2030-2035" in recycling and f"{short:,.0f} t of NdPr short" in recycling
    assert "| missed 2030-2035" in rows["crma_recycling"]


def test_report_budgets_prices_and_demand(md, run):
    text = section(md, "Budgets")
    assert "**us_dod** (US, all stages, with carryover) binds in 2025" in text
    assert "**eu_crma** (EU, all stages, with carryover) does not bind" in text
    assert "All demand is met." in section(md, "Supply and demand")
    prices = section(md, "Prices")
    assert "| commodity | regions | 2025 | 2030 | 2035 |" in prices  # the key years, no min-max
    assert "(magnet) |" in prices  # commodities named beside their id


def test_report_md_links_the_charts(md, run):
    charts = sorted(p.name for p in (run.folder / "charts").iterdir())
    linked = sorted(re.findall(r"\]\(charts/([^)]+\.png)\)", md))
    assert linked == charts


class Tags(HTMLParser):
    VOID = {"meta", "img", "br", "hr", "link"}

    def __init__(self):
        super().__init__()
        self.stack, self.images, self.errors, self.text = [], [], [], []

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.images.append(dict(attrs))
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack.pop() != tag:
            self.errors.append(tag)

    def handle_data(self, data):
        self.text.append(data)


def test_report_html_is_one_self_contained_page(page, run):
    parser = Tags()
    parser.feed(page)
    assert parser.errors == [] and parser.stack == []
    charts = sorted((run.folder / "charts").iterdir())
    assert len(parser.images) == len(charts)
    embedded = sorted(base64.b64decode(img["src"].split(",", 1)[1]) for img in parser.images)
    assert embedded == sorted(p.read_bytes() for p in charts)
    assert all(img["src"].startswith("data:image/png;base64,") and img["alt"] for img in parser.images)
    assert "http://" not in page and "https://" not in page and 'src="charts/' not in page
    assert "\x00" not in page and "\x01" not in page
    text = "".join(parser.text)
    assert f"USD {run.summary['objective_musd']:,.1f} million" in text
    assert "crma_recycling" in text and "cost of the target (USD million, discounted)" in text


def test_ids_with_markup_are_text_in_both_files(tmp_path_factory):
    run = bound(tmp_path_factory)
    md = (run.folder / "report.md").read_text()
    page = (run.folder / "report.html").read_text()
    assert "<i>" not in md and "<b>" not in md
    assert r"dom\|&lt;i&gt;\_x\_" in md and r"plant &lt;b&gt;&\*" in md
    parser = Tags()
    parser.feed(page)
    assert parser.errors == []
    text = "".join(parser.text)
    assert POLICY in text and PLANT in text  # shown exactly as typed
    assert "<i>" not in page.split("<body>")[1] and "<b>" not in page.split("<body>")[1]
    assert "1 of 1 targets are met in every year." in md
    assert r"| dom\|&lt;i&gt;\_x\_ | EU manufacturing at least 40% of NdPr consumption | every year (2025-2027) |" in md


def test_no_policies_no_budgets(tmp_path_factory):
    run = plain(tmp_path_factory)
    md = (run.folder / "report.md").read_text()
    assert "The plan builds no new capacity" in md
    assert "The study sets no policy targets" in md
    assert "## Budgets" not in md


def test_written_without_charts(tmp_path, run):
    from model.results import plan_tables

    paths = write_report(tmp_path, plan_tables(run.study, run.solution), run.summary, [])
    assert [p.name for p in paths] == ["report.md", "report.html"]
    assert "## Charts" not in paths[0].read_text() and "<img" not in paths[1].read_text()
    assert "Run `reeplan solve --policy-costs`" in paths[0].read_text()  # no policy_costs table given
    assert "<code>reeplan solve --policy-costs</code>" in paths[1].read_text()


def test_numbers_never_read_minus_zero():
    assert num(-1e-9) == "0" and num(-1e-9, 1) == "0.0" and num(-1234.5, 1) == "-1,234.5"
    assert pct(-1e-12) == "0.0%" and pct(0.4) == "40.0%"
    assert year_ranges([2030, 2031, 2032, 2035]) == "2030-2032, 2035"
