"""Per-organisation deliveries from a generated landing folder (see docs/generator.md).

The landing store takes one landing folder per delivering organisation (OIN). This module turns
a complete landing folder, as `mvoi generate` writes it, into such deliveries:

- `split_per_organisation(landing_dir, out_dir)`: one complete delivery per organisation,
  `out_dir/<OIN>/<entity>.<csv|parquet>`, plus `out_dir/_organisations.json`;
- `correction_delivery(org_dir, out_dir, year)`: from one organisation's folder, a period
  delivery (`mvoi deliver DIR --organisation OIN --period YEAR`) that corrects that year.

Values are copied as text, never parsed: every column is read as a string (CSV: an unquoted
empty field is null, a quoted `""` the empty string, exactly as the generator writes them) and
written back with the generator's own writer (`core.EntityWriter`: the same CSV quoting, or
Parquet with string columns and zstd), so a CSV row of a split folder is byte-for-byte the row
of the input file, and input order is kept within every entity.

Split is meant for fault-free data (`--fault-rate 0`). With faults, a row that cannot be
attributed to an organisation (an unknown or malformed OIN, a reference to an unknown tender or
contract, a blank key) goes to no folder; `_organisations.json` counts such rows per entity.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from mvoi.contract import entities
from mvoi.generator.core import EntityWriter

ORGANISATIONS_FILE = "_organisations.json"
CORRECTION_FILE = "_correction.json"
FORMATS = ("csv", "parquet")
OIN = re.compile(r"[0-9]{20}")
BLOCK_BYTES = 1 << 26  # CSV bytes per streamed batch of invoice_lines

# the entities a period delivery replaces per year, and the date column that places a row in it
PERIOD_BOUND = {
    "invoice_lines": "invoice_date",
    "social_return_realisations": "period_end",
    "material_reports": "period_end",
}
# the columns a correction multiplies, per entity
CORRECTED_COLUMNS = {
    "invoice_lines": ("amount",),
    "social_return_realisations": ("realised_value_eur",),
    "material_reports": ("material_total_kg", "secondary_material_kg"),
    "contracts": ("contract_value_eur",),
}


# ---------------------------------------------------------------------------------------
# reading and writing text tables


def landing_format(folder: Path) -> str:
    """`csv` or `parquet`: the format of the folder's entity files (one format per folder)."""
    found = {ext for name in entities() for ext in FORMATS if (folder / f"{name}.{ext}").is_file()}
    if len(found) != 1:
        what = "no entity file" if not found else "both CSV and Parquet entity files"
        raise ValueError(f"{folder} holds {what}; expected the output of `mvoi generate`")
    return found.pop()


def _csv_header(path: Path) -> list[str]:
    with path.open(encoding="utf-8", newline="") as f:
        return next(csv.reader(f))


def _csv_options(path: Path) -> dict:
    columns = _csv_header(path)
    return {
        "read_options": pacsv.ReadOptions(block_size=BLOCK_BYTES),
        "parse_options": pacsv.ParseOptions(newlines_in_values=True),
        # every column as text; only an unquoted empty field is null (as the generator writes it)
        "convert_options": pacsv.ConvertOptions(
            column_types={c: pa.string() for c in columns}, null_values=[""],
            strings_can_be_null=True, quoted_strings_can_be_null=False,
        ),
    }


def read_entity(folder: Path, entity: str, fmt: str) -> pa.Table | None:
    """The entity's file as a table of strings, or None when the folder has no such file."""
    path = folder / f"{entity}.{fmt}"
    if not path.is_file():
        return None
    if fmt == "csv":
        return pacsv.read_csv(str(path), **_csv_options(path))
    table = pq.read_table(path)
    return table.cast(pa.schema([(f.name, pa.string()) for f in table.schema]))


def _batches(path: Path, fmt: str) -> tuple[tuple[str, ...], Iterator[pa.RecordBatch]]:
    """The column names and a stream of record batches (bounded memory for invoice_lines)."""
    if fmt == "csv":
        reader = pacsv.open_csv(str(path), **_csv_options(path))
        return tuple(reader.schema.names), iter(reader)
    pf = pq.ParquetFile(path)
    return tuple(pf.schema_arrow.names), pf.iter_batches(batch_size=1_000_000)


def write_entity(folder: Path, entity: str, fmt: str, table: pa.Table) -> Path:
    """Write `table` (string columns) as the folder's only file of the entity."""
    folder.mkdir(parents=True, exist_ok=True)
    for ext in FORMATS:
        (folder / f"{entity}.{ext}").unlink(missing_ok=True)
    writer = EntityWriter(folder, entity, tuple(table.column_names), fmt)
    writer.write(table)
    writer.close()
    return writer.path


def _isin(table: pa.Table, column: str, values) -> pa.ChunkedArray:
    return pc.is_in(table[column], value_set=pa.array(sorted(values), pa.string()))


def _values(table: pa.Table, column: str) -> set[str]:
    return {v for v in pc.unique(table[column]).to_pylist() if v is not None}


# ---------------------------------------------------------------------------------------
# split


