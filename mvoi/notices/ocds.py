"""Read OCDS JSON (a release, a release package, a record or a record package) into `Notice`s.

The fields are those the OCDS for eForms mapping writes (docs/notices.md, "OCDS"): the
procedure id is `tender.id` (BT-04), lots are `tender.lots`, a lot's sustainability is
`lots[].sustainability[].goal` / `.strategies` (the OCDS sustainability extension),
`lots[].coveredBy` holds `EU-CVD` (BT-717), winners are `awards[].suppliers` with their party's
`details.scale` (BT-165) and `identifier`/`additionalIdentifiers` (BT-501). A goal is mapped
back to the eForms code it came from (`GOALS`), so that both formats meet the same theme map.
"""

from __future__ import annotations

import json
from pathlib import Path

from mvoi.notices.eforms import country_alpha2
from mvoi.notices.model import Award, Lot, Notice, NoticeError, Objective, Party

# sustainabilityGoal code -> (business term, eForms code), the reverse of the OCDS for eForms mapping
GOALS = {
    "environmental.climateChangeMitigation": ("BT-774", "clim-mitig"),
    "environmental.climateChangeAdaptation": ("BT-774", "clim-adapt"),
    "environmental.circularEconomy": ("BT-774", "circ-econ"),
    "environmental.biodiversityProtectionRestoration": ("BT-774", "biodiv-eco"),
    "environmental.pollutionPrevention": ("BT-774", "pollu-prev"),
    "environmental.waterResourcesProtection": ("BT-774", "water-mar"),
    "environmental": ("BT-06", "env-imp"),
    "social.laborRightsPromotion": ("BT-775", "work-cond"),
    "social.humanRightsInSupplyChains": ("BT-775", "hum-right"),
    "social.disadvantagedEmploymentOpportunities": ("BT-775", "opp"),
    "social.genderEquality": ("BT-775", "gen-eq"),
    "social.ethnicEquality": ("BT-775", "et-eq"),
    "social.accessibility": ("BT-775", "acc-all"),
    "social": ("BT-06", "soc-obj"),
    "economic.innovativePurchase": ("BT-06", "inn-pur"),
    "economic.marketInnovationPromotion": ("BT-776", "mar-nov"),
    "economic.processInnovationPromotion": ("BT-776", "proc-innov"),
    "economic.productInnovationPromotion": ("BT-776", "prod-innov"),
    "economic.researchDevelopmentActivities": ("BT-776", "rd-act"),
}
GPP_STRATEGIES = {"euGPPCriteria": "eu", "nationalGPPCriteria": "national", "otherGPPCriteria": "other"}
RESERVED = {"publicServiceMissionOrganization": "res-pub-ser", "shelteredWorkshop": "res-ws"}
DUTCH_NAMES = {"netherlands", "the netherlands", "nederland"}
CATEGORIES = {"goods": "supplies", "works": "works", "services": "services"}
# release tag -> notice kind
KINDS = {
    "tender": "competition", "tenderUpdate": "competition", "tenderAmendment": "competition",
    "award": "result", "awardUpdate": "result", "contract": "result", "contractUpdate": "result",
    "awardCancellation": "result", "contractAmendment": "modification", "awardAmendment": "modification",
}


def parse_file(path: Path) -> list[Notice]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise NoticeError(f"not valid JSON ({exc})") from None
    except OSError as exc:
        raise NoticeError(f"cannot be read ({exc.strerror or exc})") from None
    if not isinstance(data, dict):
        raise NoticeError("not an OCDS release, record or package (a JSON object is expected)")
    if "releases" in data:
        releases = data["releases"]
    elif "records" in data:
        releases = [r.get("compiledRelease") for r in data["records"]]
        if any(r is None for r in releases):
            raise NoticeError("a record has no compiledRelease (only compiled records are read)")
    elif "ocid" in data:
        releases = [data.get("compiledRelease", data)]
    else:
        raise NoticeError("not an OCDS release, record or package (no releases, records or ocid)")
    notices = []
    for i, release in enumerate(releases):
        try:
            notices.append(parse_release(release, str(path)))
        except NoticeError as exc:
            raise NoticeError(f"release {i + 1}: {exc}") from None
    return notices


def _party(raw: dict) -> Party:
    """A party; its country is `address.country` (alpha-2 or alpha-3), else `countryName`
    when it names the Netherlands, else NL when the identifier's scheme is a Dutch one (NL-*)."""
    ids = [i for i in [raw.get("identifier") or {}] + list(raw.get("additionalIdentifiers") or []) if i.get("id")]
    identifier = ids[0] if ids else {}
    details = raw.get("details") or {}
    legal = next((c.get("id") for c in details.get("classifications") or [] if c.get("scheme") == "TED_CA_TYPE"), None)
    address = raw.get("address") or {}
    country = country_alpha2(address.get("country"))
    if country is None and (address.get("countryName") or "").strip().casefold() in DUTCH_NAMES:
        country = "NL"
    if country is None and str(identifier.get("scheme") or "").upper().startswith("NL-"):
        country = "NL"
    return Party(ref=str(raw.get("id")), name=raw.get("name"),
                 identifier=str(identifier["id"]) if identifier else None,
                 country=country, legal_type=legal, size=details.get("scale"))


