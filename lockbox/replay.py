"""A loan as if its payments had been posted in the order they were received.

Payments reach the ledger in whatever order mail, runs and clerks produce: a held payment resolved
days later, or a check returned unpaid (NSF) after later ones posted. Then the loan is replayed
from where the loan book left it (`Loan.origin`) through every payment still standing, in the
order received (lockbox.servicing.replay), and the ledger is brought to that answer with new
entries only: a reallocation for each payment whose split changed, a late fee for an installment
that turns out late, a waiver (reversing entry) for a fee whose installment was paid in time after
all, and a re-charge for a waived fee whose in-time payment was returned. So fees, balances and
next due dates do not depend on the order events came in.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from lockbox.latefees import fee_tip, write_fees
from lockbox.ledger import (
    KIND_REALLOCATION,
    LedgerError,
    Line,
    bucket_amounts,
    credit,
    debit,
    loan_snapshot,
    loan_state,
    post_entry,
    restore_snapshot,
    reverse_entry,
    store_state,
)
from lockbox.models import LateFee, LedgerEntry, Loan, Payment
from lockbox.money import ZERO, money
from lockbox.servicing import (
    CURTAIL,
    LoanState,
    Received,
    Replay,
    ServicingTerms,
    replay,
    state_from_json,
    state_to_json,
)

# The replay key of a payment being posted now: after every standing payment (keys are Payment
# ids), so among payments received the same day it goes last, as it does when posted directly.
NEW = 2**63 - 1
_BUCKETS = ("to_fees", "to_interest", "to_principal", "to_rent", "to_excess")


def origin_record(loan: Loan, state: LoanState, *, after_entry: int) -> dict[str, Any]:
    """What `Loan.origin` keeps: the loan before any payment or fee this ledger wrote after
    entry `after_entry` (those before it the loan book already reflects)."""
    return {
        "state": state_to_json(state),
        "late_fees_assessed": str(money(loan.late_fees_assessed or ZERO)),
        "last_payment_date": (
            loan.last_payment_date.isoformat() if loan.last_payment_date else None
        ),
        "after_entry": after_entry,
    }


def _fee_rows(session: Session, loan: Loan) -> list[LateFee]:
    return list(
        session.scalars(
            select(LateFee).where(LateFee.loan_id == loan.id).order_by(LateFee.entry_id)
        )
    )


def ensure_origin(session: Session, loan: Loan) -> None:
    """Give a loan without one (created before origins were kept) its origin: the loan before its
    first payment, or as it stands when it has none, less the late fees this ledger charged."""
    if loan.origin is not None:
        return
    first = (
        None
        if loan.last_payment_date is None  # a posted payment sets it: none has posted
        else session.scalar(
            select(Payment).where(Payment.loan_id == loan.id).order_by(Payment.entry_id).limit(1)
        )
    )
    rows = _fee_rows(session, loan) if loan.late_fees_assessed or loan.fees_due else []
    in_force = sum((f.amount for f in rows if fee_tip(session, f)[1]), ZERO)
    if first is None:
        state = loan_state(loan)
        charged_before = in_force
    else:
        if first.prior_state is None:
            raise LedgerError(
                f"payment {first.id} has no record of the loan before it, so the loan's payments"
                " cannot be replayed; import the loan book again to start its history anew"
            )
        then = Loan(
            product=loan.product,
            monthly_payment=loan.monthly_payment,
            annual_rate=loan.annual_rate,
        )
        restore_snapshot(then, first.prior_state)
        state = loan_state(then)
        charged_before = sum((f.amount for f in rows if f.entry_id < first.entry_id), ZERO)
    state = replace(state, fees_due=money(state.fees_due - charged_before))
    record = origin_record(loan, state, after_entry=0)
    record["late_fees_assessed"] = str(money((loan.late_fees_assessed or ZERO) - in_force))
    if first is not None and first.prior_state is not None:
        record["last_payment_date"] = first.prior_state["last_payment_date"]
    loan.origin = record


def _standing(session: Session, loan: Loan, after_entry: int) -> list[Payment]:
    """The loan's payments not reversed, posted after the origin."""
    reversed_ids = select(LedgerEntry.reverses_entry_id).where(
        LedgerEntry.reverses_entry_id.is_not(None)
    )
    return list(
        session.scalars(
            select(Payment).where(
                Payment.loan_id == loan.id,
                Payment.entry_id > after_entry,
                Payment.entry_id.not_in(reversed_ids),
            )
        )
    )


def needs_replay(session: Session, loan: Loan, received: date, terms: ServicingTerms) -> bool:
    """True when a payment received on `received` comes before one already applied, or, where
    overpayments curtail principal, the same day as one (the day's payments share one limit)."""
    last = loan.last_payment_date
    if last is None or received > last:
        return False
    if received == last and terms.overpayment != CURTAIL:
        return False
    since = (
        Payment.received_date >= received if received == last else Payment.received_date > received
    )
    found = select(Payment.id).where(Payment.loan_id == loan.id, since)
    return session.scalar(found.limit(1)) is not None


