"""`mvoi deliver DIR --organisation OIN [--period YYYY]`: receive a delivery into the landing store.

A delivery is a landing folder (one `<entity>.csv` / `<entity>.parquet` per entity of the
landing contract, `mvoi.contract.entities()`) sent by one organisation (its OIN) for an optional
period (a year). `receive()` checks the folder with `mvoi.landing_check.check_landing_folder()`
and records the outcome in the store (`MVOI_LANDING_STORE`, default
`<warehouse>/landing_store`, mvoi.paths.landing_store_dir):

    <store>/.lock                                  flock held for the whole receive
    <store>/register.jsonl                         one JSON line per delivery, accepted or refused
    <store>/deliveries/<delivery_id>/original/...  the received files, byte-identical
    <store>/deliveries/<delivery_id>/<entity>.parquet
                                                   the contract's columns in contract order, all
                                                   VARCHAR, the values as macros/load_landing.sql
                                                   reads them from the same file

An accepted delivery is written to `deliveries/.tmp-<delivery_id>/`, made read-only, renamed to
`deliveries/<delivery_id>/` and only then appended to the register (flushed and fsynced): a
delivery exists for the build once its register line does. What a crash leaves behind (a
`.tmp-` folder, a delivery folder without its register line, a register line cut off half-way)
is removed at the next receive. A refused delivery is only a register line. Sending the same
files again (same organisation, period and file contents as the organisation's latest accepted
delivery) records nothing. `mvoi deliver --list` prints the register.
"""

from __future__ import annotations

import argparse
import datetime as dt
import fcntl
import hashlib
import json
import os
import re
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

import duckdb

from mvoi.contract import Entity, entities
from mvoi.landing_check import CSV_UTF8, LandingProblem, check_landing_folder, format_problems
from mvoi.paths import connect, landing_store_dir

REGISTER = "register.jsonl"
LOCK = ".lock"
DELIVERIES = "deliveries"
ORIGINAL = "original"
TMP_PREFIX = ".tmp-"
DELIVERY_ID = re.compile(r"D([0-9]{6})")
OIN = re.compile(r"[0-9]{20}")
FIRST_PERIOD, LAST_PERIOD = 1900, 2100
CHUNK_BYTES = 1 << 20
EXIT_REFUSED = 1
EXIT_USAGE = 2
# the reader of macros/load_landing.sql: the header is read with header = false, the rows with
# header = true, strict_mode = true, null_padding = false
CSV_READER = "read_csv('{path}', all_varchar = true, delim = ',', quote = '\"', escape = '\"', encoding = 'utf-8'"


class DeliveryError(ValueError):
    """The command is wrong (organisation, period, folder): nothing was recorded."""


# --- the register ---------------------------------------------------------------------------


def read_register(store: Path) -> list[dict]:
    """Every recorded delivery, in register order ([] when the store has none). A last line
    without its newline (a write cut off by a crash) was never recorded and is left out."""
    try:
        data = (Path(store) / REGISTER).read_bytes()
    except FileNotFoundError:
        return []
    complete = data[: data.rfind(b"\n") + 1].decode("utf-8")
    return [json.loads(line) for line in complete.splitlines() if line.strip()]


def accepted_deliveries(store: Path, organisation_id: str | None = None) -> list[dict]:
    """The accepted deliveries (of one organisation, when given), in register order."""
    return [
        r
        for r in read_register(store)
        if r["status"] == "accepted" and organisation_id in (None, r["organisation_id"])
    ]


def delivery_dir(store: Path, delivery_id: str) -> Path:
    """The folder of an accepted delivery: its Parquet files and `original/`."""
    return Path(store) / DELIVERIES / delivery_id


# --- receiving ------------------------------------------------------------------------------


