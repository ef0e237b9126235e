"""`mvoi build`: the whole build of one warehouse, as `make build` runs it.

1. take the warehouse's build lock (one build at a time per warehouse: mvoi.build_lock);
2. choose the landing data: MVOI_RAW_DIR when set, else the landing store when it holds an
   accepted delivery (`mvoi deliver`; docs/deliveries.md), else the bundled sample; a landing
   folder is checked before dbt starts: every bad file is reported at once, and nothing is
   built or touched (a delivery was checked when it was received);
3. `dbt build`, the longest chain of work first (mvoi.dbt_critical_path); when dbt stops
   before building anything (a landing hook or compile error) the build stops there;
4. both GX gates, and the publication only when dbt and both gates passed
   (`mvoi gate-and-publish`);
5. the data-quality scorecard, then the dbt docs, in one dbt process (mvoi.dbt_finish),
   alongside the KPI report and the site;
6. a summary per landing entity (delivered, loaded, rejected, duplicates, amount excluded,
   top reasons), the seconds of each phase, and where every output is.

A failed test or gate blocks only the publication: the later steps still run, so the build
database keeps the quarantine, the scorecard and the marts for the data steward. The outcome
is written to `build_status.json` beside the publication; the KPI report reads it to say
when the latest build was refused. It also holds the seconds of each phase (`phases`: landing
check, `dbt build` split by layer from its run_results.json, gates, publish, scorecard, docs,
report) and the slowest dbt nodes, so that the next bottleneck is visible. Exit codes: 0 published; 1 refused or failed; 3 another
build of the same warehouse is running (nothing was touched).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from mvoi import build_status, dbt_artifacts, deliveries, landing_check, paths, validate
from mvoi.build_lock import locked
from mvoi.gate_and_publish import GateError, gate_and_publish
from mvoi.report import write_report
from mvoi.site import write_site

DBT = Path(sys.executable).parent / "dbt"


def _dbt_build() -> int:
    """`dbt build`, with the longest chain of work started first (mvoi.dbt_critical_path)."""
    command = [sys.executable, "-m", "mvoi.dbt_critical_path", "build"]
    return subprocess.run(command, cwd=paths.PROJECT_DIR, check=False).returncode


def _scorecard_and_docs(phases: Phases, build_manifest: Path) -> int:
    """The scorecard, then the dbt docs, in one dbt process (mvoi.dbt_finish: one parse for
    both); their seconds go into `phases`."""
    timings = paths.dbt_target_dir() / "finish_timings.json"
    timings.unlink(missing_ok=True)
    status = subprocess.run([sys.executable, "-m", "mvoi.dbt_finish", str(build_manifest), str(timings)],
                            cwd=paths.PROJECT_DIR, check=False).returncode
    if timings.exists():
        for name, seconds in json.loads(timings.read_text(encoding="utf-8")).items():
            phases.add(name, seconds)
    return status


class Phases:
    """Seconds per phase of the build, in the order they ran (the report and the site run
    alongside the scorecard and the docs, so the phases add up to more than the wall clock)."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.seconds: dict[str, float] = {}
        self.dbt: dict[str, float] = {}  # the main `dbt build` split by layer (node seconds)
        self.slowest: list[dict] = []

    def run(self, name: str, step: Callable, *args, **kwargs):
        t0 = time.perf_counter()
        try:
            return step(*args, **kwargs)
        finally:
            self.add(name, time.perf_counter() - t0)

    def add(self, name: str, seconds: float) -> None:
        self.seconds[name] = round(self.seconds.get(name, 0.0) + seconds, 2)

    def as_dict(self) -> dict:
        return {"phases": self.seconds, "wall_clock_seconds": self.wall_clock(), "dbt_build_node_seconds": self.dbt,
                "slowest_dbt_nodes": self.slowest}

    def wall_clock(self) -> float:
        return round(time.perf_counter() - self.started, 2)

    def format(self) -> str:
        lines = ["Seconds per phase:"]
        for name, seconds in self.seconds.items():
            lines.append(f"  {name:<28}{seconds:>9.1f}")
            if name == "dbt build" and self.dbt:
                for part, part_seconds in self.dbt.items():
                    lines.append(f"    {part:<26}{part_seconds:>9.1f}")
        lines.append(f"  {'total (wall clock)':<28}{self.wall_clock():>9.1f}")
        if self.dbt:
            lines.append("  (dbt build parts are node seconds summed over dbt's threads; "
                         "'start-up' is parsing before the first node)")
        return "\n".join(lines)


