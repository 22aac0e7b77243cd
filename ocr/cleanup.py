"""Make a scanned page look like a flat, upright, straight document before anything reads it.

Scanners deliver pages with uneven background, a few degrees of skew, sometimes upside down, and
flatbeds deliver a small check somewhere on a letter-size page. Each step here is cheap (downscaled
estimates, one warp at full resolution) because every page of every batch goes through it.
"""

from __future__ import annotations

from dataclasses import replace

import cv2
import numpy as np

from ocr.micr_access import micr_band, micr_dpi
from ocr.pages import plausible_dpi
from ocr.photo import flatten_photo
from ocr.reading import Box, Page

MAX_SKEW_DEG = 5.0
WORK_DPI = 100  # resolution of the quick estimates (skew, document box, ink)
DPI_TOLERANCE = 0.15  # a MICR line measuring the page this far from its tag overrules the tag
BAND_ALONE = 0.5  # a MICR band this share of the image tall is an image of the band alone
DOCUMENT_INK_SHARE = 0.8  # the share of a page's ink that the document cut out of it must hold


def ink_mask(gray: np.ndarray, threshold: int = 150) -> np.ndarray:
    """Pixels dark enough to be ink (True)."""
    return gray < threshold


def _small(gray: np.ndarray, dpi: int, target_dpi: int = WORK_DPI) -> tuple[np.ndarray, float]:
    scale = min(1.0, target_dpi / max(dpi, 1))
    if scale >= 1.0:
        return gray, 1.0
    h, w = gray.shape
    small = cv2.resize(
        gray, (max(1, int(w * scale)), max(1, int(h * scale))), interpolation=cv2.INTER_AREA
    )
    return small, scale


def flatten_background(gray: np.ndarray, dpi: int) -> np.ndarray:
    """Divide out uneven paper/illumination so paper is ~255 everywhere and ink keeps its contrast."""
    small, scale = _small(gray, dpi, 50)
    k = max(3, int(0.25 * dpi * scale) | 1)
    background = cv2.morphologyEx(small, cv2.MORPH_CLOSE, np.ones((k, k), np.uint8))
    background = cv2.medianBlur(background, 5)
    background = cv2.resize(
        background, (gray.shape[1], gray.shape[0]), interpolation=cv2.INTER_LINEAR
    )
    np.maximum(background, 40, out=background)
    # In whole grey levels, rounded: float copies of the page cost as much as the rest together.
    return cv2.divide(gray, background, scale=255.0)


def _percentile(gray: np.ndarray, q: float) -> float:
    """np.percentile(gray, q) of a uint8 image, from its histogram: the same value, without
    sorting a few million pixels."""
    hist = cv2.calcHist([np.ascontiguousarray(gray)], [0], None, [256], [0, 256])
    counts = hist.ravel().astype(np.int64).cumsum()
    rank = q / 100.0 * (int(counts[-1]) - 1)
    below = int(rank)
    a = int(np.searchsorted(counts, below, side="right"))  # the value at sorted position `below`
    b = int(np.searchsorted(counts, below + 1, side="right"))
    return a + (rank - below) * (b - a)


def stretch_contrast(gray: np.ndarray) -> np.ndarray:
    """Spread faint ink to full darkness, but never invent contrast on a blank page."""
    if gray.dtype != np.uint8:
        gray = np.clip(gray, 0, 255).astype(np.uint8)
    lo = _percentile(gray, 0.5)
    if lo > 200 or lo >= 250:  # nothing dark enough to be ink: leave blank pages blank
        return gray
    lo = min(lo, 120.0)
    levels = (np.arange(256, dtype=np.float32) - lo) / (255.0 - lo) * 255.0
    return cv2.LUT(gray, np.clip(levels, 0, 255).astype(np.uint8))


def content_ink(small: np.ndarray) -> np.ndarray:
    """Ink that belongs to the document, at WORK_DPI.

    The scanner bed showing past a tilted page is a solid dark wedge along the image edge whose
    sides run level with the image, and it would pull the estimate to 0 degrees. Strokes of text and
    rules are a pixel or two thick here, so an opening by a 5 px square keeps only such solid areas,
    which (grown a little, to take the paper's edge along) are left out.
    """
    mask = ink_mask(small, 140).astype(np.uint8)
    solid = cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((5, 5), np.uint8))
    if not solid.any():
        return mask > 0
    solid = cv2.dilate(solid, np.ones((5, 5), np.uint8))
    return (mask > 0) & (solid == 0)


