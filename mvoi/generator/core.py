"""Orchestration: build the world, inject faults, write the landing folder and the manifest."""

from __future__ import annotations

import json
import logging
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
from tqdm import tqdm

from mvoi.contract import entities
from mvoi.generator import faults as F
from mvoi.generator import invoices as I
from mvoi.generator import world as W
from mvoi.generator.reference import Reference, load_reference
from mvoi.generator.render import render

log = logging.getLogger(__name__)

MANIFEST_NAME = "_faults.json"
MANIFEST_VERSION = 1

# fixed sub-stream ids: every component draws from its own seeded generator, so that adding
# a component never shifts another one's numbers
STREAMS = {
    "organisations": 1, "suppliers": 2, "supplier_certificates": 3, "tenders": 4,
    "tender_criteria": 5, "contracts": 6, "extra_tenders": 7, "social_return_realisations": 8,
    "material_reports": 9, "render": 10, "faults": 20, "invoice_lines": 100,
}


@dataclass(frozen=True)
class Config:
    out: Path
    invoice_lines: int
    seed: int = 42
    years: tuple[int, int] = (2021, 2025)
    fmt: str = "csv"
    fault_rate: float = 0.0
    chunk_size: int = 500_000
    quiet: bool = False

    def manifest_args(self) -> dict:
        d = asdict(self)
        d["out"] = None  # the folder name is not part of the data (keeps manifests comparable)
        d["years"] = f"{self.years[0]}-{self.years[1]}"
        d.pop("quiet")
        return d


def _rng(cfg: Config, stream: str, *extra: int) -> np.random.Generator:
    return np.random.default_rng([cfg.seed, STREAMS[stream], *extra])


def _n_fatal(entity: str) -> int:
    return sum(1 for r in F.rules_by_entity()[entity] if r["severity"] == "fatal")


def _concat(a: W.Frame, b: W.Frame) -> W.Frame:
    return W.Frame(cols={k: np.concatenate([a.cols[k], b.cols[k]]) for k in a.cols},
                   childless=np.concatenate([a.childless, b.childless]))


def build_world(cfg: Config, ref: Reference) -> W.World:
    d0 = np.datetime64(f"{cfg.years[0]}-01-01", "D")
    d1 = np.datetime64(f"{cfg.years[1]}-12-31", "D")
    world = W.World(d0=d0, d1=d1)
    scale = W.Scale.for_lines(cfg.invoice_lines)
    R = cfg.fault_rate

    def extra(entity: str, base: int) -> int:
        # unreferenced rows for the fatal faults; the fault count is taken over base + extra rows
        e = 0
        while True:
            new = F.fault_count(R, base + e) * _n_fatal(entity)
            if new <= e:
                return e
            e = new

    taken: set[str] = set()
    orgs, org_weight = W.make_organisations(_rng(cfg, "organisations"), scale.organisations,
                                            extra("organisations", scale.organisations), taken)
    world.org_weight = org_weight
    sups, sup_weight, sup_cpv = W.make_suppliers(_rng(cfg, "suppliers"), ref, scale.suppliers,
                                                 extra("suppliers", scale.suppliers))
    world.supplier_weight, world.supplier_cpv = sup_weight, sup_cpv
    certs = W.make_certificates(_rng(cfg, "supplier_certificates"), sups, sup_weight, d0, d1)
    tenders = W.make_tenders(_rng(cfg, "tenders"), ref, orgs, org_weight, scale.tenders, d0, d1)
    criteria, themes_of = W.make_criteria(_rng(cfg, "tender_criteria"), ref, tenders, orgs)
    contracts = W.make_contracts(_rng(cfg, "contracts"), ref, world, tenders, themes_of, orgs, sups,
                                 lambda n_base: extra("contracts", n_base))
    # tenders nobody refers to (no criteria, no contract) may take fatal faults; extra ones too
    referenced = set(criteria["tender_id"]) | {t for t in contracts["tender_id"] if t is not None}
    tenders.childless = np.array([t not in referenced for t in tenders["tender_id"]])
    n_extra_t = extra("tenders", scale.tenders)
    if n_extra_t:
        extra_t = W.make_tenders(_rng(cfg, "extra_tenders"), ref, orgs, org_weight, n_extra_t, d0, d1,
                                 id_start=scale.tenders + 1)
        tenders = _concat(tenders, extra_t)
    realisations = W.make_realisations(_rng(cfg, "social_return_realisations"), contracts, d1)
    materials = W.make_material_reports(_rng(cfg, "material_reports"), contracts, d1)
    # organisations: only the extra (inactive) ones are unreferenced; suppliers: the dormant ones
    orgs.childless = org_weight == 0
    sups.childless = sup_weight == 0
    contracts.childless = contracts["_extra"].copy()
    world.frames = {
        "organisations": orgs, "suppliers": sups, "supplier_certificates": certs, "tenders": tenders,
        "tender_criteria": criteria, "contracts": contracts,
        "social_return_realisations": realisations, "material_reports": materials,
    }
    return world


# ---------------------------------------------------------------------------------------
# writing


class EntityWriter:
    """Streams string tables into <entity>.csv or <entity>.parquet."""

    def __init__(self, out: Path, entity: str, columns: tuple[str, ...], fmt: str):
        self.schema = pa.schema([(c, pa.string()) for c in columns])
        self.path = out / f"{entity}.{fmt}"
        if fmt == "csv":
            self._writer = pacsv.CSVWriter(
                str(self.path), self.schema,
                write_options=pacsv.WriteOptions(include_header=True, quoting_style="needed"),
            )
        elif fmt == "parquet":
            self._writer = pq.ParquetWriter(str(self.path), self.schema, compression="zstd")
        else:
            raise ValueError(f"unknown format {fmt}")
        self.rows = 0

    def write(self, table: pa.Table) -> None:
        self._writer.write_table(table.cast(self.schema))
        self.rows += table.num_rows

    def close(self) -> None:
        self._writer.close()


