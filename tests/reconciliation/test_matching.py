from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lockbox.capture import Capture
from reconciliation.codes import ExceptionCode
from reconciliation.matching import LoanDirectory, match_capture, name_score, near_accounts


def cap(**kw: object) -> Capture:
    base: dict[str, object] = {"source_file": "b/x.tif", "payer_confidence": 0.9}
    base.update(kw)
    return Capture(**base)  # type: ignore[arg-type]


def test_memo_account_in_the_book_matches(directory: LoanDirectory) -> None:
    m = match_capture(
        cap(memo_account="4410023981", memo_confidence=0.9), directory, Decimal("412.50")
    )
    assert (m.account_number, m.method, m.problem) == ("4410023981", "memo", None)


def test_coupon_wins_and_disagreeing_memo_is_ambiguous(directory: LoanDirectory) -> None:
    same = match_capture(
        cap(coupon_account="4410023981", memo_account="4410023981"), directory, None
    )
    assert same.method == "coupon" and same.account_number == "4410023981"
    differ = match_capture(
        cap(coupon_account="4410023981", memo_account="4410077310"), directory, None
    )
    assert differ.problem == ExceptionCode.AMBIGUOUS_LOAN and differ.account_number is None


def test_one_digit_misread_matches_only_when_the_payer_agrees(directory: LoanDirectory) -> None:
    read = "4410023951"  # 8 misread as 5
    agree = match_capture(cap(memo_account=read, payer="MARIA GONZALEZ"), directory, None)
    assert agree.account_number == "4410023981" and agree.method == "memo_near"
    stranger = match_capture(cap(memo_account=read, payer="Someone Else"), directory, None)
    assert stranger.account_number is None and stranger.problem == ExceptionCode.UNKNOWN_ACCOUNT


def test_one_digit_misread_without_a_payer_matches_when_the_amount_is_the_loans(
    directory: LoanDirectory,
) -> None:
    read = "4410023951"  # 8 misread as 5, and no payer name read
    due = match_capture(cap(memo_account=read, payer=None), directory, Decimal("412.50"))
    assert due.account_number == "4410023981" and due.method == "memo_near"
    unsure = cap(memo_account=read, payer="Mar", payer_confidence=0.3)  # a name half read
    assert match_capture(unsure, directory, Decimal("825.00")).account_number == "4410023981"
    other = match_capture(cap(memo_account=read, payer=None), directory, Decimal("100.00"))
    assert other.account_number is None and other.problem == ExceptionCode.UNKNOWN_ACCOUNT
    # a payer read surely as someone else is not outweighed by the amount
    stranger = cap(memo_account=read, payer="Someone Else")
    assert match_capture(stranger, directory, Decimal("412.50")).account_number is None


def test_a_lost_digit_matches_only_when_the_payer_agrees(directory: LoanDirectory) -> None:
    read = "441002398"  # the last 1 ran into the end of the line
    agree = match_capture(cap(memo_account=read, payer="Maria Gonzalez"), directory, None)
    assert agree.account_number == "4410023981" and agree.method == "memo_near"
    stranger = match_capture(cap(memo_account=read, payer="Zed Nobody"), directory, None)
    assert stranger.account_number is None and stranger.candidates == ["4410023981"]


def test_near_miss_between_two_loans_is_not_guessed(directory: LoanDirectory) -> None:
    # 552001994x is one digit from both of Robert Chen's loans: never pick one.
    m = match_capture(cap(memo_account="5520019946", payer="Robert Chen"), directory, None)
    assert m.account_number is None and m.problem == ExceptionCode.UNKNOWN_ACCOUNT
    assert set(m.candidates) == {"5520019944", "5520019945"}


def test_no_account_payer_and_amount_pick_one_loan(directory: LoanDirectory) -> None:
    m = match_capture(cap(payer="Linda Whitaker"), directory, Decimal("389.17"))
    assert m.account_number == "4410077310" and m.method == "payer_amount"
    twice = match_capture(cap(payer="Linda Whitaker"), directory, Decimal("778.34"))
    assert twice.account_number == "4410077310"
    odd = match_capture(cap(payer="Linda Whitaker"), directory, Decimal("100.00"))
    assert odd.account_number is None and odd.problem == ExceptionCode.MISSING_ACCOUNT


def test_no_account_payer_with_two_loans_is_ambiguous(directory: LoanDirectory) -> None:
    m = match_capture(cap(payer="ROBERT CHEN"), directory, Decimal("123.00"))
    assert m.problem == ExceptionCode.AMBIGUOUS_LOAN and len(m.candidates) == 2
    # ...unless the amount fits exactly one of them
    m = match_capture(cap(payer="ROBERT CHEN"), directory, Decimal("515.25"))
    assert m.account_number == "5520019945"


