"""The typed results of reading a page: what was found, how sure we are, and the raw text behind it.

Every value carries a confidence in [0, 1] so that downstream rules can refuse to post a guess.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Generic, TypeVar

import numpy as np

T = TypeVar("T")

# A rectangle on a page: x0, y0, x1, y1 in the page's pixels, the far edges exclusive.
Box = tuple[int, int, int, int]


class PageKind(StrEnum):
    """What a scanned page is; only a CHECK front can carry a payment."""

    CHECK = "check"
    CHECK_BACK = "check_back"
    COUPON = "coupon"
    BLANK = "blank"
    OTHER = "other"  # a letter, a flyer, anything that is not a check or a coupon


@dataclass(frozen=True)
class Field(Generic[T]):
    """One field read from a page: the value (None when not found), a confidence, and the raw text."""

    value: T | None = None
    confidence: float = 0.0
    raw: str = ""
    # The other values some read produced (the losers of the vote, most supported first): a rule
    # that needs only a range (a date inside the stale/post-dated window) can ask whether every
    # reading falls in it.
    others: tuple[T, ...] = ()

    @property
    def found(self) -> bool:
        return self.value is not None


@dataclass(frozen=True)
class Page:
    """One page of a scan as a grayscale image (uint8, 0 = ink, 255 = paper) at its resolution,
    and what clean-up (ocr.cleanup) has done to it.

    `dpi` is what every length in inches on the page becomes pixels by: the file's tag as loaded
    (a hint: scanners get it wrong or leave it out), the page's own once clean-up has measured it
    on the MICR line.
    """

    image: np.ndarray
    dpi: int
    page: int  # 1-based page number within the file
    source_file: str  # as given by the caller (the pipeline passes the inbox-relative path)
    rotation: int = 0  # degrees clockwise clean-up turned the scan: 0, 90, 180 or 270
    skew: float = 0.0  # degrees the scan was tilted (counter-clockwise positive), now corrected
    cropped: bool = False  # a document was cut out of a larger scan
    ink: float | None = None  # share of the page covered by ink, once cleaned
    micr_box: Box | None = None  # where the MICR band is, once found


@dataclass(frozen=True)
class FaceGrid:
    """A face's ink density (uint8, 0 = paper) on ocr.fingerprint's grid, and the inked box's
    width / height."""

    grid: np.ndarray
    aspect: float


@dataclass(frozen=True)
class MicrLine:
    """The E-13B line as read: `text` uses digits, T (transit), U (on-us), A (amount), D (dash), ? (unreadable)."""

    text: str
    routing: str | None = None  # 9 digits, ABA check digit verified; None when absent or invalid
    account: str | None = None  # on-us account number (digits only)
    serial: str | None = (
        None  # check serial number (aux on-us on business checks, or in the on-us field)
    )
    amount: Decimal | None = None  # encoded amount field, when the check was already encoded
    confidence: float = 0.0
    routing_valid: bool = False


@dataclass
class PageReading:
    """Everything read from one page; a field not found has value None."""

    source_file: str
    page: int
    kind: PageKind = PageKind.OTHER
    kind_confidence: float = 0.0
    micr: MicrLine | None = None
    courtesy_amount: Field[Decimal] = field(default_factory=Field)
    legal_amount: Field[Decimal] = field(default_factory=Field)
    date: Field[date] = field(default_factory=Field)
    memo_account: Field[str] = field(default_factory=Field)  # loan account written on the memo line
    coupon_account: Field[str] = field(
        default_factory=Field
    )  # loan account from a coupon scan line
    coupon_amount: Field[Decimal] = field(default_factory=Field)  # amount due printed on the coupon
    payer: Field[str] = field(
        default_factory=Field
    )  # name from the payer block (top left of a check)
    check_number: Field[str] = field(default_factory=Field)  # printed top right of a check
    # the page's ink grid as read (None: blank, or not read in full), so a second copy of the
    # check is known by its face whatever else was read.
    face: FaceGrid | None = field(default=None, repr=False)
    warnings: list[str] = field(default_factory=list)
    # PNG crops of the fields (courtesy, legal, date, memo, payer, micr) cut from the cleaned page,
    # for the clerk who reviews an exception; see ocr.snippets.
    snippets: dict[str, bytes] = field(default_factory=dict, repr=False)
    # the whole page as the clerk sees it (ocr.snippets.view) and where each field's crop was cut
    # from, as shares of the page's width and height, so the fields in doubt can be outlined on it
    view: bytes | None = field(default=None, repr=False)
    boxes: dict[str, tuple[float, float, float, float]] = field(default_factory=dict, repr=False)

    @property
    def amount(self) -> Field[Decimal]:
        """The check amount: courtesy and legal readings must agree; either alone is not enough."""
        c, legal = self.courtesy_amount, self.legal_amount
        if c.value is not None and legal.value is not None and c.value == legal.value:
            return Field(c.value, min(1.0, max(c.confidence, legal.confidence)), c.raw)
        return Field(None, 0.0, "")

    @property
    def loan_account(self) -> Field[str]:
        """The loan account the payer wrote: the coupon's scan line wins over a memo line."""
        if self.coupon_account.value is not None:
            return self.coupon_account
        return self.memo_account


@dataclass
class ItemReading:
    """One payment item: the pages that belong together (check front, back, coupon) or a read failure.

    For an image file the item is the whole file (page = 1); for a PDF each page is its own item.
    """

    source_file: str
    page: int
    pages: list[PageReading] = field(default_factory=list)
    error_code: str | None = None  # e.g. "UNREADABLE_FILE" when the file could not be decoded
    error: str | None = None  # what a clerk should know about the failure

    @property
    def front(self) -> PageReading | None:
        """The check front, if any page was recognized as one."""
        checks = [p for p in self.pages if p.kind == PageKind.CHECK]
        return max(checks, key=lambda p: p.kind_confidence) if checks else None

    @property
    def coupon(self) -> PageReading | None:
        coupons = [p for p in self.pages if p.kind == PageKind.COUPON]
        return max(coupons, key=lambda p: p.kind_confidence) if coupons else None
