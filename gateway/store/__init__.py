"""Persistence: SQLAlchemy 2.x tables, Alembic migrations, the repository functions.

Only this package imports SQLAlchemy.  SQLite is the embedded default; PostgreSQL is the
scale-out store, and every query here runs on both.
"""

from __future__ import annotations
