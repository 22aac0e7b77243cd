"""Named failures of the OCR side, each with a message a clerk can act on."""

from __future__ import annotations


class OcrError(Exception):
    """Base class: something about a scan that the reader could not handle."""


class UnreadableFileError(OcrError):
    """The file is not a scan we can decode (empty, truncated, encrypted, or not an image at all)."""

    def __init__(self, source_file: str, reason: str) -> None:
        self.source_file = source_file
        self.reason = reason
        super().__init__(
            f"{source_file}: {reason}. Rescan the item or ask the scanner operator for a new file "
            "(TIFF, PNG, JPEG or PDF)."
        )
