"""Legal amount (the amount in words) to Decimal, tolerant of OCR noise.

The legal line is the check's binding amount, so it is read independently of the figures and compared.
Words are matched fuzzily ('Fourty', 'Hundrad', 'twe1ve'), fillers (dashes, asterisks, 'only') are
ignored, cents come as '45/100', 'xx/100', 'no/100', 'and 50 cents' or 'and fifty cents'. A sequence
that does not form a number ('five twenty three') returns None rather than a guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from rapidfuzz import fuzz, process

from ocr.parse.confusions import fix_digit_runs

ONES = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
}
TEENS = {
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
SCALES = {"hundred": 100, "thousand": 1000, "million": 1_000_000}
CONNECTORS = {"and", "dollars", "dollar", "cents", "cent", "only", "exactly", "no", "xx", "usd"}
VOCAB = [*ONES, *TEENS, *TENS, *SCALES, *CONNECTORS]
_COMMON_MISSPELLINGS = {
    "fourty": "forty",
    "ninty": "ninety",
    "twelf": "twelve",
    "hundered": "hundred",
}


@dataclass(frozen=True)
class ParsedWords:
    """The amount, and how many tokens were noise we had to skip or words we had to guess."""

    value: Decimal
    unknown_tokens: int
    fuzzy_tokens: int
    has_cents: bool = True  # False when no cents part ('and 45/100', 'no/100') was written


_DIGIT_TO_LETTER = str.maketrans({"0": "o", "1": "l", "5": "s", "8": "b", "3": "e", "6": "b"})


def _match_word(token: str) -> tuple[str | None, bool]:
    """The vocabulary word a token stands for, and whether the match was fuzzy."""
    if any(c.isalpha() for c in token) and any(c.isdigit() for c in token):
        token = token.translate(_DIGIT_TO_LETTER)
    if token in _COMMON_MISSPELLINGS:
        return _COMMON_MISSPELLINGS[token], True
    if token in VOCAB:
        return token, False
    if len(token) < 3:
        return None, False
    best = process.extractOne(token, VOCAB, scorer=fuzz.ratio)
    if best is None:
        return None, False
    word, score, _ = best
    needed = 86 if len(token) <= 4 else 78
    if score >= needed:
        return str(word), True
    return None, False


def _tokens(text: str) -> list[str]:
    s = fix_digit_runs(text)
    s = s.replace("—", " ").replace("–", " ").replace("&", " and ")
    # Fractions first: they must survive the punctuation clean-up.
    s = re.sub(r"(\S+)\s*/\s*(1\s*[0oO]\s*[0oO])", lambda m: f" {m.group(1)}/100 ", s)
    s = re.sub(r"\s*/\s*", "/", s)  # '15/ 100', '15 /100'
    s = re.sub(r"[^\w/]+|_+", " ", s)  # punctuation, typographic quotes and marks included
    return [t for t in s.lower().split() if t]


def _group_value(words: list[str]) -> int | None:
    """A number below one thousand from its words, or None when the words don't form one.

    Accepts 'four hundred twelve', 'twelve hundred' (1200 is returned as 1200), 'twenty five'.
    """
    if not words:
        return None
    if "hundred" in words:
        i = words.index("hundred")
        if words.count("hundred") > 1:
            return None
        head = _below_hundred(words[:i]) if words[:i] else 1
        tail = _below_hundred(words[i + 1 :]) if words[i + 1 :] else 0
        if head is None or tail is None or head == 0 or head >= 20:
            return None  # 'twelve hundred' is a number, 'eighty hundred' is a misread
        return head * 100 + tail
    return _below_hundred(words)


def _below_hundred(words: list[str]) -> int | None:
    if len(words) == 1:
        w = words[0]
        for table in (ONES, TEENS, TENS):
            if w in table:
                return table[w]
        return None
    if len(words) == 2 and words[0] in TENS and words[1] in ONES and words[1] != "zero":
        return TENS[words[0]] + ONES[words[1]]
    return None


def _words_value(words: list[str]) -> int | None:
    total = 0
    group: list[str] = []
    last_scale = 10**9
    for w in words:
        if w in ("thousand", "million"):
            scale = SCALES[w]
            if scale >= last_scale:
                return None
            value = _group_value(group)
            if value is None:
                return None
            total += value * scale
            last_scale = scale
            group = []
        else:
            group.append(w)
    if group:
        value = _group_value(group)
        if value is None:
            return None
        if value >= 1000 and total:  # 'one thousand twelve hundred' is not a number
            return None
        total += value
    return total


def _cents_from(tokens: list[str]) -> int | None:
    if not tokens:
        return 0
    if len(tokens) == 1:
        t = tokens[0]
        if "/" in t:
            num = t.split("/")[0]
            if num in ("xx", "no", "oo", "00", "x"):
                return 0
            if num.isdigit() and len(num) <= 2:
                return int(num)
            return None
        if t.isdigit() and len(t) <= 2:
            return int(t)
    value = _words_value(tokens)
    if value is not None and value < 100:
        return value
    return None


def parse_words_detail(text: str) -> ParsedWords | None:
    """Read an amount in words; None when no number can be assembled without guessing."""
    raw_tokens = _tokens(text)
    dollars_words: list[str] = []
    cents_tokens: list[str] = []
    unknown = fuzzy = 0
    in_cents = False
    saw_and = False
    saw_only = False
    for tok in raw_tokens:
        if "/" in tok:
            in_cents = True
            cents_tokens.append(tok)
            continue
        if tok.isdigit():
            if dollars_words or saw_and:
                in_cents = True
                cents_tokens.append(tok)
            else:
                unknown += 1
            continue
        word, was_fuzzy = _match_word(tok)
        if word is None:
            if not in_cents:  # noise after the cents cannot change the amount
                unknown += 1
            continue
        fuzzy += was_fuzzy
        if word == "and":
            if dollars_words:
                saw_and = True
            continue
        if word in ("cents", "cent"):
            continue
        if word in CONNECTORS:
            saw_only = saw_only or word in ("only", "exactly")
            if word in ("dollars", "dollar") and dollars_words:
                saw_and = True
            continue
        if saw_and or in_cents:
            cents_tokens.append(word)
        else:
            dollars_words.append(word)
    if not dollars_words:
        return None
    dollars = _words_value(dollars_words)
    cents = _cents_from(cents_tokens)
    if dollars is None or cents is None:
        return None
    value = (Decimal(dollars) + Decimal(cents) / 100).quantize(Decimal("0.01"))
    if value <= 0:
        return None
    return ParsedWords(value, unknown, fuzzy, bool(cents_tokens) or saw_only)


def parse_words(text: str) -> Decimal | None:
    """The amount in dollars written in words, or None when it cannot be read."""
    parsed = parse_words_detail(text)
    return parsed.value if parsed else None


@dataclass(frozen=True)
class Spelling:
    """One way people write an amount in words: hyphens in 'twenty-five' or not, how the cents
    follow ('and 45/100', '& 45/100', 'Dollars and 45 Cents', ...), the letters' case, and for no
    cents 'no/100' or 'xx/100' instead of '00/100'."""

    hyphen: bool = True
    tail: str = " and {cents}/100"
    case: str = "title"  # lower, sentence, title ('and' kept small), capitals (every word), upper
    no_cents: str = "00"

    def fits(self, value: Decimal) -> bool:
        """Whether this spelling is a distinct way of writing `value` (no/xx only for no cents)."""
        return self.no_cents == "00" or _split_cents(value)[1] == 0


_TAILS = (
    " and {cents}/100",
    " & {cents}/100",
    " dollars and {cents} cents",
    " and {cents} cents",
    " and {cents}/100 dollars",
    " {cents}/100",
)
SPELLINGS = tuple(
    Spelling(hyphen, tail, case, no_cents)
    for no_cents in ("00", "no", "xx")
    for tail in _TAILS
    if no_cents == "00" or "/100" in tail
    for case in ("lower", "sentence", "title", "capitals", "upper")
    for hyphen in (True, False)
)


def _split_cents(value: Decimal) -> tuple[int, int]:
    cents = int((value * 100).to_integral_value())
    return divmod(cents, 100)


def spell_amount(value: Decimal, spelling: Spelling = Spelling()) -> str:
    """`value` in words as `spelling` writes it ('Four Hundred Twelve and 45/100' by default)."""
    dollars, cents = _split_cents(value)
    words = _int_words(dollars)
    if not spelling.hyphen:
        words = words.replace("-", " ")
    shown = f"{cents:02d}" if cents or spelling.no_cents == "00" else spelling.no_cents
    text = words + spelling.tail.format(cents=shown)
    if spelling.case == "sentence":
        return text[0].upper() + text[1:]
    if spelling.case == "title":
        return text.title().replace(" And ", " and ")
    if spelling.case == "capitals":
        return text.title()
    if spelling.case == "upper":
        return text.upper()
    return text


def amount_to_words(value: Decimal) -> str:
    """'Four Hundred Twelve and 45/100': how checks spell amounts; the tests' and generator's oracle."""
    return spell_amount(value)


def _int_words(n: int) -> str:
    if n == 0:
        return "zero"
    parts: list[str] = []
    for scale_name, scale in (("million", 1_000_000), ("thousand", 1000)):
        if n >= scale:
            parts.append(f"{_below_thousand_words(n // scale)} {scale_name}")
            n %= scale
    if n:
        parts.append(_below_thousand_words(n))
    return " ".join(parts)


def _below_thousand_words(n: int) -> str:
    names = {v: k for k, v in {**ONES, **TEENS, **TENS}.items()}
    out: list[str] = []
    if n >= 100:
        out.append(f"{names[n // 100]} hundred")
        n %= 100
    if n >= 20:
        out.append(names[n - n % 10] + (f"-{names[n % 10]}" if n % 10 else ""))
    elif n:
        out.append(names[n])
    return " ".join(out)
