"""`reeplan diff`: identical folders, numerical noise below the tolerance, and real changes."""

import pandas as pd
import pytest
from click.testing import CliRunner

from conftest import one_region_chain, write_case
from model.cli import main
from model.diff import close, compare_table, diff_folders
from model.pipeline import solve_workbook


def study(tmp_path, name="chain", capex=1000.0, price=50.0, scenarios=()):
    return write_case(tmp_path, settings={"salvage": "no"}, name=name, **one_region_chain(
        projects=[{"project": "p", "technology": "sinter", "region": "EU", "max_new_tpa": 100,
                   "capex_usd_per_tpa": capex, "var_cost_usd_per_t": 10}],
        supply=[{"offer": "imp", "region": "EU", "commodity": "magnet", "price_usd_per_t": price}],
        policies=[{"policy": "eu", "region": "EU", "material": "NdPr", "kind": "min_domestic_share",
                   "stage": "manufacturing", "share": 0.0}],
        demand=[{"region": "EU", "commodity": "magnet", "year": y, "quantity_t": 10} for y in (2025, 2026, 2027)],
        scenarios=list(scenarios)))


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    d = tmp_path_factory.mktemp("diff")
    wb = study(d, scenarios=[{"scenario": "ban", "sheet": "supply", "where": "year>=2026", "column": "max_tpa",
                              "op": "set", "value": 0}])
    base = solve_workbook(wb, d / "out", scenario="base", figures=False).folder
    again = solve_workbook(wb, d / "again", scenario="base", figures=False).folder
    ban = solve_workbook(wb, d / "out", scenario="ban", figures=False).folder
    # the same study with every cost perturbed far below any real change
    noisy = solve_workbook(study(d, name="noisy", capex=1000 * (1 + 1e-10), price=50 * (1 + 1e-10)),
                           d / "out", figures=False).folder
    return {"base": base, "again": again, "ban": ban, "noisy": noisy}


def run(*args):
    return CliRunner().invoke(main, ["diff", *map(str, args)])


def test_identical_folders_report_no_differences(folders):
    r = run(folders["base"], folders["again"])
    assert r.exit_code == 0, r.output
    assert "no differences" in r.output
    r = run(folders["base"], folders["base"])
    assert r.exit_code == 0 and "no differences" in r.output


def test_noise_below_the_tolerance_is_not_a_change(folders):
    d = diff_folders(folders["base"], folders["noisy"])
    assert not d.differs
    r = run(folders["base"], folders["noisy"])
    assert r.exit_code == 0 and "no differences" in r.output
    assert "input_sha256" in r.output  # the inputs differ: shown as context


def test_a_tight_tolerance_shows_the_noise(folders):
    d = diff_folders(folders["base"], folders["noisy"], rtol=0.0, atol=0.0)
    assert d.differs and list(d.summary["item"]) == ["objective_musd", "supply_musd"]


def test_a_real_change_is_reported_and_exits_1(folders, tmp_path):
    xlsx = tmp_path / "d.xlsx"
    r = CliRunner().invoke(main, ["diff", str(folders["base"]), str(folders["ban"]), "--xlsx", str(xlsx)])
    assert r.exit_code == 1, r.output
    out = r.output
    # objective 1500 USD -> 10300 USD (see test_batch.py)
    assert "                  total cost (objective) 0.0015 0.0103 +0.0088  +586.7%" in out.splitlines()
    assert "         purchases (t) magnet making (manufacturing)     EU 30.00  0.00 -30.00  -100.0%" in out.splitlines()
    assert "purchase magnet bought in EU          t   30      0     -30" in out  # the largest change first
    assert "edits: (none)  ->  supply [year>=2026] max_tpa set 0" in out
    assert "builds (capacity started, t/yr): 1 added" in out
    assert "policies (achieved share, shadow price USD/t): 3 changed" in out
    d = diff_folders(folders["base"], folders["ban"])
    builds = d.sections[0].table
    assert len(builds) == 1
    r = builds.iloc[0]
    assert (r.project, r.start_year, r.change, r.capacity_tpa_b) == ("p", 2025, "added", 10)
    assert pd.isna(r.capacity_tpa_a)
    prices = {s.name: s for s in d.sections}["prices"].table
    # EU magnet price: the import price 50 in base; with the ban, p's costs set it (the split of
    # p's capex over its years is degenerate, so only the change, not its size, is asserted)
    assert prices["price_usd_per_t_a"].tolist() == [50, 50, 50] and prices["change"].tolist() == ["changed"] * 3
    from openpyxl import load_workbook
    wb = load_workbook(xlsx, read_only=True)
    assert wb.sheetnames == ["headline", "dependence on China", "by stage and region", "largest changes", "inputs",
                             "builds", "policies", "prices", "unmet", "support", "supply", "trade"]
    assert [c.value for c in next(wb["headline"].iter_rows(max_row=1))] == ["item", "base", "ban", "change", "change %"]
    builds = load_workbook(xlsx)["builds"]
    assert builds.print_title_rows == "$1:$1" and builds.page_setup.orientation == "landscape"
    assert builds["E2"].number_format == "#,##0" and builds["E1"].value == "capacity_tpa (ban)"
    rows = list(wb["builds"].iter_rows(values_only=True))
    assert rows[0][:3] == ("project", "start_year", "change") and rows[1][:3] == ("p", 2025, "added")


