"""A check photographed lying on a desk: find its four corners and warp it to a flat rectangle.

A phone's picture shows the check as a bright four-sided shape, not square to the camera, on a
darker surface, and its file says 72 dpi whatever the check's size. The paper is found as the
largest bright region (or, on a light desk, the largest closed outline of edges), four corners are
fitted to it, each side along an edge in the picture, and the check is warped flat at the
resolution its own width gives it (a personal or a business check, told apart by its proportions);
the MICR line measures that resolution exactly later (`ocr.cleanup.upright_by_micr`). A scan, where
the check fills the picture or lies on white glass, has no such shape and is left alone.
"""

from __future__ import annotations

import cv2
import numpy as np

from ocr.pages import MAX_PAGE_INCHES

WORK_PX = 800  # the long side of the picture the corners are found on
# The paper must stand out from what it lies on, by this much grey, and cover a share of the
# picture a photo of one check leaves it (a scan's check fills it; a speck of paper is no check).
MIN_CONTRAST = 6
SHARE = (0.12, 0.93)
# The outline must be four-sided: the bright region fills its quadrilateral nearly entirely.
MIN_FILL = 0.9
# Checks are 2.2 (personal, 6 in) to 2.5 (business, 8.5 in) times as wide as tall; the fit
# allows for the perspective of a phone held at a slant.
ASPECT = (1.6, 3.4)
PERSONAL_MAX_ASPECT = 2.3
PERSONAL_IN, BUSINESS_IN = 6.0, 8.5
CHECK_INCHES = (5.0, 9.5)  # a check's width, wallet to voucher
SQUARE = 0.03  # opposite sides this close in length: seen square on, as a scanner sees it
ON_EDGE = 0.7  # the share of each side of the outline that must lie on an edge in the picture
IN_PICTURE = 0.3  # ... of its part in the picture, which is at least this share of the side
OUT_OF_PICTURE = 0.15  # a corner the picture cut off lies at most this share of it outside


def _order(quad: np.ndarray) -> np.ndarray:
    """Corners as top-left, top-right, bottom-right, bottom-left."""
    pts = quad.reshape(4, 2).astype(np.float32)
    s, d = pts.sum(axis=1), np.diff(pts, axis=1).ravel()
    return np.array([pts[s.argmin()], pts[d.argmin()], pts[s.argmax()], pts[d.argmax()]])


def _sides(quad: np.ndarray) -> tuple[float, float, float, float]:
    """Top, right, bottom and left side lengths of corners in `_order`."""
    tl, tr, br, bl = quad
    return (
        float(np.linalg.norm(tr - tl)),
        float(np.linalg.norm(br - tr)),
        float(np.linalg.norm(br - bl)),
        float(np.linalg.norm(bl - tl)),
    )


def _quad(contour: np.ndarray) -> np.ndarray | None:
    """Four corners fitted to a convex outline, or None when it is not four-sided."""
    hull = cv2.convexHull(contour)
    length = cv2.arcLength(hull, True)
    for eps in (0.01, 0.02, 0.03, 0.05, 0.08):
        approx = cv2.approxPolyDP(hull, eps * length, True)
        if len(approx) == 4:
            return approx.reshape(4, 2).astype(np.float32)
        if len(approx) < 4:
            break
    return None


def _edges(small: np.ndarray) -> np.ndarray:
    return cv2.dilate(cv2.Canny(small, 20, 50), np.ones((3, 3), np.uint8), iterations=2)


def _outlines(small: np.ndarray, edges: np.ndarray) -> list[np.ndarray]:
    """Candidate outlines of the paper, largest first: the bright region (paper on a dark desk)
    and the closed edges (paper on a light desk, or in a shadow that splits its brightness)."""
    _, bright = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    out: list[np.ndarray] = []
    for mask, closed in ((bright, True), (edges, False)):
        contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        if not closed:  # an edge broken where paper and desk are alike still spans the paper
            contours = [cv2.convexHull(c) for c in contours]
        out += sorted(contours, key=cv2.contourArea, reverse=True)[:3]
    return out


def _on_edges(quad: np.ndarray, edges: np.ndarray) -> bool:
    """Whether each side of `quad` runs along an edge in the picture, as a sheet's border does
    (a bright patch of uneven light on a scan has sides that cross the paper's middle). A side
    the picture cuts off is judged by its part in the picture, if enough of it is there."""
    h, w = edges.shape
    for a, b in zip(quad, np.roll(quad, -1, axis=0), strict=True):
        t = np.linspace(0.1, 0.9, 40)[:, None]
        pts = np.round(a + (b - a) * t).astype(int)
        xs, ys = pts[:, 0], pts[:, 1]
        seen = (xs >= 0) & (xs < w) & (ys >= 0) & (ys < h)
        if seen.mean() < IN_PICTURE or (edges[ys[seen], xs[seen]] > 0).mean() < ON_EDGE:
            return False
    return True


