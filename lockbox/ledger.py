"""Double-entry posting: every movement of money is a balanced, immutable journal entry.

Entries are never edited or deleted; a correction (an NSF check, a mistake) is a reversing entry
that mirrors the original. Each entry carries an idempotency key, and the unique constraint on it is
what keeps a rerun from posting twice: `post_entry` refuses a key that exists with
DuplicateEntryError (which carries the existing entry), so a caller never mistakes a replay for new
money. The higher-level functions (`post_payment`, `post_to_suspense`, ...) are idempotent per item
on their own terms and return what was written the first time. A check returned unpaid after it
posted (NSF) is undone by `lockbox.reversals.reverse_payment`.

On PostgreSQL the database enforces the same rules at COMMIT (migration 0002): an entry whose debits
differ from its credits, or an UPDATE/DELETE of a ledger row, is refused whatever wrote it.

GL accounts (debit-normal balances are positive in `trial_balance`):
cash, suspense (exception items' money until a clerk decides), returned_items (checks to send back),
loan_principal, interest_income, fees_receivable, late_fee_income, lease_receivable, lease_prepaid,
refund_due (a retail payoff's excess, owed to the customer).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lockbox.models import Item, LedgerEntry, LedgerLine, Loan, Payment
from lockbox.money import ZERO, mask, money
from lockbox.servicing import (
    ACTIVE,
    LEASE,
    Allocation,
    LoanNotActiveError,
    LoanState,
    PaymentAmountError,
    Received,
    ServicingTerms,
    apply_payment,
    default_interest_from,
)

CASH = "cash"
SUSPENSE = "suspense"
RETURNED_ITEMS = "returned_items"
LOAN_PRINCIPAL = "loan_principal"
INTEREST_INCOME = "interest_income"
FEES_RECEIVABLE = "fees_receivable"
LATE_FEE_INCOME = "late_fee_income"
LEASE_RECEIVABLE = "lease_receivable"
LEASE_PREPAID = "lease_prepaid"
REFUND_DUE = "refund_due"

GL_ACCOUNTS = (
    CASH,
    SUSPENSE,
    RETURNED_ITEMS,
    LOAN_PRINCIPAL,
    INTEREST_INCOME,
    FEES_RECEIVABLE,
    LATE_FEE_INCOME,
    LEASE_RECEIVABLE,
    LEASE_PREPAID,
    REFUND_DUE,
)

# Entry kinds, as exported in the ledger CSV.
KIND_PAYMENT = "payment"
KIND_SUSPENSE = "suspense"
KIND_APPLY = "apply"
KIND_RETURN = "return"
KIND_LATE_FEE = "late_fee"
KIND_REVERSAL = "reversal"
KIND_REALLOCATION = "reallocation"  # a later payment re-applied after an earlier one was reversed

__all__ = [
    "CASH",
    "FEES_RECEIVABLE",
    "GL_ACCOUNTS",
    "INTEREST_INCOME",
    "LATE_FEE_INCOME",
    "LEASE_PREPAID",
    "LEASE_RECEIVABLE",
    "LOAN_PRINCIPAL",
    "REFUND_DUE",
    "RETURNED_ITEMS",
    "SUSPENSE",
    "DuplicateEntryError",
    "ItemAlreadyPostedError",
    "LedgerError",
    "Line",
    "LoanNotActiveError",
    "PaymentAmountError",
    "UnbalancedEntryError",
    "apply_from_suspense",
    "build_entry",
    "check_lines",
    "credit",
    "debit",
    "find_entry",
    "loan_snapshot",
    "loan_state",
    "post_entry",
    "post_payment",
    "post_to_suspense",
    "return_from_suspense",
    "restore_snapshot",
    "reverse_entry",
    "reverse_payment",
    "suspense_balance",
    "trial_balance",
]


class LedgerError(RuntimeError):
    """Something cannot be posted; the message says what to do."""


class UnbalancedEntryError(LedgerError):
    """An entry's debits and credits differ, or it has no lines: a program error, never posted."""


