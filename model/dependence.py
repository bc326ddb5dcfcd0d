"""Dependence on China by stage, for the report and the summary sheet (issue 18).

By shipper: the tonnes of each material a consuming region imports from China at a stage (the
content of the stage's commodities, gross flows, as a `max_supplier_share` policy counts them,
formulation 7) over the material the region consumes (content x demand). By origin, where the
study tracks it (origin.csv): the tagged tonnes of Chinese work at each stage over the same
consumption. "The consuming regions" are every region with demand but China; their shares add
their tonnes, not their percentages.

What this needs of the study (each commodity's stage and material content) travels in
summary.json as `chain` (`chain_of`), so the writers and `reeplan diff` read it from a result
folder alone. Imports nothing of the model but `schema` and `memo`.
"""

from __future__ import annotations

import pandas as pd

from .memo import once
from .schema import STAGES

CHINA = "CN"  # the shipped study's id for China
# stage ids in an adviser's words
STAGE_WORDS = {"extraction": "mining", "processing": "separation and refining", "manufacturing": "magnet making",
               "recycling": "recycling"}
COLUMNS = ["region", "material", "stage", "year", "consumption_t", "china_t"]


def stage_words(stage: str) -> str:
    """'mining (extraction)'; a stage without words is shown as its id."""
    words = STAGE_WORDS.get(stage, stage)
    return str(stage) if words == stage else f"{words} ({stage})"


def chain_of(study) -> dict:
    """Each commodity's stage (None without one) and material content, for summary.json."""
    content: dict[str, dict[str, float]] = {}
    for (c, m), v in sorted(study.content.items()):
        if v:
            content.setdefault(c, {})[m] = float(v)
    return {"stage": {c: s for c, s in sorted(study.commodity_stage.items())}, "content": content}


def key_years(years) -> list[int]:
    """The years an adviser asks about: the first and last of the horizon and the round years
    (multiples of 5) between them; on a long horizon only the multiples of 10."""
    ys = sorted({int(y) for y in years})
    if not ys:
        return []
    inner = [y for y in ys[1:-1] if y % 5 == 0]
    if len(inner) > 4:
        inner = [y for y in inner if y % 10 == 0]
    return sorted({ys[0], *inner, ys[-1]})


def _content(chain: dict) -> pd.DataFrame:
    rows = [(c, m, v, (chain.get("stage") or {}).get(c)) for c, ms in (chain.get("content") or {}).items()
            for m, v in ms.items()]
    return pd.DataFrame(rows, columns=["commodity", "material", "content", "stage"])


def consumption(unmet: pd.DataFrame | None, chain: dict) -> pd.DataFrame:
    """Per region, material and year: tonnes of material consumed (content x demand, unmet.csv)."""
    cols = ["region", "material", "year", "consumption_t"]
    if unmet is None or unmet.empty:
        return pd.DataFrame(columns=cols)
    d = unmet.merge(_content(chain), on="commodity")
    d = d.assign(consumption_t=d["demand_t"].astype(float) * d["content"])
    g = d.groupby(["region", "material", "year"], sort=True)["consumption_t"].sum().reset_index()
    return g[g["consumption_t"] > 0][cols]


def _shipped(tables: dict, chain: dict) -> pd.DataFrame:
    """Per shipper (`from_region`), receiving region, material, stage and year: tonnes of material."""
    return once(_shipped_of, (tables.get("trade"),), (chain,))


def _shipped_of(trade: pd.DataFrame | None, chain: dict) -> pd.DataFrame:
    cols = ["from_region", "region", "material", "stage", "year", "china_t"]
    if trade is None or trade.empty:
        return pd.DataFrame(columns=cols)
    content = _content(chain)
    t = trade.merge(content[content["stage"].isin(STAGES)], on="commodity")
    t = t.assign(china_t=t["flow_t"].astype(float) * t["content"]).rename(columns={"to_region": "region"})
    return t.groupby(cols[:-1], sort=False)["china_t"].sum().reset_index()


def by_shipper(tables: dict, chain: dict | None, supplier: str = CHINA) -> pd.DataFrame:
    """Per consuming region (not `supplier`), material, stage and year: consumption and the
    tonnes of material shipped from `supplier` at that stage (0 where none is). Empty without
    a chain (a result folder written before summary.json carried one)."""
    if not chain:
        return pd.DataFrame(columns=COLUMNS)
    return once(_by_shipper, (tables.get("unmet"), tables.get("trade")), (chain, supplier))


def _by_shipper(unmet: pd.DataFrame | None, trade: pd.DataFrame | None, chain: dict, supplier: str) -> pd.DataFrame:
    cons = consumption(unmet, chain)
    cons = cons[cons["region"] != supplier]
    content = _content(chain)
    stages = content.loc[content["stage"].isin(STAGES), ["material", "stage"]].drop_duplicates()
    shipped = _shipped({"trade": trade}, chain)
    shipped = shipped[shipped["from_region"] == supplier].drop(columns="from_region")
    base = cons.merge(stages, on="material").merge(shipped, on=["region", "material", "stage", "year"], how="left")
    base["china_t"] = base["china_t"].fillna(0.0)
    return _ordered(base)


