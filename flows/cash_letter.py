"""An image cash letter (X9.37) from the inbox as Captures: one per check, read as a scan is.

The bank's check detail record is its corrected reading of the check's MICR line and the amount it
credited: routing, account and serial come from it (split by the same `parse_micr` that splits a
line read from an image), and its amount is the item's. Each check's front and back images are
decoded by the scan loader and read by the OCR as a scanned check is, for what only the paper says
(the loan account on the memo line, the payer, the date) and to check the record: what the image
shows surely and the record contradicts holds the item (`reconciliation.rules`).

What runs here runs in an OCR worker, through `flows.capture.read_one`: no Prefect, no database,
and the OCR imported only when a file is read.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from lockbox.capture import Capture
from lockbox.money import mask
from lockbox.x9 import X9Error, X9File, X9Item, read_x9
from ocr import ItemReading, MicrLine

# The largest cash letter read: the file's bytes and its images are held together (about twice
# its size) while one check at a time is read, which keeps a worker inside its 1.5 GB bound.
MAX_CASH_LETTER_BYTES = 512 * 2**20


def read_cash_letter(path: Path, source_file: str, file_sha256: str | None) -> list[Capture]:
    """Every check in the cash letter as a Capture, `page` its 1-based place in the file.

    A file that cannot be read at all is one UNREADABLE_FILE item saying what and where; one
    without checks is one item saying so. Never raises.
    """
    try:
        size = path.stat().st_size
    except OSError as exc:
        return [_unreadable(source_file, file_sha256, f"it cannot be opened ({exc.strerror})")]
    if size > MAX_CASH_LETTER_BYTES:
        return [
            _unreadable(
                source_file,
                file_sha256,
                f"the image cash letter is {size / 2**20:,.0f} MB, more than the"
                f" {MAX_CASH_LETTER_BYTES // 2**20} MB one file is read up to; ask the bank to"
                " send the deposit as smaller files",
            )
        ]
    try:
        letter = read_x9(path)
    except X9Error as exc:
        return [
            _unreadable(
                source_file,
                file_sha256,
                f"the image cash letter cannot be read: {exc}. Ask the bank to send the file again",
            )
        ]
    notes = file_warnings(letter, source_file)
    if not letter.items:
        return [
            Capture(
                source_file=source_file,
                file_sha256=file_sha256,
                is_check=False,
                not_check_reason="the image cash letter holds no checks",
                file_warnings=notes,
            )
        ]
    captures = [_item_or_failure(item, source_file, file_sha256) for item in letter.items]
    captures[0] = dataclasses.replace(captures[0], file_warnings=notes)
    return captures


def file_warnings(letter: X9File, source_file: str) -> tuple[str, ...]:
    """What the batch must show of the file as a whole: the control totals and counts that do not
    add up, and the deposit's credits (records 61/62), which are no payments and are not items."""
    out = [f"{source_file}: {warning.message}" for warning in letter.warnings]
    for credit in letter.credits:
        account = mask("".join(c for c in credit.on_us if c.isdigit())) or "no account"
        out.append(
            f"{source_file}: credit {credit.sequence} (record type {credit.record_type}) of"
            f" ${credit.amount:,.2f} to account {account} is the deposit's own credit, not a"
            " payment: not posted"
        )
    return tuple(out)


def record_micr(item: X9Item) -> MicrLine:
    """The bank's record as a MICR reading: routing (its check digit verified), account, serial."""
    from ocr import parse_micr

    return parse_micr(item.code_line, 1.0)


def _unreadable(source_file: str, file_sha256: str | None, reason: str) -> Capture:
    return Capture(
        source_file=source_file,
        file_sha256=file_sha256,
        unreadable_reason=f"{source_file}: {reason}",
        is_check=False,
    )


def _item_or_failure(item: X9Item, source_file: str, file_sha256: str | None) -> Capture:
    """One check's Capture; a reader bug on one check holds that check, never the whole file."""
    try:
        return item_capture(item, source_file, file_sha256)
    except Exception as exc:  # noqa: BLE001 - a bug must cost one item, not the file's others
        return Capture(
            source_file=source_file,
            page=item.sequence,
            file_sha256=file_sha256,
            unreadable_reason=f"{source_file}: check {item.sequence} of the image cash letter"
            f" could not be read ({type(exc).__name__}: {exc})",
            is_check=False,
        )


def item_capture(item: X9Item, source_file: str, file_sha256: str | None) -> Capture:
    """One check: its images read as a scan is, then the bank's record put in as the item's MICR
    fields and amount, with the image's own MICR reading kept beside it to be checked against."""
    from flows.capture import to_capture
    from ocr import cash_letter_check_pages, read_pages

    where = f"{source_file} check {item.sequence}"
    pages, image_problem, notes = cash_letter_check_pages(item.front_image, item.back_image, where)
    reading = ItemReading(source_file=source_file, page=item.sequence, pages=read_pages(pages))
    scanned = to_capture(reading, file_sha256=file_sha256)
    if image_problem is None and reading.front is None:
        kinds = ", ".join(p.kind.value for p in reading.pages) or "nothing"
        image_problem = (
            f"the check's front image in the cash letter does not read as a check ({kinds})"
        )
    bank = record_micr(item)
    routing = bank.routing or scanned.routing
    account = bank.account or scanned.bank_account
    serial = bank.serial or scanned.serial
    for name, recorded, used in (
        ("routing number", bank.routing, routing),
        ("account number", bank.account, account),
        ("serial number", bank.serial, serial),
    ):
        if recorded is None and used is not None:
            notes.append(
                f"the {name} is the check's MICR line's: the bank's record has none usable"
            )
    all_recorded = (routing, account, serial) == (bank.routing, bank.account, bank.serial)
    return dataclasses.replace(
        scanned,
        page=item.sequence,
        is_check=True,  # the bank's record is of a check, whatever its image shows
        not_check_reason=None,
        micr_line=bank.text,
        routing=routing,
        bank_account=account,
        serial=serial,
        micr_confidence=1.0 if all_recorded else scanned.micr_confidence,
        bank_amount=item.amount,
        image_routing=scanned.routing,
        image_account=scanned.bank_account,
        image_micr_confidence=scanned.micr_confidence,
        image_problem=image_problem,
        warnings=(
            *scanned.warnings,
            *(f"cash letter: {problem}" for problem in item.problems),
            *notes,
        ),
    )
