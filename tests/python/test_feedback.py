"""`mvoi feedback DELIVERY_ID --out DIR` on the real pipeline (docs/deliveries.md, "Feedback to
the delivering organisation").

Generated fault-free deliveries (`mvoi generate --per-organisation`) of three organisations go
into one landing store, with faults written into the CSV text: organisation A's invoice lines
get an amount `12,50` (fatal), a blank invoice number (warning), a markup currency (fatal) and a
formula as a key, with a description (personal data) that holds markup and a formula; one of A's
suppliers with an e-mail address gets a bad KvK number (warning). B gets bad rows of its own; C
delivers twice (its first delivery is superseded); A's last attempt is refused. One `dbt build`.
"""

from __future__ import annotations

import csv
import json
import shutil
from collections import Counter
from pathlib import Path

import pytest
from pipeline import Pipeline

from mvoi.csv_export import FORMULA_PREFIXES
from mvoi.feedback import CSV_COLUMNS
from mvoi.paths import connect_build

FORMULA = '=HYPERLINK("http://evil.example","klik")'
SCRIPT = "<script>alert(1)</script>"
SECRET_DESCRIPTION = f"{SCRIPT} Geheime omschrijving {FORMULA}"


def _edit(folder: Path, entity: str, change) -> None:
    """Rewrite `<entity>.csv` after `change(header_index, rows)` (an empty cell stays unquoted)."""
    path = folder / f"{entity}.csv"
    with path.open(newline="", encoding="utf-8") as f:
        header, *rows = list(csv.reader(f))
    change({c: i for i, c in enumerate(header)}, rows)
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([header, *rows])


def _faults_a(i: dict, rows: list[list[str]]) -> None:
    rows[0][i["amount"]] = "12,50"  # fatal: invalid_amount
    rows[1][i["invoice_number"]] = ""  # warning: missing_invoice_number
    rows[2][i["currency"]] = SCRIPT  # fatal: unsupported_currency, markup in a delivered value
    rows[3][i["invoice_line_id"]] = FORMULA  # a formula as the key, of a row with a warning
    rows[3][i["invoice_number"]] = ""
    rows[3][i["description"]] = SECRET_DESCRIPTION  # personal data: only its hash may leave


def _faults_b(i: dict, rows: list[list[str]]) -> None:
    rows[0][i["amount"]] = "abc"
    rows[1][i["invoice_number"]] = ""


def _kvk_fault(emails: list[str]):
    def change(i: dict, rows: list[list[str]]) -> None:
        emails.extend(r[i["contact_email"]] for r in rows if r[i["contact_email"]])
        row = next(r for r in rows if r[i["contact_email"]])
        row[i["kvk_number"]] = "12AB"  # warning: invalid_kvk_number, on a row with an e-mail
    return change


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict:
    from mvoi.generate import main

    root = tmp_path_factory.mktemp("feedback")
    generated = root / "generated"
    assert main(["--out", str(generated), "--invoice-lines", "300", "--seed", "7", "--per-organisation",
                 "--quiet"]) == 0
    a, b, c = json.loads((generated / "_organisations.json").read_text())["organisations"][:3]
    emails: list[str] = []
    folders = {}
    for name, oin in (("a", a), ("b", b), ("c1", c), ("c2", c), ("refused", a)):
        folders[name] = shutil.copytree(generated / oin, root / name)
    _edit(folders["a"], "invoice_lines", _faults_a)
    _edit(folders["a"], "suppliers", _kvk_fault(emails))
    _edit(folders["b"], "invoice_lines", _faults_b)
    _edit(folders["c2"], "invoice_lines", lambda i, rows: rows[0].__setitem__(i["amount"], "1.00"))
    (folders["refused"] / "organisations.csv").unlink()

    pipe = Pipeline(root / "pipeline", landing_mode=False)
    ids = {}
    for name, oin in (("a", a), ("b", b), ("c1", c), ("c2", c), ("refused", a)):
        step = pipe.mvoi("deliver", str(folders[name]), "--organisation", oin)
        assert step.returncode == (1 if name == "refused" else 0), step.tail()
        ids[name] = [json.loads(line) for line in (pipe.store / "register.jsonl").read_text().splitlines()][-1]["delivery_id"]
    build = pipe.dbt_build()
    # the feedback needs staging and governance built; a failing data test elsewhere is not its concern
    with connect_build(pipe.db_path, read_only=True) as con:
        assert con.execute("select count(*) from governance.rejected_rows").fetchone()[0] > 0, build.tail()
    return {"pipe": pipe, "ids": ids, "oin": {"a": a, "b": b, "c": c}, "emails": emails, "root": root}