def top_shippers(tables: dict, chain: dict | None, dep: pd.DataFrame, year: int, n: int = 3) -> pd.DataFrame:
    """In `year`, per material and stage: the `n` largest shippers into the consuming regions of
    `dep` (flows between them included) with their share of those regions' consumption."""
    cols = ["material", "stage", "from_region", "share"]
    if not chain or dep.empty:
        return pd.DataFrame(columns=cols)
    d = dep[dep["year"] == year]
    regions = set(d["region"])
    cons = d.drop_duplicates(["region", "material"]).groupby("material")["consumption_t"].sum()
    s = _shipped(tables, chain)
    s = s[(s["year"] == year) & s["region"].isin(regions) & (s["from_region"] != s["region"])]
    g = s.groupby(["material", "stage", "from_region"], sort=False)["china_t"].sum().reset_index()
    g["share"] = g["china_t"] / g["material"].map(cons)
    g = g.assign(size=-g["material"].map(cons), rank=g["stage"].map(STAGES.index))
    g = g[g["share"] > 1e-6].sort_values(["size", "material", "rank", "share"], ascending=[True, True, True, False],
                                         kind="stable")
    return g.groupby(["material", "stage"], sort=False).head(n)[cols].reset_index(drop=True)


def by_origin(origin: pd.DataFrame | None, supplier: str = CHINA) -> pd.DataFrame:
    """The same from origin.csv: tonnes of `supplier`'s work in each region's consumption."""
    if origin is None or origin.empty:
        return pd.DataFrame(columns=COLUMNS)
    o = origin[(origin["tracked_region"] == supplier) & (origin["region"] != supplier)]
    o = o.assign(china_t=o["tagged_t"].astype(float), consumption_t=o["consumption_t"].astype(float))
    return _ordered(o[o["consumption_t"] > 0])


def _ordered(df: pd.DataFrame) -> pd.DataFrame:
    """Largest material first (by consumption), then stages in chain order, regions, years."""
    rank = df["stage"].map(lambda s: STAGES.index(s) if s in STAGES else len(STAGES))
    size = df.drop_duplicates(["region", "material", "year"]).groupby("material")["consumption_t"].sum()
    df = df.assign(rank=rank, size=-df["material"].map(size), year=df["year"].astype(int))
    return df.sort_values(["size", "material", "rank", "region", "year"], kind="stable")[COLUMNS] \
        .reset_index(drop=True)


def shares(dep: pd.DataFrame, years: list[int], by_region: bool = False) -> pd.DataFrame:
    """Shares of consumption from China in `years` (columns), per stage and material over all
    the consuming regions together (tonnes added), or per region too. Rows in chain order."""
    return once(_shares, (dep,), (tuple(years), by_region))


def _shares(dep: pd.DataFrame, years: tuple, by_region: bool) -> pd.DataFrame:
    years = list(years)
    keys = ["region", "material", "stage"] if by_region else ["material", "stage"]
    d = dep[dep["year"].isin(years)]
    if d.empty:
        return pd.DataFrame(columns=keys + list(years))
    g = d.groupby(keys + ["year"], sort=False)[["china_t", "consumption_t"]].sum()
    s = (g["china_t"] / g["consumption_t"]).unstack("year").reindex(columns=years)
    order = d[keys].drop_duplicates()  # dep's order: largest material, chain order
    if by_region:  # region by region, largest consumer first
        rank = {r: i for i, r in enumerate(consuming_regions(dep))}
        order = order.assign(r=order["region"].map(rank)).sort_values("r", kind="stable").drop(columns="r")
    s = s.reindex(pd.MultiIndex.from_frame(order))
    s.columns = list(years)
    return s.reset_index()


def consuming_regions(dep: pd.DataFrame) -> list[str]:
    """The consuming regions counted, largest consumption first."""
    if dep.empty:
        return []
    first = dep.drop_duplicates(["region", "material", "year"])
    return list(first.groupby("region")["consumption_t"].sum().sort_values(ascending=False, kind="stable").index)


def compare(dep_a: pd.DataFrame, dep_b: pd.DataFrame, years: list[int]) -> pd.DataFrame:
    """material, stage, year, share_a, share_b, change_pp: two plans' shares (`shares`, the
    consuming regions together) in `years`, and the change in percentage points; rows in chain
    order, a side without the material or year blank (nan)."""
    cols = ["material", "stage", "year", "share_a", "share_b", "change_pp"]
    long = [shares(d, years).melt(["material", "stage"], var_name="year", value_name=v)
            for d, v in ((dep_a, "share_a"), (dep_b, "share_b"))]
    m = long[0].merge(long[1], on=["material", "stage", "year"], how="outer")  # an outer merge sorts its keys
    if m.empty:
        return pd.DataFrame(columns=cols)
    both = pd.concat(long)
    first = {k: i for i, k in enumerate(dict.fromkeys(zip(both["material"], both["stage"])))}
    m = m.assign(year=m["year"].astype(int), rank=[first[k] for k in zip(m["material"], m["stage"])])
    m["change_pp"] = (m["share_b"].astype(float) - m["share_a"].astype(float)) * 100
    return m.sort_values(["rank", "year"], kind="stable")[cols].reset_index(drop=True)
