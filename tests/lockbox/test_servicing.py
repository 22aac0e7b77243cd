"""The payment waterfall, interest and late-fee dates, as a servicing clerk would check them by hand."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lockbox.money import money
from lockbox.servicing import (
    CURTAIL,
    PAY_AHEAD,
    Allocation,
    LoanNotActiveError,
    LoanState,
    PaymentAmountError,
    Received,
    accrued_interest,
    apply_payment,
    default_interest_from,
    late_fee_amount,
    late_installments,
    replay,
)

D = Decimal


def retail(**overrides: object) -> LoanState:
    base = LoanState(
        product="retail",
        status="active",
        monthly_payment=D("300.00"),
        next_due_date=date(2026, 11, 1),
        principal_balance=D("10000.00"),
        annual_rate=D("0.073"),
        fees_due=D("0.00"),
        interest_from=date(2026, 10, 1),
    )
    return replace(base, **overrides)  # type: ignore[arg-type]


def lease(**overrides: object) -> LoanState:
    base = LoanState(
        product="lease",
        status="active",
        monthly_payment=D("400.00"),
        next_due_date=date(2026, 11, 1),
        principal_balance=D("4000.00"),
        annual_rate=None,
        fees_due=D("0.00"),
        interest_from=date(2026, 10, 1),
    )
    return replace(base, **overrides)  # type: ignore[arg-type]


def buckets_total(a: Allocation) -> Decimal:
    return a.to_fees + a.to_interest + a.to_principal + a.to_rent + a.to_excess


# --- interest ---------------------------------------------------------------------------------


def test_simple_interest_is_rate_over_365_per_day_on_principal() -> None:
    # $10,000 at 7.3% is $2.00 a day; 30 days from Oct 1 to Oct 31.
    assert accrued_interest(retail(), date(2026, 10, 31)) == D("60.00")
    assert accrued_interest(retail(), date(2026, 10, 1)) == D("0.00")
    assert accrued_interest(retail(), date(2026, 9, 20)) == D("0.00")  # before: nothing


def test_interest_left_unpaid_is_carried_not_compounded() -> None:
    state = retail(interest_due=D("10.00"))
    assert accrued_interest(state, date(2026, 10, 2)) == D("12.00")


def test_leases_accrue_no_interest() -> None:
    assert accrued_interest(lease(), date(2027, 1, 1)) == D("0.00")


def test_interest_starts_a_month_before_the_due_date_without_a_last_payment() -> None:
    assert default_interest_from(date(2026, 11, 1)) == date(2026, 10, 1)
    assert default_interest_from(date(2026, 3, 31)) == date(2026, 2, 28)
    assert default_interest_from(date(2026, 11, 1), date(2026, 10, 7)) == date(2026, 10, 7)


# --- retail waterfall -------------------------------------------------------------------------


def test_retail_regular_payment_pays_interest_then_principal_and_advances_a_month() -> None:
    a = apply_payment(retail(), D("300.00"), date(2026, 10, 31))
    assert (a.to_fees, a.to_interest, a.to_principal, a.to_excess) == (
        D("0"),
        D("60.00"),
        D("240.00"),
        D("0"),
    )
    assert a.months_advanced == 1 and not a.paid_off
    assert a.state.next_due_date == date(2026, 12, 1)
    assert a.state.principal_balance == D("9760.00")
    assert a.state.interest_from == date(2026, 10, 31)
    assert a.state.installment_credit == D("0.00")


def test_retail_fees_come_first_and_leave_the_installment_short() -> None:
    a = apply_payment(retail(fees_due=D("15.00")), D("300.00"), date(2026, 10, 31))
    assert (a.to_fees, a.to_interest, a.to_principal) == (D("15.00"), D("60.00"), D("225.00"))
    assert a.months_advanced == 0
    assert a.state.next_due_date == date(2026, 11, 1)
    assert a.state.installment_credit == D("285.00")
    assert a.state.fees_due == D("0.00")


def test_retail_partial_payments_add_up_to_an_installment() -> None:
    first = apply_payment(retail(), D("100.00"), date(2026, 10, 31))
    assert (first.to_interest, first.to_principal, first.months_advanced) == (
        D("60.00"),
        D("40.00"),
        0,
    )
    assert first.state.installment_credit == D("100.00")
    second = apply_payment(first.state, D("200.00"), date(2026, 11, 1))
    # one day on $9,960 at 7.3% = $1.992 -> $1.99
    assert second.to_interest == D("1.99")
    assert second.to_principal == D("198.01")
    assert second.months_advanced == 1
    assert second.state.next_due_date == date(2026, 12, 1)
    assert second.state.installment_credit == D("0.00")


def test_retail_payment_short_of_the_interest_carries_the_rest() -> None:
    a = apply_payment(retail(), D("50.00"), date(2026, 10, 31))
    assert (a.to_interest, a.to_principal) == (D("50.00"), D("0.00"))
    assert a.state.interest_due == D("10.00")
    assert a.state.principal_balance == D("10000.00")
    # the next day: the $10 carried plus one day's $2
    assert accrued_interest(a.state, date(2026, 11, 1)) == D("12.00")


def test_retail_several_installments_at_once_advance_several_months() -> None:
    a = apply_payment(retail(), D("950.00"), date(2026, 10, 31))
    assert a.months_advanced == 3
    assert a.state.next_due_date == date(2027, 2, 1)
    assert a.state.installment_credit == D("50.00")


def test_overpayment_as_principal_curtailment_moves_the_due_date_past_what_was_due_only() -> None:
    """LOCKBOX_OVERPAYMENT=principal: 'what a payment beyond the installment does (principal
    curtailment for retail loans, next installments for leases) is one documented setting'."""
    early = apply_payment(retail(), D("950.00"), date(2026, 10, 31), CURTAIL)
    ahead = apply_payment(retail(), D("950.00"), date(2026, 10, 31), PAY_AHEAD)
    assert early.months_advanced == 1 and early.state.next_due_date == date(2026, 12, 1)
    assert early.state.installment_credit == D("0.00")
    # the money goes to the same buckets either way: only the schedule differs
    assert early.to_principal == ahead.to_principal
    behind = apply_payment(retail(), D("950.00"), date(2026, 12, 5), CURTAIL)
    assert behind.months_advanced == 2  # Nov 1 and Dec 1 were due; the rest is curtailment
    assert behind.state.next_due_date == date(2027, 1, 1)
    short = apply_payment(retail(), D("200.00"), date(2026, 10, 31), CURTAIL)
    assert short.months_advanced == 0 and short.state.installment_credit == D("200.00")


