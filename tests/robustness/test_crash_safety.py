"""Killed runs and concurrent runs: the next run finishes the work, and nothing is posted twice.

A `lockbox run` is started as its own process and killed with SIGKILL (no clean-up of any kind) at a
random moment: during start-up, part-way through a batch, or near the end. Running again must leave
the books exactly as one clean run does: the same items with the same outcome, the same ledger
totals per GL account, every check's cash debited once.
"""

from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import time
from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tests.postgres import POSTGRES_URL, postgres_schema

AS_OF = "2026-11-17"


def recorded_items(home: Path) -> int:
    """How many items the database holds now (0 while it is being created)."""
    db = home / "lockbox.db"
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as conn:
            return int(conn.execute("SELECT count(*) FROM items").fetchone()[0])
    except sqlite3.Error:
        return 0


def run_statuses(home: Path) -> list[str]:
    """The runs table, oldest first: a killed run must not stay 'running' forever."""
    with sqlite3.connect(f"file:{home / 'lockbox.db'}?mode=ro", uri=True) as conn:
        return [row[0] for row in conn.execute("SELECT status FROM runs ORDER BY id")]


def kill_part_way(
    proc: subprocess.Popen[str], home: Path, after_items: int, delay: float
) -> int | None:
    """SIGKILL the run `delay` seconds after it has recorded `after_items` items."""
    deadline = time.monotonic() + 300
    while proc.poll() is None and time.monotonic() < deadline:
        if recorded_items(home) >= after_items:
            break
        time.sleep(0.05)
    time.sleep(delay)
    if proc.poll() is None:
        proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=60)
    return proc.returncode


def books(lb: Any) -> dict[str, Any]:
    """Everything a user compares between two runs of the same inbox."""
    items = lb.items()
    return {"items": lb.outcome(), "gl": lb.gl_totals(), "n": len(items)}


def assert_nothing_twice(lb: Any) -> None:
    """Every posted item's check is debited to cash exactly once; every entry balances."""
    cash = lb.cash_per_item()
    for row in lb.items().values():
        if row["status"] == "posted":
            assert cash.get(row["item_id"]) == Decimal(row["amount"]), row
    balance: dict[str, Decimal] = defaultdict(Decimal)
    for line in lb.export("ledger"):
        balance[line["entry_id"]] += Decimal(line["debit"] or "0") - Decimal(line["credit"] or "0")
    assert all(v == 0 for v in balance.values())


def assert_archive_complete(home: Path, inbox: Path) -> None:
    """Every scan is archived whole (no half-copied file from the killed run)."""
    archive = home / "archive"
    assert not list(archive.rglob("*.partial"))
    for scan in inbox.rglob("*"):
        if scan.is_file() and scan.name != "batch.json" and scan.name != "truth.json":
            kept = archive / scan.relative_to(inbox)
            assert kept.read_bytes() == scan.read_bytes(), kept


