"""``gateway parse FILE --json`` written as the file is read: memory flat in the file's size.

The document is the one ``json_view.parsed_file_json`` describes, with the same keys and values:
``{"file", "transactions": [...], "ta1": [...], "errors": [...]}``.  The file is read from disk
in chunks, and each transaction is written as soon as its SE is read, then dropped; only the
current transaction (a transaction is written whole or not at all, as in ``parse_file``), the
TA1s and the findings are held.  Compact by default (no spaces, the fast C encoder); ``pretty``
writes exactly the bytes of ``json.dumps(document, indent=2)``.

Nothing is written before the first transaction or TA1 is complete, so a file with nothing
readable gives the same ``ParseError`` (and no output) as ``parse_file``.  A file that turns
unreadable after that (cut off before its IEA) cannot take back what was written: the document is
closed with what was read, so the output stays valid JSON, and the ``ParseError`` follows.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from gateway.errors import ParseError, X12SyntaxError
from gateway.inbound.base import Item
from gateway.inbound.document import ParsedFile, _complete
from gateway.inbound.envelope import TransactionDone, TransactionFailed, iter_events
from gateway.inbound.json_view import parsed_file_json, transaction_json
from gateway.inbound.records import Finding, Ta1Ack
from gateway.x12.reader import read_segments

_compact = json.JSONEncoder(separators=(",", ":")).encode


def _pretty(value: Any, depth: int) -> str:
    """``value`` as ``json.dumps(..., indent=2)`` writes it ``depth`` levels down."""
    return json.dumps(value, indent=2).replace("\n", "\n" + "  " * depth)


class _Document:
    """Writes the document's pieces in order; ``open`` happens at most once."""

    def __init__(self, out: TextIO, name: str, pretty: bool) -> None:
        self.out, self.name, self.pretty = out, name, pretty
        self.opened = False
        self.transactions = 0

    def open(self) -> None:
        if not self.opened:
            self.opened = True
            head = '{\n  "file": %s,\n  "transactions": [' if self.pretty else '{"file":%s,"transactions":['
            self.out.write(head % json.dumps(self.name))

    def transaction(self, data: dict[str, Any]) -> None:
        self.open()
        if self.pretty:
            self.out.write(("\n    " if not self.transactions else ",\n    ") + _pretty(data, 2))
        else:
            self.out.write(("," if self.transactions else "") + _compact(data))
        self.transactions += 1

    def close(self, ta1: list[Any], errors: list[Any]) -> None:
        self.open()
        if self.pretty:
            end = "\n  ]" if self.transactions else "]"
            self.out.write(f'{end},\n  "ta1": {_pretty(ta1, 1)},\n  "errors": {_pretty(errors, 1)}\n}}\n')
        else:
            self.out.write(f'],"ta1":{_compact(ta1)},"errors":{_compact(errors)}}}\n')


def write_parse_json(path: Path, out: TextIO, *, pretty: bool = False) -> list[Finding]:
    """Stream ``path``'s JSON document to ``out``; returns the failed-transaction findings.

    Raises ``ParseError`` when the file cannot be read or holds nothing readable.
    """
    name = str(path)
    document = _Document(out, name, pretty)
    ta1: list[Ta1Ack] = []
    findings: list[Finding] = []
    pending: list[object] = []
    on_event: dict[type, Callable[[Any], None]] = {
        Ta1Ack: ta1.append,
        Finding: findings.append,
    }
    try:
        for event in iter_events(read_segments(path)):
            kind = type(event)
            if kind is Item:
                pending.append(event.record)  # type: ignore[attr-defined]
            elif kind is TransactionDone:
                document.transaction(transaction_json(_complete(event, pending)))  # type: ignore[arg-type]
                pending = []
            elif kind is TransactionFailed:
                findings.append(event.finding)  # type: ignore[attr-defined]
                pending = []
            elif kind in on_event:
                on_event[kind](event)
    except X12SyntaxError as error:
        if document.opened:
            _close(document, name, ta1, findings)
        raise ParseError(f"{name}: {error}") from None
    except OSError as error:
        raise ParseError(f"{name}: cannot read: {error.strerror or error}") from None
    if not document.opened and not ta1:
        failed = [f for f in findings if f.kind == "transaction"]
        what = "; ".join(f.message for f in failed[:1]) or "no transaction set or TA1"
        raise ParseError(f"{name}: nothing readable in the file: {what}")
    _close(document, name, ta1, findings)
    return [f for f in findings if f.kind == "transaction"]


def _close(document: _Document, name: str, ta1: list[Ta1Ack], findings: list[Finding]) -> None:
    rest = parsed_file_json(ParsedFile(path=name, sha256="", size=0, ta1=ta1, findings=findings))
    document.close(rest["ta1"], rest["errors"])
