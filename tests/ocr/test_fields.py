"""How field readings are combined: agreement earns confidence, disagreement loses it, noise around
a field is dropped but digits never are, and rules are erased before a crop is read."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import numpy as np

from ocr.courtesy import parse_courtesy
from ocr.crops import remove_rules
from ocr.evidence import Candidate, best_span, vote
from ocr.fields import (
    DateRules,
    FieldJob,
    _below_printed,
    _date_posterior,
    _date_region,
    _on_rule,
    confirm_date,
    decide_date,
    parse_check_date,
    parse_memo,
    restore_doubled,
    restore_year,
)
from ocr.layout import Anchors, field_regions
from ocr.legal import parse_legal
from ocr.reading import Field
from ocr.tess import Word
from tests.factories import recognition_of


def _words(*texts: str, conf: float = 0.9) -> list[Word]:
    return [Word(t, conf, 100 * i, 0, 100 * i + 80, 30) for i, t in enumerate(texts)]


def test_agreeing_reads_are_more_confident_than_either() -> None:
    one = Candidate(Decimal("12.00"), 0.7, "12.00")
    two = Candidate(Decimal("12.00"), 0.6, "12.00")
    agreed = vote([one, two], reads=2)
    assert agreed.value == Decimal("12.00") and agreed.confidence > 0.85


def test_disagreeing_reads_lose_confidence() -> None:
    right = Candidate(Decimal("412.45"), 0.9, "412.45")
    wrong = Candidate(Decimal("12.45"), 0.8, "12.45")
    result = vote([right, wrong], reads=2)
    assert result.confidence < 0.3


def test_the_losing_readings_are_kept_most_supported_first() -> None:
    cands = [
        Candidate(Decimal("412.45"), 0.9, "412.45"),
        Candidate(Decimal("12.45"), 0.3, "12.45"),
        Candidate(Decimal("412.46"), 0.5, "412.46"),
        Candidate(Decimal("412.45"), 0.4, "412.45"),
    ]
    result = vote(cands, reads=4)
    assert result.value == Decimal("412.45")
    assert result.others == (Decimal("412.46"), Decimal("12.45"))


def test_nothing_read_is_not_found() -> None:
    result: Field[Decimal] = vote([], reads=3)
    assert result.value is None and result.confidence == 0.0


def test_noise_around_a_field_is_dropped() -> None:
    cand = best_span(_words("§", "16957.85"), parse_courtesy)
    assert cand is not None and cand.value == Decimal("16957.85")
    memo = best_span(_words("First", "Texas", "Bank", "Acct", "1234567890"), parse_memo)
    assert memo is not None and memo.value == "1234567890"


def test_digits_are_never_dropped_to_make_a_parse() -> None:
    # '3 5 2 24/100' must not become 2.24 by dropping the '3' and '5'.
    cand = best_span(_words("3", "5", "2", "24/100"), parse_courtesy)
    assert cand is not None and cand.value == Decimal("352.24")
    assert best_span(_words("7", "x", "12.45"), parse_courtesy) is None


def test_legal_without_cents_is_doubted() -> None:
    full = parse_legal("Three hundred fifty-two and 24/100")
    cut = parse_legal("Three hundred fifty-two")
    assert full is not None and cut is not None
    assert cut[0] == Decimal("352.00") and cut[1] < 0.5 <= full[1]


def test_box_sides_and_rules_are_erased() -> None:
    crop = np.full((90, 400), 255, np.uint8)
    crop[10:80, 20:23] = 0  # box side, taller than the writing
    crop[78:80, 20:380] = 0  # rule
    crop[35:60, 100:104] = 0  # a written '1'
    cleaned = remove_rules(crop, 300)
    assert cleaned[40, 21] == 255 and cleaned[79, 200] == 255
    assert cleaned[45, 101] == 0


def test_a_date_far_from_today_is_doubted() -> None:
    from datetime import date

    from ocr.fields import parse_check_date

    this_year = date.today().year
    near = parse_check_date(f"11/17/{this_year}")
    far = parse_check_date("11/17/2097")
    assert near is not None and near[1] == 1.0
    assert far is not None and far[1] < 0.5


def _edge_rule_check(label_over_rule: bool) -> tuple[np.ndarray, Anchors]:
    """A rule from 5.3 in to the right edge with writing under its right half: a business check's
    date/amount table when 'DATE' stands over it, a personal date rule when 'DATE' stands left."""
    from PIL import Image, ImageDraw

    from tests.ocr.conftest import font

    dpi = 200
    img = Image.new("L", (int(8.5 * dpi), int(3.5 * dpi)), 255)
    d = ImageDraw.Draw(img)
    y = int(1.15 * dpi)
    label_x = int(5.3 * dpi) if label_over_rule else int(4.7 * dpi)
    label_y = y - 30 if label_over_rule else y - 22
    d.text((label_x, label_y), "DATE", font=font("DejaVuSans.ttf", 18), fill=40)
    d.line([(int(5.3 * dpi), y), (int(8.15 * dpi), y)], fill=40, width=2)
    hand = font("DejaVuSans.ttf", 30)
    if label_over_rule:
        d.text((int(5.3 * dpi), y + 10), "11/23/2026", font=hand, fill=0)
    else:
        d.text((int(5.4 * dpi), y - 45), "11/23/2026", font=hand, fill=0)
    d.text((int(6.9 * dpi), y + 12), "*****", font=hand, fill=0)  # a blot or scribble below
    label = Word("DATE", 0.95, label_x, label_y, label_x + 50, label_y + 16)
    return np.array(img), Anchors(date=label)


def test_the_date_is_read_under_a_table_label_and_above_a_personal_rule() -> None:
    for over in (True, False):
        gray, anchors = _edge_rule_check(over)
        h, w = gray.shape
        regions = field_regions(anchors, w, h, 200, None)
        box, precise = _date_region(gray, 200, regions, anchors, [])
        y = int(1.15 * 200)
        assert precise
        if over:
            assert box[1] >= y and box[3] > y + 40, "the table's date is under its rule"
        else:
            assert box[1] < y - 40 and box[3] <= y + 0.1 * 200, "a personal date is above its rule"


def test_the_memo_band_drops_printed_lines_above_the_writing_on_the_rule() -> None:
    # A business check prints the payee's address just above its memo line.
    rule = (200, 800, 1100, 803)
    band = (200, 740, 1100, 815)
    address = Word("75265-0805", 0.96, 300, 745, 420, 762)
    memo = Word("8188722631", 0.9, 210, 775, 400, 797)
    box = _on_rule(band, rule, [address, memo], 200)
    assert box[1] > address.y1 and box[1] <= memo.y0 and box[3] == band[3]
    assert _on_rule(band, rule, [memo], 200) == band  # nothing above: the band is kept


def test_a_transit_fraction_above_the_date_is_cut_off_its_region() -> None:
    """Read with the date under it, the bank's fraction runs into the date ('70-579/1101
    1-16-2026' for 11-16-2026): the region from the date rule starts below it."""
    region = (800, 80, 1100, 160)
    fraction = Word("70-579/1111", 0.9, 1000, 84, 1090, 100)
    date_words = Word("11-16-2026", 0.8, 820, 120, 980, 150)
    assert _below_printed(region, [fraction, date_words]) == (800, 102, 1100, 160)
    assert _below_printed(region, [date_words]) == region
    low = Word("70-579/1111", 0.9, 1000, 130, 1090, 150)  # level with the date: not above it
    assert _below_printed(region, [low, date_words]) == region


