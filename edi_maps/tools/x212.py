"""277 005010X212 (claim status response): pyx12's shipped draft, corrected.

pyx12 4.0.0 ships ``277.5010.X212.xml`` unregistered and broken (reference/x12_libraries.md §1):
its GS only accepts the 820's ``RA``/``005010X218``, the HL levels 2000C, 2000D and 2000E sit in
sibling "TABLE2AREA" wrappers instead of inside their parent level, each nested HL loop has the
same position as its parent's HL segment, and SE sits in a wrapper outside ST_LOOP.  So no real
277 can validate against it.

The segment and element definitions of the draft are right as far as the public sources and the
TR3 examples show, so they are kept as they are; only the tree is rebuilt:

    2000A Information Source  > 2100A
      2000B Information Receiver > 2100B, 2200B
        2000C Service Provider > 2100C, 2200C
          2000D Subscriber > 2100D, 2200D > 2220D
            2000E Dependent > 2100E, 2200E > 2220E

with each child HL loop placed after its parent's name and status loops (position 2500), and the
envelope (GS01 ``HN``, GS08 ``005010X212``, SE inside ST_LOOP) supplied by ``generate.py``.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

NESTED_HL_POS = "2500"
CHILD_LEVEL = {"2000A": "2000B", "2000B": "2000C", "2000C": "2000D", "2000D": "2000E"}
INDENT = "          "


def _loops_by_id(root: ET.Element) -> dict[str, ET.Element]:
    return {node.get("xid", ""): node for node in root.iter("loop")}


def _detach_children(loop: ET.Element) -> None:
    for child in list(loop):
        if child.tag == "loop" and child.get("xid") in CHILD_LEVEL.values():
            loop.remove(child)


def _render(element: ET.Element, level: int) -> str:
    ET.indent(element, space="  ", level=level)
    text = ET.tostring(element, encoding="unicode")
    # ET.indent leaves the closing tag's indentation to the caller; the tail is ours to set.
    return INDENT + text.rstrip() + "\n"


def transaction_body(draft: Path) -> tuple[str, str]:
    """The BHT segment and the corrected 2000A tree, as XML text for the map's wrappers."""
    root = ET.parse(draft).getroot()
    loops = _loops_by_id(root)
    levels = {xid: loops[xid] for xid in ("2000A", "2000B", "2000C", "2000D", "2000E")}
    for level in levels.values():
        _detach_children(level)
        level.tail = None
    for parent, child in CHILD_LEVEL.items():
        node = levels[child]
        pos = node.find("pos")
        assert pos is not None
        pos.text = NESTED_HL_POS
        levels[parent].append(node)
    bht = next(node for node in root.iter("segment") if node.get("xid") == "BHT")
    bht.tail = None
    return _render(bht, 5), _render(levels["2000A"], 5)
