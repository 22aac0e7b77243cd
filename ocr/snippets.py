"""Small images of a check's fields, so a clerk sees the writing in doubt without opening the scan.

The reader cuts them from the cleaned, upright page (the same pixels it read), a little wider than
the region so nothing written is clipped, and encodes them as PNG: a few kilobytes each, cheap to
hand back from a worker process and to keep beside an exception.
"""

from __future__ import annotations

import cv2
import numpy as np

from ocr.reading import Box, Page

MARGIN_IN = 0.06  # inches of context kept around each region
MAX_WIDTH = 1400  # px; wider crops are scaled down (a whole-width legal line at 300 dpi)
# zlib level 3: 10% bigger than the default 6 and half the time (a millisecond a crop, six a check)
PNG_LEVEL = 3


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
