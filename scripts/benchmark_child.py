"""One measured child process, shared by the benchmark scripts.

Each run is a fresh child, so its peak resident memory is its own (`ru_maxrss` from
`os.wait4`, KiB on Linux) and not inherited from an earlier run. CPU seconds are user +
system time of the child and the children it waited for: what the work costs when other
processes share the cores.
"""

from __future__ import annotations

import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO


@dataclass
class Measured:
    """What one child cost, and how it ended."""

    seconds: float
    cpu_seconds: float
    peak_mb: int
    returncode: int


def run_measured(cmd: list[str], cwd: Path, env: dict[str, str] | None = None,
                 stdout: int | IO | None = None, stderr: int | IO | None = None) -> Measured:
    """Run `cmd` to its end; its wall-clock seconds, CPU seconds, peak RSS (MB) and exit code."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=stdout, stderr=stderr)
    _, status, usage = os.wait4(proc.pid, 0)
    return Measured(
        seconds=time.perf_counter() - t0,
        cpu_seconds=usage.ru_utime + usage.ru_stime,
        peak_mb=round(usage.ru_maxrss / 1024),
        returncode=os.waitstatus_to_exitcode(status),
    )
