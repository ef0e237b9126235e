"""`mvoi build` (what `make build` runs) on real warehouses in temp folders.

One warehouse folder (MVOI_WAREHOUSE_DIR) per module, built from the bundled sample by two
builds started together: exactly one builds and publishes, the other exits at once. Then, in
the same warehouse, a delivery with 2% faults per rule is refused by the gate on the rejected
share of the spend, and everything a user sees about it is checked: the per-entity summary,
the report's banner, `mvoi rejections` and its CSV. Bad landing folders stop before dbt, in a
second warehouse, and leave the first one's publication byte-identical.
"""

from __future__ import annotations

import csv
import json
import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from pipeline import Pipeline, sha256_file, sha256_folder

from mvoi.generator import Config, generate
from mvoi.paths import connect_build

PROJECT_DIR = Path(__file__).resolve().parents[2]
# every location variable: a build in a test derives them all from its warehouse folder
LOCATION_VARIABLES = (
    "MVOI_RAW_DIR", "MVOI_DB_PATH", "MVOI_PUBLISHED_PATH", "MVOI_EXPORT_DIR", "MVOI_REPORT_PATH",
    "DBT_TARGET_PATH", "DBT_LOG_PATH", "MVOI_GX_UNCOMMITTED_DIR", "MVOI_GX_THRESHOLDS",
)
BUSY = re.compile(r"^A build of warehouse (\S+) is already running \(PID (\d+), started (\S+)\); nothing was "
                  r"changed\. Wait for it to finish, then build again\.$")


def environment(warehouse: Path, raw_dir: Path | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in LOCATION_VARIABLES}
    env.update(MVOI_WAREHOUSE_DIR=str(warehouse), DBT_PROFILES_DIR=str(PROJECT_DIR),
               DBT_SEND_ANONYMOUS_USAGE_STATS="false", PYTHONUNBUFFERED="1")
    if raw_dir is not None:
        env["MVOI_RAW_DIR"] = str(raw_dir)
    return env


@dataclass
class Finished:
    returncode: int
    stdout: str
    stderr: str
    seconds: float


def run_builds(*builds: tuple[Path, Path | None], output_dir: Path) -> list[Finished]:
    """Start `mvoi build` for every (warehouse, landing folder) at once; wait for all, timing
    each on its own (output goes to files: a pipe that nobody reads would stall dbt)."""
    started = time.monotonic()
    running = []
    for i, (warehouse, raw_dir) in enumerate(builds):
        out, err = (output_dir / f"build{i}.out").open("w"), (output_dir / f"build{i}.err").open("w")
        proc = subprocess.Popen([sys.executable, "-m", "mvoi", "build"], cwd=PROJECT_DIR,
                                env=environment(warehouse, raw_dir), stdout=out, stderr=err, text=True)
        running.append((proc, out, err))
    seconds: dict[int, float] = {}
    deadline = started + 1800
    while len(seconds) < len(running) and time.monotonic() < deadline:
        for i, (proc, _, _) in enumerate(running):
            if i not in seconds and proc.poll() is not None:
                seconds[i] = time.monotonic() - started
        time.sleep(0.2)
    results = []
    for i, (proc, out, err) in enumerate(running):
        if proc.poll() is None:
            proc.kill()
        out.close()
        err.close()
        results.append(Finished(proc.wait(), Path(out.name).read_text(), Path(err.name).read_text(),
                                seconds.get(i, float("inf"))))
    return results


def mvoi_build(warehouse: Path, raw_dir: Path | None = None) -> Finished:
    output_dir = warehouse.with_name(warehouse.name + "_output")
    output_dir.mkdir(parents=True, exist_ok=True)
    return run_builds((warehouse, raw_dir), output_dir=output_dir)[0]


def mvoi(warehouse: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mvoi", *args], cwd=PROJECT_DIR, env=environment(warehouse),
                          capture_output=True, text=True, timeout=600)


