"""Load a scan file as grayscale pages, whatever the scanner produced.

Lockbox scanners write multi-page TIFF (grey or bitonal CCITT G4), PNG or JPEG; MFPs write PDFs. We
decode each into uint8 grayscale (0 = ink, 255 = paper) with its dpi, refusing anything that cannot
be decoded or that would decode into an absurd number of pixels (a decompression bomb), before the
decoder allocates it.

A PDF (an MFP scanning a day's checks) is decoded one page at a time, so its size in pages costs
time, not memory; past `max_file_pages()` pages the rest is left unread and named, never dropped in
silence. An image file is one payment item, so it may hold at most MAX_ITEM_PAGES pages.
"""

from __future__ import annotations

import io
import os
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import BinaryIO

import numpy as np
from PIL import Image, ImageOps, ImageSequence

from ocr.errors import UnreadableFileError
from ocr.pdfguard import check_pdf
from ocr.reading import Page

MAX_PIXELS = 120_000_000
DEFAULT_DPI = 200
PDF_DPI = 300
MIN_SANE_DPI = 72
MAX_PAGE_INCHES = 14.0  # a legal-size sheet's length: no check, coupon or letter is longer
MIN_PAGE_INCHES = 4.5  # the longest side of the smallest piece of mail (a coupon, a short check)
MAX_SANE_DPI = 1200
MAX_ITEM_PAGES = 50  # pages of one image file (front, back, coupon, ...): one payment item
# An image file's pages are decoded together (one item), so their pixels are bounded together too.
MAX_ITEM_PIXELS = 2 * MAX_PIXELS
DEFAULT_MAX_FILE_PAGES = 1000
_PDF_MAGIC = b"%PDF"


def sane_dpi(value: object) -> int:
    """The dpi from file metadata, or DEFAULT_DPI when it is missing or absurd (JFIF aspect-only 1x1)."""
    try:
        if isinstance(value, tuple | list):
            value = value[0]
        dpi = round(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError, IndexError, OverflowError):
        return DEFAULT_DPI
    return dpi if MIN_SANE_DPI <= dpi <= MAX_SANE_DPI else DEFAULT_DPI


def plausible_dpi(dpi: int, shape: tuple[int, ...]) -> int:
    """The page's resolution, or DEFAULT_DPI when the tag makes the page longer or shorter than
    any piece of mail (72 dpi is what many writers put when they do not know it, and a 200 dpi
    scan tagged 600 would be a check two inches wide); the MICR line measures the true one later."""
    inches = max(shape[:2]) / max(dpi, 1)
    return dpi if MIN_PAGE_INCHES <= inches <= MAX_PAGE_INCHES else DEFAULT_DPI


def to_gray(img: Image.Image) -> np.ndarray:
    """Any Pillow mode -> uint8 grayscale; transparency is composited on white paper."""
    mode = img.mode
    if mode == "P" or mode == "PA":
        img = img.convert("RGBA")
        mode = "RGBA"
    if mode in ("LA", "RGBA", "La", "RGBa"):
        rgba = img.convert("RGBA")
        paper = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        img = Image.alpha_composite(paper, rgba).convert("L")
    elif mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
        arr = np.asarray(img, dtype=np.float64)
        lo, hi = float(arr.min()), float(arr.max())
        if mode.startswith("I;16") or (mode == "I" and hi > 255):
            top = 65535.0 if hi > 255 else 255.0
            return np.clip(arr / top * 255.0, 0, 255).round().astype(np.uint8)
        if mode == "F" and hi <= 1.0 and lo >= 0.0:
            return np.clip(arr * 255.0, 0, 255).round().astype(np.uint8)
        return np.clip(arr, 0, 255).round().astype(np.uint8)
    elif mode == "CMYK":
        img = img.convert("RGB").convert("L")
    elif mode != "L":
        img = img.convert("L")
    return np.array(img, dtype=np.uint8)


def _check_size(width: int, height: int, where: str) -> None:
    if width <= 0 or height <= 0:
        raise UnreadableFileError(where, "the image has no pixels")
    if width * height > MAX_PIXELS:
        raise UnreadableFileError(
            where,
            f"the image is {width} x {height} pixels, far larger than any check scan "
            f"(limit {MAX_PIXELS // 1_000_000} megapixels)",
        )


