"""Ledger throughput: postings per second, and the nightly late-fee pass over a large loan book.

Postings: N clean checks, each recorded the way the nightly run does it (one transaction per item:
match, rules, fingerprint, Dr cash / Cr the waterfall, loan row updated), then the same number of
bare `post_payment` calls. Late fees: a book of M loans, a third of them one to three installments
behind, through `assess_late_fees` twice (the first pass charges, the rerun must charge nothing).
Each on SQLite (a fresh file under the work directory) and on PostgreSQL when a URL is given and
reachable (a throw-away schema, dropped afterwards).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, insert, select, text

from benchmarks.table import render_table
from lockbox.capture import Capture
from lockbox.db import Database, make_engine, open_database
from lockbox.latefees import assess_late_fees
from lockbox.ledger import CASH, post_payment, trial_balance
from lockbox.models import Batch, Item, LateFee, Loan
from reconciliation.process import load_directory, record_item

D = Decimal
AS_OF = date(2026, 11, 17)


@dataclass
class PostingResult:
    backend: str
    how: str
    payments: int
    seconds: float
    cpu_seconds: float  # this process only: the database server's work is not in it
    ok: bool

    @property
    def rate(self) -> float:
        return self.payments / self.seconds if self.seconds else 0.0


@dataclass
class LateFeeResult:
    backend: str
    loans: int
    late_installments: int
    first_seconds: float
    first_fees: int
    rerun_seconds: float
    rerun_fees: int


@contextmanager
def sqlite_database(workdir: Path, name: str) -> Iterator[Database]:
    path = workdir / f"{name}.db"
    for stale in workdir.glob(f"{name}.db*"):
        stale.unlink()
    db = open_database(f"sqlite:///{path}")
    try:
        yield db
    finally:
        db.engine.dispose()
        for stale in workdir.glob(f"{name}.db*"):
            stale.unlink()


@contextmanager
def postgres_database(url: str) -> Iterator[Database]:
    """A migrated throw-away schema in the database at `url`, dropped afterwards."""
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = make_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    db = open_database(url + ("&" if "?" in url else "?") + f"options=-csearch_path%3D{schema}")
    try:
        yield db
    finally:
        db.engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _loan_rows(count: int, *, behind: bool) -> list[dict[str, object]]:
    """`count` retail loans; with `behind`, a third are one to three installments late on AS_OF."""
    rows: list[dict[str, object]] = []
    for n in range(count):
        due = date(2026, 12, 1)
        if behind:
            due = {0: date(2026, 11, 1), 1: date(2026, 11, 1), 2: date(2026, 10, 1)}.get(
                n % 10, date(2026, 9, 1) if n % 30 == 3 else date(2026, 12, 1)
            )
        rows.append(
            dict(
                account_number=f"6{n:011d}",
                borrower_name=f"Borrower {n}",
                product="retail",
                status="active",
                monthly_payment=D("412.50"),
                next_due_date=due,
                principal_balance=D("15000.00"),
                annual_rate=D("0.0699"),
                fees_due=D("0.00"),
                late_fees_assessed=D("0.00"),
                prepaid_balance=D("0.00"),
                installment_credit=D("0.00"),
                interest_due=D("0.00"),
                interest_paid_to=date(2026, 11, 1),
            )
        )
    return rows


def _seed(db: Database, rows: list[dict[str, object]]) -> None:
    with db.session() as s:
        for start in range(0, len(rows), 10_000):
            s.execute(insert(Loan), rows[start : start + 10_000])


def _check(n: int, batch: str) -> Capture:
    amount = D("412.50") * (1 + n % 2)
    return Capture(
        source_file=f"dallas/{batch}/{n:05d}.tif",
        routing="111000025",
        bank_account=f"{n:09d}",
        serial=f"{1000 + n}",
        micr_confidence=0.99,
        courtesy_amount=amount,
        courtesy_confidence=0.95,
        legal_amount=amount,
        legal_confidence=0.9,
        check_date=AS_OF - timedelta(days=3),
        date_confidence=0.9,
        memo_account=f"6{n:011d}",
        memo_confidence=0.9,
        payer=f"Borrower {n}",
        payer_confidence=0.9,
    )


def bench_record_item(db: Database, backend: str, payments: int) -> PostingResult:
    """The nightly run's path, one transaction per item."""
    _seed(db, _loan_rows(payments, behind=False))
    with db.session() as s:
        batch = Batch(site="dallas", name="BENCH-1", business_date=AS_OF)
        s.add(batch)
        s.flush()
        batch_id = batch.id
        directory = load_directory(s)
    captures = [_check(n, "BENCH-1") for n in range(payments)]
    start, cpu = time.perf_counter(), time.process_time()
    for capture in captures:
        with db.session() as s:
            record_item(
                s,
                batch=s.get_one(Batch, batch_id),
                capture=capture,
                directory=directory,
                business_date=AS_OF,
            )
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    with db.session() as s:
        posted = s.scalar(select(func.count()).where(Item.status == "posted")) or 0
        balances = trial_balance(s)
        expected = sum((D("412.50") * (1 + n % 2) for n in range(payments)), D("0"))
        ok = posted == payments and balances[CASH] == expected and sum(balances.values()) == 0
    return PostingResult(backend, "record_item (match, rules, post)", payments, seconds, cpu, ok)


