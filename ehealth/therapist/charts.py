"""Scores over time as a line chart drawn on the server: coordinates for an inline SVG.

No script: the page draws the chart from these numbers, and the same numbers are in the table
next to it (the chart's text alternative).
"""

from __future__ import annotations

from dataclasses import dataclass

from ehealth.presentation import number
from ehealth.services.client_record import ScorePoint, ScoreSeries

WIDTH = 640
HEIGHT = 260
LEFT, RIGHT, TOP, BOTTOM = 48, 24, 20, 44


@dataclass(frozen=True)
class Dot:
    """A score at its place in the chart."""

    x: float
    y: float
    point: ScorePoint


@dataclass(frozen=True)
class Gridline:
    """A horizontal line at a score, with its label."""

    y: float
    label: str


@dataclass(frozen=True)
class Chart:
    """What the template needs to draw one series."""

    width: int
    height: int
    left: int
    right: float
    top: int
    bottom: float
    dots: list[Dot]
    gridlines: list[Gridline]

    @property
    def line(self) -> str:
        """The ``points`` attribute of the polyline through the scores."""
        return " ".join(f"{dot.x:.1f},{dot.y:.1f}" for dot in self.dots)


def _label(value: float) -> str:
    return number(value)  # in the page's locale: "2,5" on a Dutch page


def draw(series: ScoreSeries) -> Chart:
    """Place the scores of ``series``: time from left to right, score from bottom to top.

    With one score, or scores all from one moment, the dots are spread evenly instead.
    """
    right, bottom = WIDTH - RIGHT, HEIGHT - BOTTOM
    span_y = (series.high - series.low) or 1.0
    times = [point.at.timestamp() for point in series.points]
    first, last = min(times), max(times)
    count = len(series.points)
    dots = []
    for index, point in enumerate(series.points):
        if last > first:
            share = (times[index] - first) / (last - first)
        else:
            share = 0.5 if count == 1 else index / (count - 1)
        x = LEFT + share * (right - LEFT)
        y = bottom - (point.score - series.low) / span_y * (bottom - TOP)
        dots.append(Dot(round(x, 1), round(y, 1), point))
    middle = series.low + span_y / 2
    values = [series.low, middle, series.high] if series.high > series.low else [series.low]
    gridlines = [Gridline(round(bottom - (v - series.low) / span_y * (bottom - TOP), 1),
                          _label(round(v, 2))) for v in values]
    return Chart(WIDTH, HEIGHT, LEFT, right, TOP, bottom, dots, gridlines)
