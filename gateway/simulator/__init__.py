"""A clearinghouse and payer in one process, for the demo and the end-to-end tests.

It plays the other side of a clearinghouse connection: it picks up the 837P and 278 files the
gateway uploads and answers in the response folder the way a clearinghouse and a payer do:

* a TA1 when the interchange envelope is broken (nothing else is answered then),
* a 999 005010X231A1 from pyx12's findings (accepted, partially accepted or rejected),
* a 277CA 005010X214 per accepted 837P transaction, a status per claim,
* a 278 005010X217 response per accepted request (certified, pended, denied),
* and on a later cycle an 835 005010X221A1 that pays, adjusts or denies.

What it decides is set by a small policy (``policy``); everything it remembers between cycles
(control numbers, claims waiting for their 835, pended reviews) is in one state file.

Boundary: the pipeline never imports this package; only the CLI and the tests do.
"""

from __future__ import annotations
