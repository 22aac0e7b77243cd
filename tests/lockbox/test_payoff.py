"""`lockbox loans payoff ACCOUNT [--date D]` (CONTRACT): "the payoff quote as of a date: principal,
interest accrued to that date, fees due, the per-diem, and the date it is good through"; and a
check for the quoted amount received within that window pays the loan off."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lockbox.cli import main as lockbox
from lockbox.db import Database
from lockbox.ledger import REFUND_DUE, loan_state, post_payment, trial_balance
from lockbox.models import Batch, Item
from lockbox.payoff import GOOD_FOR_DAYS, PayoffError, quote_payoff
from lockbox.servicing import LoanState, ServicingTerms
from tests.factories import add_loan

D = Decimal
NO_FEES = ServicingTerms(percent=D("0"))

RETAIL = LoanState(
    product="retail",
    status="active",
    monthly_payment=D("412.50"),
    next_due_date=date(2026, 12, 13),
    principal_balance=D("18250.00"),
    annual_rate=D("0.0699"),
    fees_due=D("20.63"),
    interest_from=date(2026, 11, 13),
)


def test_quote_is_principal_interest_to_the_date_and_fees() -> None:
    quote = quote_payoff(RETAIL, date(2026, 12, 6))
    # 23 days of 6.99% on $18,250.00 is $80.39 (simple interest, to the cent)
    assert quote.interest == D("80.39")
    assert quote.total == D("18250.00") + D("80.39") + D("20.63")
    assert quote.per_diem == D("3.50")
    assert quote.good_through == date(2026, 12, 16)
    # the good-through amount carries interest to its last day: 33 days is $115.34
    assert quote.total_good_through == D("18250.00") + D("115.34") + D("20.63")


@given(days=st.integers(min_value=0, max_value=400))
def test_a_later_quote_never_asks_less(days: int) -> None:
    first = quote_payoff(RETAIL, date(2026, 11, 13) + timedelta(days=days))
    later = quote_payoff(RETAIL, date(2026, 11, 14) + timedelta(days=days))
    assert later.total >= first.total
    assert first.total_good_through >= first.total


def test_a_lease_is_quoted_from_the_loan_book_or_not_at_all() -> None:
    lease = LoanState(
        product="lease",
        status="active",
        monthly_payment=D("399.00"),
        next_due_date=date(2026, 12, 1),
        principal_balance=D("9000.00"),
        annual_rate=None,
        fees_due=D("0.00"),
        interest_from=date(2026, 11, 1),
    )
    quote = quote_payoff(lease, date(2026, 12, 6), lease_payoff=D("14321.00"))
    assert quote.total == quote.total_good_through == D("14321.00")
    with pytest.raises(PayoffError, match="payoff_amount"):
        quote_payoff(lease, date(2026, 12, 6))


@pytest.mark.parametrize("status", ["paid_off", "charged_off", "repossessed"])
def test_a_loan_that_is_not_active_has_no_payoff(status: str) -> None:
    with pytest.raises(PayoffError, match=status.replace("_", " ")):
        quote_payoff(LoanState(**{**RETAIL.__dict__, "status": status}), date(2026, 12, 6))


@pytest.mark.parametrize("day", [0, 4, GOOD_FOR_DAYS])
def test_a_check_for_the_quote_received_in_the_window_pays_the_loan_off(
    database: Database, day: int
) -> None:
    quoted_on = date(2026, 12, 6)
    received = quoted_on + timedelta(days=day)
    with database.session() as s:
        loan = add_loan(s, next_due_date=date(2026, 12, 13), interest_paid_to=date(2026, 11, 13))
        before = loan_state(loan)
        quote = quote_payoff(before, quoted_on)
        it = Item(
            batch=Batch(site="dallas", name="B1", business_date=received),
            source_file="x.tif",
            page=1,
            status="exception",
            business_date=received,
        )
        s.add(it)
        payment = post_payment(
            s,
            item=it,
            loan=loan,
            amount=quote.total_good_through,
            business_date=received,
            received_date=received,
            terms=NO_FEES,
        )
        assert loan.status == "paid_off"
        assert loan.principal_balance == 0 and loan.fees_due == 0 and loan.interest_due == 0
        # the interest the check carried for the days it did not need is owed back
        unused = quote.total_good_through - quote_payoff(before, received).total
        assert payment.to_excess == unused
        assert -trial_balance(s)[REFUND_DUE] == unused


def test_a_check_under_the_payoff_is_a_partial_payment(database: Database) -> None:
    with database.session() as s:
        loan = add_loan(s, next_due_date=date(2026, 12, 13), interest_paid_to=date(2026, 11, 13))
        quote = quote_payoff(loan_state(loan), date(2026, 12, 6))
        it = Item(
            batch=Batch(site="dallas", name="B1", business_date=date(2026, 12, 6)),
            source_file="x.tif",
            page=1,
            status="exception",
            business_date=date(2026, 12, 6),
        )
        s.add(it)
        post_payment(
            s,
            item=it,
            loan=loan,
            amount=quote.total - D("1.00"),
            business_date=date(2026, 12, 6),
            received_date=date(2026, 12, 6),
            terms=NO_FEES,
        )
        assert loan.status == "active"
        assert loan.principal_balance == D("1.00")


def test_the_cli_quotes_masked_as_text_and_json(
    lockbox_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book = tmp_path / "loans.csv"
    book.write_text(
        "account_number,borrower_name,co_borrower_name,product,status,monthly_payment,"
        "next_due_date,principal_balance,annual_rate,fees_due,interest_paid_to\n"
        "1234567890,Ann Lee,,retail,active,412.50,2026-12-13,18250.00,0.0699,20.63,2026-11-13\n"
        "5555566666,Bo Ray,,lease,repossessed,399.00,2026-10-01,9000.00,,0,\n"
    )
    assert lockbox(["loans", "import", str(book)]) == 0
    capsys.readouterr()
    assert lockbox(["loans", "payoff", "1234567890", "--date", "2026-12-06", "--json"]) == 0
    quote = json.loads(capsys.readouterr().out)
    assert quote["loan_account"] == "******7890"
    assert quote["payoff"] == "18351.02" and quote["per_diem"] == "3.50"
    assert quote["good_through"] == "2026-12-16"
    assert lockbox(["loans", "payoff", "1234-567890", "--date", "2026-12-06"]) == 0
    text = capsys.readouterr().out
    assert "1234567890" not in text
    assert "Payoff as of 2026-12-06" in text and "$   18,351.02" in text
    assert lockbox(["loans", "payoff", "5555566666"]) == 2
    assert "repossessed" in capsys.readouterr().err
