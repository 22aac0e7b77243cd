"""Check dates in the shapes people write them."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ocr.parse.dates import DATE_FORMS, MONTHS, date_edits, month_number, parse_date


@pytest.mark.parametrize(
    "text",
    [
        "11/17/2026",
        "11/17/26",
        "Nov 17, 2026",
        "11-17-2026",
        "November 17 2026",
        "2026-11-17",
        "DATE 11/17/2026",
        "11 / 17 / 2026",
        "N0v l7, 2O26",
        "11.17.2026",
        "Nov. 17th, 2026",
        "Nor 17, 2026",  # handwriting: one letter of three misread
    ],
)
def test_date_shapes(text: str) -> None:
    assert parse_date(text) == date(2026, 11, 17)


@pytest.mark.parametrize("text", ["", "02/30/2026", "13/01/2026", "DATE", "Nov 2026", "17"])
def test_not_a_date_is_none(text: str) -> None:
    assert parse_date(text) is None


@pytest.mark.parametrize("text", ["Now 12. 20.26", "Nov 12.20.26", "November 12-20-26"])
def test_figures_after_a_months_name_are_never_a_month_of_their_own(text: str) -> None:
    """'Nov 12, 2026' read with points for the comma and inside the year is not December 20."""
    assert parse_date(text) is None


def test_a_misread_month_without_its_space() -> None:
    assert parse_date("Nor9, 2026") == date(2026, 11, 9)


@pytest.mark.parametrize(("word", "month"), [("Dee", 12), ("Mey", 5), ("Ju1", 7), ("Jux", None)])
def test_a_misread_month_is_read_only_when_one_month_fits_best(
    word: str, month: int | None
) -> None:
    assert month_number(word) == month  # 'Jux' is July or June: not a guess


dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31))


@given(dates)
def test_round_trip_numeric(d: date) -> None:
    assert parse_date(f"{d.month}/{d.day}/{d.year}") == d
    assert parse_date(f"{d.month:02d}/{d.day:02d}/{d.year % 100:02d}") == d
    assert parse_date(d.isoformat()) == d


@given(dates, st.booleans())
def test_round_trip_named(d: date, short: bool) -> None:
    month = MONTHS[d.month - 1].title()
    name = month[:3] if short else month
    assert parse_date(f"{name} {d.day}, {d.year}") == d


@given(st.text(max_size=30))
def test_never_crashes(text: str) -> None:
    parse_date(text)


@pytest.mark.parametrize("text", ["ll-15-2026", "Il/15/2026", "ll-15-2o26", "DATE ll.15.26"])
def test_a_hands_eleven_read_as_letters_is_still_november(text: str) -> None:
    """'11' in a hand is often read 'll' or 'Il'; between separators no digit stands beside it."""
    assert parse_date(text) == date(2026, 11, 15)


@pytest.mark.parametrize("text", ["Aug-15-2026", "ll-ll-llll", "So-Il-Oz", "lo-lo-lolo"])
def test_letters_between_separators_are_no_date_of_their_own(text: str) -> None:
    """Too few real digits, or a month's name the letters belong to ('Aug' is not '09')."""
    assert parse_date(text) in (None, date(2026, 8, 15))


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)))
def test_every_way_a_date_is_tested_against_its_line_reads_back(when: date) -> None:
    # The writings `ocr.fields.confirm_date` scores a line against are dates the parser reads.
    for form in DATE_FORMS:
        assert parse_date(form(when)) == when


def test_a_dates_rivals_are_one_figure_or_month_away() -> None:
    edits = date_edits("Nov 10, 2026")
    assert {"Nov 19, 2026", "Nov 1, 2026", "Nov 110, 2026", "Oct 10, 2026", "Nov 10, 2025"} <= edits
    assert "Nov 10, 2026" not in edits
    assert {"11/02/2025", "1/02/2026", "11/12/2026"} <= date_edits("11/02/2026")
