"""The legal amount (the amount in words): where it is, how its reads become candidates.

A read of the words yields its best reading and a few second readings the same words support
('Tio Hondeed Sity Six' is most likely 266 but could be 66): the best one votes, the others are kept
for the cross-check with the figures, which may only pick a value that some read really produced.
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np

from ocr import stock
from ocr.evidence import Candidate
from ocr.layout import Regions, text_lines, words_in
from ocr.parse.confusions import guessed_digits
from ocr.parse.lattice import read_words
from ocr.parse.words import parse_words_detail
from ocr.reading import Box
from ocr.tess import LineRead, Word

NO_CENTS = 0.4  # 'Three hundred' with no cents read: the cents may be cut off, not zero
GUESSED_DIGIT = 0.5  # per letter taken for a digit ('4u/100'): the letter may be another digit


def parse_legal(text: str) -> tuple[Decimal, float] | None:
    """The words as an amount; guessed words and a missing cents part lower the trust."""
    parsed = parse_words_detail(text)
    if parsed is None:
        return None
    quality = (0.3**parsed.unknown_tokens) * (0.95**parsed.fuzzy_tokens)
    if not parsed.has_cents:
        quality *= NO_CENTS
    return parsed.value, quality


def legal_region(image: np.ndarray, dpi: int, regions: Regions) -> tuple[Box, Box | None]:
    """Where the words are (above the legal rule, else under the courtesy box, else the labels'
    region), and the rule itself."""
    rule = stock.legal_rule(image, dpi)
    if rule is not None:
        return stock.legal_region(image, rule, dpi), rule
    box = stock.courtesy_box(image, dpi)
    if box is not None:  # the rule was lost to scanning; the words are still under the box
        return stock.legal_below_box(box, dpi), None
    return regions.legal, None


def legal_readings(text: str, line_conf: float, limit: int = 3) -> list[Candidate[Decimal]]:
    """The words' readings as candidates, best first: Tesseract's confidence in the line times
    how much the words had to be bent to make a number."""
    out = []
    guessed = GUESSED_DIGIT ** guessed_digits(text)
    for r in read_words(text, limit):
        quality = guessed * (r.quality if r.has_cents else r.quality * NO_CENTS)
        out.append(Candidate(r.value, round(line_conf * quality, 4), text))
    return out


def read_candidates(read: LineRead) -> list[Candidate[Decimal]]:
    """One Tesseract read of the line as candidates, best first."""
    if not read.words:
        return []
    return legal_readings(read.text, 0.5 * read.min_conf + 0.5 * read.mean_conf)


def text_candidates(text: str, conf: float) -> list[Candidate[Decimal]]:
    """Another reader's text of the line (the recognizer's) as candidates, best first."""
    return legal_readings(text, conf) if text.strip() else []


def layout_candidates(words: list[Word], box: Box, dpi: int) -> list[Candidate[Decimal]]:
    """The layout pass's words over the cut-out line: one more, independent, read."""
    x0, y0, x1, y1 = box
    pad = int(0.05 * dpi)
    found = words_in(words, (x0 - pad, y0 - pad, x1 + pad, y1 + pad))
    if not found:
        return []
    ordered = [w for row in text_lines(found) for w in row]
    confs = [w.conf for w in ordered]
    text = " ".join(w.text for w in ordered)
    return legal_readings(text, 0.5 * min(confs) + 0.5 * sum(confs) / len(confs))
