"""Read an eForms notice (SDK 1.x, UBL XML) into a `Notice`, with the standard library.

`XPATHS` holds, per business term, the XPath this module reads (the SDK's field XPath, from
`fields/fields.json` of SDK 1.15.1; lot-level ones relative to the lot). ElementTree supports
only part of XPath, so the code follows each of them step by step: a predicate on a child's
attribute (`X[cbc:Code/@listName='a']/cbc:Code`) is read as the child with that attribute
(`X/cbc:Code[@listName='a']`), which selects the same nodes. docs/notices.md has the table.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from mvoi.notices.model import Award, Lot, Notice, NoticeError, Objective, Party

NS = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "ext": "urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2",
    "efac": "http://data.europa.eu/p27/eforms-ubl-extension-aggregate-components/1",
    "efbc": "http://data.europa.eu/p27/eforms-ubl-extension-basic-components/1",
    "efext": "http://data.europa.eu/p27/eforms-ubl-extensions/1",
}
EXT = "ext:UBLExtensions/ext:UBLExtension/ext:ExtensionContent/efext:EformsExtension"
LOT = "/*/cac:ProcurementProjectLot[cbc:ID/@schemeName='Lot']"
RESULT = f"/*/{EXT}/efac:NoticeResult"
ORG = f"/*/{EXT}/efac:Organizations/efac:Organization/efac:Company"
ADDITIONAL = "cac:ProcurementProject/cac:ProcurementAdditionalType[cbc:ProcurementTypeCode/@listName='{0}']/cbc:ProcurementTypeCode"

# business term -> the XPath read (SDK 1.15.1 field XPath)
XPATHS = {
    "BT-04 procedure identifier": "/*/cbc:ContractFolderID",
    "BT-701 notice identifier": "/*/cbc:ID[@schemeName='notice-id']",
    "BT-757 notice version": "/*/cbc:VersionID",
    "BT-02 notice type": "/*/cbc:NoticeTypeCode",
    "BT-05(a) dispatch date": "/*/cbc:IssueDate",
    "SDK version": "/*/cbc:CustomizationID",
    "BT-105 procedure type": "/*/cac:TenderingProcess/cbc:ProcedureCode",
    "OPT-300 buyer reference": "/*/cac:ContractingParty/cac:Party/cac:PartyIdentification/cbc:ID",
    "BT-11 buyer legal type": "/*/cac:ContractingParty/cac:ContractingPartyType/cbc:PartyTypeCode[@listName='buyer-legal-type']",
    "OPT-200 organisation reference": f"{ORG}/cac:PartyIdentification/cbc:ID",
    "BT-500 organisation name": f"{ORG}/cac:PartyName/cbc:Name",
    "BT-501 organisation identifier": f"{ORG}/cac:PartyLegalEntity/cbc:CompanyID",
    "BT-514 organisation country": f"{ORG}/cac:PostalAddress/cac:Country/cbc:IdentificationCode",
    "BT-165 winner size": f"{ORG}/efbc:CompanySizeCode",
    "BT-137 lot identifier": f"{LOT}/cbc:ID",
    "BT-21 lot title": f"{LOT}/cac:ProcurementProject/cbc:Name",
    "BT-262 main CPV": f"{LOT}/cac:ProcurementProject/cac:MainCommodityClassification/cbc:ItemClassificationCode",
    "BT-23 main nature": f"{LOT}/cac:ProcurementProject/cbc:ProcurementTypeCode[@listName='contract-nature']",
    "BT-27 estimated value": f"{LOT}/cac:ProcurementProject/cac:RequestedTenderTotal/cbc:EstimatedOverallContractAmount",
    "BT-06 strategic procurement": f"{LOT}/" + ADDITIONAL.format("strategic-procurement"),
    "BT-774 green procurement": f"{LOT}/" + ADDITIONAL.format("environmental-impact"),
    "BT-775 social procurement": f"{LOT}/" + ADDITIONAL.format("social-objective"),
    "BT-776 procurement of innovation": f"{LOT}/" + ADDITIONAL.format("innovative-acquisition"),
    "BT-805 green procurement criteria": f"{LOT}/" + ADDITIONAL.format("gpp-criteria"),
    "BT-717 clean vehicles directive": (
        f"{LOT}/cac:TenderingTerms/{EXT}/efac:StrategicProcurement"
        "[efbc:ApplicableLegalBasis/@listName='cvd-scope']/efbc:ApplicableLegalBasis"),
    "BT-71 reserved participation": (
        f"{LOT}/cac:TenderingTerms/cac:TendererQualificationRequest/cac:SpecificTendererRequirement"
        "[cbc:TendererRequirementTypeCode/@listName='reserved-procurement']/cbc:TendererRequirementTypeCode"),
    "BT-13713 result lot": f"{RESULT}/efac:LotResult/efac:TenderLot/cbc:ID",
    "BT-142 winner chosen": f"{RESULT}/efac:LotResult/cbc:TenderResultCode",
    "OPT-315 contract of a lot result": f"{RESULT}/efac:LotResult/efac:SettledContract/cbc:ID",
    "BT-720 tender value": f"{RESULT}/efac:LotTender/cac:LegalMonetaryTotal/cbc:PayableAmount",
    "OPT-310 tendering party of a tender": f"{RESULT}/efac:LotTender/efac:TenderingParty/cbc:ID",
    "OPT-300 tenderer": f"{RESULT}/efac:TenderingParty/efac:Tenderer/cbc:ID",
    "OPT-170 group leader": f"{RESULT}/efac:TenderingParty/efac:Tenderer/efbc:GroupLeadIndicator",
    "OPT-316 contract": f"{RESULT}/efac:SettledContract/cbc:ID",
    "BT-1451 winner decision date": f"{RESULT}/efac:SettledContract/cbc:AwardDate",
    "BT-145 contract conclusion date": f"{RESULT}/efac:SettledContract/cbc:IssueDate",
    "BT-3202 tender of a contract": f"{RESULT}/efac:SettledContract/efac:LotTender/cbc:ID",
    "BT-768 framework agreement": f"{RESULT}/efac:SettledContract/efbc:ContractFrameworkIndicator",
}

# BT-02 notice type (its list name) -> the notice kind handled
KIND_BY_LIST = {"competition": "competition", "result": "result", "cont-modif": "modification"}
SUSTAINABILITY_LISTS = {
    "BT-06": "strategic-procurement", "BT-774": "environmental-impact", "BT-775": "social-objective",
    "BT-776": "innovative-acquisition", "BT-805": "gpp-criteria",
}
# ISO 3166-1 alpha-3 (as eForms writes countries) -> alpha-2 (as the landing contract wants them)
ALPHA2 = {
    "AUT": "AT", "BEL": "BE", "BGR": "BG", "HRV": "HR", "CYP": "CY", "CZE": "CZ", "DNK": "DK",
    "EST": "EE", "FIN": "FI", "FRA": "FR", "DEU": "DE", "GRC": "GR", "HUN": "HU", "IRL": "IE",
    "ITA": "IT", "LVA": "LV", "LTU": "LT", "LUX": "LU", "MLT": "MT", "NLD": "NL", "POL": "PL",
    "PRT": "PT", "ROU": "RO", "SVK": "SK", "SVN": "SI", "ESP": "ES", "SWE": "SE", "ISL": "IS",
    "LIE": "LI", "NOR": "NO", "CHE": "CH", "GBR": "GB", "USA": "US", "CAN": "CA", "CHN": "CN",
    "JPN": "JP", "TUR": "TR", "UKR": "UA", "SRB": "RS", "MKD": "MK", "ALB": "AL", "MNE": "ME",
    "BIH": "BA", "MDA": "MD", "AUS": "AU", "IND": "IN", "KOR": "KR", "BWA": "BW",
}


def _q(path: str) -> str:
    """An XPath step list in prefix form -> ElementTree's {namespace}local form."""
    return re.sub(r"(\w+):(\w+)", lambda m: f"{{{NS[m.group(1)]}}}{m.group(2)}", path)


