"""The report's SVG charts, drawn in Python so that the HTML works offline (no JavaScript
library, no CDN). Pure functions: data in, markup out. Every text that reaches the markup
(labels, titles, ids) goes through `esc`: product group and scope names are delivered data.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from markupsafe import Markup

from mvoi.report.formatting import esc, format_number, format_value

TARGET_COLOUR = "#d52b1e"
BAR_COLOUR = "#01689b"


@dataclass
class Series:
    key: str  # scope id (NL or a layer)
    label: str
    points: dict[int, float | None]
    colour: str
    emphasis: bool = False


@dataclass
class TargetLine:
    value: float
    label: str


# --------------------------------------------------------------------------------------
# axis


def _nice_step(span: float, target_ticks: int = 5) -> float:
    """A round tick step (1, 2, 2.5 or 5 times a power of ten) giving about `target_ticks`."""
    if span <= 0:
        return 1.0
    raw = span / target_ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


def _axis_range(values: list[float], unit: str) -> tuple[float, float, float]:
    """(low, high, step) of the value axis: from 0 (or below), rounded to whole steps; a
    percentage axis stops at 100 when no value exceeds it."""
    lo = min(0.0, min(values)) if values else 0.0
    hi = max(values) if values else 1.0
    if unit == "%" and hi <= 100 and lo >= 0:
        hi = max(hi, 10.0)
    if hi == lo:
        hi = lo + 1.0
    step = _nice_step(hi - lo)
    lo = math.floor(lo / step) * step
    hi = math.ceil(hi / step) * step
    if unit == "%" and lo >= 0 and hi > 100 and max(values or [0]) <= 100:
        hi = 100.0
    return lo, hi, step


def _tick_decimals(step: float) -> int:
    """The fewest decimals (0-4) that show every multiple of `step` exactly."""
    for decimals in range(5):
        scaled = step * 10**decimals
        if abs(scaled - round(scaled)) < 1e-9 * max(1.0, scaled):
            return decimals
    return 4


# --------------------------------------------------------------------------------------
# line chart


@dataclass
class _Plot:
    """The plot area of a line chart and the mapping of (year, value) onto it."""

    left: int
    top: int
    width: int
    height: int
    years: list[int]
    lo: float
    hi: float

    def x_of(self, year: int) -> float:
        if len(self.years) == 1:
            return self.left + self.width / 2
        return self.left + self.width * (self.years.index(year) / (len(self.years) - 1))

    def y_of(self, value: float) -> float:
        return self.top + self.height * (1 - (value - self.lo) / (self.hi - self.lo))


def _axes(plot: _Plot, step: float, unit: str) -> list[str]:
    """Horizontal grid lines with value ticks, the year ticks and the unit."""
    out = []
    decimals = _tick_decimals(step)
    right = plot.left + plot.width
    tick = plot.lo
    while tick <= plot.hi + step / 1000:
        y = plot.y_of(tick)
        out.append(f'<line class="grid" x1="{plot.left}" x2="{right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e3e3e3"/>')
        out.append(
            f'<text class="tick" x="{plot.left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11">'
            f"{esc(format_number(tick, decimals))}</text>"
        )
        tick += step
    for year in plot.years:
        out.append(
            f'<text class="tick" x="{plot.x_of(year):.1f}" y="{plot.top + plot.height + 18}" '
            f'text-anchor="middle" font-size="11">{year}</text>'
        )
    out.append(
        f'<text class="unit" x="{plot.left - 6}" y="{plot.top - 10}" text-anchor="end" font-size="10" '
        f'fill="#555555">{esc(unit)}</text>'
    )
    return out


def _target_lines(plot: _Plot, targets: list[TargetLine]) -> list[str]:
    """A dashed red line with its label per target value."""
    out = []
    right = plot.left + plot.width
    for target in targets:
        y = plot.y_of(target.value)
        out.append(
            f'<line class="target" x1="{plot.left}" x2="{right}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="{TARGET_COLOUR}" stroke-width="1.5" stroke-dasharray="6 4">'
            f"<title>{esc(target.label)}</title></line>"
        )
        out.append(
            f'<text class="target-label" x="{right - 4}" y="{y - 4:.1f}" text-anchor="end" '
            f'font-size="10" fill="{TARGET_COLOUR}">{esc(target.label)}</text>'
        )
    return out


def _series_path(plot: _Plot, series: Series) -> str:
    """The SVG path data of a series: a gap (a new segment) where a year has no value."""
    segments: list[list[tuple[float, float]]] = [[]]
    for year in plot.years:
        value = series.points.get(year)
        if value is None:
            if segments[-1]:
                segments.append([])
            continue
        segments[-1].append((plot.x_of(year), plot.y_of(value)))
    return " ".join("M" + " L".join(f"{x:.1f} {y:.1f}" for x, y in seg) for seg in segments if seg)


def _series_marks(plot: _Plot, series: Series, unit: str) -> list[str]:
    """The line of a series and a point with a tooltip per year that has a value."""
    out = []
    path = _series_path(plot, series)
    if path:
        out.append(
            f'<path class="series" data-scope="{esc(series.key)}" d="{path}" fill="none" '
            f'stroke="{series.colour}" stroke-width="{3 if series.emphasis else 1.8}" stroke-linejoin="round"/>'
        )
    for year in plot.years:
        value = series.points.get(year)
        if value is None:
            continue
        out.append(
            f'<circle class="point" data-scope="{esc(series.key)}" data-year="{year}" cx="{plot.x_of(year):.1f}" '
            f'cy="{plot.y_of(value):.1f}" r="{3.5 if series.emphasis else 2.5}" fill="{series.colour}">'
            f"<title>{esc(series.label)} {year}: {esc(format_value(value, unit))}</title></circle>"
        )
    return out


def _legend_entry(x: int, y: int, label: str, stroke: str) -> list[str]:
    return [
        f'<line class="legend-swatch" x1="{x}" x2="{x + 18}" y1="{y}" y2="{y}" {stroke}/>',
        f'<text class="legend" x="{x + 24}" y="{y + 4}" font-size="11">{esc(label)}</text>',
    ]


def _legend(plot: _Plot, series: list[Series], has_targets: bool) -> list[str]:
    """One swatch per series, then the target's dashed swatch, right of the plot."""
    x = plot.left + plot.width + 14
    out = []
    for i, s in enumerate(series):
        stroke = f'stroke="{s.colour}" stroke-width="{3 if s.emphasis else 2}"'
        out += _legend_entry(x, plot.top + 10 + i * 18, s.label, stroke)
    if has_targets:
        stroke = f'stroke="{TARGET_COLOUR}" stroke-width="1.5" stroke-dasharray="6 4"'
        out += _legend_entry(x, plot.top + 10 + len(series) * 18, "target", stroke)
    return out