def read_rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def write_rows(path: Path, rows: list[list[str]], encoding: str = "utf-8", delimiter: str = ",") -> None:
    """Rewrite a delivered file, in another encoding or with another delimiter when asked."""
    with path.open("w", encoding=encoding, newline="") as fh:
        csv.writer(fh, delimiter=delimiter, lineterminator="\n").writerows(rows)


def publication_state(warehouse: Path) -> tuple:
    return sha256_file(warehouse / "mvoi_published.duckdb"), sha256_folder(warehouse / "export")


# -- the sample warehouse: two builds started together ------------------------------------------
@pytest.fixture(scope="module")
def sample_warehouse(tmp_path_factory) -> dict:
    warehouse = tmp_path_factory.mktemp("warehouse_sample")
    results = run_builds((warehouse, None), (warehouse, None), output_dir=tmp_path_factory.mktemp("two_builds"))
    return {"warehouse": warehouse, "results": results}


def test_two_builds_started_together_one_publishes_the_other_exits_at_once(sample_warehouse) -> None:
    results = sorted(sample_warehouse["results"], key=lambda r: r.returncode)
    winner, loser = results
    assert winner.returncode == 0, winner.stdout[-3000:] + winner.stderr[-3000:]
    assert loser.returncode == 3, loser.stdout + loser.stderr
    lines = loser.stderr.strip().splitlines()
    assert len(lines) == 1 and BUSY.match(lines[0]), loser.stderr
    assert Path(BUSY.match(lines[0]).group(1)) == sample_warehouse["warehouse"]
    assert loser.stdout == "" and loser.seconds < 30
    assert "Published run" in winner.stdout
    with duckdb.connect(str(sample_warehouse["warehouse"] / "mvoi_published.duckdb"), read_only=True) as con:
        run_id = con.execute("select run_id from meta.publication").fetchone()[0]
    status = json.loads((sample_warehouse["warehouse"] / "build_status.json").read_text())
    assert status["outcome"] == "published" and status["run_id"] == run_id


def test_every_output_lives_in_the_warehouse_folder(sample_warehouse) -> None:
    warehouse = sample_warehouse["warehouse"]
    for relative in ("mvoi.duckdb", "mvoi_published.duckdb", "export", "kpi_report.html", "build_status.json",
                     "target/run_results.json", "target/manifest.json", "target/static_index.html", "logs/dbt.log",
                     "gx/data_docs/local_site/index.html", "site/index.html", "site/assets/plotly.min.js"):
        assert (warehouse / relative).exists(), relative
    winner = min(sample_warehouse["results"], key=lambda r: r.returncode)
    for line in winner.stdout.splitlines()[-6:]:  # the locations printed at the end
        assert str(warehouse) in line, line


def test_summary_counts_every_delivered_row(sample_warehouse) -> None:
    winner = min(sample_warehouse["results"], key=lambda r: r.returncode)
    rows = parse_summary(winner.stdout)
    with connect_build(sample_warehouse["warehouse"] / "mvoi.duckdb", read_only=True) as con:
        recon = {r[0]: r[1:] for r in con.execute(
            "select entity, raw_rows, loaded_rows, rejected_rows, exact_duplicates_removed "
            "from governance.landing_reconciliation").fetchall()}
    assert set(rows) == set(recon)
    for entity, (delivered, loaded, rejected, duplicates) in rows.items():
        assert delivered == loaded + rejected + duplicates, entity
        assert (delivered, loaded, rejected, duplicates) == recon[entity], entity


def parse_summary(stdout: str) -> dict[str, tuple[int, int, int, int]]:
    """{entity: (delivered, loaded, rejected, duplicates)} from the landing summary."""
    lines = stdout.split("Landing summary", 1)[1].splitlines()[2:]
    rows = {}
    for line in lines:
        match = re.match(r"^(\w+)\s+([\d,]+)\s+([\d,]+)\s+([\d,]+)\s+[\d.]*%?\s+([\d,]+)", line)
        if not match:
            break
        rows[match.group(1)] = tuple(int(g.replace(",", "")) for g in match.groups()[1:])
    return rows


