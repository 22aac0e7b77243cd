"""The nightly-lockbox-run flow: find new batches, read them, post or hold each item, assess late fees.

Thin orchestration: reading is `ocr`, deciding is `reconciliation`, money is `lockbox`.
"""

from __future__ import annotations

import errno
import fcntl
import logging
import os
import shutil
from collections.abc import Iterator
from contextlib import closing, contextmanager, suppress
from contextvars import ContextVar
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import (
    create_markdown_artifact,
    create_progress_artifact,
    create_table_artifact,
    update_progress_artifact,
)
from prefect.cache_policies import NONE
from prefect.exceptions import MissingContextError
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from flows.reading import DaskUnavailableError, FileList, Reader, open_reader, read_local
from lockbox.capture import Capture
from lockbox.config import Settings, load_settings
from lockbox.dates import business_today
from lockbox.db import Database, DatabaseError, one_line, open_database, redact_numbers
from lockbox.inbox import MULTI_ITEM_SUFFIXES, BatchDir, discover_batches, sha256_file
from lockbox.latefees import assess_late_fees
from lockbox.models import Batch, Item, LateFee, Run
from lockbox.money import ZERO
from lockbox.servicing import ServicingTerms
from reconciliation.batches import close_batch, find_batch, open_batch
from reconciliation.crops import attach_crops
from reconciliation.duplicates import FaceIndex
from reconciliation.process import LoanDirectory, Policy, load_directory, record_item
from reconciliation.summary import (
    RunSummary,
    SiteSummary,
    held_rows,
    render_markdown,
    site_rows,
    summarize,
)


class RunLockedError(RuntimeError):
    """Another lockbox run holds the lock on this LOCKBOX_HOME."""


class ArchiveError(RuntimeError):
    """The original scans could not be copied to LOCKBOX_HOME/archive (disk full, permissions)."""


class BatchesFailedError(RuntimeError):
    """Some batches could not be finished; the others were processed. The message says what to do."""


# Faults of the machine itself: every other batch would hit them too, so they stop the run.
_MACHINE_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EIO, errno.ENOMEM}


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
    """Keep a copy of every original scan under LOCKBOX_HOME for the audit trail, before any of the
    batch is recorded.

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
    batch = session.scalar(select(Batch).where(Batch.site == found.site, Batch.name == found.name))
    if batch is None:
        return []
    hashes = dict(
        session.execute(
            select(Item.source_file, Item.file_sha256).where(Item.batch_id == batch.id)
        ).all()
    )
    late = [found.relative(p) for p in found.files if found.relative(p) not in hashes]
    replaced = [
        found.relative(p)
        for p in found.files
        if hashes.get(found.relative(p))
        and _changed_since(p, batch.completed_at)
        and sha256_file(p) != hashes[found.relative(p)]
    ]
    out = []
    for what, names in (("added", late), ("replaced", replaced)):
        if names:
            shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
            out.append(
                f"{len(names)} file(s) {what} after the batch was processed are NOT processed:"
                f" {shown}; move them into a new batch folder and run again"
            )
    return out


def _changed_since(path: Path, when: datetime | None) -> bool:
    """Whether the file was written or renamed into place after `when` (None: cannot tell, so
    yes): only those are hashed again, so a quiet inbox costs a stat per file."""
    try:
        info = path.stat()
    except OSError:
        return False
    if when is None:
        return True
    stamp = when if when.tzinfo else when.replace(tzinfo=UTC)
    return max(info.st_mtime, info.st_ctime) > stamp.timestamp()


def files_to_read(found: BatchDir, recorded: set[str]) -> list[Path]:
    """The batch's files still to read: all of them, less single-item files a killed run recorded.

    A PDF or an image cash letter is read again even when some of its items were recorded (its
    others may not be); recording skips the items already there.
    """
    return [
        path
        for path in found.files
        if found.relative(path) not in recorded or path.suffix.lower() in MULTI_ITEM_SUFFIXES
    ]


_RUN_TOOLS: ContextVar[tuple[Database, Reader]] = ContextVar("lockbox_run_tools")


@contextmanager
def run_tools(db: Database, read: Reader = read_local) -> Iterator[None]:
    """Make the run's database and reader available to the batch tasks it calls."""
    token = _RUN_TOOLS.set((db, read))
    try:
        yield
    finally:
        _RUN_TOOLS.reset(token)


