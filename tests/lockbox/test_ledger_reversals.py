"""A check returned unpaid after it posted (NSF): the loan and the books end as if it never came."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lockbox.db import Database
from lockbox.latefees import assess_late_fees
from lockbox.ledger import (
    CASH,
    FEES_RECEIVABLE,
    INTEREST_INCOME,
    LOAN_PRINCIPAL,
    SUSPENSE,
    loan_state,
    post_payment,
    post_to_suspense,
    trial_balance,
)
from lockbox.models import AuditEvent, Batch, Item, LedgerEntry, LedgerLine, Loan, Payment
from lockbox.reversals import ItemNotPostedError, ReversalError, reverse_payment
from tests.factories import add_loan

pytestmark = pytest.mark.usefixtures("no_late_fees_at_posting")

D = Decimal
TODAY = date(2026, 11, 17)
_serial = itertools.count(1)


def make_loan(session: Session, **overrides: Any) -> Loan:
    return add_loan(
        session,
        **{
            "account_number": f"70055501{next(_serial):04d}",
            "borrower_name": "Dana Whitfield",
            "monthly_payment": D("300.00"),
            "next_due_date": date(2026, 11, 1),
            "principal_balance": D("10000.00"),
            "annual_rate": D("0.073"),
            "interest_paid_to": None,
            **overrides,
        },
    )


def standing(loan: Loan) -> tuple[object, ...]:
    """What servicing knows of a loan: its balances, dates and status, and its fee history."""
    return loan_state(loan), loan.last_payment_date, loan.late_fees_assessed


def make_item(session: Session, status: str = "posted") -> Item:
    batch = Batch(site="dallas", name=f"R{next(_serial)}", business_date=TODAY)
    item = Item(
        batch=batch, source_file="dallas/r/0001.tif", page=1, status=status, business_date=TODAY
    )
    session.add(item)
    session.flush()
    return item


def pay(session: Session, loan: Loan, amount: str, received: date) -> Item:
    item = make_item(session)
    post_payment(
        session,
        item=item,
        loan=loan,
        amount=D(amount),
        business_date=received,
        received_date=received,
    )
    return item


def item_lines(session: Session, item_id: int, account: str) -> list[tuple[Decimal, Decimal]]:
    rows = session.execute(
        select(LedgerLine.debit, LedgerLine.credit)
        .join(LedgerEntry, LedgerEntry.id == LedgerLine.entry_id)
        .where(LedgerEntry.item_id == item_id, LedgerLine.gl_account == account)
        .order_by(LedgerLine.id)
    )
    return [(D(d), D(c)) for d, c in rows]


def loan_books(session: Session, loan_id: int) -> dict[str, Decimal]:
    """The loan's own GL balances (debits minus credits), zero accounts left out."""
    rows = session.execute(
        select(LedgerLine.gl_account, func.sum(LedgerLine.debit), func.sum(LedgerLine.credit))
        .where(LedgerLine.loan_id == loan_id)
        .group_by(LedgerLine.gl_account)
    )
    out = {account: D(d) - D(c) for account, d, c in rows}
    return {k: v.quantize(D("0.01")) for k, v in out.items() if v}


def splits(session: Session, loan_id: int) -> list[tuple[Any, ...]]:
    """Each payment still on the loan: when, how much, and where its money went."""
    reversed_ids = select(LedgerEntry.reverses_entry_id).where(
        LedgerEntry.reverses_entry_id.is_not(None)
    )
    rows = session.scalars(
        select(Payment)
        .where(Payment.loan_id == loan_id, Payment.entry_id.not_in(reversed_ids))
        .order_by(Payment.id)
    )
    return [
        (p.received_date, p.amount, p.to_fees, p.to_interest, p.to_principal, p.to_rent)
        + (p.to_excess, p.months_advanced)
        for p in rows
    ]


