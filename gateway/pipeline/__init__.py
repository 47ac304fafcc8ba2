"""The one place that sequences steps: the outbound path (outbound.py: screen -> batch -> build ->
gate -> spool -> record -> send), the daemon's cycles (cycles.py), the 278 request path
(auth_requests.py), and the post-835 follow-ups (corrections.py, secondary.py)."""

from __future__ import annotations
