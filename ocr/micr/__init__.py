"""E-13B MICR: the project's own renderer of check code lines and the reader that finds them."""

from ocr.micr.fields import aba_valid, parse_micr
from ocr.micr.glyphs import render_micr
from ocr.micr.reader import find_micr_band, micr_dpi, read_micr

__all__ = ["aba_valid", "find_micr_band", "micr_dpi", "parse_micr", "read_micr", "render_micr"]
