"""What a clerk is offered for an open exception: the queue, and the loans it may be meant for."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from lockbox.capture import Capture
from lockbox.db import Database
from lockbox.models import AuditEvent, Batch, Item
from reconciliation.process import load_directory, record_item
from reconciliation.review import ItemNotOpenError, Queue, hold, open_exceptions, resolve
from tests.factories import make_capture, make_loan

TODAY = date(2026, 11, 17)


@pytest.fixture
def db(database: Database) -> Database:
    with database.session() as s:
        s.add_all(
            [
                make_loan(account_number="4410015163", borrower_name="Maria Gonzalez"),
                make_loan(account_number="4410015164", borrower_name="Robert Chen"),
                make_loan(
                    account_number="7770015163",
                    borrower_name="Angela Brooks",
                    status="paid_off",
                    monthly_payment=Decimal("250.00"),
                ),
                make_loan(
                    account_number="5520019944",
                    borrower_name="James Whitaker",
                    monthly_payment=Decimal("389.17"),
                ),
                Batch(site="dallas", name="B1", business_date=TODAY, status="processing"),
                Batch(site="richardson", name="R1", business_date=TODAY, status="processing"),
            ]
        )
    return database


def held(db: Database, capture: Capture, batch: str = "B1") -> Item:
    with db.session() as s:
        b = s.scalars(select(Batch).where(Batch.name == batch)).one()
        item = record_item(
            s, batch=b, capture=capture, directory=load_directory(s), business_date=TODAY
        )
        assert item.status == "exception", item.exception_message
        return item


def offered(db: Database, item_id: int) -> dict[str, tuple[str, ...]]:
    with db.session() as s:
        (found,) = [o for o in open_exceptions(s) if o.item_id == item_id]
        return {c.account_number: c.why for c in found.candidates}


def test_a_loan_with_the_last_four_digits_read_is_offered(db: Database) -> None:
    # the amounts disagree and the account read is no loan's, but its last four are an active one's
    item = held(
        db,
        make_capture(
            "1001",
            memo_account="9990015163",
            payer="Pat Q Public",
            courtesy_amount=Decimal("250.00"),
            legal_amount=Decimal("205.00"),
        ),
    )
    got = offered(db, item.id)
    assert got["4410015163"] == ("the same last four digits",)
    assert "7770015163" not in got  # paid off: a payment cannot post to it


def test_one_misread_digit_and_the_payer_and_the_amount_each_point_to_a_loan(
    db: Database,
) -> None:
    item = held(
        db,
        make_capture(
            "1002",
            memo_account="4410015165",  # one digit off both 5163 and 5164
            payer="Maria Gonzalez",
            courtesy_amount=Decimal("389.17"),
            legal_amount=Decimal("389.17"),
        ),
    )
    got = offered(db, item.id)
    assert got["4410015163"] == ("one digit off the account read", "the payer's name")
    assert got["4410015164"] == ("one digit off the account read",)
    assert got["5520019944"] == ("the amount",)  # the only loan that asks for $389.17
    # the best supported first
    assert list(got)[0] == "4410015163"


def test_the_queue_narrows_by_site_and_code_and_puts_the_largest_first(db: Database) -> None:
    small = held(
        db,
        make_capture(
            "2001",
            memo_account=None,
            courtesy_amount=Decimal("100.00"),
            legal_amount=Decimal("100.00"),
        ),
    )
    large = held(
        db,
        make_capture(
            "2002",
            memo_account=None,
            courtesy_amount=Decimal("900.00"),
            legal_amount=Decimal("900.00"),
        ),
    )
    other = held(
        db,
        make_capture(
            "2003", memo_account=None, payer="Pat Q Public", source_file="richardson/R1/x.tif"
        ),
        batch="R1",
    )
    with db.session() as s:
        assert [o.item_id for o in open_exceptions(s)] == [small.id, large.id, other.id]
        assert [o.item_id for o in open_exceptions(s, Queue(order="largest"))] == [
            large.id,
            other.id,
            small.id,
        ]
        assert [o.item_id for o in open_exceptions(s, Queue(site="richardson"))] == [other.id]
        assert [
            o.item_id for o in open_exceptions(s, Queue(batch="B1", codes=("MISSING_ACCOUNT",)))
        ] == [small.id, large.id]
        assert open_exceptions(s, Queue(codes=("DUPLICATE_CHECK",))) == []


def test_a_hold_is_recorded_and_a_decided_item_is_refused(db: Database) -> None:
    item = held(db, make_capture("3001", memo_account=None, payer="Pat Q Public"))
    with db.session() as s:
        hold(s, item.id, by="pat", note="calling the customer")
    with db.session() as s:
        kept = s.get_one(Item, item.id)
        assert (kept.status, kept.reviewed_by, kept.review_note) == (
            "exception",
            "pat",
            "calling the customer",
        )
        (event,) = s.scalars(select(AuditEvent).where(AuditEvent.item_id == item.id))
        assert (event.action, event.actor, event.details["note"]) == (
            "hold",
            "pat",
            "calling the customer",
        )
        resolve(
            s,
            item.id,
            loan_account="4410015163",
            amount=Decimal("412.50"),
            by="pat",
            note=None,
            business_date=TODAY,
        )
    with db.session() as s, pytest.raises(ItemNotOpenError, match="is posted"):
        hold(s, item.id, by="sam", note=None)


def test_an_account_read_in_full_is_offered_for_that_alone(db: Database) -> None:
    item = held(
        db,
        make_capture(
            "1003",
            memo_account="4410015164",
            payer="Pat Q Public",
            courtesy_amount=Decimal("250.00"),
            legal_amount=Decimal("205.00"),
        ),
    )
    got = offered(db, item.id)
    assert got["4410015164"] == ("the account read",)  # not also 'the same last four digits'
    assert got["4410015163"] == ("one digit off the account read",)
