"""A page search asked twice about the same page searches once; a changed page is searched anew."""

from __future__ import annotations

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
