"""Readings as evidence: each read of a field is a candidate, and candidates are combined by vote.

A field is read several times, independently (different crops, binarizations, character sets); a
value several reads agree on is more likely right than any one read, and two values competing make
both doubtful. These helpers are shared by every field reader.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Generic, TypeVar

from ocr.reading import Field
from ocr.recognizer import Recognition
from ocr.tess import LineRead, Word

T = TypeVar("T")
R = TypeVar("R")
MAX_CONFIDENCE = 0.99
# The recognizer is one voter among the Tesseract reads; its confidence is scaled down so that a
# confident misread of its own cannot outvote two readers who agree.
RECOGNIZER_WEIGHT = 0.85
# Every field reader settles early, skipping re-reads that could only agree, when what it has
# read so far agrees surely enough (`sure_enough`); False reads every field in full (to compare
# what settling early changes).
EARLY = True
EARLY_SURE = 0.8  # how sure the reads so far must be, together, before re-reads are skipped

MODELS = Path(__file__).resolve().parent / "models"


def fitted_rules(rules: type[R], path: Path) -> R:
    """A field's thresholds as a calibration fitted and recorded them at `path` (its `rules`), or
    the dataclass's defaults, the values set by hand, when none were fitted."""
    if not path.exists():
        return rules()
    fitted: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))["rules"]
    names = [f.name for f in fields(rules)]  # type: ignore[arg-type]
    return rules(**{name: float(fitted[name]) for name in names if name in fitted})


# A parser takes OCR text and returns (value, how much the shape itself can be trusted) or None.
Parser = Callable[[str], "tuple[T, float] | None"]


@dataclass(frozen=True)
class Candidate(Generic[T]):
    """One reading of a field: value, confidence in [0, 1], and the text it came from."""

    value: T
    conf: float
    raw: str


@dataclass
class Evidence(Generic[T]):
    """Everything the reads of one field produced, as every field reader gathers it.

    Each read gives its best candidate, which votes, and may give other values its text also
    supported (alternatives: they vote for nothing, they only show agreement); a read that found
    nothing counts as a read (weak evidence against). The recognizer's own read is kept beside
    them, and the value it gave, so that later checks can weigh a value against it.
    """

    cands: list[Candidate[T]] = field(default_factory=list)
    alts: list[Candidate[T]] = field(default_factory=list)
    reads: int = 0
    seen: Recognition | None = None  # the recognizer's read of the field's line
    recognized: T | None = None  # the value that read gave, when it gave one

    def add(self, cand: Candidate[T] | None) -> None:
        """One read and its best candidate (None: it found nothing)."""
        self.reads += 1
        if cand is not None:
            self.cands.append(cand)

    def add_all(self, found: list[Candidate[T]]) -> None:
        """One read's readings, best first: the best votes, the rest are alternatives."""
        self.add(found[0] if found else None)
        self.alts.extend(found[1:])

    def voters(self) -> list[Candidate[T]]:
        return list(self.cands)

    def voting_reads(self) -> int:
        return self.reads

    def result(self) -> Field[T]:
        return vote(self.voters(), self.voting_reads())

    def values(self) -> set[T]:
        """Every value any read supported, alternatives included."""
        return {c.value for c in (*self.voters(), *self.alts)}

    def agreed(self) -> bool:
        """At least two reads, all of one value."""
        values = [c.value for c in self.cands]
        return len(values) >= 2 and len(set(values)) == 1


def sure_enough(*fields: Field[T]) -> bool:
    """Whether a reader may stop here: its fields' votes so far (each already agreed by two
    readers that err differently, as the caller checks) are together at least `EARLY_SURE` sure,
    and settling early is on."""
    if not EARLY:
        return False
    doubt = 1.0
    for f in fields:
        doubt *= 1.0 - f.confidence
    return 1.0 - doubt >= EARLY_SURE


def line_conf(read: LineRead) -> float:
    """Tesseract's confidence for a line: the weakest word counts as much as the average."""
    return 0.5 * read.min_conf + 0.5 * read.mean_conf


def vote(cands: list[Candidate[T]], reads: int) -> Field[T]:
    """Combine independent readings: agreement raises confidence, disagreement lowers it."""
    if not cands:
        return Field(None, 0.0, "")
    groups: dict[T, list[Candidate[T]]] = {}
    for c in cands:
        groups.setdefault(c.value, []).append(c)

    def support(group: list[Candidate[T]]) -> float:
        miss = 1.0
        for c in group:
            miss *= 1.0 - c.conf
        return 1.0 - miss

    ranked = sorted(groups.values(), key=lambda g: (support(g), len(g)), reverse=True)
    best = ranked[0]
    conf = support(best)
    if len(ranked) > 1:
        conf *= 1.0 - support(ranked[1])
    silent = reads - len(cands)  # reads that found nothing are weak evidence against
    conf *= 0.85**silent
    top = max(best, key=lambda c: c.conf)
    others = tuple(g[0].value for g in ranked[1:])
    return Field(top.value, round(min(MAX_CONFIDENCE, max(0.0, conf)), 3), top.raw, others)


def _span_conf(words: list[Word] | tuple[Word, ...]) -> float:
    confs = [w.conf for w in words]
    return 0.5 * min(confs) + 0.5 * sum(confs) / len(confs)


def best_span(
    words: list[Word] | tuple[Word, ...], parse: Callable[[str], tuple[T, float] | None]
) -> Candidate[T] | None:
    """The reading of the longest run of words that parses: leading and trailing noise (a stray
    '$' misread as '§', the bank's name above a memo line) is dropped, never the middle."""
    seq = list(words)
    n = len(seq)
    has_digit = [any(c.isdigit() for c in w.text) for w in seq]
    for length in range(n, 0, -1):
        found: list[Candidate[T]] = []
        for i in range(0, n - length + 1):
            if any(has_digit[:i]) or any(has_digit[i + length :]):
                continue  # a dropped word with digits in it may be part of the number
            span = seq[i : i + length]
            text = " ".join(w.text for w in span)
            parsed = parse(text)
            if parsed is not None:
                found.append(Candidate(parsed[0], _span_conf(span) * parsed[1], text))
        if found:
            return max(found, key=lambda c: c.conf)
    return None
