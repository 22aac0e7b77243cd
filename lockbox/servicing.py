"""How a payment is applied to a loan or lease: the waterfall, interest accrual and late-fee dates.

Pure functions over a `LoanState` value (no database), so the servicing rules can be tested on their
own and the ledger (lockbox.ledger) only has to turn an `Allocation` into journal lines.

Retail simple-interest loans: fees, then interest accrued to the day the payment was received, then
principal; a payment that covers everything pays the loan off and the excess is owed back (refund
due). Leases: fees, then rent (the monthly payments, reducing the lease balance); money beyond the
lease balance is held as prepaid. Either way the next due date moves one month for every full
monthly payment covered, and what falls short of a full payment is carried as installment credit.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from lockbox.config import Settings
from lockbox.dates import add_months
from lockbox.money import ZERO, mask, money

RETAIL = "retail"
LEASE = "lease"
ACTIVE = "active"
PAID_OFF = "paid_off"
PAY_AHEAD = "pay_ahead"
CURTAIL = "principal"
DAYS_PER_YEAR = Decimal(365)


class ServicingError(ValueError):
    """A payment cannot be applied as asked; the message says what to do instead."""


class LoanNotActiveError(ServicingError):
    """The loan is paid off, charged off or repossessed, so it takes no payments."""

    def __init__(self, status: str, account_number: str | None = None):
        self.status = status
        which = f"loan {mask(account_number)}" if account_number else "the loan"
        super().__init__(
            f"{which} is {status.replace('_', ' ')} and takes no payments; resolve the item to"
            " another loan, or reject it so the check is returned"
        )


class PaymentAmountError(ServicingError):
    """A payment of zero or less was asked for."""

    def __init__(self, amount: Decimal):
        super().__init__(f"a payment must be more than $0.00 (got ${amount}); key the check amount")


@dataclass(frozen=True)
class LoanState:
    """What the waterfall needs to know about a loan; money in dollars (Decimal, two places).

    `annual_rate` is a fraction (0.0699 for 6.99%) and None for leases. `principal_balance` is the
    lease balance (the rents still to be paid) for a lease. Interest accrues from `interest_from`;
    `interest_due` is interest accrued before that date that a partial payment left unpaid.
    `due_day` is the day of the month installments fall due (None: next_due_date's day); it keeps a
    31st loan on the 31st after a short month.
    """

    product: str
    status: str
    monthly_payment: Decimal
    next_due_date: date
    principal_balance: Decimal
    annual_rate: Decimal | None
    fees_due: Decimal
    interest_from: date
    installment_credit: Decimal = ZERO
    prepaid_balance: Decimal = ZERO
    interest_due: Decimal = ZERO
    due_day: int | None = None

    @property
    def anchor_day(self) -> int:
        return self.due_day or self.next_due_date.day


@dataclass(frozen=True)
class Allocation:
    """Where one payment went, bucket by bucket, and the loan as it stands afterwards.

    The buckets always add up to `amount`: no money is created or lost. `to_excess` is a refund due
    on a retail payoff, or money held as prepaid on a lease.
    """

    amount: Decimal
    to_fees: Decimal
    to_interest: Decimal
    to_principal: Decimal
    to_rent: Decimal
    to_excess: Decimal
    months_advanced: int
    paid_off: bool
    state: LoanState


def default_interest_from(next_due_date: date, last_payment_date: date | None = None) -> date:
    """Where interest starts when the loan book says nothing else: the last payment, or one month
    before the next due date (a loan is taken to be paid through its previous installment)."""
    if last_payment_date is not None:
        return last_payment_date
    return add_months(next_due_date, -1)


def accrued_interest(state: LoanState, on: date) -> Decimal:
    """Interest owed as of `on`: what was carried, plus simple interest since `interest_from`.

    Simple interest is principal x annual_rate / 365 per day, never on interest or fees, rounded
    half-up to the cent. A date on or before `interest_from` accrues nothing new. Leases: zero.
    """
    if state.product != RETAIL or not state.annual_rate:
        return money(state.interest_due)
    days = max(0, (on - state.interest_from).days)
    new = state.principal_balance * state.annual_rate * days / DAYS_PER_YEAR
    return money(state.interest_due + money(new))


def _take(remaining: Decimal, owed: Decimal) -> Decimal:
    return min(remaining, max(owed, ZERO))


def installments_due(state: LoanState, received: date) -> int:
    """How many installments a payment received on `received` is for: those fallen due by then,
    and at least the next one (a payment before its due date pays it early)."""
    count, due = 0, state.next_due_date
    while due <= received:
        count += 1
        due = add_months(state.next_due_date, count, state.anchor_day)
    return max(count, 1)


def curtail_limit(state: LoanState, received: date) -> date:
    """The furthest a curtailing loan's next due date moves for payments received on `received`:
    past the installments due that day (`installments_due`), counted from the loan as it stood
    before the day's first payment, so two checks on one day reach as far as one for both."""
    return add_months(state.next_due_date, installments_due(state, received), state.anchor_day)


def _months_between(state: LoanState, limit: date) -> int:
    months = 0
    while add_months(state.next_due_date, months, state.anchor_day) < limit:
        months += 1
    return months


def apply_payment(
    state: LoanState,
    amount: Decimal,
    received: date,
    overpayment: str = PAY_AHEAD,
    limit: date | None = None,
) -> Allocation:
    """Apply one payment received on `received` through the waterfall; see the module docstring.

    `overpayment` says what money beyond the installments due does on a retail loan: PAY_AHEAD
    counts it toward the next installments, CURTAIL lets it reduce the principal only, so the next
    due date moves no further than `limit` (`curtail_limit` of the loan before the day's first
    payment; by default of `state`). Leases always pay ahead.

    Raises LoanNotActiveError for a loan that is not active and PaymentAmountError for an
    amount of zero or less. A partial payment goes as far as it reaches, in waterfall order.
    """
    if state.status != ACTIVE:
        raise LoanNotActiveError(state.status)
    amount = money(amount)
    if amount <= ZERO:
        raise PaymentAmountError(amount)
    remaining = amount
    to_fees = _take(remaining, state.fees_due)
    remaining -= to_fees
    to_interest = to_principal = to_rent = ZERO
    interest_left = ZERO
    interest_from = state.interest_from
    if state.product == RETAIL:
        interest_owed = accrued_interest(state, received)
        to_interest = _take(remaining, interest_owed)
        remaining -= to_interest
        interest_left = interest_owed - to_interest
        interest_from = max(state.interest_from, received)
        to_principal = _take(remaining, state.principal_balance)
        remaining -= to_principal
        counted = to_interest + to_principal
    else:
        to_rent = _take(remaining, state.principal_balance)
        remaining -= to_rent
        counted = to_rent
    to_excess = remaining
    principal_left = state.principal_balance - to_principal - to_rent
    fees_left = state.fees_due - to_fees
    paid_off = principal_left <= ZERO and fees_left <= ZERO and interest_left <= ZERO

    credit = state.installment_credit + counted
    months = 0
    if state.monthly_payment > ZERO:
        months = int(credit // state.monthly_payment)
        credit -= state.monthly_payment * months
        if overpayment == CURTAIL and state.product == RETAIL:
            due = _months_between(state, limit or curtail_limit(state, received))
            if months >= due:
                months, credit = due, ZERO  # the rest curtailed principal: no credit carried
    next_due = add_months(state.next_due_date, months, state.anchor_day)

    new_state = replace(
        state,
        status=PAID_OFF if paid_off else state.status,
        next_due_date=next_due,
        principal_balance=money(principal_left),
        fees_due=money(fees_left),
        interest_from=interest_from,
        interest_due=money(interest_left),
        installment_credit=ZERO if paid_off else money(credit),
        prepaid_balance=money(
            state.prepaid_balance + (to_excess if state.product == LEASE else ZERO)
        ),
        due_day=state.anchor_day,
    )
    return Allocation(
        amount=amount,
        to_fees=money(to_fees),
        to_interest=money(to_interest),
        to_principal=money(to_principal),
        to_rent=money(to_rent),
        to_excess=money(to_excess),
        months_advanced=months,
        paid_off=paid_off,
        state=new_state,
    )


def late_installments(
    next_due_date: date, business_date: date, grace_days: int = 10, due_day: int | None = None
) -> list[date]:
    """Every installment due date, from `next_due_date` monthly, still unpaid past its grace period.

    An installment is late when due + grace_days < business_date: due Nov 1 with 10 days' grace is
    on time through Nov 11 and late on Nov 12. `next_due_date` is the first unpaid installment, so a
    payment received in the grace period (which advanced it) is never counted.
    """
    anchor = due_day or next_due_date.day
    grace = timedelta(days=grace_days)
    late: list[date] = []
    due = next_due_date
    while due + grace < business_date:
        late.append(due)
        due = add_months(next_due_date, len(late), anchor)
    return late


@dataclass(frozen=True)
class ServicingTerms:
    """The installation's servicing terms: a late fee of `percent` of the monthly payment, at most
    `cap`, after `grace_days`; and what an overpayment does (lockbox.config.OVERPAYMENTS)."""

    percent: Decimal = Decimal("5")
    cap: Decimal | None = None
    grace_days: int = 10
    overpayment: str = PAY_AHEAD

    def late_fee(self, monthly_payment: Decimal, contract_max: Decimal | None) -> Decimal:
        """The fee for one late installment of a loan under these terms."""
        return late_fee_amount(monthly_payment, self.percent, self.cap, contract_max)

    @classmethod
    def of(cls, settings: Settings) -> ServicingTerms:
        """The terms configured for this installation (LOCKBOX_LATE_FEE_*, LOCKBOX_OVERPAYMENT)."""
        return cls(
            settings.late_fee_percent,
            settings.late_fee_cap,
            settings.grace_days,
            settings.overpayment,
        )


def late_fee_amount(
    monthly_payment: Decimal,
    percent: Decimal,
    cap: Decimal | None,
    contract_max: Decimal | None = None,
) -> Decimal:
    """`percent` per cent of the monthly payment, rounded half-up to the cent, at most `cap` (the
    installation's) and at most `contract_max` (the loan contract's)."""
    fee = money(monthly_payment * percent / 100)
    for most in (cap, contract_max):
        if most is not None:
            fee = min(fee, money(most))
    return max(fee, ZERO)


_STATE_MONEY = (
    "monthly_payment",
    "principal_balance",
    "fees_due",
    "installment_credit",
    "prepaid_balance",
    "interest_due",
)
_STATE_DATES = ("next_due_date", "interest_from")


def state_to_json(state: LoanState) -> dict[str, object]:
    """A LoanState as JSON-safe values (money and dates as text), for a database column."""
    out: dict[str, object] = dict(state.__dict__)
    for name in _STATE_MONEY:
        out[name] = str(money(getattr(state, name)))
    for name in _STATE_DATES:
        out[name] = getattr(state, name).isoformat()
    out["annual_rate"] = str(state.annual_rate) if state.annual_rate is not None else None
    return out


def state_from_json(data: dict[str, Any]) -> LoanState:
    """The inverse of `state_to_json`."""
    values = dict(data)
    for name in _STATE_MONEY:
        values[name] = money(values[name])
    for name in _STATE_DATES:
        values[name] = date.fromisoformat(values[name])
    rate = values.get("annual_rate")
    values["annual_rate"] = Decimal(rate) if rate is not None else None
    return LoanState(**values)


@dataclass(frozen=True)
class Received:
    """A payment as a replay sees it: the day it came, its amount, and a key to find it again."""

    key: int
    received: date
    amount: Decimal


@dataclass(frozen=True)
class Replay:
    """A loan's payments applied in the order received: where each went, the loan as it stands
    before each and after all, and the late fee on each installment that was late (due -> fee)."""

    state: LoanState
    allocations: dict[int, Allocation]
    before: dict[int, LoanState]
    fees: dict[date, Decimal]


def _after_payoff(state: LoanState, amount: Decimal) -> Allocation:
    """A payment that reaches a loan already paid off (earlier payments came first): all of it
    is excess, owed back (retail) or held (lease)."""
    lease = state.product == LEASE
    new_state = replace(
        state, prepaid_balance=money(state.prepaid_balance + (amount if lease else ZERO))
    )
    return Allocation(amount, ZERO, ZERO, ZERO, ZERO, money(amount), 0, False, new_state)


def replay(
    origin: LoanState,
    payments: Iterable[Received],
    *,
    fee: Decimal,
    grace_days: int,
    charged: Mapping[date, Decimal],
    overpayment: str = PAY_AHEAD,
) -> Replay:
    """Apply `payments` to `origin` in the order they were received (ties by key), charging
    late fees as they fell due in between; the result does not depend on the order they came in.

    Before each payment, every installment already unpaid past its grace period on the day it
    was received is charged (so the payment pays that fee first). `charged` holds the fees the
    nightly pass wrote (installment -> amount): one whose installment is still unpaid after the
    last payment stands; one whose installment a payment reached within its grace period does
    not (the borrower paid in time). A new fee is `fee`; zero charges nothing.
    """
    state = origin
    fees: dict[date, Decimal] = {}
    allocations: dict[int, Allocation] = {}
    before: dict[int, LoanState] = {}

    def charge(dues: Iterable[date]) -> None:
        nonlocal state
        for due in dues:
            amount = money(charged.get(due, fee))
            if due in fees or amount <= ZERO:
                continue
            fees[due] = amount
            state = replace(state, fees_due=money(state.fees_due + amount))

    day: date | None = None
    limit = origin.next_due_date
    for payment in sorted(payments, key=lambda p: (p.received, p.key)):
        if state.status == ACTIVE:
            charge(
                late_installments(
                    state.next_due_date, payment.received, grace_days, state.anchor_day
                )
            )
            if payment.received != day:
                day, limit = payment.received, curtail_limit(state, payment.received)
        before[payment.key] = state
        if state.status == ACTIVE:
            alloc = apply_payment(state, payment.amount, payment.received, overpayment, limit)
        else:
            alloc = _after_payoff(state, money(payment.amount))
        allocations[payment.key] = alloc
        state = alloc.state
    if state.status == ACTIVE:
        charge(due for due in sorted(charged) if due >= state.next_due_date)
    return Replay(state, allocations, before, fees)
