"""A payment counts as of the day it was received (CONTRACT, servicing rules): late fees do not
depend on which night a run happens, or on when a clerk resolves a held payment."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from lockbox.db import Database
from lockbox.latefees import assess_late_fees
from lockbox.ledger import (
    FEES_RECEIVABLE,
    apply_from_suspense,
    post_to_suspense,
    trial_balance,
)
from lockbox.models import Batch, Item, Loan
from lockbox.servicing import ServicingTerms
from tests.factories import add_loan

D = Decimal
TERMS = ServicingTerms(percent=D("5"), cap=None, grace_days=10)
_n = itertools.count(1)


def item(session: Session, on: date) -> Item:
    batch = Batch(site="dallas", name=f"B{next(_n)}", business_date=on)
    it = Item(batch=batch, source_file="x.tif", page=1, status="exception", business_date=on)
    session.add(it)
    session.flush()
    return it


def pay(
    session: Session, it: Item, loan: Loan, amount: Decimal, *, posted: date, received: date
) -> None:
    """The item's payment applied to the loan (from suspense when it was held there)."""
    apply_from_suspense(
        session,
        item=it,
        loan=loan,
        amount=amount,
        business_date=posted,
        received_date=received,
        terms=TERMS,
    )


def nightly(session: Session, on: date) -> None:
    assess_late_fees(session, business_date=on, percent=TERMS.percent, cap=TERMS.cap)


def loan_due(session: Session, due: date) -> Loan:
    return add_loan(
        session,
        account_number=f"7700{next(_n):06d}",
        next_due_date=due,
        interest_paid_to=due - timedelta(days=30),
    )


def test_paid_on_day_22_in_the_first_run_after_import_is_charged_once(database: Database) -> None:
    """'An installment still unpaid when grace ends is charged once, even if the same run posts
    the payment': due Nov 13, received Nov 24, posted by the first run (business date Nov 24)."""
    with database.session() as s:
        loan = loan_due(s, date(2026, 11, 13))
        pay(
            s,
            item(s, date(2026, 11, 24)),
            loan,
            D("412.50"),
            posted=date(2026, 11, 24),
            received=date(2026, 11, 24),
        )
        nightly(s, date(2026, 11, 24))
        nightly(s, date(2026, 11, 25))
        assert loan.late_fees_assessed == D("20.63")
        # fees come first in the waterfall: 391.87 is short of the installment, which stays due
        assert loan.fees_due == D("0.00") and loan.installment_credit == D("391.87")
        assert loan.next_due_date == date(2026, 11, 13)


def test_the_same_loan_paid_the_night_after_a_run_ends_the_same(database: Database) -> None:
    """The answer does not depend on which night we ran."""
    ends = []
    for run_the_night_before in (False, True):
        with database.session() as s:
            loan = loan_due(s, date(2026, 11, 13))
            if run_the_night_before:
                nightly(s, date(2026, 11, 24))
            pay(
                s,
                item(s, date(2026, 11, 25)),
                loan,
                D("412.50"),
                posted=date(2026, 11, 25),
                received=date(2026, 11, 24),
            )
            nightly(s, date(2026, 11, 25))
            ends.append(
                (loan.late_fees_assessed, loan.fees_due, loan.next_due_date, loan.principal_balance)
            )
    assert ends[0] == ends[1]


def test_a_payment_received_in_grace_and_resolved_after_it_is_not_charged(
    database: Database,
) -> None:
    """'A payment received within the grace period is never charged a fee', even when a clerk
    resolves it after the nightly pass charged one: the fee is waived with a reversing entry."""
    with database.session() as s:
        loan = loan_due(s, date(2026, 11, 1))
        held = item(s, date(2026, 11, 10))
        post_to_suspense(s, item=held, amount=D("412.50"), business_date=date(2026, 11, 10))
        nightly(s, date(2026, 11, 12))  # the pass sees the installment unpaid past grace
        assert loan.late_fees_assessed == D("20.63")
        pay(s, held, loan, D("412.50"), posted=date(2026, 11, 14), received=date(2026, 11, 10))
        nightly(s, date(2026, 11, 14))
        assert loan.late_fees_assessed == D("0.00") and loan.fees_due == D("0.00")
        assert loan.next_due_date == date(2026, 12, 1)
        assert trial_balance(s)[FEES_RECEIVABLE] == D("0.00")


def test_a_short_payment_in_grace_leaves_the_fee(database: Database) -> None:
    """A payment that did not cover the installment left it unpaid when grace ended."""
    with database.session() as s:
        loan = loan_due(s, date(2026, 11, 1))
        held = item(s, date(2026, 11, 10))
        post_to_suspense(s, item=held, amount=D("100.00"), business_date=date(2026, 11, 10))
        nightly(s, date(2026, 11, 12))
        pay(s, held, loan, D("100.00"), posted=date(2026, 11, 14), received=date(2026, 11, 10))
        assert loan.late_fees_assessed == D("20.63")


def test_a_returned_late_check_leaves_the_fee_that_was_due_when_it_came(database: Database) -> None:
    """'A reversal (NSF) restores exactly what the payment had settled': the installment was
    late on the day the check came, so its fee stands, once; the payment's money comes back."""
    from lockbox.reversals import reverse_payment

    with database.session() as s:
        loan = loan_due(s, date(2026, 11, 13))
        paid = item(s, date(2026, 11, 24))
        pay(s, paid, loan, D("412.50"), posted=date(2026, 11, 24), received=date(2026, 11, 24))
        reverse_payment(s, item=paid, business_date=date(2026, 11, 26), reason="NSF")
        nightly(s, date(2026, 11, 26))
        assert loan.fees_due == D("20.63") and loan.late_fees_assessed == D("20.63")
        assert loan.next_due_date == date(2026, 11, 13)
        assert loan.installment_credit == D("0.00")


def test_no_fee_is_above_the_contracts_maximum(database: Database) -> None:
    """'Never above LOCKBOX_LATE_FEE_CAP or the contract's': the loan book's late_fee_max caps the
    fee the nightly pass charges and the one charged as a late payment posts."""
    with database.session() as s:
        by_pass = loan_due(s, date(2026, 11, 1))
        by_posting = loan_due(s, date(2026, 11, 1))
        by_pass.late_fee_max = by_posting.late_fee_max = D("15.00")
        pay(
            s,
            item(s, date(2026, 11, 12)),
            by_posting,
            D("412.50"),
            posted=date(2026, 11, 12),
            received=date(2026, 11, 12),
        )
        assert by_posting.late_fees_assessed == D("15.00")
        nightly(s, date(2026, 11, 12))
        assert by_pass.late_fees_assessed == D("15.00")
        assert by_posting.late_fees_assessed == D("15.00")  # once