def _check_item_pixels(img: Image.Image, frames: int, where: str) -> None:
    """Every page's size from the file's headers, before any page is decoded: a file of many
    small compressed pages of blank pixels (a few kilobytes) cannot make a worker decode gigabytes."""
    total = 0
    for index in range(frames):
        img.seek(index)
        _check_size(img.size[0], img.size[1], where)
        total += img.size[0] * img.size[1]
    if total > MAX_ITEM_PIXELS:
        raise UnreadableFileError(
            where,
            f"its {frames} pages hold {total // 1_000_000} megapixels, far more than one payment"
            f" item (limit {MAX_ITEM_PIXELS // 1_000_000}); none was read. Scan one item per"
            " file, at 200 to 300 dpi",
        )
    img.seek(0)


def max_file_pages() -> int:
    """How many pages of one PDF are read (LOCKBOX_MAX_FILE_PAGES, default 1000); the rest of a
    longer file is held as one exception naming the pages, to be split and rescanned."""
    raw = os.environ.get("LOCKBOX_MAX_FILE_PAGES", "").strip()
    return int(raw) if raw.isdigit() and int(raw) > 0 else DEFAULT_MAX_FILE_PAGES


def _load_image(path: Path | BinaryIO, where: str) -> list[Page]:
    try:
        with warnings.catch_warnings():
            # Our own limit (checked from the header below) replaces Pillow's warning threshold.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            img = Image.open(path)
            frames = int(getattr(img, "n_frames", 1) or 1)
            if frames > MAX_ITEM_PAGES:
                raise UnreadableFileError(
                    where,
                    f"the file holds {frames} pages, and one payment item has at most"
                    f" {MAX_ITEM_PAGES} (front, back, coupon); none was read. Scan one item per"
                    " file, or many items as a PDF",
                )
            _check_item_pixels(img, frames, where)
            img_pages: list[Page] = []
            for index, frame in enumerate(ImageSequence.Iterator(img)):
                dpi = sane_dpi(frame.info.get("dpi"))
                if index == 0 and img.format == "JPEG":
                    frame = ImageOps.exif_transpose(frame)
                frame.load()
                img_pages.append(Page(to_gray(frame), dpi, index + 1, where))
    except UnreadableFileError:
        raise
    except Image.DecompressionBombError as exc:
        raise UnreadableFileError(where, "the image is far larger than any check scan") from exc
    except Exception as exc:  # noqa: BLE001 - decoders raise many types for corrupt files
        named = path if isinstance(path, Path) else None
        raise UnreadableFileError(
            where, f"the file is not a readable image ({_short(exc, named)})"
        ) from exc
    if not img_pages:
        raise UnreadableFileError(where, "the file holds no pages")
    return img_pages


def load_image_bytes(data: bytes, source_file: str) -> list[Page]:
    """The pages of an image held in memory (a check's image inside a bank's cash letter),
    decoded and bounded exactly as an image file's; raises UnreadableFileError on bad input."""
    if not data:
        raise UnreadableFileError(source_file, "the image is empty (0 bytes)")
    return _load_image(io.BytesIO(data), source_file)


def cash_letter_check_pages(
    front: bytes | None, back: bytes | None, where: str
) -> tuple[list[Page], str | None, list[str]]:
    """A cash letter check's front image's pages, then its back's, numbered in that order; why the
    front gave no page (None when it did); and what a clerk should know of the back."""
    pages: list[Page] = []
    front_problem: str | None = None
    notes: list[str] = []
    for side, data in (("front", front), ("back", back)):
        if not data:
            if side == "front":
                front_problem = "the image cash letter has no image of the check's front"
            continue
        try:
            pages += load_image_bytes(data, where)
        except UnreadableFileError as exc:
            problem = (
                f"the check's {side} image in the cash letter cannot be decoded ({exc.reason})"
            )
            if side == "front":
                front_problem = problem
            else:
                notes.append(problem)
    return [replace(p, page=n) for n, p in enumerate(pages, start=1)], front_problem, notes