def test_not_a_result_folder_exits_2(folders, tmp_path):
    r = run(folders["base"], tmp_path)
    assert r.exit_code == 2 and "not a reeplan result folder" in r.output
    r = run(folders["base"], tmp_path / "missing")
    assert r.exit_code == 2 and "no such folder" in r.output
    assert "Traceback" not in r.output


def test_infeasible_side_shows_the_status(folders, tmp_path):
    wb = study(tmp_path, scenarios=[
        {"scenario": "stuck", "sheet": "supply", "where": "*", "column": "max_tpa", "op": "set", "value": 0},
        {"scenario": "stuck", "sheet": "projects", "where": "*", "column": "max_new_tpa", "op": "set", "value": 0}])
    stuck = solve_workbook(wb, tmp_path / "out", scenario="stuck", figures=False).folder
    r = run(folders["base"], stuck)
    assert r.exit_code == 1 and "status: optimal  ->  infeasible" in r.output
    assert f"stuck has no plan (status infeasible): nothing to compare row by row; see {stuck}/infeasibility.md " \
           "for why." in r.output
    assert "removed" not in r.output


# ---------------------------------------------------------------- the comparison itself
def test_close_uses_relative_and_absolute_tolerance():
    assert close(1000.0, 1000.009, rtol=1e-5, atol=0).item()
    assert not close(1000.0, 1000.02, rtol=1e-5, atol=0).item()
    assert close(0.0, 5e-7, rtol=0, atol=1e-6).item()
    assert close(float("nan"), float("nan")).item() and not close(float("nan"), 0.0).item()


def test_compare_table_added_removed_changed_and_zero_rows():
    a = pd.DataFrame({"k": ["x", "y", "z", "w"], "v": [1.0, 2.0, 3.0, 0.0]})
    b = pd.DataFrame({"k": ["x", "y", "q", "n"], "v": [1.0, 2.5, 4.0, 0.0]})
    out = compare_table(a, b, ["k"], ["v"])
    # w (only in a) and n (only in b) are zero: not a change
    assert out[["k", "change"]].values.tolist() == [["q", "added"], ["y", "changed"], ["z", "removed"]]
    assert out["v_delta"].tolist() == [4.0, 0.5, -3.0]


# ---------------------------------------------------------------- damaged folders: exit 2, never "differences"
def _edit_csv(name, fn):
    def edit(folder):
        p = folder / "csv" / f"{name}.csv"
        p.write_bytes(fn(p.read_bytes()))
    return edit


def _edit_summary(fn):
    def edit(folder):
        import json
        p = folder / "summary.json"
        p.write_text(json.dumps(fn(json.loads(p.read_text()))))
    return edit


