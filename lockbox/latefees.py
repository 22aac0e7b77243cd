"""The nightly late-fee pass: one fee per installment still unpaid after the grace period.

Idempotent by construction: a LateFee row is unique per loan and installment due date (and its
ledger entry per idempotency key), so running the pass twice for a day, or on consecutive days,
charges each late installment once. Only loans that can be late are read (active, and
next_due_date before business_date - grace_days), so a large, mostly current book costs one query.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from typing import cast

from sqlalchemy import Table, and_, bindparam, insert, select, update
from sqlalchemy.orm import Session

from lockbox.dates import add_months
from lockbox.ledger import (
    FEES_RECEIVABLE,
    KIND_LATE_FEE,
    LATE_FEE_INCOME,
    Line,
    check_lines,
    credit,
    debit,
    find_entry,
    loan_state,
    reverse_entry,
)
from lockbox.models import LateFee, LedgerEntry, LedgerLine, Loan, Money
from lockbox.money import ZERO, money
from lockbox.servicing import (
    ACTIVE,
    ServicingTerms,
    apply_payment,
    late_fee_amount,
    late_installments,
)


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

    Written with bulk statements (not one ORM object at a time) so a book with tens of thousands of
    late installments takes seconds; Loan objects already in the session are expired to reload.
    """
    session.flush()
    cutoff = business_date - timedelta(days=grace_days)
    late = and_(Loan.status == ACTIVE, Loan.next_due_date < cutoff)
    loans = session.execute(
        select(Loan.id, Loan.next_due_date, Loan.due_day, Loan.monthly_payment, Loan.late_fee_max)
        .where(late)
        .order_by(Loan.id)
    ).all()
    if not loans:
        return []
    charged = set(
        session.execute(
            select(LateFee.loan_id, LateFee.installment_due_date)
            .join(Loan, Loan.id == LateFee.loan_id)
            .where(late, LateFee.installment_due_date >= Loan.next_due_date)
        ).tuples()
    )
    due_fees: list[tuple[int, date, Decimal]] = []
    for loan_id, next_due, due_day, monthly, contract_max in loans:
        fee = late_fee_amount(monthly, percent, cap, contract_max)
        if fee <= ZERO:
            continue
        for due in late_installments(next_due, business_date, grace_days, due_day):
            if (loan_id, due) not in charged:
                due_fees.append((loan_id, due, fee))
    if not due_fees:
        return []
    return write_fees(session, due_fees, business_date, grace_days)


def write_fees(
    session: Session,
    due_fees: list[tuple[int, date, Decimal]],
    business_date: date,
    grace_days: int,
) -> list[LateFee]:
    """Insert the entries, their lines and the LateFee rows, and add the fees to the loans."""
    for loan_id, due, fee in due_fees:  # same checks as every other entry
        check_lines(late_fee_key(loan_id, due), _lines(fee))
    entry_ids = session.scalars(
        insert(LedgerEntry).returning(LedgerEntry.id, sort_by_parameter_order=True),
        [
            dict(
                idempotency_key=late_fee_key(loan_id, due),
                kind=KIND_LATE_FEE,
                business_date=business_date,
                loan_id=loan_id,
                memo=f"late fee: installment due {due.isoformat()} unpaid after {grace_days} days",
            )
            for loan_id, due, _ in due_fees
        ],
    ).all()
    lines = []
    for entry_id, (loan_id, _, fee) in zip(entry_ids, due_fees, strict=True):
        lines += [
            dict(
                entry_id=entry_id,
                loan_id=loan_id,
                gl_account=line.gl_account,
                debit=line.debit,
                credit=line.credit,
            )
            for line in _lines(fee)
        ]
    session.execute(insert(LedgerLine), lines)
    fees = session.scalars(
        insert(LateFee).returning(LateFee, sort_by_parameter_order=True),
        [
            dict(
                loan_id=loan_id,
                installment_due_date=due,
                assessed_on=business_date,
                amount=fee,
                entry_id=entry_id,
            )
            for entry_id, (loan_id, due, fee) in zip(entry_ids, due_fees, strict=True)
        ],
    ).all()
    totals: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for loan_id, _, fee in due_fees:
        totals[loan_id] += fee
    loans = cast(Table, Loan.__table__)
    session.execute(
        update(loans)
        .where(loans.c.id == bindparam("loan_id"))
        .values(
            fees_due=loans.c.fees_due + bindparam("fee", type_=Money),
            late_fees_assessed=loans.c.late_fees_assessed + bindparam("fee", type_=Money),
        ),
        [{"loan_id": loan_id, "fee": money(total)} for loan_id, total in totals.items()],
    )
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Loan) and obj.id in totals:
            session.expire(obj, ["fees_due", "late_fees_assessed", "updated_at"])
    return list(fees)


