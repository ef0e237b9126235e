"""Benchmark a new delivery against a full build (issue 12): a correction of one organisation's
year added to a built warehouse, against building everything again.

    .venv/bin/python scripts/benchmark_delivery.py --lines 1000000 --out /tmp/mvoi_delivery_bench

Per size N, not timed: a fault-free Parquet landing folder split into one complete delivery per
organisation (`mvoi generate --per-organisation`), every one of them received into a landing
store (`mvoi.deliveries.receive`, as `mvoi deliver`), and the period delivery that corrects the
organisation-year whose invoice lines come closest to 1% of N (its amounts times 1.1,
`mvoi.generator.split.correction_delivery`). Timed, each in a fresh child process:

1. full build: `mvoi build` of the store in warehouse A;
2. new delivery: `mvoi deliver` of the correction, then `mvoi build`, in warehouse A;
3. full rebuild: `mvoi build` of the same store in a fresh warehouse B.

The new delivery (receive plus build) is compared with the full build: the issue's goal is at
most 20% of its seconds. A's published fct_kpi_values must then equal B's row for row (the
comparison of scripts/benchmark_floor.py); when they differ the script prints the first
differing rows and exits 1. Seconds, CPU seconds and peak RSS are measured as there.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
from benchmark_floor import PROJECT_DIR, Side, build_env, compare, print_differences, run_sizes, timed

from mvoi import deliveries
from mvoi.generator.split import correction_delivery

GOAL_SHARE = 0.20  # a new delivery takes at most this share of a full build's seconds


def generate_deliveries(root: Path, lines: int, seed: int) -> Path:
    """Fault-free Parquet data, one complete delivery folder per organisation under root/generated."""
    generated = root / "generated"
    subprocess.run(
        [sys.executable, "-m", "mvoi.generate", "--out", str(generated), "--invoice-lines", str(lines),
         "--seed", str(seed), "--format", "parquet", "--fault-rate", "0", "--per-organisation", "--quiet"],
        cwd=PROJECT_DIR, check=True,
    )
    return generated


def organisations(generated: Path) -> list[str]:
    return json.loads((generated / "_organisations.json").read_text(encoding="utf-8"))["organisations"]


def fill_store(store: Path, generated: Path) -> None:
    """Every organisation's complete delivery, received into the store."""
    for oin in organisations(generated):
        record = deliveries.receive(generated / oin, oin, None, store)
        if record["status"] != "accepted":
            raise SystemExit(f"delivery of {oin} refused: {record['reason']}")


def correction_target(generated: Path, lines: int) -> tuple[str, int, int]:
    """(OIN, year, invoice lines) of the organisation-year closest to 1% of all lines."""
    con = duckdb.connect()
    return con.execute(
        "select organisation_id, year(cast(invoice_date as date)) as year, count(*) as lines "
        "from read_parquet(?, union_by_name = true) group by all "
        "order by abs(count(*) - ?), organisation_id, year limit 1",
        [[str(generated / oin / "invoice_lines.parquet") for oin in organisations(generated)], lines / 100],
    ).fetchone()


def mvoi(name: str, root: Path, env: dict[str, str], *args: str) -> Side:
    """`python -m mvoi <args>` (the mvoi of this checkout), measured; its log in root/<name>.log."""
    return timed(name, [sys.executable, "-m", "mvoi", *args], env, root / f"{name.replace(' ', '_')}.log")


def published_rows(published: Path, out: Path) -> Path:
    """fct_kpi_values of a publication as a Parquet file (the form compare() reads)."""
    con = duckdb.connect()
    con.execute(f"attach '{published}' as published (read_only)")
    con.execute(f"copy (from published.marts.fct_kpi_values) to '{out}' (format parquet)")
    return out


def print_size(lines: int, delivery_lines: int, sides: list[Side], full: Side, new: float, new_cpu: float) -> None:
    for side in sides:
        print(f"| {lines:,} | {side.name} | {side.rows:,} | {side.seconds:.1f} | {side.cpu_seconds:.1f} "
              f"| {side.peak_mb:,} |")
    share = new / full.seconds
    print(f"| {lines:,} | new delivery ({delivery_lines:,} lines) / full build | | {share:.0%} "
          f"| {new_cpu / full.cpu_seconds:.0%} | |")
    print(f"new delivery within {GOAL_SHARE:.0%} of a full build: {'yes' if share <= GOAL_SHARE else 'no'}",
          flush=True)


def bench_size(lines: int, out: Path, seed: int) -> bool:
    """Build, add a delivery, rebuild from scratch and compare, for one size; True when they agree."""
    root = out / str(lines)
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    generated = generate_deliveries(root, lines, seed)
    store = root / "store"
    fill_store(store, generated)
    oin, year, delivery_lines = correction_target(generated, lines)
    correction = correction_delivery(generated / oin, root / "correction", year)

    env_a = build_env(root / "A", MVOI_LANDING_STORE=str(store))
    full = mvoi("full build", root, env_a, "build")
    receive = mvoi("new delivery: receive", root, env_a, "deliver", str(correction), "--organisation", oin,
                   "--period", str(year))
    rebuild_a = mvoi("new delivery: build", root, env_a, "build")
    rebuild_b = mvoi("full rebuild", root, build_env(root / "B", MVOI_LANDING_STORE=str(store)), "build")

    rows_a, rows_b, differing, names = compare(root / "A" / "mvoi_published.duckdb",
                                               published_rows(root / "B" / "mvoi_published.duckdb",
                                                              root / "B_kpi_values.parquet"))
    full.rows, rebuild_a.rows, rebuild_b.rows = rows_a, rows_a, rows_b
    print_size(lines, delivery_lines, [full, receive, rebuild_a, rebuild_b], full,
               receive.seconds + rebuild_a.seconds, receive.cpu_seconds + rebuild_a.cpu_seconds)
    if differing:
        print_differences(differing, names)
    return not differing and rows_a > 0


def main() -> int:
    return run_sizes(__doc__.splitlines()[0], bench_size, Path("/tmp/mvoi_delivery_bench"), "step",
                     "new delivery equals a full rebuild")


if __name__ == "__main__":
    raise SystemExit(main())
