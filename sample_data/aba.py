"""ABA routing numbers: the check digit every real routing number carries.

The generator only prints routing numbers that pass this check, so a reader that verifies it (as the
OCR side does) can tell a misread digit from a real number.
"""

from __future__ import annotations

import random

_WEIGHTS = (3, 7, 1, 3, 7, 1, 3, 7, 1)


def aba_check_digit(first8: str) -> int:
    """The ninth digit that makes 3*(d1+d4+d7) + 7*(d2+d5+d8) + (d3+d6+d9) a multiple of 10."""
    if len(first8) != 8 or not first8.isdigit():
        raise ValueError(f"need 8 digits, got {first8!r}")
    total = sum(int(d) * w for d, w in zip(first8, _WEIGHTS, strict=False))
    return (10 - total % 10) % 10


def is_valid_routing(routing: str) -> bool:
    """True for 9 digits whose weighted sum is a multiple of 10."""
    if len(routing) != 9 or not routing.isdigit():
        return False
    return sum(int(d) * w for d, w in zip(routing, _WEIGHTS, strict=True)) % 10 == 0


def make_routing(prefix: str, rng: random.Random) -> str:
    """A valid routing number starting with `prefix` (the Federal Reserve district and office)."""
    body = prefix + "".join(str(rng.randrange(10)) for _ in range(8 - len(prefix)))
    return body + str(aba_check_digit(body))


def fractional_routing(routing: str, rng: random.Random) -> str:
    """The fraction printed near the check number (e.g. '32-7/1110'), from older clearing practice."""
    return f"{rng.randrange(30, 99)}-{rng.randrange(1, 9999)}/{routing[:4]}"
