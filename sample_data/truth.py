"""The ground truth of a generated run (truth.json) and its typed form, `Manifest`.

One entry per item (per page for PDFs) with what the pipeline should conclude (posted, or held with
which exception codes) and every field as printed, so benchmarks can score each reading step.
Amounts are strings with two places (never floats). `amount` is the check's amount; it is null when
the check does not state one amount (courtesy and legal disagree, or the amount is unreadable) and
for pages that are not checks. A batch's `control_total` is the sum of its items' non-null amounts.

Copies and repeats (items are listed in processing order: by deposit date, then batch, as
`lockbox.inbox.discover_batches` orders them; a copy always comes in a later deposit day):
- `duplicate_of` ({source_file, page}) on every later copy of a check: the copy processed first.
  The later copy expects DUPLICATE_CHECK; the first copy expects to post, or MICR_UNREADABLE when
  its MICR line is obscured.
- `repeat_of` ({source_file, page}), only present when set: this is a second, different check (another
  number and date) by the same payer for the same loan and amount as that earlier item; both post.
- `fields.micr_damage` ({kind: tape|stamp|smear|torn, field: routing|on_us}), only present when set:
  that MICR field of this copy is covered, so its MICR line cannot be read (`micr_line` and the
  other MICR fields still say what is printed underneath).
- `fields.dpi_tag`, only present when false: the file does not state its resolution (`dpi` is the
  resolution it was scanned at).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from sample_data.batches import Page, ScanFile
from sample_data.plan import PlannedItem
from sample_data.specs import CheckSpec


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


@dataclass
class TruthItem:
    site: str
    batch: str
    source_file: str
    page: int
    expected_status: str  # posted | exception
    expected_codes: list[str]
    loan_account: str | None
    amount: str | None
    fields: dict[str, Any]
    kind: str = "check"  # the first page as ocr.reading.PageKind: check | other | blank
    document: str = "check"  # check | letter | blank
    pages: list[dict[str, Any]] = field(default_factory=list)  # every page of the file
    duplicate_of: dict[str, Any] | None = None  # source_file and page of the first scan
    notes: list[str] = field(default_factory=list)
    repeat_of: dict[str, Any] | None = None  # the earlier, different check for the same payment


# Keys written only when set, so runs without them keep the truth.json they always had.
_ONLY_WHEN_SET = ("repeat_of",)


@dataclass
class Manifest:
    """What `generate` wrote: where, for which business date and seed, and every item's truth."""

    as_of: date
    seed: int
    items: list[TruthItem]
    out: Path | None = None

    @property
    def inbox(self) -> Path:
        assert self.out is not None
        return self.out / "inbox"

    def to_json(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "seed": self.seed,
            "items": [_item_json(item) for item in self.items],
        }

    def write(self, path: Path) -> None:
        path.write_text(json.dumps(self.to_json(), indent=1) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> Manifest:
        """Reads a truth.json written by `generate` (for tests and benchmarks)."""
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(
            as_of=date.fromisoformat(data["as_of"]),
            seed=int(data["seed"]),
            items=[TruthItem(**item) for item in data["items"]],
            out=path.parent,
        )


def _item_json(item: TruthItem) -> dict[str, Any]:
    data = asdict(item)
    for key in _ONLY_WHEN_SET:
        if data[key] is None:
            del data[key]
    return data


def _page_info(page: Page, number: int) -> dict[str, Any]:
    return {
        "page": number,
        "kind": page.kind,
        "rotation": page.style.rotation,
        "degradations": page.style.labels(),
    }


def _hand(check: CheckSpec) -> str:
    """What wrote the check's filled-in parts: its font, a stroke-drawn writer, or people's digits
    for the figures beside the font for the words."""
    if check.stroke_hand is not None:
        return f"strokes:{check.stroke_hand}"
    if check.real_digits:
        return f"digits:{check.fill_font}"
    return check.fill_font


def check_fields(item: PlannedItem, front: Page, dpi: int) -> dict[str, Any]:
    """The truth's `fields` of an item whose first page is `front`."""
    check, coupon, letter = item.check, item.coupon, item.letter
    out: dict[str, Any] = {
        "routing": None,
        "bank_account": None,
        "serial": None,
        "micr_line": None,
        "courtesy_amount": None,
        "legal_amount": None,
        "legal_text": None,
        "date": None,
        "memo_text": None,
        "memo_account": None,
        "coupon_account": coupon.account if coupon else None,
        "coupon_amount": _money(coupon.amount_due) if coupon else None,
        "coupon_scanline": coupon.scanline if coupon else None,
        "payer": None,
        "handwritten": letter.handwritten if letter else False,
        "font": letter.font if letter and letter.kind == "letter" else None,
        "layout": None,
        "dpi": dpi,
        "degradations": front.style.labels(),
        "rotation": front.style.rotation,
    }
    if check is not None:
        out.update(
            routing=check.routing,
            bank_account=check.bank_account,
            serial=check.serial,
            micr_line=check.micr_line,
            courtesy_amount=_money(check.courtesy_amount),
            courtesy_text=check.courtesy_text if not check.amount_blotted else None,
            legal_amount=_money(check.legal_amount),
            legal_text=check.legal_text,
            date=check.date.isoformat() if check.date else None,
            date_text=check.date_text,
            memo_text=check.memo_text,
            memo_account=check.memo_account,
            payer=check.payer,
            payer_lines=check.payer_lines,
            payee=check.payee,
            bank_name=check.bank_name,
            check_number=check.check_number,
            handwritten=check.handwritten,
            font=_hand(check),
            layout=check.layout,
            amount_blotted=check.amount_blotted,
            legal_scribbled=check.legal_scribbled,
        )
    return out


def truth_for_file(scan_file: ScanFile, first_seen: dict[int, tuple[str, int]]) -> list[TruthItem]:
    """The truth of every item in one file: one per page for a PDF, else one for the file."""
    pages = scan_file.pages
    if scan_file.fmt == "pdf":
        groups = [(n, [(n, p)]) for n, p in enumerate(pages, start=1)]
    else:
        groups = [(1, list(enumerate(pages, start=1)))]
    out: list[TruthItem] = []
    for number, members in groups:
        item = members[0][1].item
        first_seen.setdefault(item.index, (scan_file.source_file, number))
        duplicate_of = None
        if item.duplicate_of is not None:
            src, pg = first_seen[item.duplicate_of]
            duplicate_of = {"source_file": src, "page": pg}
        repeat_of = None
        if item.repeat_of is not None:
            src, pg = first_seen[item.repeat_of]
            repeat_of = {"source_file": src, "page": pg}
        extra: dict[str, Any] = {}
        if item.micr_damage is not None:
            extra["micr_damage"] = item.micr_damage.to_json()
        if not scan_file.dpi_tag:
            extra["dpi_tag"] = False
        if scan_file.photo is not None:
            extra["photo"] = scan_file.photo.labels()
        out.append(
            TruthItem(
                site=scan_file.site,
                batch=scan_file.batch,
                source_file=scan_file.source_file,
                page=number,
                expected_status=item.expected_status,
                expected_codes=[item.code] if item.code else [],
                loan_account=item.loan_account,
                amount=_money(item.amount),
                fields={
                    **check_fields(item, members[0][1], scan_file.dpi),
                    "file_format": scan_file.fmt,
                    "bitonal": scan_file.bitonal,
                    **extra,
                },
                kind=members[0][1].kind,
                document=item.kind,
                pages=[_page_info(p, n) for n, p in members],
                duplicate_of=duplicate_of,
                notes=list(item.notes),
                repeat_of=repeat_of,
            )
        )
    return out