def receive(folder: Path, organisation_id: str, period: int | None, store: Path | None = None) -> dict:
    """Receive the landing folder `folder` of `organisation_id` for `period` into `store`.

    Returns the register record, with two fields that are not in the register: `identical`
    (True when the files equal the organisation's latest accepted delivery: nothing was
    recorded and the record returned is that delivery's) and `problems` (the LandingProblems
    of a refused delivery). Raises DeliveryError, before anything is recorded, when the
    organisation is not a 20-digit OIN, the period not a year in 1900..2100 or the folder not
    a folder."""
    folder = _validated(folder, organisation_id, period)
    store = Path(store or landing_store_dir())
    with _store_lock(store):
        _clean_up(store)
        sequence = len(read_register(store)) + 1
        record = {
            "delivery_id": f"D{sequence:06d}",
            "sequence": sequence,
            "organisation_id": organisation_id,
            "period": period,
            "received_at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S"),
            "status": "refused",
            "reason": None,
            "content_sha256": None,
            "source_folder": str(folder),
            "files": [],
        }
        problems = check_landing_folder(folder)
        if problems:
            files = [_file_info(entity, path) for entity, path in _contract_files(folder)]
            return _refuse(store, record, files, problems)
        return _accept(store, record, folder)


def _validated(folder: Path, organisation_id: str, period: int | None) -> Path:
    if not isinstance(organisation_id, str) or not OIN.fullmatch(organisation_id):
        raise DeliveryError(
            f"Organisation {organisation_id!r} is not an OIN: give the organisation's 20-digit OIN "
            "(e.g. 00000001003214345000) with --organisation."
        )
    if period is not None and not FIRST_PERIOD <= period <= LAST_PERIOD:
        raise DeliveryError(f"Period {period} is not a year from {FIRST_PERIOD} to {LAST_PERIOD}: give --period YYYY.")
    folder = Path(os.path.abspath(folder))
    if not folder.is_dir():
        raise DeliveryError(f"{folder} is not a folder: give the folder that holds the delivered files.")
    return folder


def _accept(store: Path, record: dict, folder: Path) -> dict:
    """Copy and convert the files into a .tmp- folder; then the identical check, or the
    rename and the register line; or a refusal when the loader's reader fails on a file."""
    tmp = store / DELIVERIES / f"{TMP_PREFIX}{record['delivery_id']}"
    try:
        files = _copy_originals(_contract_files(folder), tmp / ORIGINAL)
        record["content_sha256"] = content_sha256(record["organisation_id"], record["period"], files)
        previous = accepted_deliveries(store, record["organisation_id"])
        if previous and previous[-1]["content_sha256"] == record["content_sha256"]:
            shutil.rmtree(tmp)
            return {**previous[-1], "identical": True, "problems": []}
        problems = _write_parquet_files(tmp, files)
        if problems:
            shutil.rmtree(tmp)
            return _refuse(store, record, [{**f, "row_count": None} for f in files], problems)
        _seal(tmp)
        final = delivery_dir(store, record["delivery_id"])
        os.rename(tmp, final)
        _fsync_dir(final.parent)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    record.update(status="accepted", files=files)
    _append(store, record)
    return {**record, "identical": False, "problems": []}


def _refuse(store: Path, record: dict, files: list[dict], problems: list[LandingProblem]) -> dict:
    record.update(
        status="refused",
        reason=" | ".join(p.message for p in problems),
        content_sha256=content_sha256(record["organisation_id"], record["period"], files),
        files=files,
    )
    _append(store, record)
    return {**record, "identical": False, "problems": problems}


def content_sha256(organisation_id: str, period: int | None, files: list[dict]) -> str:
    """sha256 of `<organisation_id>\\n<period or empty>\\n` and the sorted `<entity> <sha256>\\n`
    lines of the files (`-` for a file that could not be read)."""
    lines = sorted(f"{f['entity']} {f['sha256'] or '-'}\n" for f in files)
    text = f"{organisation_id}\n{'' if period is None else period}\n" + "".join(lines)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _contract_files(folder: Path) -> list[tuple[str, Path]]:
    """(entity, path) of every `<entity>.csv` / `<entity>.parquet` of the contract in the folder."""
    try:
        names = set(os.listdir(folder))
    except OSError:
        return []
    return [
        (entity, folder / f"{entity}.{ext}")
        for entity in entities()
        for ext in ("csv", "parquet")
        if f"{entity}.{ext}" in names
    ]


