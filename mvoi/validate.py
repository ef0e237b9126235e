"""`mvoi validate`: the Great Expectations gates of the build database.

Gate 1, `landing`: the landing contract on `raw.<entity>` (rules: the keys, columns and the
rules' `gx` checks and the format regexes of the landing contract,
models/staging/landing/_landing__sources.yml, read through mvoi.contract). Gate 2, `publication`: the publication rules
on the marts (gx/suites/publication.yml). Thresholds (`mostly`) and severities per rule:
gx/thresholds.yml. Every rule and its threshold: docs/governance_gates.md.

Validation runs as SQL inside DuckDB (mvoi.gx_duckdb), through a read-only connection; the
as-read rows of each landing entity are written once into a scratch database first (in
memory, attached to GX's connection; `_materialise_query_assets`). The
results are appended to `governance.gx_validation_results` in the build database (created
when missing; written here, never by dbt) and rendered as GX Data Docs under
`gx/data_docs/local_site/` in the warehouse folder (`MVOI_GX_UNCOMMITTED_DIR` moves that `gx/` folder).
A gate fails when an error-severity rule fails; `run` then exits 1 with a summary.
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import html
import json
import logging
import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import yaml

from mvoi import contract, dbt_artifacts, gx_docs_offline, paths
from mvoi.paths import PROJECT_DIR, build_db_path

logger = logging.getLogger(__name__)

GATES = ("landing", "publication")
GX_DIR = PROJECT_DIR / "gx"
THRESHOLDS_FILE = GX_DIR / "thresholds.yml"  # MVOI_GX_THRESHOLDS names another file
SUITE_FILES = {"publication": GX_DIR / "suites" / "publication.yml"}  # gate 1's rules: the landing contract
RESULTS_TABLE = "governance.gx_validation_results"
# the as-read tables of one gate run live in a scratch database attached to GX's own DuckDB
# instance: in memory, or a file beside the build database when they would not fit
SCRATCH_CATALOG = "gx_scratch"
# in memory up to this many landing rows (10M invoice lines as read took 1.7 GB of the 3GB limit)
SCRATCH_IN_MEMORY_MAX_ROWS = 15_000_000

RESULTS_DDL = f"""
create table if not exists {RESULTS_TABLE} (
    run_id varchar,
    run_at timestamp,
    gate varchar,
    suite varchar,
    data_asset varchar,
    rule_id varchar,
    expectation_type varchar,
    column_name varchar,
    reason_code varchar,
    severity varchar,
    success boolean,
    element_count bigint,
    unexpected_count bigint,
    unexpected_percent double,
    mostly double,
    observed_value varchar,
    allowed varchar,
    description varchar,
    exception_message varchar
)
"""
RESULT_COLUMNS = (
    "run_id", "run_at", "gate", "suite", "data_asset", "rule_id", "expectation_type", "column_name",
    "reason_code", "severity", "success", "element_count", "unexpected_count", "unexpected_percent",
    "mostly", "observed_value", "allowed", "description", "exception_message",
)


# --------------------------------------------------------------------------------------
# rules and assets


@dataclass
class Rule:
    """One gate rule: one GX expectation with its threshold and severity."""

    rule_id: str
    gate: str
    asset: str
    check: str
    expectation_type: str
    kwargs: dict[str, Any]
    severity: str
    description: str
    column: str | None = None
    mostly: float | None = None
    reason_code: str | None = None
    tolerated_rows: int = 0

    @property
    def allowed(self) -> str:
        if self.check == "exact_duplicates" and self.mostly is not None:
            return f"at most {1 - self.mostly:.0%} of rows, or {self.tolerated_rows} rows, are exact copies"
        if self.expectation_type == "unexpected_rows_expectation":
            return "no offending rows"
        if self.expectation_type == "expect_table_row_count_to_be_between":
            low, high = self.kwargs.get("min_value"), self.kwargs.get("max_value")
            return f"at least {low} row{'' if low == 1 else 's'}" if high is None else f"{low} to {high} rows"
        if "column_set" in self.kwargs:
            return "exactly these columns" if self.kwargs.get("exact_match") else "at least these columns"
        if self.mostly is not None and self.mostly >= 1:
            return "every row"
        if self.mostly is not None:
            text = f"at most {1 - self.mostly:.1%} of rows fail (mostly {self.mostly:g})"
            if self.tolerated_rows:
                text += f", or at most {self.tolerated_rows} rows"
            return text
        return "must hold"


@dataclass
class Asset:
    """A data asset of a gate: a table (`schema.table`) or a named query."""

    name: str
    table: str | None = None
    query: str | None = None
    rules: list[Rule] = field(default_factory=list)
    missing: str | None = None  # why the asset cannot be validated (e.g. table does not exist)

    @property
    def suite_name(self) -> str:
        return f"{self.rules[0].gate}.{self.name}" if self.rules else self.name


@dataclass
class RuleResult:
    rule: Rule
    success: bool
    element_count: int | None = None
    unexpected_count: int | None = None
    unexpected_percent: float | None = None
    observed: str = ""
    exception: str | None = None

    @property
    def blocking(self) -> bool:
        return not self.success and self.rule.severity == "error"


@dataclass
class GateResult:
    gate: str
    run_id: str
    run_at: dt.datetime
    results: list[RuleResult]
    data_docs: Path | None = None

    @property
    def success(self) -> bool:
        return bool(self.results) and not any(r.blocking for r in self.results)

    def summary(self) -> str:
        failed = [r for r in self.results if not r.success]
        blocking = [r for r in failed if r.blocking]
        head = (
            f"GX gate '{self.gate}' {'PASSED' if self.success else 'FAILED'} (run {self.run_id}): "
            f"{len(self.results)} rules, {len(blocking)} blocking failures, "
            f"{len(failed) - len(blocking)} warnings"
        )
        lines = [head]
        for r in sorted(failed, key=lambda x: (x.rule.severity != "error", x.rule.asset, x.rule.rule_id)):
            lines.append(
                f"  [{r.rule.severity.upper():7}] {self.gate} | {r.rule.asset} | {r.rule.rule_id}: "
                f"observed {r.exception or r.observed}; allowed: {r.rule.allowed}"
            )
        if not self.results:
            lines.append("  no rule was evaluated")
        if self.data_docs:
            lines.append(f"  Data Docs: {self.data_docs}")
        return "\n".join(lines)


def thresholds_file() -> Path:
    """The gates' thresholds: MVOI_GX_THRESHOLDS (a warehouse's own copy), else gx/thresholds.yml."""
    return Path(os.environ.get("MVOI_GX_THRESHOLDS") or THRESHOLDS_FILE)


def _load_yaml(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def _contract_severities() -> dict[tuple[str, str], str]:
    return {(r.entity, r.reason_code): r.severity for r in contract.rules()}


def _setting(thresholds: dict, gate: str, rule_id: str, check: str) -> dict:
    """A rule's settings: gate-wide, then the default of its kind, then its own override."""
    section = thresholds.get(gate, {})
    defaults = section.get("defaults", {})
    setting = {"tolerated_rows": section.get("tolerated_rows", 0)}
    setting.update(defaults.get(check) or defaults.get("any") or {"mostly": 1.0, "severity": "error"})
    setting.update(section.get("rules", {}).get(rule_id, {}) or {})
    return setting


