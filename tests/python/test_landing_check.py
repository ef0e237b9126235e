"""mvoi.landing_check: a landing folder is checked before dbt starts, and every problem is
reported at once, each naming the file (and column) and saying what to do. The folders are the
bundled sample (a valid delivery) copied to tmp_path and then damaged."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from mvoi import generate
from mvoi.contract import entities
from mvoi.landing_check import LandingProblem, check_landing_folder, format_problems

SAMPLE_DIR = Path(__file__).resolve().parents[2] / "sample"
CSV_UTF8 = "CSV UTF-8 (comma delimited)"
CONTRACT_REF = "models/staging/landing/_landing__sources.yml"


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    """A valid delivery: the nine entity CSVs of the bundled sample."""
    folder = tmp_path / "landing"
    folder.mkdir()
    for entity in entities():
        shutil.copy(SAMPLE_DIR / f"{entity}.csv", folder / f"{entity}.csv")
    return folder


def read_rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


def write_rows(path: Path, rows: list[list[str]], delimiter: str = ",") -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, delimiter=delimiter, lineterminator="\n").writerows(rows)


def line_count(path: Path) -> int:
    return path.read_bytes().count(b"\n")


def only(problems: list[LandingProblem]) -> LandingProblem:
    assert len(problems) == 1, problems
    return problems[0]


def test_valid_folder_has_no_problem(landing):
    assert check_landing_folder(landing) == []
    assert format_problems([]) == ""


def test_missing_folder(tmp_path):
    folder = tmp_path / "nowhere"
    assert check_landing_folder(folder) == [
        LandingProblem(
            str(folder),
            None,
            f"Landing folder {folder} does not exist. Set MVOI_RAW_DIR to the folder that holds the landing files.",
        )
    ]


def test_a_file_instead_of_a_folder(landing):
    problem = only(check_landing_folder(landing / "invoice_lines.csv"))
    assert problem.file == str(landing / "invoice_lines.csv")
    assert "is not a folder" in problem.message and "not to one file" in problem.message


def test_folder_without_landing_file(tmp_path):
    (tmp_path / "notes.txt").write_text("hello", encoding="utf-8")
    problem = only(check_landing_folder(tmp_path))
    assert problem.file == str(tmp_path)
    assert f"Landing folder {tmp_path} holds no landing file (it holds notes.txt)" in problem.message
    assert "invoice_lines" in problem.message and CONTRACT_REF in problem.message


def test_missing_required_entity(landing):
    (landing / "contracts.csv").unlink()
    (landing / "material_reports.csv").unlink()  # optional: not a problem
    assert check_landing_folder(landing) == [
        LandingProblem(
            str(landing / "contracts.csv"),
            None,
            "contracts.csv (or contracts.parquet) is missing: contracts is a required entity of the landing "
            f"contract. Add the file (see {CONTRACT_REF}) and deliver again.",
        )
    ]


def test_excel_workbook_in_place_of_invoice_lines(landing):
    (landing / "invoice_lines.csv").unlink()
    (landing / "invoice_lines.xlsx").write_bytes(b"PK\x03\x04" + b"\0" * 100)
    problem = only(check_landing_folder(landing))
    assert problem.file == str(landing / "invoice_lines.xlsx")
    assert problem.message.startswith("invoice_lines.xlsx is an Excel workbook, which is not read")
    assert f'save it as "{CSV_UTF8}"' in problem.message
    assert "under the name invoice_lines.csv" in problem.message


def test_file_name_in_other_case(landing):
    (landing / "suppliers.csv").rename(landing / "Suppliers.CSV")
    problem = only(check_landing_folder(landing))
    assert problem.file == str(landing / "Suppliers.CSV")
    assert "Rename it to suppliers.csv" in problem.message


def test_both_csv_and_parquet(landing):
    pq.write_table(pacsv.read_csv(landing / "tenders.csv"), landing / "tenders.parquet")
    problem = only(check_landing_folder(landing))
    assert problem.message == (
        "tenders.csv and tenders.parquet are both there: deliver one file per entity; remove one of them."
    )


def put_windows_1252_e_acute(path: Path, line: int) -> None:
    """Put an é at the start of the first value of `line`, and save the file as Windows-1252."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[line - 1] = lines[line - 1].replace('"', '"é', 1)
    path.write_bytes("".join(lines).encode("cp1252"))


