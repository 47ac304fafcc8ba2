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
    rule = policy.denial_for(line.procedure)
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
