"""Synthetic lockbox mail: realistic check and coupon scans with ground truth, and a matching loan book."""
