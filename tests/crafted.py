"""Files written byte by byte for tests of what the reader does with odd and hostile ones, and the
reader run on one in a fresh process to measure its peak memory."""

from __future__ import annotations

import struct
import subprocess
import sys
import zlib
from pathlib import Path


def write_pdf(path: Path, objects: list[bytes]) -> Path:
    """`objects` (numbered from 1; the first is the catalog) as a PDF with a cross-reference table."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, obj in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    path.write_bytes(bytes(out))
    return path


def tiff_bomb(path: Path, frames: int, width: int, height: int) -> Path:
    """A TIFF of `frames` Deflate pages of blank pixels that all share one compressed strip: a
    hundred kilobytes on disk that decode to frames x width x height bytes."""
    strip = zlib.compress(bytes(width * height), 9)
    out = bytearray(b"II*\x00\x00\x00\x00\x00")
    at, previous = len(out), 4
    out += strip
    # width, height, 8 bits, Deflate, black is zero, the strip, 1 sample, rows per strip, its size
    tags = [(256, 4, width), (257, 4, height), (258, 3, 8), (259, 3, 8), (262, 3, 1)]
    tags += [(273, 4, at), (277, 3, 1), (278, 4, height), (279, 4, len(strip))]
    for _ in range(frames):
        out += b"\x00" * (len(out) % 2)
        struct.pack_into("<I", out, previous, len(out))
        out += struct.pack("<H", len(tags))
        for tag, kind, value in tags:
            packed = struct.pack("<HH", value, 0) if kind == 3 else struct.pack("<I", value)
            out += struct.pack("<HHI", tag, kind, 1) + packed
        previous = len(out)
        out += b"\x00\x00\x00\x00"
    path.write_bytes(bytes(out))
    return path


# VmHWM, not ru_maxrss: the latter keeps the forking parent's peak across exec.
_PEAK = """
import sys
from pathlib import Path
from ocr.reader import read_file
item = read_file(Path(sys.argv[1]), Path(sys.argv[1]).name)[0]
status = open("/proc/self/status").read().split("VmHWM:")[1].split()[0]
print(item.error_code, int(status) // 1024, item.error)
"""


def read_in_fresh_process(path: Path) -> tuple[str, int, str]:
    """(first item's error code, peak memory in MB, its message) of `ocr.reader.read_file` on
    `path`, run in a process of its own so that the peak is the reader's alone."""
    done = subprocess.run(
        [sys.executable, "-c", _PEAK, str(path)], capture_output=True, text=True, timeout=120
    )
    code, peak_mb, message = done.stdout.split(maxsplit=2)
    return code, int(peak_mb), message
