"""mvoi.deliveries: `mvoi deliver` receives a landing folder of one organisation into the landing
store: a register line per delivery, byte-identical originals and one Parquet file per entity
holding the values the loader macro (macros/load_landing.sql) reads from the same file. The
deliveries are the bundled sample copied to tmp_path, then changed or damaged."""

from __future__ import annotations

import json
import shutil
import stat
import threading
from pathlib import Path

import duckdb
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from mvoi import paths
from mvoi.cli import main
from mvoi.contract import entities
from mvoi.deliveries import DeliveryError, accepted_deliveries, read_register, receive

SAMPLE_DIR = Path(__file__).resolve().parents[2] / "sample"
OIN = "00000001653064871000"
OTHER_OIN = "00000001573167734000"
# the options of the reader in macros/load_landing.sql
MACRO_CSV = (
    "read_csv('{path}', all_varchar = true, delim = ',', quote = '\"', escape = '\"', encoding = 'utf-8', "
    "header = true, strict_mode = true, null_padding = false)"
)
REGISTER_KEYS = [
    "delivery_id", "sequence", "organisation_id", "period", "received_at", "status", "reason",
    "content_sha256", "source_folder", "files",
]


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    """A complete delivery: the bundled sample folder (its README and fault list included)."""
    return Path(shutil.copytree(SAMPLE_DIR, tmp_path / "landing"))


@pytest.fixture
def store(tmp_path: Path, monkeypatch) -> Path:
    """The landing store, through MVOI_LANDING_STORE (receive() is called without `store`)."""
    store = tmp_path / "store"
    monkeypatch.setenv("MVOI_LANDING_STORE", str(store))
    assert paths.landing_store_dir() == store
    return store


def snapshot(store: Path) -> dict[str, bytes]:
    """Every file of the store but the register and the lock, with its contents."""
    return {
        str(p.relative_to(store)): p.read_bytes()
        for p in sorted(store.rglob("*"))
        if p.is_file() and p.name not in ("register.jsonl", ".lock")
    }


def register_lines(store: Path) -> list[str]:
    return (store / "register.jsonl").read_text(encoding="utf-8").splitlines()


def rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


def test_accepted_delivery(landing, store):
    record = receive(landing, OIN, 2024)

    assert record["identical"] is False and record["problems"] == []
    assert record["delivery_id"] == "D000001" and record["sequence"] == 1 and record["status"] == "accepted"
    assert record["organisation_id"] == OIN and record["period"] == 2024 and record["reason"] is None
    assert record["source_folder"] == str(landing)
    (line,) = register_lines(store)
    written = json.loads(line)
    assert list(written) == REGISTER_KEYS
    assert written == {k: v for k, v in record.items() if k in REGISTER_KEYS}
    assert read_register(store) == [written] and accepted_deliveries(store, OIN) == [written]
    assert accepted_deliveries(store, OTHER_OIN) == []
    with duckdb.connect() as con:
        (received_at,) = con.execute("select cast(? as timestamp)", [written["received_at"]]).fetchone()
        assert received_at is not None

        folder = store / "deliveries" / "D000001"
        assert [f["file_name"] for f in written["files"]] == [f"{e}.csv" for e in entities()]
        for entity, info in zip(entities().values(), written["files"], strict=True):
            parquet = folder / f"{entity.name}.parquet"
            source = str(landing / info["file_name"])
            assert pq.read_schema(parquet).names == list(entity.columns)
            types = rows(con, f"select distinct column_type from (describe select * from '{parquet}')")
            assert types == [("VARCHAR",)]
            columns = ", ".join(f'"{c}"' for c in entity.columns)
            expected = rows(con, f"select {columns} from {MACRO_CSV.format(path=source)}")
            assert rows(con, f"select * from '{parquet}'") == expected
            assert info["row_count"] == len(expected) > 0
            assert info["bytes"] == (landing / info["file_name"]).stat().st_size
    assert sorted(p.name for p in (folder / "original").iterdir()) == sorted(f"{e}.csv" for e in entities())
    for path in folder.rglob("*"):
        if path.is_file():
            assert stat.S_IMODE(path.stat().st_mode) == 0o444, path
    for original in (folder / "original").iterdir():
        assert original.read_bytes() == (landing / original.name).read_bytes()
    assert not list((store / "deliveries").glob(".tmp-*"))


