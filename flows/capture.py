"""Turn an OCR item reading into the core's Capture (the only place that knows both types).

Also what an OCR worker process runs (`read_one`): this module imports neither Prefect nor the
database, so a worker started fresh stays small.
"""

from __future__ import annotations

from pathlib import Path

from lockbox.capture import Capture
from lockbox.faces import FacePrint
from lockbox.inbox import ITEM_SUFFIXES, X9_SUFFIXES, sha256_file
from ocr import ItemReading, PageKind, PageReading


def _kind_reason(reading: ItemReading) -> str:
    kinds = [p.kind for p in reading.pages]
    if not kinds:
        return "the file has no pages"
    if all(k == PageKind.BLANK for k in kinds):
        return "blank page(s)"
    if PageKind.COUPON in kinds:
        return "a payment coupon with no check"
    return "no check found on the page(s): " + ", ".join(k.value for k in kinds)


def _face(page: PageReading | None) -> bytes | None:
    """The page's ink grid as the print stored with the item."""
    if page is None or page.face is None:
        return None
    return FacePrint(page.face.grid, page.face.aspect).to_bytes()


def _views(reading: ItemReading) -> dict[str, bytes]:
    """The JPEG views of the item's pages a clerk is shown: front, back and coupon (any page that
    is not blank, by its place, when no check front was found)."""
    out: dict[str, bytes] = {}
    named = {PageKind.CHECK: "front", PageKind.CHECK_BACK: "back", PageKind.COUPON: "coupon"}
    front = reading.front
    for number, page in enumerate(reading.pages, start=1):
        if page.view is None:
            continue
        known = front is not None and (
            page is front or page.kind in (PageKind.CHECK_BACK, PageKind.COUPON)
        )
        out.setdefault(named[page.kind] if known else f"page-{number}", page.view)
    return out


def to_capture(reading: ItemReading, *, file_sha256: str | None) -> Capture:
    """The core's view of one item: the check front's fields, plus the coupon's scan line."""
    if reading.error_code:
        return Capture(
            source_file=reading.source_file,
            page=reading.page,
            file_sha256=file_sha256,
            unreadable_reason=reading.error or "the file could not be read",
            is_check=False,
        )
    front: PageReading | None = reading.front
    coupon: PageReading | None = reading.coupon
    kinds = tuple(p.kind.value for p in reading.pages)
    warnings = tuple(w for p in reading.pages for w in p.warnings)
    if front is None:
        return Capture(
            source_file=reading.source_file,
            page=reading.page,
            file_sha256=file_sha256,
            is_check=False,
            page_kinds=kinds,
            not_check_reason=_kind_reason(reading),
            warnings=warnings,
            snippets=_views(reading),
            face_print=_face(reading.pages[0] if reading.pages else None),
        )
    micr = front.micr
    coupon_account = coupon.coupon_account if coupon else front.coupon_account
    coupon_amount = coupon.coupon_amount if coupon else front.coupon_amount
    return Capture(
        source_file=reading.source_file,
        page=reading.page,
        file_sha256=file_sha256,
        is_check=True,
        page_kinds=kinds,
        micr_line=micr.text if micr else None,
        routing=micr.routing if micr else None,
        bank_account=micr.account if micr else None,
        serial=micr.serial if micr else None,
        micr_confidence=micr.confidence if micr else 0.0,
        courtesy_amount=front.courtesy_amount.value,
        courtesy_confidence=front.courtesy_amount.confidence,
        legal_amount=front.legal_amount.value,
        legal_confidence=front.legal_amount.confidence,
        check_date=front.date.value,
        date_confidence=front.date.confidence,
        date_others=front.date.others,
        memo_account=front.memo_account.value,
        memo_confidence=front.memo_account.confidence,
        coupon_account=coupon_account.value,
        coupon_amount=coupon_amount.value,
        coupon_confidence=coupon_account.confidence,
        payer=front.payer.value,
        payer_confidence=front.payer.confidence,
        check_number=front.check_number.value,
        check_number_confidence=front.check_number.confidence,
        warnings=warnings,
        snippets={**front.snippets, **_views(reading)},
        field_boxes=dict(front.boxes),
        face_print=_face(front),
    )


def read_one(path: Path, source_file: str) -> list[Capture]:
    """All items in one file (a PDF gives one per page, an image cash letter one per check), each
    as a Capture; never raises."""
    from flows.cash_letter import read_cash_letter  # with the OCR, imported in the worker process
    from ocr import read_file

    try:
        digest: str | None = sha256_file(path)
    except OSError:
        digest = None
    if path.suffix.lower() not in ITEM_SUFFIXES:
        return [
            Capture(
                source_file=source_file,
                file_sha256=digest,
                unreadable_reason=f"{path.suffix or 'no extension'} files are not scans"
                " (expected TIFF, PNG, JPEG or PDF, or an X9 image cash letter)",
                is_check=False,
            )
        ]
    try:
        if path.suffix.lower() in X9_SUFFIXES:
            return read_cash_letter(path, source_file, digest)
        readings = read_file(path, source_file)
    except Exception as exc:  # noqa: BLE001 - a reader bug must not lose the item
        return [
            Capture(
                source_file=source_file,
                file_sha256=digest,
                unreadable_reason=f"the file could not be read ({type(exc).__name__}: {exc})",
                is_check=False,
            )
        ]
    return [to_capture(r, file_sha256=digest) for r in readings]
