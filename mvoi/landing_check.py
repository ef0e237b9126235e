"""Check a landing folder (MVOI_RAW_DIR) before dbt starts, and report every problem at once.

The dbt macro `load_landing()` (macros/load_landing.sql) stops at the first bad file, often with
a DuckDB error that does not say what to do. `check_landing_folder()` looks at the whole folder
first and returns one `LandingProblem` per problem, each with a one-line message that names the
file (and the column, where there is one) and says what to do; `format_problems()` turns them
into the block a command prints. An empty list means dbt may start.

What is checked, against the landing contract (`mvoi.contract.entities()`, read from
models/staging/landing/_landing__sources.yml):

- the folder: it exists, is a folder and holds at least one `<entity>.csv` / `<entity>.parquet`;
- per entity: a required entity has a file; an Excel workbook (`<entity>.xlsx` / `.xls`) or a
  file whose name differs only in case is pointed out; not both a CSV and a Parquet file;
- per CSV file: not empty; UTF-8 (the first byte that is not, with its line); not written by
  Dutch Excel with `;` as delimiter (and decimal commas); no duplicated column; every required
  column; every record has as many fields as the header, no unterminated quote, not cut off
  mid-row (with line numbers);
- per Parquet file: readable, no duplicated column, every required column.

Column names match as in the macro: case-insensitively, after trimming spaces (and a BOM).
Extra columns are not a problem (the macro logs them). Every CSV is read twice, streaming: once
as bytes (the UTF-8 check) and once through Python's csv module (the structure check); a
1M-line invoice_lines.csv (120 MB) takes about 2.5 s, a 1 GB file about 20 s.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq

from mvoi.contract import Entity, entities

CONTRACT_REF = "models/staging/landing/_landing__sources.yml"
CSV_UTF8 = (
    "\"CSV UTF-8 (comma delimited)\" (in Dutch Excel: Save As → "
    "\"CSV UTF-8 (door komma's gescheiden) (*.csv)\")"
)
EXCEL_SUFFIXES = (".xlsx", ".xls")
CHUNK_BYTES = 1 << 24
SAMPLE_ROWS = 1000  # data rows read for the decimal-comma hint of a `;` file
DECIMAL_COMMA = re.compile(r"-?(\d{1,3}(\.\d{3})+|\d+),\d+")
ZIP_MAGIC = b"PK\x03\x04"  # .xlsx
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # .xls
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


@dataclass(frozen=True)
class LandingProblem:
    file: str  # the file's path as given (or the folder)
    column: str | None
    message: str  # one line: names the file (and column) and says what to do


def check_landing_folder(folder: Path) -> list[LandingProblem]:
    """Every problem of the landing folder, in contract order; [] when dbt may start."""
    folder = Path(folder)
    if not folder.exists():
        return [_folder_problem(folder, "does not exist. Set MVOI_RAW_DIR to the folder that holds the landing files.")]
    if not folder.is_dir():
        return [
            _folder_problem(
                folder,
                "is not a folder. Set MVOI_RAW_DIR to the folder that holds the landing files, not to one file.",
            )
        ]
    try:
        names = sorted(p.name for p in folder.iterdir())
    except OSError as exc:
        return [_folder_problem(folder, f"cannot be read ({_short(exc)}). Check its permissions.")]

    contract = entities()
    by_lower: dict[str, list[str]] = {}
    for name in names:
        by_lower.setdefault(name.lower(), []).append(name)
    delivered = {
        entity: [f"{entity}.{ext}" for ext in ("csv", "parquet") if f"{entity}.{ext}" in names] for entity in contract
    }

    problems: list[LandingProblem] = []
    if not any(delivered.values()):
        present = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
        problems.append(
            _folder_problem(
                folder,
                f"holds no landing file (it holds {present or 'nothing'}). Put one <entity>.csv or "
                f"<entity>.parquet per entity in it ({', '.join(contract)}; see {CONTRACT_REF}).",
            )
        )
    for entity in contract.values():
        files = delivered[entity.name]
        if not files:
            problems.extend(_absent_entity(folder, entity, by_lower, folder_is_empty=not any(delivered.values())))
            continue
        if len(files) > 1:
            problems.append(
                LandingProblem(
                    str(folder / files[0]),
                    None,
                    f"{files[0]} and {files[1]} are both there: deliver one file per entity; remove one of them.",
                )
            )
        for name in files:
            problems.extend(_check_file(folder / name, entity))
    return problems


def _check_file(path: Path, entity: Entity) -> list[LandingProblem]:
    """The problems of one delivered file of `entity` (CSV or Parquet)."""
    if not path.is_file():
        return [LandingProblem(str(path), None, f"{path.name} is not a file. Replace it with the {entity.name} data file.")]
    if path.name.endswith(".csv"):
        return _check_csv(path, entity)
    return _check_parquet(path, entity)


def format_problems(problems: list[LandingProblem], folder: Path | str | None = None) -> str:
    """A short block for the terminal: a first line that says the folder was refused and how
    many problems it has, then one line per problem; "" when there is none. The folder is
    taken from the problems unless given."""
    if not problems:
        return ""
    if folder is None:
        folder_level = [p for p in problems if p.message.startswith("Landing folder ")]
        folder = folder_level[0].file if folder_level else Path(problems[0].file).parent
    lines = [f"Landing folder {folder} refused: {len(problems)} problem(s); nothing was built."]
    lines.extend(f"- {p.message}" for p in problems)
    return "\n".join(lines)


# --- the folder and the entity files --------------------------------------------------------


def _folder_problem(folder: Path, what: str) -> LandingProblem:
    return LandingProblem(str(folder), None, f"Landing folder {folder} {what}")


def _absent_entity(
    folder: Path, entity: Entity, by_lower: dict[str, list[str]], folder_is_empty: bool
) -> list[LandingProblem]:
    """No <entity>.csv / .parquet: point at a near miss (other case, Excel), else say it is
    missing when the entity is required (unless the whole folder is already refused)."""
    target = f"{entity.name}.csv"
    for ext in ("csv", "parquet"):
        for name in by_lower.get(f"{entity.name}.{ext}", []):
            return [
                LandingProblem(
                    str(folder / name),
                    None,
                    f"{name} is not read: file names are case-sensitive. Rename it to {entity.name}.{ext}.",
                )
            ]
    for suffix in EXCEL_SUFFIXES:
        for name in by_lower.get(entity.name + suffix, []):
            return [
                LandingProblem(
                    str(folder / name),
                    None,
                    f"{name} is an Excel workbook, which is not read: open it in Excel and save it as "
                    f"{CSV_UTF8} under the name {target}, then deliver again.",
                )
            ]
    if entity.required and not folder_is_empty:
        return [
            LandingProblem(
                str(folder / target),
                None,
                f"{target} (or {entity.name}.parquet) is missing: {entity.name} is a required entity of the "
                f"landing contract. Add the file (see {CONTRACT_REF}) and deliver again.",
            )
        ]
    return []


def _check_columns(path: Path, entity: Entity, header: list[str]) -> list[LandingProblem]:
    """Duplicated and missing required columns, names compared as the macro does."""
    problems = []
    normalized = [h.replace("\ufeff", "").strip().lower() for h in header]
    for name, count in Counter(normalized).items():
        if count < 2:
            continue
        if name == "":
            message = (
                f"{path.name}: the header has {count} columns without a name (e.g. a trailing comma). "
                "Remove them, or give them a name, and deliver again."
            )
        else:
            message = (
                f"{path.name}: column {name} appears {count} times in the header (names are compared "
                "case-insensitively, after trimming spaces). Keep one of them and deliver again."
            )
        problems.append(LandingProblem(str(path), name or None, message))
    present = set(normalized)
    for column in entity.required_columns:
        if column not in present:
            problems.append(
                LandingProblem(
                    str(path),
                    column,
                    f"{path.name}: column {column} is missing; it is required by the landing contract. "
                    f"Add the column (see {CONTRACT_REF}) and deliver again.",
                )
            )
    return problems


def _check_parquet(path: Path, entity: Entity) -> list[LandingProblem]:
    try:
        schema = pq.read_schema(path)
    except Exception as exc:  # pyarrow raises ArrowInvalid, OSError, ... for a bad file
        return [
            LandingProblem(
                str(path),
                None,
                f"{path.name} is not a readable Parquet file ({_short(exc)}). Write it again as Parquet, "
                f"or deliver {entity.name}.csv instead.",
            )
        ]
    return _check_columns(path, entity, list(schema.names))


# --- CSV ------------------------------------------------------------------------------------


def _check_csv(path: Path, entity: Entity) -> list[LandingProblem]:
    try:
        with path.open("rb") as f:
            head = f.read(8)
        if not head.lstrip(b"\xef\xbb\xbf \t\r\n"):
            return [_empty(path)]
        if head.startswith((ZIP_MAGIC, OLE_MAGIC)):
            return [
                LandingProblem(
                    str(path),
                    None,
                    f"{path.name} is an Excel workbook renamed to .csv: open it in Excel and save it as "
                    f"{CSV_UTF8}, then deliver again.",
                )
            ]
        if head.startswith(UTF16_BOMS):
            return [
                LandingProblem(
                    str(path),
                    None,
                    f"{path.name} is UTF-16 text (Excel's \"Unicode text\"), not UTF-8: export it again as "
                    f"{CSV_UTF8} and deliver again.",
                )
            ]
        problems = []
        bad = _first_non_utf8(path)
        if bad is not None:
            line, byte = bad
            as_1252 = bytes([byte]).decode("cp1252", errors="replace")
            problems.append(
                LandingProblem(
                    str(path),
                    None,
                    f"{path.name} is not UTF-8 encoded: line {line} holds byte 0x{byte:02X} "
                    f"({as_1252!r} in Windows-1252). Export it again as {CSV_UTF8} and deliver again.",
                )
            )
        problems.extend(_check_csv_text(path, entity))
        return problems
    except OSError as exc:
        return [LandingProblem(str(path), None, f"{path.name} cannot be read ({_short(exc)}). Check its permissions.")]


def _empty(path: Path) -> LandingProblem:
    return LandingProblem(
        str(path),
        None,
        f"{path.name} is empty: it has no header row. Export the file again with its header row and data.",
    )


def _first_non_utf8(path: Path) -> tuple[int, int] | None:
    """(line number, byte) of the first byte sequence that is not UTF-8, or None. Streams the
    file in 16 MiB chunks; a character cut by a chunk boundary is carried to the next chunk."""
    line = 1
    carry = b""
    with path.open("rb") as f:
        while True:
            block = f.read(CHUNK_BYTES)
            data = carry + block
            if not data:
                return None
            try:
                data.decode("utf-8")
            except UnicodeDecodeError as exc:
                line += data.count(b"\n", 0, exc.start)
                if block and exc.reason == "unexpected end of data":
                    carry = data[exc.start :]
                    continue
                return line, data[exc.start]
            if not block:
                return None
            line += data.count(b"\n")
            carry = b""


def _check_csv_text(path: Path, entity: Entity) -> list[LandingProblem]:
    """Header (delimiter, columns) and record structure, in one streaming pass of the csv
    module (invalid UTF-8 is replaced here: the byte pass has reported it)."""
    with path.open(encoding="utf-8-sig", errors="replace", newline="") as f:
        first_line = f.readline()
        f.seek(0)
        reader = csv.reader(f, strict=True)
        try:
            header = next(reader, None)
        except csv.Error as exc:
            return [_quote_problem(path, 1, reader.line_num, exc)]
        if header is None or not any(h.strip() for h in header):
            return [_empty(path)]
        semicolon = _semicolon_problem(path, entity, header, first_line, f)
        if semicolon is not None:
            return [semicolon]
        problems = _check_columns(path, entity, header)
        problems.extend(_check_records(path, reader, len(header)))
        return problems


def _semicolon_problem(path: Path, entity: Entity, header: list[str], first_line: str, f) -> LandingProblem | None:
    """A `;`-delimited file (Dutch Excel's "CSV"): its header gives more contract columns when
    split on `;` than on `,`."""

    def matches(names: list[str]) -> int:
        return len({n.replace("\ufeff", "").strip().lower() for n in names} & set(entity.columns))

    semi_header = next(csv.reader([first_line.lstrip("\ufeff")], delimiter=";"), [])
    if matches(semi_header) < 2 or matches(semi_header) <= matches(header):
        return None
    f.seek(0)
    sample = csv.reader(f, delimiter=";")
    next(sample, None)
    example = None
    try:
        for _, row in zip(range(SAMPLE_ROWS), sample, strict=False):
            for name, value in zip(semi_header, row, strict=False):
                if DECIMAL_COMMA.fullmatch(value.strip()):
                    example = f" and decimal commas (e.g. {value.strip()} in column {name.strip()})"
                    break
            if example:
                break
    except csv.Error:
        pass
    return LandingProblem(
        str(path),
        None,
        f"{path.name} uses ; as delimiter{example or ''}, as Dutch Excel writes it; the landing contract needs "
        f"commas between values and a decimal point. Export it as {CSV_UTF8}; if Excel still writes ';', set "
        "the list separator to ',' and the decimal symbol to '.' in the Windows region settings; then deliver again.",
    )


def _check_records(path: Path, reader, width: int) -> list[LandingProblem]:
    """Records whose field count differs from the header's, an unterminated quote, a file cut
    off mid-row. Blank lines are skipped (as DuckDB does)."""
    problems = []
    first_bad: tuple[int, int] | None = None  # (line, fields) of the first record of another width
    bad_count = 0
    last: tuple[int, int] = (0, width)  # (line, fields) of the last record
    start = reader.line_num + 1
    try:
        for row in reader:
            if row and len(row) != width:
                bad_count += 1
                if first_bad is None:
                    first_bad = (start, len(row))
                last = (start, len(row))
            else:
                last = (start, width)
            start = reader.line_num + 1
    except csv.Error as exc:
        if "end of data" in str(exc) and start == reader.line_num and not _ends_with_newline(path):
            problems.append(_truncated(path, start, "inside a quoted value"))
        else:
            problems.append(_quote_problem(path, start, reader.line_num, exc))
        last = (0, width)
    if last[1] < width and not _ends_with_newline(path):
        bad_count -= 1
        problems.append(_truncated(path, last[0], f"with {last[1]} of {width} values"))
        if first_bad == last:
            first_bad = None
    if first_bad is not None:
        more = f" (and {bad_count - 1} more records after it)" if bad_count > 1 else ""
        problems.insert(
            0,
            LandingProblem(
                str(path),
                None,
                f"{path.name}: line {first_bad[0]} has {first_bad[1]} values where the header has {width}{more}. "
                "Quote values that hold a comma or a line break (\"...\"), and deliver again.",
            ),
        )
    return problems


def _truncated(path: Path, line: int, how: str) -> LandingProblem:
    return LandingProblem(
        str(path),
        None,
        f"{path.name} is truncated: its last line {line} stops mid-row, {how}. Deliver the complete file again.",
    )


def _quote_problem(path: Path, start: int, end: int, exc: csv.Error) -> LandingProblem:
    text = str(exc)
    if "NUL" in text:
        what = f"line {end} holds a NUL byte: it is not a plain text CSV. Export it again as {CSV_UTF8}"
    elif "end of data" in text:
        what = (
            f"the quoted value that starts on line {start} is never closed: an unterminated quote, or the file "
            "is truncated. Close the quote (\"...\", a quote inside a value written as \"\") or deliver the "
            "complete file"
        )
    else:
        what = (
            f"the record that starts on line {start} has an unterminated quote or a stray quote ({text}, line "
            f"{end}). Close every quoted value (\"...\", a quote inside a value written as \"\")"
        )
    return LandingProblem(str(path), None, f"{path.name}: {what}, and deliver again.")


def _ends_with_newline(path: Path) -> bool:
    with path.open("rb") as f:
        f.seek(0, 2)
        if f.tell() == 0:
            return False
        f.seek(-1, 2)
        return f.read(1) in (b"\n", b"\r")


def _short(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 160 else text[:157] + "..."
