"""The DuckDB memory limit has one default, in dbt's profile, which the project's own
connections read too (issue 12: it was written in profiles.yml and in mvoi.paths)."""

from __future__ import annotations

import os

import pytest
import yaml
from dbt.config.renderer import ProfileRenderer
from dbt_common.context import set_invocation_context

from mvoi import paths


def test_memory_limit_default_is_read_from_the_dbt_profile(tmp_path, monkeypatch):
    profile = tmp_path / "profiles.yml"
    profile.write_text("settings:\n  memory_limit: \"{{ env_var('MVOI_MEMORY_LIMIT', '1234MB') }}\"\n")
    monkeypatch.setattr(paths, "PROFILES_FILE", profile)
    monkeypatch.delenv("MVOI_MEMORY_LIMIT", raising=False)
    assert paths.duckdb_memory_limit() == "1234MB"
    with paths.connect() as con:
        assert con.execute("select current_setting('memory_limit')").fetchone()[0] == "1.1 GiB"

    monkeypatch.setenv("MVOI_MEMORY_LIMIT", "2GB")
    assert paths.duckdb_memory_limit() == "2GB"


def test_a_profile_without_the_default_is_named(tmp_path, monkeypatch):
    profile = tmp_path / "profiles.yml"
    profile.write_text("settings:\n  memory_limit: \"{{ env_var('MVOI_MEMORY_LIMIT') }}\"\n")
    monkeypatch.setattr(paths, "PROFILES_FILE", profile)
    monkeypatch.delenv("MVOI_MEMORY_LIMIT", raising=False)
    with pytest.raises(RuntimeError, match="profiles.yml gives MVOI_MEMORY_LIMIT no default"):
        paths.duckdb_memory_limit()


def test_the_project_profile_gives_the_default_dbt_uses(monkeypatch):
    """dbt's own rendering of profiles.yml gives the memory limit mvoi.paths reads from it."""
    monkeypatch.delenv("MVOI_MEMORY_LIMIT", raising=False)
    set_invocation_context(os.environ)
    profile = ProfileRenderer({}).render_data(yaml.safe_load(paths.PROFILES_FILE.read_text(encoding="utf-8")))
    assert profile["mvoi"]["outputs"]["dev"]["settings"]["memory_limit"] == paths.duckdb_memory_limit()
