"""Clean-up: skew, orientation, a check found on a flatbed page, blank pages stay blank."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from ocr.cleanup import (
    _percentile,
    clean_page,
    document_box,
    estimate_skew,
    ink_fraction,
    stretch_contrast,
    text_runs_sideways,
)
from ocr.micr_access import micr_available
from ocr.reading import Page


def _page(image: np.ndarray, dpi: int = 200) -> Page:
    return Page(image, dpi, 1, "scan.tif")


@pytest.mark.parametrize("angle", [-3.0, -1.2, 0.0, 2.5])
def test_skew_is_measured(check_factory: Callable[..., np.ndarray], angle: float) -> None:
    img = check_factory(skew_deg=angle, dpi=200)
    assert abs(estimate_skew(img, 200) - angle) <= 0.4


def test_deskewed_page_is_level(check_factory: Callable[..., np.ndarray]) -> None:
    page = clean_page(_page(check_factory(skew_deg=3.0, dpi=200)))
    assert abs(page.skew - 3.0) <= 0.4
    assert abs(estimate_skew(page.image, 200)) <= 0.3


@pytest.mark.skipif(not micr_available(), reason="needs the MICR band finder")
@pytest.mark.parametrize("upside_down", [False, True])
def test_upside_down_check_is_turned(
    check_factory: Callable[..., np.ndarray], upside_down: bool
) -> None:
    page = clean_page(_page(check_factory(upside_down=upside_down, dpi=200, seed=3)))
    assert page.rotation == (180 if upside_down else 0)
    assert page.micr_box is not None and page.micr_box[1] > page.image.shape[0] * 0.6


def test_check_on_a_flatbed_page_is_cut_out(check_factory: Callable[..., np.ndarray]) -> None:
    check = check_factory(dpi=200)
    page = np.full((2200, 1700), 255, np.uint8)  # letter size at 200 dpi
    page[300 : 300 + check.shape[0], 200 : 200 + check.shape[1]] = check
    box = document_box(page, 200)
    assert box is not None
    x0, y0, x1, y1 = box
    ys, xs = np.nonzero(page < 128)  # every bit of writing on the check is inside the box
    assert x0 <= xs.min() and y0 <= ys.min() and x1 >= xs.max() and y1 >= ys.max()
    assert (y1 - y0) < 3 * 200 and (x1 - x0) < 6.5 * 200  # the check, not the whole page
    cleaned = clean_page(_page(page))
    assert cleaned.cropped and cleaned.image.shape[1] > cleaned.image.shape[0]


def test_blank_page_has_no_ink_even_with_scanner_noise() -> None:
    rng = np.random.default_rng(1)
    page = np.clip(rng.normal(235, 6, (550, 1200)), 0, 255).astype(np.uint8)
    cleaned = clean_page(_page(page))
    assert cleaned.ink < 0.001
    assert ink_fraction(np.full((100, 100), 255, np.uint8), 200) == 0.0


def test_text_running_up_the_page_is_seen_before_any_reading(
    check_factory: Callable[..., np.ndarray], page_factory: dict[str, Callable[..., np.ndarray]]
) -> None:
    back = page_factory["back"](200)
    assert not text_runs_sideways(back, 200)
    assert text_runs_sideways(np.rot90(back).copy(), 200)
    assert text_runs_sideways(np.rot90(back, 3).copy(), 200)
    assert not text_runs_sideways(check_factory(dpi=200, seed=4), 200)
    assert not text_runs_sideways(page_factory["letter"](200), 200)


@settings(max_examples=200, deadline=None)
@given(
    pixels=arrays(np.uint8, st.tuples(st.integers(1, 40), st.integers(1, 40))),
    q=st.floats(0, 100),
)
def test_percentile_from_the_histogram_is_numpys(pixels: np.ndarray, q: float) -> None:
    """The contrast stretch finds its ink level from a histogram: the value numpy would give."""
    assert _percentile(pixels, q) == pytest.approx(float(np.percentile(pixels, q)), abs=1e-9)


def test_faint_ink_is_stretched_to_black_and_paper_stays_white() -> None:
    page = np.full((100, 100), 250, np.uint8)
    page[40:60, 10:90] = 110  # faint ink, a fifth of the page
    out = stretch_contrast(page)
    assert out[50, 50] == 0 and out[5, 5] >= 245
    blank = np.full((50, 50), 230, np.uint8)
    assert (stretch_contrast(blank) == blank).all()  # no ink: nothing to stretch