def line_chart(
    chart_id: str,
    title: str,
    unit: str,
    years: list[int],
    series: list[Series],
    targets: list[TargetLine],
    width: int = 620,
    height: int = 266,
) -> Markup:
    """A trend chart: one line per scope over the years, a dashed line per target."""
    left, right, top, bottom = 56, 132, 22, 34
    values = [v for s in series for v in s.points.values() if v is not None]
    values += [t.value for t in targets]
    lo, hi, step = _axis_range(values, unit)
    plot = _Plot(left, top, width - left - right, height - top - bottom, years, lo, hi)
    out = [
        f'<svg class="chart line-chart" id="{esc(chart_id)}" role="img" '
        f'aria-label="{esc(title)}" viewBox="0 0 {width} {height}" width="{width}" height="{height}">',
        f"<title>{esc(title)}</title>",
        f'<rect class="plot-area" x="{left}" y="{top}" width="{plot.width}" height="{plot.height}" '
        f'fill="#fafafa" stroke="#cccccc"/>',
        *_axes(plot, step, unit),
        *_target_lines(plot, targets),
    ]
    for s in series:
        out += _series_marks(plot, s, unit)
    out += _legend(plot, series, bool(targets))
    if not values:
        out.append(
            f'<text class="no-data" x="{left + plot.width / 2}" y="{top + plot.height / 2}" text-anchor="middle" '
            f'font-size="13" fill="#777777">no data</text>'
        )
    out.append("</svg>")
    return Markup("".join(out))


# --------------------------------------------------------------------------------------
# bar chart


def _bar(y: int, label: str, value: float | None, bar_width: float, unit: str, label_w: int, bar_h: int) -> list[str]:
    """One bar: its (shortened) label left, the bar, and the value right of it."""
    short = label if len(label) <= 34 else label[:33] + "…"
    shown = esc(format_value(value, unit))
    return [
        f'<text class="bar-label" x="{label_w - 8}" y="{y + bar_h - 5}" text-anchor="end" font-size="11">'
        f"{esc(short)}<title>{esc(label)}</title></text>",
        f'<rect class="bar" x="{label_w}" y="{y}" width="{bar_width:.1f}" height="{bar_h}" fill="{BAR_COLOUR}">'
        f"<title>{esc(label)}: {shown}</title></rect>",
        f'<text class="bar-value" x="{label_w + bar_width + 6:.1f}" y="{y + bar_h - 5}" font-size="11">{shown}</text>',
    ]


def bar_chart(chart_id: str, title: str, items: list[tuple[str, float]], unit: str, width: int = 680) -> Markup:
    """A horizontal bar chart: one bar per (label, value), largest first as given."""
    label_w, value_w, bar_h, gap, top = 230, 110, 18, 6, 6
    height = max(top * 2 + len(items) * (bar_h + gap), 30)
    plot_w = width - label_w - value_w
    peak = max([v for _, v in items if v is not None and v > 0] or [1.0])
    out = [
        f'<svg class="chart bar-chart" id="{esc(chart_id)}" role="img" aria-label="{esc(title)}" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}">',
        f"<title>{esc(title)}</title>",
    ]
    for i, (label, value) in enumerate(items):
        bar_width = 0.0 if value is None or value <= 0 else plot_w * value / peak
        out += _bar(top + i * (bar_h + gap), label, value, bar_width, unit, label_w, bar_h)
    if not items:
        out.append('<text x="10" y="20" font-size="12" fill="#777777">no data</text>')
    out.append("</svg>")
    return Markup("".join(out))
