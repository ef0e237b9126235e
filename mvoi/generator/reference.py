"""Reference seeds the generator draws from: CPV codes, MVI product groups, EU thresholds.

Read from `seeds/reference/` so that generated data is consistent with the warehouse's own
reference data (CPV codes with their official check digit, product groups reachable through
their CPV prefixes, thresholds per period, contract type and authority class).
"""

from __future__ import annotations

import csv
import logging
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from mvoi.paths import PROJECT_DIR

log = logging.getLogger(__name__)

REFERENCE_DIR = PROJECT_DIR / "seeds" / "reference"

# CPV divisions (2 digits) that hold works, supplies and services codes.
WORKS_DIVISIONS = ("45",)
SERVICES_DIVISIONS = tuple(f"{d:02d}" for d in range(50, 99))


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


@dataclass
class ProductGroup:
    product_group_id: str
    name_nl: str
    isv_risk_category: str | None
    is_circular_priority: bool
    prefixes: list[str] = field(default_factory=list)


@dataclass
class Reference:
    """The reference data, indexed for vectorised sampling."""

    cpv_code: np.ndarray  # 8-digit codes (str)
    cpv_check: np.ndarray  # official check digit (str)
    cpv_desc_nl: np.ndarray
    cpv_type: np.ndarray  # works / supplies / services per code
    cpv_group: np.ndarray  # product_group_id of the longest prefix, '' when unclassified
    groups: dict[str, ProductGroup]
    thresholds: list[dict[str, str]]

    # ---- derived views -------------------------------------------------------------
    def codes_of_group(self, group_id: str, contract_type: str | None = None) -> np.ndarray:
        mask = self.cpv_group == group_id
        if contract_type is not None:
            mask &= self.cpv_type == contract_type
        return np.flatnonzero(mask)

    @property
    def isv_groups(self) -> list[str]:
        return sorted(g for g, pg in self.groups.items() if pg.isv_risk_category)

    @property
    def circular_groups(self) -> list[str]:
        return sorted(g for g, pg in self.groups.items() if pg.is_circular_priority)

    def threshold(self, day: np.datetime64, contract_type: str, authority_class: str) -> float:
        """EU threshold for a contract starting on `day` (inf when no period covers it)."""
        d = str(day)
        for row in self.thresholds:
            if (
                row["contract_type"] == contract_type
                and row["authority_class"] == authority_class
                and row["valid_from"] <= d <= row["valid_to"]
            ):
                return float(row["threshold_eur"])
        return float("inf")


def _contract_type_of(code: str) -> str:
    division = code[:2]
    if division in WORKS_DIVISIONS:
        return "works"
    if division in SERVICES_DIVISIONS:
        return "services"
    return "supplies"


def _truthy(value: str) -> bool:
    return value.strip().lower() in {"true", "1", "yes", "ja", "t", "y"}


def load_reference(reference_dir: Path = REFERENCE_DIR) -> Reference:
    cpv_rows = _read_csv(reference_dir / "cpv_codes.csv")
    codes = np.array([r["code"].zfill(8) for r in cpv_rows])
    checks = np.array([r["check_digit"] for r in cpv_rows])
    desc_nl = np.array([r["description_nl"] or r["description_en"] for r in cpv_rows])
    types = np.array([_contract_type_of(c) for c in codes])

    groups: dict[str, ProductGroup] = {}
    pg_file = reference_dir / "mvi_product_groups.csv"
    prefix_file = reference_dir / "product_group_cpv_prefixes.csv"
    if pg_file.exists() and prefix_file.exists():
        for r in _read_csv(pg_file):
            groups[r["product_group_id"]] = ProductGroup(
                product_group_id=r["product_group_id"],
                name_nl=r["name_nl"],
                isv_risk_category=(r.get("isv_risk_category") or "").strip() or None,
                is_circular_priority=_truthy(r.get("is_circular_priority") or ""),
            )
        for r in _read_csv(prefix_file):
            if r["product_group_id"] in groups:
                groups[r["product_group_id"]].prefixes.append(r["cpv_prefix"].strip())
    else:
        log.warning("product group seeds missing in %s: every CPV is unclassified", reference_dir)

    # longest-prefix product group of every CPV code (as the warehouse computes it)
    cpv_group = np.full(len(codes), "", dtype=object)
    best_len = np.zeros(len(codes), dtype=np.int64)
    for gid, pg in groups.items():
        for prefix in pg.prefixes:
            mask = np.char.startswith(codes.astype(str), prefix) & (len(prefix) > best_len)
            cpv_group[mask] = gid
            best_len[mask] = len(prefix)

    thresholds = _read_csv(reference_dir / "eu_thresholds.csv")
    return Reference(
        cpv_code=codes,
        cpv_check=checks,
        cpv_desc_nl=desc_nl,
        cpv_type=types,
        cpv_group=cpv_group.astype(str),
        groups=groups,
        thresholds=thresholds,
    )
