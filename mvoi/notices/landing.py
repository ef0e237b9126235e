"""Notices -> the landing entities (tenders, tender_criteria, contracts, suppliers, organisations).

The rules (docs/notices.md has them in prose):

- Notices are grouped by procedure (BT-04) and ordered by issue date, then kind (competition <
  result < modification), then notice version; a notice seen twice (same id and version) counts once.
- Tenders are lots: a lot's fields come from the latest notice that mentions the lot; a field
  that notice leaves empty keeps the value of the latest earlier notice that gives it (the
  publication date is the issue date of the first competition notice). Contracts are merged by
  contract id the same way: a later award or modification notice replaces a contract it repeats.
- A buyer gets its OIN and government layer from `notice_buyer_map.csv` or derives them
  (`resolve_buyer`); a procedure whose buyer cannot be resolved is quarantined: none of its
  rows is written, and the report lists it with the reason.
- A row the landing contract would reject (no contract type, no EUR contract value, no winner)
  is left out and reported, never written to fail later.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv

from mvoi import contract
from mvoi.notices.model import Award, Notice, Objective, Party
from mvoi.paths import PROJECT_DIR

SEEDS = PROJECT_DIR / "seeds" / "reference"
THEME_MAP = SEEDS / "notice_theme_map.csv"
BUYER_MAP = SEEDS / "notice_buyer_map.csv"
REPORT_FILE = "_notices_report.json"
ENTITIES = ("organisations", "suppliers", "tenders", "tender_criteria", "contracts", "invoice_lines")

# BT-105 procedure type -> the landing contract's procedure (others: null)
PROCEDURES = {
    "open": "open", "restricted": "restricted", "neg-w-call": "negotiated", "neg-wo-call": "negotiated",
    "comp-dial": "competitive_dialogue", "innovation": "innovation_partnership",
}
# BT-11 buyer legal type -> government layer, only where that is unambiguous for a Dutch buyer
LAYERS = {"cga": "rijk", "la": "gemeente"}
SIZES = {"micro", "small", "medium", "large"}  # BT-165 codes the contract has (sme: none)
NATURES = {"works", "supplies", "services"}
RESERVED = {"res-pub-ser", "res-ws"}  # BT-71 codes that reserve the lot


def _norm_id(value: str | None) -> str:
    """An organisation identifier as compared: no spaces, dots or dashes, upper case."""
    return re.sub(r"[\s.\-]", "", value or "").upper()


def _norm_name(value: str | None) -> str:
    return " ".join((value or "").split()).casefold()


def load_theme_map(path: Path = THEME_MAP) -> dict[tuple[str, str], str | None]:
    """(BT, eForms code) -> MVOI theme, or None for a code kept without a theme."""
    with path.open(encoding="utf-8", newline="") as fh:
        return {(r["bt"], r["code"]): (r["theme"] or None) for r in csv.DictReader(fh)}


@dataclass(frozen=True)
class BuyerMapping:
    buyer_identifier: str
    buyer_name: str
    organisation_id: str | None
    name: str | None
    government_layer: str | None

    def matches(self, party: Party) -> bool:
        if self.buyer_identifier and _norm_id(self.buyer_identifier) != _norm_id(party.identifier):
            return False
        if self.buyer_name and _norm_name(self.buyer_name) != _norm_name(party.name):
            return False
        return bool(self.buyer_identifier or self.buyer_name)


def load_buyer_map(path: Path = BUYER_MAP) -> list[BuyerMapping]:
    """The buyer map, most specific rows (identifier and name) first."""
    with path.open(encoding="utf-8", newline="") as fh:
        rows = [BuyerMapping(r["buyer_identifier"].strip(), r["buyer_name"].strip(),
                             r["organisation_id"].strip() or None, r["name"].strip() or None,
                             r["government_layer"].strip() or None) for r in csv.DictReader(fh)]
    return sorted(rows, key=lambda m: not (m.buyer_identifier and m.buyer_name))


def derive_oin(party: Party) -> str | None:
    """The OIN of a Dutch buyer from its BT-501 identifier (Logius OIN scheme): an OIN as is,
    an 8-digit KvK number as 00000003 + KvK + 0000, a 9-digit RSIN as 00000001 + RSIN + 000."""
    if party.country != "NL":
        return None
    ident = _norm_id(party.identifier)
    if not ident.isdigit():
        return None
    return {20: ident, 8: f"00000003{ident}0000", 9: f"00000001{ident}000"}.get(len(ident))


def resolve_buyer(party: Party, mappings: list[BuyerMapping]) -> tuple[str, str, str] | str:
    """(OIN, government layer, name) of a buyer, or the reason it cannot be resolved."""
    mapping = next((m for m in mappings if m.matches(party)), None)
    oin = (mapping.organisation_id if mapping else None) or derive_oin(party)
    layer = LAYERS.get(party.legal_type or "") or (mapping.government_layer if mapping else None)
    name = (mapping.name if mapping else None) or party.name
    missing = []
    if oin is None:
        missing.append("no OIN (not in notice_buyer_map.csv and no Dutch KvK/RSIN/OIN in BT-501)")
    if layer is None:
        missing.append(f"no government layer (BT-11 {party.legal_type or 'missing'} is not unambiguous "
                       "and notice_buyer_map.csv gives none)")
    if not name:
        missing.append("no name (BT-500)")
    return "; ".join(missing) if missing else (oin, layer, name)


def _amount(value: str | None, currency: str | None) -> tuple[str | None, str | None]:
    """(amount as the generator writes money, note): only EUR is taken (no exchange rates)."""
    if value is None:
        return None, None
    if (currency or "EUR").upper() != "EUR":
        return None, f"value {value} {currency} is not in EUR (no exchange rate: left empty)"
    try:
        amount = Decimal(value)
    except InvalidOperation:
        return None, f"value {value!r} is not a number"
    return str(amount.quantize(Decimal("0.01"), ROUND_HALF_UP)), None


@dataclass
class Procedure:
    procedure_id: str
    notices: list[Notice] = field(default_factory=list)

    @property
    def latest(self) -> Notice:
        return self.notices[-1]

    def lot_field(self, lot_id: str, name: str):
        """The lot's field from the latest notice that mentions the lot and gives the field."""
        for notice in reversed(self.notices):
            for lot in notice.lots:
                if lot.lot_id == lot_id and getattr(lot, name):
                    return getattr(lot, name), notice
        return None, None

    def lot_ids(self) -> list[str]:
        seen = []
        for notice in self.notices:
            seen += [lot.lot_id for lot in notice.lots if lot.lot_id not in seen]
        return seen

    def awards(self) -> dict[str, tuple[Award, Notice]]:
        """Contracts by their id: the latest notice that carries a contract wins."""
        result: dict[str, tuple[Award, Notice]] = {}
        for notice in self.notices:
            for award in notice.awards:
                result[award.contract_ref] = (award, notice)
        return result

    def first_competition(self) -> Notice | None:
        return next((n for n in self.notices if n.kind == "competition"), None)