class DuplicateEntryError(LedgerError):
    """An entry with this idempotency key was written before; `existing` is that entry when known.

    When raised from a failed flush (two writers racing past the pre-check) `existing` is None and
    the transaction must be rolled back; run the step again and it finds the first writer's entry.
    """

    def __init__(self, key: str, existing: LedgerEntry | None, detail: str = ""):
        self.key = key
        self.existing = existing
        where = f" (entry {existing.id})" if existing is not None else ""
        super().__init__(
            f"ledger entry {key!r} was already posted{where}; nothing was posted again{detail}"
        )


class ItemAlreadyPostedError(LedgerError):
    """The item was already applied to a loan (or returned) and cannot be applied differently."""


@dataclass(frozen=True)
class Line:
    """One side of an entry: a debit or a credit to a GL account (optionally for a loan)."""

    gl_account: str
    debit: Decimal = ZERO
    credit: Decimal = ZERO
    loan_id: int | None = None


def debit(gl_account: str, amount: Decimal, loan_id: int | None = None) -> Line:
    return Line(gl_account, debit=money(amount), loan_id=loan_id)


def credit(gl_account: str, amount: Decimal, loan_id: int | None = None) -> Line:
    return Line(gl_account, credit=money(amount), loan_id=loan_id)


def check_lines(key: str, lines: Sequence[Line]) -> None:
    if not lines:
        raise UnbalancedEntryError(f"ledger entry {key!r} has no lines; nothing was posted")
    for line in lines:
        if line.gl_account not in GL_ACCOUNTS:
            raise UnbalancedEntryError(
                f"ledger entry {key!r}: {line.gl_account!r} is not a GL account"
                f" (one of {', '.join(GL_ACCOUNTS)}); nothing was posted"
            )
        d, c = money(line.debit), money(line.credit)
        if d < 0 or c < 0 or (d == 0) == (c == 0):
            raise UnbalancedEntryError(
                f"ledger entry {key!r}: every line needs one positive side (got debit {d},"
                f" credit {c} to {line.gl_account}); nothing was posted"
            )
    debits = sum((money(line.debit) for line in lines), ZERO)
    credits = sum((money(line.credit) for line in lines), ZERO)
    if debits != credits:
        raise UnbalancedEntryError(
            f"ledger entry {key!r} does not balance (debits {debits}, credits {credits});"
            " nothing was posted"
        )


def build_entry(
    *,
    key: str,
    kind: str,
    business_date: date,
    lines: Sequence[Line],
    loan_id: int | None,
    item_id: int | None,
    memo: str | None,
    reverses_entry_id: int | None,
) -> LedgerEntry:
    """A checked entry, not yet in a session: bulk callers (late fees) add and flush many at once.

    Unlike post_entry it does not look the key up first; the unique constraint still refuses a
    duplicate when the session flushes.
    """
    check_lines(key, lines)
    return LedgerEntry(
        idempotency_key=key,
        kind=kind,
        business_date=business_date,
        loan_id=loan_id,
        item_id=item_id,
        memo=memo,
        reverses_entry_id=reverses_entry_id,
        lines=[
            LedgerLine(
                gl_account=line.gl_account,
                loan_id=line.loan_id if line.loan_id is not None else loan_id,
                debit=money(line.debit),
                credit=money(line.credit),
            )
            for line in lines
        ],
    )


_ENTRY_BY_KEY = select(LedgerEntry).where(LedgerEntry.idempotency_key == bindparam("key"))


def find_entry(session: Session, key: str) -> LedgerEntry | None:
    """The entry written under an idempotency key, if any."""
    return session.scalar(_ENTRY_BY_KEY, {"key": key})


def _new_entry(
    *,
    key: str,
    kind: str,
    business_date: date,
    lines: Sequence[Line],
    loan_id: int | None,
    item_id: int | None,
    memo: str | None,
    reverses: LedgerEntry | None,
) -> LedgerEntry:
    """A checked entry without its lines; `_write_lines` adds them once it has an id."""
    check_lines(key, lines)
    return LedgerEntry(
        idempotency_key=key,
        kind=kind,
        business_date=business_date,
        loan_id=loan_id,
        item_id=item_id,
        memo=memo,
        reverses_entry_id=reverses.id if reverses is not None else None,
    )


