"""How the planned mail reaches the inbox: batches per site and deposit day, files per batch, and
the file format, resolution and scan style of every page.

Constraints from the CONTRACT: an image file is one item (page 1 the check front, then its back
and/or coupon); a PDF holds one item per page (check fronts only, as from a flatbed).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from datetime import date

from sample_data.degrade import ScanStyle, plan_scan
from sample_data.photo import PhotoStyle, plan_photo
from sample_data.plan import PlannedItem, RunPlan

SITE_LETTER = {"dallas": "D", "richardson": "R"}


@dataclass
class Page:
    """One page of a file: which item it belongs to and what it shows."""

    item: PlannedItem
    kind: str  # check | check_back | coupon | blank | other (ocr.reading.PageKind values)
    style: ScanStyle


@dataclass
class ScanFile:
    site: str
    batch: str
    name: str
    fmt: str  # png | jpeg | tiff | pdf
    dpi: int
    bitonal: bool
    pages: list[Page] = field(default_factory=list)
    dpi_tag: bool = True  # False: the file does not say its resolution (some PNG rescans)
    photo: PhotoStyle | None = None  # a phone's picture of the check, not a scan

    @property
    def style(self) -> tuple[str, int, bool]:
        """What makes two scans of one check differ as files: format, resolution, bitonal."""
        return (self.fmt, self.dpi, self.bitonal)

    @property
    def source_file(self) -> str:
        """The path relative to the inbox, '/'-separated, as the CONTRACT's exports write it."""
        return f"{self.site}/{self.batch}/{self.name}"


@dataclass
class Batch:
    site: str
    name: str
    deposit_date: date
    items: list[PlannedItem]
    files: list[ScanFile] = field(default_factory=list)


def _pdf_eligible(item: PlannedItem) -> bool:
    """A check front alone, and a personal one: a business check is as wide as the glass."""
    return (
        item.kind == "check"
        and not item.restyle  # a rescan gets a file of its own, in another style than the first
        and item.coupon is None
        and item.back is None
        and item.check is not None
        and item.check.layout == "personal"
    )


def _split(rng: random.Random, items: list[PlannedItem]) -> list[list[PlannedItem]]:
    """Scanner batches of three to eight items."""
    out: list[list[PlannedItem]] = []
    rest = list(items)
    while rest:
        size = len(rest)
        if size > 8:
            size = min(rng.randrange(3, 9), len(rest) - 3)  # never leave fewer than three
        out.append(rest[:size])
        rest = rest[size:]
    return out


def assign_batches(plan: RunPlan) -> list[Batch]:
    """Batches in processing order: by deposit date, then site, then batch number."""
    rng = random.Random(f"batches:{plan.seed}")
    batches: list[Batch] = []
    firsts = {it.duplicate_of for it in plan.items if it.restyle and it.duplicate_of is not None}
    for day, deposit in enumerate(plan.deposit_dates):
        for site in ("dallas", "richardson"):
            group = [it for it in plan.items if it.day == day and it.site == site]
            rng.shuffle(group)
            for k, chunk in enumerate(_split(rng, group), start=1):
                name = f"{deposit:%Y-%m-%d}-{SITE_LETTER[site]}{k:02d}"
                batches.append(Batch(site, name, deposit, chunk))
    pdf_made = False
    files_of: dict[int, ScanFile] = {}  # the file of each item already assigned
    for batch in batches:
        pdf_made |= _assign_files(batch, rng, force_pdf=False, files_of=files_of)
    if not pdf_made:
        for batch in sorted(batches, key=lambda b: -sum(map(_pdf_eligible, b.items))):
            # (Not a batch with a first copy whose rescan already avoids that copy's style.)
            if sum(map(_pdf_eligible, batch.items)) >= 2 and not any(
                it.index in firsts for it in batch.items
            ):
                batch.files.clear()
                _assign_files(batch, rng, force_pdf=True, files_of=files_of)
                break
    _turn_some_upside_down(batches, rng)
    return batches


UPSIDE_DOWN_SHARE = 0.1


def _turn_some_upside_down(batches: list[Batch], rng: random.Random) -> None:
    """About one item in ten goes through the scanner upside down (a fixed share, not a coin per
    item, so a small sample is not half upside down by bad luck); a check's back turns with it."""
    fronts: list[tuple[ScanFile, int]] = []
    for batch in batches:
        for scan_file in batch.files:
            indexes = range(len(scan_file.pages)) if scan_file.fmt == "pdf" else [0]
            fronts += [(scan_file, i) for i in indexes]
    count = round(len(fronts) * UPSIDE_DOWN_SHARE)
    if count == 0 and len(fronts) >= 5:
        count = 1
    for scan_file, index in rng.sample(fronts, count):
        pages = scan_file.pages
        turned = (
            [index]
            if scan_file.fmt == "pdf"
            else [i for i, p in enumerate(pages) if p.kind != "coupon"]
        )
        for i in turned:
            pages[i] = replace(pages[i], style=replace(pages[i].style, rotation=180))


