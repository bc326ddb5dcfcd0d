"""The workbook contract as data: every sheet, column, type, default, unit and help text.

Reading (`read.py`), validation (`validate.py`) and the template all loop over this
declaration; no other module spells a column's type or default. docs/workbook.md, the
reference for users, is generated from it: keep every help text complete.
"""

from __future__ import annotations

from dataclasses import dataclass

STAGES = ("extraction", "processing", "manufacturing", "recycling")
COMMODITY_STAGES = ("extraction", "processing", "manufacturing")
POLICY_KINDS = ("min_domestic_share", "max_supplier_share")
BASES = ("output", "capacity", "origin")
WILDCARD = "*"
YEAR_MIN, YEAR_MAX = 1900, 2200  # planning years outside this range are typos
MAGNITUDE = 1e9  # no number in a study is larger; bigger ones are typos and break the solver's scaling

# Columns any sheet may carry as documentation (never an unknown-column warning).
DOC_COLUMNS = ("source", "note")

# How cells are read, for docs/workbook.md (read.py and xlsxfile.py apply these rules).
CELL_RULES = (
    "Sheet names, headers, ids and text are trimmed (also non-breaking spaces); ids are case-sensitive.",
    "Two sheets whose names are the same after trimming and ignoring case (hidden sheets included) are an "
    "error, as is a column given twice in a header row or a settings key given twice.",
    "Number cells take numbers stored as text, thousands separators (1,000), a percent sign (40 % is 0.4) "
    "and one currency symbol before or after the number ($ € £ ¥): $40,000 and 40000 € are 40000. "
    "Currency codes (USD 40,000) and units (60k, 0.31 t) are not numbers.",
    "A fraction column (share, availability, discount_rate) takes 0.4 or 40 %; 40 is an error that "
    "suggests 0.40.",
    "Year columns take a year or a date (its year). yes/no columns take yes, no, y, n, true, false, 1, 0 "
    "in any case.",
    "Formulas are read through the result the spreadsheet program saved. A formula with no saved result "
    "(a workbook written by a script and never opened and saved in Excel or LibreOffice) is an error.",
    "Excel error values (#REF!, #N/A, #DIV/0!, #VALUE!, #NAME?, #NUM!, #NULL!) are errors in every column "
    "read, ids included.",
    "Merged cells over data rows are an error (only the first cell of a merged range holds the value); "
    "merged cells within the header row are fine.",
    "Scenario values and where conditions read numbers the same way as cells.",
)


@dataclass(frozen=True)
class Column:
    """One column of a sheet.

    kind: ``text`` (trimmed, case-sensitive id or label), ``number`` (float),
    ``whole`` (integer, also years), ``yesno`` (bool) or ``choice`` (one of ``choices``).
    default: value a blank cell takes; ``None`` keeps it blank (its meaning is in ``blank``).
    """

    name: str
    kind: str
    help: str
    unit: str = ""
    default: object = None
    required: bool = False
    minimum: float | None = None
    maximum: float | None = None
    above: float | None = None  # strict lower bound
    choices: tuple[str, ...] = ()
    ref: str | None = None  # sheet whose id this names
    wildcard: bool = False  # '*' allowed (means "every")
    blank: str = ""  # what a blank means when default is None
    since: int = 1  # contract version that added it to its sheet (1: with the sheet); see `optional`

    def __post_init__(self):
        if self.kind == "whole" and self.unit == "year" and self.minimum is None:
            # a year far outside any plan is a typo (and would not fit an integer column)
            object.__setattr__(self, "minimum", YEAR_MIN)
            object.__setattr__(self, "maximum", YEAR_MAX)

    def expected(self) -> str:
        """Words for 'expected …' in an input error."""
        if self.kind == "number":
            what = "a fraction" if self.unit == "fraction" else "a number"
            if self.above is not None and self.maximum is not None:
                return f"{what} in ({self.above:g}, {self.maximum:g}]"
            if self.minimum is not None and self.maximum is not None:
                return f"{what} in [{self.minimum:g}, {self.maximum:g}]"
            if self.minimum is not None:
                return f"a number >= {self.minimum:g}"
            if self.above is not None:
                return f"a number > {self.above:g}"
            return "a number"
        if self.kind == "whole":
            if self.unit == "year" and self.minimum is not None:
                return f"a year from {self.minimum:g} to {self.maximum:g}"
            if self.minimum is not None and self.maximum is not None:
                return f"a whole number in [{self.minimum:g}, {self.maximum:g}]"
            if self.minimum is not None:
                return f"a whole number >= {self.minimum:g}"
            return "a whole number"
        if self.kind == "yesno":
            return "yes or no"
        if self.kind == "choice":
            return "one of " + ", ".join(self.choices)
        return "text"

    @property
    def optional(self) -> bool:
        """Added after version 1: a header without it reads every cell as blank (never an error),
        so workbooks written before it stay valid and give the same plan."""
        return self.since > 1