def test_values_as_the_macro_reads_them(landing, store):
    """Header names match case-insensitively after trimming (and a BOM); an optional column the
    file lacks is all null, an extra column is dropped; values are not trimmed or cleaned."""
    (landing / "organisations.csv").write_bytes(
        b'\xef\xbb\xbf Organisation_ID ,NAME,Extra,government_layer\r\n'
        b'"00000001653064871000", Ministerie ,x,rijk\r\n'
        b'00000001573167734000,,,RIJK \r\n'
    )
    table = pacsv.read_csv(landing / "material_reports.csv", convert_options=pacsv.ConvertOptions(
        column_types={"report_id": "string", "contract_id": "string", "period_end": "string"}))
    pq.write_table(table.rename_columns([c.upper() for c in table.column_names]), landing / "material_reports.parquet")
    (landing / "material_reports.csv").unlink()

    record = receive(landing, OIN, None)

    assert record["status"] == "accepted", record["reason"]
    folder = store / "deliveries" / record["delivery_id"]
    with duckdb.connect() as con:
        assert rows(con, f"select * from '{folder / 'organisations.parquet'}'") == [
            ("00000001653064871000", " Ministerie ", "rijk", None),
            ("00000001573167734000", None, "RIJK ", None),
        ]
        expected = rows(con, "select " + ", ".join(f'cast("{c.upper()}" as varchar)' for c in table.column_names)
                        + f" from '{landing / 'material_reports.parquet'}'")
        assert rows(con, f"select * from '{folder / 'material_reports.parquet'}'") == expected
    assert (folder / "original" / "material_reports.parquet").read_bytes() == (
        landing / "material_reports.parquet").read_bytes()


def test_delivery_without_an_optional_entity(landing, store):
    (landing / "material_reports.csv").unlink()
    record = receive(landing, OIN, None)
    assert record["status"] == "accepted"
    folder = store / "deliveries" / "D000001"
    assert not (folder / "material_reports.parquet").exists()
    assert "material_reports" not in {f["entity"] for f in record["files"]}


def refuse(landing: Path, store: Path) -> dict:
    """Receive the damaged landing folder after an accepted delivery; assert that only the
    refused register line was added."""
    receive(SAMPLE_DIR, OIN, None)
    before = snapshot(store)
    record = receive(landing, OIN, 2024)
    assert record["status"] == "refused" and record["identical"] is False and record["problems"]
    assert snapshot(store) == before
    lines = register_lines(store)
    assert len(lines) == 2
    written = json.loads(lines[-1])
    assert written == {k: v for k, v in record.items() if k in REGISTER_KEYS}
    assert written["delivery_id"] == "D000002" and written["sequence"] == 2
    assert written["reason"] == " | ".join(p.message for p in record["problems"])
    assert all(f["row_count"] is None for f in written["files"])
    assert [d["delivery_id"] for d in accepted_deliveries(store)] == ["D000001"]
    return written


def test_refused_missing_required_file(landing, store):
    (landing / "organisations.csv").unlink()
    written = refuse(landing, store)
    assert "organisations.csv (or organisations.parquet) is missing" in written["reason"]
    assert "organisations" not in {f["entity"] for f in written["files"]}
    assert all(f["sha256"] and f["bytes"] for f in written["files"])


def test_refused_non_utf8_file(landing, store):
    path = landing / "invoice_lines.csv"
    path.write_bytes(path.read_bytes().decode("utf-8").encode("cp1252"))
    written = refuse(landing, store)
    assert "invoice_lines.csv is not UTF-8 encoded" in written["reason"]
    (info,) = [f for f in written["files"] if f["entity"] == "invoice_lines"]
    assert info["bytes"] == path.stat().st_size and info["sha256"]


def test_refused_missing_required_column(landing, store):
    path = landing / "suppliers.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('"kvk_number"', '"chamber_number"', 1), encoding="utf-8")
    written = refuse(landing, store)
    assert "suppliers.csv: column kvk_number is missing" in written["reason"]


def test_refused_file_the_loader_cannot_read(landing, store):
    """A file the landing check passes but DuckDB's reader (the loader's options) cannot read:
    here line endings that change half-way."""
    (landing / "organisations.csv").write_bytes(
        b'"organisation_id","name","government_layer"\r\n"00000001653064871000","a","rijk"\n'
        b'"00000001573167734000","b","rijk"\r\n'
    )
    written = refuse(landing, store)
    assert written["reason"].startswith("organisations.csv cannot be read the way the build reads it (")
    assert ".tmp-" not in written["reason"] and "deliver again" in written["reason"]
    assert all(f["sha256"] for f in written["files"])
    assert not list((store / "deliveries").glob(".tmp-*"))


def test_refused_folder_without_landing_file(tmp_path, store):
    folder = tmp_path / "empty"
    folder.mkdir()
    record = receive(folder, OIN, None)
    assert record["status"] == "refused" and record["files"] == []
    assert "holds no landing file" in record["reason"]
    assert snapshot(store) == {}


