"""Payment coupons told by their OCR-A scan line: the account and amount due read from it, checked by
its check digit, on coupons the sample generator draws and scans with varied damage."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

import numpy as np
import pytest

import ocr.reader
from ocr.coupon import find_scan_line
from ocr.reader import read_page
from ocr.reading import Page, PageKind
from ocr.recognizer import MODEL
from sample_data.coupon import render_coupon
from sample_data.degrade import plan_scan, scan
from sample_data.scanline import coupon_scanline
from sample_data.specs import CouponSpec

needs_model = pytest.mark.skipif(not MODEL.exists(), reason="no recognizer model installed")


def _coupon(seed: int) -> tuple[np.ndarray, int, str, Decimal]:
    """A generated coupon, scanned: 200 or 300 dpi, grey or bitonal, skewed, blurred, dusty,
    sometimes upside down."""
    rng = random.Random(f"coupon-test-{seed}")
    account = "".join(rng.choice("0123456789") for _ in range(10))
    due = Decimal(rng.randrange(5000, 150000)) / 100
    spec = CouponSpec(
        account=account,
        borrower_lines=["JANE Q PUBLIC", "12 ELM ST", "DALLAS TX 75201"],
        due_date=date(2026, 11, 20),
        amount_due=due,
        scanline=coupon_scanline(account, due),
        site="dallas",
        enclosed_text="",
        render_seed=seed,
    )
    dpi = rng.choice([200, 300])
    style = plan_scan(rng, dpi, bitonal=rng.random() < 0.4, upside_down_rate=0.3)
    image = np.asarray(scan(render_coupon(spec), style).convert("L"))
    return image, dpi, account, due


@needs_model
@pytest.mark.parametrize("seed", range(6))
def test_a_coupon_is_told_by_its_scan_line_alone(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No full-page read is needed: the scan line gives the account and the amount due, and its
    check digit makes them trustworthy."""
    image, dpi, account, due = _coupon(seed)
    calls: list[int] = []
    real = ocr.reader.layout_pass
    monkeypatch.setattr(ocr.reader, "layout_pass", lambda *a, **k: calls.append(1) or real(*a, **k))
    reading = read_page(Page(image, dpi, 1, "coupon.tif"))
    assert reading.kind == PageKind.COUPON
    assert reading.coupon_account.value == account and reading.coupon_amount.value == due
    assert reading.coupon_account.confidence >= 0.8
    assert not calls


def test_a_page_without_a_scan_line_is_left_to_the_full_read() -> None:
    page = np.full((700, 1700), 255, np.uint8)
    page[300:330, 200:1400] = 0  # a long dark bar is no line of characters
    assert find_scan_line(Page(page, 200, 1, "letter.tif")) is None
