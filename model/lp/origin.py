"""Origin tracking (formulation 14): whose stage work is inside what a region consumes.

For each tracked region q, stage g (extraction, processing, manufacturing) and material m, tag
theta = (q, g, m) marks tonnes of m-bearing commodities whose m had its stage-g work done in q.
Supply chains are segregable: the plan chooses which units carry a tag, under conservation.

    sources      m-bearing outputs of projects in q of stage g (recycling projects in q: outputs
                 whose commodity stage is g), tagged in full: a * act; offers in q of an m-bearing
                 commodity of stage g or later: buy
    carriers     oact[p, t] <= act[p, t];  ouse_in[p, c, t] <= oact[p, t] for each m-bearing input c;
                 oact[p, t] <= sum_c ouse_in[p, c, t];  a non-source carrier makes a[c'] * oact tagged c'
    links        oflow <= flow,  osell <= sell,  olevel <= level  (olevel[T0 - 1] = 0)
    conservation sources + tagged in - tagged out - tagged sold - sum_p |a| ouse_in - (olevel[t] - olevel[t-1])
                 = ouse[r, c, t] + odrop[r, c, t],   ouse <= demand,   odrop <= surplus of balance (3)

`basis = origin` policies (lp/policies.py) cap sum_c content * ouse of each tracked supplier.
Without `track_origin` none of this exists.
"""

from __future__ import annotations

from ..data import Key, Row, Study, Terms
from ..schema import COMMODITY_STAGES
from ..validate import tracked_regions

# tag variable families and their key lengths: (q, g, m) + the physical variable's key
FAMILIES = {"oact": 5, "ouse_in": 6, "oflow": 7, "osell": 5, "olevel": 5, "ouse": 6, "odrop": 6}


def tracked(s: Study) -> list[str]:
    """Regions of settings track_origin, in the order given, each once."""
    return list(dict.fromkeys(tracked_regions(s.tables)))


def _bearing(s: Study, m: str) -> set[str]:
    return {c for (c, mm), v in s.content.items() if mm == m and v > 0}


def _source(s: Study, p, g: str, c: str) -> bool:
    """Is output c of project p (in the tracked region) tagged in full for stage g?"""
    if p.stage == "recycling":
        return s.commodity_stage.get(c) == g
    return p.stage == g


def _rank(stage) -> int:
    return COMMODITY_STAGES.index(stage) if stage in COMMODITY_STAGES else -1


def _offer_source(s: Study, b, q: str, g: str, bearing: set[str]) -> bool:
    return b.region == q and b.commodity in bearing and _rank(s.commodity_stage.get(b.commodity)) >= _rank(g)


def _has_source(s: Study, q: str, g: str, bearing: set[str]) -> bool:
    for pr in s.projects.values():
        if pr.region == q and any(a > 0 and c in bearing and _source(s, pr, g, c)
                                  for c, a in s.tech_io.get(pr.technology, {}).items()):
            return True
    return any(_offer_source(s, b, q, g, bearing) for b in s.buy.values())


def _onward(s: Study, bearing: set[str]) -> dict[tuple[str, str], set[tuple[str, str]]]:
    """(region, commodity) -> the nodes m-bearing material moves on to from it: along routes, and
    through projects that turn an m-bearing input into m-bearing outputs (the same for every
    tag of material m)."""
    onward: dict[tuple[str, str], set[tuple[str, str]]] = {}
    for fr, to, c, _ in s.flow:
        if c in bearing:
            onward.setdefault((fr, c), set()).add((to, c))
    for pr in s.projects.values():
        io = s.tech_io.get(pr.technology, {})
        made = {(pr.region, c) for c, a in io.items() if a > 0 and c in bearing}
        for c, a in io.items():
            if a < 0 and c in bearing:
                onward.setdefault((pr.region, c), set()).update(made)
    return onward


def _reachable(s: Study, q: str, g: str, bearing: set[str],
               onward: dict[tuple[str, str], set[tuple[str, str]]]) -> set[tuple[str, str]]:
    """The (region, commodity) nodes tagged material of theta = (q, g, m) can reach in any year:
    the sources' outputs, then on along `onward` (`_onward` of m). Elsewhere every tag is 0 (a tag
    is never created, formulation 14), so no tag variable or row is made there: the LP is the
    same, about a third of its size on the shipped study (a processing tag never reaches
    concentrate, a manufacturing tag only magnets)."""
    nodes = {(q, c) for pr in s.projects.values() if pr.region == q
             for c, a in s.tech_io.get(pr.technology, {}).items() if a > 0 and c in bearing and _source(s, pr, g, c)}
    nodes |= {(q, b.commodity) for b in s.buy.values() if _offer_source(s, b, q, g, bearing)}
    todo = list(nodes)
    while todo:
        for nxt in onward.get(todo.pop(), ()):
            if nxt not in nodes:
                nodes.add(nxt)
                todo.append(nxt)
    return nodes


