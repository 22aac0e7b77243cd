from sqlalchemy import inspect

from lockbox.db import Database, open_database


def test_migrations_create_every_table(database: Database) -> None:
    tables = set(inspect(database.engine).get_table_names())
    assert {"loans", "batches", "items", "ledger_entries", "ledger_lines", "late_fees"} <= tables


def test_upgrade_is_idempotent(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'x.db'}"
    open_database(url).engine.dispose()
    db = open_database(url)  # a second start must not fail or re-create anything
    assert "loans" in inspect(db.engine).get_table_names()
