"""The answer a costly page search gave for the last page it was asked about, kept.

Several readers ask the same question of one page: clean-up finds the MICR band to turn the page
upright and the MICR reader reads that band; every field of a check asks where the printed rules
are. The answers are kept for the last page only, keyed by the pixels' checksum (a millisecond,
against tens for a search), so a page changed in place is searched anew and nothing grows. Each
thread keeps its own last page: a Dask worker reads pages on several threads at once, and one
thread's page must never answer for another's.
"""

from __future__ import annotations

import functools
import threading
import zlib
from collections.abc import Callable, Hashable
from typing import Concatenate, ParamSpec, TypeVar

import numpy as np

P = ParamSpec("P")
R = TypeVar("R")


def last_page(
    search: Callable[Concatenate[np.ndarray, P], R],
) -> Callable[Concatenate[np.ndarray, P], R]:
    """`search(image, *args)`, answered from memory when asked again about the same pixels and
    arguments; `search` gets the image as a contiguous array and must not change it. Every
    question asked of the last page is kept (a search asked with two rule lengths answers both
    from memory), and all of them go when this thread asks about another page."""
    mine = threading.local()

    @functools.wraps(search)
    def asked(image: np.ndarray, /, *args: P.args, **kwargs: P.kwargs) -> R:
        pixels = np.ascontiguousarray(image)
        this = (pixels.shape, pixels.dtype.str, zlib.crc32(pixels.data))
        if getattr(mine, "page", None) != this:
            mine.page, mine.kept = this, {}
        kept: dict[Hashable, R] = mine.kept
        question = (args, tuple(sorted(kwargs.items())))
        if question not in kept:
            kept[question] = search(pixels, *args, **kwargs)
        return kept[question]

    return asked