def _date_job(reads: list[tuple[str, float]], seen: str) -> FieldJob[date]:
    job: FieldJob[date] = FieldJob(box=(0, 0, 100, 30), parse=parse_check_date, whitelist=None)
    for text, conf in reads:
        parsed = parse_check_date(text)
        assert parsed is not None
        job.cands.append(Candidate(parsed[0], conf, text))
        job.reads += 1
    job.seen = recognition_of(seen)
    return job


def test_a_date_read_with_one_of_two_ones_lost_counts_for_the_date_with_both() -> None:
    """'11-16-2026' read '1-16-2026' by Tesseract is a stale check that is not: the recognizer saw
    both ones, and the reads that lost one count (at half weight) for November."""
    job = _date_job([("1-16-2026", 0.72), ("1-16-2026", 0.6), ("11-16-2026", 0.57)], "11-16-2026")
    assert job.result().value == date(2026, 1, 16)  # as read, the stale date wins
    restore_doubled(job)
    result = job.result()
    assert result.value == date(2026, 11, 16) and result.confidence > 0.5


def test_deciding_a_date_leaves_its_reads_as_they_were() -> None:
    """The same gathered reads can be decided again, under other thresholds, as a calibration
    does: the decision works on a copy."""
    job = _date_job([("1-16-2026", 0.72), ("1-16-2026", 0.6), ("11-16-2026", 0.57)], "11-16-2026")
    before = list(job.cands)
    decided = decide_date(job)
    assert decided.value == date(2026, 11, 16)
    assert job.cands == before and decide_date(job) == decided
    # rules that never take a read for a lost digit, nor settle by the pixels, leave it as read
    as_read = decide_date(job, DateRules(doubled_ratio=0.0, posterior=1.0))
    assert as_read.value == date(2026, 1, 16)


def test_a_date_the_recognizer_reads_with_one_digit_is_left_alone() -> None:
    job = _date_job([("1-16-2026", 0.72), ("11-16-2026", 0.57)], "1-16-2026")
    restore_doubled(job)
    assert {c.value for c in job.cands} == {date(2026, 1, 16), date(2026, 11, 16)}


