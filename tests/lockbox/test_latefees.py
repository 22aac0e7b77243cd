"""The nightly late-fee pass: the grace boundary, idempotent reruns, the cap, and the ledger entries."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lockbox.db import Database
from lockbox.latefees import assess_late_fees
from lockbox.ledger import FEES_RECEIVABLE, LATE_FEE_INCOME, post_payment, trial_balance
from lockbox.models import Batch, Item, LateFee, LedgerLine, Loan
from tests.factories import add_loan

D = Decimal
_serial = itertools.count(1)


def make_loan(session: Session, **overrides: object) -> Loan:
    return add_loan(
        session,
        **{
            "account_number": f"50098765{next(_serial):04d}",
            "borrower_name": "James Whitfield",
            "next_due_date": date(2026, 11, 1),
            "interest_paid_to": date(2026, 10, 1),
            **overrides,
        },
    )


def make_item(session: Session, on: date) -> Item:
    batch = Batch(site="dallas", name=f"B{next(_serial)}", business_date=on)
    item = Item(batch=batch, source_file="x.tif", page=1, status="posted", business_date=on)
    session.add(item)
    session.flush()
    return item


def assess(session: Session, on: date, cap: Decimal | None = None) -> list[LateFee]:
    return assess_late_fees(session, business_date=on, percent=D("5"), cap=cap)


def test_due_nov_1_is_charged_on_nov_12_not_nov_11(database: Database) -> None:
    with database.session() as s:
        loan = make_loan(s)
        assert assess(s, date(2026, 11, 11)) == []
        fees = assess(s, date(2026, 11, 12))
        assert [(f.installment_due_date, f.amount) for f in fees] == [
            (date(2026, 11, 1), D("20.63"))
        ]
        assert loan.fees_due == D("20.63")
        assert loan.late_fees_assessed == D("20.63")
        lines = s.execute(
            select(LedgerLine.gl_account, LedgerLine.debit, LedgerLine.credit).where(
                LedgerLine.entry_id == fees[0].entry_id
            )
        ).all()
        assert sorted((a, D(d), D(c)) for a, d, c in lines) == [
            (FEES_RECEIVABLE, D("20.63"), D("0.00")),
            (LATE_FEE_INCOME, D("0.00"), D("20.63")),
        ]


def test_running_again_assesses_nothing_new(database: Database) -> None:
    with database.session() as s:
        loan = make_loan(s)
        assert len(assess(s, date(2026, 11, 12))) == 1
        assert assess(s, date(2026, 11, 12)) == []
        assert assess(s, date(2026, 11, 20)) == []  # the next day's run too
        loan_id = loan.id
    with database.session() as s:
        assert assess(s, date(2026, 11, 12)) == []  # and in a new transaction
        loan = s.get_one(Loan, loan_id)
        assert loan.fees_due == D("20.63")
        assert s.scalar(select(func.count()).select_from(LateFee)) == 1


def test_one_fee_per_late_installment_and_the_cap(database: Database) -> None:
    with database.session() as s:
        loan = make_loan(s, next_due_date=date(2026, 9, 1))
        fees = assess(s, date(2026, 11, 12), cap=D("15.00"))
        assert [f.installment_due_date for f in fees] == [
            date(2026, 9, 1),
            date(2026, 10, 1),
            date(2026, 11, 1),
        ]
        assert all(f.amount == D("15.00") for f in fees)
        assert loan.fees_due == D("45.00")
        assert trial_balance(s)[LATE_FEE_INCOME] == D("-45.00")


def test_a_payment_received_within_grace_is_never_charged(database: Database) -> None:
    with database.session() as s:
        loan = make_loan(s)
        post_payment(
            s,
            item=make_item(s, date(2026, 11, 9)),
            loan=loan,
            amount=D("412.50"),
            business_date=date(2026, 11, 9),
            received_date=date(2026, 11, 9),
        )
        assert loan.next_due_date == date(2026, 12, 1)
        assert assess(s, date(2026, 11, 12)) == []
        assert loan.fees_due == D("0.00")


def test_a_short_payment_still_leaves_the_installment_late(database: Database) -> None:
    with database.session() as s:
        loan = make_loan(s)
        post_payment(
            s,
            item=make_item(s, date(2026, 11, 5)),
            loan=loan,
            amount=D("200.00"),
            business_date=date(2026, 11, 5),
            received_date=date(2026, 11, 5),
        )
        assert len(assess(s, date(2026, 11, 12))) == 1


def test_only_active_loans_are_charged(database: Database) -> None:
    """'Fee rules a regulator checks: none on charged-off, paid-off or repossessed loans.'"""
    with database.session() as s:
        make_loan(s, status="paid_off")
        make_loan(s, status="charged_off")
        make_loan(s, status="repossessed")
        current = make_loan(s, next_due_date=date(2026, 12, 1))
        late = make_loan(s, product="lease", annual_rate=None, monthly_payment=D("300.00"))
        fees = assess(s, date(2026, 11, 12))
        assert [(f.loan_id, f.amount) for f in fees] == [(late.id, D("15.00"))]
        assert current.fees_due == 0


def test_a_late_fee_is_paid_first_by_the_next_payment(database: Database) -> None:
    with database.session() as s:
        loan = make_loan(s)
        assess(s, date(2026, 11, 12))
        payment = post_payment(
            s,
            item=make_item(s, date(2026, 11, 13)),
            loan=loan,
            amount=D("433.13"),
            business_date=date(2026, 11, 13),
            received_date=date(2026, 11, 13),
        )
        assert payment.to_fees == D("20.63")
        assert loan.fees_due == 0 and loan.next_due_date == date(2026, 12, 1)
        assert trial_balance(s)[FEES_RECEIVABLE] == 0


def test_many_loans_in_one_pass(database: Database) -> None:
    with database.session() as s:
        s.add_all(
            Loan(
                account_number=f"7000{i:08d}",
                borrower_name="Borrower",
                product="retail",
                status="active",
                monthly_payment=D("250.00"),
                next_due_date=date(2026, 10, 1) if i % 4 == 0 else date(2026, 11, 15),
                principal_balance=D("9000.00"),
                annual_rate=D("0.05"),
                fees_due=D("0.00"),
            )
            for i in range(400)
        )
        s.flush()
        fees = assess(s, date(2026, 11, 12))
        assert len(fees) == 200  # 100 loans due Oct 1 and Nov 1 (unpaid)
        assert assess(s, date(2026, 11, 12)) == []


def test_many_late_loans_are_assessed_in_one_pass(database: Database) -> None:
    """A bulk pass over several loans (executemany) works on every backend."""
    with database.session() as s:
        for n in range(5):
            s.add(
                Loan(
                    account_number=f"99000000{n:02d}",
                    borrower_name=f"Borrower {n}",
                    product="retail",
                    status="active",
                    monthly_payment=Decimal("300.00"),
                    next_due_date=date(2026, 10, 1),
                    principal_balance=Decimal("5000.00"),
                    annual_rate=Decimal("0.07"),
                    fees_due=Decimal("0.00"),
                    late_fees_assessed=Decimal("0.00"),
                )
            )
    with database.session() as s:
        fees = assess_late_fees(s, business_date=date(2026, 11, 17), percent=Decimal("5"), cap=None)
    assert len(fees) == 10  # Oct 1 and Nov 1 installments for each of the five loans
    with database.session() as s:
        assert set(s.scalars(select(Loan.fees_due))) == {Decimal("30.00")}
