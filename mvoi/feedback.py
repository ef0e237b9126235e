"""`mvoi feedback DELIVERY_ID --out DIR`: what the last build made of one delivery, for the
organisation that sent it.

Reads the build database (read-only; `--db`, default MVOI_DB_PATH): the delivery as the build
saw the register (`raw.deliveries`, `raw.delivery_files`) and that delivery's rows of
`governance.rejected_rows` (quarantined) and `governance.row_warnings` (loaded, with a
warning). Writes into DIR:

- `feedback_<DELIVERY_ID>.csv`: one line per rejected row and per warning (columns `CSV_COLUMNS`),
  every cell neutralised against formula injection (mvoi.csv_export);
- `feedback_<DELIVERY_ID>.html`: a self-contained page in Dutch (inline CSS, no scripts) with
  the delivery, its files, the counts per entity and reason, and the same rows in tables
  (mvoi/templates/feedback.html.j2, rendered with autoescape: delivered values may hold markup).

Nothing of another delivery is read. Personal data never leaves: the delivered values come
from `original_record`, which holds personal-data columns only as `<column>_hash`; a
personal-data column that would appear in clear is left out all the same. Ids that staging
scoped as `<OIN>:<id>` are shown as delivered, without the `<OIN>:` prefix. See
docs/deliveries.md, "Feedback to the delivering organisation".
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from mvoi.contract import entities
from mvoi.csv_export import write_csv
from mvoi.paths import build_db_path, connect

TEMPLATE_NAME = "feedback.html.j2"
CSV_COLUMNS = ("kind", "entity", "source_key", "reason_code", "all_reason_codes", "reason", "column", "delivered_values")
KINDS = ("rejected", "warning")
SAFE_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
EXIT_USAGE = 2

# the delivery's rows of both governance tables, rejected rows first
ROWS_SQL = """
select 'rejected' as kind, entity, source_key, reason_code, array_to_string(all_reason_codes, ' '),
       reason, column_name, cast(original_record as varchar)
from governance.rejected_rows
where delivery_id = $delivery_id
union all
select 'warning', entity, source_key, reason_code, null, reason, column_name,
       cast(original_record as varchar)
from governance.row_warnings
where delivery_id = $delivery_id
"""


class FeedbackError(RuntimeError):
    """The feedback cannot be made (unknown delivery, no or an old build database)."""


@dataclass
class Row:
    """One rejected row or one warning of the delivery."""

    kind: str  # rejected / warning
    entity: str
    source_key: str | None  # as delivered: without the "<OIN>:" scope
    reason_code: str | None
    all_reason_codes: str | None  # every fatal reason of a rejected row (space separated)
    reason: str | None  # the contract's description of reason_code
    column: str | None
    values: dict[str, str | None]  # the delivered values (personal data only as <column>_hash)

    @property
    def delivered_values(self) -> str:
        """The delivered values as one line of `column=value` pairs (null as nothing)."""
        return "; ".join(f"{k}={'' if v is None else v}" for k, v in self.values.items())

    def as_csv(self) -> tuple:
        return (self.kind, self.entity, self.source_key, self.reason_code, self.all_reason_codes, self.reason,
                self.column, self.delivered_values)


@dataclass
class Feedback:
    """What the build made of one delivery."""

    delivery: dict  # the raw.deliveries row
    state: str  # current / partly_superseded / superseded / refused
    superseded_by: list[str]  # the later deliveries that replace (part of) it
    files: list[dict]  # the raw.delivery_files rows, in contract order, with rejected/warning counts
    rows: list[Row] = field(default_factory=list)

    @property
    def counts(self) -> list[dict]:
        """Rows per kind, entity and reason code, in the rows' order."""
        counted: dict[tuple, dict] = {}
        for r in self.rows:
            key = (r.kind, r.entity, r.reason_code)
            counted.setdefault(key, {"kind": r.kind, "entity": r.entity, "reason_code": r.reason_code,
                                     "reason": r.reason, "column": r.column, "rows": 0})["rows"] += 1
        return list(counted.values())

    def total(self, kind: str) -> int:
        return sum(r.kind == kind for r in self.rows)

    def by_entity(self) -> list[dict]:
        """The rows per entity, with the delivered columns of that entity (for the tables)."""
        grouped: dict[str, list[Row]] = {}
        for r in self.rows:
            grouped.setdefault(r.entity, []).append(r)
        return [{"entity": entity, "rows": rows, "columns": list(dict.fromkeys(k for r in rows for k in r.values))}
                for entity, rows in grouped.items()]


