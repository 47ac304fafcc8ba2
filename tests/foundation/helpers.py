"""Small helpers for the foundation tests: build example claims, run pyx12 independently."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyx12.errors
import pyx12.params
import pyx12.x12n_document

from gateway.domain.claim import Claim
from gateway.rules import load_rule_book
from gateway.x12.build_837p import BuiltFile, build_837p
from gateway.x12.envelope import ControlNumbers, SubmitterIdentity, TradingPartners

# 1000A/1000B of the test files, as a clearinghouse profile's identity: would give them.
SUBMITTER = SubmitterIdentity(
    submitter_id="PAINCLINIC", submitter_name="RIVERSIDE PAIN BILLING", contact_name="EDI COORDINATOR",
    receiver_name="TEST CLEARINGHOUSE", receiver_id="CLEARINGHOUSE", contact_phone="5035550142",
)  # fmt: skip
# The shipped payer rule packs (what Settings.payer_configs names by default).
BOOK = load_rule_book(Path(__file__).resolve().parents[2] / "payer_configs")
PARTNERS = TradingPartners("PAINCLINIC", "CLEARINGHOUSE", identity=SUBMITTER)
WHEN = dt.datetime(2026, 11, 28, 9, 30)


def build(claims: Sequence[Claim], control: ControlNumbers | None = None) -> BuiltFile:
    return build_837p(claims, PARTNERS, control or ControlNumbers(1, 1, 1), WHEN)


def claims_from(dicts: Sequence[dict[str, Any]]) -> list[Claim]:
    return [Claim.model_validate(item) for item in dicts]


def pyx12_independent(text: str) -> tuple[bool, list[Any]]:
    """pyx12's own entry point, untouched: the independent oracle."""
    ack, errors = io.StringIO(), io.StringIO()
    try:
        ok = pyx12.x12n_document.x12n_document(
            pyx12.params.params(), io.StringIO(text), ack, None, None, fd_json=errors
        )
    except pyx12.errors.EngineError as error:  # e.g. no map for GS08: not valid either
        return False, [str(error)]
    return bool(ok), json.loads(errors.getvalue() or "[]")
