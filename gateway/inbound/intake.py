"""Ingest one inbound file: parse, record in the ledger once, or quarantine it.

The sequence for a file that landed in ``inbound/``:

1. hash its bytes; content already in the ledger is a no-op (idempotent re-delivery);
2. parse it; a file that is not X12 at all, is empty, or is cut off before its IEA cannot be
   trusted, so it is moved to ``inbound/quarantine/`` next to a ``.reason`` file (both 0600)
   and a ``ParseError`` names it;
3. record the transactions, TA1s and findings (``gateway.store.ledger``).  A file with some
   unreadable transactions is still recorded: the rest is good, and the findings say what was
   skipped.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from gateway.domain.auth_response import AuthResponse
from gateway.errors import ParseError
from gateway.inbound.document import ParsedFile, parse_bytes
from gateway.store import ledger
from gateway.store.auths import apply_responses
from gateway.store.db import Store

log = logging.getLogger(__name__)

QUARANTINE = "quarantine"
PRIVATE = 0o600


@dataclass(frozen=True)
class IngestOutcome:
    path: str
    sha256: str
    file_id: int
    duplicate: bool
    parsed: ParsedFile | None  # None for a duplicate (not parsed again)
    events: int
    matched_claims: int
    unmatched: int

    def describe(self) -> str:
        if self.duplicate:
            return f"{self.path}: already recorded (inbound file #{self.file_id}), nothing changed"
        assert self.parsed is not None
        failed = len(self.parsed.failed_transactions)
        balancing = sum(1 for f in self.parsed.findings if f.kind == "balancing")
        extra = "".join(
            [
                f", {failed} transactions skipped" if failed else "",
                f", {balancing} balancing findings" if balancing else "",
            ]
        )
        return (
            f"{self.path}: {self.parsed.kind}, {len(self.parsed.transactions)} transactions, "
            f"{self.events} events ({self.matched_claims} for known claims, {self.unmatched} unmatched){extra}"
        )


def ingest_file(store: Store, path: Path, quarantine_dir: Path) -> IngestOutcome:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ParseError(f"{path}: cannot read: {error.strerror or error}") from None
    sha256 = hashlib.sha256(data).hexdigest()
    existing = ledger.find_inbound_file(store, sha256)
    if existing is not None:
        return IngestOutcome(str(path), sha256, existing, True, None, 0, 0, 0)
    try:
        parsed = parse_bytes(data, str(path))
    except ParseError as error:
        moved = quarantine(path, quarantine_dir, sha256, str(error))
        ledger.record_quarantine(store, str(path), str(moved), sha256, str(error))
        raise ParseError(f"{error} (quarantined as {moved})") from None
    result = ledger.record_inbound(store, parsed)
    if not result.duplicate and any(t.type == "278" for t in parsed.transactions):
        # A 278 response decides an authorization on file; an approval sends the claims held
        # for it back to screening (gateway.store.auths.requeue_held_for_auth).
        apply_responses(store, [t.body for t in parsed.transactions if isinstance(t.body, AuthResponse)])
    parsed_or_none = None if result.duplicate else parsed
    return IngestOutcome(
        str(path),
        sha256,
        result.file_id,
        result.duplicate,
        parsed_or_none,
        result.events,
        result.matched_claims,
        result.unmatched,
    )


def quarantine(path: Path, quarantine_dir: Path, sha256: str, reason: str) -> Path:
    """Move ``path`` into ``quarantine_dir`` (0600) with ``<name>.reason`` beside it."""
    quarantine_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    target = quarantine_dir / path.name
    if target.exists():
        target = quarantine_dir / f"{sha256[:12]}-{path.name}"
    shutil.move(str(path), target)
    os.chmod(target, PRIVATE)
    note = target.with_name(target.name + ".reason")
    stamp = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    descriptor = os.open(note, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE)
    with os.fdopen(descriptor, "w") as out:
        out.write(f"file: {path}\nsha256: {sha256}\nquarantined: {stamp}\nreason: {reason}\n")
    os.chmod(note, PRIVATE)
    return target
