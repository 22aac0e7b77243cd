"""Exports with the columns and records CONTRACT.md promises: items, ledger lines and the loan book
as CSV, a day's postings for a servicing core (CSV), a day's deposits as a BAI lockbox file.

Money is written in dollars with two places, dates as YYYY-MM-DD, None as an empty cell. Bank
routing and account numbers never leave the database in full: the items export carries only their
last four digits, the BAI file masks them to their last four unless asked (`unmasked`). Rows are
streamed, so a year of items does not have to fit in memory.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from itertools import groupby
from pathlib import Path
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, aliased

from lockbox import ledger
from lockbox.bai import (
    BaiError,
    BaiFile,
    BaiItem,
    BaiLockbox,
    bai_item,
    lockbox_batches,
    read_bai,
    render_bai,
)
from lockbox.loanbook import OPTIONAL_COLUMNS, REQUIRED_COLUMNS
from lockbox.models import Batch, Item, LedgerEntry, LedgerLine, Loan, Payment
from lockbox.money import ZERO, fmt, money
from lockbox.outputs import check_output, write_atomically, write_csv

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
    "review_note",
    "decided_at",
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
            _text(item.review_note),
            item.decided_at.isoformat(timespec="seconds") if item.decided_at else "",
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


# --- a day's postings, for a servicing core --------------------------------------------------------

POSTING_COLUMNS = (
    "item_id",
    "loan_account",
    "amount",
    "received_date",
    "business_date",
    "entry_id",
    "kind",
    "fees",
    "interest",
    "principal",
    "rent",
    "prepaid",
    "refund_due",
    "reverses_entry_id",
    "site",
    "batch",
)
# Where a payment's money went, by the GL account the ledger credits (lockbox.ledger.bucket_amounts).
_BUCKETS = (
    ("fees", ledger.FEES_RECEIVABLE),
    ("interest", ledger.INTEREST_INCOME),
    ("principal", ledger.LOAN_PRINCIPAL),
    ("rent", ledger.LEASE_RECEIVABLE),
    ("prepaid", ledger.LEASE_PREPAID),
    ("refund_due", ledger.REFUND_DUE),
)
_PAYMENT_KINDS = (ledger.KIND_PAYMENT, ledger.KIND_APPLY)
# The accounts a payment's money comes from: cash, or suspense for an exception a clerk resolved.
_SOURCES = (ledger.CASH, ledger.SUSPENSE)


def _posting_lines(session: Session, day: date) -> Iterator[tuple[LedgerEntry, list[Any]]]:
    """The day's payment entries, reversals of payment entries and reallocations, each with its
    lines and its payment's item, loan account, received date, site and batch, in entry order."""
    reversed_entry = aliased(LedgerEntry)
    query = (
        select(
            LedgerEntry,
            LedgerLine.gl_account,
            LedgerLine.debit,
            LedgerLine.credit,
            Loan.account_number,
            Payment.received_date,
            Batch.site,
            Batch.name,
        )
        .join(LedgerLine, LedgerLine.entry_id == LedgerEntry.id)
        .join(Payment, Payment.item_id == LedgerEntry.item_id)
        .join(Loan, Loan.id == Payment.loan_id)
        .join(Item, Item.id == Payment.item_id)
        .join(Batch, Batch.id == Item.batch_id)
        .outerjoin(reversed_entry, reversed_entry.id == LedgerEntry.reverses_entry_id)
        .where(
            LedgerEntry.business_date == day,
            or_(
                LedgerEntry.kind.in_([*_PAYMENT_KINDS, ledger.KIND_REALLOCATION]),
                and_(
                    LedgerEntry.kind == ledger.KIND_REVERSAL,
                    reversed_entry.kind.in_(_PAYMENT_KINDS),
                ),
            ),
        )
        .order_by(LedgerEntry.id, LedgerLine.id)
        .execution_options(yield_per=_CHUNK)
    )
    for entry, rows in groupby(session.execute(query), key=lambda row: row[0]):
        yield entry, list(rows)


def _posting_rows(session: Session, day: date) -> Iterator[list[str]]:
    for entry, lines in _posting_lines(session, day):
        net: dict[str, Decimal] = {}
        for _, account, debit, credit, *_rest in lines:
            net[account] = net.get(account, ZERO) + money(credit) - money(debit)
        _, _, _, _, loan_account, received, site, batch = lines[0]
        # Cash (or suspense) debited is money in: a payment's amount, negative on its reversal.
        amount = -sum((net.get(a, ZERO) for a in _SOURCES), ZERO)
        yield [
            str(entry.item_id),
            loan_account,
            fmt(amount),
            _day(received),
            _day(entry.business_date),
            str(entry.id),
            entry.kind,
            *(fmt(net.get(account, ZERO)) for _, account in _BUCKETS),
            _text(entry.reverses_entry_id),
            site,
            batch,
        ]