def current_run_tools() -> tuple[Database, Reader]:
    """The database and reader `run_tools` set for this run.

    A module-level function and not the ContextVar itself in the task's body: Dask pickles the
    batch task's function by value (with the globals it names) into the context of every OCR task
    run it sends, and a ContextVar cannot be pickled.
    """
    return _RUN_TOOLS.get()


def stops_the_run(exc: BaseException) -> bool:
    """Whether a batch's failure must stop the run instead of letting the other batches go on.

    A database that stays unreachable after the retries, a Dask cluster that is gone, or a full or
    failing disk would fail every batch after this one too; anything else (a bug on one odd file, a
    folder that cannot be read) is this batch's alone, and must not hold back the others.
    """
    if isinstance(exc, DatabaseError | DaskUnavailableError):
        return True
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, OSError) and cause.errno in _MACHINE_ERRNOS:
            return True
        cause = cause.__cause__
    return False


def _open(
    db: Database, found: BatchDir, run_id: int, business_date: date
) -> tuple[int, list[Path]] | None:
    """Open (or resume) the batch; its id and the files still to read, or None when it was done."""

    def work(session: Session) -> tuple[int, list[Path]] | None:
        batch = open_batch(session, found, run_id=run_id, business_date=business_date)
        if batch is None:
            return None
        return batch.id, files_to_read(found, _recorded_files(session, batch.id))

    return db.transaction(work, what=f"opening batch {found.site}/{found.name}", log=_logger())


def _record(
    db: Database,
    batch_id: int,
    capture: Capture,
    *,
    directory: LoanDirectory,
    faces: FaceIndex,
    business_date: date,
    policy: Policy,
    home: Path,
) -> tuple[str, str | None]:
    """Record one item in its own transaction, retried on transient database errors.

    The item, its check fingerprint and its ledger entry are committed together or not at all, so a
    kill never leaves an item without its entry; a retry after a commit whose outcome was lost finds
    the item already recorded and posts nothing twice.
    """

    def work(session: Session) -> tuple[str, str | None]:
        batch = session.get_one(Batch, batch_id)
        item = record_item(
            session,
            batch=batch,
            capture=capture,
            directory=directory,
            business_date=business_date,
            received_date=batch.deposit_date or business_date,
            policy=policy,
            faces=faces,
        )
        attach_crops(home, item, capture.snippets)  # the images of what a clerk must look at
        return item.status, item.exception_code

    what = f"recording {capture.source_file} page {capture.page}"
    return db.transaction(work, what=what, log=_logger())


