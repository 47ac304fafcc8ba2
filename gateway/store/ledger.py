"""The inbound status ledger: append-only events linking what comes back to what we sent.

Links (issue 5): outbound file (ISA13) <- TA1 (TA101); outbound group (GS06) and transaction
(ST02) <- 999 (AK102, AK202) -> the claims of that transaction (``file_claims``); claim by
patient control number and billed amount <- 277CA (TRN02, STC04); claim by patient control
number, billing NPI (835 N1*PE) or payer id, and charge <- 835 (CLP01, CLP03), with the payer
claim control number kept.  An 835 claim that fits more than one claim of ours, or none, is
recorded unmatched with the candidates named: a payment is never posted to a guess.

Recording is idempotent twice over: by the file's SHA-256 (``x12_files`` is unique on
direction + sha256: the same bytes a second time change nothing), and by meaning for 835
payments (``ledger_payment_keys``: payer, trace, payment amount and date, CLP01/CLP07) and for
999/997 acknowledgments and 277CA/277 claim statuses (``ledger_response_keys``: the sender, what
the answer says, and which of our transactions or claims it answers): a remittance or an
answer re-sent in a new interchange is recorded as ``835.duplicate`` (``999.duplicate``,
``277CA.duplicate`` ...) events and changes no status and no amount.  Events are only ever inserted; ``claims.status`` moves
forward (acknowledged < accepted/rejected < paid/denied), never back, so a late 999 cannot
undo a payment.

This module takes ``gateway.domain.ledger`` records, never parser records.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from gateway.domain.ledger import (
    ClaimTarget,
    Entry,
    InterchangeTarget,
    LedgerFile,
    LedgerItem,
    PaymentKey,
    TransactionTarget,
)
from gateway.domain.status import response_moves
from gateway.errors import StoreError
from gateway.store.db import Store
from gateway.store.ledger_tables import ClaimRefRow, PaymentKeyRow, ResponseKeyRow
from gateway.store.schema import ClaimRow, EventRow, FileClaimRow, X12FileRow

ACTOR = "inbound"
DUPLICATE_KIND = "835.duplicate"
DUPLICATE_SOURCE = "835-dup"  # not "835": gateway denials counts each payment once
# Event status of a TA1/999 that names no interchange or group we sent (gateway status shows them).
UNKNOWN_INTERCHANGE = "unknown interchange"
_ACK_KINDS = ("ta1", "999", "997")


@dataclass(frozen=True)
class RecordResult:
    file_id: int
    duplicate: bool
    events: int = 0
    matched_claims: int = 0
    unmatched: int = 0
    duplicate_payments: int = 0  # 835 claim payments already recorded from another file
    resent_answers: int = 0  # 999/997 acknowledgments and 277CA/277 statuses recorded before


def find_inbound_file(store: Store, sha256: str) -> int | None:
    with store.session() as session:
        return _existing(session, sha256)


def _existing(session: Session, sha256: str) -> int | None:
    return session.execute(
        select(X12FileRow.id).where(X12FileRow.direction == "inbound", X12FileRow.sha256 == sha256)
    ).scalar_one_or_none()


def record_inbound(store: Store, ledger_file: LedgerFile) -> RecordResult:
    """Write the file and its events in one transaction, or nothing if it was seen before."""
    for attempt in (1, 2):
        try:
            with store.session() as session:
                existing = _existing(session, ledger_file.sha256)
                if existing is not None:
                    return RecordResult(existing, duplicate=True)
                return _Writer(session, ledger_file).write()
        except IntegrityError:
            # Another process recorded the same content, or the same payment, between our
            # check and our insert: look again (the second attempt sees what it committed).
            existing = find_inbound_file(store, ledger_file.sha256)
            if existing is not None:
                return RecordResult(existing, duplicate=True)
            if attempt == 2:
                raise StoreError(
                    f"{ledger_file.path}: cannot record the inbound file (integrity error)"
                ) from None
        except SQLAlchemyError as error:
            raise StoreError(
                f"{ledger_file.path}: cannot record the inbound file: {error.__class__.__name__}"
            ) from None
    raise AssertionError("unreachable")  # pragma: no cover


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


@dataclass(frozen=True)
class UnknownAck:
    """A TA1 or 999 that names an interchange or group we never sent."""

    at: str
    kind: str
    summary: str
    file: str


def unknown_acks(store: Store, limit: int = 5) -> tuple[int, list[UnknownAck]]:
    """How many TA1/999/997 named no interchange of ours, and the latest ``limit`` of them."""
    condition = (EventRow.kind.in_(_ACK_KINDS), EventRow.status == UNKNOWN_INTERCHANGE)
    with store.session() as session:
        total = int(session.scalar(select(func.count()).select_from(EventRow).where(*condition)) or 0)
        rows = session.execute(
            select(EventRow.at, EventRow.kind, EventRow.detail, X12FileRow.path)
            .join(X12FileRow, X12FileRow.id == EventRow.file_id)
            .where(*condition)
            .order_by(EventRow.id.desc())
            .limit(limit)
        ).all()
    latest = [
        UnknownAck(
            at.isoformat(timespec="seconds"), kind, str(json.loads(detail or "{}").get("summary", "")), path
        )
        for at, kind, detail, path in rows
    ]
    return total, latest


class _Writer:
    def __init__(self, session: Session, ledger_file: LedgerFile) -> None:
        self.session = session
        self.ledger_file = ledger_file
        self.events = 0
        self.matched = 0
        self.unmatched = 0
        self.duplicates = 0
        self.resent = 0
        self.partner = ledger_file.sender_id  # the clearinghouse or payer that sent it
        group = ledger_file.group_control_number
        self.file = X12FileRow(
            direction="inbound",
            kind=ledger_file.kind[:10],
            path=ledger_file.path,
            sha256=ledger_file.sha256,
            size=ledger_file.size,
            sender_id=self.partner[:15],
            receiver_id=ledger_file.receiver_id[:15],
            interchange_control_number=ledger_file.interchange_control_number[:9],
            group_control_number=group[:9] if group else None,
        )

    def write(self) -> RecordResult:
        self.session.add(self.file)
        self.session.flush()
        ledger_file = self.ledger_file
        self._event(None, "file.received", "received", ledger_file.summary, {"kind": ledger_file.kind})
        for item in ledger_file.items:
            self._item(item)
        findings = list(ledger_file.findings)
        if findings:
            self._event(
                None, "file.findings", f"{len(findings)} findings", f"{len(findings)} findings",
                {"findings": findings},
            )  # fmt: skip
        return RecordResult(
            self.file.id, False, self.events, self.matched, self.unmatched, self.duplicates, self.resent
        )

    def _item(self, item: LedgerItem) -> None:
        target, entry = item.target, item.entry
        if isinstance(target, InterchangeTarget):
            files = self._outbound_files(interchange=target.interchange_control_number)
            self._ack(files, self._claims_of_files(files), entry, "TA1")
        elif isinstance(target, TransactionTarget):
            files = self._outbound_files(group=target.group_control_number)
            claims = self._claims_of_files(files, target.transaction_control_number)
            key = self._answer_key(item, files)
            if not self._resent(key, claims, entry):
                self._remember(key, self._ack(files, claims, entry, entry.kind))
        elif item.payment is not None:
            self._payment(target, entry, item.payment)
        else:
            claim = self._claim_by_amount(target.patient_control_number, target.charge)
            key = self._answer_key(item, [claim.id] if claim else [])
            if not self._resent(key, [claim] if claim else [], entry):
                self._remember(key, self._to_claims([claim] if claim else [], entry, target))

    # -- acknowledgments ---------------------------------------------------------------------

    def _ack(self, files: list[int], claims: list[ClaimRow], entry: Entry, source: str) -> EventRow:
        if not files:
            # Names nothing we sent: kept with its own verdict in the detail, flagged for status.
            detail = {**entry.detail, "verdict": entry.status}
            self.unmatched += 1
            return self._event(
                None, entry.kind, UNKNOWN_INTERCHANGE, entry.summary + "; we sent no such interchange", detail
            )
        return self._to_claims(claims, entry, None, source)

    # -- 999/997 and 277CA/277 re-sent ---------------------------------------------------------

    def _answer_key(self, item: LedgerItem, ours: list[int]) -> str | None:
        """The item's meaning, scoped to its sender and to the files or claim of ours it answers."""
        if item.response_key is None:
            return None
        return PaymentKey.digest("|".join([self.partner, item.response_key, *map(str, ours)]))

    def _resent(self, key: str | None, claims: list[ClaimRow], entry: Entry) -> bool:
        """Record a duplicate event per claim (and change nothing) if this answer was recorded."""
        earlier = self.session.get(ResponseKeyRow, key) if key is not None else None
        if earlier is None:
            return False
        self.resent += 1
        summary = (
            f"{entry.kind} re-sent: {entry.summary} was recorded from inbound file #{earlier.file_id}; "
            "nothing changed"
        )
        detail = {
            "original_file_id": earlier.file_id,
            "original_event_id": earlier.event_id,
            "interchange_control_number": self.ledger_file.interchange_control_number,
        }
        claim_ids: list[int | None] = [claim.id for claim in claims]
        for claim_id in claim_ids or [None]:
            self._event(claim_id, f"{entry.kind}.duplicate", "duplicate", summary, detail)
        return True

    def _remember(self, key: str | None, event: EventRow) -> None:
        if key is not None:
            self.session.add(ResponseKeyRow(key=key, file_id=self.file.id, event_id=event.id))
            self.session.flush()  # a second copy of the answer in this same file finds it

    # -- 835 ---------------------------------------------------------------------------------

    def _payment(self, target: ClaimTarget, entry: Entry, key: PaymentKey) -> None:
        claim, match = self._claim_for_payment(target)
        earlier = self.session.get(PaymentKeyRow, key.claim)
        if earlier is not None:
            self.duplicates += 1
            summary = (
                f"835 re-sent: this payment ({key.description}) was recorded from inbound file "
                f"#{earlier.file_id}; nothing changed"
            )
            detail = {
                "original_file_id": earlier.file_id,
                "original_event_id": earlier.event_id,
                "interchange_control_number": self.ledger_file.interchange_control_number,
                "payer_claim_control_number": target.payer_claim_control_number,
                "match": match,
            }
            event = self._event(claim.id if claim else None, DUPLICATE_KIND, "duplicate", summary, detail)
            self._ref(
                event,
                target.patient_control_number,
                target.payer_claim_control_number,
                DUPLICATE_SOURCE,
                claim.id if claim else None,
            )
            return
        if claim is None:
            entry = Entry(
                entry.kind,
                entry.status,
                f"{entry.summary}; {match['reason']}",
                {**entry.detail, "match": match},
            )
        event = self._to_claims([claim] if claim else [], entry, target)
        self.session.add(
            PaymentKeyRow(
                key=key.claim, transaction_key=key.transaction, file_id=self.file.id, event_id=event.id
            )
        )
        self.session.flush()

    def _claim_for_payment(self, target: ClaimTarget) -> tuple[ClaimRow | None, dict[str, Any]]:
        """The one claim of ours an 835 claim pays, or None with the reason and the candidates."""
        pcn = target.patient_control_number
        rows = list(
            self.session.scalars(
                select(ClaimRow).where(ClaimRow.patient_control_number == pcn).order_by(ClaimRow.id)
            )
        )
        if not rows:
            return None, {
                "result": "unmatched",
                "reason": f"no claim of ours has PCN {pcn}",
                "candidates": [],
            }
        fits = rows
        wanted = [f"PCN {pcn}"]
        if target.billing_npi:
            fits = [r for r in fits if r.billing_npi == target.billing_npi]
            wanted.append(f"billing NPI {target.billing_npi}")
        elif target.payer_id:
            fits = [r for r in fits if r.payer_id == target.payer_id]
            wanted.append(f"payer {target.payer_id}")
        if target.charge is not None:
            fits = [r for r in fits if r.total_charge == target.charge]
            wanted.append(f"charge {target.charge:.2f}")
        if len(fits) > 1 and target.payer_claim_control_number:
            # The payer's claim number from a 277CA names one version of the claim, if any did.
            named = set(
                self.session.scalars(
                    select(ClaimRefRow.claim_id).where(
                        ClaimRefRow.claim_id.in_([r.id for r in fits]),
                        ClaimRefRow.payer_claim_control_number == target.payer_claim_control_number,
                    )
                )
            )
            if len(named) == 1:
                fits = [r for r in fits if r.id in named]
        if len(fits) > 1 and target.payer_claim_control_number:
            # A version another payer already answered under its own claim number (the primary,
            # when this is the secondary's 835) is not the claim this payment answers.
            answered = set(
                self.session.scalars(
                    select(ClaimRefRow.claim_id).where(
                        ClaimRefRow.claim_id.in_([r.id for r in fits]),
                        ClaimRefRow.source == "835",
                        ClaimRefRow.payer_claim_control_number.is_not(None),
                        ClaimRefRow.payer_claim_control_number != target.payer_claim_control_number,
                    )
                )
            )
            unanswered = [r for r in fits if r.id not in answered]
            if len(unanswered) == 1:
                fits = unanswered
        if len(fits) == 1:
            return fits[0], {"result": "matched", "by": wanted}
        candidates = [_candidate(r) for r in (fits or rows)]
        ids = ", ".join(f"#{r.id}" for r in (fits or rows))
        if fits:
            reason = f"not matched: {len(fits)} claims of ours fit {', '.join(wanted)} ({ids})"
            return None, {"result": "ambiguous", "reason": reason, "candidates": candidates}
        reason = f"not matched: no claim of ours fits {', '.join(wanted)}; same PCN: {ids}"
        return None, {"result": "unmatched", "reason": reason, "candidates": candidates}

    # -- shared ------------------------------------------------------------------------------

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

    def _claim_by_amount(self, pcn: str, charge: Decimal | None) -> ClaimRow | None:
        """A 277CA's claim: the newest with this PCN, preferring the billed amount it states."""
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
        self, claims: list[ClaimRow], entry: Entry, target: ClaimTarget | None, source: str = ""
    ) -> EventRow:
        """One event per claim (or one unmatched event); returns the last one written."""
        pcn = target.patient_control_number if target else None
        payer_number = target.payer_claim_control_number if target else ""
        source = target.source if target else source
        if not claims:
            self.unmatched += 1
            event = self._event(None, entry.kind, entry.status, entry.summary, entry.detail)
            if pcn:
                self._ref(event, pcn, payer_number, source, None)
            return event
        for claim in claims:
            self.matched += 1
            event = self._event(claim.id, entry.kind, entry.status, entry.summary, entry.detail)
            self._ref(event, pcn or claim.patient_control_number, payer_number, source, claim.id)
            if entry.claim_status and response_moves(claim.status, entry.claim_status):
                claim.status = entry.claim_status
                claim.status_reason, claim.hold_kind = entry.summary[:500], None
        return event

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


def _candidate(row: ClaimRow) -> dict[str, str | int]:
    return {
        "claim_id": row.id,
        "billing_npi": row.billing_npi,
        "payer_id": row.payer_id,
        "total_charge": f"{row.total_charge:.2f}",
        "status": row.status,
    }
