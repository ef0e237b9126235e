"""The format-neutral notice: what `eforms.py` and `ocds.py` read and `landing.py` turns into rows.

Both readers fill the same dataclasses with eForms codes (an OCDS sustainability goal is mapped
back to its eForms code in `ocds.py`), so an eForms notice and its OCDS republication give the
same landing rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# notice kinds, in the order a procedure goes through them (a tie on issue date goes to the later kind)
KINDS = ("competition", "result", "modification")


class NoticeError(ValueError):
    """A file that cannot be ingested; the message is one line and names what is wrong."""


@dataclass(frozen=True)
class Party:
    """An organisation of a notice: a buyer or a winner."""

    ref: str  # the notice's own technical id (eForms ORG-0001, OCDS party id)
    name: str | None = None  # BT-500
    identifier: str | None = None  # BT-501, as published
    country: str | None = None  # BT-514, ISO 3166-1 alpha-2
    legal_type: str | None = None  # BT-11 (buyers only)
    size: str | None = None  # BT-165 (winners)


@dataclass(frozen=True)
class Objective:
    """One declared sustainability code of a lot: (business term, eForms code)."""

    bt: str  # BT-774, BT-775, BT-805, BT-717, BT-06, BT-776
    code: str


@dataclass
class Lot:
    lot_id: str  # BT-137
    title: str | None = None  # BT-21
    cpv: str | None = None  # BT-262
    nature: str | None = None  # BT-23: works, supplies, services
    estimated_value: str | None = None  # BT-27 amount as published
    estimated_currency: str | None = None
    objectives: list[Objective] = field(default_factory=list)
    reserved: str | None = None  # BT-71 code: none, res-pub-ser, res-ws


@dataclass
class Award:
    """One settled contract (eForms SettledContract, OCDS contract with its award)."""

    contract_ref: str  # technical id (CON-0001) or BT-150
    lot_id: str
    winner: Party | None
    value: str | None = None  # BT-720 of the winning tender
    currency: str | None = None
    award_date: str | None = None  # BT-1451 winner decision date
    conclusion_date: str | None = None  # BT-145
    is_framework: bool = False  # BT-768


@dataclass
class Notice:
    file: str
    format: str  # eforms / ocds
    notice_id: str
    version: str
    procedure_id: str  # BT-04
    kind: str  # one of KINDS
    notice_type: str  # BT-02 (eForms notice type code) or the OCDS release tag
    issue_date: str  # BT-05(a), YYYY-MM-DD
    buyer: Party
    procedure_type: str | None = None  # BT-105
    other_buyers: list[Party] = field(default_factory=list)
    lots: list[Lot] = field(default_factory=list)
    lot_status: dict[str, str] = field(default_factory=dict)  # lot id -> BT-142 code
    awards: list[Award] = field(default_factory=list)

    @property
    def order_key(self) -> tuple:
        """How notices of one procedure are ordered: the last one wins (docs/notices.md)."""
        return (self.issue_date, KINDS.index(self.kind), self.version, self.notice_id, self.file)
