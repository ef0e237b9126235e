"""Checks of the reference seeds in seeds/reference/, on the CSV files themselves (no dbt).

The seeds are read by tools outside dbt too, so their content is tested where it lives:
the CPV list and the EU thresholds against their published content (pinned here), the KPI
register, its targets and the landing rules against the generated docs/kpi_register.md and
docs/landing_contract.md (`mvoi spec`), and the product-group mapping, sectors and emission
factors for internal consistency. Nothing here reads a file outside the repository.
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

REPO_DIR = Path(__file__).resolve().parents[2]
REFERENCE_DIR = REPO_DIR / "seeds" / "reference"
KPI_REGISTER_MD = REPO_DIR / "docs" / "kpi_register.md"
LANDING_CONTRACT_MD = REPO_DIR / "docs" / "landing_contract.md"

# The fixed file names and columns of the reference seeds (docs/landing_contract.md,
# "Reference data the project maintains as seeds").
SEED_COLUMNS = {
    "cpv_codes": ["code", "check_digit", "description_en", "description_nl"],
    "mvoi_themes": ["theme", "name_nl", "name_en", "description"],
    "mvi_product_groups": [
        "product_group_id",
        "name_nl",
        "name_en",
        "cluster",
        "sector_id",
        "isv_risk_category",
        "is_circular_priority",
    ],
    "product_group_cpv_prefixes": ["product_group_id", "cpv_prefix"],
    "sectors": ["sector_id", "name_nl", "name_en", "description"],
    "emission_factors": ["cpv_division", "kg_co2e_per_eur", "source"],
    "eu_thresholds": ["valid_from", "valid_to", "contract_type", "authority_class", "threshold_eur"],
    "kpi_register": [
        "kpi_code",
        "theme",
        "name_nl",
        "name_en",
        "unit",
        "year_basis",
        "numerator",
        "denominator",
        "better",
        "bounds",
    ],
    "kpi_targets": ["kpi_code", "government_layer", "target_value"],
}

THEMES = {"milieu", "klimaat", "circulair", "isv", "diversiteit_inclusie", "social_return"}
CLUSTERS = {
    "GWW",
    "Kantoorfaciliteiten en diensten",
    "Automatisering en telecommunicatie",
    "Energie",
    "Kantoorgebouwen",
    "Transport en vervoer",
}
ISV_RISK_CATEGORIES = {
    "Bedrijfskleding",
    "Catering",
    "Papier, afvoer vertrouwelijke informatiedragers en print- en drukwerk",
    "Energie",
    "Grondstoffenmanagement en afvalzorg",
    "Kantoorartikelen en computersupplies",
    "Laboratorium",
    "ICT werkomgeving Rijk",
    "Datacenters",
    "Dataverbindingen (incl. 4G/5G)",
}

# The register's codes, names and units, pinned: changing one changes a published definition.
KPI_NAMES_AND_UNITS = [
    ("GEN-01", "MVI-toepassingsgraad (aantal)", "MVI application rate (count)", "%"),
    ("GEN-02", "MVI-toepassingsgraad (waarde)", "MVI application rate (value)", "%"),
    ("GEN-03", "Aandeel significant of ambitieus", "Share at significant or ambitious level", "%"),
    ("GEN-04", "Contractdekking uitgaven", "Spend under contract", "%"),
    ("GEN-05", "MKB-aandeel uitgaven", "SME share of spend", "%"),
    ("KLI-01", "Klimaatcriteria (aantal)", "Climate criteria share", "%"),
    ("KLI-02", "Inkoopvoetafdruk", "Procurement carbon footprint", "t CO2e"),
    ("KLI-03", "Koolstofintensiteit", "Carbon intensity of spend", "kg CO2e/EUR"),
    ("KLI-04", "Uitgaven bij CO2-Prestatieladder", "Spend with CO2-Prestatieladder suppliers", "%"),
    ("CIR-01", "Circulaire criteria (aantal)", "Circular criteria share (count)", "%"),
    ("CIR-02", "Circulaire criteria (waarde)", "Circular criteria share (value)", "%"),
    ("CIR-03", "Aandeel secundair materiaal", "Secondary material share", "%"),
    ("MIL-01", "Milieucriteria (aantal)", "Environment & biodiversity criteria share", "%"),
    ("MIL-02", "Uitgaven bij ISO 14001/EMAS", "Spend with ISO 14001 or EMAS suppliers", "%"),
    ("ISV-01", "ISV-dekking (aantal)", "ISV coverage (count)", "%"),
    ("ISV-02", "ISV-dekking (waarde)", "ISV coverage (value)", "%"),
    ("ISV-03", "Onafgedekte ISV-risico-uitgaven", "Uncovered ISV-risk spend", "EUR"),
    ("SRO-01", "SROI-dekking", "Social return coverage", "%"),
    ("SRO-02", "Afgesproken SROI-intensiteit", "Agreed social return intensity", "%"),
    ("SRO-03", "SROI-realisatie bij afronding", "Social return realised at completion", "%"),
    ("SRO-04", "Plaatsingen", "Placements", "FTE"),
    ("DI-01", "D&I-criteria (aantal)", "Diversity & inclusion criteria share", "%"),
    ("DI-02", "Uitgaven bij PSO-gecertificeerden", "Spend with PSO-certified suppliers", "%"),
    ("DI-03", "Sociaal ondernemen en voorbehouden opdrachten", "Social enterprise and reserved-contract spend", "%"),
]


# ---------------------------------------------------------------------------- helpers


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def header(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return next(csv.reader(fh))


def seed(name: str) -> list[dict[str, str]]:
    return read_csv(REFERENCE_DIR / f"{name}.csv")


def doc_table_rows(path: Path) -> dict[str, list[str]]:
    """The cells of every Markdown table row of a generated doc, by the first cell (backticks stripped)."""
    rows = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("| `"):
            cells = [c.strip() for c in line.strip().strip("|").split(" | ")]
            rows.setdefault(cells[0].strip("`"), cells)
    return rows


def product_group_of(code: str, prefix_to_group: dict[str, str]) -> str:
    """The longest-prefix rule (docs/kpi_register.md, "Shared rules": product group of a CPV)."""
    for length in range(8, 1, -1):
        group = prefix_to_group.get(code[:length])
        if group is not None:
            return group
    return "unclassified"


@pytest.fixture(scope="module")
def cpv_codes() -> list[str]:
    return [row["code"] for row in seed("cpv_codes")]


@pytest.fixture(scope="module")
def prefixes() -> list[dict[str, str]]:
    return seed("product_group_cpv_prefixes")


@pytest.fixture(scope="module")
def prefix_to_group(prefixes) -> dict[str, str]:
    return {row["cpv_prefix"]: row["product_group_id"] for row in prefixes}


# ---------------------------------------------------------------------------- files and yml


@pytest.mark.parametrize("name", sorted(SEED_COLUMNS))
def test_seed_file_has_the_fixed_columns(name):
    path = REFERENCE_DIR / f"{name}.csv"
    assert path.is_file(), f"missing seed {path}"
    assert header(path) == SEED_COLUMNS[name]


def test_every_seed_is_documented_and_fully_typed():
    spec = yaml.safe_load((REFERENCE_DIR / "_reference__seeds.yml").read_text(encoding="utf-8"))
    documented = {s["name"]: s for s in spec["seeds"]}
    readme = (REFERENCE_DIR / "README.md").read_text(encoding="utf-8")
    for path in sorted(REFERENCE_DIR.glob("*.csv")):
        name = path.stem
        assert name in documented, f"{name} has no entry in _reference__seeds.yml"
        entry = documented[name]
        assert entry.get("description", "").strip(), f"{name} has no description"
        assert f"`{name}`" in readme, f"{name} is not described in seeds/reference/README.md"
        column_types = entry["config"]["column_types"]
        described = {c["name"]: c.get("description", "") for c in entry["columns"]}
        for column in header(path):
            assert column in column_types, f"{name}.{column} has no explicit type"
            assert described.get(column, "").strip(), f"{name}.{column} has no description"


# ---------------------------------------------------------------------------- CPV and thresholds


def test_cpv_codes_has_9454_codes_in_45_divisions(cpv_codes):
    assert len(cpv_codes) == 9454
    assert len(set(cpv_codes)) == 9454
    assert all(re.fullmatch(r"\d{8}", code) for code in cpv_codes)
    assert len({code[:2] for code in cpv_codes}) == 45


# sha256 of the CPV 2008 rows (header included; cells joined by tabs, rows by newlines): the
# list has not changed since 2008, so any difference is an accidental edit.
CPV_2008_DIGEST = "27523b3573a1f7260ed97aaf422abd18cc7af13b4c4e2c8059d1b3a5f47bc205"

# The thresholds of Directive 2014/24/EU per period, from the Commission's delegated
# regulations: (works, supplies/services for central, supplies/services for sub-central).
EU_THRESHOLDS = {
    "2016-01-01": (5_225_000, 135_000, 209_000),
    "2018-01-01": (5_548_000, 144_000, 221_000),
    "2020-01-01": (5_350_000, 139_000, 214_000),
    "2022-01-01": (5_382_000, 140_000, 215_000),
    "2024-01-01": (5_538_000, 143_000, 221_000),
    "2026-01-01": (5_404_000, 140_000, 216_000),
}


def test_cpv_codes_are_the_published_list():
    with (REFERENCE_DIR / "cpv_codes.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    digest = hashlib.sha256("\n".join("\t".join(r) for r in rows).encode("utf-8")).hexdigest()
    assert digest == CPV_2008_DIGEST, "seeds/reference/cpv_codes.csv differs from the CPV 2008 list"
    for row in seed("cpv_codes"):
        assert re.fullmatch(r"\d", row["check_digit"]), row
        assert row["description_en"].strip() and row["description_nl"].strip(), row


def test_eu_thresholds_are_the_published_values():
    actual = {
        (r["valid_from"], r["valid_to"], r["contract_type"], r["authority_class"]): int(r["threshold_eur"])
        for r in seed("eu_thresholds")
    }
    expected = {}
    for start, (works, central, sub_central) in EU_THRESHOLDS.items():
        end = f"{int(start[:4]) + 1}-12-31"
        for authority_class in ("central", "sub_central"):
            expected[(start, end, "works", authority_class)] = works
            for contract_type in ("supplies", "services"):
                value = central if authority_class == "central" else sub_central
                expected[(start, end, contract_type, authority_class)] = value
    assert actual == expected


def test_eu_thresholds_cover_every_type_and_class_per_period():
    rows = seed("eu_thresholds")
    keys = Counter((r["valid_from"], r["contract_type"], r["authority_class"]) for r in rows)
    assert max(keys.values()) == 1
    periods = {(r["valid_from"], r["valid_to"]) for r in rows}
    assert len(rows) == 6 * len(periods)


# ---------------------------------------------------------------------------- themes and KPI register


def test_themes_are_the_six_codes():
    rows = seed("mvoi_themes")
    assert {r["theme"] for r in rows} == THEMES
    assert len(rows) == 6
    assert all(r["name_nl"] and r["name_en"] and r["description"] for r in rows)


def test_kpi_register_names_and_units():
    register = seed("kpi_register")
    codes = [r["kpi_code"] for r in register]
    assert len(codes) == len(set(codes)) == 24
    assert [(r["kpi_code"], r["name_nl"], r["name_en"], r["unit"]) for r in register] == KPI_NAMES_AND_UNITS


def test_every_kpi_is_in_the_register_doc_with_its_unit():
    rows = doc_table_rows(KPI_REGISTER_MD)
    for r in seed("kpi_register"):
        cells = rows.get(r["kpi_code"])
        assert cells, f"{r['kpi_code']} is missing from docs/kpi_register.md: run `mvoi spec`"
        assert cells[1:5] == [r["name_nl"], r["name_en"], r["unit"], r["year_basis"]], cells


def test_every_landing_rule_is_in_the_contract_doc():
    text = LANDING_CONTRACT_MD.read_text(encoding="utf-8")
    for r in seed("landing_rules"):
        cells = [f"`{r['reason_code']}`", f"`{r['column_name']}`", r["severity"], r["dq_dimension"], r["description"]]
        assert f"| {' | '.join(cells)} |" in text, f"{r['entity']}.{r['reason_code']} is missing from docs/landing_contract.md: run `mvoi spec`"


def test_kpi_register_codes_and_themes():
    register = seed("kpi_register")
    assert {r["theme"] for r in register} <= THEMES | {"algemeen"}
    assert all(r["theme"] == "algemeen" for r in register if r["kpi_code"].startswith("GEN-"))
    assert {r["better"] for r in register} <= {"higher", "lower"}
    assert {r["year_basis"] for r in register} <= {"award", "invoice", "start", "end_date", "period_end"}
    without_denominator = {r["kpi_code"] for r in register if not r["denominator"]}
    assert without_denominator == {"KLI-02", "ISV-03", "SRO-04"}


def test_kpi_targets():
    targets = {(r["kpi_code"], r["government_layer"]): float(r["target_value"]) for r in seed("kpi_targets")}
    assert targets == {
        ("GEN-01", "rijk"): 100.0,
        ("GEN-02", "rijk"): 100.0,
        ("GEN-03", "rijk"): 50.0,
        ("ISV-01", "rijk"): 100.0,
        ("ISV-02", "rijk"): 100.0,
        ("SRO-01", "rijk"): 100.0,
        ("SRO-03", "*"): 100.0,
    }
    register_codes = {r["kpi_code"] for r in seed("kpi_register")}
    assert {code for code, _ in targets} <= register_codes
    rows = doc_table_rows(KPI_REGISTER_MD)
    for (code, layer), value in targets.items():
        scope = "every scope" if layer == "*" else layer
        assert f"{value:g} ({scope})" in rows[code][-1], f"target of {code} missing from docs/kpi_register.md"


# ---------------------------------------------------------------------------- product groups


def test_product_groups_are_well_formed():
    groups = seed("mvi_product_groups")
    ids = [g["product_group_id"] for g in groups]
    assert len(ids) == len(set(ids))
    assert 40 <= len(ids) <= 50, "about 45 MVI product groups"
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", i) for i in ids)
    assert {g["cluster"] for g in groups} == CLUSTERS
    assert {g["isv_risk_category"] for g in groups} - {""} <= ISV_RISK_CATEGORIES
    assert {g["is_circular_priority"] for g in groups} <= {"true", "false"}


def test_every_sector_id_resolves():
    sectors = {s["sector_id"] for s in seed("sectors")}
    used = {g["sector_id"] for g in seed("mvi_product_groups")}
    assert used <= sectors, f"unknown sectors: {used - sectors}"
    assert sectors <= used, f"sectors without product groups: {sectors - used}"


def test_every_product_group_has_a_prefix_and_every_prefix_a_group(prefixes):
    groups = {g["product_group_id"] for g in seed("mvi_product_groups")}
    used = {p["product_group_id"] for p in prefixes}
    assert groups <= used, f"groups without a prefix: {groups - used}"
    assert used <= groups, f"prefixes of unknown groups: {used - groups}"


def test_prefixes_are_unique_and_2_to_8_digits(prefixes):
    values = [p["cpv_prefix"] for p in prefixes]
    duplicates = [v for v, n in Counter(values).items() if n > 1]
    assert not duplicates, f"prefixes in more than one row: {duplicates}"
    assert all(re.fullmatch(r"\d{2,8}", v) for v in values)


def test_every_prefix_starts_a_cpv_code(prefixes, cpv_codes):
    dead = [p["cpv_prefix"] for p in prefixes if not any(c.startswith(p["cpv_prefix"]) for c in cpv_codes)]
    assert not dead, f"prefixes that start no CPV code: {dead}"


def test_nesting_is_across_groups_only(prefix_to_group):
    nested = [(a, b) for a in prefix_to_group for b in prefix_to_group if a != b and b.startswith(a)]
    same_group = [(a, b) for a, b in nested if prefix_to_group[a] == prefix_to_group[b]]
    assert not same_group, f"redundant prefixes within one group: {same_group}"
    assert len(nested) >= 3, "the longest-prefix rule should matter somewhere"


@pytest.mark.parametrize(
    ("code", "group"),
    [
        ("45233120", "wegen"),  # road construction works, prefix 45233
        ("45233293", "straatmeubilair"),  # installation of street furniture, nested in 45233
        ("45232400", "riolering"),  # sewer construction work, nested in 45232
        ("45232423", "gemalen"),  # sewage pumping stations, nested in 452324
        ("45232100", "kabels_en_leidingen"),
        ("30125100", "tonercartridges"),  # nested in 3012 reproductieapparatuur
        ("30121100", "reproductieapparatuur"),
        ("15861000", "automaten"),  # coffee, nested in 15 catering
        ("15000000", "catering"),
        ("18110000", "bedrijfskleding"),
        ("09310000", "elektriciteit"),
        ("33000000", "unclassified"),
    ],
)
def test_longest_prefix_rule_examples(code, group, prefix_to_group, cpv_codes):
    assert code in cpv_codes
    assert product_group_of(code, prefix_to_group) == group


def test_a_good_share_of_cpv_codes_is_classified(prefix_to_group, cpv_codes):
    classified = sum(product_group_of(c, prefix_to_group) != "unclassified" for c in cpv_codes)
    assert classified / len(cpv_codes) >= 0.25


# ---------------------------------------------------------------------------- emission factors


def test_emission_factors_cover_every_division_and_the_default(cpv_codes):
    rows = seed("emission_factors")
    divisions = [r["cpv_division"] for r in rows]
    assert len(divisions) == len(set(divisions))
    assert set(divisions) == {c[:2] for c in cpv_codes} | {"00"}
    for r in rows:
        factor = float(r["kg_co2e_per_eur"])
        assert 0.0 < factor <= 2.0, f"implausible factor for division {r['cpv_division']}: {factor}"
        assert r["source"].strip(), f"division {r['cpv_division']} names no source"
