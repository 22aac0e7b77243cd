"""Loading scans: every format a scanner writes becomes grayscale pages with a dpi; anything else is
refused with a clerk-friendly UnreadableFileError before it can eat memory."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from ocr.errors import UnreadableFileError
from ocr.pages import DEFAULT_DPI, load_pages
from tests.crafted import read_in_fresh_process, tiff_bomb


def _page(value: int = 255, size: tuple[int, int] = (300, 120)) -> Image.Image:
    img = Image.new("L", size, value)
    img.paste(0, (40, 40, 120, 80))  # a block of ink
    return img


def test_multipage_grey_tiff_keeps_pages_and_dpi(tmp_path: Path) -> None:
    path = tmp_path / "item.tif"
    frames = [_page(), _page(200), _page(255, (200, 100))]
    frames[0].save(path, save_all=True, append_images=frames[1:], dpi=(300, 300))
    pages = load_pages(path, "dallas/b1/item.tif")
    assert [p.page for p in pages] == [1, 2, 3]
    assert all(p.dpi == 300 and p.image.dtype == np.uint8 for p in pages)
    assert pages[2].image.shape == (100, 200)
    assert pages[0].source_file == "dallas/b1/item.tif"


def test_bitonal_g4_tiff_is_black_ink_on_white(tmp_path: Path) -> None:
    path = tmp_path / "g4.tif"
    _page().convert("1").save(path, compression="group4", dpi=(200, 200))
    (page,) = load_pages(path)
    assert page.dpi == 200
    assert page.image[60, 80] == 0 and page.image[5, 5] == 255


def test_sixteen_bit_tiff_is_scaled_not_clipped(tmp_path: Path) -> None:
    path = tmp_path / "deep.tif"
    arr = np.full((50, 80), 60000, np.uint16)
    arr[10:20, 10:20] = 1000
    Image.fromarray(arr).save(path)
    (page,) = load_pages(path)
    assert page.image[5, 5] > 220 and page.image[15, 15] < 10


def test_transparent_png_lies_on_white_paper(tmp_path: Path) -> None:
    path = tmp_path / "alpha.png"
    img = Image.new("RGBA", (60, 40), (0, 0, 0, 0))
    img.paste((0, 0, 0, 255), (10, 10, 20, 20))
    img.save(path)
    (page,) = load_pages(path)
    assert page.image[30, 50] == 255 and page.image[15, 15] == 0


def test_palette_and_cmyk(tmp_path: Path) -> None:
    pal = tmp_path / "pal.png"
    _page().convert("P").save(pal)
    cmyk = tmp_path / "cmyk.jpg"
    _page().convert("CMYK").save(cmyk, dpi=(300, 300))
    for path in (pal, cmyk):
        (page,) = load_pages(path)
        assert page.image[60, 80] < 40 and page.image[5, 5] > 215


@pytest.mark.parametrize("dpi", [None, (1, 1), (5000, 5000)])
def test_missing_or_absurd_dpi_defaults(tmp_path: Path, dpi: tuple[int, int] | None) -> None:
    path = tmp_path / "x.jpg"
    if dpi is None:
        _page().save(path)
    else:
        _page().save(path, dpi=dpi)
    assert load_pages(path)[0].dpi == DEFAULT_DPI


def _pdf_with_text(path: Path, pages: int = 2, encrypt: str | None = None) -> None:
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=letter, encrypt=encrypt)
    for n in range(pages):
        c.drawString(72, 700, f"PAY TO THE ORDER OF page {n + 1}")
        c.showPage()
    c.save()


def test_pdf_pages_render_at_300_dpi(tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    _pdf_with_text(path)
    pages = load_pages(path)
    assert [p.page for p in pages] == [1, 2]
    assert pages[0].dpi == 300
    assert abs(pages[0].image.shape[0] - 3300) <= 2 and abs(pages[0].image.shape[1] - 2550) <= 2
    assert pages[0].image.min() < 100  # the text is there


def test_scanned_pdf_renders_at_the_embedded_image_resolution(tmp_path: Path) -> None:
    img_path = tmp_path / "check.png"
    _page(255, (1200, 550)).save(img_path)  # 6 x 2.75 in at 200 dpi
    from reportlab.pdfgen import canvas

    path = tmp_path / "scan.pdf"
    c = canvas.Canvas(str(path), pagesize=(6 * 72, 2.75 * 72))
    c.drawImage(str(img_path), 0, 0, width=6 * 72, height=2.75 * 72)
    c.showPage()
    c.save()
    (page,) = load_pages(path)
    assert page.dpi == 200
    assert abs(page.image.shape[1] - 1200) <= 2


def _huge_png_header(path: Path, width: int, height: int) -> None:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    body = zlib.compress(b"\x00" * 64)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", body) + chunk(b"IEND", b"")
    )


def test_decompression_bomb_is_refused_from_the_header(tmp_path: Path) -> None:
    path = tmp_path / "bomb.png"
    _huge_png_header(path, 40_000, 40_000)
    with pytest.raises(UnreadableFileError, match="megapixels|larger"):
        load_pages(path)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.tif", b"", "empty"),
        ("text.jpg", b"hello, this is not a picture\n", "not a readable image"),
        ("truncated.png", None, "not a readable image"),
        ("fake.pdf", b"just some text", "not a PDF"),
        ("broken.pdf", b"%PDF-1.4\n garbage without objects", "PDF"),
    ],
)
def test_unreadable_files_raise_a_named_error(
    tmp_path: Path, name: str, content: bytes | None, message: str
) -> None:
    path = tmp_path / name
    if content is None:
        full = tmp_path / "full.png"
        _page().save(full)
        content = full.read_bytes()[:60]
    path.write_bytes(content)
    with pytest.raises(UnreadableFileError, match=message) as info:
        load_pages(path, f"dallas/b/{name}")
    assert f"dallas/b/{name}" in str(info.value) and "Rescan" in str(info.value)


def test_encrypted_pdf_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "locked.pdf"
    _pdf_with_text(path, 1, encrypt="s3cret")
    with pytest.raises(UnreadableFileError, match="password"):
        load_pages(path)


def _pdf(path: Path, pages: int) -> Path:
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=(144, 72))
    for number in range(1, pages + 1):
        c.drawString(10, 30, f"page {number}")
        c.showPage()
    c.save()
    return path


def test_every_pdf_page_is_an_item_or_named_unread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """'Every page of every file becomes an item or an exception with a code; no page limit that
    drops pages': past the ceiling, the rest is one exception naming the pages."""
    from ocr.reader import read_file

    monkeypatch.setenv("LOCKBOX_MAX_FILE_PAGES", "3")
    items = read_file(_pdf(tmp_path / "day.pdf", 8), "dallas/b/day.pdf")
    assert [i.page for i in items] == [1, 2, 3, 4]
    assert all(i.error_code is None for i in items[:3])
    unread = items[3]
    assert unread.error_code == "UNREADABLE_FILE"
    assert unread.error is not None and "pages 4 to 8 of 8 were not read" in unread.error


