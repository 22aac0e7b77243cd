"""The synthetic loan book: retail loans and leases, mostly active, written as the CONTRACT's CSV.

There are about two to three times as many loans as mail items, so most loans get no payment in a run;
a few borrowers hold two active loans (the payer-name ambiguity a clerk must resolve), and some loans
are paid off or charged off (payments to them must not post).
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from lockbox.loanbook import REQUIRED_COLUMNS
from sample_data.people import PeopleFactory, Person

CENT = Decimal("0.01")
LOAN_COLUMNS = REQUIRED_COLUMNS  # exactly the CONTRACT's import columns


def _money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class Loan:
    account_number: str
    borrower: Person
    co_borrower: Person | None
    product: str  # retail | lease
    status: str  # active | paid_off | charged_off
    monthly_payment: Decimal
    next_due_date: date
    principal_balance: Decimal
    annual_rate: Decimal | None  # None for leases
    fees_due: Decimal

    @property
    def amount_due(self) -> Decimal:
        """What the coupon asks for: the installment plus any fees already due."""
        return self.monthly_payment + self.fees_due

    def csv_row(self) -> dict[str, str]:
        return {
            "account_number": self.account_number,
            "borrower_name": self.borrower.name,
            "co_borrower_name": self.co_borrower.name if self.co_borrower else "",
            "product": self.product,
            "status": self.status,
            "monthly_payment": f"{self.monthly_payment:.2f}",
            "next_due_date": self.next_due_date.isoformat(),
            "principal_balance": f"{self.principal_balance:.2f}",
            "annual_rate": "" if self.annual_rate is None else f"{self.annual_rate:.4f}",
            "fees_due": f"{self.fees_due:.2f}",
        }


def _present_value(payment: Decimal, annual_rate: Decimal, months: int) -> Decimal:
    """The balance that `months` more payments retire at `annual_rate` (an amortized loan)."""
    r = annual_rate / 12
    return _money(payment * (1 - (1 + r) ** -months) / r)


class LoanBook:
    """Makes loans with unique 10-digit account numbers for the people of one factory."""

    def __init__(self, people: PeopleFactory, rng: random.Random, as_of: date) -> None:
        self.people = people
        self.rng = rng
        self.as_of = as_of
        self.loans: list[Loan] = []
        self._accounts: set[str] = set()

    def new_account_number(self) -> str:
        """Ten digits not used by any loan (also used for accounts that must NOT be in the book)."""
        while True:
            number = str(self.rng.randrange(1, 10)) + f"{self.rng.randrange(10**9):09d}"
            if number not in self._accounts:
                self._accounts.add(number)
                return number

    def _due_date(self, status: str) -> date:
        rng = self.rng
        if status == "paid_off":
            offset = -rng.randrange(30, 400)
        elif status == "charged_off":
            offset = -rng.randrange(120, 400)
        else:
            roll = rng.random()
            if roll < 0.22:  # more than the 10-day grace period past due: late fees apply
                offset = -rng.randrange(11, 45)
            elif roll < 0.6:
                offset = -rng.randrange(0, 11)
            else:
                offset = rng.randrange(1, 28)
        return self.as_of + timedelta(days=offset)

    def add(
        self,
        status: str = "active",
        borrower: Person | None = None,
        product: str | None = None,
        co_borrower: bool | None = None,
    ) -> Loan:
        """One more loan; `borrower` lets a person hold a second loan."""
        rng = self.rng
        product = product or ("lease" if rng.random() < 0.3 else "retail")
        if borrower is None:
            borrower = self.people.person()
        co: Person | None = None
        if co_borrower if co_borrower is not None else rng.random() < 0.3:
            co = self.people.spouse(borrower, joint_account=rng.random() < 0.6)
        payment = Decimal(rng.randrange(18000, 95000)) / 100
        if product == "lease" and rng.random() < 0.5:
            payment = Decimal(rng.randrange(180, 950)) - Decimal("0.01") * rng.choice([0, 1, 5])
        months = rng.randrange(6, 67)
        rate: Decimal | None = None
        if product == "retail":
            rate = Decimal(rng.randrange(699, 1900)) / 10000
            balance = _present_value(payment, rate, months)
        else:
            residual = Decimal(rng.randrange(6000, 18000))
            balance = _money(payment * months * Decimal("0.85") + residual)
        fees = Decimal("0.00")
        due = self._due_date(status)
        if status == "paid_off":
            balance = Decimal("0.00")
        elif status == "active" and (self.as_of - due).days > 10 and rng.random() < 0.6:
            fees = _money(payment * Decimal("0.05"))
        elif rng.random() < 0.05:
            fees = Decimal("30.00")  # a returned-check fee
        loan = Loan(
            account_number=self.new_account_number(),
            borrower=borrower,
            co_borrower=co,
            product=product,
            status=status,
            monthly_payment=payment,
            next_due_date=due,
            principal_balance=balance,
            annual_rate=rate,
            fees_due=fees,
        )
        self.loans.append(loan)
        return loan

    def fill(self, total: int) -> None:
        """Adds ordinary loans (mostly active) until the book holds `total`."""
        while len(self.loans) < total:
            roll = self.rng.random()
            status = "paid_off" if roll < 0.08 else "charged_off" if roll < 0.14 else "active"
            self.add(status)

    def shuffled(self) -> list[Loan]:
        """The loans in a random order, so planted loans do not sit at the top of the file."""
        loans = list(self.loans)
        self.rng.shuffle(loans)
        return loans


def write_loans_csv(loans: list[Loan], path: Path) -> None:
    """The loan book in the CONTRACT's import format."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=LOAN_COLUMNS, lineterminator="\n")
        writer.writeheader()
        for loan in loans:
            writer.writerow(loan.csv_row())