def _paper(small: np.ndarray, edges: np.ndarray, outline: np.ndarray) -> np.ndarray | None:
    """The four corners of `outline` when it is a check's: four-sided along edges in the
    picture, of a check's proportions and share of the picture, brighter than what lies around."""
    quad = _quad(outline)
    if quad is None:
        return None
    quad = _order(quad)
    if not _on_edges(quad, edges):
        return None
    area = float(cv2.contourArea(quad))
    if not SHARE[0] <= area / small.size <= SHARE[1]:
        return None
    if float(cv2.contourArea(outline)) < MIN_FILL * area:
        return None
    top, right, bottom, left = _sides(quad)
    long_, short = max(top + bottom, left + right), min(top + bottom, left + right)
    if short <= 0 or not ASPECT[0] <= long_ / short <= ASPECT[1]:
        return None
    inside = np.zeros_like(small)
    cv2.fillPoly(inside, [quad.astype(np.int32)], 255)
    ring = (cv2.dilate(inside, np.ones((15, 15), np.uint8)) > 0) & (inside == 0)
    if not ring.any():
        return None
    if float(np.median(small[inside > 0])) - float(np.median(small[ring])) < MIN_CONTRAST:
        return None
    return quad


def find_corners(gray: np.ndarray, by_sides: bool = True) -> np.ndarray | None:
    """The photographed check's corners in `gray`'s pixels (top-left first, clockwise), or None
    when the picture shows no bright four-sided paper on a darker surface, nor (`by_sides`) four
    straight sides of a check's proportions (`_sides_quad`)."""
    h, w = gray.shape
    scale = min(1.0, WORK_PX / max(h, w))
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    small = cv2.resize(gray, size, interpolation=cv2.INTER_AREA)
    small = cv2.GaussianBlur(small, (5, 5), 0)
    edges = _edges(small)
    for outline in _outlines(small, edges):
        quad = _paper(small, edges, outline)
        if quad is not None:
            return quad / scale
    quad = _sides_quad(small, edges) if by_sides else None
    return quad / scale if quad is not None else None


SIDE_MIN = 0.15  # a side's straight edge spans at least this share of the picture's short side
ACROSS_DEG = 35.0  # a side this close to level runs across the check (top, bottom); else down it
# The longest lines of each direction tried as the check's sides: its printed rules are long
# straight lines too, and can outnumber its sides.
LINES_EACH = 16


