"""Pure image -> fields: load scanned pages, clean them up, find and read check and coupon fields.

No database, no Prefect: everything here takes pixels (or a file) and returns typed readings.
"""
