"""Read scan files into typed readings: the entry points the pipeline and `lockbox read` call.

`read_file` never raises for bad input: a file that cannot be decoded comes back as an item with
error_code UNREADABLE_FILE and a message for the clerk, so one bad scan never stops a batch.
"""

from __future__ import annotations

from pathlib import Path

from ocr import snippets, stock
from ocr.check_number import printed_check_number
from ocr.classify import BLANK_INK, classify_page
from ocr.cleanup import (
    flat_page,
    text_line_lengths,
    text_runs_sideways,
    turn,
    upright_by_micr,
)
from ocr.coupon import CouponFields, find_scan_line, read_coupon
from ocr.errors import UnreadableFileError
from ocr.fields import read_check_fields
from ocr.fingerprint import face_grid
from ocr.layout import field_regions, find_anchors, layout_pass
from ocr.micr_access import micr_read
from ocr.pages import load_pages, open_pdf
from ocr.reading import Box, ItemReading, MicrLine, Page, PageKind, PageReading
from ocr.tess import Word

UNREADABLE_FILE = "UNREADABLE_FILE"
_BLANK_SKIP_INK = 0.0005  # below this, don't even run Tesseract
GOOD_TEXT = 60.0  # a text score that settles the orientation


def _text_score(words: list[Word]) -> float:
    """How much real text the words are: upside-down pages read as low-confidence garbage."""
    return sum(
        w.conf * len(w.text)
        for w in words
        if w.conf >= 0.7 and len(w.text) >= 3 and any(c.isalpha() for c in w.text)
    )


def _confident_words(words: list[Word]) -> int:
    return len([w for w in words if w.conf > 0.6 and len(w.text) > 2])


def _not_read(clean: Page, micr_box: Box) -> list[Box]:
    """What the layout pass leaves out of an upright check: the MICR band (read on its own) and
    the signature, when its rule is found."""
    signature = stock.signature_area(clean.image, clean.dpi, micr_box[1])
    return [micr_box] if signature is None else [micr_box, signature]


def _layout(clean: Page) -> tuple[Page, list[Word]]:
    """The layout pass, turning the page around when it reads better upside down.

    Only needed when no MICR band settled the orientation, and only tried when the first pass found
    little confident text.
    """
    if clean.micr_box is not None:
        return clean, layout_pass(clean, _not_read(clean, clean.micr_box))
    # Upside down, or a check back whose endorsement text runs up the page: when the text lines
    # are seen to run sideways, the quarter turns are read first (a back: one pass, not three).
    order = (90, 270, 0, 180) if text_runs_sideways(clean.image, clean.dpi) else (0, 180, 90, 270)
    best: tuple[float, Page, list[Word]] | None = None
    for degrees in order:
        turned = turn(clean, degrees)
        words = layout_pass(turned)
        score = _text_score(words)
        if best is None or score > best[0] * 1.5 + 5:
            best = (score, turned, words)
        if best[0] >= GOOD_TEXT:
            break
    assert best is not None
    return best[1], best[2]


def _micr_useful(micr: MicrLine | None) -> bool:
    return micr is not None and (micr.routing is not None or micr.confidence >= 0.5)


def read_page(page: Page, after_front: bool = False) -> PageReading:
    """Everything on one page: its kind, and every field a check or coupon carries.

    `after_front`: an earlier page of the same item was read as the check's front, so this page is
    its back or a coupon (CONTRACT: one item per file): a page that is not a coupon by its scan line
    and whose text does not run mostly across it (an endorsement runs up the page) is taken for the
    back without reading it, since only the front carries the payment.
    """
    reading = PageReading(source_file=page.source_file, page=page.page)
    try:
        seen = _read_into(page, reading, after_front)
        if seen is not None:
            reading.view = snippets.view(seen, check_front=reading.kind == PageKind.CHECK)
    except Exception as exc:  # noqa: BLE001 - a reader bug must become data, not a lost batch
        reading.kind = PageKind.OTHER
        reading.kind_confidence = 0.0
        reading.warnings.append(
            f"the page could not be read ({type(exc).__name__}: {exc}); key it by hand"
        )
    return reading