def take_photos(batches: list[Batch], seed: int, share: float) -> None:
    """Make about `share` of the check fronts sent alone as a PNG or JPEG phone photos instead
    (a JPEG at 72 dpi); each file draws from its own seed, so the rest of the run is unchanged."""
    for batch in batches:
        for scan_file in batch.files:
            pages = scan_file.pages
            if scan_file.fmt not in ("png", "jpeg") or [p.kind for p in pages] != ["check"]:
                continue
            rng = random.Random(f"photo:{seed}:{scan_file.source_file}")
            if rng.random() >= share:
                continue
            scan_file.photo = plan_photo(rng)
            scan_file.fmt, scan_file.dpi_tag = "jpeg", True
            scan_file.name = scan_file.name.rsplit(".", 1)[0] + ".jpg"


def _ext(rng: random.Random, fmt: str) -> str:
    if fmt == "tiff":
        return "tif" if rng.random() < 0.8 else "tiff"
    if fmt == "jpeg":
        return "jpg" if rng.random() < 0.8 else "jpeg"
    return fmt


def _assign_files(
    batch: Batch, rng: random.Random, force_pdf: bool, files_of: dict[int, ScanFile]
) -> bool:
    """Files for one batch; returns True when it holds a PDF of two or more checks."""
    eligible = [it for it in batch.items if _pdf_eligible(it)]
    in_pdf: list[PlannedItem] = []
    if len(eligible) >= 2 and (force_pdf or rng.random() < 0.5):
        in_pdf = eligible[: rng.randrange(2, min(4, len(eligible)) + 1)]
    seq = 0
    pdf: ScanFile | None = None
    for item in batch.items:
        if item in in_pdf:
            if pdf is None:
                seq += 1
                dpi = 200 if rng.random() < 0.7 else 300
                pdf = ScanFile(
                    batch.site,
                    batch.name,
                    f"scan-{seq:04d}.pdf",
                    "pdf",
                    dpi,
                    bitonal=rng.random() < 0.6,
                )
                batch.files.append(pdf)
            pdf.pages.append(Page(item, "check", plan_scan(rng, pdf.dpi, pdf.bitonal)))
            files_of[item.index] = pdf
            continue
        seq += 1
        first = files_of.get(item.duplicate_of) if item.duplicate_of is not None else None
        if item.restyle and first is not None:
            scan_file = _rescan_file(batch, item, seq, rng, first)
        else:
            scan_file = _single_file(batch, item, seq, rng)
        batch.files.append(scan_file)
        files_of[item.index] = scan_file
    return pdf is not None and len(pdf.pages) >= 2


def _rescan_file(
    batch: Batch, item: PlannedItem, seq: int, rng: random.Random, first: ScanFile
) -> ScanFile:
    """A later copy of a check scanned unlike its first copy: another format, resolution or
    threshold (bitonal against grey), its own skew and noise, and now and then a PNG that does
    not say its resolution."""
    multi = item.coupon is not None or item.back is not None
    options = [
        (fmt, dpi, bitonal)
        for fmt, bitonal in (("tiff", True), ("tiff", False), ("png", False), ("jpeg", False))
        for dpi in (200, 300)
        if (fmt, dpi, bitonal) != first.style and (fmt == "tiff" or not multi)
    ]
    fmt, dpi, bitonal = rng.choice(options)
    name = f"item-{seq:04d}.{_ext(rng, fmt)}"
    scan_file = ScanFile(batch.site, batch.name, name, fmt, dpi, bitonal)
    if fmt == "png" and rng.random() < 0.4:
        scan_file.dpi_tag = False
    kinds = ["check"] + [
        k for k, there in (("check_back", item.back), ("coupon", item.coupon)) if there
    ]
    for kind in kinds:
        style = plan_scan(rng, dpi, bitonal, jpeg=fmt == "jpeg")
        if kind == "check" and not style.skew:
            style = replace(style, skew=round(rng.choice([-1, 1]) * rng.uniform(0.4, 2.0), 2))
        scan_file.pages.append(Page(item, kind, style))
    return scan_file


def _single_file(batch: Batch, item: PlannedItem, seq: int, rng: random.Random) -> ScanFile:
    if item.coupon is not None or item.back is not None:
        fmt = "tiff"
        bitonal = rng.random() < 0.8
    elif item.kind != "check":
        fmt = rng.choices(["tiff", "png", "jpeg"], [0.6, 0.2, 0.2])[0]
        bitonal = fmt == "tiff"
    else:
        fmt, bitonal = rng.choices(
            [("tiff", True), ("png", False), ("jpeg", False), ("tiff", False)],
            [0.4, 0.15, 0.3, 0.15],
        )[0]
    low = 0.8 if bitonal or item.kind != "check" else 0.55
    dpi = 200 if rng.random() < low else 300
    name = f"item-{seq:04d}.{_ext(rng, fmt)}"
    scan_file = ScanFile(batch.site, batch.name, name, fmt, dpi, bitonal)
    front_kind = {"check": "check", "letter": "other", "blank": "blank"}[item.kind]
    kinds = [front_kind]
    extra = [k for k, present in (("coupon", item.coupon), ("check_back", item.back)) if present]
    rng.shuffle(extra)
    for kind in kinds + extra:
        # Upside-down fronts (and their backs) are chosen for the whole run; a coupon is a sheet
        # of its own and now and then goes in the other way round.
        rate = 0.05 if kind == "coupon" else 0.0
        style = plan_scan(rng, dpi, bitonal, jpeg=fmt == "jpeg", upside_down_rate=rate)
        scan_file.pages.append(Page(item, kind, style))
    return scan_file
