"""`mvoi ingest-notices`: eForms XML and OCDS JSON notices -> a landing folder (mvoi/notices).

The expected rows below were derived by reading each example notice's XML
(tests/python/fixtures/notices/eforms, eForms SDK 1.15.1 examples, CC BY 4.0, see NOTICE.md):
lots (BT-137, BT-21, BT-262, BT-23, BT-27), sustainability codes (BT-774, BT-775, BT-717),
procedure type (BT-105), buyer (OPT-300 -> BT-500/BT-501, BT-11), results (BT-142, BT-720,
BT-1451, BT-145, BT-768) and winners (OPT-310 -> OPT-300 -> BT-500/BT-501/BT-514/BT-165). The
examples' buyers are fictitious and foreign: fixtures/notices/buyer_map.csv gives them made-up
OINs. One test builds the produced folder with dbt (Pipeline, a temp folder).
"""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest

from mvoi import contract
from mvoi.cli import main
from mvoi.landing_check import check_landing_folder
from mvoi.notices.cli import ingest
from mvoi.notices.landing import THEME_MAP, BuyerMapping, derive_oin, load_theme_map, resolve_buyer
from mvoi.notices.model import Party
from mvoi.paths import connect_build

FIXTURES = Path(__file__).parent / "fixtures" / "notices"
EFORMS = FIXTURES / "eforms"
OCDS = FIXTURES / "ocds"
BUYER_MAP = FIXTURES / "buyer_map.csv"
ENTITIES = ("organisations", "suppliers", "tenders", "tender_criteria", "contracts")
INVALID = ("INVALID_can_24_stage-1.xml", "INVALID_cn_24_empty.xml")

P_CN_MAX = "aff2863e-b4cc-4e91-baba-b3b85f709117"
P_CAN_MAX = "2d2d24a2-df84-449e-8695-fb66ef504a5a"
P_ITA = "5a695dd9-076c-419f-98f0-dc42d31ae277"
ITA_TITLE = ("Servizio di prove funzionali finalizzate all’attivazione / riconfigurazione di tratte su linee "
             "AV/AC e/o tradizionali oggetto di upgrade tecnologico tramite l’utilizzo di treni idonei")
FIN_ADM = ("00000099000000000004", "Financial Administration (example)", "rijk", "")


def _criterion(procedure: str, lot: str, bt: str, code: str, theme: str) -> tuple:
    return (f"{procedure}/{lot}/{bt}/{code}", f"{procedure}/{lot}", theme, "declared_objective", "", "", "", "eforms")


