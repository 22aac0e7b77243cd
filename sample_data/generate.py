"""Generates a lockbox run: the inbox of scanned mail, the loan book and the ground truth.

    generate(out, seed, items, as_of) -> Manifest

writes `out/inbox/<site>/<batch>/` (batch.json and the scans), `out/loans.csv` and `out/truth.json`;
with `cash_letter=True` also the run's checks as one X9 image cash letter (`sample_data.x9_file`).
The same arguments give the same files, byte for byte, on the same machine (fonts and library
versions can change the pixels elsewhere; the truth does not depend on them except for font names).
"""

from __future__ import annotations

import json
import random
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

from PIL import Image

from sample_data import x9_file as x9
from sample_data.batches import Page, ScanFile, assign_batches, take_photos
from sample_data.check_back import render_check_back
from sample_data.check_front import render_check_front
from sample_data.coupon import render_coupon
from sample_data.damage import obscure_micr
from sample_data.degrade import digitize, on_flatbed, scan
from sample_data.image_files import save_jpeg, save_pdf, save_photo, save_png, save_tiff
from sample_data.letter import render_letter
from sample_data.loan_book import write_loans_csv
from sample_data.photo import photograph
from sample_data.plan import Planner, take_real_digits, take_stroke_hands
from sample_data.truth import Manifest, TruthItem, truth_for_file

OUTPUTS = ("inbox", "loans.csv", "truth.json", x9.FILE_NAME, x9.MAP_NAME)


class OutputExistsError(FileExistsError):
    """The output folder already holds a generated run and --clean was not given."""


def prepare_out(out: Path, clean: bool) -> None:
    """Makes `out`; with `clean`, removes what an earlier run wrote there (and nothing else)."""
    out.mkdir(parents=True, exist_ok=True)
    existing = [out / name for name in OUTPUTS if (out / name).exists()]
    if existing and not clean:
        raise OutputExistsError(
            f"{out} already holds a generated run ({', '.join(p.name for p in existing)}); "
            "pass --clean to replace it"
        )
    for path in existing:
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()


def render_page(page: Page, micr_font: Path | None, behind: int = 255) -> Image.Image:
    """The page as printed, at 300 dpi, before the scanner; `behind` is what shows where paper is
    torn away (the scanner's background)."""
    item = page.item
    if page.kind == "check":
        assert item.check is not None
        front = render_check_front(item.check, micr_font)
        if item.micr_damage is not None:
            front = obscure_micr(front, item.check, item.micr_damage, behind)
        return front
    if page.kind == "check_back":
        assert item.back is not None
        return render_check_back(item.back)
    if page.kind == "coupon":
        assert item.coupon is not None
        return render_coupon(item.coupon)
    assert item.letter is not None
    return render_letter(item.letter)


def write_scan_file(scan_file: ScanFile, path: Path, deposit: date, micr_font: Path | None) -> None:
    """Renders, scans and saves every page of one file."""
    images: list[Image.Image] = []
    if scan_file.photo is not None:
        page = scan_file.pages[0]
        printed = render_page(page, micr_font)
        if page.style.rotation == 180:
            printed = printed.transpose(Image.Transpose.ROTATE_180)
        rng = random.Random(f"photo:{page.style.noise_seed}")
        picture, _ = photograph(printed, scan_file.photo, rng)
        save_photo(picture, path, scan_file.photo.quality)
        return
    for page in scan_file.pages:
        # A check scanner's background shows in a torn corner; a flatbed's lid is white.
        behind = 255 if scan_file.fmt == "pdf" else page.style.corner_fill
        printed = render_page(page, micr_font, behind)
        if scan_file.fmt == "pdf":
            glass = on_flatbed(
                printed, page.style, random.Random(f"flatbed:{page.style.noise_seed}")
            )
            images.append(digitize(glass, page.style))
        else:
            images.append(scan(printed, page.style))
    dpi = scan_file.dpi
    if scan_file.fmt == "pdf":
        save_pdf(images, path, dpi, deposit, title=f"{scan_file.batch} {path.stem}")
    elif scan_file.fmt == "tiff":
        save_tiff(images, path, dpi)
    elif scan_file.fmt == "png":
        save_png(images[0], path, dpi if scan_file.dpi_tag else None)
    else:
        quality = scan_file.pages[0].style.jpeg_quality or 75
        save_jpeg(images[0], path, dpi, quality)


def batch_ticket(deposit: date, items: list[TruthItem]) -> dict[str, object]:
    """batch.json per the CONTRACT: the item count and the sum of the stated check amounts."""
    total = sum((Decimal(it.amount) for it in items if it.amount is not None), Decimal("0.00"))
    return {
        "deposit_date": deposit.isoformat(),
        "item_count": len(items),
        "control_total": f"{total:.2f}",
    }


def generate(
    out: Path,
    seed: int,
    items: int,
    as_of: date,
    clean: bool = False,
    micr_font: Path | None = None,
    cash_letter: bool = False,
    photos: float = 0.0,
    stroke_hands: float = 0.0,
    real_digits: float = 0.0,
) -> Manifest:
    """Writes a run of `items` mail items for business date `as_of`; returns its truth.

    `cash_letter`: also write the run's checks as one X9 image cash letter beside the inbox.
    `photos`: the share of checks sent alone as PNG or JPEG that come as phone photos instead.
    `stroke_hands`: the share of handwritten checks written stroke by stroke, not in a font hand.
    `real_digits`: the share of handwritten checks whose figures are people's own digits
    (`sample_data.digits`, fetched from the npm registry the first time).
    """
    if items < 1:
        raise ValueError("items must be at least 1")
    if micr_font is not None and not micr_font.is_file():
        raise FileNotFoundError(f"MICR font not found: {micr_font}")
    out = Path(out)
    prepare_out(out, clean)
    plan = Planner(seed, items, as_of).plan()
    if stroke_hands:
        take_stroke_hands(plan, stroke_hands)
    if real_digits:
        take_real_digits(plan, real_digits)
    truth: list[TruthItem] = []
    first_seen: dict[int, tuple[str, int]] = {}
    letter = x9.CashLetterBuilder() if cash_letter else None
    batches = assign_batches(plan)
    if photos:
        take_photos(batches, seed, photos)
    for batch in batches:
        folder = out / "inbox" / batch.site / batch.name
        folder.mkdir(parents=True, exist_ok=True)
        in_batch: list[TruthItem] = []
        for scan_file in batch.files:
            write_scan_file(scan_file, folder / scan_file.name, batch.deposit_date, micr_font)
            in_file = truth_for_file(scan_file, first_seen)
            if letter is not None:
                letter.add(
                    scan_file, in_file, lambda p: render_page(p, micr_font, p.style.corner_fill)
                )
            in_batch += in_file
        ticket = batch_ticket(batch.deposit_date, in_batch)
        (folder / "batch.json").write_text(json.dumps(ticket, indent=2) + "\n", encoding="utf-8")
        truth += in_batch
    if letter is not None and batches:
        letter.write(out, max(b.deposit_date for b in batches))
    write_loans_csv(plan.loans, out / "loans.csv")
    manifest = Manifest(as_of=as_of, seed=seed, items=truth, out=out)
    manifest.write(out / "truth.json")
    return manifest
