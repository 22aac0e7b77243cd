"""Builders for the rows and readings tests set up again and again: a loan, a clean check's Capture.

Each gives a sensible default (a current retail loan; a clean check that posts to it) and takes
keyword overrides for whatever a test cares about:

    from tests.factories import add_loan, make_capture, make_loan
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from lockbox.capture import Capture
from lockbox.models import Loan

ACCOUNT = "4410023981"
BORROWER = "Maria Gonzalez"


def loan_values(**overrides: Any) -> dict[str, Any]:
    """The columns of a current retail loan (paid through November), with `overrides` applied."""
    values: dict[str, Any] = dict(
        account_number=ACCOUNT,
        borrower_name=BORROWER,
        product="retail",
        status="active",
        monthly_payment=Decimal("412.50"),
        next_due_date=date(2026, 12, 1),
        principal_balance=Decimal("15000.00"),
        annual_rate=Decimal("0.0699"),
        fees_due=Decimal("0.00"),
        interest_paid_to=date(2026, 11, 1),
    )
    values.update(overrides)
    return values


def make_loan(**overrides: Any) -> Loan:
    """A Loan row, not yet added to any session."""
    return Loan(**loan_values(**overrides))


def add_loan(session: Session, **overrides: Any) -> Loan:
    """A Loan row added to `session` and flushed (so it has its id)."""
    loan = make_loan(**overrides)
    session.add(loan)
    session.flush()
    return loan


def make_capture(serial: str = "1001", **overrides: Any) -> Capture:
    """A clean check's reading: every field sure, memo account ACCOUNT, payer BORROWER.

    The source file is dallas/B1/<serial>.tif unless overridden.
    """
    values: dict[str, Any] = dict(
        source_file=f"dallas/B1/{serial}.tif",
        routing="111000025",
        bank_account="123456789",
        serial=serial,
        micr_confidence=0.99,
        courtesy_amount=Decimal("412.50"),
        courtesy_confidence=0.95,
        legal_amount=Decimal("412.50"),
        legal_confidence=0.9,
        check_date=date(2026, 11, 10),
        date_confidence=0.9,
        memo_account=ACCOUNT,
        memo_confidence=0.9,
        payer=BORROWER,
        payer_confidence=0.9,
    )
    values.update(overrides)
    return Capture(**values)