def _text(node: ET.Element | None, path: str) -> str | None:
    if node is None:
        return None
    found = node.find(_q(path))
    if found is None or found.text is None:
        return None
    return found.text.strip() or None


def _all(node: ET.Element, path: str) -> list[ET.Element]:
    return node.findall(_q(path))


def _date(value: str | None) -> str | None:
    """An xs:date with its zone (2023-03-24+02:00, 2023-05-26Z) -> 2023-03-24."""
    if not value:
        return None
    match = re.match(r"^(\d{4}-\d{2}-\d{2})", value)
    return match.group(1) if match else None


def country_alpha2(code: str | None) -> str | None:
    if not code:
        return None
    code = code.strip().upper()
    return code if len(code) == 2 else ALPHA2.get(code)


def parse_file(path: Path) -> Notice:
    """The notice in `path`; raises NoticeError with a one-line reason when it cannot be used."""
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as exc:
        raise NoticeError(f"not well-formed XML ({exc})") from None
    except OSError as exc:
        raise NoticeError(f"cannot be read ({exc.strerror or exc})") from None
    return parse_root(root, str(path))


def _notice_type(root: ET.Element) -> tuple[str, str | None]:
    node = root.find(_q("cbc:NoticeTypeCode"))
    if node is None:
        return "", None
    return (node.text or "").strip(), KIND_BY_LIST.get(node.get("listName", ""))


