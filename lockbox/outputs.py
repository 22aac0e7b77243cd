"""Where the command line writes files (`--out`): never through a link, never over a file it did not
write, never half a file.

An operator's `--out` may name a scan, a link planted in a shared folder, or a folder. A path that is
a symbolic link is refused (writing through it would replace whatever it points at); a folder gets
a one-line message; an existing file is replaced only when it is an earlier output of the same kind
(its first line is the same header), or with `--force`. The file is written beside its final name
and renamed into place, so a reader never sees half of it.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TextIO, TypeVar

T = TypeVar("T")


class OutputError(ValueError):
    """The output path cannot be written; the message says why and what to do."""


def _first_line(path: Path) -> str:
    try:
        with path.open("r", encoding="utf-8", errors="replace", newline="") as fh:
            return fh.readline(4096).rstrip("\r\n")
    except OSError:
        return ""


def check_output(out: Path, *, header: str | None, force: bool = False) -> None:
    """Refuse `out` when it is a link, a folder, or a file other than an earlier output whose
    first line is `header` (None: no earlier output is recognised), unless `force`."""
    if out.is_symlink():
        raise OutputError(
            f"{out} is a symbolic link; lockbox never writes through a link. Name a plain file"
        )
    if out.is_dir():
        raise OutputError(f"{out} is a folder; name a file in it, like {out / 'export.csv'}")
    if out.exists() and not force and (header is None or _first_line(out) != header):
        raise OutputError(
            f"{out} exists and is not an earlier lockbox output of this kind; nothing was written."
            " Name another file, or pass --force to replace it"
        )
    for parent in out.parents:
        if parent.is_symlink() and not parent.resolve().is_dir():
            raise OutputError(f"{parent} is a broken link; name a folder that exists")


def write_csv(
    out: Path, columns: Sequence[str], rows: Iterable[Sequence[object]], *, force: bool = False
) -> int:
    """A header and `rows` as CSV at `out`, checked and written as above; returns the row count."""
    check_output(out, header=",".join(columns), force=force)

    def write(handle: TextIO) -> int:
        writer = csv.writer(handle)
        writer.writerow(columns)
        count = 0
        for row in rows:
            writer.writerow(row)
            count += 1
        return count

    return write_atomically(out, write)


def write_atomically(out: Path, write: Callable[[TextIO], T]) -> T:
    """Write through `write` into a new file beside `out`, then rename it over `out`."""
    out.parent.mkdir(parents=True, exist_ok=True)
    temporary = out.with_name(f".{out.name}.{os.getpid()}.part")
    try:
        # "x" creates the file or fails: it never follows a link someone left under that name.
        with temporary.open("x", newline="", encoding="utf-8") as handle:
            result = write(handle)
        os.replace(temporary, out)
    finally:
        temporary.unlink(missing_ok=True)
    return result