def split_per_organisation(landing_dir: Path, out_dir: Path) -> dict[str, Path]:
    """Write one complete landing folder per organisation; returns OIN -> folder.

    Per organisation (an OIN of organisations.<fmt>; folders in that file's order):

    - organisations: its own row only (a parent_organisation_id is kept as written, so an
      agency's folder names a parent that is not in the folder);
    - tenders, contracts, invoice_lines: the rows with its organisation_id;
    - tender_criteria: the criteria of its tenders; social_return_realisations and
      material_reports: those of its contracts;
    - suppliers: the suppliers its contracts or invoice lines reference (a supplier used by
      several organisations is copied into each folder); supplier_certificates: the
      certificates of those suppliers.

    All nine entity files are written in the input's format, header-only where the
    organisation has no rows (the landing check accepts a header-only file). Suppliers that no
    contract or invoice line references (dormant vendor-master entries) and their certificates
    go to no folder, nor do rows that cannot be attributed (faults only);
    out_dir/_organisations.json lists the OINs, the rows per folder and these counts.
    """
    landing_dir, out_dir = Path(landing_dir), Path(out_dir)
    fmt = landing_format(landing_dir)
    contract = entities()
    tables = {name: _read_or_empty(landing_dir, name, fmt) for name in contract if name != "invoice_lines"}
    ids = tables["organisations"]["organisation_id"].to_pylist()
    oins = list(dict.fromkeys(o for o in ids if o and OIN.fullmatch(o)))
    folders = {oin: out_dir / oin for oin in oins}
    line_rows, used_suppliers, il_total = _split_invoice_lines(landing_dir, folders, fmt)

    rows: dict[str, dict[str, int]] = {oin: {"invoice_lines": line_rows[oin]} for oin in oins}
    copied: dict[str, set[str]] = {"suppliers": set(), "supplier_certificates": set()}
    for oin, folder in folders.items():
        for name, part in _organisation_parts(tables, oin, used_suppliers[oin]).items():
            write_entity(folder, name, fmt, part)
            rows[oin][name] = part.num_rows
            if name in copied:
                copied[name] |= _values(part, contract[name].key)

    # rows of the input that are in no folder (the copied entities: in none of the copies)
    not_attributed = {"invoice_lines": il_total - sum(line_rows.values())}
    for name, table in tables.items():
        if name in copied:
            in_some = pc.cast(_isin(table, contract[name].key, copied[name]), pa.int64())
            not_attributed[name] = table.num_rows - int(pc.sum(in_some).as_py() or 0)
        else:
            not_attributed[name] = table.num_rows - sum(r[name] for r in rows.values())
    summary = {
        "source": landing_dir.name,
        "format": fmt,
        "organisations": oins,
        "rows": {oin: {name: rows[oin][name] for name in contract} for oin in oins},
        "not_attributed": {name: not_attributed[name] for name in contract},
        "note": "suppliers that no contract or invoice line references, their certificates and rows "
                "that cannot be attributed to an organisation (faults only) are in no folder",
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / ORGANISATIONS_FILE).write_text(json.dumps(summary, indent=1) + "\n", encoding="utf-8")
    return folders


def _split_invoice_lines(
    landing_dir: Path, folders: dict[str, Path], fmt: str
) -> tuple[dict[str, int], dict[str, set[str]], int]:
    """Stream invoice_lines into the folders (each batch's rows to their organisation's writer);
    returns the rows per organisation, the suppliers each one's lines reference, the rows read."""
    path = landing_dir / f"invoice_lines.{fmt}"
    columns, batches = _batches(path, fmt) if path.is_file() else (entities()["invoice_lines"].columns, iter(()))
    writers: dict[str, EntityWriter] = {}
    for oin, folder in folders.items():
        folder.mkdir(parents=True, exist_ok=True)
        for ext in FORMATS:
            (folder / f"invoice_lines.{ext}").unlink(missing_ok=True)
        writers[oin] = EntityWriter(folder, "invoice_lines", columns, fmt)
    used: dict[str, set[str]] = {oin: set() for oin in folders}
    total = 0
    for batch in batches:
        table = pa.Table.from_batches([batch])
        total += table.num_rows
        for oin in _values(table, "organisation_id") & writers.keys():
            part = table.filter(pc.equal(table["organisation_id"], oin))
            writers[oin].write(part)
            used[oin] |= _values(part, "supplier_id")
    for writer in writers.values():
        writer.close()
    return {oin: w.rows for oin, w in writers.items()}, used, total


def _organisation_parts(tables: dict[str, pa.Table], oin: str, line_suppliers: set[str]) -> dict[str, pa.Table]:
    """The rows of every entity but invoice_lines that go to the organisation's folder."""
    parts = {name: tables[name].filter(pc.equal(tables[name]["organisation_id"], oin))
             for name in ("organisations", "tenders", "contracts")}
    tender_ids = _values(parts["tenders"], "tender_id")
    contract_ids = _values(parts["contracts"], "contract_id")
    supplier_ids = line_suppliers | _values(parts["contracts"], "supplier_id")
    by_column = {
        "tender_criteria": ("tender_id", tender_ids),
        "social_return_realisations": ("contract_id", contract_ids),
        "material_reports": ("contract_id", contract_ids),
        "suppliers": ("supplier_id", supplier_ids),
        "supplier_certificates": ("supplier_id", supplier_ids),
    }
    for name, (column, values) in by_column.items():
        parts[name] = tables[name].filter(_isin(tables[name], column, values))
    return parts


