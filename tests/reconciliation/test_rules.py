from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lockbox.capture import Capture
from reconciliation.codes import ExceptionCode
from reconciliation.matching import Match
from reconciliation.rules import (
    MIN_AMOUNT_CONFIDENCE,
    NEAR_MISS_SURE,
    date_findings,
    decide_amount,
    doubt_near_miss,
    evaluate,
    one_digit_apart,
    verify_expected,
)
from tests.factories import UNSURE, make_capture

TODAY = date(2026, 11, 17)


def good_check(**kw: Any) -> Capture:
    """A clean check with no payer read."""
    return make_capture(
        **{"source_file": "dallas/b1/x.tif", "payer": None, "payer_confidence": 0.0, **kw}
    )


def codes(capture: Capture, *, status: str | None = "active", dup: int | None = None) -> list[str]:
    match = Match(account_number="4410023981", method="memo", confidence=0.9)
    findings = evaluate(
        capture,
        match=match,
        loan_status=status,
        business_date=TODAY,
        amount=decide_amount(capture),
        duplicate_of=dup,
    )
    return [f.code.value for f in findings]


def test_a_clean_check_breaks_no_rule() -> None:
    assert codes(good_check()) == []


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"legal_amount": Decimal("421.50")}, "AMOUNT_MISMATCH"),
        ({"legal_amount": None, "legal_confidence": 0.0}, "UNREADABLE_AMOUNT"),
        ({"courtesy_amount": None, "legal_amount": None}, "UNREADABLE_AMOUNT"),
        ({"courtesy_confidence": UNSURE[1], "legal_confidence": UNSURE[0]}, "UNREADABLE_AMOUNT"),
        ({"legal_amount": Decimal("421.50"), "legal_confidence": 0.1}, "AMOUNT_MISMATCH"),
        ({"check_date": TODAY + timedelta(days=1)}, "POST_DATED"),
        ({"check_date": TODAY - timedelta(days=181)}, "STALE_DATED"),
        ({"check_date": None}, "DATE_UNREADABLE"),
        ({"date_confidence": 0.04}, "DATE_UNREADABLE"),
        ({"date_confidence": 0.1, "date_others": (TODAY + timedelta(days=20),)}, "DATE_UNREADABLE"),
        ({"serial": None}, "MICR_UNREADABLE"),
        ({"is_check": False, "not_check_reason": "blank page"}, "NOT_A_CHECK"),
        ({"unreadable_reason": "truncated TIFF"}, "UNREADABLE_FILE"),
    ],
)
def test_each_rule_holds_the_item(change: dict[str, object], code: str) -> None:
    assert codes(good_check(**change))[0] == code


def test_inactive_loan_and_duplicates_are_held() -> None:
    assert codes(good_check(), status="paid_off") == ["LOAN_NOT_ACTIVE"]
    assert codes(good_check(), status="charged_off") == ["LOAN_NOT_ACTIVE"]
    assert codes(good_check(), status="repossessed") == ["LOAN_NOT_ACTIVE"]
    assert codes(good_check(), dup=7) == ["DUPLICATE_CHECK"]


def test_stale_boundary_is_exactly_180_days() -> None:
    assert date_findings(TODAY - timedelta(days=180), 0.9, TODAY) == []
    assert date_findings(TODAY, 0.9, TODAY) == []


def test_an_unsure_date_passes_only_when_every_reading_is_inside_the_window() -> None:
    inside, post, stale = TODAY - timedelta(days=3), TODAY + timedelta(days=3), date(2025, 11, 14)
    assert date_findings(inside, 0.08, TODAY) == []
    assert date_findings(inside, 0.08, TODAY, others=[TODAY - timedelta(days=30)]) == []
    held = [date_findings(inside, 0.08, TODAY, others=[o]) for o in (post, stale)]
    assert [f[0].code for f in held] == [ExceptionCode.DATE_UNREADABLE] * 2
    # too unsure to vouch even for the window; a sure date is judged by itself alone
    assert date_findings(inside, 0.04, TODAY)[0].code == ExceptionCode.DATE_UNREADABLE
    assert date_findings(inside, 0.9, TODAY, others=[post]) == []
    assert date_findings(post, 0.08, TODAY)[0].code == ExceptionCode.DATE_UNREADABLE
    assert date_findings(post, 0.9, TODAY)[0].code == ExceptionCode.POST_DATED


def test_other_dates_read_survive_the_audit_record() -> None:
    c = good_check(date_others=(date(2026, 12, 2), date(2025, 11, 14)))
    assert Capture.from_json(json.loads(json.dumps(c.to_json()))) == c


def test_agreeing_readings_post_when_one_of_them_is_confident() -> None:
    assert decide_amount(good_check(legal_confidence=0.0)).amount == Decimal("412.50")
    assert decide_amount(good_check(courtesy_confidence=UNSURE[0])).amount == Decimal("412.50")
    assert decide_amount(good_check(courtesy_confidence=MIN_AMOUNT_CONFIDENCE, legal_confidence=0))
    unsure = decide_amount(good_check(courtesy_confidence=UNSURE[0], legal_confidence=UNSURE[1]))
    assert unsure.amount is None and unsure.read == Decimal("412.50")


def test_the_figures_alone_never_post_even_when_they_are_the_coupons_amount_due() -> None:
    """Words that could not be read may say another amount: the coupon says what was asked for,
    not what the customer wrote."""
    for due in (Decimal("412.50"), Decimal("400.00")):
        c = good_check(
            legal_amount=None, legal_confidence=0.0, coupon_amount=due, coupon_confidence=0.99
        )
        decision = decide_amount(c)
        assert decision.amount is None and decision.finding is not None
        assert decision.finding.code == ExceptionCode.UNREADABLE_AMOUNT


