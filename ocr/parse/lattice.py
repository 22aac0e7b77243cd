"""Legal amounts from badly read words: every way the words could be read, best first.

Handwriting comes out of Tesseract as 'Tio Hondeed Sity Six Dellacs and 00 Cents'. Each token could be
one of a few number words ('Sity': sixty or fifty) or noise, and only some choices make a number
('two hundred sixty six' does, 'two hundred fifty sixty' does not). A beam search over the choices
keeps the readings that form a number, scored by how far each token had to be bent; the few best
distinct values are returned, so a caller can see a second reading the same words support. Nothing
here looks at the figures: these are readings of the words alone.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from rapidfuzz import fuzz, process

from ocr.parse.words import (
    _COMMON_MISSPELLINGS,
    _DIGIT_TO_LETTER,
    CONNECTORS,
    VOCAB,
    _cents_from,
    _tokens,
    _words_value,
)

BEAM = 48
MIN_RATIO = 55.0
_NOISE_SKIP = 0.3  # a token that looks like no number word costs this much to drop
_FRACTION = re.compile(r"^(?P<num>[^/]{1,3})/(?P<den>[^/]{2,4})$")
_DIGITISH = str.maketrans({"o": "0", "l": "1", "i": "1", "|": "1", "!": "1", "s": "5", "b": "6"})
_DEN_OK = re.compile(r"^[1il|!4t]?[0ocd][0ocd]$|^[1il|!][0ocd]$")  # '100', 'ioc', '00', '10'


@dataclass(frozen=True)
class WordsReading:
    """One way to read the words: the amount, how much bending it took (1 = read as written)."""

    value: Decimal
    quality: float
    has_cents: bool
    words: str  # the reading, as words ('two hundred sixty six and 00/100')


def _factor(ratio: float) -> float:
    """How much a fuzzy match is worth: 1 when exact, falling fast below ~80% similar."""
    return max(0.0, (ratio - 45.0) / 55.0) ** 2


@lru_cache(maxsize=4096)
def word_options(token: str, joined: bool = False) -> tuple[tuple[str, float], ...]:
    """The number words a token may be, with their worth: exact, a known misspelling, or fuzzy.

    Two letters alone are too little to guess from, unless they are pieces joined ('S X')."""
    if any(c.isalpha() for c in token) and any(c.isdigit() for c in token):
        token = token.translate(_DIGIT_TO_LETTER)
    if token in VOCAB:
        return ((token, 1.0),)
    if token in _COMMON_MISSPELLINGS:
        return ((_COMMON_MISSPELLINGS[token], 0.9),)
    if len(token) < (2 if joined else 3) or not token.isalpha():
        return ()
    found = process.extract(token, VOCAB, scorer=fuzz.ratio, limit=3)
    return tuple((str(w), _factor(r)) for w, r, _ in found if r >= MIN_RATIO)


def fraction_cents(token: str) -> int | None:
    """Cents from a '45/100'-like token, forgiving a garbled denominator ('OO/IOC', '34/400')."""
    found = _FRACTION.match(token)
    if found is None:
        return None
    den = found.group("den")
    if den != "100" and not _DEN_OK.match(den):
        return None
    num = found.group("num")
    if num in ("xx", "x", "no", "oo", "--", "-"):
        return 0
    num = num.translate(_DIGITISH)
    if num.isdigit() and len(num) <= 2:
        return int(num)
    return None


@dataclass(frozen=True)
class _State:
    dollars: tuple[str, ...] = ()
    cents: tuple[str, ...] = ()
    in_cents: bool = False
    fraction: int | None = None  # cents read from an 'NN/100' fraction: the reading is complete
    done: bool = False
    pending: str = ""  # a piece of a word Tesseract split ('Eig ht'), to join to the next token


def _advance(state: _State, token: str) -> list[tuple[_State, float]]:
    """Every way to take one more token, with the worth of that choice."""
    if state.done:
        return [(state, 1.0)]  # noise after the cents cannot change the amount
    joined = bool(state.pending)
    token = state.pending + token
    state = _replace(state, pending="")
    options = word_options(token, joined)
    best = max((f for _, f in options), default=0.0)
    out: list[tuple[_State, float]] = []
    if not joined:  # a join must make a word: dropping the pieces costs each its own skip
        out.append((state, _skip_worth(state, token, best)))
    if token.isalpha() and len(token) < 9 and best < 1.0:
        out.append((_replace(state, pending=token), _JOIN))
    if "/" in token:
        cents = fraction_cents(token)
        if cents is not None and (state.dollars or state.in_cents):
            out = [(state, _FRACTION_SKIP), *_fraction_options(state, token, cents)]
        cut = _CUT_SHORT.match(token)
        if cents is None and cut is not None and (state.dollars or state.in_cents):
            cents = int(cut.group("cents"))
            out = [(state, _FRACTION_SKIP), (_State(state.dollars, (), True, cents, True), _CUT)]
        return out
    if token.isdigit():
        if len(token) <= 2 and (state.dollars or state.in_cents):
            out = [
                (state, _FRACTION_SKIP),
                (_State(state.dollars, (*state.cents, token), True), 1.0),
            ]
        lost = _SLASH_LOST.match(token)
        if lost is not None and (state.dollars or state.in_cents):
            cents = int(lost.group("cents"))
            out = [(state, _FRACTION_SKIP), (_State(state.dollars, (), True, cents, True), _LOST)]
        return out
    for word, worth in options:
        out.append((_take(state, word), worth))
    return out


def _fraction_options(state: _State, token: str, cents: int) -> list[tuple[_State, float]]:
    """The cents an 'NN/100' fraction gives. One digit over a hundred ('3/100') is doubted: checks
    write two ('03/100'), and a hand's first digit is what a reader loses. A lone digit just before
    a one-digit fraction ('7-4/100', '7 4/100') is most likely the numerator's first digit, cut
    off by a stroke or a gap; both readings are kept, neither sure."""
    num = token.split("/")[0].translate(_DIGITISH)
    alone = _State(state.dollars, (), True, cents, True)
    if not (num.isdigit() and len(num) == 1):
        return [(alone, 1.0)]
    before = state.cents
    if len(before) == 1 and len(before[0]) == 1 and before[0].isdigit():
        joined = _State(state.dollars, (), True, int(before[0] + num), True)
        return [(joined, _SPLIT_FRACTION), (alone, _ONE_DIGIT_FRACTION * _SPLIT_FRACTION)]
    return [(alone, _ONE_DIGIT_FRACTION)]


_ONE_DIGIT_FRACTION = 0.5
_SPLIT_FRACTION = 0.6

# '95/100' whose slash was lost ('95100', '9500'): two-digit cents over a hundred, read less surely.
_SLASH_LOST = re.compile(r"^(?P<cents>\d{2})1?00$")
_LOST = 0.6
# '95/1' or '95/': a fraction whose hundred the line's end or a faint stroke cut off.
_CUT_SHORT = re.compile(r"^(?P<cents>\d{2})/[1il|!]?$")
_CUT = 0.5
_JOIN = 0.8  # joining two pieces into one word is likely right when the pieces read as nothing
_MID_SKIP = 0.04
_FRACTION_SKIP = 0.02  # a well-formed 'NN/100' (or 'and 45') after the words is the cents  # dropping a word between number words usually loses part of the number


def _skip_worth(state: _State, token: str, best: float) -> float:
    """Dropping a token as noise: cheap before the number starts, dear in its middle."""
    if state.dollars and token.isalpha():
        return _MID_SKIP * (1.0 - best) + 1e-4
    return _NOISE_SKIP * (1.0 - best) ** 2 + 1e-4


def _replace(state: _State, **changes: object) -> _State:
    from dataclasses import replace

    return replace(state, **changes)  # type: ignore[arg-type]


def _take(state: _State, word: str) -> _State:
    if word in ("cents", "cent"):
        return _State(state.dollars, state.cents, state.in_cents, state.fraction, bool(state.cents))
    if word in CONNECTORS:
        starts_cents = word in ("and", "dollars", "dollar") and bool(state.dollars)
        return _State(state.dollars, state.cents, state.in_cents or starts_cents)
    if state.in_cents:
        return _State(state.dollars, (*state.cents, word), True)
    return _State((*state.dollars, word), state.cents, False)


def _finish(state: _State) -> tuple[Decimal, bool] | None:
    if state.pending or not state.dollars or state.dollars[0] in ("hundred", "thousand", "million"):
        return None  # 'hundred sixty' is what is left when the word before it was not read
    dollars = _words_value(list(state.dollars))
    if dollars is None:
        return None
    cents = state.fraction if state.fraction is not None else _cents_from(list(state.cents))
    if cents is None:
        return None
    value = (Decimal(dollars) + Decimal(cents) / 100).quantize(Decimal("0.01"))
    if value <= 0:
        return None
    return value, state.fraction is not None or bool(state.cents)


def _describe(state: _State) -> str:
    cents = f"{state.fraction:02d}/100" if state.fraction is not None else " ".join(state.cents)
    return " ".join(state.dollars) + (f" and {cents}" if cents else "")


def read_words(text: str, limit: int = 3) -> list[WordsReading]:
    """The best distinct readings of a legal line, best first (empty when none forms a number)."""
    beam: dict[_State, float] = {_State(): 0.0}
    for token in _tokens(text):
        grown: dict[_State, float] = {}
        for state, score in beam.items():
            for nxt, worth in _advance(state, token):
                s = score + math.log(max(worth, 1e-9))
                if s > grown.get(nxt, -math.inf):
                    grown[nxt] = s
        beam = dict(sorted(grown.items(), key=lambda kv: -kv[1])[:BEAM])
    best: dict[Decimal, WordsReading] = {}
    for state, score in sorted(beam.items(), key=lambda kv: -kv[1]):
        finished = _finish(state)
        if finished is None or finished[0] in best:
            continue
        value, has_cents = finished
        best[value] = WordsReading(value, math.exp(score), has_cents, _describe(state))
        if len(best) >= limit:
            break
    return list(best.values())
