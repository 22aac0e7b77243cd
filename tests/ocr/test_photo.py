"""Phone photos: a check photographed on a desk reads like its scan; a scan is never taken for one."""

from __future__ import annotations

import random
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from ocr.micr_access import micr_available
from ocr.photo import find_corners, flatten_photo
from ocr.reader import read_file
from sample_data.image_files import save_photo
from sample_data.photo import PhotoStyle, photograph, plan_photo

STYLES = {
    "square on": PhotoStyle(1600, 0.0, 0.0, 0.0, False, 85),
    "leaning, shadowed": PhotoStyle(1900, 18.0, 30.0, -9.0, True, 65),
    "upright phone": PhotoStyle(1500, 10.0, 200.0, 86.0, False, 75),
    "small and turned": PhotoStyle(1300, 8.0, 120.0, 14.0, True, 60),
    "on a light desk": PhotoStyle(1700, 14.0, 250.0, 6.0, True, 70, "light desk"),
    "paper under it": PhotoStyle(1800, 12.0, 60.0, -5.0, False, 75, "paper under"),
    "filling the picture": PhotoStyle(2000, 16.0, 300.0, 3.0, True, 70, "filling"),
}


@pytest.mark.skipif(not micr_available(), reason="needs the MICR reader")
@pytest.mark.parametrize("name", list(STYLES))
def test_a_photographed_check_reads_like_its_scan(
    check_factory: Callable[..., np.ndarray], tmp_path: Path, name: str
) -> None:
    check = Image.fromarray(check_factory(dpi=300, seed=11))
    path = tmp_path / "photo.jpg"
    style = STYLES[name]
    picture, _ = photograph(check, style, random.Random(name))
    save_photo(picture, path, style.quality)
    with Image.open(path) as saved:  # as a phone writes it: colour, 72 dpi
        assert saved.mode == "RGB" and round(saved.info["dpi"][0]) == 72
    [item] = read_file(path)
    front = item.front
    assert front is not None and front.micr is not None
    assert front.micr.routing == "111000025" and front.micr.account == "123456789"
    assert front.courtesy_amount.value == Decimal("412.45")
    assert front.amount.value == Decimal("412.45")


@pytest.mark.parametrize("seed", range(8))
def test_corners_are_found_where_the_check_lies(
    check_factory: Callable[..., np.ndarray], seed: int
) -> None:
    check = check_factory(dpi=300, seed=seed)
    rng = random.Random(seed)
    style = plan_photo(rng)
    picture, truth = photograph(Image.fromarray(check), style, rng)
    grey = np.asarray(picture.convert("L"))
    found = find_corners(grey)
    assert found is not None
    # the same four points, in the order the check reads (turned on its side: left edge on top)
    nearest = [int(np.argmin(np.linalg.norm(truth - c, axis=1))) for c in found]
    assert sorted(nearest) == [0, 1, 2, 3]
    assert np.abs(found - truth[nearest]).max() <= 0.015 * max(grey.shape)
    flat, dpi = flatten_photo(grey, 72) or (None, 0)
    assert flat is not None and flat.shape[1] > flat.shape[0]
    # its width gives it a resolution near enough for the MICR line to measure it exactly
    assert dpi == pytest.approx(style.check_px / (check.shape[1] / 300), rel=0.3)


PLACED = {  # the picture's size and the check's corners in it
    "a sheet under it": ((2000, 1100), [[260, 250], [1700, 170], [1760, 880], [300, 900]]),
    "the check filling it": ((1900, 900), [[30, 40], [1870, 10], [1880, 880], [15, 860]]),
    "a corner out of the picture": (
        (1900, 1000),
        [[-80, 140], [1780, 40], [1850, 860], [60, 960]],
    ),
}