def _flush_entry(session: Session, key: str) -> None:
    """Flush, turning a clash on the idempotency key (a concurrent writer) into DuplicateEntryError."""
    try:
        session.flush()
    except IntegrityError as exc:
        if "idempotency_key" in str(exc.orig):
            raise DuplicateEntryError(
                key, None, "; another run posted it first: roll back and run again"
            ) from exc
        raise


def _write_lines(session: Session, entry: LedgerEntry, lines: Sequence[Line]) -> None:
    """Insert a flushed entry's lines in one statement (the ORM would send one INSERT per line).

    `entry.lines` is expired, so reading it loads exactly what was written.
    """
    session.execute(
        insert(LedgerLine),
        [
            dict(
                entry_id=entry.id,
                gl_account=line.gl_account,
                loan_id=line.loan_id if line.loan_id is not None else entry.loan_id,
                debit=money(line.debit),
                credit=money(line.credit),
            )
            for line in lines
        ],
    )
    session.expire(entry, ["lines"])


def post_entry(
    session: Session,
    *,
    key: str,
    kind: str,
    business_date: date,
    lines: Sequence[Line],
    loan_id: int | None = None,
    item_id: int | None = None,
    memo: str | None = None,
    reverses: LedgerEntry | None = None,
) -> LedgerEntry:
    """Write one balanced entry (flushed, so it has an id) in the caller's transaction.

    Refuses an empty or unbalanced entry (UnbalancedEntryError) and a key that exists
    (DuplicateEntryError, with the existing entry); the unique constraint on the key guards
    against a concurrent writer too.
    """
    existing = find_entry(session, key)
    if existing is not None:
        raise DuplicateEntryError(key, existing)
    entry = _new_entry(
        key=key,
        kind=kind,
        business_date=business_date,
        lines=lines,
        loan_id=loan_id,
        item_id=item_id,
        memo=memo,
        reverses=reverses,
    )
    session.add(entry)
    _flush_entry(session, key)
    _write_lines(session, entry, lines)
    return entry


def reverse_entry(
    session: Session, entry: LedgerEntry, *, business_date: date, reason: str
) -> LedgerEntry:
    """A new entry mirroring `entry` (debits become credits), for an NSF check or a correction.

    The original is never edited or deleted. An entry can be reversed once (DuplicateEntryError).
    This moves ledger money only; a payment's effect on the loan row is not undone here.
    """
    return post_entry(
        session,
        key=f"reversal:{entry.id}",
        kind=KIND_REVERSAL,
        business_date=business_date,
        lines=[
            Line(line.gl_account, debit=line.credit, credit=line.debit, loan_id=line.loan_id)
            for line in entry.lines
        ],
        loan_id=entry.loan_id,
        item_id=entry.item_id,
        memo=reason,
        reverses=entry,
    )


def trial_balance(session: Session) -> dict[str, Decimal]:
    """Every GL account's balance, debits minus credits; the values always add up to zero."""
    balances = {account: ZERO for account in GL_ACCOUNTS}
    rows = session.execute(
        select(
            LedgerLine.gl_account,
            func.coalesce(func.sum(LedgerLine.debit), 0),
            func.coalesce(func.sum(LedgerLine.credit), 0),
        ).group_by(LedgerLine.gl_account)
    )
    for account, debits, credits in rows:
        balances[account] = money(Decimal(debits) - Decimal(credits))
    return balances


def suspense_balance(session: Session, item_id: int) -> Decimal:
    """Money held in suspense for one item (credits minus debits); zero once applied or returned."""
    debits, credits = session.execute(
        select(
            func.coalesce(func.sum(LedgerLine.debit), 0),
            func.coalesce(func.sum(LedgerLine.credit), 0),
        )
        .join(LedgerEntry, LedgerEntry.id == LedgerLine.entry_id)
        .where(LedgerEntry.item_id == item_id, LedgerLine.gl_account == SUSPENSE)
    ).one()
    return money(Decimal(credits) - Decimal(debits))


