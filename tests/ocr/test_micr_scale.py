"""Issue 24: the MICR line is read at the size it is, whatever the file's tag says; touching
characters and a bank's later-encoded amount field are read; the learned classifier is the
decider and says how well it does on real lines it did not train on."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import cv2
import numpy as np
import pytest

from ocr.classify import classify_page
from ocr.micr import read_micr, render_micr
from ocr.micr.learned import MODEL, classifier
from ocr.reading import Page
from training.micr import REAL

LINE = "T111986275T 8361233531U 0667"


def _page(band: np.ndarray, pad: int = 40) -> np.ndarray:
    return cv2.copyMakeBorder(band, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=255)


@pytest.mark.parametrize(("drawn", "tagged"), [(300, 200), (200, 300), (120, 200), (360, 200)])
def test_a_line_is_read_whatever_size_the_tag_claims(drawn: int, tagged: int) -> None:
    """From 0.6x to 1.8x the tagged size: the scale comes from the line itself."""
    got = read_micr(_page(render_micr(LINE, drawn)), tagged)
    assert got is not None and got.text == LINE and got.routing == "111986275"


def test_characters_that_touch_are_cut_apart() -> None:
    """Heavy toner joins neighbours ('00' as one blob): each is still its own character."""
    band = render_micr("T111000025T 1000002U 0002", 200)
    spread = cv2.erode(band, np.ones((3, 3), np.uint8))  # dark ink grows by a pixel each side
    count, _ = cv2.connectedComponents((spread < 128).astype(np.uint8))
    separate, _ = cv2.connectedComponents((band < 128).astype(np.uint8))
    assert count < separate  # the spread really joined characters
    got = read_micr(_page(spread), 200)
    assert got is not None and got.text == "T111000025T 1000002U 0002"


def test_an_amount_field_encoded_a_little_lower_is_part_of_the_line() -> None:
    """Banks encode the amount after deposit, on another machine: slightly off the line."""
    left = render_micr(LINE, 200)
    amount = render_micr("A0000012500A", 200)
    h = left.shape[0]
    page = np.full((h + 40, left.shape[1] + amount.shape[1] + 60), 255, np.uint8)
    page[15 : 15 + h, : left.shape[1]] = left
    page[22 : 22 + h, left.shape[1] + 50 : left.shape[1] + 50 + amount.shape[1]] = amount
    got = read_micr(_page(page), 200)
    assert got is not None and got.text == LINE + " A0000012500A"
    assert got.amount == Decimal("125.00")


def test_a_band_cut_out_alone_is_read_to_its_far_end() -> None:
    """A band image cut from a check whose amount field stands far right of the rest (a
    business check's wide line): the field is read, not silently left off the line."""
    left = render_micr(LINE, 200)
    amount = render_micr("A0000012500A", 200)
    gap = 20 * left.shape[0]  # some 30 character pitches of paper
    low = left.shape[0] // 4  # encoded a little lower, on another machine
    band = np.full((left.shape[0] + low + 8, left.shape[1] + gap + amount.shape[1]), 255, np.uint8)
    band[4 : 4 + left.shape[0], : left.shape[1]] = left
    band[4 + low : 4 + low + amount.shape[0], left.shape[1] + gap :] = amount
    got = read_micr(_page(band, pad=6), 200)
    assert got is not None and got.text.endswith("A0000012500A")
    assert got.amount == Decimal("125.00") and got.routing == "111986275"


def test_the_learned_classifier_is_installed_with_its_recipe() -> None:
    """The committed model reads, and its recipe says how it was made and how it scored on the
    held-out real lines (`make micr-model` writes both)."""
    assert classifier() is not None
    recipe = json.loads(MODEL.with_suffix(".json").read_text())
    assert recipe["labels"].endswith("?") and recipe["seed"]
    assert recipe["held_out_box_accuracy"] >= 0.98


@pytest.mark.skipif(not REAL.is_dir(), reason="needs ../shared/data/micr-real")
def test_real_scanned_lines_it_did_not_train_on() -> None:
    """Forty lines of the held-out part (training.micr.part_of), read as bands with tags that
    say 1 dpi: most exact, and a whole line misread at most once."""
    from ocr.pages import load_pages
    from training.micr import real_line_files

    files = sorted(
        real_line_files("test"), key=lambda f: hashlib.sha256(f[0].name.encode()).hexdigest()
    )[:40]
    exact = misread = 0
    for tif, want in files:
        page = load_pages(tif)[0]
        got = read_micr(page.image, page.dpi)
        have = "".join(got.text.split()) if got else ""
        exact += have == want
        misread += bool(have) and have != want and "?" not in have
    assert exact >= 33 and misread <= 1, (exact, misread)


SAMPLE = Path(__file__).resolve().parents[2] / "sample_data" / "sample" / "inbox"


@pytest.mark.parametrize(
    "name", ["dallas/2026-11-16-D01/item-0004.tif", "dallas/2026-11-16-D01/item-0006.tif"]
)
def test_a_check_whose_micr_line_does_not_read_is_still_a_check(name: str) -> None:
    """Its stock (legal rule, the place for the figures) says check even with no line and no
    word read: it is held for its MICR line (MICR_UNREADABLE), not as a letter (NOT_A_CHECK)."""
    from ocr.cleanup import flat_page
    from ocr.micr import find_micr_band
    from ocr.pages import load_pages
    from ocr.reading import PageKind
    from ocr.stock import looks_like_check

    page = load_pages(SAMPLE / name)[0]
    clean = flat_page(page)
    band = find_micr_band(clean.image, clean.dpi)
    assert band is not None
    wiped = clean.image.copy()
    wiped[max(0, band[1] - 10) : band[3] + 10, :] = 255  # nothing left of the code line
    assert find_micr_band(wiped, clean.dpi) is None
    assert looks_like_check(replace(clean, image=wiped))
    assert classify_page([], 0.05, False, 0, check_stock=True)[0] == PageKind.CHECK
    assert classify_page([], 0.05, False, 0, check_stock=False)[0] != PageKind.CHECK


def test_a_letter_is_not_taken_for_a_check_by_its_stock() -> None:
    from ocr.cleanup import flat_page
    from ocr.pages import load_pages
    from ocr.stock import looks_like_check

    page = load_pages(SAMPLE / "richardson/2026-11-16-R01/item-0002.jpg")[0]
    clean = flat_page(page)
    assert not looks_like_check(clean)


@pytest.mark.parametrize("field", ["A0000040000A", "U0000100000U"])
def test_a_band_cut_out_alone_stays_the_way_up_it_is(field: str) -> None:
    """A band image sitting high in its frame: where it sits says nothing, and a field of zeros
    reads either way up, so the page is not turned."""
    from ocr.cleanup import clean_page

    band = render_micr(field, 200)
    image = cv2.copyMakeBorder(band, 2, 16, 10, 10, cv2.BORDER_CONSTANT, value=255)
    page = clean_page(Page(image, 200, 1, "band.png"))
    assert page.rotation == 0
    got = read_micr(page.image, page.dpi)
    assert got is not None and got.text == field