def _digest(path: Path, copy_to: Path | None = None) -> tuple[str, int]:
    """sha256 and size of the file, read once (and copied to `copy_to` on the way, when given)."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as source, (copy_to.open("xb") if copy_to else nullcontext()) as copy:
        while block := source.read(CHUNK_BYTES):
            digest.update(block)
            size += len(block)
            if copy is not None:
                copy.write(block)
    return digest.hexdigest(), size


def _entry(entity: str, path: Path, sha256: str | None, size: int | None) -> dict:
    """One file of the register's `files`; row_count is set once the Parquet file is written."""
    return {"entity": entity, "file_name": path.name, "sha256": sha256, "row_count": None, "bytes": size}


def _file_info(entity: str, path: Path) -> dict:
    """The entry of a file of a refused delivery: sha256 and size where it can be read."""
    try:
        return _entry(entity, path, *_digest(path))
    except OSError:
        return _entry(entity, path, None, None)


def _copy_originals(found: list[tuple[str, Path]], original: Path) -> list[dict]:
    """Copy the files byte for byte into `original`, hashing what is written."""
    original.mkdir(parents=True)
    return [_entry(entity, path, *_digest(path, original / path.name)) for entity, path in found]


# --- the Parquet files ----------------------------------------------------------------------


def _write_parquet_files(tmp: Path, files: list[dict]) -> list[LandingProblem]:
    """`<entity>.parquet` per file in tmp/original, row counts into `files`; the problem of
    every file the loader's reader fails on."""
    contract = entities()
    problems = []
    with connect() as con:
        for info in files:
            source = tmp / ORIGINAL / info["file_name"]
            try:
                info["row_count"] = write_parquet(con, source, contract[info["entity"]], tmp / f"{info['entity']}.parquet")
            except duckdb.Error as exc:
                problems.append(_unreadable(source, exc))
    return problems


def _unreadable(source: Path, exc: duckdb.Error) -> LandingProblem:
    """The problem of a file that passed the landing check but that DuckDB cannot read with
    the loader's options (DuckDB's first two lines, naming the file, not the store's copy)."""
    text = " ".join(" ".join(str(exc).replace(str(source), source.name).splitlines()[:2]).split())
    text = text if len(text) <= 200 else text[:197] + "..."
    if source.suffix == ".csv":
        what = f"Export it again as {CSV_UTF8}, with one kind of line ending throughout, and deliver again."
    else:
        what = f"Write it again as Parquet, or deliver {source.stem}.csv instead."
    return LandingProblem(source.name, None, f"{source.name} cannot be read the way the build reads it ({text}). {what}")


def write_parquet(con: duckdb.DuckDBPyConnection, source: Path, entity: Entity, target: Path) -> int:
    """Write `source` (an `<entity>.csv` or `.parquet`) to `target` as macros/load_landing.sql
    loads it: the contract's columns in contract order, matched case-insensitively after
    trimming (and a BOM), every value cast to VARCHAR; an optional column the file lacks is all
    null, extra columns are dropped. Returns the number of rows."""
    path = str(source).replace("'", "''")
    if source.suffix == ".csv":
        reader = CSV_READER.format(path=path)
        header = con.execute(f"select * from {reader}, header = false) limit 1").fetchone() or ()
        delivered = [(value or "").replace("\ufeff", "") for value in header]
        from_clause = f"{reader}, header = true, strict_mode = true, null_padding = false)"
    else:
        from_clause = f"read_parquet('{path}')"
        delivered = [d[0] for d in con.execute(f"select * from {from_clause} limit 0").description]
    position = {name.strip().lower(): i + 1 for i, name in enumerate(delivered)}
    selects = [
        f'cast(#{position[c]} as varchar) as "{c}"' if c in position else f'cast(null as varchar) as "{c}"'
        for c in entity.columns
    ]
    out = str(target).replace("'", "''")
    (rows,) = con.execute(f"copy (select {', '.join(selects)} from {from_clause}) to '{out}' (format parquet)").fetchone()
    return int(rows)


# --- the store: lock, clean-up, durable writes ----------------------------------------------


