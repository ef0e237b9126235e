"""One build at a time per warehouse: the lock that `mvoi build`, `mvoi gate-and-publish` and
`mvoi publish` hold while they write the build database or the publication.

An flock on `<build database>.lock` (mvoi.paths.build_lock_path): the kernel releases it when the holder
exits, however it exits (SIGKILL included), so a stale lock never blocks the next build. The
file holds the holder's PID and start time, for the one-line message a second build prints.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from functools import wraps
from pathlib import Path

from mvoi import paths

EXIT_BUSY = 3  # the exit code of a command that found the warehouse busy


class BuildRunning(RuntimeError):
    """Another build holds the warehouse's lock."""


@contextmanager
def build_lock(path: Path) -> Iterator[None]:
    """Hold the lock at `path`, or raise BuildRunning naming the holder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.read(fd, 200).decode("utf-8", "replace").split()
        os.close(fd)
        pid, started = (holder + ["unknown", "unknown"])[:2]
        raise BuildRunning(
            f"A build of warehouse {path.parent} is already running (PID {pid}, started {started}); "
            "nothing was changed. Wait for it to finish, then build again."
        ) from None
    try:
        started = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()} {started}\n".encode())
        yield
    finally:
        os.ftruncate(fd, 0)
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def locked(run):
    """A sub-command's `run(args)` that holds the warehouse's lock, or prints who holds it
    and returns EXIT_BUSY without touching anything."""

    @wraps(run)
    def run_locked(args) -> int:
        try:
            with build_lock(paths.build_lock_path()):
                return run(args)
        except BuildRunning as exc:
            print(exc, file=sys.stderr)
            return EXIT_BUSY

    return run_locked
