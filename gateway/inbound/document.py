"""``parse_file``: one inbound file into complete transactions, TA1s and findings.

The file is read in chunks (``parse_file``), never whole; the records of its transactions are
kept (the CLI and the ledger need them all).  The streaming layer underneath (``iter_events``)
is what keeps memory flat for big files and is what the benchmark measures.  Items of a
transaction are held until its SE and dropped with it when it fails, so a transaction is
either complete or absent, never half there.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gateway.errors import ParseError, X12SyntaxError
from gateway.inbound.base import Item
from gateway.inbound.envelope import TransactionDone, TransactionFailed, iter_events
from gateway.inbound.records import (
    Acknowledgment,
    ClaimStatus,
    Finding,
    InterchangeHeader,
    RemitClaim,
    Remittance,
    StatusResponse,
    Ta1Ack,
    Transaction,
    TransactionAck,
)
from gateway.x12.reader import Segment, read_segments

# The inbound cap's default (gateway.pipeline.inbound): a larger file is never read.
DEFAULT_MAX_INBOUND_BYTES = 64 * 1024 * 1024


@dataclass
class ParsedFile:
    path: str
    sha256: str
    size: int
    interchanges: list[InterchangeHeader] = field(default_factory=list)
    transactions: list[Transaction] = field(default_factory=list)
    ta1: list[Ta1Ack] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def kind(self) -> str:
        """What to call the file in ``x12_files.kind``: its first transaction type, or TA1."""
        if self.transactions:
            return self.transactions[0].type
        return "TA1" if self.ta1 else "empty"

    @property
    def failed_transactions(self) -> list[Finding]:
        return [f for f in self.findings if f.kind == "transaction"]

    def to_json(self) -> dict[str, Any]:
        from gateway.inbound.json_view import parsed_file_json

        return parsed_file_json(self)


def parse_bytes(data: bytes, name: str) -> ParsedFile:
    """Parse ``data`` (a whole file held by the caller); ``name`` is used in messages only."""
    parsed = ParsedFile(path=name, sha256=hashlib.sha256(data).hexdigest(), size=len(data))
    return _parse(read_segments(data), parsed)


def parse_file(path: Path | str, *, sha256: str | None = None) -> ParsedFile:
    """Parse the file at ``path`` in 64 KiB chunks (never held whole in memory).

    ``sha256`` is the digest the caller already has (the ingest computes it once, or the
    transport while landing the file); without it the file is hashed here, streaming too.
    """
    try:
        size = os.stat(path).st_size
        if sha256 is None:
            with open(path, "rb") as handle:
                sha256 = hashlib.file_digest(handle, "sha256").hexdigest()
        return _parse(read_segments(Path(path)), ParsedFile(path=str(path), sha256=sha256, size=size))
    except OSError as error:
        raise ParseError(f"{path}: cannot read: {error.strerror or error}") from None


def _parse(segments: Iterator[Segment], parsed: ParsedFile) -> ParsedFile:
    name = parsed.path
    pending: list[object] = []
    try:
        for event in iter_events(segments):
            if isinstance(event, Item):
                pending.append(event.record)
            elif isinstance(event, TransactionDone):
                parsed.transactions.append(_complete(event, pending))
                pending = []
            elif isinstance(event, TransactionFailed):
                parsed.findings.append(event.finding)
                pending = []
            elif isinstance(event, Finding):
                parsed.findings.append(event)
            elif isinstance(event, Ta1Ack):
                parsed.ta1.append(event)
            elif isinstance(event, InterchangeHeader):
                parsed.interchanges.append(event)
    except X12SyntaxError as error:
        raise ParseError(f"{name}: {error}") from None
    if not parsed.transactions and not parsed.ta1:
        what = "; ".join(f.message for f in parsed.failed_transactions[:1]) or "no transaction set or TA1"
        raise ParseError(f"{name}: nothing readable in the file: {what}")
    return parsed


def _complete(done: TransactionDone, items: list[object]) -> Transaction:
    body = done.body
    if isinstance(body, Remittance):
        claims = tuple(i for i in items if isinstance(i, RemitClaim))
        body = dataclasses.replace(body, claims=claims)
    elif isinstance(body, StatusResponse):
        statuses = tuple(i for i in items if isinstance(i, ClaimStatus))
        body = dataclasses.replace(body, claims=statuses)
    elif isinstance(body, Acknowledgment):
        acks = tuple(i for i in items if isinstance(i, TransactionAck))
        body = dataclasses.replace(body, transactions=acks)
    return Transaction(envelope=done.envelope, type=done.type, body=body)  # type: ignore[arg-type]
