"""The floor benchmark (scripts/benchmark_floor.py, issue 12) at a small size.

`mvoi build` and the plain-SQL floor (scripts/kpi_floor.sql) run on the same fault-free
delivery of 50,000 invoice lines (the size the issue asks CI to check) and must give the same
fct_kpi_values rows. Not a timed test: the benchmark's figures are only printed. The full
build at this size takes about 2 minutes on the 2-core development machine.
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import duckdb

PROJECT_DIR = Path(__file__).resolve().parents[2]
SCRIPT = PROJECT_DIR / "scripts" / "benchmark_floor.py"
LINES = 50_000


def load_benchmark():
    if str(SCRIPT.parent) not in sys.path:
        sys.path.insert(0, str(SCRIPT.parent))  # as when run as a script: its sibling benchmark_child
    spec = importlib.util.spec_from_file_location("benchmark_floor", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclass looks its module up
    spec.loader.exec_module(module)
    return module


def perturb(floor_rows: Path, out: Path) -> None:
    """A copy of the floor's rows with one numerator changed and one row left out."""
    con = duckdb.connect()
    con.execute(f"create table t as from read_parquet('{floor_rows}')")
    con.execute("update t set numerator = numerator * (1 + 1e-6) + 1 where rowid = 0")
    con.execute("delete from t where rowid = 1")
    con.execute(f"copy t to '{out}' (format parquet)")


def test_floor_and_warehouse_agree(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--lines", str(LINES), "--out", str(tmp_path), "--keep"],
        cwd=PROJECT_DIR, capture_output=True, text=True, timeout=1800,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-5000:]
    rows = dict(re.findall(rf"^\| {LINES:,} \| (warehouse|floor) \| ([0-9,]+) \|", result.stdout, re.MULTILINE))
    assert set(rows) == {"warehouse", "floor"}, result.stdout
    assert rows["warehouse"] == rows["floor"], result.stdout
    assert int(rows["floor"].replace(",", "")) > 0, result.stdout
    assert "rows agree: yes" in result.stdout

    # the comparison is not vacuous: on the same publication, a changed numerator and a
    # missing row are both reported
    size_dir = tmp_path / str(LINES)
    perturbed = tmp_path / "perturbed.parquet"
    perturb(size_dir / "floor_kpi_values.parquet", perturbed)
    warehouse_rows, floor_rows, differing, _ = load_benchmark().compare(
        size_dir / "warehouse" / "mvoi_published.duckdb", perturbed
    )
    assert floor_rows == warehouse_rows - 1
    assert len(differing) == 2
