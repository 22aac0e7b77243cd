"""Courtesy amount (the figures in the box after the "$") as written, to Decimal dollars.

Writers and OCR produce many shapes of the same amount: '1,234.56', '**123.45', '$123.45',
'123 45/100', '123.-', '123xx/100'. Anything we cannot read unambiguously returns None: a missing
amount becomes a clerk's exception, a wrong one would post the wrong money.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from ocr.parse.confusions import fix_digit_runs

MAX_AMOUNT = Decimal("9999999.99")

_FRACTION = re.compile(
    r"^(?P<dollars>[\d,]+?)(?:[\s\-.]+(?P<cents>\d{1,2}|xx|XX|no|NO|No|oo|OO)|(?P<cents2>\d{2}|xx|XX))"
    r"\s*/\s*1[0O]{2}$"
)
_DASH_CENTS = re.compile(r"^(?P<dollars>[\d,]+)\s*[.,]?\s*[-=~_]+$")
_DECIMAL = re.compile(r"^(?P<dollars>[\d,]*)[.](?P<cents>\d{2})$")
_COMMA_CENTS = re.compile(r"^(?P<dollars>\d{1,3}(?:\.\d{3})*|\d+),(?P<cents>\d{2})$")
_SPACE_CENTS = re.compile(r"^(?P<dollars>[\d,]+)\s+(?P<cents>\d{2})$")
_WHOLE = re.compile(r"^(?P<dollars>[\d,]+)$")
_THOUSANDS_OK = re.compile(r"^\d{1,3}(,\d{3})*$|^\d+$")


@dataclass(frozen=True)
class ParsedAmount:
    """An amount and whether it was written in an unambiguous shape (strict) or guessed."""

    value: Decimal
    strict: bool


def _clean(text: str) -> str:
    s = text.strip().replace("¢", "")  # a decimal point with a stray stroke through it
    s = fix_digit_runs(s)
    # Filler and currency marks around the figures carry no value.
    s = re.sub(
        r"^.*[$*]\s*(?=\d)", "", s
    )  # '1**533.57': whatever precedes the stars is not a digit
    s = re.sub(r"^[\s$*#:;>~=_\-]+", "", s)
    s = re.sub(r"[\s*#~=_]+$", "", s)
    s = s.replace("$", "")
    s = re.sub(r"\s*([.,/])\s*", r"\1", s)  # '123 . 45' -> '123.45'
    s = re.sub(r"\*+", "", s)
    return _join_spaced_digits(s.strip())


def _join_spaced_digits(s: str) -> str:
    """'3 5 2 24/100' or '3 5 2.24' (a monospaced hand read digit by digit) -> '352 24/100', '352.24'.

    Only runs of two or more single digits are joined: '123 45/100' keeps its meaningful space.
    """
    tokens = s.split(" ")
    out: list[str] = []
    i = 0
    while i < len(tokens):
        j = i
        while j < len(tokens) and len(tokens[j]) == 1 and tokens[j].isdigit():
            j += 1
        if j - i >= 2:
            run = "".join(tokens[i:j])
            if j < len(tokens) and tokens[j][:1].isdigit() and "/" not in tokens[j]:
                run += tokens[j]
                j += 1
            out.append(run)
            i = j
        else:
            out.append(tokens[i])
            i += 1
    return " ".join(out)


def _dollars(text: str) -> int | None:
    if not text or not _THOUSANDS_OK.match(text) or len(text) > 12:
        return None
    return int(text.replace(",", ""))


def _make(dollars: int | None, cents: int, strict: bool) -> ParsedAmount | None:
    if dollars is None:
        return None
    value = Decimal(dollars) + Decimal(cents) / 100
    value = value.quantize(Decimal("0.01"))
    if value <= 0 or value > MAX_AMOUNT:
        return None
    return ParsedAmount(value, strict)


def parse_amount_detail(text: str) -> ParsedAmount | None:
    """Read a courtesy amount; `strict` is False when the shape had to be guessed (e.g. '123,45')."""
    s = _clean(text)
    if not s:
        return None
    m = _FRACTION.match(s)
    if m:
        cents_txt = m.group("cents") or m.group("cents2")
        cents = int(cents_txt) if cents_txt.isdigit() else 0
        dollars_txt = m.group("dollars").rstrip(",")
        return _make(_dollars(dollars_txt), cents, True)
    m = _DECIMAL.match(s)
    if m:
        dollars_txt = m.group("dollars") or "0"
        return _make(_dollars(dollars_txt), int(m.group("cents")), True)
    m = _DASH_CENTS.match(s)
    if m:
        return _make(_dollars(m.group("dollars")), 0, True)
    m = _COMMA_CENTS.match(s)
    if m and "," in s and not re.search(r",\d{3}$", s):
        return _make(_dollars(m.group("dollars").replace(".", ",")), int(m.group("cents")), False)
    m = _SPACE_CENTS.match(s)
    if m:
        return _make(_dollars(m.group("dollars")), int(m.group("cents")), False)
    m = _WHOLE.match(s)
    if m:
        return _make(_dollars(m.group("dollars")), 0, False)
    return None


def parse_amount(text: str) -> Decimal | None:
    """The amount in dollars, or None when the text is not a readable amount."""
    parsed = parse_amount_detail(text)
    return parsed.value if parsed else None


def format_courtesy(value: Decimal) -> str:
    """How a courtesy amount is usually written ('1,234.56'); used by tests and the sample generator."""
    return f"{value:,.2f}"
