"""ABA routing validation and the splitting of a US code line into its fields."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lockbox.routing import aba_check_digit, aba_valid
from ocr.micr import parse_micr

first_eight = st.text(alphabet="0123456789", min_size=8, max_size=8).filter(
    lambda s: s != "00000000"
)


@pytest.mark.parametrize("routing", ["111000025", "021000021", "011000015", "122105155"])
def test_real_routing_numbers_are_valid(routing: str) -> None:
    assert aba_valid(routing)


@pytest.mark.parametrize(
    "routing", ["111000026", "021000012", "", "12345678", "1110000250", "11100002a", "000000000"]
)
def test_bad_routing_numbers_are_refused(routing: str) -> None:
    assert not aba_valid(routing)


@given(first_eight)
def test_check_digit_makes_a_valid_routing_number(first8: str) -> None:
    assert aba_valid(first8 + aba_check_digit(first8))


@given(first_eight, st.integers(min_value=0, max_value=8), st.integers(min_value=1, max_value=9))
def test_one_changed_digit_is_caught(first8: str, position: int, delta: int) -> None:
    routing = first8 + aba_check_digit(first8)
    changed = (
        routing[:position] + str((int(routing[position]) + delta) % 10) + routing[position + 1 :]
    )
    assert not aba_valid(changed)


@given(first_eight, st.integers(min_value=0, max_value=7))
def test_swapped_neighbours_are_caught_unless_equal_weight_effect(first8: str, i: int) -> None:
    routing = first8 + aba_check_digit(first8)
    swapped = routing[:i] + routing[i + 1] + routing[i] + routing[i + 2 :]
    a, b = int(routing[i]), int(routing[i + 1])
    weights = (3, 7, 1, 3, 7, 1, 3, 7, 1)
    # the 3-7-1 scheme misses a swap only when (w_i - w_j)(a - b) is a multiple of 10
    if ((weights[i] - weights[i + 1]) * (a - b)) % 10 != 0:
        assert not aba_valid(swapped)


@given(
    first_eight,
    st.text(alphabet="0123456789", min_size=4, max_size=14),
    st.integers(min_value=100, max_value=999999),
    st.sampled_from(["after", "before"]),
)
def test_personal_check_fields_round_trip(
    first8: str, account: str, serial: int, side: str
) -> None:
    routing = first8 + aba_check_digit(first8)
    s = str(serial)
    on_us = f"{account}U {s}" if side == "after" else f"{s} {account}U"
    line = parse_micr(f"T{routing}T {on_us}", 0.9)
    assert line.routing == routing and line.routing_valid
    assert line.account == account
    assert line.serial == s
    assert line.amount is None
    assert line.confidence == 0.9


@given(first_eight, st.integers(min_value=0, max_value=8), st.integers(min_value=1, max_value=9))
def test_misread_routing_is_not_reported(first8: str, position: int, delta: int) -> None:
    routing = first8 + aba_check_digit(first8)
    bad = routing[:position] + str((int(routing[position]) + delta) % 10) + routing[position + 1 :]
    line = parse_micr(f"T{bad}T 1234567890U 1001", 0.9)
    assert line.routing is None and not line.routing_valid
    assert line.account == "1234567890"


def test_business_check_with_auxiliary_on_us_and_amount() -> None:
    line = parse_micr("U0012345U T111000025T 1234567890U A0000012345A", 0.8)
    assert line.serial == "0012345"
    assert line.routing == "111000025"
    assert line.account == "1234567890"
    assert line.amount == Decimal("123.45")


def test_unreadable_characters_make_their_field_unknown() -> None:
    line = parse_micr("T1110?0025T 12345?7890U 1001", 0.5)
    assert line.routing is None
    assert line.account is None
    assert line.serial == "1001"
    assert line.text == "T1110?0025T 12345?7890U 1001"


def test_routing_survives_one_unreadable_transit_symbol() -> None:
    line = parse_micr("?111000025T 1234567890U 1001", 0.5)
    assert line.routing == "111000025"
    assert line.account == "1234567890"


def test_dashes_in_the_account_are_dropped() -> None:
    line = parse_micr("T111000025T 123D4567U 0456", 0.9)
    assert line.account == "1234567"
    assert line.serial == "0456"


def test_serial_directly_after_the_on_us_symbol() -> None:
    line = parse_micr("T111000025T1234567890U1001", 0.9)
    assert (line.account, line.serial) == ("1234567890", "1001")


def test_confidence_is_clamped() -> None:
    assert parse_micr("T111000025T", 1.7).confidence == 1.0
    assert parse_micr("T111000025T", -1).confidence == 0.0


def test_empty_line_has_no_fields() -> None:
    line = parse_micr("", 0.0)
    assert (line.routing, line.account, line.serial, line.amount) == (None, None, None, None)
