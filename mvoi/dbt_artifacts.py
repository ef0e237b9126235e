"""dbt's artifacts in its target folder (DBT_TARGET_PATH): what the last dbt command did.

`run_results.json` says which command ran, its invocation id (the run id that joins GX
results, the publication and dbt's own artifacts) and every node's status; `manifest.json`
and `catalog.json` describe the project and its tables (the metadata gate reads them).
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

from mvoi import paths

FAILED_STATUSES = ("error", "fail", "runtime error")


def _read(name: str, target_dir: Path | None = None) -> dict | None:
    path = (target_dir or paths.dbt_target_dir()) / name
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def run_results(target_dir: Path | None = None) -> dict | None:
    """The last dbt command's run_results.json, or None."""
    return _read("run_results.json", target_dir)


def manifest(target_dir: Path | None = None) -> dict | None:
    return _read("manifest.json", target_dir)


def catalog(target_dir: Path | None = None) -> dict | None:
    return _read("catalog.json", target_dir)


def current_run_id(target_dir: Path | None = None) -> str:
    """The dbt invocation id of the last build when there is one, else a new id."""
    invocation = ((run_results(target_dir) or {}).get("metadata") or {}).get("invocation_id")
    return invocation or f"mvoi-{uuid.uuid4()}"


def build_problems(results: dict | None) -> list[str]:
    """Why the last dbt build does not allow a publication (empty list: it does)."""
    if results is None:
        return ["no dbt run_results.json found: run `dbt build` first"]
    which = (results.get("args") or {}).get("which")
    if which not in (None, "build"):
        return [f"the last dbt command was `dbt {which}`, not `dbt build`"]
    problems = []
    for result in results.get("results", []):
        if result.get("status") in FAILED_STATUSES:
            message = " ".join(str(result.get("message") or "").split())[:200]
            problems.append(f"dbt {result.get('status')}: {result.get('unique_id')} {message}")
    if not results.get("results"):
        problems.append("the last dbt build ran nothing")
    return problems
