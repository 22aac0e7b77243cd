"""Where the check stock itself says the amounts are: the courtesy box, its underline, the legal rule.

The printed labels that `layout` anchors on are small and often misread ('$' read as 'S' or lost),
but the pre-printed lines are big, dark and straight, and every check style draws them: a box (or an
underline) right of the '$' for the figures, and a long rule across the middle for the words. Found
geometrically they give a tight region even when no label was read; callers fall back to the label
anchors when the stock has no such lines.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from ocr.pagecache import last_page
from ocr.reading import Box, Page

INK = 170  # grey level below which a pixel is ink, on a page cleanup has flattened
# ... and below which it may be part of a printed rule or box side: a stock's pale print or a
# photo's exposure leaves them light grey, and only a long straight run makes them a rule.
RULE_INK = 205


def ink_mask(gray: np.ndarray, threshold: int = INK) -> np.ndarray:
    """1 where there is ink, as uint8 (what OpenCV's morphology wants)."""
    return (gray < threshold).astype(np.uint8)


# Every field of a check asks for the rules (its box, underline, table, date, legal and memo rules):
# found once per page.
@last_page
def horizontal_segments(gray: np.ndarray, dpi: int, min_len_in: float = 0.3) -> tuple[Box, ...]:
    """Printed horizontal rules as boxes, longest pieces joined.

    A one-pixel line stepping through a residual skew breaks into pieces; a small vertical dilation
    bridges the steps, and collinear pieces with a gap under 0.12 in are joined (wider gaps, like
    the '$' between the payee line and the courtesy underline, keep two rules apart).
    """
    ink = cv2.dilate(ink_mask(gray, RULE_INK), np.ones((3, 1), np.uint8))
    k = max(10, int(min_len_in * dpi))
    if ink.shape[1] <= k:
        return ()
    horiz = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((1, k), np.uint8))
    n, _, stats, _ = cv2.connectedComponentsWithStats(horiz)
    pieces = [(x, y, x + w, y + h) for x, y, w, h in (map(int, stats[i, :4]) for i in range(1, n))]
    return _joined(pieces, 0.12 * dpi, max(3.0, 0.02 * dpi))


def _joined(pieces: Sequence[Box], gap: float, drift: float) -> tuple[Box, ...]:
    """Level pieces one after another, at most `gap` apart (their middles within `drift` of the
    first piece's), as one rule each, left to right."""
    merged: list[list[float]] = []
    for x0, y0, x1, y1 in sorted(pieces, key=lambda s: s[0]):
        cy = (y0 + y1) / 2
        for m in merged:
            if abs(m[4] - cy) <= drift and x0 - m[2] <= gap:
                m[1], m[2], m[3] = min(m[1], y0), max(m[2], x1), max(m[3], y1)
                break
        else:
            merged.append([x0, y0, x1, y1, cy])
    return tuple((int(m[0]), int(m[1]), int(m[2]), int(m[3])) for m in merged)


def _upright_bars(gray: np.ndarray, dpi: int) -> list[Box]:
    """Short vertical bars 0.14-0.5 in tall: the sides of a courtesy box (and the odd '1')."""
    k = max(6, int(0.12 * dpi))
    if gray.shape[0] <= k:
        return []
    vert = cv2.morphologyEx(ink_mask(gray, RULE_INK), cv2.MORPH_OPEN, np.ones((k, 1), np.uint8))
    n, _, stats, _ = cv2.connectedComponentsWithStats(vert)
    bars = []
    for i in range(1, n):
        x, y, w, h = (int(v) for v in stats[i, :4])
        if 0.14 * dpi <= h <= 0.5 * dpi and w <= 0.05 * dpi:
            bars.append((x, y, x + w, y + h))
    return bars