def _read_or_empty(folder: Path, entity: str, fmt: str) -> pa.Table:
    table = read_entity(folder, entity, fmt)
    return table if table is not None else _empty_table(entities()[entity].columns)


def _empty_table(columns: tuple[str, ...]) -> pa.Table:
    return pa.table({c: pa.array([], pa.string()) for c in columns})


# ---------------------------------------------------------------------------------------
# correction


def scale_text(value: str | None, factor: Decimal) -> str | None:
    """`value` (a decimal written with '.') times `factor`, rounded half up to the number of
    decimals `value` has; null stays null."""
    if value is None:
        return None
    d = Decimal(value.strip())
    places = Decimal(1).scaleb(min(d.as_tuple().exponent, 0))
    out = (d * factor).quantize(places, rounding=ROUND_HALF_UP)
    if out == 0:
        out = abs(out)  # no "-0.00"
    return f"{out:f}"


def _scaled(table: pa.Table, columns: tuple[str, ...], factor: Decimal, mask=None) -> pa.Table:
    """`table` with `columns` multiplied by factor (only where mask is true, if given)."""
    flags = mask.to_pylist() if mask is not None else [True] * table.num_rows
    for col in columns:
        values = table[col].to_pylist()
        new = [scale_text(v, factor) if f else v for v, f in zip(values, flags, strict=True)]
        table = table.set_column(table.schema.get_field_index(col), col, pa.array(new, pa.string()))
    return table


def correction_delivery(org_dir: Path, out_dir: Path, year: int, factor: float = 1.1) -> Path:
    """Write a period delivery for `year` from one organisation's folder; returns out_dir.

    The delivery (`mvoi deliver out_dir --organisation OIN --period year`) holds, in the
    folder's format:

    - invoice_lines: the organisation's lines with invoice_date in `year`, `amount` times
      factor;
    - social_return_realisations: those with period_end in `year`, realised_value_eur times
      factor; material_reports: those with period_end in `year`, material_total_kg and
      secondary_material_kg times factor (secondary stays at most the total);
    - contracts: all the organisation's contracts, contract_value_eur times factor for the
      contracts that one of those invoice lines references, the others as they were;
    - organisations, suppliers, tenders: copied unchanged (they re-deliver by key and change
      nothing). supplier_certificates and tender_criteria (optional, list-like) are left out.

    Every other column and row is as in org_dir. A multiplied value keeps its number of decimals
    (amounts and euros 2, kilograms 1), rounded half up; nulls stay null. A period-bound file
    without rows in `year` is written header-only ("nothing in that year", as before).
    out_dir/_correction.json records the organisation, year, factor and the keys of every
    changed row.
    """
    org_dir, out_dir = Path(org_dir), Path(out_dir)
    fmt = landing_format(org_dir)
    contract = entities()
    f = Decimal(str(factor))
    prefix = f"{year:04d}-"
    out_dir.mkdir(parents=True, exist_ok=True)
    changed: dict[str, list[str]] = {}
    year_lines = None
    for name, date_col in PERIOD_BOUND.items():
        table = _read_or_empty(org_dir, name, fmt)
        table = table.filter(pc.fill_null(pc.starts_with(table[date_col], prefix), False))
        table = _scaled(table, CORRECTED_COLUMNS[name], f)
        write_entity(out_dir, name, fmt, table)
        changed[name] = table[contract[name].key].to_pylist()
        if name == "invoice_lines":
            year_lines = table
    contracts = read_entity(org_dir, "contracts", fmt)
    corrected = _values(year_lines, "contract_id")
    mask = _isin(contracts, "contract_id", corrected)
    write_entity(out_dir, "contracts", fmt, _scaled(contracts, CORRECTED_COLUMNS["contracts"], f, mask))
    changed["contracts"] = contracts.filter(mask)["contract_id"].to_pylist()
    for name in ("organisations", "suppliers", "tenders", "supplier_certificates", "tender_criteria"):
        for ext in FORMATS:  # no stale file of an earlier run stays behind
            (out_dir / f"{name}.{ext}").unlink(missing_ok=True)
        if name in ("organisations", "suppliers", "tenders"):
            shutil.copyfile(org_dir / f"{name}.{fmt}", out_dir / f"{name}.{fmt}")
    orgs = read_entity(org_dir, "organisations", fmt)["organisation_id"].to_pylist()
    summary = {
        "organisation": orgs[0] if len(orgs) == 1 else orgs,
        "period": year,
        "factor": str(f),
        "changed": {name: changed[name] for name in (*PERIOD_BOUND, "contracts")},
        "columns": {name: list(cols) for name, cols in CORRECTED_COLUMNS.items()},
    }
    (out_dir / CORRECTION_FILE).write_text(json.dumps(summary, indent=1) + "\n", encoding="utf-8")
    return out_dir
