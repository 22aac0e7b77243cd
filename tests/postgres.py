"""A throw-away PostgreSQL schema per test (or per module), when LOCKBOX_TEST_POSTGRES_URL is set."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator

from sqlalchemy import text

from lockbox.db import make_engine

POSTGRES_URL = os.environ.get("LOCKBOX_TEST_POSTGRES_URL")
BACKENDS = ["sqlite"] + (["postgres"] if POSTGRES_URL else [])


@contextlib.contextmanager
def postgres_schema() -> Iterator[str]:
    """The URL of a throw-away schema in the test database (dropped afterwards), so tests never
    see each other's rows."""
    assert POSTGRES_URL
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = make_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield (
            POSTGRES_URL
            + ("&" if "?" in POSTGRES_URL else "?")
            + f"options=-csearch_path%3D{schema}"
        )
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
