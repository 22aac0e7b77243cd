"""The courtesy/legal cross-check: agreement is found among what each field really read, never made
up, and a clear reading is not traded for a faint one; plus the small parsers it relies on."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ocr.amounts import FieldEvidence, cross_check
from ocr.courtesy import parse_cents, whole_dollars
from ocr.evidence import Candidate
from ocr.reading import Field


def _ev(
    best: list[tuple[str, float]], alts: list[tuple[str, float]] | None = None
) -> FieldEvidence:
    ev = FieldEvidence()
    for value, conf in best:
        ev.add(Candidate(Decimal(value), conf, value))
    ev.alts.extend(Candidate(Decimal(v), c, v) for v, c in alts or [])
    return ev


def _check(c: FieldEvidence, lg: FieldEvidence) -> tuple[Field[Decimal], Field[Decimal], list[str]]:
    return cross_check(c, lg, c.result(), lg.result())


def test_independent_agreement_is_more_certain_than_either_read() -> None:
    c, lg, notes = _check(_ev([("412.45", 0.35)]), _ev([("412.45", 0.3)]))
    assert c.value == lg.value == Decimal("412.45") and not notes
    assert c.confidence >= 0.5 and lg.confidence >= 0.5


def test_a_value_both_fields_read_settles_a_disagreement() -> None:
    # The figures' reads split between 545.28 and 945.28; the words read 545.28.
    court = _ev([("945.28", 0.8), ("545.28", 0.7), ("945.28", 0.6)])
    legal = _ev([("545.28", 0.95), ("545.28", 0.9)])
    c, lg, _ = _check(court, legal)
    assert c.value == lg.value == Decimal("545.28")


def test_no_agreement_is_invented() -> None:
    court = _ev([("166.00", 0.8)])
    legal = _ev([("66.00", 0.1)], alts=[("266.00", 0.05)])
    c, lg, notes = _check(court, legal)
    assert c.value == Decimal("166.00") and lg.value == Decimal("66.00")
    assert notes and "disagree" in notes[0]


def test_a_clear_reading_is_not_traded_for_a_faint_second_one() -> None:
    # '...Fifty-Four Dollars and 95 Cents' read cleanly; a faint alternative 254.00 (the cents
    # skipped) must not be taken just because the figures lost their cents.
    court = _ev([("254.00", 0.45), ("254.00", 0.44)])
    legal = _ev([("254.95", 0.94)] * 3, alts=[("254.00", 0.007)] * 3)
    c, lg, _ = _check(court, legal)
    assert lg.value == Decimal("254.95") and c.value != lg.value


def test_a_field_that_read_nothing_is_left_alone() -> None:
    c, lg, notes = _check(_ev([]), _ev([("100.00", 0.9)]))
    assert c.value is None and lg.value == Decimal("100.00") and not notes


@pytest.mark.parametrize(
    ("text", "cents"),
    [("88/100", 88), ("88/00", 88), ("88 / 100", 88), ("xx/100", 0), ("5/100", 5), ("88", None)],
)
def test_raised_cents(text: str, cents: int | None) -> None:
    assert parse_cents(text) == cents


@pytest.mark.parametrize(("text", "dollars"), [("254", 254), ("1,141", 1141), ("254.95", None)])
def test_dollars_read_alone(text: str, dollars: int | None) -> None:
    assert whole_dollars(text) == dollars
