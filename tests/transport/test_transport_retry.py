"""Retry policy: temporary errors retried with bounded jittered waits, permanent ones never."""

from __future__ import annotations

import pytest

from gateway.errors import PermanentTransportError, TemporaryTransportError
from gateway.transport.retry import RetryPolicy, run_with_retry
from tests.transport.transport_helpers import Sleeps


class Flaky:
    def __init__(self, failures: list[Exception]) -> None:
        self.failures, self.calls = failures, 0

    def __call__(self) -> str:
        self.calls += 1
        if self.failures:
            raise self.failures.pop(0)
        return "done"


def test_temporary_errors_are_retried_until_success(sleeps: Sleeps) -> None:
    flaky = Flaky([TemporaryTransportError("reset"), TemporaryTransportError("reset")])
    assert run_with_retry(flaky, RetryPolicy(attempts=4, base_delay=1, max_delay=5), "op", sleeps) == "done"
    assert flaky.calls == 3 and len(sleeps) == 2


def test_attempts_are_bounded_and_waits_capped(sleeps: Sleeps) -> None:
    flaky = Flaky([TemporaryTransportError(f"timeout {n}") for n in range(10)])
    with pytest.raises(TemporaryTransportError, match="timeout 4"):
        run_with_retry(flaky, RetryPolicy(attempts=5, base_delay=10, max_delay=3), "op", sleeps)
    assert flaky.calls == 5 and len(sleeps) == 4
    assert all(0 <= wait <= 3 for wait in sleeps)


def test_waits_are_jittered(sleeps: Sleeps) -> None:
    for _ in range(20):
        flaky = Flaky([TemporaryTransportError("x")])
        run_with_retry(flaky, RetryPolicy(attempts=2, base_delay=1, max_delay=1), "op", sleeps)
    assert len(set(sleeps)) > 1, "identical waits would make gateways reconnect in lockstep"


def test_permanent_errors_are_raised_on_first_occurrence(sleeps: Sleeps) -> None:
    flaky = Flaky([PermanentTransportError("host key mismatch")])
    with pytest.raises(PermanentTransportError):
        run_with_retry(flaky, RetryPolicy(attempts=5), "op", sleeps)
    assert flaky.calls == 1 and sleeps == []
