"""Find the lines of a page that could be an E-13B code line, and cut one out upright.

Components about one E-13B character tall (0.117 in at the page's dpi) are chained with their
neighbours on the same line; chains that lie on one straight line are merged, because the fields
of a code line are separated by blank positions. The line's slope is the skew, so a candidate is
cut out as an upright strip by one affine warp of a small region, whatever the skew.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

import cv2
import numpy as np

from ocr.micr.glyphs import GRID_INCH, HEIGHT_UNITS, PITCH_UNITS
from ocr.reading import Box

MAX_SKEW_DEG = 6.0
MAX_CANDIDATES = 40  # lines read per page at most (a letter-size page of text has ~40)
REACH_PITCHES = 4.5  # symbols shorter than digits may stand this far beyond the last digit
BAND_REACH_PITCHES = 2.5  # a whole band is cut this far past its ends: a part of a character the
# scan's edge cut, too small to chain, must still be seen (and read as unsure)
INK_THRESHOLD_CAP = 175  # never call anything lighter than this ink (tinted check stock)
LINK_PITCHES = 2.6  # neighbours on one line: centres at most this far apart


@dataclass(frozen=True)
class LineCandidate:
    """A chain of character-tall components lying on one straight line of the page."""

    slope: float
    top: float  # y of the characters' top line at x = 0 (page pixels)
    height: float  # measured character height, perpendicular to the line (pixels)
    x_min: float
    x_max: float
    members: int


@dataclass(frozen=True)
class LineStrip:
    """A candidate line cut out upright; the characters' top edge lies `margin` pixels down."""

    image: np.ndarray
    to_page: np.ndarray  # 2x3 affine map from strip (u, v) to page (x, y)
    margin: float
    unit: float  # pixels per E-13B grid square, measured on this line
    char_height: float


@dataclass(frozen=True)
class _Chain:
    slope: float
    top: float
    bottom: float
    members: np.ndarray


def as_gray(image: np.ndarray) -> np.ndarray:
    """Any 2-D or colour array as contiguous uint8 grayscale."""
    if image.ndim == 3:
        code = cv2.COLOR_BGRA2GRAY if image.shape[2] == 4 else cv2.COLOR_BGR2GRAY
        image = cv2.cvtColor(image, code)
    if image.dtype == np.bool_:
        return np.where(image, 255, 0).astype(np.uint8)
    if image.dtype != np.uint8:
        image = np.clip(image, 0, 255).astype(np.uint8)
    return np.ascontiguousarray(image)


