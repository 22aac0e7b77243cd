"""The duplicate table: planted later copies caught as DUPLICATE_CHECK, held for another reason or
posted (money paid twice), legitimate repeats that must post, and the false alarms (items held as
DUPLICATE_CHECK that are no later copy of a check).

Pure functions on truth rows and recorded outcomes, shared by the pipeline and foreign benchmarks.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from benchmarks.table import render_table

DUPLICATE = "DUPLICATE_CHECK"
Key = tuple[str, int]  # (source_file, page)

ROW_POSTED_FIRST = "planted duplicates (first copy posted)"
ROW_UNREADABLE_FIRST = "planted duplicates (first copy unreadable MICR)"
ROW_DAMAGED_LATER = "planted duplicates (later copy unreadable MICR)"
ROW_REPEATS = "legitimate repeats (must post)"


@dataclass(frozen=True)
class Recorded:
    """What the pipeline did with one item: `posted` or held (`exception`, with its code)."""

    status: str
    code: str | None = None
    message: str | None = None  # the exception message, which says how a copy was known


# How a copy was known, by the words of its DUPLICATE_CHECK message (reconciliation.duplicates).
HOW = (
    ("MICR line", "MICR line"),
    ("scanned file", "same file"),
    ("face", "face"),
    ("check number", "check number"),
    ("amount", "amount, date and payer"),
)


def how_known(message: str | None) -> str:
    text = (message or "").split("DUPLICATE_CHECK:", 1)[-1].split(";", 1)[0]
    return next((label for words, label in HOW if words in text), "other")


@dataclass
class DuplicateRow:
    label: str
    planted: int = 0
    caught: int = 0  # held as DUPLICATE_CHECK
    held_other: int = 0  # held, with another code
    posted: int = 0  # a planted duplicate posted is money taken twice; a repeat posted is right
    missing: int = 0  # no item recorded


@dataclass
class DuplicateScore:
    rows: list[DuplicateRow]
    false_alarms: list[Key] = field(default_factory=list)  # DUPLICATE_CHECK on no later copy
    repeat_alarms: int = 0  # ... of which items of a legitimate repeat
    known_by: Counter[str] = field(default_factory=Counter)  # how the caught copies were known

    def row(self, label: str) -> DuplicateRow:
        return next(r for r in self.rows if r.label == label)


def _count(row: DuplicateRow, got: Recorded | None) -> None:
    row.planted += 1
    if got is None:
        row.missing += 1
    elif got.status == "posted":
        row.posted += 1
    elif got.code == DUPLICATE:
        row.caught += 1
    else:
        row.held_other += 1


def score_duplicates(
    later_copies: Iterable[tuple[str, Key]],
    repeats: Iterable[tuple[Key, Key]],
    recorded: Mapping[Key, Recorded],
    labels: Iterable[str] = (),
) -> DuplicateScore:
    """`later_copies`: (row label, key) of every copy that must be held as DUPLICATE_CHECK (not the
    copy processed first); `repeats`: (first, second) keys of legitimate repeats, two different
    checks that must both post (the row counts the second); `recorded`: what the pipeline did with
    each item. A false alarm is any item held as DUPLICATE_CHECK that is not in `later_copies`."""
    rows: dict[str, DuplicateRow] = {label: DuplicateRow(label) for label in labels}
    must_hold: set[Key] = set()
    for label, key in later_copies:
        must_hold.add(key)
        _count(rows.setdefault(label, DuplicateRow(label)), recorded.get(key))
    repeat_keys: set[Key] = set()
    for first, second in repeats:
        repeat_keys |= {first, second}
        _count(rows.setdefault(ROW_REPEATS, DuplicateRow(ROW_REPEATS)), recorded.get(second))
    alarms = sorted(
        key for key, got in recorded.items() if got.code == DUPLICATE and key not in must_hold
    )
    known_by = Counter(
        how_known(got.message)
        for key in must_hold
        if (got := recorded.get(key)) is not None and got.code == DUPLICATE
    )
    return DuplicateScore(
        rows=list(rows.values()),
        false_alarms=alarms,
        repeat_alarms=sum(1 for key in alarms if key in repeat_keys),
        known_by=known_by,
    )


def _key(ref: Mapping[str, Any]) -> Key:
    return (str(ref["source_file"]), int(ref["page"]))


def generator_duplicates(
    truth_items: list[dict[str, Any]], recorded: Mapping[Key, Recorded]
) -> DuplicateScore:
    """The table for the project's own generator: `duplicate_of` marks every later copy (the first
    copy is always processed first), `fields.micr_damage` an obscured MICR line, `repeat_of` the
    second check of a legitimate repeat."""
    by_key = {_key(t): t for t in truth_items}
    later: list[tuple[str, Key]] = []
    repeats: list[tuple[Key, Key]] = []
    for t in truth_items:
        if t.get("duplicate_of"):
            first = by_key.get(_key(t["duplicate_of"]), {})
            if "micr_damage" in (first.get("fields") or {}):
                label = ROW_UNREADABLE_FIRST
            elif "micr_damage" in (t.get("fields") or {}):
                label = ROW_DAMAGED_LATER
            else:
                label = ROW_POSTED_FIRST
            later.append((label, _key(t)))
        if t.get("repeat_of"):
            repeats.append((_key(t["repeat_of"]), _key(t)))
    labels = (ROW_POSTED_FIRST, ROW_UNREADABLE_FIRST, ROW_DAMAGED_LATER, ROW_REPEATS)
    return score_duplicates(later, repeats, recorded, labels)


def duplicate_report(score: DuplicateScore) -> str:
    rows: list[list[Any]] = []
    for r in score.rows:
        posted = f"{r.posted} (right)" if r.label == ROW_REPEATS else str(r.posted)
        caught = f"{r.caught} (false alarm)" if r.label == ROW_REPEATS and r.caught else r.caught
        rows.append([r.label, r.planted, caught, r.held_other, posted])
    rows.append(
        [
            "false alarms: DUPLICATE_CHECK on no later copy",
            "-",
            f"{len(score.false_alarms)} ({score.repeat_alarms} on legitimate repeats)",
            "-",
            "-",
        ]
    )
    table = render_table(
        [
            "duplicates",
            "planted",
            "caught as DUPLICATE_CHECK",
            "held for another reason",
            "posted (wrong money)",
        ],
        rows,
    )
    missing = sum(r.missing for r in score.rows)
    note = f"\n({missing} planted items were not recorded at all)" if missing else ""
    if score.known_by:
        known = ", ".join(f"{how} {n}" for how, n in score.known_by.most_common())
        note += f"\ncopies caught, by how they were known: {known}"
    return table + note