def _problems(root: ET.Element, orgs: dict[str, Party], buyer_refs: list[str], lots: list[Lot]) -> list[str]:
    """Why the notice cannot be used (empty: it can)."""
    problems = []
    sdk = _text(root, "cbc:CustomizationID")
    if sdk is None:
        problems.append("no SDK version (cbc:CustomizationID)")
    elif not sdk.startswith("eforms-sdk-1."):
        problems.append(f"SDK version {sdk} is not handled (only eforms-sdk-1.x)")
    notice_type, kind = _notice_type(root)
    if kind is None:
        problems.append(f"notice type {notice_type or '(none)'} is not handled: "
                        "only competition, result and contract modification notices are")
    for value, what in ((_text(root, "cbc:ContractFolderID"), "BT-04 procedure identifier (cbc:ContractFolderID) is empty"),
                        (_text(root, "cbc:ID[@schemeName='notice-id']"), "BT-701 notice identifier is missing"),
                        (_date(_text(root, "cbc:IssueDate")), "BT-05 issue date is missing")):
        if value is None:
            problems.append(what)
    if not buyer_refs:
        problems.append("no buyer (cac:ContractingParty)")
    elif buyer_refs[0] not in orgs:
        problems.append(f"buyer {buyer_refs[0]} is not among the organisations")
    if not lots:
        problems.append("no lot (cac:ProcurementProjectLot)")
    elif any(lot.lot_id is None for lot in lots):
        problems.append("a lot has no identifier (BT-137)")
    return problems


def _is_lot(node: ET.Element) -> bool:
    ident = node.find(_q("cbc:ID"))
    return ident is not None and ident.get("schemeName") == "Lot"


def parse_root(root: ET.Element, file: str) -> Notice:
    local = root.tag.rsplit("}", 1)[-1]
    if local not in ("ContractNotice", "ContractAwardNotice", "PriorInformationNotice"):
        raise NoticeError(f"not an eForms notice (root element {local})")
    orgs = _organisations(root)
    buyer_refs = [r for r in (_text(p, "cac:Party/cac:PartyIdentification/cbc:ID")
                              for p in _all(root, "cac:ContractingParty")) if r]
    lots = [_lot(node) for node in _all(root, "cac:ProcurementProjectLot") if _is_lot(node)]
    problems = _problems(root, orgs, buyer_refs, lots)
    if problems:
        raise NoticeError("; ".join(problems))
    notice_type, kind = _notice_type(root)
    legal_type = _text(root, "cac:ContractingParty/cac:ContractingPartyType/cbc:PartyTypeCode[@listName='buyer-legal-type']")
    buyer = orgs[buyer_refs[0]]
    notice = Notice(
        file=file, format="eforms", notice_id=_text(root, "cbc:ID[@schemeName='notice-id']"),
        version=_text(root, "cbc:VersionID") or "", procedure_id=_text(root, "cbc:ContractFolderID"),
        kind=kind, notice_type=notice_type, issue_date=_date(_text(root, "cbc:IssueDate")),
        buyer=Party(buyer.ref, buyer.name, buyer.identifier, buyer.country, legal_type, None),
        procedure_type=_text(root, "cac:TenderingProcess/cbc:ProcedureCode"),
        other_buyers=[orgs[r] for r in buyer_refs[1:] if r in orgs], lots=lots,
    )
    if kind != "competition":
        _results(root, orgs, notice)
    return notice


