"""The console's pages: Today, Claims, Claim, Batches, Holds, Denials (read only).

Each handler reads through ``gateway.store.console_read`` (and the ledger/audit readers) in a
worker thread and renders one template.  A view of a claim or of its packet is an audit event.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from gateway.domain.accounts import AuditAction
from gateway.domain.batch import BatchStatus, ReplayMode, decide_replay
from gateway.domain.status import ClaimStatus, HoldKind
from gateway.rules import evaluate
from gateway.store import console, console_read
from gateway.store.codesets import load_code_sets
from gateway.store.history import HistoryProvider
from gateway.store.ledger_read import timeline
from gateway.web.app import Console, Refused, current_session, form_with_csrf
from gateway.web.segments import claim_segments

CANCELLABLE = (BatchStatus.SPOOLED, BatchStatus.FAILED)


def _console(request: Request) -> Console:
    app: Console = request.app.state.console
    return app


def _page_number(text: str | None) -> int:
    return int(text) if text and text.isdigit() and len(text) < 7 else 1


def _paging(fields: dict[str, str]) -> tuple[int, int | None, int | None]:
    """(page number, before id, after id) from the Claims form's next ("N:last id") or previous
    ("N:first id") button, or its page field."""
    for button in ("next", "previous"):
        number, _, key = fields.get(button, "").partition(":")
        if number.isdigit() and key.isdigit() and len(key) < 12:
            return (
                _page_number(number),
                (int(key) if button == "next" else None),
                (int(key) if button == "previous" else None),
            )
    return _page_number(fields.get("page")), None, None


def today(request: Request) -> Response:
    app = _console(request)
    current_session(app, request)
    return app.render(request, "today.html", today=console_read.today(app.store), now=dt.datetime.now(dt.UTC))


def _date(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _claim_filter(fields: dict[str, str]) -> console_read.ClaimFilter:
    kinds = {kind.value: kind for kind in HoldKind}
    states = {state.value: state for state in ClaimStatus}
    return console_read.ClaimFilter(
        status=states.get(fields.get("status", "")),
        hold_kind=kinds.get(fields.get("hold_kind", "")),
        payer_id=fields.get("payer_id") or None,
        service_from=_date(fields.get("service_from")),
        service_to=_date(fields.get("service_to")),
        patient_control_number=(fields.get("pcn") or "").strip()[:38] or None,
    )


async def claims(request: Request) -> Response:
    """GET: the newest claims.  POST: filtered (the filters may hold a PCN, so never in the URL)."""
    app = _console(request)
    fields: dict[str, str] = {}
    if request.method == "POST":
        _, fields = await form_with_csrf(app, request)
    else:
        await run_in_threadpool(current_session, app, request)
    wanted = _claim_filter(fields)

    def read() -> Response:
        page_number, before, after = _paging(fields)
        page = console_read.claims_page(app.store, wanted, page_number, before=before, after=after)
        return app.render(
            request,
            "claims.html",
            page=page,
            wanted=wanted,
            fields=fields,
            states=console_read.claim_states(app.store),
            payers=console_read.payer_ids(app.store),
            hold_kinds=[kind.value for kind in HoldKind],
        )

    return await run_in_threadpool(read)


def _claim_record(app: Console, request: Request) -> tuple[int, console_read.ClaimRecord]:
    claim_id = int(request.path_params["claim_id"])
    record = console_read.claim_record(app.store, claim_id)
    if record is None:
        raise Refused(404, f"no claim #{claim_id}")
    return claim_id, record


@dataclass(frozen=True)
class TimelineLine:
    at: dt.datetime
    kind: str
    status: str
    actor: str  # for the batch events; the ledger's claim events carry it in their summary
    summary: str


def _moment(text: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(text)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def claim(request: Request) -> Response:
    app = _console(request)
    session = current_session(app, request)
    claim_id, record = _claim_record(app, request)
    console.record_audit(app.store, session.user.actor, AuditAction.CLAIM_VIEW, claim_id=claim_id)
    history = timeline(app.store, record.patient_control_number)
    history_lines = HistoryProvider(app.store).for_claim(record.claim)
    result = evaluate(record.claim, history_lines, app.book, load_code_sets(app.store))
    segments = [
        (
            file,
            claim_segments(Path(file.path), file.transaction_control_number, record.patient_control_number),
        )
        for file in record.files
    ]
    events = sorted(
        [TimelineLine(_moment(e.at), e.kind, e.status, "", e.summary) for e in history.events]
        + [TimelineLine(e.at, e.kind, e.status, e.actor, e.detail) for e in record.file_events],
        key=lambda line: line.at,
    )
    views = console.audit_trail(app.store, claim_ids=[claim_id for claim_id, _ in record.versions], limit=50)
    return app.render(
        request, "claim.html", record=record, timeline=events, result=result, segments=segments, views=views
    )


def packet(request: Request) -> Response:
    """The documentation packet as a PDF, rendered now from the stored claim (nothing recorded)."""
    from gateway.packet.content import assemble  # reportlab: only when a packet is asked for
    from gateway.packet.render import render_pdf
    from gateway.packet.subject import for_claim

    app = _console(request)
    session = current_session(app, request)
    claim_id, record = _claim_record(app, request)
    history = HistoryProvider(app.store).for_claim(record.claim)
    content = assemble(for_claim(record.claim), app.book, history)
    pdf = render_pdf(content)
    console.record_audit(
        app.store,
        session.user.actor,
        AuditAction.PACKET_VIEW,
        claim_id=claim_id,
        detail={"packet": content.control_number},
    )
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"content-disposition": f'attachment; filename="packet-{claim_id}.pdf"'},
    )


def batches(request: Request) -> Response:
    app = _console(request)
    current_session(app, request)
    wanted = request.query_params.get("status")  # a batch state: not PHI
    status = BatchStatus(wanted) if wanted in {s.value for s in BatchStatus} else None
    rows = console_read.batches(app.store, status)
    return app.render(
        request, "batches.html", batches=rows, status=status, states=[s.value for s in BatchStatus]
    )


def batch(request: Request) -> Response:
    app = _console(request)
    current_session(app, request)
    batch_id = int(request.path_params["batch_id"])
    record = console_read.batch_record(app.store, batch_id)
    if record is None:
        raise Refused(404, f"no batch {batch_id}")
    status = BatchStatus(record.batch.status)
    # Offer replay when the domain's decision (without knowing of corrections) allows one; the
    # operator function decides again, with the corrections, when the form is sent.
    replayable = isinstance(decide_replay(status, False), ReplayMode)
    return app.render(
        request, "batch.html", record=record, replayable=replayable, cancellable=status in CANCELLABLE
    )


def holds(request: Request) -> Response:
    app = _console(request)
    current_session(app, request)
    page = console_read.held_claims(app.store, _page_number(request.query_params.get("page")))
    return app.render(request, "holds.html", page=page)


def denials_page(request: Request) -> Response:
    app = _console(request)
    current_session(app, request)
    rows = app.denials.rows(app.store)
    total = sum((row.amount for row in rows), Decimal(0))
    return app.render(request, "denials.html", rows=rows, total=total)


def chart(request: Request) -> Response:
    app = _console(request)
    current_session(app, request)
    name = request.path_params["name"]
    if name not in ("carc", "payer", "cpt"):
        raise Refused(404, f"no chart {name}")
    return Response(app.denials.chart(app.store, name), media_type="image/svg+xml")


ROUTES = [
    Route("/", today),
    Route("/claims", claims, methods=["GET", "POST"]),
    Route("/claims/{claim_id:int}", claim),
    Route("/claims/{claim_id:int}/packet.pdf", packet),
    Route("/batches", batches),
    Route("/batches/{batch_id:int}", batch),
    Route("/holds", holds),
    Route("/denials", denials_page),
    Route("/denials/{name:str}.svg", chart),
]
