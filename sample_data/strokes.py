"""Handwriting drawn stroke by stroke, not from a font: a pen moved along each letter's skeleton.

Every font hand, however varied, repeats its glyphs exactly and fills outlines a type designer
drew; a person's pen does neither. Here each character is a few strokes (polylines through a
skeleton in a box one digit tall, baseline at 0), and a writer (`StrokeHand`, drawn from a seed) has
a slant, a width, an x-height, a pen, and a hand that wobbles: every stroke of every character is
bent anew, so no two 7s of one writer are alike. The same writer is the same person on every check
(the seed is the writer), so a re-scan of a check looks like the first scan.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

from sample_data.drawing import Sheet

Point = tuple[float, float]
Stroke = list[Point]

X_HEIGHT = 0.55  # where the skeletons' lower case stands, in digit heights


def _arc(cx: float, cy: float, rx: float, ry: float, a0: float, a1: float) -> Stroke:
    """Points along an ellipse from angle a0 to a1 (degrees, counter-clockwise, y up)."""
    n = max(3, int(abs(a1 - a0) / 12))
    out = []
    for k in range(n + 1):
        a = math.radians(a0 + (a1 - a0) * k / n)
        out.append((cx + rx * math.cos(a), cy + ry * math.sin(a)))
    return out


def _dot(x: float, y: float, r: float = 0.035) -> Stroke:
    return _arc(x, y, r, r, 0, 360)


def _bowl(right: float = 0.47) -> Stroke:
    """The round part of a, b, d, g, o, p, q at x-height."""
    return _arc(right / 2 + 0.02, 0.27, right / 2 - 0.01, 0.27, 0, 360)


def _hump(x0: float, x1: float) -> Stroke:
    """An n's arch from x0 to x1, coming down to the baseline."""
    r = (x1 - x0) / 2
    return [(x0, 0.3), *_arc(x0 + r, 0.32, r, 0.22, 180, 0), (x1, 0.0)]


