"""Handwriting drawn stroke by stroke: every character an amount, a date or a memo needs, drawn
the writer's way, never twice alike; `--stroke-hands` changes the handwritten checks only."""

from __future__ import annotations

import random
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ocr.parse.words import SPELLINGS, spell_amount
from sample_data.strokes import StrokeHand, covers, draw

from .conftest import beside_run24, rewritten_checks


def _ink(text: str, height: float, seed: int, rng_seed: int) -> np.ndarray:
    mask, _, _ = draw(text, height, StrokeHand.of_writer(seed), random.Random(rng_seed))
    return np.asarray(mask) > 127


@given(st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999.99"), places=2))
@settings(max_examples=60, deadline=None)
def test_every_amount_in_figures_and_words_has_its_strokes(value: Decimal) -> None:
    assert covers(f"**{value:,}") and covers(f"${value}")
    for spelling in SPELLINGS:
        if spelling.fits(value):
            assert covers(spell_amount(value, spelling))


def test_dates_and_memos_have_their_strokes() -> None:
    for text in ("11/17/2026", "11-17-26", "Nov 17, 2026", "Acct #4410023981", "Loan 4410-023-981"):
        assert covers(text)


def test_digits_stand_as_tall_as_asked() -> None:
    ink = _ink("7", 40.0, seed=3, rng_seed=1)
    rows = np.flatnonzero(ink.any(axis=1))
    assert 34 <= rows[-1] - rows[0] + 1 <= 52  # the digit, and the pen's width around it


def test_one_writer_never_writes_a_figure_twice_alike_but_keeps_their_hand() -> None:
    first, again = _ink("4", 40.0, seed=5, rng_seed=1), _ink("4", 40.0, seed=5, rng_seed=2)
    assert StrokeHand.of_writer(5) == StrokeHand.of_writer(5)
    assert StrokeHand.of_writer(5) != StrokeHand.of_writer(6)
    h = min(first.shape[0], again.shape[0])
    w = min(first.shape[1], again.shape[1])
    assert (first[:h, :w] != again[:h, :w]).any()


@pytest.fixture(scope="module")
def runs(run24: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return beside_run24(run24, tmp_path_factory, "strokes", stroke_hands=1.0)


def test_stroke_hands_write_the_handwritten_checks_and_change_nothing_else(
    runs: tuple[Path, Path],
) -> None:
    assert rewritten_checks(*runs, "strokes:"), "no handwritten check in this run"


def test_the_recognizer_is_measured_on_writers_it_never_learned_from() -> None:
    from training.fonts import HELD_OUT, held_out_fonts, training_fonts

    held = {f.name for f in held_out_fonts() if f.writer is not None}
    assert held and held <= set(HELD_OUT)
    assert not held & {f.name for f in training_fonts()}


def test_a_writers_training_line_is_labelled_with_what_it_shows() -> None:
    from training.fonts import stroke_writers
    from training.render import render

    [writer] = stroke_writers((7,))
    rng = random.Random(3)
    samples = [render(rng, writer, "courtesy", ("412.45", None)) for _ in range(6)]
    labels = [s.label for s in samples if s is not None]
    assert len(labels) >= 3 and set(labels) == {"412.45"}
