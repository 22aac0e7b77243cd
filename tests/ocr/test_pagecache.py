"""A page search asked twice about the same page searches once; a changed page is searched anew."""

from __future__ import annotations

import threading

import numpy as np

from ocr.pagecache import last_page


def test_the_same_page_is_searched_once_and_a_changed_one_again() -> None:
    searched: list[int] = []

    @last_page
    def ink(image: np.ndarray, threshold: int) -> int:
        searched.append(threshold)
        return int((image < threshold).sum())

    page = np.full((20, 30), 255, np.uint8)
    page[5:10, 5:10] = 0
    assert ink(page, 128) == ink(page.copy(), 128) == 25
    assert searched == [128]  # the same pixels, even in another array: one search
    assert ink(page, 250) == 25 and searched == [128, 250]  # another question
    assert ink(page, 128) == 25 and searched == [128, 250]  # the first, still answered
    page[0, 0] = 0  # drawn on in place
    assert ink(page, 250) == 26 and searched == [128, 250, 250]
    view = page[:, ::2]  # not contiguous: searched as a contiguous copy
    assert ink(view, 250) == int((view < 250).sum())


def test_two_threads_reading_two_pages_at_once_each_get_their_own_page() -> None:
    """A Dask worker reads pages on several threads: one thread's page never answers another's
    question, however the searches interleave."""
    held, release = threading.Event(), threading.Event()

    @last_page
    def ink(image: np.ndarray, threshold: int) -> int:
        if image[0, 0] == 0:  # the first thread's page: searched while the other asks about its own
            held.set()
            release.wait(5)
        return int((image < threshold).sum())

    first = np.full((20, 30), 255, np.uint8)
    first[0, 0] = 0
    first[5:10, 5:10] = 0
    second = np.full((20, 30), 255, np.uint8)
    second[2, :10] = 0
    answers: dict[str, int] = {}
    reader = threading.Thread(target=lambda: answers.setdefault("first", ink(first, 128)))
    reader.start()
    assert held.wait(5)
    asked_before = ink(second, 128)
    release.set()
    reader.join(5)
    assert answers["first"] == 26
    assert asked_before == ink(second, 128) == 10
