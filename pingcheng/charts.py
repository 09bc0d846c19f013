"""Charts drawn on the server as accessible SVG: horizontal bars, progress towards targets, a column series over
time, and a sparkline. Any product's staff pages may use them (the campaigns dashboard, the inquiry desk).

Each chart is an ``<svg role="img">`` named by its ``<title>`` and described by its ``<desc>`` (which states what
the figures are); every bar carries its label and its number as text, so nothing is told by colour alone, and
the page prints the same numbers in a ``<table>`` beside the chart. Text is escaped by ElementTree (unit names
and campaign titles come from the database). The output depends on the arguments only: the same figures
give the same bytes, so a page that embeds a chart can be cached and compared.

The SVG carries its natural pixel size and scales down with CSS (``max-width: 100%; height: auto``) on a
narrow phone, never up: a chart on a desktop keeps the text size of the page around it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from xml.etree import ElementTree as ET

from django.utils.safestring import SafeString, mark_safe

Number = int | float | Decimal

WIDTH = 360  # the natural width: a 390 px phone's column; wider screens show it at this size
FONT_SIZE = 15
LABEL_ROW = 21  # the line of text above each bar
BAR_HEIGHT = 16
ROW_GAP = 10
VALUE_ROOM = 72  # the least room right of the longest bar for its number
# Three ink tones of the site (static/css/site.css): bars, their tracks, and text; meaning is always in text.
BAR_FILL = "#0b4a8b"
TRACK_FILL = "#ffffff"
TRACK_STROKE = "#8a8275"
TEXT_FILL = "#1a1a1a"
MUTED_FILL = "#595959"

_ID = re.compile(r"[^A-Za-z0-9_-]")


@dataclass(frozen=True)
class Bar:
    """One bar: its label, its value, and an optional note printed after the number (``其中逾期 2``)."""

    label: str
    value: Number
    note: str = ""


@dataclass(frozen=True)
class Goal:
    """Progress towards one target: ``done`` of ``target`` in ``unit``."""

    label: str
    done: Number
    target: Number
    unit: str = ""

    @property
    def percent(self) -> int:
        """Whole percent reached (a met target with nothing asked is 100); may exceed 100."""
        if not self.target:
            return 100
        return int(Decimal(str(self.done)) * 100 / Decimal(str(self.target)))


@dataclass(frozen=True)
class Point:
    """One step of a series: ``label`` in full (for the title and the table), ``short`` under its column."""

    label: str
    value: Number
    short: str = ""


def number_text(value: Number) -> str:
    """A figure as people write it: ``320`` not ``320.0``, ``12.5`` as is, no exponent (``1E+3``)."""
    if isinstance(value, int):
        return str(value)
    # A float's noise (3.3000000000000003) is not a figure anyone recorded: four places are plenty.
    decimal = Decimal(str(round(value, 4) if isinstance(value, float) else value))
    if decimal == decimal.to_integral_value():
        return str(int(decimal))
    return format(decimal.normalize(), "f")


def text_width(text: str, size: int = FONT_SIZE) -> float:
    """Approximate width in pixels: a Hanzi or a full-width sign is one em, anything else about half of one."""
    return sum(size if unicodedata.east_asian_width(char) in "WF" else size * 0.56 for char in text)


def fit(text: str, width: float, size: int = FONT_SIZE) -> str:
    """``text`` shortened with an ellipsis to fit ``width`` (the full text stays in the chart's table)."""
    if text_width(text, size) <= width:
        return text
    kept = ""
    for char in text:
        if text_width(kept + char + "…", size) > width:
            break
        kept += char
    return kept + "…"


def _svg(*, chart_id: str, title: str, description: str, width: int, height: int, css: str) -> ET.Element:
    key = _ID.sub("-", chart_id)
    svg = ET.Element("svg", {
        "xmlns": "http://www.w3.org/2000/svg", "class": f"chart {css}", "role": "img",
        "width": str(width), "height": str(height), "viewBox": f"0 0 {width} {height}",
        "aria-labelledby": f"{key}-title {key}-desc", "font-size": str(FONT_SIZE),
    })  # fmt: skip
    ET.SubElement(svg, "title", {"id": f"{key}-title"}).text = title
    ET.SubElement(svg, "desc", {"id": f"{key}-desc"}).text = description
    return svg


def _text(parent: ET.Element, x: float, y: float, content: str, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, "text", {"x": _px(x), "y": _px(y), "fill": TEXT_FILL, **attributes})
    element.text = content
    return element


def _rect(parent: ET.Element, x: float, y: float, width: float, height: float, **attributes: str) -> ET.Element:
    return ET.SubElement(parent, "rect", {"x": _px(x), "y": _px(y), "width": _px(width), "height": _px(height),
                                          **attributes})  # fmt: skip


def _px(value: float) -> str:
    """Coordinates rounded to a tenth of a pixel: deterministic text, no float noise (``12.300000000000001``)."""
    rounded = round(float(value), 1)
    return str(int(rounded)) if rounded == int(rounded) else str(rounded)


def _render(svg: ET.Element) -> SafeString:
    # ElementTree escapes every text and attribute value it writes: a unit named "<script>" stays text.
    return mark_safe(ET.tostring(svg, encoding="unicode", short_empty_elements=True))


def bar_chart(*, chart_id: str, title: str, description: str, bars: Sequence[Bar], unit: str = "",
              width: int = WIDTH) -> SafeString:  # fmt: skip
    """Horizontal bars, one per label, longest for the largest value; each labelled with its name above and
    its number (and ``unit``) at its end. An empty list draws a sentence instead of bars."""
    row = LABEL_ROW + BAR_HEIGHT + ROW_GAP
    height = max(row * len(bars), row) + 4
    svg = _svg(chart_id=chart_id, title=title, description=description, width=width, height=height, css="chart-bars")
    if not bars:
        _text(svg, 0, LABEL_ROW, "暂无数据", fill=MUTED_FILL)
        return _render(svg)
    largest = max(Decimal(str(bar.value)) for bar in bars) or Decimal(1)
    values = [f"{number_text(bar.value)}{unit}" + (f" {bar.note}" if bar.note else "") for bar in bars]
    # The longest bar leaves room for the widest number after it, and never takes less than half the width.
    span = width - max(VALUE_ROOM, min(width / 2, max(text_width(value) for value in values) + 8))
    for index, (bar, value) in enumerate(zip(bars, values, strict=True)):
        top = index * row
        group = ET.SubElement(svg, "g", {"class": "chart-bar"})
        ET.SubElement(
            group, "title"
        ).text = f"{bar.label}：{number_text(bar.value)}{unit}{'，' + bar.note if bar.note else ''}"
        _text(group, 0, top + LABEL_ROW - 5, fit(bar.label, width))
        length = float(Decimal(str(bar.value)) / largest) * span
        if bar.value:
            length = max(length, 2)  # a small non-zero value is still seen as more than none
            _rect(group, 0, top + LABEL_ROW, length, BAR_HEIGHT, fill=BAR_FILL)
        else:
            _rect(group, 0, top + LABEL_ROW, 1, BAR_HEIGHT, fill=TRACK_STROKE)
        _text(
            group,
            length + 6,
            top + LABEL_ROW + BAR_HEIGHT - 2,
            fit(value, width - length - 6),
            **{"class": "chart-value"},
        )
    return _render(svg)


def progress_bars(*, chart_id: str, title: str, description: str, goals: Sequence[Goal],
                  width: int = WIDTH) -> SafeString:  # fmt: skip
    """One outlined track per target, filled to the share reached (a track, so an empty bar still reads as
    0 of something), with ``done / target unit（percent%）`` written beside the label."""
    row = LABEL_ROW + BAR_HEIGHT + ROW_GAP
    height = max(row * len(goals), row) + 4
    svg = _svg(chart_id=chart_id, title=title, description=description, width=width, height=height,
               css="chart-progress")  # fmt: skip
    if not goals:
        _text(svg, 0, LABEL_ROW, "没有设定目标", fill=MUTED_FILL)
        return _render(svg)
    track = width - 2
    for index, goal in enumerate(goals):
        top = index * row
        figures = f"{number_text(goal.done)}/{number_text(goal.target)}{goal.unit}（{goal.percent}%）"
        group = ET.SubElement(svg, "g", {"class": "chart-goal"})
        ET.SubElement(group, "title").text = f"{goal.label}：{figures}"
        room = width - text_width(figures) - 8
        _text(group, 0, top + LABEL_ROW - 5, fit(goal.label, room))
        _text(group, width, top + LABEL_ROW - 5, figures, **{"text-anchor": "end", "class": "chart-value"})
        _rect(group, 1, top + LABEL_ROW, track, BAR_HEIGHT, fill=TRACK_FILL, stroke=TRACK_STROKE)
        filled = track * min(goal.percent, 100) / 100
        if filled > 0:
            _rect(group, 1, top + LABEL_ROW, filled, BAR_HEIGHT, fill=BAR_FILL)
    return _render(svg)


def time_series(*, chart_id: str, title: str, description: str, points: Sequence[Point], unit: str = "",
                width: int = WIDTH, height: int = 160) -> SafeString:  # fmt: skip
    """Columns over time, oldest first, with the largest value marked on the axis and the first, middle and
    last steps named under their columns (every step's number is in its column's title and in the table)."""
    svg = _svg(chart_id=chart_id, title=title, description=description, width=width, height=height,
               css="chart-series")  # fmt: skip
    if not points:
        _text(svg, 0, LABEL_ROW, "暂无数据", fill=MUTED_FILL)
        return _render(svg)
    left, bottom, top = 36, 22, 8
    plot_width, plot_height = width - left - 4, height - bottom - top
    largest = max(Decimal(str(point.value)) for point in points)
    scale = largest or Decimal(1)
    axis = ET.SubElement(svg, "g", {"class": "chart-axis"})
    _text(axis, left - 4, top + FONT_SIZE - 2, number_text(largest), **{"text-anchor": "end"})
    _text(axis, left - 4, top + plot_height, "0", **{"text-anchor": "end"})
    ET.SubElement(axis, "line", {"x1": _px(left), "y1": _px(top + plot_height), "x2": _px(width - 4),
                                 "y2": _px(top + plot_height), "stroke": TRACK_STROKE})  # fmt: skip
    step = plot_width / len(points)
    gap = min(4.0, step * 0.2)
    named = {0, len(points) // 2, len(points) - 1}
    for index, point in enumerate(points):
        x = left + index * step
        group = ET.SubElement(svg, "g", {"class": "chart-column"})
        ET.SubElement(group, "title").text = f"{point.label}：{number_text(point.value)}{unit}"
        column = float(Decimal(str(point.value)) / scale) * plot_height
        if point.value:
            column = max(column, 2)
            _rect(group, x + gap / 2, top + plot_height - column, step - gap, column, fill=BAR_FILL)
        if index in named:
            anchor = "start" if index == 0 else ("end" if index == len(points) - 1 else "middle")
            at = x if anchor == "start" else (x + step if anchor == "end" else x + step / 2)
            _text(group, at, height - 5, point.short or point.label, **{"text-anchor": anchor, "fill": MUTED_FILL})
    return _render(svg)


def sparkline(*, chart_id: str, title: str, values: Sequence[Number], width: int = 96, height: int = 24) -> SafeString:
    """A small line of a series (oldest first) for a table cell, its numbers spelled out in its description."""
    description = "、".join(number_text(value) for value in values) or "暂无数据"
    svg = _svg(chart_id=chart_id, title=title, description=description, width=width, height=height,
               css="chart-sparkline")  # fmt: skip
    if not values:
        return _render(svg)
    largest = max(Decimal(str(value)) for value in values) or Decimal(1)
    step = (width - 4) / max(len(values) - 1, 1)
    points = " ".join(
        f"{_px(2 + index * step)},{_px(height - 2 - float(Decimal(str(value)) / largest) * (height - 4))}"
        for index, value in enumerate(values)
    )
    ET.SubElement(svg, "polyline", {"points": points, "fill": "none", "stroke": BAR_FILL, "stroke-width": "1.5"})
    return _render(svg)