@pytest.mark.parametrize("overpayment", [CURTAIL, PAY_AHEAD])
def test_checks_received_the_same_day_end_the_same_in_either_order(overpayment: str) -> None:
    """Two checks received one day are one day's money: which the replay meets first (the key
    order stands for posting order) must not change where the loan ends."""
    state = retail(monthly_payment=D("412.50"), next_due_date=date(2026, 10, 5))
    day0, day46, day47 = date(2026, 10, 5), date(2026, 11, 20), date(2026, 11, 21)
    amounts = {1: (day0, "412.50"), 4: (day47, "412.50")}
    ends = []
    for first, second in ((2, 3), (3, 2)):
        checks = {**amounts, first: (day46, "412.50"), second: (day46, "825.00")}
        payments = [Received(k, when, D(a)) for k, (when, a) in checks.items()]
        result = replay(
            state, payments, fee=D("20.63"), grace_days=10, charged={}, overpayment=overpayment
        )
        ends.append(result.state)
    assert ends[0] == ends[1]
    assert ends[0].fees_due == D("0.00")  # the Nov 5 fee was charged and paid on Nov 20


def test_a_lease_overpayment_always_pays_the_next_installments() -> None:
    a = apply_payment(lease(), D("1200.00"), date(2026, 10, 31), CURTAIL)
    assert a.months_advanced == 3 and a.state.next_due_date == date(2027, 2, 1)


