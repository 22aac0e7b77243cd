"""The courtesy amount (the figures in the box): where it is, how its reads become candidates.

Figures are read whole, and, when the writer put the cents as a small raised fraction ('460 ⁸⁸⁄₁₀₀'),
also in two parts: Tesseract runs the small cents into the dollars ('46088/00'), so the dollars and
the cents are cut apart, each read and voted on by itself, and joined into one more candidate.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np

from ocr import stock
from ocr.evidence import Candidate, best_span, vote
from ocr.isolate import Line, normalize, raised_tail
from ocr.layout import Anchors, Regions
from ocr.parse.amounts import parse_amount_detail
from ocr.reading import Box
from ocr.tess import LineRead, Word

MONEY = "0123456789$,.*/-"
# Raised cents: '88/100', '88/00' (a digit of the denominator lost), '88100' or '8800' (the slash
# lost), or bare '88' (written as a superscript with no denominator at all). A single digit needs its
# slash: '30' is thirty cents, never 3 over a '0'.
_CENTS = re.compile(
    r"^(?:(?P<cents>\d{1,2}|[xX]{2})\s*/\s*1?[0oO]{1,2}|(?P<bare>\d{2}|[xX]{2})\s*(?:1?[0oO]{2})?)$"
)


def parse_courtesy(text: str) -> tuple[Decimal, float] | None:
    """The figures as an amount, trusted fully only in an unambiguous shape ('123.45')."""
    parsed = parse_amount_detail(text)
    if parsed is None:
        return None
    return parsed.value, 1.0 if parsed.strict else 0.5


def parse_cents(text: str) -> int | None:
    """The small raised cents after the dollars: '88/100', '88/00' (the 1 lost), 'xx/100', '88'."""
    found = _CENTS.match(text.replace(" ", ""))
    if found is None:
        return None
    cents = found.group("cents") or found.group("bare")
    return 0 if cents.lower() == "xx" else int(cents)


def dollars_and_cents(value: Decimal) -> tuple[int, int]:
    """An amount's whole dollars and its cents (1234.56 -> 1234, 56)."""
    dollars, cents = divmod(int((value * 100).to_integral_value()), 100)
    return dollars, cents


def written_forms(value: Decimal) -> list[str]:
    """The ways a writer puts an amount in figures ('1,234.56', '**1234.56', '$1,234.56',
    '1234 56/100', '1,234.-', '**1234' for whole dollars), to test a reading proposed by the
    legal amount against the box."""
    dollars, cents = dollars_and_cents(value)
    forms: list[str] = []
    for d in dict.fromkeys((f"{dollars}", f"{dollars:,}")):
        forms += [f"{d}.{cents:02d}", f"**{d}.{cents:02d}", f"${d}.{cents:02d}"]
        forms += [f"{d} {cents:02d}/100", f"${d} {cents:02d}/100"]
        if cents == 0:
            forms += [f"{d}.-", f"{d} xx/100", d, f"**{d}", f"${d}"]
    return forms


def one_digit_off(value: Decimal) -> set[Decimal]:
    """Every amount a misread digit away from `value`: one digit changed, or one of the dollars'
    digits dropped or one added (1,101.86 and 101.86). The rivals a reading must beat before
    another field's pixels are said to confirm it."""
    digits = f"{value:.2f}".replace(".", "")
    found: set[str] = set()
    for i in range(len(digits)):
        found.update(digits[:i] + d + digits[i + 1 :] for d in "0123456789")
        if i < len(digits) - 2:
            found.add(digits[:i] + digits[i + 1 :])
        if i <= len(digits) - 2:  # before any dollar digit or after the last
            found.update(digits[:i] + d + digits[i:] for d in "0123456789")
    out = {
        Decimal(int(t)).scaleb(-2) for t in found if len(t) >= 3 and (t[0] != "0" or len(t) == 3)
    }
    out.discard(value)
    return out


def whole_dollars(text: str) -> int | None:
    """A read of the dollars alone ('254', '1,141'): a whole number with no cents written."""
    parsed = parse_amount_detail(text)
    if parsed is None or parsed.strict or parsed.value != parsed.value.to_integral_value():
        return None
    return int(parsed.value)


def courtesy_region(
    image: np.ndarray, dpi: int, regions: Regions, anchors: Anchors, legal_rule: Box | None
) -> Box:
    """Where the figures are: the printed box, else its underline, else a business check's amount
    cell, else the labels' region."""
    found = (
        stock.courtesy_box(image, dpi)
        or stock.courtesy_underline(image, dpi)
        or stock.courtesy_table(image, dpi)
    )
    if found is not None:
        return found
    labelled = anchors.dollar is not None or anchors.amount is not None
    if not labelled and legal_rule is not None:
        return stock.courtesy_above_legal(legal_rule, image.shape[1], dpi)
    return regions.courtesy


def line_candidate(read: LineRead) -> Candidate[Decimal] | None:
    """One whole-line read as a candidate (noise words around the figures dropped)."""
    return best_span(read.words, parse_courtesy) if read.words else None


def as_line_read(text: str, conf: float) -> LineRead:
    """Another reader's text as a line read whose every word has confidence `conf`."""
    words = tuple(Word(t, conf, 0, 0, 0, 0) for t in text.split())
    return LineRead(text, conf if words else 0.0, conf if words else 0.0, words)


@dataclass
class Fraction:
    """A courtesy amount written with raised cents, read in two parts."""

    dollars_image: np.ndarray
    cents_image: np.ndarray
    dollars: list[Candidate[Decimal]] = field(default_factory=list)
    cents: list[Candidate[Decimal]] = field(default_factory=list)
    dollar_reads: int = 0
    cent_reads: int = 0

    def add_dollars(self, read: LineRead) -> None:
        self.dollar_reads += 1
        value = whole_dollars(read.text)
        if value is not None:
            conf = 0.5 * read.min_conf + 0.5 * read.mean_conf
            self.dollars.append(Candidate(Decimal(value), conf, read.text))

    def add_cents(self, read: LineRead) -> None:
        self.cent_reads += 1
        part = parse_cents(read.text)
        if part is not None:
            self.cents.append(Candidate(Decimal(part), read.mean_conf, read.text))

    def candidate(self) -> Candidate[Decimal] | None:
        """The dollars' vote and the cents' vote joined; as sure as the weaker of the two."""
        d = vote(self.dollars, self.dollar_reads)
        c = vote(self.cents, self.cent_reads)
        if d.value is None or c.value is None:
            return None
        value = (d.value + c.value / 100).quantize(Decimal("0.01"))
        return Candidate(value, min(d.confidence, c.confidence), f"{d.raw} {c.raw}")


def split_fraction(line: Line) -> Fraction | None:
    """The dollars and the raised cents of a courtesy line, each scaled to its own height."""
    at = raised_tail(line)
    if at is None:
        return None
    small = [g for g in line.glyphs if g[0] >= at]
    top = max(0, min(g[1] for g in small) - 2)
    bottom = max(g[3] for g in small) + 2
    cents_tall = max(g[3] - g[1] for g in small)
    return Fraction(
        normalize(line.image[:, :at], line.tall),
        normalize(line.image[top:bottom, at:], cents_tall),
    )
