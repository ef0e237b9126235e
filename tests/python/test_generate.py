"""Tests of `mvoi generate`: determinism, the landing contract, the fault manifest, distributions.

The contract is checked by an independent Python reading of docs/landing_contract.md
(`contract_rules.py`); the target ranges of the distributions are documented in
`mvoi/generate.py` and docs/generator.md.
"""

from __future__ import annotations

import csv
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from contract_rules import PROJECT_DIR, check_folder
from kpi_coverage import KPI_CODES, kpi_cells

from mvoi import contract
from mvoi.contract import entities
from mvoi.generator import MANIFEST_NAME, Config, generate

N = 5_000
SAMPLE_DIR = PROJECT_DIR / "sample"


def _rules() -> list[dict[str, str]]:
    """The rules a generated (multi-organisation) folder can break: not the delivery-only ones."""
    return [r.as_row() for r in contract.rules() if not r.delivery_only]


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def clean_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("clean")
    generate(Config(out=out, invoice_lines=N, seed=1, quiet=True))
    return out


@pytest.fixture(scope="module")
def faulty_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("faulty")
    # small chunks, so that the per-chunk fault quotas and duplicates are exercised too
    generate(Config(out=out, invoice_lines=N, seed=2, fault_rate=0.02, chunk_size=1_700, quiet=True))
    return out


# ---------------------------------------------------------------------------------------
# files and determinism


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_same_arguments_give_identical_bytes(tmp_path: Path, fmt: str) -> None:
    for name in ("a", "b"):
        generate(Config(out=tmp_path / name, invoice_lines=3_000, seed=7, fmt=fmt, fault_rate=0.02,
                        chunk_size=1_000, quiet=True))
    a, b = _digests(tmp_path / "a"), _digests(tmp_path / "b")
    assert a == b
    assert len(a) == 10  # nine entities and the manifest


def test_another_seed_gives_other_data(tmp_path: Path) -> None:
    generate(Config(out=tmp_path / "a", invoice_lines=1_000, seed=1, quiet=True))
    generate(Config(out=tmp_path / "b", invoice_lines=1_000, seed=2, quiet=True))
    assert _digests(tmp_path / "a")["invoice_lines.csv"] != _digests(tmp_path / "b")["invoice_lines.csv"]


