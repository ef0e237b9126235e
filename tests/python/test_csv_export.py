"""mvoi.csv_export: CSV cells a spreadsheet would run as a formula are neutralised."""

from __future__ import annotations

import csv
import datetime as dt
import decimal

import pytest

from mvoi.csv_export import safe_cell, write_csv


@pytest.mark.parametrize("value", [
    "=1+1", "=HYPERLINK(\"http://evil\",\"x\")", "+31 6 1234", "-2+3", "@SUM(A1:A2)",
    "\t=1+1", "\r=1+1", "=", "-",
])
def test_dangerous_text_gets_a_quote(value):
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize("value", [
    "", "EUR", "Rijkswaterstaat", "45110000-1", "1 + 1", " =1+1", "'=1+1", "a=b", "e-mail@x.nl",
    "<script>alert(1)</script>",
])
def test_safe_text_is_unchanged(value):
    assert safe_cell(value) == value


@pytest.mark.parametrize("value", [
    -5, -1.25, 0, 3, 2.5, decimal.Decimal("-12.30"), True, None, dt.date(2024, 1, 31),
])
def test_non_text_is_unchanged(value):
    assert safe_cell(value) is value


def test_written_file_round_trips(tmp_path):
    header = ["id", "=name", "amount", "note"]
    rows = [
        ["IL1", "=cmd|' /C calc'!A0", -12.5, "ok, with a comma"],
        ["IL2", "+1", None, "line\nbreak and \"quotes\""],
        ["IL3", "\tindent", 7, "@home"],
        ["IL4", "Gemeente Utrecht", decimal.Decimal("-3.10"), "-"],
    ]
    path = write_csv(tmp_path / "out.csv", header, rows)
    raw = path.read_bytes()
    raw.decode("utf-8")  # UTF-8
    with path.open(encoding="utf-8", newline="") as fh:
        read = list(csv.reader(fh))
    assert read == [
        ["id", "'=name", "amount", "note"],
        ["IL1", "'=cmd|' /C calc'!A0", "-12.5", "ok, with a comma"],
        ["IL2", "'+1", "", "line\nbreak and \"quotes\""],
        ["IL3", "'\tindent", "7", "'@home"],
        ["IL4", "Gemeente Utrecht", "-3.10", "'-"],
    ]


def test_non_ascii_text_is_written_as_utf8(tmp_path):
    path = write_csv(tmp_path / "out.csv", ["naam"], [["Súdwest-Fryslân €"]])
    assert path.read_bytes().decode("utf-8").splitlines()[1] == "Súdwest-Fryslân €"