def loan_state(loan: Loan) -> LoanState:
    """The servicing view of a Loan row; interest runs from interest_paid_to when it is set."""
    return LoanState(
        product=loan.product,
        status=loan.status,
        monthly_payment=money(loan.monthly_payment),
        next_due_date=loan.next_due_date,
        principal_balance=money(loan.principal_balance),
        annual_rate=loan.annual_rate,
        fees_due=money(loan.fees_due or ZERO),
        interest_from=loan.interest_paid_to
        or default_interest_from(loan.next_due_date, loan.last_payment_date),
        installment_credit=money(loan.installment_credit or ZERO),
        prepaid_balance=money(loan.prepaid_balance or ZERO),
        interest_due=money(loan.interest_due or ZERO),
        due_day=loan.due_day,
    )


def store_state(loan: Loan, state: LoanState) -> None:
    """Write a waterfall result back to the loan row (the inverse of `loan_state`)."""
    loan.status = state.status
    loan.next_due_date = state.next_due_date
    loan.principal_balance = state.principal_balance
    loan.fees_due = state.fees_due
    loan.interest_paid_to = state.interest_from
    loan.interest_due = state.interest_due
    loan.installment_credit = state.installment_credit
    loan.prepaid_balance = state.prepaid_balance
    loan.due_day = state.due_day


# The loan columns a payment changes: what `loan_snapshot` keeps so a reversal can put them back.
SNAPSHOT_MONEY = (
    "principal_balance",
    "fees_due",
    "interest_due",
    "installment_credit",
    "prepaid_balance",
)
SNAPSHOT_DATES = ("next_due_date", "interest_paid_to", "last_payment_date")
SNAPSHOT_OTHER = ("status", "due_day")


def loan_snapshot(loan: Loan) -> dict[str, Any]:
    """The loan columns a payment changes, JSON-safe (money and dates as text, None kept)."""
    out: dict[str, Any] = {}
    for name in SNAPSHOT_MONEY:
        out[name] = str(money(getattr(loan, name) or ZERO))
    for name in SNAPSHOT_DATES:
        value = getattr(loan, name)
        out[name] = value.isoformat() if value is not None else None
    for name in SNAPSHOT_OTHER:
        out[name] = getattr(loan, name)
    return out


def restore_snapshot(loan: Loan, snapshot: dict[str, Any]) -> None:
    """Put back the columns `loan_snapshot` kept, exactly (a None stays None)."""
    for name in SNAPSHOT_MONEY:
        setattr(loan, name, money(snapshot[name]))
    for name in SNAPSHOT_DATES:
        value = snapshot[name]
        setattr(loan, name, date.fromisoformat(value) if value is not None else None)
    for name in SNAPSHOT_OTHER:
        setattr(loan, name, snapshot[name])


# FOR NO KEY UPDATE: it excludes another writer of the loan, but not the KEY SHARE lock a foreign
# key check takes (an item or entry naming the loan), which FOR UPDATE would turn into deadlocks.
_LOCK_LOAN = (
    select(Loan)
    .where(Loan.id == bindparam("loan_id"))
    .with_for_update(key_share=True)
    .execution_options(populate_existing=True)
)


def lock_loan(session: Session, loan: Loan) -> Loan:
    """Re-read the loan under a row lock (PostgreSQL) so two writers cannot both apply a payment
    to the balances they read before the other committed (a lost update).

    SQLite serialises writers itself, so there it is only a flush. Pending changes are flushed
    first, so nothing the caller set is lost.
    """
    session.flush()
    if session.get_bind().dialect.name != "postgresql":
        return loan
    return session.scalars(_LOCK_LOAN, {"loan_id": loan.id}).one()


