"""Lay the packet out as a PDF (reportlab platypus): pure bytes out, the CLI writes the file.

Two pages at most for a typical claim: summary and codes, the conservative-care table, the pain
chart with a table of the same procedures and relief figures (the chart is an image, the table
keeps the numbers searchable and readable by text extraction), procedure note summaries, the
rules that apply with their LCD ids, open findings and the documentation score.  Standard PDF
fonts only, so the text extracts cleanly (pdftotext, pypdf).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import inch
from reportlab.platypus import Image, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.flowables import Flowable

from gateway.packet.chart import HEIGHT_INCHES, WIDTH_INCHES, pain_chart
from gateway.packet.content import PacketContent

_STYLES = getSampleStyleSheet()
_BODY = ParagraphStyle("cell", parent=_STYLES["BodyText"], fontSize=8, leading=10)
_H1 = _STYLES["Heading1"]
_H2 = ParagraphStyle("h2", parent=_STYLES["Heading2"], fontSize=11, spaceBefore=8, spaceAfter=4)
_GRID = TableStyle(
    [
        ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef5")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("FONTSIZE", (0, 0), (-1, -1), 8),
    ]
)
CHART_TITLE = "Pain scores over time"


def _p(text: str) -> Paragraph:
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return Paragraph(escaped, _BODY)


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[float]) -> Table:
    data = [[_p(h) for h in header], *[[_p(cell) for cell in row] for row in rows]]
    table = Table(data, colWidths=[w * inch for w in widths], repeatRows=1)
    table.setStyle(_GRID)
    return table


def _section(title: str) -> Paragraph:
    return Paragraph(title, _H2)


def _none(text: str) -> Paragraph:
    return _p(text)


def story(content: PacketContent, chart_png: bytes) -> list[Flowable]:
    kind = "Claim" if content.subject.performed else "Prior authorization request"
    parts: list[Flowable] = [
        Paragraph(f"Documentation packet: {kind} {content.subject.identifier}", _H1),
        _table(["", ""], content.summary, [1.8, 5.4]),
        _section("Procedures and diagnoses"),
        _table(
            ["date", "code", "modifiers", "units", "description"], content.services, [0.9, 0.7, 0.8, 0.5, 4.3]
        ),
        Spacer(1, 4),
        _p("Diagnoses (ICD-10-CM): " + "; ".join(content.diagnoses)),
    ]
    if content.other_facts:
        parts += [_section("Clinical facts"), _table(["", ""], content.other_facts, [1.8, 5.4])]
    parts.append(_section("Conservative care timeline"))
    parts.append(
        _table(["modality", "from", "to", "response", "details"], content.timeline, [1.3, 0.9, 0.9, 0.9, 3.2])
        if content.timeline
        else _none("No conservative care is recorded.")
    )
    parts += [
        KeepTogether(
            [
                _section(CHART_TITLE),
                Image(io.BytesIO(chart_png), width=WIDTH_INCHES * inch, height=HEIGHT_INCHES * inch),
            ]
        ),
        _table(
            ["date", "scale", "score", "context"],
            [(s.date.isoformat(), s.scale, f"{s.score:g}", s.context) for s in content.scores],
            [0.9, 0.7, 0.6, 5.0],
        )
        if content.scores
        else _none("No pain scores are recorded."),
        Spacer(1, 4),
        _table(
            ["date", "procedure", "percent relief", "relief duration", "functional change"],
            [
                (
                    m.date.isoformat(),
                    m.code,
                    "this claim"
                    if m.current
                    else ("not recorded" if m.percent_relief is None else f"{m.percent_relief:g}%"),
                    "" if m.relief_days is None else f"{m.relief_days} days",
                    m.functional_change,
                )
                for m in content.procedures
            ],
            [0.9, 1.0, 1.1, 1.1, 3.1],
        ),
        _section("Procedure notes"),
    ]
    parts.append(
        _table(["note", "summary"], content.notes, [1.4, 5.8])
        if content.notes
        else _none("No procedure note is recorded in the evidence block.")
    )
    parts.append(_section(f"Payer rules that apply ({content.pack_version})"))
    parts.append(
        _table(
            ["rule", "kind", "source (LCD / article)", "status"],
            [(r.rule_id, r.kind, r.source, f"{r.status}, {r.severity}") for r in content.rules],
            [2.4, 1.3, 2.5, 1.0],
        )
        if content.rules
        else _none("No payer rule file applies to this payer.")
    )
    parts.append(_section("Open findings"))
    parts.append(
        _table(
            ["severity", "rule", "finding", "fix"],
            [
                (f.severity.value, f.rule_id, f"{f.message} [{f.source}; {f.status.value}]", f.fix)
                for f in content.findings
            ],
            [0.6, 1.8, 3.2, 1.6],
        )
        if content.findings
        else _none("No open findings.")
    )
    parts += [_section("Documentation completeness"), _p(content.completeness.summary())]
    return parts


def _footer(canvas: Any, document: Any) -> None:
    canvas.saveState()
    canvas.setFont("Helvetica", 7)
    canvas.drawString(0.6 * inch, 0.4 * inch, f"{document.title}   page {document.page}")
    canvas.restoreState()


def render_pdf(content: PacketContent) -> bytes:
    """The packet as PDF bytes."""
    buffer = io.BytesIO()
    title = f"Packet {content.control_number}"
    document = SimpleDocTemplate(
        buffer,
        pagesize=LETTER,
        title=title,
        leftMargin=0.6 * inch,
        rightMargin=0.6 * inch,
        topMargin=0.5 * inch,
        bottomMargin=0.6 * inch,
        invariant=True,
    )
    document.build(
        story(content, pain_chart(content.scores, content.procedures)),
        onFirstPage=_footer,
        onLaterPages=_footer,
    )
    return buffer.getvalue()