def _threshold(thresholds: dict, gate: str, rule_id: str, check: str, entity: str | None,
               reason: str | None, contract_severity: dict) -> tuple[float, str]:
    setting = _setting(thresholds, gate, rule_id, check)
    severity = setting.get("severity", "error")
    if severity == "from_contract":
        landing_severity = contract_severity.get((entity, reason)) if entity and reason else None
        severity = "warning" if landing_severity == "warning" else "error"
    if severity not in ("error", "warning"):
        raise ValueError(f"{thresholds_file()}: rule {rule_id}: severity must be error or warning, not {severity!r}")
    mostly = float(setting.get("mostly", 1.0))
    if not 0 <= mostly <= 1:
        raise ValueError(f"{thresholds_file()}: rule {rule_id}: mostly must be within 0 and 1")
    return mostly, severity


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


# --------------------------------------------------------------------------------------
# gate 1: the landing contract


@dataclass
class _RuleMaker:
    """Makes the landing rules, with each rule's threshold and severity (gx/thresholds.yml and
    the landing contract's severities)."""

    thresholds: dict
    severities: dict

    def __call__(self, entity: str, asset: str, check: str, expectation_type: str, kwargs: dict,
                 description: str, column: str | None = None, reason: str | None = None,
                 use_mostly: bool = True) -> Rule:
        rule_id = ".".join(x for x in (entity, column, check) if x)
        mostly, severity = _threshold(self.thresholds, "landing", rule_id, check, entity, reason, self.severities)
        kwargs = dict(kwargs)
        if use_mostly and mostly < 1:
            kwargs["mostly"] = mostly
        setting = _setting(self.thresholds, "landing", rule_id, check)
        tolerated = int(setting.get("tolerated_rows", 0)) if use_mostly else 0
        return Rule(rule_id=rule_id, gate="landing", asset=asset, check=check,
                    expectation_type=expectation_type, kwargs=kwargs, severity=severity,
                    description=description, column=column,
                    mostly=mostly if use_mostly else None, reason_code=reason, tolerated_rows=tolerated)


@dataclass
class _ColumnCheck:
    """What one GX check of a landing rule becomes: a GX expectation, and the derived column
    of the as-read query that it checks (when it needs one)."""

    expectation_type: str
    kwargs: dict[str, Any]
    description: str
    derived: str | None = None


@dataclass
class _EntityContext:
    catalog: dict[str, set[str]]
    present: set[str] | None  # the raw table's columns, None when the table is missing
    formats: dict[str, str]
    case_of: dict[str, str]
    today: dt.date

    def has(self, column: str) -> bool:
        return self.present is None or column in self.present


def _required_check(ctx: _EntityContext, col: str, spec: dict) -> _ColumnCheck:
    return _ColumnCheck("expect_column_values_to_not_be_null", {"column": col}, f"{col} is present.")


def _format_check(ctx: _EntityContext, col: str, spec: dict) -> _ColumnCheck:
    fmt = spec["format"]
    case = f", {ctx.case_of[col]} case" if col in ctx.case_of else ""
    return _ColumnCheck("expect_column_values_to_match_regex", {"column": col, "regex": ctx.formats[fmt]},
                        f"{col} has the {fmt} format {ctx.formats[fmt]} (after trim{case}).")