def bucket_amounts(loan: Loan, to: Allocation | Payment) -> dict[str, Decimal]:
    """Where a payment's money sits, by GL account (zero buckets left out)."""
    lease = loan.product == LEASE
    buckets = [
        (FEES_RECEIVABLE, to.to_fees),
        (INTEREST_INCOME, to.to_interest),
        (LOAN_PRINCIPAL, to.to_principal),
        (LEASE_RECEIVABLE, to.to_rent),
        (LEASE_PREPAID if lease else REFUND_DUE, to.to_excess),
    ]
    return {account: money(amount) for account, amount in buckets if amount > 0}


def _waterfall_lines(loan: Loan, alloc: Allocation) -> list[Line]:
    """The credit side of a payment: one line per bucket that received money."""
    return [
        credit(account, amount, loan.id) for account, amount in bucket_amounts(loan, alloc).items()
    ]


def _item_id(session: Session, item: Item) -> int:
    if item.id is None:
        session.flush()
    return item.id


# Built once: the posting path runs it for every item, and building a statement costs more than
# running it on SQLite.
_PAYMENT_AND_HELD = select(
    select(Payment.id).where(Payment.item_id == bindparam("item_id")).scalar_subquery(),
    select(func.coalesce(func.sum(LedgerLine.credit - LedgerLine.debit), 0))
    .join(LedgerEntry, LedgerEntry.id == LedgerLine.entry_id)
    .where(LedgerEntry.item_id == bindparam("item_id"), LedgerLine.gl_account == SUSPENSE)
    .scalar_subquery(),
)


def _payment_and_held(session: Session, item_id: int) -> tuple[int | None, Decimal]:
    """The item's payment id (if it was applied) and the money it holds in suspense: one query."""
    found, amount = session.execute(_PAYMENT_AND_HELD, {"item_id": item_id}).one()
    return found, money(Decimal(amount))


def _existing_payment(payment: Payment, item_id: int, loan: Loan, amount: Decimal) -> Payment:
    """The payment already made from this item: returned again when it matches, else refused."""
    if payment.loan_id == loan.id and money(payment.amount) == amount:
        return payment
    raise ItemAlreadyPostedError(
        f"item {item_id} was already posted (${money(payment.amount)} on payment {payment.id});"
        " it cannot be posted again. Reverse that payment first if it was wrong."
    )


def _check_postable(loan: Loan, amount: Decimal) -> None:
    if loan.status != ACTIVE:
        raise LoanNotActiveError(loan.status, loan.account_number)
    if amount <= 0:
        raise PaymentAmountError(amount)


def _apply_as_received(
    state: LoanState, amount: Decimal, received: date, not_yet_due: Decimal, overpayment: str
) -> Allocation:
    """The waterfall as it stood on the day received: fees charged since are left owing (unless
    the payment pays the loan off, when everything owed is settled)."""
    if not_yet_due <= ZERO:
        return apply_payment(state, amount, received, overpayment)
    without = replace(state, fees_due=state.fees_due - not_yet_due)
    alloc = apply_payment(without, amount, received, overpayment)
    if alloc.paid_off:
        return apply_payment(state, amount, received, overpayment)
    return replace(alloc, state=replace(alloc.state, fees_due=state.fees_due - alloc.to_fees))


