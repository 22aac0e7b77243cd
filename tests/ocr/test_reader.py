"""Reading whole files: fields of rendered checks, page kinds of a multi-page item, PDFs as one item
per page, and bad files becoming UNREADABLE_FILE items instead of exceptions."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from ocr.reader import UNREADABLE_FILE, read_file, read_page, read_path_pages
from ocr.reading import Page, PageKind


def _save_tiff(path: Path, pages: list[np.ndarray], dpi: int, bitonal: bool = False) -> None:
    imgs = [Image.fromarray(p) for p in pages]
    if bitonal:
        imgs = [i.convert("1") for i in imgs]
        imgs[0].save(
            path, save_all=True, append_images=imgs[1:], compression="group4", dpi=(dpi, dpi)
        )
    else:
        imgs[0].save(path, save_all=True, append_images=imgs[1:], dpi=(dpi, dpi))


def test_printed_check_reads_every_field(check_factory: Callable[..., np.ndarray]) -> None:
    img = check_factory(dpi=300, hand_font="DejaVuSans.ttf")
    reading = read_page(Page(img, 300, 1, "a.png"))
    assert reading.kind == PageKind.CHECK
    assert reading.courtesy_amount.value == Decimal("412.45")
    assert reading.legal_amount.value == Decimal("412.45")
    assert reading.amount.value == Decimal("412.45") and reading.amount.confidence >= 0.8
    assert reading.date.value == date(2026, 11, 17)
    assert reading.memo_account.value == "1234567890"
    assert reading.payer.value == "JOHN A SMITH"


@pytest.mark.parametrize(
    ("font", "dpi", "courtesy", "legal", "memo", "seed"),
    [
        (
            "ComicNeue-Regular.otf",
            200,
            "1,250.00",
            "One thousand two hundred fifty and 00/100",
            "Loan # 2345678901",
            1,
        ),
        ("Humor-Sans.ttf", 300, "**86.30", "Eighty-six and 30/100", "#9876543210 car pmt", 2),
    ],
)
def test_handwriting_style_check(
    check_factory: Callable[..., np.ndarray],
    font: str,
    dpi: int,
    courtesy: str,
    legal: str,
    memo: str,
    seed: int,
) -> None:
    img = check_factory(
        dpi=dpi,
        hand_font=font,
        courtesy=courtesy,
        legal=legal,
        memo=memo,
        skew_deg=1.0,
        noise=4,
        seed=seed,
    )
    reading = read_page(Page(img, dpi, 1, "h.png"))
    amount = Decimal(courtesy.strip("*").replace(",", ""))
    assert reading.kind == PageKind.CHECK
    # Either the amount is read right, or it is not claimed at all: never a confident wrong one.
    for f in (reading.courtesy_amount, reading.legal_amount):
        assert f.value == amount or f.confidence < 0.5
    assert reading.amount.value in (amount, None)
    assert reading.legal_amount.value == amount or reading.courtesy_amount.value == amount


def test_blurred_bitonal_upside_down_check_is_not_misread(
    check_factory: Callable[..., np.ndarray],
) -> None:
    img = check_factory(dpi=200, bitonal=True, upside_down=True, blur=0.6, seed=5)
    reading = read_page(Page(img, 200, 1, "u.tif"))
    assert reading.kind == PageKind.CHECK
    assert reading.amount.value in (Decimal("412.45"), None)
    assert reading.courtesy_amount.value == Decimal("412.45")


def test_multipage_item_classifies_each_page(
    tmp_path: Path,
    check_factory: Callable[..., np.ndarray],
    page_factory: dict[str, Callable[..., np.ndarray]],
) -> None:
    dpi = 200
    check = check_factory(dpi=dpi)
    coupon = page_factory["coupon"]("4455667788", Decimal("389.12"), dpi)
    back = page_factory["back"](dpi)
    blank = np.full((550, 1200), 255, np.uint8)
    path = tmp_path / "item.tif"
    pages = [coupon, check, back, blank]
    _save_tiff(
        path,
        [
            np.array(Image.fromarray(p).resize((1200, 550))) if p.shape[1] > 1700 else p
            for p in pages
        ],
        dpi,
        bitonal=True,
    )
    (item,) = read_file(path, "dallas/b1/item.tif")
    assert item.error_code is None and item.page == 1
    assert [p.kind for p in item.pages] == [
        PageKind.COUPON,
        PageKind.CHECK,
        PageKind.CHECK_BACK,
        PageKind.BLANK,
    ]
    assert item.front is item.pages[1]
    assert item.coupon is not None
    assert item.coupon.coupon_account.value == "4455667788"
    assert item.coupon.coupon_amount.value == Decimal("389.12")
    assert item.pages[1].loan_account.value == "1234567890"


@pytest.fixture
def layout_passes(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """One entry per whole-page layout pass the reader runs from here on."""
    import ocr.reader as reader

    passes: list[int] = []
    real_pass = reader.layout_pass

    def counted(*args: object, **kwargs: object) -> object:
        passes.append(1)
        return real_pass(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(reader, "layout_pass", counted)
    return passes


def test_pages_after_the_front_are_told_apart_without_reading_them_whole(
    tmp_path: Path,
    layout_passes: list[int],
    check_factory: Callable[..., np.ndarray],
    page_factory: dict[str, Callable[..., np.ndarray]],
) -> None:
    """Front, then its back (endorsement across the short side) and a coupon: the back is told by
    its sideways text and the coupon by its scan line, with one whole-page pass for the front; a
    page that is neither (a letter) is still read whole."""
    dpi = 200
    back = np.ascontiguousarray(np.rot90(page_factory["back"](dpi)))
    coupon = page_factory["coupon"]("4455667788", Decimal("389.12"), dpi)
    path = tmp_path / "item.tif"
    _save_tiff(path, [check_factory(dpi=dpi), back, coupon], dpi)
    (item,) = read_file(path, "dallas/b1/item.tif")
    assert [p.kind for p in item.pages] == [PageKind.CHECK, PageKind.CHECK_BACK, PageKind.COUPON]
    assert item.coupon is not None and item.coupon.coupon_account.value == "4455667788"
    assert len(layout_passes) == 1

    _save_tiff(path, [check_factory(dpi=dpi), page_factory["letter"](dpi)], dpi)
    (item,) = read_file(path, "dallas/b1/item.tif")
    assert [p.kind for p in item.pages] == [PageKind.CHECK, PageKind.OTHER]


@pytest.mark.parametrize(("seed", "bitonal"), [(5, False), (12, True)])
def test_a_cross_hatched_back_after_the_front_is_a_back_unread(
    tmp_path: Path,
    layout_passes: list[int],
    check_factory: Callable[..., np.ndarray],
    seed: int,
    bitonal: bool,
) -> None:
    """The generator's backs whose security weave smears into as much 'text' across as up the page
    (these seeds) are still told from coupons and letters without a whole-page pass."""
    import random

    from sample_data.check_back import render_check_back
    from sample_data.degrade import plan_scan, scan
    from sample_data.specs import BackSpec

    stamp = ["FOR DEPOSIT ONLY", "LONE STAR AUTO FINANCE", "LOCKBOX 650805", "11/15/2026 SEQ 0155"]
    drawn = render_check_back(BackSpec("personal", stamp, seed))
    back = np.array(scan(drawn, plan_scan(random.Random(seed), 200, bitonal)).convert("L"))
    path = tmp_path / "item.tif"
    _save_tiff(path, [check_factory(dpi=200), back], 200)
    (item,) = read_file(path, "dallas/b1/item.tif")
    assert [p.kind for p in item.pages] == [PageKind.CHECK, PageKind.CHECK_BACK]
    assert len(layout_passes) == 1


def test_letter_is_other(
    tmp_path: Path, page_factory: dict[str, Callable[..., np.ndarray]]
) -> None:
    path = tmp_path / "letter.png"
    Image.fromarray(page_factory["letter"](150)).save(path, dpi=(150, 150))
    (item,) = read_file(path)
    assert [p.kind for p in item.pages] == [PageKind.OTHER]
    assert item.front is None


def test_pdf_gives_one_item_per_page(
    tmp_path: Path, check_factory: Callable[..., np.ndarray]
) -> None:
    from reportlab.pdfgen import canvas

    png = tmp_path / "c.png"
    Image.fromarray(check_factory(dpi=200)).save(png)
    path = tmp_path / "scan.pdf"
    c = canvas.Canvas(str(path), pagesize=(8.5 * 72, 11 * 72))
    for _ in range(2):
        c.drawImage(str(png), 72, 11 * 72 - 72 - 2.75 * 72, width=6 * 72, height=2.75 * 72)
        c.showPage()
    c.save()
    items = read_file(path, "richardson/b/scan.pdf")
    assert [i.page for i in items] == [1, 2]
    assert all(len(i.pages) == 1 and i.pages[0].page == i.page for i in items)
    assert items[0].front is not None
    assert items[0].front.courtesy_amount.value == Decimal("412.45")
    only_second = read_path_pages(path, page=2)
    assert [p.page for p in only_second] == [2]


@pytest.mark.parametrize("content", [b"", b"not an image at all", b"\x89PNG\r\n\x1a\n\x00\x00"])
def test_bad_files_become_unreadable_items(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "bad.jpg"
    path.write_bytes(content)
    (item,) = read_file(path, "dallas/b/bad.jpg")
    assert item.error_code == UNREADABLE_FILE and item.pages == []
    assert item.error and "dallas/b/bad.jpg" in item.error


def test_a_check_reads_fast_enough(check_factory: Callable[..., np.ndarray]) -> None:
    img = check_factory(dpi=300)
    read_page(Page(img, 300, 1, "warm.png"))  # first Tesseract start-up is not the steady state
    start = time.perf_counter()
    read_page(Page(img, 300, 1, "t.png"))
    assert time.perf_counter() - start < 4.0


@pytest.mark.parametrize("quarter_turns", [1, 3])
def test_a_check_back_printed_across_its_short_side_is_still_a_back(
    page_factory: dict[str, Callable[..., np.ndarray]], quarter_turns: int
) -> None:
    back = np.rot90(page_factory["back"](200), quarter_turns).copy()
    reading = read_page(Page(back, 200, 1, "back.tif"))
    assert reading.kind == PageKind.CHECK_BACK


@pytest.mark.parametrize("tag", [600, 96])
def test_a_check_whose_file_states_the_wrong_resolution_reads(
    check_factory: Callable[..., np.ndarray], tmp_path: Path, tag: int
) -> None:
    """A 200 dpi scan tagged 600 dpi (a check two inches wide) or 96 dpi: no piece of mail is that
    size, and the MICR line measures the true resolution."""
    path = tmp_path / "tagged.png"
    Image.fromarray(check_factory(dpi=200, seed=7)).save(path, dpi=(tag, tag))
    [item] = read_file(path)
    front = item.front
    assert front is not None and front.micr is not None
    assert front.micr.routing == "111000025"
    assert front.amount.value == Decimal("412.45")
