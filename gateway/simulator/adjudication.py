"""The simulated payer's decision on one claim: paid, adjusted or denied, line by line (pure).

Per service line, first match wins:

1. a ``deny`` rule for the procedure: the whole charge adjusted with its group and reason
   (CO-50 not medically necessary, with RARC N115 "decision based on an LCD");
2. a procedure the policy wants authorized, on a claim without REF*G1: CO-197
   (precertification/authorization absent), RARC M62 (missing treatment authorization code);
3. otherwise priced: allowed = charge x allowed_percent, CO-45 for the rest of the charge,
   PR-2 coinsurance on the allowed amount.

At claim level (CAS in loop 2100): PR-1 deductible (once per subscriber and payer, as far as the
payments go) and PR-3 copay by claim filing indicator.  Everything balances by construction:
charge - paid = sum of all adjustments (patient responsibility included), per line and per claim.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from gateway.simulator.policy import SimulatorPolicy
from gateway.simulator.submission import SubmittedClaim, SubmittedLine

CENT = Decimal("0.01")
ZERO = Decimal(0)
MISSING_AUTH_REMARK = "M62"
PROCESSED_AS_PRIMARY = "1"
DENIED = "4"


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Adjustment:
    group: str  # CAS01
    reason: str  # CARC
    amount: Decimal


@dataclass(frozen=True)
class PaidLine:
    line: SubmittedLine
    paid: Decimal
    allowed: Decimal | None  # AMT*B6 when the line was priced
    adjustments: tuple[Adjustment, ...]
    remark: str | None  # LQ*HE


@dataclass(frozen=True)
class PaidClaim:
    claim: SubmittedClaim
    payer_claim_number: str
    status: str  # CLP02
    paid: Decimal
    adjustments: tuple[Adjustment, ...]  # claim level
    lines: tuple[PaidLine, ...]

    @property
    def patient_responsibility(self) -> Decimal:
        every = self.adjustments + tuple(a for line in self.lines for a in line.adjustments)
        return sum((a.amount for a in every if a.group == "PR"), ZERO)

    @property
    def denied(self) -> bool:
        return self.status == DENIED


def _line(claim: SubmittedClaim, line: SubmittedLine, policy: SimulatorPolicy) -> PaidLine:
    charge = cents(line.charge)
    principal = claim.diagnosis_codes[0] if claim.diagnosis_codes else ""
    rule = policy.denial_for(line.procedure, principal)
    if rule is not None:
        return PaidLine(line, ZERO, None, (Adjustment(rule.group, rule.reason, charge),), rule.remark)
    if line.procedure in policy.require_auth and not claim.prior_authorization:
        return PaidLine(line, ZERO, None, (Adjustment("CO", "197", charge),), MISSING_AUTH_REMARK)
    terms = policy.adjudication
    allowed = min(charge, cents(charge * terms.allowed_percent / 100))
    coinsurance = cents(allowed * terms.coinsurance_percent / 100)
    adjustments = []
    if charge > allowed:
        adjustments.append(Adjustment("CO", "45", charge - allowed))
    if coinsurance:
        adjustments.append(Adjustment("PR", "2", coinsurance))
    return PaidLine(line, allowed - coinsurance, allowed, tuple(adjustments), None)


def adjudicate(
    claim: SubmittedClaim,
    payer_claim_number: str,
    policy: SimulatorPolicy,
    deductible_left: Decimal,
) -> tuple[PaidClaim, Decimal]:
    """The claim's 835 outcome and how much of the subscriber's deductible it used."""
    if claim.last_prior_payer is not None:
        return adjudicate_after_prior(claim, payer_claim_number), ZERO
    lines = tuple(_line(claim, line, policy) for line in claim.lines)
    lines_paid = sum((line.paid for line in lines), ZERO)
    deductible = min(cents(deductible_left), lines_paid)
    copay = min(cents(policy.adjudication.copay.get(claim.filing_indicator, ZERO)), lines_paid - deductible)
    adjustments = []
    if deductible:
        adjustments.append(Adjustment("PR", "1", deductible))
    if copay:
        adjustments.append(Adjustment("PR", "3", copay))
    all_denied = all(line.allowed is None for line in lines)
    status = DENIED if all_denied else PROCESSED_AS_PRIMARY
    paid = lines_paid - deductible - copay
    return PaidClaim(claim, payer_claim_number, status, paid, tuple(adjustments), lines), deductible


# CLP02 of a claim processed after other payers, by the 2000B SBR01 it was billed with.
PROCESSED_AS = {"S": "2", "T": "3"}


def adjudicate_after_prior(claim: SubmittedClaim, payer_claim_number: str) -> PaidClaim:
    """A secondary (or later) payer pays what the payer before it left to the patient.

    Per line: the earlier payer's PR amounts for the line (its 2430 CAS), capped at the charge;
    the rest of the charge is OA-23 (the impact of prior payer adjudication).  The earlier
    payer's claim-level PR (deductible, copay: its 2320 CAS) is paid on the lines in order, as
    far as their OA-23 reaches.  Balances per line and claim, like ``adjudicate``.
    """
    prior = claim.last_prior_payer
    assert prior is not None
    claim_share = cents(prior.claim_patient_share)
    lines = []
    for line in claim.lines:
        charge = cents(line.charge)
        paid = min(charge, cents(line.prior_patient_share.get(prior.payer_id, ZERO)))
        extra = min(claim_share, charge - paid)
        claim_share -= extra
        paid += extra
        adjustments = (Adjustment("OA", "23", charge - paid),) if charge > paid else ()
        lines.append(PaidLine(line, paid, None, adjustments, None))
    status = PROCESSED_AS.get(claim.payer_sequence, "2")
    paid_total = sum((line.paid for line in lines), ZERO)
    return PaidClaim(claim, payer_claim_number, status, paid_total, (), tuple(lines))
