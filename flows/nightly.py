"""The nightly-lockbox-run flow: find new batches, read them, post or hold each item, assess late fees.

Thin orchestration: reading is `ocr`, deciding is `reconciliation`, money is `lockbox`.
"""

from __future__ import annotations

import fcntl
import logging
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import (
    create_markdown_artifact,
    create_progress_artifact,
    update_progress_artifact,
)
from prefect.cache_policies import NONE
from prefect.exceptions import MissingContextError
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from flows.reading import iter_read_files
from lockbox.config import Settings, load_settings
from lockbox.dates import business_today
from lockbox.db import Database, open_database
from lockbox.inbox import PDF_SUFFIXES, BatchDir, discover_batches
from lockbox.latefees import assess_late_fees
from lockbox.models import Batch, Item, Run
from lockbox.money import ZERO
from reconciliation.batches import close_batch, open_batch
from reconciliation.process import Policy, load_directory, record_item
from reconciliation.summary import RunSummary, SiteSummary, render_markdown, summarize


class RunLockedError(RuntimeError):
    """Another lockbox run holds the lock on this LOCKBOX_HOME."""


class ArchiveError(RuntimeError):
    """The original scans could not be copied to LOCKBOX_HOME/archive (disk full, permissions)."""


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


def archive_batch(found: BatchDir, settings: Settings, files: list[Path]) -> None:
    """Keep a copy of every original scan under LOCKBOX_HOME for the audit trail, before reading it.

    Each copy is written under a temporary name and renamed, so a kill or a full disk part-way never
    leaves a half-written file that a later run would take for the archived original. Raises
    ArchiveError (the run stops; nothing of this batch is recorded yet, so the next run redoes it).
    """
    dest_root = settings.archive_dir / found.site / found.name
    for path in files:
        dest = dest_root / path.relative_to(found.path)
        if dest.exists():
            continue
        partial = dest.with_name(dest.name + ".partial")
        try:
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, partial)
            os.replace(partial, dest)
        except FileNotFoundError as exc:
            if path.exists():
                raise ArchiveError(
                    _archive_message(found, path, dest_root, "archive folder missing")
                ) from exc
            continue  # the scan vanished from the inbox: reading it makes an UNREADABLE_FILE item
        except OSError as exc:
            with suppress(OSError):
                partial.unlink()
            raise ArchiveError(
                _archive_message(found, path, dest_root, exc.strerror or str(exc))
            ) from exc


def _archive_message(found: BatchDir, path: Path, dest_root: Path, reason: str) -> str:
    return (
        f"could not copy {found.relative(path)} to the archive {dest_root} ({reason}); free disk"
        " space or fix permissions under LOCKBOX_HOME, then run the same command again (items"
        " already recorded are kept, the rest of the batch is done then)"
    )


def _recorded_files(session: Session, batch_id: int) -> set[str]:
    return set(session.scalars(select(Item.source_file).where(Item.batch_id == batch_id)))


def late_file_warnings(session: Session, found: BatchDir) -> list[str]:
    """Files put into a batch folder after the batch was processed: never read, so say so.

    A processed batch is not reopened (its deposit was reconciled against its ticket); the scanner
    operator moves late files into a new batch folder, where a copy of a check already seen is
    caught as a duplicate.
    """
    batch_id = session.scalar(
        select(Batch.id).where(Batch.site == found.site, Batch.name == found.name)
    )
    if batch_id is None:
        return []
    recorded = _recorded_files(session, batch_id)
    late = [found.relative(p) for p in found.files if found.relative(p) not in recorded]
    if not late:
        return []
    shown = ", ".join(late[:5]) + (f" and {len(late) - 5} more" if len(late) > 5 else "")
    return [
        f"{len(late)} file(s) added after the batch was processed are NOT processed: {shown};"
        " move them into a new batch folder and run again"
    ]


def files_to_read(found: BatchDir, recorded: set[str]) -> list[Path]:
    """The batch's files still to read: all of them, less single-item files a killed run recorded.

    A PDF is read again even when some of its pages were recorded (its other pages may not be);
    recording skips the pages already there.
    """
    return [
        path
        for path in found.files
        if found.relative(path) not in recorded or path.suffix.lower() in PDF_SUFFIXES
    ]


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
        todo = files_to_read(found, _recorded_files(session, batch_id))
    if len(todo) < len(found.files):
        log.info(
            "batch %s/%s: resuming, %d of %d files left",
            found.site,
            found.name,
            len(todo),
            len(found.files),
        )
    archive_batch(found, settings, todo)
    with db.session() as session:
        directory = load_directory(session)
    policy = Policy(stale_days=settings.stale_days)
    posted = held = 0
    for captures in iter_read_files([(path, found.relative(path)) for path in todo]):
        for capture in captures:
            # One transaction per item: the item, its check fingerprint and its ledger entry are
            # committed together or not at all, so a kill never leaves an item without its entry.
            with db.session() as session:
                batch = session.get_one(Batch, batch_id)
                item = record_item(
                    session,
                    batch=batch,
                    capture=capture,
                    directory=directory,
                    business_date=business_date,
                    received_date=batch.deposit_date or business_date,
                    policy=policy,
                )
                status, code = item.status, item.exception_code
            if status == "posted":
                posted += 1
            else:
                held += 1
                log.info(
                    "%s page %s: held for review (%s)", capture.source_file, capture.page, code
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
    # The lock file first, so two runs started together never upgrade the schema at the same time.
    with run_lock(settings.home):
        db = open_database(settings.database_url)
        try:
            with db.exclusive():
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


def _progress(artifact: Any, done: int, total: int, last: str = "") -> Any:
    """A progress artifact staff watch in the Prefect UI: batches done out of the batches found."""
    percent = 100.0 * done / total if total else 100.0
    text = f"{done} of {total} batches" + (f" (last: {last})" if last else "")
    with suppress(MissingContextError):
        if artifact is None:
            return create_progress_artifact(percent, key="lockbox-run-progress", description=text)
        update_progress_artifact(artifact, percent, description=text)
    return artifact


def _run(db: Database, settings: Settings, inbox: Path, business_date: date) -> RunSummary:
    found = discover_batches(inbox)
    with db.session() as session:
        # We hold the run lock: a run still marked running was killed (its batches resume below).
        session.execute(update(Run).where(Run.status == "running").values(status="interrupted"))
        run = Run(business_date=business_date, inbox=str(inbox), status="running")
        session.add(run)
        session.flush()
        run_id = run.id
    batch_ids: list[int] = []
    skipped = 0
    late: list[tuple[str, str]] = []
    progress = _progress(None, 0, len(found))
    for done, batch_dir in enumerate(found, start=1):
        batch_id = process_batch(
            batch_dir, db=db, settings=settings, run_id=run_id, business_date=business_date
        )
        progress = _progress(progress, done, len(found), f"{batch_dir.site}/{batch_dir.name}")
        if batch_id is None:
            skipped += 1
            with db.session() as session:
                for warning in late_file_warnings(session, batch_dir):
                    _logger().warning("batch %s/%s: %s", batch_dir.site, batch_dir.name, warning)
                    late.append((batch_dir.site, f"{batch_dir.name}: {warning}"))
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
        for site, warning in late:
            summary.sites.setdefault(site, SiteSummary(site)).warnings.append(warning)
        summary.late_fees = len(fees)
        summary.late_fee_amount = sum((f.amount for f in fees), ZERO)
        run = session.get_one(Run, run_id)
        run.status = "complete"
        run.finished_at = datetime.now(UTC)
        run.summary = summary.to_json()
    return summary
