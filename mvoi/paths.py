"""Where things are: the project root and the paths that environment variables override."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent


def build_db_path() -> Path:
    """The build database (MVOI_DB_PATH, default warehouse/mvoi.duckdb)."""
    return Path(os.environ.get("MVOI_DB_PATH", PROJECT_DIR / "warehouse" / "mvoi.duckdb"))


def published_db_path() -> Path:
    """The published database for BI tools (MVOI_PUBLISHED_PATH)."""
    return Path(
        os.environ.get("MVOI_PUBLISHED_PATH", PROJECT_DIR / "warehouse" / "mvoi_published.duckdb")
    )
