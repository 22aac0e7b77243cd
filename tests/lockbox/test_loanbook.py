from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from lockbox.db import Database
from lockbox.loanbook import LoanBookError, import_loan_book
from lockbox.models import Loan

HEADER = (
    "account_number,borrower_name,co_borrower_name,product,status,monthly_payment,next_due_date,"
    "principal_balance,annual_rate,fees_due\n"
)
GOOD = [
    "4410023981,Maria Gonzalez,,retail,active,412.50,2026-12-01,15234.77,0.0699,0.00",
    "7710000001,James Whitaker,Linda Whitaker,lease,active,389.17,2026-11-15,9339.10,,25.00",
]


def write(tmp_path: Path, rows: list[str], header: str = HEADER) -> Path:
    path = tmp_path / "loans.csv"
    path.write_text(header + "\n".join(rows) + "\n")
    return path


def test_import_creates_loans_with_exact_money(database: Database, tmp_path: Path) -> None:
    with database.session() as s:
        result = import_loan_book(s, write(tmp_path, GOOD))
    assert (result.created, result.updated) == (2, 0)
    with database.session() as s:
        loan = s.scalars(select(Loan).where(Loan.account_number == "4410023981")).one()
        assert loan.monthly_payment == Decimal("412.50")
        assert loan.principal_balance == Decimal("15234.77")
        assert loan.annual_rate == Decimal("0.0699")
        assert loan.next_due_date == date(2026, 12, 1)
        assert loan.interest_paid_to == date(2026, 11, 1)  # one month before next due
        lease = s.scalars(select(Loan).where(Loan.product == "lease")).one()
        assert lease.annual_rate is None and lease.fees_due == Decimal("25.00")
        assert lease.co_borrower_name == "Linda Whitaker"


def test_import_again_updates_by_account_number(database: Database, tmp_path: Path) -> None:
    with database.session() as s:
        import_loan_book(s, write(tmp_path, GOOD))
    changed = [GOOD[0].replace("active", "paid_off"), GOOD[1]]
    with database.session() as s:
        result = import_loan_book(s, write(tmp_path, changed))
    assert (result.created, result.updated) == (0, 2)
    with database.session() as s:
        assert s.scalar(select(func.count(Loan.id))) == 2
        assert (
            s.scalars(select(Loan.status).where(Loan.account_number == "4410023981")).one()
            == "paid_off"
        )


def test_a_bad_row_imports_nothing_and_names_every_line(database: Database, tmp_path: Path) -> None:
    rows = GOOD + [
        "5520019944,Robert Chen,,retail,active,abc,2026-12-01,1000.00,0.05,0",
        "5520019945,Robert Chen,,boat,active,100.00,12/01/2026,1000.00,0.05,0",
    ]
    with pytest.raises(LoanBookError) as err, database.session() as s:
        import_loan_book(s, write(tmp_path, rows))
    text = str(err.value)
    assert "line 4: monthly_payment 'abc'" in text
    assert "line 5: product 'boat'" in text and "line 5: next_due_date '12/01/2026'" in text
    assert "nothing was imported" in text
    with database.session() as s:
        assert s.scalar(select(func.count(Loan.id))) == 0


def test_missing_column_and_duplicate_accounts_are_refused(
    tmp_path: Path, database: Database
) -> None:
    with pytest.raises(LoanBookError, match="lacks column"), database.session() as s:
        import_loan_book(s, write(tmp_path, GOOD, header=HEADER.replace(",fees_due", "")))
    with pytest.raises(LoanBookError, match="also on line 2") as refused, database.session() as s:
        import_loan_book(s, write(tmp_path, [GOOD[0], GOOD[0]]))
    account = GOOD[0].split(",")[HEADER.split(",").index("account_number")]
    assert f"ending {account[-4:]}" in str(refused.value) and account not in str(refused.value)


def test_retail_needs_a_rate_and_percent_rates_are_understood(
    tmp_path: Path, database: Database
) -> None:
    with pytest.raises(LoanBookError, match="annual_rate is required"), database.session() as s:
        import_loan_book(s, write(tmp_path, [GOOD[0].replace("0.0699", "")]))
    with database.session() as s:
        import_loan_book(s, write(tmp_path, [GOOD[0].replace("0.0699", "6.99")]))
    with database.session() as s:
        assert s.scalars(select(Loan.annual_rate)).one() == Decimal("0.0699")


def test_export_then_import_round_trips_the_loan_book(database: Database, tmp_path: Path) -> None:
    from lockbox.exports import export_loans

    with database.session() as s:
        import_loan_book(s, write(tmp_path, GOOD))
        loan = s.scalars(select(Loan).where(Loan.account_number == "4410023981")).one()
        loan.interest_due = Decimal("3.21")
        loan.installment_credit = Decimal("100.00")
        loan.interest_paid_to = date(2026, 11, 5)
    out = tmp_path / "export.csv"
    with database.session() as s:
        export_loans(s, out)
    with database.session() as s:
        import_loan_book(s, out)
        loan = s.scalars(select(Loan).where(Loan.account_number == "4410023981")).one()
        assert (loan.interest_due, loan.installment_credit) == (Decimal("3.21"), Decimal("100.00"))
        assert loan.interest_paid_to == date(2026, 11, 5)


def test_the_contracts_late_fee_maximum_is_imported_and_exported(
    database: Database, tmp_path: Path
) -> None:
    from lockbox.exports import export_loans
    from lockbox.loanbook import import_loan_book

    book = tmp_path / "loans.csv"
    book.write_text(
        "account_number,borrower_name,co_borrower_name,product,status,monthly_payment,"
        "next_due_date,principal_balance,annual_rate,fees_due,late_fee_max\n"
        "4410023981,Maria Gonzalez,,retail,active,412.50,2026-12-01,15000.00,0.0699,0.00,15.00\n"
    )
    with database.session() as s:
        import_loan_book(s, book)
    with database.session() as s:
        export_loans(s, tmp_path / "out.csv")
    row = (tmp_path / "out.csv").read_text().splitlines()
    header, values = row[0].split(","), row[1].split(",")
    assert dict(zip(header, values, strict=True))["late_fee_max"] == "15.00"
