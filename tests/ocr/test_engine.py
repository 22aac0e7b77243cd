"""Tesseract kept loaded in-process reads exactly what the `tesseract` program reads.

The engine is only a faster way to run the same Tesseract, so a page's words, boxes and
confidences must not change with it: every tuning of the readers was done against the program.
"""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

from ocr import engine, tess
from ocr.isolate import binarize
from tests.ocr.conftest import CheckSpec, render_check

needs_library = pytest.mark.skipif(
    importlib.util.find_spec("tesserocr") is None, reason="tesserocr is not installed"
)


@pytest.fixture
def program(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run the `tesseract` program for this test, whatever the engine would do."""
    monkeypatch.setattr(engine, "get", lambda: None)


def _words(found: list[tess.Word]) -> list[tuple[str, int, int, int, int]]:
    return [(w.text, w.x0, w.y0, w.x1, w.y1) for w in found]


def _confs_close(a: list[tess.Word], b: list[tess.Word]) -> bool:
    """pytesseract truncates confidences to whole percent; the library keeps the fraction."""
    return all(abs(x.conf - y.conf) < 0.01 for x, y in zip(a, b, strict=True))


@needs_library
def test_the_engine_loads_when_built_on_the_installed_tesseract() -> None:
    # `make` builds tesserocr against the system Tesseract; a mismatch would silently halve speed.
    assert engine.get() is not None


@needs_library
def test_a_check_page_reads_the_same_words_either_way(monkeypatch: pytest.MonkeyPatch) -> None:
    page = render_check(
        CheckSpec(hand_font="dkg.ttf", courtesy="1,895.90", memo="Loan # 7396312815", dpi=200)
    )
    loaded = tess.words(page, psm=11)
    assert any(w.text.upper().startswith("DOLLAR") for w in loaded), "the page was not read at all"
    monkeypatch.setattr(engine, "get", lambda: None)
    by_program = tess.words(page, psm=11)
    assert _words(by_program) == _words(loaded)
    assert _confs_close(by_program, loaded)


@needs_library
def test_line_reads_with_a_whitelist_match_the_program(monkeypatch: pytest.MonkeyPatch) -> None:
    page = render_check(CheckSpec(courtesy="412.45", dpi=300))
    h, w = page.shape
    crops = [page[: h // 3, w // 2 :], binarize(page[h // 3 : 2 * h // 3, :]), np.zeros((4, 4))]
    loaded = tess.read_lines(crops, tess.DIGITS_MONEY)
    assert loaded[2].text == ""  # too small to read: nothing, not a crash
    monkeypatch.setattr(engine, "get", lambda: None)
    by_program = tess.read_lines(crops, tess.DIGITS_MONEY)
    assert [(r.text, round(r.mean_conf, 2)) for r in loaded] == [
        (r.text, round(r.mean_conf, 2)) for r in by_program
    ]
    assert all(set(r.text) <= set(tess.DIGITS_MONEY + " ") for r in loaded)


def test_without_the_library_reads_still_work(program: None) -> None:
    page = render_check(CheckSpec(dpi=200))
    assert any(w.text.upper().startswith("DOLLAR") for w in tess.words(page, psm=11))