def test_retail_payoff_sets_paid_off_and_the_excess_is_refund_due() -> None:
    state = retail(principal_balance=D("1000.00"))  # $0.20 a day
    a = apply_payment(state, D("1100.00"), date(2026, 10, 31))
    assert a.to_interest == D("6.00")
    assert a.to_principal == D("1000.00")
    assert a.to_excess == D("94.00")
    assert a.paid_off and a.state.status == "paid_off"
    assert a.state.principal_balance == D("0.00")
    assert a.state.installment_credit == D("0.00")
    assert a.state.prepaid_balance == D("0.00")  # a refund, not prepaid


def test_exact_payoff_has_no_excess() -> None:
    a = apply_payment(retail(principal_balance=D("1000.00")), D("1006.00"), date(2026, 10, 31))
    assert a.paid_off and a.to_excess == D("0.00")


def test_paid_off_and_charged_off_loans_take_no_payment() -> None:
    for status in ("paid_off", "charged_off"):
        with pytest.raises(LoanNotActiveError, match="reject it"):
            apply_payment(retail(status=status), D("300.00"), date(2026, 10, 31))


def test_a_payment_must_be_positive() -> None:
    with pytest.raises(PaymentAmountError, match="key the check amount"):
        apply_payment(retail(), D("0.00"), date(2026, 10, 31))


# --- lease waterfall --------------------------------------------------------------------------


def test_lease_fees_then_rent_advancing_a_month() -> None:
    a = apply_payment(lease(fees_due=D("20.00")), D("420.00"), date(2026, 10, 28))
    assert (a.to_fees, a.to_rent, a.to_interest, a.to_principal) == (
        D("20.00"),
        D("400.00"),
        D("0"),
        D("0"),
    )
    assert a.months_advanced == 1
    assert a.state.principal_balance == D("3600.00")
    assert a.state.next_due_date == date(2026, 12, 1)


def test_lease_partial_rent_is_carried_as_credit() -> None:
    a = apply_payment(lease(), D("150.00"), date(2026, 10, 28))
    assert a.to_rent == D("150.00") and a.months_advanced == 0
    assert a.state.installment_credit == D("150.00")
    b = apply_payment(a.state, D("650.00"), date(2026, 11, 3))
    assert b.months_advanced == 2 and b.state.next_due_date == date(2027, 1, 1)


def test_lease_money_beyond_the_balance_is_held_as_prepaid() -> None:
    a = apply_payment(lease(principal_balance=D("300.00")), D("500.00"), date(2026, 10, 28))
    assert a.to_rent == D("300.00")
    assert a.to_excess == D("200.00")
    assert a.state.prepaid_balance == D("200.00")
    assert a.state.principal_balance == D("0.00")
    assert a.paid_off


# --- due dates --------------------------------------------------------------------------------


def test_month_end_due_dates_stay_anchored_on_the_original_day() -> None:
    state = retail(next_due_date=date(2027, 1, 31), monthly_payment=D("100.00"))
    dates = []
    for day in range(3):
        a = apply_payment(state, D("100.00"), date(2027, 1, 20) + timedelta(days=day))
        state = a.state
        dates.append(state.next_due_date)
    assert dates == [date(2027, 2, 28), date(2027, 3, 31), date(2027, 4, 30)]
    assert state.due_day == 31


def test_leap_february() -> None:
    state = retail(next_due_date=date(2028, 1, 31), monthly_payment=D("100.00"))
    assert apply_payment(state, D("100.00"), date(2028, 1, 20)).state.next_due_date == date(
        2028, 2, 29
    )


def test_grace_boundary_due_nov_1_is_late_on_nov_12_not_nov_11() -> None:
    due = date(2026, 11, 1)
    assert late_installments(due, date(2026, 11, 11)) == []
    assert late_installments(due, date(2026, 11, 12)) == [due]


def test_every_unpaid_installment_past_grace_is_late() -> None:
    due = date(2026, 10, 31)
    assert late_installments(due, date(2026, 12, 10)) == [date(2026, 10, 31)]
    assert late_installments(due, date(2026, 12, 11)) == [date(2026, 10, 31), date(2026, 11, 30)]
    assert late_installments(due, date(2027, 3, 15)) == [
        date(2026, 10, 31),
        date(2026, 11, 30),
        date(2026, 12, 31),
        date(2027, 1, 31),
        date(2027, 2, 28),
    ]
    assert late_installments(due, date(2026, 11, 20), grace_days=15) == [due]


