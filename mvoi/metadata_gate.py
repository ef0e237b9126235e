"""Metadata quality gate: fail when the project's documentation or governance metadata is incomplete.

Reads dbt's `manifest.json` (and `catalog.json` when present, to see every column a model
really has) and reports:

- models, seeds, snapshots, sources and macros of this project without a description;
- columns without a description (declared columns, and with a catalog the real columns too);
- models, seeds and snapshots without `meta.owner`; models without a `group` or without a
  primary-key test (`unique`, or a uniqueness test over a combination of columns); a view
  whose rows are stored by the one model that reads it may instead name that model in
  `meta.primary_key_tested_in`, which must read it and have a primary-key test (a test on
  the view would compute it once more);
- public models without an enforced contract.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from mvoi import dbt_artifacts

log = logging.getLogger(__name__)

PRIMARY_KEY_TESTS = {"unique", "unique_combination_of_columns", "unique_combination"}


def _undescribed(text: str | None) -> bool:
    return not (text or "").strip()


def _description_problems(node: dict, catalog: dict | None) -> list[str]:
    """A node without a description, and its columns (declared, or really there) without one."""
    kind = node["resource_type"]
    problems = [f"{kind} {node['name']}: no description"] if _undescribed(node.get("description")) else []
    declared = {name.lower(): c for name, c in node.get("columns", {}).items()}
    real = declared.keys()
    entry = (catalog or {}).get("sources" if kind == "source" else "nodes", {}).get(node["unique_id"])
    if entry:
        real = {c.lower() for c in entry["columns"]}
    problems += [f"{kind} {node['name']}: column {column} has no description"
                 for column in sorted(real) if _undescribed(declared.get(column, {}).get("description"))]
    return problems


def _meta(node: dict) -> dict:
    return {**node.get("meta", {}), **node.get("config", {}).get("meta", {})}


def _key_tested(node: dict, tested_unique: set[str], models: dict[str, dict]) -> bool:
    """A primary-key test on the model, or on the model named by its meta.primary_key_tested_in
    that reads it."""
    if node["unique_id"] in tested_unique:
        return True
    storing = models.get(_meta(node).get("primary_key_tested_in") or "")
    return (storing is not None and storing["unique_id"] in tested_unique
            and node["unique_id"] in storing.get("depends_on", {}).get("nodes", []))


def _governance_problems(node: dict, tested_unique: set[str], models: dict[str, dict]) -> list[str]:
    """Owner on models, seeds and snapshots; group, primary-key test and contract on models."""
    config = node.get("config", {})
    problems = [] if _meta(node).get("owner") else [f"{node['resource_type']} {node['name']}: no meta.owner"]
    if node["resource_type"] != "model":
        return problems
    if not (node.get("group") or config.get("group")):
        problems.append(f"model {node['name']}: no group")
    if not _key_tested(node, tested_unique, models):
        problems.append(f"model {node['name']}: no primary-key test (unique or unique combination)")
    if node.get("access") == "public" and not config.get("contract", {}).get("enforced"):
        problems.append(f"model {node['name']}: public but its contract is not enforced")
    return problems


def find_problems(manifest: dict, catalog: dict | None = None) -> list[str]:
    project = manifest["metadata"]["project_name"]

    def own(kind: str) -> list[dict]:
        return [v for v in manifest[kind].values() if v.get("package_name") == project]

    nodes, sources, macros = own("nodes"), own("sources"), own("macros")
    documented = [n for n in nodes if n["resource_type"] in ("model", "seed", "snapshot")]
    tested_unique = {
        n["attached_node"] for n in nodes
        if n["resource_type"] == "test" and n.get("attached_node")
        and (n.get("test_metadata") or {}).get("name") in PRIMARY_KEY_TESTS
    }
    problems = [p for node in [*documented, *sources] for p in _description_problems(node, catalog)]
    problems += [f"macro {m['name']}: no description" for m in macros if _undescribed(m.get("description"))]
    models = {n["name"]: n for n in nodes if n["resource_type"] == "model"}
    problems += [p for node in documented for p in _governance_problems(node, tested_unique, models)]
    return problems


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--target-dir", type=Path, default=None, help="dbt target folder (default DBT_TARGET_PATH or ./target)")


def run(args: argparse.Namespace) -> int:
    manifest = dbt_artifacts.manifest(args.target_dir)
    if manifest is None:
        print("metadata gate: no manifest.json: run `dbt docs generate` first")
        return 2
    problems = find_problems(manifest, dbt_artifacts.catalog(args.target_dir))
    for problem in problems:
        print(f"metadata gate: {problem}")
    if problems:
        print(f"metadata gate: FAILED with {len(problems)} problem(s)")
        return 1
    print("metadata gate: every model, column, source, seed, snapshot and macro is described; owners, groups, primary keys and contracts in place")
    return 0
