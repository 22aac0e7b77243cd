"""Small images of a page and its fields, so a clerk sees the item without opening the scan.

The reader cuts the fields from the cleaned, upright page (the same pixels it read), a little wider
than the region so nothing written is clipped, and encodes them as PNG: a few kilobytes each, cheap
to hand back from a worker process and to keep beside an exception. The whole page goes along as a
`view`: scaled down to a screen's width, as JPEG, with the MICR band painted over (the payer's bank
account and routing numbers are of no use to the clerk and must not travel with the picture).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import cv2
import numpy as np

from ocr.reading import Box, Page

MARGIN_IN = 0.06  # inches of context kept around each region
MAX_WIDTH = 1400  # px; wider crops are scaled down (a whole-width legal line at 300 dpi)
# zlib level 3: 10% bigger than the default 6 and half the time (a millisecond a crop, six a check)
PNG_LEVEL = 3
VIEW_WIDTH = 900  # px; a check front is legible at this width, and a page view stays near 50 kB
VIEW_QUALITY = 70
MICR_BAND_IN = 0.625  # the clear band at a check's foot where E-13B is printed (ANSI X9.100-160)


def cut(image: np.ndarray, box: Box, dpi: int) -> bytes | None:
    """One region of the page as PNG bytes, or None when the region is empty."""
    h, w = image.shape[:2]
    pad = int(MARGIN_IN * dpi)
    x0, y0 = max(0, int(box[0]) - pad), max(0, int(box[1]) - pad)
    x1, y1 = min(w, int(box[2]) + pad), min(h, int(box[3]) + pad)
    if x1 - x0 < 4 or y1 - y0 < 4:
        return None
    crop = image[y0:y1, x0:x1]
    if crop.shape[1] > MAX_WIDTH:
        scale = MAX_WIDTH / crop.shape[1]
        crop = cv2.resize(crop, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    ok, png = cv2.imencode(".png", crop, [cv2.IMWRITE_PNG_COMPRESSION, PNG_LEVEL])
    return png.tobytes() if ok else None


def cut_all(page: Page, boxes: dict[str, Box]) -> dict[str, bytes]:
    """Every named region of the page as PNG bytes; regions that are empty are left out."""
    out: dict[str, bytes] = {}
    for name, box in boxes.items():
        png = cut(page.image, box, page.dpi)
        if png is not None:
            out[name] = png
    return out


# A box as shares of the page's width and height, so it holds on any view of the page.
Fraction = tuple[float, float, float, float]


def fractions(page: Page, boxes: dict[str, Box]) -> dict[str, Fraction]:
    """Each box as shares of the page's width and height."""
    h, w = page.image.shape[:2]
    return {
        name: (round(b[0] / w, 4), round(b[1] / h, 4), round(b[2] / w, 4), round(b[3] / h, 4))
        for name, b in boxes.items()
    }


def view(page: Page, *, check_front: bool = False) -> bytes | None:
    """The whole page as a JPEG at most VIEW_WIDTH wide, its MICR band painted over.

    The band is the one found on the page; on a check front where none was found, the bottom
    MICR_BAND_IN of the page, where the line is printed.
    """
    image = page.image
    h, w = image.shape[:2]
    if h < 4 or w < 4:
        return None
    band: Box | None = page.micr_box
    if band is None and check_front:
        band = (0, max(0, h - int(MICR_BAND_IN * page.dpi)), w, h)
    if band is not None:
        image = image.copy()
        pad = int(MARGIN_IN * page.dpi)
        cv2.rectangle(
            image,
            (max(0, band[0] - pad), max(0, band[1] - pad)),
            (min(w, band[2] + pad) - 1, min(h, band[3] + pad) - 1),
            color=200,
            thickness=-1,
        )
    if w > VIEW_WIDTH:
        scale = VIEW_WIDTH / w
        image = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    ok, jpeg = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, VIEW_QUALITY])
    return jpeg.tobytes() if ok else None


def outline(image: bytes, boxes: Mapping[str, Sequence[float]]) -> bytes:
    """The view with each box drawn round (boxes as shares of the page): where to look first."""
    pixels = cv2.imdecode(np.frombuffer(image, np.uint8), cv2.IMREAD_COLOR)
    if pixels is None or not boxes:
        return image
    h, w = pixels.shape[:2]
    for x0, y0, x1, y1 in boxes.values():
        cv2.rectangle(
            pixels,
            (int(x0 * w), int(y0 * h)),
            (int(x1 * w) - 1, int(y1 * h) - 1),
            color=(0, 0, 220),  # red, in OpenCV's BGR
            thickness=2,
        )
    ok, jpeg = cv2.imencode(".jpg", pixels, [cv2.IMWRITE_JPEG_QUALITY, VIEW_QUALITY])
    return jpeg.tobytes() if ok else image


def thumbnail(image: bytes, width: int = 260, height: int = 60) -> bytes:
    """An image scaled down to fit width x height (never up), as PNG: a crop small enough to sit
    in a table row. The image as given when it cannot be decoded."""
    pixels = cv2.imdecode(np.frombuffer(image, np.uint8), cv2.IMREAD_UNCHANGED)
    if pixels is None:
        return image
    scale = min(1.0, width / pixels.shape[1], height / pixels.shape[0])
    if scale < 1.0:
        pixels = cv2.resize(pixels, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    ok, png = cv2.imencode(".png", pixels, [cv2.IMWRITE_PNG_COMPRESSION, PNG_LEVEL])
    return png.tobytes() if ok else image
