"""The training and test sets: synthetic lines (and harvested crops) as one packed array on disk,
so a run can be repeated, and resumed, without drawing everything again.

Every line is drawn from its own seed (`seed`, index), so the set is the same whatever the number
of worker processes.
"""

from __future__ import annotations

import importlib
import inspect
import json
import random
import zlib
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ocr.recognizer import HEIGHT
from training.fonts import Font
from training.render import render

HAND_SHARE = 0.7  # handwriting is what Tesseract reads badly: most lines are handwritten
SCAN_SHARE = 0.05  # coupon scan lines in OCR-A, which Tesseract's English model misreads


@dataclass
class LineSet:
    images: list[np.ndarray]  # uint8 (HEIGHT, width), ink 255
    labels: list[str]
    fonts: list[str]
    kinds: list[str]

    def __len__(self) -> int:
        return len(self.labels)

    def extend(self, other: LineSet) -> None:
        self.images += other.images
        self.labels += other.labels
        self.fonts += other.fonts
        self.kinds += other.kinds

    def save(self, path: Path) -> None:
        widths = np.array([im.shape[1] for im in self.images], np.int32)
        packed = np.concatenate(self.images, axis=1) if self.images else np.zeros((HEIGHT, 0))
        meta = {"labels": self.labels, "fonts": self.fonts, "kinds": self.kinds}
        np.savez_compressed(path, packed=packed, widths=widths, meta=json.dumps(meta))

    @classmethod
    def load(cls, path: Path) -> LineSet:
        data = np.load(path)
        meta = json.loads(str(data["meta"]))
        offsets = np.concatenate([[0], np.cumsum(data["widths"])])
        packed = data["packed"]
        images = [packed[:, a:b] for a, b in zip(offsets[:-1], offsets[1:], strict=True)]
        return cls(images, meta["labels"], meta["fonts"], meta["kinds"])


# The code that writes, degrades and cuts out a training line.
DRAWN_BY = (
    "training.render",
    "training.texts",
    "training.fonts",
    "training.dataset",
    "ocr.cleanup",
    "ocr.isolate",
    "ocr.recognizer",
    "sample_data.strokes",
    "sample_data.drawing",
    "sample_data.digits",
    "sample_data.wording",
    "sample_data.scanline",
)


def drawn_in(fonts: list[Font], scan: list[Font], digit_share: float = 0.0) -> str:
    """A short name for the fonts and writers a set is drawn in (and the share of people's
    digits) and for the code that draws it, so a cached set drawn otherwise, or before the
    drawing changed, is never taken for it."""
    names = ",".join(f.name for f in (*fonts, *scan))
    share = f"-digits{digit_share:g}" if digit_share else ""
    code = b"".join(
        Path(inspect.getfile(importlib.import_module(name))).read_bytes() for name in DRAWN_BY
    )
    return f"{zlib.crc32(names.encode()):08x}-{zlib.crc32(code):08x}{share}"


def _one(
    seed: int,
    index: int,
    pools: tuple[list[Font], list[Font], list[Font], list[Font]],
    digit_share: float,
) -> tuple[np.ndarray, str, str, str]:
    """Line `index` of the set: from the pools (drawn hands, people's digits, printed, scan)."""
    drawn, real, printed, scan = pools
    rng = random.Random(f"{seed}-{index}")
    while True:
        if scan and rng.random() < SCAN_SHARE:
            sample = render(rng, rng.choice(scan), "scanline")
            if sample is not None:
                return sample.image, sample.label, sample.font, sample.kind
            continue
        if real and digit_share and rng.random() < digit_share:
            pool = real
        else:
            pool = drawn if (rng.random() < HAND_SHARE or not printed) else printed
        sample = render(rng, rng.choice(pool))
        if sample is not None:
            return sample.image, sample.label, sample.font, sample.kind


def _chunk(args: tuple[int, int, int, list[Font], list[Font], float]) -> LineSet:
    seed, start, stop, fonts, scan, digit_share = args
    drawn = [f for f in fonts if f.hand and f.digits is None]
    real = [f for f in fonts if f.digits is not None]
    printed = [f for f in fonts if not f.hand]
    out = LineSet([], [], [], [])
    for i in range(start, stop):
        image, label, font, kind = _one(seed, i, (drawn, real, printed, scan), digit_share)
        out.images.append(image)
        out.labels.append(label)
        out.fonts.append(font)
        out.kinds.append(kind)
    return out


def synthesize(
    seed: int,
    count: int,
    fonts: list[Font],
    workers: int = 2,
    scan: list[Font] | None = None,
    digit_share: float = 0.0,
) -> LineSet:
    """`count` labelled lines drawn in `fonts` (and coupon scan lines in `scan` fonts), about
    `digit_share` of them in people's digits when `fonts` has that hand (`fonts.real_digits`)."""
    step = 500
    jobs = [
        (seed, a, min(count, a + step), fonts, scan or [], digit_share)
        for a in range(0, count, step)
    ]
    out = LineSet([], [], [], [])
    with ProcessPoolExecutor(workers) as pool:
        for part in pool.map(_chunk, jobs):
            out.extend(part)
    return out
