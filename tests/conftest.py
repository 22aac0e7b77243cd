"""Shared fixtures: a fresh, migrated database on SQLite and (when configured) on PostgreSQL."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from lockbox.db import Database, open_database
from tests.postgres import BACKENDS, postgres_schema


def _postgres_database() -> Iterator[Database]:
    with postgres_schema() as url:
        db = open_database(url)
        try:
            yield db
        finally:
            db.engine.dispose()


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


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """`slow` tests run only when asked (`-m slow`, or LOCKBOX_SLOW_TESTS=1): the default suite stays fast."""
    if (
        "slow" in (config.getoption("markexpr") or "")
        or os.environ.get("LOCKBOX_SLOW_TESTS") == "1"
    ):
        return
    skip = pytest.mark.skip(reason="slow: run with -m slow or LOCKBOX_SLOW_TESTS=1")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def prefect_backend() -> Iterator[None]:
    """One throw-away Prefect backend for the whole session (what ephemeral mode does per process).

    Shared by tests/flows and tests/robustness; a subprocess reaches it through PREFECT_API_URL.
    """
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture(scope="session")
def small_mail(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh 16-item mail set with a seed of the tests' own (not the committed sample's)."""
    from sample_data.generate import generate

    out = tmp_path_factory.mktemp("mail")
    generate(out, seed=31337, items=16, as_of=date(2026, 11, 17))
    return out


@pytest.fixture(scope="session")
def cash_letter_mail(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Ten items of generated mail with their checks also written as one X9 image cash letter
    (`cash-letter.x937`, and `cash-letter.json` naming each check's scan)."""
    from sample_data.generate import generate

    out = tmp_path_factory.mktemp("x9mail")
    generate(out, seed=4242, items=10, as_of=date(2026, 11, 17), cash_letter=True)
    return out


@pytest.fixture
def no_late_fees_at_posting(monkeypatch: pytest.MonkeyPatch) -> None:
    """Posting charges an installment already late on the received date (lockbox.latefees
    .settle_fees_as_received); tests about the waterfall, reversals or exports of a loan that is
    already late turn that off, so each checks one thing (the fee rules have their own tests)."""
    monkeypatch.setenv("LOCKBOX_LATE_FEE_PERCENT", "0")
