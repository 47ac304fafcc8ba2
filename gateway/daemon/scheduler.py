"""APScheduler 3.x behind one function; the only module of the gateway that imports it.

APScheduler 4 is a pre-release (its README says not for production), so 3.x it is.  Jobs run
one at a time on a single worker thread: the cycles share one database connection pool and one
connection per clearinghouse, and a slow cycle simply delays the next (``coalesce``: missed runs
collapse into one, never a burst).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger


@dataclass(frozen=True)
class Job:
    name: str
    interval_seconds: float
    run: Callable[[], None]


def run_jobs(jobs: Sequence[Job], stop: threading.Event) -> None:
    """Run ``jobs`` on their intervals (each once at start) until ``stop`` is set, then drain."""
    # "skipped: maximum number of running instances reached" is normal back-pressure here.
    logging.getLogger("apscheduler").setLevel(logging.ERROR)
    scheduler = BackgroundScheduler(
        executors={"default": ThreadPoolExecutor(max_workers=1)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
    )
    now = dt.datetime.now().astimezone()
    for job in jobs:
        scheduler.add_job(
            job.run,
            IntervalTrigger(seconds=job.interval_seconds),
            id=job.name,
            name=job.name,
            next_run_time=now,
        )
    scheduler.start()
    try:
        stop.wait()
    finally:
        # wait=True: the step in hand finishes; queued runs see ``stop`` and return at once.
        scheduler.shutdown(wait=True)
