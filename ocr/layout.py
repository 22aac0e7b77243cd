"""Where a check's fields are, found from the printed words on the check itself.

One Tesseract pass over the whole (downscaled) check gives words with boxes; the pre-printed labels
('PAY TO THE ORDER OF', '$', 'DOLLARS', 'DATE', 'MEMO'/'FOR') anchor the regions where the writer's
fields are. Nothing here is a fixed coordinate: when a label is missing, the region falls back to
where that field sits on a standard personal or business check, relative to the check's size.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np
from rapidfuzz import fuzz

from ocr import tess
from ocr.cleanup import ink_mask
from ocr.reading import Box, Page
from ocr.tess import Word

LAYOUT_DPI = 200  # the layout pass needs labels, not fine handwriting
LAYOUT_MAX_WIDTH = 2000


def _norm(text: str) -> str:
    return re.sub(r"[^A-Z]", "", text.upper())


def is_word(word: Word, target: str, min_ratio: float = 80.0) -> bool:
    """Fuzzy match of a word's letters against a label ('DOLLARS' read as 'D0LLARS' or 'DOLLAR5')."""
    text = _norm(word.text)
    if not text:
        return False
    if text == target:
        return True
    if len(target) <= 3:
        return False
    return fuzz.ratio(text, target) >= min_ratio


def layout_pass(page: Page, blanks: Sequence[Box] = ()) -> list[Word]:
    """All words on the page from one sparse-text pass, with boxes in the image's own pixels;
    the `blanks` (the MICR band, the signature) are left out, as their words are read elsewhere
    or not at all."""
    image, dpi = page.image, page.dpi
    scale = min(1.0, LAYOUT_DPI / max(dpi, 1), LAYOUT_MAX_WIDTH / max(image.shape[1], 1))
    work = image
    if blanks:
        work = image.copy()
        for x0, y0, x1, y1 in blanks:
            work[max(0, y0) : y1, max(0, x0) : x1] = 255
    if scale < 1.0:
        h, w = work.shape
        work = cv2.resize(work, (int(w * scale), int(h * scale)), interpolation=cv2.INTER_AREA)
    elif work is image:
        work = image.copy()
    erase_dash_rows(work, dpi * scale)
    return tess.words(work, psm=11, scale=scale)


DASH_MAX_HIGH_IN = 0.035  # a dash is a flat bar: at most this tall ...
DASH_MAX_LONG_IN = 0.25  # ... and this long (a rule is longer)
DASH_GAP_IN = 0.2  # the dashes of one row are at most this far apart ...
DASH_ROW = 6  # ... and at least this many in a row; a hyphen stands alone


def erase_dash_rows(gray: np.ndarray, dpi: float) -> None:
    """Whiten rows of dashes in place: the '-------' that fills a legal line. Tesseract scales a
    line to a fixed height before reading it, so a row of flat dashes becomes a very long line,
    the costliest of the page, and reads as 'ee nee ee'."""
    n, _, stats, _ = cv2.connectedComponentsWithStats(ink_mask(gray).astype(np.uint8))
    if n <= DASH_ROW:
        return
    x, y, w, h, area = (stats[1:, i] for i in range(5))
    flat = (
        (h <= max(2, DASH_MAX_HIGH_IN * dpi))
        & (w >= 1.5 * h)
        & (w <= DASH_MAX_LONG_IN * dpi)
        & (area >= 0.5 * w * h)
    )
    dashes = sorted(
        (int(x[i]), int(y[i]), int(x[i] + w[i]), int(y[i] + h[i])) for i in np.flatnonzero(flat)
    )
    gap, drift = DASH_GAP_IN * dpi, max(2.0, 0.02 * dpi)
    rows: list[list[Box]] = []
    for d in dashes:
        cy = (d[1] + d[3]) / 2
        for row in rows:
            last = row[-1]
            if abs((last[1] + last[3]) / 2 - cy) <= drift and 0 <= d[0] - last[2] <= gap:
                row.append(d)
                break
        else:
            rows.append([d])
    for row in rows:
        if len(row) >= DASH_ROW:
            for x0, y0, x1, y1 in row:  # with the grey rim a scan leaves round each dash
                gray[max(0, y0 - 1) : y1 + 1, max(0, x0 - 1) : x1 + 1] = 255


