"""Prepare a small region of a check for a one-line re-read.

Pre-printed rules (the line under the legal amount, the courtesy box) confuse Tesseract: a box side
reads as '1' and turns $12.00 into $112.00. So long horizontal rules and tall thin bars are erased
before the crop is read, and the crop gets a white margin, which Tesseract needs to find the line.
"""

from __future__ import annotations

import cv2
import numpy as np

from ocr.reading import Box


def clip_box(box: Box, width: int, height: int) -> Box | None:
    x0, y0, x1, y1 = box
    x0, y0 = max(0, int(x0)), max(0, int(y0))
    x1, y1 = min(width, int(x1)), min(height, int(y1))
    if x1 - x0 < 4 or y1 - y0 < 4:
        return None
    return (x0, y0, x1, y1)


def remove_rules(gray: np.ndarray, dpi: int) -> np.ndarray:
    """Erase horizontal rules (longer than ~0.4 in) and box sides (bars taller than the text)."""
    out = gray.copy()
    ink = (gray < 160).astype(np.uint8)
    h, w = ink.shape
    run = max(10, int(0.4 * dpi))
    if w > run:
        horiz = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((1, run), np.uint8))
        horiz = cv2.dilate(horiz, np.ones((3, 1), np.uint8))
        out[horiz > 0] = 255
        ink[horiz > 0] = 0
    n, _, stats, _ = cv2.connectedComponentsWithStats(ink)
    if n > 2:
        heights = stats[1:, cv2.CC_STAT_HEIGHT]
        widths = stats[1:, cv2.CC_STAT_WIDTH]
        areas = stats[1:, cv2.CC_STAT_AREA]
        # The writing's height, from components that are not bars themselves.
        real = heights[(areas > max(4, dpi // 30)) & (heights <= 4 * widths)]
        typical = float(np.median(real)) if len(real) else 0.0
        for i in range(1, n):
            x, y, bw, bh, _area = (int(v) for v in stats[i])
            if bh > max(0.2 * dpi, 1.6 * typical) and bw < 0.05 * dpi and bh > 6 * bw:
                region = out[y : y + bh, x : x + bw]
                region[ink[y : y + bh, x : x + bw] > 0] = 255
    return out


def prepare(
    gray: np.ndarray, box: Box, dpi: int, binarize: bool = False, scale: float = 1.0
) -> np.ndarray | None:
    """The crop, rules removed, optionally binarized and rescaled, with a white margin."""
    clipped = clip_box(box, gray.shape[1], gray.shape[0])
    if clipped is None:
        return None
    x0, y0, x1, y1 = clipped
    crop = remove_rules(gray[y0:y1, x0:x1], dpi)
    if scale != 1.0:
        crop = cv2.resize(crop, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
    if binarize:
        _, crop = cv2.threshold(crop, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    pad = max(10, int(0.08 * dpi * scale))
    return cv2.copyMakeBorder(crop, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=255)


def has_ink(gray: np.ndarray, box: Box, min_fraction: float = 0.002) -> bool:
    """Whether a region holds any writing at all."""
    clipped = clip_box(box, gray.shape[1], gray.shape[0])
    if clipped is None:
        return False
    x0, y0, x1, y1 = clipped
    return float((gray[y0:y1, x0:x1] < 128).mean()) >= min_fraction
