"""The nightly late-fee pass: one fee per installment still unpaid after the grace period.

Idempotent by construction: a LateFee row is unique per loan and installment due date (and its
ledger entry per idempotency key), so running the pass twice for a day, or on consecutive days,
charges each late installment once. Only loans that can be late are read (active, and
next_due_date before business_date - grace_days), so a large, mostly current book costs one query.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from lockbox.ledger import (
    FEES_RECEIVABLE,
    KIND_LATE_FEE,
    LATE_FEE_INCOME,
    build_entry,
    credit,
    debit,
)
from lockbox.models import LateFee, Loan
from lockbox.money import ZERO, money
from lockbox.servicing import ACTIVE, late_fee_amount, late_installments


def late_fee_key(loan_id: int, installment_due_date: date) -> str:
    """The idempotency key of the ledger entry for one late fee."""
    return f"{KIND_LATE_FEE}:loan:{loan_id}:{installment_due_date.isoformat()}"


def assess_late_fees(
    session: Session,
    *,
    business_date: date,
    percent: Decimal,
    cap: Decimal | None,
    grace_days: int = 10,
) -> list[LateFee]:
    """Charge each active loan one fee per late installment: Dr fees_receivable, Cr late_fee_income.

    An installment is late when due + grace_days < business_date (lockbox.servicing
    .late_installments). A payment received within the grace period advanced next_due_date, so that
    installment is never charged. The fee is `percent` per cent of the monthly payment, at most
    `cap`. Adds to the loan's fees_due and late_fees_assessed; returns only the fees written now.
    """
    cutoff = business_date - timedelta(days=grace_days)
    late = and_(Loan.status == ACTIVE, Loan.next_due_date < cutoff)
    loans = session.scalars(select(Loan).where(late).order_by(Loan.id)).all()
    if not loans:
        return []
    charged = set(
        session.execute(
            select(LateFee.loan_id, LateFee.installment_due_date)
            .join(Loan, Loan.id == LateFee.loan_id)
            .where(late, LateFee.installment_due_date >= Loan.next_due_date)
        ).tuples()
    )
    fees: list[LateFee] = []
    for loan in loans:
        fee = late_fee_amount(loan.monthly_payment, percent, cap)
        if fee <= ZERO:
            continue
        for due in late_installments(loan.next_due_date, business_date, grace_days, loan.due_day):
            if (loan.id, due) in charged:
                continue
            entry = build_entry(
                key=late_fee_key(loan.id, due),
                kind=KIND_LATE_FEE,
                business_date=business_date,
                lines=[debit(FEES_RECEIVABLE, fee), credit(LATE_FEE_INCOME, fee)],
                loan_id=loan.id,
                item_id=None,
                memo=f"late fee: installment due {due.isoformat()} unpaid after {grace_days} days",
                reverses_entry_id=None,
            )
            fees.append(
                LateFee(
                    loan_id=loan.id,
                    installment_due_date=due,
                    assessed_on=business_date,
                    amount=fee,
                    entry=entry,
                )
            )
            loan.fees_due = money(loan.fees_due + fee)
            loan.late_fees_assessed = money(loan.late_fees_assessed + fee)
    session.add_all(fees)
    session.flush()
    return fees
