"""Hostile delivered values must never become markup in the HTML the project renders.

A small generated delivery gets HTML/JS payloads in every column of every file (a few rows
per file, so the build still runs), then the real pipeline runs once: `dbt build`,
`mvoi gate-and-publish` WITH GX Data Docs (the gates may refuse the publication because of the
bad rows; the Data Docs are written anyway) and `mvoi report` (on the publication, or on the
build database when there is none). Every generated .html file is scanned for surviving
markup, and the pages that show the payloads are opened in headless Chromium to prove that no
payload ran.
"""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from pathlib import Path

import pytest
from browser import dump_dom, parse_dom, require_chromium
from pipeline import PROJECT_DIR, Pipeline

XSS_TITLE = "XSS-EXECUTED"
HOSTILE = (
    "<script>alert(1)</script>",
    f"<img src=x onerror=\"document.title='{XSS_TITLE}'\">",
    "javascript:alert(1)",
    "\"'><svg onload=alert(1)>",
)
# columns whose payload is fixed (the ones the issue reported)
PINNED = {("invoice_lines", "currency"): HOSTILE[0], ("invoice_lines", "amount"): HOSTILE[1]}
ROWS_PER_FILE = 4  # the rows that get payloads: 1..4 of each file (column j lands in row 1 + j % 4)

# what a payload looks like once escaped (html.escape with or without quote=True)
ESCAPED_MARKERS = ("&lt;script&gt;alert(", "&lt;img src=x onerror=", "&lt;svg onload=")
# raw payload markup: text that must not survive in any generated page
RAW_MARKUP = (
    re.compile(r"<script>\s*alert", re.I),
    re.compile(r"<[a-z][^<>]*\sonerror\s*=", re.I),
    re.compile(r"<svg[^<>]*\sonload", re.I),
    re.compile(r"href\s*=\s*[\"']?\s*javascript:", re.I),
)


def poison(folder: Path) -> dict[str, list[str]]:
    """Put a payload into every column of every CSV file of `folder` (a few rows per file);
    returns {file: columns poisoned}."""
    poisoned: dict[str, list[str]] = {}
    for path in sorted(folder.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.reader(fh))
        header, body = rows[0], rows[1:]
        assert len(body) > ROWS_PER_FILE, f"{path.name}: too few rows to poison"
        for j, column in enumerate(header):
            body[1 + j % ROWS_PER_FILE][j] = PINNED.get((path.stem, column), HOSTILE[j % len(HOSTILE)])
        with path.open("w", encoding="utf-8", newline="") as fh:
            csv.writer(fh, quoting=csv.QUOTE_ALL).writerows([header, *body])
        poisoned[path.stem] = header
    return poisoned


def surviving_markup(text: str) -> list[str]:
    """Payload markup found in an HTML text: raw patterns plus a parse of the elements."""
    found = [m.group(0) for pattern in RAW_MARKUP for m in pattern.finditer(text)]
    dom = parse_dom(text)
    for tag, attributes in dom.elements:
        for name, value in attributes.items():
            if name.startswith("on") and ("alert" in value or XSS_TITLE in value):
                found.append(f"<{tag} {name}={value!r}>")
            if name in ("href", "src", "action") and value.strip().lower().startswith("javascript:"):
                found.append(f"<{tag} {name}={value!r}>")
    found += [f"<script>{text}</script>" for tag, _, text in dom.texts if tag == "script" and "alert(1)" in text]
    return found


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory) -> tuple[Pipeline, list[Path], Path]:
    """One pipeline run on the poisoned delivery: (pipeline, Data Docs pages, report)."""
    require_chromium()
    work = tmp_path_factory.mktemp("hostile")
    delivery = work / "delivery"
    generated = subprocess.run(
        [sys.executable, "-m", "mvoi", "generate", "--out", str(delivery), "--invoice-lines", "300",
         "--seed", "3", "--format", "csv", "--fault-rate", "0", "--quiet"],
        cwd=PROJECT_DIR, capture_output=True, text=True, timeout=300,
    )
    assert generated.returncode == 0, generated.stderr[-3000:]
    poisoned = poison(delivery)
    assert "currency" in poisoned["invoice_lines"] and "name" in poisoned["organisations"]

    pipe = Pipeline(work / "pipeline")
    pipe.deliver(delivery)
    build = pipe.dbt_build()
    assert "Completed" in build.output or "Done." in build.output, build.tail()
    gates = pipe.mvoi("gate-and-publish")  # with Data Docs; a refused publication is fine here
    assert gates.returncode in (0, 1), gates.tail()
    report = work / "kpi_report.html"
    # without --db: the publication, or the build database when the gates refused it
    reported = pipe.mvoi("report", "--out", str(report))
    assert reported.returncode == 0 and report.exists(), reported.tail()
    pages = sorted((pipe.root / "gx").rglob("*.html"))
    assert pages, f"no Data Docs written:\n{gates.tail()}"
    return pipe, pages, report


def test_no_payload_survives_as_markup(hostile_run) -> None:
    _, pages, report = hostile_run
    problems = {}
    for page in [*pages, report]:
        found = surviving_markup(page.read_text(encoding="utf-8"))
        if found:
            problems[str(page)] = found[:5]
    assert not problems, f"unescaped payloads in the generated HTML: {problems}"
    shown = [p for p in pages if any(m in p.read_text(encoding="utf-8") for m in ESCAPED_MARKERS)]
    assert shown, "no Data Docs page shows an escaped payload: the test did not exercise the rendering"


def test_stored_validation_results_hold_no_payload(hostile_run) -> None:
    # a later full rebuild of the Data Docs renders the stored results: they must be escaped too
    pipe, _, _ = hostile_run
    stored = sorted((pipe.root / "gx" / "validations").rglob("*.json"))
    assert stored, "no validation results stored"
    raw = [p.name for p in stored if any(h in p.read_text(encoding="utf-8") for h in ("<script>", "<img ", "<svg "))]
    assert not raw, f"unescaped payloads in the stored validation results: {raw}"


def test_no_payload_runs_in_a_browser(hostile_run) -> None:
    _, pages, report = hostile_run
    shown = [p for p in pages if XSS_TITLE in p.read_text(encoding="utf-8")
             or any(m in p.read_text(encoding="utf-8") for m in ESCAPED_MARKERS)]
    assert shown, "no Data Docs page shows a payload"
    for page in [*shown, report]:
        try:
            dom = dump_dom(page.resolve().as_uri(), virtual_time_ms=2000, timeout=60)
        except subprocess.TimeoutExpired:  # an alert() dialog blocks headless Chromium
            pytest.fail(f"{page} never finished loading: a payload opened a JavaScript dialog")
        title = next((text for tag, _, text in parse_dom(dom).texts if tag == "title"), "")
        assert title != XSS_TITLE, f"a payload ran in {page}: document.title was set"
        assert XSS_TITLE not in re.findall(r"<title>(.*?)</title>", dom, re.S)
        found = surviving_markup(dom)
        assert not found, f"payload markup became live DOM in {page}: {found[:5]}"
