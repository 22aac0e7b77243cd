"""Engine and sessions, and the schema upgrade every command runs on start (Alembic, never create_all)."""

from __future__ import annotations

import fcntl
import logging
import re
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).parent / "migrations"

T = TypeVar("T")

# SQLSTATEs worth another try: the same statements succeed once the other transaction or the
# server is back. Class 08 (connection exception) is matched by prefix below.
TRANSIENT_SQLSTATES = {
    "40001": "serialization failure",
    "40P01": "deadlock",
    "57P01": "server shut down by the administrator",
    "57P02": "server crashed",
    "57P03": "server starting up",
}
# Driver messages with no SQLSTATE that mean "try again": psycopg's connection failures, SQLite's busy.
_TRANSIENT_TEXT = re.compile(
    r"connection (?:failed|refused|is lost|is closed|timed out)|could not connect|server closed the"
    r" connection|terminating connection|database is locked|database table is locked|database is busy",
    re.IGNORECASE,
)
_LONG_NUMBER = re.compile(r"\d{5,}")


class DatabaseError(RuntimeError):
    """The database cannot be reached or upgraded; the message says what to check."""


class DatabaseUnavailableError(DatabaseError):
    """A unit of work kept failing on a transient database error after every retry."""


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently a unit of work is tried again on a transient database error.

    The defaults wait 0.5 + 1 + 2 + 4 + 8 = 15.5 s in all: long enough for a failover or a restart of
    the server, short enough that a database that is really down stops the run within a minute.
    """

    attempts: int = 6
    first_delay: float = 0.5
    max_delay: float = 8.0

    def delay(self, attempt: int) -> float:
        """Seconds to wait after failed attempt number `attempt` (1-based): doubling, capped."""
        return min(self.max_delay, self.first_delay * 2 ** (attempt - 1))


DEFAULT_RETRY = RetryPolicy()


def redact_numbers(text: str) -> str:
    """Mask every run of five or more digits to its last four, so a log line never shows a full number."""
    return _LONG_NUMBER.sub(lambda m: "*" * (len(m.group(0)) - 4) + m.group(0)[-4:], text)


def transient_reason(exc: BaseException) -> str | None:
    """Why this database error is worth retrying, in a few words; None when it is not transient."""
    if not isinstance(exc, DBAPIError):
        return None
    orig = exc.orig
    sqlstate = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    if sqlstate:
        if sqlstate in TRANSIENT_SQLSTATES:
            return TRANSIENT_SQLSTATES[sqlstate]
        return "connection problem" if str(sqlstate).startswith("08") else None
    if exc.connection_invalidated:
        return "connection lost"
    if isinstance(exc, OperationalError) and _TRANSIENT_TEXT.search(str(orig)):
        return (
            "database busy"
            if "locked" in str(orig) or "busy" in str(orig)
            else "connection problem"
        )
    return None


def make_engine(url: str) -> Engine:
    """An engine with the settings lockbox needs: SQLite gets WAL, foreign keys and a busy timeout."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 60})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # type: ignore[no-untyped-def]
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        return engine
    connect_args: dict[str, object] = {}
    if parsed.get_backend_name() == "postgresql":
        # Fail in seconds, not after the operating system's TCP timeout, when the host is down.
        connect_args["connect_timeout"] = 10
    return create_engine(url, pool_pre_ping=True, connect_args=connect_args)


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest Alembic revision (idempotent)."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection_engine"] = engine
    try:
        command.upgrade(cfg, "head")
    except Exception as exc:  # noqa: BLE001 - re-raised with a message a clerk can act on
        raise DatabaseError(
            f"could not open or upgrade the database at {engine.url.render_as_string(hide_password=True)}:"
            f" {one_line(exc)}. Check LOCKBOX_DATABASE_URL and that the database server is running."
        ) from exc


def one_line(exc: BaseException) -> str:
    """The driver's own reason, without SQLAlchemy's statement dump and help link: one line."""
    orig = getattr(exc, "orig", None)
    text = str(orig if orig is not None else exc).strip()
    first = text.splitlines()[0].strip() if text else type(exc).__name__
    return first if len(first) <= 200 else first[:197] + "..."


class Database:
    """One engine and its session factory; `open_database` upgrades the schema first."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self.sessions = sessionmaker(engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session that commits on success and rolls back on error."""
        with self.sessions() as s:
            try:
                yield s
                s.commit()
            except BaseException:
                s.rollback()
                raise

    def transaction(
        self,
        work: Callable[[Session], T],
        *,
        what: str,
        retry: RetryPolicy | None = None,
        log: logging.Logger | logging.LoggerAdapter[logging.Logger] | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> T:
        """Run `work` in one transaction, trying again on transient database errors.

        Only safe for work that is idempotent when a commit's outcome is unknown (the nightly run's
        per-item recording is: an item already recorded is returned as it is). `what` names the work
        in the log and in the final error, for example "recording dallas/B1/item-0003.tif page 1".
        """
        log = log or logging.getLogger("lockbox.db")
        retry = retry or DEFAULT_RETRY
        waited = 0.0
        for attempt in range(1, retry.attempts + 1):
            try:
                with self.session() as session:
                    return work(session)
            except DBAPIError as exc:
                reason = transient_reason(exc)
                if reason is None:
                    raise
                detail = redact_numbers(one_line(exc))
                if attempt == retry.attempts:
                    raise DatabaseUnavailableError(
                        f"the database kept failing while {redact_numbers(what)} ({reason}: {detail});"
                        f" gave up after {retry.attempts} attempts over {waited:.0f} s. Check that the"
                        " database server is running and reachable (LOCKBOX_DATABASE_URL), then run"
                        " the same command again: items already recorded are kept, none is posted twice."
                    ) from exc
                delay = retry.delay(attempt)
                log.warning(
                    "database %s while %s (%s); retrying in %.1f s (attempt %d of %d)",
                    reason,
                    redact_numbers(what),
                    detail,
                    delay,
                    attempt + 1,
                    retry.attempts,
                )
                sleep(delay)
                waited += delay
        raise AssertionError("unreachable: the loop returns or raises")  # pragma: no cover

    @property
    def is_postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    @contextmanager
    def exclusive(
        self, name: str = "lockbox-run", on_wait: Callable[[str], None] | None = None
    ) -> Iterator[None]:
        """Hold the database's run lock for a whole run, so runs take turns however they were
        started (another LOCKBOX_HOME, another machine): a PostgreSQL advisory lock, or for a
        SQLite file a lock file beside it. When another run holds it, `on_wait` is told once, in
        words a person can act on, and this run waits its turn.
        """
        busy = (
            "another lockbox run is working on this database; this run waits for it to finish,"
            " then does whatever is left (nothing is posted twice)"
        )
        if self.is_postgres:
            key = zlib.crc32(name.encode())
            with self.engine.connect() as conn:
                got = conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar()
                if not got:
                    if on_wait is not None:
                        on_wait(busy)
                    conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": key})
                conn.commit()
                try:
                    yield
                finally:
                    conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                    conn.commit()
            return
        database = self.engine.url.database
        if not database or database == ":memory:":
            yield
            return
        lock_path = Path(database).with_name(Path(database).name + ".run-lock")
        with lock_path.open("a") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if on_wait is not None:
                    on_wait(busy)
                fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


def open_database(url: str) -> Database:
    engine = make_engine(url)
    upgrade(engine)
    return Database(engine)