def test_late_fee_is_a_percent_of_the_payment_rounded_half_up_and_capped() -> None:
    assert late_fee_amount(D("412.50"), D("5"), None) == D("20.63")
    assert late_fee_amount(D("412.50"), D("5"), D("15.00")) == D("15.00")
    assert late_fee_amount(D("200.00"), D("5"), D("15.00")) == D("10.00")
    assert late_fee_amount(D("412.50"), D("0"), None) == D("0.00")


# --- properties -------------------------------------------------------------------------------

amounts = st.decimals(min_value=D("0.01"), max_value=D("4000"), places=2)
payments = st.lists(st.tuples(amounts, st.integers(min_value=0, max_value=75)), max_size=12)


@settings(max_examples=200, deadline=None)
@given(
    principal=st.decimals(min_value=D("0"), max_value=D("40000"), places=2),
    rate=st.decimals(min_value=D("0"), max_value=D("0.299"), places=4),
    fees=st.decimals(min_value=D("0"), max_value=D("100"), places=2),
    monthly=st.decimals(min_value=D("25"), max_value=D("1500"), places=2),
    stream=payments,
)
def test_retail_balance_is_opening_plus_interest_and_fees_less_what_was_paid(
    principal: Decimal, rate: Decimal, fees: Decimal, monthly: Decimal, stream: list
) -> None:
    state = retail(
        principal_balance=principal, annual_rate=rate, fees_due=fees, monthly_payment=monthly
    )
    opening_due = state.next_due_date
    day = state.interest_from
    accrued = paid_fees = paid_interest = paid_principal = D("0")
    for amount, gap in stream:
        if state.status != "active":
            break
        day += timedelta(days=gap)
        # independent check of the interest the servicer must have charged for the period
        accrued += money(state.principal_balance * rate * (day - state.interest_from).days / 365)
        a = apply_payment(state, amount, day)
        assert buckets_total(a) == amount  # no money created or lost
        assert min(a.to_fees, a.to_interest, a.to_principal, a.to_excess) >= 0
        assert a.to_rent == 0
        assert a.state.next_due_date >= state.next_due_date
        assert a.to_excess == 0 or a.paid_off
        paid_fees += a.to_fees
        paid_interest += a.to_interest
        paid_principal += a.to_principal
        state = a.state
    assert state.principal_balance == principal - paid_principal
    assert state.fees_due == fees - paid_fees
    assert state.interest_due == accrued - paid_interest
    assert state.installment_credit < monthly
    if state.status == "active":
        covered = paid_interest + paid_principal
        months = int(covered // monthly)
        assert state.next_due_date.month == (opening_due.month - 1 + months) % 12 + 1
        assert state.installment_credit == covered - months * monthly


@settings(max_examples=200, deadline=None)
@given(
    balance=st.decimals(min_value=D("0"), max_value=D("30000"), places=2),
    fees=st.decimals(min_value=D("0"), max_value=D("100"), places=2),
    monthly=st.decimals(min_value=D("25"), max_value=D("1500"), places=2),
    stream=payments,
)
def test_lease_balance_and_prepaid_account_for_every_payment(
    balance: Decimal, fees: Decimal, monthly: Decimal, stream: list
) -> None:
    state = lease(principal_balance=balance, fees_due=fees, monthly_payment=monthly)
    day = state.interest_from
    total = rent = to_fees = D("0")
    for amount, gap in stream:
        if state.status != "active":
            break
        day += timedelta(days=gap)
        a = apply_payment(state, amount, day)
        assert buckets_total(a) == amount
        assert a.to_interest == 0 and a.to_principal == 0
        total += amount
        rent += a.to_rent
        to_fees += a.to_fees
        state = a.state
    assert state.principal_balance == balance - rent
    assert state.fees_due == fees - to_fees
    assert state.prepaid_balance == total - rent - to_fees
