"""The database schema as typed SQLAlchemy 2 models; Alembic migrations under lockbox/migrations create it.

Uniqueness that keeps a rerun from posting twice lives here as constraints: a batch once per site and
name, an item once per batch/file/page, a ledger entry once per idempotency key, a check once per
fingerprint (routing, account, serial, amount).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

Money = Numeric(14, 2)


def _utcnow() -> datetime:
    """Python-side timestamps for updates, so bulk (executemany) updates work on every backend."""
    return datetime.now(UTC)


NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict[str, Any]: JSON}


class Loan(Base):
    """A serviced loan or lease, keyed by the account number customers write on their checks."""

    __tablename__ = "loans"
    __table_args__ = (
        CheckConstraint("product IN ('retail', 'lease')", name="product"),
        CheckConstraint(
            "status IN ('active', 'paid_off', 'charged_off', 'repossessed')", name="status"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_number: Mapped[str] = mapped_column(String(32), unique=True, index=True)
    borrower_name: Mapped[str] = mapped_column(String(200))
    co_borrower_name: Mapped[str | None] = mapped_column(String(200))
    product: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    monthly_payment: Mapped[Decimal] = mapped_column(Money)
    next_due_date: Mapped[date] = mapped_column(Date)
    principal_balance: Mapped[Decimal] = mapped_column(Money)
    annual_rate: Mapped[Decimal | None] = mapped_column(Numeric(9, 6))
    fees_due: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    last_payment_date: Mapped[date | None] = mapped_column(Date)
    late_fees_assessed: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    # the most the loan's contract lets one late fee be (None: only LOCKBOX_LATE_FEE_CAP applies)
    late_fee_max: Mapped[Decimal | None] = mapped_column(Money)
    # a lease's payoff as the lessor's book gives it (rents left plus residual); None: not quoted
    payoff_amount: Mapped[Decimal | None] = mapped_column(Money)
    prepaid_balance: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    interest_paid_to: Mapped[date | None] = mapped_column(Date)  # interest accrues from this date
    installment_credit: Mapped[Decimal] = mapped_column(
        Money, default=Decimal("0.00")
    )  # paid toward the
    # installment now due, short of a full monthly payment (partial payments)
    # interest accrued up to interest_paid_to that a partial payment left unpaid (never compounded)
    interest_due: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    # the day of the month installments fall due, so a 31st loan goes Jan 31 -> Feb 28 -> Mar 31;
    # None: the day of next_due_date
    due_day: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=_utcnow
    )
    extra: Mapped[dict[str, Any] | None] = mapped_column(
        JSON
    )  # loan-book columns we keep but don't use
    # the loan as the loan book last set it (lockbox.ledger.loan_snapshot, plus the last ledger
    # entry it already reflects): where replaying its payments in received order starts
    origin: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class Run(Base):
    """One execution of the nightly flow (or a CLI run), for the audit trail and the summary."""

    __tablename__ = "runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    business_date: Mapped[date] = mapped_column(Date)
    inbox: Mapped[str] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(16), default="running")
    flow_run_id: Mapped[str | None] = mapped_column(String(64))
    summary: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class Batch(Base):
    """One scanner batch folder under a site; processed once (unique site + name)."""

    __tablename__ = "batches"
    __table_args__ = (UniqueConstraint("site", "name", name="uq_batches_site_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16), default="processing")  # processing | complete
    run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id"))
    business_date: Mapped[date] = mapped_column(Date)
    deposit_date: Mapped[date | None] = mapped_column(Date)
    ticket_item_count: Mapped[int | None] = mapped_column(Integer)
    ticket_control_total: Mapped[Decimal | None] = mapped_column(Money)
    warnings: Mapped[list[str] | None] = mapped_column(JSON)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    items: Mapped[list[Item]] = relationship(back_populates="batch", order_by="Item.id")


class Item(Base):
    """One payment item (a file, or a page of a PDF) and what became of it."""

    __tablename__ = "items"
    __table_args__ = (
        UniqueConstraint("batch_id", "source_file", "page", name="uq_items_batch_file_page"),
        CheckConstraint("status IN ('posted', 'exception', 'returned')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batches.id"), index=True)
    source_file: Mapped[str] = mapped_column(Text)  # relative to the inbox, '/'-separated
    page: Mapped[int] = mapped_column(Integer, default=1)
    file_sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(16))
    exception_code: Mapped[str | None] = mapped_column(String(40), index=True)
    exception_message: Mapped[str | None] = mapped_column(Text)
    loan_id: Mapped[int | None] = mapped_column(ForeignKey("loans.id"), index=True)
    loan_account_read: Mapped[str | None] = mapped_column(String(64))
    amount: Mapped[Decimal | None] = mapped_column(Money, index=True)
    confidence: Mapped[float] = mapped_column(default=0.0)
    routing: Mapped[str | None] = mapped_column(String(16))
    bank_account: Mapped[str | None] = mapped_column(String(32))
    serial: Mapped[str | None] = mapped_column(String(16), index=True)
    check_date: Mapped[date | None] = mapped_column(Date)
    payer: Mapped[str | None] = mapped_column(String(200))
    check_number: Mapped[str | None] = mapped_column(String(16), index=True)  # printed top right
    # ocr.fingerprint's print of the face (compressed grid) and its coarse copy (for candidates)
    face_print: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    face_coarse: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    # the earlier item this one was held as a copy of (DUPLICATE_CHECK)
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("items.id"), index=True)
    match_method: Mapped[str | None] = mapped_column(String(32))
    capture: Mapped[dict[str, Any] | None] = mapped_column(
        JSON
    )  # every field read, with confidences
    business_date: Mapped[date] = mapped_column(Date)
    reviewed_by: Mapped[str | None] = mapped_column(String(100))
    review_note: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    batch: Mapped[Batch] = relationship(back_populates="items")
    loan: Mapped[Loan | None] = relationship()
    duplicate_of: Mapped[Item | None] = relationship(remote_side="Item.id")


class CheckFingerprint(Base):
    """The first item seen for each check (routing, account, serial): a second sighting is a duplicate.

    The amount is kept but is not part of the key: a misread amount must not let a check post twice.
    """

    __tablename__ = "check_fingerprints"
    __table_args__ = (
        UniqueConstraint("routing", "account", "serial", name="uq_check_fingerprints_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    routing: Mapped[str] = mapped_column(String(16))
    account: Mapped[str] = mapped_column(String(32))
    serial: Mapped[str] = mapped_column(String(16))
    amount: Mapped[Decimal | None] = mapped_column(Money)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"))


class LedgerEntry(Base):
    """A balanced journal entry; immutable once written (corrections are reversing entries)."""

    __tablename__ = "ledger_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(120), unique=True)
    # payment, suspense, apply, return, late_fee, reversal, reallocation
    kind: Mapped[str] = mapped_column(String(32))
    business_date: Mapped[date] = mapped_column(Date, index=True)
    loan_id: Mapped[int | None] = mapped_column(ForeignKey("loans.id"), index=True)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("items.id"), index=True)
    # unique: an entry is reversed at most once, whatever key the reversal was written under
    reverses_entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("ledger_entries.id"), unique=True
    )
    memo: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    lines: Mapped[list[LedgerLine]] = relationship(
        back_populates="entry", order_by="LedgerLine.id", cascade="all, delete-orphan"
    )


class LedgerLine(Base):
    """One side of an entry: a debit or a credit (never both, never negative) to a GL account."""

    __tablename__ = "ledger_lines"
    __table_args__ = (
        CheckConstraint("debit >= 0 AND credit >= 0", name="non_negative"),
        CheckConstraint("(debit = 0) OR (credit = 0)", name="one_side"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("ledger_entries.id"), index=True)
    gl_account: Mapped[str] = mapped_column(String(40))
    loan_id: Mapped[int | None] = mapped_column(ForeignKey("loans.id"), index=True)
    debit: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    credit: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))

    entry: Mapped[LedgerEntry] = relationship(back_populates="lines")


class Payment(Base):
    """How one item's money was applied to its loan (the waterfall); once per item.

    `prior_state` is the loan as it stood just before this payment (lockbox.servicing
    .state_to_json): what an NSF reversal restores, so the loan ends as if the check never came.
    When an earlier payment is reversed, the buckets and `prior_state` are re-figured and the
    ledger gets a reallocation entry; the original entry (`entry_id`) is never changed.
    """

    __tablename__ = "payments"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), unique=True)
    loan_id: Mapped[int] = mapped_column(ForeignKey("loans.id"), index=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("ledger_entries.id"))
    business_date: Mapped[date] = mapped_column(Date)
    received_date: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Money)
    to_fees: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    to_interest: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    to_principal: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    to_rent: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))  # lease installments
    to_excess: Mapped[Decimal] = mapped_column(
        Money, default=Decimal("0.00")
    )  # prepaid or refund due
    months_advanced: Mapped[int] = mapped_column(Integer, default=0)
    prior_state: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    entry: Mapped[LedgerEntry] = relationship()


class LateFee(Base):
    """One late fee per loan and installment due date: the constraint makes the nightly pass idempotent."""

    __tablename__ = "late_fees"
    __table_args__ = (
        UniqueConstraint("loan_id", "installment_due_date", name="uq_late_fees_loan_installment"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    loan_id: Mapped[int] = mapped_column(ForeignKey("loans.id"), index=True)
    installment_due_date: Mapped[date] = mapped_column(Date)
    assessed_on: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Money)
    entry_id: Mapped[int] = mapped_column(ForeignKey("ledger_entries.id"))

    entry: Mapped[LedgerEntry] = relationship()


class AuditEvent(Base):
    """Who did what and when: review decisions, imports, runs."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(40))
    item_id: Mapped[int | None] = mapped_column(ForeignKey("items.id"), index=True)
    loan_id: Mapped[int | None] = mapped_column(ForeignKey("loans.id"), index=True)
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)
