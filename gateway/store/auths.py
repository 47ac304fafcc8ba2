"""Prior authorizations in the database: requested -> pended -> approved/denied/modified.

``auths`` holds one row per 278 request (our ``request_id`` is the BHT03/TRN02 the UMO echoes),
``auth_services`` one per requested procedure with units asked, approved and consumed, and
``auth_events`` every status change with its source (request built, 278 response, claim).
``auth_consumptions`` records which claim line used which units, once per (service, claim,
line), so building the same claim twice never consumes twice.

Patients are found by ``patient_key`` (sha256 of payer, member id and birth date), never by name
or member id.  Rows map to the plain ``AuthRecord`` of gateway.domain.auth, which the pure
``match_claim`` reads.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import (
    Date,
    DateTime,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    select,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from gateway.domain.auth import (
    STATUS_BY_DECISION,
    AuthDecision,
    AuthorizedService,
    AuthRecord,
    AuthRequest,
    AuthStatus,
    covered_lines,
    match_claim,
)
from gateway.domain.auth_response import AuthResponse, Review
from gateway.domain.claim import Claim
from gateway.domain.identity import patient_key, patient_key_of
from gateway.domain.status import ClaimStatus, HoldKind, Requeued
from gateway.errors import StoreError
from gateway.store.db import Store
from gateway.store.repository import move_claim, record_event, record_outbound_file
from gateway.store.schema import Base, ClaimRow, EventRow
from gateway.x12.envelope import ControlNumbers

log = logging.getLogger(__name__)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class AuthRow(Base):
    __tablename__ = "auths"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[str] = mapped_column(String(50), unique=True)
    payer_id: Mapped[str] = mapped_column(String(80))
    patient_key: Mapped[str] = mapped_column(String(64), index=True)
    requester_npi: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(20), index=True)
    certification_number: Mapped[str | None] = mapped_column(String(50), nullable=True, index=True)
    decision_code: Mapped[str | None] = mapped_column(String(2), nullable=True)  # HCR01
    reason: Mapped[str | None] = mapped_column(String(30), nullable=True)  # HCR03 or AAA03
    payload: Mapped[str] = mapped_column(Text)  # the intake JSON of the request
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now, onupdate=_now)

    services: Mapped[list[AuthServiceRow]] = relationship(
        back_populates="auth", cascade="all, delete-orphan", order_by="AuthServiceRow.line_number"
    )
    events: Mapped[list[AuthEventRow]] = relationship(
        cascade="all, delete-orphan", order_by="AuthEventRow.id"
    )


class AuthServiceRow(Base):
    __tablename__ = "auth_services"
    __table_args__ = (UniqueConstraint("auth_id", "line_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    auth_id: Mapped[int] = mapped_column(ForeignKey("auths.id", ondelete="CASCADE"), index=True)
    line_number: Mapped[int] = mapped_column(Integer)  # 1-based; TRN02 "<request id>-<n>"
    procedure_code: Mapped[str] = mapped_column(String(5), index=True)
    modifiers: Mapped[str] = mapped_column(String(11), default="")
    units_requested: Mapped[Decimal] = mapped_column(Numeric(10, 3))
    units_approved: Mapped[Decimal | None] = mapped_column(Numeric(10, 3), nullable=True)
    units_consumed: Mapped[Decimal] = mapped_column(Numeric(10, 3), default=Decimal(0))
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date] = mapped_column(Date)
    decision_code: Mapped[str | None] = mapped_column(String(2), nullable=True)

    auth: Mapped[AuthRow] = relationship(back_populates="services")


class AuthEventRow(Base):
    __tablename__ = "auth_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    auth_id: Mapped[int] = mapped_column(ForeignKey("auths.id", ondelete="CASCADE"), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    status: Mapped[str] = mapped_column(String(20))
    detail: Mapped[str] = mapped_column(Text, default="")


class AuthConsumptionRow(Base):
    __tablename__ = "auth_consumptions"
    __table_args__ = (UniqueConstraint("auth_service_id", "patient_control_number", "line_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    auth_service_id: Mapped[int] = mapped_column(
        ForeignKey("auth_services.id", ondelete="CASCADE"), index=True
    )
    patient_control_number: Mapped[str] = mapped_column(String(38))
    line_number: Mapped[int] = mapped_column(Integer)
    units: Mapped[Decimal] = mapped_column(Numeric(10, 3))
    service_date: Mapped[dt.date] = mapped_column(Date)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    # The claim row that took the units (given back when it is held or its batch cancelled).
    claim_id: Mapped[int | None] = mapped_column(
        ForeignKey("claims.id", ondelete="SET NULL"), nullable=True, index=True
    )


def auth_patient_key(payer_id: str, member_id: str, birth_date: dt.date) -> str:
    """The same key the claims table uses (gateway.domain.identity), so claims meet their auths."""
    return patient_key_of(payer_id, member_id, birth_date)


def request_patient_key(request: AuthRequest) -> str:
    person = request.patient.person if request.patient is not None else request.subscriber.person
    return auth_patient_key(request.umo.payer_id, request.subscriber.member_id, person.birth_date)


def claim_patient_key(claim: Claim) -> str:
    return patient_key(claim)


def _event(row: AuthRow, status: AuthStatus, detail: str) -> None:
    row.status = status.value
    row.events.append(AuthEventRow(status=status.value, detail=detail))


def record_request(session: Session, request: AuthRequest) -> AuthRow:
    """A built request: status ``requested`` with its services (idempotent per request id)."""
    existing = session.scalar(select(AuthRow).where(AuthRow.request_id == request.request_id))
    if existing is not None:
        return existing
    row = AuthRow(
        request_id=request.request_id,
        payer_id=request.umo.payer_id,
        patient_key=request_patient_key(request),
        requester_npi=request.requester.npi,
        status=AuthStatus.REQUESTED.value,
        payload=request.model_dump_json(),
    )
    for number, service in enumerate(request.services, start=1):
        row.services.append(
            AuthServiceRow(
                line_number=number,
                procedure_code=service.procedure_code,
                modifiers="".join(service.modifiers),
                units_requested=service.units,
                units_consumed=Decimal(0),
                start_date=service.start_date,
                end_date=service.last_date,
            )
        )
    _event(row, AuthStatus.REQUESTED, "278 request built")
    session.add(row)
    session.flush()
    return row


def _service_number(review: Review, request_id: str) -> int | None:
    """Which requested service a service-level review answers, from the echoed TRN02."""
    for trace in review.trace_numbers:
        prefix, _, tail = trace.number.rpartition("-")
        if prefix == request_id and tail.isdigit():
            return int(tail)
    return None


def _apply_review(service: AuthServiceRow, review: Review) -> None:
    status = STATUS_BY_DECISION.get(review.decision or "", AuthStatus.PENDED)
    service.decision_code = review.decision
    if status.usable:
        certified = [p.units for p in review.procedures if p.code == service.procedure_code and p.units]
        service.units_approved = certified[0] if certified else service.units_requested
        service.start_date = review.certified_from or service.start_date
        service.end_date = review.certified_to or service.end_date
    elif status in (AuthStatus.DENIED, AuthStatus.CANCELLED):
        service.units_approved = Decimal(0)


def apply_response(session: Session, response: AuthResponse) -> AuthRow:
    """Record the UMO's answer on the request it names (BHT03 = our request id)."""
    row = session.scalar(select(AuthRow).where(AuthRow.request_id == response.reference))
    if row is None:
        raise StoreError(f"278 response BHT03 {response.reference!r} names no request on file")
    if not response.reviews:
        error = response.request_errors[0] if response.request_errors else None
        row.reason = error.reason if error else None
        detail = (
            f"rejected in loop {error.loop}: AAA03 {error.reason}" if error else "response without decision"
        )
        _event(row, AuthStatus.REJECTED, detail)
        return row
    event = next((r for r in response.reviews if r.level == "event"), None)
    by_service: dict[int, Review] = {}
    position = 0
    for review in response.reviews:
        if review.level == "service":
            # The echoed TRN02 "<request id>-<n>" names the service; without it, the order does.
            position += 1
            by_service[_service_number(review, row.request_id) or position] = review
    for service in row.services:
        answer = by_service.get(service.line_number, event)
        if answer is not None:
            _apply_review(service, answer)
    deciding = event or response.reviews[0]
    status = _overall_status(event, list(by_service.values()))
    row.decision_code, row.reason = deciding.decision, deciding.reason
    row.certification_number = next(
        (r.certification_number for r in (deciding, *by_service.values()) if r.certification_number),
        row.certification_number,
    )
    detail = f"278 response HCR01 {deciding.decision}" + (
        f" HCR03 {deciding.reason}" if deciding.reason else ""
    )
    _event(row, status, detail)
    return row


