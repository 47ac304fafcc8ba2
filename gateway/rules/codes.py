"""Code selectors: ``"64483"``, ``"64490-64495"``, ``"@esi"`` (a group) or ``"*"`` (every code)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

ALL = "*"
_RANGE = re.compile(r"^([0-9A-Z]*?)([0-9]+)([A-Z]?)-([0-9A-Z]*?)([0-9]+)([A-Z]?)$")


def expand(selector: Iterable[str], groups: Mapping[str, frozenset[str]]) -> frozenset[str]:
    """The plain codes a selector names; ``ALL`` stays as the single member ``"*"``.

    Raises ValueError naming the bad item (unknown group, malformed or reversed range).
    """
    out: set[str] = set()
    for item in selector:
        item = item.strip().upper()
        if item == ALL:
            out.add(ALL)
        elif item.startswith("@"):
            name = item[1:].lower()
            if name not in groups:
                raise ValueError(f"unknown code group '@{name}' (groups come from procedures.yaml)")
            out |= groups[name]
        elif "-" in item:
            out |= _range(item)
        else:
            out.add(item)
    return frozenset(out)


def _range(item: str) -> set[str]:
    match = _RANGE.fullmatch(item)
    if match is None:
        raise ValueError(f"malformed code range '{item}'")
    prefix, low, suffix, prefix2, high, suffix2 = match.groups()
    if (prefix, suffix, len(low)) != (prefix2, suffix2, len(high)) or int(low) > int(high):
        raise ValueError(f"code range '{item}' must have matching shape and low <= high")
    width = len(low)
    return {f"{prefix}{n:0{width}d}{suffix}" for n in range(int(low), int(high) + 1)}


def matches(codes: frozenset[str], code: str) -> bool:
    return code in codes or ALL in codes
