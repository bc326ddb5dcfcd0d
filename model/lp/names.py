"""One naming scheme for the LP: each family's model component, the key of its duals and rows,
its section of docs/formulation.md, the function that makes it, its output table and the
workbook sheet that messages about it name. `solve`, `results`, `diagnose` and the writers read
these names rather than spelling them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Family:
    name: str  # model component (m.<name>), key in Study.rows and Solution.duals/values
    section: str  # docs/formulation.md
    maker: str  # lp function that makes it
    table: str | None  # output table that reports it (a row family: its dual too)
    sheet: str  # workbook sheet named in messages about it


# variables, in column order (the matrix HiGHS sees is numbered family by family)
VARIABLES = {
    "build": Family("build", "Variables", "variables.define_variables", "builds", "projects"),
    "act": Family("act", "Variables", "variables.define_variables", "production", "projects"),
    "buy": Family("buy", "4", "variables.define_variables", "supply", "supply"),
    "flow": Family("flow", "4", "variables.define_variables", "trade", "trade"),
    "unmet": Family("unmet", "5", "variables.define_variables", "unmet", "demand"),
    "short": Family("short", "7", "policies.policy_share", "policies", "policies"),
    "sell": Family("sell", "8", "variables.define_variables", "sales", "sales"),
    "level": Family("level", "9", "variables.define_variables", "stocks", "stocks"),
    # origin tags (formulation 14)
    "oact": Family("oact", "14", "origin.origin_tracking", None, "projects"),
    "ouse_in": Family("ouse_in", "14", "origin.origin_tracking", None, "projects"),
    "oflow": Family("oflow", "14", "origin.origin_tracking", None, "trade"),
    "osell": Family("osell", "14", "origin.origin_tracking", None, "sales"),
    "olevel": Family("olevel", "14", "origin.origin_tracking", None, "stocks"),
    "ouse": Family("ouse", "14", "origin.origin_tracking", "origin", "demand"),
    "odrop": Family("odrop", "14", "origin.origin_tracking", None, "demand"),
    # lumpy builds (formulation 15): integer and binary companions of build
    "units": Family("units", "15", "lumpy.lumpy_builds", None, "projects"),
    "opened": Family("opened", "15", "lumpy.lumpy_builds", None, "projects"),
}
VIOLATION = "viol"  # elastic copies (diagnose.py) only: one violation column per relaxed hard row

# constraint rows, in the order they are added to the model (and handed to HiGHS)
ROWS = {
    "project_size": Family("project_size", "1", "capacity.project_size", "builds", "projects"),
    "activity_limit": Family("activity_limit", "2", "capacity.activity_limit", "capacity", "projects"),
    "balance": Family("balance", "3", "balance.commodity_balance", "prices", "demand"),
    "budget": Family("budget", "6", "budgets.capital_budget", "budgets", "budgets"),
    "policy": Family("policy", "7", "policies.policy_share", "policies", "policies"),
    "min_output": Family("min_output", "10", "capacity.minimum_output", "support", "projects"),
    "origin_link": Family("origin_link", "14", "origin.origin_tracking", None, "settings"),
    "origin_balance": Family("origin_balance", "14", "origin.origin_tracking", None, "settings"),
    "origin_disposal": Family("origin_disposal", "14", "origin.origin_tracking", None, "settings"),
    "lumpy": Family("lumpy", "15", "lumpy.lumpy_builds", None, "projects"),
}

# row families whose duals are reported (prices, budget values, policy prices, support)
PRICED = ("activity_limit", "balance", "budget", "policy", "min_output", "origin_disposal")  # those in the model
# variable families whose reduced costs are read back (support.csv)
REDUCED = ("build", "act")
