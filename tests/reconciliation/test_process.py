"""Recording items against a real database: posting, holding, duplicates, reruns, review."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from lockbox import ledger
from lockbox.capture import Capture
from lockbox.db import Database
from lockbox.models import Batch, Item, LedgerLine, Loan
from reconciliation.process import load_directory, record_item
from reconciliation.review import ItemNotOpenError, ReviewError, UnknownLoanError, reject, resolve
from tests.factories import UNSURE, make_loan
from tests.factories import make_capture as check

TODAY = date(2026, 11, 17)
ACCOUNT = "4410023981"


@pytest.fixture
def db(database: Database) -> Database:
    with database.session() as s:
        s.add_all(
            [
                make_loan(account_number=ACCOUNT),
                Loan(
                    account_number="6630001122",
                    borrower_name="Angela Brooks",
                    product="retail",
                    status="paid_off",
                    monthly_payment=Decimal("250.00"),
                    next_due_date=date(2026, 12, 1),
                    principal_balance=Decimal("0.00"),
                    annual_rate=Decimal("0.05"),
                    fees_due=Decimal("0.00"),
                ),
                Batch(site="dallas", name="B1", business_date=TODAY, status="processing"),
                Batch(site="richardson", name="R1", business_date=TODAY, status="processing"),
            ]
        )
    return database


def record(db: Database, capture: Capture, batch_name: str = "B1") -> Item:
    with db.session() as s:
        batch = s.scalars(select(Batch).where(Batch.name == batch_name)).one()
        return record_item(
            s, batch=batch, capture=capture, directory=load_directory(s), business_date=TODAY
        )


def cash(db: Database) -> Decimal:
    with db.session() as s:
        return ledger.trial_balance(s).get(ledger.CASH, Decimal("0"))


def test_a_clean_check_posts_to_its_loan(db: Database) -> None:
    item = record(db, check())
    assert item.status == "posted" and item.exception_code is None
    with db.session() as s:
        loan = s.scalars(select(Loan).where(Loan.account_number == ACCOUNT)).one()
        assert loan.next_due_date == date(2027, 1, 1)
        assert loan.last_payment_date == TODAY
    assert cash(db) == Decimal("412.50")


def test_recording_the_same_item_again_posts_nothing(db: Database) -> None:
    first = record(db, check())
    again = record(db, check())
    assert again.id == first.id
    assert cash(db) == Decimal("412.50")


def test_the_same_check_in_another_batch_is_a_duplicate(db: Database) -> None:
    record(db, check())
    dup = record(db, check(source_file="richardson/R1/again.tif"), batch_name="R1")
    assert dup.status == "exception" and dup.exception_code == "DUPLICATE_CHECK"
    with db.session() as s:
        held = ledger.trial_balance(s).get(ledger.SUSPENSE, Decimal("0"))
    # a copy of a check is never deposited: no cash debit, nothing held in suspense
    assert held == Decimal("0") and cash(db) == Decimal("412.50")
    with db.session() as s:  # a clerk who finds it was the same check rejects it: nothing moves
        reject(s, dup.id, reason="same check scanned twice", by="pat", business_date=TODAY)
    assert cash(db) == Decimal("412.50")


def test_exceptions_never_touch_a_loan_and_wait_in_suspense(db: Database) -> None:
    stale = record(db, check(serial="2001", check_date=date(2026, 1, 2)))
    inactive = record(db, check(serial="2002", memo_account="6630001122"))
    mismatch = record(db, check(serial="2003", legal_amount=Decimal("421.50")))
    assert [stale.exception_code, inactive.exception_code, mismatch.exception_code] == [
        "STALE_DATED",
        "LOAN_NOT_ACTIVE",
        "AMOUNT_MISMATCH",
    ]
    with db.session() as s:
        loan_lines = s.scalar(
            select(func.count(LedgerLine.id)).where(LedgerLine.loan_id.is_not(None))
        )
        assert loan_lines == 0
        tb = ledger.trial_balance(s)
    assert tb[ledger.CASH] == -tb[ledger.SUSPENSE]


def test_an_unsure_amount_the_loan_expects_posts_and_says_so(db: Database) -> None:
    unsure = dict(courtesy_confidence=UNSURE[0], legal_confidence=UNSURE[1])
    item = record(db, check(serial="3001", **unsure))
    assert item.status == "posted" and item.capture["amount_verified"] is True
    # the same doubt about an amount the loan does not expect is a clerk's to decide
    odd = dict(courtesy_amount=Decimal("412.05"), legal_amount=Decimal("412.05"))
    held = record(db, check(serial="3002", **unsure, **odd))
    assert held.exception_code == "UNREADABLE_AMOUNT" and held.capture["amount_verified"] is False
    # a payer-and-amount match used the amount to find the loan: it cannot also verify it
    by_payer = record(db, check(serial="3003", memo_account=None, **unsure))
    assert by_payer.status == "exception"


def test_an_amount_one_digit_off_the_amount_due_is_held_unless_paid_ahead(db: Database) -> None:
    """Figures and words misread alike ('50/100' as '30/100' in both) are held; paying the
    installment plus whole dollars is what customers do, and posts."""
    UNSURE = dict(courtesy_confidence=0.7, legal_confidence=0.6)  # noqa: N806 - a test constant
    misread = dict(courtesy_amount=Decimal("412.30"), legal_amount=Decimal("412.30"), **UNSURE)
    held = record(db, check(serial="4001", **misread))
    assert held.status == "exception" and held.exception_code == "UNREADABLE_AMOUNT"
    assert "$412.50" in (held.exception_message or "")
    ahead = dict(courtesy_amount=Decimal("512.50"), legal_amount=Decimal("512.50"), **UNSURE)
    assert record(db, check(serial="4002", **ahead)).status == "posted"
    # the coupon's amount due counts too, read from the scan line of the coupon in the envelope
    coupon = dict(coupon_amount=Decimal("437.50"), coupon_confidence=0.95)
    off = dict(courtesy_amount=Decimal("437.80"), legal_amount=Decimal("437.80"), **UNSURE)
    held = record(db, check(serial="4003", **coupon, **off))
    assert held.exception_code == "UNREADABLE_AMOUNT"
    assert "coupon" in (held.exception_message or "")


def test_resolve_moves_the_money_from_suspense_to_the_loan(db: Database) -> None:
    item = record(db, check(serial="3001", memo_account=None, payer="Someone Else"))
    assert item.exception_code == "MISSING_ACCOUNT"
    with db.session() as s, pytest.raises(UnknownLoanError):
        resolve(
            s,
            item.id,
            loan_account="999",
            amount=Decimal("412.50"),
            by="pat",
            note=None,
            business_date=TODAY,
        )
    with db.session() as s, pytest.raises(ReviewError, match="paid off"):
        resolve(
            s,
            item.id,
            loan_account="6630001122",
            amount=Decimal("412.50"),
            by="pat",
            note=None,
            business_date=TODAY,
        )
    with db.session() as s:
        done = resolve(
            s,
            item.id,
            loan_account=ACCOUNT,
            amount=Decimal("412.50"),
            by="pat",
            note="called customer",
            business_date=TODAY,
        )
        assert done.status == "posted" and done.reviewed_by == "pat"
    with db.session() as s:
        tb = ledger.trial_balance(s)
        assert tb.get(ledger.SUSPENSE, Decimal("0")) == 0
        assert tb[ledger.CASH] == Decimal("412.50")
        with pytest.raises(ItemNotOpenError):
            reject(s, item.id, reason="oops", by="pat", business_date=TODAY)


def test_reject_returns_the_item(db: Database) -> None:
    item = record(db, check(serial="4001", check_date=date(2027, 1, 5)))
    assert item.exception_code == "POST_DATED"
    with db.session() as s:
        out = reject(s, item.id, reason="post-dated, returned", by="pat", business_date=TODAY)
        assert out.status == "returned"
        tb = ledger.trial_balance(s)
        assert tb.get(ledger.SUSPENSE, Decimal("0")) == 0
        assert tb[ledger.RETURNED_ITEMS] == Decimal("-412.50")


def test_the_same_check_read_with_another_amount_is_still_a_duplicate(db: Database) -> None:
    first = record(db, check(courtesy_amount=Decimal("41.25"), legal_amount=Decimal("412.50")))
    assert first.exception_code == "AMOUNT_MISMATCH"
    again = record(db, check(source_file="richardson/R1/again.tif"), batch_name="R1")
    assert again.status == "exception" and again.exception_code == "DUPLICATE_CHECK"


def test_a_returned_check_is_reversed_from_the_command_line(
    db: Database, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from lockbox.cli import main as lockbox

    item = record(db, check())
    monkeypatch.setenv("LOCKBOX_DATABASE_URL", db.engine.url.render_as_string(hide_password=False))
    assert lockbox(["return", str(item.id), "--reason", "NSF", "--by", "pat"]) == 0
    assert "returned unpaid" in capsys.readouterr().out
    assert cash(db) == Decimal("0.00")
    with db.session() as s:
        assert s.get_one(Item, item.id).status == "returned"
        loan = s.scalars(select(Loan).where(Loan.account_number == ACCOUNT)).one()
        assert loan.next_due_date == date(2026, 12, 1)  # as before the payment
    assert lockbox(["return", str(item.id), "--reason", "NSF"]) in (0, 2)
    assert cash(db) == Decimal("0.00")  # never reversed twice


def test_the_run_summary_lists_each_held_item_masked_with_its_images(
    db: Database, tmp_path: Path
) -> None:
    from reconciliation.crops import attach_crops
    from reconciliation.summary import (
        held_rows,
        render_markdown,
        site_rows,
        summarize,
        summary_from_json,
    )

    record(db, check(serial="4001"))
    held = record(db, check(serial="4002", legal_amount=Decimal("421.50")))
    with db.session() as s:
        item = s.get(Item, held.id)
        assert item is not None
        attach_crops(tmp_path, item, {"courtesy": b"c", "legal": b"l", "memo": b"m"})
    with db.session() as s:
        batch_ids = list(s.scalars(select(Batch.id)))
        summary = summarize(s, batch_ids, TODAY.isoformat())
    site, empty, total = site_rows(summary)
    assert empty["site"] == "richardson" and empty["straight-through"] == "-"
    assert (total["site"], total["batches"], total["items"], total["posted $"]) == (
        "total",
        2,
        2,
        "412.50",
    )
    assert (site["site"], site["items"], site["posted"], site["exceptions"]) == ("dallas", 2, 1, 1)
    assert site["straight-through"] == "50%" and site["exceptions by code"] == "AMOUNT_MISMATCH 1"
    [row] = held_rows(summary)
    assert row["item"] == held.id and row["code"] == "AMOUNT_MISMATCH"
    assert row["account"] == "******3981" and row["amount"] == "421.50"
    assert row["images"].split() == [
        str(tmp_path / "crops" / TODAY.isoformat() / f"item-{held.id}-{name}.png")
        for name in ("courtesy", "legal")
    ]
    text = render_markdown(summary)
    assert ACCOUNT not in text and "file://" not in text
    # the fields in doubt are inside the artifact, so the browser shows them
    assert text.count("](data:image/png;base64,") == 2
    assert "| **total** | 2 | 2 | 1 | 412.50 | 1 | 421.50 | 0 | 0.00 |" in text
    # the batch's deposit: no ticket here, both items' amounts read
    assert "| dallas/B1 | - | 2 (-) | 834.00 | - | no ticket | 412.50 | 421.50 |" in text
    assert summary_from_json(summary.to_json()) == summary


def test_a_batch_that_disagrees_with_its_ticket_says_so_and_names_amounts_in_doubt(
    db: Database,
) -> None:
    from reconciliation.batches import close_batch

    record(db, check(serial="5001"))
    held = record(db, check(serial="5002", legal_amount=Decimal("421.50")))
    with db.session() as s:
        batch = s.scalars(select(Batch).where(Batch.name == "B1")).one()
        batch.ticket_item_count, batch.ticket_control_total = 2, Decimal("825.00")
        problems = close_batch(s, batch)
        assert batch.status == "complete" and batch.warnings == problems
    # the tape has 412.50 twice; the held item's legal reading (421.50) is what was recorded
    [problem] = problems
    assert "$825.00" in problem and "$834.00" in problem and "difference $-9.00" in problem
    assert f"item(s) {held.id}, held for review" in problem
    with db.session() as s:
        other = s.scalars(select(Batch).where(Batch.name == "R1")).one()
        other.ticket_item_count, other.ticket_control_total = 0, Decimal("0.00")
        assert close_batch(s, other) == []
    with db.session() as s:
        from reconciliation.summary import render_markdown, summarize

        summary = summarize(s, list(s.scalars(select(Batch.id))), TODAY.isoformat())
    b1, r1 = summary.batches
    assert (b1.ticket_items, b1.items, b1.ticket_total, b1.amount, b1.agrees) == (
        2,
        2,
        Decimal("825.00"),
        Decimal("834.00"),
        False,
    )
    assert (r1.items, r1.agrees) == (0, True)
    assert "| dallas/B1 | - | 2 (2) | 834.00 | 825.00 | **no** |" in render_markdown(summary)
