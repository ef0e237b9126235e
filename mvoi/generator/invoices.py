"""Invoice lines: vectorised generation in chunks, with fault injection per chunk.

A chunk is built as invoices (headers: organisation, supplier, contract, date) expanded into
1-n lines each; every column is a pyarrow string array built with pyarrow compute (no Python
loop per row). Faults are patched into a few rows per chunk with `replace_with_mask`, and
duplicate rows are appended at the end of the chunk.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from mvoi.generator import faults as F
from mvoi.generator import names
from mvoi.generator.reference import Reference
from mvoi.generator.world import World

COLUMNS = (
    "invoice_line_id", "invoice_number", "organisation_id", "supplier_id", "contract_id",
    "invoice_date", "amount", "currency", "cpv_code", "description",
)
P_CONTRACT = 0.6  # share of invoices booked against a contract
CREDIT_NOTE_SHARE = 0.03
SIZE_AMOUNT = {"micro": 0.6, "small": 0.95, "medium": 1.3, "large": 1.9}


@dataclass
class InvoiceContext:
    """Everything a chunk needs, prepared once from the world."""

    d0: np.datetime64
    n_days: int
    cum_day_weight: np.ndarray  # length n_days + 1
    org_ids: pa.Array
    org_p: np.ndarray
    sup_ids: pa.Array
    sup_p: np.ndarray
    sup_amount: np.ndarray
    sup_cpv: np.ndarray  # index into CPV list
    con_ids: pa.Array
    con_p: np.ndarray
    con_org: np.ndarray
    con_sup: np.ndarray
    con_cpv: np.ndarray
    con_from: np.ndarray  # day offsets
    con_to: np.ndarray
    con_scale: np.ndarray
    cpv_full: pa.Array  # 'XXXXXXXX-D' per CPV list entry
    cpv_bare: pa.Array
    descriptions: pa.Array
    ref: Reference


def day_weights(d0: np.datetime64, d1: np.datetime64) -> np.ndarray:
    """Relative invoice volume per day: weekdays, a December peak, a summer dip."""
    days = np.arange(d0, d1 + 1, dtype="datetime64[D]")
    weekday = (days.astype(np.int64) + 3) % 7  # 0 = Monday
    month = days.astype("datetime64[M]").astype(np.int64) % 12 + 1
    w = np.where(weekday < 5, 1.0, 0.08)
    w = w * np.select([month == 12, (month == 7) | (month == 8), month == 1], [1.6, 0.8, 0.85], 1.0)
    return w


def build_context(world: World, ref: Reference) -> InvoiceContext:
    orgs = world.frames["organisations"]
    sups = world.frames["suppliers"]
    cons = world.frames["contracts"]
    w = day_weights(world.d0, world.d1)
    cum = np.concatenate([[0.0], np.cumsum(w)])
    con_value = cons["contract_value_eur"].astype(float)
    con_w = np.where(cons["_extra"], 0.0, np.power(np.maximum(con_value, 1.0), 0.75))
    start = (cons["start_date"] - world.d0).astype(np.int64)
    end = np.where(np.isnat(cons["end_date"]), world.d1, cons["end_date"])
    stop = (np.minimum(end, world.d1) - world.d0).astype(np.int64)
    size = sups["size_class"]
    return InvoiceContext(
        d0=world.d0,
        n_days=len(w),
        cum_day_weight=cum,
        org_ids=pa.array(list(orgs["organisation_id"]), pa.string()),
        org_p=world.org_weight / world.org_weight.sum(),
        sup_ids=pa.array(list(sups["supplier_id"]), pa.string()),
        sup_p=world.supplier_weight / world.supplier_weight.sum(),
        sup_amount=np.array([SIZE_AMOUNT[s] for s in size]),
        sup_cpv=world.supplier_cpv,
        con_ids=pa.array(list(cons["contract_id"]), pa.string()),
        con_p=con_w / con_w.sum(),
        con_org=cons["_org"],
        con_sup=cons["_sup"],
        con_cpv=cons["cpv_code"],
        con_from=start,
        con_to=np.maximum(stop, start),
        con_scale=np.power(np.maximum(con_value, 1000.0) / 150_000.0, 0.2),
        cpv_full=pa.array([f"{c}-{d}" for c, d in zip(ref.cpv_code, ref.cpv_check, strict=False)], pa.string()),
        cpv_bare=pa.array(list(ref.cpv_code.astype(str)), pa.string()),
        descriptions=pa.array(names.DESCRIPTIONS + names.PERSONAL_DESCRIPTIONS, pa.string()),
        ref=ref,
    )


def _padded(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    s = pc.utf8_lpad(pc.cast(pa.array(numbers, pa.int64()), pa.string()), width=width, padding="0")
    return pc.binary_join_element_wise(pa.scalar(prefix), s, "")


def _amount_strings(cents: np.ndarray) -> pa.Array:
    neg = cents < 0
    a = np.abs(cents)
    whole = pc.cast(pa.array(a // 100), pa.string())
    frac = pc.utf8_lpad(pc.cast(pa.array(a % 100), pa.string()), width=2, padding="0")
    body = pc.binary_join_element_wise(whole, frac, ".")
    sign = pc.if_else(pa.array(neg), pa.scalar("-"), pa.scalar(""))
    return pc.binary_join_element_wise(sign, body, "")


def _sample_days(rng: np.random.Generator, ctx: InvoiceContext, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Day offsets in [lo, hi] following the daily weights (inverse CDF)."""
    c = ctx.cum_day_weight
    u = c[lo] + rng.random(len(lo)) * (c[hi + 1] - c[lo])
    day = np.searchsorted(c, u, side="right") - 1
    return np.clip(day, lo, hi)


