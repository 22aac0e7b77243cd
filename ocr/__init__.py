"""Pure image -> fields: load scanned pages, clean them up, find and read check and coupon fields.

No database, no Prefect: everything here takes pixels (or a file) and returns typed readings.
The names below are the package's surface, what flows and the CLI use; each is imported from
its module when first asked for, so `import ocr` costs nothing until a page is read.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ocr.micr.fields import parse_micr
    from ocr.pages import cash_letter_check_pages, load_pages
    from ocr.reader import read_file, read_page, read_pages, read_path_pages
    from ocr.reading import Box, ItemReading, MicrLine, Page, PageKind, PageReading

_HOME = {
    "parse_micr": "ocr.micr.fields",
    "cash_letter_check_pages": "ocr.pages",
    "load_pages": "ocr.pages",
    "read_file": "ocr.reader",
    "read_page": "ocr.reader",
    "read_pages": "ocr.reader",
    "read_path_pages": "ocr.reader",
    "Box": "ocr.reading",
    "ItemReading": "ocr.reading",
    "MicrLine": "ocr.reading",
    "Page": "ocr.reading",
    "PageKind": "ocr.reading",
    "PageReading": "ocr.reading",
}
__all__ = [
    "Box",
    "ItemReading",
    "MicrLine",
    "Page",
    "PageKind",
    "PageReading",
    "cash_letter_check_pages",
    "load_pages",
    "parse_micr",
    "read_file",
    "read_page",
    "read_pages",
    "read_path_pages",
]


def __getattr__(name: str) -> Any:
    if name not in _HOME:
        raise AttributeError(f"module 'ocr' has no attribute {name!r}")
    return getattr(importlib.import_module(_HOME[name]), name)
