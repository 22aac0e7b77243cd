"""The E-13B renderer draws characters at the standard's size and pitch, at any dpi."""

from __future__ import annotations

import numpy as np
import pytest

from ocr.micr import read_micr, render_micr
from ocr.micr.glyphs import GLYPHS, InvalidDpiError, MicrTextError


def ink_columns(band: np.ndarray) -> np.ndarray:
    return np.flatnonzero((band < 128).any(axis=0))


def ink_rows(band: np.ndarray) -> np.ndarray:
    return np.flatnonzero((band < 128).any(axis=1))


def runs(cols: np.ndarray) -> list[tuple[int, int]]:
    """Contiguous column runs (first, last) of ink."""
    splits = np.flatnonzero(np.diff(cols) > 1)
    starts = np.concatenate([[cols[0]], cols[splits + 1]])
    ends = np.concatenate([cols[splits], [cols[-1]]])
    return list(zip(starts.tolist(), ends.tolist(), strict=True))


@pytest.mark.parametrize("dpi", [200, 240, 300, 600])
def test_digits_are_0117_inch_tall_on_an_eighth_inch_pitch(dpi: int) -> None:
    band = render_micr("0000", dpi)
    assert band.dtype == np.uint8
    assert band.max() == 255 and band.min() == 0
    rows = ink_rows(band)
    assert abs((rows[-1] - rows[0] + 1) - 0.117 * dpi) <= 1.5  # edges are anti-aliased
    right_edges = [end for _, end in runs(ink_columns(band))]
    assert len(right_edges) == 4
    pitches = np.diff(right_edges)
    assert np.all(np.abs(pitches - 0.125 * dpi) <= 1.0)


def test_every_character_has_ink_and_symbols_keep_their_heights() -> None:
    dpi = 600
    full = ink_rows(render_micr("0", dpi))
    for char in GLYPHS:
        rows = ink_rows(render_micr(char, dpi))
        assert len(rows) > 0, char
        height = rows[-1] - rows[0] + 1
        if char == "U":
            assert height == pytest.approx(7 / 9 * len(full), abs=2)
        elif char == "D":
            assert height == pytest.approx(4 / 9 * len(full), abs=2)
        else:
            assert height == pytest.approx(len(full), abs=1), char


def test_space_takes_one_pitch() -> None:
    dpi = 300
    assert render_micr("0 0", dpi).shape[1] - render_micr("00", dpi).shape[1] == pytest.approx(
        0.125 * dpi, abs=1
    )


def test_glyphs_differ_from_one_another() -> None:
    images = {c: render_micr(c, 200).astype(np.int16) for c in GLYPHS}
    chars = sorted(images)
    for i, a in enumerate(chars):
        for b in chars[i + 1 :]:
            assert np.abs(images[a] - images[b]).sum() > 0, (a, b)


@pytest.mark.parametrize("text", ["0-1", "x", "⑆", "t12t"])
def test_characters_outside_e13b_are_refused(text: str) -> None:
    with pytest.raises(MicrTextError, match="E-13B"):
        render_micr(text)


def test_valid_text_with_every_symbol_renders() -> None:
    band = render_micr("T12A 3U D", 200)
    assert band.shape[0] > 0.117 * 200


def test_a_resolution_must_be_positive() -> None:
    with pytest.raises(InvalidDpiError, match="positive"):
        render_micr("0", 0)
    with pytest.raises(InvalidDpiError):
        read_micr(np.full((10, 10), 255, np.uint8), -300)
