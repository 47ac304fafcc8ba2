"""Domain objects: claims, prior-auth requests, clinical evidence and code shapes. No I/O here."""

from __future__ import annotations
