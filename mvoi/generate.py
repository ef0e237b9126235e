"""`mvoi generate`: write a synthetic landing folder (all nine entities) and its fault manifest.

    mvoi generate --out DIR --invoice-lines N [--seed S] [--years 2021-2025]
                  [--format csv|parquet] [--fault-rate R] [--chunk-size C] [--quiet]
                  [--per-organisation [--correction OIN:YEAR ...] [--correction-factor F]]

The same arguments give byte-identical files. With --fault-rate R > 0 every rule of
seeds/reference/landing_rules.csv is violated in about R of its entity's rows (at least one),
exact duplicates are added, and DIR/_faults.json records what was damaged where.

With --per-organisation the complete folder goes to DIR/_combined/ and one delivery per
organisation to DIR/<OIN>/ (mvoi.generator.split; meant for --fault-rate 0); every
--correction OIN:YEAR adds a period delivery DIR/_corrections/<OIN>-<YEAR>/ that multiplies
that organisation's amounts of that year by --correction-factor (default 1.1).

Target ranges of the generated distributions (checked by tests/python/test_generate.py;
see docs/generator.md):

- share of spend under contract (GEN-04 at R = 0): 55-90 %
- awarded tenders with at least one MVOI criterion: 55-80 % (DOMAIN.md: 57-80 %)
- SME suppliers (micro/small/medium) by count: 65-90 %; SME share of spend: 15-49 %
- credit notes (negative lines): 2-5 % of invoice lines
- December share of invoice lines: above 1/12 (peak month)
"""

from __future__ import annotations

import argparse
import logging
import re
import time
from pathlib import Path

log = logging.getLogger(__name__)

COMBINED_DIR = "_combined"  # --per-organisation: the complete folder
CORRECTIONS_DIR = "_corrections"  # --correction: DIR/_corrections/<OIN>-<YEAR>/


def _years(value: str) -> tuple[int, int]:
    m = re.fullmatch(r"(\d{4})(?:-(\d{4}))?", value.strip())
    if not m:
        raise argparse.ArgumentTypeError("years must look like 2021-2025 or 2024")
    y0 = int(m.group(1))
    y1 = int(m.group(2) or y0)
    if y1 < y0:
        raise argparse.ArgumentTypeError("the last year comes before the first")
    return y0, y1


def _rate(value: str) -> float:
    r = float(value)
    if not 0.0 <= r <= 0.05:
        raise argparse.ArgumentTypeError("--fault-rate must be between 0 and 0.05 (each rule gets about R of the rows)")
    return r


def _correction(value: str) -> tuple[str, int]:
    m = re.fullmatch(r"([0-9]{20}):([0-9]{4})", value.strip())
    if not m:
        raise argparse.ArgumentTypeError("--correction must look like OIN:YEAR (20 digits, a colon, 4 digits)")
    return m.group(1), int(m.group(2))


def _factor(value: str) -> float:
    f = float(value)
    if not f > 0:
        raise argparse.ArgumentTypeError("--correction-factor must be positive")
    return f


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", required=True, type=Path, help="landing folder to write (created if needed)")
    parser.add_argument("--invoice-lines", required=True, type=int, metavar="N",
                        help="number of invoice lines (before injected duplicates); other entities scale with N")
    parser.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    parser.add_argument("--years", type=_years, default=(2021, 2025), help="period, e.g. 2021-2025 (default)")
    parser.add_argument("--format", dest="fmt", choices=("csv", "parquet"), default="csv", help="file format")
    parser.add_argument("--fault-rate", type=_rate, default=0.0, metavar="R",
                        help="share of rows damaged per contract rule (0 = a clean delivery)")
    parser.add_argument("--chunk-size", type=int, default=500_000,
                        help="invoice lines per chunk (memory bound; at least 1000)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument("--per-organisation", action="store_true",
                        help="write the complete folder to DIR/_combined/ and one delivery per organisation "
                             "to DIR/<OIN>/ (for fault-free data)")
    parser.add_argument("--correction", type=_correction, action="append", default=[], metavar="OIN:YEAR",
                        help="also write the period delivery DIR/_corrections/<OIN>-<YEAR>/ (repeatable; "
                             "needs --per-organisation)")
    parser.add_argument("--correction-factor", type=_factor, default=1.1, metavar="F",
                        help="what a correction multiplies the year's amounts by (default 1.1)")


def run(args: argparse.Namespace) -> int:
    from mvoi.generator import Config, generate

    if args.invoice_lines < 1:
        log.error("--invoice-lines must be at least 1")
        return 2
    per_org = getattr(args, "per_organisation", False)
    corrections = getattr(args, "correction", None) or []
    if corrections and not per_org:
        log.error("--correction needs --per-organisation")
        return 2
    for oin, year in corrections:
        if not args.years[0] <= year <= args.years[1]:
            log.error("--correction %s:%d: the year lies outside --years %d-%d", oin, year, *args.years)
            return 2
    out = args.out / COMBINED_DIR if per_org else args.out
    cfg = Config(out=out, invoice_lines=args.invoice_lines, seed=args.seed, years=args.years,
                 fmt=args.fmt, fault_rate=args.fault_rate, chunk_size=args.chunk_size, quiet=args.quiet)
    t0 = time.perf_counter()
    manifest = generate(cfg)
    seconds = time.perf_counter() - t0
    rows = {name: e["rows_written"] for name, e in manifest["entities"].items()}
    log.info("wrote %s to %s in %.1f s", ", ".join(f"{k}={v}" for k, v in rows.items()), out, seconds)
    if per_org:
        return _per_organisation(args, out, corrections)
    return 0


def _per_organisation(args: argparse.Namespace, combined: Path, corrections: list[tuple[str, int]]) -> int:
    """Split the combined folder per organisation and write the requested corrections."""
    from mvoi.generator.split import correction_delivery, split_per_organisation

    if args.fault_rate > 0:
        log.warning("--per-organisation with --fault-rate > 0: rows that cannot be attributed to an "
                    "organisation go to no folder (see %s/_organisations.json)", args.out)
    t0 = time.perf_counter()
    folders = split_per_organisation(combined, args.out)
    log.info("split into %d organisation folders under %s in %.1f s", len(folders), args.out,
             time.perf_counter() - t0)
    unknown = sorted({oin for oin, _ in corrections} - folders.keys())
    if unknown:
        log.error("--correction: no organisation %s in the generated data (see %s/_organisations.json)",
                  ", ".join(unknown), args.out)
        return 2
    factor = getattr(args, "correction_factor", 1.1)
    for oin, year in dict.fromkeys(corrections):
        path = correction_delivery(folders[oin], args.out / CORRECTIONS_DIR / f"{oin}-{year}", year, factor)
        log.info("wrote the %d correction of %s (factor %s) to %s", year, oin, factor, path)
    return 0


def main(argv: list[str] | None = None) -> int:
    """`python -m mvoi.generate ...`: the same command without the sub-command registry."""
    parser = argparse.ArgumentParser(prog="mvoi generate", description=__doc__.splitlines()[0])
    add_arguments(parser)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    return run(args)


if __name__ == "__main__":
    raise SystemExit(main())
