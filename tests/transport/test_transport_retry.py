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


def test_waits_are_full_jitter_under_a_doubling_cap(sleeps: Sleeps) -> None:
    """Wait n (from 0) is uniform in [0, base * 2**n]: spread over the whole interval, so gateways
    that failed together do not reconnect in lockstep, and bounded by the doubling cap."""
    runs = 200
    for _ in range(runs):
        flaky = Flaky([TemporaryTransportError("x") for _ in range(3)])
        run_with_retry(flaky, RetryPolicy(attempts=4, base_delay=1, max_delay=100), "op", sleeps)
    assert len(sleeps) == 3 * runs
    by_attempt = [sleeps[n::3] for n in range(3)]
    for n, waits in enumerate(by_attempt):
        cap = 2**n
        assert all(0 <= wait <= cap for wait in waits)
        # The mean of a uniform [0, cap] is cap/2; 200 samples put it within 0.15*cap (7 sigma).
        assert abs(sum(waits) / runs - cap / 2) < 0.15 * cap
        assert max(waits) - min(waits) > cap / 2


def test_permanent_errors_are_raised_on_first_occurrence(sleeps: Sleeps) -> None:
    flaky = Flaky([PermanentTransportError("host key mismatch")])
    with pytest.raises(PermanentTransportError, match=r"^host key mismatch$"):
        run_with_retry(flaky, RetryPolicy(attempts=5), "op", sleeps)
    assert flaky.calls == 1 and sleeps == []
