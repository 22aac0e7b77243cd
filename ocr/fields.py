"""Read a check's written fields: courtesy amount, legal amount, date, memo account and payer.

The two amounts have their own reader (`ocr.amounts`: the check stock's box and rule, the writing
cut out, several reads per field and a cross-check). The date and memo are read twice here,
independently: once from the words of the whole-check layout pass and again from their writing cut
out of the stock (`isolate`) and from a re-read of their crop (rules erased, the right character
whitelist, one line). When the reads agree the
confidence is high; when they disagree a third read decides, and the confidence drops, so that a
guess is never passed off as a reading.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import Any, Generic, TypeVar

import numpy as np

import ocr.evidence as evidence
from ocr import crops, recognizer, stock, tess
from ocr.amounts import read_amounts
from ocr.evidence import (
    MAX_CONFIDENCE,
    MODELS,
    RECOGNIZER_WEIGHT,
    Candidate,
    Evidence,
    best_span,
    fitted_rules,
    vote,
)
from ocr.isolate import Line, binarize, isolate, normalize
from ocr.layout import Anchors, Regions, text_lines, words_in
from ocr.parse.accounts import memo_account_candidates
from ocr.parse.dates import DATE_FORMS, date_edits, parse_date
from ocr.parse.names import parse_payer
from ocr.reading import Box, Field, Page
from ocr.recognizer import Recognition
from ocr.tess import Word

T = TypeVar("T")


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


@dataclass(kw_only=True)
class FieldJob(Evidence[T]):
    """One field being read: where, how to parse it, and the evidence gathered so far."""

    box: Box
    parse: Callable[[str], tuple[T, float] | None]
    whitelist: str | None
    active: bool = True
    settled: bool = False  # the layout pass and the recognizer agreed: no Tesseract re-reads

    def read(self) -> FieldRead[T]:
        return FieldRead(self.result(), self.cands, self.box)


def _start_job(
    image: np.ndarray,
    dpi: int,
    region: Box,
    layout_words: list[Word],
    parse: Callable[[str], tuple[T, float] | None],
    whitelist: str | None = None,
    skip: Callable[[Word], bool] | None = None,
    precise: bool = False,
) -> FieldJob[T]:
    """The layout pass's reading of a field, and the crop to re-read it from (a loose region cut
    down to the words seen in it; a precise one, from the stock's own rules, kept whole)."""
    found = [w for w in words_in(layout_words, region) if not (skip and skip(w))]
    box = _below_printed(region, found) if precise else _tighten(region, found, dpi)
    job: FieldJob[T] = FieldJob(box=box, parse=parse, whitelist=whitelist)
    if found:
        job.add(best_span(_reading_order(found), parse))
    if not found and not crops.has_ink(image, job.box):
        job.active = False
    return job


# The bank's transit fraction ('70-579/1111'), printed near the date on some stock.
_TRANSIT_FRACTION = re.compile(r"^\d{1,3}-\d{2,5}/\d{2,5}\W?$")


def _below_printed(region: Box, words: list[Word]) -> Box:
    """A region from the stock's rule, cut below a transit fraction printed in its upper half:
    read together with the writing under it, the two lines run into one ('70-579/1101 1-16-2026'
    for 11-16-2026)."""
    x0, y0, x1, y1 = region
    mid = (y0 + y1) / 2
    printed = [w.y1 for w in words if w.cy < mid and _TRANSIT_FRACTION.match(w.text)]
    if not printed:
        return region
    top = max(printed) + 2
    return (x0, top, x1, y1) if y1 - top >= (y1 - y0) // 3 else region


def _run_reads(image: np.ndarray, dpi: int, jobs: list[FieldJob[Any]]) -> None:
    """Re-read every field's crop: first all together in one Tesseract run, then tie-breaks
    (character whitelist, then binarized and enlarged) only for the fields whose reads disagree."""
    upscale = 1.5 if dpi < 250 else 1.0
    # Each round: (binarize, scale, use the job's whitelist); a job skips rounds it has no use for.
    rounds = [(False, 1.0, False), (False, 1.0, True), (True, upscale, True)]
    for index, (bitonal, scale, use_wl) in enumerate(rounds):
        batch: dict[str | None, list[tuple[FieldJob[Any], np.ndarray]]] = {}
        for job in jobs:
            if not job.active or job.settled or (index > 0 and job.agreed()):
                continue
            if index == 1 and not job.whitelist:
                continue  # this round is the whitelist re-read
            crop = crops.prepare(image, job.box, dpi, binarize=bitonal, scale=scale)
            if crop is None:
                job.active = False
                continue
            wl = job.whitelist if use_wl else None
            batch.setdefault(wl, []).append((job, crop))
        for wl, pairs in batch.items():
            reads = tess.read_stacked([c for _, c in pairs], wl)
            for (job, _), read in zip(pairs, reads, strict=True):
                job.add(best_span(read.words, job.parse) if read.words else None)


