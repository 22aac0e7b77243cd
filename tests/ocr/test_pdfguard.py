"""A PDF cannot take a worker's memory: a Flate stream that expands past the ceiling is refused
before any PDF library decodes it (issue 23: 'decompression has a ceiling ... enforced before
allocation')."""

from __future__ import annotations

import zlib
from pathlib import Path

from ocr.pdfguard import MAX_STREAM_BYTES
from tests.crafted import read_in_fresh_process, write_pdf


def flate_bomb(path: Path, expanded: int) -> Path:
    """A one-page PDF whose content stream is ~1.5 MB of Flate that inflates to `expanded` bytes."""
    comp = zlib.compressobj(9)
    chunk = b"0 0 m\n" * (1 << 16)
    body = b"".join(comp.compress(chunk) for _ in range(expanded // len(chunk))) + comp.flush()
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(body) + body + b"\nendstream",
    ]
    return write_pdf(path, objs)


def test_a_gigabyte_flate_bomb_is_refused_in_bounded_memory(tmp_path: Path) -> None:
    bomb = flate_bomb(tmp_path / "bomb.pdf", 1 << 30)
    assert bomb.stat().st_size < 4 * 1024 * 1024
    code, peak_mb, message = read_in_fresh_process(bomb)
    assert code == "UNREADABLE_FILE", message
    assert peak_mb < 400  # the reader's own footprint; the bomb adds nothing to it


def test_a_pdf_within_the_ceiling_is_read(tmp_path: Path) -> None:
    from ocr.reader import read_file

    small = flate_bomb(tmp_path / "fine.pdf", 1 << 16)
    assert MAX_STREAM_BYTES > 1 << 16
    (item,) = read_file(small, "fine.pdf")
    assert item.error_code is None or "decompression bomb" not in (item.error or "")
