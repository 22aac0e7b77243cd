"""What goes on each page, decided before anything is drawn.

The planner fills these in from the seed; the renderers only draw them, so the truth file and the
pixels come from one source and cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

LENDER = "Lone Star Auto Finance"

# The two lockbox sites (mirrors lockbox.config.SITE_ADDRESSES, in lines as printed).
SITE_REMIT_LINES: dict[str, tuple[str, ...]] = {
    "dallas": ("P.O. Box 650805", "Dallas, TX 75265-0805"),
    "richardson": ("1501 North Plano Rd., Suite 100", "Richardson, TX 75081"),
}


@dataclass
class CheckSpec:
    """One check: the printed stock and what the writer filled in."""

    layout: str  # personal | business
    render_seed: int  # drives layout jitter and handwriting; a re-scan reuses it
    payer: str  # the first name line of the payer block
    payer_lines: list[str]  # every name line of the payer block
    address_lines: list[str]
    bank_name: str
    bank_city: str
    fraction: str
    routing: str
    bank_account: str
    serial: str  # as in the MICR line (zero-padded)
    check_number: str  # as printed top right
    micr_line: str  # T transit, U on-us, A amount, D dash; single spaces between fields
    micr_variant: str
    payee: str
    payee_lines: list[str]  # address under the payee (bill-pay checks)
    date: date | None
    date_text: str
    courtesy_amount: Decimal | None  # None when it cannot be read
    courtesy_text: str
    legal_amount: Decimal | None
    legal_text: str  # "" when blank
    amount_blotted: bool = False  # the courtesy box is smeared over
    legal_scribbled: bool = False  # the legal line has a scribble instead of words
    memo_text: str = ""
    memo_account: str | None = None
    handwritten: bool = False
    fill_font: str = ""  # file name of the font of the filled-in parts
    stroke_hand: int | None = None  # a writer drawing stroke by stroke (`sample_data.strokes`)
    real_digits: bool = False  # figures in people's own digits (`sample_data.digits`)
    signature_font: str = ""
    signature_text: str = ""
    # What the bank of first deposit encodes and credits, even when the check does not state one
    # amount clearly: the words' amount (they govern when the figures disagree), else the one meant.
    encoded_amount: Decimal | None = None


@dataclass
class MicrDamage:
    """Something over part of a check's MICR line, as mail arrives: a strip of paper tape, a bank's
    ink stamp, an ink smear, or the bottom edge torn away. It covers one field whole (the transit
    field or the on-us field), so no MICR reader can read that copy's routing or account number."""

    kind: str  # tape | stamp | smear | torn
    field: str  # routing | on_us: the MICR field it covers
    render_seed: int

    def to_json(self) -> dict[str, str]:
        return {"kind": self.kind, "field": self.field}


MICR_DAMAGE_KINDS = ("tape", "stamp", "smear", "torn")
MICR_DAMAGE_FIELDS = ("routing", "on_us")


@dataclass
class CouponSpec:
    """The payment coupon the lender mails with its statements."""

    account: str
    borrower_lines: list[str]
    due_date: date
    amount_due: Decimal
    scanline: str
    site: str
    enclosed_text: str  # handwritten "amount enclosed", or ""
    render_seed: int


@dataclass
class LetterSpec:
    """A page that is not a check: a customer's letter or a blank sheet."""

    kind: str  # letter | blank
    lines: list[str] = field(default_factory=list)
    handwritten: bool = False
    font: str = ""
    signature: str = ""
    after_signature: list[str] = field(default_factory=list)
    render_seed: int = 0


@dataclass
class BackSpec:
    """The back of a check: the payer's endorsement area and the lockbox's deposit stamp."""

    layout: str
    stamp_lines: list[str]
    render_seed: int