# Skeletons: each character's strokes in digit heights (x right, y up, baseline 0, digits 1 tall).
GLYPHS: dict[str, list[Stroke]] = {
    "0": [_arc(0.3, 0.5, 0.27, 0.5, 95, 455)],
    "1": [[(0.1, 0.78), (0.3, 1.0), (0.3, 0.0)]],
    "2": [[*_arc(0.3, 0.72, 0.26, 0.28, 160, -25), (0.03, 0.0), (0.6, 0.02)]],
    "3": [[*_arc(0.28, 0.76, 0.23, 0.24, 155, -90), *_arc(0.28, 0.27, 0.28, 0.27, 90, -155)]],
    "4": [[(0.47, 0.0), (0.47, 1.0), (0.02, 0.3), (0.62, 0.3)]],
    "5": [[(0.56, 1.0), (0.14, 1.0), (0.09, 0.56), *_arc(0.31, 0.32, 0.28, 0.33, 135, -150)]],
    "6": [[*_arc(0.58, 0.45, 0.52, 0.55, 100, 185), *_arc(0.31, 0.29, 0.27, 0.29, 180, 540)]],
    "7": [[(0.03, 1.0), (0.6, 1.0), (0.22, 0.0)]],
    "8": [_arc(0.3, 0.76, 0.22, 0.24, -90, 270), _arc(0.3, 0.27, 0.28, 0.27, 90, 450)],
    "9": [_arc(0.3, 0.7, 0.26, 0.3, 0, 360), [(0.56, 0.72), (0.52, 0.3), (0.38, 0.0)]],
    ".": [_dot(0.1, 0.04)],
    ",": [[(0.13, 0.06), (0.05, -0.16)]],
    "/": [[(0.04, -0.05), (0.45, 1.05)]],
    "-": [[(0.05, 0.42), (0.4, 0.44)]],
    "$": [
        [*_arc(0.3, 0.73, 0.24, 0.2, 25, 270), *_arc(0.3, 0.3, 0.25, 0.23, 90, -160)],
        [(0.31, 1.12), (0.29, -0.12)],
    ],
    "*": [
        [(0.22, 0.95), (0.22, 0.55)],
        [(0.05, 0.85), (0.4, 0.65)],
        [(0.05, 0.65), (0.4, 0.85)],
    ],
    "#": [
        [(0.2, 0.9), (0.12, 0.1)],
        [(0.45, 0.9), (0.37, 0.1)],
        [(0.02, 0.65), (0.58, 0.65)],
        [(0.0, 0.35), (0.56, 0.35)],
    ],
    "'": [[(0.1, 1.0), (0.07, 0.75)]],
    "~": [[(0.02, 0.4), (0.12, 0.5), (0.25, 0.43), (0.38, 0.35), (0.5, 0.45)]],
    "&": [
        [(0.6, 0.0), (0.18, 0.55), (0.16, 0.78), (0.28, 0.95), (0.42, 0.82), (0.36, 0.62)]
        + [(0.08, 0.3), (0.1, 0.08), (0.3, 0.0), (0.55, 0.3)]
    ],
    "a": [_bowl(), [(0.47, 0.55), (0.47, 0.0)]],
    "b": [[(0.05, 1.0), (0.05, 0.0)], _arc(0.27, 0.27, 0.22, 0.27, 180, 540)],
    "c": [_arc(0.27, 0.27, 0.24, 0.27, 40, 320)],
    "d": [_bowl(), [(0.47, 1.0), (0.47, 0.0)]],
    "e": [[(0.04, 0.28), (0.49, 0.28), *_arc(0.26, 0.27, 0.23, 0.27, 10, 320)]],
    "f": [[*_arc(0.36, 0.84, 0.16, 0.16, 20, 180), (0.2, 0.0)], [(0.04, 0.53), (0.4, 0.53)]],
    "g": [_bowl(), [(0.47, 0.55), (0.47, -0.18), *_arc(0.26, -0.18, 0.21, 0.18, 0, -160)]],
    "h": [[(0.05, 1.0), (0.05, 0.0)], _hump(0.05, 0.47)],
    "i": [[(0.1, 0.55), (0.1, 0.0)], _dot(0.1, 0.8)],
    "j": [[(0.22, 0.55), (0.22, -0.2), *_arc(0.08, -0.2, 0.14, 0.16, 0, -160)], _dot(0.22, 0.8)],
    "k": [[(0.05, 1.0), (0.05, 0.0)], [(0.42, 0.55), (0.07, 0.22), (0.45, 0.0)]],
    "l": [[(0.08, 1.0), (0.08, 0.0)]],
    "m": [[(0.05, 0.55), (0.05, 0.0)], _hump(0.05, 0.36), _hump(0.36, 0.67)],
    "n": [[(0.05, 0.55), (0.05, 0.0)], _hump(0.05, 0.45)],
    "o": [_arc(0.26, 0.27, 0.23, 0.27, 90, 450)],
    "p": [[(0.05, 0.55), (0.05, -0.38)], _arc(0.27, 0.27, 0.22, 0.27, 180, 540)],
    "q": [_bowl(), [(0.47, 0.55), (0.47, -0.38)]],
    "r": [[(0.05, 0.55), (0.05, 0.0)], [(0.05, 0.3), *_arc(0.25, 0.3, 0.2, 0.22, 180, 55)]],
    "s": [[*_arc(0.22, 0.41, 0.17, 0.13, 20, 270), *_arc(0.22, 0.14, 0.19, 0.14, 90, -160)]],
    "t": [[(0.18, 0.86), (0.18, 0.08), (0.24, 0.0), (0.36, 0.02)], [(0.03, 0.55), (0.36, 0.55)]],
    "u": [
        [(0.05, 0.55), (0.05, 0.2), *_arc(0.25, 0.22, 0.2, 0.22, 180, 360)],
        [(0.45, 0.55), (0.45, 0.0)],
    ],
    "v": [[(0.02, 0.55), (0.22, 0.0), (0.44, 0.55)]],
    "w": [[(0.02, 0.55), (0.15, 0.0), (0.3, 0.42), (0.45, 0.0), (0.6, 0.55)]],
    "x": [[(0.03, 0.55), (0.43, 0.0)], [(0.43, 0.55), (0.03, 0.0)]],
    "y": [[(0.03, 0.55), (0.24, 0.05)], [(0.45, 0.55), (0.15, -0.38)]],
    "z": [[(0.04, 0.55), (0.42, 0.55), (0.04, 0.0), (0.44, 0.0)]],
    "A": [[(0.02, 0.0), (0.32, 1.0), (0.62, 0.0)], [(0.14, 0.38), (0.5, 0.38)]],
    "B": [
        [(0.05, 0.0), (0.05, 1.0), *_arc(0.3, 0.76, 0.25, 0.24, 90, -90), (0.05, 0.52)],
        [(0.05, 0.52), *_arc(0.32, 0.26, 0.28, 0.26, 90, -90), (0.05, 0.0)],
    ],
    "C": [_arc(0.37, 0.5, 0.34, 0.5, 45, 315)],
    "D": [[(0.05, 0.0), (0.05, 1.0), *_arc(0.12, 0.5, 0.5, 0.5, 90, -90), (0.05, 0.0)]],
    "E": [[(0.5, 1.0), (0.05, 1.0), (0.05, 0.0), (0.52, 0.0)], [(0.05, 0.52), (0.4, 0.52)]],
    "F": [[(0.5, 1.0), (0.05, 1.0), (0.05, 0.0)], [(0.05, 0.52), (0.4, 0.52)]],
    "G": [[*_arc(0.37, 0.5, 0.34, 0.5, 45, 340), (0.7, 0.45), (0.44, 0.45)]],
    "H": [[(0.05, 0.0), (0.05, 1.0)], [(0.57, 0.0), (0.57, 1.0)], [(0.05, 0.52), (0.57, 0.52)]],
    "I": [[(0.1, 0.0), (0.1, 1.0)]],
    "J": [[(0.45, 1.0), (0.45, 0.25), *_arc(0.25, 0.25, 0.2, 0.25, 0, -180)]],
    "K": [[(0.05, 0.0), (0.05, 1.0)], [(0.55, 1.0), (0.06, 0.42)], [(0.22, 0.6), (0.58, 0.0)]],
    "L": [[(0.05, 1.0), (0.05, 0.0), (0.5, 0.0)]],
    "M": [[(0.05, 0.0), (0.1, 1.0), (0.37, 0.3), (0.64, 1.0), (0.7, 0.0)]],
    "N": [[(0.05, 0.0), (0.05, 1.0), (0.57, 0.0), (0.57, 1.0)]],
    "O": [_arc(0.36, 0.5, 0.34, 0.5, 90, 450)],
    "P": [[(0.05, 0.0), (0.05, 1.0), *_arc(0.3, 0.74, 0.26, 0.26, 90, -90), (0.05, 0.48)]],
    "Q": [_arc(0.36, 0.5, 0.34, 0.5, 90, 450), [(0.42, 0.22), (0.74, -0.06)]],
    "R": [
        [(0.05, 0.0), (0.05, 1.0), *_arc(0.3, 0.74, 0.26, 0.26, 90, -90), (0.05, 0.48)],
        [(0.26, 0.48), (0.58, 0.0)],
    ],
    "S": [[*_arc(0.3, 0.75, 0.26, 0.25, 25, 270), *_arc(0.3, 0.26, 0.28, 0.26, 90, -160)]],
    "T": [[(0.0, 1.0), (0.62, 1.0)], [(0.31, 1.0), (0.31, 0.0)]],
    "U": [[(0.05, 1.0), (0.05, 0.3), *_arc(0.3, 0.3, 0.25, 0.3, 180, 360), (0.55, 1.0)]],
    "V": [[(0.02, 1.0), (0.3, 0.0), (0.58, 1.0)]],
    "W": [[(0.02, 1.0), (0.2, 0.0), (0.4, 0.7), (0.6, 0.0), (0.78, 1.0)]],
    "X": [[(0.03, 1.0), (0.57, 0.0)], [(0.57, 1.0), (0.03, 0.0)]],
    "Y": [[(0.02, 1.0), (0.3, 0.5), (0.58, 1.0)], [(0.3, 0.5), (0.3, 0.0)]],
    "Z": [[(0.05, 1.0), (0.55, 1.0), (0.05, 0.0), (0.57, 0.0)]],
}


