"""The one door to the MICR reader (ocr.micr), so that a missing or failing MICR module never stops
the rest of a page from being read: every call returns None instead of raising.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ocr.reading import Box, MicrLine


def _get(name: str) -> Callable[..., Any] | None:
    try:
        import ocr.micr as micr
    except Exception:  # noqa: BLE001 - the MICR module is optional for everything else here
        return None
    fn = getattr(micr, name, None)
    return fn if callable(fn) else None


def _ask(name: str, image: np.ndarray, dpi: int) -> Any:
    """`ocr.micr.<name>(image, dpi)`, or None when the module or the call fails."""
    fn = _get(name)
    if fn is None:
        return None
    try:
        return fn(image, dpi)
    except Exception:  # noqa: BLE001
        return None


def micr_band(image: np.ndarray, dpi: int) -> Box | None:
    """Where the MICR band is on an upright page, or None (absent, unreadable, or no MICR module)."""
    box = _ask("find_micr_band", image, dpi)
    if box is None:
        return None
    x0, y0, x1, y1 = (int(v) for v in box)
    return (x0, y0, x1, y1)


def micr_dpi(image: np.ndarray, dpi: int) -> float | None:
    """The resolution measured on the page's MICR line, or None."""
    value = _ask("micr_dpi", image, dpi)
    return float(value) if value else None


def micr_read(image: np.ndarray, dpi: int) -> MicrLine | None:
    """The MICR line of an upright page, or None."""
    line = _ask("read_micr", image, dpi)
    return line if isinstance(line, MicrLine) else None


def micr_available() -> bool:
    return _get("read_micr") is not None and _get("find_micr_band") is not None