@dataclass
class ChunkResult:
    table: pa.Table
    faults: dict[str, list] = field(default_factory=dict)  # reason -> keys
    counts: dict[str, int] = field(default_factory=dict)  # reason -> damaged rows
    exact: dict[str, int] = field(default_factory=dict)  # key -> extra copies
    cosmetic: int = 0


def make_chunk(ctx: InvoiceContext, rng: np.random.Generator, first_line: int, first_header: int,
               n_lines: int, fault_quota: dict[str, int], rate: float) -> tuple[ChunkResult, int]:
    """n_lines lines starting at global line number first_line; returns (result, headers used)."""
    # invoices (headers) with 1..n lines each (mean about 1.8)
    n_head = int(n_lines / 1.8) + 64
    per = rng.geometric(0.55, n_head)
    while per.sum() < n_lines:
        per = np.concatenate([per, rng.geometric(0.55, n_head)])
    cum = np.cumsum(per)
    h_used = int(np.searchsorted(cum, n_lines) + 1)
    per = per[:h_used]
    per[-1] -= cum[h_used - 1] - n_lines
    is_con = rng.random(h_used) < P_CONTRACT
    con = rng.choice(len(ctx.con_p), size=h_used, p=ctx.con_p)
    org = np.where(is_con, ctx.con_org[con], rng.choice(len(ctx.org_p), size=h_used, p=ctx.org_p))
    sup = np.where(is_con, ctx.con_sup[con], rng.choice(len(ctx.sup_p), size=h_used, p=ctx.sup_p))
    lo = np.where(is_con, ctx.con_from[con], 0)
    hi = np.where(is_con, ctx.con_to[con], ctx.n_days - 1)
    day = _sample_days(rng, ctx, lo, hi)
    head_no = first_header + np.arange(h_used)

    # expand to lines
    idx = np.repeat(np.arange(h_used), per)
    n = n_lines
    l_con, l_is_con, l_org, l_sup, l_day = con[idx], is_con[idx], org[idx], sup[idx], day[idx]
    scale = np.where(l_is_con, ctx.con_scale[l_con], 1.0) * ctx.sup_amount[l_sup]
    median = np.where(l_is_con, 700.0, 520.0)
    amount = median * scale * rng.lognormal(0.0, 1.45, n)
    tail = rng.random(n) < 0.01
    amount[tail] *= 1.0 + rng.pareto(1.4, int(tail.sum())) * 8
    amount = np.clip(amount, 1.0, 5_000_000.0)
    credit = rng.random(n) < CREDIT_NOTE_SHARE
    amount[credit] = -amount[credit] * rng.uniform(0.05, 1.0, int(credit.sum()))
    cents = np.round(amount * 100).astype(np.int64)
    cents[cents == 0] = 100

    # CPV on the line: often empty (the contract's CPV is the effective one then)
    cpv_src = np.where(l_is_con, ctx.con_cpv[l_con], ctx.sup_cpv[l_sup])
    has_cpv = rng.random(n) < np.where(l_is_con, 0.4, 0.55)
    with_check = rng.random(n) < 0.85
    cpv_idx = pa.array(cpv_src, mask=~has_cpv)
    cpv = pc.if_else(pa.array(with_check), pc.take(ctx.cpv_full, cpv_idx), pc.take(ctx.cpv_bare, cpv_idx))
    n_desc = len(ctx.descriptions)
    n_personal = len(names.PERSONAL_DESCRIPTIONS)
    desc_pick = np.where(rng.random(n) < 0.04, rng.integers(n_desc - n_personal, n_desc, n),
                         rng.integers(0, n_desc - n_personal, n))
    desc = pc.take(ctx.descriptions, pa.array(desc_pick, mask=rng.random(n) < 0.25))

    cols = {
        "invoice_line_id": _padded("IL", first_line + np.arange(n), 10),
        "invoice_number": _padded("F", head_no[idx], 9),
        "organisation_id": pc.take(ctx.org_ids, pa.array(l_org)),
        "supplier_id": pc.take(ctx.sup_ids, pa.array(l_sup)),
        "contract_id": pc.take(ctx.con_ids, pa.array(l_con, mask=~l_is_con)),
        "invoice_date": pc.cast(pa.array((l_day + ctx.d0.astype(np.int64)).astype(np.int32), pa.date32()), pa.string()),
        "amount": _amount_strings(cents),
        "currency": pc.take(pa.array(["EUR"]), pa.array(np.zeros(n, dtype=np.int64))),
        "cpv_code": cpv,
        "description": desc,
    }
    res = ChunkResult(table=pa.table({}))
    if rate > 0:
        cols, res = _inject(ctx, rng, cols, n, fault_quota, rate, res)
    table = pa.table({c: cols[c] for c in COLUMNS})
    if rate > 0:
        table = _append_duplicates(rng, table, res, fault_quota)
    res.table = table
    return res, h_used


