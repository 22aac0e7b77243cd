"""Two real processes recording the same items at the same moment against one PostgreSQL schema.

What an auditor checks afterwards: every item exists once, every posted item debited cash exactly
once for its amount, every entry balances, and each loan's balance is its opening balance less
exactly the principal its payments paid (no update lost to the other process).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from lockbox.capture import Capture
from lockbox.db import Database, make_engine, open_database
from lockbox.ledger import CASH, SUSPENSE, trial_balance
from lockbox.models import Batch, Item, LedgerEntry, LedgerLine, Loan, Payment
from tests.factories import make_loan
from tests.postgres import postgres_schema

POSTGRES_URL = os.environ.get("LOCKBOX_TEST_POSTGRES_URL", "")
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not POSTGRES_URL, reason="needs LOCKBOX_TEST_POSTGRES_URL"),
]

D = Decimal
ROOT = Path(__file__).resolve().parents[2]
TODAY = date(2026, 11, 17)
LOANS = 4  # few loans, many checks: the two processes keep posting to the same loan rows
OPENING = D("15000.00")


@pytest.fixture
def url() -> Iterator[str]:
    """A migrated throw-away schema holding four loans and two open batches."""
    with postgres_schema() as url:
        db = open_database(url)
        with db.session() as s:
            for n in range(LOANS):
                s.add(
                    make_loan(
                        account_number=f"44100{n:05d}",
                        borrower_name=f"Payer Number{n}",
                        principal_balance=OPENING,
                    )
                )
            for name in ("B1", "B2"):
                s.add(Batch(site="dallas", name=name, business_date=TODAY))
        db.engine.dispose()
        yield url


def checks(count: int, batch: str = "B1") -> list[Capture]:
    """Clean checks any run would post: loan n % LOANS, amounts of one to three installments."""
    out = []
    for n in range(count):
        amount = D("412.50") * (1 + n % 3)
        out.append(
            Capture(
                source_file=f"dallas/{batch}/{n:04d}.tif",
                routing="111000025",
                bank_account=f"9876{n % LOANS:05d}",
                serial=f"{1000 + n}",
                micr_confidence=0.99,
                courtesy_amount=amount,
                courtesy_confidence=0.95,
                legal_amount=amount,
                legal_confidence=0.9,
                check_date=date(2026, 11, 10),
                date_confidence=0.9,
                memo_account=f"44100{n % LOANS:05d}",
                memo_confidence=0.9,
                payer=f"Payer Number{n % LOANS}",
                payer_confidence=0.9,
            )
        )
    return out


# Each process is a fresh interpreter (not a fork of pytest, whose threads it must not inherit).
# It reads its work, loads the loan directory, says "ready", and starts on "go": both start at once.
WORKER = """
import json, sys
from contextlib import nullcontext
from datetime import date
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError
from lockbox.capture import Capture
from lockbox.db import Database, make_engine
from lockbox.ledger import DuplicateEntryError
from lockbox.models import Batch
from reconciliation.process import load_directory, record_item

url, use_lock, today = sys.argv[1], sys.argv[2] == "1", date.fromisoformat(sys.argv[3])
work = [(name, Capture.from_json(c)) for name, c in json.loads(sys.stdin.readline())]
db = Database(make_engine(url))
with db.session() as s:
    directory = load_directory(s)
print("ready", flush=True)
sys.stdin.readline()
raced = deadlocks = 0
with db.exclusive("lockbox-run") if use_lock else nullcontext():
    for name, capture in work:
        for attempt in range(20):
            try:
                with db.session() as s:
                    batch = s.scalars(select(Batch).where(Batch.name == name)).one()
                    record_item(
                        s, batch=batch, capture=capture, directory=directory, business_date=today
                    )
                break
            except (IntegrityError, DuplicateEntryError):
                raced += 1  # the other process wrote it first: rolled back, found next time
            except OperationalError as exc:
                if "deadlock" not in str(exc):
                    raise
                deadlocks += 1
        else:
            sys.exit("gave up on " + capture.source_file)
