"""Interrupted builds and BI readers, on real DuckDB files (pipeline.sample_rebuild).

With publication A in place and a BI-style reader holding it open read-only in another
process:

1. the build pipeline (`dbt build` then `mvoi gate-and-publish`, as `make build`), started in
   its own process group, is SIGKILLed while dbt builds a mart: the publication is
   byte-identical, opens read-only and its KPI values are readable;
2. the pipeline runs again to completion with the reader still connected: it is not blocked,
   it publishes, and its marts equal A's (an uninterrupted build of the same input);
3. the reader kept reading its snapshot throughout without an error; after reconnecting it
   sees the new publication.
"""

from __future__ import annotations

import os

import duckdb
import pytest
from pipeline import marts_content, published_run_id, sample_rebuild


@pytest.fixture(scope="module")
def rebuild(request, sample_build, tmp_path_factory):
    return sample_rebuild(request.config, sample_build, tmp_path_factory)


def test_killed_build_leaves_the_publication_intact(rebuild) -> None:
    killed = rebuild.killed
    assert killed["was_running"], killed["output"][-3000:]
    assert killed["returncode"] == -9  # SIGKILL, not a normal end
    assert "Published run" not in killed["output"]
    after = rebuild.after_kill
    assert after["fingerprint"] == rebuild.fingerprint_a  # database file, export, folder listing
    assert after["run_id"] == rebuild.run_id_a
    assert after["kpi"][0] > 0 and after["kpi"][1] is not None


def test_build_after_a_kill_succeeds_with_marts_equal_to_an_uninterrupted_build(rebuild) -> None:
    assert rebuild.build.returncode == 0, rebuild.build.tail()
    assert rebuild.gates.returncode == 0, rebuild.gates.tail()
    pipe = rebuild.pipeline
    assert published_run_id(pipe.published) != rebuild.run_id_a
    published = marts_content(pipe.published)
    different = sorted(t for t in set(published) | set(rebuild.marts_a) if published.get(t) != rebuild.marts_a.get(t))
    assert not different, f"marts differ from the uninterrupted build: {different}"
    leftovers = [p.name for p in pipe.published.parent.iterdir() if ".tmp-" in p.name or ".old-" in p.name]
    assert leftovers == []
    assert not os.path.exists(str(pipe.published) + ".wal")
    with duckdb.connect(str(pipe.published), read_only=True) as con:
        assert con.execute("select count(*) from marts.fct_kpi_values").fetchone()[0] > 0


def test_reader_is_not_blocked_and_does_not_block(rebuild) -> None:
    """The reader held the published file open (read-only) during the killed build, the full
    build and its publication: the build was not blocked (it succeeded, previous test), the
    reader kept one consistent snapshot without an error, and after reconnecting it reads the
    new publication."""
    assert rebuild.build.returncode == 0 and rebuild.gates.returncode == 0
    events = {e["event"]: e for e in rebuild.reader_events}
    assert set(events) == {"opened", "held", "reopened"}, rebuild.reader_events
    held = events["held"]
    assert held["errors"] == [] and held["reads"] > 10
    assert held["changed"] == 0  # never a half-built or different file
    assert events["opened"]["snapshot"][0] == rebuild.run_id_a
    assert held["snapshot"] == events["opened"]["snapshot"]
    new_run = published_run_id(rebuild.pipeline.published)
    assert events["reopened"]["snapshot"][0] == new_run != rebuild.run_id_a
    assert events["reopened"]["snapshot"][1] == events["opened"]["snapshot"][1]