@dataclass
class Result:
    rows: dict[str, list[dict]] = field(default_factory=lambda: {e: [] for e in ENTITIES})
    quarantined: list[dict] = field(default_factory=list)  # procedures of unmapped buyers
    left_out: list[dict] = field(default_factory=list)  # rows the contract would reject
    notes: list[dict] = field(default_factory=list)  # values left empty, with why
    lots: list[dict] = field(default_factory=list)  # every code per tender, themed or not
    superseded: list[dict] = field(default_factory=list)  # notices replaced by later ones


def group(notices: list[Notice]) -> list[Procedure]:
    by_procedure: dict[str, Procedure] = {}
    seen = set()
    for notice in sorted(notices, key=lambda n: n.order_key):
        if (notice.notice_id, notice.version) in seen:
            continue
        seen.add((notice.notice_id, notice.version))
        by_procedure.setdefault(notice.procedure_id, Procedure(notice.procedure_id)).notices.append(notice)
    return [by_procedure[k] for k in sorted(by_procedure)]


def build(notices: list[Notice], theme_map: dict, buyer_map: list[BuyerMapping]) -> Result:
    result = Result()
    organisations: dict[str, dict] = {}
    suppliers: dict[str, tuple[tuple, dict]] = {}
    for proc in group(notices):
        for older in proc.notices[:-1]:
            result.superseded.append({"procedure_id": proc.procedure_id, "file": older.file,
                                      "notice_id": older.notice_id, "by": proc.latest.file})
        buyer = proc.latest.buyer
        resolved = resolve_buyer(buyer, buyer_map)
        local = Result()  # the procedure's own findings: merged only when its rows are written
        rows = _procedure_rows(proc, theme_map, local, resolved[0] if isinstance(resolved, tuple) else None)
        result.lots += local.lots
        if isinstance(resolved, str):
            result.quarantined.append({
                "procedure_id": proc.procedure_id, "files": [n.file for n in proc.notices],
                "buyer": {"name": buyer.name, "identifier": buyer.identifier, "country": buyer.country,
                          "legal_type": buyer.legal_type},
                "reason": resolved,
                "rows": {e: len(r) for e, r in rows.items() if r},
                "left_out_rows": local.left_out,
            })
            continue
        oin, layer, name = resolved
        result.left_out += local.left_out
        result.notes += local.notes
        organisations[oin] = {"organisation_id": oin, "name": name, "government_layer": layer,
                              "parent_organisation_id": None}
        for entity in ("tenders", "tender_criteria", "contracts"):
            result.rows[entity] += rows[entity]
        for supplier, notice in rows["suppliers"]:
            key = notice.order_key
            if supplier["supplier_id"] not in suppliers or suppliers[supplier["supplier_id"]][0] <= key:
                suppliers[supplier["supplier_id"]] = (key, supplier)
    result.rows["organisations"] = [organisations[k] for k in sorted(organisations)]
    result.rows["suppliers"] = [suppliers[k][1] for k in sorted(suppliers)]
    return result


