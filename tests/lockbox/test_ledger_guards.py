"""The database itself refuses an unbalanced entry and any edit of the ledger (PostgreSQL, 0002).

These write rows by hand, past lockbox.ledger's own checks, as a script or a psql session could.
"""

from __future__ import annotations

import os
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from lockbox.db import Database
from lockbox.ledger import CASH, SUSPENSE, credit, debit, post_entry
from lockbox.models import LedgerEntry, LedgerLine

D = Decimal
TODAY = date(2026, 11, 17)


pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        not os.environ.get("LOCKBOX_TEST_POSTGRES_URL"),
        reason="needs LOCKBOX_TEST_POSTGRES_URL (migration 0002 is a no-op on SQLite)",
    ),
    pytest.mark.parametrize("database", ["postgres"], indirect=True),
]


@pytest.fixture
def pg(database: Database) -> Database:
    assert database.is_postgres
    return database


def hand_made(key: str, *lines: tuple[str, str, str]) -> LedgerEntry:
    return LedgerEntry(
        idempotency_key=key,
        kind="payment",
        business_date=TODAY,
        lines=[LedgerLine(gl_account=a, debit=D(d), credit=D(c)) for a, d, c in lines],
    )


def entries(db: Database) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(LedgerEntry)) or 0


def posted(db: Database) -> int:
    with db.session() as s:
        entry = post_entry(
            s,
            key="good",
            kind="suspense",
            business_date=TODAY,
            lines=[debit(CASH, D("25.00")), credit(SUSPENSE, D("25.00"))],
        )
        return entry.id


def test_an_unbalanced_hand_made_entry_does_not_commit(pg: Database) -> None:
    refused = pytest.raises(IntegrityError, match="does not balance.*debits 100.00, credits 99.99")
    with refused, pg.session() as s:
        s.add(hand_made("by-hand", (CASH, "100.00", "0"), (SUSPENSE, "0", "99.99")))
        s.flush()  # accepted row by row: the check runs at COMMIT
    assert entries(pg) == 0


def test_an_entry_without_lines_does_not_commit(pg: Database) -> None:
    with pytest.raises(IntegrityError, match="0 lines"), pg.session() as s:
        s.add(hand_made("empty"))
    assert entries(pg) == 0


def test_a_line_added_later_to_a_committed_entry_must_keep_it_balanced(pg: Database) -> None:
    entry_id = posted(pg)
    refused = pytest.raises(IntegrityError, match=r"ledger entry \d+ \(good\) does not balance")
    with refused, pg.session() as s:
        s.add(LedgerLine(entry_id=entry_id, gl_account=CASH, debit=D("5.00"), credit=D("0")))
    with pg.session() as s:  # a balanced pair is still a valid entry
        s.add(LedgerLine(entry_id=entry_id, gl_account=CASH, debit=D("5.00"), credit=D("0")))
        s.add(LedgerLine(entry_id=entry_id, gl_account=SUSPENSE, debit=D("0"), credit=D("5.00")))


def test_a_balanced_hand_made_entry_commits(pg: Database) -> None:
    with pg.session() as s:
        s.add(
            hand_made("fine", (CASH, "10.00", "0"), (SUSPENSE, "0", "4.00"), (SUSPENSE, "0", "6"))
        )
    assert entries(pg) == 1


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE ledger_lines SET debit = 30 WHERE debit = 25",
        "UPDATE ledger_entries SET memo = 'tidied up'",
        "DELETE FROM ledger_lines",
        "DELETE FROM ledger_entries",
        "TRUNCATE ledger_lines",
    ],
)
def test_ledger_rows_cannot_be_changed_or_deleted(pg: Database, statement: str) -> None:
    posted(pg)
    with pytest.raises(IntegrityError, match="append-only") as err, pg.engine.begin() as conn:
        conn.execute(text(statement))
    assert "reversing entry" in str(err.value)
    with pg.session() as s:
        assert s.execute(select(LedgerLine.debit, LedgerLine.credit)).all() == [
            (D("25.00"), D("0.00")),
            (D("0.00"), D("25.00")),
        ]
        assert s.scalars(select(LedgerEntry.memo)).one() is None


def test_the_orm_cannot_edit_or_delete_an_entry_either(pg: Database) -> None:
    entry_id = posted(pg)
    with pytest.raises(IntegrityError, match="UPDATE on ledger_lines"), pg.session() as s:
        s.get_one(LedgerEntry, entry_id).lines[0].debit = D("1.00")
    with pytest.raises(IntegrityError, match="DELETE on ledger_"), pg.session() as s:
        s.delete(s.get_one(LedgerEntry, entry_id))
    assert entries(pg) == 1
