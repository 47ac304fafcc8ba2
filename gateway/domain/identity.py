"""A stable, non-reversible key for "the same patient" across claims and authorizations.

Frequency limits count earlier claims of the same patient and claims meet the patient's
authorizations; querying by name or member id would put PHI in query logs and indexes.  The
key is sha256 over payer id, member id and the patient's birth date (a dependant shares the
subscriber's member id).  Names are left out on purpose: a corrected spelling must not split a
patient's history.  The known limit: twins on one member id share a key (their sessions would
count together; an operator sees the earlier dates in the finding and can release the claim).
"""

from __future__ import annotations

import datetime as dt
import hashlib

from gateway.domain.claim import Claim


def patient_key_of(payer_id: str, member_id: str, birth_date: dt.date) -> str:
    material = "\x1f".join((payer_id.strip().upper(), member_id.strip().upper(), birth_date.isoformat()))
    return hashlib.sha256(material.encode()).hexdigest()


def patient_key(claim: Claim) -> str:
    person = claim.patient.person if claim.patient else claim.subscriber.person
    return patient_key_of(claim.payer.payer_id, claim.subscriber.member_id, person.birth_date)
