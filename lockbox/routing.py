"""ABA routing numbers: the one check-digit test that scans, bank files and exports all use."""

from __future__ import annotations

_ABA_WEIGHTS = (3, 7, 1, 3, 7, 1, 3, 7, 1)


def aba_valid(routing: str) -> bool:
    """True for nine digits whose 3-7-1 weighted sum is a multiple of ten (the ABA check digit).

    All zeros passes the arithmetic but is no bank, so it is refused.
    """
    if len(routing) != 9 or not routing.isascii() or not routing.isdigit():
        return False
    if routing == "000000000":
        return False
    return sum(w * int(d) for w, d in zip(_ABA_WEIGHTS, routing, strict=True)) % 10 == 0


def aba_check_digit(first8: str) -> str:
    """The ninth digit that makes `first8` a valid routing number."""
    if len(first8) != 8 or not first8.isascii() or not first8.isdigit():
        raise ValueError(f"need the first 8 digits of a routing number, got {first8!r}")
    total = sum(w * int(d) for w, d in zip(_ABA_WEIGHTS[:8], first8, strict=True))
    return str((10 - total % 10) % 10)