def covers(text: str) -> bool:
    """Whether every character of `text` has a skeleton (spaces need none)."""
    return all(ch == " " or ch in GLYPHS for ch in text)


@dataclass(frozen=True)
class StrokeHand:
    """One writer: how every character they write is bent from its skeleton."""

    slant: float  # shear, x per unit of height (positive leans right)
    width: float  # characters' width against the skeleton's
    x_height: float  # lower case height, in digit heights
    pen: float  # pen width, in digit heights
    wobble: float  # how far a stroke's points wander, in digit heights
    spacing: float  # gap between characters, in digit heights
    drift: float  # how far characters wander off the baseline, in digit heights

    @classmethod
    def of_writer(cls, seed: int) -> StrokeHand:
        rng = random.Random(f"stroke-hand:{seed}")
        return cls(
            slant=math.tan(math.radians(rng.uniform(-8.0, 24.0))),
            width=rng.uniform(0.75, 1.3),
            x_height=rng.uniform(0.42, 0.68),
            pen=rng.uniform(0.05, 0.13),
            wobble=rng.uniform(0.01, 0.045),
            spacing=rng.uniform(0.06, 0.3),
            drift=rng.uniform(0.0, 0.06),
        )


def _lower_case(y: float, x_height: float) -> float:
    """A lower-case skeleton's height moved to the writer's x-height (ascenders reach 1)."""
    if y <= X_HEIGHT:
        return y * x_height / X_HEIGHT
    return x_height + (y - X_HEIGHT) * (1 - x_height) / (1 - X_HEIGHT)


