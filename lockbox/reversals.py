"""A check returned unpaid after it posted (NSF): undo the payment as if the check had never come.

The ledger gets a reversing entry (never an edit): Dr every bucket the payment now fills, Cr the
account it was paid from (cash; or suspense, whose own entry is reversed too), so the item's cash
nets to zero. The loan is put back as it stood just before the payment (Payment.prior_state),
and whatever happened to the loan since is replayed in order: late fees are added back, and later
payments are re-applied through the waterfall, because their split depended on this one (less
principal paid means more interest owed). Each re-applied payment whose split changes gets a
reallocation entry moving money between buckets; its cash is not touched, so every posted item's
cash is still debited exactly once. No NSF fee is charged.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from lockbox.ledger import (
    KIND_APPLY,
    KIND_REALLOCATION,
    KIND_REVERSAL,
    KIND_SUSPENSE,
    LedgerError,
    Line,
    bucket_amounts,
    credit,
    debit,
    find_entry,
    loan_snapshot,
    loan_state,
    lock_loan,
    post_entry,
    restore_snapshot,
    reverse_entry,
    store_state,
)
from lockbox.models import AuditEvent, Item, LateFee, LedgerEntry, Loan, Payment
from lockbox.money import ZERO, mask, money
from lockbox.servicing import ServicingError, apply_payment

RETURNED = "returned"
CHARGED_OFF = "charged_off"


class ReversalError(LedgerError):
    """A payment cannot be reversed as asked; the message says why and what to do."""


class ItemNotPostedError(ReversalError):
    """The item never posted to a loan, so there is no payment to reverse."""


def _reversal_key(entry_id: int) -> str:
    return f"{KIND_REVERSAL}:{entry_id}"


def _payment_for(session: Session, item: Item) -> Payment:
    session.flush()
    payment = session.scalar(select(Payment).where(Payment.item_id == item.id))
    if payment is None:
        raise ItemNotPostedError(
            f"item {item.id} is {item.status} and was never posted to a loan, so there is no"
            " payment to reverse; an exception item is rejected instead (lockbox review reject)"
        )
    return payment


def _source_account(entry: LedgerEntry) -> str:
    """The account the payment was paid from: its one debit line (cash or suspense)."""
    debits = [line.gl_account for line in entry.lines if line.debit > 0]
    if len(debits) != 1:  # pragma: no cover - every payment entry is written with one debit
        raise ReversalError(f"payment entry {entry.id} has {len(debits)} debit lines, not one")
    return debits[0]


def _later_events(session: Session, payment: Payment) -> list[Payment | LateFee]:
    """Everything applied to the loan after `payment`, in the order it happened (entry order).

    Payments already reversed are left out: they are no longer on the loan.
    """
    reversed_ids = select(LedgerEntry.reverses_entry_id).where(
        LedgerEntry.reverses_entry_id.is_not(None)
    )
    payments = session.scalars(
        select(Payment).where(
            Payment.loan_id == payment.loan_id,
            Payment.entry_id > payment.entry_id,
            Payment.entry_id.not_in(reversed_ids),
        )
    ).all()
    fees = session.scalars(
        select(LateFee).where(
            LateFee.loan_id == payment.loan_id, LateFee.entry_id > payment.entry_id
        )
    ).all()
    return sorted([*payments, *fees], key=lambda event: event.entry_id)


def _reapply(
    session: Session, loan: Loan, later: Payment, *, nsf: LedgerEntry, business_date: date
) -> bool:
    """Re-apply a later payment to the loan as it now stands; True when its split changed.

    The ledger moves only the difference between the old and new split (a reallocation entry).
    """
    before = bucket_amounts(loan, later)
    later.prior_state = loan_snapshot(loan)
    try:
        alloc = apply_payment(loan_state(loan), money(later.amount), later.received_date)
    except ServicingError as exc:  # pragma: no cover - the loan was active when it first posted
        raise ReversalError(
            f"payment {later.id} (item {later.item_id}) could not be re-applied: {exc}"
        ) from exc
    store_state(loan, alloc.state)
    if loan.last_payment_date is None or later.received_date > loan.last_payment_date:
        loan.last_payment_date = later.received_date
    for name in ("to_fees", "to_interest", "to_principal", "to_rent", "to_excess"):
        setattr(later, name, getattr(alloc, name))
    later.months_advanced = alloc.months_advanced
    after = bucket_amounts(loan, alloc)
    lines: list[Line] = []
    for account in sorted(before.keys() | after.keys()):
        change = after.get(account, ZERO) - before.get(account, ZERO)
        if change > 0:
            lines.append(credit(account, change, loan.id))
        elif change < 0:
            lines.append(debit(account, -change, loan.id))
    if not lines:
        return False
    post_entry(
        session,
        key=f"{KIND_REALLOCATION}:{nsf.id}:payment:{later.id}",
        kind=KIND_REALLOCATION,
        business_date=business_date,
        lines=lines,
        loan_id=loan.id,
        item_id=later.item_id,
        memo=f"payment on item {later.item_id} re-applied after item {nsf.item_id} was returned",
    )
    return True


def reverse_payment(
    session: Session, *, item: Item, business_date: date, reason: str, by: str = "system"
) -> LedgerEntry:
    """Reverse a posted item's payment (an NSF or otherwise returned check); item 'returned'.

    Returns the reversing entry. Idempotent: an item already reversed returns that entry and
    changes nothing. Raises ItemNotPostedError for an item that never posted, ReversalError
    without a reason. Leaves an audit event naming `by`.
    """
    payment = _payment_for(session, item)
    done = find_entry(session, _reversal_key(payment.entry_id))
    if done is not None:
        return done
    if not reason.strip():
        raise ReversalError("give a reason for returning the check (for example 'NSF')")
    if payment.prior_state is None:
        raise ReversalError(
            f"payment {payment.id} has no record of the loan before it, so it cannot be undone"
            " automatically; post a correcting entry by hand"
        )
    loan = lock_loan(session, session.get_one(Loan, payment.loan_id))
    if loan.status == CHARGED_OFF:  # set by a loan-book import, which a replay knows nothing of
        raise ReversalError(
            f"loan {mask(loan.account_number)} is charged off, so the returned check cannot be"
            " undone on it automatically; nothing was changed. Record it against the charge-off"
            " with a correcting entry"
        )
    original = session.get_one(LedgerEntry, payment.entry_id)
    source = _source_account(original)
    amount = money(payment.amount)
    lines = [
        debit(account, value, loan.id) for account, value in bucket_amounts(loan, payment).items()
    ]
    nsf = post_entry(
        session,
        key=_reversal_key(original.id),
        kind=KIND_REVERSAL,
        business_date=business_date,
        lines=[*lines, credit(source, amount, loan.id)],
        loan_id=loan.id,
        item_id=item.id,
        memo=f"returned check, ${amount} to loan {mask(loan.account_number)}: {reason}",
        reverses=original,
    )
    if original.kind == KIND_APPLY:  # the money came through suspense: take it out of cash too
        held = find_entry(session, f"{KIND_SUSPENSE}:item:{item.id}")
        if held is not None and find_entry(session, _reversal_key(held.id)) is None:
            reverse_entry(session, held, business_date=business_date, reason=f"returned: {reason}")

    events = _later_events(session, payment)
    restore_snapshot(loan, payment.prior_state)
    reapplied: list[int] = []
    for event in events:
        if isinstance(event, LateFee):
            loan.fees_due = money(loan.fees_due + event.amount)
        elif _reapply(session, loan, event, nsf=nsf, business_date=business_date):
            reapplied.append(event.item_id)

    item.status = RETURNED
    item.decided_at = datetime.now(UTC)
    session.add(
        AuditEvent(
            actor=by,
            action="reverse_payment",
            item_id=item.id,
            loan_id=loan.id,
            details={
                "reason": reason,
                "amount": str(amount),
                "entry": nsf.id,
                "reapplied_items": reapplied,
            },
        )
    )
    session.flush()
    return nsf