def _lines(small: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """The picture's long straight edges as lines (x, y, dx, dy: a point and a unit direction),
    pieces on one line joined, longest first: those running across, and those running down."""
    h, w = small.shape
    half = cv2.resize(small, (w // 2, h // 2), interpolation=cv2.INTER_AREA)  # sides are long
    found = cv2.HoughLinesP(
        cv2.Canny(half, 20, 50),
        1,
        np.pi / 180,
        threshold=int(SIDE_MIN * min(h, w) / 4),
        minLineLength=SIDE_MIN * min(h, w) / 2,
        maxLineGap=0.01 * max(h, w),
    )
    groups: tuple[list[np.ndarray], list[np.ndarray]] = ([], [])  # x, y, dx, dy, length
    for x0, y0, x1, y1 in [] if found is None else 2 * found.reshape(-1, 4).astype(np.float64):
        length = float(np.hypot(x1 - x0, y1 - y0))
        d = np.array([x1 - x0, y1 - y0]) / length
        angle = np.degrees(np.arctan2(d[1], d[0])) % 180
        group = groups[0 if min(angle, 180 - angle) <= ACROSS_DEG else 1]
        normal = np.array([-d[1], d[0]])
        for line in group:
            if abs(line[2:4] @ d) > 0.995 and abs(normal @ (line[:2] - (x0, y0))) < 4:
                line[4] += length
                break
        else:
            group.append(np.array([x0, y0, d[0], d[1], length]))
    across, down = (sorted(g, key=lambda line: -line[4])[:LINES_EACH] for g in groups)
    return [line[:4] for line in across], [line[:4] for line in down]


def _meet(a: np.ndarray, b: np.ndarray) -> np.ndarray | None:
    """Where two lines (point, direction) cross."""
    m = np.array([[a[2], -b[2]], [a[3], -b[3]]])
    if abs(np.linalg.det(m)) < 1e-6:
        return None
    t = np.linalg.solve(m, b[:2] - a[:2])[0]
    return a[:2] + t * a[2:]


def _sides_quad(small: np.ndarray, edges: np.ndarray) -> np.ndarray | None:
    """The check as the four-sided shape its straight edges make, when no region or closed
    outline gave it: a check on a light desk beside other paper, or filling the picture, still
    has four straight sides, and one the picture cut a corner off has its corner where two of
    them meet. Of every top and bottom, left and right side the long edges offer, the largest
    quadrilateral of a check's proportions and share of the picture whose sides all run along
    edges."""
    h, w = small.shape
    out_x, out_y = OUT_OF_PICTURE * w, OUT_OF_PICTURE * h
    across, down = _lines(small)
    best, best_area = None, 0.0
    for i, top in enumerate(across):
        for bottom in across[i + 1 :]:
            for j, left in enumerate(down):
                for right in down[j + 1 :]:
                    corners = [_meet(top, left), _meet(top, right), _meet(bottom, right)]
                    corners.append(_meet(bottom, left))
                    if any(c is None for c in corners):
                        continue
                    quad = _order(np.array(corners, np.float32))
                    if (quad[:, 0] < -out_x).any() or (quad[:, 0] > w + out_x).any():
                        continue
                    if (quad[:, 1] < -out_y).any() or (quad[:, 1] > h + out_y).any():
                        continue
                    area = float(cv2.contourArea(quad))
                    if area <= best_area or not SHARE[0] <= area / small.size <= 1.0:
                        continue
                    t, r, b, lft = _sides(quad)
                    long_, short = max(t + b, lft + r), min(t + b, lft + r)
                    if short <= 0 or not ASPECT[0] <= long_ / short <= ASPECT[1]:
                        continue
                    if not _on_edges(quad, edges):
                        continue
                    best, best_area = quad, area
    return best


def flatten_photo(gray: np.ndarray, dpi: int) -> tuple[np.ndarray, int] | None:
    """The photographed check warped flat, its long side across, at its resolution; None when
    `gray` is no photo of a check (`find_corners`), or is a scan of one: a check on a scanner's
    dark background, square to it and as wide as the file's resolution says a check is, is left
    to the scan's clean-up. The resolution is the file's when that makes the check as wide as a
    check is, else what its width gives it (a phone writes 72 dpi whatever it shows). A picture
    its resolution makes the size of a check or a sheet is a scan: its printed lines are not
    looked at for the check's sides (a rule and a box could make a check-shaped quadrilateral)."""
    page_sized = gray.shape[1] / max(dpi, 1) <= MAX_PAGE_INCHES
    corners = find_corners(gray, by_sides=not page_sized)
    if corners is None:
        return None
    tl, tr, br, bl = corners
    sides = _sides(corners)
    across, down = max(sides[0], sides[2]), max(sides[1], sides[3])
    if down > across:  # the check stood on its side in the picture: its left edge goes on top
        corners = np.array([bl, tl, tr, br])
        across, down = down, across
    square = all(abs(a - b) <= SQUARE * max(a, b) for a, b in (sides[0::2], sides[1::2]))
    tagged = CHECK_INCHES[0] <= across / max(dpi, 1) <= CHECK_INCHES[1]
    if square and tagged:
        return None
    width, height = round(across), round(down)
    target = np.array([[0, 0], [width, 0], [width, height], [0, height]], np.float32)
    matrix = cv2.getPerspectiveTransform(corners.astype(np.float32), target)
    flat = cv2.warpPerspective(
        gray, matrix, (width, height), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )
    if not tagged:
        inches = PERSONAL_IN if width / height <= PERSONAL_MAX_ASPECT else BUSINESS_IN
        dpi = max(1, round(width / inches))
    return sharpen(flat, dpi), dpi


SHARPEN = 1.0  # how much of the detail a blur takes away is added back
SHARPEN_IN = 0.005  # ... the blur's sigma, in inches: about a thin pen stroke's width


def sharpen(gray: np.ndarray, dpi: int) -> np.ndarray:
    """An unsharp mask, as phone scanning apps apply: a lens and the warp's resampling leave thin
    strokes (hairlines, outline lettering) light grey, and the ink threshold would lose them."""
    blur = cv2.GaussianBlur(gray, (0, 0), SHARPEN_IN * dpi)
    out = cv2.addWeighted(gray, 1 + SHARPEN, blur, -SHARPEN, 0, dtype=cv2.CV_32F)
    return np.clip(out, 0, 255).astype(np.uint8)
