"""Bad scanner output never stops a run: each bad file is an exception item, each bad batch a warning.

One `lockbox run` over an inbox that mixes every kind of bad file with a few good generated checks
(some of them re-encoded as 16-bit, CMYK or transparent images, or given odd names); each test
then looks at what a clerk would: the run's exit and summary, the items export, the review list.
"""

from __future__ import annotations

import json
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from PIL import Image

MIXED = "dallas/2026-11-17-MIXED"
BAD_TICKET = "richardson/2026-11-17-BADTICKET"


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bomb(path: Path) -> None:
    """A 60,000 x 60,000 PNG (3.6 gigapixels declared) in 150 bytes."""
    header = struct.pack(">IIBBBBB", 60_000, 60_000, 1, 0, 0, 0, 0)
    data = zlib.compress(b"\0" * 75_010)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", data)
        + _png_chunk(b"IEND", b"")
    )


def tiff_bomb(path: Path) -> None:
    """An uncompressed 100,000 x 100,000 greyscale TIFF header with one tiny strip."""
    entries = [
        (256, 4, 1, 100_000),  # ImageWidth
        (257, 4, 1, 100_000),  # ImageLength
        (258, 3, 1, 8),  # BitsPerSample
        (259, 3, 1, 1),  # Compression: none
        (262, 3, 1, 1),  # Photometric: black is zero
        (273, 4, 1, 8),  # StripOffsets
        (278, 4, 1, 100_000),  # RowsPerStrip
        (279, 4, 1, 16),  # StripByteCounts
    ]
    ifd_at = 8 + 16
    ifd = struct.pack("<H", len(entries))
    for tag, kind, count, value in entries:
        packed = struct.pack("<H", value) + b"\0\0" if kind == 3 else struct.pack("<I", value)
        ifd += struct.pack("<HHI", tag, kind, count) + packed
    path.write_bytes(b"II*\0" + struct.pack("<I", ifd_at) + b"\xff" * 16 + ifd + b"\0\0\0\0")


def pdf_bomb(path: Path) -> None:
    """A PDF whose one page is 500 x 500 inches: rendering it would be a decompression bomb."""
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=(36_000, 36_000))
    c.drawString(72, 72, "Pay to the order of")
    c.save()


def locked_pdf(path: Path) -> None:
    """A PDF that needs a password to open (reportlab's standard encryption)."""
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), encrypt="s3cret")
    c.drawString(72, 720, "Pay to the order of Example Auto Finance  $250.00")
    c.save()


def truncated(source: Path, path: Path) -> None:
    data = source.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def gray_of(path: Path) -> Image.Image:
    with Image.open(path) as img:
        return img.convert("L")


def as_16_bit(source: Path, path: Path) -> None:
    grey = np.asarray(gray_of(source), dtype=np.uint16) * 257
    Image.fromarray(grey).save(path, dpi=(200, 200))
    assert Image.open(path).mode.startswith("I;16")


def as_cmyk(source: Path, path: Path) -> None:
    gray_of(source).convert("CMYK").save(path, quality=92, dpi=(200, 200))
    assert Image.open(path).mode == "CMYK"


def as_ink_on_transparent(source: Path, path: Path) -> None:
    """Black ink whose alpha carries the page: paper is fully transparent, as some apps export."""
    grey = np.asarray(gray_of(source), dtype=np.uint8)
    rgba = np.zeros((*grey.shape, 4), dtype=np.uint8)
    rgba[..., 3] = 255 - grey
    Image.fromarray(rgba, "RGBA").save(path, dpi=(200, 200))


@dataclass(frozen=True)
class Bad:
    name: str  # file name inside the MIXED batch
    code: str
    says: str  # a phrase the clerk's message must carry


BAD_FILES = {
    "zero-byte file": Bad("empty.tif", "UNREADABLE_FILE", "empty"),
    "truncated TIFF": Bad("truncated.tif", "UNREADABLE_FILE", "not a readable image"),
    "truncated PNG": Bad("truncated.png", "UNREADABLE_FILE", "not a readable image"),
    "truncated JPEG": Bad("truncated.jpg", "UNREADABLE_FILE", "not a readable image"),
    "text file named .jpg": Bad("letter.jpg", "UNREADABLE_FILE", "not a readable image"),
    "PDF that is not a PDF": Bad("scan.pdf", "UNREADABLE_FILE", "not a PDF"),
    "password-protected PDF": Bad("locked.pdf", "UNREADABLE_FILE", "password"),
    "PNG decompression bomb": Bad("bomb.png", "UNREADABLE_FILE", "larger than any check"),
    "TIFF decompression bomb": Bad("bomb.tif", "UNREADABLE_FILE", "larger than any check"),
    "PDF page bomb": Bad("bomb.pdf", "UNREADABLE_FILE", "inches"),
    "1-pixel PNG": Bad("pixel.png", "NOT_A_CHECK", "blank"),
    "1-pixel TIFF": Bad("pixel.tif", "NOT_A_CHECK", "blank"),
    "not a scan type": Bad("notes.txt", "UNREADABLE_FILE", "not scans"),
}
STRAYS = ("Thumbs.db", ".DS_Store", "._item-0001.tif")