def _apply_to_loan(
    session: Session,
    *,
    item: Item,
    loan: Loan,
    amount: Decimal,
    business_date: date,
    received_date: date,
    source: str,
    kind: str,
    terms: ServicingTerms | None,
) -> Payment:
    """Debit `source` (cash or suspense), credit the waterfall, update the loan, add a Payment.

    A payment received after every other on the loan goes last: the loan's late fees are first
    made what they were on the day it was received (lockbox.latefees.settle_fees_as_received),
    under `terms` (the configured ones when None). One received before a payment already applied
    takes its place in the order received, and the loan is replayed (lockbox.replay).

    The caller has seen that the item has no payment, so the entry's key is not looked up first:
    its unique constraint (and the one on payments.item_id) still refuse a concurrent writer. The
    entry, the loan and the payment go in one flush and the lines in one more statement.
    """
    item_id = _item_id(session, item)
    # Imported here: the late-fee pass and the replay write through this module.
    from lockbox.config import load_settings
    from lockbox.latefees import settle_fees_as_received
    from lockbox.replay import NEW, LoanHistory, ensure_origin, needs_replay

    terms = terms or ServicingTerms.of(load_settings())
    ensure_origin(session, loan)
    history = None
    if needs_replay(session, loan, received_date, terms):
        history = LoanHistory(session, loan, terms, Received(NEW, received_date, amount))
        alloc = history.result.allocations[NEW]
        prior = history.snapshot_before(NEW)
    else:
        not_yet_due = settle_fees_as_received(
            session,
            loan,
            amount=amount,
            received_date=received_date,
            business_date=business_date,
            terms=terms,
        )
        prior = loan_snapshot(loan)
        alloc = _apply_as_received(
            loan_state(loan), amount, received_date, not_yet_due, terms.overpayment
        )
    key = f"{kind}:item:{item_id}"
    lines = [debit(source, alloc.amount, loan.id), *_waterfall_lines(loan, alloc)]
    entry = _new_entry(
        key=key,
        kind=kind,
        business_date=business_date,
        lines=lines,
        loan_id=loan.id,
        item_id=item_id,
        memo=f"payment to loan {mask(loan.account_number)}",
        reverses=None,
    )
    session.add(entry)
    store_state(loan, alloc.state)
    if loan.last_payment_date is None or received_date > loan.last_payment_date:
        loan.last_payment_date = received_date
    item.status = "posted"
    item.loan_id = loan.id
    item.amount = alloc.amount
    payment = Payment(
        item_id=item_id,
        loan_id=loan.id,
        entry=entry,
        business_date=business_date,
        received_date=received_date,
        amount=alloc.amount,
        to_fees=alloc.to_fees,
        to_interest=alloc.to_interest,
        to_principal=alloc.to_principal,
        to_rent=alloc.to_rent,
        to_excess=alloc.to_excess,
        months_advanced=alloc.months_advanced,
        prior_state=prior,
    )
    session.add(payment)
    _flush_entry(session, key)
    _write_lines(session, entry, lines)
    if history is not None:
        history.sync(
            cause=entry,
            business_date=business_date,
            reason=f"item {item_id}, received {received_date.isoformat()}, came before it",
        )
    return payment


def post_to_suspense(
    session: Session, *, item: Item, amount: Decimal, business_date: date
) -> LedgerEntry:
    """Hold an exception item's money: Dr cash, Cr suspense, so the day's deposit still reconciles.

    Idempotent per item: called again with the same amount it returns the first entry; with another
    amount it raises DuplicateEntryError (resolve the item instead).
    """
    amount = money(amount)
    if amount <= 0:
        raise PaymentAmountError(amount)
    item_id = _item_id(session, item)
    key = f"{KIND_SUSPENSE}:item:{item_id}"
    existing = find_entry(session, key)
    if existing is not None:
        held = sum(
            (money(line.credit) for line in existing.lines if line.gl_account == SUSPENSE), ZERO
        )
        if held == amount:
            return existing
        raise DuplicateEntryError(key, existing, f"; it holds ${held}, not ${amount}")
    return post_entry(
        session,
        key=key,
        kind=KIND_SUSPENSE,
        business_date=business_date,
        lines=[debit(CASH, amount), credit(SUSPENSE, amount)],
        loan_id=None,  # not the loan's money until a clerk decides: no line names a loan
        item_id=item_id,
        memo=f"exception item {item_id} held in suspense",
    )


def _open_suspense_entry(session: Session, item_id: int) -> LedgerEntry | None:
    """The item's suspense entry if it has not been reversed."""
    entry = find_entry(session, f"{KIND_SUSPENSE}:item:{item_id}")
    if entry is None or find_entry(session, f"reversal:{entry.id}") is not None:
        return None
    return entry


