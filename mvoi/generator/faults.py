"""Fault injection for the small entities (everything except invoice lines).

For every rule of the landing contract (entity, reason_code; `mvoi.contract.rules()`) about R of the
entity's rows (at least one) are damaged so that each damaged row violates exactly that one
rule; exact duplicates are added as identical copies of clean rows. The principles that make
"exactly one rule" hold (documented in docs/generator.md):

- a rule that compares two columns (award vs publication date, valid_to vs valid_from,
  end vs start date, secondary vs total material, r_level vs theme, award weight vs kind,
  level vs scheme/version) is only evaluated when the other column is valid; the injector
  never damages a row in a way that leaves such a cross-column rule ambiguous;
- a fatal fault on a parent entity (organisations, suppliers, tenders, contracts) only hits
  a row nobody refers to (`Frame.childless`), so a rejected parent never orphans a child;
- key faults (missing_key, conflicting_duplicate) are fatal and likewise only hit
  unreferenced parent rows; rows with a blank key are never considered duplicates of each
  other (conflicting_duplicate is about non-blank keys).

With R > 0 valid-but-unusual spellings are sprinkled over clean rows too (upper case and
padded codes, `Ja`/`1`/`yes` booleans, the literal `NULL` for missing optional values). They
are not faults and are only counted in the manifest (`cosmetic_values`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from mvoi import contract
from mvoi.generator.reference import Reference
from mvoi.generator.render import Row

PARENT_ENTITIES = {"organisations", "suppliers", "tenders", "contracts"}
TRUE_SPELLINGS = ["TRUE", "True", "1", "yes", "ja", "Ja", "YES"]
FALSE_SPELLINGS = ["FALSE", "False", "0", "no", "nee", "Nee", "NO"]


def load_rules() -> list[dict[str, str]]:
    """The landing contract's rules in contract order, as rows of the landing_rules seed;
    without the rules only a delivery of one organisation can break (a generated folder is
    one multi-organisation delivery)."""
    return [r.as_row() for r in contract.rules() if not r.delivery_only]


def rules_by_entity() -> dict[str, list[dict[str, str]]]:
    out: dict[str, list[dict[str, str]]] = {}
    for r in load_rules():
        out.setdefault(r["entity"], []).append(r)
    return out


def fault_count(rate: float, n_rows: int) -> int:
    """Rows to damage per rule: about rate x rows, at least one when rate > 0."""
    if rate <= 0 or n_rows == 0:
        return 0
    return max(1, int(round(rate * n_rows)))


# ---------------------------------------------------------------------------------------
# realistic bad spellings


def bad_date(rng: np.random.Generator, iso: str | None) -> str:
    iso = iso or "2024-12-31"
    y, m, d = iso.strip().split("-")
    return str(rng.choice([f"{d}-{m}-{y}", f"{d}-{m}-{y}", f"{y}/{m}/{d}", f"{int(d)}-{int(m)}-{y}", f"{y}{m}{d}"]))


def dutch_amount(value: str) -> str:
    """'1234567.80' -> '1.234.567,80' (the spelling Dutch spreadsheets export)."""
    v = value.strip()
    sign = "-" if v.startswith("-") else ""
    v = v.lstrip("-")
    whole, _, frac = v.partition(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    return f"{sign}{'.'.join(groups)},{frac or '00'}"


def bad_amount(rng: np.random.Generator, value: str | None, allow_negative: bool = True,
               allow_missing: bool = True) -> str:
    value = value or "1250.00"
    options = [dutch_amount(value), dutch_amount(value), f"€ {value}", f"{value} EUR"]
    if allow_negative:
        options.append("-" + value.lstrip("-"))
    if allow_missing:
        options.append("")
    return str(rng.choice(options))


def bad_cpv(rng: np.random.Generator, code: str) -> str:
    digits = code.split("-")[0]
    return str(rng.choice([f"{digits}.0", digits[:7], "99999999", f"CPV {digits}", f"{digits}-"]))


def wrong_check_digit(ref: Reference, code: str) -> str:
    digits = code.split("-")[0]
    pos = int(np.searchsorted(ref.cpv_code, digits))
    check = int(ref.cpv_check[pos])
    return f"{digits}-{(check + 1 + (pos % 8)) % 10}"


def blank(rng: np.random.Generator) -> str:
    return str(rng.choice(["", "", "NULL", "  ", "null"]))


def unknown_oin(rng: np.random.Generator) -> str:
    # prefix 00000099 is never used by the generator: a well-formed but unknown OIN
    return f"00000099{rng.integers(0, 10**9):09d}000"


# ---------------------------------------------------------------------------------------
# fault specifications


@dataclass
class Spec:
    eligible: Callable[[Row], bool]
    apply: Callable[[Row, np.random.Generator], None]


def _set(col: str, fn: Callable[[Row, np.random.Generator], str]) -> Callable[[Row, np.random.Generator], None]:
    def apply(row: Row, rng: np.random.Generator) -> None:
        row[col] = fn(row, rng)
    return apply


def _always(_row: Row) -> bool:
    return True


def _present(col: str) -> Callable[[Row], bool]:
    return lambda row: row[col] is not None


def _choice(*values: str) -> Callable[[Row, np.random.Generator], str]:
    return lambda _row, rng: str(rng.choice(list(values)))


def specs_for(entity: str, ref: Reference, d1: str) -> dict[str, Spec]:
    """Per reason code: which rows may take the fault and how the row is damaged."""
    cpv_bad = Spec(_always, _set("cpv_code", lambda r, rng: bad_cpv(rng, r["cpv_code"] or "30192000")))
    cpv_check = Spec(_present("cpv_code"), _set("cpv_code", lambda r, rng: wrong_check_digit(ref, r["cpv_code"])))
    if entity == "organisations":
        return {
            "invalid_organisation_id": Spec(_always, _set("organisation_id", lambda r, rng: str(rng.choice([
                r["organisation_id"].lstrip("0"), r["organisation_id"][:-3], "NL" + r["organisation_id"][2:],
                r["organisation_id"] + "0"])))),
            "missing_name": Spec(_always, _set("name", lambda r, rng: blank(rng))),
            "invalid_government_layer": Spec(_always, _set("government_layer", _choice(
                "gemeentelijk", "ministerie", "", "Gemeenschappelijke regeling", "zbo"))),
            "unknown_parent_organisation_id": Spec(_always, _set("parent_organisation_id", lambda r, rng: unknown_oin(rng))),
        }
    if entity == "suppliers":
        return {
            "missing_name": Spec(_always, _set("name", lambda r, rng: blank(rng))),
            "invalid_kvk_number": Spec(lambda r: r["country_code"] != "NL", _set("kvk_number", lambda r, rng: str(rng.choice([
                f"{rng.integers(1_000_000, 9_999_999)}", f"{rng.integers(10_000_000, 99_999_999)}.0",
                f"KvK {rng.integers(10_000_000, 99_999_999)}", f"{rng.integers(100_000_000, 999_999_999)}"])))),
            "missing_kvk_number": Spec(lambda r: r["country_code"] == "NL", _set("kvk_number", lambda r, rng: blank(rng))),
            "invalid_country_code": Spec(lambda r: r["country_code"] == "NL" and r["kvk_number"] is not None,
                                         _set("country_code", _choice("NLD", "Nederland", "N.L.", "Holland"))),
            "invalid_size_class": Spec(_always, _set("size_class", _choice("mkb", "groot", "", "zzp", "XL", "MKB+"))),
            "invalid_is_social_enterprise": Spec(_always, _set("is_social_enterprise", _choice("onbekend", "2", "n.v.t.", "x", "wel"))),
        }
    if entity == "supplier_certificates":
        def bad_level(r: Row, rng: np.random.Generator) -> str:
            scheme, version = r["scheme"], r["ladder_version"]
            if scheme == "co2_prestatieladder" and version == "4.0":
                return str(rng.choice(["4", "5", "0", "twee"]))
            if scheme == "co2_prestatieladder":
                return str(rng.choice(["6", "0", "2.5", "drie"]))
            if scheme == "pso":
                return str(rng.choice(["4", "-1", "1.5"]))
            return str(rng.choice(["1", "3"]))  # iso_14001 / emas carry no level

        def before_from(r: Row, rng: np.random.Generator) -> str:
            d = np.datetime64(r["valid_from"]) - np.int64(rng.integers(1, 400))
            return str(d)

        return {
            "unknown_supplier_id": Spec(_always, _set("supplier_id", lambda r, rng: str(rng.choice([
                f"V{9_000_000 + int(rng.integers(0, 999_999))}", "", "NULL"])))),
            "invalid_scheme": Spec(lambda r: r["scheme"] in ("iso_14001", "emas"),
                                   _set("scheme", _choice("ISO14001", "iso-14001", "EMAS-registratie", "fsc", "iso 14001"))),
            "invalid_ladder_version": Spec(
                lambda r: (r["scheme"] == "co2_prestatieladder" and r["level"] in ("1", "2", "3")) or r["scheme"] == "pso",
                _set("ladder_version", lambda r, rng: str(rng.choice(["3.0", "v4", "2.2", "ladder 3"]))
                     if r["scheme"] == "co2_prestatieladder" else "3.1")),
            "invalid_level": Spec(_always, _set("level", bad_level)),
            "invalid_valid_from": Spec(_always, _set("valid_from", lambda r, rng: str(rng.choice(
                [bad_date(rng, r["valid_from"]), ""])))),
            "invalid_valid_to": Spec(_present("valid_to"), _set("valid_to", lambda r, rng: bad_date(rng, r["valid_to"]))),
            "valid_to_before_valid_from": Spec(_always, _set("valid_to", before_from)),
        }
    if entity == "tenders":
        def award_date_fault(r: Row, rng: np.random.Generator) -> None:
            r["status"] = "awarded"
            r["award_date"] = blank(rng)

        def pub_after_award(r: Row, rng: np.random.Generator) -> None:
            r["publication_date"] = str(min(np.datetime64(r["award_date"]) + np.int64(rng.integers(3, 40)), np.datetime64(d1)))

        return {
            "unknown_organisation_id": Spec(_always, _set("organisation_id", lambda r, rng: str(rng.choice([unknown_oin(rng), ""])))),
            "missing_title": Spec(_always, _set("title", lambda r, rng: blank(rng))),
            "invalid_cpv_code": cpv_bad,
            "cpv_check_digit_mismatch": cpv_check,
            "invalid_contract_type": Spec(_always, _set("contract_type", _choice("werken", "diensten", "leveringen", "", "ict"))),
            "invalid_procedure": Spec(_always, _set("procedure", _choice("openbaar", "europees openbaar", "meervoudig onderhands", "onderhands"))),
            "invalid_publication_date": Spec(_present("publication_date"), _set("publication_date", lambda r, rng: bad_date(rng, r["publication_date"]))),
            "invalid_award_date": Spec(lambda r: r["status"] in ("active", "cancelled"),
                                       _set("award_date", lambda r, rng: bad_date(rng, r["publication_date"] or "2023-06-30"))),
            "award_before_publication": Spec(
                lambda r: r["award_date"] is not None and r["publication_date"] is not None and r["award_date"] < d1,
                pub_after_award),
            "invalid_status": Spec(_always, _set("status", _choice("gegund", "open", "", "ingetrokken", "lopend"))),
            "missing_award_date": Spec(_always, award_date_fault),
            "invalid_estimated_value_eur": Spec(_present("estimated_value_eur"), _set("estimated_value_eur",
                                                lambda r, rng: bad_amount(rng, r["estimated_value_eur"], allow_missing=False))),
            "invalid_awarded_value_eur": Spec(_present("awarded_value_eur"), _set("awarded_value_eur",
                                              lambda r, rng: bad_amount(rng, r["awarded_value_eur"], allow_missing=False))),
        }
    if entity == "tender_criteria":
        def bad_weight(r: Row, rng: np.random.Generator) -> str:
            if r["criterion_kind"] == "award_criterion":
                return str(rng.choice(["150", "-5", "20%", "101.5"]))
            return str(rng.choice(["10", "25.0"]))  # a weight on a non-award criterion

        def bad_r_level(r: Row, rng: np.random.Generator) -> str:
            if r["theme"] == "circulair":
                return str(rng.choice(["R10", "R-3", "3", "R 3"]))
            return "R3"  # an R-level on a non-circular criterion

        return {
            "unknown_tender_id": Spec(_always, _set("tender_id", lambda r, rng: str(rng.choice([
                f"T{9_000_000 + int(rng.integers(0, 999_999))}", "", "NULL"])))),
            "invalid_theme": Spec(lambda r: r["r_level"] is None, _set("theme", _choice(
                "sroi", "duurzaamheid", "social return", "klimaatneutraal", "innovatie"))),
            "invalid_criterion_kind": Spec(lambda r: r["award_weight_pct"] is None, _set("criterion_kind", _choice(
                "gunningscriterium", "eis", "award", "", "geschiktheidseis"))),
            "invalid_ambition_level": Spec(_always, _set("ambition_level", _choice("4", "0", "hoog", "2.5"))),
            "invalid_award_weight_pct": Spec(_always, _set("award_weight_pct", bad_weight)),
            "invalid_r_level": Spec(_always, _set("r_level", bad_r_level)),
            "invalid_source": Spec(_always, _set("source", _choice("tenderned", "", "mvi-zet", "handmatig"))),
        }
    if entity == "contracts":
        def end_before(r: Row, rng: np.random.Generator) -> str:
            return str(np.datetime64(r["start_date"]) - np.int64(rng.integers(1, 300)))

        return {
            "unknown_tender_id": Spec(_always, _set("tender_id", lambda r, rng: f"T{9_000_000 + int(rng.integers(0, 999_999))}")),
            "unknown_organisation_id": Spec(_always, _set("organisation_id", lambda r, rng: str(rng.choice([unknown_oin(rng), ""])))),
            "missing_supplier_id": Spec(_always, _set("supplier_id", lambda r, rng: blank(rng))),
            "unknown_supplier_id": Spec(_always, _set("supplier_id", lambda r, rng: f"V{9_000_000 + int(rng.integers(0, 999_999))}")),
            "invalid_cpv_code": cpv_bad,
            "cpv_check_digit_mismatch": cpv_check,
            "invalid_contract_type": Spec(_always, _set("contract_type", _choice("werken", "diensten", "leveringen", "", "raamcontract"))),
            "invalid_start_date": Spec(_always, _set("start_date", lambda r, rng: str(rng.choice([bad_date(rng, r["start_date"]), ""])))),
            "invalid_end_date": Spec(_present("end_date"), _set("end_date", lambda r, rng: bad_date(rng, r["end_date"]))),
            "end_before_start": Spec(_always, _set("end_date", end_before)),
            "invalid_contract_value_eur": Spec(_always, _set("contract_value_eur", lambda r, rng: bad_amount(rng, r["contract_value_eur"]))),
            "invalid_is_framework": Spec(_always, _set("is_framework", _choice("raam", "2", "onbekend", "j/n"))),
            "invalid_isv_clause": Spec(_always, _set("isv_clause", _choice("", "onbekend", "n.v.t.", "NULL", "deels"))),
            "invalid_sroi_obligation_eur": Spec(_always, _set("sroi_obligation_eur", lambda r, rng: str(rng.choice(
                ["5%", "-" + (r["sroi_obligation_eur"] or "1000.00"), dutch_amount(r["sroi_obligation_eur"] or "12500.00")])))),
            "invalid_is_reserved": Spec(_always, _set("is_reserved", _choice("voorbehouden", "2", "onbekend"))),
        }
    if entity == "social_return_realisations":
        return {
            "unknown_contract_id": Spec(_always, _set("contract_id", lambda r, rng: str(rng.choice([
                f"K0000-{int(rng.integers(0, 999_999)):06d}", "", "NULL"])))),
            "invalid_period_end": Spec(_always, _set("period_end", lambda r, rng: str(rng.choice([bad_date(rng, r["period_end"]), ""])))),
            "invalid_realised_value_eur": Spec(_always, _set("realised_value_eur", lambda r, rng: bad_amount(rng, r["realised_value_eur"]))),
            "invalid_placements_fte": Spec(_always, _set("placements_fte", _choice("-1", "twee", "1,5", "-0.5"))),
            "invalid_target_group": Spec(_always, _set("target_group", _choice("statushouders", "wajong", "jongeren", "nuggers"))),
        }
    if entity == "material_reports":
        def bad_total(r: Row, rng: np.random.Generator) -> None:
            choice = int(rng.integers(0, 4))
            if choice == 0:  # zero total: secondary must then be 0 too, so no other rule fires
                r["material_total_kg"], r["secondary_material_kg"] = "0", "0"
            else:
                r["material_total_kg"] = ["", "12 ton", dutch_amount(r["material_total_kg"])][choice - 1]

        def exceeds(r: Row, rng: np.random.Generator) -> str:
            return f"{float(r['material_total_kg']) * rng.uniform(1.05, 1.6) + 1:.1f}"

        return {
            "unknown_contract_id": Spec(_always, _set("contract_id", lambda r, rng: str(rng.choice([
                f"K0000-{int(rng.integers(0, 999_999)):06d}", "", "NULL"])))),
            "invalid_period_end": Spec(_always, _set("period_end", lambda r, rng: str(rng.choice([bad_date(rng, r["period_end"]), ""])))),
            "invalid_material_total_kg": Spec(_always, bad_total),
            "invalid_secondary_material_kg": Spec(_always, _set("secondary_material_kg", _choice("-1", "", "n.b.", "-250.0"))),
            "secondary_exceeds_total": Spec(_always, _set("secondary_material_kg", exceeds)),
        }
    raise KeyError(entity)


# ---------------------------------------------------------------------------------------
# cosmetic (valid) spellings


def _case_variant(rng: np.random.Generator, value: str) -> str:
    return str(rng.choice([value.upper(), value.title(), f" {value} ", f"{value.capitalize()}  "]))


def _bool_variant(rng: np.random.Generator, value: str) -> str:
    return str(rng.choice(TRUE_SPELLINGS if value == "true" else FALSE_SPELLINGS))


COSMETIC: dict[str, dict[str, str]] = {
    # column -> kind of valid variant
    "organisations": {"government_layer": "case", "parent_organisation_id": "null"},
    "suppliers": {"country_code": "lower", "size_class": "case", "is_social_enterprise": "bool", "contact_email": "null"},
    "supplier_certificates": {"scheme": "case", "ladder_version": "null", "valid_to": "null"},
    "tenders": {"contract_type": "case", "status": "case", "publication_date": "pad", "estimated_value_eur": "null"},
    "tender_criteria": {"theme": "case", "criterion_kind": "case", "r_level": "null", "award_weight_pct": "null"},
    "contracts": {"contract_type": "case", "is_framework": "bool", "isv_clause": "bool", "is_reserved": "bool",
                  "sroi_obligation_eur": "null", "end_date": "null"},
    "social_return_realisations": {"placements_fte": "null", "target_group": "null", "period_end": "pad"},
    "material_reports": {"period_end": "pad"},
}


def cosmetic(rng: np.random.Generator, row: Row, column: str, kind: str) -> bool:
    value = row[column]
    if kind == "null":
        if value is not None:
            return False
        row[column] = str(rng.choice(["NULL", "null", "Null"]))
    elif value is None:
        return False
    elif kind == "case":
        row[column] = _case_variant(rng, value)
    elif kind == "lower":
        row[column] = str(rng.choice([value.lower(), f" {value}", f"{value.lower()} "]))
    elif kind == "bool":
        row[column] = _bool_variant(rng, value)
    elif kind == "pad":
        row[column] = f" {value} "
    return True


# ---------------------------------------------------------------------------------------
# injection


@dataclass
class EntityFaults:
    """What was done to one entity: the manifest's view of it."""

    faults: dict[str, dict] = field(default_factory=dict)
    exact_duplicate_keys: dict[str, int] = field(default_factory=dict)
    cosmetic_values: int = 0