def export_postings(session: Session, day: date, out: Path, *, force: bool = False) -> int:
    """What the ledger posted to loans on business date `day`, one row per ledger entry, for a
    servicing core's import; returns the row count.

    A row is a payment (`kind` payment, or apply for an exception a clerk resolved: `amount` and
    the waterfall split as its entry credits them), a returned check's reversal of one (negative
    amounts, `reverses_entry_id` the payment's `entry_id`), or a reallocation (`amount` 0.00, the
    split moved between buckets when an earlier payment on the loan came or went). Entries are
    never changed and are dated the day they are written, so a day's file is the same on every
    export once the day is over, each posting is in exactly one day's file, and `entry_id` is the
    key to import by. `received_date` is the day the check came, the date interest was figured to.
    """
    return write_csv(out, POSTING_COLUMNS, _posting_rows(session, day), force=force)


# --- a day's deposits as a BAI lockbox transmission ------------------------------------------------

BAI_DESTINATION = "SERVICING"  # the file is for the servicing core
BAI_ORIGIN = "0000000000"  # a bank writes its routing number; lockbox is no bank
# Each site's lockbox number (7 digits): the Dallas P.O. box; the Richardson overnight address has
# no box, so its street number stands in.
BAI_LOCKBOX_NUMBERS = {"dallas": "0650805", "richardson": "0001501"}
_BAI_HEADER = re.compile(rf"100{BAI_DESTINATION:<10}{BAI_ORIGIN}[0-9]{{10}} *")


def bai_deposits(session: Session, day: date, *, unmasked: bool = False) -> BaiFile:
    """The checks received on `day` that are posted to loans, as one lockbox per site (every site,
    a site without deposits with zero totals) and one batch per scanner batch, in item order.

    A check a clerk posted later counts on the day it was received; an exception still open, or
    rejected, is no payment; a check returned unpaid after it posted (its payment reversed) is
    left out, as the postings export shows its reversal.
    """
    reversal = aliased(LedgerEntry)
    query = (
        select(Payment, Item, Batch.site, Loan.account_number)
        .join(Item, Item.id == Payment.item_id)
        .join(Batch, Batch.id == Item.batch_id)
        .join(Loan, Loan.id == Payment.loan_id)
        .where(
            Payment.received_date == day,
            ~select(reversal.id).where(reversal.reverses_entry_id == Payment.entry_id).exists(),
        )
        .order_by(Batch.site, Batch.name, Batch.id, Item.id)
        .execution_options(yield_per=_CHUNK)
    )
    by_site: dict[str, list[tuple[int, BaiItem]]] = {site: [] for site in BAI_LOCKBOX_NUMBERS}
    for payment, item, site, loan_account in session.execute(query):
        if site not in BAI_LOCKBOX_NUMBERS:
            raise BaiError(f"site {site!r} has no BAI lockbox number (lockbox.exports)")
        check = bai_item(
            amount=payment.amount,
            routing=item.routing,
            account=item.bank_account,
            serial=item.serial or item.check_number,
            check_date=item.check_date,
            remitter=item.payer,
            loan_account=loan_account,
            unmasked=unmasked,
        )
        by_site[site].append((item.batch_id, check))
    lockboxes = tuple(
        BaiLockbox(BAI_LOCKBOX_NUMBERS[site], day, tuple(lockbox_batches(checks)))
        for site, checks in by_site.items()
    )
    return BaiFile(BAI_DESTINATION, BAI_ORIGIN, day, lockboxes)


def _earlier_bai(out: Path) -> str | None:
    """The first line of `out` when it is a BAI file this export wrote (so it may be replaced)."""
    if out.is_symlink() or not out.is_file():
        return None  # check_output says why it is refused
    try:
        with out.open("r", encoding="ascii", errors="replace", newline="") as fh:
            first = fh.readline(200).rstrip("\r\n")
    except OSError:
        return None
    return first if _BAI_HEADER.fullmatch(first) else None


def export_bai(
    session: Session, day: date, out: Path, *, unmasked: bool = False, force: bool = False
) -> BaiFile:
    """`day`'s deposits (see bai_deposits) as a BAI lockbox file at `out`; returns what it holds.

    The text is read back through lockbox.bai.read_bai before it is written, so a file whose
    counts or totals would not add up is never left behind.
    """
    check_output(out, header=_earlier_bai(out), force=force)
    deposits = bai_deposits(session, day, unmasked=unmasked)
    text = render_bai(deposits)
    if read_bai(text) != deposits:  # pragma: no cover - the writer and reader share one layout
        raise BaiError("the BAI file does not read back as written; nothing was written")
    write_atomically(out, lambda handle: handle.write(text))
    return deposits
