"""Write models/semantic/_semantic__metrics.yml, the MetricFlow metrics of every KPI.

The YAML holds five metrics per KPI (fewer without a denominator), 1,000+ lines that must
not drift from the KPI register. So it is generated, from two inputs only:

- seeds/reference/kpi_register.csv: code, English name, unit, and whether a KPI has a
  denominator (the one place these are written);
- models/semantic/kpi_metric_parts.csv: what only the semantic layer needs per KPI (the
  measures of record count, numerator and denominator, the domain filter, short texts).

Usage: `.venv/bin/python scripts/generate_semantic_metrics.py` rewrites the YAML;
`--check` exits 1 when the checked-in YAML differs from what it would write.
tests/python/test_semantic_metrics_generated.py runs the same check.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REGISTER_PATH = ROOT / "seeds" / "reference" / "kpi_register.csv"
PARTS_PATH = ROOT / "models" / "semantic" / "kpi_metric_parts.csv"
OUTPUT_PATH = ROOT / "models" / "semantic" / "_semantic__metrics.yml"

PERCENT = "%"  # the one unit whose KPI value is the ratio x 100 (a derived metric)
SECTION_RULE = "-" * 64


@dataclass(frozen=True)
class Kpi:
    """One KPI as the semantic layer sees it: the register's facts plus its layer parts."""

    code: str
    name: str
    unit: str
    parts: dict[str, str]

    @property
    def key(self) -> str:
        """Metric name stem, e.g. kpi_gen_01 for GEN-01."""
        return "kpi_" + self.code.lower().replace("-", "_")

    @property
    def has_denominator(self) -> bool:
        return bool(self.parts["denominator_measure"])

    @property
    def filter(self) -> str:
        """MetricFlow filter of the KPI's domain: every listed boolean dimension true."""
        dimensions = self.parts["filter_dimensions"].split()
        return " and ".join(f"{{{{ Dimension('{d}') }}}} = true" for d in dimensions)


# --------------------------------------------------------------------------- inputs


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def load_kpis(register_path: Path, parts_path: Path) -> list[Kpi]:
    """The KPIs in register order; fails when the parts file does not fit the register,
    so a KPI added to (or dropped from) the register cannot be silently left out."""
    parts_by_code = {row["kpi_code"]: row for row in read_csv(parts_path)}
    register = read_csv(register_path)
    register_codes = [row["kpi_code"] for row in register]
    if sorted(parts_by_code) != sorted(register_codes):
        raise ValueError(
            f"{parts_path.name} codes {sorted(parts_by_code)} differ from the register's {sorted(register_codes)}"
        )
    kpis = [Kpi(row["kpi_code"], row["name_en"], row["unit"], parts_by_code[row["kpi_code"]]) for row in register]
    for kpi, row in zip(kpis, register, strict=False):
        if kpi.has_denominator != bool(row["denominator"]):
            raise ValueError(f"{kpi.code}: denominator in {parts_path.name} disagrees with the register")
    return kpis


# --------------------------------------------------------------------------- rendering