@task(name="process-batch", task_run_name="process {found.site}/{found.name}", cache_policy=NONE)
def process_batch(
    found: BatchDir, *, settings: Settings, run_id: int, business_date: date
) -> int | None:
    """Read and record one batch; returns the batch id, or None when it was done before.

    The database and the reader come from the run (`run_tools`), not as parameters: a task run's
    parameters travel with every OCR task run it sends to Dask, and an engine cannot travel.
    """
    db, read = current_run_tools()
    log = _logger()
    opened = _open(db, found, run_id, business_date)
    if opened is None:
        log.info("batch %s/%s was processed before; skipped", found.site, found.name)
        return None
    batch_id, todo = opened
    if len(todo) < len(found.files):
        log.info(
            "batch %s/%s: resuming, %d of %d files left",
            found.site,
            found.name,
            len(todo),
            len(found.files),
        )
    archive_batch(found, settings, todo)
    directory = db.transaction(load_directory, what="loading the loan book", log=log)
    faces = db.transaction(FaceIndex.load, what="loading the check faces seen before", log=log)
    policy = Policy(stale_days=settings.stale_days, fees=ServicingTerms.of(settings))
    posted = held = 0
    label = f"{found.site}/{found.name}"
    # closing(): when recording fails part-way, the reading of the rest stops at once (not when
    # the failed task's traceback is collected).
    with closing(read([(path, found.relative(path)) for path in todo], label)) as readings:
        for captures in readings:
            for capture in captures:
                status, code = _record(
                    db,
                    batch_id,
                    capture,
                    directory=directory,
                    faces=faces,
                    business_date=business_date,
                    policy=policy,
                    home=settings.home,
                )
                if status == "posted":
                    posted += 1
                else:
                    held += 1
                    log.info(
                        "%s page %s: held for review (%s)", capture.source_file, capture.page, code
                    )
    recorded = db.transaction(
        lambda session: _recorded_files(session, batch_id), what="listing recorded files", log=log
    )
    for path, reason in found.refused:  # never read: held, named, so nothing is lost silently
        name = found.relative(path) + ("/" if path == found.path else "")
        if name in recorded:
            continue
        _record(
            db,
            batch_id,
            Capture(source_file=name, unreadable_reason=f"{name}: {reason}"),
            directory=directory,
            faces=faces,
            business_date=business_date,
            policy=policy,
            home=settings.home,
        )
        held += 1
        log.warning("batch %s: %s not read: %s", label, name, reason)
    problems = db.transaction(
        lambda session: close_batch(session, session.get_one(Batch, batch_id)),
        what=f"closing batch {label}",
        log=log,
    )
    for p in problems:
        log.warning("batch %s: %s", label, p)
    log.info("batch %s: %d posted, %d held for review", label, posted, held)
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
            with db.exclusive(on_wait=log.warning), open_reader(settings.dask_address) as read:
                summary, failed, total = _run(db, settings, Path(inbox), business_date, read)
        finally:
            db.engine.dispose()
    from ocr.snippets import thumbnail  # OpenCV, loaded only once there is an artifact to make

    with suppress(
        MissingContextError
    ):  # called as a plain function (.fn) there is no run to attach to
        create_markdown_artifact(
            key="lockbox-run-summary",
            markdown=render_markdown(summary, shrink=thumbnail),
            description=f"Lockbox run summary for {business_date}",
        )
        create_table_artifact(
            key="lockbox-run-sites",
            table=site_rows(summary),
            description=f"Per site: items, postings and exceptions for {business_date}",
        )
        if summary.held:
            create_table_artifact(
                key="lockbox-run-exceptions",
                table=held_rows(summary),
                description="Held for review, with the images of the fields in doubt",
            )
    if failed:
        raise BatchesFailedError(failure_message(failed, total))
    log.info(
        "run complete: %d items, %d posted, %d held for review",
        summary.items,
        summary.posted,
        summary.exceptions,
    )
    return summary.to_json()


def failure_message(failed: list[tuple[str, str]], total: int) -> str:
    """One line for the operator: which batches did not finish, why, and what to do about it."""
    shown = "; ".join(f"{name} ({reason})" for name, reason in failed[:3])
    more = f"; and {len(failed) - 3} more" if len(failed) > 3 else ""
    return (
        f"{len(failed)} of {total} batches could not be finished: {shown}{more}. The other batches"
        " were processed; late fees wait for a run that finishes every batch. Fix the cause (the"
        " run's log has the details) and run the same command again: a failed batch resumes where"
        " it stopped and nothing is posted twice"
    )


def _progress(artifact: Any, done: int, total: int, last: str = "") -> Any:
    """A progress artifact staff watch in the Prefect UI: batches done out of the batches found."""
    percent = 100.0 * done / total if total else 100.0
    text = f"{done} of {total} batches" + (f" (last: {last})" if last else "")
    with suppress(MissingContextError):
        if artifact is None:
            return create_progress_artifact(percent, key="lockbox-run-progress", description=text)
        update_progress_artifact(artifact, percent, description=text)
    return artifact


def _planned_files(db: Database, found: list[BatchDir]) -> FileList:
    """Every file the run will read, in the order the batches will ask for them: batches done
    before are left out, and so are the files a killed run recorded (`files_to_read`)."""
    planned: FileList = []
    with db.session() as session:
        for batch_dir in found:
            batch = find_batch(session, batch_dir)
            if batch is not None and batch.status == "complete":
                continue
            recorded = _recorded_files(session, batch.id) if batch is not None else set()
            todo = files_to_read(batch_dir, recorded)
            planned += [(path, batch_dir.relative(path)) for path in todo]
    return planned


