"""Builders for the rows and readings tests set up again and again: a loan, a clean check's Capture,
a line as the recognizer read it.

Each gives a sensible default (a current retail loan; a clean check that posts to it) and takes
keyword overrides for whatever a test cares about:

    from tests.factories import add_loan, make_capture, make_loan, recognition_of
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from lockbox.capture import Capture
from lockbox.models import Loan
from ocr.recognizer import Recognition

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


RECOGNITION_CHARSET = (
    " 0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ$,.*/-#&'"  # the model's
)


def recognition_of(text: str, doubt: dict[int, tuple[str, float]] | None = None) -> Recognition:
    """A recognizer read of `text` built frame by frame (each symbol, then a blank): sure of every
    symbol except those in `doubt`, which also give another symbol ('' for none: the CTC blank) the
    stated probability."""
    charset = RECOGNITION_CHARSET
    rows = []
    for i, ch in enumerate(text):
        row = np.full(len(charset) + 1, 1e-6)
        other = (doubt or {}).get(i)
        row[charset.index(ch) + 1] = 1.0 - (other[1] if other else 0.0)
        if other:
            row[charset.index(other[0]) + 1 if other[0] else 0] = other[1]
        blank = np.full(len(charset) + 1, 1e-6)
        blank[0] = 1.0
        rows += [row / row.sum(), blank / blank.sum()]
    return Recognition(text, 0.5, 0.5, 0.5, frames=np.array(rows), charset=charset)


def _unsure() -> tuple[float, float]:
    from reconciliation.rules import EXPECTED_FLOOR, MIN_AMOUNT_CONFIDENCE

    span = MIN_AMOUNT_CONFIDENCE - EXPECTED_FLOOR
    return EXPECTED_FLOOR + 0.8 * span, EXPECTED_FLOOR + 0.4 * span


# Two amount confidences under the floor agreeing amounts post at, both over a guess's.
UNSURE = _unsure()
