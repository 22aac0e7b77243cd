"""Fit the line reader's thresholds on real lines it never trained on.

For a line reader trained without the calibration part (`python -m training.micr_line --parts
train`), then `python -m training.calibrate_micr`.

Each line of the calibration part of the real scanned lines (training.micr.part_of) is read
once as `lockbox read` reads a file, which gives the cleaned page its MICR line is read from;
that page's line is then read again under each candidate setting of ocr.micr.sequence.Thresholds.
The setting kept misreads fewest lines, then reads most exactly, then is the strictest and
cheapest of those; it is written into the line reader's recipe with the lines it was fitted on,
and reading loads it from there. The network's outputs are kept between settings, so each
setting costs only the decoding and the line search around it.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, replace
from pathlib import Path

import numpy as np

import ocr.micr.reader as micr_reader
import ocr.micr.sequence as sequence
from benchmarks.micr import Score
from ocr.micr.sequence import MODEL, LineReader, Thresholds, line_reader
from ocr.pagecache import last_page
from ocr.reader import _micr_useful
from training.micr import real_line_files

PART = "calibration"
MIN_PROB = (0.5, 0.6, 0.7, 0.8, 0.9)
MIN_LEAD = (0.2, 0.35, 0.5, 0.65)
HALF_SEEN = (0.2, 0.3, 0.4, 0.5)
SETTLED = (0.9, 0.95, 0.98, 0.99, 0.995, 1.01)


@contextmanager
def _memoised_forward() -> Iterator[None]:
    """The network's output remembered by its input, for as long as the block runs."""
    kept: dict[bytes, np.ndarray] = {}
    plain = sequence.forward

    def forward(net: object, batch: np.ndarray) -> np.ndarray:
        key = hashlib.sha1(batch.tobytes()).digest() + str(batch.shape).encode()
        if key not in kept:
            kept[key] = plain(net, batch)  # type: ignore[arg-type]
        return kept[key]

    sequence.forward = forward  # type: ignore[assignment]
    try:
        yield
    finally:
        sequence.forward = plain


@contextmanager
def _reading_with(reader: LineReader) -> Iterator[None]:
    """Reading as `lockbox read` reads, with `reader` in place of the installed line reader and
    no page search remembered from another setting."""
    plain_reader, plain_locate = micr_reader.line_reader, micr_reader._locate
    micr_reader.line_reader = lambda: reader  # type: ignore[assignment,misc]
    micr_reader._locate = last_page(plain_locate.__wrapped__)  # type: ignore[attr-defined]
    try:
        yield
    finally:
        micr_reader.line_reader, micr_reader._locate = plain_reader, plain_locate


# the cleaned page the line is read from (None when reading never got to a MICR search), its
# dpi, the truth
Line = tuple[np.ndarray | None, int, str]


def cleaned_pages(files: list[tuple[Path, str]]) -> list[Line]:
    """The page each file's MICR line is read from when `lockbox read` reads it."""
    import ocr.micr as micr
    from ocr.reader import read_path_pages

    plain = micr.read_micr
    asked: list[tuple[np.ndarray, int]] = []

    def recorded(image: np.ndarray, dpi: int) -> object:
        asked.append((image.copy(), dpi))
        return plain(image, dpi)

    micr.read_micr = recorded  # type: ignore[assignment]
    out: list[Line] = []
    try:
        for path, want in files:
            asked.clear()
            read_path_pages(path)
            out.append((*asked[0], want) if asked else (None, 0, want))
    finally:
        micr.read_micr = plain
    return out


def score(reader: LineReader, lines: list[Line]) -> Score:
    """The lines read with `reader`, scored as the benchmark scores them (a line the page reader
    would not keep counts as none read)."""
    out = Score()
    with _reading_with(reader):
        for image, dpi, want in lines:
            micr = micr_reader.read_micr(image, dpi) if image is not None else None
            out.add(micr.text if micr is not None and _micr_useful(micr) else None, want, "")
    return out


def _better(got: Score, sure: Thresholds) -> tuple[int, int, float, float, float, float]:
    """Sort key, best first: fewest misread, most exact, then strictest and fewest views read."""
    return (got.misread, -got.exact, -sure.min_prob, -sure.min_lead, sure.half_seen, sure.settled)


def fit(
    base: LineReader, lines: list[Line], log: Callable[[str], None] = print
) -> tuple[Thresholds, Score]:
    """The best setting found one pair of thresholds at a time (the unsure rule, the half-seen
    rule, then settling), each step keeping the best so far."""
    best = base.sure
    seen: dict[Thresholds, Score] = {}

    def measure(sure: Thresholds) -> Score:
        if sure not in seen:
            got = seen[sure] = score(replace(base, sure=sure), lines)
            log(f"{asdict(sure)}: exact/rejected/misread {got.exact}/{got.rejected}/{got.misread}")
        return seen[sure]

    steps: list[Callable[[Thresholds], list[Thresholds]]] = [
        lambda b: [
            replace(b, min_prob=p, min_lead=q) for p, q in itertools.product(MIN_PROB, MIN_LEAD)
        ],
        lambda b: [replace(b, half_seen=h) for h in HALF_SEEN],
        lambda b: [replace(b, settled=s) for s in SETTLED],
    ]
    for step in steps:
        best = min(step(best) + [best], key=lambda t: _better(measure(t), t))
    return best, seen[best]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=str(MODEL))
    args = parser.parse_args()
    model = Path(args.model)
    base = line_reader(model)
    if base is None:
        raise SystemExit(f"no line reader at {model}: run training.micr_line first")
    recipe_path = model.with_suffix(".json")
    recipe = json.loads(recipe_path.read_text())
    # a recipe that does not name its parts is from before the calibration part existed
    if PART in recipe.get("trained_on_parts", [PART]):
        raise SystemExit(
            f"{model} trained on the {PART} part: thresholds fitted there would be fitted on"
            " lines it has seen; train it with --parts train first"
        )
    base = replace(base, sure=Thresholds())
    files = real_line_files(PART)
    with _reading_with(base):
        lines = cleaned_pages(files)
    with _memoised_forward():
        sure, got = fit(base, lines)
    recipe["thresholds"] = asdict(sure)
    recipe["thresholds_fitted_on"] = {
        "part": f"{PART} part of the real lines (training.micr.part_of)",
        "lines": len(files),
        "exact": got.exact,
        "rejected": got.rejected,
        "misread": got.misread,
        "rule": "fewest misread, then most exact, then strictest and fewest views read",
    }
    recipe_path.write_text(json.dumps(recipe, indent=2) + "\n")
    print(
        json.dumps(recipe["thresholds_fitted_on"] | {"thresholds": recipe["thresholds"]}, indent=2)
    )


if __name__ == "__main__":
    main()