def _last_late_fee(db: Database) -> int:
    """The newest late fee's id before the run: the run's own fees come after it."""
    with db.session() as session:
        return session.scalar(select(func.max(LateFee.id))) or 0


def _start_run(db: Database, inbox: Path, business_date: date) -> int:
    """Record the run; a run still marked running was killed (we hold the run lock)."""
    with db.session() as session:
        session.execute(update(Run).where(Run.status == "running").values(status="interrupted"))
        run = Run(business_date=business_date, inbox=str(inbox), status="running")
        session.add(run)
        session.flush()
        return run.id


def _batch_id(db: Database, found: BatchDir) -> int | None:
    """The id of a batch a failed attempt opened (its recorded items belong in the summary)."""
    with db.session() as session:
        batch = find_batch(session, found)
        return batch.id if batch is not None else None


def _run(
    db: Database, settings: Settings, inbox: Path, business_date: date, read: Reader
) -> tuple[RunSummary, list[tuple[str, str]], int]:
    """Every batch in turn (a failed one does not stop the others), then late fees and the summary.

    Returns the summary, the batches that failed as (site/name, reason), and how many were found.
    """
    found = discover_batches(inbox)
    run_id = _start_run(db, inbox, business_date)
    fees_before = _last_late_fee(db)
    read.read_ahead(_planned_files(db, found))
    batch_ids: list[int] = []
    skipped = 0
    warnings: list[tuple[str, str]] = []
    failed: list[tuple[str, str]] = []
    progress = _progress(None, 0, len(found))
    for done, batch_dir in enumerate(found, start=1):
        name = f"{batch_dir.site}/{batch_dir.name}"
        try:
            with run_tools(db, read):
                batch_id = process_batch(
                    batch_dir, settings=settings, run_id=run_id, business_date=business_date
                )
        except Exception as exc:
            if stops_the_run(exc):
                raise
            reason = redact_numbers(f"{type(exc).__name__}: {one_line(exc)}")
            _logger().error("batch %s could not be finished (%s); going on", name, reason)
            failed.append((name, reason))
            warnings.append((batch_dir.site, f"{batch_dir.name}: NOT finished ({reason})"))
            batch_id = _batch_id(db, batch_dir)
            if batch_id is not None:
                batch_ids.append(batch_id)
            progress = _progress(progress, done, len(found), f"{name} (failed)")
            continue
        progress = _progress(progress, done, len(found), name)
        if batch_id is None:
            skipped += 1
            with db.session() as session:
                for warning in late_file_warnings(session, batch_dir):
                    _logger().warning("batch %s: %s", name, warning)
                    warnings.append((batch_dir.site, f"{batch_dir.name}: {warning}"))
        else:
            batch_ids.append(batch_id)
    if not failed:
        _assess_late_fees(db, settings, business_date)
    with db.session() as session:
        summary = summarize(session, batch_ids, business_date.isoformat())
        summary.skipped_batches = skipped
        for site, warning in warnings:
            summary.sites.setdefault(site, SiteSummary(site)).warnings.append(warning)
        # every fee the run charged: the nightly pass's, and those charged as payments posted
        # (an installment already late on the day its payment came)
        fees = session.scalars(select(LateFee.amount).where(LateFee.id > fees_before)).all()
        summary.late_fees = len(fees)
        summary.late_fee_amount = sum(fees, ZERO)
        run = session.get_one(Run, run_id)
        run.status = "failed" if failed else "complete"
        run.finished_at = datetime.now(UTC)
        run.summary = summary.to_json()
    return summary, failed, len(found)


def _assess_late_fees(db: Database, settings: Settings, business_date: date) -> list[Any]:
    """The day's late fees, once every batch is in (a payment still unread must not be charged)."""
    with db.session() as session:
        return list(
            assess_late_fees(
                session,
                business_date=business_date,
                percent=settings.late_fee_percent,
                cap=settings.late_fee_cap,
                grace_days=settings.grace_days,
            )
        )
