"""The last two dbt steps of `mvoi build`, the scorecard and the dbt docs, in one dbt process.

Every dbt command first imports dbt and loads its parse of the project: 3 s per command at
any size. Here one parse serves both commands (`dbtRunner(manifest=...)`):

1. the scorecard: `dbt build --select dq_scorecard_evidence+`, which reads the gate results
   the build has just written;
2. the docs: `dbt docs generate --static --no-compile` from the main build's manifest (copied
   onto manifest.json), which holds every node's SQL as that build compiled it; without it,
   the docs compile the project themselves. The docs come after the scorecard, so their
   catalog describes the tables as the build leaves them.

Usage: `python -m mvoi.dbt_finish BUILD_MANIFEST TIMINGS_JSON` (run from the project folder,
with the build's environment). TIMINGS_JSON receives the seconds of `scorecard` (with the
parse) and `docs`. Exit code 0 when both succeeded, else 1.
"""

from __future__ import annotations

import json
import shutil
import sys
import time
from pathlib import Path

from mvoi import dbt_parse_cache, paths

SCORECARD = ["build", "--select", "dq_scorecard_evidence+", "--quiet"]


def finish(build_manifest: Path) -> tuple[bool, dict[str, float]]:
    """Run the scorecard, then the docs; whether both succeeded, and the seconds of each."""
    from dbt.cli.main import dbtRunner

    dbt_parse_cache.install()  # the build's parse, saved without the database path, is reused
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    parsed = dbtRunner().invoke(["parse", "--quiet"])
    ok = parsed.success
    runner = dbtRunner(manifest=parsed.result) if parsed.success else dbtRunner()
    ok &= runner.invoke(SCORECARD).success
    seconds["scorecard"] = time.perf_counter() - started

    started = time.perf_counter()
    docs = ["docs", "generate", "--static", "--quiet"]
    if build_manifest.exists():
        shutil.copyfile(build_manifest, paths.dbt_target_dir() / "manifest.json")
        docs.append("--no-compile")
    ok &= runner.invoke(docs).success
    seconds["docs"] = time.perf_counter() - started
    return ok, seconds


def main(argv: list[str]) -> int:
    build_manifest, timings = (Path(a) for a in argv)
    ok, seconds = finish(build_manifest)
    timings.write_text(json.dumps(seconds), encoding="utf-8")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
