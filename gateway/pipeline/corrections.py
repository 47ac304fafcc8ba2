"""Correct (frequency 7) or void (frequency 8) a claim the payer already has.

The sequence, for `gateway claims correct PCN --from FILE` and `gateway claims void PCN`:
find the newest sent version of the PCN; refuse when it was already replaced or voided (a
further correction starts from the replacement); take the payer's claim control number from the
ledger (835 CLP07, else 277CA REF*1K) unless the operator gives one; make the new claim with
CLM05-3 7 or 8 and REF*F8; build it once on its own and run our checks and pyx12 on it, so a
replacement that could never leave is refused now; then record it ``received`` with its link.
The daemon takes it from there like any claim: rules, gate, batch, send.  On any refusal
nothing is recorded.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from gateway.domain.claim import Claim
from gateway.domain.codes import FrequencyCode
from gateway.errors import InputError, ValidationFailed
from gateway.intake import load_claims
from gateway.pipeline.outbound import gate_issues
from gateway.store import followups
from gateway.store.db import Store
from gateway.x12.build_837p import build_837p
from gateway.x12.envelope import TRIAL_IDENTITY, ControlNumbers, TradingPartners

# A trial build's envelope: placeholder identities, nothing allocated, nothing written.
TRIAL_PARTNERS = TradingPartners("TRIALSENDER", "TRIALRECEIVER", identity=TRIAL_IDENTITY)
TRIAL_CONTROL = ControlNumbers(1, 1, 1)


@dataclass(frozen=True)
class Followup:
    original_id: int
    new_id: int
    payer_claim_number: str
    number_source: str  # 835, 277CA or operator


def trial_gate(claim: Claim, what: str) -> None:
    """Build ``claim`` alone and run our checks and pyx12; ValidationFailed lists the problems."""
    text = build_837p([claim], TRIAL_PARTNERS, TRIAL_CONTROL, dt.datetime.now()).text
    issues = gate_issues(text)
    if issues:
        raise ValidationFailed(f"{what} fails the gate; nothing queued", [str(issue) for issue in issues])


def _payer_number(store: Store, version: followups.ClaimVersion, given: str | None) -> tuple[str, str]:
    pcn = version.patient_control_number
    if given:
        for claim_id in followups.claims_with_payer_number(store, given):
            link = followups.superseded_by(store, claim_id)
            if link is not None and claim_id != version.claim_id:
                raise InputError(
                    f"payer claim number {given} belongs to claim #{claim_id}, which was already "
                    f"{'replaced' if link.kind == 'replacement' else 'voided'} by #{link.to_claim_id}"
                )
        return given, "operator"
    found = followups.payer_claim_number(store, version.claim_id)
    if found is None:
        raise InputError(
            f"claim {pcn} (#{version.claim_id}): no payer claim number on file (no 835 CLP07 or 277CA "
            "REF*1K names it); give it with --payer-claim-number"
        )
    return found.number, found.source


def _target(store: Store, pcn: str, payer_id: str | None) -> followups.ClaimVersion:
    version = followups.sent_version(store, pcn, payer_id)
    link = followups.superseded_by(store, version.claim_id)
    if link is not None:
        verb = "replaced" if link.kind == "replacement" else "voided"
        raise InputError(
            f"claim {pcn} (#{version.claim_id}) was already {verb} by #{link.to_claim_id} ({link.to_status}); "
            f"a further correction starts from #{link.to_claim_id} once it has been sent and answered"
        )
    return version


def correct(
    store: Store, pcn: str, source: Path, reason: str, actor: str, payer_claim_number: str | None = None
) -> Followup:
    """Queue the claim in ``source`` as the replacement (frequency 7) of PCN's sent version."""
    claims = [claim for claim in load_claims(source) if claim.patient_control_number == pcn]
    if len(claims) != 1:
        raise InputError(
            f"{source}: needs exactly one claim with patient control number {pcn}, has {len(claims)}"
        )
    corrected = claims[0]
    version = _target(store, pcn, corrected.payer.payer_id)
    number, number_source = _payer_number(store, version, payer_claim_number)
    update: dict[str, object] = {"frequency_code": FrequencyCode.REPLACEMENT, "original_claim_number": number}
    if not corrected.other_coverage:
        # A secondary claim's replacement keeps the earlier payers' answers (2320/2430) it was
        # built with: the office corrects the services, not the primary's remittance.
        update["other_coverage"] = Claim.model_validate_json(version.payload).other_coverage
    replacement = Claim.model_validate(
        {**corrected.model_dump(), **update}
    )  # validators run on the final claim
    trial_gate(replacement, f"{source}: the replacement of claim {pcn}")
    detail: dict[str, object] = {"reason": reason, "payer_claim_number": number, "number_source": number_source,
                                 "frequency": "7"}  # fmt: skip
    new_id = followups.record_followup(store, version.claim_id, replacement, "replacement", actor, detail)
    return Followup(version.claim_id, new_id, number, number_source)


def void(
    store: Store,
    pcn: str,
    reason: str,
    actor: str,
    payer_claim_number: str | None = None,
    payer_id: str | None = None,
) -> Followup:
    """Queue a void (frequency 8) of PCN's sent version: the same claim, CLM05-3 8 and REF*F8."""
    version = _target(store, pcn, payer_id)
    number, number_source = _payer_number(store, version, payer_claim_number)
    original = Claim.model_validate_json(version.payload)
    voided = Claim.model_validate(
        {**original.model_dump(), "frequency_code": FrequencyCode.VOID, "original_claim_number": number}
    )
    trial_gate(voided, f"the void of claim {pcn}")
    detail: dict[str, object] = {"reason": reason, "payer_claim_number": number, "number_source": number_source,
                                 "frequency": "8"}  # fmt: skip
    new_id = followups.record_followup(store, version.claim_id, voided, "void", actor, detail)
    return Followup(version.claim_id, new_id, number, number_source)
