"""``HistoryProvider``: the patient's earlier service lines from the claims/service_lines tables.

The payer rules count sessions per region over a rolling window, so for a claim we load the
same patient's (``claims.patient_key``) lines dated inside the window before the claim's first
date of service.  Left out: the claim itself (same patient control number: a re-check or a
replacement must not count against itself) and every claim of a patient control number that was
voided (frequency 8).  Sessions are distinct dates, so resubmissions of the same service count
once in the rules.  The region is not stored: the rules derive it from the procedure code.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from gateway.domain.claim import Claim
from gateway.domain.codes import FrequencyCode
from gateway.domain.history import History, PastService
from gateway.domain.identity import patient_key
from gateway.errors import StoreError
from gateway.store.db import Store
from gateway.store.schema import ClaimRow, ServiceLineRow

# Rolling-window rules look back 365 days; rules without a window (SI joint: 2 diagnostic sessions
# ever; the diagnostic blocks before a first RFA) see two years of stored history plus the evidence.
DEFAULT_WINDOW_DAYS = 730


class HistoryProvider:
    """Earlier services of one patient, read from the store (one query per claim)."""

    def __init__(self, store: Store, window_days: int = DEFAULT_WINDOW_DAYS) -> None:
        self.store = store
        self.window_days = window_days

    def for_claim(self, claim: Claim, procedure_codes: Iterable[str] | None = None) -> History:
        return self.for_patient(
            patient_key(claim),
            before=claim.first_service_date,
            exclude_control_number=claim.patient_control_number,
            procedure_codes=procedure_codes,
        )

    def for_patient(
        self,
        key: str,
        *,
        before: dt.date,
        exclude_control_number: str | None = None,
        procedure_codes: Iterable[str] | None = None,
    ) -> History:
        """Lines dated from ``before - window_days`` up to and including ``before``, oldest first."""
        earliest = before - dt.timedelta(days=self.window_days)
        voided = (
            select(ClaimRow.patient_control_number)
            .where(ClaimRow.patient_key == key)
            .where(ClaimRow.frequency_code == FrequencyCode.VOID.value)
        )
        query = (
            select(
                ServiceLineRow.service_date,
                ServiceLineRow.procedure_code,
                ServiceLineRow.modifiers,
                ServiceLineRow.units,
                ClaimRow.patient_control_number,
            )
            .join(ClaimRow, ServiceLineRow.claim_id == ClaimRow.id)
            .where(ClaimRow.patient_key == key)
            .where(ServiceLineRow.service_date >= earliest)
            .where(ServiceLineRow.service_date <= before)
            .where(ClaimRow.patient_control_number.not_in(voided))
            .order_by(ServiceLineRow.service_date, ServiceLineRow.id)
        )
        if exclude_control_number is not None:
            query = query.where(ClaimRow.patient_control_number != exclude_control_number)
        if procedure_codes is not None:
            query = query.where(ServiceLineRow.procedure_code.in_(sorted(set(procedure_codes))))
        try:
            with self.store.session() as session:
                rows = session.execute(query).all()
        except SQLAlchemyError as error:
            raise StoreError(f"cannot read claim history: {error.__class__.__name__}") from error
        return History(
            services=tuple(
                PastService(
                    service_date=row.service_date,
                    procedure_code=row.procedure_code,
                    modifiers=tuple(m for m in row.modifiers.split(":") if m),
                    units=row.units,
                    claim_ref=row.patient_control_number,
                )
                for row in rows
            )
        )
