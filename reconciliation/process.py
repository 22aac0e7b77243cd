"""Decide one item and record it: match, apply the rules, then post it or hold it as an exception.

One call is one item in the caller's transaction; the unique constraints (item per batch/file/page,
check fingerprint, ledger idempotency key) make a rerun or a concurrent run unable to post twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import bindparam, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from lockbox import ledger
from lockbox.capture import Capture
from lockbox.faces import FacePrint
from lockbox.models import Batch, CheckFingerprint, Item, Loan
from lockbox.money import mask
from lockbox.servicing import ServicingTerms
from reconciliation.codes import ExceptionCode
from reconciliation.duplicates import Duplicate, FaceIndex, face_coarse, find_earlier
from reconciliation.matching import LoanCandidate, LoanDirectory, Match, match_capture
from reconciliation.rules import (
    AmountDecision,
    decide_amount,
    doubt_near_miss,
    evaluate,
    verify_expected,
)

log = logging.getLogger(__name__)
# Matches made from an account number written on the item: only these may verify an amount (a
# match by payer and amount already used the amount).
WRITTEN_ACCOUNT = ("coupon", "memo", "memo_near", "memo_payer")


@dataclass(frozen=True)
class Policy:
    stale_days: int = 180
    require_date: bool = True
    fees: ServicingTerms | None = None  # the late-fee terms; None: the configured ones


def load_directory(session: Session) -> LoanDirectory:
    """The loan book as matching sees it, read once per batch."""
    rows = session.execute(
        select(
            Loan.account_number,
            Loan.borrower_name,
            Loan.co_borrower_name,
            Loan.status,
            Loan.monthly_payment,
            Loan.principal_balance,
            Loan.fees_due,
        )
    )
    return LoanDirectory(
        [
            LoanCandidate(
                account_number=r.account_number,
                borrower_name=r.borrower_name,
                co_borrower_name=r.co_borrower_name,
                status=r.status,
                monthly_payment=r.monthly_payment,
                payoff=r.principal_balance + r.fees_due,
                fees_due=r.fees_due,
            )
            for r in rows
        ]
    )


# The per-item lookups, built once: building a statement costs about as much as running it.
_ITEM = select(Item).where(
    Item.batch_id == bindparam("batch_id"),
    Item.source_file == bindparam("source_file"),
    Item.page == bindparam("page"),
)
_LOAN = select(Loan).where(Loan.account_number == bindparam("account"))


def describe_earlier(session: Session, duplicate: Duplicate) -> str:
    """The sentence naming the earlier copy: where it was scanned and what became of it."""
    earlier = session.get(Item, duplicate.item_id)
    if earlier is None:
        return f"the same check as item {duplicate.item_id} ({duplicate.reason})"
    state = {"posted": "posted", "returned": "returned"}.get(earlier.status, "held for review")
    page = f" page {earlier.page}" if earlier.page != 1 else ""
    return (
        f"the same check as item {earlier.id} ({earlier.source_file}{page}, {state}):"
        f" {duplicate.reason}"
    )


def existing_item(session: Session, batch: Batch, source_file: str, page: int) -> Item | None:
    return session.scalar(_ITEM, {"batch_id": batch.id, "source_file": source_file, "page": page})


def _remember_check(session: Session, capture: Capture, amount: Decimal | None, item: Item) -> bool:
    """Record the check's fingerprint; False when another item already holds it (a duplicate).

    INSERT ... ON CONFLICT DO NOTHING on the fingerprint's unique key: one statement, no savepoint.
    On PostgreSQL a concurrent run's uncommitted fingerprint makes this wait for that run, and
    then find it (a duplicate) or, if that run rolled back, take the fingerprint.
    """
    if not (capture.routing and capture.bank_account and capture.serial):
        return True
    values = dict(
        routing=capture.routing,
        account=capture.bank_account,
        serial=capture.serial,
        amount=amount,
        item_id=item.id,
    )
    make = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = (
        make(CheckFingerprint)
        .values(values)
        .on_conflict_do_nothing(index_elements=["routing", "account", "serial"])
    )
    taken = session.execute(stmt.returning(CheckFingerprint.id)).first()
    return taken is not None


def record_item(
    session: Session,
    *,
    batch: Batch,
    capture: Capture,
    directory: LoanDirectory,
    business_date: date,
    received_date: date | None = None,
    policy: Policy | None = None,
    faces: FaceIndex | None = None,
) -> Item:
    """Decide and record one item; an item already recorded for this batch/file/page is returned as is.

    `faces`: the earlier items' faces (loaded once per batch); without it they are loaded here.
    """
    policy = policy or Policy()
    found = existing_item(session, batch, capture.source_file, capture.page)
    if found is not None:
        return found
    received = received_date or business_date

    decision: AmountDecision | None = None
    match: Match | None = None
    loan: Loan | None = None
    if capture.unreadable_reason is None and capture.is_check:
        decision = decide_amount(capture)
        match = match_capture(capture, directory, decision.amount)
        if match.account_number is not None:
            loan = session.scalar(_LOAN, {"account": match.account_number})
            named = directory.get(match.account_number)
            expected = named.expected_sources() if named is not None else {}
            if named is not None and match.method in WRITTEN_ACCOUNT:
                decision = verify_expected(capture, decision, list(expected))
            if capture.coupon_amount is not None:
                expected.setdefault(capture.coupon_amount, "the coupon's amount due")
            decision = doubt_near_miss(decision, expected)
    amount_read = decision.read if decision else None
    face = FacePrint.from_bytes(capture.face_print)
    duplicate = (
        find_earlier(
            session,
            capture,
            amount=decision.amount if decision else None,
            loan_id=loan.id if loan else None,
            face=face,
            faces=faces,
        )
        if capture.unreadable_reason is None
        else None
    )
    findings = evaluate(
        capture,
        match=match,
        loan_status=loan.status if loan else None,
        business_date=business_date,
        amount=decision,
        duplicate_of=duplicate.item_id if duplicate else None,
        duplicate_why=describe_earlier(session, duplicate) if duplicate else None,
        stale_days=policy.stale_days,
        require_date=policy.require_date,
    )
    confidences = [capture.micr_confidence]
    if decision is not None:
        confidences.append(decision.confidence)
    if match is not None:
        confidences.append(match.confidence)
    item = Item(
        batch_id=batch.id,
        source_file=capture.source_file,
        page=capture.page,
        file_sha256=capture.file_sha256,
        status="exception" if findings else "posted",
        exception_code=findings[0].code.value if findings else None,
        exception_message="; ".join(f"{f.code.value}: {f.message}" for f in findings) or None,
        loan_id=loan.id if loan else None,
        loan_account_read=capture.coupon_account or capture.memo_account,
        amount=(decision.amount if decision and decision.amount is not None else amount_read),
        confidence=round(min(confidences), 4) if not findings else 0.0,
        routing=capture.routing,
        bank_account=capture.bank_account,
        serial=capture.serial,
        check_date=capture.check_date,
        payer=capture.payer,
        check_number=capture.check_number,
        face_print=capture.face_print,
        face_coarse=face_coarse(face) if face is not None else None,
        duplicate_of_id=duplicate.item_id if duplicate else None,
        match_method=match.method if match else None,
        capture={
            **capture.to_json(),
            "codes": [f.code.value for f in findings],
            "candidates": match.candidates if match else [],
            "amount_verified": bool(decision and decision.verified),
            "amount_decided": bool(decision and decision.amount is not None),
        },
        business_date=business_date,
    )
    session.add(item)
    session.flush()
    if capture.file_warnings:
        # The file's own findings (a cash letter's control totals, its credits) go on the batch
        # with the item that carries them, in its transaction: recorded once, even on a resume.
        batch.warnings = [*(batch.warnings or []), *capture.file_warnings]
        for warning in capture.file_warnings:
            log.warning("batch %s/%s: %s", batch.site, batch.name, warning)
    if faces is not None and face is not None:
        faces.add(item.id, face)

    if not findings and loan is not None and decision is not None and decision.amount is not None:
        if not _remember_check(session, capture, decision.amount, item):
            # Another run recorded the same check a moment ago: hold this one as a duplicate.
            item.status = "exception"
            item.exception_code = ExceptionCode.DUPLICATE_CHECK.value
            item.exception_message = "DUPLICATE_CHECK: the same check was recorded by another run"
        else:
            ledger.post_payment(
                session,
                item=item,
                loan=loan,
                amount=decision.amount,
                business_date=business_date,
                received_date=received,
                terms=policy.fees,
            )
            log.info(
                "item %s posted %s to loan %s", item.id, decision.amount, mask(loan.account_number)
            )
            return item
    elif duplicate is None and capture.is_check:
        _remember_check(session, capture, amount_read, item)
    # A second image of a check is never deposited: a duplicate has no money to hold.
    a_copy = item.exception_code == ExceptionCode.DUPLICATE_CHECK.value
    if (
        item.amount is not None
        and capture.is_check
        and capture.unreadable_reason is None
        and not a_copy
    ):
        ledger.post_to_suspense(session, item=item, amount=item.amount, business_date=business_date)
    log.info("item %s held for review: %s", item.id, item.exception_code)
    return item
