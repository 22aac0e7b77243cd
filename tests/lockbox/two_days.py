"""The mail of two days at two sites, recorded through the same code as the nightly run
(reconciliation.process.record_item), then a clerk's decisions and a returned check: what the
day exports (`lockbox export bai`, `lockbox export postings`) are tested on."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from lockbox.db import Database
from lockbox.models import Batch, Item, Loan
from lockbox.reversals import reverse_payment
from reconciliation.process import load_directory, record_item
from reconciliation.review import reject, resolve
from tests.factories import make_capture, make_loan

D = Decimal
DAY_ONE = date(2026, 11, 16)  # deposited; recorded by the run of the 17th
DAY_TWO = date(2026, 11, 17)  # deposited; recorded by the run of the 18th
RUN_ONE = date(2026, 11, 17)
RUN_TWO = date(2026, 11, 18)
CLERK = date(2026, 11, 19)
RETURNED = date(2026, 11, 20)

MARIA = "4410023981"
JAMES = "4410077310"
ROBERT = "5520019944"  # a lease
ROUTING = "111000025"

# (label, batch, loan account written on the memo line or None, amount, serial, post-dated)
MAIL = [
    ("maria", "D1", MARIA, "412.50", "1001", False),
    ("james", "D1", JAMES, "389.17", "2001", False),
    ("no_account", "D1", None, "75.25", "9001", False),  # held; a clerk posts it to Maria
    ("maria_extra", "D2", MARIA, "100.00", "1002", False),
    ("post_dated", "D2", MARIA, "50.00", "1003", True),  # held; a clerk rejects it
    ("robert", "R1", ROBERT, "299.00", "3001", False),
    ("james_nsf", "R1", JAMES, "200.00", "2002", False),  # posts, then comes back unpaid
    ("maria_next", "D3", MARIA, "412.50", "1004", False),
    ("robert_next", "R2", ROBERT, "299.00", "3002", False),
]
BATCHES = {
    "D1": ("dallas", DAY_ONE, RUN_ONE),
    "D2": ("dallas", DAY_ONE, RUN_ONE),
    "R1": ("richardson", DAY_ONE, RUN_ONE),
    "D3": ("dallas", DAY_TWO, RUN_TWO),
    "R2": ("richardson", DAY_TWO, RUN_TWO),
}
PAYERS = {
    MARIA: "Maria Gonzalez",
    JAMES: "James T. Whitaker",
    ROBERT: "Robert Chen",
    None: "Nobody",
}


@dataclass
class Mail:
    """The database and the item id of each piece of MAIL, by label."""

    db: Database
    ids: dict[str, int] = field(default_factory=dict)

    def item(self, label: str) -> int:
        return self.ids[label]


def loans() -> list[Loan]:
    return [
        make_loan(account_number=MARIA, borrower_name=PAYERS[MARIA]),
        make_loan(
            account_number=JAMES,
            borrower_name=PAYERS[JAMES],
            monthly_payment=D("389.17"),
            principal_balance=D("12000.00"),
        ),
        make_loan(
            account_number=ROBERT,
            borrower_name=PAYERS[ROBERT],
            product="lease",
            monthly_payment=D("299.00"),
            principal_balance=D("7176.00"),
            annual_rate=None,
        ),
    ]


def run_mail(mail: Mail, run: date) -> None:
    """Record the pieces of MAIL whose batch the run of `run` takes, as the nightly flow does."""
    for label, batch_name, account, amount, serial, post_dated in MAIL:
        site, deposited, run_date = BATCHES[batch_name]
        if run_date != run:
            continue
        capture = make_capture(
            serial=serial,
            source_file=f"{site}/{batch_name}/{serial}.tif",
            routing=ROUTING,
            bank_account=f"98765{serial}0123",
            courtesy_amount=D(amount),
            legal_amount=D(amount),
            check_date=date(2027, 1, 5) if post_dated else date(2026, 11, 10),
            memo_account=account,
            payer=PAYERS[account],
        )
        with mail.db.session() as s:
            batch = s.scalar(select(Batch).where(Batch.name == batch_name))
            if batch is None:
                batch = Batch(site=site, name=batch_name, business_date=run, deposit_date=deposited)
                s.add(batch)
                s.flush()
            item = record_item(
                s,
                batch=batch,
                capture=capture,
                directory=load_directory(s),
                business_date=run,
                received_date=deposited,
            )
            mail.ids[label] = item.id


def decide(mail: Mail) -> None:
    """What happens after the runs: a clerk posts one exception and rejects another (on CLERK), and
    a posted check comes back unpaid (on RETURNED)."""
    with mail.db.session() as s:
        resolve(
            s,
            mail.item("no_account"),
            loan_account=MARIA,
            amount=D("75.25"),
            by="pat",
            note=None,
            business_date=CLERK,
        )
        reject(s, mail.item("post_dated"), reason="post-dated", by="pat", business_date=CLERK)
    with mail.db.session() as s:
        reverse_payment(
            s,
            item=s.get_one(Item, mail.item("james_nsf")),
            business_date=RETURNED,
            reason="NSF",
        )


def record_both_runs(database: Database) -> Mail:
    """The loans and both runs recorded; the clerk's decisions and the returned check not yet."""
    with database.session() as s:
        s.add_all(loans())
    mail = Mail(database)
    run_mail(mail, RUN_ONE)
    run_mail(mail, RUN_TWO)
    return mail
