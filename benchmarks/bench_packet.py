"""Packet rendering time per claim: target under 2 s per claim (issue 9).

Rows per example claim (examples/claims/*.json), best and median of ``--repeat`` runs in one
warm process (the rule book loaded once; matplotlib and reportlab imported once):
  - packet: ``assemble`` (rules, documentation review) + pain chart (matplotlib Agg) + PDF (reportlab);
  - chart only: the matplotlib part of the above;
  - naive baseline: the same facts as plain text lines on a reportlab canvas, no tables, no chart
    (what the layout and the chart cost on top of writing text at all).
Two last rows give the cold start: one `gateway packet` process from interpreter start to PDF
on disk (imports included, what an operator waits for), next to `gateway --help` (the CLI's own
start-up) as its baseline.  The target applies to the per-claim rows.

Run: .venv/bin/python benchmarks/bench_packet.py [--repeat N]
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from reportlab.lib.pagesizes import LETTER
from reportlab.pdfgen.canvas import Canvas

from gateway.intake import load_claims
from gateway.packet.chart import pain_chart
from gateway.packet.content import PacketContent, assemble
from gateway.packet.render import render_pdf
from gateway.packet.subject import for_claim
from gateway.rules.book import load_rule_book

REPO = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 2.0


def naive_pdf(content: PacketContent) -> bytes:
    """Every fact as one text line on a canvas: the floor for 'write these facts into a PDF'."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=LETTER)
    lines = [f"{k}: {v}" for k, v in content.summary] + [" ".join(row) for row in content.services]
    lines += [" ".join(row) for row in content.timeline] + [
        f"{s.date} {s.scale} {s.score}" for s in content.scores
    ]
    lines += [f"{m.date} {m.code} {m.percent_relief}" for m in content.procedures]
    lines += [f"{r.rule_id} {r.source}" for r in content.rules] + [f.message[:120] for f in content.findings]
    y = 750.0
    for line in lines:
        if y < 40:
            canvas.showPage()
            y = 750.0
        canvas.drawString(40, y, line[:110])
        y -= 12
    canvas.save()
    return buffer.getvalue()


def timed(action: Callable[[], object], repeat: int) -> tuple[float, float]:
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        runs.append(time.perf_counter() - started)
    return min(runs), statistics.median(runs)


def cold_start(*args: str) -> tuple[float, float]:
    """(wall, CPU) seconds of one `gateway ARGS` process from interpreter start to exit."""
    with tempfile.TemporaryDirectory() as home:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "gateway", *(a.replace("HOME", home) for a in args)],
            check=True,
            capture_output=True,
            env={**os.environ, "GATEWAY_HOME": home},
        )
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    book = load_rule_book(REPO / "payer_configs")
    files = sorted((REPO / "examples" / "claims").glob("*.json"))
    print(
        f"{'claim':<40} {'pages':>5} {'KB':>5} {'packet best/median s':>21} {'chart s':>8} {'naive s':>8}  <2 s"
    )
    worst = 0.0
    for path in files:
        subject = for_claim(load_claims(path)[0])
        content = assemble(subject, book)
        pdf = render_pdf(content)  # warm-up (font metrics, matplotlib caches)
        best, median = timed(lambda s=subject: render_pdf(assemble(s, book)), args.repeat)
        chart, _ = timed(lambda c=content: pain_chart(c.scores, c.procedures), args.repeat)
        naive, _ = timed(lambda c=content: naive_pdf(c), args.repeat)
        pages = pdf.count(b"/Type /Page\n") or pdf.count(b"/Type /Page ")
        worst = max(worst, median)
        verdict = "yes" if median < TARGET_SECONDS else "NO"
        print(
            f"{path.stem:<40} {pages:>5} {len(pdf) / 1024:>5.0f} {best:>10.3f}/{median:<10.3f} {chart:>8.3f} "
            f"{naive:>8.3f}  {verdict}"
        )
    first = files[0]
    pcn = load_claims(first)[0].patient_control_number
    for label, command in (
        ("cold: gateway packet (one process)", ("packet", pcn, "--from", str(first), "-o", "HOME/p.pdf")),
        ("cold baseline: gateway --help", ("--help",)),
    ):
        wall, cpu = cold_start(*command)
        print(f"{label:<40} wall {wall:.3f} s, CPU {cpu:.3f} s (imports and interpreter start included)")
    print(f"worst median per claim: {worst:.3f} s (target < {TARGET_SECONDS} s)")
    return 0 if worst < TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
