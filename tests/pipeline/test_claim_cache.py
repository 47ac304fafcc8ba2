"""The daemon's parsed-claim cache: an entry is used only while the row's payload is unchanged."""

from __future__ import annotations

from gateway.domain.claim import Claim
from gateway.pipeline.cycle_context import ClaimCache
from tests.daemon.helpers import make_claims


def _claims() -> tuple[Claim, Claim]:
    first, second = (Claim.model_validate(data) for data in make_claims(2))
    return first, second


def test_a_whole_claim_is_used_while_its_payload_is_unchanged() -> None:
    claim, other = _claims()
    payload = claim.model_dump_json()
    cache = ClaimCache()
    cache.put(7, payload, claim)
    assert cache.get(7, payload) is claim
    assert cache.get(7, "".join(payload)) is claim, "an equal payload read back from the row"
    changed = other.model_dump_json()
    reparsed = cache.get(7, changed)
    assert reparsed is not claim and reparsed == other
    assert cache.get(7, changed) is reparsed
    assert cache.get(8, payload) == claim, "a miss parses the payload"


def test_a_queued_claim_is_kept_without_evidence_and_checked_against_its_payload() -> None:
    claim, other = _claims()
    payload = claim.model_dump_json()
    cache = ClaimCache()
    cache.put(7, payload, claim)
    cache.keep_for_build(7, claim)
    built = cache.for_build(7, payload)
    assert built.evidence == built.evidence.__class__() and built.service_lines == claim.service_lines
    assert cache.get(7, payload) == claim, "screening needs the evidence: parsed again"
    assert cache.for_build(7, payload).evidence == claim.evidence, "the whole claim does for a build too"

    cache.keep_for_build(7, claim)
    assert cache.for_build(7, other.model_dump_json()) == other, "a changed row is parsed again"

    changed = claim.model_copy(update={"prior_authorization": "AUTH1"})
    cache.put(9, payload, claim)
    cache.keep_for_build(9, changed, changed.model_dump_json())
    assert cache.for_build(9, changed.model_dump_json()).prior_authorization == "AUTH1"
    assert cache.for_build(9, payload) == claim, "the old payload no longer matches"


def test_keep_for_build_without_an_entry_or_a_payload_keeps_nothing() -> None:
    claim, _ = _claims()
    cache = ClaimCache()
    cache.keep_for_build(3, claim)
    assert cache.for_build(3, claim.model_dump_json()) == claim  # parsed: nothing was kept
    cache.drop(3)
    cache.drop(3)
