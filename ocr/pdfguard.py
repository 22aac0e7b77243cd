"""Bound what a PDF can expand to before any PDF library decodes it.

A PDF's streams are compressed, and a few kilobytes of Flate can expand to gigabytes; pdfminer and
pdfium decode a stream whole, so a hostile file would take a worker's memory before any check of
ours ran. So every Flate stream is first inflated here in small pieces that are counted and thrown
away, and the file is refused when one stream expands past MAX_STREAM_BYTES or all of them past
MAX_FILE_BYTES; an image whose declared size is past the pixel ceiling is refused from its header.
This costs one pass over the file's compressed bytes, stopping at the first stream over its limit.
"""

from __future__ import annotations

import re
import zlib
from pathlib import Path

from ocr.errors import UnreadableFileError

MAX_STREAM_BYTES = 256 * 1024 * 1024
MAX_FILE_BYTES = 1024 * 1024 * 1024
MAX_PDF_FILE_BYTES = 512 * 1024 * 1024  # the file itself, compressed
_PIECE = 1 << 20

_STREAM = re.compile(rb"stream\r?\n")
_NUMBER = rb"\s*(\d{1,10})"
_WIDTH = re.compile(rb"/Width" + _NUMBER)
_HEIGHT = re.compile(rb"/Height" + _NUMBER)


def _inflated_size(data: memoryview, limit: int) -> int:
    """How many bytes the zlib stream at the start of `data` inflates to, counted up to `limit`
    (a result past `limit` means "too much"); a broken stream counts what came out of it."""
    inflate = zlib.decompressobj()
    size = 0
    pos = 0
    while pos < len(data) and not inflate.eof and size <= limit:
        piece = bytes(data[pos : pos + _PIECE])
        pos += len(piece)
        try:
            out = inflate.decompress(piece, _PIECE)
            size += len(out)
            while inflate.unconsumed_tail and size <= limit:
                out = inflate.decompress(inflate.unconsumed_tail, _PIECE)
                size += len(out)
        except zlib.error:
            break
    return size


def _stream_dict(data: bytes, keyword_at: int) -> bytes:
    """The dictionary just before a `stream` keyword: from its object's `obj` (within 4 KB)."""
    window = data[max(0, keyword_at - 4096) : keyword_at]
    opened = window.rfind(b"obj")
    window = window[opened:] if opened >= 0 else window
    start = window.find(b"<<")
    return window[start:] if start >= 0 else window


def check_pdf(path: Path, where: str, max_pixels: int) -> None:
    """Raise UnreadableFileError when the PDF would expand past the ceilings (module docstring)."""
    size = path.stat().st_size
    if size > MAX_PDF_FILE_BYTES:
        raise UnreadableFileError(
            where, f"the PDF is {size // (1024 * 1024)} MB, far larger than a day of check scans"
        )
    data = path.read_bytes()
    view = memoryview(data)
    total = 0
    for match in _STREAM.finditer(data):
        if match.start() > 0 and data[match.start() - 1 : match.start()].isalpha():
            continue  # "endstream" and the like
        head = _stream_dict(data, match.start())
        width, height = _WIDTH.search(head), _HEIGHT.search(head)
        if b"/Image" in head and width and height:
            pixels = int(width.group(1)) * int(height.group(1))
            if pixels > max_pixels:
                raise UnreadableFileError(
                    where,
                    f"an image in the PDF is {int(width.group(1))} x {int(height.group(1))}"
                    " pixels, far larger than any check scan",
                )
        if b"/FlateDecode" not in head and b"/Fl " not in head and b"/Fl/" not in head:
            continue
        inflated = _inflated_size(view[match.end() :], MAX_STREAM_BYTES)
        total += inflated
        if inflated > MAX_STREAM_BYTES or total > MAX_FILE_BYTES:
            raise UnreadableFileError(
                where,
                "a compressed stream in the PDF expands to more than"
                f" {MAX_STREAM_BYTES // (1024 * 1024)} MB (a decompression bomb); it was not"
                " opened",
            )