DAMAGED = [
    # (case, damage, message)
    ("csv cut mid-line", _edit_csv("prices", lambda b: b[:-3]), "prices.csv: truncated (the last line is incomplete)"),
    ("csv emptied", _edit_csv("prices", lambda b: b""), "prices.csv: truncated"),
    ("csv row short of a field", _edit_csv("prices", lambda b: b.replace(b"EU,magnet,2026,", b"EU,magnet2026,", 1)),
     "prices.csv: line 3 has 3 fields, the header has 4"),
    ("csv value not a number", _edit_csv("prices", lambda b: b.replace(b"2026,50", b"2026,fifty", 1)),
     "prices.csv: line 3, column price_usd_per_t: 'fifty' is not a number"),
    ("csv not text", _edit_csv("prices", lambda b: b"\xff\xfe\x00garbage\n"), "prices.csv: cannot be read"),
    ("csv column gone", _edit_csv("prices", lambda b: b.replace(b"price_usd_per_t", b"price", 1)),
     "prices.csv: missing columns price_usd_per_t"),
    ("summary key missing", _edit_summary(lambda s: {k: v for k, v in s.items() if k != "objective_musd"}),
     "summary.json: missing objective_musd; not a complete reeplan summary"),
    ("summary objective is text", _edit_summary(lambda s: s | {"objective_musd": "0.0015"}),
     "summary.json: objective_musd is '0.0015', expected a number"),
    ("summary cost is text", _edit_summary(lambda s: s | {"cost_by_component_musd": s["cost_by_component_musd"]
                                                          | {"supply": "n/a"}}),
     "summary.json: cost_by_component_musd.supply is 'n/a', expected a number"),
    ("summary status is a number", _edit_summary(lambda s: s | {"status": 0}), "summary.json: status is 0, expected text"),
    ("summary not an object", _edit_summary(lambda s: [s]), "summary.json: not a reeplan summary"),
]


@pytest.mark.parametrize("case,damage,message", DAMAGED, ids=[c[0] for c in DAMAGED])
def test_a_damaged_result_folder_exits_2_with_a_clear_message(folders, tmp_path, case, damage, message):
    import shutil

    bad = tmp_path / "bad"
    shutil.copytree(folders["base"], bad)
    assert (bad / "csv" / "prices.csv").read_text().splitlines()[:3] == [
        "region,commodity,year,price_usd_per_t", "EU,magnet,2025,50", "EU,magnet,2026,50"]
    damage(bad)
    for args in ((folders["base"], bad), (bad, folders["base"])):
        r = run(*args)
        assert r.exit_code == 2, (case, r.output)
        assert message in r.output, (case, r.output)
        assert "Traceback" not in r.output and "reeplan failed" not in r.output


NONFINITE = [
    # (a, b, equal)
    (float("inf"), float("inf"), True),
    (float("-inf"), float("-inf"), True),
    (float("nan"), float("nan"), True),
    (float("inf"), 1e308, False),
    (float("inf"), float("-inf"), False),
    (float("inf"), float("nan"), False),
    (float("nan"), 0.0, False),
    (float("-inf"), -5.0, False),
]


@pytest.mark.parametrize("a,b,equal", NONFINITE)
def test_non_finite_numbers_equal_only_the_same_non_finite_number(a, b, equal):
    assert close(a, b).item() is equal
    assert close(b, a, rtol=1.0, atol=1e300).item() is equal  # no tolerance makes them equal


@pytest.mark.parametrize("a,b,differs", [("inf", "50", True), ("50", "nan", True), ("inf", "inf", False),
                                         ("nan", "nan", False), ("-inf", "inf", True)])
def test_non_finite_values_in_a_csv_are_compared(folders, tmp_path, a, b, differs):
    import shutil

    sides = []
    for name, value in (("a", a), ("b", b)):
        d = tmp_path / name
        shutil.copytree(folders["base"], d)
        _edit_csv("prices", lambda t, v=value: t.replace(b"2026,50", b"2026," + v.encode(), 1))(d)
        sides.append(d)
    r = run(*sides)
    assert r.exit_code == (1 if differs else 0), r.output
    assert ("commodity prices (USD/t): 1 changed" in r.output) is differs


# ---------------------------------------------------------------- version 2 tables: sales, stocks, support, origin
SALES = ("sale,region,commodity,year,sold_t,max_tpa,price_usd_per_t\n"
         "offtake,EU,magnet,2025,5,8,90\nofftake,EU,magnet,2026,{sold},8,90\n")
STOCKS = ("stock,region,commodity,year,level_t,change_t,holding_cost_usd_per_t\n"
          "res,EU,magnet,2025,10,0,5\nres,EU,magnet,2026,{level},{change},5\n")
SUPPORT = ("project,technology,stage,region,kind,year,reduced_cost_musd_per_tpa,subsidy_usd_per_tpa,"
           "subsidy_usd_per_kg,support_usd_per_t\n"
           "book,grade,,EU,capital_subsidy,2025,0.001,{subsidy},0.05,\n"
           "p,sinter,manufacturing,EU,minimum_output,2026,,,,{support}\n")
