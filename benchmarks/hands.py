"""Hands drawn stroke by stroke against font hands, on the same checks.

Our handwritten checks are otherwise written in font hands, the same fonts the line recognizer
learned from (but for the held-out ones); a person's pen follows no font. One seed's mail is
generated twice, with every handwritten check in its font hand and written stroke by stroke by a
writer of its own (`sample_data.strokes`, never seen in training), and the handwritten checks are
scored in both runs.
"""

from __future__ import annotations

from pathlib import Path

from benchmarks.pipeline import AS_OF, Outcome, generate_mail, side_by_side, the_same_checks


def run(items: int, seed: int, workdir: Path) -> tuple[Outcome, Outcome]:
    """The handwritten checks in font hands and stroke-drawn: (fonts, strokes)."""
    stroke_mail = generate_mail(items, seed, workdir, AS_OF, stroke_hands=1.0)
    font_mail = generate_mail(items, seed, workdir, AS_OF)
    return the_same_checks(
        font_mail,
        stroke_mail,
        lambda t: str(t["fields"].get("font", "")).startswith("strokes:"),
        workdir,
        (f"fonts-{seed}", f"strokes-{seed}"),
    )


def report(fonts: Outcome, strokes: Outcome) -> str:
    return side_by_side(
        [("font hands", fonts), ("drawn stroke by stroke", strokes)], "a stroke-drawn check"
    )