def _short(exc: BaseException, path: Path | None = None) -> str:
    """The decoder's complaint in one short line, without the machine's folder names."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    if path is not None:
        text = text.replace(str(path), path.name)
    return text if len(text) < 120 else text[:117] + "..."


def _pdf_page_image(page: object, where: str) -> tuple[Image.Image, int]:
    """Render one pdfplumber page; a scanned page is rendered at its embedded image's own dpi."""
    width_in = float(page.width) / 72.0  # type: ignore[attr-defined]
    height_in = float(page.height) / 72.0  # type: ignore[attr-defined]
    if width_in <= 0 or height_in <= 0:
        raise UnreadableFileError(where, "a PDF page has no size")
    dpi = PDF_DPI
    images = list(page.images)  # type: ignore[attr-defined]
    if len(images) == 1:
        im = images[0]
        covered = (float(im["x1"]) - float(im["x0"])) * (float(im["bottom"]) - float(im["top"]))
        if covered > 0.5 * float(page.width) * float(page.height):  # type: ignore[attr-defined]
            src_w = float(im.get("srcsize", (0, 0))[0] or 0)
            shown_in = (float(im["x1"]) - float(im["x0"])) / 72.0
            if src_w > 0 and shown_in > 0:
                dpi = min(max(round(src_w / shown_in), 150), 600)
    # Never render more pixels than the bomb limit, whatever the page size claims.
    max_dpi = (MAX_PIXELS / (width_in * height_in)) ** 0.5
    if max_dpi < 50:
        raise UnreadableFileError(where, f"a PDF page is {width_in:.0f} x {height_in:.0f} inches")
    dpi = int(min(dpi, max_dpi))
    rendered = page.to_image(resolution=dpi).original  # type: ignore[attr-defined]
    return rendered, dpi


@dataclass(frozen=True)
class PdfPage:
    """One page of a PDF as it is decoded: its image, or why it could not be."""

    number: int
    page: Page | None = None
    error: str | None = None


@dataclass(frozen=True)
class PdfPages:
    """A PDF's pages, decoded lazily up to `read` of `total`; the caller names the pages unread."""

    total: int
    read: int
    pages: Iterator[PdfPage]


def _pdf_error(exc: BaseException, path: Path) -> str:
    name = type(exc).__name__
    chain = " ".join(
        f"{type(e).__name__} {e}"
        for e in (exc, exc.__cause__, exc.__context__, *exc.args)
        if e is not None
    )
    if "password" in chain.lower() or "encrypt" in chain.lower():
        return "the PDF is password-protected"
    return f"the PDF cannot be opened ({name}: {_short(exc, path)})"


def open_pdf(path: Path, where: str) -> PdfPages:
    """The PDF's page count and its pages, rendered one at a time as they are taken; a page that
    cannot be rendered is a PdfPage with its error, and the others are still read.

    Raises UnreadableFileError when the file is not a PDF or cannot be opened at all.
    """
    import pdfplumber

    with path.open("rb") as fh:
        if fh.read(1024).find(_PDF_MAGIC) < 0:
            raise UnreadableFileError(where, "the file is named .pdf but is not a PDF")
    check_pdf(path, where, MAX_PIXELS)
    try:
        pdf = pdfplumber.open(path)
        total = len(pdf.pages)
    except Exception as exc:  # noqa: BLE001 - pdfminer raises many unrelated types for bad PDFs
        raise UnreadableFileError(where, _pdf_error(exc, path)) from exc
    if total == 0:
        pdf.close()
        raise UnreadableFileError(where, "the PDF has no pages")
    read = min(total, max_file_pages())

    def pages() -> Iterator[PdfPage]:
        try:
            for number in range(1, read + 1):
                page = pdf.pages[number - 1]
                try:
                    image, dpi = _pdf_page_image(page, where)
                    yield PdfPage(number, Page(to_gray(image), dpi, number, where))
                except UnreadableFileError as exc:
                    yield PdfPage(number, error=str(exc))
                except Exception as exc:  # noqa: BLE001 - as above, for one page
                    yield PdfPage(number, error=f"{where}: page {number}: {_pdf_error(exc, path)}")
                finally:
                    page.close()  # pdfplumber caches each page's objects until closed
        finally:
            pdf.close()

    return PdfPages(total, read, pages())


def _load_pdf(path: Path, where: str) -> list[Page]:
    opened = open_pdf(path, where)
    pages: list[Page] = []
    for taken in opened.pages:
        if taken.page is None:
            raise UnreadableFileError(where, taken.error or "a PDF page cannot be read")
        pages.append(taken.page)
    return pages


def load_pages(path: Path, source_file: str | None = None) -> list[Page]:
    """Every page of a scan file as grayscale with its dpi; raises UnreadableFileError on bad input."""
    where = source_file if source_file is not None else path.name
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise UnreadableFileError(where, "the file cannot be opened") from exc
    if size == 0:
        raise UnreadableFileError(where, "the file is empty (0 bytes)")
    with path.open("rb") as fh:
        head = fh.read(8)
    if path.suffix.lower() == ".pdf" or head.startswith(_PDF_MAGIC):
        return _load_pdf(path, where)
    return _load_image(path, where)