@pytest.mark.parametrize("desk", list(PLACED))
def test_corners_are_found_by_the_checks_straight_sides(
    check_factory: Callable[..., np.ndarray], desk: str
) -> None:
    """A check with another sheet of paper half under it is no bright region of its own, one
    that fills the picture has no desk around it, and one the picture cut a corner off has no
    corner there: its four straight sides still make the check."""
    check = check_factory(dpi=300, seed=3).astype(np.float32)
    ch, cw = check.shape
    (pw, ph), corners = PLACED[desk]
    truth = np.array(corners, np.float32)
    matrix = cv2.getPerspectiveTransform(
        np.array([[0, 0], [cw, 0], [cw, ch], [0, ch]], np.float32), truth
    )
    paper = cv2.warpPerspective(check, matrix, (pw, ph), borderValue=0)
    cover = cv2.warpPerspective(np.ones_like(check), matrix, (pw, ph)) > 0.5
    table = np.full((ph, pw), 70.0, np.float32)
    if desk.startswith("a sheet"):  # whiter than the check, under its right part
        cv2.fillConvexPoly(
            table, np.array([[1300, -50], [2100, 0], [2100, 1200], [1250, 1150]]), 250
        )
    cv2.line(table, (0, 720), (300, 600), 20.0, 28)  # a pen on the desk, against the check
    picture = np.where(cover, paper * 0.86, table)
    rim = cv2.dilate(cover.astype(np.uint8), np.ones((5, 5), np.uint8)) > cover
    picture[rim] -= 25  # the thin shadow a sheet's edge casts
    grey = cv2.GaussianBlur(picture, (0, 0), 1.0).clip(0, 255).astype(np.uint8)
    found = find_corners(grey)
    assert found is not None
    assert np.abs(found - truth).max() <= 0.015 * max(grey.shape)


@pytest.mark.parametrize(
    ("skew", "corners"),
    [(0.0, 255), (2.5, 255), (-2.0, 30), (1.5, 60)],
)
def test_a_scanned_check_is_not_taken_for_a_photo(
    check_factory: Callable[..., np.ndarray], skew: float, corners: int
) -> None:
    """Skewed on a check scanner's dark background, the scan keeps its own clean-up."""
    scan = Image.fromarray(check_factory(dpi=200, seed=4))
    turned = np.asarray(scan.rotate(skew, expand=True, fillcolor=corners))
    assert flatten_photo(turned, 200) is None


def test_a_check_on_a_flatbed_page_is_no_photo(check_factory: Callable[..., np.ndarray]) -> None:
    check = check_factory(dpi=200)
    page = np.full((2200, 1700), 250, np.uint8)
    page[300 : 300 + check.shape[0], 200 : 200 + check.shape[1]] = check
    assert find_corners(page, by_sides=False) is None
    assert flatten_photo(page, 200) is None  # a sheet-sized scan: its check's sides not sought


@pytest.mark.skipif(not micr_available(), reason="needs the MICR reader")
def test_a_check_cropped_by_a_phone_app_at_72_dpi_reads(
    check_factory: Callable[..., np.ndarray], tmp_path: Path
) -> None:
    """An app that cuts the check out of the picture itself still writes 72 dpi: a tag that makes
    a check 25 inches wide is no resolution, and the MICR line measures the true one."""
    path = tmp_path / "mobile.jpg"
    Image.fromarray(check_factory(dpi=300, seed=5)).save(path, dpi=(72, 72), quality=80)
    [item] = read_file(path)
    front = item.front
    assert front is not None and front.micr is not None
    assert front.micr.routing == "111000025"
    assert front.amount.value == Decimal("412.45")


def test_a_hairline_a_lens_blurred_is_ink_again_after_sharpening() -> None:
    """A pen's thin stroke (an outline letter's edge), blurred by a lens and the warp, is grey
    lighter than the ink threshold; the photo's sharpening makes it ink again, and leaves plain
    paper paper."""
    from ocr.photo import sharpen  # noqa: PLC0415
    from ocr.stock import ink_mask  # noqa: PLC0415

    dpi = 300
    page = np.full((60, 200), 245, np.uint8)
    page[29:31, 20:180] = 100  # a stroke two pixels thick, a grey pen
    blurred = cv2.GaussianBlur(page, (0, 0), 1.6)
    assert not ink_mask(blurred).any()  # lost to the threshold as it is
    sharp = sharpen(blurred, dpi)
    assert ink_mask(sharp)[29:31, 30:170].all()
    assert not ink_mask(sharp)[:20].any() and not ink_mask(sharp)[40:].any()