def _code_list_check(ctx: _EntityContext, col: str, spec: dict) -> _ColumnCheck:
    values = [str(v) for v in spec["values"]]
    return _ColumnCheck("expect_column_values_to_be_in_set", {"column": col, "value_set": values},
                        f"{col} is one of {', '.join(values)} (case-insensitive after trim).")


def _true_check(name: str, derived: str, description: str) -> _ColumnCheck:
    """A rule on a derived boolean column: true where the row passes, null where it does not apply."""
    return _ColumnCheck("expect_column_values_to_be_in_set", {"column": name, "value_set": [True]}, description,
                        f"{derived} as {_q(name)}")


def _cpv_exists_check(ctx: _EntityContext, col: str, spec: dict) -> _ColumnCheck:
    return _true_check(
        f"{col}__cpv_exists",
        # an uncorrelated `in`: a correlated `exists` made DuckDB materialise the whole table
        f"case when regexp_full_match(n.{_q(col)}, '[0-9]{{8}}(-[0-9]){{0,1}}') then left(n.{_q(col)}, 8) in ("
        f"select cpv.code from reference.cpv_codes as cpv) end",
        f"The 8-digit part of {col} exists in the CPV 2008 list (reference.cpv_codes).")


def _range_check(ctx: _EntityContext, col: str, spec: dict) -> _ColumnCheck:
    if spec["check"] == "range":
        name, derived, what = f"{col}__number", f"try_cast(n.{_q(col)} as double)", col
    else:
        name, derived, what = f"{col}__year", f"year(try_cast(n.{_q(col)} as date))", "the year of " + col
    kwargs: dict[str, Any] = {"column": name}
    bounds = []
    for bound in ("min", "max"):
        if bound in spec:
            value = spec[bound]
            if isinstance(value, str) and value.startswith("current"):
                value = ctx.today.year + int(value[len("current"):] or 0)
            kwargs[f"{bound}_value"] = value
            bounds.append(f"{bound} {value}")
    if spec.get("strict_min"):
        kwargs["strict_min"] = True
        bounds[0] = bounds[0].replace("min", "above")
    return _ColumnCheck("expect_column_values_to_be_between", kwargs,
                        f"{what} is within bounds ({', '.join(bounds)}).", f"{derived} as {_q(name)}")


def _references_check(ctx: _EntityContext, col: str, spec: dict) -> _ColumnCheck | None:
    parent, parent_col = spec["to"].split(".")
    parent_columns = ctx.catalog.get(f"raw.{parent}") or ()
    if parent_col not in parent_columns:
        return None  # the parent's own columns_present / table rule reports it
    parent_value = f"trim(cast(p.{_q(parent_col)} as varchar))"
    if ID_SCOPE in parent_columns and parent_col in contract.scoped_columns(contract.entities(), parent):
        parent_value = _scoped_value("p", parent_value)
    return _true_check(
        f"{col}__references",
        f"case when n.{_q(col)} is not null then n.{_q(col)} in ("
        f"select {parent_value} from raw.{_q(parent)} as p) end",
        f"{col} exists in the delivered {parent}.{parent_col}.")


# the loader's column with the OIN whose ids a landing-store row's ids are (macros/load_landing.sql)
ID_SCOPE = "_id_scope"


def _scoped_value(alias: str, value: str) -> str:
    """An organisation-scoped id as staging writes it: `<OIN>:<id>` for a row of one
    organisation's delivery, the id as delivered otherwise."""
    return f"coalesce({alias}.{_q(ID_SCOPE)} || ':', '') || {value}"


def _order_check(ctx: _EntityContext, col: str, spec: dict) -> _ColumnCheck | None:
    other = spec.get("at_least") or spec.get("at_most")
    if not ctx.has(other):
        return None
    op = ">=" if "at_least" in spec else "<="
    cast = "date" if spec.get("type") == "date" else "double"
    a, b = f"try_cast(n.{_q(col)} as {cast})", f"try_cast(n.{_q(other)} as {cast})"
    return _true_check(f"{col}__order", f"case when {a} is not null and {b} is not null then {a} {op} {b} end",
                       f"{col} {op} {other} where both are valid.")


# the kinds of GX check a landing rule names (`gx` in the landing contract); a builder
# returns None when the rule cannot apply to this delivery (another rule reports why)
COLUMN_CHECKS = {
    "required": _required_check,
    "format": _format_check,
    "code_list": _code_list_check,
    "cpv_exists": _cpv_exists_check,
    "range": _range_check,
    "year_range": _range_check,
    "references": _references_check,
    "order": _order_check,
}


def _raw_asset(entity: contract.Entity, present: set[str] | None, make: _RuleMaker) -> Asset:
    """The table rules on raw.<entity>: columns present, rows present, exact duplicates."""
    table = f"raw.{entity.name}"
    asset = Asset(name=table, table=table, missing=None if present is not None else f"table {table} does not exist")
    asset.rules.append(make(
        entity.name, table, "columns_present", "expect_table_columns_to_match_set",
        {"column_set": list(entity.columns), "exact_match": False},
        f"Every column of the landing contract for {entity.name} is in {table}.", use_mostly=False))
    if entity.required:
        asset.rules.append(make(
            entity.name, table, "row_count", "expect_table_row_count_to_be_between",
            {"min_value": 1}, f"{entity.name} is a required entity: the delivery has rows.", use_mostly=False))
    asset.rules.append(_exact_duplicates_rule(entity.name, table, make))
    return asset