def _line_reads(image: np.ndarray, dpi: int, jobs: list[FieldJob[Any]]) -> None:
    """Read each field's writing cut out of its region (`isolate`: the printed label, rule and
    neighbouring text dropped) once by the project's own recognizer and, unless that read and the
    layout pass's already agree (`_read_alike`), grey and black-and-white by Tesseract in one run:
    handwriting reads far better alone on a clean line than inside a crop of the check stock."""
    lines: list[tuple[FieldJob[Any], Line]] = []
    for job in jobs:
        line = isolate(image, job.box, dpi) if job.active else None
        if line is not None:
            lines.append((job, line))
    found = recognizer.recognize(
        [(line.image, line.tall) for _, line in lines], alternatives=RECOGNIZER_ALTERNATIVES
    )
    recognized = [_recognized(job, seen) for (job, _), seen in zip(lines, found, strict=True)]
    pairs: list[tuple[FieldJob[Any], np.ndarray]] = []
    for (job, line), cand in zip(lines, recognized, strict=True):
        job.settled = _read_alike(job, cand)
        if not job.settled:
            grey = normalize(line.image, line.tall)
            pairs += [(job, grey), (job, binarize(grey))]
    reads = tess.read_lines([image for _, image in pairs])
    for (job, _), read in zip(pairs, reads, strict=True):
        job.add(best_span(read.words, job.parse) if read.words else None)
    # the recognizer's read was counted when it was made; its candidate votes after Tesseract's
    for (job, _), cand in zip(lines, recognized, strict=True):
        if cand is not None:
            job.cands.append(cand)


def _recognized(job: FieldJob[T], seen: Recognition | None) -> Candidate[T] | None:
    """The recognizer's reading of a field's line, kept on the job (`seen`, `recognized`).

    A read that makes no date (or memo) at all ('119/2026', its slash lost) gives way to the
    recognizer's next best reading that does, weighed by how likely that one was."""
    if seen is None:
        return None  # no model installed
    job.seen = seen
    job.reads += 1
    for text, likely in ((seen.text, 1.0), *seen.alternatives):
        parsed = job.parse(text) if text else None
        if parsed is not None:
            job.recognized = parsed[0]
            return Candidate(parsed[0], RECOGNIZER_WEIGHT * seen.conf * likely * parsed[1], text)
    return None


def _read_alike(job: FieldJob[T], recognized: Candidate[T] | None) -> bool:
    """The layout pass and the recognizer, two readers that err differently, both read the field
    as one value, surely: Tesseract's re-reads of the crop could only agree."""
    if recognized is None or not job.cands:
        return False
    if any(c.value != recognized.value for c in job.cands):
        return False
    return evidence.sure_enough(vote([*job.cands, recognized], job.reads))


RECOGNIZER_ALTERNATIVES = 4  # next best readings of a date or memo line, tried when the best fails


@dataclass(frozen=True)
class DateRules:
    """The thresholds a date is decided by once its reads are gathered (`decide_date`). Each is
    fitted by `python -m training.calibrate_fields` on a held-out mix of sources and read from
    `models/dates.json` (`DATE_RULES`); the defaults are the values first set by hand, and stay as
    the comparison the fit is recorded against."""

    # The recognizer must find a line at least this many times less likely with one of two equal
    # digits than with both before a read that has one is taken for a doubled digit lost
    # (`restore_doubled`) ...
    doubled_ratio: float = 0.05
    # ... and such a read then counts for the date it lost a digit of at this weight.
    doubled_weight: float = 0.5
    # A date read at least this surely, one way only, stands as read (`confirm_date`) ...
    confirm_below: float = 0.5
    # ... else the best way of writing it must be at least this likely among itself and every date
    # a misread figure or month away (and every other date read) ...
    posterior: float = 0.9
    # ... and this likely beside the recognizer's own read.
    floor: float = 0.01


DATES_FILE = MODELS / "dates.json"
DATE_RULES = fitted_rules(DateRules, DATES_FILE)