# per example notice: the rows of each entity, in the contract's column order ('' = empty)
EXPECTED: dict[str, dict[str, list[tuple]]] = {
    "E3_minimal.xml": {
        "organisations": [("00000099000000000001", "Buyer Org", "overig", "")],
        "tenders": [("d8e0c26b-6206-4588-85f5-946afb84a37d/LOT-0001", "00000099000000000001",
                     "Provision of IT Services related to ...", "72230000", "services", "open", "2024-11-21", "",
                     "active", "", "")],
    },
    "E4_minimal.xml": {  # the winner's tender has no value: the contract is left out; award date = issue date
        "organisations": [("00000099000000000002", "Rouen Habitat", "overig", "")],
        "tenders": [("8698a8e5-9815-4889-ae6a-632170aeb5e6/LOT-0001", "00000099000000000002", "Agence centre",
                     "77310000", "services", "", "", "2025-10-23", "awarded", "", "")],
    },
    "can-modif_24_value.xml": {  # BT-720 in GBP: no EUR value, the contract is left out
        "organisations": [("00000099000000000003", "London South Bank University", "overig", "")],
        "tenders": [("8e8b5cf4-595b-4562-85b0-7c79922cb330/LOT-0000", "00000099000000000003", "Change Partner",
                     "79410000", "services", "", "", "2018-07-31", "awarded", "", "")],
    },
    "can_24_LSBU.xml": {  # award date from BT-145 (no BT-1451); value in GBP
        "organisations": [("00000099000000000003", "London South Bank University", "overig", "")],
        "tenders": [("d5049cd6-caec-47cd-ab5f-2f7715f975e0/LOT-0000", "00000099000000000003", "Change Partner",
                     "79410000", "services", "open", "", "2018-07-31", "awarded", "", "")],
    },
    "can_24_maximal.xml": {  # framework, two winning tenders on LOT-0001 (lead of TPA-0001: ORG-0008); LOT-0002 clos-nw
        "organisations": [FIN_ADM],
        "suppliers": [("FR-1223456789", "Competitor", "", "FR", "large", "", ""),
                      ("LU-927384203", "Gyro Soft SA", "", "LU", "large", "", "")],
        "tenders": [
            (f"{P_CAN_MAX}/LOT-0001", FIN_ADM[0], "Title ---", "75121000", "services", "negotiated", "",
             "2023-03-23", "awarded", "9999999.99", "19999999.98"),
            (f"{P_CAN_MAX}/LOT-0002", FIN_ADM[0], "Title lot 2---", "75121000", "services", "negotiated", "", "",
             "cancelled", "9999999.99", ""),
        ],
        "tender_criteria": [
            _criterion(P_CAN_MAX, "LOT-0001", "BT-774", "clim-mitig", "klimaat"),
            _criterion(P_CAN_MAX, "LOT-0001", "BT-775", "acc-all", "diversiteit_inclusie"),
            _criterion(P_CAN_MAX, "LOT-0001", "BT-717", "true", "klimaat"),
            _criterion(P_CAN_MAX, "LOT-0002", "BT-774", "clim-mitig", "klimaat"),
            _criterion(P_CAN_MAX, "LOT-0002", "BT-775", "acc-all", "diversiteit_inclusie"),
        ],
        "contracts": [
            (f"{P_CAN_MAX}/CON-0001", f"{P_CAN_MAX}/LOT-0001", FIN_ADM[0], "LU-927384203", "75121000", "services",
             "2023-03-24", "", "9999999.99", "true", "", "", "false"),
            (f"{P_CAN_MAX}/CON-0002", f"{P_CAN_MAX}/LOT-0001", FIN_ADM[0], "FR-1223456789", "75121000", "services",
             "2023-03-24", "", "9999999.99", "true", "", "", "false"),
        ],
    },
    "can_25_ITA.xml": {
        "organisations": [("00000099000000000005", "Rete Ferroviaria italiana", "overig", "")],
        "suppliers": [("IT-222222222", "Trenitalia SpA", "", "IT", "large", "", "")],
        "tenders": [(f"{P_ITA}/LOT-0000", "00000099000000000005", ITA_TITLE, "60210000", "services", "negotiated",
                     "", "2020-04-02", "awarded", "", "4000000.00")],
        "contracts": [(f"{P_ITA}/CON-0001", f"{P_ITA}/LOT-0000", "00000099000000000005", "IT-222222222", "60210000",
                       "services", "2020-04-02", "", "4000000.00", "false", "", "", "false")],
    },
    "cn-social_25.xml": {  # BT-774 other and BT-776 rd-act are kept without a theme; BT-27 in BWP
        "organisations": [("00000099000000000006", "ZenithNova Innovations", "overig", "")],
        "tenders": [("b6e24d15-bcdf-4275-9399-72cfb2e671c6/LOT-0001", "00000099000000000006",
                     "At the End of the Tunnel vol 3", "30000000", "supplies", "innovation_partnership",
                     "2023-05-26", "", "active", "", "")],
        "tender_criteria": [
            _criterion("b6e24d15-bcdf-4275-9399-72cfb2e671c6", "LOT-0001", "BT-774", "biodiv-eco", "milieu"),
            _criterion("b6e24d15-bcdf-4275-9399-72cfb2e671c6", "LOT-0001", "BT-775", "opp", "social_return"),
            _criterion("b6e24d15-bcdf-4275-9399-72cfb2e671c6", "LOT-0001", "BT-775", "acc-all", "diversiteit_inclusie"),
        ],
    },
    "cn_23.xml": {  # no BT-105 in the notice
        "organisations": [("00000099000000000007", "Communauté de communes Loches sud Touraine", "gemeente", "")],
        "tenders": [("fe181e9c-327f-4a7c-8669-ef0774c9a749/LOT-0000", "00000099000000000007",
                     "Concession de service public pour la gestion des équipements d'accueil collectif de la "
                     "petite enfance — secteur nord-est Loches et Tauxigny-Saint-Bauld",
                     "85312110", "services", "", "2020-04-14", "", "active", "", "")],
    },
    "cn_24_cumbria.xml": {  # the buyer map gives no layer: BT-11 `la` gives gemeente
        "organisations": [("00000099000000000008", "Cumbria County Council", "gemeente", "")],
        "tenders": [("9af3b735-9d6c-45c8-8c39-d58fb9fa824b/LOT-0000", "00000099000000000008",
                     "School Payroll and HR Admin Services", "79000000", "services", "open", "2020-04-09", "",
                     "active", "", "")],
    },
    "cn_24_maximal.xml": {
        "organisations": [FIN_ADM],
        "tenders": [
            (f"{P_CN_MAX}/LOT-0001", FIN_ADM[0], "Title ---", "75121000", "services", "negotiated", "2023-03-23", "",
             "active", "9999999.99", ""),
            (f"{P_CN_MAX}/LOT-0002", FIN_ADM[0], "Title Lot 2---", "75121000", "services", "negotiated",
             "2023-03-23", "", "active", "9999999.99", ""),
        ],
        "tender_criteria": [
            _criterion(P_CN_MAX, "LOT-0001", "BT-774", "clim-mitig", "klimaat"),
            _criterion(P_CN_MAX, "LOT-0001", "BT-775", "acc-all", "diversiteit_inclusie"),
            _criterion(P_CN_MAX, "LOT-0002", "BT-774", "clim-mitig", "klimaat"),
            _criterion(P_CN_MAX, "LOT-0002", "BT-775", "acc-all", "diversiteit_inclusie"),
        ],
    },
}

