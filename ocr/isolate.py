"""Cut one line of writing out of a field's region, clean, and sized the way Tesseract reads best.

A region is a search box: besides the amount it may hold box sides, the rule under the line, the
tail of the date above, the '$' before it and the dashes or stars a writer adds so nothing can be
squeezed in after the words. Tesseract reads those as digits and letters ('|' becomes '1', stars
become 'KKKK'), so only the ink of the written line is kept: the connected components of the line
with the most ink, less rules, bars and trailing filler. The line is then scaled to a fixed text
height, since Tesseract's line recognizer misreads small writing that it would read at ~36 px.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from ocr.reading import Box
from ocr.stock import ink_mask

TARGET_HEIGHT = 36  # px for the tallest glyphs (capitals, digits, ascenders) after scaling
REACH = 0.2  # inches a field's writing may run out of its box or off its rule (`isolate`)
PAD = 16


@dataclass(frozen=True)
class Line:
    """The writing of one field: the cut-out (everything else erased), its geometry and its glyphs."""

    image: np.ndarray  # grey crop of the line, paper 255, not yet scaled
    tall: float  # height of the tall glyphs in page pixels
    box: Box  # where the line is on the page
    glyphs: tuple[Box, ...]  # connected components kept, in crop pixels, left to right
    baseline: float  # y of the baseline in crop pixels


FAINT = 210  # grey level under which a pixel is a stroke's faint part, kept where it joins ink


def _ink(gray: np.ndarray) -> np.ndarray:
    """Ink, and the faint pixels joined to it: a thin or outline stroke that the scan left light
    in places keeps its light parts, so that its glyph is not cut into pieces and lost."""
    strong = ink_mask(gray)
    n, labels = cv2.connectedComponents((gray < FAINT).astype(np.uint8))
    inked = np.zeros(n, bool)
    inked[labels[strong > 0]] = True
    inked[0] = False
    return inked[labels].astype(np.uint8)


def _stats(ink: np.ndarray, dpi: int) -> tuple[np.ndarray, np.ndarray, list[int]]:
    n, labels, stats, _ = cv2.connectedComponentsWithStats(ink)
    speck = max(4, int((0.012 * dpi) ** 2))
    return labels, stats, [i for i in range(1, n) if stats[i, cv2.CC_STAT_AREA] >= speck]


def _erase_rules(ink: np.ndarray, gray: np.ndarray, dpi: int) -> None:
    """Horizontal rules are not writing: runs longer than 0.25 in (the stroke under '$' is shorter)
    that span half the region, as the rule under a line or a box's side does, or that are longer
    than any pen stroke (0.6 in). A hand's joined crossbars ('744', the 7's bar running into the
    4s') may pass 0.25 in, and cutting them would split the figures into pieces."""
    k = max(10, int(0.25 * dpi))
    if ink.shape[1] <= k:
        return
    horiz = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((1, k), np.uint8))
    n, labels, stats, _ = cv2.connectedComponentsWithStats(horiz)
    long_enough = min(0.6 * dpi, 0.5 * ink.shape[1])
    rules = [i for i in range(1, n) if stats[i, cv2.CC_STAT_WIDTH] >= long_enough]
    if not rules:
        return
    horiz = np.isin(labels, rules).astype(np.uint8)
    rule = cv2.dilate(horiz, np.ones((3, 1), np.uint8)) > 0
    inked = ink > 0
    keep = _crossed(inked, rule, dpi) | _written_on(inked, gray, rule, dpi)
    ink[rule & ~keep & ~_pen_beside(inked, gray, horiz > 0, rule)] = 0


def _pen_beside(
    ink: np.ndarray, gray: np.ndarray, core: np.ndarray, rule: np.ndarray
) -> np.ndarray:
    """The pen's pixels in the row either side of the rule, which is taken out with it for the grey
    fringe a scan leaves along a printed line: where a stroke meets the rule (a loop resting on it,
    the top of an 'a' under it) that row is the stroke's, dark and joined to it, and taking it
    out would open the loop."""
    others = (ink & ~rule).astype(np.uint8)
    joined = cv2.dilate(others, np.ones((3, 3), np.uint8)) > 0
    return rule & ~core & joined & (ink_mask(gray) > 0)


