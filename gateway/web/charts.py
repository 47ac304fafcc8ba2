"""Server-side charts of the Denials page: matplotlib SVG, no script, no outside asset."""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal

import matplotlib

matplotlib.use("Agg")  # no display on a server; must precede pyplot
import matplotlib.dates as mdates
import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from gateway.store.ledger_read import DenialRow

TOP = 10


def _svg(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(figure)
    return buffer.getvalue()


def _empty(title: str) -> bytes:
    figure, axes = plt.subplots(figsize=(7, 1.6))
    axes.set_axis_off()
    axes.text(0.5, 0.5, f"{title}: no adjustments recorded yet", ha="center", va="center")
    return _svg(figure)


def by_carc(rows: Sequence[DenialRow]) -> bytes:
    """Adjusted amount per CAS group and reason code (the ten largest), horizontal bars."""
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for row in rows:
        totals[f"{row.group}-{row.reason}"] += row.amount
    if not totals:
        return _empty("Adjusted amount by CARC")
    top = sorted(totals.items(), key=lambda item: (-item[1], item[0]))[:TOP][::-1]
    figure, axes = plt.subplots(figsize=(7, 0.45 * len(top) + 1.2))
    axes.barh([label for label, _ in top], [float(amount) for _, amount in top], color="#8a3b2e")
    axes.set_xlabel("adjusted amount ($)")
    axes.set_title("Adjusted amount by CARC")
    for spine in ("top", "right"):
        axes.spines[spine].set_visible(False)
    return _svg(figure)


def over_time(rows: Sequence[DenialRow], by: str) -> bytes:
    """Adjusted amount per day of the 835s, one line per payer or per CPT (the largest ten)."""
    series: dict[str, dict[dt.date, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for row in rows:
        name = row.payer if by == "payer" else row.procedure
        for day, amount in row.by_day.items():
            series[name][day] += amount
    title = f"Adjusted amount by {'payer' if by == 'payer' else 'CPT'} over time"
    if not series:
        return _empty(title)
    largest = sorted(series, key=lambda name: -sum(series[name].values()))[:TOP]
    figure, axes = plt.subplots(figsize=(7, 3.2))
    for name in largest:
        days = sorted(series[name])
        axes.plot(
            mdates.date2num(days),  # type: ignore[no-untyped-call]
            [float(series[name][day]) for day in days],
            marker="o",
            label=name[:28],
        )
    axes.xaxis_date()
    axes.set_ylabel("adjusted amount ($)")
    axes.set_title(title)
    axes.legend(fontsize="small", frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    figure.autofmt_xdate()
    for spine in ("top", "right"):
        axes.spines[spine].set_visible(False)
    return _svg(figure)
