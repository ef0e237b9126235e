"""Benchmark the warehouse build: `dbt build` on a generated landing folder of N invoice lines.

    .venv/bin/python scripts/benchmark_build.py --lines 100000 1000000 --out /tmp/mvoi_build_bench

Per size: generate a Parquet landing folder (not timed), then run `dbt build` in a child
process with a private database, target and log folder, and print rows, seconds, invoice
lines per second and the child's peak resident memory (DuckDB runs in-process, so this is the
whole build's peak). A second `dbt build` over the same data measures the incremental run.
Figures only; the tests check behaviour.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

from benchmark_child import run_measured

PROJECT_DIR = Path(__file__).resolve().parent.parent
BIN_DIR = Path(sys.executable).parent


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, int]:
    """Run a command; return (seconds, peak RSS in MB) of the child."""
    measured = run_measured(cmd, PROJECT_DIR, env, stdout=subprocess.DEVNULL)
    if measured.returncode != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}")
    return measured.seconds, measured.peak_mb


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, nargs="+", default=[100_000])
    parser.add_argument("--out", type=Path, default=Path("/tmp/mvoi_build_bench"))
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    print("| invoice lines | run | seconds | lines/s | peak RSS (MB) |")
    print("|---:|---|---:|---:|---:|")
    for lines in args.lines:
        root = args.out / str(lines)
        shutil.rmtree(root, ignore_errors=True)
        landing = root / "landing"
        subprocess.run(
            [sys.executable, "-m", "mvoi.generate", "--out", str(landing), "--invoice-lines", str(lines),
             "--seed", str(args.seed), "--format", "parquet", "--quiet"],
            cwd=PROJECT_DIR, check=True,
        )
        env = dict(os.environ, MVOI_RAW_DIR=str(landing), MVOI_DB_PATH=str(root / "mvoi.duckdb"),
                   DBT_TARGET_PATH=str(root / "target"), DBT_LOG_PATH=str(root / "logs"),
                   DBT_PROFILES_DIR=str(PROJECT_DIR))
        for run in ("full", "incremental"):
            seconds, peak = timed([str(BIN_DIR / "dbt"), "build", "--quiet"], env)
            print(f"| {lines:,} | {run} | {seconds:.1f} | {lines / seconds:,.0f} | {peak:,} |", flush=True)
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
