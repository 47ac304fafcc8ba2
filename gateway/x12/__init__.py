"""X12 syntax: delimiters, a safe segment writer, envelopes and a streaming reader.

This package turns records into bytes and bytes into records; it knows no database,
transport or payer rule.
"""

from __future__ import annotations
