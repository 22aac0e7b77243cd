"""The reader hands back an image of each field of a check, cut where that field was read."""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np

from ocr.reader import read_page
from ocr.reading import Page, PageKind
from ocr.snippets import MAX_WIDTH, VIEW_WIDTH, cut, outline, thumbnail


def _decode(png: bytes) -> np.ndarray:
    image = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_GRAYSCALE)
    assert image is not None
    return image


def test_a_check_front_carries_a_crop_of_every_field(
    check_factory: Callable[..., np.ndarray],
) -> None:
    img = check_factory(dpi=300, hand_font="DejaVuSans.ttf")
    reading = read_page(Page(img, 300, 1, "a.png"))
    assert reading.kind == PageKind.CHECK
    assert {"courtesy", "legal", "date", "memo", "payer"} <= set(reading.snippets)
    h, w = img.shape
    for name, png in reading.snippets.items():
        crop = _decode(png)
        # each is a part of the check, with ink in it, not the whole page
        assert crop.shape[0] < h and crop.shape[1] <= w, name
        assert (crop < 128).mean() > 0.005, name
    # the amount crops are the writing itself: short lines, wider than tall
    for name in ("courtesy", "legal"):
        ch, cw = _decode(reading.snippets[name]).shape
        assert cw > 2 * ch and ch < 0.35 * h, name


def test_a_crop_outside_the_page_is_nothing_and_a_wide_one_is_scaled_down() -> None:
    page = np.full((400, 4000), 255, np.uint8)
    page[100:140, 50:3900] = 0
    assert cut(page, (5000, 10, 5100, 50), 300) is None
    wide = _decode(cut(page, (0, 80, 4000, 160), 300) or b"")
    assert wide.shape[1] == MAX_WIDTH


def test_a_page_view_is_the_whole_check_small_with_its_micr_band_painted_over(
    check_factory: Callable[..., np.ndarray],
) -> None:
    img = check_factory(dpi=300, hand_font="DejaVuSans.ttf")
    reading = read_page(Page(img, 300, 1, "a.png"))
    assert reading.view is not None and reading.view[:2] == b"\xff\xd8"  # a JPEG
    view = _decode(reading.view)
    h, w = img.shape
    assert view.shape[1] == VIEW_WIDTH and abs(view.shape[0] / view.shape[1] - h / w) < 0.02
    # where the MICR line was read, nothing but the paint is left
    x0, y0, x1, y1 = reading.boxes["micr"]
    vh, vw = view.shape
    band = view[int(y0 * vh) : int(y1 * vh), int(x0 * vw) : int(x1 * vw)]
    assert band.size and np.abs(band.astype(int) - 200).max() < 12
    # the rest of the check is there: the amount box still has its ink
    x0, y0, x1, y1 = reading.boxes["courtesy"]
    assert (view[int(y0 * vh) : int(y1 * vh), int(x0 * vw) : int(x1 * vw)] < 128).mean() > 0.01


def test_outline_draws_round_the_fields_asked_for() -> None:
    blank = cv2.imencode(".jpg", np.full((100, 200), 255, np.uint8))[1].tobytes()
    shown = cv2.imdecode(
        np.frombuffer(outline(blank, {"date": (0.5, 0.1, 0.9, 0.3)}), np.uint8), cv2.IMREAD_COLOR
    )
    ys, xs = np.nonzero((shown[:, :, 2] > 150) & (shown[:, :, 1] < 100))
    # a two-pixel red line along the box's edges (JPEG blurs it by a pixel)
    assert 97 <= xs.min() <= 101 and 7 <= ys.min() <= 11
    assert 177 <= xs.max() <= 182 and 28 <= ys.max() <= 32


def test_a_thumbnail_fits_a_table_row_and_never_grows() -> None:
    wide = cv2.imencode(".png", np.zeros((300, 2000), np.uint8))[1].tobytes()
    small = cv2.imencode(".png", np.zeros((20, 50), np.uint8))[1].tobytes()
    assert _decode(thumbnail(wide)).shape == (39, 260)
    assert _decode(thumbnail(small)).shape == (20, 50)
    assert thumbnail(b"not an image") == b"not an image"
