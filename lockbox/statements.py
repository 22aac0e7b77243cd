"""A plain-text statement for `lockbox loans show ACCOUNT`: what a clerk needs on one screen.

Balances by bucket, the next installment, every payment with where its money went (a check that
came back unpaid is marked RETURNED with the day, and left out of the totals), the late fees, and
the audit trail in the lender's time zone. Account numbers are masked to their last four digits,
even the loan's own.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from lockbox.config import BUSINESS_TZ, load_settings
from lockbox.dates import business_today
from lockbox.ledger import REFUND_DUE, loan_state
from lockbox.models import AuditEvent, Item, LateFee, LedgerEntry, LedgerLine, Loan, Payment
from lockbox.money import ZERO, fmt, mask, money
from lockbox.servicing import (
    CURTAIL,
    LEASE,
    PAY_AHEAD,
    RETAIL,
    ServicingTerms,
    accrued_interest,
)

_LONG_NUMBER = re.compile(r"\d{6,}")
_SENSITIVE_KEYS = ("account", "routing")


class UnknownLoanError(LookupError):
    """No loan has the account number asked for."""

    def __init__(self, account_number: str):
        super().__init__(
            f"no loan has account number {mask(account_number)}; check the number (as on the loan"
            " book, without spaces or dashes) or import the loan book first"
        )


def _norm(account_number: str) -> str:
    return account_number.strip().replace(" ", "").replace("-", "")


def _safe(key: str, value: Any) -> str:
    """An audit detail as text, with every account-like number masked."""
    text = "" if value is None else str(value)
    if any(word in key.lower() for word in _SENSITIVE_KEYS):
        return mask(text)
    return _LONG_NUMBER.sub(lambda m: mask(m.group()), text)


def _details(details: dict[str, Any] | None) -> str:
    if not details:
        return ""
    return ", ".join(f"{k}={_safe(k, v)}" for k, v in sorted(details.items()))


def _day(value: date | None) -> str:
    return value.isoformat() if value else ""


def _when(at: datetime) -> str:
    """A timestamp in the lender's time zone (SQLite hands back naive UTC, PostgreSQL aware)."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone(BUSINESS_TZ).strftime("%Y-%m-%d %H:%M %Z")


def _row(label: str, value: str) -> str:
    return f"  {label:<26}{value:>14}"


def _refund_due(session: Session, loan_id: int) -> Decimal:
    debits, credits = session.execute(
        select(
            func.coalesce(func.sum(LedgerLine.debit), 0),
            func.coalesce(func.sum(LedgerLine.credit), 0),
        ).where(LedgerLine.loan_id == loan_id, LedgerLine.gl_account == REFUND_DUE)
    ).one()
    return money(Decimal(credits) - Decimal(debits))


# What a payment beyond the installments due does, as the statement says it (LOCKBOX_OVERPAYMENT).
_OVERPAYMENT_TEXT = {
    (RETAIL, PAY_AHEAD): "pays the next installments (principal first; next due moves ahead)",
    (RETAIL, CURTAIL): "reduces the principal (next due moves past the installments due only)",
    (LEASE, PAY_AHEAD): "pays the next installments (next due moves ahead)",
    (LEASE, CURTAIL): "pays the next installments (next due moves ahead)",
}


def _balances(session: Session, loan: Loan, as_of: date, terms: ServicingTerms) -> list[str]:
    state = loan_state(loan)
    lines = ["Balances"]
    if loan.product == RETAIL:
        interest = accrued_interest(state, as_of) if loan.status == "active" else state.interest_due
        rate = f"{Decimal(loan.annual_rate or 0) * 100:.3f}%"
        lines += [
            _row("Principal", fmt(loan.principal_balance)),
            _row(f"Interest to {as_of.isoformat()}", fmt(interest)),
            _row("Fees due", fmt(loan.fees_due)),
            _row("Payoff", fmt(loan.principal_balance + interest + loan.fees_due)),
            _row("Annual rate", rate),
            _row("Interest paid to", _day(loan.interest_paid_to)),
        ]
        refund = _refund_due(session, loan.id)
        if refund:
            lines.append(_row("Refund due", fmt(refund)))
    else:
        lines += [
            _row("Lease balance", fmt(loan.principal_balance)),
            _row("Fees due", fmt(loan.fees_due)),
            _row("Prepaid", fmt(loan.prepaid_balance)),
        ]
    lines += [
        _row("Monthly payment", fmt(loan.monthly_payment)),
        _row("Next due", loan.next_due_date.isoformat() if loan.status == "active" else "—"),
        _row("Paid toward it", fmt(loan.installment_credit)),
        _row("Last payment", _day(loan.last_payment_date)),
        _row("Late fees assessed", fmt(loan.late_fees_assessed)),
        _row("Paying more", _OVERPAYMENT_TEXT[loan.product, terms.overpayment]),
    ]
    return lines


