"""Share policies (formulation 7): one generic share row, with a sense, serves every target.

    cons[r, m, t] = sum_c content[c, m] demand[r, c, t]          (a year with cons = 0 has no row)

    min_domestic_share (>=):
        sum_{p in r, stage g} sum_{c: a > 0} a[tech_p, c] content[c, m] Q[p, t] + short[k, t]
            >= share_k cons[r, m, t]          (Q = act, or availability * ucap for basis capacity)
    max_supplier_share (<=), for every supplier q with a route into r:
        sum_{c: stage(c) = g} content[c, m] flow[q->r, c, t] - short[k, q, t]
            <= share_k cons[r, m, t]
    max_supplier_share with basis origin (<=), for every tracked region q other than r (lp/origin.py):
        sum_c content[c, m] ouse[(q, g, m), r, c, t] - short[k, q, t]  <=  share_k cons[r, m, t]

Rows are keyed (policy, supplier, year), supplier "" for min_domestic_share; `short` exists
only for soft policies. The dual is the marginal cost of the target per tonne of material
(policies.csv).
"""

from __future__ import annotations

import pandas as pd

from ..data import MUSD, Key, Row, Shortfall, Study, Terms
from ..read import ROW

MIN, MAX = "min_domestic_share", "max_supplier_share"
ORIGIN = "origin"  # basis of a max_supplier_share that counts where the work was done


def _domestic(s: Study, region: str, stage: str, material: str) -> list[tuple]:
    """(project, tonnes of material per tonne of activity) of each project of the stage in region."""
    out = []
    for p in s.projects.values():
        if p.region == region and p.stage == stage:
            coef = sum(a * s.content.get((c, material), 0.0)
                       for c, a in s.tech_io.get(p.technology, {}).items() if a > 0)
            if coef != 0:
                out.append((p, coef))
    return out


def _domestic_terms(s: Study, domestic: list[tuple], basis: str, y: int) -> tuple[Terms, float]:
    """Terms and constant of sum_p coef_p Q[p, y]."""
    refs_build, refs_act = s.refs.family("build"), s.refs.family("act")
    terms: Terms = {}
    const = 0.0
    for p, coef in domestic:
        if (p.name, y) not in refs_act:
            continue
        if basis == "capacity":  # Q = availability * ucap (formulation 10)
            const += coef * p.availability * (p.usable_constant(y) if p.ramp_years else s.cap_const.get((p.name, y), 0.0))
            for tau in s.cap_builds.get((p.name, y), ()):
                ref = refs_build[(p.name, tau)]
                rho = p.usable(y, p.online(tau)) if p.ramp_years else 1.0
                terms[ref] = terms.get(ref, 0.0) + coef * p.availability * rho
        else:
            terms[refs_act[(p.name, y)]] = coef
    return terms, const


def _imports(s: Study, into: list[Key], stage: str, material: str) -> dict[str, Terms]:
    """sum_{c: stage(c) = g} content[c, m] flow[q->r, c, t], by supplier q."""
    by_supplier: dict[str, Terms] = {}
    for fk in into:
        c = fk[2]
        v = s.content.get((c, material), 0.0)
        if s.commodity_stage.get(c) == stage and v:
            by_supplier.setdefault(fk[0], {})[s.refs("flow", fk)] = v
    return dict(sorted(by_supplier.items()))


def _origin_use(s: Study, region: str, stage: str, material: str, y: int) -> dict[str, Terms]:
    """sum_c content[c, m] ouse[(q, g, m), r, c, t] by tracked supplier q != r (formulation 14)."""
    by_supplier: dict[str, Terms] = {}
    for key in s.origin.get("ouse", {}):
        q, g, m, r, c, t = key
        if g == stage and m == material and r == region and t == y and q != region:
            by_supplier.setdefault(q, {})[s.refs("ouse", key)] = s.content[(c, m)]
    return dict(sorted(by_supplier.items()))


