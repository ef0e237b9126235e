"""Drive the real pipeline (`dbt build` -> `mvoi gate-and-publish`) in a private workspace.

Used by the failure-behaviour, interrupted-build and idempotency tests. A `Pipeline` has its
own build database, dbt target and log folders, GX folder, published database and Parquet
export, all under one folder (normally in pytest's tmp_path), so nothing touches
`warehouse/` (the default warehouse folder) of the work tree.

Speed: dbt re-parses the whole project (about 70 s on a busy 2-core machine) whenever the
profile (the DuckDB path) or an env var read by dbt_project.yml (MVOI_RAW_DIR) changes. A
`Pipeline` therefore keeps every path fixed: in landing mode MVOI_RAW_DIR is always
`<root>/landing`, and `deliver()` swaps the CONTENT of that folder, so later builds of the
same workspace reuse dbt's partial parse.

The build mirrors `mvoi build` (what `make build` runs) up to the publication: `dbt build`,
then `mvoi gate-and-publish` whether or not dbt's tests passed (so a data steward sees every
failing rule). Deliberate differences, all for speed: the landing-folder check is left to
dbt's own landing hook (these tests exercise that hook), dbt's unit tests are excluded (they
run on fixed inputs, not on the delivery, and `make test` runs them), and GX Data Docs are not
rebuilt (`--no-data-docs`). `mvoi build` itself is tested in test_build.py, in warehouse
folders of its own. Keep `build_and_publish` in step with mvoi/build.py.
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pytest

from mvoi.paths import connect_build, spend_db_path

PROJECT_DIR = Path(__file__).resolve().parents[2]
BIN_DIR = Path(sys.executable).parent
DBT_BUILD = ("build", "--exclude-resource-type", "unit_test")


@dataclass
class Step:
    """One finished command of the pipeline."""

    command: list[str]
    returncode: int
    output: str  # stdout and stderr, interleaved as the user would see them
    seconds: float

    def tail(self, chars: int = 2500) -> str:
        return f"$ {' '.join(self.command)}  (exit {self.returncode}, {self.seconds:.0f} s)\n{self.output[-chars:]}"


@dataclass
class Pipeline:
    """A private warehouse: build database, dbt target/logs, GX results, publication."""

    root: Path
    landing_mode: bool = True  # MVOI_RAW_DIR=<root>/landing; False: the bundled sample (sample/)
    steps: list[Step] = field(default_factory=list)

    def __post_init__(self) -> None:
        for folder in (self.root / "build", self.root / "published", self.landing):
            folder.mkdir(parents=True, exist_ok=True)

    # -- paths -------------------------------------------------------------------------------
    @property
    def landing(self) -> Path:
        return self.root / "landing"

    @property
    def store(self) -> Path:
        """The landing store (`mvoi deliver`); a build reads it when it holds an accepted
        delivery and MVOI_RAW_DIR is unset (landing_mode False)."""
        return self.root / "store"

    @property
    def db_path(self) -> Path:
        return self.root / "build" / "mvoi.duckdb"

    @property
    def target(self) -> Path:
        return self.root / "target"

    @property
    def log_file(self) -> Path:
        return self.root / "logs" / "dbt.log"

    @property
    def published(self) -> Path:
        return self.root / "published" / "mvoi_published.duckdb"

    @property
    def export_dir(self) -> Path:
        return self.root / "published" / "export"

    def env(self, **extra: str) -> dict[str, str]:
        env = dict(os.environ)
        env.pop("MVOI_RAW_DIR", None)
        env.update(
            MVOI_DB_PATH=str(self.db_path),
            DBT_TARGET_PATH=str(self.target),
            DBT_LOG_PATH=str(self.root / "logs"),
            DBT_PROFILES_DIR=str(PROJECT_DIR),
            DBT_SEND_ANONYMOUS_USAGE_STATS="false",
            MVOI_PUBLISHED_PATH=str(self.published),
            MVOI_EXPORT_DIR=str(self.export_dir),
            MVOI_GX_UNCOMMITTED_DIR=str(self.root / "gx"),
            MVOI_LANDING_STORE=str(self.store),
            PYTHONUNBUFFERED="1",
        )
        if self.landing_mode:
            env["MVOI_RAW_DIR"] = str(self.landing)
        env.update(extra)
        return env

    # -- commands ----------------------------------------------------------------------------
    def run(self, *command: str, timeout: float = 1800, **extra_env: str) -> Step:
        """Run a command in the project folder with this workspace's environment."""
        started = time.monotonic()
        proc = subprocess.run(
            list(command), cwd=PROJECT_DIR, env=self.env(**extra_env), stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True, timeout=timeout,
        )
        step = Step(list(command), proc.returncode, proc.stdout, time.monotonic() - started)
        self.steps.append(step)
        return step

    def dbt(self, *args: str) -> Step:
        return self.run(str(BIN_DIR / "dbt"), *args, "--no-use-colors")

    def dbt_build(self, *args: str) -> Step:
        return self.dbt(*DBT_BUILD, *args)

    def mvoi(self, *args: str, **extra_env: str) -> Step:
        return self.run(sys.executable, "-m", "mvoi", *args, **extra_env)

    def gate_and_publish(self, **extra_env: str) -> Step:
        return self.mvoi("gate-and-publish", "--no-data-docs", **extra_env)

    def build_and_publish(self, *dbt_args: str) -> tuple[Step, Step]:
        """`dbt build`, then `mvoi gate-and-publish` whatever dbt's outcome (as `make build`,
        which first removes the previous run_results.json)."""
        (self.target / "run_results.json").unlink(missing_ok=True)
        return self.dbt_build(*dbt_args), self.gate_and_publish()

    def shell_command(self) -> str:
        """The same two steps as one shell command (for a process that gets killed)."""
        dbt = " ".join([str(BIN_DIR / "dbt"), *DBT_BUILD, "--no-use-colors"])
        publish = f"{sys.executable} -m mvoi gate-and-publish --no-data-docs"
        results = self.target / "run_results.json"
        return f"status=0; rm -f {results}; {dbt} || status=1; {publish} || status=1; exit $status"

    def start(self, command: str, output: Path) -> subprocess.Popen:
        """Start a shell command in its own process group (see `kill_group`)."""
        with output.open("w") as handle:
            return subprocess.Popen(
                ["bash", "-c", command], cwd=PROJECT_DIR, env=self.env(), stdout=handle,
                stderr=subprocess.STDOUT, start_new_session=True,
            )

    # -- deliveries --------------------------------------------------------------------------
    def deliver(self, folder: Path) -> None:
        """Make `folder` the landing delivery (its files copied into the fixed landing path)."""
        for path in self.landing.iterdir():
            path.unlink()
        for path in folder.iterdir():
            if path.is_file():
                shutil.copy2(path, self.landing / path.name)


