"""A clerk's decisions on exception items: resolve (post to a loan) or reject (return the check).

The decision posts through the same ledger code as the nightly run, and leaves an audit event.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from lockbox import ledger
from lockbox.models import AuditEvent, Batch, Item, Loan
from lockbox.money import mask, money


class ReviewError(ValueError):
    """A review decision that cannot be carried out; the message says why and what to do."""


class ItemNotOpenError(ReviewError):
    pass


class UnknownLoanError(ReviewError):
    pass


@dataclass(frozen=True)
class OpenException:
    item_id: int
    site: str
    batch: str
    source_file: str
    page: int
    exception_code: str
    message: str
    amount: Decimal | None
    loan_account: str | None  # what was read, masked when shown
    payer: str | None
    business_date: date
    candidates: list[str]
    crops: dict[str, str] = field(default_factory=dict)  # field in doubt -> image path


def open_exceptions(session: Session) -> list[OpenException]:
    """Every exception item still waiting for a decision, oldest first."""
    rows = session.execute(
        select(Item, Batch.site, Batch.name)
        .join(Batch, Batch.id == Item.batch_id)
        .where(Item.status == "exception")
        .order_by(Item.business_date, Item.id)
    )
    out = []
    for item, site, batch in rows:
        out.append(
            OpenException(
                item_id=item.id,
                site=site,
                batch=batch,
                source_file=item.source_file,
                page=item.page,
                exception_code=item.exception_code or "",
                message=item.exception_message or "",
                amount=item.amount,
                loan_account=item.loan_account_read,
                payer=item.payer,
                business_date=item.business_date,
                candidates=list((item.capture or {}).get("candidates") or []),
                crops=dict((item.capture or {}).get("crops") or {}),
            )
        )
    return out


def _open_item(session: Session, item_id: int) -> Item:
    item = session.get(Item, item_id, with_for_update=True)
    if item is None:
        raise ItemNotOpenError(f"there is no item {item_id}; see `lockbox review list`")
    if item.status != "exception":
        raise ItemNotOpenError(
            f"item {item_id} is {item.status}, not an open exception; nothing was changed"
        )
    return item


def resolve(
    session: Session,
    item_id: int,
    *,
    loan_account: str,
    amount: Decimal,
    by: str,
    note: str | None,
    business_date: date,
) -> Item:
    """Post an exception item to the loan the clerk chose, for the amount the clerk confirmed."""
    item = _open_item(session, item_id)
    account = loan_account.strip().replace("-", "").replace(" ", "")
    loan = session.scalar(select(Loan).where(Loan.account_number == account))
    if loan is None:
        raise UnknownLoanError(
            f"no loan ending {account[-4:]} in the loan book; check the number (nothing was posted)"
        )
    if loan.status != "active":
        raise ReviewError(
            f"loan {mask(loan.account_number)} is {loan.status.replace('_', ' ')}; a payment cannot"
            " post to it. Reject the item or reactivate the loan first."
        )
    amount = money(amount)
    if amount <= 0:
        raise ReviewError("the amount must be more than zero")
    batch = session.get_one(Batch, item.batch_id)
    ledger.apply_from_suspense(
        session,
        item=item,
        loan=loan,
        amount=amount,
        business_date=business_date,
        received_date=batch.deposit_date or item.business_date,
    )
    previous = {"code": item.exception_code, "amount": str(item.amount) if item.amount else None}
    item.status = "posted"
    item.loan_id = loan.id
    item.amount = amount
    item.reviewed_by = by
    item.review_note = note
    item.decided_at = datetime.now(UTC)
    item.match_method = "clerk"
    session.add(
        AuditEvent(
            actor=by,
            action="resolve",
            item_id=item.id,
            loan_id=loan.id,
            details={"amount": str(amount), "note": note, "was": previous},
        )
    )
    session.flush()
    return item


def reject(session: Session, item_id: int, *, reason: str, by: str, business_date: date) -> Item:
    """The item will not post: its money leaves suspense as a returned item."""
    if not reason.strip():
        raise ReviewError("give a reason for rejecting the item (--reason)")
    item = _open_item(session, item_id)
    ledger.return_from_suspense(session, item=item, business_date=business_date)
    item.status = "returned"
    item.reviewed_by = by
    item.review_note = reason
    item.decided_at = datetime.now(UTC)
    session.add(
        AuditEvent(
            actor=by,
            action="reject",
            item_id=item.id,
            loan_id=item.loan_id,
            details={"reason": reason, "code": item.exception_code},
        )
    )
    session.flush()
    return item
