"""Read a check's written fields: courtesy amount, legal amount, date, memo account and payer.

Each field is read twice, independently: once from the words of the whole-check layout pass and once
from a re-read of just its crop (rules erased, the right character whitelist, one line). When the
reads agree the confidence is high; when they disagree a third read decides, and the confidence
drops, so that a guess is never passed off as a reading.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Generic, TypeVar

import numpy as np

from ocr import crops, tess
from ocr.layout import Anchors, Box, Regions, text_lines, words_in
from ocr.parse.accounts import memo_account_candidates
from ocr.parse.amounts import parse_amount_detail
from ocr.parse.dates import parse_date
from ocr.parse.names import parse_payer
from ocr.parse.words import parse_words_detail
from ocr.reading import Field
from ocr.tess import LineRead, Word

T = TypeVar("T")
MAX_CONFIDENCE = 0.99

# A parser takes OCR text and returns (value, how much the shape itself can be trusted) or None.
Parser = Callable[[str], "tuple[T, float] | None"]


@dataclass(frozen=True)
class Candidate(Generic[T]):
    """One reading of a field: value, confidence in [0, 1], and the text it came from."""

    value: T
    conf: float
    raw: str


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
    return Field(top.value, round(min(MAX_CONFIDENCE, max(0.0, conf)), 3), top.raw)


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


def _reading_order(words: list[Word]) -> list[Word]:
    return [w for line in text_lines(words) for w in line]


def _tighten(region: Box, found: list[Word], dpi: int) -> Box:
    """The region cut down vertically to the words the layout pass saw in it, with some slack."""
    if not found:
        return region
    y0 = min(w.y0 for w in found) - int(0.08 * dpi)
    y1 = max(w.y1 for w in found) + int(0.08 * dpi)
    return (region[0], max(region[1], y0), region[2], min(region[3], y1))


@dataclass
class FieldRead(Generic[T]):
    """A field's reading and the evidence behind it (kept for debugging and tests)."""

    reading: Field[T]
    candidates: list[Candidate[T]] = field(default_factory=list)
    box: Box | None = None


@dataclass
class _Job(Generic[T]):
    """One field being read: where, how to parse it, and the readings gathered so far."""

    box: Box
    parse: Callable[[str], tuple[T, float] | None]
    whitelist: str | None
    cands: list[Candidate[T]] = field(default_factory=list)
    reads: int = 0
    active: bool = True

    def agreed(self) -> bool:
        values = [c.value for c in self.cands]
        return len(values) >= 2 and len(set(values)) == 1

    def result(self) -> FieldRead[T]:
        return FieldRead(vote(self.cands, self.reads), self.cands, self.box)


def _start_job(
    image: np.ndarray,
    dpi: int,
    region: Box,
    layout_words: list[Word],
    parse: Callable[[str], tuple[T, float] | None],
    whitelist: str | None = None,
    skip: Callable[[Word], bool] | None = None,
) -> _Job[T]:
    """The layout pass's reading of a field, and the crop to re-read it from."""
    found = [w for w in words_in(layout_words, region) if not (skip and skip(w))]
    job: _Job[T] = _Job(_tighten(region, found, dpi), parse, whitelist)
    if found:
        job.reads += 1
        first = best_span(_reading_order(found), parse)
        if first is not None:
            job.cands.append(first)
    if not found and not crops.has_ink(image, job.box):
        job.active = False
    return job


def _run_reads(image: np.ndarray, dpi: int, jobs: list[_Job[Any]]) -> None:
    """Re-read every field's crop: first all together in one Tesseract run, then tie-breaks
    (character whitelist, then binarized and enlarged) only for the fields whose reads disagree."""
    upscale = 1.5 if dpi < 250 else 1.0
    # Each round: (binarize, scale, use the job's whitelist); a job skips rounds it has no use for.
    rounds = [(False, 1.0, False), (False, 1.0, True), (True, upscale, True)]
    for index, (binarize, scale, use_wl) in enumerate(rounds):
        batch: dict[str | None, list[tuple[_Job[Any], np.ndarray]]] = {}
        for job in jobs:
            if not job.active or (index > 0 and job.agreed()):
                continue
            if index == 1 and not job.whitelist:
                continue  # this round is the whitelist re-read
            crop = crops.prepare(image, job.box, dpi, binarize=binarize, scale=scale)
            if crop is None:
                job.active = False
                continue
            wl = job.whitelist if use_wl else None
            batch.setdefault(wl, []).append((job, crop))
        for wl, pairs in batch.items():
            reads = tess.read_stacked([c for _, c in pairs], wl)
            for (job, _), read in zip(pairs, reads, strict=True):
                job.reads += 1
                if read.words:
                    cand = best_span(read.words, job.parse)
                    if cand is not None:
                        job.cands.append(cand)


def read_field(
    image: np.ndarray,
    dpi: int,
    region: Box,
    layout_words: list[Word],
    parse: Callable[[str], tuple[T, float] | None],
    whitelist: str | None = None,
    skip: Callable[[Word], bool] | None = None,
) -> FieldRead[T]:
    """Read one field from its region: layout words, a crop re-read, and tie-break reads."""
    job = _start_job(image, dpi, region, layout_words, parse, whitelist, skip)
    _run_reads(image, dpi, [job])
    return job.result()


