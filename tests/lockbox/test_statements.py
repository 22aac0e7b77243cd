"""`lockbox loans show`: the statement a clerk reads, never showing a full account number."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from lockbox.db import Database
from lockbox.latefees import assess_late_fees
from lockbox.ledger import post_payment
from lockbox.models import AuditEvent, Batch, Item, Loan
from lockbox.statements import UnknownLoanError, render_statement
from tests.factories import make_loan

pytestmark = pytest.mark.usefixtures("no_late_fees_at_posting")

D = Decimal
ACCOUNT = "400123456789"


def seed(s: Session, product: str = "retail") -> Loan:
    loan = make_loan(
        account_number=ACCOUNT,
        borrower_name="Maria Delgado",
        co_borrower_name="Luis Delgado",
        product=product,
        next_due_date=date(2026, 10, 1),
        annual_rate=D("0.0699") if product == "retail" else None,
        interest_paid_to=date(2026, 9, 1),
    )
    batch = Batch(site="dallas", name="20261117-01", business_date=date(2026, 11, 17))
    item = Item(
        batch=batch,
        source_file="dallas/20261117-01/0001.tif",
        page=1,
        status="exception",
        business_date=date(2026, 11, 17),
    )
    s.add_all([loan, item])
    s.flush()
    assess_late_fees(s, business_date=date(2026, 10, 20), percent=D("5"), cap=None)
    post_payment(
        s,
        item=item,
        loan=loan,
        amount=D("500.00"),
        business_date=date(2026, 11, 17),
        received_date=date(2026, 11, 16),
    )
    s.add(
        AuditEvent(
            actor="jdoe",
            action="review_resolve",
            item_id=item.id,
            loan_id=loan.id,
            details={"loan_account": ACCOUNT, "note": f"customer called from {ACCOUNT}"},
        )
    )
    s.flush()
    return loan


def test_statement_shows_balances_payments_fees_and_audit(database: Database) -> None:
    with database.session() as s:
        seed(s)
        text = render_statement(s, ACCOUNT, as_of=date(2026, 11, 17))
    assert ACCOUNT not in text
    assert "********6789" in text.splitlines()[0]
    assert "Maria Delgado and Luis Delgado" in text
    assert "retail installment loan, active" in text
    # fee $20.63 first; 76 days' interest on $15,000 at 6.99% is $218.32; the rest to principal
    assert "Principal" in text and "14738.95" in text
    assert "2026-11-16" in text and "500.00" in text and "20.63" in text and "218.32" in text
    assert "Late fees (1)" in text and "installment due 2026-10-01" in text
    assert "Audit events (1)" in text and "jdoe: review_resolve" in text
    # $479.37 to interest and principal covers one $412.50 installment; $66.87 carried
    assert "2026-11-01" in text and "66.87" in text


def test_lease_statement(database: Database) -> None:
    with database.session() as s:
        seed(s, product="lease")
        text = render_statement(s, "4001-2345-6789", as_of=date(2026, 11, 17))
    assert "lease, active" in text and "Lease balance" in text and "Prepaid" in text
    assert "rent" in text and "Interest to" not in text


def test_unknown_account_says_what_to_do(database: Database) -> None:
    with database.session() as s, pytest.raises(UnknownLoanError) as err:
        render_statement(s, "999988887777")
    message = str(err.value)
    assert "7777" in message and "999988887777" not in message
    assert "import the loan book" in message


@pytest.mark.parametrize(
    ("setting", "says"),
    [("pay_ahead", "pays the next installments"), ("principal", "reduces the principal")],
)
def test_the_statement_says_what_paying_more_does(
    database: Database, monkeypatch: pytest.MonkeyPatch, setting: str, says: str
) -> None:
    """The overpayment setting (LOCKBOX_OVERPAYMENT) is 'shown on the statement'."""
    monkeypatch.setenv("LOCKBOX_OVERPAYMENT", setting)
    with database.session() as s:
        seed(s)
        text = render_statement(s, ACCOUNT, as_of=date(2026, 11, 17))
    assert says in text.split("Paying more", 1)[1].splitlines()[0]