# the codes each example declares per lot (in _notices_report.json), themed or not
EXPECTED_CODES = {
    "cn-social_25.xml": {"b6e24d15-bcdf-4275-9399-72cfb2e671c6/LOT-0001": [
        "BT-774 biodiv-eco", "BT-774 other", "BT-775 opp", "BT-775 acc-all", "BT-776 rd-act"]},
    "cn_24_maximal.xml": {f"{P_CN_MAX}/{lot}": ["BT-06 env-imp", "BT-774 clim-mitig", "BT-775 acc-all", "BT-776 proc-innov"]
                          for lot in ("LOT-0001", "LOT-0002")},
}


def read_rows(folder: Path, entity: str) -> list[tuple]:
    with (folder / f"{entity}.csv").open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        assert next(reader) == list(contract.entities()[entity].columns)
        return [tuple(row) for row in reader]


def run_ingest(out: Path, *paths: Path, buyer_map: Path = BUYER_MAP):
    result, errors, report = ingest(list(paths), out, buyer_map)
    return {e: read_rows(out, e) for e in ENTITIES}, errors, report


def test_every_example_notice_has_expected_rows() -> None:
    assert sorted([*EXPECTED, *INVALID]) == sorted(p.name for p in EFORMS.glob("*.xml"))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_notice_gives_the_rows_read_from_its_xml(name: str, tmp_path: Path) -> None:
    rows, errors, report = run_ingest(tmp_path, EFORMS / name)
    assert errors == []
    assert report["quarantined_procedures"] == []
    for entity in ENTITIES:
        assert rows[entity] == EXPECTED[name].get(entity, []), entity
    assert read_rows(tmp_path, "invoice_lines") == []
    for tender_id, codes in EXPECTED_CODES.get(name, {}).items():
        assert next(lot["codes"] for lot in report["lots"] if lot["tender_id"] == tender_id) == codes
    assert check_landing_folder(tmp_path) == []


def test_left_out_contracts_are_reported_with_the_reason(tmp_path: Path) -> None:
    _, _, report = run_ingest(tmp_path, EFORMS / "can_24_LSBU.xml", EFORMS / "E4_minimal.xml")
    reasons = {row["id"]: row["reason"] for row in report["left_out_rows"]}
    assert "4500000 GBP is not in EUR" in reasons["d5049cd6-caec-47cd-ab5f-2f7715f975e0/CON-0001"]
    assert "BT-720: missing" in reasons["8698a8e5-9815-4889-ae6a-632170aeb5e6/CON-0001"]


