"""The line reader's decoding: what the network says frame by frame becomes characters, and
anything it is unsure of becomes `?` rather than vanishing or being guessed."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ocr.micr.characters import Char
from ocr.micr.sequence import MODEL, LineReader, Thresholds, line_reader, vote

LABELS = "0123456789TUAD"


def _frames(path: list[tuple[int, float]]) -> np.ndarray:
    """Per-frame probabilities: class k with probability p, the rest shared by the others."""
    probs = np.empty((len(path), len(LABELS) + 1))
    for t, (k, p) in enumerate(path):
        probs[t] = (1 - p) / len(LABELS)
        probs[t, k] = p
    return probs


def _decode(path: list[tuple[int, float]]) -> str:
    reader = LineReader(net=None, labels=LABELS)  # type: ignore[arg-type]
    return "".join(c.label for c in reader._decode(_frames(path), 1.0))


def _sure(text: str) -> list[tuple[int, float]]:
    """A frame path as a confident network emits `text`: each glyph over two or three frames,
    blanks between."""
    path = [(0, 0.99)]
    for n, ch in enumerate(text):
        path += [(LABELS.index(ch) + 1, 0.98)] * (2 + n % 2) + [(0, 0.99)]
    return path


@settings(max_examples=60)
@given(st.text(alphabet=LABELS, min_size=1, max_size=40))
def test_a_surely_read_line_decodes_to_itself(text: str) -> None:
    """Doubled characters included ('00' needs the blank between)."""
    assert _decode(_sure(text)) == text


def test_an_unsure_glyph_is_a_question_mark() -> None:
    three = LABELS.index("3") + 1
    path = [(k, Thresholds().min_prob - 0.2 if k == three else p) for k, p in _sure("T1234")]
    assert _decode(path) == "T12?4"


def test_a_half_seen_character_is_not_dropped() -> None:
    """Blank wins a frame, but a glyph holds a third of it, clear of its neighbours: the line
    must not close up over it (that is how a line is misread)."""
    path = _sure("12") + [(0, 0.99)] * 2
    probs = _frames(path + _sure("34"))
    t = len(path) - 1
    probs[t] = 0.0
    probs[t, 0], probs[t, LABELS.index("7") + 1] = 0.6, 0.4
    reader = LineReader(net=None, labels=LABELS)  # type: ignore[arg-type]
    assert "".join(c.label for c in reader._decode(probs, 1.0)) == "12?34"


def _view(text: str, shift: int = 0, pitch: int = 20) -> list[Char]:
    return [
        Char(n * pitch + shift, n * pitch + shift + 14, ch, 0.99, 0.98)
        for n, ch in enumerate(text)
        if ch != " "
    ]


@settings(max_examples=60)
@given(
    st.text(alphabet=LABELS, min_size=1, max_size=30),
    st.integers(0, 29),
    st.sampled_from(LABELS + "? "),
    st.integers(-4, 4),
)
def test_one_view_alone_never_changes_the_line(text: str, at: int, other: str, shift: int) -> None:
    """A character one view drops, adds or reads otherwise is outvoted by the two that agree,
    wherever the views' frames fall (a few pixels apart)."""
    at %= len(text)
    odd = text[:at] + other + text[at + 1 :]
    views = [_view(text), _view(odd, shift), _view(text, -shift)]
    assert "".join(c.label for c in vote(views, 20)) == text


def test_views_that_disagree_leave_the_character_unsure() -> None:
    views = [_view("T1234"), _view("T1734"), _view("T1?34")]
    assert "".join(c.label for c in vote(views, 20)) == "T1?34"


class _Views(LineReader):
    """A reader whose network gives a fixed reading per view, counting the views read."""

    def __init__(self, views: dict[float, list[Char]], settled: float) -> None:
        super().__init__(None, LABELS, Thresholds(settled=settled))  # type: ignore[arg-type]
        object.__setattr__(self, "views", views)
        object.__setattr__(self, "asked", [])

    def read(self, crop: np.ndarray, stretch: float = 1.0) -> list[Char]:
        self.asked.append(stretch)  # type: ignore[attr-defined]
        return self.views[stretch]  # type: ignore[attr-defined,no-any-return]