def _payments(session: Session, loan: Loan) -> list[str]:
    payments = session.scalars(
        select(Payment)
        .where(Payment.loan_id == loan.id)
        .order_by(Payment.received_date, Payment.id)
    ).all()
    reversals = session.execute(
        select(LedgerEntry.reverses_entry_id, LedgerEntry.business_date).where(
            LedgerEntry.reverses_entry_id.in_([p.entry_id for p in payments])
        )
    ).tuples()
    returned = {entry_id: on for entry_id, on in reversals}
    count = f"{len(payments)}, {len(returned)} returned" if returned else f"{len(payments)}"
    lines = [f"Payments ({count})"]
    if not payments:
        return [*lines, "  none"]
    retail = loan.product == RETAIL
    names = ["interest", "principal", "refund"] if retail else ["rent", "prepaid"]
    lines.append(
        f"  {'received':<10}  {'posted':<10}  {'amount':>10}  {'fees':>9}"
        + "".join(f"  {name:>10}" for name in names)
        + f"  {'months':>6}  item"
    )

    def columns(p: Payment) -> list[Decimal]:
        buckets = (
            [p.to_interest, p.to_principal, p.to_excess] if retail else [p.to_rent, p.to_excess]
        )
        return [p.amount, p.to_fees, *buckets]

    totals = [ZERO] * (len(names) + 2)
    for p in payments:
        amounts = columns(p)
        if p.entry_id in returned:
            note = f"  RETURNED {returned[p.entry_id].isoformat()}"
        else:
            note = ""
            totals = [t + a for t, a in zip(totals, amounts, strict=True)]
        lines.append(
            f"  {p.received_date.isoformat():<10}  {p.business_date.isoformat():<10}"
            f"  {fmt(amounts[0]):>10}  {fmt(amounts[1]):>9}"
            + "".join(f"  {fmt(amount):>10}" for amount in amounts[2:])
            + f"  {p.months_advanced:>6}  {p.item_id}{note}"
        )
    months = sum(p.months_advanced for p in payments if p.entry_id not in returned)
    lines.append(
        f"  {'total':<22}  {fmt(totals[0]):>10}  {fmt(totals[1]):>9}"
        + "".join(f"  {fmt(amount):>10}" for amount in totals[2:])
        + f"  {months:>6}"
    )
    return lines


def _late_fees(session: Session, loan: Loan) -> list[str]:
    fees = session.scalars(
        select(LateFee).where(LateFee.loan_id == loan.id).order_by(LateFee.installment_due_date)
    ).all()
    lines = [f"Late fees ({len(fees)})"]
    if not fees:
        return [*lines, "  none"]
    lines += [
        f"  installment due {fee.installment_due_date.isoformat()}, assessed"
        f" {fee.assessed_on.isoformat()}: {fmt(fee.amount)}"
        for fee in fees
    ]
    return lines


def _audit(session: Session, loan: Loan) -> list[str]:
    item_ids = select(Item.id).where(Item.loan_id == loan.id)
    events = session.scalars(
        select(AuditEvent)
        .where(or_(AuditEvent.loan_id == loan.id, AuditEvent.item_id.in_(item_ids)))
        .order_by(AuditEvent.at, AuditEvent.id)
    ).all()
    lines = [f"Audit events ({len(events)})"]
    if not events:
        return [*lines, "  none"]
    for event in events:
        when = _when(event.at) if event.at else ""
        item = f" item {event.item_id}" if event.item_id else ""
        lines.append(f"  {when}  {event.actor}: {event.action}{item}  {_details(event.details)}")
    return lines


def render_statement(
    session: Session,
    account_number: str,
    *,
    as_of: date | None = None,
    terms: ServicingTerms | None = None,
) -> str:
    """The statement for one loan as plain text; interest is figured to `as_of` (default today),
    under `terms` (the configured ones when None).

    Raises UnknownLoanError when no loan has that account number.
    """
    loan = session.scalar(select(Loan).where(Loan.account_number == _norm(account_number)))
    if loan is None:
        raise UnknownLoanError(account_number)
    as_of = as_of or business_today()
    product = "retail installment loan" if loan.product == RETAIL else "lease"
    borrowers = loan.borrower_name
    if loan.co_borrower_name:
        borrowers += f" and {loan.co_borrower_name}"
    heading = f"Loan {mask(loan.account_number)} — {borrowers}"
    sections = [
        [
            heading,
            "=" * len(heading),
            f"{product}, {loan.status.replace('_', ' ')}",
            f"Statement as of {as_of.isoformat()}",
        ],
        _balances(session, loan, as_of, terms or ServicingTerms.of(load_settings())),
        _payments(session, loan),
        _late_fees(session, loan),
        _audit(session, loan),
    ]
    return "\n\n".join("\n".join(section) for section in sections) + "\n"