def test_invalid_examples_fail_per_file_and_the_valid_ones_still_load(tmp_path: Path, capsys) -> None:
    out = tmp_path / "landing"
    code = main(["ingest-notices", str(EFORMS), "--out", str(out), "--buyer-map", str(BUYER_MAP)])
    stderr = capsys.readouterr().err
    assert code == 1
    lines = [line for line in stderr.splitlines() if "INVALID_" in line]
    assert len(lines) == 2  # one line per invalid file
    empty = next(line for line in lines if "INVALID_cn_24_empty.xml" in line)
    stage1 = next(line for line in lines if "INVALID_can_24_stage-1.xml" in line)
    for line in (empty, stage1):
        assert "BT-04 procedure identifier (cbc:ContractFolderID) is empty" in line
        assert "no buyer (cac:ContractingParty)" in line
    assert "no lot (cac:ProcurementProjectLot)" in empty
    assert "a lot has no identifier (BT-137)" in stage1
    # every valid example still loaded: the union of their rows
    for entity in ENTITIES:
        expected = {row for rows in EXPECTED.values() for row in rows.get(entity, [])}
        assert set(read_rows(out, entity)) == expected, entity
    report = json.loads((out / "_notices_report.json").read_text(encoding="utf-8"))
    assert sorted(Path(e["file"]).name for e in report["file_errors"]) == sorted(INVALID)
    assert check_landing_folder(out) == []


def test_malformed_and_unhandled_files_get_one_clear_line(tmp_path: Path) -> None:
    notices = tmp_path / "in"
    notices.mkdir()
    (notices / "cut.xml").write_text((EFORMS / "E3_minimal.xml").read_text(encoding="utf-8")[:2000], encoding="utf-8")
    pin = (EFORMS / "E3_minimal.xml").read_text(encoding="utf-8").replace(
        '<cbc:NoticeTypeCode listName="competition">cn-standard', '<cbc:NoticeTypeCode listName="planning">pin-only')
    (notices / "pin.xml").write_text(pin, encoding="utf-8")
    sdk2 = (EFORMS / "E3_minimal.xml").read_text(encoding="utf-8").replace("eforms-sdk-1.15", "eforms-sdk-2.0")
    (notices / "sdk2.xml").write_text(sdk2, encoding="utf-8")
    (notices / "broken.json").write_text('{"releases": [', encoding="utf-8")
    (notices / "planning.json").write_text(json.dumps({"releases": [{"ocid": "x", "id": "1", "date": "2025-01-01",
                                                                      "tag": ["planning"]}]}), encoding="utf-8")
    shutil.copy(EFORMS / "cn_24_cumbria.xml", notices)
    _, errors, _ = run_ingest(tmp_path / "out", notices)
    messages = {Path(e["file"]).name: e["error"] for e in errors}
    assert messages["cut.xml"].startswith("not well-formed XML")
    assert "notice type pin-only is not handled" in messages["pin.xml"]
    assert "SDK version eforms-sdk-2.0 is not handled" in messages["sdk2.xml"]
    assert messages["broken.json"].startswith("not valid JSON")
    assert "release tag planning is not handled" in messages["planning.json"]
    assert all("\n" not in m for m in messages.values())
    assert "cn_24_cumbria.xml" not in messages
    assert read_rows(tmp_path / "out", "tenders") == EXPECTED["cn_24_cumbria.xml"]["tenders"]


def test_unmapped_buyers_are_quarantined_and_reported(tmp_path: Path, capsys) -> None:
    """With the project's buyer map (empty), no example buyer resolves: each procedure is
    reported, on the command line and in _notices_report.json, and none of its rows written."""
    out = tmp_path / "landing"
    main(["ingest-notices", str(EFORMS / "cn_24_cumbria.xml"), str(EFORMS / "cn_24_maximal.xml"), "--out", str(out)])
    stderr = capsys.readouterr().err
    assert "procedure 9af3b735-9d6c-45c8-8c39-d58fb9fa824b quarantined: buyer 'Cumbria County Council'" in stderr
    assert f"procedure {P_CN_MAX} quarantined" in stderr
    for entity in ENTITIES:
        assert read_rows(out, entity) == []
    report = json.loads((out / "_notices_report.json").read_text(encoding="utf-8"))
    quarantined = {q["procedure_id"]: q for q in report["quarantined_procedures"]}
    cumbria = quarantined["9af3b735-9d6c-45c8-8c39-d58fb9fa824b"]
    assert cumbria["buyer"] == {"name": "Cumbria County Council", "identifier": "xyz", "country": "GB", "legal_type": "la"}
    assert "no OIN" in cumbria["reason"] and "government layer" not in cumbria["reason"]  # la: gemeente
    assert cumbria["rows"] == {"tenders": 1}
    assert quarantined[P_CN_MAX]["rows"] == {"tenders": 2, "tender_criteria": 4}
    assert check_landing_folder(out) == []


