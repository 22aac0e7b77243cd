"""A check is never posted twice, whether or not its MICR line was read: each way a later copy is
known, a first copy still held, legitimate repeats, and copies arriving in any order."""

from __future__ import annotations

import dataclasses
import tempfile
from datetime import date
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from lockbox import ledger
from lockbox.capture import Capture
from lockbox.db import Database, open_database
from lockbox.faces import FacePrint
from lockbox.models import Batch, Item
from reconciliation.duplicates import Sighting, same_by_face, same_by_fields
from reconciliation.process import load_directory, record_item
from reconciliation.review import DuplicateTwinError, reject, resolve
from tests.factories import make_capture, make_loan

TODAY = date(2026, 11, 17)
ACCOUNT = "4410023981"


def _face(seed: int) -> bytes:
    """A face print of its own (a check's ink drawn from the seed)."""
    rng = np.random.default_rng(seed)
    grid = np.zeros((84, 192), np.uint8)
    for _ in range(60):
        y, x = int(rng.integers(0, 80)), int(rng.integers(0, 180))
        grid[y : y + 4, x : x + 12] = 200
    return FacePrint(grid, 2.2).to_bytes()


def unread_micr(**overrides: object) -> Capture:
    """A check whose MICR line was not read at all."""
    values: dict[str, object] = dict(routing=None, bank_account=None, serial=None, micr_line=None)
    values.update(overrides)
    return make_capture(**values)  # type: ignore[arg-type]


@pytest.fixture
def db(database: Database) -> Database:
    with database.session() as s:
        s.add(make_loan(account_number=ACCOUNT))
        s.add_all(
            Batch(site="dallas", name=name, business_date=TODAY, status="processing")
            for name in ("B1", "B2", "B3")
        )
    return database


def record(db: Database, capture: Capture, batch: str = "B1") -> Item:
    with db.session() as s:
        found = s.scalars(select(Batch).where(Batch.name == batch)).one()
        item = record_item(
            s, batch=found, capture=capture, directory=load_directory(s), business_date=TODAY
        )
        s.expunge(item)
        return item


def post(db: Database, item_id: int, not_duplicate: bool = False) -> None:
    """A clerk resolves the item to the loan for the check's amount."""
    with db.session() as s:
        resolve(
            s,
            item_id,
            loan_account=ACCOUNT,
            amount=Decimal("412.50"),
            by="pat",
            note=None,
            business_date=TODAY,
            not_duplicate=not_duplicate,
        )


def cash(db: Database) -> Decimal:
    with db.session() as s:
        return ledger.trial_balance(s).get(ledger.CASH, Decimal("0"))


def test_the_micr_key_names_the_earlier_item(db: Database) -> None:
    first = record(db, make_capture(check_number="1001"))
    copy = record(db, make_capture(source_file="dallas/B2/x.tif", legal_amount=None), "B2")
    assert copy.exception_code == "DUPLICATE_CHECK" and copy.duplicate_of_id == first.id
    assert f"item {first.id} (dallas/B1/1001.tif, posted)" in (copy.exception_message or "")
    assert "MICR line" in (copy.exception_message or "")


def test_a_near_identical_face_is_a_copy_with_nothing_else_read(db: Database) -> None:
    face = _face(1)
    first = record(db, make_capture(face_print=face))
    blank = unread_micr(
        source_file="dallas/B2/rescan.png",
        courtesy_amount=None,
        legal_amount=None,
        check_date=None,
        memo_account=None,
        payer=None,
        face_print=face,
    )
    copy = record(db, blank, "B2")
    assert copy.exception_code == "DUPLICATE_CHECK" and copy.duplicate_of_id == first.id
    assert "face" in (copy.exception_message or "")


def test_a_copy_not_read_as_a_check_is_still_a_duplicate(db: Database) -> None:
    face = _face(2)
    first = record(db, make_capture(face_print=face))
    letter = Capture(source_file="dallas/B2/p.png", is_check=False, face_print=face)
    copy = record(db, letter, "B2")
    assert copy.exception_code == "DUPLICATE_CHECK" and copy.duplicate_of_id == first.id


def test_two_letters_alike_are_not_duplicate_checks(db: Database) -> None:
    face = _face(3)
    record(db, Capture(source_file="dallas/B1/l1.png", is_check=False, face_print=face))
    second = record(db, Capture(source_file="dallas/B2/l2.png", is_check=False, face_print=face))
    assert second.exception_code == "NOT_A_CHECK"


def test_number_amount_and_payer_catch_a_copy_whose_micr_was_not_read(db: Database) -> None:
    first = record(db, make_capture(serial="5064", face_print=_face(4)))
    assert first.status == "posted"
    copy = record(
        db,
        unread_micr(source_file="dallas/B2/0004.tif", check_number="5064", face_print=_face(5)),
        "B2",
    )
    assert copy.exception_code == "DUPLICATE_CHECK" and copy.duplicate_of_id == first.id
    assert "check number" in (copy.exception_message or "")
    assert cash(db) == Decimal("412.50")


