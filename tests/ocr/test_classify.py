"""Page kinds from words, ink and the MICR line."""

from __future__ import annotations

from decimal import Decimal

from ocr.classify import classify_page
from ocr.parse.accounts import coupon_scan_line
from ocr.reading import PageKind
from ocr.tess import Word


def _words(text: str, conf: float = 0.95) -> list[Word]:
    return [Word(t, conf, 60 * i, 0, 60 * i + 50, 20) for i, t in enumerate(text.split())]


def test_blank() -> None:
    kind, conf = classify_page([], 0.0001, False)
    assert kind == PageKind.BLANK and conf > 0.9


def test_check_by_micr_and_vocabulary() -> None:
    assert (
        classify_page(_words("PAY TO THE ORDER OF DOLLARS MEMO"), 0.05, True)[0] == PageKind.CHECK
    )
    assert classify_page(_words("PAY TO THE ORDER OF DOLLARS"), 0.05, False)[0] == PageKind.CHECK


def test_coupon_by_scan_line_even_without_words() -> None:
    line = coupon_scan_line("1234567890", Decimal("412.50"))
    kind, conf = classify_page(_words(line), 0.03, False)
    assert kind == PageKind.COUPON and conf > 0.9


def test_back_and_letter() -> None:
    assert classify_page(_words("ENDORSE HERE FOR DEPOSIT ONLY"), 0.02, False)[0] == (
        PageKind.CHECK_BACK
    )
    letter = _words("Dear Sir I am writing about my loan and would like to know " * 3)
    assert classify_page(letter, 0.03, False)[0] == PageKind.OTHER


def test_letter_about_a_payment_is_not_a_coupon() -> None:
    letter = _words("Please apply this payment to my account number and tell me the amount due")
    assert classify_page(letter, 0.03, False)[0] == PageKind.OTHER