def _as_read_name(table: str) -> str:
    """The name of the asset of `table`'s rows as the contract reads them (_as_read_asset)."""
    return f"{table}.as_read"


def _scratch_table(asset_name: str) -> str:
    """Where a query asset's rows are written before its rules run (_materialise_query_assets)."""
    return f"{SCRATCH_CATALOG}.{asset_name.replace('.', '__')}"


def _distinct_rows(relation: str, key: str | None) -> str:
    """A select of the distinct rows of `relation`. Only rows whose `key` value repeats, or is
    missing, can have an exact copy, so only those are compared on every column: a
    `select distinct *` of 10M invoice lines was most of the landing gate's time."""
    if key is None:
        return f"select distinct * from {relation}"
    k = _q(key)

    # the repeated keys are few and never null, so `not in` is a cheap anti-join (an `in` on the
    # keys that occur once would hash every key of the table)
    repeated = f"select g.{k} from {relation} as g where g.{k} is not null group by g.{k} having count(*) > 1"
    return (f"select * from {relation} as r where r.{k} is not null and r.{k} not in ({repeated})\n"
            "union all\n"
            f"select distinct * from {relation} as r where r.{k} is null or r.{k} in ({repeated})")


def _exact_duplicates_rule(entity: str, table: str, make: _RuleMaker) -> Rule:
    """The share of exact copies: the raw rows against the distinct rows, which are the rows
    of the entity's as-read table (materialised before any rule runs; GX runs this query
    twice, and counting the distinct rows of 10M invoice lines again took 1.3 s each time)."""
    rule_id = f"{entity}.exact_duplicates"
    dup_mostly, _ = _threshold(make.thresholds, "landing", rule_id, "exact_duplicates", entity, None, make.severities)
    tolerated = _setting(make.thresholds, "landing", rule_id, "exact_duplicates")["tolerated_rows"]
    rule = make(
        entity, table, "exact_duplicates", "unexpected_rows_expectation",
        {"unexpected_rows_query": (
            "select raw_rows, distinct_rows, raw_rows - distinct_rows as exact_duplicate_rows\n"
            "from (select count(*) as raw_rows from {batch}) as a\n"
            f"cross join (select count(*) as distinct_rows from {_scratch_table(_as_read_name(table))}) as b\n"
            f"where raw_rows - distinct_rows > {1 - dup_mostly:.6f} * raw_rows\n"
            f"and raw_rows - distinct_rows > {tolerated}"
        )},
        f"At most {1 - dup_mostly:.0%} of the rows of {table} are exact copies of another row, "
        f"or at most {tolerated} rows (copies are collapsed by staging and counted in "
        "landing_reconciliation; many of them point at a delivery error).",
        use_mostly=False)
    rule.mostly = dup_mostly
    rule.tolerated_rows = tolerated  # in its SQL: for `allowed` only
    return rule


def _as_read_asset(entity: contract.Entity, ctx: _EntityContext, column_rules: list[dict],
                   make: _RuleMaker) -> Asset:
    """The column rules on the delivery as the contract reads it: exact duplicates collapsed,
    values trimmed, '' and NULL missing, code columns in contract case; plus the derived
    check columns the rules need."""
    table = f"raw.{entity.name}"
    asset = Asset(name=_as_read_name(table), missing=None if ctx.present is not None else f"table {table} does not exist")
    key = entity.key
    asset.rules.append(make(entity.name, asset.name, "key_present", "expect_column_values_to_not_be_null",
                            {"column": key}, f"The key {key} is present (not null, blank or NULL).",
                            column=key, reason="missing_key"))
    asset.rules.append(make(entity.name, asset.name, "key_unique", "expect_column_values_to_be_unique",
                            {"column": key}, f"No two different rows share a {key} (exact copies are collapsed first).",
                            column=key, reason="conflicting_duplicate"))
    derived = []
    for spec in column_rules:
        col, check = spec["column"], spec["check"]
        if check not in COLUMN_CHECKS:
            raise ValueError(f"{contract.SOURCES_FILE}: unknown gx check {check!r} for {entity.name}.{col}")
        built = COLUMN_CHECKS[check](ctx, col, spec) if ctx.has(col) else None  # columns_present reports a gap
        if built is None:
            continue
        if built.derived:
            derived.append(built.derived)
        asset.rules.append(make(entity.name, asset.name, check, built.expectation_type, built.kwargs,
                                built.description, column=col, reason=spec.get("reason")))
    if ctx.present is not None:
        asset.query = _as_read_query(entity, ctx, derived)
    return asset


def _as_read_query(entity: contract.Entity, ctx: _EntityContext, derived: list[str]) -> str:
    selects = []
    scoped = contract.scoped_columns(contract.entities(), entity.name) if ID_SCOPE in (ctx.present or ()) else ()
    for col in entity.columns:
        if not ctx.has(col) or col in entity.personal_data_columns:
            continue  # personal data is never read into a rule, a result or Data Docs
        value = f"trim(cast(d.{_q(col)} as varchar))"
        normalised = {"lower": f"lower({value})", "upper": f"upper({value})"}.get(ctx.case_of.get(col), value)
        if col in scoped:  # ids are unique only within one organisation's data
            normalised = _scoped_value("d", normalised)
        selects.append(f"case when lower({value}) in ('', 'null') then null else {normalised} end as {_q(col)}")
    # GX query assets must start with `select`: nested subqueries, no CTEs
    return (
        "select\n    " + ",\n    ".join(["n.*", *derived]) + "\nfrom (\n    select\n        "
        + ",\n        ".join(selects)
        + f"\n    from ({_distinct_rows(f'raw.{_q(entity.name)}', entity.key if ctx.has(entity.key) else None)}) as d\n) as n"
    )