def test_a_date_unsure_between_one_and_two_digits_is_left_alone() -> None:
    """When the recognizer's frames allow a single one almost as well, nothing is moved."""
    job = _date_job([("1-16-2026", 0.72), ("11-16-2026", 0.57)], "11-16-2026")
    job.seen = recognition_of("11-16-2026", doubt={1: ("", 0.45)})
    restore_doubled(job)
    assert date(2026, 1, 16) in {c.value for c in job.cands}


def test_a_date_two_readers_read_and_the_pixels_favour_is_sure() -> None:
    """'Nov 10, 2026' read also as Nov 19 (the 0 half closed): the recognizer's view of the line
    favours the 10 over every date a figure away, and Tesseract read it too."""
    job = _date_job([("Nov 19, 2026", 0.67), ("Nov 10, 2026", 0.8)], "Nov 10, 2026")
    job.recognized = date(2026, 11, 10)
    job.cands.append(Candidate(date(2026, 11, 10), 0.9, "Nov 10, 2026"))
    reading = job.result()
    assert reading.confidence < 0.5  # split votes
    settled = confirm_date(job, reading)
    assert settled.value == date(2026, 11, 10) and settled.confidence >= 0.8


def test_a_date_only_the_recognizer_read_is_not_taken_over_tesseracts() -> None:
    # Tesseract read a stale 2025 date; only the recognizer's read makes it current.
    job = _date_job([("NOVEMBER 18 2025", 0.67)], "NOVEMBER 13 2026")
    job.recognized = date(2026, 11, 13)
    job.cands.append(Candidate(date(2026, 11, 13), 0.27, "NOVEMBER 13 2026"))
    reading = job.result()
    assert confirm_date(job, reading) == reading


def test_a_date_the_pixels_show_a_figure_otherwise_is_not_confirmed() -> None:
    # Both readers read 2026, but the line's year ends in a 5 as clearly as in a 6.
    job = _date_job([("11/02/2026", 0.5), ("11/02/2025", 0.5)], "11/02/2026")
    job.seen = recognition_of("11/02/2026", doubt={9: ("5", 0.45)})
    reading = job.result()
    settled = confirm_date(job, reading)
    assert settled.confidence < 0.15 or settled == reading
    posterior, _ = _date_posterior(job.seen, date(2026, 11, 2), [date(2025, 11, 2)])
    assert posterior < 0.9


def test_a_date_only_the_recognizer_read_and_nothing_contradicts_is_settled_by_the_pixels() -> None:
    # 'Octeber 27 2026': Tesseract read no date at all, the recognizer this one, unsurely.
    job = _date_job([], "Octeber 27 2026")
    job.seen = recognition_of("Octeber 27 2026", doubt={3: ("o", 0.4)})
    job.cands.append(Candidate(date(2026, 10, 27), 0.1, "Octeber 27 2026"))
    job.recognized = date(2026, 10, 27)
    job.reads = 6
    reading = job.result()
    assert reading.confidence < 0.05  # too unsure even for the window rule
    settled = confirm_date(job, reading)
    assert settled.value == date(2026, 10, 27) and settled.confidence >= 0.5


def _year_job(far_year: int, recognizer_conf: float) -> FieldJob[date]:
    """'NOVEMBER 15' in a year near today that Tesseract read four times in `far_year` (a
    handwritten 6 like a b read as a 4), the recognizer once near today."""
    near = date(date.today().year, 11, 15)
    far = f"NOVEMBER 15 {far_year}"
    job = _date_job(
        [(far, 0.24), (far, 0.22), (far, 0.09), (far, 0.15)], f"NOVEMBER 15 {near.year}"
    )
    job.recognized = near
    job.cands.append(Candidate(near, recognizer_conf, f"NOVEMBER 15 {near.year}"))
    job.reads += 1
    return job


def test_a_far_year_tesseract_repeats_gives_way_to_the_recognizers_year_near_today() -> None:
    job = _year_job(date.today().year - 2, recognizer_conf=0.44)
    assert job.result().value.year == date.today().year - 2  # as read: two years stale
    restore_year(job)
    reading = job.result()
    assert reading.value == date(date.today().year, 11, 15)
    assert (
        reading.confidence >= 0.15
    )  # reconciliation.rules.MIN_DATE_CONFIDENCE: sure enough to use
    assert reading.others == (date(date.today().year - 2, 11, 15),)  # the clerk still sees it


def test_a_far_year_read_more_surely_than_the_recognizers_stands() -> None:
    job = _year_job(date.today().year - 2, recognizer_conf=0.2)
    restore_year(job)
    assert job.result().value.year == date.today().year - 2


def test_a_stale_year_near_today_is_never_moved() -> None:
    """Last year's check read last year by Tesseract stays stale whatever the recognizer read."""
    job = _year_job(date.today().year - 1, recognizer_conf=0.9)
    before = job.result()
    restore_year(job)
    assert job.result() == before
