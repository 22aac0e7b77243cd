"""Shared fixtures: a fresh, migrated database on SQLite and (when configured) on PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from lockbox.db import Database, make_engine, open_database

POSTGRES_URL = os.environ.get("LOCKBOX_TEST_POSTGRES_URL")
BACKENDS = ["sqlite"] + (["postgres"] if POSTGRES_URL else [])


def _postgres_database() -> Iterator[Database]:
    """A throw-away schema in the test database, so tests never see each other's rows."""
    assert POSTGRES_URL
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = make_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = POSTGRES_URL + ("&" if "?" in POSTGRES_URL else "?") + f"options=-csearch_path%3D{schema}"
    db = open_database(url)
    try:
        yield db
    finally:
        db.engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A migrated, empty database: SQLite always, PostgreSQL too when LOCKBOX_TEST_POSTGRES_URL is set."""
    if request.param == "sqlite":
        db = open_database(f"sqlite:///{tmp_path / 'lockbox.db'}")
        yield db
        db.engine.dispose()
    else:
        yield from _postgres_database()


@pytest.fixture
def sqlite_database(tmp_path: Path) -> Iterator[Database]:
    """SQLite only, for tests that don't depend on the backend."""
    db = open_database(f"sqlite:///{tmp_path / 'lockbox.db'}")
    yield db
    db.engine.dispose()


@pytest.fixture
def lockbox_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An isolated LOCKBOX_HOME (and its SQLite database) for CLI and flow tests."""
    home = tmp_path / "home"
    monkeypatch.setenv("LOCKBOX_HOME", str(home))
    monkeypatch.delenv("LOCKBOX_DATABASE_URL", raising=False)
    return home