# ---------------------------------------------------------------------------------------
# faults


def _patch(arr: pa.Array, rows: np.ndarray, values: list) -> pa.Array:
    if len(rows) == 0:
        return arr
    order = np.argsort(rows)
    mask = np.zeros(len(arr), dtype=bool)
    mask[rows] = True
    repl = pa.array([values[i] for i in order], pa.string())
    return pc.replace_with_mask(arr, pa.array(mask), repl)


def _inject(ctx: InvoiceContext, rng: np.random.Generator, cols: dict, n: int, quota: dict[str, int],
            rate: float, res: ChunkResult):
    order = rng.permutation(n)
    pos = 0
    patches: dict[str, tuple[list, list]] = {c: ([], []) for c in COLUMNS}
    reserved: dict[str, np.ndarray] = {}

    def take(reason: str) -> np.ndarray:
        nonlocal pos
        k = quota.get(reason, 0)
        rows = order[pos:pos + k]
        pos += k
        return rows

    def put(col: str, rows: np.ndarray, values: list) -> None:
        patches[col][0].extend(int(r) for r in rows)
        patches[col][1].extend(values)

    def current(col: str, rows: np.ndarray) -> list:
        return pc.take(cols[col], pa.array(rows, pa.int64())).to_pylist()

    def choose(options: list[str], k: int) -> list[str]:
        return [options[i] for i in rng.integers(0, len(options), k)]

    for reason in ("missing_key", "missing_invoice_number", "unknown_organisation_id", "missing_supplier_id",
                   "unknown_supplier_id", "unknown_contract_id", "invalid_invoice_date", "invalid_amount",
                   "unsupported_currency", "invalid_cpv_code", "cpv_check_digit_mismatch"):
        rows = take(reason)
        k = len(rows)
        if k == 0:
            continue
        res.faults[reason] = current("invoice_line_id", rows) if reason != "missing_key" else []
        res.counts[reason] = k
        if reason == "missing_key":
            put("invoice_line_id", rows, choose(["", "NULL", " ", "null"], k))
        elif reason == "missing_invoice_number":
            put("invoice_number", rows, choose(["", "NULL", "  "], k))
        elif reason == "unknown_organisation_id":
            put("organisation_id", rows, [F.unknown_oin(rng) if rng.random() < 0.7 else "" for _ in range(k)])
        elif reason == "missing_supplier_id":
            put("supplier_id", rows, choose(["", "NULL", " "], k))
        elif reason == "unknown_supplier_id":
            put("supplier_id", rows, [f"V{9_000_000 + int(v)}" for v in rng.integers(0, 999_999, k)])
        elif reason == "unknown_contract_id":
            put("contract_id", rows, [f"K0000-{int(v):06d}" for v in rng.integers(0, 999_999, k)])
        elif reason == "invalid_invoice_date":
            put("invoice_date", rows, [F.bad_date(rng, d) if rng.random() < 0.9 else "" for d in current("invoice_date", rows)])
        elif reason == "invalid_amount":
            put("amount", rows, [F.bad_amount(rng, a, allow_negative=False) for a in current("amount", rows)])
        elif reason == "unsupported_currency":
            put("currency", rows, choose(["USD", "USD", "GBP", "SEK", "", "CHF"], k))
        elif reason == "invalid_cpv_code":
            put("cpv_code", rows, [F.bad_cpv(rng, c or "30192000") for c in current("cpv_code", rows)])
        elif reason == "cpv_check_digit_mismatch":
            src = current("cpv_code", rows)
            fallback = ctx.ref.cpv_code[rng.integers(0, len(ctx.ref.cpv_code), k)]
            put("cpv_code", rows, [F.wrong_check_digit(ctx.ref, c or str(f)) for c, f in zip(src, fallback, strict=False)])
    # rows reserved as sources of duplicates (kept clean)
    reserved["conflicting_duplicate"] = take("conflicting_duplicate")
    reserved["exact_duplicate"] = take("exact_duplicate")
    # cosmetic (valid) spellings on some clean rows
    rest = order[pos:]
    n_cos = int(round(len(rest) * min(1.0, 3 * rate)))
    cos_rows = rest[:n_cos]
    cur = pc.take(cols["currency"], pa.array(cos_rows[0::2], pa.int64())).to_pylist()
    put("currency", cos_rows[0::2], [str(rng.choice(["eur", " EUR", "Eur", "EUR "])) for _ in cur])
    null_rows = cos_rows[1::2]
    con_now = pc.take(cols["contract_id"], pa.array(null_rows, pa.int64())).to_pylist()
    nr = np.array([r for r, v in zip(null_rows, con_now, strict=False) if v is None], dtype=np.int64)
    put("contract_id", nr, [str(rng.choice(["NULL", "null"])) for _ in nr])
    res.cosmetic = len(cos_rows[0::2]) + len(nr)
    for col, (rows, values) in patches.items():
        if rows:
            cols[col] = _patch(cols[col], np.array(rows, dtype=np.int64), values)
    res.faults["_reserved"] = reserved  # type: ignore[assignment]
    return cols, res