def landing_assets(catalog: dict[str, set[str]], thresholds: dict | None = None,
                   today: dt.date | None = None) -> list[Asset]:
    """The gate-1 assets and rules for the tables and columns in `catalog`
    ({"schema.table": {columns}} of the build database)."""
    thresholds = thresholds if thresholds is not None else _load_yaml(thresholds_file())
    formats = contract.formats()
    make = _RuleMaker(thresholds, _contract_severities())
    assets: list[Asset] = []
    for entity in contract.entities().values():
        present = catalog.get(f"raw.{entity.name}")
        ctx = _EntityContext(catalog, present, formats,
                             {c.name: c.case for c in entity.column_specs if c.case},
                             today or dt.date.today())
        assets += [_raw_asset(entity, present, make), _as_read_asset(entity, ctx, _column_checks(entity), make)]
    return assets


def _column_checks(entity: contract.Entity) -> list[dict]:
    """The GX checks of the entity's landing rules, in rule order, each with what it needs
    from its column (format, code list, reference) and the reason code it anticipates."""
    checks = []
    for rule in entity.rules:
        column = entity.column(rule.column)
        for check in rule.gx:
            spec = {"column": column.name, "reason": rule.reason_code, **check}
            if check["check"] == "format":
                spec["format"] = column.format
            elif check["check"] == "code_list":
                spec["values"] = list(column.values)
            elif check["check"] == "references":
                spec["to"] = column.references
            checks.append(spec)
    return checks


# --------------------------------------------------------------------------------------
# gate 2: the publication rules


def _with_limits(value: Any, limits: dict[str, Any]) -> Any:
    """A rule argument with its `{name}` placeholders filled from the rule's thresholds
    (gx/thresholds.yml), so a limit is configured there, not in the suite's SQL."""
    if value == "{current_year}":
        return limits["current_year"]
    if isinstance(value, str):
        for name, limit in limits.items():
            value = value.replace("{" + name + "}", str(limit))
    return value


def publication_assets(catalog: dict[str, set[str]], thresholds: dict | None = None,
                       today: dt.date | None = None) -> list[Asset]:
    thresholds = thresholds if thresholds is not None else _load_yaml(thresholds_file())
    spec = _load_yaml(SUITE_FILES["publication"])
    today = today or dt.date.today()
    queries = spec.get("queries", {}) or {}
    assets = []
    for name, rules in spec["assets"].items():
        asset = Asset(name=name)
        if name in queries:
            asset.query = queries[name].strip()
        else:
            asset.table = name
            if name not in catalog:
                asset.missing = f"table {name} does not exist"
        table_label = name.split(".")[-1]
        for item in rules:
            rule_id = f"{table_label}.{item['id']}"
            mostly, severity = _threshold(thresholds, "publication", rule_id, "any", None, None, {})
            limits = {"current_year": today.year, **_setting(thresholds, "publication", rule_id, "any")}
            kwargs = {k: _with_limits(v, limits) for k, v in item.get("kwargs", {}).items()}
            is_map = item["expectation"].startswith("expect_column_values_") or item["expectation"] in (
                "expect_compound_columns_to_be_unique",)
            if is_map and mostly < 1:
                kwargs["mostly"] = mostly
            asset.rules.append(Rule(
                rule_id=rule_id, gate="publication", asset=name, check=item["id"],
                expectation_type=item["expectation"], kwargs=kwargs, severity=severity,
                description=_with_limits(" ".join(str(item.get("description", "")).split()), limits),
                column=kwargs.get("column"), mostly=mostly if is_map else None))
        assets.append(asset)
    return assets


# --------------------------------------------------------------------------------------
# running a gate


def gx_uncommitted_dir() -> Path:
    return paths.gx_uncommitted_dir()


def data_docs_index() -> Path:
    return gx_uncommitted_dir() / "data_docs" / "local_site" / "index.html"


def scratch_path(db_path: Path) -> Path:
    """The scratch file of a gate run too large for memory (removed when the run ends)."""
    return db_path.with_name(db_path.name + ".gx_scratch")


