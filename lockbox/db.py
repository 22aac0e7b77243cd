"""Engine and sessions, and the schema upgrade every command runs on start (Alembic, never create_all)."""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).parent / "migrations"


class DatabaseError(RuntimeError):
    """The database cannot be reached or upgraded; the message says what to check."""


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

    @property
    def is_postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    @contextmanager
    def exclusive(self, name: str = "lockbox-run") -> Iterator[None]:
        """Hold a PostgreSQL advisory lock for a whole run, so runs on two machines take turns.

        SQLite needs nothing here: the database lives on one machine and the run lock file covers it.
        """
        if not self.is_postgres:
            yield
            return
        key = zlib.crc32(name.encode())
        with self.engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": key})
            conn.commit()
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                conn.commit()


def open_database(url: str) -> Database:
    engine = make_engine(url)
    upgrade(engine)
    return Database(engine)
