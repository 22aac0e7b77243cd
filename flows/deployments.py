"""Deployments served by `lockbox serve`: the nightly run on a cron schedule, and the review flow.

`prefect.serve` runs both from this process against the Prefect server at PREFECT_API_URL; for a work
pool and `prefect worker start`, see the README's production section and prefect.yaml.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import threading
from typing import Any

from prefect.schedules import Cron

from flows.nightly import nightly_lockbox_run
from flows.review import review_exceptions
from lockbox.config import BUSINESS_TZ

DEFAULT_CRON = "0 2 * * *"  # 2 a.m. business time, after the last scanner batch of the day


def build_deployments(
    inbox: str, cron: str = DEFAULT_CRON, timezone: str | None = None
) -> list[Any]:
    """The two deployments staff see in the Prefect UI."""
    nightly = nightly_lockbox_run.to_deployment(
        name="nightly",
        schedules=[Cron(cron, timezone=timezone or str(BUSINESS_TZ))],
        parameters={"inbox": inbox},
        description="Process every new scanner batch, post payments, hold exceptions, assess late fees.",
        tags=["lockbox"],
    )
    review = review_exceptions.to_deployment(
        name="review",
        description="Work the open exceptions one form at a time (post / return / hold).",
        tags=["lockbox"],
    )
    return [nightly, review]


# Seconds serving takes at most to stop once told to: a service manager waits a few, then kills,
# and a runner that cannot reach a busy server to pause its schedules must not hold it up.
STOP_GRACE = 1.5


def serve(inbox: str, cron: str = DEFAULT_CRON, timezone: str | None = None) -> None:
    """Serve both deployments until SIGTERM or Ctrl-C, then stop within STOP_GRACE seconds.

    Prefect's runner stops gracefully on either (it cancels the flow runs it started and pauses
    the schedules through the server); whatever is still waiting on the server after STOP_GRACE
    seconds is left, and the process ends. The flow runs end with it (the guardian), and what
    they wrote is whole or not at all (transactions).
    """
    from prefect.exceptions import TerminationSignal
    from prefect.runner import Runner

    class BoundedRunner(Runner):
        def handle_sigterm(self, *args: Any, **kwargs: Any) -> None:
            _end_in(STOP_GRACE)
            super().handle_sigterm(*args, **kwargs)

    def interrupted(signum: int, frame: object) -> None:
        _end_in(STOP_GRACE)
        raise KeyboardInterrupt

    runner = BoundedRunner(pause_on_shutdown=True)
    for deployment in build_deployments(inbox, cron, timezone):
        runner.add_deployment(deployment)
    previous = signal.signal(signal.SIGINT, interrupted)
    try:
        asyncio.run(runner.start())
    except (KeyboardInterrupt, TerminationSignal):
        pass
    finally:
        signal.signal(signal.SIGINT, previous)


def _end_in(seconds: float) -> None:
    """End the process `seconds` from now, whatever it is doing then."""

    def end() -> None:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(OSError, ValueError):
                stream.flush()
        os._exit(0)

    timer = threading.Timer(seconds, end)
    timer.daemon = True
    timer.start()