def _materialise_query_assets(engine, db_path: Path, assets: list[Asset]) -> None:
    """Write each query asset's rows once into a table of SCRATCH_CATALOG and validate that
    table: GX runs one or more queries per rule, and re-running the as-read query (distinct,
    trims, derived checks) for each of 150 rules cost more than the rest of the gate.
    The catalog is attached through `engine`, GX's connection to the build database: attached
    databases belong to DuckDB's instance, so every GX connection sees the tables, while the
    build database stays read-only. In memory this is twice as fast as writing the rows
    compressed into the build database (10M invoice lines: 7 s instead of 13 s)."""
    queries = [a for a in assets if a.query]
    if not queries:
        return
    with engine.connect() as con:
        landing_rows = con.exec_driver_sql(
            "select coalesce(sum(estimated_size), 0) from duckdb_tables() "
            "where database_name = current_database() and schema_name = 'raw'").scalar()
        scratch = ":memory:" if landing_rows <= SCRATCH_IN_MEMORY_MAX_ROWS else str(scratch_path(db_path))
        _remove_scratch(db_path)
        con.exec_driver_sql(f"attach {_sql_text(scratch)} as {SCRATCH_CATALOG} (read_write)")
        con.exec_driver_sql("set preserve_insertion_order = false")
        for asset in queries:
            asset.table = _scratch_table(asset.name)
            con.exec_driver_sql(f"create table {asset.table} as {asset.query}")
        con.exec_driver_sql("reset preserve_insertion_order")  # GX's samples keep their order
        con.commit()


def _attach_spend_store(engine, db_path: Path) -> None:
    """Attach the spend fact's database file read-only to GX's DuckDB instance, as dbt does
    (the build database's marts.fct_spend is a view of it; mvoi.paths.connect_build)."""
    attach = paths.attach_spend_sql(db_path, read_only=True)
    if attach:
        with engine.connect() as con:
            con.exec_driver_sql(attach)
            con.commit()  # the pool rolls back what a returned connection left uncommitted


def _remove_scratch(db_path: Path) -> None:
    scratch = scratch_path(db_path)
    for path in (scratch, scratch.with_name(scratch.name + ".wal")):
        path.unlink(missing_ok=True)


def read_catalog(db_path: Path) -> dict[str, set[str]]:
    """{"schema.table": {columns}} of the database (opened read-only, then closed)."""
    with paths.connect_build(db_path, read_only=True) as con:
        rows = con.execute(
            "select table_schema, table_name, column_name from information_schema.columns "
            "where table_catalog = current_database()"
        ).fetchall()
    catalog: dict[str, set[str]] = {}
    for schema, table, column in rows:
        catalog.setdefault(f"{schema}.{table}", set()).add(column)
    return catalog


def import_great_expectations() -> None:
    """Import what a gate run uses of Great Expectations (about 3 s, more from a cold disk),
    so that a build can do it in a thread while dbt runs (a failed import is raised again
    where the gate imports it)."""
    import great_expectations  # noqa: F401
    from great_expectations.checkpoint import Checkpoint  # noqa: F401
    from great_expectations.core import ExpectationSuite  # noqa: F401


def _gx_context(uncommitted: Path):
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )


    defaults = InMemoryStoreBackendDefaults(init_temp_docs_sites=False)
    defaults.stores[defaults.validation_results_store_name]["store_backend"] = {
        "class_name": "TupleFilesystemStoreBackend",
        "base_directory": str(uncommitted / "validations"),
    }
    config = DataContextConfig(
        store_backend_defaults=defaults,
        data_docs_sites={
            "local_site": {
                "class_name": "SiteBuilder",
                "show_how_to_buttons": False,
                "store_backend": {
                    "class_name": "TupleFilesystemStoreBackend",
                    "base_directory": str(uncommitted / "data_docs" / "local_site"),
                },
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            }
        },
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False),
    )
    return gx.get_context(mode="ephemeral", project_config=config)


def _expectation(rule: Rule):
    from great_expectations.expectations.registry import get_expectation_impl

    impl = get_expectation_impl(rule.expectation_type)
    notes = f"{rule.rule_id} ({rule.severity}; {rule.allowed}): {rule.description}"
    return impl(**rule.kwargs, meta={"rule_id": rule.rule_id, "severity": rule.severity}, notes=notes)


def _observed(rule: Rule, result: dict) -> str:
    if rule.expectation_type == "unexpected_rows_expectation":
        rows = (result.get("details") or {}).get("unexpected_rows") or []
        sample = json.dumps(rows[:3], default=str) if rows else ""
        return f"{result.get('observed_value')} offending rows" + (f"; first: {sample}" if sample else "")
    if "unexpected_count" in result:
        count, total = result.get("unexpected_count") or 0, result.get("element_count") or 0
        missing = result.get("missing_count") or 0
        base = total - missing if "missing_count" in result else total
        text = f"{count} of {base} rows fail ({(result.get('unexpected_percent') or 0):.2f}%)"
        sample = result.get("partial_unexpected_list") or []
        if sample:
            text += "; e.g. " + json.dumps(list(dict.fromkeys(map(str, sample)))[:5])
        return text
    return json.dumps(result.get("observed_value"), default=str)


def _exception_message(validation_result) -> str | None:
    info = validation_result.exception_info or {}
    if info.get("raised_exception"):
        return info.get("exception_message") or "raised an exception"
    for value in info.values():
        if isinstance(value, dict) and value.get("raised_exception"):
            return (value.get("exception_message") or "raised an exception").splitlines()[0][:500]
    return None


