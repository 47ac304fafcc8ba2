"""What a packet is about: one claim, or one prior-authorization request seen as a claim.

The payer rules and the documentation checks run on ``Claim``.  An auth request carries the same
parties, diagnoses, planned procedures and ``ClinicalEvidence``, so ``claim_view`` turns it into a
claim with zero charges (never built, never stored) and the rule book routes and checks it the
same way; ``performed`` is False so no procedure note is asked for a procedure not yet done.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from decimal import Decimal

from gateway.domain.auth import AuthRequest
from gateway.domain.claim import Claim, ServiceLine

CLAIM, AUTH = "claim", "auth"
CONTROL_PREFIX = "PKT"


@dataclass(frozen=True)
class Subject:
    """The claim (or the auth request's claim view) a packet documents."""

    kind: str  # CLAIM or AUTH
    identifier: str  # patient control number or request id
    claim: Claim
    auth: AuthRequest | None = None

    @property
    def performed(self) -> bool:
        return self.kind == CLAIM

    @property
    def control_number(self) -> str:
        """The attachment control number (837P/278 PWK06): stable for the same content.

        A digest of the subject (kind, id, evidence and lines), so re-rendering an unchanged
        claim gives the same number and a changed record gets a new one.
        """
        source = self.auth.model_dump_json() if self.auth is not None else self.claim.model_dump_json()
        digest = hashlib.sha256(f"{self.kind}|{self.identifier}|{source}".encode()).hexdigest()
        return f"{CONTROL_PREFIX}{digest[:12].upper()}"


def for_claim(claim: Claim) -> Subject:
    return Subject(CLAIM, claim.patient_control_number, claim)


def claim_view(auth: AuthRequest) -> Claim:
    """The request as a claim: same parties, diagnoses and evidence; one zero-charge line per service."""
    lines = [
        ServiceLine(
            procedure_code=service.procedure_code,
            modifiers=service.modifiers,
            charge=Decimal(0),
            units=service.units,
            diagnosis_pointers=[1],
            service_date=service.start_date,
        )
        for service in auth.services
    ]
    return Claim(
        patient_control_number=auth.request_id[:38],
        place_of_service=auth.place_of_service,
        diagnosis_codes=auth.diagnosis_codes,
        onset_date=auth.onset_date,
        billing_provider=auth.requester,
        service_facility=auth.facility,
        rendering_provider=auth.rendering_provider,
        subscriber=auth.subscriber,
        patient=auth.patient,
        payer=auth.umo,
        service_lines=lines,
        evidence=auth.evidence,
    )


def for_auth(auth: AuthRequest) -> Subject:
    return Subject(AUTH, auth.request_id, claim_view(auth), auth)


def first_date(subject: Subject) -> dt.date:
    return subject.claim.first_service_date