def _dbt_part(unique_id: str, nodes: dict) -> str:
    """The part of `dbt build` a node belongs to: its resource type, and for models and data
    tests the layer (first folder under models/, or tests/ for singular tests)."""
    kind = unique_id.split(".", 1)[0]
    if kind == "operation":
        return "load (on-run-start)" if "on-run-start" in unique_id else "on-run-end"
    if kind == "unit_test":
        return "unit tests"
    if kind in ("seed", "snapshot"):
        return kind + "s"
    fqn = (nodes.get(unique_id) or {}).get("fqn") or []
    layer = fqn[1] if len(fqn) > 2 else "singular"
    if kind == "test":
        return f"tests: {layer}"
    return layer if kind == "model" else kind


def dbt_profile(results: dict | None, manifest: dict | None, wall_seconds: float,
                top: int = 10) -> tuple[dict[str, float], list[dict]]:
    """From a `dbt build`'s run_results.json: node seconds per part (start-up = the wall time
    before the first node started) and the `top` slowest nodes."""
    if not results or not results.get("results"):
        return {}, []
    nodes = (manifest or {}).get("nodes") or {}
    parts: dict[str, float] = {}
    starts = []
    for result in results["results"]:
        part = _dbt_part(result["unique_id"], nodes)
        parts[part] = parts.get(part, 0.0) + (result.get("execution_time") or 0.0)
        starts += [t["started_at"] for t in result.get("timing") or [] if t.get("started_at")]
    invocation_started = (results.get("metadata") or {}).get("invocation_started_at")
    if starts and invocation_started:
        first = dt.datetime.fromisoformat(min(starts).replace("Z", "+00:00"))
        begun = dt.datetime.fromisoformat(invocation_started.replace("Z", "+00:00"))
        parts = {"start-up": max((first - begun).total_seconds(), 0.0), **parts}
    order = ["start-up", "load (on-run-start)", "seeds", "staging", "intermediate", "marts", "governance",
             "semantic", "snapshots"]
    ordered = {k: round(parts[k], 2) for k in order if k in parts}
    ordered |= {k: round(v, 2) for k, v in sorted(parts.items()) if k not in ordered}
    slowest = sorted(results["results"], key=lambda r: -(r.get("execution_time") or 0.0))[:top]
    return ordered, [{"node": r["unique_id"], "seconds": round(r.get("execution_time") or 0.0, 2)}
                     for r in slowest]


def _fmt_amount(value) -> str:
    return "" if value is None else f"{value:,.2f}"


def entity_summary(db_path: Path) -> list[dict]:
    """Per landing entity: delivered, loaded, rejected, duplicates, amount excluded and the
    three most frequent rejection reasons (from the build database)."""
    with paths.connect(db_path, read_only=True) as con:
        rows = con.execute(
            """
            with reasons as (
                select entity, reason_code, count(*) as n,
                       row_number() over (partition by entity order by count(*) desc, reason_code) as rank
                from governance.rejected_rows
                group by entity, reason_code
            )
            select r.entity_order, r.entity, r.raw_rows, r.loaded_rows, r.rejected_rows, r.exact_duplicates_removed,
                   r.rejected_share, r.rejected_amount,
                   string_agg(reasons.reason_code || ' (' || reasons.n || ')', ', ' order by reasons.rank)
            from governance.landing_reconciliation as r
            left join reasons on r.entity = reasons.entity and reasons.rank <= 3
            group by all
            order by r.entity_order
            """
        ).fetchall()
    keys = ("entity", "delivered", "loaded", "rejected", "duplicates", "rejected_share", "amount_excluded",
            "top_reasons")
    return [dict(zip(keys, row[1:], strict=True)) for row in rows]


def format_summary(summary: list[dict]) -> str:
    # counts up to 999,999,999 (a national 100M-line delivery fits with room to spare)
    header = f"{'entity':<27}{'delivered':>12}{'loaded':>12}{'rejected':>12}{'share':>7}{'dupl.':>7}  EUR excluded  top reasons"
    lines = ["Landing summary (delivered = loaded + rejected + duplicates):", header]
    for row in summary:
        share = "" if row["rejected_share"] is None else f"{row['rejected_share']:.1%}"
        lines.append(
            f"{row['entity']:<27}{row['delivered']:>12,}{row['loaded']:>12,}{row['rejected']:>12,}{share:>7}"
            f"{row['duplicates']:>7,}  {_fmt_amount(row['amount_excluded']):>12}  {row['top_reasons'] or ''}"
        )
    lines.append("Quarantined rows and their reasons: mvoi rejections [--entity E] [--reason R] [--out FILE.csv]")
    return "\n".join(lines)


