"""A check returned unpaid after it posted (NSF): undo the payment as if the check had never come.

The ledger gets a reversing entry (never an edit): Dr every bucket the payment now fills, Cr the
account it was paid from (cash; or suspense, whose own entry is reversed too), so the item's cash
nets to zero. The loan is then replayed from the loan book through its other payments in the order
received (lockbox.replay), as if this check had never come: later payments are re-applied through
the waterfall, because their split depended on this one (less principal paid means more interest
owed), and a late fee waived because this check paid an installment in time is charged again.
Each re-applied payment whose split changes gets a reallocation entry moving money between
buckets; its cash is not touched, so every posted item's cash is still debited exactly once. No
NSF fee is charged.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from lockbox.config import load_settings
from lockbox.ledger import (
    KIND_APPLY,
    KIND_REVERSAL,
    KIND_SUSPENSE,
    LedgerError,
    bucket_amounts,
    credit,
    debit,
    find_entry,
    lock_loan,
    post_entry,
    reverse_entry,
)
from lockbox.models import AuditEvent, Item, LedgerEntry, Loan, Payment
from lockbox.money import mask, money
from lockbox.replay import LoanHistory, ensure_origin
from lockbox.servicing import ServicingTerms

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


def reverse_payment(
    session: Session,
    *,
    item: Item,
    business_date: date,
    reason: str,
    by: str = "system",
    terms: ServicingTerms | None = None,
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
    loan = lock_loan(session, session.get_one(Loan, payment.loan_id))
    try:
        ensure_origin(session, loan)
    except LedgerError as exc:
        raise ReversalError(str(exc)) from exc
    assert loan.origin is not None
    if payment.entry_id <= int(loan.origin["after_entry"]):
        raise ReversalError(
            f"loan {mask(loan.account_number)} was imported from the loan book after this payment"
            " posted, so its balances are the book's; nothing was changed. Record the returned"
            " check in the servicing core and import the loan book again"
        )
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

    history = LoanHistory(session, loan, terms or ServicingTerms.of(load_settings()))
    reapplied = history.sync(
        cause=nsf,
        business_date=business_date,
        reason=f"item {item.id} was returned unpaid",
    )
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
