"""The clean synthetic world: every landing entity except invoice lines, as typed arrays.

Everything here is vectorised numpy (the entities are small: at 10 million invoice lines
there are about 9,000 suppliers and 13,000 contracts). Invoice lines are generated in
chunks by `invoices.py` from the arrays built here.

Each entity is a `Frame`: a dict of equally long numpy arrays (object arrays for text with
None as null, datetime64[D] with NaT as null, float with NaN as null), plus `childless`, a
boolean array that marks rows no other row refers to (the only rows that may receive a
fatal fault, so that a rejected parent never orphans a child row).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from mvoi import contract
from mvoi.generator import names
from mvoi.generator.reference import Reference

NAT = np.datetime64("NaT", "D")
EFORMS_START = np.datetime64("2023-10-25", "D")
LADDER_V4_START = np.datetime64("2025-01-14", "D")
# code lists of the landing contract, in contract order (the draws below index them by position)
SIZE_CLASSES = np.array(contract.code_list("suppliers", "size_class"), dtype=object)
CONTRACT_TYPES = np.array(contract.code_list("contracts", "contract_type"), dtype=object)
THEMES = list(contract.code_list("tender_criteria", "theme"))
SOURCES = list(contract.code_list("tender_criteria", "source"))


@dataclass
class Frame:
    cols: dict[str, np.ndarray]
    childless: np.ndarray

    def __len__(self) -> int:
        return len(self.childless)

    def __getitem__(self, name: str) -> np.ndarray:
        return self.cols[name]


@dataclass
class Scale:
    """Entity counts derived from the number of invoice lines N."""

    organisations: int
    suppliers: int
    tenders: int

    @classmethod
    def for_lines(cls, n: int) -> Scale:
        n = max(n, 1)
        return cls(
            organisations=int(np.clip(round(1.1 * n**0.3), 8, 400)),
            suppliers=int(max(40, round(0.25 * n**0.65))),
            tenders=int(max(60, round(1.5 * n**0.55))),
        )


@dataclass
class World:
    d0: np.datetime64
    d1: np.datetime64
    frames: dict[str, Frame] = field(default_factory=dict)
    # extra per-row attributes the invoice generator and the fault injector use
    org_weight: np.ndarray | None = None
    supplier_weight: np.ndarray | None = None
    supplier_cpv: np.ndarray | None = None  # index into reference CPV list


# ---------------------------------------------------------------------------------------
# helpers


def _rsin(rng: np.random.Generator, n: int, taken: set[str]) -> list[str]:
    """n distinct 9-digit numbers passing the 11-proef (like RSIN/BSN)."""
    out: list[str] = []
    weights = np.array([9, 8, 7, 6, 5, 4, 3, 2])
    while len(out) < n:
        digits = rng.integers(0, 10, size=(n * 2, 8))
        digits[:, 0] = rng.integers(0, 9, size=n * 2)  # RSINs start 0-8
        check = (digits @ weights) % 11
        for row, c in zip(digits, check, strict=False):
            if c == 10:
                continue
            value = "".join(map(str, row)) + str(c)
            if value not in taken:
                taken.add(value)
                out.append(value)
                if len(out) == n:
                    break
    return out


def _oins(rng: np.random.Generator, n: int, taken: set[str]) -> np.ndarray:
    return np.array([f"00000001{r}000" for r in _rsin(rng, n, taken)], dtype=object)


def _ids(prefix: str, start: int, n: int, width: int = 7) -> np.ndarray:
    return np.array([f"{prefix}{i:0{width}d}" for i in range(start, start + n)], dtype=object)


def _uniform_days(rng: np.random.Generator, lo, hi, n: int) -> np.ndarray:
    lo = np.asarray(lo, dtype="datetime64[D]").astype(np.int64)
    hi = np.asarray(hi, dtype="datetime64[D]").astype(np.int64)
    span = np.maximum(hi - lo, 0) + 1
    return (lo + (rng.random(n) * span).astype(np.int64)).astype("datetime64[D]")


def _pick_cpv(rng: np.random.Generator, ref: Reference, ctype: np.ndarray, p_isv: float,
              p_group: float) -> np.ndarray:
    """Index into the CPV list per row: an ISV-risk product group, any product group, or any code."""
    out = np.empty(len(ctype), dtype=np.int64)
    isv_groups = set(ref.isv_groups)
    in_isv = np.isin(ref.cpv_group, list(isv_groups)) if isv_groups else np.zeros(len(ref.cpv_code), bool)
    in_group = ref.cpv_group != ""
    u = rng.random(len(ctype))
    for t in CONTRACT_TYPES:
        rows = np.flatnonzero(ctype == t)
        if len(rows) == 0:
            continue
        of_type = ref.cpv_type == t
        pools = [np.flatnonzero(of_type & in_isv), np.flatnonzero(of_type & in_group), np.flatnonzero(of_type)]
        choice = np.where(u[rows] < p_isv, 0, np.where(u[rows] < p_isv + p_group, 1, 2))
        for k, pool in enumerate(pools):
            sel = rows[choice == k]
            if len(pool) == 0:
                pool = pools[2]
            out[sel] = pool[rng.integers(0, len(pool), size=len(sel))]
    return out


# ---------------------------------------------------------------------------------------
# organisations


def make_organisations(rng: np.random.Generator, n: int, n_extra: int, taken: set[str]) -> tuple[Frame, np.ndarray]:
    n_rijk = max(2, round(0.2 * n))
    n_prov = max(1, round(0.07 * n))
    n_ws = max(1, round(0.08 * n))
    n_other = max(1, round(0.1 * n))
    rijk: list[tuple[str, int | None, float]] = []  # (name, parent position, weight)
    for ministry, agencies in names.MINISTRIES:
        if len(rijk) >= n_rijk:
            break
        pos = len(rijk)
        rijk.append((ministry, None, 3.0))
        for agency in agencies:
            if len(rijk) >= n_rijk:
                break
            rijk.append((agency, pos, 4.0))
    n_prov = min(n_prov, len(names.PROVINCES))
    n_ws = min(n_ws, len(names.WATER_BOARDS))
    n_other = min(n_other, len(names.OTHER_AUTHORITIES))
    n_gem = max(1, n - len(rijk) - n_prov - n_ws - n_other)

    def take(pool: list[str], k: int, fmt: str) -> list[str]:
        order = rng.permutation(len(pool))
        out = [fmt.format(pool[i]) for i in order[: min(k, len(pool))]]
        extra = k - len(out)
        out += [fmt.format(f"{pool[order[i % len(pool)]]} {i // len(pool) + 2}") for i in range(extra)]
        return out

    provinces = take(names.PROVINCES, n_prov, "Provincie {}")
    gemeenten = take(names.MUNICIPALITIES, n_gem + n_extra, "Gemeente {}")
    extra_names = gemeenten[n_gem:]
    gemeenten = gemeenten[:n_gem]
    water = take(names.WATER_BOARDS, n_ws, "{}")
    other = take(names.OTHER_AUTHORITIES, n_other, "{}")

    rows_name = [r[0] for r in rijk] + provinces + gemeenten + water + other + extra_names
    layer = (["rijk"] * len(rijk) + ["provincie"] * n_prov + ["gemeente"] * n_gem
             + ["waterschap"] * n_ws + ["overig"] * n_other + ["gemeente"] * n_extra)
    total = len(rows_name)
    ids = _oins(rng, total, taken)
    parent = np.full(total, None, dtype=object)
    for i, (_, p, _) in enumerate(rijk):
        if p is not None:
            parent[i] = ids[p]
    weight = np.concatenate([
        [r[2] for r in rijk],
        np.full(n_prov, 2.0),
        1.5 * rng.lognormal(0, 0.8, n_gem),
        np.full(n_ws, 1.0),
        np.full(n_other, 0.8),
        np.zeros(n_extra),
    ])
    childless = np.zeros(total, dtype=bool)
    childless[total - n_extra:] = True
    frame = Frame(
        cols={
            "organisation_id": ids,
            "name": np.array(rows_name, dtype=object),
            "government_layer": np.array(layer, dtype=object),
            "parent_organisation_id": parent,
        },
        childless=childless,
    )
    return frame, weight


# ---------------------------------------------------------------------------------------
# suppliers and certificates


def make_suppliers(rng: np.random.Generator, ref: Reference, n: int, n_extra: int) -> tuple[Frame, np.ndarray, np.ndarray]:
    total = n + n_extra
    foreign = rng.random(total) < 0.12
    country = np.full(total, "NL", dtype=object)
    fc = rng.choice(len(names.FOREIGN_COUNTRIES), size=total, p=np.array(names.FOREIGN_WEIGHTS) / sum(names.FOREIGN_WEIGHTS))
    country[foreign] = np.array(names.FOREIGN_COUNTRIES, dtype=object)[fc[foreign]]
    size_idx = rng.choice(4, size=total, p=[0.36, 0.27, 0.15, 0.22])
    size = SIZE_CLASSES[size_idx]
    social = (rng.random(total) < np.where(size_idx <= 1, 0.08, 0.03)) & ~foreign
    # KvK: 8 digits, about 1 in 10 with a leading zero (older registrations)
    kvk_num = np.where(rng.random(total) < 0.1, rng.integers(1_000_000, 9_999_999, total),
                       rng.integers(10_000_000, 99_999_999, total))
    kvk = np.array([f"{k:08d}" for k in kvk_num], dtype=object)
    kvk[foreign] = None
    a = rng.integers(0, len(names.SUPPLIER_WORDS_A), total)
    b = rng.integers(0, len(names.SUPPLIER_WORDS_B), total)
    f = rng.integers(0, len(names.NL_FORMS), total)
    s = rng.integers(0, len(names.SOCIAL_FORMS), total)
    name = []
    email = np.full(total, None, dtype=object)
    has_email = rng.random(total) < 0.7
    for i in range(total):
        base = f"{names.SUPPLIER_WORDS_A[a[i]]}{names.SUPPLIER_WORDS_B[b[i]]}"
        if social[i]:
            full = f"{names.SOCIAL_FORMS[s[i]]} {base}"
        elif foreign[i]:
            full = f"{base} {names.FOREIGN_FORMS[country[i]]}"
        else:
            full = f"{base} {names.NL_FORMS[f[i]]}"
        full = f"{full} {i + 1}" if i >= 400 else full  # keep names mostly distinct
        name.append(full)
        if has_email[i]:
            tld = "nl" if country[i] == "NL" else ("co.uk" if country[i] == "GB" else str(country[i]).lower())
            mailbox = ("inkoop", "info", "facturen", "sales")[i % 4]
            email[i] = f"{mailbox}@{base.lower()}{i + 1}.{tld}"
    size_factor = np.array([0.5, 1.0, 2.2, 4.5])[size_idx]
    weight = rng.lognormal(0, 1.0, total) * size_factor
    dormant = rng.random(total) < 0.04  # in the vendor master, no activity in the period
    weight[dormant] = 0.0
    weight[n:] = 0.0
    childless = weight == 0.0
    main_cpv = _pick_cpv(rng, ref, CONTRACT_TYPES[rng.choice(3, size=total, p=[0.15, 0.4, 0.45])], 0.15, 0.45)
    frame = Frame(
        cols={
            "supplier_id": _ids("V", 1, total, 6),
            "name": np.array(name, dtype=object),
            "kvk_number": kvk,
            "country_code": country,
            "size_class": size,
            "is_social_enterprise": np.where(social, "true", "false").astype(object),
            "contact_email": email,
        },
        childless=childless,
    )
    return frame, weight, main_cpv


def make_certificates(rng: np.random.Generator, suppliers: Frame, weight: np.ndarray,
                      d0: np.datetime64, d1: np.datetime64) -> Frame:
    size = suppliers["size_class"]
    nl = suppliers["country_code"] == "NL"
    social = suppliers["is_social_enterprise"] == "true"
    active = weight > 0
    p = {
        "co2_prestatieladder": {"micro": 0.02, "small": 0.1, "medium": 0.3, "large": 0.5},
        "pso": {"micro": 0.02, "small": 0.05, "medium": 0.1, "large": 0.15},
        "iso_14001": {"micro": 0.03, "small": 0.12, "medium": 0.35, "large": 0.55},
        "emas": {"micro": 0.005, "small": 0.015, "medium": 0.04, "large": 0.08},
    }
    sup_idx, scheme = [], []
    for sch, probs in p.items():
        prob = np.array([probs[s] for s in size])
        if sch == "pso":
            prob = np.where(social, 0.7, prob)
        holds = (rng.random(len(size)) < prob) & active & (nl | (sch in ("iso_14001", "emas")))
        if not holds.any() and (active & nl).any():
            # every scheme occurs at least once: the busiest Dutch supplier holds it
            holds[np.argmax(np.where(active & nl, weight, -1.0))] = True
        idx = np.flatnonzero(holds)
        sup_idx.append(idx)
        scheme.append(np.full(len(idx), sch, dtype=object))
    sup_idx = np.concatenate(sup_idx)
    scheme = np.concatenate(scheme)
    # first certificate: starts in the first two years (or earlier certificates renewed in period)
    n = len(sup_idx)
    start = _uniform_days(rng, d0, min(d0 + 730, d1 - 60), n)
    # certificates run three years (30%: one year, e.g. an interim or aspirant status);
    # renewals: a second period right after the first one ends
    duration = np.where(rng.random(n) < 0.3, 365, 3 * 365).astype(np.int64)
    end = start + duration - 1
    renew = (rng.random(n) < 0.6) & (end + 1 <= d1 - 30)
    r_idx = np.flatnonzero(renew)
    sup_idx = np.concatenate([sup_idx, sup_idx[r_idx]])
    scheme = np.concatenate([scheme, scheme[r_idx]])
    start = np.concatenate([start, end[r_idx] + 1])
    end = np.concatenate([end, end[r_idx] + np.int64(3 * 365)])
    n = len(sup_idx)
    # a certificate still running at the end of the period is written open-ended
    valid_to = np.where(end > d1, NAT, end).astype("datetime64[D]")
    lapsed = rng.random(n) < 0.1  # some certificates are withdrawn early
    valid_to = np.where(lapsed & (end <= d1), start + ((end - start) * 0.6).astype(np.int64), valid_to)
    # ladder version and level
    version = np.full(n, None, dtype=object)
    level = np.full(n, None, dtype=object)
    co2 = scheme == "co2_prestatieladder"
    v4 = co2 & (rng.random(n) < np.where(start >= LADDER_V4_START, 0.8, 0.05))
    if co2.any() and not v4.any():
        # both ladder versions occur: the latest CO2 certificate is a 4.0 one
        v4[np.argmax(np.where(co2, start.astype(np.int64), np.iinfo(np.int64).min))] = True
    v31 = co2 & ~v4
    version[v31] = "3.1"
    version[v4] = "4.0"
    lvl31 = rng.choice([1, 2, 3, 4, 5], size=n, p=[0.05, 0.1, 0.4, 0.15, 0.3])
    lvl4 = rng.choice([1, 2, 3], size=n, p=[0.6, 0.3, 0.1])
    lvlpso = rng.choice([0, 1, 2, 3], size=n, p=[0.15, 0.35, 0.3, 0.2])
    level[v31] = lvl31[v31].astype(str)
    level[v4] = lvl4[v4].astype(str)
    pso = scheme == "pso"
    level[pso] = lvlpso[pso].astype(str)
    order = np.lexsort((start, sup_idx))
    cols = {
        "certificate_id": _ids("CERT", 1, n, 6),
        "supplier_id": suppliers["supplier_id"][sup_idx[order]],
        "scheme": scheme[order],
        "ladder_version": version[order],
        "level": level[order],
        "valid_from": start[order],
        "valid_to": valid_to[order],
    }
    return Frame(cols=cols, childless=np.ones(n, dtype=bool))


# ---------------------------------------------------------------------------------------
# tenders and criteria


def make_tenders(rng: np.random.Generator, ref: Reference, orgs: Frame, org_weight: np.ndarray,
                 n: int, d0: np.datetime64, d1: np.datetime64, id_start: int = 1) -> Frame:
    p_org = org_weight / org_weight.sum()
    org = rng.choice(len(p_org), size=n, p=p_org)
    ctype = CONTRACT_TYPES[rng.choice(3, size=n, p=[0.2, 0.35, 0.45])]
    cpv = _pick_cpv(rng, ref, ctype, 0.18, 0.42)
    status = np.array(["awarded", "active", "planned", "cancelled"], dtype=object)[
        rng.choice(4, size=n, p=[0.72, 0.12, 0.07, 0.09])]
    pub = _uniform_days(rng, d0, d1 - 120, n)
    active = status == "active"
    pub[active] = _uniform_days(rng, max(d0, d1 - 300), d1 - 20, int(active.sum()))
    award = pub + rng.integers(35, 115, n)
    award = np.where(status == "awarded", award, NAT).astype("datetime64[D]")
    pub = np.where(status == "planned", NAT, pub).astype("datetime64[D]")
    median = np.select([ctype == "works", ctype == "supplies"], [1_100_000.0, 110_000.0], 200_000.0)
    est = np.round(median * rng.lognormal(0, 1.25, n), -2)
    awarded_value = np.round(est * rng.uniform(0.75, 1.15, n), 2)
    awarded_value = np.where((status == "awarded") & (rng.random(n) < 0.92), awarded_value, np.nan)
    est = np.where(rng.random(n) < 0.85, est, np.nan)
    # procedure follows the value against the EU threshold
    layer = orgs["government_layer"][org]
    value = np.where(np.isnan(awarded_value), est, awarded_value)
    above = np.array([
        (not np.isnan(v)) and v >= ref.threshold(p if not np.isnat(p) else d1, t,
                                                 "central" if lay == "rijk" else "sub_central")
        for v, p, t, lay in zip(value, pub, ctype, layer, strict=False)
    ])
    eu_proc = np.array(["open", "restricted", "negotiated", "competitive_dialogue", "innovation_partnership"], dtype=object)
    nat_proc = np.array(["national_open", "private", "single_source"], dtype=object)
    procedure = np.where(
        above,
        eu_proc[rng.choice(5, size=n, p=[0.6, 0.22, 0.1, 0.06, 0.02])],
        nat_proc[rng.choice(3, size=n, p=[0.4, 0.45, 0.15])],
    ).astype(object)
    org_name = orgs["name"][org]
    desc = ref.cpv_desc_nl[cpv]
    title = np.array([f"{d} - {o}" for d, o in zip(desc, org_name, strict=False)], dtype=object)
    cols = {
        "tender_id": _ids("T", id_start, n, 6),
        "organisation_id": orgs["organisation_id"][org],
        "title": title,
        "cpv_code": cpv,  # index; formatted on output
        "contract_type": ctype,
        "procedure": procedure,
        "publication_date": pub,
        "award_date": award,
        "status": status,
        "estimated_value_eur": est,
        "awarded_value_eur": awarded_value,
    }
    return Frame(cols=cols, childless=np.ones(n, dtype=bool))


def make_criteria(rng: np.random.Generator, ref: Reference, tenders: Frame, orgs: Frame) -> tuple[Frame, dict[int, set[str]]]:
    n_t = len(tenders)
    status = tenders["status"]
    group = ref.cpv_group[tenders["cpv_code"]]
    in_group = group != ""
    is_isv = np.isin(group, ref.isv_groups)
    is_circ = np.isin(group, ref.circular_groups)
    p_has = np.where(in_group, 0.78, 0.55)
    p_has = np.where(status == "awarded", p_has, np.where(status == "active", 0.5 * p_has, 0.0))
    has = rng.random(n_t) < p_has
    layer_of = dict(zip(orgs["organisation_id"], orgs["government_layer"], strict=False))
    rijk = np.array([layer_of[o] == "rijk" for o in tenders["organisation_id"]])
    base_p = {
        "social_return": np.where(tenders["contract_type"] == "supplies", 0.25, 0.7),
        "klimaat": np.full(n_t, 0.45),
        "milieu": np.full(n_t, 0.32),
        "circulair": np.where(is_circ, 0.6, 0.2),
        "isv": np.where(is_isv, np.where(rijk, 0.85, 0.45), 0.04),
        "diversiteit_inclusie": np.full(n_t, 0.13),
    }
    themes_of: dict[int, set[str]] = {}
    rows: dict[str, list] = {k: [] for k in ("tender", "theme", "kind", "ambition", "weight", "r_level", "source")}
    tender_ambition = rng.choice([1, 2, 3], size=n_t, p=[0.42, 0.38, 0.2])
    pub = tenders["publication_date"]
    for t in np.flatnonzero(has):
        chosen = [th for th in THEMES if rng.random() < base_p[th][t]]
        if not chosen:
            chosen = [THEMES[rng.choice(6, p=[0.15, 0.3, 0.1, 0.05, 0.05, 0.35])]]
        themes_of[int(t)] = set(chosen)
        eforms = (not np.isnat(pub[t])) and pub[t] >= EFORMS_START
        for th in chosen:
            for _ in range(1 if rng.random() < 0.7 else 2):
                if th == "social_return":
                    kind = rng.choice(["contract_clause", "minimum_requirement", "award_criterion"], p=[0.6, 0.25, 0.15])
                elif th == "isv":
                    kind = rng.choice(["contract_clause", "minimum_requirement", "selection_criterion"], p=[0.7, 0.2, 0.1])
                else:
                    kind = rng.choice(["minimum_requirement", "award_criterion", "selection_criterion", "contract_clause"],
                                      p=[0.45, 0.3, 0.1, 0.15])
                amb = int(np.clip(tender_ambition[t] + rng.choice([-1, 0, 0, 0, 1]), 1, 3))
                rows["tender"].append(t)
                rows["theme"].append(th)
                rows["kind"].append(str(kind))
                rows["ambition"].append(str(amb) if rng.random() < 0.94 else None)
                w = None
                if kind == "award_criterion" and rng.random() < 0.9:
                    w = f"{rng.integers(5, 31) + rng.choice([0.0, 0.5]):.1f}"
                rows["weight"].append(w)
                r = None
                if th == "circulair" and rng.random() < 0.65:
                    r = f"R{rng.choice([1, 2, 3, 4, 5, 6, 7, 8], p=[0.08, 0.12, 0.25, 0.12, 0.08, 0.05, 0.05, 0.25])}"
                rows["r_level"].append(r)
                if eforms:
                    src = rng.choice(SOURCES, p=[0.55, 0.35, 0.1])
                else:
                    src = rng.choice(["self_registration", "inferred"], p=[0.75, 0.25])
                rows["source"].append(str(src))
    n = len(rows["tender"])
    tender_idx = np.array(rows["tender"], dtype=np.int64)
    cols = {
        "criterion_id": _ids("CR", 1, n, 7),
        "tender_id": tenders["tender_id"][tender_idx] if n else np.array([], dtype=object),
        "theme": np.array(rows["theme"], dtype=object),
        "criterion_kind": np.array(rows["kind"], dtype=object),
        "ambition_level": np.array(rows["ambition"], dtype=object),
        "award_weight_pct": np.array(rows["weight"], dtype=object),
        "r_level": np.array(rows["r_level"], dtype=object),
        "source": np.array(rows["source"], dtype=object),
    }
    return Frame(cols=cols, childless=np.ones(n, dtype=bool)), themes_of


# ---------------------------------------------------------------------------------------
# contracts, realisations, material reports


def make_contracts(rng: np.random.Generator, ref: Reference, world: World, tenders: Frame,
                   themes_of: dict[int, set[str]], orgs: Frame, suppliers: Frame,
                   n_extra_for) -> Frame:
    d0, d1 = world.d0, world.d1
    sw = world.supplier_weight
    active_sup = np.flatnonzero(sw > 0)
    # contracts that come from awarded tenders (several lots/suppliers for some)
    awarded = np.flatnonzero(tenders["status"] == "awarded")
    lots = rng.choice([1, 2, 3], size=len(awarded), p=[0.9, 0.07, 0.03])
    t_idx = np.repeat(awarded, lots)
    n_lot = np.repeat(lots, lots)
    n_t = len(t_idx)
    n_direct = int(round(0.5 * n_t))
    n_extra = int(n_extra_for(n_t + n_direct))
    n = n_t + n_direct + n_extra
    org_pos = {o: i for i, o in enumerate(orgs["organisation_id"])}
    p_org = world.org_weight / world.org_weight.sum()

    org = np.empty(n, dtype=np.int64)
    org[:n_t] = [org_pos[o] for o in tenders["organisation_id"][t_idx]]
    org[n_t:] = rng.choice(len(p_org), size=n - n_t, p=p_org)
    ctype = np.empty(n, dtype=object)
    ctype[:n_t] = tenders["contract_type"][t_idx]
    ctype[n_t:] = CONTRACT_TYPES[rng.choice(3, size=n - n_t, p=[0.1, 0.45, 0.45])]
    cpv = np.empty(n, dtype=np.int64)
    cpv[:n_t] = tenders["cpv_code"][t_idx]
    cpv[n_t:] = _pick_cpv(rng, ref, ctype[n_t:], 0.12, 0.45)

    start = np.empty(n, dtype="datetime64[D]")
    start[:n_t] = np.minimum(tenders["award_date"][t_idx] + rng.integers(7, 60, n_t), d1 - 1)
    start[n_t:] = _uniform_days(rng, d0, d1 - 30, n - n_t)
    months = np.select([ctype == "works"], [rng.integers(4, 31, n)], rng.integers(9, 49, n))
    end = start + (months * 30.44).astype(np.int64)
    end = np.where(end > d1, d1, end).astype("datetime64[D]")
    open_ended = rng.random(n) < 0.07
    end = np.where(open_ended, NAT, end).astype("datetime64[D]")

    value = np.empty(n)
    tv = np.where(np.isnan(tenders["awarded_value_eur"]), tenders["estimated_value_eur"], tenders["awarded_value_eur"])[t_idx]
    fallback = 150_000.0 * rng.lognormal(0, 1.0, n_t)
    tv = np.where(np.isnan(tv), fallback, tv)
    value[:n_t] = np.round(tv / n_lot * rng.uniform(0.85, 1.15, n_t), 2)
    value[n_t:] = np.round(30_000.0 * rng.lognormal(0, 1.1, n - n_t), 2)
    framework = np.zeros(n, dtype=bool)
    framework[:n_t] = (n_lot > 1) | (rng.random(n_t) < 0.08)

    # supplier: bigger contracts go to bigger suppliers
    large = suppliers["size_class"] == "large"
    w_small = sw[active_sup]
    w_big = sw[active_sup] * np.where(large[active_sup], 1.5, 1.0)
    big = value >= 1_000_000
    sup = np.empty(n, dtype=np.int64)
    sup[~big] = active_sup[rng.choice(len(active_sup), size=int((~big).sum()), p=w_small / w_small.sum())]
    sup[big] = active_sup[rng.choice(len(active_sup), size=int(big.sum()), p=w_big / w_big.sum())]

    layer = orgs["government_layer"][org]
    authority = np.where(layer == "rijk", "central", "sub_central")
    threshold = np.array([ref.threshold(s, t, a) for s, t, a in zip(start, ctype, authority, strict=False)])
    above = value >= threshold
    group = ref.cpv_group[cpv]
    isv_risk = np.isin(group, ref.isv_groups)
    tender_themes = [themes_of.get(int(t), set()) for t in t_idx] + [set()] * (n - n_t)
    has_isv_crit = np.array(["isv" in s for s in tender_themes])
    has_sr_crit = np.array(["social_return" in s for s in tender_themes])
    p_isv = np.where(isv_risk, np.where(above, np.where(layer == "rijk", 0.8, 0.4), 0.15), 0.03)
    p_isv = np.where(has_isv_crit, 0.92, p_isv)
    isv = rng.random(n) < p_isv

    # social return: eligible = works/services, >= 250k, >= 6 months (or open-ended)
    long_enough = np.isnat(end) | ((end - start).astype(np.int64) >= 200)
    eligible = np.isin(ctype, ["works", "services"]) & (value >= 250_000) & long_enough
    p_sr = np.select([layer == "rijk", layer == "gemeente"], [0.75, 0.65], 0.5)
    p_sr = np.where(has_sr_crit, 0.95, p_sr)
    sroi = np.where(eligible, rng.random(n) < p_sr, rng.random(n) < 0.03)
    pct = rng.choice([0.02, 0.03, 0.05], size=n, p=[0.25, 0.25, 0.5])
    sroi_value = np.where(sroi, np.round(value * pct, -2), np.nan)
    sroi_value = np.where(sroi_value > 0, sroi_value, np.nan)

    # reserved contracts (sheltered workshops / social enterprises), mostly services below threshold
    social_sup = np.flatnonzero((suppliers["is_social_enterprise"] == "true") & (sw > 0))
    reserved = (~above) & (ctype != "works") & (rng.random(n) < 0.04)
    if len(social_sup):
        sup[reserved] = social_sup[rng.integers(0, len(social_sup), int(reserved.sum()))]

    # extra contracts (fault targets, nobody refers to them) sit at the end
    childless = np.zeros(n, dtype=bool)
    childless[n - n_extra:] = True
    tender_id = np.full(n, None, dtype=object)
    tender_id[:n_t] = tenders["tender_id"][t_idx]
    # order contracts by start date for readable ids; extras keep the last ids
    order = np.concatenate([np.lexsort((np.arange(n - n_extra), start[: n - n_extra])), np.arange(n - n_extra, n)])
    years = start.astype("datetime64[Y]").astype(int) + 1970
    cid = np.array([f"K{years[i]}-{k + 1:06d}" for k, i in enumerate(order)], dtype=object)
    cols = {
        "contract_id": cid,
        "tender_id": tender_id[order],
        "organisation_id": orgs["organisation_id"][org[order]],
        "supplier_id": suppliers["supplier_id"][sup[order]],
        "cpv_code": cpv[order],
        "contract_type": ctype[order],
        "start_date": start[order],
        "end_date": end[order],
        "contract_value_eur": value[order],
        "is_framework": np.where(framework[order], "true", "false").astype(object),
        "isv_clause": np.where(isv[order], "true", "false").astype(object),
        "sroi_obligation_eur": sroi_value[order],
        "is_reserved": np.where(reserved[order], "true", "false").astype(object),
    }
    frame = Frame(cols=cols, childless=childless[order])
    # internal attributes (not written): position of supplier/org, circular flags
    frame.cols["_org"] = org[order]
    frame.cols["_sup"] = sup[order]
    frame.cols["_circular"] = (np.isin(group, ref.circular_groups) | np.array(["circulair" in s for s in tender_themes]))[order]
    frame.cols["_extra"] = childless[order]
    return frame


def _yearly_periods(start, end, d1):
    """Reporting periods: each 12 months after start, plus the end date if inside the period."""
    out = []
    stop = d1 if np.isnat(end) else min(end, d1)
    k = 1
    while start + np.int64(365 * k) <= stop:
        out.append(start + np.int64(365 * k))
        k += 1
    if not np.isnat(end) and end <= d1 and (not out or out[-1] < end):
        out.append(end)
    return out


def make_realisations(rng: np.random.Generator, contracts: Frame, d1: np.datetime64) -> Frame:
    rows = {k: [] for k in ("contract", "period_end", "value", "fte", "group")}
    obligation = contracts["sroi_obligation_eur"]
    for i in np.flatnonzero(~np.isnan(obligation) & ~contracts.childless):
        if rng.random() > 0.85:
            continue
        start, end = contracts["start_date"][i], contracts["end_date"][i]
        periods = _yearly_periods(start, end, d1)
        if not periods:
            continue
        total_days = max(int(((end if not np.isnat(end) else d1) - start).astype(int)), 1)
        prev = start
        factor = rng.uniform(0.45, 1.3)
        for pe in periods:
            share = int((pe - prev).astype(int)) / total_days
            prev = pe
            value = round(float(obligation[i]) * share * factor * rng.uniform(0.8, 1.2), 2)
            rows["contract"].append(i)
            rows["period_end"].append(pe)
            rows["value"].append(value)
            rows["fte"].append(round(value / rng.uniform(30_000, 45_000), 2) if rng.random() < 0.7 else np.nan)
            rows["group"].append(
                str(rng.choice(names.TARGET_GROUPS, p=names.TARGET_GROUP_WEIGHTS)) if rng.random() < 0.85 else None)
    n = len(rows["contract"])
    ci = np.array(rows["contract"], dtype=np.int64)
    cols = {
        "realisation_id": _ids("SR", 1, n, 7),
        "contract_id": contracts["contract_id"][ci] if n else np.array([], dtype=object),
        "period_end": np.array(rows["period_end"], dtype="datetime64[D]"),
        "realised_value_eur": np.array(rows["value"], dtype=float),
        "placements_fte": np.array(rows["fte"], dtype=float),
        "target_group": np.array(rows["group"], dtype=object),
    }
    return Frame(cols=cols, childless=np.ones(n, dtype=bool))


def make_material_reports(rng: np.random.Generator, contracts: Frame, d1: np.datetime64) -> Frame:
    rows = {k: [] for k in ("contract", "period_end", "total", "secondary")}
    eligible = contracts["_circular"] & (contracts["contract_type"] != "services") & ~contracts.childless
    for i in np.flatnonzero(eligible):
        if rng.random() > 0.6:
            continue
        periods = _yearly_periods(contracts["start_date"][i], contracts["end_date"][i], d1)
        scale = 25_000.0 * rng.lognormal(0, 1.4)
        share = rng.beta(2, 4)
        for pe in periods:
            total = round(scale * rng.uniform(0.6, 1.4), 1)
            total = max(total, 1.0)
            secondary = min(round(total * np.clip(share + rng.normal(0, 0.05), 0, 1), 1), total)
            rows["contract"].append(i)
            rows["period_end"].append(pe)
            rows["total"].append(total)
            rows["secondary"].append(secondary)
    n = len(rows["contract"])
    ci = np.array(rows["contract"], dtype=np.int64)
    cols = {
        "report_id": _ids("MR", 1, n, 7),
        "contract_id": contracts["contract_id"][ci] if n else np.array([], dtype=object),
        "period_end": np.array(rows["period_end"], dtype="datetime64[D]"),
        "material_total_kg": np.array(rows["total"], dtype=float),
        "secondary_material_kg": np.array(rows["secondary"], dtype=float),
    }
    return Frame(cols=cols, childless=np.ones(n, dtype=bool))
