"""Import the loan book CSV: validate every row first, then upsert all of them in one transaction.

A bad row is reported with its line number and nothing is imported, so the book is never half-updated.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lockbox.dates import add_months
from lockbox.ledger import loan_state
from lockbox.models import AuditEvent, LedgerEntry, Loan
from lockbox.money import MoneyError, ending, money, parse_money
from lockbox.replay import origin_record

REQUIRED_COLUMNS = (
    "account_number",
    "borrower_name",
    "co_borrower_name",
    "product",
    "status",
    "monthly_payment",
    "next_due_date",
    "principal_balance",
    "annual_rate",
    "fees_due",
)
# Columns `lockbox export loans` adds; importing its output again loses nothing.
OPTIONAL_COLUMNS = (
    "last_payment_date",
    "late_fees_assessed",
    "prepaid_balance",
    "interest_paid_to",
    "interest_due",
    "installment_credit",
    "late_fee_max",
    "payoff_amount",
)
PRODUCTS = ("retail", "lease")
STATUSES = ("active", "paid_off", "charged_off", "repossessed")


class LoanBookError(ValueError):
    """The loan book file cannot be imported; `problems` lists every bad row with its line number."""

    def __init__(self, path: Path, problems: list[str]):
        self.problems = problems
        shown = "\n  ".join(problems[:50])
        more = f"\n  … and {len(problems) - 50} more" if len(problems) > 50 else ""
        super().__init__(
            f"{path}: nothing was imported; fix these rows and import the file again:\n  {shown}{more}"
        )


@dataclass(frozen=True)
class LoanRow:
    """One validated row of the loan book."""

    line: int
    account_number: str
    borrower_name: str
    co_borrower_name: str | None
    product: str
    status: str
    monthly_payment: Decimal
    next_due_date: date
    principal_balance: Decimal
    annual_rate: Decimal | None
    fees_due: Decimal
    last_payment_date: date | None = None
    late_fees_assessed: Decimal | None = None
    prepaid_balance: Decimal | None = None
    interest_paid_to: date | None = None
    interest_due: Decimal | None = None
    installment_credit: Decimal | None = None
    late_fee_max: Decimal | None = None  # the contract's most for one late fee
    payoff_amount: Decimal | None = None  # a lease's payoff from the lessor's book
    extra: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int

    @property
    def total(self) -> int:
        return self.created + self.updated


def _date(value: str, column: str, problems: list[str], line: int) -> date | None:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        problems.append(f"line {line}: {column} {value!r} is not a date like 2026-11-17")
        return None


def _money(value: str, column: str, problems: list[str], line: int) -> Decimal | None:
    try:
        amount = parse_money(value)
    except MoneyError:
        problems.append(f"line {line}: {column} {value!r} is not an amount in dollars like 412.50")
        return None
    if amount < 0:
        problems.append(f"line {line}: {column} {value!r} must not be negative")
        return None
    return amount


def _rate(value: str, problems: list[str], line: int) -> Decimal | None:
    """Annual rate as a fraction (0.0699); '6.99' or '6.99%' are read as percent."""
    text = value.strip().rstrip("%").strip()
    try:
        rate = Decimal(text)
    except InvalidOperation:
        problems.append(f"line {line}: annual_rate {value!r} is not a rate like 0.0699")
        return None
    if value.strip().endswith("%") or rate >= 1:
        rate = rate / 100
    if not (0 <= rate < 1):
        problems.append(f"line {line}: annual_rate {value!r} is out of range")
        return None
    return rate


def parse_row(raw: dict[str, str], line: int, problems: list[str]) -> LoanRow | None:
    """Validate one CSV row; append every problem found (not just the first) to `problems`."""
    before = len(problems)
    get = {k: (v or "").strip() for k, v in raw.items() if k is not None}
    account = get.get("account_number", "").replace(" ", "").replace("-", "")
    if not account:
        problems.append(f"line {line}: account_number is empty")
    elif not account.isalnum() or len(account) > 32:
        problems.append(
            f"line {line}: account_number {get['account_number']!r} is not an account number"
        )
    if not get.get("borrower_name"):
        problems.append(f"line {line}: borrower_name is empty")
    product = get.get("product", "").lower()
    if product not in PRODUCTS:
        problems.append(f"line {line}: product {get.get('product')!r} must be retail or lease")
    status = get.get("status", "").lower().replace("-", "_").replace(" ", "_")
    if status not in STATUSES:
        problems.append(
            f"line {line}: status {get.get('status')!r} must be active, paid_off, charged_off"
            " or repossessed"
        )
    monthly = _money(get.get("monthly_payment", ""), "monthly_payment", problems, line)
    if monthly is not None and monthly == 0 and status == "active":
        problems.append(f"line {line}: monthly_payment is 0 on an active loan")
    due = _date(get.get("next_due_date", ""), "next_due_date", problems, line)
    principal = _money(get.get("principal_balance", ""), "principal_balance", problems, line)
    fees = _money(get.get("fees_due") or "0", "fees_due", problems, line)
    rate: Decimal | None = None
    if get.get("annual_rate"):
        rate = _rate(get["annual_rate"], problems, line)
    elif product == "retail":
        problems.append(f"line {line}: annual_rate is required for a retail loan")
    last_paid = (
        _date(get["last_payment_date"], "last_payment_date", problems, line)
        if get.get("last_payment_date")
        else None
    )
    optional_money = {
        key: _money(get[key], key, problems, line) if get.get(key) else None
        for key in (
            "late_fees_assessed",
            "prepaid_balance",
            "interest_due",
            "installment_credit",
            "late_fee_max",
            "payoff_amount",
        )
    }
    interest_paid_to = (
        _date(get["interest_paid_to"], "interest_paid_to", problems, line)
        if get.get("interest_paid_to")
        else None
    )
    if len(problems) > before:
        return None
    assert monthly is not None and due is not None and principal is not None and fees is not None
    known = set(REQUIRED_COLUMNS) | set(OPTIONAL_COLUMNS)
    return LoanRow(
        line=line,
        account_number=account,
        borrower_name=get["borrower_name"],
        co_borrower_name=get.get("co_borrower_name") or None,
        product=product,
        status=status,
        monthly_payment=monthly,
        next_due_date=due,
        principal_balance=principal,
        annual_rate=rate if product == "retail" else None,
        fees_due=fees,
        last_payment_date=last_paid,
        interest_paid_to=interest_paid_to,
        **optional_money,
        extra={k: v for k, v in get.items() if k not in known and v},
    )


def read_loan_book(path: Path) -> list[LoanRow]:
    """Read and validate the whole file; raise LoanBookError listing every bad row."""
    problems: list[str] = []
    rows: list[LoanRow] = []
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as exc:
        raise LoanBookError(path, [f"cannot open the file: {exc.strerror}"]) from exc
    with handle:
        reader = csv.DictReader(handle)
        header = [h.strip() for h in (reader.fieldnames or [])]
        reader.fieldnames = header
        missing = [c for c in REQUIRED_COLUMNS if c not in header]
        if missing:
            raise LoanBookError(path, [f"line 1: the header lacks column(s) {', '.join(missing)}"])
        seen: dict[str, int] = {}
        try:
            for raw in reader:
                line = reader.line_num
                if not any((v or "").strip() for v in raw.values() if isinstance(v, str)):
                    continue  # blank line
                row = parse_row(raw, line, problems)
                if row is None:
                    continue
                if row.account_number in seen:
                    problems.append(
                        f"line {line}: account_number {ending(row.account_number)} is also on line"
                        f" {seen[row.account_number]}"
                    )
                    continue
                seen[row.account_number] = line
                rows.append(row)
        except (csv.Error, UnicodeDecodeError) as exc:
            problems.append(f"line {reader.line_num}: not a readable CSV row ({exc})")
    if problems:
        raise LoanBookError(path, problems)
    return rows


def interest_start(row: LoanRow) -> date:
    """Interest accrues from the last payment, or from one month before the next due date."""
    if row.interest_paid_to is not None:
        return row.interest_paid_to
    if row.last_payment_date is not None:
        return row.last_payment_date
    return add_months(row.next_due_date, -1)


def import_loan_book(session: Session, path: Path, *, actor: str = "import") -> ImportResult:
    """Validate the file, then create or update every loan by account number in the caller's transaction."""
    rows = read_loan_book(path)
    existing = (
        {
            loan.account_number: loan
            for loan in session.scalars(
                select(Loan).where(Loan.account_number.in_([r.account_number for r in rows]))
            )
        }
        if rows
        else {}
    )
    created = updated = 0
    restarted: list[Loan] = []  # loans whose history starts anew from the book
    for row in rows:
        values: dict[str, Any] = dict(
            borrower_name=row.borrower_name,
            co_borrower_name=row.co_borrower_name,
            product=row.product,
            status=row.status,
            monthly_payment=money(row.monthly_payment),
            next_due_date=row.next_due_date,
            principal_balance=money(row.principal_balance),
            annual_rate=row.annual_rate,
            fees_due=money(row.fees_due),
            extra=row.extra or None,
        )
        for key in OPTIONAL_COLUMNS:
            if getattr(row, key) is not None and key != "interest_paid_to":
                values[key] = getattr(row, key)
        loan = existing.get(row.account_number)
        if loan is None:
            zero = Decimal("0.00")
            starting = {
                "late_fees_assessed": zero,
                "prepaid_balance": zero,
                "installment_credit": zero,
                "interest_due": zero,
            }
            loan = Loan(account_number=row.account_number, **{**starting, **values})
            loan.interest_paid_to = interest_start(row)
            session.add(loan)
            restarted.append(loan)
            created += 1
        else:
            values["interest_paid_to"] = interest_start(row)
            if loan.origin is None or any(getattr(loan, k) != v for k, v in values.items()):
                restarted.append(loan)
            for key, value in values.items():
                setattr(loan, key, value)
            updated += 1
    session.add(
        AuditEvent(
            actor=actor,
            action="loans_import",
            details={"file": path.name, "created": created, "updated": updated},
        )
    )
    session.flush()
    if restarted:
        last = session.scalar(select(func.max(LedgerEntry.id))) or 0
        for loan in restarted:
            loan.origin = origin_record(loan, loan_state(loan), after_entry=last)
        session.flush()
    return ImportResult(created=created, updated=updated)