def _locations() -> str:
    target = paths.dbt_target_dir()
    return "\n".join([
        f"Build database : {paths.build_db_path()} (marts.fct_spend in {paths.spend_db_path().name} beside it)",
        f"Published      : {paths.published_db_path()} (read-only for BI tools; Parquet in {paths.export_dir()})",
        f"KPI report     : {paths.report_path()}",
        f"Site           : {paths.site_dir() / 'index.html'}",
        f"dbt docs       : {target / 'static_index.html'} (serve: DBT_TARGET_PATH={target} {DBT} docs serve --port 8080)",
        f"GX Data Docs   : {validate.data_docs_index()}",
    ])


def _write_pages(phases: Phases) -> None:
    phases.run("report", write_report, paths.published_db_path(), paths.report_path())
    phases.run("site", write_site, paths.published_db_path(), paths.site_dir())


def build() -> int:
    """The build's steps (the caller holds the lock); returns the exit code."""
    os.environ.update(paths.output_environment())  # dbt and the steps see the same locations
    os.environ.setdefault("DBT_PROFILES_DIR", str(paths.PROJECT_DIR))
    started = dt.datetime.now(dt.UTC).replace(microsecond=0)
    phases = Phases()
    raw_setting = os.environ.get("MVOI_RAW_DIR", "").strip()
    store = paths.landing_store_dir()
    accepted = [] if raw_setting else deliveries.accepted_deliveries(store)
    if accepted:
        # every delivery was checked when `mvoi deliver` received it
        print(f"== landing: the landing store {store} ({len(accepted)} accepted deliveries)", flush=True)
    else:
        raw_dir = Path(raw_setting or paths.sample_dir())
        print(f"== landing: {raw_dir}", flush=True)
        problems = phases.run("landing check", landing_check.check_landing_folder, raw_dir)
        if problems:
            print(landing_check.format_problems(problems, raw_dir))
            build_status.write("refused", [p.message for p in problems], None, started, phases.as_dict())
            return 1

    run_results = paths.dbt_target_dir() / "run_results.json"
    manifest = paths.dbt_target_dir() / "manifest.json"
    build_manifest = paths.dbt_target_dir() / "build_manifest.json"
    for artifact in (run_results, build_manifest):  # a build that stops early must not look like the last one
        artifact.unlink(missing_ok=True)
    with ThreadPoolExecutor(max_workers=1) as preload:
        # Great Expectations takes seconds to import; while dbt parses, a core is idle
        preload.submit(validate.import_great_expectations)
        dbt_status = phases.run("dbt build", _dbt_build)
    if manifest.exists():  # every node of the build, compiled as it ran: what the docs show
        shutil.copyfile(manifest, build_manifest)
    phases.dbt, phases.slowest = dbt_profile(dbt_artifacts.run_results(), dbt_artifacts.manifest(),
                                             phases.seconds["dbt build"])
    if not run_results.exists():
        reason = "dbt build stopped before building any model (the error is printed above)"
        print(f"\nBuild STOPPED: {reason}; nothing was published.")
        build_status.write("failed", [reason], None, started, phases.as_dict())
        return 1

    run_id = dbt_artifacts.current_run_id()
    try:
        refusals = gate_and_publish(paths.build_db_path(), run_id=run_id, timings=phases.seconds)
    except GateError as exc:
        print(exc)
        refusals = [str(exc)]
    outcome = "refused" if refusals else "published"
    build_status.write(outcome, refusals, run_id, started, phases.as_dict())
    with ThreadPoolExecutor(max_workers=1) as pool:
        # the report and the site read only the publication: they are written while dbt (another
        # process) builds the scorecard into the build database and writes the docs
        pages = pool.submit(_write_pages, phases) if paths.published_db_path().exists() else None
        steps_ok = _scorecard_and_docs(phases, build_manifest) == 0
        if pages is not None:
            pages.result()
    build_status.write(outcome, refusals, run_id, started, phases.as_dict())
    print()
    print(format_summary(entity_summary(paths.build_db_path())))
    print()
    print(phases.format())
    print()
    print(_locations())
    return 0 if not refusals and steps_ok and dbt_status == 0 else 1


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument_group(
        "locations", "every output goes under MVOI_WAREHOUSE_DIR (default warehouse/); see README")


@locked
def run(args: argparse.Namespace) -> int:
    return build()
