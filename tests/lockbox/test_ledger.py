"""Double-entry posting on SQLite and PostgreSQL: what an accountant would check in the ledger."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lockbox import ledger
from lockbox.db import Database
from lockbox.ledger import (
    CASH,
    FEES_RECEIVABLE,
    INTEREST_INCOME,
    LEASE_PREPAID,
    LEASE_RECEIVABLE,
    LOAN_PRINCIPAL,
    REFUND_DUE,
    RETURNED_ITEMS,
    SUSPENSE,
    DuplicateEntryError,
    ItemAlreadyPostedError,
    LoanNotActiveError,
    UnbalancedEntryError,
    apply_from_suspense,
    credit,
    debit,
    post_entry,
    post_payment,
    post_to_suspense,
    return_from_suspense,
    reverse_entry,
    suspense_balance,
    trial_balance,
)
from lockbox.models import Batch, Item, LedgerEntry, LedgerLine, Loan, Payment
from tests.factories import add_loan

pytestmark = pytest.mark.usefixtures("no_late_fees_at_posting")

D = Decimal
TODAY = date(2026, 11, 17)
_serial = itertools.count(1)


def make_loan(session: Session, **overrides: object) -> Loan:
    return add_loan(
        session,
        **{
            "account_number": f"40012345{next(_serial):04d}",
            "borrower_name": "Maria Delgado",
            "monthly_payment": D("300.00"),
            "next_due_date": date(2026, 11, 1),
            "principal_balance": D("10000.00"),
            "annual_rate": D("0.073"),
            "interest_paid_to": date(2026, 10, 1),
            **overrides,
        },
    )


def make_item(session: Session, amount: Decimal | None = None, status: str = "posted") -> Item:
    batch = Batch(site="dallas", name=f"B{next(_serial)}", business_date=TODAY)
    item = Item(
        batch=batch,
        source_file=f"dallas/{batch.name}/0001.tif",
        page=1,
        status=status,
        amount=amount,
        business_date=TODAY,
    )
    session.add(item)
    session.flush()
    return item


def entry_lines(session: Session, entry_id: int) -> list[tuple[str, Decimal, Decimal]]:
    rows = session.execute(
        select(LedgerLine.gl_account, LedgerLine.debit, LedgerLine.credit)
        .where(LedgerLine.entry_id == entry_id)
        .order_by(LedgerLine.id)
    )
    return [(a, D(d), D(c)) for a, d, c in rows]


def cash_for_item(session: Session, item_id: int) -> Decimal:
    d, c = session.execute(
        select(
            func.coalesce(func.sum(LedgerLine.debit), 0),
            func.coalesce(func.sum(LedgerLine.credit), 0),
        )
        .join(LedgerEntry, LedgerEntry.id == LedgerLine.entry_id)
        .where(LedgerEntry.item_id == item_id, LedgerLine.gl_account == CASH)
    ).one()
    return D(d) - D(c)


def assert_every_entry_balances(session: Session) -> None:
    rows = session.execute(
        select(
            LedgerLine.entry_id, func.sum(LedgerLine.debit), func.sum(LedgerLine.credit)
        ).group_by(LedgerLine.entry_id)
    ).all()
    for entry_id, d, c in rows:
        assert D(d).quantize(D("0.01")) == D(c).quantize(D("0.01")), entry_id
    assert sum(trial_balance(session).values()) == 0


def count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


# --- post_entry -------------------------------------------------------------------------------


def test_unbalanced_or_empty_entries_are_refused(database: Database) -> None:
    with database.session() as s:
        with pytest.raises(UnbalancedEntryError, match="does not balance"):
            post_entry(
                s,
                key="k1",
                kind="payment",
                business_date=TODAY,
                lines=[debit(CASH, D("10.00")), credit(SUSPENSE, D("9.99"))],
            )
        with pytest.raises(UnbalancedEntryError, match="no lines"):
            post_entry(s, key="k2", kind="payment", business_date=TODAY, lines=[])
        with pytest.raises(UnbalancedEntryError, match="one positive side"):
            post_entry(
                s,
                key="k3",
                kind="payment",
                business_date=TODAY,
                lines=[ledger.Line(CASH, D("1"), D("1")), credit(SUSPENSE, D("0"))],
            )
        with pytest.raises(UnbalancedEntryError, match="not a GL account"):
            post_entry(
                s,
                key="k4",
                kind="payment",
                business_date=TODAY,
                lines=[debit("petty_cash", D("1")), credit(SUSPENSE, D("1"))],
            )
        assert count(s, LedgerEntry) == 0


def test_an_existing_idempotency_key_is_refused_with_the_first_entry(database: Database) -> None:
    lines = [debit(CASH, D("10.00")), credit(SUSPENSE, D("10.00"))]
    with database.session() as s:
        first = post_entry(s, key="once", kind="suspense", business_date=TODAY, lines=lines)
        with pytest.raises(DuplicateEntryError) as err:
            post_entry(s, key="once", kind="suspense", business_date=TODAY, lines=lines)
        assert err.value.existing is not None and err.value.existing.id == first.id
        assert count(s, LedgerEntry) == 1


def test_the_unique_constraint_refuses_a_duplicate_the_lookup_missed(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = [debit(CASH, D("10.00")), credit(SUSPENSE, D("10.00"))]
    with database.session() as s:
        post_entry(s, key="race", kind="suspense", business_date=TODAY, lines=lines)
    monkeypatch.setattr(ledger, "find_entry", lambda session, key: None)  # a concurrent writer
    with pytest.raises(DuplicateEntryError, match="roll back"), database.session() as s:
        post_entry(s, key="race", kind="suspense", business_date=TODAY, lines=lines)
    with database.session() as s:
        assert count(s, LedgerEntry) == 1


# --- payments ---------------------------------------------------------------------------------


def test_retail_payment_debits_cash_and_credits_the_waterfall(database: Database) -> None:
    with database.session() as s:
        loan = make_loan(s, fees_due=D("15.00"))
        item = make_item(s, D("600.00"))
        payment = post_payment(
            s,
            item=item,
            loan=loan,
            amount=D("600.00"),
            business_date=TODAY,
            received_date=date(2026, 10, 31),
        )
        assert entry_lines(s, payment.entry_id) == [
            (CASH, D("600.00"), D("0.00")),
            (FEES_RECEIVABLE, D("0.00"), D("15.00")),
            (INTEREST_INCOME, D("0.00"), D("60.00")),
            (LOAN_PRINCIPAL, D("0.00"), D("525.00")),
        ]
        loan_id, item_id = loan.id, item.id
    with database.session() as s:
        loan = s.get_one(Loan, loan_id)
        assert loan.principal_balance == D("9475.00")
        assert loan.fees_due == D("0.00")
        assert loan.next_due_date == date(2026, 12, 1)
        assert loan.installment_credit == D("285.00")
        assert loan.last_payment_date == date(2026, 10, 31)
        assert loan.interest_paid_to == date(2026, 10, 31)
        item = s.get_one(Item, item_id)
        assert (item.status, item.loan_id, item.amount) == ("posted", loan_id, D("600.00"))
        assert cash_for_item(s, item_id) == D("600.00")
        assert_every_entry_balances(s)


def test_posting_the_same_item_again_posts_nothing(database: Database) -> None:
    with database.session() as s:
        loan = make_loan(s)
        item = make_item(s)
        kw = dict(item=item, loan=loan, business_date=TODAY, received_date=date(2026, 10, 31))
        first = post_payment(s, amount=D("300.00"), **kw)  # type: ignore[arg-type]
        again = post_payment(s, amount=D("300.00"), **kw)  # type: ignore[arg-type]
        assert again.id == first.id
        assert loan.principal_balance == D("9760.00")
        with pytest.raises(ItemAlreadyPostedError, match="already posted"):
            post_payment(s, amount=D("250.00"), **kw)  # type: ignore[arg-type]
        assert count(s, LedgerEntry) == 1 and count(s, Payment) == 1


def test_a_paid_off_loan_is_refused_and_nothing_is_written(database: Database) -> None:
    with database.session() as s:
        loan = make_loan(s, status="paid_off", account_number="400123459876")
        item = make_item(s)
        with pytest.raises(LoanNotActiveError) as err:
            post_payment(
                s, item=item, loan=loan, amount=D("300"), business_date=TODAY, received_date=TODAY
            )
        assert "9876" in str(err.value) and "400123459876" not in str(err.value)
        assert count(s, LedgerEntry) == 0 and count(s, Payment) == 0


def test_payoff_credits_refund_due_and_closes_the_loan(database: Database) -> None:
    with database.session() as s:
        loan = make_loan(s, principal_balance=D("1000.00"))
        payment = post_payment(
            s,
            item=make_item(s),
            loan=loan,
            amount=D("1100.00"),
            business_date=TODAY,
            received_date=date(2026, 10, 31),
        )
        assert (payment.to_interest, payment.to_principal, payment.to_excess) == (
            D("6.00"),
            D("1000.00"),
            D("94.00"),
        )
        assert (REFUND_DUE, D("0.00"), D("94.00")) in entry_lines(s, payment.entry_id)
        assert loan.status == "paid_off" and loan.principal_balance == 0
        assert trial_balance(s)[REFUND_DUE] == D("-94.00")


def test_lease_payment_credits_rent_and_holds_the_excess_as_prepaid(database: Database) -> None:
    with database.session() as s:
        loan = make_loan(
            s,
            product="lease",
            annual_rate=None,
            monthly_payment=D("400.00"),
            principal_balance=D("800.00"),
        )
        payment = post_payment(
            s,
            item=make_item(s),
            loan=loan,
            amount=D("1000.00"),
            business_date=TODAY,
            received_date=TODAY,
        )
        assert entry_lines(s, payment.entry_id) == [
            (CASH, D("1000.00"), D("0.00")),
            (LEASE_RECEIVABLE, D("0.00"), D("800.00")),
            (LEASE_PREPAID, D("0.00"), D("200.00")),
        ]
        assert loan.prepaid_balance == D("200.00")
        assert payment.months_advanced == 2


# --- suspense, resolve, reject ----------------------------------------------------------------


def test_resolving_for_the_amount_held_moves_it_out_of_suspense(database: Database) -> None:
    with database.session() as s:
        loan = make_loan(s)
        item = make_item(s, D("300.00"), status="exception")
        held = post_to_suspense(s, item=item, amount=D("300.00"), business_date=TODAY)
        assert entry_lines(s, held.id) == [
            (CASH, D("300.00"), D("0.00")),
            (SUSPENSE, D("0.00"), D("300.00")),
        ]
        assert post_to_suspense(s, item=item, amount=D("300.00"), business_date=TODAY).id == held.id
        payment = apply_from_suspense(
            s,
            item=item,
            loan=loan,
            amount=D("300.00"),
            business_date=date(2026, 11, 18),
            received_date=date(2026, 10, 31),
        )
        assert entry_lines(s, payment.entry_id)[0] == (SUSPENSE, D("300.00"), D("0.00"))
        assert suspense_balance(s, item.id) == 0
        assert cash_for_item(s, item.id) == D("300.00")
        assert item.status == "posted" and loan.next_due_date == date(2026, 12, 1)
        assert_every_entry_balances(s)


def test_resolving_for_another_amount_reverses_the_suspense_entry(database: Database) -> None:
    with database.session() as s:
        loan = make_loan(s)
        item = make_item(s, D("3000.00"), status="exception")  # misread: $300.00
        held = post_to_suspense(s, item=item, amount=D("3000.00"), business_date=TODAY)
        payment = apply_from_suspense(
            s,
            item=item,
            loan=loan,
            amount=D("300.00"),
            business_date=TODAY,
            received_date=TODAY,
        )
        reversal = s.scalars(
            select(LedgerEntry).where(LedgerEntry.reverses_entry_id == held.id)
        ).one()
        assert entry_lines(s, reversal.id) == [
            (CASH, D("0.00"), D("3000.00")),
            (SUSPENSE, D("3000.00"), D("0.00")),
        ]
        assert payment.amount == D("300.00")
        assert cash_for_item(s, item.id) == D("300.00")
        assert suspense_balance(s, item.id) == 0
        assert trial_balance(s)[CASH] == D("300.00")
        assert_every_entry_balances(s)


def test_resolving_an_unreadable_amount_posts_from_cash(database: Database) -> None:
    with database.session() as s:
        loan = make_loan(s)
        item = make_item(s, None, status="exception")
        payment = apply_from_suspense(
            s, item=item, loan=loan, amount=D("300.00"), business_date=TODAY, received_date=TODAY
        )
        assert entry_lines(s, payment.entry_id)[0] == (CASH, D("300.00"), D("0.00"))
        assert cash_for_item(s, item.id) == D("300.00")


def test_resolving_to_an_inactive_loan_writes_nothing(database: Database) -> None:
    with database.session() as s:
        loan = make_loan(s, status="charged_off")
        item = make_item(s, D("3000.00"), status="exception")
        post_to_suspense(s, item=item, amount=D("3000.00"), business_date=TODAY)
        with pytest.raises(LoanNotActiveError):
            apply_from_suspense(
                s, item=item, loan=loan, amount=D("300"), business_date=TODAY, received_date=TODAY
            )
        assert count(s, LedgerEntry) == 1 and suspense_balance(s, item.id) == D("3000.00")


def test_rejecting_moves_the_money_to_returned_items(database: Database) -> None:
    with database.session() as s:
        item = make_item(s, D("125.00"), status="exception")
        post_to_suspense(s, item=item, amount=D("125.00"), business_date=TODAY)
        entry = return_from_suspense(s, item=item, business_date=TODAY)
        assert entry is not None
        assert entry_lines(s, entry.id) == [
            (SUSPENSE, D("125.00"), D("0.00")),
            (RETURNED_ITEMS, D("0.00"), D("125.00")),
        ]
        assert item.status == "returned"
        assert return_from_suspense(s, item=item, business_date=TODAY) is None  # nothing left
        with pytest.raises(ItemAlreadyPostedError, match="rejected"):
            apply_from_suspense(
                s,
                item=item,
                loan=make_loan(s),
                amount=D("125.00"),
                business_date=TODAY,
                received_date=TODAY,
            )
        unreadable = make_item(s, None, status="exception")
        assert return_from_suspense(s, item=unreadable, business_date=TODAY) is None
        assert unreadable.status == "returned"
        balances = trial_balance(s)
        assert (balances[CASH], balances[SUSPENSE], balances[RETURNED_ITEMS]) == (
            D("125.00"),
            D("0.00"),
            D("-125.00"),
        )


def test_a_posted_item_cannot_be_rejected(database: Database) -> None:
    with database.session() as s:
        item = make_item(s)
        post_payment(
            s,
            item=item,
            loan=make_loan(s),
            amount=D("10"),
            business_date=TODAY,
            received_date=TODAY,
        )
        with pytest.raises(ItemAlreadyPostedError, match="Reverse the payment"):
            return_from_suspense(s, item=item, business_date=TODAY)


def test_reversal_mirrors_the_entry_once_and_leaves_the_original(database: Database) -> None:
    with database.session() as s:
        item = make_item(s)
        payment = post_payment(
            s,
            item=item,
            loan=make_loan(s),
            amount=D("300"),
            business_date=TODAY,
            received_date=TODAY,
        )
        original = s.get_one(LedgerEntry, payment.entry_id)
        before = entry_lines(s, original.id)
        nsf = reverse_entry(s, original, business_date=date(2026, 11, 20), reason="NSF")
        assert nsf.reverses_entry_id == original.id and nsf.item_id == item.id
        assert entry_lines(s, nsf.id) == [(a, c, d) for a, d, c in before]
        assert entry_lines(s, original.id) == before
        with pytest.raises(DuplicateEntryError):
            reverse_entry(s, original, business_date=TODAY, reason="again")
        assert all(v == 0 for v in trial_balance(s).values())


# --- properties -------------------------------------------------------------------------------

operations = st.lists(
    st.tuples(
        st.sampled_from(["post", "suspense_apply", "suspense_other", "reject", "unreadable"]),
        st.decimals(min_value=D("0.01"), max_value=D("2500"), places=2),
        st.sampled_from([0, 1]),  # which loan
    ),
    min_size=1,
    max_size=8,
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(ops=operations)
def test_every_entry_balances_and_cash_equals_what_was_allocated(
    database: Database, ops: list[tuple[str, Decimal, int]]
) -> None:
    with database.sessions() as s:
        loans = [
            make_loan(s, principal_balance=D("1500.00"), fees_due=D("12.00")),
            make_loan(
                s,
                product="lease",
                annual_rate=None,
                monthly_payment=D("450.00"),
                principal_balance=D("2000.00"),
            ),
        ]
        opening = {loan.id: (loan.principal_balance, loan.fees_due) for loan in loans}
        returned = D("0")
        for op, amount, which in ops:
            loan = loans[which]
            item = make_item(s, amount, status="exception")
            if loan.status != "active" and op != "reject":
                with pytest.raises(LoanNotActiveError):
                    post_payment(
                        s,
                        item=item,
                        loan=loan,
                        amount=amount,
                        business_date=TODAY,
                        received_date=TODAY,
                    )
                continue
            if op == "post":
                post_payment(
                    s, item=item, loan=loan, amount=amount, business_date=TODAY, received_date=TODAY
                )
            elif op in ("suspense_apply", "suspense_other"):
                post_to_suspense(s, item=item, amount=amount + 1, business_date=TODAY)
                posted = amount + 1 if op == "suspense_apply" else amount
                apply_from_suspense(
                    s, item=item, loan=loan, amount=posted, business_date=TODAY, received_date=TODAY
                )
            elif op == "reject":
                post_to_suspense(s, item=item, amount=amount, business_date=TODAY)
                return_from_suspense(s, item=item, business_date=TODAY)
                returned += amount
            else:
                apply_from_suspense(
                    s, item=item, loan=loan, amount=amount, business_date=TODAY, received_date=TODAY
                )
        assert_every_entry_balances(s)
        payments = s.scalars(select(Payment)).all()
        allocated = sum(
            (
                p.to_fees + p.to_interest + p.to_principal + p.to_rent + p.to_excess
                for p in payments
            ),
            D("0"),
        )
        assert sum((p.amount for p in payments), D("0")) == allocated
        balances = trial_balance(s)
        assert balances[CASH] == allocated + returned  # no money created or lost
        assert balances[SUSPENSE] == 0
        assert balances[RETURNED_ITEMS] == -returned
        for loan in loans:
            mine = [p for p in payments if p.loan_id == loan.id]
            principal, fees = opening[loan.id]
            paid = sum((p.to_principal + p.to_rent for p in mine), D("0"))
            assert loan.principal_balance == principal - paid
            assert loan.fees_due == fees - sum((p.to_fees for p in mine), D("0"))
        s.rollback()
