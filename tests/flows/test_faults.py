"""Faults in operation: a transient database error is retried, a failed batch does not hold back the
others, and a run that cannot finish exits non-zero saying what to do.

The OCR is replaced by canned readings (these tests are about the run, not the reading), so each
run takes seconds; every check is a clean one that posts to its own loan.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import OperationalError

import flows.nightly
import flows.reading
from lockbox import db as lockbox_db
from lockbox.capture import Capture
from lockbox.cli import main as lockbox
from lockbox.db import Database, RetryPolicy
from lockbox.ledger import CASH
from lockbox.models import Item, LateFee, LedgerEntry, LedgerLine, Run
from tests.factories import make_loan

AS_OF = "2026-11-17"
# Three batches, oldest deposit first: the run takes them in this order.
BATCHES = {
    "dallas/2026-11-14-D01": 2,
    "richardson/2026-11-15-R01": 2,
    "dallas/2026-11-16-D02": 2,
}


def account_for(n: int) -> str:
    return f"44100{n:05d}"


@dataclass
class Mail:
    inbox: Path
    captures: dict[str, Capture]  # source_file -> what the fake reader returns

    def files_in(self, batch: str) -> list[str]:
        return sorted(f for f in self.captures if f.startswith(batch + "/"))


def clean_check(source_file: str, n: int) -> Capture:
    return Capture(
        source_file=source_file,
        routing="111000025",
        bank_account=f"90{n:08d}",
        serial=f"{1000 + n}",
        micr_confidence=0.99,
        courtesy_amount=Decimal("250.00"),
        courtesy_confidence=0.95,
        legal_amount=Decimal("250.00"),
        legal_confidence=0.95,
        check_date=date(2026, 11, 10),
        date_confidence=0.95,
        memo_account=account_for(n),
        memo_confidence=0.95,
        payer=f"Borrower {n}",
        payer_confidence=0.95,
    )


@pytest.fixture
def mail(tmp_path: Path, request: pytest.FixtureRequest) -> Mail:
    """The inbox (placeholder scans, one per item) and the reading of each.

    BATCHES by default; a test may ask for other batches with indirect parametrization.
    """
    inbox = tmp_path / "inbox"
    captures: dict[str, Capture] = {}
    n = 0
    for batch, count in getattr(request, "param", BATCHES).items():
        folder = inbox / batch
        folder.mkdir(parents=True)
        deposit = batch.split("/")[1][:10]
        (folder / "batch.json").write_text(f'{{"deposit_date": "{deposit}"}}')
        for k in range(count):
            source = f"{batch}/item-{k:04d}.tif"
            (inbox / source).write_bytes(f"scan {n}".encode())
            captures[source] = clean_check(source, n)
            n += 1
    return Mail(inbox, captures)


@pytest.fixture
def books(
    database: Database, mail: Mail, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Database:
    """A loan per check (one more installment behind, so a complete run assesses a late fee), the
    run pointed at this backend, and the OCR replaced by the canned readings."""
    with database.session() as s:
        for n in range(len(mail.captures) + 1):
            s.add(
                make_loan(
                    account_number=account_for(n),
                    borrower_name=f"Borrower {n}",
                    monthly_payment=Decimal("250.00"),
                    next_due_date=date(2026, 12, 1)
                    if n < len(mail.captures)
                    else date(2026, 11, 1),
                    principal_balance=Decimal("9000.00"),
                    annual_rate=Decimal("0.07"),
                )
            )
    monkeypatch.setenv("LOCKBOX_HOME", str(tmp_path / "home"))
    monkeypatch.setenv(
        "LOCKBOX_DATABASE_URL", database.engine.url.render_as_string(hide_password=False)
    )
    monkeypatch.setenv("LOCKBOX_OCR_WORKERS", "1")
    monkeypatch.delenv("LOCKBOX_DASK_ADDRESS", raising=False)
    monkeypatch.setattr(flows.reading, "read_one", lambda path, source: [mail.captures[source]])
    # Retries as in production, only faster.
    monkeypatch.setattr(lockbox_db, "DEFAULT_RETRY", RetryPolicy(attempts=4, first_delay=0.01))
    return database


class Recorded(logging.Handler):
    """Every log record of the run (Prefect's run loggers do not reach pytest's caplog)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


@pytest.fixture
def logged() -> Iterator[Recorded]:
    handler = Recorded()
    loggers = [logging.getLogger("prefect"), logging.getLogger("lockbox")]
    for logger in loggers:
        logger.addHandler(handler)
    yield handler
    for logger in loggers:
        logger.removeHandler(handler)


def fail_once_on(
    source_file: str, fault: Callable[[Any], None], monkeypatch: pytest.MonkeyPatch
) -> dict[str, int]:
    """Make recording `source_file` meet `fault` the first time (before anything is written)."""
    real = flows.nightly.record_item
    calls = {"faults": 0}

    def flaky(session: Any, **kw: Any) -> Item:
        if kw["capture"].source_file == source_file and calls["faults"] == 0:
            calls["faults"] += 1
            fault(session)
        return real(session, **kw)

    monkeypatch.setattr(flows.nightly, "record_item", flaky)
    return calls


def drop_connection(session: Any) -> None:
    """A transient fault as it really happens: SQLite busy, or the PostgreSQL server dropping us."""
    if session.get_bind().dialect.name != "postgresql":
        raise OperationalError(
            "INSERT INTO items ...", {}, sqlite3.OperationalError("database is locked")
        )
    pid = session.execute(text("SELECT pg_backend_pid()")).scalar_one()
    with session.get_bind().engine.connect() as other:
        other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    # record_item's first statement now fails: "terminating connection due to administrator command"