def _append_duplicates(rng: np.random.Generator, table: pa.Table, res: ChunkResult, quota: dict[str, int]) -> pa.Table:
    reserved = res.faults.pop("_reserved")  # type: ignore[arg-type]
    parts = [table]
    conf = np.sort(reserved["conflicting_duplicate"])
    if len(conf):
        twins = table.take(pa.array(conf, pa.int64()))
        amounts = twins.column("amount").to_pylist()
        changed = [f"{float(a) + 10:.2f}" for a in amounts]
        twins = twins.set_column(twins.schema.get_field_index("amount"), "amount", pa.array(changed, pa.string()))
        parts.append(twins)
        res.faults["conflicting_duplicate"] = table.column("invoice_line_id").take(pa.array(conf, pa.int64())).to_pylist()
        res.counts["conflicting_duplicate"] = 2 * len(conf)
    exact = np.sort(reserved["exact_duplicate"])
    if len(exact):
        copies = np.where(rng.random(len(exact)) < 0.85, 1, 2)
        rows = np.repeat(exact, copies)
        parts.append(table.take(pa.array(rows, pa.int64())))
        keys = table.column("invoice_line_id").take(pa.array(exact, pa.int64())).to_pylist()
        res.exact = dict(zip(keys, (int(c) for c in copies), strict=False))
    return pa.concat_tables(parts) if len(parts) > 1 else table


INVOICE_FAULTS = (
    "missing_key", "conflicting_duplicate", "missing_invoice_number", "unknown_organisation_id",
    "missing_supplier_id", "unknown_supplier_id", "unknown_contract_id", "invalid_invoice_date",
    "invalid_amount", "unsupported_currency", "invalid_cpv_code", "cpv_check_digit_mismatch",
    "exact_duplicate",
)


def quotas(rate: float, n_total: int, chunk_sizes: list[int]) -> list[dict[str, int]]:
    """Rows per reason per chunk: floor(rate x cumulative rows) differences, at least 1 in total."""
    out = []
    start = 0
    total = F.fault_count(rate, n_total)
    for size in chunk_sizes:
        end = start + size
        q = {}
        for reason in INVOICE_FAULTS:
            a = int(np.floor(total * start / n_total))
            b = int(np.floor(total * end / n_total))
            q[reason] = b - a
        out.append(q)
        start = end
    return out