@dataclass(frozen=True)
class Sheet:
    name: str
    columns: tuple[Column, ...]
    help: str
    key: tuple[str, ...] = ()  # unique key (id column or composite)
    required: bool = True
    id_column: str | None = None  # column other sheets refer to
    since: int = 1  # contract version that added it (later sheets are never required)

    def __post_init__(self):
        if self.since > 1 and self.required:
            raise ValueError(f"sheet {self.name}: a sheet added after version 1 cannot be required")

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


@dataclass(frozen=True)
class Setting:
    key: str
    kind: str
    help: str
    default: object = None
    required: bool = False
    minimum: float | None = None
    maximum: float | None = None
    blank: str = ""
    unit: str = ""

    def expected(self) -> str:
        return Column(self.key, self.kind, self.help, unit=self.unit, minimum=self.minimum,
                      maximum=self.maximum).expected()


SETTINGS = (
    Setting("first_year", "whole", "first planning year", required=True, minimum=YEAR_MIN, maximum=YEAR_MAX),
    Setting("last_year", "whole", "last planning year, >= first_year", required=True,
            minimum=YEAR_MIN, maximum=YEAR_MAX),
    Setting("base_year", "whole", "year to which costs are discounted", blank="first_year",
            minimum=YEAR_MIN, maximum=YEAR_MAX),
    Setting("discount_rate", "number", "real annual discount rate, e.g. 0.08 (8 % also reads as 0.08)",
            default=0.08, minimum=0.0, maximum=1.0, unit="fraction"),
    Setting("salvage", "yesno", "credit the unused life of late builds at the horizon end", default=True),
    Setting(
        "unmet_penalty_usd_per_t", "number",
        "default penalty for unserved demand when a commodity gives none (USD/t)",
        minimum=0.0, blank="demand is hard",
    ),
    Setting("solver_time_limit_s", "number", "HiGHS time limit in seconds", minimum=0.0, blank="none"),
    Setting("mip_gap", "number", "relative gap at which a mixed-integer plan (unit_tpa, min_build_tpa) is "
            "accepted", default=0.001, minimum=0.0, maximum=1.0, unit="fraction"),
    Setting("track_origin", "text", "regions whose stage work is traced through the chain, comma-separated "
            "(e.g. CN); needed by policies with basis origin", blank="off"),
)


def _c(name, kind, help, **kw) -> Column:
    return Column(name, kind, help, **kw)


# the optional full name of a project, policy, supply offer or stockpile, shown beside its id in reports,
# charts and diffs
NAME_V2 = _c("name", "text", "full name shown in reports, charts and diffs", blank="the id", since=2)


def _window(what: str, since: int = 1) -> tuple[Column, Column]:
    """first_year and last_year of a row that stands for some years (blank: the horizon's ends)."""
    return (_c("first_year", "whole", f"first year {what}", unit="year", blank="first_year", since=since),
            _c("last_year", "whole", f"last year {what}", unit="year", blank="last_year", since=since))