@last_page  # asked by the courtesy amount, the legal rule and the date
def courtesy_box(gray: np.ndarray, dpi: int) -> Box | None:
    """The inside of the courtesy amount box, or None when the check has no such box.

    A box is two upright bars 0.8-2.6 in apart, level with each other, whose tops and bottoms are
    joined by rules, in the right half of the check above its lower quarter. The box nearest the top
    wins (a business check's lower boxes are not amounts). A box drawn in dashes has no bar long
    enough to find: two rules of its length, one above the other, are then its top and bottom
    (`_dashed_box`).
    """
    H, W = gray.shape
    tol = max(3, int(0.03 * dpi))
    bars = [b for b in _upright_bars(gray, dpi) if b[0] > 0.45 * W and (b[1] + b[3]) / 2 < 0.75 * H]
    rules = horizontal_segments(gray, dpi, 0.3)
    found: list[Box] = []
    for left in bars:
        for right in bars:
            if not 0.8 * dpi <= right[0] - left[2] <= 2.6 * dpi:
                continue
            if abs(left[1] - right[1]) > 2 * tol or abs(left[3] - right[3]) > 2 * tol:
                continue
            top, bottom = min(left[1], right[1]), max(left[3], right[3])
            if _ruled(rules, left[2], right[0], top, 2 * tol) and _ruled(
                rules, left[2], right[0], bottom, 2 * tol
            ):
                found.append((left[2], top, right[0], bottom))
    found = found or _dashed_box(gray, dpi)
    if not found:
        return None
    x0, y0, x1, y1 = min(found, key=lambda b: b[1])
    inset = max(2, int(0.015 * dpi))
    return (x0 + inset, y0 + inset, x1 - inset, y1 - inset)


DASH_IN = 0.06  # a dashed rule's dashes are at least this long, its gaps shorter than 0.12 in


def _dashed_box(gray: np.ndarray, dpi: int) -> list[Box]:
    """Boxes drawn as two rules (dashes joined) of one length, 0.8-2.6 in long, 0.12-0.5 in apart,
    starting and ending level with each other, in the right half above the lower quarter."""
    H, W = gray.shape
    tol = max(3, int(0.05 * dpi))
    rules = [
        s
        for s in horizontal_segments(gray, dpi, DASH_IN)
        if s[0] > 0.45 * W and 0.8 * dpi <= s[2] - s[0] <= 2.6 * dpi and s[1] < 0.75 * H
    ]
    return [
        (max(top[0], bottom[0]), top[3], min(top[2], bottom[2]), bottom[1])
        for top in rules
        for bottom in rules
        if 0.12 * dpi <= bottom[1] - top[3] <= 0.5 * dpi
        and abs(top[0] - bottom[0]) <= tol
        and abs(top[2] - bottom[2]) <= tol
    ]


BOX_RULED = 0.5  # a box's side is ruled along this much of it (a photo's faint rules break up)


def _ruled(rules: Sequence[Box], x0: int, x1: int, y: int, tol: int) -> bool:
    """Whether a rule runs along y across most of x0..x1."""
    covered = 0
    for r in rules:
        if abs((r[1] + r[3]) / 2 - y) <= tol + (r[3] - r[1]) / 2:
            covered += max(0, min(x1, r[2]) - max(x0, r[0]))
    return covered >= BOX_RULED * (x1 - x0)


def courtesy_underline(gray: np.ndarray, dpi: int) -> Box | None:
    """The writing area above a courtesy underline (checks without a box), or None.

    The underline starts right of the '$' (past three quarters of the width), ends near the right
    edge, and is 0.7-2.4 in long; the date line, which also ends near the edge, starts further left.
    A rule with nothing written above it and writing just below is a box's top whose other sides
    the scan or a photo's light lost: the area under it, then.
    """
    H, W = gray.shape
    cands = [
        s
        for s in horizontal_segments(gray, dpi, 0.3)
        if s[0] >= 0.74 * W
        and s[2] >= W - 0.55 * dpi
        and 0.7 * dpi <= s[2] - s[0] <= 2.4 * dpi
        and 0.25 * H < s[1] < 0.6 * H
    ]
    if not cands:
        return None
    x0, y0, x1, y1 = max(cands, key=lambda s: s[1])
    above = (x0, y0 - int(0.3 * dpi), x1, y0)
    below = (x0, y1 + 2, x1, y1 + int(0.3 * dpi))
    if not _written(gray, above) and _written(gray, below):
        return below
    return above


