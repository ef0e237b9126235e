"""mvoi.dbt_parse_cache: a new warehouse's first dbt command reuses the parse another warehouse
saved, gets exactly the manifest a full parse gives, and dbt's other profile checks stand."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import BIN_DIR, PROJECT_DIR, DbtWorkspace

from mvoi import dbt_artifacts, dbt_parse_cache

FULL_PARSE = "Unable to do partial parsing"


def _parse(workspace: DbtWorkspace, *, shared: bool, **env: str) -> str:
    """Parse the project for `workspace` (through mvoi's dbt entry point when `shared`, else
    plain dbt); returns dbt's log of the run."""
    command = [sys.executable, "-m", "mvoi.dbt_critical_path"] if shared else [str(BIN_DIR / "dbt")]
    subprocess.run([*command, "parse", "--quiet", "--no-use-colors"], cwd=PROJECT_DIR, check=True,
                   env=workspace.env(MVOI_WAREHOUSE_DIR=str(workspace.root), **env), timeout=600)
    return (workspace.root / "logs" / "dbt.log").read_text(encoding="utf-8")


def _manifest(workspace: DbtWorkspace) -> dict:
    """The parsed project without the moments it was parsed at, its groups' nodes in order."""
    def without_times(value):
        if isinstance(value, dict):
            return {k: without_times(v) for k, v in value.items() if k != "created_at"}
        if isinstance(value, list):
            return [without_times(v) for v in value]
        return value

    manifest = dbt_artifacts.manifest(workspace.root / "target")
    manifest.pop("metadata")
    # a group lists its nodes in the order dbt parsed them: after a change to a model, a
    # partial parse lists that model and its tests last
    manifest["group_map"] = {group: sorted(nodes) for group, nodes in manifest.get("group_map", {}).items()}
    return without_times(manifest)


def test_a_new_warehouse_reuses_the_shared_parse_and_gets_a_full_parses_manifest(tmp_path: Path) -> None:
    first, second, reference = (DbtWorkspace(tmp_path / name) for name in ("first", "second", "reference"))
    _parse(first, shared=True)  # saves its parse as the shared one

    log = _parse(second, shared=True)
    assert FULL_PARSE not in log
    assert "Partial parsing enabled" in log

    assert FULL_PARSE in _parse(reference, shared=False)  # plain dbt: its own, full parse
    assert _manifest(second) == _manifest(reference)


def test_a_change_of_the_other_connection_details_still_means_a_full_parse(tmp_path: Path) -> None:
    first, other = DbtWorkspace(tmp_path / "first"), DbtWorkspace(tmp_path / "other")
    _parse(first, shared=True)
    log = _parse(other, shared=True, MVOI_MEMORY_LIMIT="2GB")
    assert f"{FULL_PARSE} because profile has changed" in log
    dbt_parse_cache.save(first.root / "target")  # the next build shares a parse with the usual profile
