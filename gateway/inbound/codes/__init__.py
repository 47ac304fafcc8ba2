"""Human text for the codes inbound files carry (CARC, RARC, claim status, acks).

``describe_*`` never fails: an unlisted code reads "CARC 999 (not in our list)" so that a new
code from a payer shows up as itself rather than breaking a timeline.  For 507, 508 and RARC
codes we have no words for, pyx12's shipped code lists (codes.xml: claim_status_cat,
claim_status, remark_code) tell a valid code from a mistyped or retired one.
"""

from __future__ import annotations

from functools import lru_cache

from gateway.inbound.codes.acks import ACK, ELEMENT_ERROR, ENTITY, SEGMENT_ERROR, TA1_NOTE
from gateway.inbound.codes.carc import CARC, CLAIM_STATUS, GROUPS, PROVIDER_ADJUSTMENT
from gateway.inbound.codes.claim_status import CATEGORY, STATUS
from gateway.inbound.codes.rarc import RARC

__all__ = [
    "describe_ack",
    "describe_carc",
    "describe_claim_status",
    "describe_element_error",
    "describe_entity",
    "describe_group",
    "describe_provider_adjustment",
    "describe_rarc",
    "describe_segment_error",
    "describe_status",
    "describe_status_category",
    "describe_ta1_note",
    "is_known",
]


def _describe(table: dict[str, str], name: str, code: str) -> str:
    text = table.get(code)
    return text if text is not None else f"{name} {code} (not in our list)"


def describe_carc(code: str) -> str:
    return _describe(CARC, "CARC", code)


def describe_rarc(code: str) -> str:
    return RARC.get(code) or _listed_or_not("rarc", "RARC", code, "411")


def describe_group(code: str) -> str:
    return _describe(GROUPS, "group", code)


def describe_claim_status(code: str) -> str:
    """CLP02 of an 835."""
    return _describe(CLAIM_STATUS, "CLP02", code)


def describe_provider_adjustment(code: str) -> str:
    return _describe(PROVIDER_ADJUSTMENT, "PLB reason", code)


def describe_status_category(code: str) -> str:
    return CATEGORY.get(code) or _listed_or_not("category", "category", code, "507")


def describe_status(code: str) -> str:
    return STATUS.get(code) or _listed_or_not("status", "status", code, "508")


def _listed_or_not(kind: str, name: str, code: str, source: str) -> str:
    """For codes we have no words for, say at least whether the code list has them."""
    if is_known(kind, code):
        return f"{name} {code} (code source {source}; see x12.org/codes)"
    return f"{name} {code} (not in code source {source} as shipped with pyx12)"


def describe_entity(code: str) -> str:
    return _describe(ENTITY, "entity", code) if code else ""


def describe_ack(code: str) -> str:
    return _describe(ACK, "ack code", code)


def describe_ta1_note(code: str) -> str:
    return _describe(TA1_NOTE, "TA1 note", code)


def describe_segment_error(code: str) -> str:
    return _describe(SEGMENT_ERROR, "segment error", code)


def describe_element_error(code: str) -> str:
    return _describe(ELEMENT_ERROR, "element error", code)


# pyx12 code-set ids for the lists it ships.
PYX12_SETS = {"category": "claim_status_cat", "status": "claim_status", "rarc": "remark_code"}


@lru_cache(maxsize=1)
def _pyx12_codes() -> object:
    import pyx12.codes

    return pyx12.codes.ExternalCodes()


def is_known(kind: str, code: str) -> bool:
    """Whether pyx12's code list ``kind`` ("category", "status", "rarc") has ``code``."""
    codes = _pyx12_codes()
    return bool(codes.isValid(PYX12_SETS[kind], code))  # type: ignore[attr-defined]
