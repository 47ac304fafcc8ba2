"""What kind of X12 file is this?  (GS01/GS08/ST01 and, for 278, BHT02.)"""

from __future__ import annotations

from dataclasses import dataclass

from gateway.x12.reader import read_segments

_KINDS = {
    ("HC", "005010X222A1"): "837P",
    ("HC", "005010X223A2"): "837I",
    ("HP", "005010X221A1"): "835",
    ("HN", "005010X214"): "277CA",
    ("HN", "005010X212"): "277",
    ("FA", "005010X231A1"): "999",
    ("FA", "005010X231"): "999",
    ("HI", "005010X217"): "278",
}


@dataclass(frozen=True)
class FileKind:
    kind: str  # 837P, 835, 277CA, 277, 999, 278, TA1, unknown
    functional_id: str = ""
    implementation: str = ""
    text_before_isa: bool = False


def sniff(text: str) -> FileKind:
    """Kind of the first functional group (or TA1 when the interchange only acknowledges)."""
    start = text.find("ISA")
    before = bool(text[:start].strip()) if start > 0 else False
    saw_ta1 = False
    for segment in read_segments(text.encode("utf-8")):
        if segment.id == "TA1":
            saw_ta1 = True
        elif segment.id == "GS":
            functional_id, implementation = segment[1], segment[8]
            kind = _KINDS.get((functional_id, implementation), "unknown")
            if kind == "unknown" and implementation.startswith("005010X222"):
                kind = "837P"
            return FileKind(kind, functional_id, implementation, before)
        elif segment.id == "IEA":
            break
    return FileKind("TA1" if saw_ta1 else "unknown", text_before_isa=before)
