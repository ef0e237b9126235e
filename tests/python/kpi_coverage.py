"""Which KPIs of the register (docs/kpi_register.md) a landing folder can give a value.

A light Python reading of the KPI definitions, on the rows that `contract_rules` loads: for
every KPI, the (organisation, year) pairs whose numerator is positive (and hence whose
denominator is too). Used to prove that the bundled sample makes every KPI non-trivial for
at least one organisation and year; the warehouse's marts are the real computation.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from datetime import date
from pathlib import Path

from contract_rules import (
    REFERENCE_DIR,
    check_folder,
    clean,
    code,
    cpv8,
    parse_bool,
    parse_date,
    parse_decimal,
    parse_int,
)

KPI_CODES = [
    "GEN-01", "GEN-02", "GEN-03", "GEN-04", "GEN-05", "KLI-01", "KLI-02", "KLI-03", "KLI-04",
    "CIR-01", "CIR-02", "CIR-03", "MIL-01", "MIL-02", "ISV-01", "ISV-02", "ISV-03", "SRO-01",
    "SRO-02", "SRO-03", "SRO-04", "DI-01", "DI-02", "DI-03",
]


def _read(name: str) -> list[dict[str, str]]:
    with (REFERENCE_DIR / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _product_group_isv() -> tuple[dict[str, str], set[str]]:
    prefixes = {r["cpv_prefix"].strip(): r["product_group_id"] for r in _read("product_group_cpv_prefixes.csv")}
    isv = {r["product_group_id"] for r in _read("mvi_product_groups.csv") if (r["isv_risk_category"] or "").strip()}
    return prefixes, isv


def _group_of(cpv: str | None, prefixes: dict[str, str]) -> str | None:
    if cpv is None:
        return None
    for n in range(8, 1, -1):
        if cpv[:n] in prefixes:
            return prefixes[cpv[:n]]
    return None


def _threshold(start: date, ctype: str, authority: str, rows: list[dict[str, str]]) -> float:
    d = start.isoformat()
    for r in rows:
        if r["contract_type"] == ctype and r["authority_class"] == authority and r["valid_from"] <= d <= r["valid_to"]:
            return float(r["threshold_eur"])
    return float("inf")


def _plus_months(d: date, months: int) -> date:
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    for day in (d.day, 30, 29, 28):
        try:
            return date(year, month, day)
        except ValueError:
            continue
    raise ValueError(d)


def _valid_on(certs: list[tuple], d: date) -> bool:
    return any(vf <= d and (vt is None or d <= vt) for vf, vt in certs)


def kpi_cells(folder: Path | str) -> dict[str, set[tuple[str, int]]]:
    """Per KPI: the (organisation_id, year) pairs with a positive numerator."""
    res = check_folder(folder)
    L = {e: r.loaded.to_dict("records") for e, r in res.entities.items()}
    rec = {e: [{k: clean(v) if not k.startswith("_") else v for k, v in row.items()} for row in rows]
           for e, rows in L.items()}
    layer = {o["organisation_id"]: code(o["government_layer"], {"rijk", "provincie", "gemeente", "waterschap", "overig"})
             for o in rec["organisations"]}
    suppliers = {s["supplier_id"]: s for s in rec["suppliers"]}
    contracts = {c["contract_id"]: c for c in rec["contracts"]}
    prefixes, isv_groups = _product_group_isv()
    thresholds = _read("eu_thresholds.csv")
    cells: dict[str, dict[tuple[str, int], float]] = {k: defaultdict(float) for k in KPI_CODES}

    # tenders
    themes: dict[str, set[str]] = defaultdict(set)
    ambition: dict[str, int] = defaultdict(int)
    for c in rec["tender_criteria"]:
        themes[c["tender_id"]].add(code(c["theme"], {"milieu", "klimaat", "circulair", "isv", "diversiteit_inclusie", "social_return"}))
        a = parse_int(c["ambition_level"])
        if a in (1, 2, 3):
            ambition[c["tender_id"]] = max(ambition[c["tender_id"]], a)
    for t in rec["tenders"]:
        if code(t["status"], {"awarded"}) != "awarded":
            continue
        cell = (t["organisation_id"], parse_date(t["award_date"]).year)
        value = next((v for v in (parse_decimal(t["awarded_value_eur"]), parse_decimal(t["estimated_value_eur"]))
                      if v is not None and v >= 0), None)
        th = themes.get(t["tender_id"], set())
        if th:
            cells["GEN-01"][cell] += 1
            cells["GEN-02"][cell] += value or 0
            if ambition.get(t["tender_id"], 0) >= 2:
                cells["GEN-03"][cell] += 1
        for kpi, theme in (("KLI-01", "klimaat"), ("CIR-01", "circulair"), ("MIL-01", "milieu"), ("DI-01", "diversiteit_inclusie")):
            if theme in th:
                cells[kpi][cell] += 1
        if "circulair" in th:
            cells["CIR-02"][cell] += value or 0

    # contracts
    above_isv: dict[str, bool] = {}
    for c in rec["contracts"]:
        start = parse_date(c["start_date"])
        cell = (c["organisation_id"], start.year)
        value = parse_decimal(c["contract_value_eur"])
        ctype = code(c["contract_type"], {"works", "supplies", "services"})
        group = _group_of(cpv8(c["cpv_code"]), prefixes)
        authority = "central" if layer.get(c["organisation_id"]) == "rijk" else "sub_central"
        is_isv = group in isv_groups and value >= _threshold(start, ctype, authority, thresholds)
        clause = parse_bool(c["isv_clause"])
        above_isv[c["contract_id"]] = is_isv and clause is not True
        if is_isv and clause is True:
            cells["ISV-01"][cell] += 1
            cells["ISV-02"][cell] += value
        end = parse_date(c["end_date"])
        obligation = parse_decimal(c["sroi_obligation_eur"]) or 0
        eligible = ctype in ("works", "services") and value >= 250_000 and (end is None or end >= _plus_months(start, 6))
        if eligible and obligation > 0:
            cells["SRO-01"][cell] += 1
        if obligation > 0:
            cells["SRO-02"][cell] += obligation
    realised: dict[str, float] = defaultdict(float)
    for r in rec["social_return_realisations"]:
        c = contracts[r["contract_id"]]
        realised[r["contract_id"]] += parse_decimal(r["realised_value_eur"])
        fte = parse_decimal(r["placements_fte"])
        if fte is not None and fte >= 0:
            cells["SRO-04"][(c["organisation_id"], parse_date(r["period_end"]).year)] += fte
    for cid, c in contracts.items():
        end = parse_date(c["end_date"])
        if end is not None and (parse_decimal(c["sroi_obligation_eur"]) or 0) > 0:
            cells["SRO-03"][(c["organisation_id"], end.year)] += realised.get(cid, 0.0)
    for m in rec["material_reports"]:
        c = contracts[m["contract_id"]]
        cells["CIR-03"][(c["organisation_id"], parse_date(m["period_end"]).year)] += parse_decimal(m["secondary_material_kg"])

    # spend
    certs: dict[tuple[str, str], list[tuple]] = defaultdict(list)
    for c in rec["supplier_certificates"]:
        scheme = code(c["scheme"], {"co2_prestatieladder", "pso", "iso_14001", "emas"})
        level = parse_int(c["level"])
        version = c["ladder_version"] if c["ladder_version"] in ("3.1", "4.0") else None
        period = (parse_date(c["valid_from"]), parse_date(c["valid_to"]))
        if scheme == "co2_prestatieladder" and ((version == "4.0" and level >= 1) or (version != "4.0" and level >= 3)):
            certs[("co2", c["supplier_id"])].append(period)
        if scheme in ("iso_14001", "emas"):
            certs[("iso", c["supplier_id"])].append(period)
        if scheme == "pso" and level >= 1:
            certs[("pso", c["supplier_id"])].append(period)
    for line in rec["invoice_lines"]:
        d = parse_date(line["invoice_date"])
        amount = parse_decimal(line["amount"])
        cell = (line["organisation_id"], d.year)
        sid = line["supplier_id"]
        sup = suppliers.get(sid)
        con = contracts.get(line["contract_id"]) if line["contract_id"] else None
        cells["KLI-02"][cell] += amount
        cells["KLI-03"][cell] += amount
        if con is not None:
            cells["GEN-04"][cell] += amount
            if above_isv.get(line["contract_id"]):
                cells["ISV-03"][cell] += amount
        if sup is not None and code(sup["size_class"], {"micro", "small", "medium"}):
            cells["GEN-05"][cell] += amount
        if _valid_on(certs.get(("co2", sid), []), d):
            cells["KLI-04"][cell] += amount
        if _valid_on(certs.get(("iso", sid), []), d):
            cells["MIL-02"][cell] += amount
        if _valid_on(certs.get(("pso", sid), []), d):
            cells["DI-02"][cell] += amount
        if (sup is not None and parse_bool(sup["is_social_enterprise"]) is True) or (
                con is not None and parse_bool(con["is_reserved"]) is True):
            cells["DI-03"][cell] += amount
    return {k: {cell for cell, v in v_.items() if v > 0} for k, v_ in cells.items()}