def test_stale_lock_of_a_killed_build_does_not_block(tmp_path) -> None:
    """A holder killed with SIGKILL leaves its PID in the lock file, but not the lock."""
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time\nfrom mvoi.build_lock import build_lock\nfrom pathlib import Path\n"
         "with build_lock(Path(sys.argv[1])):\n    print('held', flush=True)\n    time.sleep(600)\n",
         str(tmp_path / ".build.lock")], cwd=PROJECT_DIR, stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    from mvoi.build_lock import BuildRunning, build_lock

    with pytest.raises(BuildRunning, match=rf"PID {holder.pid}, started "):
        with build_lock(tmp_path / ".build.lock"):
            pass
    holder.send_signal(signal.SIGKILL)
    holder.wait(timeout=30)
    assert str(holder.pid) in (tmp_path / ".build.lock").read_text()
    with build_lock(tmp_path / ".build.lock"):
        assert (tmp_path / ".build.lock").read_text().split()[0] == str(os.getpid())


# -- a refused delivery in the same warehouse --------------------------------------------------
@pytest.fixture(scope="module")
def refused(sample_warehouse, tmp_path_factory) -> dict:
    """A 2,000-line delivery with 2% faults per rule (about 15% of the invoice lines
    quarantined), plus a supplier whose name is a formula, built in the sample warehouse."""
    warehouse = sample_warehouse["warehouse"]
    before = publication_state(warehouse)
    landing = tmp_path_factory.mktemp("faulty_delivery")
    generate(Config(out=landing, invoice_lines=2_000, seed=7, fault_rate=0.02, quiet=True))
    formula = '=HYPERLINK("http://example.invalid","klik")'
    rows = read_rows(landing / "invoice_lines.csv")
    values = {c: "" for c in rows[0]} | {"invoice_line_id": formula, "amount": "not-a-number"}
    write_rows(landing / "invoice_lines.csv", [*rows, [values[c] for c in rows[0]]])
    result = mvoi_build(warehouse, landing)
    return {"warehouse": warehouse, "before": before, "result": result, "formula": formula}


def test_high_rejected_share_refuses_publication(refused) -> None:
    result = refused["result"]
    assert result.returncode == 1, result.stdout[-3000:]
    assert "landing_reconciliation.spend_rejected_within_limit" in result.stdout
    assert "Publication REFUSED" in result.stdout
    assert publication_state(refused["warehouse"]) == refused["before"]
    status = json.loads((refused["warehouse"] / "build_status.json").read_text())
    assert status["outcome"] == "refused"
    assert any("spend_rejected_within_limit" in reason for reason in status["reasons"])


def test_summary_shows_the_rejections_of_the_refused_delivery(refused) -> None:
    rows = parse_summary(refused["result"].stdout)
    delivered, loaded, rejected, duplicates = rows["invoice_lines"]
    assert delivered == loaded + rejected + duplicates
    assert rejected / (delivered - duplicates) > 0.05
    line = next(x for x in refused["result"].stdout.splitlines() if x.startswith("invoice_lines "))
    assert re.search(r"\d[\d,]*\.\d\d\s+\w+ \(\d+\), \w+ \(\d+\), \w+ \(\d+\)$", line), line


def test_report_says_the_latest_build_was_refused(refused) -> None:
    report = (refused["warehouse"] / "kpi_report.html").read_text(encoding="utf-8")
    assert 'id="refused-build-banner"' in report
    assert "spend_rejected_within_limit" in report
    with duckdb.connect(str(refused["warehouse"] / "mvoi_published.duckdb"), read_only=True) as con:
        run_id = con.execute("select run_id from meta.publication").fetchone()[0]
    assert run_id in report  # which build the report shows


