"""The pain chart: scores over time, one line per scale, each procedure marked with its relief.

matplotlib's object API on the Agg canvas (no display on a server, no pyplot global state, so
packets can render in threads), rendered to PNG bytes in memory; the renderer places them in
the PDF.
"""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict
from collections.abc import Sequence

import matplotlib.dates as mdates
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from gateway.packet.content import ProcedureMark, ScorePoint

WIDTH_INCHES, HEIGHT_INCHES, DPI = 7.0, 2.8, 110


def _x(day: dt.date) -> float:
    return float(mdates.date2num(day))  # type: ignore[no-untyped-call]  # unannotated in matplotlib


def relief_label(mark: ProcedureMark) -> str:
    if mark.current:
        return f"{mark.code} (this claim)"
    if mark.percent_relief is None:
        return f"{mark.code}: relief not recorded"
    days = f", {mark.relief_days} d" if mark.relief_days is not None else ""
    return f"{mark.code}: {mark.percent_relief:g}% relief{days}"


def pain_chart(scores: Sequence[ScorePoint], procedures: Sequence[ProcedureMark]) -> bytes:
    """PNG bytes of the chart (an empty chart says so when nothing is recorded)."""
    figure = Figure(figsize=(WIDTH_INCHES, HEIGHT_INCHES), dpi=DPI)
    FigureCanvasAgg(figure)
    axis = figure.subplots()
    by_scale: dict[str, list[ScorePoint]] = defaultdict(list)
    for point in scores:
        by_scale[point.scale].append(point)
    for scale, points in sorted(by_scale.items()):
        days = [_x(p.date) for p in points]
        axis.plot(days, [float(p.score) for p in points], marker="o", label=scale)
        for day, p in zip(days, points, strict=True):
            axis.annotate(
                f"{p.score:g}",
                (day, float(p.score)),
                textcoords="offset points",
                xytext=(0, 6),
                ha="center",
                fontsize=7,
            )
    top = max((float(p.score) for p in scores), default=10.0)
    for number, mark in enumerate(procedures):
        day = _x(mark.date)
        axis.axvline(day, color="tab:red" if mark.current else "tab:gray", linestyle="--", linewidth=1)
        axis.annotate(
            relief_label(mark),
            (day, top * (0.95 - 0.12 * (number % 4))),
            rotation=0,
            fontsize=7,
            ha="left",
            xytext=(3, 0),
            textcoords="offset points",
            color="tab:red" if mark.current else "black",
        )
    if not scores:
        axis.text(0.5, 0.5, "no pain scores recorded", transform=axis.transAxes, ha="center")
    axis.set_ylim(0, max(10.0, top * 1.15))
    axis.set_ylabel("score")
    axis.set_title("Pain scores and procedures (relief after each)", fontsize=9)
    axis.xaxis_date()
    axis.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m-%d"))  # type: ignore[no-untyped-call]
    axis.tick_params(labelsize=7)
    if by_scale:
        axis.legend(fontsize=7, loc="lower left")
    figure.autofmt_xdate()
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
