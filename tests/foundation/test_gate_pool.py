"""The gate walked in parts by a process pool gives the one-walk gate's result, finding for finding
(segment numbers of the batch, loops, elements, codes, order), on every 837P the tests build and
on the corpus; a batch with a bad claim in each part names each bad claim; a batch whose envelope
or HL skeleton is broken is not cut and is gated whole.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from gateway.domain.claim import Claim
from gateway.x12 import build_837p as builder
from gateway.x12.gate import GateIssue, validate_text
from gateway.x12.gate_pool import GatePool
from gateway.x12.gate_split import claim_of_segments, plan_parts
from tests.cob.claims import primary_with_other_coverage, secondary_claim, tertiary_claim
from tests.conftest import example_claim_dicts
from tests.foundation.helpers import build, claims_from, pyx12_independent

CORPUS_837P = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "837P"


@pytest.fixture(scope="module")
def pool() -> Iterator[GatePool]:
    gate_pool = GatePool(workers=2)
    yield gate_pool
    gate_pool.close()


def many_claims(count: int) -> list[Claim]:
    """``count`` distinct claims cycled from the examples (each its own subscriber)."""
    templates = [*example_claim_dicts(), primary_with_other_coverage(), secondary_claim(), tertiary_claim()]
    claims = []
    for n in range(count):
        data = dict(templates[n % len(templates)])
        data["patient_control_number"] = f"POOL{n:05d}"
        data["subscriber"] = {**data["subscriber"], "member_id": f"M{n:08d}"}
        claims.append(Claim.model_validate(data))
    return claims


def segments_of(text: str) -> list[str]:
    return text.split("~")[:-1]


def with_bad_service_date(text: str, pcns: list[str]) -> str:
    """The first DTP*472 of each named claim gets 20260230 (no such day): pyx12 finds it."""
    segments = segments_of(text)
    for pcn in pcns:
        start = segments.index(next(s for s in segments if s.startswith(f"CLM*{pcn}*")))
        dtp = next(n for n in range(start, len(segments)) if segments[n].startswith("DTP*472*D8*"))
        segments[dtp] = "DTP*472*D8*20260230"
    return "~".join(segments) + "~"


def assert_same_as_one_walk(pool: GatePool, text: str, parts: int) -> list[GateIssue]:
    one_walk = validate_text(text)
    in_parts = pool.validate(text, parts=parts)
    assert in_parts == one_walk
    return one_walk.issues


@pytest.mark.parametrize("parts", [2, 3, 5])
def test_clean_batch_in_parts_equals_one_walk_and_every_part_is_valid_alone(
    pool: GatePool, parts: int
) -> None:
    text = build(many_claims(60)).text
    plan = plan_parts(text, parts)
    assert plan is not None and len(plan) == parts
    batch = segments_of(text)
    for part in plan:
        assert pyx12_independent(part.text)[0], "a part must be a valid 837P on its own"
        for segment, line in zip(segments_of(part.text), part.origin, strict=True):
            if not segment.startswith(("HL*", "SE*", "GE*")):  # those three are renumbered
                assert segment == batch[line - 1]
    # every claim segment of the batch is in exactly one part
    claim_lines = [line for part in plan for line in part.origin if line not in part.shared]
    assert len(claim_lines) == len(set(claim_lines))
    assert assert_same_as_one_walk(pool, text, parts) == []


def test_a_bad_claim_in_each_part_is_found_at_its_batch_segment(pool: GatePool) -> None:
    claims = many_claims(40)
    clean = build(claims).text
    plan = plan_parts(clean, 2)
    assert plan is not None
    owners = claim_of_segments(clean)
    first_of_each_part = [next(owners[line - 1] for line in part.origin if owners[line - 1]) for part in plan]
    bad_pcns = [pcn for pcn in first_of_each_part if pcn is not None]
    assert bad_pcns == ["POOL00000", "POOL00030"]
    text = with_bad_service_date(clean, bad_pcns)
    issues = assert_same_as_one_walk(pool, text, 2)
    bad_lines = [
        n for n, segment in enumerate(segments_of(text), start=1) if segment == "DTP*472*D8*20260230"
    ]
    assert [(i.segment_index, i.level, i.code, i.segment_id, i.loop, i.element) for i in issues] == [
        (line, "ele", "8", "DTP", "2400", "DTP03") for line in bad_lines
    ]
    assert [owners[i.segment_index - 1] for i in issues if i.segment_index] == bad_pcns


def test_several_transaction_sets_and_bad_claims_in_every_part(
    pool: GatePool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(builder, "MAX_CLAIMS_PER_TRANSACTION", 7)
    text = build(many_claims(30)).text
    assert sum(s.startswith("ST*") for s in segments_of(text)) == 5
    bad = with_bad_service_date(text, ["POOL00001", "POOL00009", "POOL00016", "POOL00022", "POOL00029"])
    issues = assert_same_as_one_walk(pool, bad, 4)
    assert len(issues) == 5
    assert {claim_of_segments(bad)[i.segment_index - 1] for i in issues if i.segment_index} == {
        "POOL00001", "POOL00009", "POOL00016", "POOL00022", "POOL00029",
    }  # fmt: skip


def test_party_level_finding_is_reported_once_for_a_billing_provider_shared_by_parts(pool: GatePool) -> None:
    text = build(many_claims(24)).text
    # A taxonomy pyx12 rejects (too short) in the one 2000A that both parts repeat.
    segments = segments_of(text)
    prv = next(n for n, s in enumerate(segments) if s.startswith("PRV*BI*"))
    segments[prv] = "PRV*BI*ZZ*" + segments[prv].split("*")[3]
    bad = "~".join(segments) + "~"
    issues = assert_same_as_one_walk(pool, bad, 2)
    assert [(i.segment_index, i.segment_id, i.element, i.code) for i in issues] == [
        (prv + 1, "PRV", "PRV02", "7")
    ]


@pytest.mark.parametrize(
    "breakage",
    ["se_count", "hl_gap", "ge_count", "duplicate_st02"],
)
def test_a_broken_skeleton_is_not_cut_and_reads_as_one_walk(
    pool: GatePool, monkeypatch: pytest.MonkeyPatch, breakage: str
) -> None:
    monkeypatch.setattr(builder, "MAX_CLAIMS_PER_TRANSACTION", 10)
    segments = segments_of(build(many_claims(20)).text)
    if breakage == "se_count":
        se = next(n for n, s in enumerate(segments) if s.startswith("SE*"))
        segments[se] = "SE*3*" + segments[se].split("*")[2]
    elif breakage == "hl_gap":
        hl = [n for n, s in enumerate(segments) if s.startswith("HL*")][3]
        fields = segments[hl].split("*")
        segments[hl] = "*".join(["HL", "9", *fields[2:]])
    elif breakage == "ge_count":
        segments[-2] = "GE*7*" + segments[-2].split("*")[2]
    else:
        for n in [n for n, s in enumerate(segments) if s.startswith(("ST*", "SE*"))][2:4]:
            fields = segments[n].split("*")
            fields[2] = "0001"  # the second transaction set reuses the first one's ST02
            segments[n] = "*".join(fields)
    text = "~".join(segments) + "~"
    assert plan_parts(text, 2) is None
    issues = assert_same_as_one_walk(pool, text, 2)
    assert issues, f"pyx12 must report the {breakage}"


@pytest.mark.skipif(not CORPUS_837P.is_dir(), reason="shared corpus not present")
def test_every_corpus_837p_gates_the_same_in_parts(pool: GatePool) -> None:
    files = sorted(CORPUS_837P.iterdir())
    assert files
    for path in files:
        text = path.read_text(encoding="ascii", errors="replace")
        assert pool.validate(text, parts=2) == validate_text(text), path.name


def test_every_example_claim_file_gates_the_same_in_parts(pool: GatePool) -> None:
    for claim in claims_from(example_claim_dicts()):
        text = build([claim, *many_claims(3)]).text
        assert_same_as_one_walk(pool, text, 2)


def test_a_forked_child_gates_in_parts_after_the_parent_started_its_fork_server(pool: GatePool) -> None:
    """The daemon tests fork daemons from a process that may already run a fork server: the child
    must start its own (waiting on the parent's is a ChildProcessError), and close it before leaving."""
    text = build(many_claims(60)).text
    one_walk = pool.validate(text)  # the parent's fork server and workers are running now
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            child_pool = GatePool(workers=2)
            code = 0 if child_pool.validate(text) == one_walk else 2
            child_pool.close()
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert pool.validate(text) == one_walk  # the parent's own server is still its own