def test_two_windows_1252_files_give_two_problems(landing):
    put_windows_1252_e_acute(landing / "organisations.csv", 3)
    put_windows_1252_e_acute(landing / "suppliers.csv", 7)
    problems = check_landing_folder(landing)
    assert [(p.file, p.column) for p in problems] == [
        (str(landing / "organisations.csv"), None),
        (str(landing / "suppliers.csv"), None),
    ]
    assert problems[0].message == (
        "organisations.csv is not UTF-8 encoded: line 3 holds byte 0xE9 ('é' in Windows-1252). Export it again "
        f"as \"{CSV_UTF8}\" (in Dutch Excel: Save As → \"CSV UTF-8 (door komma's gescheiden) (*.csv)\") "
        "and deliver again."
    )
    assert problems[1].message.startswith("suppliers.csv is not UTF-8 encoded: line 7 holds byte 0xE9")


def test_non_utf8_beyond_the_first_chunk(landing, monkeypatch):
    """The byte scan streams in chunks; a bad byte in a later chunk keeps its line number."""
    monkeypatch.setattr("mvoi.landing_check.CHUNK_BYTES", 64)
    put_windows_1252_e_acute(landing / "tenders.csv", 40)
    problem = only(check_landing_folder(landing))
    assert "tenders.csv is not UTF-8 encoded: line 40 holds byte 0xE9" in problem.message


def test_semicolon_delimiter_with_decimal_commas(landing):
    path = landing / "invoice_lines.csv"
    rows = read_rows(path)
    amount = rows[0].index("amount")
    for row in rows[1:]:
        row[amount] = row[amount].replace(".", ",")
    write_rows(path, rows, delimiter=";")
    problem = only(check_landing_folder(landing))
    assert problem.file == str(path)
    assert problem.message.startswith(
        f"invoice_lines.csv uses ; as delimiter and decimal commas (e.g. {rows[1][amount]} in column amount), "
        "as Dutch Excel writes it"
    )
    assert f'Export it as "{CSV_UTF8}"' in problem.message
    assert "Save As → \"CSV UTF-8 (door komma's gescheiden) (*.csv)\"" in problem.message
    assert "set the list separator to ','" in problem.message


def test_truncated_mid_row(landing):
    path = landing / "invoice_lines.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    last = len(lines)
    # the last line keeps its first two values: cut after the comma that follows them
    lines[-1] = ",".join(lines[-1].split(",")[:2]) + ","
    path.write_text("".join(lines), encoding="utf-8")
    problem = only(check_landing_folder(landing))
    assert problem.message == (
        f"invoice_lines.csv is truncated: its last line {last} stops mid-row, with 3 of 10 values. "
        "Deliver the complete file again."
    )


def test_truncated_inside_a_quoted_value(landing):
    path = landing / "contracts.csv"
    data = path.read_bytes()
    last = data.count(b"\n")  # the cut line is line `last`: the file no longer ends with \n
    path.write_bytes(data[: data.rindex(b"\n", 0, len(data) - 1) + 1 + 20])
    problem = only(check_landing_folder(landing))
    assert problem.message.startswith(f"contracts.csv is truncated: its last line {last} stops mid-row")


def test_unterminated_quote(landing):
    path = landing / "invoice_lines.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    assert lines[9].startswith('"IL0000000009",')
    lines[9] = lines[9].replace('"IL0000000009",', '"IL0000000009,', 1)
    path.write_text("".join(lines), encoding="utf-8")
    problem = only(check_landing_folder(landing))
    assert problem.file == str(path)
    assert problem.message.startswith(
        "invoice_lines.csv: the record that starts on line 10 has an unterminated quote"
    )
    assert 'Close every quoted value ("...", a quote inside a value written as "")' in problem.message


def test_unterminated_quote_running_to_the_end_of_the_file(landing):
    path = landing / "organisations.csv"
    write_rows(path, [["organisation_id", "name", "government_layer", "parent_organisation_id"]])
    with path.open("a", encoding="utf-8") as f:
        f.write('1,Gemeente A,gemeente,\n2,"Gemeente B,gemeente,\n3,Gemeente C,gemeente,\n')
    problem = only(check_landing_folder(landing))
    assert problem.message.startswith(
        "organisations.csv: the quoted value that starts on line 3 is never closed: an unterminated quote"
    )


def test_record_with_other_field_count(landing):
    path = landing / "suppliers.csv"
    rows = read_rows(path)
    rows[4].append("extra")
    rows[9].append("extra")
    rows[12] = rows[12][:3]
    write_rows(path, rows)
    problem = only(check_landing_folder(landing))
    assert problem.message == (
        "suppliers.csv: line 5 has 8 values where the header has 7 (and 2 more records after it). "
        'Quote values that hold a comma or a line break ("..."), and deliver again.'
    )


