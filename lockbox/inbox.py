"""The inbox layout (CONTRACT): INBOX/<site>/<batch>/ files, with an optional batch.json ticket.

Pure filesystem reading: it never modifies the inbox, and a bad ticket is a warning, not a crash.
An image cash letter from a bank (X9.37) is an item file too: one file, an item per check in it.
The inbox is a boundary: a link is followed only to a file inside the inbox. A link that leaves it
(anyone who can write the scanner share could point one at any readable file), a link to nothing, a
link loop, a link to a folder or a folder that cannot be listed is never read; each is kept as a
refused entry with the reason, so the run records it as an exception item that names it.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from pathlib import Path

from lockbox.config import SITES
from lockbox.money import MoneyError, parse_money
from lockbox.x9 import peek_business_date

IMAGE_SUFFIXES = {".tif", ".tiff", ".png", ".jpg", ".jpeg"}
PDF_SUFFIXES = {".pdf"}
X9_SUFFIXES = {".x9", ".x937", ".icl"}  # X9.37 / X9.100-187 image cash letters
ITEM_SUFFIXES = IMAGE_SUFFIXES | PDF_SUFFIXES | X9_SUFFIXES
# Files that hold many items (a page or a check each): read again on a resumed batch, where the
# items already recorded are skipped one by one.
MULTI_ITEM_SUFFIXES = PDF_SUFFIXES | X9_SUFFIXES
STRAY_NAMES = {"thumbs.db", ".ds_store", "desktop.ini", "batch.json"}


class InboxError(ValueError):
    """The inbox folder itself cannot be used (missing, not a folder)."""


@dataclass(frozen=True)
class Ticket:
    """The scanner operator's batch ticket: what the batch should contain."""

    deposit_date: date | None = None
    item_count: int | None = None
    control_total: Decimal | None = None


@dataclass
class BatchDir:
    site: str
    name: str
    path: Path
    inbox: Path
    ticket: Ticket = field(default_factory=Ticket)
    files: list[Path] = field(default_factory=list)  # candidate item files, sorted
    warnings: list[str] = field(default_factory=list)
    # entries that are not read, with why (see the module docstring): each becomes an exception item
    refused: list[tuple[Path, str]] = field(default_factory=list)

    def relative(self, path: Path) -> str:
        """The path relative to the inbox, '/'-separated, as the exports write it.

        A name that is not valid UTF-8 (bytes from an old scanner or a Windows share) is written
        with its odd bytes as \\xNN: still unique in the batch, and storable in the database.
        """
        return printable_name(path.relative_to(self.inbox).as_posix())


