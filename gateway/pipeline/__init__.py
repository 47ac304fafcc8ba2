"""The one place that sequences the cycles: rules -> build -> gate -> spool (-> send)."""

from __future__ import annotations