WRITTEN_ON = 1.4  # a rule this many times as dark as its bare stretches has a stroke along it
WRITTEN_ON_IN = (0.03, 0.25)  # ... over this length: a dash, a 4's bar (less: a letter's foot)
DARKER_PEN = 60  # grey levels the pen is darker than the printed rule, at the darkest
THICKER_PEN_IN = 0.01  # ... or inches its stroke is thicker than the rule, where both are black


def _written_on(ink: np.ndarray, gray: np.ndarray, rule: np.ndarray, dpi: int) -> np.ndarray:
    """The rule's pixels under a stroke drawn along it: a dash between a date's figures or a 4's
    bar written on the rule is as level as the rule, so only the pen's darkness added to the
    rule's (down each column of the rule's band) tells it from the printed line, against the
    rule's bare stretches (no writing touching it), where the pen is darker than the print. Where
    pen and print are both black (a black-and-white scan) only the stroke's thickness tells: the
    rule's band is inked deeper there than along its bare stretches, by more than the pixel a
    scan's rule varies by. A stroke is short: a longer dark stretch is the rule itself printed
    heavier there."""
    out = np.zeros_like(rule)
    dark = np.where(rule, 255 - gray.astype(np.int32), 0).sum(axis=0)
    reach = max(2, int(0.02 * dpi))
    near = cv2.dilate(rule.astype(np.uint8), np.ones((2 * reach + 1, 1), np.uint8)) > 0
    cols = rule.any(axis=0)
    bare = cols & ~(near & ink & ~rule).any(axis=0)
    if bare.sum() < 2:
        return out
    darkest = np.where(rule, gray, 255).min(axis=0).astype(np.int32)
    darker = (dark > WRITTEN_ON * float(np.median(dark[bare]))) & (
        darkest < float(np.median(darkest[bare])) - DARKER_PEN
    )
    thick = (ink & rule).sum(axis=0)
    thicker = thick >= float(np.median(thick[bare])) + max(2, round(THICKER_PEN_IN * dpi))
    heavy = cols & (darker | thicker)
    n, _, stats, _ = cv2.connectedComponentsWithStats(heavy.astype(np.uint8)[None, :])
    shortest, longest = (max(2, round(inches * dpi)) for inches in WRITTEN_ON_IN)
    for i in range(1, n):
        if shortest <= stats[i, cv2.CC_STAT_WIDTH] <= longest:
            x0 = int(stats[i, cv2.CC_STAT_LEFT])
            out[:, x0 : x0 + int(stats[i, cv2.CC_STAT_WIDTH])] = True
    return out & rule


def _crossed(ink: np.ndarray, rule: np.ndarray, dpi: int) -> np.ndarray:
    """The rule's pixels that a stroke runs through: ink just above the rule and just below it in
    the same column. Writing that crosses its rule keeps those pixels, so its letters are not cut
    in two where the rule was taken out."""
    reach = max(2, int(0.02 * dpi))  # a rule's thickness and a little: what 'just' means
    others = ink & ~rule
    above = np.zeros_like(others)
    below = np.zeros_like(others)
    for d in range(1, reach + 1):
        above[d:] |= others[:-d]
        below[:-d] |= others[d:]
    return rule & above & below


CLONE_RUN = 8  # this many alike marks in a row are filler, not writing


def _alike(a: np.ndarray, b: np.ndarray) -> bool:
    """Two marks of the same size, level with each other (two stars of a filler run)."""
    return bool(
        abs(int(a[2]) - int(b[2])) <= 0.1 * max(a[2], b[2]) + 2
        and abs(int(a[3]) - int(b[3])) <= 0.1 * max(a[3], b[3]) + 2
        and abs(int(a[4]) - int(b[4])) <= 0.25 * max(a[4], b[4]) + 2
        and abs((a[1] + a[3] / 2) - (b[1] + b[3] / 2)) <= 0.1 * max(a[3], b[3]) + 2
    )


