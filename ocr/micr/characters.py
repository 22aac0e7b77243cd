"""Cut an upright MICR strip into characters and classify each against rendered E-13B glyphs.

Segmentation uses only E-13B geometry: a character is at most 7 grid squares wide, the parts
of one character stand at most 1 square apart (2 for the transit symbol's bar and squares) and
neighbouring characters stand at least 2.6 squares apart, so the multi-part symbols regroup
without knowing what they are. Each group is matched, by normalized correlation with some
slack for position, against templates that :mod:`ocr.micr.glyphs` renders at the scale measured
on the line; a group whose best match is weak, not clearly ahead of the runner-up, or of the
wrong width becomes ``?``. An unreadable group is then offered to its neighbours (merged or
split differently), which repairs the rare mis-grouping that blur or faded ink causes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from ocr.micr.glyphs import GLYPHS, HEIGHT_UNITS, PITCH_UNITS, render_glyph
from ocr.micr.learned import REJECT, MicrClassifier, classifier
from ocr.micr.lines import LineStrip, ink_mask

MAX_CHAR_UNITS = 8.4  # widest glyph (7 squares) plus blur and heavy toner
MAX_INNER_GAP_UNITS = 1.6  # parts of one character: at most 1 square apart
MAX_BAR_GAP_UNITS = 2.4  # ...except the transit symbol's bar and squares (2 squares)
BAR_UNITS = 2.8  # a group this narrow may be a transit bar still waiting for its squares
MIN_SCORE = 0.55  # below this correlation a character is unreadable
MIN_MARGIN = 0.05  # the best glyph must beat the runner-up by this much
LEARNED_MIN_PROB = 0.6  # the learned classifier's probability below which a character is "?"
LEARNED_MIN_MARGIN = 0.3  # ...and its lead over the runner-up
# a character's ink must be about as wide as the glyph it matched (faded ink runs narrow)
NARROWER_UNITS = 2.2
WIDER_UNITS = 1.6
SURE_SCORE = 0.8  # a match this good may be narrower than its glyph (faded thin strokes)
REGROUP_SCORE = 0.7  # a regrouping must read at least this well in every character
SHIFT_UNITS = 1.2  # horizontal slack when matching: faded thin strokes move the ink's centre
PAD_UNITS = 2.0  # columns beyond the detected ink that still belong to the character
GUARD_UNITS = 0.8  # ...but never this close to a neighbour's ink
LOST_INK_UNITS = 6.0  # ink (in grid squares) between characters that is a character not read
# After this many characters a code line has shown a transit, on-us or amount symbol (the transit
# field, a business check's auxiliary on-us field, or the encoded amount field on its own) and
# mostly readable ones;
# printed text is abandoned there.
EARLY_LOOK = 12
EARLY_KNOWN = 7

Groups = list[list[int]]


@dataclass(frozen=True)
class Char:
    """One character read from a strip: its x extent in strip pixels, label and scores."""

    x0: int
    x1: int
    label: str  # a glyph letter, or "?"
    score: float  # correlation with the best glyph
    margin: float  # how far the best glyph is ahead of the runner-up

    @property
    def known(self) -> bool:
        return self.label != "?"


class GlyphTemplates:
    """The 14 glyphs at one scale, each padded to a common box so that whitespace counts too.

    They are stacked into one tall image, each tile with room to shift around its glyph, so one
    matchTemplate call scores a character against every glyph at every shift.
    """

    def __init__(self, unit: float) -> None:
        self.unit = unit
        self.slack_y = max(2, int(round(0.6 * unit)))
        self.slack_x = max(2, int(round(SHIFT_UNITS * unit)))
        self.height = int(round(HEIGHT_UNITS * unit)) + 2  # one pixel of paper above and below
        self.width = int(round(8.2 * unit)) + 2
        self.sigma = max(0.6, 0.35 * unit)  # softening: tolerance to stroke and font details
        self.labels = list(GLYPHS)
        self.tile_h = self.height + 2 * self.slack_y
        stack = np.full(
            (self.tile_h * len(self.labels), self.width + 2 * self.slack_x), 255, np.uint8
        )
        for k, char in enumerate(self.labels):
            glyph = render_glyph(char, unit)
            gh, gw = glyph.shape
            top = k * self.tile_h + self.slack_y + (self.height - gh) // 2
            left = self.slack_x + (self.width - gw) // 2
            stack[top : top + gh, left : left + gw] = glyph
        self.stack = self._soften(stack)

    def _soften(self, img: np.ndarray) -> np.ndarray:
        return cv2.GaussianBlur(img.astype(np.float32), (0, 0), self.sigma)

    def classify(self, crop: np.ndarray) -> tuple[str, float, float]:
        """(label, best score, margin over the runner-up) for a crop of the template box size."""
        result = cv2.matchTemplate(self.stack, self._soften(crop), cv2.TM_CCOEFF_NORMED)
        span = 2 * self.slack_y + 1  # rows of tile k's vertical shifts; every column is a shift
        scores = np.array(
            [
                float(result[k * self.tile_h : k * self.tile_h + span].max())
                for k in range(len(self.labels))
            ]
        )
        order = np.argsort(scores)[::-1]
        best, second = float(scores[order[0]]), float(scores[order[1]])
        return self.labels[int(order[0])], best, best - second


_TEMPLATE_CACHE: dict[int, GlyphTemplates] = {}


def templates_for(unit: float) -> GlyphTemplates:
    """Templates at this scale, rounded to a tenth of a pixel per square and cached."""
    key = int(round(unit * 10))
    if key not in _TEMPLATE_CACHE:
        if len(_TEMPLATE_CACHE) > 64:
            _TEMPLATE_CACHE.clear()
        _TEMPLATE_CACHE[key] = GlyphTemplates(key / 10)
    return _TEMPLATE_CACHE[key]


def group_components(stats: np.ndarray, unit: float, margin: float, char_h: float) -> Groups:
    """Component indices (from connectedComponentsWithStats) grouped into characters."""
    keep: list[int] = []
    band_top, band_bottom = margin, margin + char_h
    for i, (_, y, w, h, area) in enumerate(stats):
        if i == 0:
            continue  # the background
        if h < 2.2 * unit or area < 1.5 * unit * unit or w > 9.0 * unit or h > 1.45 * char_h:
            continue  # specks, rules and anything taller than a character
        overlap = min(y + h, band_bottom) - max(y, band_top)
        if overlap < 0.6 * h:
            continue  # mostly above or below the line
        keep.append(i)
    keep.sort(key=lambda i: stats[i, 0])
    groups: Groups = []
    gx0 = gx1 = 0
    max_w = MAX_CHAR_UNITS * unit
    max_gap = MAX_INNER_GAP_UNITS * unit
    bar_gap, bar_w = MAX_BAR_GAP_UNITS * unit, BAR_UNITS * unit
    for i in keep:
        x0, x1 = int(stats[i, 0]), int(stats[i, 0] + stats[i, 2])
        gap_limit = bar_gap if gx1 - gx0 <= bar_w else max_gap
        if groups and max(gx1, x1) - gx0 <= max_w and x0 - gx1 <= gap_limit:
            groups[-1].append(i)
            gx1 = max(gx1, x1)
        else:
            groups.append([i])
            gx0, gx1 = x0, x1
    return groups


def split_touching(
    mask: np.ndarray,
    labels: np.ndarray,
    stats: np.ndarray,
    unit: float,
    margin: float,
    char_h: float,
) -> np.ndarray:
    """Characters that touch (ink spread, a printer's heavy toner) cut apart where a pitch
    boundary falls: a character-tall component two to four characters wide is split at the
    emptiest column near each boundary, so grouping sees one component per character. `labels`
    and `stats` are the mask's components; the mask itself comes back when nothing was split."""
    pitch = PITCH_UNITS * unit
    out = mask
    for i in range(1, len(stats)):
        x, y, w, h, _ = stats[i]
        if not (MAX_CHAR_UNITS * unit < w <= 4.2 * pitch and 0.7 * char_h <= h <= 1.45 * char_h):
            continue
        if min(y + h, margin + char_h) - max(y, margin) < 0.6 * h:
            continue  # not on the line
        if out is mask:
            out = mask.copy()
        mine = labels[y : y + h, x : x + w] == i
        ink = mine.sum(axis=0)
        pieces = max(2, int(round(w / pitch)))
        reach = max(1, int(0.3 * pitch))
        for k in range(1, pieces):
            at = int(round(k * w / pieces))
            lo, hi = max(1, at - reach), min(w - 1, at + reach)
            if hi <= lo:
                continue
            cut = lo + int(np.argmin(ink[lo:hi]))
            column = out[y : y + h, x + cut]
            column[mine[:, cut]] = 0
    return out


class _StripReader:
    """Classifies groups of a strip's components as characters, and regroups where that fails."""

    def __init__(self, strip: LineStrip, learned: MicrClassifier | None) -> None:
        self.learned = learned
        self.smooth, mask = ink_mask(strip.image)
        _, self.labels, self.stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
        self.mask = split_touching(
            mask, self.labels, self.stats, strip.unit, strip.margin, strip.char_height
        )
        if self.mask is not mask:
            _, self.labels, self.stats, _ = cv2.connectedComponentsWithStats(
                self.mask, connectivity=8
            )
        self.unit = strip.unit
        self.margin = strip.margin
        self.tpl = templates_for(strip.unit)
        self.top = int(round(strip.margin)) - 1  # template boxes carry a pixel of paper on top
        self.max_w = MAX_CHAR_UNITS * strip.unit

    def extent(self, group: list[int]) -> tuple[int, int]:
        st = self.stats
        return int(min(st[i, 0] for i in group)), int(max(st[i, 0] + st[i, 2] for i in group))

    def box(self, group: list[int], lo: float, hi: float) -> np.ndarray:
        """The template-sized box around this group of components, centred on its ink; lo/hi
        bound the columns its ink may use."""
        tpl = self.tpl
        gx0, gx1 = self.extent(group)
        cx0 = (gx0 + gx1) // 2 - tpl.width // 2
        crop = np.full((tpl.height, tpl.width), 255, np.uint8)
        height, width = self.smooth.shape
        # this character's columns only: a neighbour stands at least 2.6 squares away and must
        # not leak in, but faint strokes next to the detected ink should
        pad = PAD_UNITS * self.unit
        sx0 = max(cx0, 0, int(math.floor(max(gx0 - pad, lo))))
        sx1 = min(cx0 + tpl.width, width, int(math.ceil(min(gx1 + pad, hi))))
        sy0, sy1 = max(self.top, 0), min(self.top + tpl.height, height)
        if sx1 > sx0 and sy1 > sy0:
            crop[sy0 - self.top : sy1 - self.top, sx0 - cx0 : sx1 - cx0] = self.smooth[
                sy0:sy1, sx0:sx1
            ]
        return crop

    def classify_many(self, asked: list[tuple[list[int], float, float]]) -> list[Char]:
        """The glyph each group of components is (lo/hi bound the columns its ink may use), the
        learned classifier's boxes in one batch."""
        boxes = [self.box(group, lo, hi) for group, lo, hi in asked]
        if self.learned is not None:
            probs = self.learned.probabilities(boxes)
            labels = self.learned.labels
            decided = []
            for p in probs:
                order = np.argsort(p)[::-1]
                best, second = float(p[order[0]]), float(p[order[1]])
                label = labels[int(order[0])]
                unsure = label == REJECT or best < LEARNED_MIN_PROB
                decided.append(
                    (label, best, best - second, unsure or best - second < LEARNED_MIN_MARGIN)
                )
        else:
            decided = []
            for box in boxes:
                label, score, gap = self.tpl.classify(box)
                decided.append((label, score, gap, score < MIN_SCORE or gap < MIN_MARGIN))
        out = []
        for (group, _, _), (label, score, gap, unsure) in zip(asked, decided, strict=True):
            gx0, gx1 = self.extent(group)
            if not unsure:
                excess = (gx1 - gx0) / self.unit - GLYPHS[label].width
                # a part of a symbol standing alone (the transit bar) can pass for a narrower glyph
                unsure = excess > WIDER_UNITS or (excess < -NARROWER_UNITS and score < SURE_SCORE)
            out.append(Char(gx0, gx1, "?" if unsure else label, score, gap))
        return out

    def fits(self, group: list[int]) -> bool:
        x0, x1 = self.extent(group)
        return x1 - x0 <= self.max_w

    def bounds(self, groups: Groups, start: int, end: int) -> tuple[float, float]:
        """Column limits for groups[start:end]: clear of the ink of the groups on either side."""
        guard = GUARD_UNITS * self.unit
        lo = self.extent(groups[start - 1])[1] + guard if start > 0 else -math.inf
        hi = self.extent(groups[end])[0] - guard if end < len(groups) else math.inf
        return lo, hi

    def classify_run(self, groups: Groups, start: int, end: int, new: Groups) -> list[Char]:
        """Classify `new`, the groups that would replace groups[start:end]."""
        lo, hi = self.bounds(groups, start, end)
        guard = GUARD_UNITS * self.unit
        asked = []
        for j, group in enumerate(new):
            left = self.extent(new[j - 1])[1] + guard if j else lo
            right = self.extent(new[j + 1])[0] - guard if j + 1 < len(new) else hi
            asked.append((group, left, right))
        return self.classify_many(asked)

    def alternatives(self, groups: Groups, k: int) -> list[tuple[int, int, Groups]]:
        """Other ways to group the parts around unreadable group k: (start, end, new groups)."""
        group = sorted(groups[k], key=lambda i: int(self.stats[i, 0]))
        prev = groups[k - 1] if k > 0 else None
        nxt = groups[k + 1] if k + 1 < len(groups) else None
        options: list[tuple[int, int, Groups]] = []
        if nxt is not None:
            options.append((k, k + 2, [group + nxt]))
        if prev is not None:
            options.append((k - 1, k + 1, [prev + group]))
        for cut in range(1, len(group)):
            left, right = group[:cut], group[cut:]
            if nxt is not None:
                options.append((k, k + 2, [left, right + nxt]))
            if prev is not None:
                options.append((k - 1, k + 1, [prev + left, right]))
            options.append((k, k + 1, [left, right]))
        return [o for o in options if all(self.fits(g) for g in o[2])]

    def regroup(self, groups: Groups, chars: list[Char]) -> None:
        """Replace unreadable groups by the best-reading regrouping with their neighbours."""
        k = 0
        while k < len(groups):
            if not chars[k].known:
                best: tuple[float, int, int, Groups, list[Char]] | None = None
                for start, end, new in self.alternatives(groups, k):
                    new_chars = self.classify_run(groups, start, end, new)
                    if not all(c.known for c in new_chars):
                        continue
                    worst = min(c.score for c in new_chars)
                    if worst >= REGROUP_SCORE and (best is None or worst > best[0]):
                        best = (worst, start, end, new, new_chars)
                if best is not None:
                    _, start, end, new, new_chars = best
                    groups[start:end] = new
                    chars[start:end] = new_chars
                    k = start
            k += 1

    def read(self) -> list[Char] | None:
        groups = group_components(self.stats, self.unit, self.margin, HEIGHT_UNITS * self.unit)
        if len(groups) < 3:
            return None
        asked = [(g, *self.bounds(groups, k, k + 1)) for k, g in enumerate(groups)]
        chars = self.classify_many(asked[:EARLY_LOOK])
        if len(chars) == EARLY_LOOK and not _promising(chars):
            return None  # printed text, not E-13B: stop spending time on it
        if len(asked) > EARLY_LOOK:
            chars += self.classify_many(asked[EARLY_LOOK:])
        if sum(c.known for c in chars) >= 5:
            self.regroup(groups, chars)
        return self.mark_lost(chars)

    def mark_lost(self, chars: list[Char]) -> list[Char]:
        """A `?` wherever a gap between two characters holds a character's worth of ink that
        made no group (a faint digit broken into specks): the line must not close up over it."""
        out = chars[:1]
        guard = GUARD_UNITS * self.unit
        top, bottom = int(round(self.margin)), int(round(self.margin + HEIGHT_UNITS * self.unit))
        for prev, char in zip(chars, chars[1:], strict=False):
            x0, x1 = int(prev.x1 + guard), int(char.x0 - guard)
            if x1 - x0 >= 3 * self.unit:
                ink = int(np.count_nonzero(self.mask[max(top, 0) : bottom, x0:x1]))
                if ink >= LOST_INK_UNITS * self.unit * self.unit:
                    out.append(Char(x0, x1, "?", 0.0, 0.0))
            out.append(char)
        return out


def _promising(chars: list[Char]) -> bool:
    known = [c.label for c in chars if c.known]
    return len(known) >= EARLY_KNOWN and any(symbol in known for symbol in "TUA")


def read_characters(strip: LineStrip) -> list[Char] | None:
    """The characters of an upright line strip, left to right; None when it is clearly not MICR.

    The learned classifier decides when its model is installed, the templates otherwise."""
    return _StripReader(strip, classifier()).read()


def labelled_boxes(strip: LineStrip, text: str) -> list[tuple[np.ndarray, str]] | None:
    """For training: the strip's character boxes, cut exactly as reading cuts them, labelled
    with `text` (no spaces) when the strip's groups are as many as its characters; else None.
    Parts of multi-part symbols standing alone, and neighbours cut as one, come labelled
    REJECT: the classifier must say when a box holds no whole character."""
    reader = _StripReader(strip, None)
    groups = group_components(reader.stats, reader.unit, reader.margin, HEIGHT_UNITS * reader.unit)
    if len(groups) != len(text):
        return None
    out = [
        (reader.box(g, *reader.bounds(groups, k, k + 1)), ch)
        for k, (g, ch) in enumerate(zip(groups, text, strict=True))
    ]
    for k, group in enumerate(groups):
        lo, hi = reader.bounds(groups, k, k + 1)
        if text[k] in "TUAD" and len(group) > 1:
            ordered = sorted(group, key=lambda i: int(reader.stats[i, 0]))
            guard = GUARD_UNITS * reader.unit
            for a in range(len(ordered)):
                for b in range(a + 1, len(ordered) + 1):
                    if b - a == len(ordered):
                        continue  # the whole symbol
                    # the part alone: clear of the symbol's other parts, as a regrouping cuts it
                    left = reader.extent(ordered[:a])[1] + guard if a else lo
                    right = reader.extent(ordered[b:])[0] - guard if b < len(ordered) else hi
                    out.append((reader.box(ordered[a:b], left, right), REJECT))
        if k + 1 < len(groups) and reader.fits(group + groups[k + 1]):
            out.append(
                (reader.box(group + groups[k + 1], *reader.bounds(groups, k, k + 2)), REJECT)
            )
    return out
