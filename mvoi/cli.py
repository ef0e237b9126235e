"""The `mvoi` command line: a thin layer over one module per sub-command.

Each sub-command module exposes `add_arguments(parser)` and `run(args) -> int`.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from importlib.metadata import version

# sub-command -> (module, one-line help)
COMMANDS = {
    "build": ("mvoi.build", "the whole build of a warehouse: check, dbt build, gates, publish, docs, report"),
    "deliver": ("mvoi.deliveries", "receive a delivery (a landing folder of one organisation) into the landing store (--list: the register)"),
    "rejections": ("mvoi.rejections", "list or export the quarantined rows and their reasons (no personal data)"),
    "feedback": ("mvoi.feedback", "write the feedback on one delivery (rejected rows and warnings) as CSV and HTML for the organisation that sent it"),
    "generate": ("mvoi.generate", "write a synthetic landing folder (all nine entities)"),
    "check-metadata": ("mvoi.metadata_gate", "fail when docs, owners, keys or contracts are missing"),
    "validate": ("mvoi.validate", "run the Great Expectations gates (landing, publication) on the build database"),
    "publish": ("mvoi.publish", "copy the marts atomically to the published database and Parquet export"),
    "gate-and-publish": ("mvoi.gate_and_publish", "both GX gates, then publish only if the dbt build and both gates passed"),
    "report": ("mvoi.report", "write the self-contained HTML KPI report from the published database"),
    "site": ("mvoi.site", "write the static monitoring site (themes, KPIs, organisations, product and sector cards) from the published database"),
    "ingest-notices": ("mvoi.notices.cli", "turn eForms XML and OCDS JSON tender and award notices into a landing folder (tenders, criteria, contracts, suppliers, buyers)"),
    "spec": ("mvoi.spec", "write docs/kpi_register.md and docs/landing_contract.md from the seeds and the landing source (--check: fail when stale)"),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mvoi", description="MVOI monitoring warehouse tools")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    parser.add_argument("--version", action="version", version=f"%(prog)s {version('mvoi')}")
    subparsers = parser.add_subparsers(dest="command", required=True)
    for name, (module_name, help_text) in COMMANDS.items():
        module = importlib.import_module(module_name)
        sub = subparsers.add_parser(name, help=help_text, description=help_text)
        module.add_arguments(sub)
        sub.set_defaults(module=module)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        return int(args.module.run(args) or 0)
    except BrokenPipeError:
        # the reader went away (`mvoi validate --list-rules | head`): stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
