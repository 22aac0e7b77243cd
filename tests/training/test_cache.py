"""The training run's cache of drawn lines is never reused for lines drawn otherwise."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from training import dataset
from training.fonts import scan_fonts, training_fonts


def test_a_change_to_the_drawing_code_names_a_new_cached_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    drawing = tmp_path / "drawing_under_test.py"
    drawing.write_text("BLUR = 1.0\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(dataset, "DRAWN_BY", (*dataset.DRAWN_BY, "drawing_under_test"))
    fonts, scan = training_fonts(), scan_fonts()
    before = dataset.drawn_in(fonts, scan)
    assert dataset.drawn_in(fonts, scan) == before  # the same code, the same set
    drawing.write_text("BLUR = 1.5\n")
    assert dataset.drawn_in(fonts, scan) != before
    assert dataset.drawn_in(fonts, scan, digit_share=0.1) != dataset.drawn_in(fonts, scan)
    sys.modules.pop("drawing_under_test", None)