LABEL_MIN_CONF = 0.55  # printed labels read cleanly; a handwritten 'Dollars' does not anchor


@dataclass
class Anchors:
    """The printed labels found on a check, in page pixels; None when not found."""

    pay: Box | None = None  # 'PAY TO THE ORDER OF' (personal) or 'PAY' / 'TO THE ORDER OF' block
    pay_alone: Word | None = None  # business checks: 'PAY' starts the legal line
    dollar: Word | None = None  # the '$' before the courtesy box
    amount: Word | None = None  # business table: 'AMOUNT' label above the courtesy amount
    dollars: Word | None = None  # the 'DOLLARS' that ends the legal line
    date: Word | None = None
    memo: Word | None = None


def _union(words: list[Word]) -> Box:
    return (
        min(w.x0 for w in words),
        min(w.y0 for w in words),
        max(w.x1 for w in words),
        max(w.y1 for w in words),
    )


def _labels(words: list[Word], target: str) -> list[Word]:
    return [w for w in words if w.conf >= LABEL_MIN_CONF and is_word(w, target)]


def find_anchors(words: list[Word], width: int, height: int) -> Anchors:
    """The labels that tell where each field is."""
    a = Anchors()
    left = [w for w in words if w.cx < width * 0.3 and w.conf >= 0.3]
    pays = [w for w in left if is_word(w, "PAY") or _norm(w.text).startswith("PAYTO")]
    orders = [w for w in left if is_word(w, "ORDER") or "ORDEROF" in _norm(w.text)]
    block = pays + orders
    if block:
        a.pay = _union(block)
        for p in pays:
            same_line = [
                w
                for w in words
                if w is not p and abs(w.cy - p.cy) < p.height and 0 < w.x0 - p.x1 < p.height * 4
            ]
            if _norm(p.text) == "PAY" and not any(
                _norm(w.text) in ("TO", "TOTHE") for w in same_line
            ):
                a.pay_alone = p
    pay_cy = (a.pay[1] + a.pay[3]) / 2 if a.pay else height * 0.45
    dollars = [
        w
        for w in words
        if w.text.strip().startswith("$") and w.cx > width * 0.45 and w.cy < height * 0.75
    ]
    if dollars:
        a.dollar = min(dollars, key=lambda w: abs(w.cy - pay_cy))
    amounts = [w for w in _labels(words, "AMOUNT") if w.cx > width * 0.45 and w.cy < pay_cy]
    if amounts:
        a.amount = amounts[0]
    labels = [
        w
        for w in _labels(words, "DOLLARS")
        if w.cx > width * 0.5 and w.cy > height * 0.25 and w.cy < height * 0.8
    ]
    if labels:
        a.dollars = max(labels, key=lambda w: w.x1)  # the printed label ends the line
    dates = [w for w in _labels(words, "DATE") if w.cy < height * 0.6 and w.cx > width * 0.35]
    if dates:
        a.date = max(dates, key=lambda w: w.y0)
    memos = [
        w
        for w in words
        if w.conf >= LABEL_MIN_CONF
        and w.cy > height * 0.55
        and (is_word(w, "MEMO") or _norm(w.text) == "FOR")
    ]
    if memos:
        a.memo = max(memos, key=lambda w: w.y0)
    return a


def words_in(words: list[Word], box: Box) -> list[Word]:
    """Words whose centre lies inside box."""
    x0, y0, x1, y1 = box
    return [w for w in words if x0 <= w.cx <= x1 and y0 <= w.cy <= y1]


def text_lines(words: list[Word], max_gap: int | None = None) -> list[list[Word]]:
    """Words grouped into text lines by vertical overlap, top line first, each left to right.

    With max_gap, words further apart than that horizontally start a separate line (two columns).
    """
    lines: list[list[Word]] = []
    for w in sorted(words, key=lambda w: (w.cy, w.x0)):
        for line in lines:
            ref = line[-1]
            overlap = min(ref.y1, w.y1) - max(ref.y0, w.y0)
            if max_gap is not None and min(max(w.x0 - o.x1, o.x0 - w.x1) for o in line) > max_gap:
                continue
            if overlap > 0.5 * min(ref.height, w.height):
                line.append(w)
                break
        else:
            lines.append([w])
    for line in lines:
        line.sort(key=lambda w: w.x0)
    lines.sort(key=lambda line: min(w.y0 for w in line))
    return lines


