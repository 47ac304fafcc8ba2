"""Imports every table module so that ``Base.metadata`` is complete (Alembic, tests)."""

from __future__ import annotations

from gateway.store import (
    auths,
    batch_contents,
    batches,
    codesets,
    console,
    documentation,
    followup_tables,
    ledger_tables,
    schema,
)
from gateway.store.schema import Base

__all__ = [
    "Base",
    "auths",
    "batch_contents",
    "batches",
    "codesets",
    "console",
    "documentation",
    "followup_tables",
    "ledger_tables",
    "schema",
]