def test_rejections_command_lists_and_exports_without_personal_data(refused, tmp_path) -> None:
    warehouse = refused["warehouse"]
    listed = mvoi(warehouse, "rejections", "--entity", "invoice_lines", "--reason", "invalid_amount")
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert lines and all(line.startswith("invoice_lines | ") and " | invalid_amount | " in line for line in lines)
    out = tmp_path / "rejections.csv"
    exported = mvoi(warehouse, "rejections", "--out", str(out))
    assert exported.returncode == 0, exported.stderr
    with out.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    with connect_build(warehouse / "mvoi.duckdb", read_only=True) as con:
        expected = con.execute("select count(*) from governance.rejected_rows").fetchone()[0]
        descriptions = {d for (d,) in con.execute(
            "select description from raw.invoice_lines where description is not null").fetchall()}
        emails = {e for (e,) in con.execute(
            "select contact_email from raw.suppliers where contact_email is not null").fetchall()}
    assert len(rows) == expected
    text = out.read_text(encoding="utf-8")
    assert "description=" not in text and "contact_email=" not in text
    assert not [d for d in descriptions if len(d) > 20 and d in text]  # short ones are common words
    assert not [e for e in emails if e in text]
    # a date in Dutch notation is quarantined with a reason that says how to write it
    dates = mvoi(warehouse, "rejections", "--entity", "invoice_lines", "--reason", "invalid_invoice_date")
    assert dates.stdout and all("YYYY-MM-DD" in line for line in dates.stdout.splitlines())
    # the delivered formula is neutralised: a spreadsheet shows it as text
    assert any(r["source_key"] == "'" + refused["formula"] for r in rows)
    assert not any(value.startswith(("=", "+", "-", "@")) for r in rows for value in r.values())


# -- bad landing folders stop before dbt, in another warehouse ----------------------------------
def test_bad_files_stop_before_dbt_and_name_every_file(sample_warehouse, tmp_path) -> None:
    before = publication_state(sample_warehouse["warehouse"])
    landing = copy_sample(tmp_path / "landing")
    for name in ("suppliers.csv", "tenders.csv"):  # Windows-1252 exports of both
        rows = read_rows(landing / name)
        rows[1][1] += " Café Zoë"
        write_rows(landing / name, rows, encoding="cp1252")
    other = tmp_path / "other_warehouse"
    result = mvoi_build(other, landing)
    assert result.returncode == 1
    assert "Running with dbt" not in result.stdout and "Traceback" not in result.stdout + result.stderr
    assert "run_results.json" not in result.stdout
    problems = [line for line in result.stdout.splitlines() if line.startswith("- ")]
    assert [p for p in problems if "suppliers.csv" in p and "UTF-8" in p]
    assert [p for p in problems if "tenders.csv" in p and "UTF-8" in p]
    assert result.seconds < 60
    assert publication_state(sample_warehouse["warehouse"]) == before  # the other warehouse is separate
    status = json.loads((other / "build_status.json").read_text())
    assert status["outcome"] == "refused" and len(status["reasons"]) == len(problems)


def copy_sample(landing: Path) -> Path:
    landing.mkdir(parents=True)
    for path in (PROJECT_DIR / "sample").glob("*.csv"):
        (landing / path.name).write_bytes(path.read_bytes())
    return landing


def excel_nl(landing: Path) -> tuple[str, str]:
    """invoice_lines.csv as Dutch Excel saves it: `;` between fields, decimal commas."""
    rows = read_rows(landing / "invoice_lines.csv")
    amount = rows[0].index("amount")
    for row in rows[1:]:
        row[amount] = row[amount].replace(".", ",")
    write_rows(landing / "invoice_lines.csv", rows, delimiter=";")
    return "invoice_lines.csv", "CSV UTF-8"


def cut_off(landing: Path) -> tuple[str, str]:
    """contracts.csv cut off in the middle of its last row (an interrupted upload)."""
    data = (landing / "contracts.csv").read_bytes()
    (landing / "contracts.csv").write_bytes(data[: data.rindex(b"\n", 0, len(data) - 1) + 25])
    last_line = data.count(b"\n")
    return "contracts.csv", f"is truncated: its last line {last_line} stops mid-row"


