"""An independent Python reading of the landing contract (docs/landing_contract.md).

`check_folder(DIR)` reads the nine landing files (CSV or Parquet, every value as text) and
gives every raw row its outcome the way the contract describes it: exact duplicates removed
first, then per row the fatal reasons and warnings (reason codes of
seeds/reference/landing_rules.csv), references checked against the *loaded* rows of the
referenced entity. The generator's tests hold the generated data and its fault manifest to
this; the warehouse's staging models must agree with it.

Interpretations where the contract leaves room (the generator never depends on them, because
it never produces a row where they matter; they are listed in docs/generator.md):

- a rule that compares two columns is only evaluated when both columns are valid;
- "missing" means not given (blank or NULL): an invalid kvk_number is `invalid_kvk_number`
  only, never also `missing_kvk_number`; an invalid award_date on an awarded tender would be
  both `invalid_award_date` and `missing_award_date` (the generator does not produce one);
- rows with a blank key are `missing_key` and never conflicting duplicates of each other.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

PROJECT_DIR = Path(__file__).resolve().parents[2]
REFERENCE_DIR = PROJECT_DIR / "seeds" / "reference"

ENTITY_ORDER = [
    "organisations", "suppliers", "supplier_certificates", "tenders", "tender_criteria",
    "contracts", "invoice_lines", "social_return_realisations", "material_reports",
]
KEYS = {
    "organisations": "organisation_id", "suppliers": "supplier_id",
    "supplier_certificates": "certificate_id", "tenders": "tender_id",
    "tender_criteria": "criterion_id", "contracts": "contract_id",
    "invoice_lines": "invoice_line_id", "social_return_realisations": "realisation_id",
    "material_reports": "report_id",
}

LAYERS = {"rijk", "provincie", "gemeente", "waterschap", "overig"}
SIZE_CLASSES = {"micro", "small", "medium", "large"}
SCHEMES = {"co2_prestatieladder", "pso", "iso_14001", "emas"}
CONTRACT_TYPES = {"works", "supplies", "services"}
PROCEDURES = {"open", "restricted", "negotiated", "competitive_dialogue", "innovation_partnership",
              "national_open", "private", "single_source"}
STATUSES = {"planned", "active", "awarded", "cancelled"}
THEMES = {"milieu", "klimaat", "circulair", "isv", "diversiteit_inclusie", "social_return"}
KINDS = {"selection_criterion", "minimum_requirement", "award_criterion", "contract_clause", "declared_objective"}
SOURCES = {"eforms", "self_registration", "inferred"}
TARGET_GROUPS = {"participatiewet", "banenafspraak", "ww", "bbl", "other"}
BOOL_TRUE = {"true", "1", "yes", "ja"}
BOOL_FALSE = {"false", "0", "no", "nee"}
ISO_COUNTRIES = set("""
AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS
BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE
EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM
HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC
LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA
NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW
SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO
TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW
""".split())

OIN_RE = re.compile(r"^[0-9]{20}$")
KVK_RE = re.compile(r"^[0-9]{8}$")
CPV_RE = re.compile(r"^([0-9]{8})(-([0-9]))?$")
DATE_RE = re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})$")
DECIMAL_RE = re.compile(r"^-?[0-9]+(\.[0-9]+)?$")
INT_RE = re.compile(r"^-?[0-9]+$")
R_LEVEL_RE = re.compile(r"^R[0-9]$")


def _load_cpv() -> dict[str, str]:
    with (REFERENCE_DIR / "cpv_codes.csv").open(encoding="utf-8", newline="") as fh:
        return {r["code"].zfill(8): r["check_digit"] for r in csv.DictReader(fh)}


CPV = _load_cpv()


# ---------------------------------------------------------------------------------------
# value parsing (None = missing or invalid)


def clean(v) -> str | None:
    if v is None:
        return None
    s = str(v).strip()
    if s == "" or s.upper() == "NULL":
        return None
    return s


def parse_date(s: str | None) -> date | None:
    if s is None:
        return None
    m = DATE_RE.match(s)
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def parse_decimal(s: str | None) -> float | None:
    if s is None or not DECIMAL_RE.match(s):
        return None
    return float(s)


def parse_int(s: str | None) -> int | None:
    if s is None or not INT_RE.match(s):
        return None
    return int(s)


def parse_bool(s: str | None) -> bool | None:
    if s is None:
        return None
    low = s.lower()
    if low in BOOL_TRUE:
        return True
    if low in BOOL_FALSE:
        return False
    return None


def code(s: str | None, allowed: set[str]) -> str | None:
    if s is None:
        return None
    low = s.lower()
    return low if low in allowed else None


def cpv_status(s: str | None) -> str | None:
    """None when missing or valid; else 'invalid_cpv_code' or 'cpv_check_digit_mismatch'."""
    if s is None:
        return None
    m = CPV_RE.match(s)
    if not m or m.group(1) not in CPV:
        return "invalid_cpv_code"
    if m.group(3) is not None and m.group(3) != CPV[m.group(1)]:
        return "cpv_check_digit_mismatch"
    return None


def cpv8(s: str | None) -> str | None:
    if s is None:
        return None
    m = CPV_RE.match(s)
    return m.group(1) if m and m.group(1) in CPV else None


# ---------------------------------------------------------------------------------------
# reading


def read_entity(folder: Path, entity: str) -> pd.DataFrame | None:
    csv_path, pq_path = folder / f"{entity}.csv", folder / f"{entity}.parquet"
    if csv_path.exists():
        df = pd.read_csv(csv_path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    elif pq_path.exists():
        df = pq.read_table(pq_path).to_pandas()
        df = df.astype(object).where(df.notna(), "")
        df = df.map(lambda v: "" if v is None else str(v))
    else:
        return None
    df.columns = [c.strip().lower() for c in df.columns]
    return df


@dataclass
class EntityResult:
    raw_rows: int
    exact_duplicates_removed: int
    exact_duplicate_keys: dict[str, int]  # key -> extra copies removed
    rows: pd.DataFrame  # after exact-duplicate removal: original columns + _key, _fatal, _warnings

    @property
    def loaded(self) -> pd.DataFrame:
        return self.rows[self.rows["_fatal"].map(len) == 0]

    @property
    def rejected(self) -> pd.DataFrame:
        return self.rows[self.rows["_fatal"].map(len) > 0]

    def keys_by_reason(self) -> dict[str, list[str | None]]:
        out: dict[str, list[str | None]] = {}
        for key, fatal, warns in zip(self.rows["_key"], self.rows["_fatal"], self.rows["_warnings"], strict=False):
            for r in list(fatal) + list(warns):
                out.setdefault(r, []).append(key)
        return out


@dataclass
class FolderResult:
    entities: dict[str, EntityResult] = field(default_factory=dict)


def check_folder(folder: Path | str) -> FolderResult:
    folder = Path(folder)
    result = FolderResult()
    loaded_keys: dict[str, set[str]] = {}
    for entity in ENTITY_ORDER:
        df = read_entity(folder, entity)
        if df is None:
            df = pd.DataFrame(columns=[KEYS[entity]])
        res = _check_entity(entity, df, loaded_keys)
        result.entities[entity] = res
        loaded_keys[entity] = set(res.loaded["_key"].dropna())
    return result


def _check_rows(entity: str, raw: pd.DataFrame, loaded: dict[str, set[str]]) -> EntityResult:
    key_col = KEYS[entity]
    raw_rows = len(raw)
    dup_mask = raw.duplicated(keep="first")
    dup_keys: dict[str, int] = {}
    for k in raw.loc[dup_mask, key_col]:
        dup_keys[str(k).strip()] = dup_keys.get(str(k).strip(), 0) + 1
    df = raw.loc[~dup_mask].reset_index(drop=True)
    records = [{c: clean(v) for c, v in row.items()} for row in df.to_dict("records")]
    keys = [r.get(key_col) for r in records]
    counts: dict[str, int] = {}
    for k in keys:
        if k is not None:
            counts[k] = counts.get(k, 0) + 1
    fatal_all, warn_all = [], []
    checker = CHECKS[entity]
    for r, k in zip(records, keys, strict=False):
        fatal: list[str] = []
        warns: list[str] = []
        if k is None:
            fatal.append("missing_key")
        elif counts[k] > 1:
            fatal.append("conflicting_duplicate")
        checker(r, fatal, warns, loaded)
        fatal_all.append(fatal)
        warn_all.append(warns)
    df["_key"] = keys
    df["_fatal"] = fatal_all
    df["_warnings"] = warn_all
    return EntityResult(raw_rows=raw_rows, exact_duplicates_removed=int(dup_mask.sum()),
                        exact_duplicate_keys=dup_keys, rows=df)


# ---------------------------------------------------------------------------------------
# per-entity rules


def _organisations(r, fatal, warns, loaded):
    oid = r.get("organisation_id")
    if oid is not None and not OIN_RE.match(oid):
        fatal.append("invalid_organisation_id")
    if r.get("name") is None:
        fatal.append("missing_name")
    if code(r.get("government_layer"), LAYERS) is None:
        fatal.append("invalid_government_layer")
    # parent_organisation_id: checked against the loaded organisations in _check_entity


def _suppliers(r, fatal, warns, loaded):
    if r.get("name") is None:
        warns.append("missing_name")
    kvk = r.get("kvk_number")
    country_raw = r.get("country_code")
    country = country_raw.upper() if country_raw is not None and country_raw.upper() in ISO_COUNTRIES else None
    if kvk is not None and not KVK_RE.match(kvk):
        warns.append("invalid_kvk_number")
    if kvk is None and country == "NL":
        warns.append("missing_kvk_number")
    if country_raw is not None and country is None:
        warns.append("invalid_country_code")
    if code(r.get("size_class"), SIZE_CLASSES) is None:
        warns.append("invalid_size_class")
    if r.get("is_social_enterprise") is not None and parse_bool(r.get("is_social_enterprise")) is None:
        warns.append("invalid_is_social_enterprise")


def _certificates(r, fatal, warns, loaded):
    sid = r.get("supplier_id")
    if sid is None or sid not in loaded["suppliers"]:
        fatal.append("unknown_supplier_id")
    scheme = code(r.get("scheme"), SCHEMES)
    if scheme is None:
        fatal.append("invalid_scheme")
    version_raw = r.get("ladder_version")
    version = version_raw if version_raw in ("3.1", "4.0") else None
    if version_raw is not None and (version is None or (scheme is not None and scheme != "co2_prestatieladder")):
        warns.append("invalid_ladder_version")
        version = None
    level_raw = r.get("level")
    level = parse_int(level_raw)
    bad_level = level_raw is not None and level is None
    if scheme == "co2_prestatieladder":
        hi = 3 if version == "4.0" else 5
        bad_level = level is None or not 1 <= level <= hi
    elif scheme == "pso":
        bad_level = level is None or not 0 <= level <= 3
    elif scheme in ("iso_14001", "emas"):
        bad_level = level_raw is not None
    if bad_level:
        fatal.append("invalid_level")
    vf = parse_date(r.get("valid_from"))
    if vf is None:
        fatal.append("invalid_valid_from")
    vt_raw = r.get("valid_to")
    vt = parse_date(vt_raw)
    if vt_raw is not None and vt is None:
        warns.append("invalid_valid_to")
    if vf is not None and vt is not None and vt < vf:
        fatal.append("valid_to_before_valid_from")


def _cpv(r, warns):
    status = cpv_status(r.get("cpv_code"))
    if status:
        warns.append(status)


def _tenders(r, fatal, warns, loaded):
    oid = r.get("organisation_id")
    if oid is None or oid not in loaded["organisations"]:
        fatal.append("unknown_organisation_id")
    if r.get("title") is None:
        warns.append("missing_title")
    _cpv(r, warns)
    if code(r.get("contract_type"), CONTRACT_TYPES) is None:
        fatal.append("invalid_contract_type")
    if r.get("procedure") is not None and code(r.get("procedure"), PROCEDURES) is None:
        warns.append("invalid_procedure")
    pub_raw, award_raw = r.get("publication_date"), r.get("award_date")
    pub, award = parse_date(pub_raw), parse_date(award_raw)
    if pub_raw is not None and pub is None:
        warns.append("invalid_publication_date")
    if award_raw is not None and award is None:
        warns.append("invalid_award_date")
    if pub is not None and award is not None and award < pub:
        warns.append("award_before_publication")
    status = code(r.get("status"), STATUSES)
    if status is None:
        fatal.append("invalid_status")
    elif status == "awarded" and award is None:
        fatal.append("missing_award_date")
    for col in ("estimated_value_eur", "awarded_value_eur"):
        raw = r.get(col)
        v = parse_decimal(raw)
        if raw is not None and (v is None or v < 0):
            warns.append(f"invalid_{col}")


def _criteria(r, fatal, warns, loaded):
    tid = r.get("tender_id")
    if tid is None or tid not in loaded["tenders"]:
        fatal.append("unknown_tender_id")
    theme = code(r.get("theme"), THEMES)
    if theme is None:
        fatal.append("invalid_theme")
    kind = code(r.get("criterion_kind"), KINDS)
    if kind is None:
        fatal.append("invalid_criterion_kind")
    amb = r.get("ambition_level")
    if amb is not None and parse_int(amb) not in (1, 2, 3):
        warns.append("invalid_ambition_level")
    w_raw = r.get("award_weight_pct")
    if w_raw is not None:
        w = parse_decimal(w_raw)
        if w is None or not 0 <= w <= 100 or (kind is not None and kind != "award_criterion"):
            warns.append("invalid_award_weight_pct")
    rl = r.get("r_level")
    if rl is not None and (not R_LEVEL_RE.match(rl.upper()) or (theme is not None and theme != "circulair")):
        warns.append("invalid_r_level")
    if code(r.get("source"), SOURCES) is None:
        warns.append("invalid_source")


def _contracts(r, fatal, warns, loaded):
    tid = r.get("tender_id")
    if tid is not None and tid not in loaded["tenders"]:
        warns.append("unknown_tender_id")
    oid = r.get("organisation_id")
    if oid is None or oid not in loaded["organisations"]:
        fatal.append("unknown_organisation_id")
    sid = r.get("supplier_id")
    if sid is None:
        warns.append("missing_supplier_id")
    elif sid not in loaded["suppliers"]:
        warns.append("unknown_supplier_id")
    _cpv(r, warns)
    if code(r.get("contract_type"), CONTRACT_TYPES) is None:
        fatal.append("invalid_contract_type")
    start = parse_date(r.get("start_date"))
    if start is None:
        fatal.append("invalid_start_date")
    end_raw = r.get("end_date")
    end = parse_date(end_raw)
    if end_raw is not None and end is None:
        warns.append("invalid_end_date")
    if start is not None and end is not None and end < start:
        fatal.append("end_before_start")
    v = parse_decimal(r.get("contract_value_eur"))
    if v is None or v < 0:
        fatal.append("invalid_contract_value_eur")
    for col in ("is_framework", "is_reserved"):
        if r.get(col) is not None and parse_bool(r.get(col)) is None:
            warns.append(f"invalid_{col}")
    if parse_bool(r.get("isv_clause")) is None:
        warns.append("invalid_isv_clause")
    s_raw = r.get("sroi_obligation_eur")
    s = parse_decimal(s_raw)
    if s_raw is not None and (s is None or s < 0):
        warns.append("invalid_sroi_obligation_eur")


def _invoice_lines(r, fatal, warns, loaded):
    if r.get("invoice_number") is None:
        warns.append("missing_invoice_number")
    oid = r.get("organisation_id")
    if oid is None or oid not in loaded["organisations"]:
        fatal.append("unknown_organisation_id")
    sid = r.get("supplier_id")
    if sid is None:
        fatal.append("missing_supplier_id")
    elif sid not in loaded["suppliers"]:
        warns.append("unknown_supplier_id")
    cid = r.get("contract_id")
    if cid is not None and cid not in loaded["contracts"]:
        warns.append("unknown_contract_id")
    if parse_date(r.get("invoice_date")) is None:
        fatal.append("invalid_invoice_date")
    if parse_decimal(r.get("amount")) is None:
        fatal.append("invalid_amount")
    cur = r.get("currency")
    if cur is None or cur.upper() != "EUR":
        fatal.append("unsupported_currency")
    _cpv(r, warns)


def _realisations(r, fatal, warns, loaded):
    cid = r.get("contract_id")
    if cid is None or cid not in loaded["contracts"]:
        fatal.append("unknown_contract_id")
    if parse_date(r.get("period_end")) is None:
        fatal.append("invalid_period_end")
    v = parse_decimal(r.get("realised_value_eur"))
    if v is None or v < 0:
        fatal.append("invalid_realised_value_eur")
    p_raw = r.get("placements_fte")
    p = parse_decimal(p_raw)
    if p_raw is not None and (p is None or p < 0):
        warns.append("invalid_placements_fte")
    if r.get("target_group") is not None and code(r.get("target_group"), TARGET_GROUPS) is None:
        warns.append("invalid_target_group")


def _materials(r, fatal, warns, loaded):
    cid = r.get("contract_id")
    if cid is None or cid not in loaded["contracts"]:
        fatal.append("unknown_contract_id")
    if parse_date(r.get("period_end")) is None:
        fatal.append("invalid_period_end")
    total = parse_decimal(r.get("material_total_kg"))
    total_ok = total is not None and total > 0
    if not total_ok:
        fatal.append("invalid_material_total_kg")
    sec = parse_decimal(r.get("secondary_material_kg"))
    sec_ok = sec is not None and sec >= 0
    if not sec_ok:
        fatal.append("invalid_secondary_material_kg")
    if total_ok and sec_ok and sec > total:
        fatal.append("secondary_exceeds_total")


CHECKS = {
    "organisations": _organisations, "suppliers": _suppliers, "supplier_certificates": _certificates,
    "tenders": _tenders, "tender_criteria": _criteria, "contracts": _contracts,
    "invoice_lines": _invoice_lines, "social_return_realisations": _realisations,
    "material_reports": _materials,
}


def _check_entity(entity: str, raw: pd.DataFrame, loaded: dict[str, set[str]]) -> EntityResult:
    res = _check_rows(entity, raw, loaded)
    if entity == "organisations" and "parent_organisation_id" in res.rows:
        # the parent reference is checked against the loaded organisations of the same file
        rows = res.rows
        ok = {k for k, f in zip(rows["_key"], rows["_fatal"], strict=False) if not f and k is not None}
        for i, parent in enumerate(rows["parent_organisation_id"]):
            p = clean(parent)
            if p is not None and p not in ok:
                rows.at[i, "_warnings"] = list(rows.at[i, "_warnings"]) + ["unknown_parent_organisation_id"]
    return res
