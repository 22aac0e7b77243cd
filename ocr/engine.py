"""Tesseract kept loaded in this process (through tesserocr), one engine per thread.

A check page needs a dozen small reads; run as a program, each would start Tesseract and load its
model again, which costs about 0.2 s against 10 ms of reading. Here the model is loaded once per
process and thread (Dask runs several threads per worker) and each read only hands over the
pixels. The library must be the installed Tesseract itself (tesserocr built against it, `make` does so),
so that both ways read exactly alike; `get()` returns None where it is missing, is another
version, or cannot find the language data, and `ocr.tess` then runs the `tesseract` program.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
import re
import shutil
import subprocess
import threading
from functools import cache
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from ocr.tess import Word

log = logging.getLogger(__name__)

# Dictionaries pull a read towards English words; with a character whitelist they only hurt, and
# they can be switched off only when the model loads, so the engine keeps one API per setting.
NO_DICTIONARY = {"load_system_dawg": "0", "load_freq_dawg": "0"}
# Settings for every read. Tesseract reads again, inverted, each line it was unsure of (light on
# dark text); scans are dark on light, and handwriting is always unsure, so that is wasted work.
ALWAYS = {"tessedit_do_invert": "0"}
DISABLE_ENV = "LOCKBOX_TESSERACT_PROGRAM"  # set to 1 to run the `tesseract` program instead


def _ask_program(*args: str) -> str:
    program = shutil.which("tesseract")
    if program is None:
        return ""
    try:
        done = subprocess.run(
            [program, *args], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout + done.stderr


@cache
def tessdata_dir() -> str | None:
    """Where the installed Tesseract keeps its language data (the program says so itself)."""
    prefix = os.environ.get("TESSDATA_PREFIX")
    if prefix and os.path.isfile(os.path.join(prefix, "eng.traineddata")):
        return prefix
    found = re.search(r'"([^"]+)"', _ask_program("--list-langs"))
    if found and os.path.isfile(os.path.join(found.group(1), "eng.traineddata")):
        return found.group(1)
    return None


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0].strip() if text.strip() else ""


_LEPTONICA_SILENT = 6  # L_SEVERITY_NONE


def _silence_leptonica() -> None:
    """Leptonica, under Tesseract, prints to stderr about the odd empty crop; the program's stderr
    was captured, the library's would reach a clerk's terminal. Best effort: without it, noise."""
    name = ctypes.util.find_library("lept") or ctypes.util.find_library("leptonica")
    if name is None:
        return
    try:
        ctypes.CDLL(name).setMsgSeverity(ctypes.c_int(_LEPTONICA_SILENT))
    except (OSError, AttributeError):
        log.debug("could not quiet leptonica")


class Engine:
    """Tesseract's LSTM engine for English, loaded once; one instance per thread."""

    def __init__(self, tesserocr: Any, path: str) -> None:
        self._tesserocr = tesserocr
        self._path = path
        self._apis: dict[tuple[int, bool], Any] = {}

    def _api(self, psm: int, dictionary: bool) -> Any:
        key = (psm, dictionary)
        api = self._apis.get(key)
        if api is None:
            t = self._tesserocr
            api = t.PyTessBaseAPI(
                path=self._path,
                lang="eng",
                psm=psm,
                oem=t.OEM.LSTM_ONLY,
                variables=dict(ALWAYS) if dictionary else {**ALWAYS, **NO_DICTIONARY},
            )
            api.SetVariable("debug_file", os.devnull)  # Tesseract's own messages, likewise
            self._apis[key] = api
        return api

    def words(self, image: np.ndarray, psm: int, whitelist: str | None) -> list[Word]:
        """Every word Tesseract reads in a greyscale image, boxes in the image's pixels."""
        from ocr.tess import tsv_words

        api = self._api(psm, dictionary=not whitelist)
        api.SetVariable("tessedit_char_whitelist", whitelist or "")
        pixels = np.ascontiguousarray(image if image.ndim == 2 else image[..., 0], np.uint8)
        h, w = pixels.shape
        api.SetImageBytes(pixels.tobytes(), w, h, 1, w)
        try:
            tsv = api.GetTSVText(0)
        except RuntimeError:
            return []
        finally:
            api.Clear()
        return [word for _, word in tsv_words(tsv)]


_local = threading.local()


@cache
def _library() -> Any:
    if os.environ.get(DISABLE_ENV) == "1":
        return None
    try:
        import tesserocr
    except ImportError:
        log.info("tesserocr is not installed: Tesseract runs as a program (slower)")
        return None
    mine, program = (
        _first_line(tesserocr.tesseract_version()),
        _first_line(_ask_program("--version")),
    )
    if mine != program:
        log.warning(
            "tesserocr is built on %s but the installed program is %s: running the program "
            "(reinstall with `pip install --no-binary tesserocr tesserocr`)",
            mine,
            program or "missing",
        )
        return None
    return tesserocr


def get() -> Engine | None:
    """This thread's engine, or None to run the `tesseract` program instead."""
    if hasattr(_local, "engine"):
        loaded: Engine | None = _local.engine
        return loaded
    library, path = _library(), tessdata_dir()
    engine = None
    if library is not None and path is not None:
        _silence_leptonica()
        try:
            engine = Engine(library, path)
            engine._api(11, dictionary=True)  # fail here, not in the middle of a page
        except RuntimeError as exc:
            log.warning(
                "Tesseract's library could not load its model (%s): running the program", exc
            )
            engine = None
    _local.engine = engine
    return engine