@pytest.fixture(scope="module")
def mail6(new_mail: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """Six items in four batches, one a duplicate of an earlier batch's check."""
    return new_mail(tmp_path_factory.mktemp("mail6"), seed=606, items=6)


@pytest.fixture(scope="module")
def mail12(new_mail: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    return new_mail(tmp_path_factory.mktemp("mail12"), seed=4242, items=12)


_clean: dict[Path, dict[str, Any]] = {}


def clean_books(mail: Any, lockbox_at: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The books after one uninterrupted run (computed once per mail set)."""
    if mail.root not in _clean:
        with lockbox_at(tmp_path_factory.mktemp("clean") / "home") as lb:
            assert lb("loans", "import", str(mail.loans_csv)).code == 0
            assert lb.run_inbox(mail.inbox).code == 0
            _clean[mail.root] = books(lb)
    return _clean[mail.root]


def killed_then_rerun(
    mail: Any, lockbox_at: Any, home: Path, after_items: int, delay: float
) -> tuple[int | None, int, dict[str, Any]]:
    """Start a run, kill it part-way, run again to the end: (kill status, items at kill, books)."""
    with lockbox_at(home) as lb:
        assert lb("loans", "import", str(mail.loans_csv)).code == 0
        proc = lb.spawn(
            "run", "--inbox", str(mail.inbox), "--as-of", AS_OF, LOCKBOX_OCR_WORKERS="1"
        )
        code = kill_part_way(proc, home, after_items, delay)
        killed_at = recorded_items(home)
        rerun = lb.run_inbox(mail.inbox)
        assert rerun.code == 0, rerun.err
        runs = run_statuses(home)
        assert runs[-1] == "complete" and set(runs) <= {"complete", "interrupted"}, runs
        assert_nothing_twice(lb)
        assert_archive_complete(home, mail.inbox)
        return code, killed_at, books(lb)


def test_killed_mid_batch_then_rerun_equals_a_clean_run(
    mail6: Any, lockbox_at: Any, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    clean = clean_books(mail6, lockbox_at, tmp_path_factory)
    code, killed_at, after = killed_then_rerun(
        mail6, lockbox_at, tmp_path / "home", after_items=2, delay=0.2
    )
    assert code == -signal.SIGKILL, "the run should have been killed part-way"
    assert 2 <= killed_at < clean["n"]
    assert after == clean


@pytest.mark.slow
@pytest.mark.parametrize("seed", [11, 12, 13])
@pytest.mark.parametrize("moment", ["early", "mid-batch", "near the end"])
def test_killed_at_random_moments_then_rerun_equals_a_clean_run(
    mail12: Any,
    lockbox_at: Any,
    tmp_path: Path,
    tmp_path_factory: pytest.TempPathFactory,
    moment: str,
    seed: int,
) -> None:
    clean = clean_books(mail12, lockbox_at, tmp_path_factory)
    n = clean["n"]
    rng = random.Random(f"{moment}:{seed}")
    after_items, delay = {
        "early": (0, rng.uniform(1.0, 8.0)),  # start-up, migration, the first files
        "mid-batch": (rng.randint(3, n - 4), rng.uniform(0.0, 1.0)),
        "near the end": (n - 2, rng.uniform(0.0, 0.5)),
    }[moment]
    code, killed_at, after = killed_then_rerun(
        mail12, lockbox_at, tmp_path / "home", after_items, delay
    )
    if moment != "near the end":
        assert code == -signal.SIGKILL, "the run should have been killed part-way"
    assert after == clean


def test_a_run_stopped_by_sigterm_ends_cleanly_and_the_next_run_finishes(
    mail6: Any, lockbox_at: Any, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """A service manager stops the run with SIGTERM: it ends as Ctrl-C does (exit 130, one line
    saying to run the same command again), leaves none of its OCR processes running, and the next
    run finishes the books."""
    import psutil

    clean = clean_books(mail6, lockbox_at, tmp_path_factory)
    with lockbox_at(tmp_path / "home") as lb:
        assert lb("loans", "import", str(mail6.loans_csv)).code == 0
        proc = lb.spawn(
            "run", "--inbox", str(mail6.inbox), "--as-of", AS_OF, LOCKBOX_OCR_WORKERS="2"
        )
        started: list[Any] = []
        deadline = time.monotonic() + 120
        while proc.poll() is None and time.monotonic() < deadline and len(started) < 2:
            started = psutil.Process(proc.pid).children(recursive=True)
            time.sleep(0.05)
        assert len(started) >= 2, "the run should have started its OCR processes"
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=120)
        # 130 as for Ctrl-C; when the signal lands inside Prefect's flow engine, Prefect passes
        # it on after lockbox has ended, and the process ends by SIGINT instead
        assert proc.returncode in (130, -signal.SIGINT), (proc.returncode, err)
        assert "run the same command again" in err
        _, alive = psutil.wait_procs(started, timeout=30)
        assert not alive, [p.cmdline() for p in alive]
        rerun = lb.run_inbox(mail6.inbox)
        assert rerun.code == 0, rerun.err
        assert_nothing_twice(lb)
        assert books(lb) == clean


def test_two_runs_at_once_post_nothing_twice(
    mail6: Any, lockbox_at: Any, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The second run waits for the first (a lock file in LOCKBOX_HOME), then finds nothing new."""
    clean = clean_books(mail6, lockbox_at, tmp_path_factory)
    with lockbox_at(tmp_path / "home") as lb:
        assert lb("loans", "import", str(mail6.loans_csv)).code == 0
        args = ("run", "--inbox", str(mail6.inbox), "--as-of", AS_OF)
        procs = [lb.spawn(*args, LOCKBOX_OCR_WORKERS="1") for _ in range(2)]
        outs = [p.communicate(timeout=600) for p in procs]
        assert [p.returncode for p in procs] == [0, 0], [err for _, err in outs]
        assert sum("No new batches" in out for out, _ in outs) == 1
        assert_nothing_twice(lb)
        assert books(lb) == clean


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A throw-away schema in the test database, as a LOCKBOX_DATABASE_URL."""
    if not POSTGRES_URL:
        pytest.skip("needs LOCKBOX_TEST_POSTGRES_URL")
    with postgres_schema() as url:
        yield url


def test_two_machines_on_one_postgres_database_post_nothing_twice(
    mail6: Any,
    lockbox_at: Any,
    tmp_path: Path,
    tmp_path_factory: pytest.TempPathFactory,
    postgres_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two runs with their own LOCKBOX_HOME (two machines) take turns on PostgreSQL's advisory lock."""
    clean = clean_books(mail6, lockbox_at, tmp_path_factory)
    with lockbox_at(tmp_path / "machine-a") as lb:
        monkeypatch.setenv("LOCKBOX_DATABASE_URL", postgres_url)
        assert lb("loans", "import", str(mail6.loans_csv)).code == 0
        other = type(lb)(tmp_path / "machine-b")
        args = ("run", "--inbox", str(mail6.inbox), "--as-of", AS_OF)
        env = {"LOCKBOX_DATABASE_URL": postgres_url, "LOCKBOX_OCR_WORKERS": "1"}
        procs = [box.spawn(*args, **env) for box in (lb, other)]
        outs = [p.communicate(timeout=600) for p in procs]
        assert [p.returncode for p in procs] == [0, 0], [err for _, err in outs]
        assert sum("No new batches" in out for out, _ in outs) == 1
        assert_nothing_twice(lb)
        assert books(lb) == clean