def test_missing_required_column(landing):
    path = landing / "invoice_lines.csv"
    rows = read_rows(path)
    amount = rows[0].index("amount")
    write_rows(path, [row[:amount] + row[amount + 1 :] for row in rows])
    assert check_landing_folder(landing) == [
        LandingProblem(
            str(path),
            "amount",
            "invoice_lines.csv: column amount is missing; it is required by the landing contract. "
            f"Add the column (see {CONTRACT_REF}) and deliver again.",
        )
    ]


def test_column_names_match_case_insensitively_after_trim_and_bom(landing):
    path = landing / "invoice_lines.csv"
    rows = read_rows(path)
    rows[0] = [f" {name.upper()} " for name in rows[0]] + ["cost_centre"]  # extra column: fine
    for row in rows[1:]:
        row.append("CC1")
    write_rows(path, rows)
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert check_landing_folder(landing) == []


def test_duplicated_column(landing):
    path = landing / "contracts.csv"
    rows = read_rows(path)
    rows[0].append(" Start_Date ")
    for row in rows[1:]:
        row.append("")
    write_rows(path, rows)
    assert check_landing_folder(landing) == [
        LandingProblem(
            str(path),
            "start_date",
            "contracts.csv: column start_date appears 2 times in the header (names are compared "
            "case-insensitively, after trimming spaces). Keep one of them and deliver again.",
        )
    ]


def test_empty_file(landing):
    path = landing / "organisations.csv"
    path.write_bytes(b"")
    assert check_landing_folder(landing) == [
        LandingProblem(
            str(path),
            None,
            "organisations.csv is empty: it has no header row. Export the file again with its header row and data.",
        )
    ]


def test_parquet_missing_column_and_unreadable(landing):
    table = pacsv.read_csv(landing / "suppliers.csv")
    (landing / "suppliers.csv").unlink()
    pq.write_table(table.drop_columns(["name"]), landing / "suppliers.parquet")
    (landing / "tenders.csv").unlink()
    (landing / "tenders.parquet").write_bytes(b"not parquet at all")
    problems = check_landing_folder(landing)
    assert [(Path(p.file).name, p.column) for p in problems] == [
        ("suppliers.parquet", "name"),
        ("tenders.parquet", None),
    ]
    assert problems[0].message.startswith("suppliers.parquet: column name is missing")
    assert problems[1].message.startswith("tenders.parquet is not a readable Parquet file (")
    assert problems[1].message.endswith("Write it again as Parquet, or deliver tenders.csv instead.")


def test_every_problem_at_once_and_format(landing):
    (landing / "contracts.csv").unlink()
    (landing / "organisations.csv").write_bytes(b"")
    put_windows_1252_e_acute(landing / "suppliers.csv", 2)
    problems = check_landing_folder(landing)
    assert [Path(p.file).name for p in problems] == ["organisations.csv", "suppliers.csv", "contracts.csv"]
    block = format_problems(problems)
    lines = block.splitlines()
    assert lines[0] == f"Landing folder {landing} refused: 3 problem(s); nothing was built."
    assert lines[1:] == [f"- {p.message}" for p in problems]
    assert format_problems(problems, folder="X").splitlines()[0].startswith("Landing folder X refused")
    missing = check_landing_folder(landing / "gone")
    assert format_problems(missing).splitlines()[0].startswith(f"Landing folder {landing / 'gone'} refused")


def test_generated_200k_line_file_is_checked(tmp_path):
    """A large generated delivery is scanned to the end (no assertion on time)."""
    folder = tmp_path / "big"
    assert generate.main(["--out", str(folder), "--invoice-lines", "200000", "--seed", "1", "--quiet"]) == 0
    assert check_landing_folder(folder) == []
    path = folder / "invoice_lines.csv"
    lines = line_count(path)
    assert lines > 200_000
    with path.open("rb+") as f:  # cut the last line after its first value
        data = f.read()
        start = data.rindex(b"\n", 0, len(data) - 1) + 1
        f.truncate(start + data[start:].index(b",") + 1)
    problem = only(check_landing_folder(folder))
    assert problem.message.startswith(f"invoice_lines.csv is truncated: its last line {lines} stops mid-row")


def test_format_is_plain_one_line_messages(landing):
    put_windows_1252_e_acute(landing / "tenders.csv", 2)
    (landing / "tender_criteria.csv").write_text("a;b\n", encoding="utf-8")
    for problem in check_landing_folder(landing):
        assert "\n" not in problem.message
        assert Path(problem.file).name in problem.message
