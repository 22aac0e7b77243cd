"""Routing numbers for drawn checks: the generator only prints numbers that pass the ABA check
digit (lockbox.routing), so a reader that verifies it can tell a misread digit from a real number.
"""

from __future__ import annotations

import random

from lockbox.routing import aba_check_digit


def make_routing(prefix: str, rng: random.Random) -> str:
    """A valid routing number starting with `prefix` (the Federal Reserve district and office)."""
    body = prefix + "".join(str(rng.randrange(10)) for _ in range(8 - len(prefix)))
    return body + aba_check_digit(body)


def fractional_routing(routing: str, rng: random.Random) -> str:
    """The fraction printed near the check number (e.g. '32-7/1110'), from older clearing practice."""
    return f"{rng.randrange(30, 99)}-{rng.randrange(1, 9999)}/{routing[:4]}"
