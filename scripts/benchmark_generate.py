"""Benchmark `mvoi generate`: rows, seconds, rows per second and peak memory per run.

    .venv/bin/python scripts/benchmark_generate.py --lines 1000000 10000000 --format parquet --out /tmp/mvoi_bench

Each size runs in a fresh child process (`python -m mvoi.generate ... --quiet`, the same code as `mvoi generate`); its peak
resident memory is the child's own ru_maxrss (os.wait4), so runs do not inherit each other's
peak. The output folder of each run is deleted afterwards unless --keep is given.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

from benchmark_child import run_measured

PROJECT_DIR = Path(__file__).resolve().parent.parent


def run_once(lines: int, fmt: str, out: Path, seed: int, fault_rate: float) -> dict:
    if out.exists():
        shutil.rmtree(out)
    cmd = [sys.executable, "-m", "mvoi.generate", "--out", str(out), "--invoice-lines", str(lines),
           "--seed", str(seed), "--format", fmt, "--fault-rate", str(fault_rate), "--quiet"]
    measured = run_measured(cmd, PROJECT_DIR)
    if measured.returncode != 0:
        raise SystemExit(f"generate failed for {lines} lines")
    seconds = measured.seconds
    manifest = json.loads((out / "_faults.json").read_text(encoding="utf-8"))
    total_rows = sum(e["rows_written"] for e in manifest["entities"].values())
    size = sum(p.stat().st_size for p in out.iterdir())
    return {
        "invoice_lines": manifest["entities"]["invoice_lines"]["rows_written"],
        "all_rows": total_rows,
        "seconds": round(seconds, 1),
        "lines_per_second": round(lines / seconds),
        "peak_rss_mb": measured.peak_mb,
        "output_mb": round(size / 2**20, 1),
        "command": " ".join(["python -m mvoi.generate", *cmd[3:]]),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, nargs="+", default=[1_000_000])
    parser.add_argument("--format", choices=("csv", "parquet"), default="parquet")
    parser.add_argument("--out", type=Path, default=Path("/tmp/mvoi_bench"))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--fault-rate", type=float, default=0.0)
    parser.add_argument("--keep", action="store_true", help="keep the generated folders")
    args = parser.parse_args()
    print("| invoice lines | all rows | seconds | lines/s | peak RSS (MB) | output (MB) |")
    print("|---:|---:|---:|---:|---:|---:|")
    for lines in args.lines:
        out = args.out / f"{lines}_{args.format}"
        r = run_once(lines, args.format, out, args.seed, args.fault_rate)
        print(f"| {r['invoice_lines']:,} | {r['all_rows']:,} | {r['seconds']} | {r['lines_per_second']:,} "
              f"| {r['peak_rss_mb']:,} | {r['output_mb']} |", flush=True)
        print(f"<!-- {r['command']} -->", flush=True)
        if not args.keep:
            shutil.rmtree(out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