def decide_date(job: FieldJob[date], rules: DateRules = DATE_RULES) -> Field[date]:
    """The date as the gathered reads and `rules` decide it: a doubled digit one read lost, a far
    year one reader repeated, and a split vote settled by the line's pixels. The job is left as
    it was (the decision works on a copy of its reads), so the same reads can be decided again."""
    job = replace(job, cands=list(job.cands), alts=list(job.alts))
    restore_doubled(job, rules)
    restore_year(job)
    return confirm_date(job, job.result(), rules)


def restore_doubled(job: FieldJob[T], rules: DateRules = DATE_RULES) -> None:
    """Readers lose one of two narrow digits side by side: '11-16-2026' comes back '1-16-2026', a
    date ten months older and stale. When the recognizer read the doubled digit and finds the line
    far less likely with only one, reads that lost it are counted (at half weight) for the date the
    recognizer read; a read of any other date is left as it is."""
    seen = job.seen
    if seen is None or not seen.text:
        return
    parsed = job.parse(seen.text)
    if parsed is None:
        return
    read = parsed[0]
    lost: set[object] = set()
    text = seen.text
    for i in range(len(text) - 1):
        if not (text[i].isdigit() and text[i] == text[i + 1]):
            continue
        collapsed = text[:i] + text[i + 1 :]
        other = job.parse(collapsed)
        if (
            other is not None
            and other[0] != read
            and seen.likelihood(collapsed) < rules.doubled_ratio
        ):
            lost.add(other[0])
    if lost:
        job.cands = [
            Candidate(read, c.conf * rules.doubled_weight, f"{c.raw} (a doubled digit read as one)")
            if c.value in lost
            else c
            for c in job.cands
        ]


def restore_year(job: FieldJob[date]) -> None:
    """Tesseract reads one writer's figure alike on every crop of it: a handwritten '2026' whose 6
    looks like a b comes back '2024' from each, a check two years stale. When the recognizer read
    the same month and day in a year near today, more surely than any read of the far year, those
    reads are one misreading repeated and count as one (their best), so the two readers' best
    reads decide; a far year the recognizer did not read near stands."""
    near = job.recognized
    if near is None or not _near_today(near):
        return
    far = [
        c
        for c in job.cands
        if not _near_today(c.value) and (c.value.month, c.value.day) == (near.month, near.day)
    ]
    ours = [c.conf for c in job.cands if c.value == near]
    if len(far) < 2 or not ours or max(ours) <= max(c.conf for c in far):
        return
    best = max(far, key=lambda c: c.conf)
    job.cands = [c for c in job.cands if c not in far or c is best]
    job.reads -= len(far) - 1


def _date_posterior(
    seen: Recognition, when: date, others: list[date], floor: float = DATE_RULES.floor
) -> tuple[float, str]:
    """How likely the line shows `when` among it and its rivals, and the way of writing it that
    fits best: rivals are that writing with one figure misread, dropped or doubled or the month's
    name another (those that make another date), and the other dates read, written the same way."""
    forms = [form(when) for form in DATE_FORMS]
    scores = seen.likelihoods(forms)
    best = max(range(len(forms)), key=scores.__getitem__)
    if scores[best] < floor:
        return 0.0, forms[best]
    text = forms[best]
    rivals = [t for t in date_edits(text) if parse_date(t) not in (None, when)]
    rivals += [DATE_FORMS[best](d) for d in others if d != when]
    return scores[best] / (scores[best] + sum(seen.likelihoods(rivals))), text


def confirm_date(
    job: FieldJob[date], reading: Field[date], rules: DateRules = DATE_RULES
) -> Field[date]:
    """A date read unsurely or several ways, settled by its line's pixels: a date that the
    recognizer's view of the line favours over every date a figure away (the year's 6 and 5, the
    month's 11 and 1) is the date, as sure as that margin, when Tesseract read it too or read no
    other date. A stale or post-dated check is never made current this way: its true date is one
    of the rivals, and a date only the recognizer read never overrules Tesseract's."""
    seen = job.seen
    if (
        seen is None
        or not seen.text
        or (reading.confidence >= rules.confirm_below and not reading.others)
    ):
        return reading
    read = [c.value for c in job.cands]
    for when in dict.fromkeys(read):
        by_others = read.count(when) - (1 if when == job.recognized else 0)
        if by_others < 1 and len(set(read)) > 1:
            continue  # the recognizer's word alone does not overrule another reader's date
        posterior, text = _date_posterior(seen, when, [d for d in read if d != when], rules.floor)
        if posterior >= rules.posterior:
            conf = max(
                reading.confidence if reading.value == when else 0.0,
                round(RECOGNIZER_WEIGHT * posterior, 3),
            )
            return Field(when, conf, f"{text} (found in the line's pixels)")
    return reading


