"""Metadata quality gate: fail when the project's documentation or governance metadata is incomplete.

Reads dbt's `manifest.json` (and `catalog.json` when present, to see every column a model
really has) and reports:

- models, seeds, snapshots, sources and macros of this project without a description;
- columns without a description (declared columns, and with a catalog the real columns too);
- models, seeds and snapshots without `meta.owner`; models without a `group` or without a
  primary-key test (`unique`, or a uniqueness test over a combination of columns);
- public models without an enforced contract.
"""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path

from mvoi import paths

log = logging.getLogger(__name__)

PRIMARY_KEY_TESTS = {"unique", "unique_combination_of_columns", "unique_combination"}


def _target_dir() -> Path:
    return paths.dbt_target_dir()


def find_problems(manifest: dict, catalog: dict | None = None) -> list[str]:
    project = manifest["metadata"]["project_name"]
    nodes = {k: v for k, v in manifest["nodes"].items() if v.get("package_name") == project}
    sources = {k: v for k, v in manifest["sources"].items() if v.get("package_name") == project}
    macros = {k: v for k, v in manifest["macros"].items() if v.get("package_name") == project}
    problems: list[str] = []

    documented = [v for v in nodes.values() if v["resource_type"] in ("model", "seed", "snapshot")]
    for node in [*documented, *sources.values()]:
        kind = node["resource_type"]
        if not (node.get("description") or "").strip():
            problems.append(f"{kind} {node['name']}: no description")
        declared = {name.lower(): c for name, c in node.get("columns", {}).items()}
        real = declared.keys()
        if catalog is not None:
            entry = catalog.get("sources" if kind == "source" else "nodes", {}).get(node["unique_id"])
            if entry:
                real = {c.lower() for c in entry["columns"]}
        for column in sorted(real):
            if not (declared.get(column, {}).get("description") or "").strip():
                problems.append(f"{kind} {node['name']}: column {column} has no description")

    for macro in macros.values():
        if not (macro.get("description") or "").strip():
            problems.append(f"macro {macro['name']}: no description")

    tested_unique = set()
    for node in nodes.values():
        if node["resource_type"] == "test":
            name = (node.get("test_metadata") or {}).get("name")
            if name in PRIMARY_KEY_TESTS and node.get("attached_node"):
                tested_unique.add(node["attached_node"])

    for node in nodes.values():
        if node["resource_type"] not in ("model", "seed", "snapshot"):
            continue
        config = node.get("config", {})
        meta = {**node.get("meta", {}), **config.get("meta", {})}
        if not meta.get("owner"):
            problems.append(f"{node['resource_type']} {node['name']}: no meta.owner")
        if node["resource_type"] != "model":
            continue
        if not (node.get("group") or config.get("group")):
            problems.append(f"model {node['name']}: no group")
        if node["unique_id"] not in tested_unique:
            problems.append(f"model {node['name']}: no primary-key test (unique or unique combination)")
        if node.get("access") == "public" and not config.get("contract", {}).get("enforced"):
            problems.append(f"model {node['name']}: public but its contract is not enforced")
    return problems


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--target-dir", type=Path, default=None, help="dbt target folder (default DBT_TARGET_PATH or ./target)")


def run(args: argparse.Namespace) -> int:
    target = args.target_dir or _target_dir()
    manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    catalog_path = target / "catalog.json"
    catalog = json.loads(catalog_path.read_text(encoding="utf-8")) if catalog_path.exists() else None
    problems = find_problems(manifest, catalog)
    for problem in problems:
        print(f"metadata gate: {problem}")
    if problems:
        print(f"metadata gate: FAILED with {len(problems)} problem(s)")
        return 1
    print("metadata gate: every model, column, source, seed, snapshot and macro is described; owners, groups, primary keys and contracts in place")
    return 0