@dataclass(frozen=True)
class Regions:
    """Where each field should be read: search boxes in page pixels."""

    courtesy: Box
    legal: Box
    date: Box
    memo: Box
    payer: Box


def field_regions(
    a: Anchors, width: int, height: int, dpi: int, micr_top: int | None = None
) -> Regions:
    """Search boxes for each field, from the anchors found or from a standard check's proportions."""
    d = dpi
    W, H = width, height
    edge = W - int(0.05 * d)
    if a.pay:
        pay_y0, pay_y1 = a.pay[1], a.pay[3]
    else:
        pay_y0, pay_y1 = int(H * 0.38), int(H * 0.47)
    bottom = micr_top if micr_top is not None else int(H * 0.82)

    # Courtesy amount: right of the '$', under 'AMOUNT', or where the box usually is.
    if a.dollar is not None:
        c = a.dollar
        cx0 = c.x1 + int(0.01 * d) if len(c.text.strip()) == 1 else c.x0
        courtesy = (cx0, int(c.cy - 0.26 * d), edge, int(c.cy + 0.2 * d))
    elif a.amount is not None:
        c = a.amount
        courtesy = (c.x0 - int(0.15 * d), c.y1 - int(0.02 * d), edge, c.y1 + int(0.34 * d))
    else:
        cy = pay_y0 + 0.02 * d
        courtesy = (int(W * 0.72), int(cy - 0.3 * d), edge, int(cy + 0.18 * d))

    # Legal line: ends at 'DOLLARS'; on business checks it follows 'PAY'.
    if a.dollars is not None:
        lcy = a.dollars.cy
        legal = (
            int(0.05 * d),
            int(lcy - 0.3 * d),
            a.dollars.x0 - int(0.02 * d),
            int(lcy + 0.14 * d),
        )
        if a.pay_alone is not None and abs(a.pay_alone.cy - lcy) < 0.2 * d:
            legal = (a.pay_alone.x1, legal[1], legal[2], legal[3])
    elif a.pay_alone is not None:
        p = a.pay_alone
        legal = (p.x1, int(p.cy - 0.3 * d), edge, int(p.cy + 0.14 * d))
    else:
        lcy = pay_y1 + 0.3 * d
        legal = (int(0.05 * d), int(lcy - 0.3 * d), int(W * 0.85), int(lcy + 0.14 * d))

    # Date: right of 'DATE', or under it in a business check's date/amount table.
    if a.date is not None and a.amount is not None and abs(a.date.cy - a.amount.cy) < 0.1 * d:
        dt = a.date
        date = (
            dt.x0 - int(0.1 * d),
            dt.y1 - int(0.02 * d),
            a.amount.x0 - int(0.15 * d),
            dt.y1 + int(0.34 * d),
        )
    elif a.date is not None:
        dt = a.date
        date = (dt.x1 + int(0.02 * d), int(dt.cy - 0.3 * d), edge, int(dt.cy + 0.14 * d))
    else:
        date = (int(W * 0.5), int(max(0, pay_y0 - 0.6 * d)), edge, max(int(pay_y0 - 0.02 * d), 1))

    if a.memo is not None:
        m = a.memo
        memo = (
            m.x1 + int(0.02 * d),
            int(m.cy - 0.24 * d),
            min(W, m.x1 + int(2.6 * d)),
            int(m.cy + 0.12 * d),
        )
    else:
        memo = (int(0.05 * d), int(max(H * 0.55, legal[3])), int(W * 0.55), bottom)

    top_date = a.date.y0 if a.date is not None else H
    payer = (0, 0, int(W * 0.6), max(1, min(pay_y0, top_date, int(H * 0.45)) - int(0.02 * d)))
    return Regions(courtesy, legal, date, memo, payer)