ORIGIN = ("region,material,stage,tracked_region,year,tagged_t,consumption_t,share\n"
          "EU,NdPr,processing,CN,2025,{tagged},30,{share}\n")


def _write(table, text):
    def edit(folder):
        (folder / "csv" / f"{table}.csv").write_text(text)
    return edit


def _drop(table):
    def edit(folder):
        (folder / "csv" / f"{table}.csv").unlink(missing_ok=True)
    return edit


V2_CASES = [
    # (case, edits of side a, edits of side b, line of the terminal report or None, exit code)
    ("sales the same", [_write("sales", SALES.format(sold=3))], [_write("sales", SALES.format(sold=3))], None, 0),
    ("sales changed", [_write("sales", SALES.format(sold=3))], [_write("sales", SALES.format(sold=4))],
     "sales to outside buyers (t): 1 changed", 1),
    ("sales on one side", [], [_write("sales", SALES.format(sold=3))], "sales to outside buyers (t): 2 added", 1),
    ("sales gone", [_write("sales", SALES.format(sold=3))], [], "sales to outside buyers (t): 2 removed", 1),
    ("stock level changed", [_write("stocks", STOCKS.format(level=10, change=0))],
     [_write("stocks", STOCKS.format(level=4, change=-6))], "stockpile levels (t): 1 changed", 1),
    ("stock change alone is not compared", [_write("stocks", STOCKS.format(level=10, change=0))],
     [_write("stocks", STOCKS.format(level=10, change=1))], None, 0),
    ("subsidy changed", [_write("support", SUPPORT.format(subsidy=2000, support=0))],
     [_write("support", SUPPORT.format(subsidy=2500, support=0))],
     "support needed (capital subsidy USD per t/yr, minimum-output support USD/t): 1 changed", 1),
    ("minimum-output support appears", [_write("support", SUPPORT.format(subsidy=2000, support=0))],
     [_write("support", SUPPORT.format(subsidy=2000, support=120))],
     "support needed (capital subsidy USD per t/yr, minimum-output support USD/t): 1 changed", 1),
    ("support on one side", [_drop("support")], [_write("support", SUPPORT.format(subsidy=2000, support=0))],
     "support needed (capital subsidy USD per t/yr, minimum-output support USD/t): 1 added", 1),
    ("no support on either side", [_drop("support")], [_drop("support")], None, 0),
    ("origin share changed", [_write("origin", ORIGIN.format(tagged=15, share=0.5))],
     [_write("origin", ORIGIN.format(tagged=19.5, share=0.65))], "consumption by origin (share of consumption): 1 changed",
     1),
    ("origin tonnes alone are not compared", [_write("origin", ORIGIN.format(tagged=15, share=0.5))],
     [_write("origin", ORIGIN.format(tagged=15.5, share=0.5))], None, 0),
    ("origin on one side", [], [_write("origin", ORIGIN.format(tagged=15, share=0.5))],
     "consumption by origin (share of consumption): 1 added", 1),
]


@pytest.mark.parametrize("case,edit_a,edit_b,line,code", V2_CASES, ids=[c[0] for c in V2_CASES])
def test_sales_stocks_and_support_are_compared(folders, tmp_path, case, edit_a, edit_b, line, code):
    import shutil

    sides = []
    for name, edits in (("a", edit_a), ("b", edit_b)):
        d = tmp_path / name
        shutil.copytree(folders["base"], d)
        for edit in [_write("support", SUPPORT.format(subsidy=2000, support=0))] + edits:
            edit(d)
        sides.append(d)
    r = run(*sides)
    assert r.exit_code == code, (case, r.output)
    if line:
        assert line in r.output, r.output
    else:
        assert "no differences" in r.output, r.output


def test_optional_tables_neither_side_has_make_no_section(folders):
    names = [s.name for s in diff_folders(folders["base"], folders["again"]).sections]
    assert names == ["builds", "policies", "prices", "unmet", "support", "supply", "trade"]


