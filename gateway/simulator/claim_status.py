"""277CA 005010X214: the clearinghouse's claim-by-claim answer to one accepted 837P transaction.

Tree (HL03): 20 information source (the clearinghouse) > 21 information receiver (the
submitter, TRN*2 = the 837's BHT03) > 19 billing provider > PT one per claim (TRN*2 = CLM01).
Accepted claims get ``STC*A2:20`` (accepted into the payer's system) and a payer claim control
number (REF*1K) that the 835 repeats; rejected claims get the policy's category, status and
entity (``STC*A7:562:85``: the billing provider's NPI is invalid) and action ``U``.  The
batch and provider levels count and total both (QTY 90/AA, QA/QC; AMT YU/YY).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from gateway.simulator.policy import RejectRule, SimulatorPolicy
from gateway.simulator.submission import Submitted837, SubmittedClaim
from gateway.x12 import envelope
from gateway.x12.writer import SegmentWriter

IMPLEMENTATION = "005010X214"
FUNCTIONAL_ID = "HN"
ACCEPTED = ("A2", "20", "")  # accepted into the adjudication system
BATCH_ACCEPTED = ("A1", "20", "")  # acknowledgement: receipt, accepted for processing


@dataclass(frozen=True)
class ClaimVerdict:
    claim: SubmittedClaim
    rejection: RejectRule | None
    payer_claim_number: str | None  # set for accepted claims

    @property
    def accepted(self) -> bool:
        return self.rejection is None


def judge(
    transaction: Submitted837, policy: SimulatorPolicy, next_claim_number: Callable[[], str]
) -> list[ClaimVerdict]:
    """Accept or reject each claim of an accepted 837 transaction by the policy's markers."""
    verdicts = []
    for claim in transaction.claims:
        rule = policy.rejection_for(claim.patient_control_number)
        if rule is None and (not claim.lines or sum(line.charge for line in claim.lines) != claim.charge):
            rule = RejectRule(marker="*", category="A7", status="178", entity="")  # submitted charges
        verdicts.append(ClaimVerdict(claim, rule, None if rule else next_claim_number()))
    return verdicts


def _money(value: Decimal) -> str:
    text = format(value.quantize(Decimal("0.01")), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _dates(claim: SubmittedClaim) -> tuple[str, str]:
    first, last = claim.first_date, claim.last_date
    return ("D8", first) if first == last else ("RD8", f"{first}-{last}")


def _counts(w: SegmentWriter, verdicts: list[ClaimVerdict], accepted_qty: str, rejected_qty: str) -> None:
    accepted = [v.claim.charge for v in verdicts if v.accepted]
    rejected = [v.claim.charge for v in verdicts if not v.accepted]
    if accepted:
        w.segment("QTY", accepted_qty, str(len(accepted)))
    if rejected:
        w.segment("QTY", rejected_qty, str(len(rejected)))
    if accepted:
        w.segment("AMT", "YU", _money(sum(accepted, Decimal(0))))
    if rejected:
        w.segment("AMT", "YY", _money(sum(rejected, Decimal(0))))


def build_277ca(
    transaction: Submitted837,
    verdicts: list[ClaimVerdict],
    st02: str,
    clearinghouse: tuple[str, str],
    when: dt.datetime,
    received: dt.date,
) -> str:
    """One 277CA transaction set (ST..SE) for ``transaction``; ``clearinghouse`` = (name, id)."""
    w = SegmentWriter()
    day = when.strftime("%Y%m%d")
    envelope.open_transaction(w, "277", st02, IMPLEMENTATION)
    w.segment("BHT", "0085", "08", f"CA{st02}{when:%y%m%d%H%M}", day, when.strftime("%H%M"), "TH")
    w.segment("HL", "1", "", "20", "1")
    w.segment("NM1", "AY", "2", clearinghouse[0], "", "", "", "", "46", clearinghouse[1])
    w.segment("TRN", "1", f"{transaction.control_number}{when:%y%m%d}")
    w.segment("DTP", "050", "D8", received.strftime("%Y%m%d"))
    w.segment("DTP", "009", "D8", day)
    w.segment("HL", "2", "1", "21", "1")
    w.segment("NM1", "41", "2", transaction.submitter_name or "SUBMITTER", "", "", "", "", "46",
              transaction.submitter_id or "UNKNOWN")  # fmt: skip
    w.segment("TRN", "2", transaction.reference or transaction.control_number)
    total = sum((v.claim.charge for v in verdicts if v.accepted), Decimal(0))
    w.segment("STC", BATCH_ACCEPTED, day, "WQ", _money(total))
    _counts(w, verdicts, "90", "AA")
    hl = 2
    by_provider: dict[tuple[str, str], list[ClaimVerdict]] = {}
    for verdict in verdicts:
        by_provider.setdefault((verdict.claim.provider_name, verdict.claim.provider_npi), []).append(verdict)
    for (name, npi), group in by_provider.items():
        hl += 1
        provider_hl = hl
        w.segment("HL", str(provider_hl), "2", "19", "1")
        w.segment("NM1", "85", "2", name or "PROVIDER", "", "", "", "", "XX", npi or "0000000000")
        w.segment("TRN", "1", f"{npi or 'PROVIDER'}{st02}")
        provider_total = sum((v.claim.charge for v in group if v.accepted), Decimal(0))
        w.segment("STC", BATCH_ACCEPTED, "", "WQ", _money(provider_total))  # 2200C: no STC02
        _counts(w, group, "QA", "QC")
        for verdict in group:
            hl += 1
            _claim(w, verdict, hl, provider_hl, day)
    envelope.close_transaction(w, st02)
    return w.text()


def _claim(w: SegmentWriter, verdict: ClaimVerdict, hl: int, parent: int, day: str) -> None:
    claim = verdict.claim
    w.segment("HL", str(hl), str(parent), "PT")
    w.segment("NM1", "QC", "1", claim.patient_last_name or "UNKNOWN", claim.patient_first_name, "", "", "",
              "MI" if claim.member_id else "", claim.member_id)  # fmt: skip
    w.segment("TRN", "2", claim.patient_control_number)
    rule = verdict.rejection
    if rule is None:
        w.segment("STC", ACCEPTED, day, "WQ", _money(claim.charge))
    else:
        w.segment("STC", (rule.category, rule.status, rule.entity), day, "U", _money(claim.charge))
    if verdict.payer_claim_number:
        w.segment("REF", "1K", verdict.payer_claim_number)
    if claim.first_date:
        w.segment("DTP", "472", *_dates(claim))
