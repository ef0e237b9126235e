"""The semantic layer's metrics YAML is what scripts/generate_semantic_metrics.py writes.

A hand edit of models/semantic/_semantic__metrics.yml, or a register/parts change without a
rerun of the script, fails here (issue 10: one definition of each thing).
"""

from __future__ import annotations

import csv
import importlib.util
import subprocess
import sys
from pathlib import Path

from conftest import PROJECT_DIR

SCRIPT = PROJECT_DIR / "scripts" / "generate_semantic_metrics.py"


def load_generator():
    """The script as a module (scripts/ is not a package); registered in sys.modules
    before it runs, as its dataclass needs."""
    spec = importlib.util.spec_from_file_location("generate_semantic_metrics", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


generator = load_generator()


def test_checked_in_yaml_is_the_generated_one():
    checked_in = generator.OUTPUT_PATH.read_text(encoding="utf-8")
    assert checked_in == generator.render_metrics_yaml(), (
        "models/semantic/_semantic__metrics.yml differs from the generator's output: "
        "run .venv/bin/python scripts/generate_semantic_metrics.py"
    )


def test_check_flag_passes_on_the_checked_in_yaml():
    result = subprocess.run([sys.executable, str(SCRIPT), "--check"], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_register_name_flows_into_the_metric_labels(tmp_path: Path):
    """The labels come from the register, not from text in the script: rename GEN-01 in a
    copy of the register and its labels change with it."""
    with generator.REGISTER_PATH.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    old_name = next(r["name_en"] for r in rows if r["kpi_code"] == "GEN-01")
    for row in rows:
        if row["kpi_code"] == "GEN-01":
            row["name_en"] = "Renamed test KPI"
    register_copy = tmp_path / "kpi_register.csv"
    with register_copy.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)

    text = generator.render_metrics_yaml(register_copy, generator.PARTS_PATH)

    assert 'label: "GEN-01 Renamed test KPI (%)"' in text
    assert 'label: "GEN-01 Renamed test KPI (ratio 0-1)"' in text
    assert f"GEN-01 {old_name}" not in text
    assert text != generator.render_metrics_yaml()
