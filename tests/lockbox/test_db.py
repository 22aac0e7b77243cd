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


def test_runs_on_one_database_take_turns_with_one_clear_message(database: Database) -> None:
    """Two runs on one database, however started (another LOCKBOX_HOME, another machine): the
    second is told, in one line, that another run holds the database, and waits its turn."""
    import threading
    import time

    from lockbox.db import make_engine

    other = Database(make_engine(database.engine.url.render_as_string(hide_password=False)))
    told: list[str] = []
    order: list[str] = []
    first_in = threading.Event()
    second_done = threading.Event()

    def second() -> None:
        first_in.wait(10)
        with other.exclusive(on_wait=told.append):
            order.append("second")
        second_done.set()

    thread = threading.Thread(target=second)
    thread.start()
    with database.exclusive():
        first_in.set()
        time.sleep(0.5)
        order.append("first")
    assert second_done.wait(10)
    thread.join()
    other.engine.dispose()
    assert order == ["first", "second"]
    assert len(told) == 1 and "another lockbox run is working on this database" in told[0]
