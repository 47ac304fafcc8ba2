"""Inbound files into the status ledger: the one place that sequences it.

For each response a clearinghouse holds (``receive``) or a file an operator names
(``ingest_file``, ``gateway ingest``):

1. fetch: the transport lands the file in ``inbound/`` (temp file, fsync, rename, 0600) and
   hashes it while doing so; a response larger than the inbound cap is not fetched;
2. hash once: the landing's SHA-256 is used as is (``gateway ingest`` hashes the file once,
   streaming); a file larger than the cap is quarantined without being read;
3. dedupe: content already in the ledger is a no-op (idempotent re-delivery);
4. parse (pure, ``gateway.inbound``): read in chunks, never whole; a file that is not X12, is
   empty, or is cut off before or inside its IEA is moved to ``inbound/quarantine/`` with a
   ``.reason`` file (both 0600) and a ``ParseError`` names it;
5. ledger entries (pure, ``gateway.inbound.ledger_entries``);
6. record (``gateway.store.ledger``): one transaction; 835 payments already recorded from
   another file (same payer, trace, amount, date and claims) become duplicate events;
7. apply 278 responses to the authorizations on file (``gateway.store.auths``), which
   requeues the claims an approval unblocks;
8. ack: only now is the response removed from the server (or archived), so a crash anywhere
   before fetches it again rather than losing it.

The inbound cap (``daemon.max_inbound_bytes`` in the config file, ``gateway ingest
--max-bytes``; 64 MiB by default) bounds what one file may cost: a file above it is never read.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

from gateway.domain.auth_response import AuthResponse
from gateway.errors import ParseError
from gateway.inbound.document import DEFAULT_MAX_INBOUND_BYTES, ParsedFile, parse_file
from gateway.inbound.ledger_entries import ledger_file
from gateway.store import ledger
from gateway.store.auths import apply_responses
from gateway.store.db import Store
from gateway.transport import RemoteFile, Transport

QUARANTINE = "quarantine"
PRIVATE = 0o600
CAP_SETTING = "daemon.max_inbound_bytes"


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
    duplicate_payments: int = 0
    resent_answers: int = 0

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
                f", {self.duplicate_payments} payments already recorded (re-sent)"
                if self.duplicate_payments
                else "",
                f", {self.resent_answers} acknowledgments or claim statuses already recorded (re-sent)"
                if self.resent_answers
                else "",
            ]
        )
        return (
            f"{self.path}: {self.parsed.kind}, {len(self.parsed.transactions)} transactions, "
            f"{self.events} events ({self.matched_claims} for known claims, {self.unmatched} unmatched){extra}"
        )


def digest(path: Path) -> str:
    """SHA-256 of a file, read in chunks."""
    try:
        with path.open("rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError as error:
        raise ParseError(f"{path}: cannot read: {error.strerror or error}") from None


def ingest_file(
    store: Store,
    path: Path,
    quarantine_dir: Path,
    *,
    sha256: str | None = None,
    max_bytes: int = DEFAULT_MAX_INBOUND_BYTES,
) -> IngestOutcome:
    """Hash once, dedupe, parse, record, apply 278 responses (steps 2-7 of the module doc)."""
    try:
        size = path.stat().st_size
    except OSError as error:
        raise ParseError(f"{path}: cannot read: {error.strerror or error}") from None
    if size > max_bytes:
        reason = f"{path}: {size} bytes is above the inbound cap of {max_bytes} bytes ({CAP_SETTING})"
        _quarantine(store, path, quarantine_dir, sha256 or "", reason)
    sha256 = sha256 or digest(path)
    existing = ledger.find_inbound_file(store, sha256)
    if existing is not None:
        return IngestOutcome(str(path), sha256, existing, True, None, 0, 0, 0)
    try:
        parsed = parse_file(path, sha256=sha256)
    except ParseError as error:
        _quarantine(store, path, quarantine_dir, sha256, str(error))
    result = ledger.record_inbound(store, ledger_file(parsed))
    if not result.duplicate:
        # A 278 response decides an authorization on file; an approval sends the claims held
        # for it back to screening (gateway.store.auths.requeue_held_for_auth).
        responses = [t.body for t in parsed.transactions if isinstance(t.body, AuthResponse)]
        if responses:
            apply_responses(store, responses)
    return IngestOutcome(
        str(path),
        sha256,
        result.file_id,
        result.duplicate,
        None if result.duplicate else parsed,
        result.events,
        result.matched_claims,
        result.unmatched,
        result.duplicate_payments,
        result.resent_answers,
    )


def _quarantine(store: Store, path: Path, quarantine_dir: Path, sha256: str, reason: str) -> NoReturn:
    """Move the file aside, record it, and raise the ``ParseError`` that names both."""
    moved = quarantine(path, quarantine_dir, sha256, reason)
    ledger.record_quarantine(store, str(path), str(moved), sha256, reason)
    raise ParseError(f"{reason} (quarantined as {moved})")


def quarantine(path: Path, quarantine_dir: Path, sha256: str, reason: str) -> Path:
    """Move ``path`` into ``quarantine_dir`` (0600) with ``<name>.reason`` beside it."""
    quarantine_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    target = quarantine_dir / path.name
    if target.exists():
        target = quarantine_dir / f"{(sha256 or digest(path))[:12]}-{path.name}"
    shutil.move(str(path), target)
    os.chmod(target, PRIVATE)
    note = target.with_name(target.name + ".reason")
    stamp = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    descriptor = os.open(note, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE)
    with os.fdopen(descriptor, "w") as out:
        out.write(f"file: {path}\nsha256: {sha256 or '(not read)'}\nquarantined: {stamp}\nreason: {reason}\n")
    os.chmod(note, PRIVATE)
    return target


@dataclass(frozen=True)
class Received:
    """What became of one response: recorded, duplicate, quarantined or too_large."""

    outcome: str
    problem: str | None = None  # one line for the health report, naming the file
    duplicate_payments: int = 0
    resent_answers: int = 0


def receive(
    store: Store,
    transport: Transport,
    remote: RemoteFile,
    inbound_dir: Path,
    *,
    max_bytes: int = DEFAULT_MAX_INBOUND_BYTES,
) -> Received:
    """Fetch one response, ingest it, then acknowledge it on the server (steps 1-8)."""
    if remote.size > max_bytes:
        # Not fetched and not acknowledged: it stays on the server for the operator.
        return Received(
            "too_large",
            f"{transport.name}: response {remote.name} is {remote.size} bytes, above the inbound cap "
            f"of {max_bytes} bytes ({CAP_SETTING}); left on the server",
        )
    landed = transport.fetch(remote, inbound_dir)
    try:
        outcome = ingest_file(
            store, landed.local_path, inbound_dir / QUARANTINE, sha256=landed.sha256, max_bytes=max_bytes
        )
        received = Received(
            "duplicate" if outcome.duplicate else "recorded",
            None,
            outcome.duplicate_payments,
            outcome.resent_answers,
        )
    except ParseError as error:
        received = Received("quarantined", f"{transport.name}: {error}")
    transport.ack(remote)  # only after the ledger has it (or quarantine does)
    return received
