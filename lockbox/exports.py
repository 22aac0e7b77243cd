"""CSV exports of items, ledger lines and the loan book, with the columns CONTRACT.md promises.

Money is written in dollars with two places, dates as YYYY-MM-DD, None as an empty cell. Bank
routing and account numbers never leave the database in full: the items export carries only their
last four digits. Rows are streamed, so a year of items does not have to fit in memory.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from lockbox.loanbook import OPTIONAL_COLUMNS, REQUIRED_COLUMNS
from lockbox.models import Batch, Item, LedgerEntry, LedgerLine, Loan, Payment
from lockbox.money import fmt
from lockbox.outputs import write_csv

ITEM_COLUMNS = (
    "item_id",
    "site",
    "batch",
    "source_file",
    "page",
    "status",
    "loan_account",
    "amount",
    "exception_code",
    "confidence",
    "reviewed_by",
    "exception_message",
    "business_date",
    "check_date",
    "payer",
    "routing_last4",
    "bank_account_last4",
    "serial",
    "check_number",
    "duplicate_of",
)
LEDGER_COLUMNS = (
    "entry_id",
    "business_date",
    "loan_account",
    "item_id",
    "gl_account",
    "debit",
    "credit",
    "kind",
    "memo",
    "reverses_entry_id",
)
# The import columns then everything the importer reads back: export, edit, import again.
LOAN_COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS

_CHUNK = 2000


def _day(value: date | None) -> str:
    return "" if value is None else value.isoformat()


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _last4(number: str | None) -> str:
    """The last four digits only; a full bank number is never written to a file."""
    return "" if not number else str(number)[-4:]


def _rate(value: Decimal | None) -> str:
    """A rate as a plain decimal fraction without trailing zeros (0.0699, never 6.99E-2)."""
    if value is None:
        return ""
    return format(Decimal(value).normalize(), "f")


def _item_rows(session: Session) -> Iterator[list[str]]:
    query = (
        select(Item, Batch.site, Batch.name, Loan.account_number, Payment.amount)
        .join(Batch, Batch.id == Item.batch_id)
        .outerjoin(Loan, Loan.id == Item.loan_id)
        .outerjoin(Payment, Payment.item_id == Item.id)
        .order_by(Item.id)
        .execution_options(yield_per=_CHUNK)
    )
    for item, site, batch, account, paid in session.execute(query):
        posted = item.status == "posted"
        yield [
            str(item.id),
            site,
            batch,
            item.source_file,
            str(item.page),
            item.status,
            account or _text(item.loan_account_read),
            fmt(paid if paid is not None else item.amount),
            "" if posted else _text(item.exception_code),
            f"{item.confidence:.3f}" if item.confidence is not None else "",
            _text(item.reviewed_by),
            "" if posted else _text(item.exception_message),
            _day(item.business_date),
            _day(item.check_date),
            _text(item.payer),
            _last4(item.routing),
            _last4(item.bank_account),
            _text(item.serial),
            _text(item.check_number),
            str(item.duplicate_of_id) if item.duplicate_of_id is not None else "",
        ]


def export_items(session: Session, out: Path, *, force: bool = False) -> int:
    """Every item ever processed, one row per item (per page for PDFs); returns the row count.

    `loan_account` is the matched loan's account number, or what was read when nothing matched;
    `amount` is the amount posted, or the amount read. A posted item has no exception code or
    message (a resolved exception's history is in the audit events). `duplicate_of` is the item
    a DUPLICATE_CHECK was held as a copy of.
    """
    return write_csv(out, ITEM_COLUMNS, _item_rows(session), force=force)


def _ledger_rows(session: Session) -> Iterator[list[str]]:
    line_loan = aliased(Loan)
    entry_loan = aliased(Loan)
    query = (
        select(
            LedgerLine,
            LedgerEntry,
            line_loan.account_number,
            entry_loan.account_number,
        )
        .join(LedgerEntry, LedgerEntry.id == LedgerLine.entry_id)
        .outerjoin(line_loan, line_loan.id == LedgerLine.loan_id)
        .outerjoin(entry_loan, entry_loan.id == LedgerEntry.loan_id)
        .order_by(LedgerEntry.id, LedgerLine.id)
        .execution_options(yield_per=_CHUNK)
    )
    for line, entry, line_account, entry_account in session.execute(query):
        yield [
            str(entry.id),
            _day(entry.business_date),
            _text(line_account or entry_account),
            _text(entry.item_id),
            line.gl_account,
            fmt(line.debit),
            fmt(line.credit),
            entry.kind,
            _text(entry.memo),
            _text(entry.reverses_entry_id),
        ]


def export_ledger(session: Session, out: Path, *, force: bool = False) -> int:
    """Every ledger line ever written, one row per line, in entry order; returns the row count."""
    return write_csv(out, LEDGER_COLUMNS, _ledger_rows(session), force=force)


def _loan_rows(session: Session) -> Iterator[list[str]]:
    query = select(Loan).order_by(Loan.account_number).execution_options(yield_per=_CHUNK)
    for loan in session.scalars(query):
        yield [
            loan.account_number,
            loan.borrower_name,
            _text(loan.co_borrower_name),
            loan.product,
            loan.status,
            fmt(loan.monthly_payment),
            _day(loan.next_due_date),
            fmt(loan.principal_balance),
            _rate(loan.annual_rate),
            fmt(loan.fees_due),
            _day(loan.last_payment_date),
            fmt(loan.late_fees_assessed),
            fmt(loan.prepaid_balance),
            _day(loan.interest_paid_to),
            fmt(loan.interest_due),
            fmt(loan.installment_credit),
            fmt(loan.late_fee_max) if loan.late_fee_max is not None else "",
            fmt(loan.payoff_amount) if loan.payoff_amount is not None else "",
        ]


def export_loans(session: Session, out: Path, *, force: bool = False) -> int:
    """The loan book as it stands: the import columns, then what servicing has changed since.

    The file can be imported again (`lockbox loans import`); the extra columns are ignored or used.
    """
    return write_csv(out, LOAN_COLUMNS, _loan_rows(session), force=force)