def locate(
    words: list[Word], area: Box, parse: Callable[[str], tuple[T, float] | None], dpi: int
) -> Box | None:
    """Where in an area a field is, found by its content (a word that parses), when no printed
    label anchored it."""
    inside = words_in(words, area)
    for line in text_lines(inside, max_gap=int(0.4 * dpi)):
        cand = best_span(line, parse)
        if cand is not None:
            used = [w for w in line if w.text in cand.raw]
            x0 = min(w.x0 for w in used) - int(0.15 * dpi)
            return (
                max(area[0], x0),
                min(w.y0 for w in used) - int(0.12 * dpi),
                area[2],
                max(w.y1 for w in used) + int(0.1 * dpi),
            )
    return None


def parse_courtesy(text: str) -> tuple[Decimal, float] | None:
    parsed = parse_amount_detail(text)
    if parsed is None:
        return None
    return parsed.value, 1.0 if parsed.strict else 0.5


def parse_legal(text: str) -> tuple[Decimal, float] | None:
    parsed = parse_words_detail(text)
    if parsed is None:
        return None
    quality = (0.3**parsed.unknown_tokens) * (0.95**parsed.fuzzy_tokens)
    if not parsed.has_cents:  # the cents may be cut off or unread: 'Three hundred' is not 300.00
        quality *= 0.4
    return parsed.value, quality


def parse_check_date(text: str) -> tuple[date, float] | None:
    """A check date; one far from today (a misread year like 2097 or 2020) is doubted."""
    found = parse_date(text)
    if found is None:
        return None
    plausible = abs(found.year - date.today().year) <= 1
    return found, 1.0 if plausible else 0.3


def parse_memo(text: str) -> tuple[str, float] | None:
    cands = memo_account_candidates(text)
    keyed = {d for d, k in cands if k}
    if len(keyed) == 1:
        return keyed.pop(), 1.0
    distinct = {d for d, _ in cands}
    if len(distinct) == 1:
        return distinct.pop(), 0.9
    return None


def _is_label(*labels: str) -> Callable[[Word], bool]:
    wanted = {label.upper() for label in labels}
    return lambda w: w.text.strip(":.").upper() in wanted


@dataclass
class CheckFields:
    """Everything read from a check front's written fields."""

    courtesy: Field[Decimal]
    legal: Field[Decimal]
    date: Field[date]
    memo_account: Field[str]
    payer: Field[str]
    warnings: list[str] = field(default_factory=list)


def read_payer(layout_words: list[Word], region: Box, dpi: int) -> Field[str]:
    """The payer name from the printed block at the top left (no re-read: it is printed).

    The block is the column of lines that starts nearest the left edge; the bank's name or a check
    number further right on the same rows is not part of it.
    """
    found = words_in(layout_words, region)
    if not found:
        return Field(None, 0.0, "")
    lines = text_lines(found, max_gap=int(0.35 * dpi))
    left = min(line[0].x0 for line in lines)
    block = [line for line in lines if line[0].x0 - left < 0.3 * dpi]
    texts = [" ".join(w.text for w in line) for line in block]
    name = parse_payer(texts)
    if name is None:
        return Field(None, 0.0, "\n".join(texts))
    used = [w for line in block for w in line if w.text in name]
    confs = [w.conf for w in used] or [0.0]
    conf = 0.5 * min(confs) + 0.5 * sum(confs) / len(confs)
    return Field(name, round(min(MAX_CONFIDENCE, conf), 3), "\n".join(texts))


def read_check_fields(
    image: np.ndarray, dpi: int, regions: Regions, anchors: Anchors, layout_words: list[Word]
) -> CheckFields:
    """Read every written field of an upright, cleaned check front."""
    h, w = image.shape
    courtesy_region = regions.courtesy
    if anchors.dollar is None and anchors.amount is None:
        area = (int(w * 0.55), int(h * 0.15), w, int(h * 0.7))
        courtesy_region = locate(layout_words, area, _strict_courtesy, dpi) or courtesy_region
    date_region = regions.date
    if anchors.date is None:
        area = (int(w * 0.4), 0, w, int(h * 0.6))
        date_region = locate(layout_words, area, parse_check_date, dpi) or date_region
    courtesy_job = _start_job(
        image, dpi, courtesy_region, layout_words, parse_courtesy, tess.DIGITS_MONEY
    )
    legal_job = _start_job(
        image, dpi, regions.legal, layout_words, parse_legal, skip=_is_label("DOLLARS", "PAY")
    )
    date_job = _start_job(
        image, dpi, date_region, layout_words, parse_check_date, skip=_is_label("DATE")
    )
    memo_job = _start_job(
        image, dpi, regions.memo, layout_words, parse_memo, skip=_is_label("MEMO", "FOR")
    )
    _run_reads(image, dpi, [courtesy_job, legal_job, date_job, memo_job])
    courtesy, legal = courtesy_job.result(), legal_job.result()
    when, memo = date_job.result(), memo_job.result()
    payer = read_payer(layout_words, regions.payer, dpi)
    warnings: list[str] = []
    c, legal_f = courtesy.reading, legal.reading
    if c.value is not None and legal_f.value is not None and c.value != legal_f.value:
        warnings.append(f"courtesy amount {c.value} and legal amount {legal_f.value} disagree")
    return CheckFields(c, legal_f, when.reading, memo.reading, payer, warnings)


def _strict_courtesy(text: str) -> tuple[Decimal, float] | None:
    parsed = parse_amount_detail(text)
    if parsed is None or not parsed.strict:
        return None
    return parsed.value, 1.0
