"""Shared pytest fixtures: run the real dbt project against a DuckDB file in a temp folder."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2]
BIN_DIR = Path(sys.executable).parent


@dataclass
class DbtWorkspace:
    """A private build: its own DuckDB file, target and log folders, so tests never touch
    the developer's warehouse/ or target/."""

    root: Path

    @property
    def db_path(self) -> Path:
        return self.root / "mvoi.duckdb"

    @property
    def build_run_results(self) -> Path:
        """run_results.json of the workspace's `dbt build`, kept apart from target/, where a later
        dbt command (a compile) writes its own."""
        return self.root / "build_run_results.json"

    def env(self, raw_dir: Path | None = None, **extra: str) -> dict[str, str]:
        env = dict(os.environ)
        env.pop("MVOI_RAW_DIR", None)
        env.update(
            MVOI_DB_PATH=str(self.db_path),
            DBT_TARGET_PATH=str(self.root / "target"),
            DBT_LOG_PATH=str(self.root / "logs"),
            DBT_PROFILES_DIR=str(PROJECT_DIR),
            DBT_SEND_ANONYMOUS_USAGE_STATS="false",
            MVOI_PUBLISHED_PATH=str(self.root / "mvoi_published.duckdb"),
        )
        if raw_dir is not None:
            env["MVOI_RAW_DIR"] = str(raw_dir)
        env.update(extra)
        return env

    def dbt(self, *args: str, raw_dir: Path | None = None, **extra: str) -> subprocess.CompletedProcess:
        """Run `dbt <args>` in the project folder; returns the finished process (never raises)."""
        return subprocess.run(
            [str(BIN_DIR / "dbt"), *args, "--no-use-colors"],
            cwd=PROJECT_DIR,
            env=self.env(raw_dir, **extra),
            capture_output=True,
            text=True,
            timeout=1800,
        )


@pytest.fixture
def dbt_workspace(tmp_path: Path) -> DbtWorkspace:
    return DbtWorkspace(tmp_path)


@pytest.fixture(scope="session")
def sample_build(tmp_path_factory) -> DbtWorkspace:
    """One real `dbt build` of the bundled sample, shared by every test that only reads it.

    Tests that change the database must work on a copy (`pipeline.copy_build_database`, which
    copies the spend fact's file too)."""
    workspace = DbtWorkspace(tmp_path_factory.mktemp("sample_build"))
    result = workspace.dbt("build")
    assert result.returncode == 0, result.stdout[-5000:]
    shutil.copyfile(workspace.root / "target" / "run_results.json", workspace.build_run_results)
    return workspace
