"""The landing contract's entities and columns, read from the dbt source definition.

`models/staging/landing/_landing__sources.yml` is the single list of landing entities and
columns; the generator, the GX gates and the tests read it through this module.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import yaml

from mvoi.paths import PROJECT_DIR

SOURCES_FILE = PROJECT_DIR / "models" / "staging" / "landing" / "_landing__sources.yml"


@dataclass(frozen=True)
class Entity:
    name: str
    key: str
    required: bool
    columns: tuple[str, ...]
    required_columns: tuple[str, ...]
    personal_data_columns: tuple[str, ...]


@lru_cache(maxsize=1)
def entities() -> dict[str, Entity]:
    """Entities of the landing contract, in contract order."""
    spec = yaml.safe_load(SOURCES_FILE.read_text(encoding="utf-8"))
    (landing,) = [s for s in spec["sources"] if s["name"] == "landing"]
    result = {}
    for table in landing["tables"]:
        cols = table["columns"]
        result[table["name"]] = Entity(
            name=table["name"],
            key=table["meta"]["key"],
            required=bool(table["meta"]["required"]),
            columns=tuple(c["name"] for c in cols),
            required_columns=tuple(c["name"] for c in cols if c["meta"]["required"]),
            personal_data_columns=tuple(
                c["name"] for c in cols if c.get("meta", {}).get("personal_data")
            ),
        )
    return result
