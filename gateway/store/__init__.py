"""Persistence: SQLAlchemy 2.x tables, Alembic migrations, the repository functions.

Only this package imports SQLAlchemy, opens a session or holds a table row class
(tests/test_architecture.py checks it): every other package calls the repository functions
here, which take and return domain records (gateway.domain) or plain dataclasses of their own.
A function either runs in the caller's transaction (it takes a ``Session``; only other store
modules call those) or is one transaction (it takes the ``Store``).  SQLite is the embedded
default; PostgreSQL is the scale-out store, and every query here runs on both.
"""

from __future__ import annotations
