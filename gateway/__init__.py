"""Pain-management claims gateway: claims and prior-auth requests in, validated X12 out, statuses back."""

from __future__ import annotations

__version__ = "0.1.0"