def _overall_status(event: Review | None, services: list[Review]) -> AuthStatus:
    """The event decision; without one, approved only if every service is, modified if some are."""
    if event is not None:
        return STATUS_BY_DECISION.get(event.decision or "", AuthStatus.PENDED)
    statuses = [STATUS_BY_DECISION.get(r.decision or "", AuthStatus.PENDED) for r in services]
    if statuses and all(s is AuthStatus.APPROVED for s in statuses):
        return AuthStatus.APPROVED
    if any(s.usable for s in statuses):
        return AuthStatus.MODIFIED
    return statuses[0] if statuses else AuthStatus.PENDED


def _record(row: AuthRow) -> AuthRecord:
    return AuthRecord(
        request_id=row.request_id,
        status=AuthStatus(row.status),
        certification_number=row.certification_number,
        services=tuple(
            AuthorizedService(
                procedure_code=s.procedure_code,
                units_approved=s.units_approved if s.units_approved is not None else Decimal(0),
                units_consumed=s.units_consumed,
                start_date=s.start_date,
                end_date=s.end_date,
            )
            for s in row.services
        ),
    )


def _auth_rows(session: Session, claim: Claim) -> list[AuthRow]:
    key = claim_patient_key(claim)
    return list(
        session.scalars(
            select(AuthRow)
            .where(AuthRow.payer_id == claim.payer.payer_id, AuthRow.patient_key == key)
            .order_by(AuthRow.id)
        )
    )


