"""Clearinghouse profiles for tests, written flat and put into their sections.

A profile has ``connection:``, ``identity:`` and ``routing:`` sections
(gateway.transport.profiles); tests name the few keys they care about and take a test
identity (1000A submitter, 1000B receiver) for the rest.
"""

from __future__ import annotations

from typing import Any

from gateway.transport.profiles import SECTIONS

TEST_IDENTITY: dict[str, Any] = {
    "submitter_id": "CLINIC042",
    "submitter_name": "RIVERSIDE PAIN BILLING",
    "contact_name": "EDI COORDINATOR",
    "contact_phone": "5035550142",
    "receiver_name": "TEST CLEARINGHOUSE",
}


def sectioned(flat: dict[str, Any]) -> dict[str, Any]:
    """``{"host": ..., "isa_sender_id": ..., "payers": [...]}`` as a profile's three sections."""
    data: dict[str, dict[str, Any]] = {"connection": {}, "identity": dict(TEST_IDENTITY), "routing": {}}
    for key, value in flat.items():
        section = next((name for name, model in SECTIONS.items() if key in model.model_fields), None)
        if section is None:
            raise KeyError(f"{key} is in no profile section")
        data[section][key] = value
    data["identity"].setdefault("receiver_id", data["identity"].get("isa_receiver_id", "RECEIVER"))
    return data