def printable_name(name: str) -> str:
    """The name as valid UTF-8 text; undecodable bytes (surrogate escapes) become \\xNN."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        raw = name.encode("utf-8", "surrogateescape")
        return raw.decode("utf-8", "backslashreplace")
    return name


def read_ticket(path: Path) -> tuple[Ticket, list[str]]:
    """Parse batch.json; anything wrong in it is a warning and the field is left unknown."""
    warnings: list[str] = []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        return Ticket(), [
            f"batch.json is not readable JSON ({exc}); batch totals cannot be checked"
        ]
    if not isinstance(data, dict):
        return Ticket(), ["batch.json is not a JSON object; batch totals cannot be checked"]
    deposit: date | None = None
    count: int | None = None
    total: Decimal | None = None
    if data.get("deposit_date") is not None:
        try:
            deposit = date.fromisoformat(str(data["deposit_date"]))
        except ValueError:
            warnings.append(f"batch.json deposit_date {data['deposit_date']!r} is not YYYY-MM-DD")
    if data.get("item_count") is not None:
        raw = data["item_count"]
        if isinstance(raw, int) and not isinstance(raw, bool) and raw >= 0:
            count = raw
        elif isinstance(raw, str) and raw.strip().isdigit():
            count = int(raw)
        else:
            warnings.append(f"batch.json item_count {raw!r} is not a whole number")
    if data.get("control_total") is not None:
        try:
            total = parse_money(str(data["control_total"]))
        except MoneyError:
            warnings.append(f"batch.json control_total {data['control_total']!r} is not an amount")
    return Ticket(deposit, count, total), warnings


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def boundary_problem(path: Path, inbox: Path) -> str | None:
    """Why `path` (an entry found in a batch, or the batch folder) must not be read, or None when
    it may: it must end, links followed, inside the inbox, and a link must not end at a folder."""
    try:
        target = path.resolve(strict=True)
    except FileNotFoundError:
        return "it is a link to a file that does not exist; rescan the item into the batch"
    except (RuntimeError, OSError):
        return "it is a link that loops back on itself; rescan the item into the batch"
    if not _inside(target, inbox.resolve()):
        what = "a folder" if target.is_dir() else "a file"
        return (
            f"it is a link to {what} outside the inbox, which is never read; copy the scans"
            " themselves into the batch folder"
        )
    if path.is_symlink() and target.is_dir():
        return "it is a link to a folder, which is not followed; move the scans into the batch"
    return None


def scan_batch(site: str, path: Path, inbox: Path) -> BatchDir:
    batch = BatchDir(site=site, name=printable_name(path.name), path=path, inbox=inbox)
    problem = boundary_problem(path, inbox)
    if problem is not None:
        batch.refused.append((path, f"the batch folder is not read: {problem}"))
        return batch
    ticket_path = path / "batch.json"
    if ticket_path.is_file() and boundary_problem(ticket_path, inbox) is None:
        batch.ticket, batch.warnings = read_ticket(ticket_path)
    found: list[Path] = []

    def unlistable(error: OSError) -> None:
        where = Path(error.filename) if error.filename else path
        batch.refused.append((where, f"the folder cannot be listed ({error.strerror})"))

    for folder, dirs, names in os.walk(path, onerror=unlistable):
        here = Path(folder)
        for name in sorted(dirs):
            if (here / name).is_symlink():
                found.append(here / name)  # a link to a folder: refused below, never walked
        found += [here / name for name in names]
    for f in sorted(found):
        lower = f.name.lower()
        hidden_dir = any(part.startswith(".") for part in f.relative_to(path).parts[:-1])
        if lower in STRAY_NAMES or lower.startswith(("._", "~$")) or hidden_dir:
            if lower != "batch.json" or f.parent != path:
                batch.warnings.append(f"ignored stray file {batch.relative(f)}")
            continue
        problem = boundary_problem(f, inbox)
        if problem is not None:
            batch.refused.append((f, problem))
        elif f.is_file() or f.is_symlink():
            batch.files.append(f)  # unknown types become exception items downstream
        else:  # a socket, a pipe, a device: nothing a scanner writes
            batch.refused.append((f, "it is not a regular file; rescan the item into the batch"))
    if not batch.files and not batch.refused:
        batch.warnings.append("the batch folder has no item files")
    if batch.ticket.deposit_date is None:
        _date_from_cash_letters(batch)
    return batch


def _date_from_cash_letters(batch: BatchDir) -> None:
    """A batch without a ticket date takes its image cash letters' business date as the day its
    payments were received, as a ticket's deposit_date would give it: the bank dated the deposit.

    Cash letters of different days give the earliest (a payment is never counted as received
    later than it was, so no late fee comes of the choice), with a warning naming the days.
    """
    days = sorted(
        {
            day
            for path in batch.files
            if path.suffix.lower() in X9_SUFFIXES and (day := peek_business_date(path)) is not None
        }
    )
    if not days:
        return
    batch.ticket = replace(batch.ticket, deposit_date=days[0])
    if len(days) > 1:
        batch.warnings.append(
            "the image cash letters are of different business dates ("
            + ", ".join(d.isoformat() for d in days)
            + f"); the batch's deposit date is the earliest, {days[0].isoformat()}"
        )


def discover_batches(inbox: Path) -> list[BatchDir]:
    """Every batch folder under the known sites, oldest deposit date first (then name, site)."""
    if not inbox.is_dir():
        raise InboxError(
            f"inbox {inbox} is not a folder; pass --inbox with the scanner's output folder"
        )
    batches: list[BatchDir] = []
    for site in SITES:
        site_dir = inbox / site
        if not site_dir.is_dir():
            continue
        for child in sorted(site_dir.iterdir()):
            if child.name.startswith("."):
                continue
            if child.is_dir() or (child.is_symlink() and boundary_problem(child, inbox)):
                batches.append(scan_batch(site, child, inbox))
    # Oldest deposit first across both sites, so the first sighting of a check is the one that posts
    # and a later copy is the duplicate; batches without a ticket date come last, by name.
    batches.sort(key=lambda b: (b.ticket.deposit_date or date.max, b.name, b.site))
    return batches


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
