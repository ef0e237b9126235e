"""The warehouse half of issue 13: public notices as a second, separate source.

Two `dbt build`s of one private pipeline (tests/python/pipeline.py) on a small generated
self-reported delivery (landing mode): first without a notices folder (MVOI_NOTICES_DIR points
at a folder that does not exist yet), then with a hand-written notices landing folder. The
notices cover two buyers: organisation O of the delivery, whose tenders are all published
(ids rewritten to TenderNed's `<procedure id>/<lot id>` in the delivery too) except one above
the EU threshold, plus one published lot O did not deliver and one lot whose declared themes
differ; and a buyer P that delivers nothing. Checked: the reconciliation has exactly those
three findings, the notice-based KPIs in fct_kpi_values_v2 (source public_notices) equal a
hand computation from the notice rows, and version 1 (fct_kpi_values) is unchanged by the
notices.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest
from pipeline import BIN_DIR, DBT_BUILD, Pipeline, rows_digest

from mvoi.generator import Config, generate
from mvoi.paths import connect_build

THEMES = ["milieu", "klimaat", "circulair", "isv", "diversiteit_inclusie", "social_return"]
# the tender KPIs of kpi_formulas() computed from notices (GEN-03 needs an ambition level)
NOTICE_KPIS = {
    "GEN-01": ("count", None), "GEN-02": ("value", None), "KLI-01": ("count", "klimaat"),
    "CIR-01": ("count", "circulair"), "CIR-02": ("value", "circulair"), "MIL-01": ("count", "milieu"),
    "DI-01": ("count", "diversiteit_inclusie"),
}
BUYER_P = {"organisation_id": "00000003999999990000", "name": "Gemeente Notitiedorp",
           "government_layer": "gemeente", "parent_organisation_id": ""}
TENDER_COLUMNS = ["tender_id", "organisation_id", "title", "cpv_code", "contract_type", "procedure",
                  "publication_date", "award_date", "status", "estimated_value_eur", "awarded_value_eur"]


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def write_csv(path: Path, rows: list[dict[str, str]], columns: list[str]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)


def rewrite_tender_ids(folder: Path, mapping: dict[str, str]) -> None:
    """Give tenders the ids TenderNed would (procedure/lot) in every file that refers to them."""
    for name in ("tenders.csv", "tender_criteria.csv", "contracts.csv"):
        path = folder / name
        rows = read_csv(path)
        for row in rows:
            row["tender_id"] = mapping.get(row["tender_id"], row["tender_id"])
        write_csv(path, rows, list(rows[0].keys()))


def value_of(tender: dict[str, str]) -> Decimal | None:
    raw = tender["awarded_value_eur"] or tender["estimated_value_eur"]
    return Decimal(raw) if raw else None


@pytest.fixture(scope="module")
def scenario(tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("notice_warehouse")
    delivery = root / "delivery"
    generate(Config(out=delivery, invoice_lines=300, seed=11, quiet=True))
    (delivery / "_faults.json").unlink(missing_ok=True)

    tenders = read_csv(delivery / "tenders.csv")
    by_org: dict[str, list[dict]] = defaultdict(list)
    for tender in tenders:
        by_org[tender["organisation_id"]].append(tender)
    org_o = max(by_org, key=lambda oin: len(by_org[oin]))
    mapping = {t["tender_id"]: f"NL-2024-{t['tender_id']}/LOT-0001" for t in by_org[org_o]}
    rewrite_tender_ids(delivery, mapping)
    tenders_o = [t for t in read_csv(delivery / "tenders.csv") if t["organisation_id"] == org_o]
    themes_of: dict[str, set[str]] = defaultdict(set)
    for criterion in read_csv(delivery / "tender_criteria.csv"):
        themes_of[criterion["tender_id"]].add(criterion["theme"])

    # missing on the notice side: O's largest awarded supplies/services tender (far above the threshold)
    candidates = [t for t in tenders_o if t["status"] == "awarded" and t["contract_type"] != "works"]
    unpublished = max(candidates, key=lambda t: value_of(t) or 0)
    assert value_of(unpublished) > 300_000, "the generated delivery has no tender clearly above the threshold"
    # published with other themes: an awarded tender of O with criteria
    mismatched = next(t for t in tenders_o if t["status"] == "awarded" and themes_of[t["tender_id"]]
                      and t is not unpublished)
    mismatch_themes = {"diversiteit_inclusie"} if themes_of[mismatched["tender_id"]] != {"diversiteit_inclusie"} else {"milieu"}

    notice_tenders = [dict(t) for t in tenders_o if t is not unpublished]
    notice_themes = {t["tender_id"]: set(themes_of[t["tender_id"]]) for t in notice_tenders}
    notice_themes[mismatched["tender_id"]] = mismatch_themes
    extra = [  # published lots the delivery lacks: one of O, two of buyer P
        {"tender_id": "NL-2024-999001/LOT-0001", "organisation_id": org_o, "title": "Gepubliceerd, niet geleverd",
         "cpv_code": "90910000", "contract_type": "services", "procedure": "open", "publication_date": "2024-02-01",
         "award_date": "2024-05-01", "status": "awarded", "estimated_value_eur": "500000.00",
         "awarded_value_eur": "480000.00"},
        {"tender_id": "NL-2024-999002/LOT-0001", "organisation_id": BUYER_P["organisation_id"], "title": "Kavel 1",
         "cpv_code": "34144900", "contract_type": "supplies", "procedure": "open", "publication_date": "2024-01-10",
         "award_date": "2024-04-10", "status": "awarded", "estimated_value_eur": "300000.00",
         "awarded_value_eur": ""},
        {"tender_id": "NL-2024-999002/LOT-0002", "organisation_id": BUYER_P["organisation_id"], "title": "Kavel 2",
         "cpv_code": "34144900", "contract_type": "supplies", "procedure": "open", "publication_date": "2024-01-10",
         "award_date": "2024-04-12", "status": "awarded", "estimated_value_eur": "100000.00",
         "awarded_value_eur": "90000.00"},
    ]
    notice_tenders += extra
    notice_themes.update({
        "NL-2024-999001/LOT-0001": {"circulair", "klimaat"},
        "NL-2024-999002/LOT-0001": {"klimaat"},
        "NL-2024-999002/LOT-0002": set(),
    })

    notices = root / "notices"  # absent during the first build
    organisation_o = next(o for o in read_csv(delivery / "organisations.csv") if o["organisation_id"] == org_o)
    pipe = Pipeline(root / "pipeline")
    pipe.deliver(delivery)
    env = {"MVOI_NOTICES_DIR": str(notices)}

    def build() -> None:
        step = pipe.run(str(BIN_DIR / "dbt"), *DBT_BUILD, "--no-use-colors", **env)
        assert step.returncode == 0, step.tail()

    def query(sql: str) -> list[tuple]:
        with connect_build(pipe.db_path, read_only=True) as con:
            return con.execute(sql).fetchall()

    build()
    before = {
        # doubles compared to 12 significant digits (DuckDB sums doubles in no fixed order)
        "v1": rows_digest(query("select * from marts.fct_kpi_values")),
        "v2_sources": query("select distinct source from marts.fct_kpi_values_v2"),
        "raw_notices": query("select count(*) from raw_notices.tenders")[0][0],
        "reconciliation": query("select count(*) from governance.notice_reconciliation")[0][0],
    }

    notices.mkdir()
    write_csv(notices / "organisations.csv", [organisation_o, BUYER_P], list(BUYER_P.keys()))
    write_csv(notices / "tenders.csv", notice_tenders, TENDER_COLUMNS)
    criteria = [
        {"criterion_id": f"{tender_id}/BT-774/{theme}", "tender_id": tender_id, "theme": theme,
         "criterion_kind": "declared_objective", "ambition_level": "", "award_weight_pct": "", "r_level": "",
         "source": "eforms"}
        for tender_id, themes in notice_themes.items() for theme in sorted(themes)
    ]
    write_csv(notices / "tender_criteria.csv", criteria, ["criterion_id", "tender_id", "theme", "criterion_kind",
                                                         "ambition_level", "award_weight_pct", "r_level", "source"])
    build()
    return {
        "before": before, "query": query, "org_o": org_o, "layer_o": organisation_o["government_layer"],
        "unpublished": unpublished, "mismatched": mismatched, "mismatch_themes": mismatch_themes,
        "self_themes": themes_of[mismatched["tender_id"]], "notice_tenders": notice_tenders,
        "notice_themes": notice_themes,
    }


def test_without_a_notices_folder_there_are_no_notice_rows(scenario) -> None:
    before = scenario["before"]
    assert before["raw_notices"] == 0
    assert before["v2_sources"] == [("self_reported",)]
    assert before["reconciliation"] == 0


def test_version_1_is_unchanged_by_the_notices(scenario) -> None:
    query = scenario["query"]
    assert rows_digest(query("select * from marts.fct_kpi_values")) == scenario["before"]["v1"]
    # and version 2's self-reported rows are version 1's
    v2 = query("""select kpi_code, theme, scope_level, scope_id, year, numerator, denominator, value, unit,
                  record_count, target_value, meets_target from marts.fct_kpi_values_v2 where source = 'self_reported'""")
    assert rows_digest(v2) == scenario["before"]["v1"]


def test_notice_rows_stay_out_of_the_self_reported_models(scenario) -> None:
    query = scenario["query"]
    assert query("select count(*) from marts.fct_tenders where tender_id like 'NL-2024-999%'")[0][0] == 0
    buyer_p = BUYER_P["organisation_id"]
    assert query(f"select count(*) from marts.dim_organisations where organisation_id = '{buyer_p}'")[0][0] == 0
    assert query("select count(*) from marts.fct_notice_tenders")[0][0] == len(scenario["notice_tenders"])


def test_reconciliation_finds_one_tender_missing_on_each_side_and_the_theme_mismatch(scenario) -> None:
    rows = scenario["query"]("""
        select finding, organisation_id, tender_id, self_reported_tender_id, is_above_threshold,
               self_reported_themes, notice_themes
        from governance.notice_reconciliation order by finding""")
    org_o, unpublished, mismatched = scenario["org_o"], scenario["unpublished"], scenario["mismatched"]
    # buyer P delivers nothing, so it is not compared
    assert [(r[0], r[1], r[2]) for r in rows] == [
        ("delivered_not_published", org_o, unpublished["tender_id"]),
        ("published_not_delivered", org_o, "NL-2024-999001/LOT-0001"),
        ("theme_mismatch", org_o, mismatched["tender_id"]),
    ]
    assert rows[0][4] is True  # above the EU threshold
    assert rows[1][3] is None  # nothing self-reported
    mismatch = rows[2]
    assert mismatch[5] == (", ".join(t for t in THEMES if t in scenario["self_themes"]) or None)
    assert mismatch[6] == ", ".join(t for t in THEMES if t in scenario["mismatch_themes"])


def hand_computed(notice_tenders: list[dict], notice_themes: dict[str, set[str]],
                  scope_of) -> dict[tuple, tuple]:
    """{(kpi, scope_id, year): (numerator, denominator, record_count)} from the notice rows."""
    out: dict[tuple, list] = defaultdict(lambda: [Decimal(0), Decimal(0), 0])
    for tender in notice_tenders:
        if tender["status"] != "awarded":
            continue
        year = int(tender["award_date"][:4])
        themes = notice_themes[tender["tender_id"]]
        value = value_of(tender)
        for kpi, (kind, theme) in NOTICE_KPIS.items():
            hit = bool(themes) if theme is None else theme in themes
            if kind == "value" and value is None:
                continue  # outside the domain (tender_value_eur is not null)
            acc = out[(kpi, scope_of(tender), year)]
            acc[0] += (1 if hit else 0) if kind == "count" else (value if hit else 0)
            acc[1] += 1 if kind == "count" else value
            acc[2] += 1
    return {key: (float(n), float(d), c) for key, (n, d, c) in out.items()}


def test_notice_kpis_equal_a_hand_computation(scenario) -> None:
    query = scenario["query"]
    layers = {scenario["org_o"]: scenario["layer_o"], BUYER_P["organisation_id"]: BUYER_P["government_layer"]}
    scopes = {
        "organisation": lambda t: t["organisation_id"],
        "government_layer": lambda t: layers[t["organisation_id"]],
        "national": lambda t: "NL",
    }
    for scope_level, scope_of in scopes.items():
        expected = hand_computed(scenario["notice_tenders"], scenario["notice_themes"], scope_of)
        rows = query(f"""
            select kpi_code, scope_id, year, numerator, denominator, record_count, value, unit
            from marts.fct_kpi_values_v2 where source = 'public_notices' and scope_level = '{scope_level}'""")
        actual = {(k, s, y): (n, d, c) for k, s, y, n, d, c, _, _ in rows}
        assert actual.keys() == expected.keys(), scope_level
        for key, (n, d, c) in expected.items():
            assert actual[key][0] == pytest.approx(n) and actual[key][1] == pytest.approx(d), (scope_level, key)
            assert actual[key][2] == c, (scope_level, key)
        for kpi, _, _, n, d, _, value, unit in rows:
            assert unit == "%" and value == pytest.approx(n / d * 100), kpi
    assert not query("select 1 from marts.fct_kpi_values_v2 where source = 'public_notices' and kpi_code = 'GEN-03'")


def test_notice_rows_count_their_reporting_organisations(scenario) -> None:
    rows = scenario["query"]("""
        select kpi_code, year, organisations_reporting from marts.fct_kpi_values_v2
        where source = 'public_notices' and scope_level = 'national'""")
    awarded_by_year: dict[int, set[str]] = defaultdict(set)
    for tender in scenario["notice_tenders"]:
        if tender["status"] == "awarded":
            awarded_by_year[int(tender["award_date"][:4])].add(tender["organisation_id"])
    for kpi, year, reporting in rows:
        if kpi in ("GEN-01", "KLI-01", "CIR-01", "MIL-01", "DI-01"):  # domain: every awarded lot
            assert reporting == len(awarded_by_year[year]), (kpi, year)
