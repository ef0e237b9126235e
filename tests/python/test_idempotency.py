"""Idempotency: two builds of the same input publish identical marts.

The builds are those of pipeline.sample_rebuild (shared with test_interrupted_build.py, to
keep the number of full builds down): publication A is the session's sample build, gated
and published; D is the complete pipeline run again on the same input and the same build
database (after a build that was killed part-way, so the incremental spend fact takes its
incremental path). The content of every table of the published `marts` schema (rows
sorted, doubles to 12 significant digits, column names and types included) must be the
same; only the run id differs.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from pipeline import marts_content, published_run_id, sample_rebuild


@pytest.fixture(scope="module")
def rebuild(request, sample_build, tmp_path_factory):
    result = sample_rebuild(request.config, sample_build, tmp_path_factory)
    assert result.build.returncode == 0, result.build.tail()
    assert result.gates.returncode == 0, result.gates.tail()
    return result


def test_second_build_is_a_new_publication(rebuild) -> None:
    assert published_run_id(rebuild.pipeline.published) != rebuild.run_id_a
    assert "incremental model spend_store.marts.fct_spend" in rebuild.build.output


def test_two_builds_of_the_same_input_publish_identical_marts(rebuild) -> None:
    published = marts_content(rebuild.pipeline.published)
    assert len(published) >= 10 and published["fct_kpi_values"][0] > 0
    different = {t: (rebuild.marts_a.get(t), published.get(t)) for t in set(rebuild.marts_a) | set(published)
                 if rebuild.marts_a.get(t) != published.get(t)}
    assert not different, f"published marts differ between two builds of the same input: {different}"
    # the publication is a faithful copy of the build database's marts
    assert marts_content(rebuild.pipeline.db_path) == published


def test_parquet_export_matches_the_published_marts(rebuild) -> None:
    pipe = rebuild.pipeline
    published = marts_content(pipe.published)
    with duckdb.connect(str(pipe.published), read_only=True) as con:
        for table, (rows, _) in published.items():
            parquet = str(pipe.export_dir / f"{table}.parquet")
            assert con.execute("select count(*) from read_parquet(?)", [parquet]).fetchone() == (rows,), table
            assert con.execute(
                f"select count(*) from (select * from read_parquet(?) except all select * from marts.{table})",
                [parquet]).fetchone() == (0,), table


def test_content_digest_notices_one_changed_value(rebuild, tmp_path: Path) -> None:
    """The comparison can fail: one cent more on one line of fct_spend changes that table's
    digest and no other."""
    copy = tmp_path / "changed.duckdb"
    shutil.copy2(rebuild.pipeline.published, copy)
    with duckdb.connect(str(copy)) as con:
        con.execute("update marts.fct_spend set amount = amount + 0.01 where invoice_line_id = "
                    "(select min(invoice_line_id) from marts.fct_spend)")
    original, changed = marts_content(rebuild.pipeline.published), marts_content(copy)
    assert {t for t in original if original[t] != changed[t]} == {"fct_spend"}