def origin_tracking(s: Study) -> tuple[dict[str, dict[Key, float | None]], dict[str, dict[Key, Row]]]:
    """The tag variables (family -> key -> upper bound or None) and rows (family -> key -> Row)."""
    index: dict[str, dict[Key, float | None]] = {f: {} for f in FAMILIES}
    rows: dict[str, dict[Key, Row]] = {"origin_link": {}, "origin_balance": {}, "origin_disposal": {}}
    regions = tracked(s)
    if not regions:
        return index, rows
    materials = sorted({m for _, m in s.content})
    ref = s.refs
    ref_act = ref.family("act")
    link, balance, disposal = rows["origin_link"], rows["origin_balance"], rows["origin_disposal"]
    bearings = {m: _bearing(s, m) for m in materials}
    onwards = {m: _onward(s, bearings[m]) for m in materials}
    for q in regions:
        for g in COMMODITY_STAGES:
            for m in materials:
                bearing = bearings[m]
                th = (q, g, m)
                cons: dict[Key, Terms] = {}  # conservation terms by (r, c, t)

                def put(r, c, t, var, coef):
                    row = cons.setdefault((r, c, t), {})
                    row[var] = row.get(var, 0.0) + coef

                if not _has_source(s, q, g, bearing):
                    continue  # nothing is ever tagged theta: no variables, no rows
                reach = _reachable(s, q, g, bearing, onwards[m])
                for p, t in s.act:  # projects: sources and carriers
                    pr = s.projects[p]
                    io = s.tech_io.get(pr.technology, {})
                    inputs = [c for c, a in io.items() if a < 0 and c in bearing and (pr.region, c) in reach]
                    outputs = [c for c, a in io.items() if a > 0 and c in bearing]
                    full = {c for c in outputs if pr.region == q and _source(s, pr, g, c)}
                    for c in full:
                        put(pr.region, c, t, ref_act[(p, t)], io[c])
                    if not inputs:
                        continue
                    ka = th + (p, t)
                    index["oact"][ka] = None
                    va = ref("oact", ka)
                    link[("act",) + ka] = Row({va: 1.0, ref_act[(p, t)]: -1.0}, "<=", 0.0, t)
                    cover: Terms = {va: 1.0}
                    for c in inputs:
                        ku = th + (p, c, t)
                        index["ouse_in"][ku] = None
                        vu = ref("ouse_in", ku)
                        link[("in",) + ku] = Row({vu: 1.0, va: -1.0}, "<=", 0.0, t)
                        cover[vu] = -1.0
                        put(pr.region, c, t, vu, io[c])  # a < 0: tagged input used
                    link[("cover",) + ka] = Row(cover, "<=", 0.0, t)
                    for c in outputs:
                        if c not in full:
                            put(pr.region, c, t, va, io[c])
                for (o, t), b in s.buy.items():
                    if _offer_source(s, b, q, g, bearing):
                        put(q, b.commodity, t, ref("buy", (o, t)), 1.0)
                for k in s.flow:
                    fr, to, c, t = k
                    if (fr, c) in reach:
                        kf = th + k
                        index["oflow"][kf] = None
                        vf = ref("oflow", kf)
                        link[("flow",) + kf] = Row({vf: 1.0, ref("flow", k): -1.0}, "<=", 0.0, t)
                        put(to, c, t, vf, 1.0)
                        put(fr, c, t, vf, -1.0)
                for k, sale in s.sell.items():
                    if (sale.region, sale.commodity) in reach:
                        ks = th + k
                        index["osell"][ks] = None
                        vs = ref("osell", ks)
                        link[("sell",) + ks] = Row({vs: 1.0, ref("sell", k): -1.0}, "<=", 0.0, k[1])
                        put(sale.region, sale.commodity, k[1], vs, -1.0)
                for name, t in s.level:
                    st = s.stocks[name]
                    if (st.region, st.commodity) in reach:
                        kl = th + (name, t)
                        index["olevel"][kl] = None
                        vl = ref("olevel", kl)
                        link[("level",) + kl] = Row({vl: 1.0, ref("level", (name, t)): -1.0}, "<=", 0.0, t)
                        put(st.region, st.commodity, t, vl, -1.0)
                        if t < s.T1:
                            put(st.region, st.commodity, t + 1, vl, 1.0)
                for key, terms in sorted(cons.items()):
                    r, c, t = key
                    d = s.demand.get(key, 0.0)
                    terms = dict(terms)
                    if d > 0:
                        index["ouse"][th + key] = d
                        terms[ref("ouse", th + key)] = -1.0
                    physical = s.rows["balance"].get(key)
                    if physical is not None:
                        kd = th + key
                        index["odrop"][kd] = None
                        vd = ref("odrop", kd)
                        terms[vd] = -1.0
                        # odrop <= surplus = balance lhs - balance rhs
                        disposal[kd] = Row({vd: 1.0, **{v: -a for v, a in physical.terms.items()}}, "<=",
                                           -physical.rhs, t)
                    balance[th + key] = Row(terms, "==", 0.0, t)
    return index, {f: dict(sorted(r.items())) for f, r in rows.items()}
