"""Writing scans the way lockbox scanners do: PNG, JPEG, TIFF (grey LZW or bitonal CCITT G4,
single or multi-page) and PDF (one page per item), each with its resolution in the metadata.

Writers are deterministic: no timestamps from the clock, so the same seed gives the same bytes.
"""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

from PIL import Image


def save_png(image: Image.Image, path: Path, dpi: int | None) -> None:
    """`dpi` None writes no resolution (no pHYs chunk), as some scanners and phone apps do."""
    if dpi is None:
        image.save(path, format="PNG", optimize=True)
    else:
        image.save(path, format="PNG", dpi=(dpi, dpi), optimize=True)


def save_jpeg(image: Image.Image, path: Path, dpi: int, quality: int) -> None:
    image.convert("L").save(path, format="JPEG", dpi=(dpi, dpi), quality=quality)


def save_photo(image: Image.Image, path: Path, quality: int) -> None:
    """A phone's JPEG: colour, and 72 dpi whatever the size of what it shows."""
    image.save(path, format="JPEG", dpi=(72, 72), quality=quality)


def save_tiff(pages: list[Image.Image], path: Path, dpi: int) -> None:
    """Bitonal pages (mode '1') go CCITT Group 4, grey ones LZW; all pages share one mode."""
    bitonal = pages[0].mode == "1"
    fixed = [p if (p.mode == "1") == bitonal else p.convert("1" if bitonal else "L") for p in pages]
    fixed = [p.convert("L") if not bitonal and p.mode != "L" else p for p in fixed]
    fixed[0].save(
        path,
        format="TIFF",
        compression="group4" if bitonal else "tiff_lzw",
        dpi=(dpi, dpi),
        save_all=len(fixed) > 1,
        append_images=fixed[1:],
    )


def save_pdf(pages: list[Image.Image], path: Path, dpi: int, created: date, title: str) -> None:
    """One page per image, sized so that the image fills the page at `dpi` (letter size)."""
    bitonal = pages[0].mode == "1"
    fixed = [p.convert("1" if bitonal else "L") if p.mode != pages[0].mode else p for p in pages]
    stamp = time.struct_time((created.year, created.month, created.day, 17, 30, 0, 0, 1, 0))
    extra = {} if bitonal else {"quality": 85}  # grey pages go in as JPEG (DCTDecode)
    fixed[0].save(
        path,
        format="PDF",
        save_all=True,
        append_images=fixed[1:],
        resolution=float(dpi),
        title=title,
        producer="lockbox sample_data",
        creationDate=stamp,
        modDate=stamp,
        **extra,
    )