WRITTEN = 0.01  # the share of an area's pixels that are ink when something is written in it


def _written(gray: np.ndarray, box: Box) -> bool:
    x0, y0, x1, y1 = (max(0, int(v)) for v in box)
    area = gray[y0:y1, x0:x1]
    return area.size > 0 and float(ink_mask(area).mean()) > WRITTEN


def date_amount_table(gray: np.ndarray, dpi: int) -> tuple[Box, Box] | None:
    """The date and amount cells of a business check's date/amount table, or None.

    Such checks print 'Date' and 'Amount' over one rule, 1.8-3.6 in long, that ends near the right
    edge, and the values are written under it, the date in its left part, the amount in its right
    half.
    """
    H, W = gray.shape
    cands = [
        s
        for s in horizontal_segments(gray, dpi, 0.3)
        if s[2] >= W - 0.6 * dpi
        and 1.8 * dpi <= s[2] - s[0] <= 3.6 * dpi
        and 0.2 * H < s[1] < 0.5 * H
    ]
    for x0, _, x1, y1 in sorted(cands, key=lambda s: s[1]):
        split = x0 + int(0.45 * (x1 - x0))
        cell = (split, y1 + 2, x1, y1 + int(0.3 * dpi))
        if _written(gray, cell):
            return (x0 - int(0.05 * dpi), y1 + 2, split, y1 + int(0.3 * dpi)), cell
    return None


def courtesy_table(gray: np.ndarray, dpi: int) -> Box | None:
    """The amount cell of a business check's date/amount table, or None."""
    table = date_amount_table(gray, dpi)
    return table[1] if table is not None else None


def legal_rule(gray: np.ndarray, dpi: int) -> Box | None:
    """The rule the legal amount is written on: the lowest long rule across the middle.

    Personal checks also have a long payee rule above it, business checks a date rule on the right;
    the signature and memo rules are shorter than half the width, or the memo rule has the
    signature rule beside it. When a faint legal rule is lost to black-and-white scanning, the
    payee rule is not taken for it: a rule level with the courtesy box is the payee's.
    """
    H, W = gray.shape
    tol = max(3, int(0.03 * dpi))
    # a rule a photo's light broke in two is no shorter than the one printed
    rules = _joined(horizontal_segments(gray, dpi, 0.3), RULE_GAP_IN * dpi, tol)
    cands = [
        s
        for s in rules
        if 0.45 * W <= s[2] - s[0] < 0.95 * W
        and 0.33 * H < s[1] < 0.8 * H
        and not _signed_beside(s, rules, tol, dpi)
    ]
    box = courtesy_box(gray, dpi) if cands else None
    if box is not None:  # the payee rule runs level with the box; the legal rule is below it
        cands = [s for s in cands if s[1] > box[3] + tol]
    if not cands:
        return None
    return _broken_start(gray, max(cands, key=lambda s: s[1]), dpi)


SIGNATURE_GAP_IN = 0.3  # a memo rule stops at least this far short of the signature rule


def _signed_beside(rule: Box, rules: Sequence[Box], tol: int, dpi: int) -> bool:
    """Whether a rule has another, an inch or longer, level with it further right past a gap: a
    memo rule (long on a small check) with the signature rule beside it. The legal rule runs
    alone, or broken by less (a photo's faint stretch, a shadow)."""
    return any(
        abs(r[1] - rule[1]) <= tol
        and r[0] >= rule[2] + SIGNATURE_GAP_IN * dpi
        and r[2] - r[0] >= dpi
        for r in rules
    )


