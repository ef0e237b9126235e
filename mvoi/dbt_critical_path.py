"""`python -m mvoi.dbt_critical_path build ...`: dbt, the longest chain of work first, no test holding it back.

dbt 1.11 hands every node whose parents are done to its thread pool at once, and the pool runs
them first come, first served: the priority dbt gives a ready node (its graph level) decides
only the order in which a batch joins the back of that line. In this project hundreds of
small tests are ready early, so the models on the long chain (the checked invoice lines,
then the spend fact, the KPI marts and their tests) waited behind them: at 10M invoice lines
`stg_landing__invoice_lines__checked` started 9.5 s after the first node, where its own
prerequisites take 4 s. While those tests run, dbt's Python keeps about one core busy and
the other is mostly idle.

This entry point runs the same dbt, the same nodes, with three changes to its scheduling (the
first two a feature dbt-core does not have: dbt-labs/dbt-core#10632):

- at most `threads` nodes are handed to the pool at a time, so the choice among ready nodes
  is made when a thread is free;
- that choice is the ready node with the longest chain of work ahead of it (critical path
  first). A model or seed that stores rows (table, incremental, seed, snapshot) weighs
  HEAVY_WEIGHT, any other node 1: what the weights order is the chains, not the seconds;
- a test does not hold back the models: a data test does not wait before the models
  downstream of what it tests (dbt's "test edges", `Linker.add_test_edges`, are not added),
  and a model's unit tests run as nodes of their own after the model (dbt runs them in the
  model's thread, before it: `BuildTask.get_graph_queue` and its model-to-unit-test map), so
  a model waits for its parent models only. In plain `dbt build` the long chain waited for
  every test above it: at 10M invoice lines 11 s before the checked invoice lines, 7 s
  before the spend fact and 8 s before the KPI values, with one core mostly idle (a unit
  test is about a second of dbt's own Python). Nothing is published on data a test failed:
  the publication needs a `dbt build` without an error (mvoi.publish). What a data steward
  sees differently is that a failing test no longer skips the models below it: the build
  database shows them built from the data the test flagged.

`mvoi build` runs its `dbt build` through this module; plain `dbt build` gives the same
results with dbt's own order (when every test passes). Pinned to dbt-core 1.11
(`GraphQueue._get_scores`, `GraphRunnableTask.run_queue`, `Linker.add_test_edges` and
`BuildTask.get_graph_queue`): an upgrade that changes them stops here with a message. It
also shares dbt's parse of the project between warehouses (`mvoi.dbt_parse_cache`).
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable

import networkx as nx

from mvoi import dbt_parse_cache, paths

HEAVY_WEIGHT = 10
HEAVY_MATERIALIZATIONS = frozenset({"table", "incremental", "seed", "snapshot"})


def critical_path_scores(graph: nx.DiGraph, weight: Callable[[str], int]) -> dict[str, int]:
    """dbt's queue scores (lowest runs first): minus the weight of the heaviest chain of
    nodes from each node to the end of the graph, the node included."""
    ahead: dict[str, int] = {}
    for node in reversed(list(nx.topological_sort(graph))):
        ahead[node] = weight(node) + max((ahead[child] for child in graph.successors(node)), default=0)
    return {node: -chain for node, chain in ahead.items()}


def _node_weight(manifest) -> Callable[[str], int]:
    def weight(unique_id: str) -> int:
        node = manifest.nodes.get(unique_id)
        materialized = getattr(getattr(node, "config", None), "materialized", None)
        return HEAVY_WEIGHT if materialized in HEAVY_MATERIALIZATIONS else 1

    return weight


def _run_queue(self, pool) -> None:
    """dbt's GraphRunnableTask.run_queue, taking a node off the queue only when one of the
    pool's threads is free."""
    from dbt.exceptions import DbtInternalError
    from dbt.flags import get_flags

    if self.job_queue is None:
        raise DbtInternalError("Got to run_queue with no job queue set")
    free_threads = threading.Semaphore(self.config.threads)

    def callback(result) -> None:
        try:
            self._handle_result(result)
            self.job_queue.mark_done(result.node.unique_id)
        finally:
            free_threads.release()

    while not self.job_queue.empty():
        free_threads.acquire()
        self.handle_job_queue(pool, callback)
    if get_flags().FAIL_FAST:
        while self.job_queue.wait_until_something_was_done():
            self._raise_set_error()
    else:
        self.job_queue.join()
    self._raise_set_error()


def _no_test_edges(linker, manifest) -> None:
    """In place of dbt's Linker.add_test_edges: no edge from a data test to the models below
    what it tests (see the module's description)."""


def _queue_with_unit_tests(task):
    """In place of dbt's BuildTask.get_graph_queue: every selected node, unit tests included,
    in one queue; a unit test follows the model it tests (its parent in dbt's graph), and no
    model runs unit tests before itself (an empty model-to-unit-test map)."""
    task.selected_unit_tests = set()
    task.model_to_unit_test_map = {}
    return task.get_node_selector(no_unit_tests=False).get_graph_queue(task.get_selection_spec())


def install() -> None:
    """Patch dbt's scheduling in this process (see the module's description)."""
    from dbt.compilation import Linker
    from dbt.graph.queue import GraphQueue
    from dbt.task.build import BuildTask
    from dbt.task.runnable import GraphRunnableTask

    patched = ((GraphQueue, "_get_scores"), (GraphRunnableTask, "run_queue"), (Linker, "add_test_edges"),
               (BuildTask, "get_graph_queue"))
    for owner, name in patched:
        if not callable(getattr(owner, name, None)):
            raise SystemExit(f"mvoi.dbt_critical_path: dbt has no {owner.__name__}.{name} any more; "
                             "run plain dbt, or adapt this module to the new dbt")
    GraphQueue._get_scores = lambda queue, graph: critical_path_scores(graph, _node_weight(queue.manifest))
    GraphRunnableTask.run_queue = _run_queue
    Linker.add_test_edges = _no_test_edges
    BuildTask.get_graph_queue = _queue_with_unit_tests


def main() -> int:
    install()
    dbt_parse_cache.install()
    target = paths.dbt_target_dir()
    dbt_parse_cache.seed(target)
    from dbt.cli.main import cli

    sys.argv[0] = "dbt"
    try:
        return cli()
    finally:
        dbt_parse_cache.save(target)


if __name__ == "__main__":
    sys.exit(main())