def _html_escaped(value: Any) -> Any:
    """`value` with every string in it (dict keys too, at any depth) HTML-escaped."""
    if isinstance(value, str):
        return html.escape(value, quote=True)
    if isinstance(value, dict):
        return {_html_escaped(k): _html_escaped(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_html_escaped(v) for v in value)
    return value


def _store_html_escaped(context, outcome) -> list:
    """Replace a checkpoint run's results in the validation results store by HTML-escaped
    copies; returns the identifiers to render (results and their suites).

    GX 1.24 writes values taken from the delivery (unexpected values and rows, observed
    values, exception messages) into the Data Docs HTML without escaping them everywhere, so a
    delivered `<script>` or `onerror=` ran when the page was opened (stored XSS, issue 9). The
    site builder renders what is in the store, so it only ever sees escaped values; the gate's
    own results (terminal, warehouse table) keep the plain text.
    """
    store = context.validation_results_store
    resources = []
    for key, suite_result in outcome.run_results.items():
        escaped = copy.deepcopy(suite_result)
        for er in escaped.results:
            er.result = _html_escaped(er.result)
            er.exception_info = _html_escaped(er.exception_info)
        store.set(key, escaped)
        resources += [key, key.expectation_suite_identifier]
    return resources


def _rule_result(rule: Rule, er) -> RuleResult:
    """One rule's result from GX's expectation result; a few failing rows of a small table
    (at most `tolerated_rows`) are row-level faults, not a systematic one."""
    res = er.result or {}
    error = _exception_message(er)
    success = bool(er.success) and error is None
    observed = error or _observed(rule, res)
    is_rows_query = rule.expectation_type == "unexpected_rows_expectation"  # it counts in its own SQL
    unexpected = res.get("unexpected_count")
    if (not success and error is None and not is_rows_query and rule.tolerated_rows
            and unexpected is not None and unexpected <= rule.tolerated_rows):
        success = True
        observed += f" (tolerated: at most {rule.tolerated_rows} rows may fail)"
    return RuleResult(
        rule=rule, success=success, element_count=res.get("element_count"),
        unexpected_count=res.get("unexpected_count", res.get("observed_value") if is_rows_query else None),
        unexpected_percent=res.get("unexpected_percent"), observed=observed, exception=error)


def _rule_results(outcome, rules_by_id: dict[str, Rule]) -> list[RuleResult]:
    """The results of a checkpoint run, one per rule; a rule GX gave no result for fails."""
    results = [
        _rule_result(rules_by_id[er.expectation_config.meta["rule_id"]], er)
        for suite_result in outcome.run_results.values() for er in suite_result.results
    ]
    seen = {r.rule.rule_id for r in results}
    results += [RuleResult(rule=rule, success=False, observed="no result from GX", exception="no result from GX")
                for rule_id, rule in rules_by_id.items() if rule_id not in seen]
    return results


def _validation_definitions(context, source, assets: list[Asset]) -> tuple[list, dict[str, Rule]]:
    """One GX data asset, suite and validation definition per asset; the rules by id."""
    from great_expectations.core import ExpectationSuite, ValidationDefinition

    definitions = []
    rules_by_id: dict[str, Rule] = {}
    for asset in assets:
        schema, table = asset.table.split(".", 1)  # query assets are materialised first
        with warnings.catch_warnings():
            # GX 1.24 deprecates schema_name in favour of a schema in the connection
            # URL, which DuckDB does not have; the tests notice when it goes away
            warnings.filterwarnings("ignore", message="`schema_name` is deprecated")
            data_asset = source.add_table_asset(asset.name, table_name=table, schema_name=schema)
        batch_definition = data_asset.add_batch_definition_whole_table("whole")
        suite = context.suites.add(ExpectationSuite(name=asset.suite_name))
        for r in asset.rules:
            suite.add_expectation(_expectation(r))
            rules_by_id[r.rule_id] = r
        definitions.append(context.validation_definitions.add(
            ValidationDefinition(name=asset.suite_name, data=batch_definition, suite=suite)))
    return definitions, rules_by_id


def run_gate(gate: str, db_path: Path | None = None, run_id: str | None = None,
             run_at: dt.datetime | None = None, write_results: bool = True,
             build_docs: bool = True) -> GateResult:
    """Validate one gate on the build database; append the results to the warehouse."""
    if gate not in GATES:
        raise ValueError(f"unknown gate {gate!r}; expected one of {', '.join(GATES)}")
    # GX logs its internals at INFO; the gate's own summary is what the user needs
    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    from great_expectations.checkpoint import Checkpoint
    from great_expectations.core.run_identifier import RunIdentifier

    from mvoi import gx_duckdb

    db_path = Path(db_path or build_db_path())
    if not db_path.exists():
        raise FileNotFoundError(f"build database {db_path} does not exist: run dbt build first")
    run_id = run_id or dbt_artifacts.current_run_id()
    run_at = run_at or dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    catalog = read_catalog(db_path)
    builder = landing_assets if gate == "landing" else publication_assets
    assets = builder(catalog)

    results: list[RuleResult] = []
    runnable = []
    for asset in assets:
        if asset.missing or (asset.table is None and asset.query is None):
            reason = asset.missing or "asset cannot be read"
            results.extend(RuleResult(rule=r, success=False, observed=reason, exception=reason) for r in asset.rules)
        elif asset.rules:
            runnable.append(asset)

    uncommitted = gx_uncommitted_dir()
    docs_index = None
    if runnable:
        gx_duckdb.install()
        context = _gx_context(uncommitted)
        try:
            source = context.data_sources.add_sql(
                name=f"mvoi_{gate}",
                connection_string=gx_duckdb.duckdb_url(str(db_path.resolve()))
                + f"?access_mode=read_only&memory_limit={paths.duckdb_memory_limit()}",
            )
            _attach_spend_store(source.get_engine(), db_path)
            _materialise_query_assets(source.get_engine(), db_path, runnable)
            definitions, rules_by_id = _validation_definitions(context, source, runnable)
            checkpoint = context.checkpoints.add(Checkpoint(
                name=f"{gate}_gate", validation_definitions=definitions, actions=[],
                result_format={"result_format": "SUMMARY", "partial_unexpected_count": 10},
            ))
            outcome = checkpoint.run(run_id=RunIdentifier(run_name=run_id, run_time=run_at))
            results += _rule_results(outcome, rules_by_id)
            rendered = _store_html_escaped(context, outcome)
            if build_docs:
                context.build_data_docs(resource_identifiers=rendered)
                docs_index = data_docs_index()
                gx_docs_offline.make_offline(docs_index.parent)  # CDN scripts and styles served locally
        finally:
            gx_duckdb.close_datasource_engines(context)
            _remove_scratch(db_path)

    gate_result = GateResult(gate=gate, run_id=run_id, run_at=run_at, results=results, data_docs=docs_index)
    if write_results:
        write_results_table(db_path, gate_result)
    return gate_result


def write_results_table(db_path: Path, gate_result: GateResult) -> None:
    """Append one gate's results to governance.gx_validation_results (created when missing)."""
    rows = [
        (
            gate_result.run_id, gate_result.run_at, gate_result.gate, r.rule.gate + "." + r.rule.asset,
            r.rule.asset, r.rule.rule_id, r.rule.expectation_type, r.rule.column, r.rule.reason_code,
            r.rule.severity, r.success, r.element_count, r.unexpected_count, r.unexpected_percent,
            r.rule.mostly, r.observed[:2000], r.rule.allowed, r.rule.description, r.exception,
        )
        for r in gate_result.results
    ]
    with paths.connect(db_path) as con:
        con.execute("create schema if not exists governance")
        con.execute(RESULTS_DDL)
        if rows:
            placeholders = ", ".join("?" for _ in RESULT_COLUMNS)
            con.executemany(
                f"insert into {RESULTS_TABLE} ({', '.join(RESULT_COLUMNS)}) values ({placeholders})", rows
            )
        con.execute("checkpoint")


def gates_passed_in_run(db_path: Path, run_id: str, gates: tuple[str, ...] = GATES) -> tuple[bool, str]:
    """Whether every gate has results recorded for `run_id` and none has a blocking failure."""
    with paths.connect(db_path, read_only=True) as con:
        exists = con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = 'governance' and table_name = 'gx_validation_results'"
        ).fetchone()[0]
        if not exists:
            return False, f"{RESULTS_TABLE} does not exist: run `mvoi validate` first"
        problems = []
        for gate in gates:
            total, blocking = con.execute(
                f"select count(*), count(*) filter (where not success and severity = 'error') "
                f"from {RESULTS_TABLE} where run_id = ? and gate = ?", [run_id, gate]
            ).fetchone()
            if total == 0:
                problems.append(f"gate {gate} was not run for run {run_id}")
            elif blocking:
                problems.append(f"gate {gate} has {blocking} blocking failures in run {run_id}")
    return not problems, "; ".join(problems)