RULE_GAP_IN = 0.25  # a broken or dashed rule's pieces are at most this far apart
RULE_PIECE_IN = 0.06  # ... and at least this long (specks and the feet of letters are shorter)


def _broken_start(gray: np.ndarray, rule: Box, dpi: int) -> Box:
    """The rule from where it really starts: a faint rule that blur and black-and-white scanning
    broke into dashes is found only where its pieces are long, so its left part is followed on
    from piece to piece, short as they are, while the gaps stay under RULE_GAP_IN (a legal line
    cut at its second word was read 'EIGHTY-FOUR AND 59/100', 84.59 for 184.59)."""
    x0, y0, x1, y1 = rule
    drift = max(2, int(0.01 * dpi))
    bottom = y1 + drift + 1
    band = ink_mask(gray[max(0, y0 - drift) : bottom, :x0])
    k = max(4, int(RULE_PIECE_IN * dpi))
    if band.shape[1] <= k:
        return rule
    # pieces of rule: straight runs along a row at least RULE_PIECE_IN long (not specks, not a
    # border's dashes crossing the row, not the round feet of a label's letters), with paper
    # under them (not the scanner's dark margin)
    below = ink_mask(gray[bottom : bottom + 3 * drift, :x0]).any(axis=0)
    runs = cv2.morphologyEx(band, cv2.MORPH_OPEN, np.ones((1, k), np.uint8)).any(axis=0)
    runs &= ~below
    edges = np.flatnonzero(np.diff(np.concatenate(([0], runs.astype(np.int8), [0]))))
    pieces = [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2], strict=True) if b - a >= k]
    start, gap = x0, int(RULE_GAP_IN * dpi)
    for left, right in reversed(pieces):
        if start - right > gap:
            break
        start = left
    return (start, y0, x1, y1)


def band_above(rule: Box, dpi: int, height_in: float) -> Box:
    """Where something is written on a rule: a band `height_in` tall above it, and a little below
    it for descenders."""
    x0, y0, x1, _ = rule
    return (x0, y0 - int(height_in * dpi), x1, y0 + int(0.06 * dpi))


LEGAL_BAND_IN = 0.34


def legal_region(gray: np.ndarray, rule: Box, dpi: int) -> Box:
    """Where the legal amount is written on its rule: the band above it, up to the payee's rule
    when that is nearer (writing struck through by the payee rule hangs below it)."""
    x0, top, x1, bottom = band_above(rule, dpi, LEGAL_BAND_IN)
    above = [
        r[3]
        for r in horizontal_segments(gray, dpi, 0.3)
        if top <= r[3] < rule[1] - 0.1 * dpi and min(r[2], x1) - max(r[0], x0) > 0.3 * (x1 - x0)
    ]
    return (x0, max([top, *above]), x1, bottom)


def legal_below_box(box: Box, dpi: int) -> Box:
    """Where the legal amount is written when its rule cannot be found: the band under the
    courtesy box, from the left margin to the box's right side."""
    return (int(0.05 * dpi), box[3] + int(0.05 * dpi), box[2], box[3] + int(0.45 * dpi))


def courtesy_above_legal(rule: Box, width: int, dpi: int) -> Box:
    """A last-resort courtesy region when neither a box, an underline nor a label was found: the
    right quarter of the band above the legal rule, where both check styles write the figures."""
    y = rule[1]
    return (int(0.76 * width), y - int(0.72 * dpi), width - int(0.05 * dpi), y - int(0.26 * dpi))