@pytest.mark.parametrize("name", ["cn_24_maximal", "can_25_ITA"])
def test_ocds_and_eforms_of_the_same_procedure_give_the_same_rows(name: str, tmp_path: Path) -> None:
    from_eforms, errors_e, _ = run_ingest(tmp_path / "eforms", EFORMS / f"{name}.xml")
    from_ocds, errors_o, _ = run_ingest(tmp_path / "ocds", OCDS / f"{name}.json")
    assert errors_e == errors_o == []
    assert from_ocds == from_eforms
    assert any(from_ocds[e] for e in ("tender_criteria", "contracts"))
    for entity in ENTITIES:  # byte for byte
        assert (tmp_path / "ocds" / f"{entity}.csv").read_bytes() == (tmp_path / "eforms" / f"{entity}.csv").read_bytes()


NL = "NL-2025-0042"
NL_OIN = "00000003123456780000"  # 00000003 + KvK 12345678 + 0000


def test_later_notices_replace_earlier_ones(tmp_path: Path) -> None:
    """nl_procedure.json: tender (2025-02-03), award (2025-06-02), contract amendment
    (2025-10-15), listed out of order. The amendment's contract value wins; the publication
    date stays the tender notice's; LOT-0002 had no winner (award status unsuccessful)."""
    rows, errors, report = run_ingest(tmp_path, OCDS / "nl_procedure.json", buyer_map=BUYER_MAP)
    assert errors == []
    assert rows["organisations"] == [(NL_OIN, "Gemeente Voorbeeldstad", "gemeente", "")]
    assert rows["suppliers"] == [("KVK-87654321", "Groenbouw B.V.", "87654321", "NL", "small", "", "")]
    assert rows["tenders"] == [
        (f"{NL}/LOT-0001", NL_OIN, "Renovatie en verduurzaming", "45454000", "works", "open", "2025-02-03",
         "2025-05-20", "awarded", "2500000.00", "2475000.00"),
        (f"{NL}/LOT-0002", NL_OIN, "Schoonmaak", "90910000", "services", "open", "2025-02-03", "", "cancelled",
         "300000.50", ""),
    ]
    assert rows["tender_criteria"] == [
        _criterion(NL, "LOT-0001", "BT-774", "circ-econ", "circulair"),
        _criterion(NL, "LOT-0001", "BT-805", "eu", "milieu"),
        _criterion(NL, "LOT-0001", "BT-775", "work-cond", "isv"),
        _criterion(NL, "LOT-0001", "BT-717", "true", "klimaat"),
        _criterion(NL, "LOT-0002", "BT-775", "opp", "social_return"),
    ]
    assert rows["contracts"] == [(f"{NL}/CON-0001", f"{NL}/LOT-0001", NL_OIN, "KVK-87654321", "45454000", "works",
                                  "2025-06-01", "", "2475000.00", "false", "", "", "false")]
    superseded = sorted(s["notice_id"] for s in report["superseded_notices"])
    assert superseded == ["NL-2025-0042-award", "NL-2025-0042-tender"]
    assert check_landing_folder(tmp_path) == []


def test_an_award_notice_replaces_the_competition_notice_of_its_procedure(tmp_path: Path) -> None:
    """cn_24_maximal.xml (competition, 2023-03-23) and an award of the same procedure, made from
    can_25_ITA.json's shape: the tender becomes awarded and keeps the notice's publication date."""
    award = json.loads((OCDS / "cn_24_maximal.json").read_text(encoding="utf-8"))
    release = award["releases"][0]
    release.update(id="cn_24_maximal-award", date="2023-06-01T00:00:00Z", tag=["award", "contract"])
    release["parties"].append({"id": "W1", "name": "Winner BV", "identifier": {"scheme": "NL-KVK", "id": "01234567"},
                               "details": {"scale": "medium"}})
    release["awards"] = [{"id": "RES-1", "status": "active", "date": "2023-05-30", "relatedLots": ["LOT-0001"],
                          "suppliers": [{"id": "W1"}], "value": {"amount": 1000, "currency": "EUR"}}]
    later = tmp_path / "award.json"
    later.write_text(json.dumps(award), encoding="utf-8")
    rows, _, _ = run_ingest(tmp_path / "out", EFORMS / "cn_24_maximal.xml", later)
    lot1, lot2 = rows["tenders"]
    assert lot1[6:11] == ("2023-03-23", "2023-05-30", "awarded", "9999999.99", "1000.00")
    assert lot2[6:9] == ("2023-03-23", "", "active")
    assert rows["contracts"] == [(f"{P_CN_MAX}/RES-1", f"{P_CN_MAX}/LOT-0001", FIN_ADM[0], "KVK-01234567",
                                  "75121000", "services", "2023-05-30", "", "1000.00", "false", "", "", "true")]
    assert rows["suppliers"] == [("KVK-01234567", "Winner BV", "01234567", "NL", "medium", "", "")]


