"""The landing contract, read from the dbt source definition.

`models/staging/landing/_landing__sources.yml` is the one definition of the landing contract:
entities, columns, value formats (with their regexes), code lists and row-level rules (reason code, severity, NORA
dimension, the GX checks that anticipate the rule). The generator, the GX landing gate, the
landing check, `mvoi spec` and the tests read it through this module.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from mvoi.paths import PROJECT_DIR

SOURCES_FILE = PROJECT_DIR / "models" / "staging" / "landing" / "_landing__sources.yml"

# the columns of seeds/reference/landing_rules.csv, the rules as a seed (written by `mvoi spec`)
RULE_FIELDS = ("entity", "reason_code", "column_name", "severity", "dq_dimension", "description")
SEVERITIES = ("fatal", "warning")


@dataclass(frozen=True)
class Column:
    name: str
    description: str
    required: bool
    personal_data: bool = False
    format: str | None = None  # a name in formats()
    values: tuple[str, ...] = ()  # the code list, in the contract's spelling
    case: str | None = None  # lower / upper: how a code or flag is compared and stored
    references: str | None = None  # "entity.column" the value must exist in


@dataclass(frozen=True)
class Rule:
    entity: str
    reason_code: str
    column: str
    severity: str  # fatal (the row is rejected) or warning (the row is loaded)
    dq_dimension: str
    description: str  # with {values} filled in from the column's code list
    gx: tuple[dict[str, Any], ...] = ()  # {"check": name, **parameters} per GX check
    delivery_only: bool = False  # only a delivery of one organisation (landing store) can break it

    def as_row(self) -> dict[str, str]:
        """The rule as a row of seeds/reference/landing_rules.csv."""
        return dict(zip(RULE_FIELDS, (self.entity, self.reason_code, self.column, self.severity,
                                      self.dq_dimension, self.description), strict=True))


@dataclass(frozen=True)
class Entity:
    name: str
    key: str
    required: bool
    columns: tuple[str, ...]
    required_columns: tuple[str, ...]
    personal_data_columns: tuple[str, ...]
    description: str = ""
    column_specs: tuple[Column, ...] = ()
    rules: tuple[Rule, ...] = ()
    key_scope: str = "organisation"  # organisation: ids unique per delivering organisation; national
    period_column: str | None = None  # the date whose year a period delivery replaces

    def column(self, name: str) -> Column:
        (spec,) = [c for c in self.column_specs if c.name == name]
        return spec

    @property
    def code_lists(self) -> dict[str, tuple[str, ...]]:
        return {c.name: c.values for c in self.column_specs if c.values}


def _column(raw: dict) -> Column:
    meta = raw.get("meta") or {}
    return Column(
        name=raw["name"],
        description=" ".join(str(raw.get("description", "")).split()),
        required=bool(meta.get("required", True)),
        personal_data=bool(meta.get("personal_data", False)),
        format=meta.get("format"),
        values=tuple(str(v) for v in meta.get("values") or ()),
        case=meta.get("case"),
        references=meta.get("references"),
    )


def _gx_check(item: str | dict) -> dict[str, Any]:
    if isinstance(item, str):
        return {"check": item}
    ((name, params),) = item.items()
    return {"check": name, **(params or {})}


def _rule(entity: str, raw: dict, columns: dict[str, Column]) -> Rule:
    column = columns[raw["column"]]  # a rule names a column of its entity
    if raw["severity"] not in SEVERITIES:
        raise ValueError(f"{SOURCES_FILE}: {entity}.{raw['reason_code']}: severity must be fatal or warning")
    return Rule(
        entity=entity,
        reason_code=raw["reason_code"],
        column=column.name,
        severity=raw["severity"],
        dq_dimension=raw["dq_dimension"],
        description=" ".join(str(raw["description"]).split()).replace("{values}", ", ".join(column.values)),
        gx=tuple(_gx_check(item) for item in raw.get("gx") or ()),
        delivery_only=bool(raw.get("delivery_only", False)),
    )


def _landing_source(path: Path) -> dict:
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    (landing,) = [s for s in spec["sources"] if s["name"] == "landing"]
    return landing


def read_entities(path: Path = SOURCES_FILE) -> dict[str, Entity]:
    """Entities of the landing contract in `path`, in contract order."""
    result = {}
    for table in _landing_source(path)["tables"]:
        # the loader's delivery columns (meta.loader) are not delivered: not contract columns
        specs = tuple(_column(c) for c in table["columns"] if not (c.get("meta") or {}).get("loader"))
        by_name = {c.name: c for c in specs}
        meta = table["meta"]
        result[table["name"]] = Entity(
            name=table["name"],
            key=meta["key"],
            required=bool(meta["required"]),
            columns=tuple(c.name for c in specs),
            required_columns=tuple(c.name for c in specs if c.required),
            personal_data_columns=tuple(c.name for c in specs if c.personal_data),
            description=" ".join(str(table.get("description", "")).split()),
            column_specs=specs,
            rules=tuple(_rule(table["name"], r, by_name) for r in meta.get("rules") or ()),
            key_scope=meta.get("key_scope", "organisation"),
            period_column=meta.get("period_column"),
        )
    return result


def scoped_columns(entities_by_name: dict[str, Entity], entity: str) -> tuple[str, ...]:
    """The columns of `entity` whose ids belong to the delivering organisation: its key (unless
    the key is national) and every column that refers to such a key."""
    def is_scoped_key(name: str, column: str) -> bool:
        target = entities_by_name[name]
        return target.key == column and target.key_scope == "organisation"

    e = entities_by_name[entity]
    return tuple(
        c.name for c in e.column_specs
        if is_scoped_key(entity, c.name) or (c.references and is_scoped_key(*c.references.split(".")))
    )


def read_formats(path: Path = SOURCES_FILE) -> dict[str, str]:
    """The value formats of the landing contract in `path`: name -> regex on the trimmed value."""
    return dict((_landing_source(path).get("meta") or {})["formats"])


@lru_cache(maxsize=1)
def formats() -> dict[str, str]:
    """The value formats of the landing contract: name -> regex (a column's `format` names one)."""
    return read_formats(SOURCES_FILE)


@lru_cache(maxsize=1)
def entities() -> dict[str, Entity]:
    """Entities of the landing contract, in contract order."""
    return read_entities(SOURCES_FILE)


def rules() -> list[Rule]:
    """Every row-level rule of the landing contract, entity by entity in contract order."""
    return [r for e in entities().values() for r in e.rules]


def code_list(entity: str, column: str) -> tuple[str, ...]:
    """The code list of `entity`.`column`, in contract order."""
    values = entities()[entity].column(column).values
    if not values:
        raise KeyError(f"{entity}.{column} has no code list in the landing contract")
    return values