def _drop_clone_runs(stats: np.ndarray, comps: list[int]) -> list[int]:
    """Without the legal line's filler: long runs of small alike marks at an even pitch (a row of
    stars). Ninety stars have more ink than the words, and would be taken for the line otherwise;
    words' capitals are as tall as the writing gets, and a hand's letters vary, so neither is
    such a run."""
    if len(comps) < CLONE_RUN:
        return comps
    tall = float(np.percentile([int(stats[i, cv2.CC_STAT_HEIGHT]) for i in comps], 95))
    small = sorted(
        (i for i in comps if stats[i, cv2.CC_STAT_HEIGHT] < 0.7 * tall),
        key=lambda i: int(stats[i, cv2.CC_STAT_LEFT]),
    )
    drop: set[int] = set()
    start = 0
    for end in range(1, len(small) + 1):
        if (
            end < len(small)
            and _alike(stats[small[end - 1]], stats[small[end]])
            and (end - start < 2 or _even_pitch(stats, small[end - 2], small[end - 1], small[end]))
        ):
            continue
        if end - start >= CLONE_RUN:
            drop.update(small[start:end])
        start = end
    return [i for i in comps if i not in drop]


def _even_pitch(stats: np.ndarray, a: int, b: int, c: int) -> bool:
    first = int(stats[b, 0]) - int(stats[a, 0])
    second = int(stats[c, 0]) - int(stats[b, 0])
    return abs(first - second) <= 0.15 * max(first, second) + 2


STACK_GAP_IN = 0.02  # pieces one above the other this close are one mark the scan broke