def auths_for_claim(session: Session, claim: Claim) -> list[AuthRecord]:
    """Every authorization on file for the claim's patient with the claim's payer."""
    return [_record(row) for row in _auth_rows(session, claim)]


def authorize_claim(session: Session, claim: Claim, required_codes: Collection[str] | None) -> AuthDecision:
    """``match_claim`` against this patient's authorizations on file.

    Pipeline order: authorize (REF*G1 filled, or held with the reason) -> payer rules (whose
    prior_auth rule then sees the number) -> build -> gate -> spool -> ``take_units`` as the
    claim is recorded in its batch.
    ``required_codes`` are the codes the payer's prior_auth rules name (None: every line).
    """
    return match_claim(claim, auths_for_claim(session, claim), required_codes)


def patients_with_auths(session: Session, keys: Collection[str]) -> set[str]:
    """The patient keys among ``keys`` with any authorization on file (any payer).

    Only their claims can be matched to one, so screening skips ``authorize``'s query (and its
    transaction) for the others: ``match_claim`` on no authorizations gives the same decision.
    """
    ordered = sorted(set(keys))
    found: set[str] = set()
    for start in range(0, len(ordered), 500):
        query = select(AuthRow.patient_key).where(AuthRow.patient_key.in_(ordered[start : start + 500]))
        found.update(session.scalars(query.distinct()))
    return found


def authorize(store: Store, claim: Claim, required_codes: Collection[str] | None) -> AuthDecision:
    """``authorize_claim`` in a transaction of its own (the screening step's call)."""
    with store.session() as session:
        return authorize_claim(session, claim, required_codes)


def request_payload(store: Store, request_id: str) -> str | None:
    """The intake JSON of the auth request ``request_id``, if one is on file."""
    with store.session() as session:
        return session.scalar(select(AuthRow.payload).where(AuthRow.request_id == request_id))


def take_batch_units(session: Session, claims: Sequence[tuple[int, Claim]]) -> tuple[int, str] | None:
    """``take_units`` for each (row id, claim) of a batch: the first claim short of units and why.

    One query finds the patients with any authorization on file; a claim of any other patient
    covers no line (``covered_lines`` on none), so its per-claim query is skipped (half the
    claims of a pain clinic's batch carry a prior authorization number).
    """
    keys = {claim_id: claim_patient_key(claim) for claim_id, claim in claims if claim.prior_authorization}
    with_auths = patients_with_auths(session, keys.values())
    for claim_id, claim in claims:
        if claim_id in keys and keys[claim_id] in with_auths:
            short = take_units(session, claim_id, claim)
            if short is not None:
                return claim_id, short
    return None


