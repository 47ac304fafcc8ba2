"""Shared fixtures: a migrated SQLite store, the real PostgreSQL in a private schema, examples."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from gateway.store.db import Store

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples" / "claims"
CORPUS = REPO.parent / "shared" / "corpus"
POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@pytest.fixture(autouse=True)
def _keep_umask() -> Iterator[None]:
    """The gateway's CLI sets umask 077 for its process; in-process CLI tests must not leak it."""
    umask = os.umask(0o022)
    os.umask(umask)
    yield
    os.umask(umask)


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[Store]:
    store = Store.open(f"sqlite:///{tmp_path / 'gateway.db'}")
    yield store
    store.close()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh schema on the machine's real PostgreSQL, dropped afterwards."""
    schema = f"gw_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as error:  # noqa: BLE001 - turn any connection problem into a clear failure
        pytest.fail(f"PostgreSQL at {POSTGRES_URL} is not usable (run bash .ci/services.sh): {error}")
    try:
        yield f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def postgres_store(postgres_url: str) -> Iterator[Store]:
    store = Store.open(postgres_url)
    yield store
    store.close()


@pytest.fixture(params=["sqlite", "postgres"])
def any_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """The same test on the embedded default and on the scale-out store."""
    if request.param == "sqlite":
        store = Store.open(f"sqlite:///{tmp_path / 'gateway.db'}")
        yield store
        store.close()
    else:
        yield request.getfixturevalue("postgres_store")


def example_claim_dicts() -> list[dict[str, Any]]:
    claims: list[dict[str, Any]] = []
    for path in sorted(EXAMPLES.glob("*.json")):
        claims.extend(json.loads(path.read_text())["claims"])
    return claims


@pytest.fixture
def example_claims() -> list[dict[str, Any]]:
    return example_claim_dicts()
