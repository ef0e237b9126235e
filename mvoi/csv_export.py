"""CSV files for people who open them in Excel or LibreOffice: no formula injection.

A spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` as a formula (tab and
carriage return can hide such a start), so a delivered value like `=HYPERLINK(...)` in an
exported rejection list would run on the data steward's machine. OWASP's advice
(https://owasp.org/www-community/attacks/CSV_Injection): prefix such a text cell with a single
quote. Only text is touched: a number stays a number (also a negative one).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """`value`, with a single quote in front when it is text a spreadsheet would run."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Path:
    """Write `header` and `rows` as a UTF-8 CSV file (comma separated, minimal quoting, None as
    an empty cell), every cell neutralised with `safe_cell`; returns `path`."""
    path = Path(path)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow([safe_cell(c) for c in header])
        writer.writerows([safe_cell(c) for c in row] for row in rows)
    return path
