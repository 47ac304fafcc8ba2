"""A stable, non-reversible key for "the same patient" across claims.

Frequency limits count earlier claims of the same patient; querying by name or member id
would put PHI in query logs and indexes.  The key is sha256 over payer id, member id, the
patient's name and birth date (the patient may be a dependent of the subscriber).
"""

from __future__ import annotations

import hashlib

from gateway.domain.claim import Claim


def patient_key(claim: Claim) -> str:
    person = claim.patient.person if claim.patient else claim.subscriber.person
    material = "|".join(
        (
            claim.payer.payer_id,
            claim.subscriber.member_id,
            person.last_name,
            person.first_name or "",
            person.birth_date.isoformat(),
        )
    )
    return hashlib.sha256(material.encode()).hexdigest()
