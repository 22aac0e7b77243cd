"""Payoff quotes: what it takes to close a loan as of a date, and for how long that holds.

A retail loan's payoff is its principal, the simple interest accrued to the day (lockbox.servicing
.accrued_interest) and the fees owed. The quote is good through `GOOD_FOR_DAYS` days: its
good-through amount carries interest to the last of them, so a check for it received any day in the
window pays the loan off and whatever interest it did not need is owed back (refund due), never
lost. A lease's payoff (rents left plus the residual) is the lessor's number, so it comes from the
loan book's `payoff_amount`; without one the lease cannot be quoted here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from lockbox.money import ZERO, mask, money
from lockbox.servicing import (
    ACTIVE,
    DAYS_PER_YEAR,
    LEASE,
    LoanState,
    ServicingError,
    accrued_interest,
)

GOOD_FOR_DAYS = 10


class PayoffError(ServicingError):
    """The loan cannot be quoted; the message says what to do instead."""


@dataclass(frozen=True)
class PayoffQuote:
    """A payoff as of `as_of`, and the amount that pays the loan off through `good_through`."""

    as_of: date
    good_through: date
    principal: Decimal
    interest: Decimal
    fees: Decimal
    per_diem: Decimal
    total: Decimal
    total_good_through: Decimal


def quote_payoff(
    state: LoanState,
    as_of: date,
    *,
    account_number: str | None = None,
    lease_payoff: Decimal | None = None,
) -> PayoffQuote:
    """The payoff of the loan in `state` as of `as_of`; PayoffError when there is none to give.

    The per-diem is one day's simple interest on the principal (shown to the cent, as a clerk
    reads it out); the good-through amount is figured from the accrual itself, not per-diem x days.
    """
    which = f"loan {mask(account_number)}" if account_number else "the loan"
    if state.status != ACTIVE:
        raise PayoffError(
            f"{which} is {state.status.replace('_', ' ')}: there is no payoff to quote"
        )
    good_through = as_of + timedelta(days=GOOD_FOR_DAYS)
    fees = money(state.fees_due)
    if state.product == LEASE:
        if lease_payoff is None:
            raise PayoffError(
                f"{which} is a lease and the loan book gives no payoff_amount for it; get the"
                " payoff from the lessor's residual schedule and import it in the payoff_amount"
                " column"
            )
        total = money(lease_payoff + fees)
        return PayoffQuote(as_of, good_through, money(lease_payoff), ZERO, fees, ZERO, total, total)
    # Interest already paid past `as_of` (a payment received later) is not owed again.
    interest = accrued_interest(state, as_of)
    later = accrued_interest(state, good_through)
    rate = state.annual_rate or ZERO
    per_diem = money(state.principal_balance * rate / DAYS_PER_YEAR)
    principal = money(state.principal_balance)
    return PayoffQuote(
        as_of=as_of,
        good_through=good_through,
        principal=principal,
        interest=interest,
        fees=fees,
        per_diem=per_diem,
        total=money(principal + interest + fees),
        total_good_through=money(principal + later + fees),
    )