db.engine.dispose()
print(json.dumps({"raced": raced, "deadlocks": deadlocks}), flush=True)
"""


def run_two(
    url: str,
    first: list[tuple[str, Capture]],
    second: list[tuple[str, Capture]],
    use_lock: bool = False,
) -> list[int]:
    """Two processes record their items, one transaction per item as the nightly run does,
    starting at the same moment; returns how many races each lost (and retried).

    A transaction that loses a race (its item or entry already written by the other) is rolled
    back and tried again, and then finds the other process's item: that is the guarantee under
    test. A deadlock fails the test: the loan row lock must not fight the foreign-key checks.
    """
    args = [url, "1" if use_lock else "0", TODAY.isoformat()]
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        for _ in (first, second)
    ]
    try:
        for proc, work in zip(procs, (first, second), strict=True):
            assert proc.stdin is not None and proc.stdout is not None
            proc.stdin.write(json.dumps([(name, c.to_json()) for name, c in work]) + "\n")
            proc.stdin.flush()
        for proc in procs:
            assert proc.stdout is not None
            assert proc.stdout.readline().strip() == "ready", proc.communicate()[1]
        for proc in procs:
            assert proc.stdin is not None
            proc.stdin.write("go\n")
            proc.stdin.flush()
        outputs = [proc.communicate(timeout=180) for proc in procs]
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
    assert [proc.returncode for proc in procs] == [0, 0], [err for _, err in outputs]
    reports = [json.loads(out.strip().splitlines()[-1]) for out, _ in outputs]
    assert [r["deadlocks"] for r in reports] == [0, 0], "the two runs deadlocked"
    return [r["raced"] for r in reports]


def audit(url: str) -> dict[str, Any]:
    """The checks an auditor runs after the night: returns the items by status."""
    db = Database(make_engine(url))
    try:
        with db.session() as s:
            keys = s.execute(select(Item.batch_id, Item.source_file, Item.page)).all()
            assert len(keys) == len(set(keys)), "an item was recorded twice"
            items = s.scalars(select(Item)).all()
            for item in items:
                cash = s.execute(
                    select(LedgerLine.debit, LedgerLine.credit)
                    .join(LedgerEntry, LedgerEntry.id == LedgerLine.entry_id)
                    .where(LedgerEntry.item_id == item.id, LedgerLine.gl_account == CASH)
                ).all()
                # a duplicate is a second image of a check already deposited: no cash of its own
                expected = (
                    [] if item.exception_code == "DUPLICATE_CHECK" else [(item.amount, D("0.00"))]
                )
                assert [(D(d), D(c)) for d, c in cash] == expected, item.id
            payments = s.scalars(select(Payment)).all()
            assert sorted(p.item_id for p in payments) == sorted(
                i.id for i in items if i.status == "posted"
            )
            sums = s.execute(
                select(func.sum(LedgerLine.debit) - func.sum(LedgerLine.credit)).group_by(
                    LedgerLine.entry_id
                )
            ).scalars()
            assert all(diff == 0 for diff in sums)
            for loan in s.scalars(select(Loan)):
                paid = sum((p.to_principal for p in payments if p.loan_id == loan.id), D("0"))
                assert loan.principal_balance == OPENING - paid, loan.account_number
            balances = trial_balance(s)
            posted = [i for i in items if i.status == "posted"]
            held = [i for i in items if i.status == "exception"]
            deposited = [i for i in items if i.exception_code != "DUPLICATE_CHECK"]
            assert balances[CASH] == sum((i.amount or D("0") for i in deposited), D("0"))
            assert -balances.get(SUSPENSE, D("0")) == sum(
                (i.amount or D("0") for i in held if i in deposited), D("0")
            )
            return {"posted": posted, "held": held, "items": items}
    finally:
        db.engine.dispose()


def test_two_processes_on_the_same_batch_record_and_post_each_item_once(url: str) -> None:
    work = [("B1", c) for c in checks(40)]
    run_two(url, work, list(reversed(work)))  # they meet in the middle, then overlap
    seen = audit(url)
    assert len(seen["items"]) == 40 and len(seen["posted"]) == 40


def test_with_the_advisory_lock_the_second_process_finds_everything_done(url: str) -> None:
    work = [("B1", c) for c in checks(24)]
    lost = run_two(url, work, work, use_lock=True)
    assert lost == [0, 0]  # they took turns: nothing to race for
    seen = audit(url)
    assert len(seen["items"]) == 24 and len(seen["posted"]) == 24


def test_the_same_check_in_two_batches_posts_once(url: str) -> None:
    first = [("B1", c) for c in checks(30, "B1")]
    again = [("B2", replace(c, source_file=c.source_file.replace("B1", "B2"))) for _, c in first]
    run_two(url, first, again)
    seen = audit(url)
    assert len(seen["items"]) == 60 and len(seen["posted"]) == 30
    by_serial: dict[str, list[Item]] = {}
    for item in seen["items"]:
        by_serial.setdefault(item.serial or "", []).append(item)
    for serial, pair in by_serial.items():
        assert sorted(i.status for i in pair) == ["exception", "posted"], serial
        held = next(i for i in pair if i.status == "exception")
        assert held.exception_code == "DUPLICATE_CHECK"