def bench_post_payment(db: Database, backend: str, payments: int) -> PostingResult:
    """Only the ledger: `post_payment` for items already recorded, one transaction per item."""
    with db.session() as s:
        batch = Batch(site="dallas", name="BENCH-2", business_date=AS_OF)
        s.add(batch)
        s.flush()
        s.execute(
            insert(Item),
            [
                dict(
                    batch_id=batch.id,
                    source_file=f"dallas/BENCH-2/{n:05d}.tif",
                    page=1,
                    status="exception",
                    business_date=AS_OF,
                    confidence=0.0,
                )
                for n in range(payments)
            ],
        )
        item_ids = list(s.scalars(select(Item.id).where(Item.batch_id == batch.id)))
        loan_ids = list(s.scalars(select(Loan.id).order_by(Loan.id)))
    start, cpu = time.perf_counter(), time.process_time()
    for n, item_id in enumerate(item_ids):
        with db.session() as s:
            post_payment(
                s,
                item=s.get_one(Item, item_id),
                loan=s.get_one(Loan, loan_ids[n % len(loan_ids)]),
                amount=D("100.00"),
                business_date=AS_OF,
                received_date=AS_OF,
            )
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    with db.session() as s:
        ok = sum(trial_balance(s).values()) == 0
    return PostingResult(backend, "post_payment only", payments, seconds, cpu, ok)


def bench_late_fees(db: Database, backend: str, loans: int) -> LateFeeResult:
    _seed(db, _loan_rows(loans, behind=True))
    timings: list[tuple[float, int]] = []
    for _ in range(2):
        start = time.perf_counter()
        with db.session() as s:
            fees = assess_late_fees(s, business_date=AS_OF, percent=D("5"), cap=None)
        timings.append((time.perf_counter() - start, len(fees)))
    with db.session() as s:
        charged = s.scalar(select(func.count()).select_from(LateFee)) or 0
    return LateFeeResult(
        backend, loans, charged, timings[0][0], timings[0][1], timings[1][0], timings[1][1]
    )


def run(payments: int, loans: int, workdir: Path, postgres_url: str | None) -> str:
    """Every benchmark on every reachable backend; the tables as text."""
    workdir.mkdir(parents=True, exist_ok=True)
    postings: list[PostingResult] = []
    fees: list[LateFeeResult] = []
    notes: list[str] = []
    with sqlite_database(workdir, "ledger-postings") as db:
        postings.append(bench_record_item(db, "SQLite", payments))
        postings.append(bench_post_payment(db, "SQLite", payments))
    with sqlite_database(workdir, "ledger-latefees") as db:
        fees.append(bench_late_fees(db, "SQLite", loans))
    if postgres_url:
        try:
            with postgres_database(postgres_url) as db:
                postings.append(bench_record_item(db, "PostgreSQL", payments))
                postings.append(bench_post_payment(db, "PostgreSQL", payments))
            with postgres_database(postgres_url) as db:
                fees.append(bench_late_fees(db, "PostgreSQL", loans))
        except Exception as exc:  # noqa: BLE001 - an unreachable server is reported, not fatal
            reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
            notes.append(f"PostgreSQL skipped: {reason}")
    else:
        notes.append("PostgreSQL skipped: pass --postgres-url or set LOCKBOX_TEST_POSTGRES_URL")
    return report(postings, fees, notes)


def report(postings: list[PostingResult], fees: list[LateFeeResult], notes: list[str]) -> str:
    posting_table = render_table(
        ["backend", "what is timed", "payments", "seconds", "postings/s", "CPU ms each", "books"],
        [
            [
                r.backend,
                r.how,
                f"{r.payments:,}",
                f"{r.seconds:.1f}",
                f"{r.rate:.0f}",
                f"{1000 * r.cpu_seconds / r.payments:.2f}",
                "balance" if r.ok else "DO NOT BALANCE",
            ]
            for r in postings
        ],
    )
    fee_table = render_table(
        [
            "backend",
            "loans",
            "late installments",
            "first pass s",
            "fees",
            "rerun s",
            "fees on rerun",
        ],
        [
            [
                r.backend,
                f"{r.loans:,}",
                f"{r.late_installments:,}",
                f"{r.first_seconds:.1f}",
                f"{r.first_fees:,}",
                f"{r.rerun_seconds:.1f}",
                r.rerun_fees,
            ]
            for r in fees
        ],
    )
    return "\n\n".join([posting_table, fee_table, *notes])