def inject(entity: str, key: str, rows: list[Row], childless: np.ndarray, rate: float,
           rng: np.random.Generator, ref: Reference, d1: str) -> tuple[list[Row], EntityFaults]:
    """Damage copies of `rows` per the rules of `entity`; returns the rows to write."""
    result = EntityFaults()
    rules = rules_by_entity()[entity]
    if rate <= 0 or not rows:
        for r in rules:
            result.faults[r["reason_code"]] = {"severity": r["severity"], "column": r["column_name"], "count": 0, "keys": []}
        return rows, result
    n = len(rows)
    k = fault_count(rate, n)
    specs = specs_for(entity, ref, d1)
    specs["missing_key"] = Spec(_always, _set(key, lambda r, g: blank(g)))
    specs["conflicting_duplicate"] = Spec(_always, lambda r, g: None)
    used = np.zeros(n, dtype=bool)
    order = rng.permutation(n)
    is_parent = entity in PARENT_ENTITIES
    extra_rows: list[Row] = []

    # most constrained rules first, so that small pools are not used up by unconstrained ones
    def pool_size(rule: dict[str, str]) -> int:
        spec = specs[rule["reason_code"]]
        needs_childless = is_parent and rule["severity"] == "fatal"
        return sum(1 for i in range(n) if spec.eligible(rows[i]) and (childless[i] or not needs_childless))

    for rule in sorted(rules, key=lambda r: (pool_size(r), r["reason_code"])):
        reason = rule["reason_code"]
        spec = specs[reason]
        needs_childless = is_parent and rule["severity"] == "fatal"
        picked = [int(i) for i in order if not used[i] and spec.eligible(rows[i])
                  and (childless[i] or not needs_childless)][:k]
        keys = []
        for i in picked:
            used[i] = True
            if reason == "conflicting_duplicate":
                twin = dict(rows[i])
                _make_conflicting(entity, twin, rng)
                extra_rows.append(twin)
                keys.append(rows[i][key])
            else:
                spec.apply(rows[i], rng)
                keys.append(None if reason == "missing_key" else (rows[i][key] or "").strip())
        count = len(picked) * (2 if reason == "conflicting_duplicate" else 1)
        entry = {"severity": rule["severity"], "column": rule["column_name"], "count": count,
                 "keys": sorted(k_ for k_ in keys if k_ is not None)}
        if reason == "missing_key":
            entry["note"] = "the key is blank, so the rows carry no key; compare counts"
        result.faults[reason] = entry

    # cosmetic (valid) spellings on clean rows
    cos = COSMETIC.get(entity, {})
    for i in np.flatnonzero(~used):
        if cos and rng.random() < min(1.0, 3 * rate):
            column = list(cos)[int(rng.integers(0, len(cos)))]
            result.cosmetic_values += cosmetic(rng, rows[i], column, cos[column])

    # exact duplicates: identical copies of clean rows
    clean = [int(i) for i in order if not used[i]]
    for i in clean[:k]:
        copies = 1 if rng.random() < 0.85 else 2
        used[i] = True
        result.exact_duplicate_keys[rows[i][key]] = copies
        extra_rows.extend(dict(rows[i]) for _ in range(copies))
    return rows + extra_rows, result


def _make_conflicting(entity: str, row: Row, rng: np.random.Generator) -> None:
    """Same key, different (still valid) content."""
    if entity in ("organisations", "suppliers"):
        row["name"] = f"{row['name']} (oud)"
    elif entity == "supplier_certificates":
        row["valid_from"] = str(np.datetime64(row["valid_from"]) - np.int64(1))
    elif entity == "tenders":
        row["title"] = f"{row['title']} (herzien)"
    elif entity == "tender_criteria":
        row["source"] = "inferred" if row["source"] != "inferred" else "self_registration"
    elif entity == "contracts":
        row["contract_value_eur"] = f"{float(row['contract_value_eur']) + 1000:.2f}"
    elif entity == "social_return_realisations":
        row["realised_value_eur"] = f"{float(row['realised_value_eur']) + 100:.2f}"
    elif entity == "material_reports":
        row["material_total_kg"] = f"{float(row['material_total_kg']) + 10:.1f}"
    else:
        raise KeyError(entity)