def policy_share(s: Study) -> tuple[dict[Key, Row], dict[Key, Shortfall], list[dict]]:
    """The policy rows, the shortfall variables of soft ones, and hard targets no variable can meet."""
    T0, T1 = s.T0, s.T1
    rows: dict[Key, Row] = {}
    short: dict[Key, Shortfall] = {}
    impossible = []
    into: dict[tuple, list] = {}  # (to, year) -> flow keys
    for k in s.flow:
        into.setdefault((k[1], k[3]), []).append(k)
    for r in s.tables["policies"].to_dict("records"):
        k, region, m, g, share = r["policy"], r["region"], r["material"], r["stage"], float(r["share"])
        penalty = None if pd.isna(r["penalty_usd_per_t"]) else float(r["penalty_usd_per_t"]) * MUSD
        fy = T0 if pd.isna(r["first_year"]) else max(T0, int(r["first_year"]))
        ly = T1 if pd.isna(r["last_year"]) else min(T1, int(r["last_year"]))
        info = {"policy": k, "region": region, "material": m, "kind": r["kind"], "stage": g,
                "share": share, "basis": r["basis"], "row": r[ROW]}
        domestic = _domestic(s, region, g, m) if r["kind"] == MIN else []
        for y in range(fy, ly + 1):
            cons = s.consumption.get((region, m, y), 0.0)
            if cons <= 0:
                continue
            target = share * cons
            if r["kind"] == MIN:
                terms, const = _domestic_terms(s, domestic, r["basis"], y)
                groups = [("", terms, ">=", target - const)]
            elif r["basis"] == ORIGIN:
                groups = [(q, terms, "<=", target) for q, terms in _origin_use(s, region, g, m, y).items()]
            else:
                groups = [(q, terms, "<=", target)
                          for q, terms in _imports(s, into.get((region, y), ()), g, m).items()]
            for q, terms, sense, rhs in groups:
                key = (k, q, y)
                if penalty is not None:
                    short[key] = Shortfall(penalty)
                    terms = {**terms, s.refs("short", key): 1.0 if sense == ">=" else -1.0}
                if not terms:
                    if rhs > 1e-9:
                        impossible.append({"family": "policy", "key": key, "rhs": rhs, **info, "year": y,
                                           "supplier": q})
                    continue
                rows[key] = Row(terms, sense, rhs, y, {**info, "supplier": q, "consumption": cons})
    return dict(sorted(rows.items())), dict(sorted(short.items())), impossible


def silent_policies(s: Study, rows: dict[Key, Row], impossible: list[dict]) -> list[str]:
    """Why each policy of the sheet made no row at all (so it is absent from the results)."""
    made = {k[0] for k in rows} | {r["key"][0] for r in impossible if r["family"] == "policy"}
    out = []
    table = s.tables["policies"]
    years = table.assign(first_year=table["first_year"].astype("Float64").fillna(s.T0),
                         last_year=table["last_year"].astype("Float64").fillna(s.T1))
    window = years.groupby("policy", sort=False).agg(first=("first_year", "min"), last=("last_year", "max"))
    for r in table.drop_duplicates("policy").to_dict("records"):  # a scenario may split a policy by year
        k, region, m = r["policy"], r["region"], r["material"]
        if k in made:
            continue
        fy, ly = max(s.T0, int(window.at[k, "first"])), min(s.T1, int(window.at[k, "last"]))
        if fy > ly:
            why = f"its years lie outside the horizon {s.T0}-{s.T1}"
        elif not any(s.consumption.get((region, m, y), 0.0) > 0 for y in range(fy, ly + 1)):
            why = f"{region} has no demand containing {m} in {fy}-{ly}, so there is no consumption to take a share of"
        elif r["basis"] == ORIGIN:
            why = (f"no tracked region's {r['stage']} work on {m} can reach {region}'s consumption (track_origin "
                   "lists the regions whose work is traced)")
        else:
            why = (f"no route into {region} carries a {r['stage']} commodity containing {m}, so no import can "
                   "count against a supplier")
        out.append(f"policy {k} makes no constraint and is absent from the results: {why}")
    return out