def test_same_files_twice_change_nothing(landing, store, capsys):
    first = receive(landing, OIN, 2024)
    before = snapshot(store), register_lines(store)

    again = receive(landing, OIN, 2024)
    assert again["identical"] is True
    assert again["delivery_id"] == first["delivery_id"] and again["received_at"] == first["received_at"]
    assert (snapshot(store), register_lines(store)) == before
    assert not list((store / "deliveries").glob(".tmp-*"))

    assert main(["deliver", str(landing), "--organisation", OIN, "--period", "2024"]) == 0
    assert capsys.readouterr().out.strip() == (
        f"identical to D000001 received {first['received_at']}: nothing changed"
    )
    assert (snapshot(store), register_lines(store)) == before


def test_new_period_changed_file_or_other_organisation_is_a_new_delivery(landing, store):
    ids = [receive(landing, OIN, 2024)["delivery_id"]]
    ids.append(receive(landing, OIN, 2025)["delivery_id"])
    ids.append(receive(landing, OIN, None)["delivery_id"])
    ids.append(receive(landing, OTHER_OIN, None)["delivery_id"])
    with (landing / "organisations.csv").open("a", encoding="utf-8") as f:
        f.write('"00000001234567890000","Gemeente Test","gemeente",\n')
    changed = receive(landing, OIN, None)
    ids.append(changed["delivery_id"])

    assert ids == ["D000001", "D000002", "D000003", "D000004", "D000005"]
    assert [r["sequence"] for r in read_register(store)] == [1, 2, 3, 4, 5]
    assert len({r["content_sha256"] for r in read_register(store)}) == 5
    (organisations,) = [f for f in changed["files"] if f["entity"] == "organisations"]
    assert organisations["row_count"] == 20
    # back to the files of D000003: not identical to the organisation's latest (D000005)
    (landing / "organisations.csv").write_bytes((SAMPLE_DIR / "organisations.csv").read_bytes())
    assert receive(landing, OIN, None)["delivery_id"] == "D000006"


@pytest.mark.parametrize(
    ("organisation", "period"),
    [("1653064871000", None), ("0000000165306487100x", None), (OIN, 1899), (OIN, 2101)],
)
def test_wrong_organisation_or_period_records_nothing(landing, store, organisation, period):
    with pytest.raises(DeliveryError):
        receive(landing, organisation, period)
    assert not (store / "register.jsonl").exists()


def test_command(landing, store, capsys):
    assert main(["deliver", str(landing), "--organisation", OIN, "--period", "2024"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"Delivery D000001 accepted: organisation {OIN}, period 2024")
    assert "invoice_lines.csv" in out and "3,019 rows" in out

    assert main(["deliver", str(landing), "--organisation", "123"]) == 2
    assert "is not an OIN" in capsys.readouterr().err

    (landing / "organisations.csv").unlink()
    assert main(["deliver", str(landing), "--organisation", OIN]) == 1
    out = capsys.readouterr().out
    assert f"Landing folder {landing} refused: 1 problem(s)" in out and "organisations.csv" in out

    assert main(["deliver", "--list"]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].split()[:2] == ["delivery", "received_at"]
    assert [line.split()[0] for line in table[1:]] == ["D000001", "D000002"]
    assert "accepted" in table[1] and "refused" in table[2]


def test_leftovers_of_an_interrupted_receive_are_removed(landing, store):
    receive(landing, OIN, 2024)
    # a crash: a .tmp- folder, a renamed delivery folder without its register line, a cut-off line
    (store / "deliveries" / ".tmp-D000002" / "original").mkdir(parents=True)
    shutil.copytree(store / "deliveries" / "D000001", store / "deliveries" / "D000002")
    with (store / "register.jsonl").open("a", encoding="utf-8") as f:
        f.write('{"delivery_id": "D000002", "sequ')
    assert [r["delivery_id"] for r in read_register(store)] == ["D000001"]

    record = receive(landing, OIN, 2025)

    assert record["delivery_id"] == "D000002" and record["status"] == "accepted"
    assert sorted(p.name for p in (store / "deliveries").iterdir()) == ["D000001", "D000002"]
    assert [json.loads(line)["delivery_id"] for line in register_lines(store)] == ["D000001", "D000002"]


def test_concurrent_receives_get_distinct_ids(landing, store):
    results: list[dict] = []
    threads = [threading.Thread(target=lambda p=p: results.append(receive(landing, OIN, p))) for p in range(2020, 2024)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(r["delivery_id"] for r in results) == ["D000001", "D000002", "D000003", "D000004"]
    assert [r["sequence"] for r in read_register(store)] == [1, 2, 3, 4]
    assert sorted(p.name for p in (store / "deliveries").iterdir()) == ["D000001", "D000002", "D000003", "D000004"]
