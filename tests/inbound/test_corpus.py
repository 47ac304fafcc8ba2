"""Every 835, 277CA, 277, 999 and TA1 file of the shared corpus parses, and its numbers match
what a separate, deliberately simple reading of the raw text finds (no gateway code involved).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pytest

from gateway.inbound.document import parse_file
from gateway.inbound.records import Acknowledgment, Remittance, StatusResponse

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
KINDS = ("835", "277CA", "277", "999", "TA1")
pytestmark = pytest.mark.corpus


def corpus_files() -> list[str]:
    if not (CORPUS / "PROVENANCE.tsv").exists():
        return []
    with open(CORPUS / "PROVENANCE.tsv", newline="") as handle:
        return [
            row["local_file"] for row in csv.DictReader(handle, delimiter="\t") if row["transaction"] in KINDS
        ]


def raw_segments(path: Path) -> list[list[str]]:
    """Split by the ISA's own delimiters, found by counting (the simplest correct way)."""
    text = path.read_bytes().decode("utf-8-sig", errors="replace")
    segments: list[list[str]] = []
    while "ISA" in text:
        text = text[text.index("ISA") :]
        element = text[3]
        position = 3
        for _ in range(15):
            position = text.index(element, position + 1)
        terminator = text[position + 2]
        body, _, text = text.partition(f"{terminator}IEA")
        end = text.find(terminator)
        body += f"{terminator}IEA{text[:end]}"
        text = text[end + 1 :]
        for raw in body.split(terminator):
            raw = raw.strip("\r\n")
            if raw:
                segments.append(raw.split(element))
    return segments


def get(row: list[str], position: int) -> str:
    return row[position] if position < len(row) else ""


@dataclass
class Expected:
    claims_835: int = 0
    charge: Decimal = Decimal(0)
    paid: Decimal = Decimal(0)
    cas_triplets: int = 0
    service_lines: int = 0
    plb_pairs: int = 0
    plb_total: Decimal = Decimal(0)
    bpr: list[Decimal] = field(default_factory=list)
    stc_composites: int = 0
    claim_trn: list[str] = field(default_factory=list)
    ak2: list[str] = field(default_factory=list)
    ik5: list[str] = field(default_factory=list)
    ik3: int = 0
    ik4: int = 0
    ta1: list[str] = field(default_factory=list)


def expected_from_raw(rows: list[list[str]]) -> Expected:
    found = Expected()
    level = ""
    for row in rows:
        tag = row[0]
        if tag == "CLP":
            found.claims_835 += 1
            found.charge += Decimal(row[3])
            found.paid += Decimal(row[4])
        elif tag == "CAS":
            found.cas_triplets += sum(1 for p in range(2, 20, 3) if get(row, p))
        elif tag == "SVC" and any(r[0] == "CLP" for r in rows):
            found.service_lines += 1
        elif tag == "PLB":
            for p in range(3, 15, 2):
                if get(row, p):
                    found.plb_pairs += 1
                    found.plb_total += Decimal(row[p + 1])
        elif tag == "BPR":
            found.bpr.append(Decimal(row[2]))
        elif tag == "HL":
            level = get(row, 3)
        elif tag == "TRN" and level in ("PT", "22", "23"):
            found.claim_trn.append(row[2])
        elif tag == "STC":
            found.stc_composites += sum(1 for p in (1, 10, 11) if get(row, p))
        elif tag == "AK2":
            found.ak2.append(row[2])
        elif tag in ("IK5", "AK5"):
            found.ik5.append(row[1])
        elif tag in ("IK3", "AK3"):
            found.ik3 += 1
        elif tag in ("IK4", "AK4"):
            found.ik4 += 1
        elif tag == "TA1":
            found.ta1.append(f"{row[1]}:{row[4]}:{row[5]}")
    return found


@pytest.mark.skipif(not corpus_files(), reason="shared corpus not present")
@pytest.mark.parametrize("name", corpus_files())
def test_corpus_file_parses_and_numbers_match_the_raw_segments(name: str) -> None:
    path = CORPUS / name
    parsed = parse_file(path)
    expected = expected_from_raw(raw_segments(path))
    assert parsed.failed_transactions == []

    remits = [t.body for t in parsed.transactions if isinstance(t.body, Remittance)]
    claims = [c for r in remits for c in r.claims]
    assert len(claims) == expected.claims_835
    assert sum((c.charge for c in claims), Decimal(0)) == expected.charge
    assert sum((c.paid for c in claims), Decimal(0)) == expected.paid
    assert sum(len(c.all_adjustments()) for c in claims) == expected.cas_triplets
    assert sum(len(c.service_lines) for c in claims) == expected.service_lines
    plb = [p for r in remits for p in r.provider_adjustments]
    assert len(plb) == expected.plb_pairs
    assert sum((p.amount for p in plb), Decimal(0)) == expected.plb_total
    assert [r.payment.amount for r in remits] == expected.bpr

    statuses = [t.body for t in parsed.transactions if isinstance(t.body, StatusResponse)]
    status_claims = [c for s in statuses for c in s.claims]
    assert [c.patient_control_number for c in status_claims] == expected.claim_trn
    composites = sum(len(r.statuses) for s in statuses for lv in s.levels for r in lv.reports)
    composites += sum(len(r.statuses) for c in status_claims for r in c.reports)
    composites += sum(
        len(r.statuses) for c in status_claims for line in c.service_lines for r in line.reports
    )
    assert composites == expected.stc_composites

    acks = [a for t in parsed.transactions if isinstance(t.body, Acknowledgment) for a in t.body.transactions]
    assert [a.control_number for a in acks] == expected.ak2
    assert [a.ack_code for a in acks] == expected.ik5
    assert sum(len(a.segment_errors) for a in acks) == expected.ik3
    assert sum(len(e.element_errors) for a in acks for e in a.segment_errors) == expected.ik4

    assert [f"{t.interchange_control_number}:{t.ack_code}:{t.note_code}" for t in parsed.ta1] == expected.ta1
    json_view = parsed.to_json()
    assert set(json_view) == {"file", "transactions", "ta1", "errors"}
    assert len(json_view["transactions"]) == len(parsed.transactions) > 0


def test_the_corpus_covers_every_inbound_kind() -> None:
    if not corpus_files():
        pytest.skip("shared corpus not present")
    kinds = {name.split("/")[0] for name in corpus_files()}
    assert kinds == set(KINDS)