def ink_mask(gray: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(speckle-filtered gray, binary ink mask 0/255).

    A 3x3 median removes salt-and-pepper noise; Otsu's threshold is capped so that a light tint
    or pattern on the check stock never counts as ink.
    """
    smooth = cv2.medianBlur(gray, 3)
    otsu, _ = cv2.threshold(smooth, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    thr = min(float(otsu), INK_THRESHOLD_CAP)
    _, mask = cv2.threshold(smooth, thr, 255, cv2.THRESH_BINARY_INV)
    return smooth, mask


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[rb] = ra


def _fit_line(xs: np.ndarray, ys: np.ndarray, tol: float) -> tuple[float, float]:
    """Least-squares line y = a x + b, refitted once without points further than tol."""
    if len(xs) < 2 or float(np.ptp(xs)) < 1.0:
        return 0.0, float(np.median(ys))
    a, b = np.polyfit(xs, ys, 1)
    keep = np.abs(ys - (a * xs + b)) <= tol
    if keep.sum() >= 2 and float(np.ptp(xs[keep])) >= 1.0:
        a, b = np.polyfit(xs[keep], ys[keep], 1)
    return float(a), float(b)


def component_stats(mask: np.ndarray) -> np.ndarray:
    """(x, y, w, h, area) of each ink component (the background left out)."""
    _, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    return stats[1:]


def find_line_candidates(
    mask: np.ndarray, dpi: float, stats: np.ndarray | None = None
) -> list[LineCandidate]:
    """Lines of character-tall components in an ink mask, longest first; `dpi` only says what
    height to look for (each candidate carries the height measured on it)."""
    unit = GRID_INCH * dpi
    expected_h = HEIGHT_UNITS * unit
    stats = component_stats(mask) if stats is None else stats
    x, y, w, h = stats[:, 0], stats[:, 1], stats[:, 2], stats[:, 3]
    # digits, and the transit and on-us bars (6 squares): 0.6 to 1.35 of a character's height
    tall = (h >= 0.6 * expected_h) & (h <= 1.35 * expected_h) & (w <= 9 * unit) & (w >= 0.5 * unit)
    idx = np.flatnonzero(tall)
    if len(idx) < 3:
        return []
    order = idx[np.argsort(x[idx] + w[idx] / 2)]
    cx = (x[order] + w[order] / 2).astype(np.float64)
    y0 = y[order].astype(np.float64)
    y1 = (y[order] + h[order]).astype(np.float64)
    hh = h[order].astype(np.float64)
    chains = _chain(cx, y0, y1, hh, LINK_PITCHES * PITCH_UNITS * unit, expected_h)
    out: list[LineCandidate] = []
    for group in _merge_collinear(chains, cx, y0, y1):
        first = group[0]
        members = np.concatenate([c.members for c in group])
        height = (first.bottom - first.top) * math.cos(math.atan(first.slope))
        if not 0.8 * expected_h <= height <= 1.25 * expected_h:
            continue
        out.append(
            LineCandidate(
                first.slope,
                first.top,
                height,
                float(cx[members].min()),
                float(cx[members].max()),
                len(members),
            )
        )
    out.sort(key=lambda c: -c.members)
    return out[:MAX_CANDIDATES]


def _chain(
    cx: np.ndarray,
    y0: np.ndarray,
    y1: np.ndarray,
    hh: np.ndarray,
    max_dx: float,
    expected_h: float,
) -> list[_Chain]:
    """Components linked to near neighbours that overlap them vertically, as fitted lines."""
    n = len(cx)
    uf = _UnionFind(n)
    ends = np.searchsorted(cx, cx + max_dx, side="right")  # cx is sorted
    for i in range(n):
        j = np.arange(i + 1, ends[i])
        if len(j) == 0:
            continue
        overlap = np.minimum(y1[i], y1[j]) - np.maximum(y0[i], y0[j])
        ratio = hh[i] / hh[j]
        linked = (overlap >= 0.55 * np.minimum(hh[i], hh[j])) & (ratio >= 0.55) & (ratio <= 1.8)
        for jj in j[linked]:
            uf.union(i, int(jj))
    clusters: dict[int, list[int]] = {}
    for i in range(n):
        clusters.setdefault(uf.find(i), []).append(i)
    chains: list[_Chain] = []
    for members in clusters.values():
        if len(members) < 3:
            continue
        m = np.array(members)
        full = m[hh[m] >= 0.85 * np.percentile(hh[m], 75)]  # full-height: digits, transit
        if len(full) < 2:
            continue
        tol = 0.12 * expected_h
        a_bottom, _ = _fit_line(cx[full], y1[full], tol)
        a_top, _ = _fit_line(cx[full], y0[full], tol)
        slope = (a_bottom + a_top) / 2
        if abs(math.degrees(math.atan(slope))) > MAX_SKEW_DEG:
            continue
        top = float(np.median(y0[full] - slope * cx[full]))
        bottom = float(np.median(y1[full] - slope * cx[full]))
        chains.append(_Chain(slope, top, bottom, m))
    return chains


def _merge_collinear(
    chains: list[_Chain], cx: np.ndarray, y0: np.ndarray, y1: np.ndarray
) -> list[list[_Chain]]:
    """Chains that continue one another on the same straight line, grouped (longest first)."""
    chains = sorted(chains, key=lambda c: -len(c.members))
    merged: list[list[_Chain]] = []
    for chain in chains:
        for group in merged:
            base = group[0]
            h_base, h_new = base.bottom - base.top, chain.bottom - chain.top
            if not 0.85 <= h_base / max(h_new, 1e-6) <= 1.18:
                continue
            xs = cx[chain.members]
            tops_fit = np.all(
                np.abs(y0[chain.members] - (base.slope * xs + base.top)) <= 0.45 * h_base
            )
            bottoms = np.abs(y1[chain.members] - (base.slope * xs + base.bottom))
            if tops_fit and np.median(bottoms) <= 0.22 * h_base:
                group.append(chain)
                break
        else:
            merged.append([chain])
    return merged


# The sizes looked for, as factors of the file's resolution tag: a tag is a hint (scanners write
# 200 for 300-dpi scans, or nothing), and a line found at any of them is then measured itself.
SCALE_FACTORS = (1.0, 0.75, 1.33, 0.6, 1.75)


def lines_at_every_scale(
    mask: np.ndarray, dpi: float, stats: np.ndarray | None = None
) -> Iterator[LineCandidate]:
    """Candidates at every size from 0.6x to 1.8x the tagged one, the tagged size first (a caller
    that finds its line there looks no further), each line once, longest first within a size."""
    stats = component_stats(mask) if stats is None else stats
    found: list[LineCandidate] = []
    for factor in SCALE_FACTORS:
        for cand in find_line_candidates(mask, dpi * factor, stats):
            if len(found) < 2 * MAX_CANDIDATES and not any(_same_line(cand, s) for s in found):
                found.append(cand)
                yield cand


def _same_line(a: LineCandidate, b: LineCandidate) -> bool:
    mid = (a.x_min + a.x_max) / 2
    gap = abs((a.slope * mid + a.top) - (b.slope * mid + b.top))
    overlap = min(a.x_max, b.x_max) - max(a.x_min, b.x_min)
    return (
        gap < 0.3 * min(a.height, b.height) and 0.8 <= a.height / b.height <= 1.25 and overlap > 0
    )


def cut_strip(
    gray: np.ndarray,
    cand: LineCandidate,
    margin_heights: float = 0.6,
    reach_pitches: float = REACH_PITCHES,
) -> LineStrip:
    """The candidate line resampled upright, with room above and below (`margin_heights`
    character heights) and `reach_pitches` past both ends."""
    theta = math.atan(cand.slope)
    cos, sin = math.cos(theta), math.sin(theta)
    unit = cand.height / HEIGHT_UNITS
    pitch = PITCH_UNITS * unit
    margin = margin_heights * cand.height
    x_start = cand.x_min - reach_pitches * pitch
    x_end = cand.x_max + reach_pitches * pitch
    # origin: the top line at x_start, moved `margin` up along the line's normal
    ox = x_start + margin * sin
    oy = cand.slope * x_start + cand.top - margin * cos
    width = max(1, int(math.ceil((x_end - x_start) / cos)))
    height = max(1, int(math.ceil(cand.height + 2 * margin)))
    to_page = np.array([[cos, -sin, ox], [sin, cos, oy]], dtype=np.float64)
    image = cv2.warpAffine(
        gray,
        to_page,
        (width, height),
        flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=255,
    )
    return LineStrip(image, to_page, margin, unit, cand.height)


def on_band(stats: np.ndarray, cand: LineCandidate) -> tuple[np.ndarray, np.ndarray]:
    """Which components (`component_stats` rows) sit on the candidate line's rows, their middles
    within 0.8 character heights of the line's, and the line's top edge above each of them."""
    x, y, w, h = stats[:, 0], stats[:, 1], stats[:, 2], stats[:, 3]
    top = cand.slope * (x + w / 2) + cand.top
    mid = y + h / 2
    return (mid > top - 0.3 * cand.height) & (mid < top + 1.3 * cand.height), top


def cut_band(
    gray: np.ndarray, cand: LineCandidate, stats: np.ndarray, reach: float, margin_heights: float
) -> LineStrip:
    """The whole code line a candidate belongs to, cut out upright as one strip: the candidate
    and every character-tall piece of ink on its rows chained to it (gaps under `reach` pixels),
    such as the amount field a bank encodes after deposit a little above or below the rest.

    The strip's `char_height` is the band's height (the fields' offsets included), its `unit` the
    candidate's own."""
    x, y, w, h = stats[:, 0], stats[:, 1], stats[:, 2], stats[:, 3]
    on_line, top = on_band(stats, cand)
    # characters and their parts (a dash, a symbol's squares), not specks and not rules
    part = (h >= 0.15 * cand.height) & (h <= 1.3 * cand.height) & (w <= 1.2 * cand.height)
    part &= stats[:, 4] >= 0.01 * cand.height * cand.height
    pieces = np.flatnonzero(on_line & part)
    lo, hi = cand.x_min, cand.x_max
    chained = []
    for i in sorted(pieces, key=lambda i: x[i]):  # over the candidate, then rightwards
        if x[i] + w[i] > lo and x[i] < hi:
            chained.append(i)
        elif hi <= x[i] < hi + reach:
            hi = max(hi, x[i] + w[i])
            chained.append(i)
    for i in sorted(pieces, key=lambda i: -(x[i] + w[i])):  # leftwards
        if lo - reach < x[i] + w[i] <= lo:
            lo = min(lo, x[i])
            chained.append(i)
    # the band's extent, measured from the line's top edge
    up = min([0.0, *(float(y[i] - top[i]) for i in chained)])
    down = max([cand.height, *(float(y[i] + h[i] - top[i]) for i in chained)])
    band = LineCandidate(cand.slope, cand.top + up, down - up, lo, hi, cand.members)
    strip = cut_strip(gray, band, margin_heights, reach_pitches=BAND_REACH_PITCHES)
    return LineStrip(
        strip.image, strip.to_page, strip.margin, cand.height / HEIGHT_UNITS, band.height
    )


def strip_box_on_page(
    strip: LineStrip, u0: float, u1: float, v0: float, v1: float, shape: tuple[int, ...]
) -> Box:
    """The page's axis-aligned box (x0, y0, x1, y1) around a strip rectangle, clipped."""
    corners = np.array([[u0, v0, 1], [u1, v0, 1], [u0, v1, 1], [u1, v1, 1]], dtype=np.float64)
    pts = corners @ strip.to_page.T
    h, w = shape[:2]
    x0 = int(max(0, math.floor(pts[:, 0].min())))
    y0 = int(max(0, math.floor(pts[:, 1].min())))
    x1 = int(min(w, math.ceil(pts[:, 0].max())))
    y1 = int(min(h, math.ceil(pts[:, 1].max())))
    return x0, y0, x1, y1