def _stacked(stats: np.ndarray, comps: list[int], dpi: int) -> list[list[int]]:
    """Components grouped into marks: pieces sharing most of the narrower one's columns, one just
    above the other, are one mark (an outline figure a bitonal scan broke across its middle, a
    hairline's dotted halves), so that a broken figure is one glyph to the line finder."""
    if not comps:
        return []
    gap = max(2, round(STACK_GAP_IN * dpi))
    s = stats[comps].astype(np.int64)
    x0, y0 = s[:, 0], s[:, 1]
    x1, y1 = x0 + s[:, 2], y0 + s[:, 3]
    shared = np.minimum(x1[:, None], x1[None, :]) - np.maximum(x0[:, None], x0[None, :])
    narrower = np.minimum(s[:, 2][:, None], s[:, 2][None, :])
    apart = np.maximum(y0[:, None], y0[None, :]) - np.minimum(y1[:, None], y1[None, :])
    joined = (shared > 0.5 * narrower) & (apart <= gap)
    parent = list(range(len(comps)))

    def root(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for a, b in zip(*np.nonzero(np.triu(joined, 1)), strict=True):
        parent[root(int(a))] = root(int(b))
    marks: dict[int, list[int]] = {}
    for k, i in enumerate(comps):
        marks.setdefault(root(k), []).append(i)
    return list(marks.values())


def _main_line(stats: np.ndarray, comps: list[int], dpi: int) -> list[list[int]]:
    """The marks (`_stacked`) of the text line with the most ink, and whatever sits inside its band.

    Each line's band is that of its biggest mark and does not grow as marks join: a growing band
    lets raised stars chain the amount to the printed 'AMOUNT' label above it.
    """
    marks = [
        (mark, _union(stats, mark), int(stats[mark, cv2.CC_STAT_AREA].sum()))
        for mark in _stacked(stats, comps, dpi)
    ]
    lines: list[tuple[int, int, list[int], list[list[int]]]] = []  # y0, y1, [ink], marks
    for mark, (_, y0, _, y1), ink in sorted(marks, key=lambda m: -m[2]):
        for top, bottom, total, members in lines:
            if min(bottom, y1) - max(top, y0) > 0.3 * min(y1 - y0, bottom - top):
                total[0] += ink
                members.append(mark)
                break
        else:
            lines.append((y0, y1, [ink], [mark]))
    top, bottom, _, keep = max(lines, key=lambda line: line[2][0])
    for mark, (_, y0, _, y1), _ in marks:
        if mark not in keep and top <= (y0 + y1) / 2 <= bottom:
            keep.append(mark)
    return keep


def _drop_bars(stats: np.ndarray, marks: list[list[int]], dpi: int, height: int) -> list[int]:
    """Box sides and page edges: thin upright bars running (nearly) the height of the region.

    A handwritten 'l' is as thin and may be three times as tall as the other letters (marks', not
    pieces': a letter's tail cut off by the rule is no letter), so height alone does not tell;
    only a bar no writing could reach does.
    """
    heights = [box[3] - box[1] for box in (_union(stats, mark) for mark in marks)]
    typical = float(np.median(heights)) if heights else 0.0
    out = []
    for i in (i for mark in marks for i in mark):
        w, h = int(stats[i, cv2.CC_STAT_WIDTH]), int(stats[i, cv2.CC_STAT_HEIGHT])
        thin = w < 0.05 * dpi and h > 5 * w
        if thin and (h >= 0.75 * height or h > 3.5 * typical):
            continue
        out.append(i)
    return out


def _tall(stats: np.ndarray, keep: list[int]) -> float:
    heights = sorted(int(stats[i, cv2.CC_STAT_HEIGHT]) for i in keep)
    return float(np.percentile(heights, 90))


def _baseline(stats: np.ndarray, keep: list[int], tall: float) -> float:
    """The writing's baseline: the median foot of the glyphs in the left part of the line (the
    words; filler and stars, when there are any, are on the right)."""
    ordered = sorted(keep, key=lambda i: int(stats[i, cv2.CC_STAT_LEFT]))
    left = ordered[: max(1, int(len(ordered) * 0.6))]
    bottoms = [
        int(stats[i, cv2.CC_STAT_TOP] + stats[i, cv2.CC_STAT_HEIGHT])
        for i in left
        if stats[i, cv2.CC_STAT_HEIGHT] >= 0.4 * tall
    ]
    return float(np.median(bottoms)) if bottoms else 0.0


def _trim_filler(stats: np.ndarray, keep: list[int], tall: float, base: float) -> list[int]:
    """Drop the filler after the words: dashes, a drawn line, stars (raised, or a run of clones).

    The words always end in a tall glyph ('100', 'Cents', 'no/100'), so filler is only looked for
    at the right end.
    """
    keep = sorted(keep, key=lambda i: int(stats[i, cv2.CC_STAT_LEFT]))

    def filler(i: int) -> bool:
        w, h = int(stats[i, 2]), int(stats[i, 3])
        return h < 0.3 * tall or (w > 5 * h and h < 0.8 * tall)  # a dash or a drawn line

    def star(i: int) -> bool:
        y, h = int(stats[i, 1]), int(stats[i, 3])
        return y + h < base - 0.25 * tall and h < 0.75 * tall  # small, raised off the baseline

    def clones(i: int, j: int) -> bool:
        a, b = stats[i], stats[j]
        if max(a[3], b[3]) > 0.6 * tall:
            return False
        return bool(
            abs(int(a[2]) - int(b[2])) <= 0.15 * max(a[2], b[2]) + 1
            and abs(int(a[3]) - int(b[3])) <= 0.15 * max(a[3], b[3]) + 1
            and abs(int(a[4]) - int(b[4])) <= 0.2 * max(a[4], b[4]) + 2
            and abs((a[1] + a[3] / 2) - (b[1] + b[3] / 2)) <= 0.15 * tall + 1
        )

    changed = True
    while changed and keep:
        changed = False
        while keep and filler(keep[-1]):
            keep.pop()
            changed = True
        run = 1
        while run < len(keep) and clones(keep[-run - 1], keep[-run]):
            run += 1
        stars = 0
        while stars < len(keep) and star(keep[-stars - 1]):
            stars += 1
        if run >= 5 or stars >= 3:
            del keep[-max(run if run >= 5 else 0, stars if stars >= 3 else 0) :]
            changed = True
    return keep


STAR_OF_FIGURE = 0.68  # a leading star stands lower than this share of the typical figure


def _trim_leading_stars(
    stats: np.ndarray, keep: list[int], tall: float, others: Sequence[int] = ()
) -> list[int]:
    """Drop the stars or dots before figures ('**743.81'), which Tesseract reads as '2' or '9'.

    Figures start with a digit or a '$', both as tall as the rest; a hand's stars may sit on the
    baseline, so they are told apart by size alone: small beside the tallest glyphs and beside
    the typical figure too (a hand's '2' may stand two thirds as tall as its '7' and '8'). Size is
    a mark's, not a piece's (`_marks`): a faint scan breaks a 7's bar off its stem right above
    it, and an outline star into bits. A thin hand's first figure broken by the scan into pieces,
    one of them left out of the line (a 2's foot just under it), is a figure too: the piece is
    put back (`others`: the components not in the line)."""
    if not keep:
        return keep
    keep = sorted(keep, key=lambda i: int(stats[i, cv2.CC_STAT_LEFT]))
    marks = _marks(stats, keep)
    heights = [box[3] - box[1] for box in (_union(stats, mark) for mark in marks)]
    tall = max(tall, float(np.percentile(heights, 90)))
    figures = [h for h in heights if h >= 0.4 * tall]
    typical = float(np.median(figures)) if figures else tall
    _, top, _, bottom = _union(stats, keep)

    def star_sized(mark: list[int]) -> bool:
        x0, y0, x1, y1 = _union(stats, mark)
        h = y1 - y0
        return h < 0.65 * tall and h < STAR_OF_FIGURE * typical and x1 - x0 < 1.5 * tall

    while len(marks) > 1 and star_sized(marks[0]):
        x0, _, x1, _ = _union(stats, marks[0])
        pieces = [
            i
            for i in others
            if _overlap(x0, x1, int(stats[i, 0]), int(stats[i, 0] + stats[i, 2]))
            > 0.5 * min(x1 - x0, int(stats[i, 2]))
            and stats[i, 1] <= bottom + 0.3 * tall
            and stats[i, 1] + stats[i, 3] >= top - 0.3 * tall
        ]
        if pieces and not star_sized([*marks[0], *pieces]):
            # the rest of a broken figure lay just outside the line
            kept = [i for mark in marks for i in mark]
            return sorted([*kept, *pieces], key=lambda i: int(stats[i, cv2.CC_STAT_LEFT]))
        marks.pop(0)
    return [i for mark in marks for i in mark]


def _marks(stats: np.ndarray, ordered: list[int]) -> list[list[int]]:
    """Components (left to right) grouped into the marks a writer made: pieces that share most of
    the narrower one's columns are one mark, one above the other."""
    marks: list[list[int]] = []
    for i in ordered:
        w = int(stats[i, 2])
        if marks and any(
            _shared_columns(stats, i, j) > 0.5 * min(w, int(stats[j, 2])) for j in marks[-1]
        ):
            marks[-1].append(i)
        else:
            marks.append([i])
    return marks


def _union(stats: np.ndarray, comps: list[int]) -> Box:
    return (
        min(int(stats[i, 0]) for i in comps),
        min(int(stats[i, 1]) for i in comps),
        max(int(stats[i, 0] + stats[i, 2]) for i in comps),
        max(int(stats[i, 1] + stats[i, 3]) for i in comps),
    )


def _overlap(a0: int, a1: int, b0: int, b1: int) -> int:
    return max(0, min(a1, b1) - max(a0, b0))


def _shared_columns(stats: np.ndarray, a: int, b: int) -> int:
    """How many columns two components both cover."""
    a0, b0 = int(stats[a, 0]), int(stats[b, 0])
    return _overlap(a0, a0 + int(stats[a, 2]), b0, b0 + int(stats[b, 2]))


SEEDED = 0.3  # a component this much of whose ink lies in the region is the region's writing


def _seeded(labels: np.ndarray, stats: np.ndarray, comps: list[int], inside: Box) -> list[int]:
    """The components with at least SEEDED of their ink inside `inside` (crop pixels)."""
    x0, y0, x1, y1 = inside
    within = np.bincount(labels[y0:y1, x0:x1].ravel(), minlength=len(stats))
    return [i for i in comps if within[i] >= SEEDED * stats[i, cv2.CC_STAT_AREA]]


def isolate(
    page: np.ndarray, region: Box, dpi: int, trim_filler: bool = False, reach: float = 0.0
) -> Line | None:
    """The written line in a region of a cleaned page, or None when the region holds no writing.

    With trim_filler (the legal line) dashes and stars after the words are dropped; otherwise (the
    figures) stars before them are. With `reach` (inches), writing that starts in the region and
    runs out of it sideways or down is kept whole up to that far: figures on a tight box's bottom
    side, words struck through by their rule (the line above is another field's, so the region
    does not grow up); marks that lie mostly outside it are someone else's."""
    h, w = page.shape
    x0, y0 = max(0, int(region[0])), max(0, int(region[1]))
    x1, y1 = min(w, int(region[2])), min(h, int(region[3]))
    if x1 - x0 < 8 or y1 - y0 < 8:
        return None
    r = int(reach * dpi)
    seed = (x0, y0, x1, y1)
    x0, x1, y1 = max(0, x0 - r), min(w, x1 + r), min(h, y1 + r)
    inside = (seed[0] - x0, seed[1] - y0, seed[2] - x0, seed[3] - y0)
    gray = page[y0:y1, x0:x1]
    ink = _ink(gray)
    _erase_rules(ink, gray, dpi)
    labels, stats, comps = _stats(ink, dpi)
    if r > 0:
        comps = _seeded(labels, stats, comps, inside)
    if trim_filler:
        comps = _drop_clone_runs(stats, comps)
    if not comps:
        return None
    keep = _drop_bars(stats, _main_line(stats, comps, dpi), dpi, inside[3] - inside[1])
    if not keep:
        return None
    tall = _tall(stats, keep)
    base = _baseline(stats, keep, tall)
    if trim_filler:
        keep = _trim_filler(stats, keep, tall, base)
    else:
        kept = set(keep)
        keep = _trim_leading_stars(stats, keep, tall, [i for i in comps if i not in kept])
    if not keep:
        return None
    keep.sort(key=lambda i: int(stats[i, cv2.CC_STAT_LEFT]))
    cx0 = min(int(stats[i, 0]) for i in keep)
    cy0 = min(int(stats[i, 1]) for i in keep)
    cx1 = max(int(stats[i, 0] + stats[i, 2]) for i in keep)
    cy1 = max(int(stats[i, 1] + stats[i, 3]) for i in keep)
    mask = np.isin(labels[cy0:cy1, cx0:cx1], keep)
    out = np.full((cy1 - cy0, cx1 - cx0), 255, np.uint8)
    out[mask] = gray[cy0:cy1, cx0:cx1][mask]
    glyphs = tuple(
        (
            int(stats[i, 0]) - cx0,
            int(stats[i, 1]) - cy0,
            int(stats[i, 0] + stats[i, 2]) - cx0,
            int(stats[i, 1] + stats[i, 3]) - cy0,
        )
        for i in keep
    )
    return Line(out, tall, (x0 + cx0, y0 + cy0, x0 + cx1, y0 + cy1), glyphs, base - cy0)


def raised_tail(line: Line) -> int | None:
    """Where small raised figures start at the end of a courtesy amount ('460 ⁸⁸⁄₁₀₀'), as an x in
    the line's crop, or None. Writers put the cents as a small fraction above the baseline; read
    run together with the dollars they come out as '46088/00', so they are read on their own. A
    hand's small, high figure among the dollars (the 0 of '905') is passed over: the cents are
    the small figures after the last full-size one."""
    if len(line.glyphs) < 3:
        return None
    big = [g for g in line.glyphs if g[3] - g[1] >= 0.75 * line.tall]
    if not big:
        return None
    for k, g in enumerate(line.glyphs):
        small = g[3] - g[1] < 0.72 * line.tall
        raised = g[3] < line.baseline - 0.15 * line.tall
        if k > 0 and small and raised and g[0] > big[0][2]:
            rest = line.glyphs[k:]
            # Tiny cents may run together into one blob ('76/100' touching at 300 dpi): one glyph
            # counts when it is at least twice as wide as it is tall, and no mere dash ('254 -').
            h = g[3] - g[1]
            several = len(rest) >= 2 or (g[2] - g[0] >= 2 * h and h >= 0.3 * line.tall)
            if all(r[3] - r[1] < 0.8 * line.tall for r in rest) and several:
                return g[0]
    return None


def normalize(image: np.ndarray, tall: float, target: int = TARGET_HEIGHT) -> np.ndarray:
    """Scale so the tall glyphs are `target` px high, and pad with paper (Tesseract needs margin)."""
    scale = min(4.0, max(0.4, target / max(tall, 1.0)))
    interp = cv2.INTER_CUBIC if scale > 1 else cv2.INTER_AREA
    out = cv2.resize(image, None, fx=scale, fy=scale, interpolation=interp)
    return cv2.copyMakeBorder(out, PAD, PAD, PAD, PAD, cv2.BORDER_CONSTANT, value=255)


def binarize(image: np.ndarray) -> np.ndarray:
    """Otsu black and white: a second, differently-erring view of the same line."""
    _, out = cv2.threshold(image, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    return out