def kill_group(proc: subprocess.Popen) -> None:
    """SIGKILL a process started with `Pipeline.start` and everything it started."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait(timeout=60)


def wait_for_log(log_file: Path, needles: tuple[str, ...], proc: subprocess.Popen, offset: int = 0,
                 timeout: float = 900) -> str:
    """Wait until a line holding every one of `needles` appears in the log after byte
    `offset`; returns that line."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if log_file.exists():
            with log_file.open("rb") as fh:
                fh.seek(offset)
                for line in fh.read().decode("utf-8", "replace").splitlines():
                    if all(n in line for n in needles):
                        return line
        if proc.poll() is not None:
            raise AssertionError(f"the process ended (exit {proc.returncode}) before {needles!r} was logged")
        time.sleep(0.2)
    raise AssertionError(f"{needles!r} not logged within {timeout} s")


# -- fingerprints ----------------------------------------------------------------------------
def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def sha256_folder(path: Path) -> dict[str, str]:
    return {p.name: sha256_file(p) for p in sorted(path.iterdir()) if p.is_file()}


def publication_fingerprint(pipeline: Pipeline) -> tuple[str, dict[str, str], list[str]]:
    """Byte-level identity of a publication: the database file, the export folder and the
    names of the files beside them."""
    return (
        sha256_file(pipeline.published),
        sha256_folder(pipeline.export_dir),
        sorted(p.name for p in pipeline.published.parent.iterdir()),
    )