def take_units(session: Session, claim_id: int, claim: Claim) -> str | None:
    """Count a claim's covered lines against its authorization as it goes into a batch.

    The one place units are consumed (daemon and ``gateway build 837p`` alike), in the
    transaction that takes the claim into its batch.  Each line's units are taken by a
    conditional UPDATE (``units_approved - units_consumed >= units``), so two daemons can never
    both take the last unit: the loser gets the reason back (None when every line was covered)
    and its whole transaction is rolled back.  A (service, PCN, line) consumed before (a
    rebuild of the same claim) is not consumed twice.
    """
    if not claim.prior_authorization:
        return None
    pcn = claim.patient_control_number
    rows = {row.request_id: row for row in _auth_rows(session, claim)}
    for coverage in covered_lines(claim, [_record(row) for row in rows.values()]):
        row = rows[coverage.request_id]
        service = _service_for(row.services, coverage.procedure_code, coverage.service_date)
        already = session.scalar(
            select(AuthConsumptionRow.id).where(
                AuthConsumptionRow.auth_service_id == service.id,
                AuthConsumptionRow.patient_control_number == pcn,
                AuthConsumptionRow.line_number == coverage.line_number,
            )
        )
        if already is not None:
            continue
        taken = session.execute(  # type: ignore[attr-defined]  # an UPDATE's CursorResult
            update(AuthServiceRow)
            .where(
                AuthServiceRow.id == service.id,
                AuthServiceRow.units_approved - AuthServiceRow.units_consumed >= coverage.units,
            )
            .values(units_consumed=AuthServiceRow.units_consumed + coverage.units)
            .execution_options(synchronize_session=False)
        ).rowcount
        if not taken:
            return (
                f"authorization {coverage.certification_number} for {coverage.procedure_code} has fewer than "
                f"{coverage.units} unit(s) left for line {coverage.line_number}: another claim took them"
            )
        session.add(
            AuthConsumptionRow(
                auth_service_id=service.id, patient_control_number=pcn, line_number=coverage.line_number,
                units=coverage.units, service_date=coverage.service_date, claim_id=claim_id,
            )
        )  # fmt: skip
        session.add(
            AuthEventRow(
                auth_id=row.id,
                status=row.status,
                detail=f"claim {pcn} line {coverage.line_number} "
                f"used {coverage.units} unit(s) of {coverage.procedure_code}",
            )
        )
    return None


def give_back_units(session: Session, claim_ids: Sequence[int]) -> int:
    """Return the units these claims took (a batch cancelled, a claim held by the gate); how many lines."""
    if not claim_ids:
        return 0
    taken = session.scalars(
        select(AuthConsumptionRow).where(AuthConsumptionRow.claim_id.in_(list(claim_ids)))
    ).all()
    for consumption in taken:
        session.execute(
            update(AuthServiceRow)
            .where(AuthServiceRow.id == consumption.auth_service_id)
            .values(units_consumed=AuthServiceRow.units_consumed - consumption.units)
            .execution_options(synchronize_session=False)
        )
        service = session.get(AuthServiceRow, consumption.auth_service_id)
        if service is not None:
            session.add(
                AuthEventRow(
                    auth_id=service.auth_id,
                    status=service.auth.status,
                    detail=f"claim {consumption.patient_control_number} line {consumption.line_number} "
                    f"gave back {consumption.units} unit(s)",
                )
            )
        session.delete(consumption)
    session.flush()
    return len(taken)


def _service_for(services: Sequence[AuthServiceRow], code: str, day: dt.date) -> AuthServiceRow:
    for service in services:
        if service.procedure_code == code and service.start_date <= day <= service.end_date:
            return service
    raise StoreError(f"no authorized {code} service covers {day.isoformat()}")


