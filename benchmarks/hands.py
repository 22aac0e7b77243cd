"""Hands no font draws against font hands, on the same checks.

Our handwritten checks are otherwise written in font hands, the same fonts the line recognizer
learned from (but for the held-out ones); a person's pen follows no font. One seed's mail is
generated three times: every handwritten check in its font hand, written stroke by stroke by a
writer of its own (`sample_data.strokes`, never seen in training), and with its figures (amount,
date, account, the legal line's cents) in people's own digits (`sample_data.digits`, writers the
recognizer never trained on); the handwritten checks are scored in each run.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.pipeline import (
    AS_OF,
    Outcome,
    generate_mail,
    picked_checks,
    run_sample,
    side_by_side,
    the_same_checks,
)


def _written_by(prefix: str) -> Callable[[dict[str, Any]], bool]:
    """Whether a truth item's check was written by a hand whose name starts `prefix`."""
    return lambda t: str(t["fields"].get("font", "")).startswith(prefix)


def run(items: int, seed: int, workdir: Path) -> tuple[Outcome, Outcome, Outcome]:
    """The handwritten checks in font hands, stroke-drawn, and with people's digits."""
    stroke_mail = generate_mail(items, seed, workdir, AS_OF, stroke_hands=1.0)
    digit_mail = generate_mail(items, seed, workdir, AS_OF, real_digits=1.0)
    font_mail = generate_mail(items, seed, workdir, AS_OF)
    fonts, strokes = the_same_checks(
        font_mail,
        stroke_mail,
        _written_by("strokes:"),
        workdir,
        (f"fonts-{seed}", f"strokes-{seed}"),
    )
    keep = picked_checks(digit_mail, _written_by("digits:"))
    digits = run_sample(digit_mail, workdir, f"digits-{seed}", keep=keep)
    return fonts, strokes, digits


def report(fonts: Outcome, strokes: Outcome, digits: Outcome) -> str:
    return "\n\n".join(
        [
            side_by_side(
                [("font hands", fonts), ("drawn stroke by stroke", strokes)], "a stroke-drawn check"
            ),
            side_by_side(
                [("font hands", fonts), ("figures in people's digits", digits)],
                "a check with people's digits",
            ),
        ]
    )