# --- reading the build database -------------------------------------------------------------


def read_feedback(db_path: Path, delivery_id: str) -> Feedback:
    """The feedback on `delivery_id` from the build database at `db_path`; raises FeedbackError
    when the delivery is unknown to it or the database cannot be read."""
    try:
        with connect(db_path, read_only=True) as con:
            return _read(con, delivery_id)
    except duckdb.IOException as exc:
        raise FeedbackError(f"Cannot open {db_path} ({exc}); a build may be running: try again when it has finished.") from exc
    except (duckdb.CatalogException, duckdb.BinderException) as exc:
        raise FeedbackError(
            f"{db_path} has no delivery register or no per-delivery quarantine ({' '.join(str(exc).split())[:160]}): "
            "the last build stopped early or is older than `mvoi feedback`; build again (`make build`)."
        ) from exc


def _read(con: duckdb.DuckDBPyConnection, delivery_id: str) -> Feedback:
    cur = con.execute("select * from raw.deliveries where delivery_id = ?", [delivery_id])
    names = [d[0] for d in cur.description]
    found = cur.fetchall()
    if not found:
        raise FeedbackError(
            f"Delivery {delivery_id} is unknown to the build database: the last build did not see it (a wrong id, "
            "or received after that build). List the deliveries with `mvoi deliver --list`; build again for a new one."
        )
    delivery = dict(zip(names, found[0], strict=True))
    contract = entities()
    state, superseded_by = _state(con, delivery)
    cur = con.execute("select * from raw.delivery_files where delivery_id = ?", [delivery_id])
    names = [d[0] for d in cur.description]
    order = list(contract)
    files = sorted((dict(zip(names, f, strict=True)) for f in cur.fetchall()),
                   key=lambda f: (order.index(f["entity"]) if f["entity"] in order else len(order), f["file_name"] or ""))
    rows = [] if state == "refused" else [
        _row(record, delivery["organisation_id"], contract)
        for record in con.execute(ROWS_SQL, {"delivery_id": delivery_id}).fetchall()
    ]
    rows.sort(key=lambda r: (KINDS.index(r.kind), order.index(r.entity) if r.entity in order else len(order),
                             r.source_key or "", r.reason_code or ""))
    for f in files:
        for kind in KINDS:
            f[kind] = sum(r.kind == kind and r.entity == f["entity"] for r in rows)
    return Feedback(delivery, state, superseded_by, files, rows)


def _state(con: duckdb.DuckDBPyConnection, delivery: dict) -> tuple[str, list[str]]:
    """refused; superseded (a later accepted complete delivery of the organisation, or for a
    period delivery a later one of the same period); partly_superseded (a later period delivery
    of the organisation: it replaces that year's rows and the keys it delivers again); else
    current. With the later deliveries concerned."""
    if delivery["status"] != "accepted":
        return "refused", []
    if delivery["organisation_id"] is None:  # a landing folder: the only delivery of its build
        return "current", []
    later = con.execute(
        """
        select delivery_id, period from raw.deliveries
        where status = 'accepted' and organisation_id = ? and sequence > ?
        order by sequence
        """,
        [delivery["organisation_id"], delivery["sequence"]],
    ).fetchall()
    whole = [d for d, period in later if period is None or period == delivery["period"]]
    if whole:
        return "superseded", whole
    if later:
        return "partly_superseded", [d for d, _ in later]
    return "current", []


