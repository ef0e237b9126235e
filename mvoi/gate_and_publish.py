"""`mvoi gate-and-publish`: the audit and publish steps of write-audit-publish in one command.

Runs GX gate 1 (landing) and gate 2 (publication) on the build database, always both, so a
data steward sees every failing rule; then publishes (mvoi.publish) only when the last
`dbt build` has no error-severity failure and both gates passed. Exit codes: 0 published;
1 refused (a gate or the dbt build failed: the summary says what; the build database keeps
everything, the previous publication is untouched); 2 the gates could not run.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import duckdb

from mvoi import dbt_artifacts, publish, validate
from mvoi.build_lock import locked
from mvoi.paths import build_db_path


class GateError(RuntimeError):
    """A gate could not run at all (no build database, unreadable table)."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", type=Path, default=None, help="build database (default: MVOI_DB_PATH)")
    parser.add_argument("--published", type=Path, default=None,
                        help="published database (default: MVOI_PUBLISHED_PATH)")
    parser.add_argument("--run-id", default=None, help="run id (default: the last dbt build's invocation id)")
    parser.add_argument("--no-data-docs", action="store_true", help="do not rebuild the GX Data Docs")


def gate_and_publish(build_db: Path, published: Path | None = None, run_id: str | None = None,
                     build_docs: bool = True, timings: dict[str, float] | None = None) -> list[str]:
    """Both gates, then the publication when nothing blocks it; returns why the publication
    was refused or failed (empty: published). Raises GateError when a gate cannot run.
    `timings`, when given, receives the seconds of `gates` and `publish`."""
    run_id = run_id or dbt_artifacts.current_run_id()
    problems = dbt_artifacts.build_problems(dbt_artifacts.run_results())
    timings = {} if timings is None else timings
    started = time.perf_counter()
    for gate in validate.GATES:
        try:
            result = validate.run_gate(gate, db_path=build_db, run_id=run_id, build_docs=build_docs)
        except (FileNotFoundError, duckdb.Error) as exc:
            raise GateError(f"GX gate '{gate}' could not run: {exc}") from exc
        print(result.summary())
        if not result.success:
            blocking = sorted(r.rule.rule_id for r in result.results if r.blocking)
            problems.append(f"GX gate {gate} failed: {', '.join(blocking) or 'no rule was evaluated'}")
    timings["gates"] = round(time.perf_counter() - started, 2)
    if problems:
        print("Publication REFUSED; the build database keeps everything, the previous publication is unchanged:")
        print("\n".join(f"  - {p}" for p in problems))
        return problems
    started = time.perf_counter()
    try:
        publication = publish.publish(run_id, build_db=build_db, published=published)
    except (publish.PublishError, duckdb.Error, OSError) as exc:
        print(f"Publication FAILED; the previous publication is unchanged: {exc}")
        return [f"publication failed: {exc}"]
    finally:
        timings["publish"] = round(time.perf_counter() - started, 2)
    print(
        f"Published run {publication.run_id}: {len(publication.tables)} tables -> "
        f"{publication.published_path} (read-only for consumers); Parquet -> {publication.export_dir}"
    )
    return []


@locked
def run(args: argparse.Namespace) -> int:
    try:
        problems = gate_and_publish(Path(args.db or build_db_path()), args.published, args.run_id,
                                    build_docs=not args.no_data_docs)
    except GateError as exc:
        print(exc)
        return 2
    return 1 if problems else 0
