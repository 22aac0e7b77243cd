"""Read an E-13B line whole with the project's learned line reader (ocr/models/micr_line.onnx,
trained by `make micr-model`): a CTC network over the upright strip, no character cutting.

Real scans break characters into specks and run neighbours together; cutting them into boxes
first is where a box-by-box reader loses them. The line reader sees the strip at one height,
whatever the scan's resolution, and says for every few columns which glyph (or none) is there.
A glyph it is unsure of, or ink it half-believes is a glyph, becomes ``?``: a line is never
closed up over a character it did not read.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np

from ocr.dnn import forward, load, softmax
from ocr.micr.characters import LOST_INK_UNITS, Char
from ocr.micr.glyphs import PITCH_UNITS
from ocr.micr.lines import LineStrip, ink_mask
from ocr.recognizer import HEIGHT, STRIDE  # the one line network's shape (training.model)

MODEL = Path(__file__).resolve().parents[1] / "models" / "micr_line.onnx"
MARGIN = 0.35  # paper kept above and below the characters, in character heights
MAX_WIDTH = 4000  # input columns: a whole 8.5 in business check line at this height is ~2000
# Ink further than this (in pitches) from every character read belongs to none of them: a
# character is at most 0.091 in wide on a 0.125 in pitch, so its ink stays within 0.4 of its
# centre, and the network's frames for it sit near that centre.
CLEAR_PITCHES = 0.6
RULE_HEIGHTS = 1.3  # ink taller than the band by this much is a rule or an edge, not a character
# A line's final reading is a vote of three views of it, as cut and a tenth narrower and wider:
# the network's frames fall differently on each, so a character one view drops or misreads the
# other two still agree on.
VIEWS = (1.0, 0.9, 1.1)


def to_input(crop: np.ndarray, stretch: float = 1.0) -> np.ndarray:
    """An upright grey crop of a line (paper 255) at the network's height, `stretch` times as wide
    as that height makes it: uint8, ink 255."""
    h, w = crop.shape[:2]
    scale = HEIGHT / max(h, 1)
    width = int(min(MAX_WIDTH, max(STRIDE, round(w * scale * stretch))))
    small = cv2.resize(crop, (width, HEIGHT), interpolation=cv2.INTER_AREA)
    return np.asarray(255 - small, np.uint8)


@dataclass(frozen=True)
class Thresholds:
    """How sure the line reader must be. The defaults are cautious; a model trained without the
    calibration part carries in its recipe thresholds fitted there (training.calibrate_micr)."""

    min_prob: float = 0.8  # a glyph read less surely than this is "?"
    min_lead: float = 0.5  # ...or less far ahead of the runner-up (the blank included)
    # frames where the blank wins but a glyph holds at least this much: ink the reader
    # half-believes is a character, which must not vanish from the line
    half_seen: float = 0.3
    # a first view whose every character is surer than this is final: the other views are not
    # read (above 1, every view is always read)
    settled: float = 1.01


@dataclass(frozen=True)
class LineReader:
    net: cv2.dnn.Net
    labels: str  # class k + 1 is labels[k]; class 0 is CTC's blank
    sure: Thresholds = Thresholds()

    def read(self, crop: np.ndarray, stretch: float = 1.0) -> list[Char]:
        """The characters of an upright line crop whose rows hold the characters with MARGIN
        of paper above and below; x extents in the crop's columns."""
        x = to_input(crop, stretch)
        width = x.shape[1] + (-x.shape[1] % STRIDE)
        batch = np.zeros((1, 1, HEIGHT, width), np.float32)
        batch[0, 0, :, : x.shape[1]] = x / 255.0
        logits = forward(self.net, batch)[0, :, 0, :]  # classes x frames
        probs = softmax(logits.T[: x.shape[1] // STRIDE])
        return self._decode(probs, crop.shape[1] / max(x.shape[1], 1))

    def read_voted(self, crop: np.ndarray, pitch: float) -> list[Char]:
        """The characters most VIEWS agree on (`pitch`: the characters' spacing in the crop);
        `?` where they disagree, none where most see nothing. A first view read surely enough
        is final."""
        first = self.read(crop, VIEWS[0])
        if first and all(c.known and c.score > self.sure.settled for c in first):
            return first
        return vote([first] + [self.read(crop, f) for f in VIEWS[1:]], pitch)

    def _decode(self, probs: np.ndarray, to_crop: float) -> list[Char]:
        best = probs.argmax(axis=1)
        chars: list[Char] = []
        t, frames = 0, len(best)
        while t < frames:
            k = int(best[t])
            end = t
            while end + 1 < frames and int(best[end + 1]) == k:
                end += 1
            if k != 0:
                chars.append(self._char(probs, t, end, k, to_crop))
            else:
                chars += self._half_seen(probs, t, end, to_crop)
            t = end + 1
        return chars

    def _char(self, probs: np.ndarray, t0: int, t1: int, k: int, to_crop: float) -> Char:
        run = probs[t0 : t1 + 1]
        at = int(run[:, k].argmax())
        p = float(run[at, k])
        others = np.delete(run[at], k)
        lead = p - float(others.max())
        sure = p >= self.sure.min_prob and lead >= self.sure.min_lead
        label = self.labels[k - 1] if sure else "?"
        x0, x1 = int(t0 * STRIDE * to_crop), int((t1 + 1) * STRIDE * to_crop)
        return Char(x0, x1, label, p, lead)

    def _half_seen(self, probs: np.ndarray, t0: int, t1: int, to_crop: float) -> list[Char]:
        """A `?` for a run of blank frames holding a frame, clear of the characters either side
        (whose edges these are), where some glyph is half-believed."""
        lo = t0 + 1 if t0 > 0 else t0
        hi = t1 - 1 if t1 + 1 < len(probs) else t1
        if hi < lo:
            return []
        glyphs = probs[lo : hi + 1, 1:]
        at = int(glyphs.max(axis=1).argmax())
        p = float(glyphs[at].max())
        if p < self.sure.half_seen:
            return []
        t = lo + at
        x0, x1 = int(t * STRIDE * to_crop), int((t + 1) * STRIDE * to_crop)
        return [Char(x0, x1, "?", p, 0.0)]


def vote(views: list[list[Char]], pitch: float) -> list[Char]:
    """Characters of several readings of one line, matched by position (centres under half a
    pitch apart), each kept when most views see it, labelled as most views label it, else `?`."""
    need = len(views) // 2 + 1
    found = sorted(
        (((c.x0 + c.x1) / 2, n, c) for n, view in enumerate(views) for c in view),
        key=lambda f: (f[0], f[1]),
    )
    out: list[Char] = []
    k = 0
    while k < len(found):
        first, group = found[k][0], {found[k][1]: found[k][2]}
        k += 1
        while k < len(found) and found[k][0] - first < pitch / 2 and found[k][1] not in group:
            group[found[k][1]] = found[k][2]
            k += 1
        if len(group) < need:
            continue  # most views see no character here
        chars = list(group.values())
        labels = [c.label for c in chars if c.label != "?"]
        best = max(set(labels), key=labels.count) if labels else "?"
        label = best if labels.count(best) >= need else "?"
        agree = [c for c in chars if c.label == label] or chars
        out.append(
            Char(
                min(c.x0 for c in agree),
                max(c.x1 for c in agree),
                label,
                float(np.mean([c.score for c in agree])),
                float(np.mean([c.margin for c in agree])),
            )
        )
    return out


def mark_unread_ink(strip: LineStrip, chars: list[Char]) -> list[Char]:
    """A `?` wherever the strip holds a character's worth of ink that no character read explains:
    between two characters a blank position apart, or past either end (a character the scan's
    edge cut, or one the network let go). A code line's blank positions hold no ink."""
    if not chars:
        return chars
    pitch = PITCH_UNITS * strip.unit
    _, mask = ink_mask(strip.image)
    # a rule (the check's edge or border) crossing the band is no character
    _, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    rules = np.flatnonzero(stats[:, cv2.CC_STAT_HEIGHT] > RULE_HEIGHTS * strip.char_height)
    mask = np.where(np.isin(labels, rules[rules > 0]), 0, mask)
    top = max(0, int(strip.margin))
    rows = mask[top : int(strip.margin + strip.char_height) + 1] > 0
    ink = rows.sum(axis=0)
    enough = LOST_INK_UNITS * strip.unit * strip.unit

    def lost(x0: float, x1: float) -> bool:
        a, b = max(0, int(x0)), min(len(ink), int(x1))
        return b > a and int(ink[a:b].sum()) >= enough

    centres = [(c.x0 + c.x1) / 2 for c in chars]
    clear = CLEAR_PITCHES * pitch
    out: list[Char] = []
    if lost(0, centres[0] - clear):
        out.append(Char(0, int(centres[0] - clear), "?", 0.0, 0.0))
    for k, char in enumerate(chars):
        if k and lost(centres[k - 1] + clear, centres[k] - clear):
            out.append(Char(int(centres[k - 1] + clear), int(centres[k] - clear), "?", 0.0, 0.0))
        out.append(char)
    if lost(centres[-1] + clear, len(ink)):
        out.append(Char(int(centres[-1] + clear), len(ink), "?", 0.0, 0.0))
    return out


@lru_cache(maxsize=2)
def _load(path: str) -> LineReader | None:
    loaded = load(Path(path))
    if loaded is None or int(loaded[1].get("height", HEIGHT)) != HEIGHT:
        return None
    fitted = loaded[1].get("thresholds") or {}
    return LineReader(loaded[0], str(loaded[1]["labels"]), Thresholds(**fitted))


def line_reader(path: Path = MODEL) -> LineReader | None:
    """The trained line reader, or None when the model file is absent (boxes are read then)."""
    return _load(str(path))
