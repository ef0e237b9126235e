"""Tests of the per-organisation deliveries (`mvoi generate --per-organisation`, mvoi.generator.split).

A clean data set of 2,000 invoice lines is split per organisation; the tests check that the
split folders together hold exactly the combined folder's rows (byte-for-byte for CSV), that
every folder holds only its organisation's rows and is self-contained (apart from the parent
organisation of an agency), that every folder passes the landing check, and that a correction
delivery changes exactly the rows of its organisation and year.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest

from mvoi.contract import entities
from mvoi.generator import Config, generate
from mvoi.generator.split import (
    CORRECTION_FILE,
    ORGANISATIONS_FILE,
    PERIOD_BOUND,
    correction_delivery,
    read_entity,
    scale_text,
    split_per_organisation,
)
from mvoi.landing_check import check_landing_folder

PROJECT_DIR = Path(__file__).resolve().parents[2]
N = 2_000
SEED = 11
COPIED = ("suppliers", "supplier_certificates")  # list-like entities copied into several folders


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _lines(path: Path) -> list[str]:
    """The data lines of a CSV file as bytes-for-bytes text (a clean file has one record per line)."""
    return path.read_text(encoding="utf-8").splitlines(keepends=True)[1:]


@pytest.fixture(scope="module")
def split(tmp_path_factory) -> tuple[Path, dict[str, Path]]:
    root = tmp_path_factory.mktemp("split")
    generate(Config(out=root / "_combined", invoice_lines=N, seed=SEED, quiet=True))
    return root / "_combined", split_per_organisation(root / "_combined", root)


@pytest.fixture(scope="module")
def combined(split) -> dict[str, list[dict[str, str]]]:
    return {name: _rows(split[0] / f"{name}.csv") for name in entities()}


@pytest.fixture(scope="module")
def folders(split) -> dict[str, dict[str, list[dict[str, str]]]]:
    return {oin: {name: _rows(f / f"{name}.csv") for name in entities()} for oin, f in split[1].items()}


def _dormant(combined) -> set[str]:
    used = {r["supplier_id"] for e in ("contracts", "invoice_lines") for r in combined[e]}
    return {r["supplier_id"] for r in combined["suppliers"]} - used


# ---------------------------------------------------------------------------------------
# the split


def test_one_folder_per_organisation_and_the_listing(split, combined) -> None:
    combined_dir, folders = split
    oins = [r["organisation_id"] for r in combined["organisations"]]
    assert list(folders) == oins
    assert all(folders[o] == combined_dir.parent / o for o in oins)
    listing = json.loads((combined_dir.parent / ORGANISATIONS_FILE).read_text())
    assert listing["organisations"] == oins
    assert set(listing["rows"]) == set(oins)


def test_union_of_the_folders_is_the_combined_folder(split, combined, folders) -> None:
    combined_dir, paths = split
    dormant = _dormant(combined)
    assert dormant, "the generator writes dormant suppliers; the test expects some"
    expected_missing = {
        "suppliers": sum(r["supplier_id"] in dormant for r in combined["suppliers"]),
        "supplier_certificates": sum(r["supplier_id"] in dormant for r in combined["supplier_certificates"]),
    }
    listing = json.loads((combined_dir.parent / ORGANISATIONS_FILE).read_text())
    for name in entities():
        if name in COPIED:
            union = {tuple(r.items()) for f in folders.values() for r in f[name]}
            expected = {tuple(r.items()) for r in combined[name] if r["supplier_id"] not in dormant}
            assert union == expected, name
            # a copy is the same row in every folder: one row per key
            assert len({dict(r)[entities()[name].key] for r in union}) == len(union), name
        else:
            # byte-for-byte: the data lines of the folders are the combined file's lines
            union_lines = Counter(line for p in paths.values() for line in _lines(p / f"{name}.csv"))
            assert union_lines == Counter(_lines(combined_dir / f"{name}.csv")), name
            # and in the combined file's order within every folder
            order = {line: i for i, line in enumerate(_lines(combined_dir / f"{name}.csv"))}
            for p in paths.values():
                positions = [order[line] for line in _lines(p / f"{name}.csv")]
                assert positions == sorted(positions), name
        assert listing["not_attributed"][name] == expected_missing.get(name, 0), name
        assert sum(listing["rows"][o][name] for o in folders) == sum(len(f[name]) for f in folders.values())


def test_copied_rows_are_byte_identical(split) -> None:
    combined_dir, paths = split
    for name in COPIED:
        source = set(_lines(combined_dir / f"{name}.csv"))
        for p in paths.values():
            assert set(_lines(p / f"{name}.csv")) <= source, (p.name, name)


def test_every_row_belongs_to_its_organisation(folders) -> None:
    for oin, f in folders.items():
        assert [r["organisation_id"] for r in f["organisations"]] == [oin]
        for name in ("tenders", "contracts", "invoice_lines"):
            assert {r["organisation_id"] for r in f[name]} <= {oin}, name
        tenders = {r["tender_id"] for r in f["tenders"]}
        contracts = {r["contract_id"] for r in f["contracts"]}
        assert {r["tender_id"] for r in f["tender_criteria"]} <= tenders
        for name in ("social_return_realisations", "material_reports"):
            assert {r["contract_id"] for r in f[name]} <= contracts, name
        # exactly the suppliers it uses, and exactly their certificates
        used = {r["supplier_id"] for e in ("contracts", "invoice_lines") for r in f[e]}
        assert {r["supplier_id"] for r in f["suppliers"]} == used


def test_split_takes_every_criterion_realisation_report_and_certificate(combined, folders) -> None:
    tender_org = {r["tender_id"]: r["organisation_id"] for r in combined["tenders"]}
    contract_org = {r["contract_id"]: r["organisation_id"] for r in combined["contracts"]}
    for oin, f in folders.items():
        assert len(f["tender_criteria"]) == sum(tender_org[r["tender_id"]] == oin for r in combined["tender_criteria"])
        for name in ("social_return_realisations", "material_reports"):
            assert len(f[name]) == sum(contract_org[r["contract_id"]] == oin for r in combined[name]), name
        suppliers = {r["supplier_id"] for r in f["suppliers"]}
        assert len(f["supplier_certificates"]) == sum(
            r["supplier_id"] in suppliers for r in combined["supplier_certificates"])


def test_every_reference_resolves_inside_the_folder(combined, folders) -> None:
    oins = set(folders)
    unresolved_parents = 0
    for oin, f in folders.items():
        for name, ent in entities().items():
            for col in ent.column_specs:
                if not col.references:
                    continue
                target, target_col = col.references.split(".")
                known = {r[target_col] for r in f[target]}
                values = {r[col.name] for r in f[name] if r[col.name]}
                if (name, col.name) == ("organisations", "parent_organisation_id"):
                    # the one reference a per-organisation delivery cannot hold: the parent is
                    # another organisation, which delivers its own folder
                    assert values <= oins - {oin}
                    unresolved_parents += len(values)
                    continue
                assert values <= known, (oin, name, col.name, sorted(values - known)[:3])
    assert unresolved_parents == sum(1 for r in combined["organisations"] if r["parent_organisation_id"])


def test_every_folder_passes_the_landing_check(split) -> None:
    for oin, path in split[1].items():
        assert check_landing_folder(path) == [], oin
        for name in entities():
            assert (path / f"{name}.csv").is_file(), (oin, name)


def test_an_organisation_without_rows_gets_header_only_files(split, folders) -> None:
    # some organisation has no material reports or no realisations: its file is header-only
    empty = [(o, n) for o, f in folders.items() for n in ("social_return_realisations", "material_reports")
             if not f[n]]
    assert empty
    oin, name = empty[0]
    text = (split[1][oin] / f"{name}.csv").read_text(encoding="utf-8")
    assert text.count("\n") == 1 and text.startswith('"')


def test_parquet_split_holds_the_same_values(tmp_path: Path, split) -> None:
    generate(Config(out=tmp_path / "_combined", invoice_lines=N, seed=SEED, fmt="parquet", quiet=True))
    paths = split_per_organisation(tmp_path / "_combined", tmp_path)
    assert list(paths) == list(split[1])
    for oin, path in paths.items():
        assert check_landing_folder(path) == [], oin
        for name in entities():
            assert not (path / f"{name}.csv").exists()
            got = read_entity(path, name, "parquet")
            want = read_entity(split[1][oin], name, "csv")
            assert got.equals(want), (oin, name)


def test_faulty_rows_that_cannot_be_attributed_go_nowhere(tmp_path: Path) -> None:
    generate(Config(out=tmp_path / "_combined", invoice_lines=1_000, seed=3, fault_rate=0.02, quiet=True))
    paths = split_per_organisation(tmp_path / "_combined", tmp_path)
    listing = json.loads((tmp_path / ORGANISATIONS_FILE).read_text())
    assert listing["not_attributed"]["invoice_lines"] > 0  # unknown and malformed OINs
    assert all(len(o) == 20 and o.isdigit() for o in paths)
    for name in ("invoice_lines", "tenders", "contracts"):
        total = len(_rows(tmp_path / "_combined" / f"{name}.csv"))
        assert sum(listing["rows"][o][name] for o in paths) + listing["not_attributed"][name] == total, name


# ---------------------------------------------------------------------------------------
# the correction


def test_period_bound_entities_agree_with_the_contract() -> None:
    declared = {name: getattr(e, "period_column", None) for name, e in entities().items()}
    if not any(declared.values()):
        pytest.skip("the landing contract declares no period_column (yet)")
    assert {name: col for name, col in declared.items() if col} == PERIOD_BOUND


def _busiest(folders) -> tuple[str, int]:
    """The organisation with the most invoice lines, and its busiest year."""
    oin = max(folders, key=lambda o: len(folders[o]["invoice_lines"]))
    years = Counter(r["invoice_date"][:4] for r in folders[oin]["invoice_lines"])
    return oin, int(years.most_common(1)[0][0])


def _by_key(rows: list[dict[str, str]], name: str) -> dict[str, dict[str, str]]:
    key = entities()[name].key
    return {r[key]: r for r in rows}


def test_scale_text_keeps_the_decimals() -> None:
    f = Decimal("1.1")
    assert scale_text("100.00", f) == "110.00"
    assert scale_text("-537.43", f) == "-591.17"  # -591.173
    assert scale_text("0.05", f) == "0.06"  # 0.055, half up
    assert scale_text("133627.7", f) == "146990.5"  # 146990.47
    assert scale_text("12", f) == "13"
    assert scale_text(None, f) is None


def test_correction_changes_exactly_the_year_of_the_organisation(tmp_path: Path, split, folders) -> None:
    oin, year = _busiest(folders)
    org_dir = split[1][oin]
    out = correction_delivery(org_dir, tmp_path / f"{oin}-{year}", year, 1.1)
    assert check_landing_folder(out) == []
    corr = {name: _rows(out / f"{name}.csv") for name in entities() if (out / f"{name}.csv").exists()}
    assert set(corr) == {"organisations", "suppliers", "tenders", "contracts", *PERIOD_BOUND}
    orig = folders[oin]
    f = Decimal("1.1")
    scaled = {"invoice_lines": ("amount",), "social_return_realisations": ("realised_value_eur",),
              "material_reports": ("material_total_kg", "secondary_material_kg")}
    for name, date_col in PERIOD_BOUND.items():
        in_year = [r for r in orig[name] if r[date_col].startswith(f"{year}-")]
        assert [r[entities()[name].key] for r in corr[name]] == [r[entities()[name].key] for r in in_year], name
        for new, old in zip(corr[name], in_year, strict=True):
            for col, value in old.items():
                want = str(scale_text(value, f)) if col in scaled[name] else value
                assert new[col] == want, (name, col)
                if col in scaled[name]:  # independent of scale_text: within half a last digit
                    assert abs(Decimal(new[col]) - Decimal(value) * f) <= Decimal("0.05"), (name, col, value)
    assert corr["invoice_lines"], "the busiest year has invoice lines"
    # contracts: the contracts of that year's lines get contract_value_eur x 1.1, nothing else changes
    year_contracts = {r["contract_id"] for r in corr["invoice_lines"] if r["contract_id"]}
    assert year_contracts
    new_c, old_c = _by_key(corr["contracts"], "contracts"), _by_key(orig["contracts"], "contracts")
    assert new_c.keys() == old_c.keys()
    for cid, old in old_c.items():
        want = dict(old)
        if cid in year_contracts:
            want["contract_value_eur"] = scale_text(old["contract_value_eur"], f)
            assert want["contract_value_eur"] != old["contract_value_eur"]
        assert new_c[cid] == want, cid
    # the unchanged list-like entities are byte-identical copies
    for name in ("organisations", "suppliers", "tenders"):
        assert (out / f"{name}.csv").read_bytes() == (org_dir / f"{name}.csv").read_bytes(), name
    manifest = json.loads((out / CORRECTION_FILE).read_text())
    assert manifest["organisation"] == oin and manifest["period"] == year and manifest["factor"] == "1.1"
    assert set(manifest["changed"]["contracts"]) == year_contracts


def _apply(state: dict[str, list[dict[str, str]]], delivery: dict[str, list[dict[str, str]]], year: int):
    """What the landing store holds after a period delivery: the period-bound rows of `year`
    replaced, the list-like entities updated by key."""
    out = {}
    for name, rows in state.items():
        if name not in delivery:
            out[name] = rows
        elif name in PERIOD_BOUND:
            keep = [r for r in rows if not r[PERIOD_BOUND[name]].startswith(f"{year}-")]
            out[name] = keep + delivery[name]
        else:
            merged = _by_key(rows, name)
            merged.update(_by_key(delivery[name], name))
            out[name] = list(merged.values())
    return out


def test_applied_correction_differs_only_in_that_year(tmp_path: Path, split, folders) -> None:
    oin, year = _busiest(folders)
    out = correction_delivery(split[1][oin], tmp_path / "corr", year)
    delivery = {name: _rows(out / f"{name}.csv") for name in entities() if (out / f"{name}.csv").exists()}
    after = _apply(folders[oin], delivery, year)
    year_contracts = {r["contract_id"] for r in delivery["invoice_lines"] if r["contract_id"]}
    for name in entities():
        before, now = _by_key(folders[oin][name], name), _by_key(after[name], name)
        assert before.keys() == now.keys(), name
        differ = {k for k in before if before[k] != now[k]}
        if name in PERIOD_BOUND:
            in_year = {k for k, r in before.items() if r[PERIOD_BOUND[name]].startswith(f"{year}-")}
            assert differ <= in_year, name
            assert len(differ) >= len(in_year) * 0.9, name  # only a tiny value can round back
        elif name == "contracts":
            assert differ == year_contracts
        else:
            assert differ == set(), name


def test_correction_outside_the_data_is_header_only(tmp_path: Path, split, folders) -> None:
    oin = next(iter(folders))
    out = correction_delivery(split[1][oin], tmp_path / "corr", 1999)
    assert check_landing_folder(out) == []
    for name in PERIOD_BOUND:
        assert _rows(out / f"{name}.csv") == [], name
    assert (out / "contracts.csv").read_bytes() == (split[1][oin] / "contracts.csv").read_bytes()


# ---------------------------------------------------------------------------------------
# the command line


def test_cli_writes_combined_split_and_corrections(tmp_path: Path) -> None:
    plain, per_org = tmp_path / "plain", tmp_path / "per_org"
    common = ["--invoice-lines", "1000", "--seed", "4", "--years", "2022-2024", "--quiet"]
    for out, extra in ((plain, []), (per_org, ["--per-organisation"])):
        proc = subprocess.run([sys.executable, "-m", "mvoi", "generate", "--out", str(out), *common, *extra],
                              cwd=PROJECT_DIR, capture_output=True, text=True, check=False)
        assert proc.returncode == 0, proc.stderr
    # the combined folder is exactly what the command writes without --per-organisation
    for p in sorted(plain.iterdir()):
        assert (per_org / "_combined" / p.name).read_bytes() == p.read_bytes(), p.name
    oins = json.loads((per_org / ORGANISATIONS_FILE).read_text())["organisations"]
    assert sorted(p.name for p in per_org.iterdir() if not p.name.startswith("_")) == sorted(oins)

    out = tmp_path / "corr"
    proc = subprocess.run(
        [sys.executable, "-m", "mvoi", "generate", "--out", str(out), *common, "--per-organisation",
         "--correction", f"{oins[0]}:2023", "--correction", f"{oins[1]}:2024", "--correction-factor", "1.25"],
        cwd=PROJECT_DIR, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    for oin, year in ((oins[0], 2023), (oins[1], 2024)):
        folder = out / "_corrections" / f"{oin}-{year}"
        assert check_landing_folder(folder) == []
        assert json.loads((folder / CORRECTION_FILE).read_text())["factor"] == "1.25"


@pytest.mark.parametrize("extra", [
    ["--correction", "00000001000000000000:2023"],  # without --per-organisation
    ["--per-organisation", "--correction", "00000001000000000000:2030"],  # outside --years
    ["--per-organisation", "--correction", "00000001000000000000:2023"],  # no such organisation
])
def test_cli_refuses_bad_corrections(tmp_path: Path, extra: list[str]) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "mvoi", "generate", "--out", str(tmp_path / "x"), "--invoice-lines", "200",
         "--years", "2022-2024", "--quiet", *extra],
        cwd=PROJECT_DIR, capture_output=True, text=True, check=False)
    assert proc.returncode == 2, proc.stderr
    assert "--correction" in proc.stderr