EXPECTED = [Decimal("412.50"), Decimal("825.00"), Decimal("1237.50")]


def test_unsure_agreeing_readings_of_an_expected_amount_post() -> None:
    unsure = good_check(courtesy_confidence=UNSURE[0], legal_confidence=UNSURE[1])
    decided = verify_expected(unsure, decide_amount(unsure), EXPECTED)
    assert decided.amount == Decimal("412.50") and decided.finding is None and decided.verified


@pytest.mark.parametrize(
    "change",
    [
        {"courtesy_amount": Decimal("412.05"), "legal_amount": Decimal("412.05")},  # not expected
        {"legal_amount": Decimal("421.50")},  # the readings disagree, one of them expected
        {"legal_confidence": 0.05},  # one reading is a guess
        {"legal_amount": None},
    ],
)
def test_verification_never_makes_agreement_or_trusts_a_guess(change: dict[str, object]) -> None:
    unsure = {"courtesy_confidence": UNSURE[0], "legal_confidence": UNSURE[1]}
    capture = good_check(**{**unsure, **change})
    before = decide_amount(capture)
    after = verify_expected(capture, before, EXPECTED)
    assert after == before and after.amount is None and not after.verified


@given(
    st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999.99"), places=2),
    st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999.99"), places=2),
    st.floats(min_value=0.0, max_value=1.0),
    st.floats(min_value=0.0, max_value=1.0),
)
def test_verification_posts_only_agreeing_expected_amounts(
    courtesy: Decimal, legal: Decimal, c_conf: float, l_conf: float
) -> None:
    capture = good_check(
        courtesy_amount=courtesy,
        legal_amount=legal,
        courtesy_confidence=c_conf,
        legal_confidence=l_conf,
    )
    decided = verify_expected(capture, decide_amount(capture), [courtesy])
    if decided.amount is not None:
        assert decided.amount == courtesy == legal


@given(
    st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999.99"), places=2),
    st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999.99"), places=2),
)
def test_amount_is_decided_only_when_both_readings_agree(courtesy: Decimal, legal: Decimal) -> None:
    d = decide_amount(good_check(courtesy_amount=courtesy, legal_amount=legal))
    if courtesy == legal:
        assert d.amount == courtesy and d.finding is None
    else:
        assert d.amount is None and d.finding is not None
        assert d.finding.code == ExceptionCode.AMOUNT_MISMATCH


DUE = {Decimal("382.90"): "the coupon's amount due"}


@pytest.mark.parametrize(
    ("read", "held"),
    [
        ("382.10", True),  # '90/100' read as '10/100' in the figures and the words alike
        ("372.90", True),  # less than due by a misread digit
        ("38.90", True),  # a dropped digit
        ("482.90", False),  # paid ahead by whole dollars
        ("392.90", False),
        ("382.90", False),  # what was due
        ("400.00", False),  # not one digit from anything expected
    ],
)
def test_an_agreed_amount_one_digit_off_the_amount_due_is_held(read: str, held: bool) -> None:
    amount = Decimal(read)
    capture = good_check(courtesy_amount=amount, legal_amount=amount, courtesy_confidence=0.66)
    decided = doubt_near_miss(decide_amount(capture), DUE)
    if held:
        assert decided.amount is None and decided.finding is not None
        assert decided.finding.code == ExceptionCode.UNREADABLE_AMOUNT
        assert "$382.90" in decided.finding.message and f"${amount:,.2f}" in decided.finding.message
        assert decided.read == amount  # the clerk sees what was read
    else:
        assert decided.amount == amount and decided.finding is None


def test_readings_all_but_certain_post_even_one_digit_off() -> None:
    sure = good_check(
        courtesy_amount=Decimal("382.10"),
        legal_amount=Decimal("382.10"),
        courtesy_confidence=0.99,
        legal_confidence=0.99,
    )
    decision = decide_amount(sure)
    assert decision.confidence >= NEAR_MISS_SURE
    assert doubt_near_miss(decision, DUE) == decision


@given(
    st.decimals(min_value=Decimal("0.01"), max_value=Decimal("9999.99"), places=2),
    st.integers(0, 5),
    st.integers(0, 9),
)
def test_one_changed_or_dropped_digit_is_one_digit_apart(
    amount: Decimal, position: int, digit: int
) -> None:
    figures = f"{amount:.2f}".replace(".", "")
    k = position % len(figures)
    changed = figures[:k] + str(digit) + figures[k + 1 :]
    dropped = figures[:k] + figures[k + 1 :]
    for other in (changed, dropped):
        if len(other) < 3 or other == figures or (other[0] == "0" and len(other) > 3):
            continue  # too short for cents, unchanged, or a leading zero that is no figure
        value = Decimal(f"{other[:-2]}.{other[-2:]}")
        assert one_digit_apart(amount, value) == one_digit_apart(value, amount)
        assert one_digit_apart(amount, value)


@given(
    st.decimals(min_value=Decimal("0.01"), max_value=Decimal("9999.99"), places=2),
    st.floats(min_value=0.0, max_value=1.0),
)
def test_doubt_never_posts_another_amount(amount: Decimal, conf: float) -> None:
    capture = good_check(
        courtesy_amount=amount, legal_amount=amount, courtesy_confidence=conf, legal_confidence=conf
    )
    before = decide_amount(capture)
    after = doubt_near_miss(before, DUE)
    assert after.amount in (before.amount, None)
    assert after == before or after.finding is not None