def read_pages(pages: list[Page]) -> list[PageReading]:
    """The pages of one item, in order; once one reads as a check front, the rest are read as
    what can follow it (`read_page`'s `after_front`)."""
    readings: list[PageReading] = []
    for page in pages:
        front_seen = any(r.kind == PageKind.CHECK for r in readings)
        readings.append(read_page(page, after_front=front_seen))
    return readings


BACK_KIND_CONFIDENCE = 0.7  # a back told by the direction of its text alone, its words not read
# A page after the front whose text runs across it this many times more than up or down it is read
# whole: a coupon whose scan line did not read, or a letter. Endorsements run up the page; a back's
# security pattern (cross-hatching) can make as much 'text' both ways, coupons and letters 15x more.
ACROSS_NOT_BACK = 4.0


def _back_after_front(clean: Page) -> bool:
    """A page after the check's front whose text mostly runs up or down it: the endorsement side."""
    across, sideways = text_line_lengths(clean.image, clean.dpi)
    return sideways >= 2 and across < ACROSS_NOT_BACK * sideways


def _read_into(page: Page, reading: PageReading, after_front: bool = False) -> Page | None:
    """Fill in `reading`; returns the page as last turned and cleaned (None for a blank page)."""
    clean = flat_page(page)
    ink = clean.ink or 0.0  # measured by flat_page
    if ink < _BLANK_SKIP_INK:
        reading.kind, reading.kind_confidence = PageKind.BLANK, 0.99
        return None
    if after_front:
        # A coupon or the back, most likely: the text's direction and the scan line tell them
        # apart for a fraction of a MICR search and a whole-page read. The direction is asked
        # first, for a tenth of the scan line's search (a coupon's text runs across it).
        if ink >= 2 * BLANK_INK and _back_after_front(clean):
            reading.kind, reading.kind_confidence = PageKind.CHECK_BACK, BACK_KIND_CONFIDENCE
            return clean
        coupon_page = _coupon_by_scan_line(clean, reading)
        if coupon_page is not None:
            return coupon_page
    clean = upright_by_micr(clean)
    if clean.micr_box is None and not after_front:
        coupon_page = _coupon_by_scan_line(clean, reading)
        if coupon_page is not None:
            return coupon_page
    clean, words = _layout(clean)
    reading.face = face_grid(clean.image)
    micr = micr_read(clean.image, clean.dpi)
    has_micr = _micr_useful(micr)
    reading.micr = micr if has_micr else None
    check_stock = not has_micr and stock.looks_like_check(clean)
    kind, conf = classify_page(words, ink, has_micr, _confident_words(words), check_stock)
    reading.kind, reading.kind_confidence = kind, conf
    if clean.rotation:
        reading.warnings.append(f"page was turned {clean.rotation} degrees to read it")
    if kind == PageKind.CHECK:
        h, w = clean.image.shape
        anchors = find_anchors(words, w, h)
        micr_top = clean.micr_box[1] if clean.micr_box else None
        regions = field_regions(anchors, w, h, clean.dpi, micr_top)
        fields = read_check_fields(clean, regions, anchors, words, micr_top)
        reading.courtesy_amount = fields.courtesy
        reading.legal_amount = fields.legal
        reading.date = fields.date
        reading.memo_account = fields.memo_account
        reading.payer = fields.payer
        reading.check_number = printed_check_number(words, w, h)
        reading.warnings.extend(fields.warnings)
        boxes = dict(fields.boxes)
        if clean.micr_box is not None:
            boxes["micr"] = clean.micr_box
        reading.snippets = snippets.cut_all(clean, boxes)
        reading.boxes = snippets.fractions(clean, boxes)
    elif kind == PageKind.COUPON:
        _coupon_into(reading, read_coupon(clean, words))
    return clean


