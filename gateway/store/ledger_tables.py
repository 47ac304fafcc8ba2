"""The tables the inbound ledger adds: which claim an inbound event is about, and which 835
payments are already recorded.

``events.claim_id`` points at our own ``claims`` row, but an 835 or 277CA often names claims we
never sent through the gateway (history from before it, another route, a wrong PCN).  Those
events still belong on the timeline of their patient control number, so every claim-level
inbound event gets one row here, matched or not; it is also what ``gateway claims show PCN``
and ``gateway denials`` query instead of searching JSON text.
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from gateway.store.schema import Base


class ClaimRefRow(Base):
    __tablename__ = "ledger_claim_refs"

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), primary_key=True)
    patient_control_number: Mapped[str] = mapped_column(String(38), index=True)
    payer_claim_control_number: Mapped[str | None] = mapped_column(String(50), nullable=True, index=True)
    # The transaction type that produced the event (835, 277CA, 277, 999, TA1): denials filter on it.
    source: Mapped[str] = mapped_column(String(10), index=True)
    claim_id: Mapped[int | None] = mapped_column(Integer, nullable=True)


class ResponseKeyRow(Base):
    """A 999/997 acknowledgment or 277CA/277 claim status already recorded, by meaning.

    The key is the item's ``response_key`` with the sender and the transactions or claim of
    ours it was matched to, so the same answer re-sent in a new interchange is a duplicate
    event, while the same words about another claim (a corrected claim under the same PCN)
    are recorded as usual.
    """

    __tablename__ = "ledger_response_keys"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("x12_files.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))


class PaymentKeyRow(Base):
    """An 835 claim payment already recorded, by meaning (``gateway.domain.ledger.PaymentKey``).

    The same remittance re-sent in a new interchange (new ISA13/GS06, same payer, trace,
    amount, date and claims) finds its key here and is recorded as a duplicate event that
    changes nothing.
    """

    __tablename__ = "ledger_payment_keys"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 of the claim payment
    transaction_key: Mapped[str] = mapped_column(String(64), index=True)  # sha256 of the 835 payment
    file_id: Mapped[int] = mapped_column(ForeignKey("x12_files.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
