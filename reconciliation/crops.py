"""Keep the image of each field in doubt beside its exception, where the clerk and the UI find it.

The reader hands back small PNG crops of every field; only an exception item's crops are kept, and
only the fields its codes are about (an amount mismatch shows both amounts, an unknown account the
memo line and the payer). They go under LOCKBOX_HOME/crops/<business date>/, and their paths are
recorded on the item so `lockbox review list`, the run summary and the review form can point at them.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path

from lockbox.models import Item
from reconciliation.codes import ExceptionCode

FIELDS_IN_DOUBT: dict[ExceptionCode, tuple[str, ...]] = {
    ExceptionCode.UNREADABLE_AMOUNT: ("courtesy", "legal"),
    ExceptionCode.AMOUNT_MISMATCH: ("courtesy", "legal"),
    ExceptionCode.STALE_DATED: ("date",),
    ExceptionCode.POST_DATED: ("date",),
    ExceptionCode.DATE_UNREADABLE: ("date",),
    ExceptionCode.MISSING_ACCOUNT: ("memo", "payer"),
    ExceptionCode.UNKNOWN_ACCOUNT: ("memo", "payer"),
    ExceptionCode.AMBIGUOUS_LOAN: ("memo", "payer"),
    ExceptionCode.LOAN_NOT_ACTIVE: ("memo", "payer"),
    ExceptionCode.MICR_UNREADABLE: ("micr",),
    ExceptionCode.DUPLICATE_CHECK: ("micr", "courtesy"),
    ExceptionCode.BANK_RECORD_MISMATCH: ("courtesy", "legal", "micr"),
}


def fields_in_doubt(codes: Iterable[str]) -> list[str]:
    """The fields a clerk needs to see for these codes, in the order the codes came."""
    out: list[str] = []
    for code in codes:
        try:
            wanted = FIELDS_IN_DOUBT.get(ExceptionCode(code), ())
        except ValueError:
            continue
        out += [f for f in wanted if f not in out]
    return out


def crops_dir(home: Path, business_date: date) -> Path:
    return home / "crops" / business_date.isoformat()


def save_crops(
    home: Path,
    *,
    item_id: int,
    business_date: date,
    codes: Iterable[str],
    images: Mapping[str, bytes],
) -> dict[str, str]:
    """Write the crops of the fields in doubt; returns field -> absolute path of each one written.

    Each file is written to a temporary name and renamed, so a crash never leaves half an image
    under the name the item points at; a rerun overwrites with the same bytes.
    """
    wanted = [f for f in fields_in_doubt(codes) if f in images]
    if not wanted:
        return {}
    folder = crops_dir(home, business_date)
    folder.mkdir(parents=True, exist_ok=True)
    saved: dict[str, str] = {}
    for name in wanted:
        path = folder / f"item-{item_id}-{name}.png"
        tmp = path.with_suffix(".png.part")
        tmp.write_bytes(images[name])
        os.replace(tmp, path)
        saved[name] = str(path)
    return saved


def attach_crops(home: Path, item: Item, images: Mapping[str, bytes]) -> dict[str, str]:
    """Save an exception item's crops and record their paths on the item (capture['crops'])."""
    if item.status != "exception" or not images:
        return {}
    codes = (item.capture or {}).get("codes") or [item.exception_code or ""]
    saved = save_crops(
        home, item_id=item.id, business_date=item.business_date, codes=codes, images=images
    )
    if saved:
        item.capture = {**(item.capture or {}), "crops": saved}
    return saved