def _coupon_by_scan_line(clean: Page, reading: PageReading) -> Page | None:
    """A coupon told by its scan line alone (upright or upside down), the reading filled in as one:
    two small reads instead of the whole-page layout pass, a coupon's costliest step. Returns the
    page the right way up, or None when no scan line verifies."""
    for degrees in (0, 180):
        turned = turn(clean, degrees)
        coupon = find_scan_line(turned)
        if coupon is None:
            continue
        reading.kind, reading.kind_confidence = PageKind.COUPON, 0.97
        if turned.rotation:
            reading.warnings.append(f"page was turned {turned.rotation} degrees to read it")
        _coupon_into(reading, coupon)
        return turned
    return None


def _coupon_into(reading: PageReading, coupon: CouponFields) -> None:
    reading.coupon_account = coupon.account
    reading.coupon_amount = coupon.amount_due
    reading.warnings.extend(coupon.warnings)


def _unreadable(source_file: str, message: str, page: int = 1) -> ItemReading:
    return ItemReading(
        source_file=source_file, page=page, pages=[], error_code=UNREADABLE_FILE, error=message
    )


def read_file(path: Path, source_file: str | None = None) -> list[ItemReading]:
    """The payment items in one scan file: one for an image file, one per page for a PDF (and,
    past the page ceiling, one exception naming the pages left unread)."""
    where = source_file if source_file is not None else path.name
    try:
        if path.suffix.lower() == ".pdf" or _is_pdf(path):
            return _read_pdf(path, where)
        pages = load_pages(path, where)
    except UnreadableFileError as exc:
        return [_unreadable(where, str(exc))]
    except Exception as exc:  # noqa: BLE001
        return [
            _unreadable(
                where,
                f"{where}: the file could not be read ({type(exc).__name__}); rescan the item",
            )
        ]
    return [ItemReading(source_file=where, page=1, pages=read_pages(pages))]


def _read_pdf(path: Path, where: str) -> list[ItemReading]:
    """Each page of a PDF its own item, decoded and read one at a time."""
    opened = open_pdf(path, where)
    items = [
        ItemReading(source_file=where, page=taken.number, pages=[read_page(taken.page)])
        if taken.page is not None
        else _unreadable(where, taken.error or "the page cannot be read", taken.number)
        for taken in opened.pages
    ]
    if opened.total > opened.read:
        items.append(
            _unreadable(
                where,
                f"{where}: pages {opened.read + 1} to {opened.total} of {opened.total} were not"
                f" read: one file is read up to {opened.read} pages. Split the file and put the"
                " rest in a new batch",
                opened.read + 1,
            )
        )
    return items


def _is_pdf(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            return fh.read(4) == b"%PDF"
    except OSError:
        return False


def read_path_pages(
    path: Path, page: int | None = None, source_file: str | None = None
) -> list[PageReading]:
    """One reading per page of a file (only page N when given), for `lockbox read FILE --page N`.

    Raises UnreadableFileError when the file cannot be decoded or has no page N.
    """
    where = source_file if source_file is not None else str(path)
    if path.suffix.lower() == ".pdf" or _is_pdf(path):
        opened = open_pdf(path, where)
        readings = []
        for taken in opened.pages:
            if page is not None and taken.number != page:
                continue
            if taken.page is None:
                raise UnreadableFileError(where, taken.error or "a PDF page cannot be read")
            readings.append(read_page(taken.page))
        if page is not None and not readings:
            raise UnreadableFileError(where, f"the file has no page {page}")
        return readings
    pages = load_pages(path, where)
    if page is not None:
        pages = [p for p in pages if p.page == page]
        if not pages:
            raise UnreadableFileError(where, f"the file has no page {page}")
    return [read_page(p) for p in pages]