def _rows_to_table(rows: list[dict], columns: tuple[str, ...]) -> pa.Table:
    return pa.table({c: pa.array([r[c] for r in rows], pa.string()) for c in columns})


def _entity_totals(rows_written: int, ef: F.EntityFaults) -> dict:
    exact = sum(ef.exact_duplicate_keys.values())
    rejected = sum(f["count"] for f in ef.faults.values() if f["severity"] == "fatal")
    warned = sum(f["count"] for f in ef.faults.values() if f["severity"] == "warning")
    return {
        "rows_written": rows_written,
        "expected_loaded": rows_written - exact - rejected,
        "expected_rejected": rejected,
        "exact_duplicates_removed": exact,
        "expected_rows_with_warnings": warned,
        "cosmetic_values": ef.cosmetic_values,
    }


def _fault_entries(ef: F.EntityFaults) -> dict:
    out = dict(ef.faults)
    out["exact_duplicate"] = {
        "severity": "exact_duplicate",
        "count": sum(ef.exact_duplicate_keys.values()),
        "keys": [{"key": k, "extra_copies": c} for k, c in sorted(ef.exact_duplicate_keys.items())],
    }
    return out


def generate(cfg: Config, reference: Reference | None = None) -> dict:
    """Write the landing folder; returns the manifest (also written to _faults.json)."""
    ref = reference or load_reference()
    cfg.out.mkdir(parents=True, exist_ok=True)
    contract = entities()
    world = build_world(cfg, ref)
    d1 = str(world.d1)
    manifest: dict = {
        "manifest_version": MANIFEST_VERSION,
        "generator": cfg.manifest_args(),
        "rules_source": "seeds/reference/landing_rules.csv",
        "conventions": {
            "count": "raw rows that carry the reason (a conflicting duplicate counts both rows of a key)",
            "keys": "the key of every such row as written (trimmed); conflicting duplicates list each key once",
            "missing_key": "rows with a blank key carry no key; only their count can be compared",
            "exact_duplicate": "identical copies of clean rows; count = extra copies to remove",
            "one_rule_per_row": "every damaged row violates exactly the one rule it is listed under",
        },
        "entities": {},
    }
    for pos, (name, ent) in enumerate(contract.items()):
        if name == "invoice_lines":
            manifest["entities"][name] = _write_invoice_lines(cfg, world, ref, ent.columns)
            continue
        frame = world.frames[name]
        rows = render(frame, ent.columns, ref, _rng(cfg, "render", pos))
        rows, ef = F.inject(name, ent.key, rows, frame.childless, cfg.fault_rate, _rng(cfg, "faults", pos), ref, d1)
        writer = EntityWriter(cfg.out, name, ent.columns, cfg.fmt)
        writer.write(_rows_to_table(rows, ent.columns))
        writer.close()
        manifest["entities"][name] = {**_entity_totals(len(rows), ef), "faults": _fault_entries(ef)}
    (cfg.out / MANIFEST_NAME).write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return manifest


def _write_invoice_lines(cfg: Config, world: W.World, ref: Reference, columns: tuple[str, ...]) -> dict:
    assert tuple(columns) == I.COLUMNS, "invoice_lines columns differ from the landing contract"
    ctx = I.build_context(world, ref)
    n = cfg.invoice_lines
    if cfg.fault_rate > 0:
        # a tiny N still gets at least one damaged row per rule: generate a few more lines
        n = max(n, len(I.INVOICE_FAULTS) * F.fault_count(cfg.fault_rate, n) + 1)
    chunk = max(cfg.chunk_size, 1_000)  # a chunk must hold every rule's share of faults
    sizes = [min(chunk, n - s) for s in range(0, n, chunk)] or [0]
    quotas = I.quotas(cfg.fault_rate, n, sizes)
    writer = EntityWriter(cfg.out, "invoice_lines", columns, cfg.fmt)
    ef = F.EntityFaults()
    rules = {r["reason_code"]: r for r in F.rules_by_entity()["invoice_lines"]}
    keys: dict[str, list] = {r: [] for r in rules}
    counts: dict[str, int] = {r: 0 for r in rules}
    bar = tqdm(total=n, unit="line", unit_scale=True, desc="invoice_lines", file=sys.stderr,
               disable=cfg.quiet or not sys.stderr.isatty())
    first_line, first_header = 1, 1
    for c, size in enumerate(sizes):
        if size == 0:
            break
        res, used = I.make_chunk(ctx, _rng(cfg, "invoice_lines", c), first_line, first_header, size,
                                 quotas[c], cfg.fault_rate)
        first_line += size
        first_header += used
        writer.write(res.table)
        for reason, k in res.faults.items():
            keys[reason].extend(k)
        for reason, k in res.counts.items():
            counts[reason] += k
        ef.exact_duplicate_keys.update(res.exact)
        ef.cosmetic_values += res.cosmetic
        bar.update(size)
    bar.close()
    writer.close()
    for reason, rule in rules.items():
        entry = {"severity": rule["severity"], "column": rule["column_name"], "count": counts[reason],
                 "keys": sorted(keys[reason])}
        if reason == "missing_key":
            entry["note"] = "the key is blank, so the rows carry no key; compare counts"
        ef.faults[reason] = entry
    return {**_entity_totals(writer.rows, ef), "faults": _fault_entries(ef)}
