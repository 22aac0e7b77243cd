"""Pure text parsers: OCR text of one field in, a typed value (or None) out. No images here."""
