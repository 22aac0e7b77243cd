"""The CSV exports as an outside check reads them: columns, formats, and no full bank numbers."""

from __future__ import annotations

import csv
from collections import defaultdict
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from lockbox.db import Database
from lockbox.exports import export_items, export_ledger, export_loans
from lockbox.latefees import assess_late_fees
from lockbox.ledger import post_payment, post_to_suspense, reverse_entry
from lockbox.models import Batch, Item, LedgerEntry, Loan
from tests.factories import make_loan

pytestmark = pytest.mark.usefixtures("no_late_fees_at_posting")

D = Decimal
TODAY = date(2026, 11, 17)
ROUTING = "111000025"
BANK_ACCOUNT = "9876543210123"


def read(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
        return list(reader.fieldnames or []), rows


def seed(s: Session) -> dict[str, int]:
    retail = make_loan(
        account_number="400123456789",
        borrower_name="Maria Delgado",
        co_borrower_name="Luis Delgado",
        next_due_date=date(2026, 11, 1),
        interest_paid_to=date(2026, 10, 1),
    )
    lease = Loan(
        account_number="500987654321",
        borrower_name="James Whitfield",
        product="lease",
        status="active",
        monthly_payment=D("389.00"),
        next_due_date=date(2026, 10, 15),
        principal_balance=D("9336.00"),
        annual_rate=None,
        fees_due=D("0.00"),
    )
    batch = Batch(site="dallas", name="20261117-01", business_date=TODAY)
    posted = Item(
        batch=batch,
        source_file="dallas/20261117-01/0001.tif",
        page=1,
        status="exception",
        amount=D("412.50"),
        confidence=0.97,
        routing=ROUTING,
        bank_account=BANK_ACCOUNT,
        serial="1042",
        check_date=date(2026, 11, 10),
        payer="MARIA DELGADO",
        business_date=TODAY,
    )
    exception = Item(
        batch=batch,
        source_file="dallas/20261117-01/scan.pdf",
        page=2,
        status="exception",
        exception_code="UNKNOWN_ACCOUNT",
        exception_message="The account number read is not in the loan book.",
        loan_account_read="400999999999",
        amount=D("75.00"),
        confidence=0.5,
        business_date=TODAY,
    )
    s.add_all([retail, lease, posted, exception])
    s.flush()
    post_payment(
        s,
        item=posted,
        loan=retail,
        amount=D("412.50"),
        business_date=TODAY,
        received_date=date(2026, 11, 16),
    )
    post_to_suspense(s, item=exception, amount=D("75.00"), business_date=TODAY)
    assess_late_fees(s, business_date=TODAY, percent=D("5"), cap=None)
    return {"posted": posted.id, "exception": exception.id}


def test_items_export_columns_and_values(database: Database, tmp_path: Path) -> None:
    out = tmp_path / "items.csv"
    with database.session() as s:
        ids = seed(s)
        assert export_items(s, out) == 2
    header, rows = read(out)
    assert header[:10] == [
        "item_id",
        "site",
        "batch",
        "source_file",
        "page",
        "status",
        "loan_account",
        "amount",
        "exception_code",
        "confidence",
    ]
    assert {"reviewed_by", "business_date", "routing_last4", "bank_account_last4"} <= set(header)
    by_id = {int(r["item_id"]): r for r in rows}
    posted = by_id[ids["posted"]]
    assert posted["status"] == "posted"
    assert posted["loan_account"] == "400123456789"
    assert posted["amount"] == "412.50"
    assert posted["exception_code"] == "" and posted["reviewed_by"] == ""
    assert posted["site"] == "dallas" and posted["batch"] == "20261117-01"
    assert posted["source_file"] == "dallas/20261117-01/0001.tif" and posted["page"] == "1"
    assert posted["check_date"] == "2026-11-10" and posted["business_date"] == "2026-11-17"
    assert posted["routing_last4"] == "0025" and posted["bank_account_last4"] == "0123"
    assert float(posted["confidence"]) == 0.97
    exception = by_id[ids["exception"]]
    assert exception["status"] == "exception"
    assert exception["exception_code"] == "UNKNOWN_ACCOUNT"
    assert exception["loan_account"] == "400999999999"  # what was read
    assert exception["amount"] == "75.00" and exception["page"] == "2"
    assert exception["check_date"] == "" and exception["routing_last4"] == ""
    text = out.read_text()
    assert ROUTING not in text and BANK_ACCOUNT not in text


def test_ledger_export_balances_per_entry_and_debits_cash_once(
    database: Database, tmp_path: Path
) -> None:
    out = tmp_path / "ledger.csv"
    with database.session() as s:
        ids = seed(s)
        nsf = s.get_one(LedgerEntry, 1)
        reverse_entry(s, nsf, business_date=TODAY, reason="NSF")
        export_ledger(s, out)
    header, rows = read(out)
    assert header == [
        "entry_id",
        "business_date",
        "loan_account",
        "item_id",
        "gl_account",
        "debit",
        "credit",
        "kind",
        "memo",
        "reverses_entry_id",
    ]
    totals: dict[str, list[Decimal]] = defaultdict(lambda: [D("0"), D("0")])
    for r in rows:
        totals[r["entry_id"]][0] += D(r["debit"])
        totals[r["entry_id"]][1] += D(r["credit"])
        assert r["business_date"] == "2026-11-17"
        assert len(r["debit"].split(".")[1]) == 2 and len(r["credit"].split(".")[1]) == 2
    assert all(d == c for d, c in totals.values())
    cash = [
        r
        for r in rows
        if r["item_id"] == str(ids["posted"])
        and r["gl_account"] == "cash"
        and r["kind"] == "payment"
    ]
    assert [(r["debit"], r["loan_account"]) for r in cash] == [("412.50", "400123456789")]
    late = [r for r in rows if r["kind"] == "late_fee"]
    assert {r["loan_account"] for r in late} == {"500987654321"}
    assert {r["item_id"] for r in late} == {""}
    reversal = [r for r in rows if r["kind"] == "reversal"]
    assert reversal and {r["reverses_entry_id"] for r in reversal} == {"1"}


def test_loans_export_has_the_import_columns_and_servicing_state(
    database: Database, tmp_path: Path
) -> None:
    out = tmp_path / "loans.csv"
    with database.session() as s:
        seed(s)
        assert export_loans(s, out) == 2
    header, rows = read(out)
    assert header[:13] == [
        "account_number",
        "borrower_name",
        "co_borrower_name",
        "product",
        "status",
        "monthly_payment",
        "next_due_date",
        "principal_balance",
        "annual_rate",
        "fees_due",
        "last_payment_date",
        "late_fees_assessed",
        "prepaid_balance",
    ]
    retail, lease = rows
    assert retail["account_number"] == "400123456789"
    assert retail["co_borrower_name"] == "Luis Delgado"
    assert retail["annual_rate"] == "0.0699"
    assert retail["next_due_date"] == "2026-12-01"
    assert retail["last_payment_date"] == "2026-11-16"
    assert retail["late_fees_assessed"] == "0.00"
    # 46 days at 6.99% on $15,000 = $132.14 interest; the rest to principal
    assert retail["principal_balance"] == "14719.64"
    assert lease["co_borrower_name"] == "" and lease["annual_rate"] == ""
    assert lease["last_payment_date"] == ""
    assert lease["fees_due"] == "19.45" and lease["late_fees_assessed"] == "19.45"
    assert lease["monthly_payment"] == "389.00" and lease["prepaid_balance"] == "0.00"