def date_rule(gray: np.ndarray, dpi: int, courtesy: Box | None = None) -> Box | None:
    """The rule the date is written on: a short rule in the upper right with writing above it.

    Personal and business checks draw it right of 'DATE', 0.8-3 in long, in the top half, above
    the courtesy box or level with its top (the box's own edges, the payee and legal lines level
    with or below it, and a business check's date/amount table with its values written below, are
    not it). The highest such rule wins.
    """
    H, W = gray.shape
    tol = max(3, int(0.04 * dpi))
    cands = []
    for s in horizontal_segments(gray, dpi, 0.3):
        x0, y0, x1, y1 = s
        if not (x0 >= 0.4 * W and 0.8 * dpi <= x1 - x0 <= 3.0 * dpi and 0.1 * H < y0 < 0.5 * H):
            continue
        if courtesy is not None:
            if y0 > (courtesy[1] + courtesy[3]) // 2:
                continue  # level with the box's lower half or below: the payee or legal line
            if y0 >= courtesy[1] - tol and x0 >= courtesy[0] - tol:
                continue  # the box's own top edge (a date rule may run into it from the left)
        above = ink_mask(gray[max(0, y0 - int(0.3 * dpi)) : y0 - tol, x0 + tol : x1 - tol])
        if above.size and above.mean() > 0.008:
            cands.append(s)
    if not cands:
        return None
    return min(cands, key=lambda s: s[1])


def memo_rule(gray: np.ndarray, dpi: int, bottom: int | None = None) -> Box | None:
    """The rule the memo is written on: the lowest rule in the bottom left, above the MICR band.

    It runs right of 'MEMO' or 'FOR', 1.2-4.5 in long, starts in the left third and ends before the
    signature rule, which is on the right half; `bottom` is the top of the MICR band when known.
    """
    H, W = gray.shape
    floor = bottom if bottom is not None else int(0.92 * H)
    cands = [
        s
        for s in horizontal_segments(gray, dpi, 0.3)
        if s[0] < 0.35 * W
        and s[2] < 0.66 * W
        and 1.2 * dpi <= s[2] - s[0] <= 4.5 * dpi
        and 0.55 * H < s[1] < floor
    ]
    if not cands:
        return None
    return max(cands, key=lambda s: s[1])


SIGNATURE_ABOVE_IN = 0.45  # a signature rises this far above its rule; the label hangs below it


def signature_area(gray: np.ndarray, dpi: int, bottom: int) -> Box | None:
    """Where the signature and its label are: over the lowest rule in the bottom right, to the
    MICR band's top (`bottom`), and below the legal rule when it is found; None without such a
    rule. Nothing a payment is read from is there, and reading the signature and its label took
    about a tenth of the layout pass.

    The signature rule is 1.2-4.5 in long, starts right of the middle and lies in the lower half,
    at least a quarter inch under the legal rule (a business check's date rule is above it).
    """
    H, W = gray.shape
    cands = [
        s
        for s in horizontal_segments(gray, dpi, 0.3)
        if s[0] >= 0.45 * W and 1.2 * dpi <= s[2] - s[0] <= 4.5 * dpi and 0.55 * H < s[1] < bottom
    ]
    if not cands:
        return None
    rule = max(cands, key=lambda s: s[1])
    top = rule[1] - int(SIGNATURE_ABOVE_IN * dpi)
    legal = legal_rule(gray, dpi)
    if legal is not None:
        if rule[1] < legal[3] + int(0.25 * dpi):
            return None
        top = max(top, legal[3] + int(0.1 * dpi))
    return (rule[0] - int(0.1 * dpi), top, W, bottom)


def looks_like_check(page: Page) -> bool:
    """A check front by its stock alone (for a page whose MICR line did not read): a document
    two to three times wider than tall, with a legal-amount rule across the middle and a place
    for the figures (the courtesy box, its underline, or a business check's amount table)."""
    gray, dpi = page.image, page.dpi
    H, W = gray.shape
    if not 1.9 <= W / max(H, 1) <= 3.3:
        return False
    if legal_rule(gray, dpi) is None:
        return False
    return (
        courtesy_box(gray, dpi) is not None
        or courtesy_underline(gray, dpi) is not None
        or date_amount_table(gray, dpi) is not None
    )
