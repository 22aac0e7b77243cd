"""The nightly-lockbox-run flow: find new batches, read them, post or hold each item, assess late fees.

Thin orchestration: reading is `ocr`, deciding is `reconciliation`, money is `lockbox`.
"""

from __future__ import annotations

import fcntl
import logging
import shutil
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NONE
from prefect.exceptions import MissingContextError

from flows.reading import read_files
from lockbox.config import Settings, load_settings
from lockbox.dates import business_today
from lockbox.db import Database, open_database
from lockbox.inbox import BatchDir, discover_batches
from lockbox.latefees import assess_late_fees
from lockbox.models import Batch, Run
from lockbox.money import ZERO
from reconciliation.batches import close_batch, open_batch
from reconciliation.process import Policy, load_directory, record_item
from reconciliation.summary import RunSummary, render_markdown, summarize


class RunLockedError(RuntimeError):
    """Another lockbox run holds the lock on this LOCKBOX_HOME."""


def _logger() -> logging.Logger | logging.LoggerAdapter[logging.Logger]:
    try:
        return get_run_logger()
    except MissingContextError:
        return logging.getLogger("lockbox.flow")


@contextmanager
def run_lock(home: Path, wait: bool = True) -> Iterator[None]:
    """One run at a time per LOCKBOX_HOME: a second run waits for the first to finish."""
    home.mkdir(parents=True, exist_ok=True)
    with (home / "run.lock").open("w") as handle:
        flags = fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB)
        try:
            fcntl.flock(handle, flags)
        except BlockingIOError as exc:
            raise RunLockedError(
                f"another lockbox run is using {home}; wait for it to finish and run again"
            ) from exc
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def archive_batch(found: BatchDir, settings: Settings) -> None:
    """Keep a copy of every original scan under LOCKBOX_HOME for the audit trail."""
    dest_root = settings.archive_dir / found.site / found.name
    for path in found.files:
        dest = dest_root / path.relative_to(found.path)
        if not dest.exists():
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, dest)


@task(name="process-batch", task_run_name="process {found.site}/{found.name}", cache_policy=NONE)
def process_batch(
    found: BatchDir, *, db: Database, settings: Settings, run_id: int, business_date: date
) -> int | None:
    """Read and record one batch; returns the batch id, or None when it was done before."""
    log = _logger()
    with db.session() as session:
        batch = open_batch(session, found, run_id=run_id, business_date=business_date)
        if batch is None:
            log.info("batch %s/%s was processed before; skipped", found.site, found.name)
            return None
        batch_id = batch.id
    archive_batch(found, settings)
    files = [(path, found.relative(path)) for path in found.files]
    captures = read_files(files)
    with db.session() as session:
        directory = load_directory(session)
    posted = held = 0
    for capture in captures:
        with db.session() as session:
            batch = session.get_one(Batch, batch_id)
            item = record_item(
                session,
                batch=batch,
                capture=capture,
                directory=directory,
                business_date=business_date,
                received_date=batch.deposit_date or business_date,
                policy=Policy(stale_days=settings.stale_days),
            )
            if item.status == "posted":
                posted += 1
            else:
                held += 1
                log.info(
                    "%s page %s: held for review (%s)",
                    capture.source_file,
                    capture.page,
                    item.exception_code,
                )
    with db.session() as session:
        batch = session.get_one(Batch, batch_id)
        problems = close_batch(session, batch)
    for p in problems:
        log.warning("batch %s/%s: %s", found.site, found.name, p)
    log.info("batch %s/%s: %d posted, %d held for review", found.site, found.name, posted, held)
    return batch_id


@flow(name="nightly-lockbox-run", log_prints=True)
def nightly_lockbox_run(inbox: str, as_of: str | None = None) -> dict[str, Any]:
    """Process every batch under INBOX not processed before, then assess late fees for the day."""
    settings = load_settings()
    business_date = date.fromisoformat(as_of) if as_of else business_today()
    log = _logger()
    db = open_database(settings.database_url)
    try:
        with run_lock(settings.home), db.exclusive():
            summary = _run(db, settings, Path(inbox), business_date)
    finally:
        db.engine.dispose()
    with suppress(
        MissingContextError
    ):  # called as a plain function (.fn) there is no run to attach to
        create_markdown_artifact(
            key="lockbox-run-summary",
            markdown=render_markdown(summary),
            description=f"Lockbox run summary for {business_date}",
        )
    log.info(
        "run complete: %d items, %d posted, %d held for review",
        summary.items,
        summary.posted,
        summary.exceptions,
    )
    return summary.to_json()


def _run(db: Database, settings: Settings, inbox: Path, business_date: date) -> RunSummary:
    found = discover_batches(inbox)
    with db.session() as session:
        run = Run(business_date=business_date, inbox=str(inbox), status="running")
        session.add(run)
        session.flush()
        run_id = run.id
    batch_ids: list[int] = []
    skipped = 0
    for batch_dir in found:
        batch_id = process_batch(
            batch_dir, db=db, settings=settings, run_id=run_id, business_date=business_date
        )
        if batch_id is None:
            skipped += 1
        else:
            batch_ids.append(batch_id)
    with db.session() as session:
        fees = assess_late_fees(
            session,
            business_date=business_date,
            percent=settings.late_fee_percent,
            cap=settings.late_fee_cap,
            grace_days=settings.grace_days,
        )
    with db.session() as session:
        summary = summarize(session, batch_ids, business_date.isoformat())
        summary.skipped_batches = skipped
        summary.late_fees = len(fees)
        summary.late_fee_amount = sum((f.amount for f in fees), ZERO)
        run = session.get_one(Run, run_id)
        run.status = "complete"
        run.finished_at = datetime.now(UTC)
        run.summary = summary.to_json()
    return summary