def quoted(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def metric(kpi: Kpi, name: str, label: str, description: list[str], kind: str,
           type_params: list[str], unit: str, filtered: bool = False) -> list[str]:
    """The lines of one metric; `description` is one line (quoted) or several (a block)."""
    if len(description) == 1:
        lines = [f"  - name: {name}", f"    label: {quoted(label)}", f"    description: {quoted(description[0])}"]
    else:
        lines = [f"  - name: {name}", f"    label: {quoted(label)}", "    description: |"]
        lines += [f"      {line}" if line else "" for line in description]
    lines += [f"    type: {kind}", "    type_params:"] + [f"      {line}" for line in type_params]
    if filtered and kpi.filter:
        lines.append(f"    filter: {quoted(kpi.filter)}")
    lines += ["    config:", f"      meta: {{kpi_code: {quoted(kpi.code)}, unit: {quoted(unit)}}}"]
    return lines


def value_description(kpi: Kpi, how: str, equals: str) -> list[str]:
    """Block description of kpi_<code>: the KPI in its unit, then its doc block."""
    return [f"{kpi.code} {kpi.name}, in {kpi.unit}{how}. Equals {equals}.", "", f'{{{{ doc("{kpi.key}") }}}}']


def record_count_metric(kpi: Kpi) -> list[str]:
    noun = kpi.parts["record_noun"]
    description = f"{kpi.code} record count: the {noun} of its (denominator) domain. Equals fct_kpi_values.record_count."
    return metric(kpi, f"{kpi.key}_record_count", f"{kpi.code} record count", [description], "simple",
                  [f"measure: {kpi.parts['record_measure']}"], "records", filtered=True)


def part_metric(kpi: Kpi, part: str) -> list[str]:
    """The numerator or denominator as a simple metric over the KPI's domain."""
    description = f"{kpi.code} {part}: {kpi.parts[part + '_text']}. Equals fct_kpi_values.{part}."
    return metric(kpi, f"{kpi.key}_{part}", f"{kpi.code} {part}", [description], "simple",
                  [f"measure: {kpi.parts[part + '_measure']}"], kpi.unit, filtered=True)


def ratio_params(kpi: Kpi) -> list[str]:
    return [f"numerator: {kpi.key}_numerator", f"denominator: {kpi.key}_denominator"]


def percent_metrics(kpi: Kpi) -> list[str]:
    """A percentage: the plain ratio 0-1, and kpi_<code> = ratio x 100 (derived)."""
    ratio_description = (f"{kpi.code} as a plain ratio 0-1 (numerator / denominator; null when the denominator is 0). "
                         f"The KPI in {kpi.unit} is {kpi.key}.")
    ratio = metric(kpi, f"{kpi.key}_ratio", f"{kpi.code} {kpi.name} (ratio 0-1)", [ratio_description], "ratio",
                   ratio_params(kpi), kpi.unit)
    how = f" (0-100): {kpi.key}_ratio x 100"
    value = metric(kpi, kpi.key, f"{kpi.code} {kpi.name} ({kpi.unit})",
                   value_description(kpi, how, "fct_kpi_values.value"), "derived",
                   [f"expr: {kpi.key}_ratio * 100", "metrics:", f"  - name: {kpi.key}_ratio"], kpi.unit)
    return ratio + value


def ratio_value_metric(kpi: Kpi) -> list[str]:
    """A ratio in another unit (kg CO2e/EUR): kpi_<code> is the MetricFlow ratio itself."""
    how = ": numerator / denominator (MetricFlow ratio metric; null when the denominator is 0)"
    return metric(kpi, kpi.key, f"{kpi.code} {kpi.name} ({kpi.unit})",
                  value_description(kpi, how, "fct_kpi_values.value"), "ratio", ratio_params(kpi), kpi.unit)


def simple_value_metric(kpi: Kpi) -> list[str]:
    """No denominator: kpi_<code> is the numerator's measure, a simple metric."""
    how = f": {kpi.parts['numerator_text']}"
    return metric(kpi, kpi.key, f"{kpi.code} {kpi.name} ({kpi.unit})",
                  value_description(kpi, how, "fct_kpi_values.value (and numerator)"), "simple",
                  [f"measure: {kpi.parts['numerator_measure']}"], kpi.unit, filtered=True)


def kpi_family(kpi: Kpi) -> list[str]:
    """All metrics of one KPI, under a section rule naming its code."""
    lines = [f"  # {SECTION_RULE} {kpi.code}"] + record_count_metric(kpi)
    if not kpi.has_denominator:
        return lines + simple_value_metric(kpi)
    lines += part_metric(kpi, "numerator") + part_metric(kpi, "denominator")
    return lines + (percent_metrics(kpi) if kpi.unit == PERCENT else ratio_value_metric(kpi))


def header(kpis: list[Kpi]) -> list[str]:
    """The file's opening comment: that it is generated, and the shape of a KPI's family."""
    ratio_units = sorted({k.unit for k in kpis if k.has_denominator and k.unit != PERCENT})
    without_denominator = ", ".join(k.code for k in kpis if not k.has_denominator)
    return [
        "version: 2",
        "",
        "# GENERATED by scripts/generate_semantic_metrics.py from seeds/reference/kpi_register.csv and",
        "# models/semantic/kpi_metric_parts.csv: do not edit by hand; change those and rerun the script.",
        "#",
        "# The KPI metrics of the semantic layer, one family per KPI of the register (see",
        "# _semantic__docs.md). For a KPI with a denominator:",
        "#   kpi_<code>_numerator / kpi_<code>_denominator  simple metrics over the KPI's domain",
        "#   kpi_<code>_record_count                         simple metric: the records of its domain",
        "#   kpi_<code>_ratio                                MetricFlow ratio metric (plain ratio)",
        "#   kpi_<code>                                      the KPI value in its register unit",
        f"#                                                   (derived: ratio x 100 for {PERCENT}, "
        f"the ratio for {', '.join(ratio_units)})",
        f"# For a KPI without a denominator ({without_denominator}) kpi_<code> is a simple metric.",
        "# Every kpi_<code> equals fct_kpi_values.value (tests/python/test_semantic_layer.py).",
        "",
        "metrics:",
    ]


def render_metrics_yaml(register_path: Path = REGISTER_PATH, parts_path: Path = PARTS_PATH) -> str:
    """The full text of _semantic__metrics.yml for the given register and parts files."""
    kpis = load_kpis(register_path, parts_path)
    lines = header(kpis)
    for kpi in kpis:
        lines += kpi_family(kpi)
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- command line


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the checked-in YAML is out of date")
    args = parser.parse_args(argv)
    text = render_metrics_yaml()
    if args.check:
        if OUTPUT_PATH.read_text(encoding="utf-8") != text:
            print(f"{OUTPUT_PATH.relative_to(ROOT)} is out of date: run scripts/generate_semantic_metrics.py")
            return 1
        return 0
    OUTPUT_PATH.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
