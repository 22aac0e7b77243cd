"""A thin, typed wrapper over Tesseract: words with boxes and confidences, and one-line re-reads.

Every call goes through here so the page is handed over as a numpy array once, confidences come back
on one scale ([0, 1]), and a Tesseract failure on a strange crop becomes 'nothing read' rather than a
crash. Tesseract runs in this process through its library (`ocr.engine`), its model loaded once per
process: starting the `tesseract` program and loading its model for every small crop cost twenty
times the reading. Where the library is not available the program is run instead (pytesseract).
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from ocr import engine

# Tesseract's OpenMP threads fight each other (and the pipeline's own worker processes) on small
# images: one thread per run is twice as fast here and uses a third of the CPU. A value the
# operator set is kept.
os.environ.setdefault("OMP_THREAD_LIMIT", "1")

DIGITS_MONEY = "0123456789$,.*/-"
DIGITS_ONLY = "0123456789"


def _settings(whitelist: str | None) -> list[str]:
    """The `-c` settings of the program, the same as the loaded engine's (`ocr.engine`); with a
    whitelist the words are not English, and the dictionaries would only pull reads to words."""
    settings = {**engine.ALWAYS}
    if whitelist:
        settings |= {"tessedit_char_whitelist": whitelist, **engine.NO_DICTIONARY}
    return [f"{k}={v}" for k, v in settings.items()]


@dataclass(frozen=True)
class Word:
    """One word Tesseract found: its text, confidence in [0, 1] and box in page pixels."""

    text: str
    conf: float
    x0: int
    y0: int
    x1: int
    y1: int
    line: tuple[int, int, int] = (0, 0, 0)  # (block, paragraph, line) as Tesseract grouped them

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2

    @property
    def height(self) -> int:
        return self.y1 - self.y0


def _config(psm: int, whitelist: str | None, extra: str = "") -> str:
    parts = [f"--psm {psm}", "--oem 1", *(f"-c {s}" for s in _settings(whitelist))]
    if extra:
        parts.append(extra)
    return " ".join(parts)


def words(
    image: np.ndarray, psm: int = 11, whitelist: str | None = None, scale: float = 1.0
) -> list[Word]:
    """Every word in the image; boxes are divided by `scale` to map back to the original pixels."""
    if image.size == 0 or min(image.shape[:2]) < 8:
        return []
    loaded = engine.get()
    if loaded is not None:
        return _scaled(loaded.words(image, psm, whitelist), scale)
    import pytesseract  # only where the library is missing: it imports pandas (0.2 s a process)

    try:
        data = pytesseract.image_to_data(
            image, config=_config(psm, whitelist), output_type=pytesseract.Output.DICT
        )
    except (pytesseract.TesseractError, RuntimeError, OSError):
        return []
    out: list[Word] = []
    for i, text in enumerate(data["text"]):
        text = str(text).strip()
        conf = float(data["conf"][i])
        if not text or conf < 0:
            continue
        x, y = int(data["left"][i]), int(data["top"][i])
        w, h = int(data["width"][i]), int(data["height"][i])
        line = (int(data["block_num"][i]), int(data["par_num"][i]), int(data["line_num"][i]))
        out.append(Word(text, max(0.0, min(1.0, conf / 100.0)), x, y, x + w, y + h, line))
    return _scaled(out, scale)


@dataclass(frozen=True)
class LineRead:
    """The text of one re-read line and its weakest and mean word confidence."""

    text: str
    min_conf: float
    mean_conf: float
    words: tuple[Word, ...] = ()


def read_line(image: np.ndarray, whitelist: str | None = None, psm: int = 7) -> LineRead:
    """Read a crop holding one line of text (psm 7)."""
    found = words(image, psm=psm, whitelist=whitelist)
    if not found:
        return LineRead("", 0.0, 0.0)
    found.sort(key=lambda w: (w.line, w.x0))
    return _line_read(found)


def read_stacked(
    crops: list[np.ndarray], whitelist: str | None = None, psm: int = 11
) -> list[LineRead]:
    """Read several crops with ONE Tesseract run: stacked with white gaps, words sorted back by y.

    Starting Tesseract and loading its model costs more than reading a small crop, so the field
    re-reads of a page share one run.
    """
    if not crops:
        return []
    gap = max(40, max(c.shape[0] for c in crops) // 2)
    width = max(c.shape[1] for c in crops)
    height = sum(c.shape[0] for c in crops) + gap * (len(crops) + 1)
    canvas = np.full((height, width), 255, np.uint8)
    spans: list[tuple[int, int]] = []
    y = gap
    for c in crops:
        canvas[y : y + c.shape[0], : c.shape[1]] = c
        spans.append((y, y + c.shape[0]))
        y += c.shape[0] + gap
    found = words(canvas, psm=psm, whitelist=whitelist)
    out: list[LineRead] = []
    for y0, y1 in spans:
        mine = sorted((w for w in found if y0 <= w.cy < y1), key=lambda w: (w.line, w.x0))
        mine = sorted(mine, key=lambda w: w.x0) if mine else mine
        shifted = [Word(w.text, w.conf, w.x0, w.y0 - y0, w.x1, w.y1 - y0, w.line) for w in mine]
        out.append(_line_read(shifted) if shifted else LineRead("", 0.0, 0.0))
    return out


def read_lines(
    images: list[np.ndarray], whitelist: str | None = None, psm: int = 7
) -> list[LineRead]:
    """Read many one-line crops with ONE Tesseract process: each crop is a page of a list file.

    Unlike `read_stacked`, every crop keeps its own page, so a single-line mode (psm 7) applies to
    each and no crop's words can drift into its neighbour's. A crop that is empty, or a Tesseract
    failure, reads as nothing.
    """
    out = [LineRead("", 0.0, 0.0) for _ in images]
    live = [i for i, im in enumerate(images) if im.size and min(im.shape[:2]) >= 8]
    if not live:
        return out
    loaded = engine.get()
    if loaded is not None:
        for i in live:
            ws = loaded.words(images[i], psm, whitelist)
            if ws:
                out[i] = _line_read(ws)
        return out
    import pytesseract  # as in `words`

    args = ["--psm", str(psm), "--oem", "1"]
    for setting in _settings(whitelist):
        args += ["-c", setting]
    try:
        with tempfile.TemporaryDirectory(prefix="lockbox-ocr-") as tmp:
            names = []
            for n, i in enumerate(live):
                name = str(Path(tmp) / f"{n}.png")
                cv2.imwrite(name, images[i], [cv2.IMWRITE_PNG_COMPRESSION, 1])
                names.append(name)
            listing = Path(tmp) / "pages.txt"
            listing.write_text("\n".join(names) + "\n")
            cmd = [pytesseract.pytesseract.tesseract_cmd, str(listing), "stdout", *args, "tsv"]
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    except (OSError, subprocess.SubprocessError):
        return out
    found: dict[int, list[Word]] = {}
    for page, word in tsv_words(done.stdout):
        found.setdefault(page, []).append(word)
    for n, i in enumerate(live):
        ws = found.get(n, [])
        if ws:
            out[i] = _line_read(ws)
    return out


def tsv_words(tsv: str) -> Iterator[tuple[int, Word]]:
    """Every word in Tesseract's TSV output (the program's or the library's), with the index of
    its page from 0; the header row and empty or unscored boxes are skipped."""
    for row in tsv.splitlines():
        f = row.split("\t")
        if len(f) < 12 or f[0] != "5" or not f[11].strip():
            continue
        conf = float(f[10])
        if conf < 0:
            continue
        x, y, w, h = (int(v) for v in f[6:10])
        line = (int(f[2]), int(f[3]), int(f[4]))
        conf01 = max(0.0, min(1.0, conf / 100.0))
        yield int(f[1]) - 1, Word(f[11].strip(), conf01, x, y, x + w, y + h, line)


def _line_read(found: list[Word]) -> LineRead:
    confs = [w.conf for w in found]
    return LineRead(
        " ".join(w.text for w in found), min(confs), sum(confs) / len(confs), tuple(found)
    )


def _scaled(found: list[Word], scale: float) -> list[Word]:
    if scale == 1.0:
        return found
    return [
        Word(
            w.text,
            w.conf,
            int(w.x0 / scale),
            int(w.y0 / scale),
            int(w.x1 / scale),
            int(w.y1 / scale),
            w.line,
        )
        for w in found
    ]
