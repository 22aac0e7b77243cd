"""Deployments served by `lockbox serve`: the nightly run on a cron schedule, and the review flow.

`prefect.serve` runs both from this process against the Prefect server at PREFECT_API_URL; for a work
pool and `prefect worker start`, see the README's production section and prefect.yaml.
"""

from __future__ import annotations

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


def serve(inbox: str, cron: str = DEFAULT_CRON, timezone: str | None = None) -> None:
    """Serve both deployments until interrupted (Ctrl-C)."""
    from prefect import serve as prefect_serve

    prefect_serve(*build_deployments(inbox, cron, timezone))
