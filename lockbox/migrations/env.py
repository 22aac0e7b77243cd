"""Alembic environment: runs against the engine lockbox.db.upgrade passes in (or LOCKBOX_DATABASE_URL)."""

from __future__ import annotations

from alembic import context

from lockbox.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    engine = config.attributes.get("connection_engine")
    if engine is None:
        from lockbox.config import load_settings
        from lockbox.db import make_engine

        engine = make_engine(load_settings().database_url)
    with engine.begin() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        context.run_migrations()


run_migrations_online()