def test_cli_writes_parquet_with_contract_columns(tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    out = tmp_path / "landing"
    proc = subprocess.run(
        [sys.executable, "-m", "mvoi", "generate", "--out", str(out), "--invoice-lines", "1200",
         "--seed", "3", "--format", "parquet", "--years", "2023-2024", "--quiet"],
        cwd=PROJECT_DIR, capture_output=True, text=True, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    for name, ent in entities().items():
        table = pq.read_table(out / f"{name}.parquet")
        assert tuple(table.column_names) == ent.columns
    lines = pq.read_table(out / "invoice_lines.parquet").to_pandas()
    assert len(lines) == 1200
    assert lines["invoice_date"].str[:4].isin(["2023", "2024"]).all()


def test_csv_files_have_exactly_the_contract_columns(clean_dir: Path) -> None:
    for name, ent in entities().items():
        with (clean_dir / f"{name}.csv").open(encoding="utf-8") as fh:
            header = next(csv.reader(fh))
        assert tuple(header) == ent.columns, name


# ---------------------------------------------------------------------------------------
# the landing contract


def test_fault_rate_zero_violates_no_rule(clean_dir: Path) -> None:
    result = check_folder(clean_dir)
    for name, ent in result.entities.items():
        assert ent.raw_rows > 0, name
        assert ent.exact_duplicates_removed == 0, name
        problems = ent.keys_by_reason()
        assert problems == {}, f"{name}: {({k: v[:5] for k, v in problems.items()})}"
    manifest = json.loads((clean_dir / MANIFEST_NAME).read_text())
    for name, e in manifest["entities"].items():
        assert e["expected_rejected"] == 0 and e["exact_duplicates_removed"] == 0, name
        assert all(f["count"] == 0 for f in e["faults"].values()), name


def test_every_rule_is_in_the_manifest_with_at_least_one_row(faulty_dir: Path) -> None:
    manifest = json.loads((faulty_dir / MANIFEST_NAME).read_text())
    for rule in _rules():
        entry = manifest["entities"][rule["entity"]]["faults"].get(rule["reason_code"])
        assert entry is not None, rule
        assert entry["count"] >= 1, rule
        assert entry["severity"] == rule["severity"], rule
    for name in entities():
        assert manifest["entities"][name]["faults"]["exact_duplicate"]["count"] >= 1, name


def test_checker_finds_exactly_the_manifest(faulty_dir: Path) -> None:
    _assert_checker_matches_manifest(faulty_dir)


def test_tiny_n_still_violates_every_rule(tmp_path: Path) -> None:
    manifest = generate(Config(out=tmp_path, invoice_lines=10, seed=4, fault_rate=0.05, quiet=True))
    for rule in _rules():
        assert manifest["entities"][rule["entity"]]["faults"][rule["reason_code"]]["count"] >= 1, rule
    _assert_checker_matches_manifest(tmp_path)


def _assert_checker_matches_manifest(folder: Path) -> None:
    manifest = json.loads((folder / MANIFEST_NAME).read_text())
    result = check_folder(folder)
    for name, ent in result.entities.items():
        expected = manifest["entities"][name]
        found = ent.keys_by_reason()
        # every damaged row violates exactly one rule
        n_reasons = ent.rows["_fatal"].map(len) + ent.rows["_warnings"].map(len)
        assert (n_reasons <= 1).all(), ent.rows.loc[n_reasons > 1, ["_key", "_fatal", "_warnings"]]
        assert set(found) <= set(expected["faults"]), (name, set(found) - set(expected["faults"]))
        for reason, entry in expected["faults"].items():
            if reason == "exact_duplicate":
                assert ent.exact_duplicate_keys == {d["key"]: d["extra_copies"] for d in entry["keys"]}, name
                continue
            got = found.get(reason, [])
            assert len(got) == entry["count"], (name, reason)
            if reason == "conflicting_duplicate":
                assert sorted(set(got)) == entry["keys"], (name, reason)
            elif reason != "missing_key":
                assert sorted(got) == entry["keys"], (name, reason)
        # reconciliation: raw = loaded + rejected + exact duplicates removed
        assert ent.raw_rows == expected["rows_written"], name
        assert len(ent.loaded) == expected["expected_loaded"], name
        assert len(ent.rejected) == expected["expected_rejected"], name
        assert ent.exact_duplicates_removed == expected["exact_duplicates_removed"], name


def test_fatal_faults_never_orphan_child_rows(faulty_dir: Path) -> None:
    """A rejected parent is referenced by nobody: no child fails because of it."""
    result = check_folder(faulty_dir)
    rejected = {name: set(ent.rejected["_key"].dropna()) for name, ent in result.entities.items()}
    refs = {
        ("tenders", "organisation_id"): "organisations", ("contracts", "organisation_id"): "organisations",
        ("invoice_lines", "organisation_id"): "organisations", ("invoice_lines", "supplier_id"): "suppliers",
        ("contracts", "supplier_id"): "suppliers", ("supplier_certificates", "supplier_id"): "suppliers",
        ("tender_criteria", "tender_id"): "tenders", ("contracts", "tender_id"): "tenders",
        ("invoice_lines", "contract_id"): "contracts", ("social_return_realisations", "contract_id"): "contracts",
        ("material_reports", "contract_id"): "contracts",
    }
    for (child, column), parent in refs.items():
        values = set(result.entities[child].rows[column].str.strip())
        assert not values & rejected[parent], (child, column)


def test_realistic_spellings_are_present(faulty_dir: Path) -> None:
    lines = pd.read_csv(faulty_dir / "invoice_lines.csv", dtype=str, keep_default_na=False)
    assert lines["invoice_date"].str.match(r"^\d{1,2}-\d{1,2}-\d{4}$").any()  # 31-12-2024
    assert lines["amount"].str.contains(",").any()  # 1.234,56
    assert (lines["currency"] == "USD").any()
    assert lines["currency"].isin(["eur", " EUR", "Eur", "EUR "]).any()  # valid variants
    orgs = pd.read_csv(faulty_dir / "organisations.csv", dtype=str, keep_default_na=False)
    suppliers = pd.read_csv(faulty_dir / "suppliers.csv", dtype=str, keep_default_na=False)
    kvk = suppliers["kvk_number"][suppliers["kvk_number"].str.match(r"^\d{8}$")]
    assert kvk.str.startswith("0").any()  # leading zeros kept
    assert orgs["organisation_id"].str.match(r"^00000001\d{9}000$").sum() >= 8


# ---------------------------------------------------------------------------------------
# realism: entities and distributions (target ranges documented in mvoi/generate.py)


def _frames(folder: Path) -> dict[str, pd.DataFrame]:
    return {n: pd.read_csv(folder / f"{n}.csv", dtype=str, keep_default_na=False) for n in entities()}


def test_distributions_within_documented_ranges(clean_dir: Path) -> None:
    f = _frames(clean_dir)
    lines, sup, tenders, crit = f["invoice_lines"], f["suppliers"], f["tenders"], f["tender_criteria"]
    amount = lines["amount"].astype(float)
    under_contract = amount[lines["contract_id"] != ""].sum() / amount.sum()
    assert 0.55 <= under_contract <= 0.90, under_contract
    awarded = tenders[tenders["status"] == "awarded"]
    with_criteria = awarded["tender_id"].isin(crit["tender_id"]).mean()
    assert 0.55 <= with_criteria <= 0.80, with_criteria
    sme = sup["size_class"].isin(["micro", "small", "medium"])
    assert 0.65 <= sme.mean() <= 0.90, sme.mean()
    size = lines.merge(sup[["supplier_id", "size_class"]], on="supplier_id")["size_class"]
    sme_spend = amount[size.isin(["micro", "small", "medium"]).to_numpy()].sum() / amount.sum()
    assert 0.15 <= sme_spend <= 0.49, sme_spend
    credit = (amount < 0).mean()
    assert 0.02 <= credit <= 0.05, credit
    month = lines["invoice_date"].str[5:7]
    shares = month.value_counts(normalize=True)
    assert shares.idxmax() == "12" and shares["12"] > 1 / 12
    # heavy tail: the top 1% of lines carry a large share of the spend
    top = amount.sort_values(ascending=False)
    assert top.iloc[: len(top) // 100].sum() / amount.sum() > 0.15


def test_entities_cover_the_domain(clean_dir: Path) -> None:
    f = _frames(clean_dir)
    orgs = f["organisations"]
    assert set(orgs["government_layer"]) == {"rijk", "provincie", "gemeente", "waterschap", "overig"}
    assert (orgs["parent_organisation_id"] != "").any()
    sup = f["suppliers"]
    assert ((sup["country_code"] != "NL") & (sup["kvk_number"] == "")).any()
    certs = f["supplier_certificates"]
    assert set(certs["scheme"]) == {"co2_prestatieladder", "pso", "iso_14001", "emas"}
    co2 = certs[certs["scheme"] == "co2_prestatieladder"]
    assert set(co2["ladder_version"]) == {"3.1", "4.0"}
    assert (certs["valid_to"] == "").any() and (certs["valid_to"] != "").any()
    crit = f["tender_criteria"]
    assert set(crit["theme"]) == {"milieu", "klimaat", "circulair", "isv", "diversiteit_inclusie", "social_return"}
    assert set(crit["criterion_kind"]) == {"selection_criterion", "minimum_requirement", "award_criterion", "contract_clause"}
    assert set(crit["ambition_level"]) >= {"1", "2", "3"}
    assert (crit.loc[crit["theme"] == "circulair", "r_level"] != "").any()
    themes = crit.drop_duplicates(["tender_id", "theme"])["theme"].value_counts()
    assert themes.index[0] in ("social_return", "klimaat")  # the most used themes (MVI-ZET 2024)
    tenders = f["tenders"]
    assert set(tenders["status"]) == {"planned", "active", "awarded", "cancelled"}
    con = f["contracts"]
    for flag in ("is_framework", "isv_clause", "is_reserved"):
        assert set(con[flag]) == {"true", "false"}, flag
    assert (con["tender_id"] == "").any() and (con["sroi_obligation_eur"] != "").any()
    assert (con["cpv_code"].str.len() == 8).any() and (con["cpv_code"].str.len() == 10).any()
    lines = f["invoice_lines"]
    assert (lines["cpv_code"] == "").any() and (lines["contract_id"] == "").any()
    sr = f["social_return_realisations"]
    assert (sr["placements_fte"] == "").any() and (sr["placements_fte"] != "").any()
    assert len(f["material_reports"]) > 0


def test_every_date_lies_inside_the_years(tmp_path: Path) -> None:
    generate(Config(out=tmp_path, invoice_lines=2_000, seed=5, years=(2023, 2024), quiet=True))
    for name, frame in _frames(tmp_path).items():
        for column in frame.columns:
            values = frame[column][frame[column].str.match(r"^\d{4}-\d{2}-\d{2}$")]
            if column != "cpv_code" and len(values):
                assert values.min() >= "2023-01-01" and values.max() <= "2024-12-31", (name, column)
    certs = _frames(tmp_path)["supplier_certificates"]
    assert (certs["valid_to"] != "").any()  # certificates expire inside a short period too


def test_counts_scale_with_invoice_lines(tmp_path: Path) -> None:
    small = generate(Config(out=tmp_path / "s", invoice_lines=1_000, seed=1, quiet=True))
    large = generate(Config(out=tmp_path / "l", invoice_lines=40_000, seed=1, quiet=True))
    for name in ("organisations", "suppliers", "tenders", "contracts"):
        assert large["entities"][name]["rows_written"] > small["entities"][name]["rows_written"], name


# ---------------------------------------------------------------------------------------
# the bundled sample


def test_bundled_sample_is_the_generators_output(tmp_path: Path) -> None:
    manifest = json.loads((SAMPLE_DIR / MANIFEST_NAME).read_text())
    args = manifest["generator"]
    y0, y1 = (int(y) for y in args["years"].split("-"))
    generate(Config(out=tmp_path, invoice_lines=args["invoice_lines"], seed=args["seed"], years=(y0, y1),
                    fmt=args["fmt"], fault_rate=args["fault_rate"], chunk_size=args["chunk_size"], quiet=True))
    fresh = _digests(tmp_path)
    bundled = {k: v for k, v in _digests(SAMPLE_DIR).items() if k in fresh}
    assert bundled == fresh


def test_bundled_sample_gives_every_kpi_a_value() -> None:
    cells = kpi_cells(SAMPLE_DIR)
    assert set(cells) == set(KPI_CODES)
    missing = [k for k in KPI_CODES if not cells[k]]
    assert missing == []