def test_a_changed_subsidy_row_shows_both_values(folders, tmp_path):
    import shutil

    sides = []
    for name, subsidy in (("a", 2000), ("b", 2500)):
        d = tmp_path / name
        shutil.copytree(folders["base"], d)
        _write("support", SUPPORT.format(subsidy=subsidy, support=0))(d)
        sides.append(d)
    t = {s.name: s for s in diff_folders(*sides).sections}["support"].table
    assert t[["project", "kind", "year", "change", "subsidy_usd_per_tpa_a", "subsidy_usd_per_tpa_b",
              "subsidy_usd_per_tpa_delta"]].values.tolist() == [["book", "capital_subsidy", 2025, "changed",
                                                                 2000.0, 2500.0, 500.0]]


def test_a_support_table_without_its_columns_exits_2(folders, tmp_path):
    import shutil

    bad = tmp_path / "bad"
    shutil.copytree(folders["base"], bad)
    _write("support", "project,kind,year,subsidy_usd_per_tpa\np,capital_subsidy,2025,1\n")(bad)
    r = run(folders["base"], bad)
    assert r.exit_code == 2 and "support.csv: missing columns support_usd_per_t" in r.output, r.output


# ---------------------------------------------------------------- hand-made folders: names, why, dependence on China
# EU consumes 100 t of magnets a year (30 t of NdPr). In `base` China sells and ships them all; in
# `ban` it does so in 2025-2026 only, and from 2027 Viet Nam's new plant makes them from Chinese
# oxide: by shipper the EU's magnet making goes from 100 % Chinese to 0 % in 2030, by origin
# its refining stays 100 % Chinese.
YEARS = range(2025, 2031)
HAND_SUMMARY = {
    "status": "optimal", "workbook": "hand.xlsx",
    "names": {"regions": {"CN": "China", "EU": "European Union (27)", "VN": "Viet Nam"},
              "commodities": {"magnet": "sintered NdFeB magnet (any grade)"},
              "projects": {"vn_mag": "Hanoi magnet plant"}},
    "chain": {"stage": {"magnet": "manufacturing", "oxide": "processing"},
              "content": {"magnet": {"NdPr": 0.3}, "oxide": {"NdPr": 1.0}}}}
HAND = {
    "base": {"objective_musd": 10.0, "cost_by_component_musd": {"supply": 9.0, "trade": 1.0},
             "trade": [("CN", "EU", "magnet", y, 100) for y in YEARS],
             "supply": [("cn_magnets", "CN", "magnet", y, 100) for y in YEARS], "builds": [],
             "origin": [("EU", "NdPr", st, "CN", y, 30, 30, 1) for st in ("processing", "manufacturing")
                        for y in (2025, 2030)]},
    "ban": {"objective_musd": 12.5, "cost_by_component_musd": {"capex": 5.0, "supply": 4.0, "trade": 1.5,
                                                               "variable": 2.0},
            "trade": [("CN", "EU", "magnet", y, 100 if y < 2027 else 0) for y in YEARS]
            + [("VN", "EU", "magnet", y, 100) for y in YEARS if y >= 2027]
            + [("CN", "VN", "oxide", y, 30) for y in YEARS if y >= 2027],
            "supply": [("cn_magnets", "CN", "magnet", y, 100 if y < 2027 else 0) for y in YEARS],
            "builds": [("vn_mag", "sinter", "manufacturing", "VN", 2027, 2027, 100, 5)],
            "origin": [("EU", "NdPr", "processing", "CN", y, 30, 30, 1) for y in (2025, 2030)]
            + [("EU", "NdPr", "manufacturing", "CN", 2025, 30, 30, 1),
               ("EU", "NdPr", "manufacturing", "CN", 2030, 0, 30, 0)]}}
HAND_CSV = {
    "unmet": "region,commodity,year,demand_t,unmet_t",
    "trade": "from_region,to_region,commodity,year,flow_t,cost_usd_per_t",
    "supply": "offer,region,commodity,year,bought_t,max_tpa,price_usd_per_t",
    "builds": "project,technology,stage,region,start_year,online_year,capacity_tpa,capex_musd",
    "origin": "region,material,stage,tracked_region,year,tagged_t,consumption_t,share"}


