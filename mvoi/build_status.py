"""The outcome of the last build of a warehouse (`build_status.json`, beside its publication).

Written by `mvoi build` after every build, read by the KPI report: a reader of the report
must be able to tell that the latest delivery was refused while the report still shows the
previous publication.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

from mvoi import paths


def write(outcome: str, reasons: list[str], run_id: str | None, started_at: dt.datetime,
          profile: dict | None = None) -> None:
    """Record the build's outcome: `published`, `refused` (a gate or test said no) or `failed`
    (the build stopped before the gates); `profile` (mvoi.build.Phases.as_dict: seconds per
    phase, dbt build's node seconds per layer, the slowest dbt nodes) is stored as given."""
    status = {
        "outcome": outcome,
        "run_id": run_id,
        "started_at": started_at.isoformat(),
        "finished_at": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        "reasons": reasons,
        **(profile or {}),
    }
    path = paths.build_status_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}")
    tmp.write_text(json.dumps(status, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def read(published: Path | None = None) -> dict | None:
    """The outcome of the last build of the warehouse of `published` (default: this
    warehouse's publication), or None when no build recorded one."""
    try:
        return json.loads(paths.build_status_path(published).read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None