def _scored(text: str, score: float, unsure_at: int | None = None) -> list[Char]:
    return [
        Char(n * 20, n * 20 + 14, "?" if n == unsure_at else ch, score, 0.9)
        for n, ch in enumerate(text)
    ]


def test_a_first_view_read_surely_is_final() -> None:
    """Every character surer than `settled`: the other two views are not read."""
    reader = _Views(
        {1.0: _scored("T1234", 0.995), 0.9: _scored("T1734", 0.99), 1.1: _scored("T1734", 0.99)},
        settled=0.98,
    )
    assert "".join(c.label for c in reader.read_voted(np.zeros((8, 8)), 20)) == "T1234"
    assert reader.asked == [1.0]  # type: ignore[attr-defined]


@pytest.mark.parametrize("first", [_scored("T1234", 0.97), _scored("T1234", 0.995, unsure_at=2)])
def test_a_first_view_less_sure_is_outvoted(first: list[Char]) -> None:
    """One character under `settled`, or one `?`: all three views are read, and two that agree
    outvote the first."""
    reader = _Views(
        {1.0: first, 0.9: _scored("T1734", 0.99), 1.1: _scored("T1734", 0.99)}, settled=0.98
    )
    assert "".join(c.label for c in reader.read_voted(np.zeros((8, 8)), 20)) == "T1734"
    assert reader.asked == [1.0, 0.9, 1.1]  # type: ignore[attr-defined]


@pytest.mark.skipif(not MODEL.is_file(), reason="the line reader is not installed")
def test_the_line_reader_is_installed_with_its_recipe() -> None:
    """`make micr-model` writes the network and its recipe with the held-out score beside it."""
    assert line_reader() is not None
    recipe = json.loads(MODEL.with_suffix(".json").read_text())
    assert recipe["labels"] == LABELS and recipe["seed"]
    assert recipe["held_out_real_lines_exact_greedy"] >= 0.8
    if "thresholds" in recipe:  # fitted by training.calibrate_micr, on lines it names
        assert Thresholds(**recipe["thresholds"]) == line_reader().sure  # type: ignore[union-attr]
        assert recipe["thresholds_fitted_on"]["lines"] > 0


needs_model = pytest.mark.skipif(not MODEL.is_file(), reason="the line reader is not installed")


def _band(text: str, dpi: int = 200) -> np.ndarray:
    import cv2

    from ocr.micr import render_micr

    return cv2.copyMakeBorder(
        render_micr(text, dpi), 12, 12, 40, 40, cv2.BORDER_CONSTANT, value=255
    )


@needs_model
def test_a_character_the_scans_edge_cut_is_unsure_not_dropped() -> None:
    """Half of the last symbol left on the image: the line ends in `?`, never one character
    short (a line read short is a misread)."""
    from ocr.micr import read_micr

    band = _band("T111986275T 8361233531U")
    ink_cols = np.flatnonzero((band < 128).any(axis=0))
    cut = band[:, : int(ink_cols[-1]) - 6]  # through the on-us symbol's last bar
    got = read_micr(cut, 200)
    assert got is not None and got.text.startswith("T111986275T 8361233531")
    assert got.text.endswith("?")


@needs_model
def test_a_rule_beside_the_line_is_no_character() -> None:
    """The check's border crossing the band next to the line is not read as lost ink."""
    from ocr.micr import read_micr

    band = _band("T111986275T 8361233531U 0667")
    band[:, 20:23] = 0
    got = read_micr(band, 200)
    assert got is not None and got.text == "T111986275T 8361233531U 0667"


@needs_model
@pytest.mark.parametrize("text", ["0904660110900", "010D099193"])
def test_a_band_cut_out_alone_needs_no_symbol(text: str) -> None:
    """A band image holding only an on-us field cut short (no transit or on-us symbol) reads,
    every character surely; the same characters on a check's page are no code line."""
    import cv2

    from ocr.micr import read_micr

    band = _band(text)
    got = read_micr(band, 200)
    assert got is not None and got.text == text
    page = np.full((550, 1200), 255, np.uint8)
    page[300 : 300 + band.shape[0], 100 : 100 + band.shape[1]] = band
    assert read_micr(page, 200) is None
    assert read_micr(cv2.rotate(band, cv2.ROTATE_180), 200) is None