def _bent(stroke: Stroke, rng: random.Random, wobble: float) -> np.ndarray:
    """A stroke as this instance of the pen moves it: a smooth wander, not per-point noise."""
    pts = np.array(stroke, np.float64)
    n = len(pts)
    noise = np.array([[rng.gauss(0, wobble), rng.gauss(0, wobble)] for _ in range(n)])
    if n > 4:  # smooth along the stroke so the line bends instead of trembling
        kernel = np.ones(5) / 5
        noise = np.stack([np.convolve(noise[:, k], kernel, mode="same") for k in range(2)], 1) * 2
    return pts + noise


def _glyph_strokes(ch: str, hand: StrokeHand, rng: random.Random) -> tuple[list[np.ndarray], float]:
    """One character's strokes, bent as this writer bends them this time, and its width."""
    strokes = []
    turn = math.radians(rng.gauss(0, 3.0))
    scale = rng.uniform(0.92, 1.08)
    lift = rng.gauss(0, hand.drift)
    for raw in GLYPHS[ch]:
        pts = _bent(raw, rng, hand.wobble)
        if ch.islower():
            pts[:, 1] = [_lower_case(y, hand.x_height) for y in pts[:, 1]]
        pts[:, 0] *= hand.width
        pts *= scale
        x, y = pts[:, 0].copy(), pts[:, 1].copy()
        pts[:, 0] = x * math.cos(turn) - y * math.sin(turn) + hand.slant * y
        pts[:, 1] = x * math.sin(turn) + y * math.cos(turn) + lift
        strokes.append(pts)
    right = max(float(s[:, 0].max()) for s in strokes)
    return strokes, max(right, 0.12)


SUPERSAMPLE = 3  # drawn this many times larger, then scaled down: the pen's edge is smooth


def space(height_px: float, hand: StrokeHand, rng: random.Random) -> float:
    """How far the pen moves for a space between words, in pixels."""
    return rng.uniform(0.35, 0.6) * hand.width * height_px


