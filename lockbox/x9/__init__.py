"""X9.37 / X9.100-187 image cash letters: read a bank's file into checks, write one for tests.

Pure parsing (standard library only): no database, no OCR, no Prefect. `read_x9` gives one
`X9Item` per check with its MICR fields, amount and front and back TIFF bytes, the credits apart,
and the control totals that disagree as `X9Warning`s; a file it cannot read raises `X9Error`.
"""

from lockbox.x9.reader import (
    WarningCode,
    X9Credit,
    X9File,
    X9Item,
    X9Warning,
    peek_business_date,
    read_x9,
)
from lockbox.x9.records import ViewSide, X9Error
from lockbox.x9.writer import X9CashLetterSpec, X9CheckSpec, write_x9

__all__ = [
    "ViewSide",
    "WarningCode",
    "X9CashLetterSpec",
    "X9CheckSpec",
    "X9Credit",
    "X9Error",
    "X9File",
    "X9Item",
    "X9Warning",
    "peek_business_date",
    "read_x9",
    "write_x9",
]
