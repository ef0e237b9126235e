"""The building blocks of a page: tables (shown and downloadable) and Plotly charts.

A table keeps two versions of each row: the cells as shown (Dutch formatted, with a CSS class
and an optional link) and the raw values, which go to the table's CSV download through
mvoi.csv_export (formula injection neutralised).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import plotly.graph_objects as go
import plotly.io as pio

from mvoi.site.formatting import MIN_RECORDS, count_nl, is_few

# A table with more rows than this gets a text filter above it (docs/site.md, site.js).
FILTER_ROWS = 15


@dataclass
class Cell:
    text: str
    cls: str = ""
    href: str | None = None
    title: str | None = None
    attrs: dict[str, str] = field(default_factory=dict)
    en: str | None = None  # an English name, shown on a second line (lang="en")


@dataclass
class Table:
    key: str  # file-name part of the CSV download
    title: str
    columns: list[str]
    csv_columns: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    raw: list[list[Any]] = field(default_factory=list)
    note: str | None = None
    csv_href: str | None = None  # set when the site is written
    search: str | None = None  # the label of its text filter; long tables get one anyway
    layers: list[tuple[str, str]] = field(default_factory=list)  # layer filter (id, label); cells carry data-layer

    @property
    def search_label(self) -> str | None:
        """The label of the table's text filter, None for a short table without one."""
        return self.search or ("Zoek in deze tabel" if len(self.rows) > FILTER_ROWS else None)

    def add(self, cells: list[Cell | str], raw: list[Any] | None) -> None:
        """A shown row and its raw CSV row (None: the CSV rows are added separately)."""
        self.rows.append([c if isinstance(c, Cell) else Cell(str(c)) for c in cells])
        if raw is not None:
            self.raw.append(raw)


def few_cell(text: str, record_count: int | None, cls: str = "num", **attrs: str) -> Cell:
    """A value cell, greyed and followed by its record count when it rests on fewer than
    MIN_RECORDS records."""
    if is_few(record_count):
        return Cell(f"{text} (n={count_nl(record_count)})", f"{cls} few",
                    title=f"minder dan {MIN_RECORDS} records", attrs=attrs)
    return Cell(text, cls, attrs=attrs)


@dataclass
class Chart:
    key: str
    title: str
    spec: str  # Plotly JSON (data + layout), made safe to sit inside a <script> element


BASE_LAYOUT = {
    "template": "none",
    "separators": ",.",  # Dutch: decimal comma, thousands point
    "margin": {"l": 56, "r": 16, "t": 16, "b": 40},
    "height": 340,
    "autosize": True,
    "legend": {"orientation": "h", "y": -0.18},
    "font": {"family": "system-ui, sans-serif", "size": 12},
    "paper_bgcolor": "#ffffff",
    "plot_bgcolor": "#ffffff",
}


def chart(key: str, title: str, figure: go.Figure, **layout: Any) -> Chart:
    """A chart for a page: the figure's JSON (BASE_LAYOUT, then `layout`), with `<`, `>` and `&`
    escaped so that no text in it can close the <script type="application/json"> that holds it."""
    figure.update_layout(**{**BASE_LAYOUT, **layout})
    figure.update_xaxes(gridcolor="#e6e6e6", automargin=True)
    figure.update_yaxes(gridcolor="#e6e6e6", automargin=True, rangemode="tozero")
    text = pio.to_json(figure, validate=True, pretty=False)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Chart(key, title, text)


def as_json_attr(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


@dataclass
class Block:
    kind: str  # text | en (English text) | table | chart | dl | themes | links
    payload: Any


@dataclass
class Section:
    title: str
    blocks: list[Block] = field(default_factory=list)
    anchor: str | None = None

    def text(self, *paragraphs: str) -> Section:
        self.blocks.append(Block("text", list(paragraphs)))
        return self

    def english(self, text: str) -> Section:
        """A paragraph in English (lang="en"), such as a description from the register."""
        self.blocks.append(Block("en", text))
        return self

    def table(self, table: Table) -> Section:
        self.blocks.append(Block("table", table))
        return self

    def chart(self, item: Chart) -> Section:
        self.blocks.append(Block("chart", item))
        return self

    def add(self, kind: str, payload: Any) -> Section:
        self.blocks.append(Block(kind, payload))
        return self


@dataclass
class Page:
    path: str  # relative to the site folder, "/"-separated
    title: str
    lead: str = ""
    title_en: str | None = None  # the English name from the register, under the title (lang="en")
    sections: list[Section] = field(default_factory=list)
    nav: str = ""  # which top-menu item is current
    banner: str | None = None  # a warning above the title (a later build was refused)

    @property
    def root(self) -> str:
        return "../" * self.path.count("/")

    @property
    def slug(self) -> str:
        return self.path.removesuffix(".html").replace("/", "-")

    def tables(self) -> list[Table]:
        return [b.payload for s in self.sections for b in s.blocks if b.kind == "table"]

    def section(self, title: str, anchor: str | None = None) -> Section:
        self.sections.append(Section(title, anchor=anchor))
        return self.sections[-1]