def estimate_skew(gray: np.ndarray, dpi: int) -> float:
    """The angle (degrees, counter-clockwise positive) that the page content is tilted by.

    Projection profiles: text lines and printed rules give the sharpest row histogram when level.
    """
    small, _ = _small(gray, dpi)
    ys, xs = np.nonzero(content_ink(small))
    if len(xs) < 200:
        return 0.0
    if len(xs) > 60_000:
        pick = np.random.default_rng(0).choice(len(xs), 60_000, replace=False)
        ys, xs = ys[pick], xs[pick]
    xs_f = xs.astype(np.float64) - small.shape[1] / 2
    ys_f = ys.astype(np.float64)

    def score(angle: float) -> float:
        t = np.deg2rad(angle)
        proj = ys_f * np.cos(t) + xs_f * np.sin(t)
        proj = np.round(proj - proj.min()).astype(np.int64)
        counts = np.bincount(proj).astype(np.float64)
        return float((counts**2).sum())

    coarse = np.arange(-MAX_SKEW_DEG, MAX_SKEW_DEG + 0.01, 0.5)
    best = max(coarse, key=score)
    fine = np.arange(best - 0.5, best + 0.51, 0.1)
    best = max(fine, key=score)
    return float(round(best, 2))


def rotate(gray: np.ndarray, angle: float) -> np.ndarray:
    """Rotate counter-clockwise by angle degrees about the centre, keeping the size; white fill."""
    if abs(angle) < 0.05:
        return gray
    h, w = gray.shape
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(
        gray, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=255
    )


def rotate_quarter(gray: np.ndarray, clockwise_degrees: int) -> np.ndarray:
    """Rotate by 0, 90, 180 or 270 degrees clockwise without resampling."""
    k = (clockwise_degrees // 90) % 4
    if k == 0:
        return gray
    if k == 2:
        return np.ascontiguousarray(gray[::-1, ::-1])
    code = cv2.ROTATE_90_CLOCKWISE if k == 1 else cv2.ROTATE_90_COUNTERCLOCKWISE
    return cv2.rotate(gray, code)


def document_box(gray: np.ndarray, dpi: int) -> Box | None:
    """The box of a check-sized document on a larger page (a flatbed scan), or None.

    Content of one document merges into one blob when dilated by a fraction of an inch; the biggest
    blob, padded, is the document. Pages no larger than a business check are left alone.
    """
    h, w = gray.shape
    if h / dpi < 4.2 and w / dpi < 9.5:
        return None
    small, scale = _small(gray, dpi, 50)
    mask = ink_mask(small, 170).astype(np.uint8)
    # Scanner-lid shadows and dark borders touching the edge are not document content.
    k = max(3, int(0.5 * dpi * scale))
    blobs = cv2.dilate(mask, np.ones((k, k), np.uint8))
    n, labels, stats, _ = cv2.connectedComponentsWithStats(blobs)
    if n <= 1:
        return None
    best = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    # One document on a larger page holds nearly all its ink; a blob that leaves much of it out
    # is part of a document whose lines lie further apart than the dilation bridges (a check
    # whose resolution tag understates its size), and cutting it out would lose the rest.
    if mask[labels == best].sum() < DOCUMENT_INK_SHARE * mask.sum():
        return None
    x, y, bw, bh = (int(v) for v in stats[best, :4])
    grow = k // 2  # the dilation grew the blob by this much on each side
    x, y, bw, bh = x + grow, y + grow, bw - 2 * grow, bh - 2 * grow
    pad = 0.12 * dpi * scale
    x0 = max(0, int((x - pad) / scale))
    y0 = max(0, int((y - pad) / scale))
    x1 = min(w, int((x + bw + pad) / scale))
    y1 = min(h, int((y + bh + pad) / scale))
    if (x1 - x0) * (y1 - y0) > 0.8 * w * h:
        return None
    if (x1 - x0) < 2.0 * dpi or (y1 - y0) < 1.0 * dpi:
        return None
    return (x0, y0, x1, y1)


def _band_says(gray: np.ndarray, dpi: int) -> tuple[bool | None, Box | None]:
    """True when a MICR band sits in the lower part (upright), False in the upper part, None if none.

    A band cut out alone fills the image, so where it sits says nothing: found upright, it is
    (the reader reads upright glyphs; an all-zero field reads either way up)."""
    box = micr_band(gray, dpi)
    if box is None:
        return None, None
    if box[3] - box[1] >= BAND_ALONE * gray.shape[0]:
        return True, box
    cy = (box[1] + box[3]) / 2
    return cy > gray.shape[0] * 0.5, box


def _line_lengths(mask: np.ndarray, kernel: tuple[int, int], thick: int) -> int:
    """Total length of the text lines a smear along `kernel` makes of the ink: blobs at least
    three times longer that way than across, and at least `thick` across (a printed rule is not
    a line of text)."""
    smeared = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones(kernel, np.uint8))
    n, _, stats, _ = cv2.connectedComponentsWithStats(smeared)
    along, across = (cv2.CC_STAT_WIDTH, cv2.CC_STAT_HEIGHT)
    if kernel[0] > kernel[1]:  # a vertical smear
        along, across = across, along
    total = 0
    for i in range(1, n):
        a, b = int(stats[i, along]), int(stats[i, across])
        if a >= 3 * b and b >= thick:
            total += a
    return total


