"""E-13B MICR: the project's own renderer of check code lines and the reader that finds them."""

from ocr.micr.fields import parse_micr
from ocr.micr.glyphs import render_micr
from ocr.micr.reader import find_micr_band, micr_dpi, read_micr

__all__ = ["find_micr_band", "micr_dpi", "parse_micr", "read_micr", "render_micr"]
