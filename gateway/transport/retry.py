"""Bounded retries with exponential backoff and full jitter, for temporary transport errors only.

Built on tenacity.  Only ``TemporaryTransportError`` is retried; a ``PermanentTransportError``
passes straight through on its first occurrence.  After the last attempt the last temporary
error is raised, so the caller (the daemon's next cycle) decides when to try again.
Jitter keeps several gateways behind one clearinghouse from reconnecting in lockstep.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_random_exponential,
)

from gateway.errors import TemporaryTransportError

log = logging.getLogger("gateway.transport")

T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    """``attempts`` in total (1 = no retry); waits are random in [0, min(max, base * 2**n)]."""

    attempts: int = 4
    base_delay: float = 1.0
    max_delay: float = 30.0


def run_with_retry(
    operation: Callable[[], T],
    policy: RetryPolicy,
    what: str,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Call ``operation`` until it returns, raises a non-temporary error, or attempts run out."""

    def before_sleep(state: RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome else None
        wait = state.next_action.sleep if state.next_action else 0.0
        log.warning(
            "%s: attempt %d of %d failed (%s); retrying in %.1f s",
            what,
            state.attempt_number,
            policy.attempts,
            error,
            wait,
        )

    retrying = Retrying(
        stop=stop_after_attempt(max(1, policy.attempts)),
        wait=wait_random_exponential(multiplier=policy.base_delay, max=policy.max_delay),
        retry=retry_if_exception_type(TemporaryTransportError),
        before_sleep=before_sleep,
        sleep=sleep,
        reraise=True,
    )
    return retrying(operation)
