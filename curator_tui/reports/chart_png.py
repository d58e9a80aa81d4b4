"""The Word report's chart as a picture: planned vs done per month, drawn by matplotlib.

python-docx cannot write a native chart, so the document gets a PNG. matplotlib ships its own
font with Cyrillic (DejaVu Sans), so the picture reads the same on a Windows laptop with no
fonts of ours and on Linux, and its object API (`Figure` + the Agg canvas) draws without a
display or any global state. It is imported here, inside the function, and only the DOCX
report calls it: nothing else pays its import (about half a second).
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from curator_tui.reports.columns import CHART_DONE, CHART_PLANNED
from curator_tui.reports.model import ChartPoint
from curator_tui.reports.months import short_month_title

PLANNED_COLOUR, DONE_COLOUR = "#8EA9C1", "#2E7D32"
SIZE_INCHES, DPI = (10.0, 4.2), 150


def chart_png(points: Sequence[ChartPoint]) -> bytes:
    """A grouped column chart, one pair of bars per month, each bar labelled with its count."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=SIZE_INCHES, dpi=DPI)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    positions = range(len(points))
    bar = 0.4
    for shift, label, colour, values in (
        (-bar / 2, CHART_PLANNED, PLANNED_COLOUR, [p.planned for p in points]),
        (bar / 2, CHART_DONE, DONE_COLOUR, [p.done for p in points]),
    ):
        bars = axes.bar([x + shift for x in positions], values, bar, label=label, color=colour)
        axes.bar_label(bars, fontsize=8, padding=2)
    axes.set_xticks(list(positions), [short_month_title(p.month) for p in points], fontsize=9)
    axes.set_ylabel("Мероприятий")
    axes.margins(y=0.15)
    axes.spines[["top", "right"]].set_visible(False)
    axes.legend(loc="upper left", frameon=False)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