@pytest.fixture(scope="module")
def bad_run(mail10: Any, lockbox_at: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    root = tmp_path_factory.mktemp("bad-input")
    inbox = root / "inbox"
    mixed = inbox / MIXED
    mixed.mkdir(parents=True)
    good = mail10.good_checks()
    assert len(good) >= 5, "the generated mail should hold five good image checks"
    single = [g for g in good if g.kinds == ("check",)]
    assert len(single) >= 3
    src = {g.source_file: mail10.inbox / g.source_file for g in good}
    a_tiff = next(p for p in src.values() if p.suffix == ".tif")
    a_jpeg = next(p for p in src.values() if p.suffix == ".jpg")

    (mixed / "empty.tif").write_bytes(b"")
    truncated(a_tiff, mixed / "truncated.tif")
    as_16_bit(a_jpeg, root / "whole.png")
    truncated(root / "whole.png", mixed / "truncated.png")
    truncated(a_jpeg, mixed / "truncated.jpg")
    (mixed / "letter.jpg").write_text("Dear lockbox, please apply my payment. Thanks!\n")
    (mixed / "scan.pdf").write_text("Not a PDF: the scanner wrote its log here.\n")
    locked_pdf(mixed / "locked.pdf")
    png_bomb(mixed / "bomb.png")
    tiff_bomb(mixed / "bomb.tif")
    pdf_bomb(mixed / "bomb.pdf")
    Image.new("L", (1, 1), 255).save(mixed / "pixel.png")
    Image.new("1", (1, 1), 0).save(mixed / "pixel.tif", compression="group4")
    (mixed / "notes.txt").write_text("batch notes\n")
    for stray in STRAYS:
        (mixed / stray).write_bytes(b"\0\1stray")
    (mixed / ".thumbnails").mkdir()  # a viewer's cache folder inside the batch
    mail10.copy(good[0], mixed / ".thumbnails" / "item-0001.jpg")

    # Good checks, re-encoded or oddly named: they must still read and post.
    goods: dict[str, tuple[Any, Callable[[Path, Path], None] | None]] = {
        f"{MIXED}/sixteen-bit.png": (single[0], as_16_bit),
        f"{MIXED}/cmyk.jpg": (single[1], as_cmyk),
        f"{MIXED}/transparent.png": (single[2], as_ink_on_transparent),
    }
    for rel, (item, convert) in goods.items():
        assert convert is not None
        convert(src[item.source_file], inbox / rel)
    odd = f"{MIXED}/incoming scans/check #4 — Müller & Söhne.tif"
    mail10.copy(good[3], inbox / odd)
    goods[odd] = (good[3], None)
    # A name that is not even UTF-8 (an old share): recorded with its odd byte shown as \xff.
    raw_name = mixed / "incoming scans" / b"scan\xff.tif".decode("utf-8", "surrogateescape")
    raw_name.write_bytes(b"II*\0garbage")

    ticket = inbox / BAD_TICKET
    ticket.mkdir(parents=True)
    (ticket / "batch.json").write_text('{"deposit_date": "2026-11-17", "item_count": ')
    mail10.copy(good[4], ticket / "item-0001.tif")
    goods[f"{BAD_TICKET}/item-0001.tif"] = (good[4], None)
    (inbox / "richardson" / "2026-11-17-EMPTY").mkdir(parents=True)
    only_strays = inbox / "dallas" / "2026-11-17-STRAYS"
    only_strays.mkdir(parents=True)
    (only_strays / "Thumbs.db").write_bytes(b"\0")

    with lockbox_at(root / "home") as lb:
        assert lb("loans", "import", str(mail10.loans_csv)).code == 0
        run = lb.run_inbox(inbox)
        items = lb.items()
        review = lb("review", "list", "--json")
    return SimpleNamespace(
        inbox=inbox, mail=mail10, run=run, items=items, goods=goods, review=json.loads(review.out)
    )


def test_run_completes_and_lists_every_file(bad_run: Any) -> None:
    assert bad_run.run.code == 0, bad_run.run.err
    inbox: Path = bad_run.inbox
    expected = {
        p.relative_to(inbox).as_posix().encode("utf-8", "surrogateescape").decode(errors="replace")
        for p in inbox.rglob("*")
        if p.is_file()
        and p.name not in STRAYS
        and p.name != "batch.json"
        and ".thumbnails" not in p.parts
    }
    # The export writes the name's undecodable byte as \xff.
    listed = {source.replace("\\xff", "\ufffd") for source, _ in bad_run.items}
    assert listed == expected
    assert all(page == 1 for _, page in bad_run.items)


@pytest.mark.parametrize("kind", list(BAD_FILES))
def test_bad_file_becomes_an_exception_item(bad_run: Any, kind: str) -> None:
    bad = BAD_FILES[kind]
    row = bad_run.items[(f"{MIXED}/{bad.name}", 1)]
    assert row["status"] == "exception"
    assert row["exception_code"] == bad.code
    assert bad.says in row["exception_message"]
    assert row["amount"] == ""  # nothing read, nothing held in suspense
    assert "/tmp" not in row["exception_message"]  # no machine paths in a clerk's message


def test_undecodable_file_name_is_recorded(bad_run: Any) -> None:
    row = bad_run.items[(f"{MIXED}/incoming scans/scan\\xff.tif", 1)]
    assert row["exception_code"] == "UNREADABLE_FILE"


def test_good_checks_among_bad_files_still_post(bad_run: Any) -> None:
    posted = [
        bad_run.mail.check_good(bad_run.items[(rel, 1)], truth)
        for rel, (truth, _) in bad_run.goods.items()
    ]
    # Each is read as a check and never posts wrongly; OCR may be unsure of one or two.
    assert sum(posted) >= len(posted) - 2, bad_run.goods


def test_batch_problems_are_warnings_in_the_summary(bad_run: Any) -> None:
    out = bad_run.run.out
    assert "2026-11-17-BADTICKET: batch.json is not readable JSON" in out
    assert "2026-11-17-EMPTY: the batch folder has no item files" in out
    assert "2026-11-17-STRAYS: the batch folder has no item files" in out
    for stray in (*STRAYS, ".thumbnails/item-0001.jpg"):
        assert f"ignored stray file {MIXED}/{stray}" in out


def test_every_bad_file_waits_in_the_review_list(bad_run: Any) -> None:
    waiting = {(r["source_file"], r["exception_code"]) for r in bad_run.review}
    for bad in BAD_FILES.values():
        assert (f"{MIXED}/{bad.name}", bad.code) in waiting
    reasons = [r["reason"] for r in bad_run.review if r["exception_code"] == "UNREADABLE_FILE"]
    assert all(reason and "UNREADABLE_FILE" in reason for reason in reasons)


def test_bomb_is_refused_before_decoding(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The size is checked from the header: Pillow is never asked to decode the pixels."""
    from ocr.errors import UnreadableFileError
    from ocr.pages import load_pages

    def no_decoding(self: Image.Image) -> None:
        raise AssertionError("the bomb was decoded")

    monkeypatch.setattr(Image.Image, "load", no_decoding)
    for make, name in ((png_bomb, "bomb.png"), (tiff_bomb, "bomb.tif")):
        make(tmp_path / name)
        with pytest.raises(UnreadableFileError, match="larger than any check"):
            load_pages(tmp_path / name)


@pytest.mark.parametrize("convert", [as_16_bit, as_ink_on_transparent, as_cmyk])
def test_re_encoded_scan_decodes_to_the_same_page(
    mail10: Any, tmp_path: Path, convert: Any
) -> None:
    """16-bit, transparent and CMYK files give the reader the page the scanner saw."""
    from ocr.pages import load_pages

    original = mail10.inbox / mail10.good_checks()[0].source_file
    suffix = ".jpg" if convert is as_cmyk else ".png"
    convert(original, tmp_path / f"re-encoded{suffix}")
    want = load_pages(original)[0].image.astype(int)
    got = load_pages(tmp_path / f"re-encoded{suffix}")[0].image.astype(int)
    assert got.shape == want.shape
    tolerance = 4 if convert is as_cmyk else 1  # CMYK is saved as a (lossy) JPEG
    assert np.abs(got - want).mean() < tolerance