def _feedback(built: dict, name: str) -> tuple:
    """Run `mvoi feedback` on the delivery `name`; (step, csv rows, html text)."""
    delivery_id = built["ids"][name]
    out = built["root"] / "out" / name
    step = built["pipe"].mvoi("feedback", delivery_id, "--out", str(out))
    assert step.returncode == 0, step.tail()
    with (out / f"feedback_{delivery_id}.csv").open(newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = next(reader)
        rows = [dict(zip(header, r, strict=True)) for r in reader]
    assert tuple(header) == CSV_COLUMNS
    return step, rows, (out / f"feedback_{delivery_id}.html").read_text(encoding="utf-8")


def _expected(built: dict, name: str, oin: str) -> Counter:
    """(kind, entity, source key without the OIN scope, reason code) of the delivery, from the
    governance tables."""
    with connect_build(built["pipe"].db_path, read_only=True) as con:
        rows = con.execute("""
            select 'rejected', entity, source_key, reason_code from governance.rejected_rows where delivery_id = $id
            union all
            select 'warning', entity, source_key, reason_code from governance.row_warnings where delivery_id = $id
            """, {"id": built["ids"][name]}).fetchall()
    return Counter((k, e, key.removeprefix(f"{oin}:"), r) for k, e, key, r in rows)


def _unquote(cell: str) -> str:
    return cell[1:] if cell.startswith("'") else cell


def test_the_csv_holds_exactly_the_deliverys_rejected_rows_and_warnings(built) -> None:
    a, b = built["oin"]["a"], built["oin"]["b"]
    step, rows, _ = _feedback(built, "a")
    got = Counter((r["kind"], r["entity"], _unquote(r["source_key"]), r["reason_code"]) for r in rows)
    expected = _expected(built, "a", a)
    assert got == expected
    assert {(k, e, r) for k, e, _, r in got} >= {
        ("rejected", "invoice_lines", "invalid_amount"), ("rejected", "invoice_lines", "unsupported_currency"),
        ("warning", "invoice_lines", "missing_invoice_number"), ("warning", "suppliers", "invalid_kvk_number")}
    # the key as delivered (no "<OIN>:" scope), the contract's description as the reason
    assert not any(r["source_key"].startswith(a) for r in rows if r["entity"] != "organisations")
    amount = next(r for r in rows if r["reason_code"] == "invalid_amount")
    assert "amount=12,50" in amount["delivered_values"] and amount["column"] == "amount"
    assert "decimal separator" in amount["reason"]
    # nothing of B: its keys, its OIN
    theirs = _expected(built, "b", b)
    assert theirs and not {key for _, _, key, _ in theirs} & {key for _, _, key, _ in got}
    text = "\n".join(map(str, rows))
    assert b not in text
    counts = Counter(r["kind"] for r in rows)
    assert f"{counts['rejected']} rejected rows, {counts['warning']} warnings" in step.output
    assert f"feedback_{built['ids']['a']}.csv" in step.output and f"feedback_{built['ids']['a']}.html" in step.output


def test_b_gets_its_own_rows_only(built) -> None:
    _, rows, html = _feedback(built, "b")
    got = Counter((r["kind"], r["entity"], _unquote(r["source_key"]), r["reason_code"]) for r in rows)
    assert got == _expected(built, "b", built["oin"]["b"])
    assert ("rejected", "invoice_lines", "invalid_amount") in {(k, e, r) for k, e, _, r in got}
    assert built["oin"]["a"] not in html and "12,50" not in html


def test_no_markup_no_formula_no_personal_data(built) -> None:
    _, rows, html = _feedback(built, "a")
    raw_csv = (built["root"] / "out" / "a" / f"feedback_{built['ids']['a']}.csv").read_text(encoding="utf-8")
    # the formula key is neutralised; no cell of the CSV starts a formula
    assert any(r["source_key"] == "'" + FORMULA for r in rows)
    assert not [c for r in rows for c in r.values() if c.startswith(FORMULA_PREFIXES)]
    # the markup currency is shown escaped; the page is self-contained
    assert "<script" not in html.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert not [t for t in ("<link", " src=", "url(", "@import") if t in html.lower()]
    # personal data only as hashes: no description, no e-mail address in clear
    for text in (raw_csv, html):
        assert "Geheime omschrijving" not in text
        assert built["emails"] and not [e for e in built["emails"] if e in text]
    assert "contact_email_hash=" in raw_csv and "description_hash=" in raw_csv


def test_the_page_shows_the_delivery_its_files_and_counts(built) -> None:
    delivery_id = built["ids"]["a"]
    _, rows, html = _feedback(built, "a")
    assert 'lang="nl"' in html and delivery_id in html and built["oin"]["a"] in html
    assert "geaccepteerd (accepted)" in html
    with connect_build(built["pipe"].db_path, read_only=True) as con:
        files = con.execute("select file_name, row_count from raw.delivery_files where delivery_id = ?",
                            [delivery_id]).fetchall()
    assert files
    for file_name, row_count in files:
        assert f'<td class="code">{file_name}</td>' in html and f'<td class="num">{row_count}</td>' in html
    for reason_code in {r["reason_code"] for r in rows}:
        assert f'<td class="code">{reason_code}</td>' in html
    assert html.count('<tr class="rejected"><td class="kind">') >= sum(r["kind"] == "rejected" for r in rows)


def test_refused_superseded_and_unknown_deliveries(built) -> None:
    step, rows, html = _feedback(built, "refused")
    assert rows == [] and "refused" in step.output
    assert 'data-state="refused"' in html and "organisations.csv" in html and '<tr class="rejected">' not in html

    step, rows, html = _feedback(built, "c1")
    assert rows == [] and f"superseded by {built['ids']['c2']}" in step.output
    assert 'data-state="superseded"' in html and built["ids"]["c2"] in html

    step, rows, html = _feedback(built, "c2")
    assert "superseded" not in step.output and "data-state" not in html

    out = built["root"] / "out" / "unknown"
    step = built["pipe"].mvoi("feedback", "D000099", "--out", str(out))
    assert step.returncode == 2
    assert "D000099" in step.output and "mvoi deliver --list" in step.output
    assert not out.exists()