@contextmanager
def _store_lock(store: Path) -> Iterator[None]:
    """An exclusive flock on <store>/.lock; waits (saying so) while another receive holds it."""
    store.mkdir(parents=True, exist_ok=True)
    fd = os.open(store / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print(f"Another delivery is being received into {store}; waiting for it.", file=sys.stderr)
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _clean_up(store: Path) -> None:
    """Remove what an interrupted receive left: a register line without its newline, .tmp-
    folders, a delivery folder whose register line was never written."""
    register = store / REGISTER
    if register.exists():
        data = register.read_bytes()
        if data and not data.endswith(b"\n"):
            os.truncate(register, data.rfind(b"\n") + 1)
    recorded = len(read_register(store))
    deliveries = store / DELIVERIES
    if not deliveries.is_dir():
        return
    for path in deliveries.iterdir():
        number = DELIVERY_ID.fullmatch(path.name)
        if path.name.startswith(TMP_PREFIX) or (number and int(number.group(1)) > recorded):
            shutil.rmtree(path)


def _seal(folder: Path) -> None:
    """fsync every file of the folder and make it read-only (0444)."""
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            fd = os.open(path, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
            path.chmod(0o444)
    for path in [*sorted(p for p in folder.rglob("*") if p.is_dir()), folder]:
        _fsync_dir(path)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _append(store: Path, record: dict) -> None:
    """Append the record to the register as one line, in one write, flushed and fsynced."""
    line = json.dumps(record, ensure_ascii=False) + "\n"
    fd = os.open(store / REGISTER, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line.encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)
    _fsync_dir(store)


# --- the command ----------------------------------------------------------------------------


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("folder", type=Path, nargs="?", help="the delivered folder (one <entity>.csv/.parquet per entity)")
    parser.add_argument("--organisation", help="the delivering organisation's OIN (20 digits)")
    parser.add_argument("--period", type=int, help="the year the delivery covers (optional)")
    parser.add_argument("--store", type=Path, default=None, help="the landing store (default: MVOI_LANDING_STORE)")
    parser.add_argument("--list", action="store_true", help="print the register (of --organisation, when given)")


def run(args: argparse.Namespace) -> int:
    store = Path(args.store or landing_store_dir())
    if args.list:
        print_register(read_register(store), args.organisation)
        return 0
    if args.folder is None or args.organisation is None:
        print("Give the delivered folder and --organisation OIN (or --list).", file=sys.stderr)
        return EXIT_USAGE
    try:
        result = receive(args.folder, args.organisation, args.period, store)
    except DeliveryError as exc:
        print(f"{exc} Nothing was recorded.", file=sys.stderr)
        return EXIT_USAGE
    if result["identical"]:
        print(f"identical to {result['delivery_id']} received {result['received_at']}: nothing changed")
        return 0
    if result["status"] == "refused":
        print(format_problems(result["problems"], result["source_folder"]))
        print(f"Delivery {result['delivery_id']} of organisation {result['organisation_id']} is recorded as refused "
              f"in {store / REGISTER}.")
        return EXIT_REFUSED
    print(f"Delivery {result['delivery_id']} accepted: organisation {result['organisation_id']}, "
          f"period {_period(result['period'])}, stored in {delivery_dir(store, result['delivery_id'])}")
    for f in result["files"]:
        print(f"  {f['file_name']:<36} {f['row_count']:>10,} rows")
    return 0


def _period(period: int | None) -> str:
    return "none" if period is None else str(period)


def print_register(register: list[dict], organisation_id: str | None = None) -> None:
    """The register as a table, one line per delivery (of one organisation, when given)."""
    header = ("delivery", "received_at (UTC)", "organisation", "period", "status", "files", "rows", "reason")
    rows = [
        (
            r["delivery_id"],
            r["received_at"],
            r["organisation_id"],
            _period(r["period"]),
            r["status"],
            str(len(r["files"])),
            "" if r["status"] != "accepted" else f"{sum(f['row_count'] for f in r['files']):,}",
            r["reason"] or "",
        )
        for r in register
        if organisation_id in (None, r["organisation_id"])
    ]
    widths = [max([len(h), *(len(row[i]) for row in rows)]) for i, h in enumerate(header[:-1])]
    for row in (header, *rows):
        print("  ".join([*(v.ljust(w) for v, w in zip(row, widths, strict=False)), row[-1]]).rstrip())
    print(f"{len(rows)} deliveries", file=sys.stderr)
