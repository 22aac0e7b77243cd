"""OCR letter/digit confusions, repaired only where a digit is clearly meant.

Tesseract often reads a handwritten 0 as O, 1 as l or I, 5 as S. Blindly replacing letters would turn
words into numbers, so a letter is only mapped when it sits inside a run of digits.
"""

from __future__ import annotations

LETTER_TO_DIGIT = {
    "O": "0",
    "o": "0",
    "°": "0",
    "U": "0",  # a handwritten 0 left open at the top
    "u": "0",
    "D": "0",
    "Q": "0",
    "l": "1",
    "I": "1",
    "i": "1",
    "|": "1",
    "!": "1",
    "S": "5",
    "s": "5",
    "B": "8",
    "Z": "2",
    "z": "2",
    "g": "9",
    "q": "9",
}

_JOINERS = set(",.")


def _is_digitish(ch: str) -> bool:
    return ch.isdigit()


def fix_digit_runs(text: str) -> str:
    """Map confusable letters to digits when a neighbour (ignoring one , or .) is a digit.

    Repeated until stable so that 'lO5' (every letter next to another mapped letter) becomes '105'
    only when anchored by at least one real digit.
    """
    chars = list(text)
    changed = True
    while changed:
        changed = False
        for i, ch in enumerate(chars):
            if ch not in LETTER_TO_DIGIT:
                continue
            if _digit_neighbour(chars, i):
                chars[i] = LETTER_TO_DIGIT[ch]
                changed = True
    return "".join(chars)


def _digit_neighbour(chars: list[str], i: int) -> bool:
    for step in (-1, 1):
        j = i + step
        if 0 <= j < len(chars) and chars[j] in _JOINERS:
            j += step
        if 0 <= j < len(chars) and _is_digitish(chars[j]):
            # A letter between a digit and a word letter is part of the word ('5th', '2nd').
            k = i - step
            inside_word = 0 <= k < len(chars) and chars[k].isalpha()
            return not (inside_word and chars[k] not in LETTER_TO_DIGIT)
    return False


def guessed_digits(text: str) -> int:
    """How many letters `fix_digit_runs` turns into digits outside a fraction's denominator: each
    is a guess ('4u/100' is 40/100 only if the u is an open 0, and a hand's 4 looks like one too),
    so a reading that needed them is less sure than one that read digits outright."""
    fixed = fix_digit_runs(text)
    count = 0
    for i, (was, now) in enumerate(zip(text, fixed, strict=True)):
        if was == now:
            continue
        token_start = text.rfind(" ", 0, i) + 1
        if "/" not in text[token_start:i]:
            count += 1
    return count
