"""What the recognizer is taught to read: the texts written on a check's filled-in lines.

Each generator draws one labelled line the way people (and the sample generator) write it: the
courtesy figures in every shape, the amount in words with its variants, dates and memo lines, so
one model serves the amount readers now and the date and memo readers later.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

from sample_data import digits
from sample_data.scanline import coupon_scanline
from sample_data.wording import (
    DATE_STYLES,
    LEGAL_STYLES,
    MEMO_STYLES,
    NO_ACCOUNT_MEMOS,
    date_text,
    dollars_in_words,
    legal_amount_text,
    memo_text,
)

LOWER = "abcdefghijklmnopqrstuvwxyz"
CHARSET = " 0123456789" + LOWER + LOWER.upper() + "$,.*/-#&'"


def amount(rng: random.Random) -> Decimal:
    """A check amount: mostly tens to a few thousand dollars, sometimes round, sometimes large."""
    r = rng.random()
    if r < 0.08:
        dollars = rng.randrange(1, 100)
    elif r < 0.75:
        dollars = rng.randrange(100, 1000)
    elif r < 0.95:
        dollars = rng.randrange(1000, 10000)
    else:
        dollars = rng.randrange(10000, 100000)
    cents = 0 if rng.random() < 0.15 else rng.randrange(100)
    return Decimal(dollars) + Decimal(cents) / 100


def _split(value: Decimal) -> tuple[int, int]:
    total = int(value * 100)
    return total // 100, total % 100


def courtesy(rng: random.Random) -> tuple[str, str | None]:
    """The figures, and the raised cents apart when they are written as a small fraction."""
    dollars, cents = _split(amount(rng))
    grouped = f"{dollars:,}" if rng.random() < 0.6 else str(dollars)
    shapes = [
        (f"{grouped}.{cents:02d}", 6),
        (f"${grouped}.{cents:02d}", 2),
        (f"**{grouped}.{cents:02d}", 2),
        (f"$ {grouped}.{cents:02d}", 1),
        (f"{grouped}.-", 1 if cents == 0 else 0),
        (f"{grouped}.00", 1 if cents == 0 else 0),
        (f"{grouped}.{cents:02d}**", 1),
    ]
    r = rng.random()
    if r < 0.22:  # dollars with the cents as a small raised fraction, as check_front draws it
        return grouped, f"{cents:02d}/100"
    if r < 0.3:
        part = "xx" if cents == 0 and rng.random() < 0.6 else f"{cents:02d}"
        return f"{grouped} {part}/100", None
    texts, weights = zip(*shapes, strict=True)
    return rng.choices(texts, weights)[0], None


def _title(words: str) -> str:
    return " ".join(w.capitalize() if "-" not in w else w.title() for w in words.split())


def legal(rng: random.Random) -> str:
    """The amount in words: the generator's styles, and the other ways people write it."""
    value = amount(rng)
    hyphen = rng.random() < 0.7
    if rng.random() < 0.6:
        return legal_amount_text(value, rng.choice(LEGAL_STYLES), hyphen=hyphen)
    dollars, cents = _split(value)
    words = dollars_in_words(dollars, hyphen)
    head = rng.choice([words.capitalize(), _title(words), words.upper(), words])
    frac = "xx/100" if cents == 0 and rng.random() < 0.5 else f"{cents:02d}/100"
    if cents == 0 and rng.random() < 0.3:
        frac = "no/100"
    tail = rng.choice(
        [
            f" and {frac}",
            f" & {frac}",
            f" & {frac} Dollars",
            f" and {frac} Dollars",
            f" and {cents:02d} Cents",
            f" Dollars and {cents:02d} Cents",
            " Dollars" if cents == 0 else f" and {frac}",
            " only" if cents == 0 else f" & {frac}",
            f" -- {frac}",
        ]
    )
    text = head + tail
    return text.upper() if head.isupper() else text


def when(rng: random.Random) -> str:
    d = date(2024, 1, 1) + timedelta(days=rng.randrange(3 * 365))
    if rng.random() < 0.15:
        return f"{d.strftime('%b')}. {d.day}, {d.year}"
    return date_text(d, rng.choice(DATE_STYLES))


def _account(rng: random.Random) -> str:
    """A loan account number as a customer writes or a coupon prints it."""
    return "".join(rng.choice("0123456789") for _ in range(10))


def memo(rng: random.Random) -> str:
    account = _account(rng)
    r = rng.random()
    if r < 0.7:
        return memo_text(account, rng.choice(MEMO_STYLES))
    if r < 0.8:
        return f"Loan # {account[:4]}-{account[4:7]}-{account[7:]}"
    return rng.choice([m for m in NO_ACCOUNT_MEMOS if m] + ["March payment", "auto loan"])


def scanline(rng: random.Random) -> str:
    """A coupon's scan line: account, amount due in cents, check digit (drawn in OCR-A fonts)."""
    account = _account(rng)
    due = Decimal(rng.randrange(1000, 500000)) / 100
    return coupon_scanline(account, due)


KINDS: dict[str, tuple[Callable[[random.Random], object], float]] = {
    "courtesy": (courtesy, 0.37),
    "legal": (legal, 0.33),
    "date": (when, 0.18),  # handwritten dates were the reader's largest held group
    "memo": (memo, 0.12),
}


def pick_kind(rng: random.Random) -> str:
    names = list(KINDS)
    return rng.choices(names, [KINDS[n][1] for n in names])[0]


FIGURE_KINDS = ("courtesy", "date", "memo")  # the lines people write in figures alone


def figures(kind: str, rng: random.Random) -> tuple[str, str | None]:
    """A line of this kind as written in figures (`sample_data.digits` has no dollar sign, words or
    letters of people's writing): the figures, a date in figures, an account number."""
    while True:
        if kind == "courtesy":
            line, raised = courtesy(rng)
        elif kind == "date":
            line, raised = when(rng), None
        else:
            account = _account(rng)
            dashed = f"{account[:4]}-{account[4:7]}-{account[7:]}"
            line, raised = (dashed if rng.random() < 0.2 else account), None
        if digits.covers(line) and (raised is None or digits.covers(raised)):
            return line, raised