def test_a_held_first_copy_blocks_its_twin_and_resolving_it_does_not_free_the_twin(
    db: Database,
) -> None:
    first = record(db, unread_micr(check_number="7001", face_print=_face(6)))
    assert first.exception_code == "MICR_UNREADABLE"
    twin = record(db, make_capture(serial="7001", source_file="dallas/B2/7001.tif"), "B2")
    assert twin.exception_code == "DUPLICATE_CHECK" and twin.duplicate_of_id == first.id
    post(db, first.id)
    with pytest.raises(DuplicateTwinError, match="copy of item"):
        post(db, twin.id)
    assert cash(db) == Decimal("412.50")
    with db.session() as s:
        returned = reject(s, twin.id, reason="same check", by="pat", business_date=TODAY)
        assert returned.status == "returned"
    assert cash(db) == Decimal("412.50")


def test_the_first_copy_cannot_post_once_its_twin_did(db: Database) -> None:
    first = record(db, unread_micr(check_number="7002"))
    twin = record(db, make_capture(serial="7002", source_file="dallas/B2/7002.tif"), "B2")
    # the clerk is sure they are two checks: audited, and it posts
    post(db, twin.id, not_duplicate=True)
    with pytest.raises(DuplicateTwinError, match="was posted"):
        post(db, first.id)


def test_a_legitimate_repeat_posts(db: Database) -> None:
    """Two checks from one payer for one amount: other numbers, other dates, other faces."""
    first = record(db, make_capture(serial="3001", check_number="3001", face_print=_face(7)))
    second = record(
        db,
        make_capture(
            serial="3002",
            check_number="3002",
            check_date=date(2026, 11, 14),
            source_file="dallas/B2/3002.tif",
            face_print=_face(8),
        ),
        "B2",
    )
    assert first.status == "posted" and second.status == "posted"
    third = record(  # no MICR read, but its printed number says it is another check
        db,
        unread_micr(check_number="3003", source_file="dallas/B3/3003.tif", face_print=_face(9)),
        "B3",
    )
    assert third.exception_code == "MICR_UNREADABLE"
    assert third.duplicate_of_id is None  # held for its MICR line, not as a copy


# --- the rules on their own ---------------------------------------------------------------------

numbers = st.frozensets(st.sampled_from(["1001", "1002", "5064"]), max_size=2)
amounts = st.sampled_from([None, Decimal("412.50"), Decimal("99.00")])
dates = st.sampled_from([None, date(2026, 11, 10), date(2026, 11, 14)])
sightings = st.builds(
    Sighting,
    numbers=numbers,
    amounts=st.frozensets(st.sampled_from([Decimal("412.50"), Decimal("99.00")]), max_size=2),
    amount=amounts,
    check_date=dates,
    date_sure=st.booleans(),
    loan_id=st.sampled_from([None, 1, 2]),
    payer=st.sampled_from([None, "MARIA GONZALEZ", "ROBERT CHEN"]),
)


@given(sightings, sightings, st.floats(0, 0.2))
def test_which_copy_came_first_does_not_matter(a: Sighting, b: Sighting, dist: float) -> None:
    assert bool(same_by_fields(a, b)) == bool(same_by_fields(b, a))
    assert bool(same_by_face(dist, a, b)) == bool(same_by_face(dist, b, a))


@given(sightings, sightings, st.floats(0, 0.2))
def test_two_check_numbers_read_apart_are_two_checks(a: Sighting, b: Sighting, d: float) -> None:
    a = dataclasses.replace(a, numbers=frozenset({"3001"}))
    b = dataclasses.replace(b, numbers=frozenset({"3002"}))
    assert same_by_fields(a, b) is None and same_by_face(d, a, b) is None


@settings(max_examples=12, deadline=None)
@given(order=st.permutations([0, 1, 2]))
def test_whichever_copy_arrives_first_posts_and_the_others_are_held(order: list[int]) -> None:
    """Three copies of one check, in any order: one with its MICR line read, two without (one of
    them read only by its face)."""
    face = _face(10)
    copies = [
        make_capture(serial="9001", source_file="dallas/B1/a.tif", face_print=face),
        unread_micr(check_number="9001", source_file="dallas/B2/b.tif", face_print=face),
        unread_micr(
            source_file="dallas/B3/c.tif",
            courtesy_amount=None,
            legal_amount=None,
            memo_account=None,
            payer=None,
            face_print=face,
        ),
    ]
    with tempfile.TemporaryDirectory() as tmp:
        db = open_database(f"sqlite:///{tmp}/lockbox.db")
        try:
            with db.session() as s:
                s.add(make_loan(account_number=ACCOUNT))
                s.add_all(
                    Batch(site="dallas", name=n, business_date=TODAY, status="processing")
                    for n in ("B1", "B2", "B3")
                )
            items = [record(db, copies[i], f"B{i + 1}") for i in order]
        finally:
            db.engine.dispose()
    assert all(i.exception_code == "DUPLICATE_CHECK" for i in items[1:])
    assert all(i.duplicate_of_id == items[0].id for i in items[1:])
