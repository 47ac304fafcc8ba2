"""The operator console: a server-rendered web app over the store's read functions and the
operator functions the CLI calls (``gateway web``)."""

from __future__ import annotations
