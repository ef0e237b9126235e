"""Benchmark the full warehouse build against a plain-SQL floor (scripts/kpi_floor.sql), same data, same run.

    .venv/bin/python scripts/benchmark_floor.py --lines 50000 1000000 --out /tmp/mvoi_floor_bench

Per size N: generate a fault-free Parquet landing folder (`mvoi generate`, seed 1, fault rate 0;
not timed), then run, each in a fresh child process:

- the warehouse: `mvoi build` (as `python -m mvoi build`, so that a second checkout such as
  a git worktree measures its own code) with a private MVOI_WAREHOUSE_DIR and MVOI_RAW_DIR set
  to the folder: everything `make build` does (load, dbt build with every test, both gates,
  publish, scorecard, docs, report);
- the floor: scripts/kpi_floor.sql in one DuckDB connection with the warehouse's limits
  (mvoi.paths.connect's memory limit, 2 threads), which writes its rows to Parquet. It runs
  twice, before and after the build, and the table gives the mean of the two (seconds and CPU
  seconds; the larger peak): on a shared virtual machine the same work takes up to half again
  as long at one moment as at another, and bracketing the build keeps that drift out of the
  ratio. Both runs' rows are compared. The landing files are read once before the first
  run, so that none of the three runs pays for reading them from disk.

Seconds are wall-clock; CPU seconds are the user + system time of the child and the children
it waited for (what the work costs when other processes share the cores); peak RSS is the
child's ru_maxrss from os.wait4 (for the build, the largest single process of its tree: mvoi
or its dbt child). The script then compares the floor's rows with the published
marts.fct_kpi_values row for row: keys, texts, integers and booleans exactly, doubles within a
relative tolerance (summation order differs), null equal to null. It prints one table (side,
rows, seconds, CPU seconds, peak RSS, the ratio build/floor) and exits 1, printing the first
differing rows, when they disagree. A size's folder is deleted after a run that agrees,
unless --keep is given; a kept landing folder of the same size and seed is reused.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
from benchmark_child import run_measured

PROJECT_DIR = Path(__file__).resolve().parent.parent
FLOOR_SQL = PROJECT_DIR / "scripts" / "kpi_floor.sql"
KEYS = ("kpi_code", "scope_level", "scope_id", "year")
EXACT = ("theme", "unit", "record_count", "meets_target")
FLOATS = ("numerator", "denominator", "value", "target_value")
RELATIVE_TOLERANCE = 1e-9
SHOWN_DIFFERENCES = 10
# settings a caller (e.g. make) may export that would move the build's outputs out of the
# private warehouse folder
PRIVATE_LOCATIONS = ("MVOI_DB_PATH", "MVOI_PUBLISHED_PATH", "MVOI_EXPORT_DIR", "MVOI_REPORT_PATH",
                     "DBT_TARGET_PATH", "DBT_LOG_PATH", "MVOI_GX_UNCOMMITTED_DIR")

# the floor's child process: argv = landing folder, seed folder, script, output Parquet file
FLOOR_CHILD = """
import sys
from pathlib import Path
from mvoi.paths import connect
landing, seeds, script, out = sys.argv[1:5]
con = connect()
con.execute("set threads = 2")
con.execute("set variable landing = ?", [landing])
con.execute("set variable seeds = ?", [seeds])
con.execute(Path(script).read_text(encoding="utf-8"))
con.execute("copy kpi_values to '" + out.replace("'", "''") + "' (format parquet)")
"""


@dataclass
class Side:
    """One side of the comparison: what ran, how long, how much memory, how many rows."""

    name: str
    seconds: float
    cpu_seconds: float
    peak_mb: int
    rows: int = 0


def generated_before(landing: Path, lines: int, seed: int) -> bool:
    """True when `landing` holds a fault-free Parquet folder of this size and seed (left by --keep)."""
    manifest = landing / "_faults.json"
    if not manifest.exists():
        return False
    settings = json.loads(manifest.read_text(encoding="utf-8"))["generator"]
    return (settings["invoice_lines"], settings["seed"], settings["fmt"], settings["fault_rate"]) == (
        lines, seed, "parquet", 0.0)


def generate(landing: Path, lines: int, seed: int) -> None:
    """A fault-free Parquet landing folder (reused when a kept one has the same size and seed:
    generating is not timed, and 100M lines take several minutes); stops when the manifest
    says a row would not load."""
    if generated_before(landing, lines, seed):
        return
    shutil.rmtree(landing, ignore_errors=True)
    with (landing.parent / "generate.log").open("w", encoding="utf-8") as log:
        subprocess.run(
            [sys.executable, "-m", "mvoi.generate", "--out", str(landing), "--invoice-lines", str(lines),
             "--seed", str(seed), "--format", "parquet", "--fault-rate", "0", "--quiet"],
            cwd=PROJECT_DIR, check=True, stdout=log, stderr=subprocess.STDOUT,
        )
    manifest = json.loads((landing / "_faults.json").read_text(encoding="utf-8"))
    # the floor handles a clean delivery only: every row written must load, none duplicated
    for entity, counts in manifest["entities"].items():
        if counts["rows_written"] != counts["expected_loaded"]:
            raise SystemExit(f"{landing}: {entity} is not fault-free; the floor needs a clean delivery")


def timed(name: str, cmd: list[str], env: dict[str, str], log: Path) -> Side:
    """Run a command with its output in `log`; its seconds and peak RSS (MB)."""
    with log.open("w", encoding="utf-8") as out:
        measured = run_measured(cmd, PROJECT_DIR, env, stdout=out, stderr=subprocess.STDOUT)
    if measured.returncode != 0:
        tail = log.read_text(encoding="utf-8", errors="replace")[-3000:]
        raise SystemExit(f"{name} failed (log {log}):\n{tail}")
    return Side(name, measured.seconds, measured.cpu_seconds, measured.peak_mb)


def build_env(warehouse: Path, **source: str) -> dict[str, str]:
    """The environment of a build in a private warehouse folder reading `source` (MVOI_RAW_DIR
    or MVOI_LANDING_STORE), whatever the caller exported."""
    env = {k: v for k, v in os.environ.items() if k not in (*PRIVATE_LOCATIONS, "MVOI_RAW_DIR")}
    env.update(MVOI_WAREHOUSE_DIR=str(warehouse), DBT_PROFILES_DIR=str(PROJECT_DIR),
               DBT_SEND_ANONYMOUS_USAGE_STATS="false", **source)
    return env


def run_build(root: Path, landing: Path) -> tuple[Side, Path]:
    """`mvoi build` in a private warehouse folder; the side and the published database."""
    warehouse = root / "warehouse"
    env = build_env(warehouse, MVOI_RAW_DIR=str(landing))
    # `python -m mvoi` from the project folder: the mvoi of this checkout, as `mvoi build`
    side = timed("warehouse", [sys.executable, "-m", "mvoi", "build"], env, root / "build.log")
    return side, warehouse / "mvoi_published.duckdb"


def run_floor(root: Path, landing: Path, name: str = "floor") -> tuple[Side, Path]:
    """scripts/kpi_floor.sql in a fresh process; the side and the Parquet file of its rows
    (<name>_kpi_values.parquet, its log <name>.log)."""
    out = root / f"{name}_kpi_values.parquet"
    cmd = [sys.executable, "-c", FLOOR_CHILD, str(landing), str(PROJECT_DIR / "seeds" / "reference"),
           str(FLOOR_SQL), str(out)]
    return timed(name, cmd, dict(os.environ), root / f"{name}.log"), out


def read_once(folder: Path) -> None:
    """Read every file of `folder` (not timed), so that no side pays for the first read from disk:
    on this kind of machine a file not read for some minutes comes back at about 33 MB/s."""
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            with path.open("rb") as fh:
                while fh.read(1 << 24):
                    pass


def mean_side(name: str, runs: list[Side]) -> Side:
    """One side from several runs of it: mean seconds and CPU seconds, the largest peak."""
    return Side(name, sum(r.seconds for r in runs) / len(runs), sum(r.cpu_seconds for r in runs) / len(runs),
                max(r.peak_mb for r in runs))


def difference_query() -> str:
    """Keys present on one side only, or any column that differs: the rows that disagree."""
    exact = [f"w.{c} is distinct from f.{c}" for c in EXACT]
    floats = [f"(w.{c} is null) <> (f.{c} is null) or abs(w.{c} - f.{c}) > {RELATIVE_TOLERANCE} "
              f"* greatest(abs(w.{c}), abs(f.{c}))" for c in FLOATS]
    columns = ", ".join(f"w.{c} as warehouse_{c}, f.{c} as floor_{c}" for c in EXACT + FLOATS)
    return (
        f"select {', '.join(f'coalesce(w.{k}, f.{k}) as {k}' for k in KEYS)}, {columns} "
        f"from warehouse_rows as w full outer join floor_rows as f using ({', '.join(KEYS)}) "
        f"where w.kpi_code is null or f.kpi_code is null or {' or '.join(f'({c})' for c in exact + floats)} "
        f"order by {', '.join(KEYS)}"
    )


def compare(published: Path, floor_rows: Path) -> tuple[int, int, list[tuple], list[str]]:
    """Row counts of the warehouse and the floor, and the rows (and column names) that differ."""
    con = duckdb.connect()
    con.execute(f"attach '{published}' as published (read_only)")
    con.execute("create temp table warehouse_rows as from published.marts.fct_kpi_values")
    con.execute(f"create temp table floor_rows as from read_parquet('{floor_rows}')")
    counts = con.execute("select (select count(*) from warehouse_rows), (select count(*) from floor_rows)").fetchone()
    differing = con.execute(difference_query())
    names = [d[0] for d in differing.description]
    return counts[0], counts[1], differing.fetchall(), names


def print_size(lines: int, build: Side, floor: Side) -> None:
    """The rows of one size in the benchmark table, and the ratio build/floor."""
    for side in (build, floor):
        print(f"| {lines:,} | {side.name} | {side.rows:,} | {side.seconds:.1f} | {side.cpu_seconds:.1f} "
              f"| {side.peak_mb:,} |")
    print(f"| {lines:,} | ratio build/floor | | {build.seconds / floor.seconds:.1f}x "
          f"| {build.cpu_seconds / floor.cpu_seconds:.1f}x | {build.peak_mb / floor.peak_mb:.1f}x |", flush=True)


def print_differences(rows: list[tuple], names: list[str]) -> None:
    """The first rows on which the warehouse and the floor disagree."""
    print(f"{len(rows):,} rows differ; the first {min(len(rows), SHOWN_DIFFERENCES)}:", file=sys.stderr)
    for row in rows[:SHOWN_DIFFERENCES]:
        print("  " + ", ".join(f"{n}={v!r}" for n, v in zip(names, row, strict=True)), file=sys.stderr)


def bench_size(lines: int, out: Path, seed: int) -> bool:
    """Generate, build, run the floor and compare for one size; True when the rows agree."""
    root = out / str(lines)
    landing = root / "landing"
    for previous in root.glob("*"):
        if previous != landing:
            shutil.rmtree(previous) if previous.is_dir() else previous.unlink()
    root.mkdir(parents=True, exist_ok=True)
    generate(landing, lines, seed)
    # the floor runs before and after the build, so that a machine that slows down or speeds up
    # during the run moves both sides of the ratio
    read_once(landing)
    before, before_rows = run_floor(root, landing, "floor_before_build")
    build, published = run_build(root, landing)
    after, floor_rows = run_floor(root, landing)
    build.rows, floor_rows_count, differing, names = compare(published, floor_rows)
    differing_before = compare(published, before_rows)[2]
    floor = mean_side("floor", [before, after])
    floor.rows = floor_rows_count
    differing = differing or differing_before
    print_size(lines, build, floor)
    print(f"floor: {before.seconds:.1f} s before the build, {after.seconds:.1f} s after it (the table gives "
          "the mean)", flush=True)
    if build.rows == 0:
        print("the warehouse published no KPI rows", file=sys.stderr)
    if differing:
        print_differences(differing, names)
    return not differing and build.rows > 0


def run_sizes(description: str, bench_size: Callable[[int, Path, int], bool], default_out: Path,
              first_column: str, verdict: str) -> int:
    """The command line of a benchmark script: every size of --lines through `bench_size`
    (True when that size's results agree), one Markdown table, and `verdict: yes|NO`."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--lines", type=int, nargs="+", default=[50_000])
    parser.add_argument("--out", type=Path, default=default_out)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep every size's folder")
    args = parser.parse_args()
    print("load average at start: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    print(f"| invoice lines | {first_column} | rows | seconds | CPU seconds | peak RSS (MB) |")
    print("|---:|---|---:|---:|---:|---:|", flush=True)
    agreed = True
    for lines in args.lines:
        size_agreed = bench_size(lines, args.out, args.seed)
        agreed = agreed and size_agreed
        if size_agreed and not args.keep:
            shutil.rmtree(args.out / str(lines), ignore_errors=True)
    print("load average at end: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    print(f"{verdict}: " + ("yes" if agreed else "NO"))
    return 0 if agreed else 1


def main() -> int:
    return run_sizes(__doc__.splitlines()[0], bench_size, Path("/tmp/mvoi_floor_bench"), "side", "rows agree")


if __name__ == "__main__":
    raise SystemExit(main())