def test_no_account_unknown_payer_is_missing_account(directory: LoanDirectory) -> None:
    m = match_capture(cap(payer="Zed Nobody"), directory, Decimal("412.50"))
    assert m.problem == ExceptionCode.MISSING_ACCOUNT
    m = match_capture(cap(), directory, Decimal("412.50"))
    assert m.problem == ExceptionCode.MISSING_ACCOUNT


THIRD_PARTY = ["ACME ROOFING INC", "Chen Family Dental LLC", "Gonzalez Plumbing & Heating"]


@pytest.mark.parametrize("payer", THIRD_PARTY)
def test_a_third_party_payer_with_the_account_written_matches_by_account(
    directory: LoanDirectory, payer: str
) -> None:
    """An employer or relative paying the borrower's car: the account number decides, not the name."""
    m = match_capture(
        cap(memo_account="5520019944", memo_confidence=0.9, payer=payer),
        directory,
        Decimal("299.00"),
    )
    assert (m.account_number, m.method, m.problem) == ("5520019944", "memo", None)


@pytest.mark.parametrize("payer", THIRD_PARTY)
def test_a_third_party_payer_without_an_account_is_never_guessed(
    directory: LoanDirectory, payer: str
) -> None:
    """A business sharing a borrower's surname and paying that borrower's exact installment is
    not that borrower: the item goes to a clerk, with no loan chosen."""
    for amount in (Decimal("299.00"), Decimal("412.50")):
        m = match_capture(cap(payer=payer), directory, amount)
        assert m.account_number is None and m.problem == ExceptionCode.MISSING_ACCOUNT


def test_a_misread_account_from_a_third_party_lists_the_loan_for_the_clerk(
    directory: LoanDirectory,
) -> None:
    m = match_capture(cap(memo_account="4410023951", payer="ACME ROOFING INC"), directory, None)
    assert m.account_number is None and m.problem == ExceptionCode.UNKNOWN_ACCOUNT
    assert m.candidates == ["4410023981"]


def test_joint_payer_block_matches_the_borrower() -> None:
    assert name_score("JAMES T WHITAKER AND LINDA WHITAKER", "James T. Whitaker") >= 88
    assert name_score("Maria Gonzales", "Maria Gonzalez") >= 88
    assert name_score("Mario Lopez", "Maria Gonzalez") < 88


@given(
    st.text(alphabet="0123456789", min_size=10, max_size=10), st.integers(0, 9), st.integers(0, 9)
)
def test_near_accounts_finds_every_single_substitution(acct: str, pos: int, digit: int) -> None:
    read = acct[:pos] + str(digit) + acct[pos + 1 :]
    found = near_accounts(read, [acct])
    assert found == ([] if read == acct else [acct])


def test_an_unsure_read_a_few_digits_off_the_payers_loan_is_that_loan(
    directory: LoanDirectory,
) -> None:
    read = "4416028981"  # three digits misread in a weak hand
    m = match_capture(
        cap(memo_account=read, memo_confidence=0.3, payer="Maria Gonzalez"), directory, None
    )
    assert (m.account_number, m.method) == ("4410023981", "memo_payer")


@pytest.mark.parametrize(
    ("read", "memo_confidence", "payer", "payer_confidence"),
    [
        ("4416028981", 0.9, "Maria Gonzalez", 0.9),  # read surely: the writer wrote another number
        ("4416028981", 0.3, "Someone Else", 0.9),  # not the borrower's check
        ("4416028981", 0.3, "Maria Gonzalez", 0.4),  # the payer's name itself is unsure
        ("4496128081", 0.3, "Maria Gonzalez", 0.9),  # four digits off: an unknown account
        ("5520019", 0.3, "Robert Chen", 0.9),  # close to both of the payer's loans
    ],
)
def test_no_loan_is_chosen_from_a_far_or_surely_read_account(
    directory: LoanDirectory,
    read: str,
    memo_confidence: float,
    payer: str,
    payer_confidence: float,
) -> None:
    m = match_capture(
        cap(
            memo_account=read,
            memo_confidence=memo_confidence,
            payer=payer,
            payer_confidence=payer_confidence,
        ),
        directory,
        None,
    )
    assert m.account_number is None and m.problem == ExceptionCode.UNKNOWN_ACCOUNT


def test_the_loans_that_ask_for_an_amount(directory: LoanDirectory) -> None:
    def named(amount: str) -> list[str]:
        return sorted(loan.account_number for loan in directory.by_amount(Decimal(amount)))

    assert named("412.50") == named("825.00") == named("1237.50") == ["4410023981"]
    assert named("299.00") == ["5520019944"]
    assert named("412.51") == [] and named("1650.00") == []  # four payments: not asked for
