"""The run's checks as one X9 image cash letter, as the lender's bank would send the deposit.

With `generate(..., cash_letter=True)` (`--cash-letter`), beside the inbox:

- `cash-letter.x937`: every check of the run, in the order the pipeline reads the scans, as the
  bank's capture system images it: the same printed check through the same scanner optics as its
  scan, thresholded to bitonal and stored as a CCITT G4 TIFF (the standard's image), its back too
  (a blank back when the mail had none); each check detail record holds the check's MICR fields
  and the amount the bank encoded (`CheckSpec.encoded_amount`).
- `cash-letter.json`: for each check, by its 1-based place in the file, the scanned item of
  truth.json it is (`source_file`, `page`) and the amount in its record; and the cash letter's
  business date (the run's last deposit day).

So a test or a benchmark can run the same checks scanned and as a cash letter and compare. The
default output does not change: nothing here runs unless asked for.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from PIL import Image

from lockbox.x9 import X9CashLetterSpec, X9CheckSpec, write_x9
from sample_data.batches import Page, ScanFile
from sample_data.degrade import scan
from sample_data.truth import TruthItem

FILE_NAME = "cash-letter.x937"
MAP_NAME = "cash-letter.json"
BANK_ROUTING = (
    "111000025"  # the lender's depository bank (a routing number whose check digit is right)
)
_TO_X9 = str.maketrans({"U": "/", "D": "-"})

Render = Callable[[Page], Image.Image]


def g4_tiff(image: Image.Image, dpi: int) -> bytes:
    """A bitonal image as a CCITT group 4 TIFF with its resolution, as X9.100-187 images are."""
    out = io.BytesIO()
    image.convert("1").save(out, format="TIFF", compression="group4", dpi=(dpi, dpi))
    return out.getvalue()


def bank_capture(page: Page, render: Render) -> Image.Image:
    """The page as a bank's check scanner images it: its scan's optics, bitonal."""
    return scan(render(page), replace(page.style, bitonal=True, jpeg_quality=None))


def x9_micr_fields(micr_line: str) -> tuple[str, str]:
    """(auxiliary on-us, on-us) of a code line in the generator's notation, as a check detail
    record holds them: no symbols around the auxiliary field, '/' for on-us and '-' for dash."""
    transit = micr_line.index("T")
    end = micr_line.index("T", transit + 1)
    left, right = micr_line[:transit], micr_line[end + 1 :]
    amount = right.find("A")
    if amount >= 0:
        right = right[:amount]
    aux = left.replace("U", " ").strip()
    return aux, right.strip().translate(_TO_X9)


@dataclass
class CashLetterBuilder:
    """Collects the checks as their scan files are written, then writes the cash letter."""

    checks: list[X9CheckSpec] = field(default_factory=list)
    mapping: list[dict[str, object]] = field(default_factory=list)

    def add(self, scan_file: ScanFile, truth: list[TruthItem], render: Render) -> None:
        """The file's checks (a PDF's pages each, an image file's front and its back)."""
        for entry in truth:
            if entry.document != "check" or entry.kind != "check":
                continue
            if scan_file.fmt == "pdf":
                front, back = scan_file.pages[entry.page - 1], None
            else:
                front = scan_file.pages[0]
                back = next((p for p in scan_file.pages if p.kind == "check_back"), None)
            check = front.item.check
            if check is None or check.encoded_amount is None:
                continue
            front_image = bank_capture(front, render)
            back_image = (
                bank_capture(back, render)
                if back is not None
                else Image.new("1", front_image.size, 1)  # a back with nothing on it
            )
            aux, on_us = x9_micr_fields(check.micr_line)
            sequence = len(self.checks) + 1
            self.checks.append(
                X9CheckSpec(
                    routing=check.routing,
                    on_us=on_us,
                    auxiliary_on_us=aux,
                    amount=check.encoded_amount,
                    sequence_number=str(sequence),
                    front_image=g4_tiff(front_image, front.style.dpi),
                    back_image=g4_tiff(back_image, (back or front).style.dpi),
                )
            )
            self.mapping.append(
                {
                    "sequence": sequence,
                    "source_file": entry.source_file,
                    "page": entry.page,
                    "amount": f"{check.encoded_amount:.2f}",
                }
            )

    def write(self, out: Path, business_date: date) -> Path:
        """Writes the cash letter and its map beside the inbox; returns the cash letter's path."""
        spec = X9CashLetterSpec(
            items=self.checks,
            deposit_date=business_date,
            originating_routing=BANK_ROUTING,
            origin_name="LONE STAR BANK",
            destination_name="LONE STAR AUTO FIN",  # 18 characters, all the field holds
        )
        path = out / FILE_NAME
        path.write_bytes(write_x9(spec))
        index = {
            "file": FILE_NAME,
            "business_date": business_date.isoformat(),
            "items": self.mapping,
        }
        (out / MAP_NAME).write_text(json.dumps(index, indent=1) + "\n", encoding="utf-8")
        return path
