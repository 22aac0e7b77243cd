"""The check number printed at the top right of a check's face.

The same number is the MICR line's serial, but it is printed in the stock's own font where any
reader reads it, so it still tells one check from the next of the same checkbook when the MICR
line was not read: what duplicate detection needs.
"""

from __future__ import annotations

import re

from ocr.reading import Field
from ocr.tess import Word

TOP_SHARE = 0.3  # the number sits in the top part of the face ...
RIGHT_SHARE = 0.55  # ... right of this share of its width
MIN_CONF = 0.6
_LABEL = re.compile(r"^(no\.?|n[o°º]|#|check)$", re.IGNORECASE)
_NUMBER = re.compile(r"^(?:no\.?|#)?(\d{3,7})\.?$", re.IGNORECASE)
_MONTH = re.compile(r"^(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)", re.IGNORECASE)


def _in_a_date(word: Word, words: list[Word]) -> bool:
    """A year written after a month's name ('Nov 19, 2026') is no check number."""
    return any(w.line == word.line and w is not word and _MONTH.match(w.text) for w in words)


def printed_check_number(words: list[Word], width: int, height: int) -> Field[str]:
    """The number among the layout pass's words at the top right: 3 to 7 figures alone, or after
    'No.'/'#'; the top-most, then right-most, of them. Leading zeros are dropped (the MICR serial
    pads them)."""
    found: list[tuple[float, float, Word, str]] = []
    for word in words:
        if word.cy > height * TOP_SHARE or word.cx < width * RIGHT_SHARE:
            continue
        if word.conf < MIN_CONF or _LABEL.match(word.text) or _in_a_date(word, words):
            continue
        match = _NUMBER.match(word.text.strip())
        if match is None:
            continue
        digits = match.group(1).lstrip("0")
        if len(digits) < 3:
            continue
        found.append((word.cy, -word.cx, word, digits))
    if not found:
        return Field()
    _, _, word, digits = min(found, key=lambda f: (f[0], f[1]))
    return Field(digits, word.conf, word.text)