def _date_region(
    image: np.ndarray, dpi: int, regions: Regions, anchors: Anchors, layout_words: list[Word]
) -> tuple[Box, bool]:
    """Where the date is written, and whether the stock itself showed it (a rule or a cell, which
    need no tightening): above the check's date rule, or under 'Date' in a business check's
    date/amount table, else right of the 'DATE' label, else found by its content."""
    box = stock.courtesy_box(image, dpi)
    table = stock.date_amount_table(image, dpi) if box is None else None
    if table is not None and _heads_table(anchors, table[0]):
        return table[0], True
    rule = stock.date_rule(image, dpi, box)
    if rule is not None:
        return stock.band_above(rule, dpi, 0.36), True
    if anchors.date is not None:
        return regions.date, False
    h, w = image.shape
    area = (int(w * 0.4), 0, w, int(h * 0.6))
    return locate(layout_words, area, parse_check_date, dpi) or regions.date, False


def _on_rule(band: Box, rule: Box, layout_words: list[Word], dpi: int) -> Box:
    """The band above a rule cut down to the writing that sits on it: printed text higher up (the
    payee's address above a business check's memo line) is another line, and its numbers are not
    the field's."""
    above = [w for w in words_in(layout_words, band) if w.y1 < rule[1] - 0.1 * dpi]
    if not above:
        return band
    return (band[0], max(w.y1 for w in above) + 1, band[2], band[3])


def _heads_table(anchors: Anchors, date_cell: Box) -> bool:
    """Whether the stock's labels show a date/amount table: 'AMOUNT' was read, or 'DATE' stands
    over the cell (a personal check's date rule ending at the edge looks alike, but its 'DATE'
    stands left of the rule)."""
    if anchors.amount is not None:
        return True
    label = anchors.date
    return label is not None and label.x0 >= date_cell[0] and label.cy < date_cell[1]


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
    return job.read()


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


def _near_today(when: date) -> bool:
    return abs(when.year - date.today().year) <= 1


def parse_check_date(text: str) -> tuple[date, float] | None:
    """A check date; one far from today (a misread year like 2097 or 2020) is doubted."""
    found = parse_date(text)
    if found is None:
        return None
    return found, 1.0 if _near_today(found) else 0.3


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
    boxes: dict[str, Box] = field(default_factory=dict)  # where each field was read, page pixels


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


def date_and_memo_jobs(
    image: np.ndarray,
    dpi: int,
    regions: Regions,
    anchors: Anchors,
    layout_words: list[Word],
    micr_top: int | None = None,
) -> tuple[FieldJob[date], FieldJob[str]]:
    """Where the date and the memo are written (each job's box), with the layout pass's reading."""
    date_region, date_precise = _date_region(image, dpi, regions, anchors, layout_words)
    date_job = _start_job(
        image,
        dpi,
        date_region,
        layout_words,
        parse_check_date,
        skip=_is_label("DATE"),
        precise=date_precise,
    )
    memo_rule = stock.memo_rule(image, dpi, micr_top)
    memo_box = regions.memo
    if memo_rule is not None:
        memo_box = _on_rule(stock.band_above(memo_rule, dpi, 0.3), memo_rule, layout_words, dpi)
    memo_job = _start_job(
        image,
        dpi,
        memo_box,
        layout_words,
        parse_memo,
        skip=_is_label("MEMO", "FOR"),
    )
    return date_job, memo_job


def read_check_fields(
    page: Page,
    regions: Regions,
    anchors: Anchors,
    layout_words: list[Word],
    micr_top: int | None = None,
) -> CheckFields:
    """Read every written field of an upright, cleaned check front."""
    image, dpi = page.image, page.dpi
    amounts = read_amounts(image, dpi, regions, anchors, layout_words)
    date_job, memo_job = date_and_memo_jobs(image, dpi, regions, anchors, layout_words, micr_top)
    _line_reads(image, dpi, [date_job, memo_job])
    _run_reads(image, dpi, [date_job, memo_job])
    when, memo = decide_date(date_job), memo_job.result()
    payer = read_payer(layout_words, regions.payer, dpi)
    court_line, legal_line = amounts.courtesy_evidence.line, amounts.legal_evidence.line
    boxes = {
        "courtesy": court_line.box if court_line is not None else regions.courtesy,
        "legal": legal_line.box if legal_line is not None else regions.legal,
        "date": date_job.box,
        "memo": memo_job.box,
        "payer": regions.payer,
    }
    return CheckFields(amounts.courtesy, amounts.legal, when, memo, payer, amounts.warnings, boxes)