def _lot_status(proc: Procedure, lot_id: str, lot_awards: list) -> tuple[str, str | None]:
    """(status, award date): awarded when a contract of the lot is known (award date: the
    earliest winner decision date, else conclusion date, else the notice's issue date),
    cancelled when the latest result says no winner was chosen and the competition is closed
    (BT-142 clos-nw), else active."""
    if lot_awards:
        return "awarded", min(a.award_date or a.conclusion_date or n.issue_date for a, n in lot_awards)
    code = next((n.lot_status[lot_id] for n in reversed(proc.notices) if lot_id in n.lot_status), None)
    return ("cancelled", None) if code == "clos-nw" else ("active", None)


def _awarded_value(tender_id: str, lot_awards: list, result: Result) -> str | None:
    if not lot_awards:
        return None
    amounts = [_amount(a.value, a.currency)[0] for a, _ in lot_awards]
    if any(v is None for v in amounts):
        result.notes.append({"tender_id": tender_id, "column": "awarded_value_eur",
                             "note": "BT-720 missing or not in EUR for a contract of the lot"})
        return None
    return str(sum(Decimal(v) for v in amounts))


def _tender_row(proc: Procedure, lot_id: str, oin: str | None, awards: dict, result: Result) -> dict:
    tender_id = f"{proc.procedure_id}/{lot_id}"
    lot_awards = [(a, n) for a, n in awards.values() if a.lot_id == lot_id]
    status, award_date = _lot_status(proc, lot_id, lot_awards)
    estimated, note = _amount(proc.lot_field(lot_id, "estimated_value")[0], proc.lot_field(lot_id, "estimated_currency")[0])
    if note:
        result.notes.append({"tender_id": tender_id, "column": "estimated_value_eur", "note": "BT-27 " + note})
    nature = proc.lot_field(lot_id, "nature")[0]
    procedure_type = next((n.procedure_type for n in reversed(proc.notices) if n.procedure_type), None)
    first_cn = proc.first_competition()
    return {
        "tender_id": tender_id, "organisation_id": oin, "title": proc.lot_field(lot_id, "title")[0],
        "cpv_code": proc.lot_field(lot_id, "cpv")[0], "contract_type": nature if nature in NATURES else None,
        "procedure": PROCEDURES.get(procedure_type or ""),
        "publication_date": first_cn.issue_date if first_cn else None,
        "award_date": award_date, "status": status,
        "estimated_value_eur": estimated, "awarded_value_eur": _awarded_value(tender_id, lot_awards, result),
    }


