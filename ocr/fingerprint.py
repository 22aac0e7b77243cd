"""The ink of a check's face on a fixed grid: a print that survives a rescan (lockbox.faces).

Two scans of one piece of paper differ in resolution, skew, crop, grey or black-and-white and JPEG
noise, but not in where the ink is on the document. The grid spans the box around the face's
characters, measured on the page itself, so neither the file's resolution tag nor the scanner's
margin, a printed border cut off or the scanner bed's edge past a tilted page moves it.
"""

from __future__ import annotations

import cv2
import numpy as np

from ocr.cleanup import content_ink
from ocr.reading import FaceGrid

GRID_W = 192  # cells along the document's long side (about 0.03 in on a personal check)
GRID_H = 84
WORK_WIDTH = 640  # the page is measured at this width (about 100 dpi on a personal check)
MIN_INK = 0.004  # a page with less ink than this has no face to print (blank)
TRIM = 0.002  # share of character ink left outside the box on each side (stray marks)


def _character_ink(ink: np.ndarray, width: int) -> np.ndarray:
    """The ink of characters only: no specks, no long rules or borders, nothing touching the edge.

    Rules, a printed border and the thin edge of the scanner bed are where one scan of a check
    differs from another; its characters are the same on every scan.
    """
    _, labels, stats, _ = cv2.connectedComponentsWithStats(ink.astype(np.uint8), connectivity=8)
    left, top = stats[:, cv2.CC_STAT_LEFT], stats[:, cv2.CC_STAT_TOP]
    wide, tall = stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT]
    h, w = ink.shape
    keep = (
        (stats[:, cv2.CC_STAT_AREA] >= 4)
        & (wide < max(4, width // 6))  # about an inch on a personal check
        & (tall < max(4, width // 20))
        & (left > 1)
        & (top > 1)
        & (left + wide < w - 1)
        & (top + tall < h - 1)
    )
    keep[0] = False  # the paper
    return keep[labels]


def face_grid(gray: np.ndarray) -> FaceGrid | None:
    """The grid of a flattened, straightened page (255 paper), or None when it has no face."""
    h, w = gray.shape[:2]
    if h < 8 or w < 8:
        return None
    if h > w:  # a document standing on its side is printed lying down, like every other
        gray = cv2.rotate(gray, cv2.ROTATE_90_CLOCKWISE)
        h, w = w, h
    scale = min(1.0, WORK_WIDTH / w)
    size = (max(8, round(w * scale)), max(8, round(h * scale)))
    small = cv2.resize(gray, size, interpolation=cv2.INTER_AREA)
    ink = content_ink(small)  # without the scanner bed's dark wedges past a tilted page
    if ink.mean() < MIN_INK:
        return None
    ys, xs = np.nonzero(_character_ink(ink, small.shape[1]))
    if len(xs) < 16:
        return None
    x0, x1 = (int(v) for v in np.quantile(xs, [TRIM, 1 - TRIM]))
    y0, y1 = (int(v) for v in np.quantile(ys, [TRIM, 1 - TRIM]))
    if x1 - x0 < 8 or y1 - y0 < 8:
        return None
    box = ink[y0 : y1 + 1, x0 : x1 + 1].astype(np.float32)
    grid = cv2.resize(box, (GRID_W, GRID_H), interpolation=cv2.INTER_AREA)
    grid = cv2.GaussianBlur(grid, (3, 3), 0.8)
    return FaceGrid(np.clip(grid * 255.0 + 0.5, 0, 255).astype(np.uint8), (x1 - x0) / (y1 - y0))