def _organisations(root: ET.Element) -> dict[str, Party]:
    result = {}
    for company in _all(root, f"{EXT}/efac:Organizations/efac:Organization/efac:Company"):
        ref = _text(company, "cac:PartyIdentification/cbc:ID")
        if ref:
            result[ref] = Party(
                ref=ref,
                name=_text(company, "cac:PartyName/cbc:Name"),
                identifier=_text(company, "cac:PartyLegalEntity/cbc:CompanyID"),
                country=country_alpha2(_text(company, "cac:PostalAddress/cac:Country/cbc:IdentificationCode")),
                size=_text(company, "efbc:CompanySizeCode"),
            )
    return result


def _lot(node: ET.Element) -> Lot:
    amount = node.find(_q("cac:ProcurementProject/cac:RequestedTenderTotal/cbc:EstimatedOverallContractAmount"))
    objectives = []
    for bt, list_name in SUSTAINABILITY_LISTS.items():
        for code in _all(node, f"cac:ProcurementProject/cac:ProcurementAdditionalType/cbc:ProcurementTypeCode[@listName='{list_name}']"):
            if code.text and code.text.strip():
                objectives.append(Objective(bt, code.text.strip()))
    cvd = _text(node, f"cac:TenderingTerms/{EXT}/efac:StrategicProcurement/efbc:ApplicableLegalBasis[@listName='cvd-scope']")
    if cvd == "true":
        objectives.append(Objective("BT-717", "true"))
    return Lot(
        lot_id=_text(node, "cbc:ID"),
        title=_text(node, "cac:ProcurementProject/cbc:Name"),
        cpv=_text(node, "cac:ProcurementProject/cac:MainCommodityClassification/cbc:ItemClassificationCode"),
        nature=_text(node, "cac:ProcurementProject/cbc:ProcurementTypeCode[@listName='contract-nature']"),
        estimated_value=(amount.text or "").strip() or None if amount is not None else None,
        estimated_currency=amount.get("currencyID") if amount is not None else None,
        objectives=objectives,
        reserved=_text(node, "cac:TenderingTerms/cac:TendererQualificationRequest/cac:SpecificTendererRequirement"
                             "/cbc:TendererRequirementTypeCode[@listName='reserved-procurement']"),
    )


def _results(root: ET.Element, orgs: dict[str, Party], notice: Notice) -> None:
    """BT-142 per lot and one Award per settled contract, from efac:NoticeResult."""
    result = root.find(_q(f"{EXT}/efac:NoticeResult"))
    if result is None:
        return
    parties = {}  # tendering party -> its lead tenderer (or the first)
    for tp in _all(result, "efac:TenderingParty"):
        tenderers = _all(tp, "efac:Tenderer")
        lead = next((t for t in tenderers if _text(t, "efbc:GroupLeadIndicator") == "true"), tenderers[0] if tenderers else None)
        parties[_text(tp, "cbc:ID")] = orgs.get(_text(lead, "cbc:ID")) if lead is not None else None
    tenders = {}
    for lt in _all(result, "efac:LotTender"):
        amount = lt.find(_q("cac:LegalMonetaryTotal/cbc:PayableAmount"))
        tenders[_text(lt, "cbc:ID")] = (
            (amount.text or "").strip() or None if amount is not None else None,
            amount.get("currencyID") if amount is not None else None,
            parties.get(_text(lt, "efac:TenderingParty/cbc:ID")),
        )
    lot_of_contract = {}
    for lr in _all(result, "efac:LotResult"):
        lot_id = _text(lr, "efac:TenderLot/cbc:ID")
        if lot_id is None:
            continue
        status = _text(lr, "cbc:TenderResultCode")
        if status:
            notice.lot_status[lot_id] = status
        for sc in _all(lr, "efac:SettledContract"):
            lot_of_contract[_text(sc, "cbc:ID")] = lot_id
    for sc in _all(result, "efac:SettledContract"):
        ref = _text(sc, "cbc:ID")
        if ref not in lot_of_contract:
            continue  # a contract no lot result refers to: not awarded in this notice
        value, currency, winner = tenders.get(_text(sc, "efac:LotTender/cbc:ID"), (None, None, None))
        notice.awards.append(Award(
            contract_ref=ref, lot_id=lot_of_contract[ref], winner=winner, value=value, currency=currency,
            award_date=_date(_text(sc, "cbc:AwardDate")), conclusion_date=_date(_text(sc, "cbc:IssueDate")),
            is_framework=_text(sc, "efbc:ContractFrameworkIndicator") == "true",
        ))
