"""Control numbers (ISA13, GS06, ST02) allocated from the database.

Each allocation is its own committed transaction that only ever increases the counter, so a
number is never handed out twice per sender/receiver pair, even if the process dies right
after taking it (a crash leaves a gap, never a reuse).  The UPDATE takes a row lock on
PostgreSQL and the database write lock on SQLite, so concurrent daemons serialise here.
"""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from gateway.errors import StoreError
from gateway.store.db import Store
from gateway.store.schema import ControlCounterRow


class ControlKind(StrEnum):
    INTERCHANGE = "ISA"  # ISA13, 9 digits
    GROUP = "GS"  # GS06, 1-9 digits
    TRANSACTION = "ST"  # ST02, 4-9 characters

    @property
    def maximum(self) -> int:
        return 999_999_999


def allocate(store: Store, sender_id: str, receiver_id: str, kind: ControlKind, count: int = 1) -> range:
    """Reserve ``count`` consecutive numbers and return them; committed before returning."""
    if count < 1:
        raise ValueError("count must be at least 1")
    key = (
        (ControlCounterRow.sender_id == sender_id)
        & (ControlCounterRow.receiver_id == receiver_id)
        & (ControlCounterRow.kind == kind.value)
    )
    for _attempt in range(3):
        try:
            with store.session() as session:
                last = session.execute(
                    update(ControlCounterRow)
                    .where(key)
                    .values(last_value=ControlCounterRow.last_value + count)
                    .returning(ControlCounterRow.last_value)
                ).scalar_one_or_none()
                if last is None:
                    session.execute(
                        insert(ControlCounterRow).values(
                            sender_id=sender_id, receiver_id=receiver_id, kind=kind.value, last_value=count
                        )
                    )
                    last = count
                if last > kind.maximum:
                    raise StoreError(
                        f"{kind.value} control numbers for {sender_id}->{receiver_id} are exhausted"
                    )
            return range(last - count + 1, last + 1)
        except IntegrityError:
            # Two first allocations raced on the INSERT; the loser retries as an UPDATE.
            continue
    raise StoreError(f"could not allocate a {kind.value} control number for {sender_id}->{receiver_id}")


def last_allocated(store: Store, sender_id: str, receiver_id: str, kind: ControlKind) -> int:
    with store.session() as session:
        value = session.execute(
            select(ControlCounterRow.last_value).where(
                (ControlCounterRow.sender_id == sender_id)
                & (ControlCounterRow.receiver_id == receiver_id)
                & (ControlCounterRow.kind == kind.value)
            )
        ).scalar_one_or_none()
    return value or 0
