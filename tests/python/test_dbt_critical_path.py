"""mvoi.dbt_critical_path: dbt's queue scores put the heaviest chain of work first, and the
patch reaches the dbt that `mvoi build` runs (the builds of the other modules run through it)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import networkx as nx

from mvoi.dbt_critical_path import HEAVY_WEIGHT, critical_path_scores

PROJECT_DIR = Path(__file__).resolve().parents[2]


def _graph() -> tuple[nx.DiGraph, dict[str, int]]:
    """A chain of two stored models behind a view, beside a fan of ten light tests."""
    graph = nx.DiGraph([("source", "view"), ("view", "checked"), ("checked", "fact"), ("fact", "kpi_test")])
    graph.add_edges_from(("source", f"test_{i}") for i in range(10))
    weights = {"checked": HEAVY_WEIGHT, "fact": HEAVY_WEIGHT}
    return graph, weights


def test_the_heavy_chain_runs_before_a_wide_fan_of_light_nodes() -> None:
    graph, weights = _graph()
    scores = critical_path_scores(graph, lambda node: weights.get(node, 1))
    assert scores["view"] < min(scores[f"test_{i}"] for i in range(10))
    assert scores["source"] == -(1 + 1 + HEAVY_WEIGHT + HEAVY_WEIGHT + 1)
    assert scores["kpi_test"] == scores["test_0"] == -1


def test_a_node_always_ranks_before_its_children() -> None:
    graph, weights = _graph()
    scores = critical_path_scores(graph, lambda node: weights.get(node, 1))
    assert all(scores[parent] < scores[child] for parent, child in graph.edges)


def test_install_replaces_dbts_scheduling_in_its_process() -> None:
    """In a fresh interpreter, as `mvoi build` starts it: dbt's queue scores, run loop,
    test edges and build queue are this module's after install()."""
    check = (
        "from dbt.compilation import Linker\n"
        "from dbt.graph.queue import GraphQueue\n"
        "from dbt.task.build import BuildTask\n"
        "from dbt.task.runnable import GraphRunnableTask\n"
        "import mvoi.dbt_critical_path as m\n"
        "before = (GraphQueue._get_scores, GraphRunnableTask.run_queue)\n"
        "m.install()\n"
        "assert GraphQueue._get_scores is not before[0]\n"
        "assert GraphRunnableTask.run_queue is m._run_queue\n"
        "assert Linker.add_test_edges is m._no_test_edges\n"
        "assert BuildTask.get_graph_queue is m._queue_with_unit_tests\n"
    )
    subprocess.run([sys.executable, "-c", check], cwd=PROJECT_DIR, check=True)