def _normalise(value: object) -> str:
    # DuckDB's parallel aggregation sums doubles in no fixed order, so the last bits of a
    # double can differ between two identical builds: compare doubles to 12 significant digits
    if isinstance(value, float):
        return format(value, ".12g")
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return repr(value)


def copy_build_database(source: Path, target: Path) -> None:
    """Copy a build database with its spend fact's file (mvoi.paths.spend_db_path) and their
    write-ahead logs, so that the copy's marts.fct_spend reads the copied lines."""
    for source_file, target_file in ((source, target), (spend_db_path(source), spend_db_path(target))):
        for suffix in ("", ".wal"):
            if Path(f"{source_file}{suffix}").exists():
                shutil.copy2(f"{source_file}{suffix}", f"{target_file}{suffix}")


def marts_content(db_path: Path, schema: str = "marts") -> dict[str, tuple[int, str]]:
    """{table: (row count, sha256 of the sorted, normalised rows and the column types)} of
    every table of `schema` (and view: a build database's marts.fct_spend is a view of its spend
    file): equal dicts mean equal table contents, whatever the row order."""
    out: dict[str, tuple[int, str]] = {}
    with connect_build(db_path, read_only=True) as con:
        tables = [t for (t,) in con.execute(
            "select table_name from information_schema.tables where table_catalog = current_database() "
            "and table_schema = ? order by 1", [schema]).fetchall()]
        for table in tables:
            columns = con.execute(
                "select column_name, data_type from information_schema.columns where table_catalog = current_database() "
                "and table_schema = ? and table_name = ? order by ordinal_position", [schema, table]).fetchall()
            rows = con.execute(f'select * from {schema}."{table}"').fetchall()
            digest = hashlib.sha256((repr(columns) + rows_digest(rows)).encode())
            out[table] = (len(rows), digest.hexdigest())
    return out


def rows_digest(rows: list[tuple]) -> str:
    """sha256 of the rows as sorted, normalised text: equal for equal contents in any order."""
    lines = sorted("\x1f".join(_normalise(v) for v in row) for row in rows)
    return hashlib.sha256("\n".join(lines).encode("utf-8", "surrogatepass")).hexdigest()


def published_run_id(path: Path) -> str:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute("select run_id from meta.publication").fetchone()[0]


# -- a BI-style reader in another process ------------------------------------------------------
READER = """
import json, pathlib, sys, time
import duckdb

path, control = sys.argv[1], pathlib.Path(sys.argv[2])

def snapshot(con):
    run_id = con.execute("select run_id from meta.publication").fetchone()[0]
    rows, total = con.execute("select count(*), sum(value) from marts.fct_kpi_values").fetchone()
    return [run_id, rows, total]

def say(**event):
    print(json.dumps(event), flush=True)

con = duckdb.connect(path, read_only=True)
first = snapshot(con)
say(event="opened", snapshot=first)
reads, changed, errors = 0, 0, []
while not (control / "reopen").exists():
    try:
        reads += 1
        changed += snapshot(con) != first
    except Exception as exc:  # reported, not raised: the test asserts there are none
        errors.append(repr(exc))
    time.sleep(0.2)
say(event="held", reads=reads, changed=changed, errors=errors[:5], snapshot=snapshot(con))
con.close()
con = duckdb.connect(path, read_only=True)
say(event="reopened", snapshot=snapshot(con))
con.close()
"""


