"""Where each page of the site lives (paths relative to the site folder)."""

from __future__ import annotations

import re


def _safe(identifier: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "_", str(identifier)) or "_"


def kpi(code: str) -> str:
    return f"kpi/{_safe(code.lower())}.html"


def organisation(organisation_id: str) -> str:
    return f"organisatie/{_safe(organisation_id)}.html"


def product(product_group_id: str) -> str:
    return f"product/{_safe(product_group_id)}.html"


def sector(sector_id: str) -> str:
    return f"sector/{_safe(sector_id)}.html"


HOME = "index.html"
ORGANISATIONS = "organisaties.html"
PRODUCTS = "producten.html"
SECTORS = "sectoren.html"
QUALITY = "kwaliteit.html"
DOWNLOADS = "downloads.html"

MENU = (
    (HOME, "Thema's"),
    (ORGANISATIONS, "Organisaties"),
    (PRODUCTS, "Productkaarten"),
    (SECTORS, "Sectorkaarten"),
    (QUALITY, "Datakwaliteit"),
    (DOWNLOADS, "Downloads"),
)
