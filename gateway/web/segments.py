"""The 837P segments of one claim, cut from the file it went out in (for the Claim page).

A claim's segments are its billing provider's HL (2000A) loop header, its subscriber's (2000B)
and patient's (2000C) loops up to the first CLM, and its own CLM loop (2300 with its 2400
lines) up to the next CLM, HL or SE.  Other claims of the same subscriber are left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from gateway.errors import X12Error
from gateway.x12.reader import Segment, read_segments

_HEADER_END = ("HL", "CLM", "SE")


@dataclass(frozen=True)
class ClaimSegments:
    found: bool
    lines: list[tuple[int, str]]  # (segment number in the file, text)
    note: str = ""


def _text(segment: Segment) -> str:
    return segment.delimiters.element.join(segment.elements) + segment.delimiters.segment


def claim_segments(path: Path, transaction_control_number: str, pcn: str) -> ClaimSegments:
    try:
        segments = list(read_segments(path))
    except FileNotFoundError:
        return ClaimSegments(False, [], f"the file is no longer at {path}")
    except (OSError, X12Error) as error:
        return ClaimSegments(False, [], f"cannot read {path}: {type(error).__name__}")
    in_transaction = False
    loops: dict[str, list[Segment]] = {}  # HL level code -> that loop's segments before any CLM
    level = ""
    claim: list[Segment] = []
    for segment in segments:
        if segment.id == "ST":
            in_transaction = segment[2] == transaction_control_number
            loops, level, claim = {}, "", []
            continue
        if not in_transaction:
            continue
        if claim and segment.id in _HEADER_END:
            break
        if segment.id == "HL":
            level = segment[3]
            loops[level] = [segment]
            for lower in [code for code in loops if code > level]:
                del loops[lower]
        elif segment.id == "CLM":
            if segment[1] == pcn:
                claim = [segment]
            level = "CLM"
        elif claim:
            claim.append(segment)
        elif level in loops:
            loops[level].append(segment)
    if not claim:
        return ClaimSegments(
            False, [], f"claim not found in transaction {transaction_control_number} of {path}"
        )
    picked = [s for code in sorted(loops) for s in loops[code]] + claim
    return ClaimSegments(True, [(s.index, _text(s)) for s in picked])