def requeue_held_for_auth(session: Session, auth: AuthRow, actor: str = "gateway") -> list[str]:
    """Send claims held for prior authorization back to screening once ``auth`` is usable.

    Only claims of the same patient and payer held with ``HoldKind.AUTH`` are requeued (status
    ``received``); the screening step then finds the authorization and puts its number into
    REF*G1, or holds the claim again with the precise reason.  Holds of any other kind
    (an operator's, a payer rule's) stay.
    """
    if not AuthStatus(auth.status).usable:
        return []
    rows = session.scalars(
        select(ClaimRow).where(
            ClaimRow.status == ClaimStatus.HELD,
            ClaimRow.hold_kind == HoldKind.AUTH,
            ClaimRow.patient_key == auth.patient_key,
            ClaimRow.payer_id == auth.payer_id,
        )
    )
    requeued = []
    for row in rows:
        move_claim(row, ClaimStatus.RECEIVED)
        record_event(
            session,
            "claim.requeued",
            claim_id=row.id,
            status=ClaimStatus.RECEIVED,
            detail=Requeued(auth.request_id, auth.certification_number).to_detail(),
            actor=actor,
        )
        requeued.append(row.patient_control_number)
    return requeued


@dataclass(frozen=True)
class AppliedResponse:
    reference: str  # BHT03, our request id
    status: str | None  # None: no request on file under that id
    certification_number: str | None
    requeued: tuple[str, ...]


def apply_responses(
    store: Store, responses: Iterable[AuthResponse], actor: str = "gateway"
) -> list[AppliedResponse]:
    """Apply each 278 response (BHT02 11) to its request and requeue the claims it unblocks."""
    applied = []
    for response in responses:
        if not response.is_response:
            continue
        with store.session() as session:
            try:
                row = apply_response(session, response)
            except StoreError:
                log.warning("278 response for request %s: no such request on file", response.reference)
                applied.append(AppliedResponse(response.reference, None, None, ()))
                continue
            requeued = requeue_held_for_auth(session, row, actor)
            applied.append(
                AppliedResponse(response.reference, row.status, row.certification_number, tuple(requeued))
            )
    return applied


@dataclass(frozen=True)
class AuthOutcome:
    status: str
    certification_number: str | None
    requeued_claims: tuple[str, ...]  # patient control numbers sent back to screening for it


def auth_outcome(store: Store, request_id: str) -> AuthOutcome | None:
    """Where a request stands, and which held claims its decision requeued."""
    with store.session() as session:
        row = session.scalar(select(AuthRow).where(AuthRow.request_id == request_id))
        if row is None:
            return None
        requeued = session.execute(
            select(ClaimRow.patient_control_number, EventRow.detail)
            .join(EventRow, EventRow.claim_id == ClaimRow.id)
            .where(EventRow.kind == "claim.requeued", ClaimRow.patient_key == row.patient_key)
        ).all()
        pcns = tuple(
            pcn
            for pcn, detail in requeued
            if (event := Requeued.from_json(detail)) and event.auth == request_id
        )
        return AuthOutcome(row.status, row.certification_number, pcns)


def record_request_file(
    store: Store,
    path: str,
    data: bytes,
    sender_id: str,
    receiver_id: str,
    control: ControlNumbers,
    requests: Sequence[AuthRequest],
) -> None:
    """A written 278 file and its requests (status ``requested``), in one transaction."""
    with store.session() as session:
        record_outbound_file(
            session, kind="278", path=path, data=data, sender_id=sender_id, receiver_id=receiver_id,
            interchange_control_number=f"{control.interchange:09d}", group_control_number=str(control.group),
            claims=[],
        )  # fmt: skip
        for request in requests:
            record_request(session, request)


def claims_held_for_auth(store: Store) -> list[Claim]:
    """The newest version of each claim held only for prior authorization (``HoldKind.AUTH``)."""
    with store.session() as session:
        payloads = session.scalars(
            select(ClaimRow.payload)
            .where(ClaimRow.status == ClaimStatus.HELD, ClaimRow.hold_kind == HoldKind.AUTH)
            .order_by(ClaimRow.id)
        ).all()
    return [Claim.model_validate_json(payload) for payload in payloads]


def request_on_file(store: Store, request_id: str) -> bool:
    with store.session() as session:
        return session.scalar(select(AuthRow.id).where(AuthRow.request_id == request_id)) is not None
