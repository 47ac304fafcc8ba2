"""Inbound X12: TA1, 999/997, 277CA/277 and 835 into records, findings and JSON.

Pure parsers (no database, no file moves) over ``gateway.x12.reader``; ``intake`` is the one
module here that touches the spool and the ledger.
"""

from __future__ import annotations