def _procedure_type(tender: dict) -> str | None:
    method = (tender.get("procurementMethod") or "").lower()
    details = (tender.get("procurementMethodDetails") or "").lower()
    if method == "open":
        return "open"
    for words, code in (("innovation partnership", "innovation"), ("competitive dialogue", "comp-dial"),
                        ("restricted", "restricted"), ("without prior", "neg-wo-call"), ("negotiated", "neg-w-call")):
        if words in details:
            return code
    return None


def _lot(raw: dict, items: list[dict]) -> Lot:
    objectives = []
    for item in raw.get("sustainability") or []:
        if item.get("goal") in GOALS:
            objectives.append(Objective(*GOALS[item["goal"]]))
        objectives += [Objective("BT-805", GPP_STRATEGIES[s]) for s in item.get("strategies") or [] if s in GPP_STRATEGIES]
    if "EU-CVD" in (raw.get("coveredBy") or []):
        objectives.append(Objective("BT-717", "true"))
    value = raw.get("value") or {}
    cpv = next(((i.get("classification") or {}).get("id") for i in items
                if i.get("relatedLot") == raw.get("id") and (i.get("classification") or {}).get("scheme", "CPV") == "CPV"), None)
    reserved = [RESERVED[r] for r in (raw.get("otherRequirements") or {}).get("reservedParticipation") or [] if r in RESERVED]
    return Lot(
        lot_id=raw.get("id"), title=raw.get("title"), cpv=cpv,
        nature=CATEGORIES.get(raw.get("mainProcurementCategory") or ""),
        estimated_value=str(value["amount"]) if value.get("amount") is not None else None,
        estimated_currency=value.get("currency"), objectives=objectives,
        reserved=reserved[0] if reserved else None,
    )


def parse_release(release: dict, file: str) -> Notice:
    tags = release.get("tag") or []
    kinds = [KINDS[t] for t in tags if t in KINDS]
    problems = []
    if not kinds:
        problems.append(f"release tag {', '.join(tags) or '(none)'} is not handled: only tender, award and contract releases are")
    tender = release.get("tender") or {}
    procedure_id = tender.get("id") or release.get("ocid")
    if not procedure_id:
        problems.append("no procedure id (tender.id or ocid)")
    date = str(release.get("date") or "")[:10]
    if len(date) != 10:
        problems.append("no release date")
    parties = {str(p.get("id")): p for p in release.get("parties") or []}
    buyer_id = str((release.get("buyer") or {}).get("id") or next(
        (k for k, p in parties.items() if "buyer" in (p.get("roles") or [])), ""))
    if buyer_id not in parties:
        problems.append("no buyer among the parties")
    lots = [_lot(raw, tender.get("items") or []) for raw in tender.get("lots") or []]
    if not lots or any(not lot.lot_id for lot in lots):
        problems.append("a lot has no id" if lots else "no lot (tender.lots)")
    if problems:
        raise NoticeError("; ".join(problems))
    notice = Notice(
        file=file, format="ocds", notice_id=str(release.get("id")), version="", procedure_id=str(procedure_id),
        kind=max(kinds, key=("competition", "result", "modification").index), notice_type=",".join(tags),
        issue_date=date, buyer=_party(parties[buyer_id]), procedure_type=_procedure_type(tender), lots=lots,
    )
    _awards(release, parties, notice)
    return notice


def _awards(release: dict, parties: dict, notice: Notice) -> None:
    contracts = release.get("contracts") or []
    for award in release.get("awards") or []:
        lot_ids = award.get("relatedLots") or []
        if not lot_ids:
            continue
        if award.get("status") == "unsuccessful":
            notice.lot_status[lot_ids[0]] = "clos-nw"
            continue
        notice.lot_status[lot_ids[0]] = "selec-w"
        suppliers = [parties[str(s.get("id"))] for s in award.get("suppliers") or [] if str(s.get("id")) in parties]
        winner = _party(suppliers[0]) if suppliers else None
        signed = [c for c in contracts if c.get("awardID") == award.get("id")] or [{"id": award.get("id")}]
        for c in signed:
            value = c.get("value") or award.get("value") or {}
            notice.awards.append(Award(
                contract_ref=str(c.get("id")), lot_id=lot_ids[0], winner=winner,
                value=str(value["amount"]) if value.get("amount") is not None else None,
                currency=value.get("currency"), award_date=(award.get("date") or "")[:10] or None,
                conclusion_date=(c.get("dateSigned") or "")[:10] or None,
            ))
