"""Check dates as people write them: '11/17/2026', '11/17/26', 'Nov 17, 2026', '11-17-2026',
'November 17 2026', '2026-11-17'. A date that is not on the calendar (02/30) is None, not a guess,
because a wrong date can make a good check look stale or post-dated.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from rapidfuzz import fuzz, process

from ocr.parse.confusions import LETTER_TO_DIGIT, fix_digit_runs

MONTHS = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
_ABBREV = {m[:3]: i + 1 for i, m in enumerate(MONTHS)} | {"sept": 9}
_FULL = {m: i + 1 for i, m in enumerate(MONTHS)}

_SEP = r"\s*[/\-.]\s*"
_NUMERIC_MDY = re.compile(rf"(?<!\d)(\d{{1,2}}){_SEP}(\d{{1,2}}){_SEP}(\d{{4}}|\d{{2}})(?!\d)")
_ISO = re.compile(r"(?<!\d)(\d{4})\s*-\s*(\d{1,2})\s*-\s*(\d{1,2})(?!\d)")
# The numeric shape again with letters a hand's digits are read as ('ll-15-2026', 'Il/O5/26'):
# between date separators a letter has no digit beside it for `fix_digit_runs` to go by.
_D = "0-9" + "".join(re.escape(c) for c in LETTER_TO_DIGIT)
_LOOSE_MDY = re.compile(
    rf"(?<![A-Za-z0-9])([{_D}]{{1,2}}){_SEP}([{_D}]{{1,2}}){_SEP}([{_D}]{{4}}|[{_D}]{{2}})"
    r"(?![A-Za-z0-9])"
)
MIN_REAL_DIGITS = 4  # of the loose shape's figures, so a run of letters is never a date
_MONTH_WORD = r"([A-Za-z][A-Za-z01]{2,8})\.?"  # a month's name as read: 'Nov.', 'N0v', 'Nor'
_NAMED = re.compile(_MONTH_WORD + r"\s*(\d{1,2})(?:st|nd|rd|th)?(?:\s*,\s*|\s+)(\d{4}|\d{2})(?!\d)")


def _year(text: str) -> int:
    y = int(text)
    return 2000 + y if y < 100 else y


def _make(y: int, m: int, d: int) -> date | None:
    if not 1900 <= y <= 2199:
        return None
    try:
        return date(y, m, d)
    except ValueError:
        return None


def month_number(word: str) -> int | None:
    """The month a (possibly misread) month name or abbreviation stands for."""
    w = word.lower().rstrip(".").replace("0", "o").replace("1", "l")
    if w in _FULL:
        return _FULL[w]
    if w in _ABBREV:
        return _ABBREV[w]
    if len(w) < 3:
        return None
    choices = list(_FULL) + list(_ABBREV)
    found = process.extract(w, choices, scorer=fuzz.ratio, limit=None)
    if not found:
        return None
    score = found[0][1]
    # Three letters with one misread ('Nor' for Nov) score two in three; a longer name needs more.
    if score < (80 if len(w) > 4 else 66):
        return None
    months = {_FULL.get(str(n)) or _ABBREV.get(str(n)) for n, sc, _ in found if sc == score}
    return months.pop() if len(months) == 1 else None  # 'Jux': July or June, not a guess


_WORD_BEFORE = re.compile(_MONTH_WORD + r"\s*$")


def _after_month_name(s: str, start: int) -> bool:
    """Whether figures at `start` follow a month's name: 'Nov 12. 20.26' (a stray point in the
    year) has the day and the year there, not a month of December."""
    word = _WORD_BEFORE.search(s[:start])
    return word is not None and month_number(word.group(1)) is not None


def parse_date(text: str) -> date | None:
    """The first calendar date in the text, or None."""
    s = fix_digit_runs(text)
    m = _ISO.search(s)
    if m:
        found = _make(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if found:
            return found
    m = _NUMERIC_MDY.search(s)
    if m and not _after_month_name(s, m.start()):
        found = _make(_year(m.group(3)), int(m.group(1)), int(m.group(2)))
        if found:
            return found
    for m in _NAMED.finditer(s):
        month = month_number(m.group(1))
        if month:
            found = _make(_year(m.group(3)), month, int(m.group(2)))
            if found:
                return found
    m = _LOOSE_MDY.search(s)
    if (
        m
        and sum(c.isdigit() for c in m.group(0)) >= MIN_REAL_DIGITS
        and not _after_month_name(s, m.start())
    ):
        mm, dd, yy = ("".join(LETTER_TO_DIGIT.get(c, c) for c in g) for g in m.groups())
        return _make(_year(yy), int(mm), int(dd))
    return None


def _numeric(sep: str, pad: bool, year_digits: int) -> Callable[[date], str]:
    def form(d: date) -> str:
        m, day = (f"{d.month:02d}", f"{d.day:02d}") if pad else (str(d.month), str(d.day))
        year = str(d.year) if year_digits == 4 else f"{d.year % 100:02d}"
        return f"{m}{sep}{day}{sep}{year}"

    return form


def _named(full: bool, case: str, comma: bool) -> Callable[[date], str]:
    def form(d: date) -> str:
        name = MONTHS[d.month - 1] if full else MONTHS[d.month - 1][:3]
        name = name.upper() if case == "upper" else name.title()
        return f"{name} {d.day}{',' if comma else ''} {d.year}"

    return form


# Every way of writing a date that `parse_date` reads, one function each, so that one date's
# best-fitting way can write another date the same way.
DATE_FORMS: tuple[Callable[[date], str], ...] = (
    *(_numeric(sep, pad, yd) for sep in "/-." for pad in (False, True) for yd in (4, 2)),
    *(
        _named(full, case, comma)
        for full in (True, False)
        for case in ("title", "upper")
        for comma in (True, False)
    ),
    lambda d: d.isoformat(),
)


def date_edits(text: str) -> set[str]:
    """`text` with one figure misread (changed, dropped or doubled) or its month's name another:
    the readings a date written this way must be told apart from."""
    out: set[str] = set()
    for i, ch in enumerate(text):
        if not ch.isdigit():
            continue
        out.update(text[:i] + d + text[i + 1 :] for d in "0123456789")
        out.add(text[:i] + text[i + 1 :])
        out.update(text[:i] + d + text[i:] for d in "0123456789")
    words = re.findall(r"[A-Za-z]{3,}", text)
    for word in words:
        full = len(word) > 3
        for name in MONTHS:
            other = name if full else name[:3]
            other = other.upper() if word.isupper() else other.title()
            out.add(text.replace(word, other, 1))
    out.discard(text)
    return out
