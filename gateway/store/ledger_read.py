"""Reading the ledger: the timeline of one claim and the denial breakdown.

A timeline gathers the events of every ``claims`` row with the patient control number plus
the inbound events that named it without a match (``ledger_claim_refs``), in time order.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import select, union
from sqlalchemy.exc import SQLAlchemyError

from gateway.errors import StoreError
from gateway.store.db import Store
from gateway.store.ledger_tables import ClaimRefRow
from gateway.store.schema import ClaimRow, EventRow


@dataclass(frozen=True)
class TimelineEvent:
    at: str
    kind: str
    status: str
    summary: str
    detail: dict[str, Any]
    claim_id: int | None
    file_id: int | None


@dataclass(frozen=True)
class ClaimSummary:
    id: int
    payer_id: str
    total_charge: str
    status: str
    first_service_date: str


@dataclass
class Timeline:
    patient_control_number: str
    claims: list[ClaimSummary] = field(default_factory=list)
    events: list[TimelineEvent] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "patient_control_number": self.patient_control_number,
            "claims": [vars(c) for c in self.claims],
            "events": [vars(e) for e in self.events],
        }


def timeline(store: Store, pcn: str) -> Timeline:
    try:
        with store.session() as session:
            claims = list(
                session.execute(select(ClaimRow).where(ClaimRow.patient_control_number == pcn)).scalars()
            )
            claim_ids = [c.id for c in claims]
            referenced = select(ClaimRefRow.event_id).where(ClaimRefRow.patient_control_number == pcn)
            rows = session.execute(
                select(EventRow)
                # A union, not an OR: each side uses its own index (an OR scans every event).
                .where(
                    EventRow.id.in_(
                        union(select(EventRow.id).where(EventRow.claim_id.in_(claim_ids)), referenced)
                    )
                )
                .order_by(EventRow.at, EventRow.id)
            ).scalars()
            result = Timeline(pcn)
            result.claims = [
                ClaimSummary(
                    c.id, c.payer_id, str(c.total_charge), c.status, c.first_service_date.isoformat()
                )
                for c in claims
            ]
            for row in rows:
                detail = json.loads(row.detail) if row.detail else {}
                summary = str(detail.pop("summary", "")) if isinstance(detail, dict) else ""
                if not summary and isinstance(detail, dict):  # events written by other modules
                    summary = " ".join(f"{key}={value}" for key, value in sorted(detail.items()))
                result.events.append(
                    TimelineEvent(
                        row.at.isoformat(timespec="seconds"),
                        row.kind,
                        row.status or "",
                        summary,
                        detail if isinstance(detail, dict) else {"value": detail},
                        row.claim_id,
                        row.file_id,
                    )
                )
            return result
    except SQLAlchemyError as error:
        raise StoreError(f"cannot read the ledger: {error.__class__.__name__}") from None


@dataclass
class DenialRow:
    group: str
    reason: str
    reason_text: str
    payer: str
    procedure: str
    claims: set[str] = field(default_factory=set)
    amount: Decimal = Decimal(0)
    by_day: dict[dt.date, Decimal] = field(default_factory=dict)  # when the 835s were recorded

    def to_json(self) -> dict[str, Any]:
        return {
            "group": self.group,
            "reason": self.reason,
            "reason_text": self.reason_text,
            "payer": self.payer,
            "procedure": self.procedure,
            "claims": len(self.claims),
            "amount": str(self.amount),
        }


def denials(store: Store, *, include_contractual: bool = False) -> list[DenialRow]:
    """Adjustments of 835 claims grouped by (CAS group, CARC, payer, CPT), largest amount first.

    CO-45 (charge above the fee schedule) is on nearly every paid line and says nothing about a
    denial, so it is left out unless ``include_contractual``.  Claim-level adjustments have no
    procedure and are listed under "(claim)".
    """
    rows: dict[tuple[str, str, str, str], DenialRow] = {}
    try:
        with store.session() as session:
            details = session.execute(
                select(EventRow.detail, ClaimRefRow.patient_control_number, EventRow.at)
                .join(ClaimRefRow, ClaimRefRow.event_id == EventRow.id)
                .where(ClaimRefRow.source == "835")
            ).all()
    except SQLAlchemyError as error:
        raise StoreError(f"cannot read the ledger: {error.__class__.__name__}") from None
    for text, pcn, at in details:
        detail = json.loads(text or "{}")
        payer = detail.get("payer_name") or detail.get("payer_id") or "?"
        found: list[tuple[str, dict[str, Any]]] = [("(claim)", a) for a in detail.get("adjustments", [])]
        for line in detail.get("service_lines", []):
            found += [(line.get("procedure") or "?", a) for a in line.get("adjustments", [])]
        for procedure, adjustment in found:
            group, reason = adjustment["group"], adjustment["reason"]
            if group == "CO" and reason == "45" and not include_contractual:
                continue
            if Decimal(adjustment["amount"]) == 0:
                continue
            key = (group, reason, payer, procedure)
            row = rows.get(key)
            if row is None:
                # The CARC text was written with the event (gateway.inbound.ledger_entries), so the
                # store reads it back instead of importing the parser package's code tables.
                reason_text = str(adjustment.get("reason_text") or f"CARC {reason}")
                row = rows[key] = DenialRow(group, reason, reason_text, payer, procedure)
            row.claims.add(pcn)
            row.amount += Decimal(adjustment["amount"])
            row.by_day[at.date()] = row.by_day.get(at.date(), Decimal(0)) + Decimal(adjustment["amount"])
    return sorted(rows.values(), key=lambda r: (-r.amount, r.group, r.reason, r.payer, r.procedure))