def test_an_image_file_with_more_pages_than_an_item_is_held_whole(tmp_path: Path) -> None:
    from ocr.pages import MAX_ITEM_PAGES

    path = tmp_path / "stack.tif"
    frames = [Image.new("L", (40, 20), 255) for _ in range(MAX_ITEM_PAGES + 10)]
    frames[0].save(path, save_all=True, append_images=frames[1:])
    with pytest.raises(UnreadableFileError, match=f"holds {MAX_ITEM_PAGES + 10} pages"):
        load_pages(path)


def test_a_tiff_of_many_blank_compressed_pages_is_refused_before_decoding(tmp_path: Path) -> None:
    """Issue 23's 'zip-bomb TIFF strips': 50 pages of 100 megapixels each (5 GB decoded) in a
    100 KB file is refused from its headers, in the reader's own footprint."""
    bomb = tiff_bomb(tmp_path / "bomb.tif", 50, 10_000, 10_000)
    assert bomb.stat().st_size < 200_000
    code, peak_mb, message = read_in_fresh_process(bomb)
    assert code == "UNREADABLE_FILE", message
    assert "50 pages hold 5000 megapixels" in message and "Scan one item per file" in message
    assert peak_mb < 400


def test_a_tiff_of_a_few_real_sized_pages_is_still_read(tmp_path: Path) -> None:
    """The ceiling leaves room for a real item: front, back and coupon at 300 dpi."""
    path = tiff_bomb(tmp_path / "item.tif", 3, 2550, 3300)  # letter pages at 300 dpi
    assert [p.page for p in load_pages(path)] == [1, 2, 3]