def hand_folder(root, scenario, origin=True):
    """A result folder written by hand: summary.json and the CSVs the diff reads."""
    import json

    side = HAND[scenario]
    folder = root / scenario
    (folder / "csv").mkdir(parents=True)
    summary = HAND_SUMMARY | {"scenario": scenario} | {k: side[k] for k in ("objective_musd", "cost_by_component_musd")}
    (folder / "summary.json").write_text(json.dumps(summary))
    rows = {"unmet": [("EU", "magnet", y, 100, 0) for y in YEARS]} | {k: side[k] for k in ("trade", "supply", "builds")}
    if origin:
        rows["origin"] = side["origin"]
    for name, body in rows.items():
        extra = {"trade": (5,), "supply": ("", 50)}.get(name, ())
        lines = [HAND_CSV[name]] + [",".join(map(str, r + extra)) for r in body]
        (folder / "csv" / f"{name}.csv").write_text("\n".join(lines) + "\n")
    return folder


@pytest.fixture
def hand(tmp_path):
    return hand_folder(tmp_path, "base"), hand_folder(tmp_path, "ban")


def _lines(out: str, first: str, n: int) -> list[str]:
    lines = out.splitlines()
    i = lines.index(first)
    return lines[i:i + n]


def test_hand_made_diff_leads_with_cost_why_and_dependence_on_china(hand):
    r = run(*hand)
    assert r.exit_code == 1, r.output
    head = r.output.splitlines()[1:]
    assert head[:21] == [
        "  a = base, b = ban",
        "inputs (context):",
        "  scenario: base  ->  ban",
        "headline (USD million, discounted):",
        "                                    item  base   ban change change %",
        "                  total cost (objective) 10.00 12.50  +2.50   +25.0%",
        "   capital spend on new capacity (capex)        5.00",
        "      variable operating cost (variable)        2.00",
        "  purchases from outside supply (supply)  9.00  4.00  -5.00   -55.6%",
        "             freight and tariffs (trade)  1.00  1.50  +0.50   +50.0%",
        "why: the largest changes over the horizon",
        "  purchases: sintered NdFeB magnet (magnet) bought in China (CN): 600 -> 200 t (-66.7%), 0 from 2027",
        "  trade: sintered NdFeB magnet (magnet) China (CN) -> European Union (EU): 600 -> 200 t (-66.7%), 0 from 2027",
        "  trade: sintered NdFeB magnet (magnet) Viet Nam (VN) -> European Union (EU): 0 -> 400 t",
        ("dependence on China by stage, by shipper (share of the consuming regions' consumption shipped from China, "
         "key years):"),
        "  material                         stage           2025      2030",
        "      NdPr magnet making (manufacturing)   base  100.0%    100.0%",
        "                                            ban  100.0%      0.0%",
        "                                         change +0.0 pp -100.0 pp",
        "  unchanged in every key year: NdPr separation and refining",
        ("dependence on China by stage, by origin (share of the consuming regions' consumption that is China's "
         "work, however it shipped, key years):")]


def test_hand_made_diff_dependence_by_origin_and_names_in_the_tables(hand):
    out = run(*hand).output
    assert _lines(out, "dependence on China by stage, by origin (share of the consuming regions' consumption "
                       "that is China's work, however it shipped, key years):", 6)[1:] == [
        "  material                         stage           2025      2030",
        "      NdPr magnet making (manufacturing)   base  100.0%    100.0%",
        "                                            ban  100.0%      0.0%",
        "                                         change +0.0 pp -100.0 pp",
        "  unchanged in every key year: NdPr separation and refining"]
    assert _lines(out, "largest changes (top 15 builds, purchases and trade by size; top 5 policies):", 7)[1:] == [
        "      kind                                                                item unit base ban change        note",
        "  purchase                 sintered NdFeB magnet (magnet) bought in China (CN)    t  600 200   -400 0 from 2027",
        "     trade    sintered NdFeB magnet (magnet) China (CN) -> European Union (EU)    t  600 200   -400 0 from 2027",
        "     trade sintered NdFeB magnet (magnet) Viet Nam (VN) -> European Union (EU)    t    0 400   +400",
        "     trade                                   oxide China (CN) -> Viet Nam (VN)    t    0 120   +120",
        "     build                                         Hanoi magnet plant (vn_mag) t/yr    0 100   +100"]
    assert _lines(out, "by stage and region (changed only):", 6)[1:] == [
        "                 measure                                stage        region base ban change change %",
        "  exports by shipper (t)        magnet making (manufacturing)    China (CN)  600 200   -400   -66.7%",
        "  exports by shipper (t)        magnet making (manufacturing) Viet Nam (VN)    0 400   +400",
        "  exports by shipper (t) separation and refining (processing)    China (CN)    0 120   +120",
        "           purchases (t)        magnet making (manufacturing)    China (CN)  600 200   -400   -66.7%"]
    assert _lines(out, "builds (capacity started, t/yr): 1 added", 3)[1:] == [
        "                      project  start_year change capacity_tpa (base) capacity_tpa (ban) capacity_tpa_delta",
        "  Hanoi magnet plant (vn_mag)        2027  added                                    100               +100"]