def test_an_nsf_check_is_reversed_and_the_loan_is_as_before(database: Database) -> None:
    with database.session() as s:
        loan = make_loan(s, fees_due=D("15.00"))
        before = standing(loan)
        books = trial_balance(s)
        item = pay(s, loan, "600.00", date(2026, 10, 31))
        assert loan.next_due_date == date(2026, 12, 1)  # the check moved the loan on

        entry = reverse_payment(
            s, item=item, business_date=date(2026, 11, 20), reason="NSF", by="jdoe"
        )
        assert entry.business_date == date(2026, 11, 20)
        assert sorted(item_lines(s, item.id, CASH)) == [
            (D("0.00"), D("600.00")),
            (D("600.00"), D("0.00")),
        ]
        assert standing(loan) == before  # balances, due date, credit, interest: all back
        assert loan.last_payment_date is None
        assert trial_balance(s) == books
        assert item.status == "returned"
        event = s.scalars(select(AuditEvent).where(AuditEvent.item_id == item.id)).one()
        assert (event.actor, event.action) == ("jdoe", "reverse_payment")
        assert event.details is not None and event.details["reason"] == "NSF"

        again = reverse_payment(s, item=item, business_date=TODAY, reason="NSF")
        assert again.id == entry.id  # a second return posts nothing
        assert s.scalar(select(func.count()).select_from(AuditEvent)) == 1


def test_a_payment_applied_from_suspense_leaves_cash_and_suspense_at_zero(
    database: Database,
) -> None:
    with database.session() as s:
        loan = make_loan(s)
        before = standing(loan)
        item = make_item(s, status="exception")
        post_to_suspense(s, item=item, amount=D("300.00"), business_date=TODAY)
        post_payment(
            s, item=item, loan=loan, amount=D("300.00"), business_date=TODAY, received_date=TODAY
        )
        reverse_payment(s, item=item, business_date=TODAY, reason="account closed")
        balances = trial_balance(s)
        assert balances[CASH] == 0 and balances[SUSPENSE] == 0
        assert all(value == 0 for value in balances.values())
        assert standing(loan) == before


def test_an_item_that_never_posted_cannot_be_reversed(database: Database) -> None:
    with database.session() as s:
        item = make_item(s, status="exception")
        with pytest.raises(ItemNotPostedError, match="review reject"):
            reverse_payment(s, item=item, business_date=TODAY, reason="NSF")
        posted = pay(s, make_loan(s), "300.00", TODAY)
        with pytest.raises(ReversalError, match="reason"):
            reverse_payment(s, item=posted, business_date=TODAY, reason="  ")
        posted_loan = s.get_one(Loan, posted.loan_id)
        posted_loan.status = "charged_off"  # by a loan-book import after the check posted
        with pytest.raises(ReversalError, match=r"\*+\d{4} is charged off"):
            reverse_payment(s, item=posted, business_date=TODAY, reason="NSF")
        assert s.scalar(select(func.count()).select_from(LedgerEntry)) == 1
        assert posted.status == "posted"


def test_a_later_payment_is_reapplied_as_if_the_returned_one_never_came(
    database: Database,
) -> None:
    with database.session() as s:
        returned, kept = make_loan(s), make_loan(s)
        nsf = pay(s, returned, "300.00", date(2026, 11, 1))
        later = pay(s, returned, "300.00", date(2026, 12, 1))
        pay(s, kept, "300.00", date(2026, 12, 1))  # what the loan would have seen without it
        late_cash = item_lines(s, later.id, CASH)

        reverse_payment(s, item=nsf, business_date=date(2026, 12, 4), reason="NSF")

        assert standing(returned) == standing(kept)
        assert returned.next_due_date == date(2026, 12, 1)  # one installment paid, not two
        assert splits(s, returned.id) == splits(s, kept.id)
        assert loan_books(s, returned.id) == loan_books(s, kept.id)
        assert item_lines(s, later.id, CASH) == late_cash  # its cash is not touched again
        moved = s.scalars(select(LedgerEntry).where(LedgerEntry.kind == "reallocation")).one()
        assert moved.item_id == later.id
        accounts = {line.gl_account for line in moved.lines}
        assert accounts == {INTEREST_INCOME, LOAN_PRINCIPAL}  # more interest, less principal


