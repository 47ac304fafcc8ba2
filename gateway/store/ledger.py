"""The inbound status ledger: append-only events linking what comes back to what we sent.

Links (issue 5): outbound file (ISA13) <- TA1 (TA101); outbound group (GS06) and transaction
(ST02) <- 999 (AK102, AK202) -> the claims of that transaction (``file_claims``); claim by
patient control number and billed amount <- 277CA (TRN02, STC04); claim by patient control
number and charge <- 835 (CLP01, CLP03), with the payer claim control number kept.

Recording a file is idempotent, keyed by the file's SHA-256 (``x12_files`` is unique on
direction + sha256): the same content a second time changes nothing.  Events are only ever
inserted; ``claims.status`` moves forward (acknowledged < accepted/rejected < paid/denied),
never back, so a late 999 cannot undo a payment.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from gateway.domain.status import response_moves
from gateway.errors import StoreError
from gateway.inbound.document import ParsedFile
from gateway.inbound.ledger_entries import (
    Entry,
    ack_entry,
    claim_status_entry,
    remit_entry,
    ta1_entry,
)
from gateway.inbound.records import Acknowledgment, Remittance, StatusResponse, Transaction
from gateway.store.db import Store
from gateway.store.ledger_tables import ClaimRefRow
from gateway.store.schema import ClaimRow, EventRow, FileClaimRow, X12FileRow

ACTOR = "inbound"


@dataclass(frozen=True)
class RecordResult:
    file_id: int
    duplicate: bool
    events: int = 0
    matched_claims: int = 0
    unmatched: int = 0


def find_inbound_file(store: Store, sha256: str) -> int | None:
    with store.session() as session:
        return _existing(session, sha256)


def _existing(session: Session, sha256: str) -> int | None:
    return session.execute(
        select(X12FileRow.id).where(X12FileRow.direction == "inbound", X12FileRow.sha256 == sha256)
    ).scalar_one_or_none()


def record_inbound(store: Store, parsed: ParsedFile) -> RecordResult:
    """Write the file and its events in one transaction, or nothing if it was seen before."""
    try:
        with store.session() as session:
            existing = _existing(session, parsed.sha256)
            if existing is not None:
                return RecordResult(existing, duplicate=True)
            return _Writer(session, parsed).write()
    except IntegrityError:
        # Another process recorded the same content between our check and our insert.
        existing = find_inbound_file(store, parsed.sha256)
        if existing is not None:
            return RecordResult(existing, duplicate=True)
        raise StoreError(f"{parsed.path}: cannot record the inbound file (integrity error)") from None
    except SQLAlchemyError as error:
        raise StoreError(
            f"{parsed.path}: cannot record the inbound file: {error.__class__.__name__}"
        ) from None


def record_quarantine(store: Store, original: str, moved_to: str, sha256: str, reason: str) -> None:
    with store.session() as session:
        session.add(
            EventRow(
                kind="inbound.quarantined",
                status="quarantined",
                detail=json.dumps(
                    {"file": original, "moved_to": moved_to, "sha256": sha256, "reason": reason}
                ),
                actor=ACTOR,
            )
        )


class _Writer:
    def __init__(self, session: Session, parsed: ParsedFile) -> None:
        self.session = session
        self.parsed = parsed
        self.events = 0
        self.matched = 0
        self.unmatched = 0
        first = parsed.interchanges[0] if parsed.interchanges else None
        self.partner = first.sender_id if first else ""  # the clearinghouse or payer that sent it
        group = parsed.transactions[0].envelope.group_control_number if parsed.transactions else None
        self.file = X12FileRow(
            direction="inbound",
            kind=parsed.kind[:10],
            path=parsed.path,
            sha256=parsed.sha256,
            size=parsed.size,
            sender_id=self.partner[:15],
            receiver_id=(first.receiver_id if first else "")[:15],
            interchange_control_number=(first.interchange_control_number if first else "")[:9],
            group_control_number=group[:9] if group else None,
        )

    def write(self) -> RecordResult:
        self.session.add(self.file)
        self.session.flush()
        self._event(None, "file.received", "received", self._file_summary(), {"kind": self.parsed.kind})
        for ack in self.parsed.ta1:
            files = self._outbound_files(interchange=ack.interchange_control_number)
            self._to_claims(self._claims_of_files(files), ta1_entry(ack), None, "TA1")
        for transaction in self.parsed.transactions:
            self._transaction(transaction)
        findings = [f for f in self.parsed.findings]
        if findings:
            self._event(
                None,
                "file.findings",
                f"{len(findings)} findings",
                f"{len(findings)} findings",
                {
                    "findings": [
                        {"kind": f.kind, "segment": f.segment_index, "message": f.message} for f in findings
                    ]
                },
            )
        return RecordResult(self.file.id, False, self.events, self.matched, self.unmatched)

    def _file_summary(self) -> str:
        parsed = self.parsed
        types = sorted({t.type for t in parsed.transactions}) + (["TA1"] if parsed.ta1 else [])
        return f"received {parsed.path} ({', '.join(types)}; {len(parsed.transactions)} transactions)"

    def _transaction(self, transaction: Transaction) -> None:
        body = transaction.body
        if isinstance(body, Acknowledgment):
            group = body.group.acknowledged_group_control_number
            files = self._outbound_files(group=group)
            for ack in body.transactions:
                claims = self._claims_of_files(files, ack.control_number)
                self._to_claims(claims, ack_entry(ack, group, transaction.type), None, transaction.type)
        elif isinstance(body, StatusResponse):
            for status in body.claims:
                claim = self._claim(status.patient_control_number, status.charge)
                entry = claim_status_entry(status, transaction.type)
                self._to_claims(
                    [claim] if claim else [],
                    entry,
                    status.patient_control_number,
                    transaction.type,
                    status.payer_claim_control_number,
                )
        elif isinstance(body, Remittance):
            for remit in body.claims:
                claim = self._claim(remit.patient_control_number, abs(remit.charge))
                entry = remit_entry(remit, body.payment, transaction.envelope)
                self._to_claims(
                    [claim] if claim else [],
                    entry,
                    remit.patient_control_number,
                    "835",
                    remit.payer_claim_control_number,
                )

    def _outbound_files(self, *, interchange: str | None = None, group: str | None = None) -> list[int]:
        query = select(X12FileRow.id).where(X12FileRow.direction == "outbound")
        if interchange is not None:
            query = query.where(X12FileRow.interchange_control_number == interchange)
        if group is not None:
            query = query.where(X12FileRow.group_control_number == group)
        ids = list(self.session.execute(query).scalars())
        if len(ids) > 1 and self.partner:
            # Control numbers are per trading partner: prefer the files we sent to this sender.
            to_partner = query.where(X12FileRow.receiver_id == self.partner)
            ids = list(self.session.execute(to_partner).scalars()) or ids
        return ids

    def _claims_of_files(self, file_ids: list[int], st02: str | None = None) -> list[ClaimRow]:
        if not file_ids:
            return []
        query = select(ClaimRow).join(FileClaimRow, FileClaimRow.claim_id == ClaimRow.id)
        query = query.where(FileClaimRow.file_id.in_(file_ids))
        if st02 is not None:
            query = query.where(FileClaimRow.transaction_control_number == st02)
        return list(self.session.execute(query.order_by(ClaimRow.id)).scalars().unique())

    def _claim(self, pcn: str, charge: Decimal | None) -> ClaimRow | None:
        rows = list(
            self.session.execute(
                select(ClaimRow).where(ClaimRow.patient_control_number == pcn).order_by(ClaimRow.id.desc())
            ).scalars()
        )
        if charge is not None:
            same_amount = [row for row in rows if row.total_charge == charge]
            rows = same_amount or rows
        return rows[0] if rows else None

    def _to_claims(
        self, claims: list[ClaimRow], entry: Entry, pcn: str | None, source: str, payer_number: str = ""
    ) -> None:
        if not claims:
            self.unmatched += 1
            event = self._event(None, entry.kind, entry.status, entry.summary, entry.detail)
            if pcn:
                self._ref(event, pcn, payer_number, source, None)
            return
        for claim in claims:
            self.matched += 1
            event = self._event(claim.id, entry.kind, entry.status, entry.summary, entry.detail)
            self._ref(event, pcn or claim.patient_control_number, payer_number, source, claim.id)
            if entry.claim_status and response_moves(claim.status, entry.claim_status):
                claim.status = entry.claim_status
                claim.status_reason, claim.hold_kind = entry.summary[:500], None

    def _event(
        self, claim_id: int | None, kind: str, status: str, summary: str, detail: dict[str, Any]
    ) -> EventRow:
        event = EventRow(
            claim_id=claim_id,
            file_id=self.file.id,
            kind=kind[:40],
            status=status[:40],
            detail=json.dumps({"summary": summary, **detail}, sort_keys=True),
            actor=ACTOR,
        )
        self.session.add(event)
        self.session.flush()
        self.events += 1
        return event

    def _ref(self, event: EventRow, pcn: str, payer_number: str, source: str, claim_id: int | None) -> None:
        self.session.add(
            ClaimRefRow(
                event_id=event.id,
                patient_control_number=pcn[:38],
                payer_claim_control_number=payer_number[:50] or None,
                source=source,
                claim_id=claim_id,
            )
        )
