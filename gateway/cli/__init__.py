"""The operator CLI: a thin leaf over the package.  Nothing imports it."""

from __future__ import annotations
