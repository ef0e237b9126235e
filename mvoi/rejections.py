"""`mvoi rejections`: the quarantined rows of the last build and why they were rejected.

Reads `governance.rejected_rows` of the build database (read-only). Prints a table, or writes
a CSV (`--out`) whose cells are neutralised against formula injection. Personal data never
leaves: staging keeps the contact e-mail and the invoice description only as hashes, and the
delivered values are shown from the record as staging kept it (`original_record`, which holds
no personal data).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import duckdb

from mvoi.paths import build_db_path, connect

COLUMNS = ("entity", "source_key", "reason_code", "column_name", "reason", "all_reason_codes", "delivered_values")


def rejected_rows(db_path: Path, entity: str | None = None, reason: str | None = None) -> list[tuple]:
    """The quarantined rows, filtered by entity and reason code, in a stable order."""
    with connect(db_path, read_only=True) as con:
        rows = con.execute(
            """
            select entity, source_key, reason_code, column_name, reason,
                   array_to_string(all_reason_codes, ' '), cast(original_record as varchar)
            from governance.rejected_rows
            where ($entity is null or entity = $entity) and ($reason is null or reason_code = $reason)
            order by entity, reason_code, source_key nulls first, record_id
            """,
            {"entity": entity, "reason": reason},
        ).fetchall()
    return [(*row[:-1], _compact(row[-1])) for row in rows]


def _compact(record: str | None) -> str:
    """The delivered values as one line of `column=value` pairs."""
    if not record:
        return ""
    values = json.loads(record)
    return "; ".join(f"{k}={'' if v is None else v}" for k, v in values.items())


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--entity", help="only this landing entity (e.g. invoice_lines)")
    parser.add_argument("--reason", help="only this reason code (e.g. invalid_amount)")
    parser.add_argument("--out", type=Path, help="write a CSV file instead of printing")
    parser.add_argument("--db", type=Path, default=None, help="build database (default: MVOI_DB_PATH)")


def run(args: argparse.Namespace) -> int:
    db_path = Path(args.db or build_db_path())
    if not db_path.exists():
        print(f"Build database {db_path} does not exist: run `make build` first.", file=sys.stderr)
        return 2
    try:
        rows = rejected_rows(db_path, args.entity, args.reason)
    except duckdb.IOException as exc:
        print(f"Cannot open {db_path} ({exc}); a build may be running: try again when it has finished.",
              file=sys.stderr)
        return 2
    except duckdb.CatalogException:
        print(f"{db_path} has no governance.rejected_rows: the last build stopped before staging.", file=sys.stderr)
        return 2
    if args.out:
        from mvoi.csv_export import write_csv

        write_csv(args.out, COLUMNS, rows)
        print(f"{len(rows)} rejected rows written to {args.out}")
        return 0
    for row in rows:
        print(" | ".join("" if v is None else str(v) for v in row))
    print(f"{len(rows)} rejected rows", file=sys.stderr)
    return 0