def apply_from_suspense(
    session: Session,
    *,
    item: Item,
    loan: Loan,
    amount: Decimal,
    business_date: date,
    received_date: date,
    terms: ServicingTerms | None = None,
) -> Payment:
    """A clerk resolved an exception item to `loan` for `amount`.

    Held in suspense for the same amount: Dr suspense, Cr the waterfall. Held for another amount
    (the clerk corrected a misread): the suspense entry is reversed (a new entry) and the payment
    posts as from cash. Nothing held (the amount was unreadable): posts as from cash. Either way the
    cash debited for the item, net, equals `amount`. Refuses an inactive loan before writing
    anything.
    """
    amount = money(amount)
    item_id = _item_id(session, item)
    payment_id, held = _payment_and_held(session, item_id)
    if payment_id is not None:
        return _existing_payment(session.get_one(Payment, payment_id), item_id, loan, amount)
    if item.status == "returned":
        raise ItemAlreadyPostedError(
            f"item {item_id} was rejected (returned); it cannot be applied to a loan"
        )
    loan = lock_loan(session, loan)
    _check_postable(loan, amount)
    if held == amount:
        return _apply_to_loan(
            session,
            item=item,
            loan=loan,
            amount=amount,
            business_date=business_date,
            received_date=received_date,
            source=SUSPENSE,
            kind=KIND_APPLY,
            terms=terms,
        )
    if held > 0:
        held_entry = _open_suspense_entry(session, item_id)
        if held_entry is None:  # pragma: no cover - only suspense entries credit suspense
            raise LedgerError(f"item {item_id} holds ${held} in suspense but no open entry")
        reverse_entry(
            session,
            held_entry,
            business_date=business_date,
            reason=f"resolved for ${amount}, not the ${held} held in suspense",
        )
    return _apply_to_loan(
        session,
        item=item,
        loan=loan,
        amount=amount,
        business_date=business_date,
        received_date=received_date,
        source=CASH,
        kind=KIND_PAYMENT,
        terms=terms,
    )


def post_payment(
    session: Session,
    *,
    item: Item,
    loan: Loan,
    amount: Decimal,
    business_date: date,
    received_date: date,
    terms: ServicingTerms | None = None,
) -> Payment:
    """Post an item's check to a loan: Dr cash, Cr the waterfall buckets; update the loan row.

    Interest is figured to `received_date` (the day the mail arrived), the entry is dated
    `business_date`. Marks the item posted to the loan with that amount. Idempotent per item: the
    same item, loan and amount again returns the first Payment; anything else raises
    ItemAlreadyPostedError. Raises LoanNotActiveError for a loan that is not active. An item
    whose money waits in suspense is applied as `apply_from_suspense` does, so its cash is never
    debited twice.
    """
    return apply_from_suspense(
        session,
        item=item,
        loan=loan,
        amount=amount,
        business_date=business_date,
        received_date=received_date,
        terms=terms,
    )


def return_from_suspense(
    session: Session, *, item: Item, business_date: date
) -> LedgerEntry | None:
    """A rejected item: Dr suspense, Cr returned_items (the check goes back); item 'returned'.

    Returns None when nothing was held (the amount was unreadable). Refuses an item that was posted
    to a loan (ItemAlreadyPostedError): reverse that payment instead.
    """
    item_id = _item_id(session, item)
    payment = session.scalar(select(Payment).where(Payment.item_id == item_id))
    if payment is not None:
        raise ItemAlreadyPostedError(
            f"item {item_id} was posted (payment {payment.id}); it cannot be returned."
            " Reverse the payment instead."
        )
    item.status = "returned"
    held = suspense_balance(session, item_id)
    if held <= 0:
        return None
    return post_entry(
        session,
        key=f"{KIND_RETURN}:item:{item_id}",
        kind=KIND_RETURN,
        business_date=business_date,
        lines=[debit(SUSPENSE, held), credit(RETURNED_ITEMS, held)],
        loan_id=item.loan_id,
        item_id=item_id,
        memo=f"exception item {item_id} rejected; check to be returned",
    )


def reverse_payment(
    session: Session, *, item: Item, business_date: date, reason: str, by: str = "system"
) -> LedgerEntry:
    """A posted check came back unpaid (NSF): see lockbox.reversals.reverse_payment."""
    from lockbox.reversals import reverse_payment as _reverse_payment

    return _reverse_payment(session, item=item, business_date=business_date, reason=reason, by=by)
