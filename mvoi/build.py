"""`mvoi build`: the whole build of one warehouse, as `make build` runs it.

1. take the warehouse's build lock (one build at a time per warehouse: mvoi.build_lock);
2. check the landing folder (MVOI_RAW_DIR, else the bundled sample) before dbt starts:
   every bad file is reported at once, and nothing is built or touched;
3. `dbt build`; when dbt stops before building anything (a landing hook or compile error) the
   build stops there;
4. both GX gates, and the publication only when dbt and both gates passed
   (`mvoi gate-and-publish`);
5. the data-quality scorecard, the dbt docs and the KPI report;
6. a summary per landing entity (delivered, loaded, rejected, duplicates, amount excluded,
   top reasons) and where every output is.

A failed test or gate blocks only the publication: the later steps still run, so the build
database keeps the quarantine, the scorecard and the marts for the data steward. The outcome
is written to `build_status.json` beside the publication; the KPI report reads it to say
when the latest build was refused. Exit codes: 0 published; 1 refused or failed; 3 another
build of the same warehouse is running (nothing was touched).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import duckdb

from mvoi import build_status, dbt_artifacts, landing_check, paths, validate
from mvoi.build_lock import locked
from mvoi.gate_and_publish import GateError, gate_and_publish
from mvoi.report import write_report

DBT = Path(sys.executable).parent / "dbt"


def _dbt(*args: str) -> int:
    return subprocess.run([str(DBT), *args], cwd=paths.PROJECT_DIR, check=False).returncode


def _fmt_amount(value) -> str:
    return "" if value is None else f"{value:,.2f}"


def entity_summary(db_path: Path) -> list[dict]:
    """Per landing entity: delivered, loaded, rejected, duplicates, amount excluded and the
    three most frequent rejection reasons (from the build database)."""
    with duckdb.connect(str(db_path), read_only=True) as con:
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
    header = f"{'entity':<27}{'delivered':>10}{'loaded':>10}{'rejected':>10}{'share':>7}{'dupl.':>7}  EUR excluded  top reasons"
    lines = ["Landing summary (delivered = loaded + rejected + duplicates):", header]
    for row in summary:
        share = "" if row["rejected_share"] is None else f"{row['rejected_share']:.1%}"
        lines.append(
            f"{row['entity']:<27}{row['delivered']:>10,}{row['loaded']:>10,}{row['rejected']:>10,}{share:>7}"
            f"{row['duplicates']:>7,}  {_fmt_amount(row['amount_excluded']):>12}  {row['top_reasons'] or ''}"
        )
    lines.append("Quarantined rows and their reasons: mvoi rejections [--entity E] [--reason R] [--out FILE.csv]")
    return "\n".join(lines)


def _locations() -> str:
    target = paths.dbt_target_dir()
    return "\n".join([
        f"Build database : {paths.build_db_path()}",
        f"Published      : {paths.published_db_path()} (read-only for BI tools; Parquet in {paths.export_dir()})",
        f"KPI report     : {paths.report_path()}",
        f"dbt docs       : {target / 'static_index.html'} (serve: DBT_TARGET_PATH={target} {DBT} docs serve --port 8080)",
        f"GX Data Docs   : {validate.data_docs_index()}",
    ])


def build() -> int:
    """The build's steps (the caller holds the lock); returns the exit code."""
    os.environ.update(paths.output_environment())  # dbt and the steps see the same locations
    os.environ.setdefault("DBT_PROFILES_DIR", str(paths.PROJECT_DIR))
    started = dt.datetime.now(dt.UTC).replace(microsecond=0)
    raw_dir = Path(os.environ.get("MVOI_RAW_DIR", "").strip() or paths.sample_dir())
    print(f"== landing: {raw_dir}", flush=True)
    problems = landing_check.check_landing_folder(raw_dir)
    if problems:
        print(landing_check.format_problems(problems, raw_dir))
        build_status.write("refused", [p.message for p in problems], None, started)
        return 1

    run_results = paths.dbt_target_dir() / "run_results.json"
    run_results.unlink(missing_ok=True)  # a build that stops early must not look like the last one
    dbt_status = _dbt("build")
    if not run_results.exists():
        reason = "dbt build stopped before building any model (the error is printed above)"
        print(f"\nBuild STOPPED: {reason}; nothing was published.")
        build_status.write("failed", [reason], None, started)
        return 1

    run_id = dbt_artifacts.current_run_id()
    try:
        refusals = gate_and_publish(paths.build_db_path(), run_id=run_id)
    except GateError as exc:
        print(exc)
        refusals = [str(exc)]
    build_status.write("refused" if refusals else "published", refusals, run_id, started)
    steps_ok = _dbt("build", "--select", "dq_scorecard_evidence+", "--quiet") == 0
    steps_ok &= _dbt("docs", "generate", "--static", "--quiet") == 0
    if paths.published_db_path().exists():
        write_report(paths.published_db_path(), paths.report_path())
    print()
    print(format_summary(entity_summary(paths.build_db_path())))
    print()
    print(_locations())
    return 0 if not refusals and steps_ok and dbt_status == 0 else 1


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument_group(
        "locations", "every output goes under MVOI_WAREHOUSE_DIR (default warehouse/); see README")


@locked
def run(args: argparse.Namespace) -> int:
    return build()