def test_hand_made_diff_xlsx_has_the_dependence_sheet(hand, tmp_path):
    from openpyxl import load_workbook

    xlsx = tmp_path / "d.xlsx"
    CliRunner().invoke(main, ["diff", str(hand[0]), str(hand[1]), "--xlsx", str(xlsx)])
    ws = load_workbook(xlsx)["dependence on China"]
    rows = [tuple(c.value for c in r) for r in ws.iter_rows()]
    assert rows[0] == ("basis", "material", "stage", "year", "share (base)", "share (ban)", "change (pp)")
    assert [r[:6] for r in rows[1:]] == [
        ("by shipper", "NdPr", "separation and refining (processing)", 2025, 0, 0),
        ("by shipper", "NdPr", "separation and refining (processing)", 2030, 0, 0),
        ("by shipper", "NdPr", "magnet making (manufacturing)", 2025, 1, 1),
        ("by shipper", "NdPr", "magnet making (manufacturing)", 2030, 1, 0),
        ("by origin", "NdPr", "separation and refining (processing)", 2025, 1, 1),
        ("by origin", "NdPr", "separation and refining (processing)", 2030, 1, 1),
        ("by origin", "NdPr", "magnet making (manufacturing)", 2025, 1, 1),
        ("by origin", "NdPr", "magnet making (manufacturing)", 2030, 1, 0)]
    assert [r[6] for r in rows[1:]] == [0, 0, 0, -100, 0, 0, 0, -100]
    assert ws["E2"].number_format == "0.0%" and ws["G2"].number_format == "#,##0.0"
    trade = [tuple(c.value for c in r) for r in load_workbook(xlsx)["trade"].iter_rows(max_row=2)]
    assert trade[1][:3] == ("China (CN)", "European Union (EU)", "sintered NdFeB magnet (magnet)")


GONE = [
    # (case, a per year, b per year, year b goes to 0 for good)
    ("stops in 2027", {2025: 5, 2026: 5, 2027: 5, 2028: 5}, {2025: 5, 2026: 5}, 2027),
    ("a zero row counts as 0", {2025: 5, 2026: 5}, {2025: 5, 2026: 0}, 2026),
    ("never 0", {2025: 5, 2026: 5}, {2025: 1, 2026: 1}, None),
    ("0 throughout: the totals say it", {2025: 5, 2026: 5}, {}, None),
    ("back after a gap", {2025: 5, 2026: 5, 2027: 5}, {2025: 5, 2027: 5}, None),
    ("a was 0 there too", {2025: 5}, {2025: 5, 2026: 0}, None),
]


@pytest.mark.parametrize("case,a,b,year", GONE, ids=[c[0] for c in GONE])
def test_the_year_a_flow_goes_to_zero_for_good(case, a, b, year):
    from model.diff_view import gone_from

    assert gone_from(pd.Series(a, dtype=float), pd.Series(b, dtype=float)) == year


def test_without_a_chain_only_origin_is_counted_and_without_china_nothing(hand, tmp_path):
    import json

    for folder in hand:  # a folder written before summary.json carried a chain
        s = json.loads((folder / "summary.json").read_text())
        (folder / "summary.json").write_text(json.dumps({k: v for k, v in s.items() if k != "chain"}))
    assert diff_folders(*hand).dependence["basis"].unique().tolist() == ["by origin"]
    out = run(*hand).output
    assert "by shipper (share" not in out and "dependence on China by stage, by origin" in out
    plain = hand_folder(tmp_path / "plain", "base", origin=False), hand_folder(tmp_path / "plain", "ban", origin=False)
    for folder in plain:  # nothing from China on either side
        for name in ("trade", "supply"):
            p = folder / "csv" / f"{name}.csv"
            p.write_text(p.read_text().replace("CN,", "JP,"))
    d = diff_folders(*plain)
    assert d.dependence["share_a"].max() == 0 and d.dependence["share_b"].max() == 0
    assert "dependence on China" not in run(*plain).output
