from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from lockbox.db import Database
from lockbox.models import Batch
from reconciliation.deposit import reconcile_day
from reconciliation.process import load_directory, record_item
from reconciliation.review import reject, resolve

from .test_process import ACCOUNT, TODAY, check, db  # noqa: F401 - fixtures and helpers


def test_deposit_equals_posted_plus_suspense_plus_returned(db: Database) -> None:  # noqa: F811
    captures = [
        check(serial="1"),  # posts 412.50
        check(serial="2", courtesy_amount=Decimal("100.00"), legal_amount=Decimal("100.00")),
        check(
            serial="3",
            check_date=date(2027, 1, 1),
            courtesy_amount=Decimal("50.00"),
            legal_amount=Decimal("50.00"),
        ),  # post-dated: held
        check(
            serial="4",
            memo_account=None,
            payer="Nobody",
            courtesy_amount=Decimal("75.25"),
            legal_amount=Decimal("75.25"),
        ),  # missing account: held, later resolved
        check(serial="5", courtesy_amount=None, legal_amount=None),  # amount unknown
    ]
    ids = []
    for capture in captures:
        with db.session() as s:
            batch = s.scalars(select(Batch).where(Batch.name == "B1")).one()
            ids.append(
                record_item(
                    s,
                    batch=batch,
                    capture=capture,
                    directory=load_directory(s),
                    business_date=TODAY,
                ).id
            )
    with db.session() as s:
        resolve(
            s,
            ids[3],
            loan_account=ACCOUNT,
            amount=Decimal("75.25"),
            by="pat",
            note=None,
            business_date=TODAY,
        )
        reject(s, ids[2], reason="post-dated", by="pat", business_date=TODAY)
    with db.session() as s:
        day = reconcile_day(s, TODAY)["dallas"]
    assert day.items == 5 and day.unknown_amount_items == 1
    assert day.deposited == Decimal("637.75")
    assert day.posted == Decimal("587.75") and day.returned == Decimal("50.00")
    assert day.suspense == Decimal("0.00") and day.balanced


def test_daily_report_writes_remittance_and_html(db: Database, tmp_path) -> None:  # noqa: F811
    from reconciliation.reports import write_daily_report

    for serial in ("1", "2"):
        with db.session() as s:
            batch = s.scalars(select(Batch).where(Batch.name == "B1")).one()
            record_item(
                s,
                batch=batch,
                capture=check(
                    serial=serial, check_date=None if serial == "2" else date(2026, 11, 10)
                ),
                directory=load_directory(s),
                business_date=TODAY,
            )
    with db.session() as s:
        report = write_daily_report(s, TODAY, tmp_path / "out")
    remittance = report.remittance.read_text().splitlines()
    assert remittance[0].startswith("business_date,site,batch,item_id")
    assert len(remittance) == 2 and "412.50" in remittance[1]
    # masked like the HTML report (the loan account's last four), unless asked for in full
    assert ACCOUNT not in remittance[1] and f"******{ACCOUNT[-4:]}" in remittance[1]
    page = report.html.read_text()
    assert "DATE_UNREADABLE" in page and "balanced" in page and "<svg" in page
    assert report.deposits["dallas"].balanced
    with db.session() as s:  # the same report again replaces its own files
        again = write_daily_report(s, TODAY, tmp_path / "out", unmasked=True)
    assert ACCOUNT in again.remittance.read_text().splitlines()[1]