@pytest.mark.parametrize("damage", [excel_nl, cut_off], ids=["excel_nl_semicolons", "cut_off_mid_row"])
def test_dutch_delivery_mistakes_get_a_plain_message(damage, tmp_path) -> None:
    landing = copy_sample(tmp_path / "landing")
    file_name, what = damage(landing)
    result = mvoi_build(tmp_path / "warehouse", landing)
    assert result.returncode == 1 and "Running with dbt" not in result.stdout
    lines = [line for line in result.stdout.splitlines() if line.startswith("- ") and file_name in line]
    assert lines and what in lines[0], result.stdout
    assert "Sniffing" not in result.stdout and "Traceback" not in result.stdout + result.stderr


def test_missing_landing_folder_stops_at_once(tmp_path) -> None:
    result = mvoi_build(tmp_path / "warehouse", tmp_path / "does_not_exist")
    assert result.returncode == 1
    assert "does_not_exist" in result.stdout and "Running with dbt" not in result.stdout
    assert result.seconds < 30


def test_excel_workbook_in_place_of_a_csv_is_named(tmp_path) -> None:
    landing = copy_sample(tmp_path / "landing")
    (landing / "invoice_lines.csv").unlink()
    (landing / "invoice_lines.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    result = mvoi_build(tmp_path / "warehouse", landing)
    assert result.returncode == 1
    line = next(x for x in result.stdout.splitlines() if "invoice_lines.xlsx" in x)
    assert "CSV UTF-8" in line and "invoice_lines.csv" in line


# -- the command line ---------------------------------------------------------------------------
def test_version_and_a_closed_pipe() -> None:
    version = subprocess.run([sys.executable, "-m", "mvoi", "--version"], capture_output=True, text=True)
    assert version.returncode == 0 and re.fullmatch(r"mvoi \d+\.\d+\.\d+\n", version.stdout)
    piped = subprocess.run(f"{sys.executable} -m mvoi validate --list-rules | head -1", shell=True,
                           cwd=PROJECT_DIR, capture_output=True, text=True)
    assert piped.stdout.strip() and "Traceback" not in piped.stderr and "BrokenPipe" not in piped.stderr


# -- exact duplicates in a small file -----------------------------------------------------------
@pytest.mark.parametrize("copies, passes", [(1, True), (5, False)])
def test_exact_duplicates_in_a_small_file(copies, passes, tmp_path) -> None:
    """One exact copy among 8 suppliers (11%) is harmless: collapsed, counted, not refused.
    Five copies are more than the 3 tolerated rows and more than 10%: refused."""
    pipe = Pipeline(tmp_path / "pipeline")
    delivery = tmp_path / "delivery"
    generate(Config(out=delivery, invoice_lines=200, seed=20261130, fault_rate=0.0, quiet=True))
    rows = read_rows(delivery / "suppliers.csv")
    write_rows(delivery / "suppliers.csv", rows[:9] + [rows[3]] * copies)  # header, 8 suppliers, copies
    pipe.deliver(delivery)
    built = pipe.dbt("build", "--select", "+landing_reconciliation", "--exclude-resource-type", "test", "unit_test")
    assert built.returncode == 0, built.tail()
    gate = pipe.mvoi("validate", "--gate", "landing", "--no-data-docs")
    assert "Traceback" not in gate.output, gate.tail()
    with connect_build(pipe.db_path, read_only=True) as con:
        success = con.execute("select success from governance.gx_validation_results "
                              "where rule_id = 'suppliers.exact_duplicates'").fetchone()[0]
        counted = con.execute("select raw_rows, loaded_rows + rejected_rows, exact_duplicates_removed "
                              "from governance.landing_reconciliation where entity = 'suppliers'").fetchone()
    assert success is passes, gate.tail()
    assert counted == (8 + copies, 8, copies)
