"""The courtesy/legal cross-check: agreement is found among what each field really read, never made
up, and a clear reading is not traded for a faint one; plus the small parsers it relies on."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ocr.amounts import (
    RULES,
    FieldEvidence,
    _figures_posterior,
    _readers_differ,
    _verify,
    _verify_courtesy,
    _words_posterior,
    cross_check,
)
from ocr.courtesy import one_digit_off, parse_cents, parse_courtesy, whole_dollars, written_forms
from ocr.evidence import Candidate
from ocr.parse.words import SPELLINGS, spell_amount
from ocr.reading import Field
from tests.factories import recognition_of


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


def test_the_words_are_not_overruled_by_a_faint_reading_that_matches_the_figures() -> None:
    """'...and 11/100' read well once and '...and I/loo' (1 cent) faintly twice, beside figures
    '495 1/100' whose doubled 1 ran into one: the words keep 495.11, and the amounts disagree."""
    court = _ev([("495.01", 0.75), ("495.01", 0.64)])
    legal = _ev([("495.11", 0.84), ("495.01", 0.31), ("495.01", 0.29), ("495.11", 0.17)])
    c, lg, notes = _check(court, legal)
    assert lg.value == Decimal("495.11") and c.value == Decimal("495.01") and notes
    # the figures still give way to the words' value when the figures are the unsure ones
    court = _ev([("495.01", 0.3), ("495.11", 0.2)])
    legal = _ev([("495.11", 0.9), ("495.11", 0.8)])
    c, lg, notes = _check(court, legal)
    assert c.value == lg.value == Decimal("495.11") and not notes


def test_figures_read_surely_are_not_given_up_for_one_dissenting_read_that_matches_the_words() -> (
    None
):
    """'**578.60' read so four times and '**678.60' once (the whole-check pass), beside words
    clearly 'Six Hundred Seventy Eight': the one read makes the figures' vote unsure, but the
    figures do not hold 678.60 possible, so the amounts disagree (the check says two amounts)."""
    court = _ev([("578.60", 0.82), ("578.60", 0.876), ("578.60", 0.937), ("678.60", 0.489)])
    court.reads += 1  # and one read that found nothing
    assert court.result().confidence < 0.5
    c, lg, notes = _check(court, _ev([("678.60", 0.84), ("678.60", 0.74)]))
    assert c.value == Decimal("578.60") and lg.value == Decimal("678.60") and notes


def test_figures_read_without_their_decimal_point_agree_with_the_words() -> None:
    court = FieldEvidence()
    court.add(Candidate(Decimal("41173"), 0.8, "41173"))
    c, lg, notes = _check(court, _ev([("411.73", 0.45)]))
    assert c.value == lg.value == Decimal("411.73") and not notes
    assert c.confidence > 0.8
    # other digits, or the dollars alone, are no such reading: the amounts still disagree
    for raw in ("41137", "411"):
        court = FieldEvidence()
        court.add(Candidate(Decimal(raw), 0.8, raw))
        c, lg, notes = _check(court, _ev([("411.73", 0.45)]))
        assert c.value == Decimal(raw) and notes


def test_an_unsure_misread_of_the_figures_gives_way_to_a_read_of_the_words_digits() -> None:
    """'**369.45' in a hand: Tesseract read '84.15' unsurely, the recognizer '36945' without the
    point; the words read surely as 369.45, so the figures say it too."""
    court = FieldEvidence()
    court.add(Candidate(Decimal("84.15"), 0.3, "84.15"))
    court.add(Candidate(Decimal("84.15"), 0.2, "84.15"))
    court.add(Candidate(Decimal("36945"), 0.25, "36945"))
    assert court.result().value == Decimal("84.15")
    c, lg, notes = _check(court, _ev([("369.45", 0.9)]))
    assert c.value == lg.value == Decimal("369.45") and not notes
    # '**784.99' whose stars were read as a hash and whose point was lost: '#78499'
    court = FieldEvidence()
    court.add(Candidate(Decimal("78499"), 0.32, "#78499"))
    court.add(Candidate(Decimal("99499"), 0.14, "#99499"))
    c, lg, notes = _check(court, _ev([("784.99", 0.9)]))
    assert c.value == lg.value == Decimal("784.99") and not notes
    # a sure winner is not given up for a loser's digits: the amounts still disagree
    court = FieldEvidence()
    court.add(Candidate(Decimal("84.15"), 0.9, "84.15"))
    court.add(Candidate(Decimal("36945"), 0.25, "36945"))
    c, lg, notes = _check(court, _ev([("369.45", 0.9)]))
    assert c.value == Decimal("84.15") and notes


def test_a_field_that_read_nothing_is_left_alone() -> None:
    c, lg, notes = _check(_ev([]), _ev([("100.00", 0.9)]))
    assert c.value is None and lg.value == Decimal("100.00") and not notes


@pytest.mark.parametrize(
    ("text", "cents"),
    [("88/100", 88), ("88/00", 88), ("88 / 100", 88), ("xx/100", 0), ("5/100", 5), ("88", 88)]
    + [("8800", 88), ("30", 30), ("00", 0), ("300", None), ("3", None), ("48/0", 48)],
)
def test_raised_cents(text: str, cents: int | None) -> None:
    assert parse_cents(text) == cents


@pytest.mark.parametrize(("text", "dollars"), [("254", 254), ("1,141", 1141), ("254.95", None)])
def test_dollars_read_alone(text: str, dollars: int | None) -> None:
    assert whole_dollars(text) == dollars


def test_likelihood_of_a_reading_against_the_pixels() -> None:
    sure = recognition_of("637.73")
    assert sure.likelihood("637.73") == pytest.approx(1.0)
    assert sure.likelihood("637.78") < 1e-4  # a digit the line clearly shows otherwise
    assert sure.likelihood("1637.73") < 1e-4  # a digit that is not there
    unsure = recognition_of("637.78", doubt={5: ("3", 0.4)})
    assert unsure.likelihood("637.73") == pytest.approx(0.4 / 0.6, rel=1e-3)
    assert unsure.likelihood("637.7@") == 0.0  # a symbol the network cannot write


def test_figures_that_could_say_the_words_amount_agree_with_it() -> None:
    # The box reads 637.78 (the last digit half a 3); the words clearly say 637.73.
    court = _ev([("637.78", 0.3), ("637.78", 0.25)])
    court.seen = recognition_of("637.78", doubt={5: ("3", 0.4)})
    legal = _ev([("637.73", 0.95), ("637.73", 0.9)])
    _verify_courtesy(court, legal.result(), RULES)
    c, lg, notes = _check(court, legal)
    assert c.value == lg.value == Decimal("637.73") and not notes
    assert "found in the figures" in c.raw


def test_figures_that_clearly_say_another_amount_stay_a_mismatch() -> None:
    # A real mismatch: figures 347.04, words four hundred forty-seven and 04/100.
    court = _ev([("347.04", 0.8), ("347.04", 0.7)])
    court.seen = recognition_of("347.04")
    legal = _ev([("447.04", 0.95), ("447.04", 0.9)])
    _verify_courtesy(court, legal.result(), RULES)
    c, lg, notes = _check(court, legal)
    assert c.value == Decimal("347.04") and lg.value == Decimal("447.04")
    assert notes and "disagree" in notes[0]


def test_unsure_words_are_not_tested_against_the_figures() -> None:
    court = _ev([("637.78", 0.3)])
    court.seen = recognition_of("637.78", doubt={5: ("3", 0.45)})
    legal = _ev([("637.73", 0.2)])
    _verify_courtesy(court, legal.result(), RULES)
    assert court.alts == []


def test_every_usual_way_of_writing_figures_is_tried() -> None:
    forms = written_forms(Decimal("1585.90"))
    for text in ("1,585.90", "1585.90", "**1,585.90", "$1,585.90", "1585 90/100"):
        assert text in forms
    assert "412.-" in written_forms(Decimal("412.00"))
    assert all(parse_courtesy(t) is not None for t in forms if "/" not in t)


def test_raised_cents_are_tested_apart_from_the_dollars() -> None:
    # The whole line read '1182 1/100' (the small cents lost); read apart, the dollars say 1182 and
    # the cents could be 76/100: the words' 1,182.76 is found in the figures.
    court = _ev([("1182.00", 0.5)])
    court.seen = recognition_of("1182 1/100")
    court.seen_parts = (recognition_of("1182"), recognition_of("76/100", doubt={1: ("1", 0.3)}))
    legal = _ev([("1182.76", 0.99)])
    _verify_courtesy(court, legal.result(), RULES)
    c, lg, notes = _check(court, legal)
    assert c.value == lg.value == Decimal("1182.76") and not notes
    court2 = _ev([("1182.00", 0.5)])
    court2.seen = recognition_of("1182 1/100")
    court2.seen_parts = (recognition_of("1182"), recognition_of("16/100"))
    _verify_courtesy(court2, legal.result(), RULES)
    assert court2.alts == []  # cents clearly 16: no agreement


def test_words_read_clearly_with_cents_are_not_switched_to_their_dollars_alone() -> None:
    # Every read of '... Eighty Two and 76/100' also parses without the cents (1182.00); the box
    # lost its raised cents and reads 1182.00. Agreeing on 1182.00 would post a wrong amount.
    court = _ev([("1182.00", 0.7), ("1182.00", 0.6)])
    legal = _ev([("1182.76", 0.95)] * 3, alts=[("1182.00", 0.4)] * 3)
    c, lg, notes = _check(court, legal)
    assert lg.value == Decimal("1182.76") and c.value == Decimal("1182.00")
    assert notes and "disagree" in notes[0]


def test_one_read_without_the_cents_does_not_outvote_five_with_them() -> None:
    # The case of a wrong posting the pipeline bench caught: the box read 1182.00 (its raised cents
    # lost), one read of the words missed '... and 76/100', five read it.
    court = _ev([("1182.00", 0.45), ("1182.00", 0.38), ("1182.01", 0.02)])
    legal = _ev(
        [("1182.00", 0.385)] + [("1182.76", c) for c in (0.648, 0.884, 0.953, 0.462, 0.788)]
    )
    c, lg, notes = _check(court, legal)
    assert lg.value == Decimal("1182.76") and c.value != lg.value
    assert notes and "disagree" in notes[0]


def test_agreeing_cents_the_figures_cannot_tell_apart_are_not_two_readings() -> None:
    # Words write their cents in digits in the same hand: '06' misread '04' in both fields.
    def agreed(doubt: dict[int, tuple[str, float]] | None) -> tuple[float, float]:
        court = _ev([("759.04", 0.3)])
        court.seen = recognition_of("759 04/100", doubt=doubt)
        legal = FieldEvidence()
        legal.add(Candidate(Decimal("759.04"), 0.3, "Seven hundred fifty-nine and 04/100"))
        c, lg, _ = _check(court, legal)
        return c.confidence, lg.confidence

    assert agreed({5: ("6", 0.45)}) == (0.3, 0.3)  # the figures' last digit could be a 6
    assert min(agreed(None)) > 0.5  # sure cents: agreement counts as two readings


def test_agreement_is_doubted_when_the_recognizer_reads_both_fields_otherwise() -> None:
    """Tesseract read a hand's 6 as 4 in the raised cents and in the words alike (305.40 twice);
    the recognizer read 305.60 in both: the agreement is no second reading, and does not post."""
    court, legal = _ev([("305.40", 0.7)]), _ev([("305.40", 0.6)])
    court.recognized = legal.recognized = Decimal("305.60")
    agreed = Field(Decimal("305.40"), 0.6, "305 40/100")
    notes: list[str] = []
    c, lg = _readers_differ(court, legal, agreed, agreed, notes, RULES)
    assert c.value == lg.value == Decimal("305.40") and max(c.confidence, lg.confidence) < 0.5
    assert Decimal("305.60") in c.others and notes
    # the recognizer agreeing with one field, or reading each field differently, changes nothing
    for seen in ((Decimal("305.40"), Decimal("305.60")), (Decimal("305.60"), Decimal("305.80"))):
        court.recognized, legal.recognized = seen
        assert _readers_differ(court, legal, agreed, agreed, [], RULES) == (agreed, agreed)


def _settle(court: FieldEvidence, legal: FieldEvidence) -> tuple[Field[Decimal], ...]:
    """What read_amounts does once both fields have voted: test each against the other's pixels,
    then cross-check."""
    c, lg = _verify(court, legal, court.result(), legal.result(), RULES)
    return cross_check(court, legal, c, lg)[:2]


def test_words_misread_but_showing_the_figures_amount_confirm_it() -> None:
    # The words' reads parse as 70.29 ('seventy-eighty' lost the hundreds); the recognizer's read
    # of them is one letter off 'Seven hundred seventy-eight and 29/100'.
    court = _ev([("778.29", 0.28), ("778.29", 0.2)])
    legal = _ev([("70.29", 0.002)])
    legal.seen = recognition_of("Seven hundred seventy-eighty and 29/100", doubt={29: ("", 0.3)})
    c, lg = _settle(court, legal)
    assert c.value == lg.value == Decimal("778.29")
    assert max(c.confidence, lg.confidence) >= 0.5


def test_words_showing_a_digit_other_than_the_figures_do_not_confirm_them() -> None:
    # Figures misread 1,025.78; the words clearly say ... and 88/100.
    court = _ev([("1025.78", 0.3)])
    court.seen = recognition_of("1025 78/100")
    legal = _ev([("1025.89", 0.26)])
    legal.seen = recognition_of("ONE THOUSAND TWENTY-FIVE AND 88/100")
    c, lg = _settle(court, legal)
    assert c.value != lg.value or c.value == Decimal("1025.88")


def test_a_real_mismatch_stays_one_whatever_the_pixels() -> None:
    # Figures 347.04, words four hundred forty-seven and 04/100, both read clearly by both readers.
    court = _ev([("347.04", 0.3)])
    court.seen = recognition_of("347.04")
    legal = _ev([("447.04", 0.3)])
    legal.seen = recognition_of("Four hundred forty-seven and 04/100")
    c, lg = _settle(court, legal)
    assert c.value == Decimal("347.04") and lg.value == Decimal("447.04")


def test_both_lines_pixels_outvote_tesseracts_confident_misreads_of_a_hand() -> None:
    # Tesseract read the handwritten figures 904.17 twice and 904.97 (each 'confidently'); the
    # recognizer read 424.95 there and in the words, which Tesseract read unsurely as 424.95.
    court = _ev([("904.17", 0.8), ("904.17", 0.8), ("904.97", 0.73), ("424.95", 0.7)])
    court.seen = recognition_of("424.95")
    legal = _ev([("424.95", 0.2)])
    legal.seen = recognition_of("Fourn hundred twenty-four and 95/100", doubt={4: ("", 0.4)})
    c, lg = _settle(court, legal)
    assert c.value == lg.value == Decimal("424.95")
    assert min(c.confidence, lg.confidence) >= 0.5 and "both fields' pixels" in c.raw


amounts = st.integers(min_value=100, max_value=99_999_99).map(lambda c: Decimal(c).scaleb(-2))


@settings(max_examples=40, deadline=None)
@given(amounts, st.data())
def test_pixels_never_confirm_an_amount_a_digit_off_what_they_show(
    shown: Decimal, data: st.DataObject
) -> None:
    misread = data.draw(st.sampled_from(sorted(one_digit_off(shown))))
    spelling = data.draw(st.sampled_from([s for s in SPELLINGS if s.fits(shown)]))
    court, legal = FieldEvidence(), FieldEvidence()
    court.seen = recognition_of(f"{shown:,}")
    legal.seen = recognition_of(spell_amount(shown, spelling))
    assert _figures_posterior(court, legal, misread, RULES)[0] < 0.01
    assert _words_posterior(court, legal, misread, RULES)[0] < 0.01
    assert _figures_posterior(court, legal, shown, RULES)[0] > 0.99
    assert _words_posterior(court, legal, shown, RULES)[0] > 0.99
