"""A year of servicing, rendered as the year-end statement and compared with reviewed golden text.

One retail loan and one lease go through 2026 the way the nightly run would take them: a payment
on time, one inside the grace period, late ones (the nightly pass charges the fee), partial ones,
double ones, and a check that came back unpaid (NSF) and was replaced. The same text must come out
on SQLite and on PostgreSQL. After an intended change to the statement or to the servicing rules,
rewrite the files with LOCKBOX_UPDATE_GOLDEN=1, read the diff, and commit it.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from lockbox.db import Database
from lockbox.latefees import assess_late_fees
from lockbox.ledger import post_payment, trial_balance
from lockbox.models import AuditEvent, Batch, Item, Loan
from lockbox.reversals import reverse_payment
from lockbox.statements import render_statement
from tests.factories import make_loan

D = Decimal
GOLDEN = Path(__file__).parent / "golden"
YEAR_END = date(2026, 12, 31)
RETAIL = "400123456789"
LEASE = "510098765432"
LOANS = [("retail", RETAIL), ("lease", LEASE)]

# (received, account, amount) — the check each day's mail brought, as the clerk would list them
MAIL: list[tuple[date, str, str]] = [
    (date(2026, 1, 2), RETAIL, "412.50"),  # on time
    (date(2026, 1, 14), LEASE, "389.17"),  # on time
    (date(2026, 2, 9), RETAIL, "412.50"),  # inside the grace period: no fee
    (date(2026, 2, 20), LEASE, "389.17"),  # inside the grace period: no fee
    (date(2026, 3, 20), RETAIL, "433.13"),  # late: the installment and the fee charged Mar 12
    (date(2026, 4, 2), LEASE, "408.63"),  # late: the March rent and the fee charged Mar 26
    (date(2026, 4, 3), RETAIL, "200.00"),  # partial
    (date(2026, 4, 10), LEASE, "150.00"),  # partial
    (date(2026, 4, 24), LEASE, "239.17"),  # the rest, inside the grace period
    (date(2026, 4, 25), RETAIL, "233.13"),  # the rest, late: with the fee charged Apr 12
    (date(2026, 5, 1), RETAIL, "825.00"),  # double: May and June
    (date(2026, 5, 12), LEASE, "778.34"),  # double: May and June
    (date(2026, 7, 1), RETAIL, "412.50"),
    (date(2026, 7, 15), LEASE, "389.17"),
    (date(2026, 8, 14), LEASE, "200.00"),  # partial, and nothing more in August
    (date(2026, 8, 28), RETAIL, "433.13"),  # late, with the fee
    (date(2026, 9, 5), RETAIL, "412.50"),
    (date(2026, 9, 10), LEASE, "208.63"),  # August's rest and its fee
    (date(2026, 9, 22), LEASE, "389.17"),
    (date(2026, 10, 2), RETAIL, "412.50"),  # comes back NSF on Oct 9
    (date(2026, 10, 13), LEASE, "389.17"),
    (date(2026, 10, 16), RETAIL, "433.13"),  # the replacement, with the fee charged Oct 12
    (date(2026, 11, 10), RETAIL, "412.50"),  # inside the grace period (late from Nov 12)
    (date(2026, 12, 1), RETAIL, "412.50"),
    (date(2026, 12, 3), LEASE, "408.63"),  # November late, with the fee
    (date(2026, 12, 15), LEASE, "389.17"),
]
RETURNED = {(date(2026, 10, 2), RETAIL): date(2026, 10, 9)}  # check received -> returned NSF


def open_book(s: Session) -> None:
    s.add_all(
        [
            make_loan(
                account_number=RETAIL,
                borrower_name="Maria Delgado",
                co_borrower_name="Luis Delgado",
                next_due_date=date(2026, 1, 1),
                interest_paid_to=date(2025, 12, 1),
            ),
            Loan(
                account_number=LEASE,
                borrower_name="James Whitfield",
                product="lease",
                status="active",
                monthly_payment=D("389.17"),
                next_due_date=date(2026, 1, 15),
                principal_balance=D("14010.12"),  # 36 monthly rents
                annual_rate=None,
                fees_due=D("0.00"),
            ),
        ]
    )
    s.flush()


def run_the_year(s: Session) -> None:
    """Every business day of 2026: post the day's mail, return NSF checks, then the late-fee pass."""
    open_book(s)
    loans = {loan.account_number: loan for loan in s.scalars(select(Loan))}
    posted: dict[tuple[date, str], Item] = {}
    day = date(2026, 1, 1)
    while day <= YEAR_END:
        mail = [(account, amount) for received, account, amount in MAIL if received == day]
        if mail:
            batch = Batch(
                site="dallas", name=f"{day:%Y%m%d}-01", business_date=day, deposit_date=day
            )
            s.add(batch)
        for n, (account, amount) in enumerate(mail, start=1):
            item = Item(
                batch=batch,
                source_file=f"dallas/{batch.name}/{n:04d}.tif",
                status="exception",
                business_date=day,
            )
            s.add(item)
            post_payment(
                s,
                item=item,
                loan=loans[account],
                amount=D(amount),
                business_date=day,
                received_date=day,
            )
            posted[(day, account)] = item
        for (received, account), returned_on in RETURNED.items():
            if returned_on == day:
                reverse_payment(
                    s,
                    item=posted[(received, account)],
                    business_date=day,
                    reason="NSF",
                    by="kpatel",
                )
        assess_late_fees(s, business_date=day, percent=D("5"), cap=None)
        day += timedelta(days=1)
    # the audit trail's clock is the real one; pin it so the text is the same every run
    for event in s.scalars(select(AuditEvent)):
        event.at = datetime(2026, 10, 9, 15, 42, tzinfo=UTC)
    s.flush()


def test_year_end_statements_match_the_golden_text(database: Database) -> None:
    with database.session() as s:
        run_the_year(s)
        assert sum(trial_balance(s).values()) == 0
        texts = {name: render_statement(s, account, as_of=YEAR_END) for name, account in LOANS}
    for name, text in texts.items():
        golden = GOLDEN / f"{name}_statement_2026.txt"
        if os.environ.get("LOCKBOX_UPDATE_GOLDEN") == "1":
            GOLDEN.mkdir(exist_ok=True)
            golden.write_text(text)
        assert RETAIL not in text and LEASE not in text
        assert text == golden.read_text(), (
            f"{golden.name} differs (LOCKBOX_UPDATE_GOLDEN=1 rewrites)"
        )
