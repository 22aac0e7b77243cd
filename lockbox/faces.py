"""A check face's print, as stored with each item, and how near two prints are.

The print is made from the scan by ocr.fingerprint (ink density on a grid over the face's own box);
here it is data: bytes for the database, and the comparison that tells a second copy of a check
from another check of the same stock and writer. A rescan moves ink a little everywhere (threshold,
blur, JPEG, a box measured a little off); another check differs by whole strokes somewhere (a digit
of the amount or the date, the check number), so patches are matched where they fit best and the
worst-fitting patch decides.
"""

from __future__ import annotations

import math
import struct
import zlib
from dataclasses import dataclass

import numpy as np

VERSION = 1  # the comparison's recipe: prints of other versions are never compared
_HEAD = struct.Struct("<HHHH")  # version, aspect x 1000, rows, columns
COARSE = 4  # the coarse copy is the grid's mean over COARSE x COARSE cells
BLOCK = 16  # cells of a compared patch (about 0.5 in on a personal check: a word, a few digits)
MAX_SHIFT = 3  # cells a patch may have moved (skew left over, a box measured a little off)
# Two faces this close are one check whatever else was read: checks of one stock and writer differ
# by more where their amounts, dates or numbers differ.
SAME_FACE = 0.06
# Closer than this, the faces are one check when the number, the amount or the payer read on both
# agrees and nothing read disagrees (a rescan in another style drifts further than SAME_FACE).
LIKE_FACE = 0.11
INK_LEVEL = 99  # percentile of a face's inked cells taken as full ink (see `_levelled`)


@dataclass(frozen=True)
class FacePrint:
    """Ink density (uint8, 0 = paper) on a grid over the face's inked box, and that box's aspect."""

    grid: np.ndarray
    aspect: float

    def to_bytes(self) -> bytes:
        """Compressed for the database: most of a face is paper."""
        rows, cols = self.grid.shape
        head = _HEAD.pack(VERSION, round(self.aspect * 1000), rows, cols)
        return zlib.compress(head + np.ascontiguousarray(self.grid, dtype=np.uint8).tobytes())

    @classmethod
    def from_bytes(cls, data: bytes | None) -> FacePrint | None:
        """The print `to_bytes` stored, or None (none stored, another version, damaged)."""
        if not data:
            return None
        try:
            raw = zlib.decompress(data)
            version, aspect, rows, cols = _HEAD.unpack_from(raw)
        except (zlib.error, struct.error):
            return None
        if version != VERSION or len(raw) != _HEAD.size + rows * cols:
            return None
        grid = np.frombuffer(raw, dtype=np.uint8, offset=_HEAD.size).reshape(rows, cols)
        return cls(grid=grid, aspect=aspect / 1000)

    def coarse(self) -> np.ndarray:
        """The grid's mean over COARSE x COARSE cells, to pick candidates fast."""
        rows, cols = (n // COARSE for n in self.grid.shape)
        cells = self.grid[: rows * COARSE, : cols * COARSE].astype(np.float32)
        return cells.reshape(rows, COARSE, cols, COARSE).mean(axis=(1, 3)).astype(np.uint8)


def _block_residuals(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """For each BLOCK x BLOCK patch of `a`, the mean |a - b| at the shift of `b` that fits it best."""
    ny, nx = a.shape[0] // BLOCK, a.shape[1] // BLOCK
    patches = a[: ny * BLOCK, : nx * BLOCK].reshape(ny, BLOCK, nx, BLOCK)
    padded = np.pad(b, MAX_SHIFT)
    best = np.full((ny, nx), np.inf, dtype=np.float32)
    for dy in range(-MAX_SHIFT, MAX_SHIFT + 1):
        for dx in range(-MAX_SHIFT, MAX_SHIFT + 1):
            window = padded[
                MAX_SHIFT + dy : MAX_SHIFT + dy + ny * BLOCK,
                MAX_SHIFT + dx : MAX_SHIFT + dx + nx * BLOCK,
            ].reshape(ny, BLOCK, nx, BLOCK)
            np.minimum(best, np.abs(patches - window).mean(axis=(1, 3)), out=best)
    return best


def _levelled(grid: np.ndarray) -> np.ndarray:
    """The grid in [0, 1] with its own darkest ink as 1: a thin font, a light scan or a bitonal
    threshold changes how much of each cell is ink, page-wide; the shapes stay."""
    cells = grid.astype(np.float32) / 255.0
    inked = cells[cells > 0.02]
    if inked.size == 0:
        return cells
    return np.clip(cells / max(np.percentile(inked, INK_LEVEL).item(), 1e-3), 0.0, 1.0)


def face_distance(a: FacePrint, b: FacePrint) -> float:
    """How far apart two faces are (0 = the same ink), either way up: the second worst-fitting
    patch (one speck or fold is no new check). Prints of different grids are infinitely apart."""
    if a.grid.shape != b.grid.shape or min(a.grid.shape) < 2 * BLOCK:
        return math.inf
    ga, gb = _levelled(a.grid), _levelled(b.grid)
    best = math.inf
    for other in (gb, gb[::-1, ::-1]):
        residuals = np.sort(_block_residuals(ga, other).ravel())
        best = min(best, residuals[-2].item())
    return best
