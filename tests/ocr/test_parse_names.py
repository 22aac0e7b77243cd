"""The payer's name from the payer block, without the address."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ocr.parse.names import parse_payer, payer_names


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (["JOHN A SMITH", "1234 Elm St", "Dallas, TX 75201"], "JOHN A SMITH"),
        (["John Smith", "Jane Smith", "PO Box 12", "Plano TX 75023"], "John Smith"),
        (["VINCENT SANDERS", "Timberline Trl", "Austin, TX 78701"], "VINCENT SANDERS"),
        (["Maria O'Neil-Garcia", "55 Main Street Apt 4B"], "Maria O'Neil-Garcia"),
        (["~ Robert Jones ,", "9 Oak Ave"], "Robert Jones"),
    ],
)
def test_payer_block(lines: list[str], expected: str) -> None:
    assert parse_payer(lines) == expected


def test_joint_account_keeps_both_names() -> None:
    assert payer_names(["John Smith", "Jane Smith", "12 Oak Dr"]) == ["John Smith", "Jane Smith"]


@pytest.mark.parametrize("lines", [[], ["123 Elm St"], ["|| ..", "Dallas, TX 75201"]])
def test_no_name(lines: list[str]) -> None:
    assert parse_payer(lines) is None


names = st.from_regex(r"[A-Z][a-z]{2,9} [A-Z][a-z]{2,11}", fullmatch=True)


@given(names, st.integers(min_value=1, max_value=99999))
def test_name_then_address(name: str, number: int) -> None:
    assert parse_payer([name, f"{number} Main St", "Austin, TX 78701"]) == name