def test_late_fees_charged_since_the_payment_stay_on_the_loan(database: Database) -> None:
    with database.session() as s:
        loan = make_loan(s, next_due_date=date(2026, 10, 1))
        item = pay(s, loan, "300.00", date(2026, 10, 5))  # pays October; November is due
        fees = assess_late_fees(s, business_date=date(2026, 11, 12), percent=D("5"), cap=None)
        assert [f.installment_due_date for f in fees] == [date(2026, 11, 1)]
        reverse_payment(s, item=item, business_date=date(2026, 11, 13), reason="NSF")
        assert loan.fees_due == D("15.00") and loan.next_due_date == date(2026, 10, 1)
        # October is unpaid again: the next pass charges it, once
        again = assess_late_fees(s, business_date=date(2026, 11, 13), percent=D("5"), cap=None)
        assert [f.installment_due_date for f in again] == [date(2026, 10, 1)]
        assert loan.fees_due == D("30.00")
        assert trial_balance(s)[FEES_RECEIVABLE] == D("30.00")


# --- properties -------------------------------------------------------------------------------

loan_books_start = st.fixed_dictionaries(
    {
        "product": st.sampled_from(["retail", "lease"]),
        "principal": st.decimals(min_value=D("100"), max_value=D("20000"), places=2),
        "fees": st.decimals(min_value=D("0"), max_value=D("60"), places=2),
        "credit": st.decimals(min_value=D("0"), max_value=D("299.99"), places=2),
        "interest_due": st.decimals(min_value=D("0"), max_value=D("40"), places=2),
    }
)


def start_loan(s: Session, start: dict[str, Any]) -> Loan:
    lease = start["product"] == "lease"
    return make_loan(
        s,
        product=start["product"],
        annual_rate=None if lease else D("0.0899"),
        principal_balance=start["principal"],
        fees_due=start["fees"],
        installment_credit=start["credit"],
        interest_due=D("0") if lease else start["interest_due"],
        interest_paid_to=date(2026, 10, 1),
        due_day=31 if lease else None,
        next_due_date=date(2026, 10, 31) if lease else date(2026, 11, 1),
    )


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    start=loan_books_start,
    amount=st.decimals(min_value=D("0.01"), max_value=D("25000"), places=2),
    day=st.integers(min_value=0, max_value=60),
)
def test_post_then_reverse_leaves_the_loan_and_trial_balance_as_before(
    database: Database, start: dict[str, Any], amount: Decimal, day: int
) -> None:
    with database.sessions() as s:
        loan = start_loan(s, start)
        before, books = standing(loan), trial_balance(s)
        item = pay(s, loan, str(amount), date(2026, 10, 20) + timedelta(days=day))
        reverse_payment(s, item=item, business_date=TODAY, reason="NSF")
        assert standing(loan) == before
        assert trial_balance(s) == books
        s.rollback()


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    start=loan_books_start,
    payments=st.lists(
        st.tuples(
            st.decimals(min_value=D("0.01"), max_value=D("900"), places=2),
            st.integers(min_value=0, max_value=40),  # days after the payment before it
        ),
        min_size=1,
        max_size=5,
    ),
    data=st.data(),
)
def test_reversing_any_payment_equals_never_having_received_it(
    database: Database,
    start: dict[str, Any],
    payments: list[tuple[Decimal, int]],
    data: st.DataObject,
) -> None:
    """Two identical loans: one gets every check and then one comes back; the other never got it."""
    start = {**start, "principal": start["principal"] + D("5000")}  # never paid off here
    returned_index = data.draw(st.integers(min_value=0, max_value=len(payments) - 1))
    with database.sessions() as s:
        returned, kept = start_loan(s, start), start_loan(s, start)
        received = date(2026, 10, 15)
        items = []
        for index, (amount, gap) in enumerate(payments):
            received += timedelta(days=gap)
            items.append(pay(s, returned, str(amount), received))
            if index != returned_index:
                pay(s, kept, str(amount), received)
        reverse_payment(s, item=items[returned_index], business_date=TODAY, reason="NSF")
        assert standing(returned) == standing(kept)
        assert splits(s, returned.id) == splits(s, kept.id)
        assert loan_books(s, returned.id) == loan_books(s, kept.id)
        assert sum(trial_balance(s).values()) == 0
        s.rollback()
