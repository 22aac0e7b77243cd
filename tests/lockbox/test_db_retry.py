"""Retrying a unit of work on transient database errors: what is retried, how often, what is logged."""

from __future__ import annotations

import logging
import sqlite3
import threading
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from lockbox.db import (
    Database,
    DatabaseUnavailableError,
    RetryPolicy,
    redact_numbers,
    transient_reason,
)
from lockbox.models import Loan
from tests.factories import make_loan

FAST = RetryPolicy(attempts=3, first_delay=0.0)


class DriverError(Exception):
    """Stands in for a DBAPI exception carrying a SQLSTATE, as psycopg's do."""

    def __init__(self, message: str, sqlstate: str | None):
        super().__init__(message)
        self.sqlstate = sqlstate


def wrapped(message: str, sqlstate: str | None = None) -> OperationalError:
    return OperationalError("UPDATE loans ...", {}, DriverError(message, sqlstate))


def add_loan(session: Session, account: str = "4410023981") -> None:
    session.add(
        make_loan(
            account_number=account,
            monthly_payment=Decimal("250.00"),
            principal_balance=Decimal("9000.00"),
            annual_rate=Decimal("0.07"),
        )
    )


def loans(db: Database) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(Loan)) or 0


def test_long_numbers_are_masked_to_their_last_four_digits() -> None:
    assert (
        redact_numbers("Key (account)=(4410023981) routing 111000025 page 12 of 2026")
        == "Key (account)=(******3981) routing *****0025 page 12 of 2026"
    )


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (wrapped("could not serialize access due to concurrent update", "40001"), "serialization"),
        (wrapped("deadlock detected", "40P01"), "deadlock"),
        (wrapped("terminating connection due to administrator command", "57P01"), "shut down"),
        (wrapped("connection to server was lost", "08006"), "connection"),
        (wrapped("connection failed: Connection refused"), "connection"),
        (OperationalError("INSERT", {}, sqlite3.OperationalError("database is locked")), "busy"),
    ],
)
def test_transient_errors_are_recognised(error: Exception, reason: str) -> None:
    assert reason in (transient_reason(error) or "")


@pytest.mark.parametrize(
    "error",
    [
        wrapped("disk full", "53100"),
        wrapped("canceling statement due to statement timeout", "57014"),
        OperationalError("SELECT", {}, sqlite3.OperationalError("no such table: items")),
        IntegrityError("INSERT", {}, DriverError("duplicate key", "23505")),
        ValueError("not a database error"),
    ],
)
def test_other_errors_are_not_retried(error: Exception) -> None:
    assert transient_reason(error) is None


def test_a_transient_error_is_retried_and_the_work_commits_once(
    database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    calls = {"n": 0}

    def work(session: Session) -> str:
        calls["n"] += 1
        add_loan(session)
        session.flush()
        if calls["n"] == 1:  # written, then the connection drops before the commit
            raise wrapped("server closed the connection unexpectedly (loan 4410023981)")
        return "done"

    with caplog.at_level(logging.WARNING, logger="lockbox.db"):
        assert database.transaction(work, what="adding loan 4410023981", retry=FAST) == "done"
    assert calls["n"] == 2 and loans(database) == 1  # the first attempt was rolled back whole
    [line] = [r.getMessage() for r in caplog.records]
    assert "connection problem while adding loan ******3981" in line
    assert "retrying in 0.0 s (attempt 2 of 3)" in line
    assert "4410023981" not in line


def test_waits_double_between_attempts_up_to_the_cap(sqlite_database: Database) -> None:
    waits: list[float] = []

    def always_busy(session: Session) -> None:
        raise OperationalError("INSERT", {}, sqlite3.OperationalError("database is locked"))

    policy = RetryPolicy(attempts=6, first_delay=0.5, max_delay=3.0)
    with pytest.raises(DatabaseUnavailableError) as failed:
        sqlite_database.transaction(
            always_busy, what="recording a/b/c.tif page 1", retry=policy, sleep=waits.append
        )
    assert waits == [0.5, 1.0, 2.0, 3.0, 3.0]
    message = str(failed.value)
    assert "gave up after 6 attempts over 10 s" in message
    assert "LOCKBOX_DATABASE_URL" in message and "run the same command again" in message


def test_an_error_that_is_not_transient_is_raised_at_once(database: Database) -> None:
    with database.session() as s:
        add_loan(s)
    calls = {"n": 0}

    def duplicate(session: Session) -> None:
        calls["n"] += 1
        add_loan(session)
        session.flush()

    with pytest.raises(IntegrityError):
        database.transaction(duplicate, what="adding a loan twice", retry=FAST)
    assert calls["n"] == 1


@pytest.mark.postgres
def test_a_real_serialization_failure_is_retried(database: Database) -> None:
    """Two SERIALIZABLE transactions update the same loan: PostgreSQL fails one with 40001."""
    if not database.is_postgres:
        pytest.skip("serialization failures are PostgreSQL's")
    with database.session() as s:
        add_loan(s)
    other_done = threading.Event()
    calls = {"n": 0}

    def bump(session: Session) -> Any:
        calls["n"] += 1
        session.execute(text("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE"))
        fees = session.scalar(text("SELECT fees_due FROM loans"))
        if calls["n"] == 1:  # another clerk's transaction changes the row under us and commits
            worker = threading.Thread(target=lambda: (other(), other_done.set()))
            worker.start()
            worker.join(timeout=30)
        session.execute(text("UPDATE loans SET fees_due = :f"), {"f": fees + 1})
        return fees

    def other() -> None:
        with database.session() as s:
            s.execute(text("UPDATE loans SET fees_due = fees_due + 10"))

    assert database.transaction(bump, what="charging a fee", retry=FAST) == Decimal("10.00")
    assert other_done.is_set() and calls["n"] == 2
    with database.session() as s:
        assert s.scalar(text("SELECT fees_due FROM loans")) == Decimal("11.00")