def posted_once(db: Database) -> dict[str, Decimal]:
    """Posted amount per source file, after checking each posted item has exactly one cash debit."""
    with db.session() as s:
        items = list(s.scalars(select(Item)))
        for item in items:
            if item.status == "posted":
                cash = s.scalar(
                    select(func.sum(LedgerLine.debit))
                    .join(LedgerEntry, LedgerLine.entry_id == LedgerEntry.id)
                    .where(LedgerEntry.item_id == item.id, LedgerLine.gl_account == CASH)
                )
                assert cash == item.amount, item.source_file
        return {i.source_file: i.amount for i in items if i.status == "posted"}


def run(capsys: pytest.CaptureFixture[str], inbox: Path) -> tuple[int, str]:
    capsys.readouterr()
    code = lockbox(["run", "--inbox", str(inbox), "--as-of", AS_OF])
    return code, capsys.readouterr().err


def run_completes(capsys: pytest.CaptureFixture[str], mail: Mail, books: Database) -> None:
    """Run over the whole inbox and check it finished: exit 0, and every check posted just once."""
    code, err = run(capsys, mail.inbox)
    assert code == 0, err
    assert posted_once(books) == {f: Decimal("250.00") for f in mail.captures}


def test_a_transient_database_error_while_recording_is_retried(
    books: Database,
    mail: Mail,
    logged: Recorded,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    target = mail.files_in("richardson/2026-11-15-R01")[0]
    calls = fail_once_on(target, drop_connection, monkeypatch)
    run_completes(capsys, mail, books)
    assert calls["faults"] == 1
    retried = [line for line in logged.lines if "retrying in" in line]
    assert len(retried) == 1, logged.lines
    assert target in retried[0] and "attempt 2 of 4" in retried[0]
    # nothing in the log shows a full account or routing number
    for capture in mail.captures.values():
        for number in (capture.bank_account, capture.routing, capture.memo_account):
            assert number and not any(number in line for line in logged.lines)


def test_a_failed_batch_does_not_hold_back_the_others(
    books: Database,
    mail: Mail,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    bad = mail.files_in("richardson/2026-11-15-R01")[1]

    def bug(session: Any) -> None:
        raise ValueError("an odd scan the rules cannot handle")

    fail_once_on(bad, bug, monkeypatch)
    code, err = run(capsys, mail.inbox)
    assert code != 0
    message = err.strip()
    assert len(message.splitlines()) == 1, message
    assert "1 of 3 batches could not be finished: richardson/2026-11-15-R01" in message
    assert "ValueError" in message and "run the same command again" in message
    posted = posted_once(books)
    assert set(posted) == set(mail.captures) - {bad}  # the batch after the failed one was done
    with books.session() as s:
        assert s.scalar(select(func.count()).select_from(LateFee)) == 0  # not with a batch unread
        assert s.scalars(select(Run.status).order_by(Run.id)).all() == ["failed"]

    run_completes(capsys, mail, books)  # the fault is gone: the same command finishes the work
    with books.session() as s:
        assert s.scalar(select(func.count()).select_from(LateFee)) == 1
        assert s.scalars(select(Run.status).order_by(Run.id)).all() == ["failed", "complete"]


def test_a_database_that_stays_down_stops_the_run_with_what_to_do(
    books: Database,
    mail: Mail,
    logged: Recorded,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    real = flows.nightly.record_item
    attempts = {"n": 0}

    def refused(session: Any, **kw: Any) -> Item:
        if kw["capture"].source_file.startswith("richardson/"):
            attempts["n"] += 1
            raise OperationalError(
                "SELECT ...", {}, Exception("connection failed: Connection refused")
            )
        return real(session, **kw)

    monkeypatch.setattr(flows.nightly, "record_item", refused)
    code, err = run(capsys, mail.inbox)
    assert code != 0
    message = err.strip()
    assert len(message.splitlines()) == 1, message
    assert "gave up after 4 attempts" in message
    assert "LOCKBOX_DATABASE_URL" in message and "run the same command again" in message
    assert attempts["n"] == 4  # bounded: the policy's attempts, then stop
    assert sum("retrying in" in line for line in logged.lines) == 3
    # the run stopped: the batch after the failing one was not started against a dead database
    assert set(posted_once(books)) == set(mail.files_in("dallas/2026-11-14-D01"))

    monkeypatch.setattr(flows.nightly, "record_item", real)
    run_completes(capsys, mail, books)


MANY = {
    f"{site}/2026-11-{day:02d}-{site[0].upper()}01": 100
    for day in range(3, 13)
    for site in ("dallas", "richardson")
}


@pytest.mark.slow
@pytest.mark.parametrize("mail", [MANY], indirect=True)
def test_nothing_accumulates_per_item_over_a_2000_item_run(
    books: Database,
    mail: Mail,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The run's own memory is flat from the 200th item to the 2,000th (OCR aside: see the bench)."""
    if books.is_postgres:
        pytest.skip("memory is the run's, not the backend's: SQLite is enough")
    import psutil

    me = psutil.Process()
    real = flows.nightly.record_item
    rss: dict[int, int] = {}

    def measured(session: Any, **kw: Any) -> Item:
        rss[len(rss) + 1] = me.memory_info().rss
        return real(session, **kw)

    monkeypatch.setattr(flows.nightly, "record_item", measured)
    code, err = run(capsys, mail.inbox)
    assert code == 0, err
    assert len(rss) == 2000
    growth = max(rss.values()) - rss[200]
    assert growth < 64 * 2**20, f"the run grew {growth / 2**20:.0f} MiB over 1,800 items"
