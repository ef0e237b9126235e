"""`mvoi ingest-notices PATH... --out LANDING_DIR`: eForms XML and OCDS JSON notices -> a landing folder.

Every file is read on its own: a file that cannot be used gets one line naming it and the
reason, and the others are still ingested (exit code 1 at the end). A procedure whose buyer
has no OIN or government layer is quarantined: reported here and in `_notices_report.json`
in the landing folder, its rows not written. No network. docs/notices.md has the rules.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from mvoi.notices import eforms, ocds
from mvoi.notices.landing import (
    BUYER_MAP,
    REPORT_FILE,
    THEME_MAP,
    Result,
    build,
    load_buyer_map,
    load_theme_map,
    write_folder,
)
from mvoi.notices.model import Notice, NoticeError

PROG = "mvoi ingest-notices"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", type=Path, metavar="PATH",
                        help="notice files (.xml eForms, .json OCDS release package or record package) or folders of them")
    parser.add_argument("--out", type=Path, required=True, metavar="LANDING_DIR", help="the landing folder to write")
    parser.add_argument("--buyer-map", type=Path, default=BUYER_MAP,
                        help="buyer -> OIN and government layer (default seeds/reference/notice_buyer_map.csv)")
    parser.add_argument("--theme-map", type=Path, default=THEME_MAP,
                        help="eForms code -> MVOI theme (default seeds/reference/notice_theme_map.csv)")


def notice_files(paths: list[Path]) -> list[Path]:
    files = []
    for path in paths:
        if path.is_dir():
            files += sorted(p for p in path.rglob("*") if p.suffix.lower() in (".xml", ".json") and p.is_file())
        else:
            files.append(path)
    return files


def read_notices(paths: list[Path]) -> tuple[list[Notice], list[dict]]:
    """Every notice the files hold, and one error per file that cannot be used."""
    notices, errors = [], []
    for path in notice_files(paths):
        try:
            if not path.exists():
                raise NoticeError("no such file")
            if path.suffix.lower() == ".json":
                notices += ocds.parse_file(path)
            elif path.suffix.lower() == ".xml":
                notices.append(eforms.parse_file(path))
            else:
                raise NoticeError("not a notice file (.xml for eForms, .json for OCDS)")
        except NoticeError as exc:
            errors.append({"file": str(path), "error": str(exc)})
    return notices, errors


def ingest(paths: list[Path], out: Path, buyer_map: Path = BUYER_MAP,
           theme_map: Path = THEME_MAP) -> tuple[Result, list[dict], dict]:
    """Read, build and write the landing folder with its report; returns (result, file errors, report)."""
    notices, errors = read_notices(paths)
    result = build(notices, load_theme_map(theme_map), load_buyer_map(buyer_map))
    write_folder(result, out)
    report = {
        "files_read": len({e["file"] for e in errors} | {n.file for n in notices}), "notices": len(notices), "file_errors": errors,
        "rows": {e: len(r) for e, r in result.rows.items()},
        "quarantined_procedures": result.quarantined, "left_out_rows": result.left_out,
        "notes": result.notes, "superseded_notices": result.superseded, "lots": result.lots,
    }
    (out / REPORT_FILE).write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return result, errors, report


def run(args: argparse.Namespace) -> int:
    result, errors, report = ingest(args.paths, args.out, args.buyer_map, args.theme_map)
    for error in errors:
        print(f"{PROG}: {error['file']}: {error['error']}", file=sys.stderr)
    for q in result.quarantined:
        buyer = q["buyer"]
        print(f"{PROG}: procedure {q['procedure_id']} quarantined: buyer {buyer['name']!r} "
              f"(BT-501 {buyer['identifier'] or 'none'}, {buyer['country'] or 'no country'}): {q['reason']}; "
              f"add it to the buyer map ({', '.join(q['files'])})", file=sys.stderr)
    for row in result.left_out:
        print(f"{PROG}: {row['entity']} {row['id']} left out: {row['reason']}", file=sys.stderr)
    counts = ", ".join(f"{n} {e}" for e, n in report["rows"].items())
    print(f"{PROG}: {report['notices']} notice(s) from {report['files_read']} file(s) -> {args.out}: {counts}; "
          f"{len(errors)} file error(s), {len(result.quarantined)} quarantined procedure(s) ({REPORT_FILE})")
    return 1 if errors else 0