class Reader:
    """A process that opens the published database read-only, as a BI tool does, and keeps
    reading it until told to reconnect."""

    def __init__(self, published: Path, folder: Path) -> None:
        self.control = folder
        self.control.mkdir(parents=True, exist_ok=True)
        self.output = folder / "reader.jsonl"
        self.handle = self.output.open("w")
        self.proc = subprocess.Popen([sys.executable, "-c", READER, str(published), str(folder)],
                                     stdout=self.handle, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 120
        while not self.events() and self.proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert self.events() and self.events()[0]["event"] == "opened", self.output.read_text()

    def events(self) -> list[dict]:
        return [json.loads(line) for line in self.output.read_text().splitlines() if line.startswith("{")]

    def reopen(self) -> list[dict]:
        """Tell the reader to report what it saw, reconnect and report again; returns its events."""
        (self.control / "reopen").touch()
        self.proc.wait(timeout=120)
        self.handle.close()
        return self.events()

    def stop(self) -> None:
        if self.proc.poll() is None:
            kill_group(self.proc)
        self.handle.close()


# -- the sample pipeline shared by the idempotency and interruption tests ---------------------
@dataclass
class SampleRebuild:
    """What happened to one published sample warehouse: publication A, a build killed
    part-way, and a complete rebuild D of the same input, all while a BI-style reader held
    publication A open."""

    pipeline: Pipeline
    run_id_a: str
    marts_a: dict[str, tuple[int, str]]  # published marts of A
    fingerprint_a: tuple
    killed: dict  # the killed build: log line it was killed after, return code, output
    after_kill: dict  # the publication right after the kill: fingerprint, run id, KPI rows
    build: Step  # D: dbt build
    gates: Step  # D: mvoi gate-and-publish
    reader_events: list[dict]


SAMPLE_REBUILD = pytest.StashKey["SampleRebuild | BaseException"]()


def sample_rebuild(config: pytest.Config, sample_build, tmp_path_factory) -> SampleRebuild:
    """Once per test session (kept in `config.stash`, so the two test modules share the builds):

    A. the session's sample build (conftest `sample_build`, a plain `dbt build` of the bundled
       sample) copied into a private pipeline with its run_results.json, then
       `mvoi gate-and-publish`: publication A;
    B. a BI-style reader opens publication A read-only in another process and keeps reading;
    C. the pipeline (`dbt build` then gate-and-publish, in its own process group) is SIGKILLed
       while dbt builds the incremental spend fact; the publication is inspected;
    D. the pipeline runs again to completion on the same build database (as `make build` on a
       developer's machine: the incremental spend fact takes its incremental path); then the
       reader reports what it saw and reconnects.
    """
    if SAMPLE_REBUILD not in config.stash:
        try:
            config.stash[SAMPLE_REBUILD] = _sample_rebuild(sample_build, tmp_path_factory)
        except Exception as exc:  # the second module reports the same failure, without a rerun
            config.stash[SAMPLE_REBUILD] = exc
            raise
    result = config.stash[SAMPLE_REBUILD]
    if isinstance(result, BaseException):
        raise result
    return result


def _sample_rebuild(sample_build, tmp_path_factory) -> SampleRebuild:
    pipe = Pipeline(tmp_path_factory.mktemp("sample_pipeline"), landing_mode=False)
    work = tmp_path_factory.mktemp("sample_pipeline_work")
    copy_build_database(sample_build.db_path, pipe.db_path)
    pipe.target.mkdir(parents=True, exist_ok=True)
    shutil.copy2(sample_build.build_run_results, pipe.target / "run_results.json")
    gates_a = pipe.gate_and_publish()
    assert gates_a.returncode == 0, gates_a.tail()
    run_id_a, marts_a, fingerprint_a = (
        published_run_id(pipe.published), marts_content(pipe.published), publication_fingerprint(pipe))

    reader = Reader(pipe.published, work / "reader")
    try:
        offset = pipe.log_file.stat().st_size if pipe.log_file.exists() else 0
        output = work / "killed_build.out"
        proc = pipe.start(pipe.shell_command(), output)
        # the incremental spend fact: killed while it merges into the build database
        line = wait_for_log(pipe.log_file, ("START sql incremental model spend_store.marts.fct_spend",), proc, offset)
        time.sleep(0.3)
        was_running = proc.poll() is None
        kill_group(proc)
        killed = {"line": line, "was_running": was_running, "returncode": proc.returncode,
                  "output": output.read_text()}
        after_kill = {"fingerprint": publication_fingerprint(pipe)}
        with duckdb.connect(str(pipe.published), read_only=True) as con:
            after_kill["run_id"] = con.execute("select run_id from meta.publication").fetchone()[0]
            after_kill["kpi"] = con.execute("select count(*), sum(value) from marts.fct_kpi_values").fetchone()

        build, gates = pipe.build_and_publish()
        events = reader.reopen()
    finally:
        reader.stop()
    return SampleRebuild(pipe, run_id_a, marts_a, fingerprint_a, killed, after_kill, build, gates, events)