def _row(record: tuple, organisation_id: str | None, contract: dict) -> Row:
    kind, entity, source_key, reason_code, all_codes, reason, column, original = record
    personal = set(contract[entity].personal_data_columns) if entity in contract else set()
    values = {k: v for k, v in (json.loads(original) if original else {}).items() if k not in personal}
    values = {k: None if v is None else str(v) for k, v in values.items()}
    return Row(kind, entity, _as_delivered(source_key, organisation_id), reason_code, all_codes, reason, column, values)


def _as_delivered(source_key: str | None, organisation_id: str | None) -> str | None:
    """The key without the "<OIN>:" scope staging gives the ids of a one-organisation delivery."""
    prefix = f"{organisation_id}:" if organisation_id else None
    if source_key is not None and prefix and source_key.startswith(prefix):
        return source_key[len(prefix):]
    return source_key


# --- writing --------------------------------------------------------------------------------


def write_feedback(feedback: Feedback, out_dir: Path) -> tuple[Path, Path]:
    """Write feedback_<id>.csv and feedback_<id>.html into `out_dir`; returns both paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    delivery_id = feedback.delivery["delivery_id"]
    csv_path = write_csv(out_dir / f"feedback_{delivery_id}.csv", CSV_COLUMNS, [r.as_csv() for r in feedback.rows])
    html_path = out_dir / f"feedback_{delivery_id}.html"
    html_path.write_text(render_html(feedback), encoding="utf-8")
    return csv_path, html_path


def render_html(feedback: Feedback) -> str:
    """The page (autoescaped: every delivered value is text, never markup)."""
    from mvoi.report.render import _environment

    return _environment().get_template(TEMPLATE_NAME).render(
        d=feedback.delivery,
        state=feedback.state,
        superseded_by=feedback.superseded_by,
        files=feedback.files,
        counts=feedback.counts,
        tables=feedback.by_entity(),
        rejected=feedback.total("rejected"),
        warnings=feedback.total("warning"),
        generated_at=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    )


# --- the command ----------------------------------------------------------------------------


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("delivery_id", help="the delivery (e.g. D000001; `mvoi deliver --list` lists them)")
    parser.add_argument("--out", type=Path, required=True, help="folder to write feedback_<id>.csv and .html into")
    parser.add_argument("--db", type=Path, default=None, help="build database (default: MVOI_DB_PATH)")


STATE_TEXT = {
    "current": "",
    "partly_superseded": "partly superseded by {later}: rows those deliveries replace are no longer in the build",
    "superseded": "superseded by {later}: its rows are no longer in the build, so it has no rows here",
    "refused": "refused: {reason}",
}


def run(args: argparse.Namespace) -> int:
    if not SAFE_ID.fullmatch(args.delivery_id):
        print(f"{args.delivery_id!r} is not a delivery id: list the deliveries with `mvoi deliver --list`.",
              file=sys.stderr)
        return EXIT_USAGE
    db_path = Path(args.db or build_db_path())
    if not db_path.exists():
        print(f"Build database {db_path} does not exist: run `make build` first.", file=sys.stderr)
        return EXIT_USAGE
    try:
        feedback = read_feedback(db_path, args.delivery_id)
    except FeedbackError as exc:
        print(exc, file=sys.stderr)
        return EXIT_USAGE
    csv_path, html_path = write_feedback(feedback, args.out)
    d = feedback.delivery
    period = "none" if d["period"] is None else d["period"]
    print(f"Feedback on delivery {d['delivery_id']} (organisation {d['organisation_id'] or 'several'}, "
          f"period {period}, {d['status']}): {feedback.total('rejected')} rejected rows, "
          f"{feedback.total('warning')} warnings")
    state = STATE_TEXT[feedback.state].format(later=", ".join(feedback.superseded_by), reason=d["reason"])
    if state:
        print(f"  The delivery is {state}.")
    for c in feedback.counts:
        print(f"  {c['rows']:>6}  {c['kind']:<8}  {c['entity']:<28}  {c['reason_code']}")
    print(f"  CSV:  {csv_path}\n  HTML: {html_path}")
    return 0