def rules_markdown(today: dt.date | None = None) -> str:
    """Every rule of both gates with its severity and threshold, as Markdown tables (the list
    in docs/governance_gates.md is this output)."""
    catalog = {f"raw.{e.name}": set(e.columns) for e in contract.entities().values()}
    lines = []
    for gate, builder in (("landing", landing_assets), ("publication", publication_assets)):
        lines += [f"### Gate {'1' if gate == 'landing' else '2'}: {gate}", "",
                  "| rule | asset | expectation | severity | threshold | what it checks |",
                  "|---|---|---|---|---|---|"]
        for asset in builder(catalog, today=today):
            for r in asset.rules:
                description = r.description.replace("|", "\\|")
                lines.append(f"| `{r.rule_id}` | {r.asset} | {r.expectation_type} | {r.severity} | "
                             f"{r.allowed} | {description} |")
        lines.append("")
    return "\n".join(lines)


# --------------------------------------------------------------------------------------
# command line


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--gate", choices=[*GATES, "all"], default="all",
                        help="which gate to run (default: both, landing first)")
    parser.add_argument("--db", type=Path, default=None, help="build database (default: MVOI_DB_PATH)")
    parser.add_argument("--run-id", default=None,
                        help="run id to record (default: the invocation id of the last dbt build)")
    parser.add_argument("--no-data-docs", action="store_true", help="do not rebuild the GX Data Docs")
    parser.add_argument("--list-rules", action="store_true",
                        help="print every rule with its severity and threshold (Markdown) and exit")


def run(args: argparse.Namespace) -> int:
    if args.list_rules:
        print(rules_markdown())
        return 0
    gates = GATES if args.gate == "all" else (args.gate,)
    run_id = args.run_id or dbt_artifacts.current_run_id()
    ok = True
    for gate in gates:
        try:
            result = run_gate(gate, db_path=args.db, run_id=run_id, build_docs=not args.no_data_docs)
        except (FileNotFoundError, duckdb.Error) as exc:
            print(f"GX gate '{gate}' could not run: {exc}")
            return 2
        print(result.summary())
        ok = ok and result.success
    return 0 if ok else 1


