"""A clerk's decisions on exception items: resolve (post to a loan) or reject (return the check).

The decision posts through the same ledger code as the nightly run, and leaves an audit event.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from lockbox import ledger
from lockbox.models import AuditEvent, Batch, Item, Loan
from lockbox.money import ending, mask, money
from reconciliation.matching import LoanDirectory
from reconciliation.process import load_directory


class ReviewError(ValueError):
    """A review decision that cannot be carried out; the message says why and what to do."""


class ItemNotOpenError(ReviewError):
    pass


class UnknownLoanError(ReviewError):
    pass


class DuplicateTwinError(ReviewError):
    """The item is a suspected copy of another check, or its copy has posted: posting it needs the
    clerk's word that the two are different checks."""


@dataclass(frozen=True)
class EarlierCopy:
    """The item a DUPLICATE_CHECK was held as a copy of, as the clerk compares it."""

    item_id: int
    site: str
    batch: str
    source_file: str
    page: int
    status: str
    amount: Decimal | None
    loan_account: str | None  # the loan it posted to, or the account read; masked when shown
    crops: dict[str, str] = field(default_factory=dict)
    views: dict[str, str] = field(default_factory=dict)  # kept while it was an exception


@dataclass(frozen=True)
class Candidate:
    """A loan the clerk may mean, with what points to it; its number is masked wherever shown."""

    account_number: str
    borrower: str
    status: str
    monthly_payment: Decimal
    next_due: date | None
    why: tuple[str, ...]  # "the account read", "the same last four digits", "the amount", ...


@dataclass(frozen=True)
class Queue:
    """Which open exceptions a clerk works, and in what order."""

    site: str = ""  # "" for every site
    batch: str = ""
    codes: tuple[str, ...] = ()  # () for every code
    order: Literal["oldest", "largest"] = "oldest"


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
    candidates: list[Candidate]
    crops: dict[str, str] = field(default_factory=dict)  # field in doubt -> PNG path
    earlier: EarlierCopy | None = None  # for a DUPLICATE_CHECK, the copy seen first
    codes: tuple[str, ...] = ()  # every code the item was held for, the main one first
    views: dict[str, str] = field(default_factory=dict)  # page (front, back, coupon) -> JPEG path
    field_boxes: dict[str, tuple[float, ...]] = field(default_factory=dict)  # on the front view


def earlier_copy(session: Session, item: Item) -> EarlierCopy | None:
    """The earlier item `item` was held as a copy of, or None."""
    if item.duplicate_of_id is None:
        return None
    earlier = session.get(Item, item.duplicate_of_id)
    if earlier is None:
        return None
    batch = session.get_one(Batch, earlier.batch_id)
    loan = session.get(Loan, earlier.loan_id) if earlier.loan_id is not None else None
    return EarlierCopy(
        item_id=earlier.id,
        site=batch.site,
        batch=batch.name,
        source_file=earlier.source_file,
        page=earlier.page,
        status=earlier.status,
        amount=earlier.amount,
        loan_account=loan.account_number if loan is not None else earlier.loan_account_read,
        crops=dict((earlier.capture or {}).get("crops") or {}),
        views=dict((earlier.capture or {}).get("views") or {}),
    )


def open_exceptions(session: Session, queue: Queue | None = None) -> list[OpenException]:
    """Every exception item still waiting for a decision in the queue (all of them by default),
    oldest first or largest amount first."""
    queue = queue or Queue()
    rows = session.execute(
        select(Item, Batch.site, Batch.name)
        .join(Batch, Batch.id == Item.batch_id)
        .where(Item.status == "exception")
        .order_by(Item.business_date, Item.id)
    )
    directory: LoanDirectory | None = None
    out = []
    for item, site, batch in rows:
        capture = item.capture or {}
        if queue.site and site != queue.site or queue.batch and batch != queue.batch:
            continue
        if queue.codes and item.exception_code not in queue.codes:
            continue
        directory = directory or load_directory(session)
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
                candidates=candidates_for(session, item, directory),
                crops=dict(capture.get("crops") or {}),
                views=dict(capture.get("views") or {}),
                earlier=earlier_copy(session, item),
                codes=tuple(capture.get("codes") or [item.exception_code or ""]),
                field_boxes={k: tuple(v) for k, v in (capture.get("field_boxes") or {}).items()},
            )
        )
    if queue.order == "largest":
        out.sort(key=lambda o: -(o.amount or Decimal(0)))  # a stable sort: oldest first within
    return out


MAX_CANDIDATES = 8
# a payment's amount alone names a loan only among this few (a common installment fits hundreds)
FEW_BY_AMOUNT = 3