def _procedure_rows(proc: Procedure, theme_map: dict, result: Result, oin: str | None) -> dict[str, list]:
    awards = proc.awards()
    rows: dict[str, list] = {"tenders": [], "tender_criteria": [], "contracts": [], "suppliers": []}
    tenders: dict[str, dict] = {}
    for lot_id in proc.lot_ids():
        tender = _tender_row(proc, lot_id, oin, awards, result)
        tender_id = tender["tender_id"]
        objectives: list[Objective] = proc.lot_field(lot_id, "objectives")[0] or []
        result.lots.append({"tender_id": tender_id, "codes": [f"{o.bt} {o.code}" for o in objectives],
                            "themes": sorted({t for o in objectives if (t := theme_map.get((o.bt, o.code)))})})
        if tender["contract_type"] is None:
            result.left_out.append({"entity": "tenders", "id": tender_id, "reason": "BT-23 main nature "
                                    f"{proc.lot_field(lot_id, 'nature')[0] or 'missing'} is not works, supplies or services"})
            continue
        tenders[lot_id] = tender
        rows["tenders"].append(tender)
        rows["tender_criteria"] += [{
            "criterion_id": f"{tender_id}/{o.bt}/{o.code}", "tender_id": tender_id,
            "theme": theme_map[(o.bt, o.code)], "criterion_kind": "declared_objective", "ambition_level": None,
            "award_weight_pct": None, "r_level": None, "source": "eforms",
        } for o in objectives if theme_map.get((o.bt, o.code))]
    for ref in sorted(awards):
        award, notice = awards[ref]
        contract_row, supplier = _contract(proc, award, notice, tenders.get(award.lot_id), oin, result)
        if contract_row:
            rows["contracts"].append(contract_row)
            rows["suppliers"].append((supplier, notice))
    return rows


def supplier_id(party: Party, procedure_id: str) -> str:
    """KvK-<8 digits> for a Dutch winner with a KvK number (BT-501), <country>-<identifier> for
    another identified winner, else the procedure's own organisation reference."""
    ident = _norm_id(party.identifier)
    if party.country == "NL" and len(ident) == 8 and ident.isdigit():
        return f"KVK-{ident}"
    if ident and any(ch.isdigit() for ch in ident):
        return f"{party.country or 'XX'}-{ident}"
    return f"{procedure_id}/{party.ref}"


def _contract(proc: Procedure, award: Award, notice: Notice, tender: dict | None, oin: str | None,
              result: Result) -> tuple[dict | None, dict | None]:
    contract_id = f"{proc.procedure_id}/{award.contract_ref}"
    value, note = _amount(award.value, award.currency)
    reasons = []
    if award.winner is None:
        reasons.append("no winner (BT-3202 / OPT-310 / OPT-300 lead to no organisation)")
    if value is None:
        reasons.append(f"no contract value in EUR (BT-720: {note or 'missing'})")
    if tender is None or tender["contract_type"] is None:
        reasons.append("its lot has no contract type")
    if reasons:
        result.left_out.append({"entity": "contracts", "id": contract_id, "reason": "; ".join(reasons)})
        return None, None
    winner = award.winner
    kvk = _norm_id(winner.identifier)
    supplier = {
        "supplier_id": supplier_id(winner, proc.procedure_id), "name": winner.name,
        "kvk_number": kvk if winner.country == "NL" and len(kvk) == 8 and kvk.isdigit() else None,
        "country_code": winner.country, "size_class": winner.size if winner.size in SIZES else None,
        "is_social_enterprise": None, "contact_email": None,
    }
    reserved = proc.lot_field(award.lot_id, "reserved")[0]
    row = {
        "contract_id": contract_id, "tender_id": tender["tender_id"], "organisation_id": oin,
        "supplier_id": supplier["supplier_id"], "cpv_code": tender["cpv_code"],
        "contract_type": tender["contract_type"],
        "start_date": award.conclusion_date or award.award_date or notice.issue_date, "end_date": None,
        "contract_value_eur": value, "is_framework": "true" if award.is_framework else "false",
        "isv_clause": None, "sroi_obligation_eur": None,
        "is_reserved": "true" if reserved in RESERVED else "false",
    }
    return row, supplier


def write_folder(result: Result, out: Path) -> list[Path]:
    """One CSV per entity, written as the generator writes them (header, strings quoted, null empty)."""
    out.mkdir(parents=True, exist_ok=True)
    entities = contract.entities()
    written = []
    for entity in ENTITIES:
        columns = entities[entity].columns
        rows = result.rows[entity]
        table = pa.table({c: pa.array([r.get(c) for r in rows], type=pa.string()) for c in columns})
        path = out / f"{entity}.csv"
        pacsv.write_csv(table, path, write_options=pacsv.WriteOptions(include_header=True, quoting_style="needed"))
        written.append(path)
    return written

