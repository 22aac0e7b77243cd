"""Training lines lettered in outline are their strokes' edges, owned by the characters drawn."""

from __future__ import annotations

import random

import numpy as np

from training.render import _Ink, _outline


def test_outline_lettering_keeps_each_strokes_edge_and_its_owner() -> None:
    mask = np.zeros((40, 60), np.float32)
    mask[10:30, 10:20] = 1.0  # one character's stroke
    mask[10:30, 35:45] = 1.0  # another's
    owner = np.zeros(mask.shape, np.int32)
    owner[10:30, 10:20] = 1
    owner[10:30, 35:45] = 2
    out = _outline(_Ink(mask, owner, ["1", "1"]), mask, random.Random(0))
    ink = out.mask > 0.5
    assert not ink[18:22, 13:17].any()  # hollow where the stroke was solid
    assert ink[:, :25].sum() > 2 * (20 + 10)  # a ring around it, wider than the stroke
    owned = out.owner[ink]
    assert {1, 2} <= set(np.unique(owned).tolist())  # each character owns its own edge
    assert (owned > 0).all()  # ... and every edge pixel is a character's
