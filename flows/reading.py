"""Read a batch's files with OCR on every core; returns Captures, never raises for a bad file."""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from flows.capture import to_capture
from lockbox.capture import Capture
from lockbox.inbox import ITEM_SUFFIXES, sha256_file


def read_one(path: Path, source_file: str) -> list[Capture]:
    """All items in one file (a PDF gives one per page), each as a Capture."""
    from ocr.reader import read_file  # imported in the worker process

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
                " (expected TIFF, PNG, JPEG or PDF)",
                is_check=False,
            )
        ]
    try:
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


def worker_count() -> int:
    configured = os.environ.get("LOCKBOX_OCR_WORKERS", "").strip()
    if configured.isdigit() and int(configured) > 0:
        return int(configured)
    return max(1, os.cpu_count() or 1)


def iter_read_files(
    files: list[tuple[Path, str]], workers: int | None = None
) -> Iterator[list[Capture]]:
    """Each file's Captures in input order, as soon as that file is read (in parallel processes).

    The flow records each file as it arrives, so a crash or a kill part-way loses only the reading
    of the files in flight, never what was already recorded.
    """
    workers = workers or worker_count()
    if workers == 1 or len(files) <= 1:
        for path, rel in files:
            yield read_one(path, rel)
        return
    pool = ProcessPoolExecutor(max_workers=min(workers, len(files)))
    try:
        yield from pool.map(read_one, [f for f, _ in files], [r for _, r in files])
    finally:
        # When recording fails part-way, stop at once: don't read the rest of the batch first.
        pool.shutdown(wait=True, cancel_futures=True)


def read_files(files: list[tuple[Path, str]], workers: int | None = None) -> list[Capture]:
    """Read files in parallel processes, keeping the input order."""
    return [c for chunk in iter_read_files(files, workers) for c in chunk]