def test_file_order_does_not_matter(tmp_path: Path) -> None:
    files = sorted(EFORMS.glob("*.xml")) + [OCDS / "nl_procedure.json"]
    forward, _, _ = run_ingest(tmp_path / "a", *files)
    backward, _, _ = run_ingest(tmp_path / "b", *reversed(files))
    assert forward == backward


@pytest.mark.parametrize(("identifier", "country", "oin"), [
    ("12345678", "NL", "00000003123456780000"),
    ("1234 5678", "NL", "00000003123456780000"),
    ("123456789", "NL", "00000001123456789000"),
    ("00000001123456789000", "NL", "00000001123456789000"),
    ("12345678", "BE", None),
    ("1234567", "NL", None),
    ("KVK12345678", "NL", None),
])
def test_derived_oin(identifier: str, country: str, oin: str | None) -> None:
    assert derive_oin(Party("ORG-1", "X", identifier, country)) == oin


def test_buyer_layer_from_bt11_where_unambiguous_else_the_map() -> None:
    rijk = Party("ORG-1", "Ministerie", "123456789", "NL", "cga")
    assert resolve_buyer(rijk, []) == ("00000001123456789000", "rijk", "Ministerie")
    water = Party("ORG-1", "Waterschap Voorbeeld", "87654321", "NL", "ra")
    assert "no government layer (BT-11 ra is not unambiguous" in resolve_buyer(water, [])
    mapping = BuyerMapping("8765 4321", "", None, None, "waterschap")
    assert resolve_buyer(water, [mapping]) == ("00000003876543210000", "waterschap", "Waterschap Voorbeeld")


def test_theme_map_is_the_issue_table() -> None:
    themes = load_theme_map(THEME_MAP)
    expected = {
        "klimaat": {("BT-774", "clim-mitig"), ("BT-774", "clim-adapt"), ("BT-717", "true")},
        "circulair": {("BT-774", "circ-econ")},
        "milieu": {("BT-774", "biodiv-eco"), ("BT-774", "pollu-prev"), ("BT-774", "water-mar"),
                   ("BT-805", "eu"), ("BT-805", "national")},
        "isv": {("BT-775", "work-cond"), ("BT-775", "hum-right")},
        "social_return": {("BT-775", "opp")},
        "diversiteit_inclusie": {("BT-775", "gen-eq"), ("BT-775", "et-eq"), ("BT-775", "acc-all")},
    }
    for theme, codes in expected.items():
        assert {k for k, v in themes.items() if v == theme} == codes, theme
    assert set(themes.values()) - {None} <= set(contract.code_list("tender_criteria", "theme"))
    assert "declared_objective" in contract.code_list("tender_criteria", "criterion_kind")


def test_notices_folder_builds_with_dbt(tmp_path: Path) -> None:
    """The folder of every fixture passes the landing check and builds (dbt build in a temp
    workspace): every written row loads, none is rejected."""
    from pipeline import Pipeline  # noqa: PLC0415 (the dbt test helper, only for this test)

    out = tmp_path / "notices"
    run_ingest(out, EFORMS, OCDS / "nl_procedure.json")
    assert check_landing_folder(out) == []
    pipe = Pipeline(tmp_path / "pipeline")
    pipe.deliver(out)
    step = pipe.dbt_build()
    assert step.returncode == 0, step.tail()

    with connect_build(pipe.db_path, read_only=True) as con:
        rejected = con.execute("select entity, reason_code, count(*) from governance.rejected_rows group by all").fetchall()
        tenders = con.execute("select count(*) from staging.stg_landing__tenders").fetchone()[0]
    assert rejected == []
    assert tenders == len(read_rows(out, "tenders"))


def test_docs_show_every_xpath_and_the_theme_table() -> None:
    from mvoi.notices.eforms import EXT, XPATHS  # noqa: PLC0415

    text = (Path(__file__).parents[2] / "docs" / "notices.md").read_text(encoding="utf-8")
    for term, xpath in XPATHS.items():
        assert f"`{xpath.replace(EXT, '{EXT}')}`" in text, term
    assert "| BT-775 `opp` | `social_return` |" in text
    assert "| BT-774 `circ-econ` | `circulair` |" in text
