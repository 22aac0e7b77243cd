"""The payer's name from the block printed at the top left of a check.

The block is a name (or two, for joint accounts) followed by a street address and a city line. We keep
the leading lines that look like names and stop at the first line that looks like an address.
"""

from __future__ import annotations

import re

_STREET = re.compile(
    r"\b(st|street|ave|avenue|rd|road|dr|drive|ln|lane|blvd|ct|court|way|pl|place|pkwy|hwy|"
    r"highway|trl|trail|cir|circle|apt|suite|ste|unit|box|p\.?\s*o\.?|po)\b\.?",
    re.IGNORECASE,
)
_STREET_END = re.compile(
    r"\b(st|street|ave|avenue|rd|road|dr|drive|ln|lane|blvd|ct|court|way|pl|place|pkwy|hwy|"
    r"trl|trail|cir|circle|loop|parkway)\.?$",
    re.IGNORECASE,
)
_CITY_LINE = re.compile(r",\s*[A-Z]{2}\b|\b[A-Z]{2}\s+\d{5}(?:-\d{4})?\b|\b\d{5}(?:-\d{4})?\s*$")
_PHONE = re.compile(r"\(?\d{3}\)?[\s.\-]\d{3}[\s.\-]\d{4}")
_JUNK = re.compile(r"[^A-Za-z .,'&\-]")


def is_address_line(line: str) -> bool:
    """Street, PO box, city/state/zip or phone lines are not part of a name."""
    s = line.strip()
    if not s:
        return True
    if re.match(r"^\d", s) or _PHONE.search(s) or _CITY_LINE.search(s):
        return True
    digits = sum(c.isdigit() for c in s)
    if digits >= 2 or bool(_STREET.search(s) and digits):
        return True
    # 'Timberline Trl' with its house number lost: a street name ends in a street word.
    return bool(_STREET_END.search(s))


def clean_name(line: str) -> str | None:
    """A name line without OCR specks; None when too little of it is letters to be a name."""
    s = _JUNK.sub("", line)
    s = re.sub(r"\s+", " ", s).strip(" .,-'&")
    letters = sum(c.isalpha() for c in s)
    if letters < 3 or not re.search(r"[A-Za-z]{2,}", s):
        return None
    if letters < 0.6 * len(line.strip()):
        return None
    return s


def payer_names(lines: list[str]) -> list[str]:
    """Every name line of the payer block (one, or two for a joint account), top first."""
    names: list[str] = []
    for line in lines:
        if is_address_line(line):
            break
        name = clean_name(line)
        if name is None:
            if names:
                break
            continue
        names.append(name)
        if len(names) == 2:
            break
    return names


def parse_payer(lines: list[str]) -> str | None:
    """The payer: the first name line of the block (a joint account's second name is in the raw
    text; the account holder printed first is who the check is from)."""
    names = payer_names(lines)
    return names[0] if names else None