class LoanHistory:
    """A loan's origin, standing payments and late fees, replayed (with one more payment, when
    given) and then written back with `sync`."""

    def __init__(
        self,
        session: Session,
        loan: Loan,
        terms: ServicingTerms,
        new: Received | None = None,
    ):
        ensure_origin(session, loan)
        assert loan.origin is not None
        self.session, self.loan, self.terms = session, loan, terms
        self.after_entry = int(loan.origin["after_entry"])
        self.payments = {p.id: p for p in _standing(session, loan, self.after_entry)}
        self.fees = _fee_rows(session, loan)
        charged = {
            f.installment_due_date: (money(f.amount) if f.entry_id > self.after_entry else ZERO)
            for f in self.fees
        }
        received = [
            Received(p.id, p.received_date, money(p.amount)) for p in self.payments.values()
        ]
        if new is not None:
            received.append(new)
        self.result: Replay = replay(
            state_from_json(loan.origin["state"]),
            received,
            fee=terms.late_fee(loan.monthly_payment, loan.late_fee_max),
            grace_days=terms.grace_days,
            charged=charged,
            overpayment=terms.overpayment,
        )

        # the last payment date before each payment, in the order received, and after them all
        origin_last = loan.origin["last_payment_date"]
        last = date.fromisoformat(origin_last) if origin_last else None
        self.last_before: dict[int, date | None] = {}
        for key in self.result.before:
            self.last_before[key] = last
            came = (
                new.received
                if new is not None and key == new.key
                else self.payments[key].received_date
            )
            last = max(last, came) if last else came
        self.last = last

    def snapshot_before(self, key: int) -> dict[str, Any]:
        """The loan as it stood just before payment `key`, in the order received."""
        return _snapshot(self.loan, self.result.before[key], self.last_before[key])

    def sync(self, *, cause: LedgerEntry, business_date: date, reason: str) -> list[int]:
        """Bring the ledger, the payments and the loan to the replay; returns the items whose
        payments were re-applied with a different split. `cause` is the entry that set it off."""
        session, loan, result = self.session, self.loan, self.result
        assert loan.origin is not None
        changed: list[int] = []
        for key, alloc in result.allocations.items():
            payment = self.payments.get(key)
            if payment is None:  # the payment being posted now: its entry carries its split
                continue
            before = bucket_amounts(loan, payment)
            for name in _BUCKETS:
                setattr(payment, name, getattr(alloc, name))
            payment.months_advanced = alloc.months_advanced
            payment.prior_state = self.snapshot_before(key)
            lines = _difference(loan, before, bucket_amounts(loan, alloc))
            if lines:
                post_entry(
                    session,
                    key=f"{KIND_REALLOCATION}:{cause.id}:payment:{payment.id}",
                    kind=KIND_REALLOCATION,
                    business_date=business_date,
                    lines=lines,
                    loan_id=loan.id,
                    item_id=payment.item_id,
                    memo=f"payment on item {payment.item_id} re-applied: {reason}",
                )
                changed.append(payment.item_id)
        self._sync_fees(business_date)
        store_state(loan, result.state)
        loan.late_fees_assessed = money(
            Decimal(loan.origin["late_fees_assessed"]) + sum(result.fees.values(), ZERO)
        )
        loan.last_payment_date = self.last
        session.flush()
        return changed

    def _sync_fees(self, business_date: date) -> None:
        session, loan, wanted = self.session, self.loan, self.result.fees
        have = {f.installment_due_date: f for f in self.fees}
        for fee in self.fees:
            if fee.entry_id <= self.after_entry:
                continue
            tip, in_force = fee_tip(session, fee)
            due = fee.installment_due_date.isoformat()
            if in_force and fee.installment_due_date not in wanted:
                reverse_entry(
                    session,
                    tip,
                    business_date=business_date,
                    reason=f"late fee waived: the installment due {due} was paid within its"
                    " grace period",
                )
            elif not in_force and fee.installment_due_date in wanted:
                reverse_entry(
                    session,
                    tip,
                    business_date=business_date,
                    reason=f"late fee charged again: the installment due {due} is unpaid past"
                    " its grace period after a payment was returned",
                )
        new = [(loan.id, due, amount) for due, amount in sorted(wanted.items()) if due not in have]
        if new:
            write_fees(session, new, business_date, self.terms.grace_days)


def _difference(loan: Loan, before: dict[str, Decimal], after: dict[str, Decimal]) -> list[Line]:
    """The lines that move a payment's money from its old buckets to its new ones."""
    lines: list[Line] = []
    for account in sorted(before.keys() | after.keys()):
        change = after.get(account, ZERO) - before.get(account, ZERO)
        if change > 0:
            lines.append(credit(account, change, loan.id))
        elif change < 0:
            lines.append(debit(account, -change, loan.id))
    return lines


def _snapshot(loan: Loan, state: LoanState, last_payment: date | None) -> dict[str, Any]:
    """`loan_snapshot` of the loan as it stood in `state`."""
    then = Loan(product=loan.product, last_payment_date=last_payment)
    store_state(then, state)
    return loan_snapshot(then)
