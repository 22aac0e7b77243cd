"""What was read from one payment item, as the core and the rules see it (no pixels, no OCR types).

The flow converts an OCR reading into a Capture; matching and the must-review rules take only this.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class Capture:
    source_file: str
    page: int = 1
    file_sha256: str | None = None
    unreadable_reason: str | None = None  # the file could not be decoded at all
    is_check: bool = True
    page_kinds: tuple[str, ...] = ()
    not_check_reason: str | None = None
    micr_line: str | None = None
    routing: str | None = None
    bank_account: str | None = None
    serial: str | None = None
    micr_confidence: float = 0.0
    courtesy_amount: Decimal | None = None
    courtesy_confidence: float = 0.0
    legal_amount: Decimal | None = None
    legal_confidence: float = 0.0
    check_date: date | None = None
    date_confidence: float = 0.0
    date_others: tuple[date, ...] = ()  # other dates the reads of the date produced
    memo_account: str | None = None
    memo_confidence: float = 0.0
    coupon_account: str | None = None
    coupon_amount: Decimal | None = None
    coupon_confidence: float = 0.0
    payer: str | None = None
    payer_confidence: float = 0.0
    check_number: str | None = None  # printed top right of the face
    check_number_confidence: float = 0.0
    warnings: tuple[str, ...] = field(default_factory=tuple)
    # Images kept for an exception's review, not part of the audit record: PNG crops of the
    # check's fields by name (courtesy, legal, date, memo, payer, micr), and JPEG views of the
    # whole pages (front, back, coupon; the MICR band painted over).
    snippets: dict[str, bytes] = field(default_factory=dict, repr=False, compare=False)
    # where each field's crop sits on the front, as shares of its width and height (x0, y0, x1, y1)
    field_boxes: dict[str, tuple[float, ...]] = field(
        default_factory=dict, repr=False, compare=False
    )
    # ocr.fingerprint's print of the check's face (of the first page when no check was found):
    # how a second copy is known when nothing else on it was read. Kept in its own column.
    face_print: bytes | None = field(default=None, repr=False, compare=False)
    # A check from a bank's image cash letter (X9.37): routing, bank_account and serial above are
    # the bank's record, and `bank_amount` is what the bank credited, the item's amount. The
    # image is still read, and what it shows surely is checked against the record: its own MICR
    # routing and account (`image_*`), and the courtesy and legal amounts above.
    bank_amount: Decimal | None = None
    image_routing: str | None = None
    image_account: str | None = None
    image_micr_confidence: float = 0.0
    # Why nothing could be read from the check's image (none in the file, not decodable, not a
    # check front): the loan must then come from something else, or a clerk keys it.
    image_problem: str | None = None
    # What the item's file as a whole did not add up to (a cash letter's control totals, its
    # credits), carried by the file's first item and recorded once on the batch.
    file_warnings: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """A JSON-safe dict for the item's audit record (Decimal and dates as strings)."""
        out: dict[str, Any] = {}
        for key, value in asdict(self).items():
            if key in ("snippets", "face_print"):
                continue
            if isinstance(value, Decimal | date):
                out[key] = str(value)
            elif isinstance(value, tuple):
                out[key] = [str(v) if isinstance(v, date) else v for v in value]
            else:
                out[key] = value
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Capture:
        kwargs = dict(data)
        for key in ("courtesy_amount", "legal_amount", "coupon_amount", "bank_amount"):
            if kwargs.get(key) is not None:
                kwargs[key] = Decimal(kwargs[key])
        if kwargs.get("check_date"):
            kwargs["check_date"] = date.fromisoformat(kwargs["check_date"])
        for key in ("page_kinds", "warnings", "file_warnings"):
            kwargs[key] = tuple(kwargs.get(key) or ())
        kwargs["date_others"] = tuple(
            date.fromisoformat(d) for d in kwargs.get("date_others") or ()
        )
        known = cls.__dataclass_fields__
        return cls(**{k: v for k, v in kwargs.items() if k in known})