def _lines(fee: Decimal) -> list[Line]:
    return [debit(FEES_RECEIVABLE, fee), credit(LATE_FEE_INCOME, fee)]


def fee_tip(session: Session, fee: LateFee) -> tuple[LedgerEntry, bool]:
    """The last entry in a fee's chain (its charge, a waiver, a re-charge, ...) and whether the
    fee is in force: each waiver or re-charge reverses the entry before it."""
    tip, in_force = fee.entry, True
    while (after := find_entry(session, f"reversal:{tip.id}")) is not None:
        tip, in_force = after, not in_force
    return tip, in_force


def settle_fees_as_received(
    session: Session,
    loan: Loan,
    *,
    amount: Decimal,
    received_date: date,
    business_date: date,
    terms: ServicingTerms,
) -> Decimal:
    """Make the loan's fees what they were on the day a payment was received, before it is applied;
    returns the fees charged since that day (on installments not yet late then), which the
    payment must not pay first: on the day it came they were not owed.

    A payment counts as of the date it was received, whenever a run or a clerk gets to it: an
    installment already unpaid past its grace period on that date is charged (once: the fee the
    nightly pass would have charged the evening before), and a fee charged on an installment this
    payment reached within its grace period (held for review while the pass ran) is waived, with
    a reversing entry: the borrower paid in time, the delay was ours.
    """
    if loan.status != ACTIVE:
        return ZERO
    grace = timedelta(days=terms.grace_days)
    if loan.late_fees_assessed <= ZERO and received_date <= loan.next_due_date + grace:
        return ZERO  # never charged, and not late on the day it came: nothing to settle
    fees = list(
        session.scalars(
            select(LateFee)
            .where(LateFee.loan_id == loan.id, LateFee.installment_due_date >= loan.next_due_date)
            .order_by(LateFee.installment_due_date)
        )
    )
    in_time = [
        f
        for f in fees
        if received_date <= f.installment_due_date + grace and fee_tip(session, f)[1]
    ]
    waived = _waive_reached(
        session, loan, in_time, amount, received_date, business_date, terms.overpayment
    )
    charged = {f.installment_due_date for f in fees}
    fee = terms.late_fee(loan.monthly_payment, loan.late_fee_max)
    if fee > ZERO:
        late = late_installments(loan.next_due_date, received_date, terms.grace_days, loan.due_day)
        due_fees = [(loan.id, due, fee) for due in late if due not in charged]
        if due_fees:
            write_fees(session, due_fees, business_date, terms.grace_days)
    return money(sum((f.amount for f in in_time if f.id not in waived), ZERO))


def _waive_reached(
    session: Session,
    loan: Loan,
    in_time: list[LateFee],
    amount: Decimal,
    received_date: date,
    business_date: date,
    overpayment: str,
) -> set[int]:
    """Waive the fees on the installments in `in_time` that the payment, applied without them,
    covers: those were paid within their grace period. Returns the waived fees' ids."""
    if not in_time:
        return set()
    state = loan_state(loan)
    suspect = sum((f.amount for f in in_time), ZERO)
    without = replace(state, fees_due=max(ZERO, state.fees_due - suspect))
    months = apply_payment(without, amount, received_date, overpayment).months_advanced
    anchor = state.anchor_day
    reached = {add_months(state.next_due_date, k, anchor) for k in range(months)}
    waived = ZERO
    ids: set[int] = set()
    for fee in in_time:
        if fee.installment_due_date not in reached:
            continue
        ids.add(fee.id)
        reverse_entry(
            session,
            fee_tip(session, fee)[0],
            business_date=business_date,
            reason=(
                f"late fee waived: the installment due {fee.installment_due_date.isoformat()} was"
                f" paid on {received_date.isoformat()}, within its grace period"
            ),
        )
        waived += fee.amount
    if waived > ZERO:
        loan.fees_due = money(loan.fees_due - waived)
        loan.late_fees_assessed = money(loan.late_fees_assessed - waived)
        session.flush()
    return ids