SHEETS: tuple[Sheet, ...] = (
    Sheet(
        "sources",
        (
            _c("source", "text", "short id other sheets name in their source column", required=True),
            _c("title", "text", "title of the document"),
            _c("publisher", "text", "publisher or author"),
            _c("year", "whole", "year of publication", unit="year"),
            _c("url", "text", "where to find it"),
        ),
        "references the study's numbers come from",
        key=("source",), required=False, id_column="source",
    ),
    Sheet(
        "regions",
        (
            _c("region", "text", "short unique code, e.g. EU, US, CN", required=True),
            _c("name", "text", "full name"),
            _c("notes", "text", "free text"),
        ),
        "regions that host projects, demand and supply offers",
        key=("region",), id_column="region",
    ),
    Sheet(
        "materials",
        (
            _c("material", "text", "material policy targets are measured in, e.g. NdPr", required=True),
            _c("name", "text", "full name"),
        ),
        "materials (tonnes of contained oxide)",
        key=("material",), id_column="material",
    ),
    Sheet(
        "commodities",
        (
            _c("commodity", "text", "unique id", required=True),
            _c("name", "text", "full name"),
            _c("stage", "choice", "stage that delivers it; blank for none (scrap, inputs)",
               choices=STAGES[:3], blank="no stage"),
            _c("unmet_penalty_usd_per_t", "number", "penalty per tonne of unserved demand",
               unit="USD/t", minimum=0.0, blank="settings default"),
        ),
        "goods along the chain",
        key=("commodity",), id_column="commodity",
    ),
    Sheet(
        "content",
        (
            _c("commodity", "text", "commodity", required=True, ref="commodities"),
            _c("material", "text", "material", required=True, ref="materials"),
            _c("t_per_t", "number", "tonnes of material in one tonne of commodity",
               unit="t/t", required=True, minimum=0.0),
        ),
        "material content of commodities",
        key=("commodity", "material"),
    ),
    Sheet(
        "technologies",
        (
            _c("technology", "text", "unique id", required=True),
            _c("stage", "choice", "supply-chain stage; blank for a bookkeeping technology (converts one commodity "
               "into another for accounting; its projects count towards no stage)", choices=STAGES,
               blank="bookkeeping (no stage)"),
            _c("name", "text", "full name"),
        ),
        "technologies projects use",
        key=("technology",), id_column="technology",
    ),
    Sheet(
        "tech_io",
        (
            _c("technology", "text", "technology", required=True, ref="technologies"),
            _c("commodity", "text", "commodity", required=True, ref="commodities"),
            _c("coefficient", "number", "per tonne of activity: + output, - input", unit="t/t", required=True),
        ),
        "inputs and outputs per tonne of activity",
        key=("technology", "commodity"),
    ),
    Sheet(
        "projects",
        (
            _c("project", "text", "unique id", required=True),
            _c("technology", "text", "technology", required=True, ref="technologies"),
            _c("region", "text", "region", required=True, ref="regions"),
            _c("existing_tpa", "number", "capacity operating at first_year", unit="t/yr", default=0.0, minimum=0.0),
            _c("existing_retire_year", "whole", "last year existing capacity operates", unit="year",
               blank="beyond horizon"),
            _c("committed_tpa", "number", "capacity under construction (sunk cost)", unit="t/yr",
               default=0.0, minimum=0.0),
            _c("committed_online_year", "whole", "first year committed capacity operates", unit="year",
               blank="required if committed_tpa > 0"),
            _c("max_new_tpa", "number", "most new capacity the model may build", unit="t/yr",
               default=0.0, minimum=0.0),
            _c("capex_usd_per_tpa", "number", "overnight capital cost of new capacity", unit="USD per t/yr",
               minimum=0.0, blank="required if max_new_tpa > 0"),
            _c("fixed_om_usd_per_tpa", "number", "yearly fixed cost per unit of capacity online",
               unit="USD per t/yr", default=0.0, minimum=0.0),
            _c("var_cost_usd_per_t", "number", "cost per tonne of activity", unit="USD/t", default=0.0, minimum=0.0),
            _c("lead_time_years", "whole", "years from build decision to first operating year",
               unit="years", default=0, minimum=0),
            _c("earliest_start_year", "whole", "first year a build may start", unit="year", blank="first_year"),
            _c("lifetime_years", "whole", "operating life of new capacity", unit="years", default=25, minimum=1),
            _c("availability", "number", "share of capacity usable per year", unit="fraction",
               default=1.0, above=0.0, maximum=1.0),
            _c("ramp_years", "whole", "years over which new and committed capacity ramps linearly to full use",
               unit="years", default=0, minimum=0, since=2),
            _c("min_output_share", "number", "share of usable capacity that must run each year (offtake, "
               "take-or-pay)", unit="fraction", default=0.0, minimum=0.0, maximum=1.0, since=2),
            _c("unit_tpa", "number", "new capacity comes in whole units of this size (a mixed-integer plan)",
               unit="t/yr", above=0.0, blank="continuous", since=2),
            _c("min_build_tpa", "number", "a build in a start year is 0 or at least this (<= max_new_tpa)",
               unit="t/yr", above=0.0, blank="none", since=2),
            NAME_V2,
        ),
        "facilities, existing or candidate",
        key=("project",), id_column="project",
    ),
    Sheet(
        "supply",
        (
            _c("offer", "text", "unique id", required=True),
            _c("region", "text", "where the supply appears", required=True, ref="regions"),
            _c("commodity", "text", "what is offered", required=True, ref="commodities"),
            *_window("the offer stands"),
            _c("max_tpa", "number", "most tonnes per year", unit="t/yr", minimum=0.0, blank="unlimited"),
            _c("price_usd_per_t", "number", "price paid per tonne", unit="USD/t", default=0.0, minimum=0.0),
            NAME_V2,
        ),
        "tranches of outside supply (imports, scrap collection)",
        key=("offer",), id_column="offer",
    ),
    Sheet(
        "sales",
        (
            _c("sale", "text", "unique id", required=True),
            _c("region", "text", "where the buyers take delivery", required=True, ref="regions"),
            _c("commodity", "text", "what they buy", required=True, ref="commodities"),
            *_window("the offer to buy stands"),
            _c("max_tpa", "number", "most tonnes per year they take", unit="t/yr", required=True, minimum=0.0),
            _c("price_usd_per_t", "number", "what they pay per tonne", unit="USD/t", required=True, minimum=0.0),
        ),
        "outside buyers",
        key=("sale",), required=False, id_column="sale", since=2,
    ),
    Sheet(
        "trade",
        (
            _c("from_region", "text", "exporting region, * for every region", required=True,
               ref="regions", wildcard=True),
            _c("to_region", "text", "importing region, * for every region", required=True,
               ref="regions", wildcard=True),
            _c("commodity", "text", "commodity, * for every commodity", default=WILDCARD,
               ref="commodities", wildcard=True),
            _c("cost_usd_per_t", "number", "freight and tariffs", unit="USD/t", default=0.0, minimum=0.0),
            _c("max_tpa", "number", "most tonnes per year on the route (each commodity)", unit="t/yr",
               minimum=0.0, blank="unlimited"),
            *_window("the row applies", 2),
        ),
        "routes between regions",
    ),
    Sheet(
        "stocks",
        (
            _c("stock", "text", "unique id", required=True),
            _c("region", "text", "where it is held", required=True, ref="regions"),
            _c("commodity", "text", "what is held", required=True, ref="commodities"),
            _c("initial_t", "number", "tonnes held before first_year", unit="t", default=0.0, minimum=0.0),
            _c("max_t", "number", "most tonnes held at a year end", unit="t", minimum=0.0, blank="unlimited"),
            _c("min_t", "number", "strategic floor at every year end", unit="t", default=0.0, minimum=0.0),
            _c("final_t", "number", "at least this much at the end of last_year", unit="t", default=0.0,
               minimum=0.0),
            _c("holding_cost_usd_per_t", "number", "cost per tonne held per year", unit="USD/t", default=0.0,
               minimum=0.0),
            NAME_V2,
        ),
        "stockpiles",
        key=("stock",), required=False, id_column="stock", since=2,
    ),
    Sheet(
        "demand",
        (
            _c("region", "text", "region", required=True, ref="regions"),
            _c("commodity", "text", "commodity", required=True, ref="commodities"),
            _c("year", "whole", "year", unit="year", required=True),
            _c("quantity_t", "number", "final demand", unit="t", required=True, minimum=0.0),
        ),
        "final demand",
        key=("region", "commodity", "year"),
    ),
    Sheet(
        "budgets",
        (
            _c("budget", "text", "budget id (one row per year)", required=True),
            _c("region", "text", "region whose projects it funds, * for all", default=WILDCARD,
               ref="regions", wildcard=True),
            _c("stage", "choice", "stage whose projects it funds, * for all", default=WILDCARD,
               choices=STAGES + (WILDCARD,)),
            _c("year", "whole", "year", unit="year", required=True),
            _c("amount_musd", "number", "capital spendable that year", unit="USD million",
               required=True, minimum=0.0),
            _c("carryover", "yesno", "unspent money carries to later years", default=False),
        ),
        "capital available for new builds",
        key=("budget", "year"),
    ),
    Sheet(
        "policies",
        (
            _c("policy", "text", "unique id", required=True),
            _c("region", "text", "region whose consumption is the base", required=True, ref="regions"),
            _c("material", "text", "material", required=True, ref="materials"),
            _c("kind", "choice", "policy kind", required=True, choices=POLICY_KINDS),
            _c("stage", "choice", "stage", required=True, choices=STAGES),
            _c("share", "number", "target share", unit="fraction", required=True, minimum=0.0, maximum=1.0),
            *_window("it binds"),
            _c("basis", "choice", "output or capacity (min_domestic_share); output or origin (max_supplier_share: "
               "origin counts where the material's work at the stage was done, needs track_origin)",
               default="output", choices=BASES),
            _c("penalty_usd_per_t", "number", "blank = hard; a number makes it soft",
               unit="USD/t", minimum=0.0, blank="hard"),
            _c("group", "text", "policies with the same group are also costed together (--policy-costs)",
               blank="none", since=2),
            NAME_V2,
        ),
        "policy targets (EU CRMA benchmarks)",
        key=("policy",), id_column="policy",
    ),
    Sheet(
        "scenarios",
        (
            _c("scenario", "text", "scenario name", required=True),
            _c("sheet", "text", "sheet to edit", required=True),
            _c("where", "text", "conditions joined by ; or *", required=True),
            _c("column", "text", "column to edit", required=True),
            _c("op", "choice", "set, scale or add", required=True, choices=("set", "scale", "add")),
            _c("value", "text", "value"),
            _c("note", "text", "why"),
        ),
        "named what-if edits of the base data",
        required=False,
    ),
    Sheet(
        "stochastic",
        (
            _c("scenario", "text", "a scenario of this workbook (base allowed), each once", required=True),
            _c("probability", "number", "probability of the branch; the column sums to 1", unit="fraction",
               required=True, above=0.0, maximum=1.0),
            _c("branch_year", "whole", "first year whose decisions may differ by branch (one value for all rows)",
               unit="year", required=True),
        ),
        "branches of the two-stage plan (reeplan solve --stochastic)",
        key=("scenario",), required=False, id_column="scenario", since=2,
    ),
    Sheet(
        "uncertainty",
        (
            _c("parameter", "text", "name of the uncertain input (a column of samples.csv); rows with the same "
               "name share one draw and must give the same distribution", required=True),
            _c("sheet", "text", "sheet to edit, as in scenarios", required=True),
            _c("where", "text", "conditions joined by ; or *, as in scenarios", required=True),
            _c("column", "text", "column to edit", required=True),
            _c("op", "choice", "set, scale or add the drawn value", required=True, choices=("set", "scale", "add")),
            _c("distribution", "choice", "uniform (a=min, b=max), triangular (a=min, c=mode, b=max), normal "
               "(a=mean, b=sd, c=lower bound it is truncated at, blank none), lognormal (a=median > 0, b=sd of the "
               "log), discrete (a=values, b=weights, both separated by ;, blank weights = equal)", required=True,
               choices=("uniform", "triangular", "normal", "lognormal", "discrete")),
            _c("a", "text", "first parameter of the distribution (a number; values separated by ; for discrete)",
               required=True),
            _c("b", "text", "second parameter (a number; weights separated by ; for discrete)"),
            _c("c", "text", "third parameter (a number): the mode of triangular, the lower bound of normal"),
            _c("group", "text", "correlation group: parameters with the same group take the same quantile of "
               "their distributions in each sample (drawn once, fully correlated); blank = independent",
               since=2),
        ),
        "uncertain inputs of reeplan ensemble: each sample draws every parameter once and applies the rows as "
        "scenario edits",
        required=False, since=2,
    ),
)

SHEET = {s.name: s for s in SHEETS}
SETTING = {s.key: s for s in SETTINGS}