def text_line_lengths(gray: np.ndarray, dpi: int) -> tuple[float, float]:
    """How much text runs across the page and how much up or down it, in inches of line."""
    small, scale = _small(gray, dpi, 50)
    mask = ink_mask(small, 170).astype(np.uint8)
    k = max(3, round(0.12 * dpi * scale))
    thick = max(2, round(0.04 * dpi * scale))
    inch = dpi * scale
    return _line_lengths(mask, (1, k), thick) / inch, _line_lengths(mask, (k, 1), thick) / inch


def text_runs_sideways(gray: np.ndarray, dpi: int) -> bool:
    """Whether the page's text lines run up or down it (a check back's endorsement, printed across
    the short side), so that reading it turned a quarter comes first."""
    across, sideways = text_line_lengths(gray, dpi)
    return sideways > 2 * across and sideways >= 2


def ink_fraction(gray: np.ndarray, dpi: int) -> float:
    """Share of the page that is ink, ignoring a thin frame where scanner edges and borders live."""
    small, _ = _small(gray, dpi)
    h, w = small.shape
    m = max(1, int(min(h, w) * 0.04))
    inner = small[m : h - m, m : w - m]
    if inner.size == 0:
        return 0.0
    mask = ink_mask(inner, 180).astype(np.uint8)
    # Scanner specks are isolated pixels; strokes of writing have neighbours.
    neighbours = cv2.filter2D(mask, -1, np.ones((3, 3), np.float32), borderType=cv2.BORDER_CONSTANT)
    return float(((mask > 0) & (neighbours >= 3)).mean())


def clean_page(page: Page) -> Page:
    """Flatten, crop to the document, straighten, turn upright and measure."""
    return upright_by_micr(flat_page(page))


def flat_page(page: Page) -> Page:
    """Flatten, crop to the document and straighten, without looking for a MICR band: the page
    as the scanner turned it (a quarter turn only when a cropped check stood on its side); a
    check photographed on a desk is first warped flat at the resolution its width gives it."""
    dpi, img, cropped = page.dpi, page.image, False
    photo = flatten_photo(img, dpi)
    if photo is not None:
        (img, dpi), cropped = photo, True
    else:
        dpi = plausible_dpi(dpi, img.shape)
    img = flatten_background(img, dpi)
    img = stretch_contrast(img)
    rotation = 0
    box = None if photo is not None else document_box(img, dpi)
    if box is not None:
        x0, y0, x1, y1 = box
        img = img[y0:y1, x0:x1]
        cropped = True
        if img.shape[0] > img.shape[1] * 1.15:  # a check standing on its side
            img = rotate_quarter(img, 90)
            rotation = 90
    skew = estimate_skew(img, dpi)
    img = rotate(img, -skew)
    return replace(
        page,
        image=img,
        dpi=dpi,
        rotation=rotation,
        skew=skew,
        cropped=cropped,
        ink=ink_fraction(img, dpi),
        micr_box=None,
    )


def upright_by_micr(page: Page) -> Page:
    """The page turned so that its MICR band, if it has one, sits at the bottom; the band's box;
    the resolution its line measures."""
    img, dpi, rotation = page.image, page.dpi, page.rotation
    upright, micr_box = _band_says(img, dpi)
    if upright is not True:
        # No band at the bottom: the MICR finder expects upright glyphs, so look on the turned page.
        turned = rotate_quarter(img, 180)
        upright2, box2 = _band_says(turned, dpi)
        if upright2 is True:
            img, micr_box = turned, box2
            rotation = (rotation + 180) % 360
        elif upright is False:
            micr_box = None
    if micr_box is not None:
        dpi = _measured_dpi(img, dpi)
    return replace(page, image=img, dpi=dpi, rotation=rotation, micr_box=micr_box)


def _measured_dpi(img: np.ndarray, tagged: int) -> int:
    """The tag, unless the MICR line measures the page at another resolution: then the line's
    (every length in inches on the page becomes pixels by it from here on)."""
    measured = micr_dpi(img, tagged)
    if measured is None or abs(measured / tagged - 1) <= DPI_TOLERANCE:
        return tagged
    return int(round(measured))


def turn_around(page: Page) -> Page:
    """The same page turned 180 degrees (used when text reads better that way)."""
    img = rotate_quarter(page.image, 180)
    box = None
    if page.micr_box is not None:
        h, w = img.shape
        x0, y0, x1, y1 = page.micr_box
        box = (w - x1, h - y1, w - x0, h - y0)
    return replace(page, image=img, rotation=(page.rotation + 180) % 360, micr_box=box)


def turn(page: Page, clockwise_degrees: int) -> Page:
    """The page turned by a quarter-turn multiple (for text that reads better another way up)."""
    if clockwise_degrees % 360 == 0:
        return page
    if clockwise_degrees % 360 == 180:
        return turn_around(page)
    img = rotate_quarter(page.image, clockwise_degrees)
    rotation = (page.rotation + clockwise_degrees) % 360
    return replace(page, image=img, rotation=rotation, micr_box=None)