def candidates_for(session: Session, item: Item, directory: LoanDirectory) -> list[Candidate]:
    """The loans a clerk may mean for this item, the best supported first.

    What points to a loan: matching's own candidates; an account read (memo, coupon) in full, one
    common misread off it, or its last four digits; the borrower's name on the payer line; and the
    amount, when it is one the loan's statement asks for (alone only when few loans ask it). Only
    active loans are offered, but for the one whose number was read in full.
    """
    capture = item.capture or {}
    why: dict[str, list[str]] = {}

    def add(account: str, reason: str) -> None:
        reasons = why.setdefault(account, [])
        if reason not in reasons:
            reasons.append(reason)

    raw = (item.loan_account_read, capture.get("memo_account"), capture.get("coupon_account"))
    reads = {"".join(ch for ch in r if ch.isdigit()) for r in raw if r}
    for digits in sorted(r for r in reads if r):
        if directory.get(digits) is not None:
            add(digits, "the account read")
        for loan in directory.near(digits):
            add(loan.account_number, "one digit off the account read")
        if len(digits) >= 4:
            for account in session.scalars(
                select(Loan.account_number).where(Loan.account_number.like(f"%{digits[-4:]}"))
            ):
                if account != digits:  # read in full: its last four say nothing more
                    add(account, "the same last four digits")
    payer_loans = directory.by_payer(item.payer) if item.payer else []
    for loan in payer_loans:
        add(loan.account_number, "the payer's name")
    if item.amount is not None:
        amount = money(item.amount)
        for loan in payer_loans:
            if loan.expects(amount):
                add(loan.account_number, "the amount")
        by_amount = directory.by_amount(amount)
        if len(by_amount) <= FEW_BY_AMOUNT:
            for loan in by_amount:
                add(loan.account_number, "the amount")
    for account in capture.get("candidates") or []:
        if account not in why:
            add(account, "named when the item was read")
    loans = {
        loan.account_number: loan
        for loan in session.scalars(select(Loan).where(Loan.account_number.in_(list(why))))
    }
    ranked = sorted(
        (a for a in why if a in loans and (loans[a].status == "active" or a in reads)),
        key=lambda a: (-len(why[a]), a),
    )
    return [
        Candidate(
            account_number=a,
            borrower=loans[a].borrower_name,
            status=loans[a].status,
            monthly_payment=loans[a].monthly_payment,
            next_due=loans[a].next_due_date,
            why=tuple(why[a]),
        )
        for a in ranked[:MAX_CANDIDATES]
    ]


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
    not_duplicate: bool = False,
) -> Item:
    """Post an exception item to the loan the clerk chose, for the amount the clerk confirmed.

    A suspected copy of another check, or an item whose copy has posted, posts only with
    `not_duplicate` (the clerk compared the two and they are different checks): resolving a held
    first copy never lets its twin post on its own.
    """
    item = _open_item(session, item_id)
    twins = _twins(session, item)
    if not not_duplicate:
        if item.exception_code == "DUPLICATE_CHECK":
            raise DuplicateTwinError(
                f"item {item_id} is held as a copy of item {item.duplicate_of_id}; compare the two"
                " and reject it, or, if they are two different checks, resolve it with"
                " --not-duplicate (nothing was posted)"
            )
        posted = [t.id for t in twins if t.status == "posted"]
        if posted:
            raise DuplicateTwinError(
                f"item {item_id} has a copy that was posted (item {posted[0]}); if they are two"
                " different checks, resolve it with --not-duplicate (nothing was posted)"
            )
    account = loan_account.strip().replace("-", "").replace(" ", "")
    loan = session.scalar(select(Loan).where(Loan.account_number == account))
    if loan is None:
        raise UnknownLoanError(
            f"no loan {ending(account)} in the loan book; check the number (nothing was posted)"
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
    previous: dict[str, object] = {
        "code": item.exception_code,
        "amount": str(item.amount) if item.amount else None,
    }
    if not_duplicate:
        previous["not_duplicate_of"] = [t.id for t in twins]
    item.status = "posted"
    item.loan_id = loan.id
    item.amount = amount
    item.match_method = "clerk"
    details = {"amount": str(amount), "note": note, "was": previous}
    return _decided(session, item, by=by, note=note, action="resolve", details=details)


def _twins(session: Session, item: Item) -> list[Item]:
    """The items held as copies of this one, and the one it was held as a copy of."""
    later = list(session.scalars(select(Item).where(Item.duplicate_of_id == item.id)))
    earlier = session.get(Item, item.duplicate_of_id) if item.duplicate_of_id else None
    return ([earlier] if earlier is not None else []) + later


def reject(session: Session, item_id: int, *, reason: str, by: str, business_date: date) -> Item:
    """The item will not post: its money leaves suspense as a returned item."""
    if not reason.strip():
        raise ReviewError("give a reason for rejecting the item (--reason)")
    item = _open_item(session, item_id)
    ledger.return_from_suspense(session, item=item, business_date=business_date)
    item.status = "returned"
    details = {"reason": reason, "code": item.exception_code}
    return _decided(session, item, by=by, note=reason, action="reject", details=details)


def hold(session: Session, item_id: int, *, by: str, note: str | None) -> Item:
    """The clerk looked and left the item open for later: recorded, nothing posted."""
    item = _open_item(session, item_id)
    details = {"note": note, "code": item.exception_code}
    return _decided(session, item, by=by, note=note, action="hold", details=details)


def _decided(
    session: Session,
    item: Item,
    *,
    by: str,
    note: str | None,
    action: str,
    details: Mapping[str, object],
) -> Item:
    """Record a clerk's decision on the item (who, why, when) and in the audit trail."""
    item.reviewed_by = by
    item.review_note = note
    item.decided_at = datetime.now(UTC)
    session.add(
        AuditEvent(
            actor=by, action=action, item_id=item.id, loan_id=item.loan_id, details=dict(details)
        )
    )
    session.flush()
    return item