PAD = 0.6  # digit heights of room around the writing


def _render(
    placed: list[np.ndarray], height_px: float, hand: StrokeHand, rng: random.Random
) -> tuple[np.ndarray, float, float]:
    """Strokes (in digit heights, y up, already placed) drawn in the writer's pen as ink coverage
    0..255, at SUPERSAMPLE times the size and scaled down; and where the skeletons' origin (x 0 on
    the baseline) landed in it, in pixels."""
    unit = height_px * SUPERSAMPLE
    pen = max(1, round(hand.pen * unit))
    lo_x = min(float(s[:, 0].min()) for s in placed)
    hi_x = max(float(s[:, 0].max()) for s in placed)
    w = int((hi_x - lo_x + 2 * PAD) * unit) + 1
    h = int((2.2 + 2 * PAD) * unit)
    canvas = np.zeros((h, w), np.uint8)
    for pts in placed:
        xy = np.stack([(pts[:, 0] - lo_x + PAD) * unit, (1.2 + PAD - pts[:, 1]) * unit], 1)
        thick = max(1, pen + rng.choice([-1, 0, 0, 1]) * max(1, pen // 6))
        cv2.polylines(canvas, [np.round(xy).astype(np.int32)], False, 255, thick, cv2.LINE_AA)
    size = (max(1, w // SUPERSAMPLE), max(1, h // SUPERSAMPLE))
    ink = cv2.resize(canvas, size, interpolation=cv2.INTER_AREA)
    return ink, (PAD - lo_x) * height_px, (1.2 + PAD) * height_px


def glyph_ink(
    ch: str, height_px: float, hand: StrokeHand, rng: random.Random
) -> tuple[np.ndarray, int, int, float]:
    """One character as this writer writes it this time: its ink (coverage 0..1, cut to the ink),
    the ink's offset from the pen's place on the baseline, and how far the pen then moves
    (the contract of a font glyph, for drawing training lines letter by letter)."""
    strokes, width = _glyph_strokes(ch, hand, rng)
    drawn, origin_x, origin_y = _render(strokes, height_px, hand, rng)
    ink = drawn.astype(np.float32) / 255.0
    ys, xs = np.nonzero(ink > 0.02)
    advance = (width + hand.spacing * rng.uniform(0.6, 1.4)) * height_px
    if not len(ys):
        return np.zeros((0, 0), np.float32), 0, 0, advance
    y0, y1, x0, x1 = int(ys.min()), int(ys.max()) + 1, int(xs.min()), int(xs.max()) + 1
    return ink[y0:y1, x0:x1].copy(), round(x0 - origin_x), round(y0 - origin_y), advance


def draw(
    text: str, height_px: float, hand: StrokeHand, rng: random.Random
) -> tuple[Image.Image, int, int]:
    """`text` written in the hand, digits `height_px` tall: an ink mask (255 ink), and where the
    first character's baseline starts in it (x, y)."""
    placed: list[np.ndarray] = []
    x = 0.0
    for ch in text:
        if ch == " ":
            x += space(1.0, hand, rng)
            continue
        strokes, width = _glyph_strokes(ch, hand, rng)
        placed += [s + (x, 0.0) for s in strokes]
        x += width + hand.spacing * rng.uniform(0.6, 1.4)
    if not placed:
        return Image.new("L", (1, 1), 0), 0, 0
    ink, origin_x, origin_y = _render(placed, height_px, hand, rng)
    return Image.fromarray(ink, "L"), round(origin_x), round(origin_y)


def write_on(
    sheet: Sheet,
    xy: tuple[float, float],
    text: str,
    height_px: float,
    hand: StrokeHand,
    ink: int,
    rng: random.Random,
    max_width: float,
) -> tuple[int, int, int, int]:
    """`text` written in the hand with its baseline's left end at `xy`, no wider than
    `max_width` (smaller if it must be); the ink's bounding box."""
    return sheet.paste_written(xy, lambda h: draw(text, h, hand, rng), height_px, ink, max_width)
