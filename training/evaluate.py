"""Exact-line accuracy per font, measured through the runtime reader (`ocr.recognizer` on the
exported ONNX), on lines drawn from seeds training never used, held-out fonts included.

Letter case is not scored: six of the hands write small capitals for lower case, and no reader of
amounts, dates or memos depends on case. Each line is also scored by its value (columns marked $):
whether the amount parsers get the right amount out of the read, which is what the reader uses.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import numpy as np

from ocr.courtesy import parse_courtesy
from ocr.fields import parse_memo
from ocr.legal import parse_legal
from ocr.parse.accounts import parse_scan_line
from ocr.parse.dates import parse_date
from ocr.recognizer import read_prepared
from training.fonts import Font
from training.harvest import Crop
from training.render import render
from training.texts import FIGURE_KINDS

Row = dict[str, object]
KINDS = ("courtesy", "legal", "date", "memo")
# What the readers take out of each kind of line (the value a '$' column scores).
PARSERS: dict[str, Callable[[str], object]] = {
    "courtesy": parse_courtesy,
    "legal": parse_legal,
    "date": parse_date,
    "memo": parse_memo,
}


def _value(kind: str, text: str) -> object:
    found = PARSERS[kind](text)
    return found[0] if isinstance(found, tuple) else found


def synthetic_lines(
    fonts: list[Font], per_kind: int, seed: int
) -> list[tuple[Font, str, np.ndarray, str]]:
    out = []
    for font in fonts:
        for kind in FIGURE_KINDS if font.digits is not None else KINDS:
            rng = random.Random(f"test-{seed}-{font.name}-{kind}")
            made = 0
            while made < per_kind:
                s = render(rng, font, kind)
                if s is not None:
                    out.append((font, kind, s.image, s.label))
                    made += 1
    return out


def _score(
    images: list[np.ndarray], labels: list[str], kinds: list[str], model: Path
) -> list[tuple[bool, bool]]:
    """For each line: read exactly (letter case aside), and read as the right amount."""
    reads = read_prepared([im.astype(np.float32) / 255.0 for im in images], path=model)
    out = []
    for r, want, kind in zip(reads, labels, kinds, strict=True):
        text = r.text if r is not None else ""
        # A memo without an account has no value, and reading none there is right.
        truth, got = _value(kind, want), _value(kind, text)
        value = got == truth
        out.append((text.casefold() == want.casefold(), value))
    return out


def _pct(hits: list[int]) -> float:
    return round(100 * hits[0] / max(1, hits[1]), 1)


def per_font(
    fonts: list[Font], held_out: set[str], per_kind: int, seed: int, model: Path
) -> list[Row]:
    """Synthetic lines of every kind per font: exact-line and right-value percentages."""
    lines = synthetic_lines(fonts, per_kind, seed)
    ok = _score([x[2] for x in lines], [x[3] for x in lines], [x[1] for x in lines], model)
    tally: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    hand: dict[str, bool] = {}
    for (font, kind, _, _), (exact, value) in zip(lines, ok, strict=True):
        tally[(font.name, kind)][0] += exact
        tally[(font.name, kind + "$")][0] += value
        tally[(font.name, kind)][1] += 1
        tally[(font.name, kind + "$")][1] += 1
        hand[font.name] = font.hand
    rows: list[Row] = []
    for name in dict.fromkeys(f.name for f in fonts):
        row: Row = {"font": name, "hand": hand[name], "held_out": name in held_out}
        for kind in KINDS:
            row[kind] = _pct(tally[(name, kind)])
            row[kind + "$"] = _pct(tally[(name, kind + "$")])
        row["lines"] = sum(tally[(name, kind)][1] for kind in KINDS)
        rows.append(row)
    return rows


SURE = 0.5  # a read this confident outvotes a Tesseract read in the field's vote


def confidence(font: Font, per_kind: int, seed: int, model: Path) -> list[Row]:
    """Per kind of line a hand writes: read to the right value, and misread at least `SURE`
    confident (the failure that matters: a misread the vote cannot tell from a reading)."""
    lines = synthetic_lines([font], per_kind, seed)
    reads = read_prepared([x[2].astype(np.float32) / 255.0 for x in lines], path=model)
    tally: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for (_, kind, _, want), r in zip(lines, reads, strict=True):
        right = r is not None and _value(kind, r.text) == _value(kind, want)
        t = tally[kind]
        t[0] += right
        t[1] += (not right) and r is not None and r.conf >= SURE
        t[2] += 1
    return [
        {
            "font": font.name,
            "kind": kind,
            "right": _pct([t[0], t[2]]),
            "sure_misread": _pct([t[1], t[2]]),
            "lines": t[2],
        }
        for kind, t in tally.items()
    ]


def real_crops(crops: list[Crop], held_out: set[str], model: Path) -> list[Row]:
    """Harvested crops (the pipeline's own cut-outs of generated checks) per font: exact lines
    and right amounts, as counts."""
    ok = _score([c.image for c in crops], [c.label for c in crops], [c.kind for c in crops], model)
    tally: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    hand: dict[str, bool] = {}
    for crop, (exact, value) in zip(crops, ok, strict=True):
        t = tally[(crop.font, crop.kind)]
        t[0] += exact
        t[1] += value
        t[2] += 1
        hand[crop.font] = crop.hand
    rows: list[Row] = []
    for name in sorted(hand, key=lambda n: (not hand[n], n)):
        row: Row = {"font": name, "hand": hand[name], "held_out": name in held_out}
        for kind in KINDS:
            t = tally[(name, kind)]
            row[kind], row[kind + "$"] = f"{t[0]}/{t[2]}", f"{t[1]}/{t[2]}"
        rows.append(row)
    return rows


def scan_lines(
    fonts: list[Font], held_out: set[str], per_font: int, seed: int, model: Path
) -> list[Row]:
    """Coupon scan lines per font: read exactly, and read as a line whose check digit verifies
    with the right account and amount (what the coupon reader trusts)."""
    rows: list[Row] = []
    for font in fonts:
        rng = random.Random(f"test-{seed}-{font.name}-scanline")
        images: list[np.ndarray] = []
        labels: list[str] = []
        while len(labels) < per_font:
            s = render(rng, font, "scanline")
            if s is not None:
                images.append(s.image)
                labels.append(s.label)
        reads = read_prepared([im.astype(np.float32) / 255.0 for im in images], path=model)
        exact = verified = 0
        for r, want in zip(reads, labels, strict=True):
            text = r.text if r is not None else ""
            exact += text == want
            got, truth = parse_scan_line(text), parse_scan_line(want)
            verified += bool(
                got is not None
                and truth is not None
                and got.check_digit_ok
                and (got.account, got.amount_due) == (truth.account, truth.amount_due)
            )
        rows.append(
            {
                "font": font.name,
                "held_out": font.name in held_out,
                "scanline": _pct([exact, per_font]),
                "scanline$": _pct([verified, per_font]),
                "lines": per_font,
            }
        )
    return rows


def table(rows: list[Row]) -> str:
    if not rows:
        return ""
    keys = list(rows[0])
    widths = {k: max(len(k), *(len(str(r[k])) for r in rows)) for k in keys}
    lines = ["  ".join(k.ljust(widths[k]) for k in keys)]
    lines += ["  ".join(str(r[k]).ljust(widths[k]) for k in keys) for r in rows]
    return "\n".join(lines)
