"""Read a check's two amounts, the courtesy figures and the legal words, and cross-check them.

The amount is the one field that must never be wrong, and a check states it twice on purpose. Each
statement is cut out of the page on its own (`stock` finds the box and the rule, `isolate` keeps just
the writing) and read several ways in two Tesseract runs: grey and black-and-white, with and without
a money character set, plus the layout pass's words, plus one read by the project's own line
recognizer (`ocr.recognizer`, trained on handwriting, which Tesseract reads badly). Each field
votes on its own reads. Only when the two winners differ is a third run made (other scales), and
then a value both fields actually read is looked for: agreement is found, never made, and a value
one field never produced is not borrowed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import ROUND_DOWN, Decimal

import cv2
import numpy as np

import ocr.evidence as evidence
from ocr import recognizer, tess
from ocr.courtesy import (
    MONEY,
    Fraction,
    as_line_read,
    courtesy_region,
    dollars_and_cents,
    line_candidate,
    one_digit_off,
    parse_courtesy,
    split_fraction,
    written_forms,
)
from ocr.evidence import (
    MAX_CONFIDENCE,
    MODELS,
    RECOGNIZER_WEIGHT,
    Candidate,
    Evidence,
    best_span,
    fitted_rules,
)
from ocr.isolate import REACH, TARGET_HEIGHT, Line, binarize, isolate, normalize
from ocr.layout import Anchors, Regions, text_lines, words_in
from ocr.legal import layout_candidates, legal_region, read_candidates, text_candidates
from ocr.parse.words import SPELLINGS, spell_amount
from ocr.reading import Field
from ocr.recognizer import Recognition
from ocr.tess import LineRead, Word

TIE_BREAK_HEIGHTS = (26, 52)


@dataclass(frozen=True)
class AmountRules:
    """The thresholds the two amounts are cross-checked by. Each is fitted by
    `python -m training.calibrate_fields` on a held-out mix of sources and read from
    `models/amounts.json` (`RULES`); the defaults are the values first set by hand, looking at
    generated mail, and stay as the comparison the fit is recorded against."""

    # below this a field's value is a guess, and agreeing with it adds nothing
    agree_floor: float = 0.1
    # Testing the legal amount's value against the figures' pixels (`_verify_courtesy`): the
    # words must be read at least this surely, and the figures must be at least `verify_ratio`
    # as likely to say that value as what the recognizer read in them.
    verify_legal_floor: float = 0.4
    verify_ratio: float = 0.05
    # Testing the figures' value against the words' pixels (`_verify_legal`): that value, spelled
    # as the writer spells, must be at least this likely among itself and every amount a digit
    # away from it (and every value either field read).
    verify_words_posterior: float = 0.75
    # The same test of the words' value in the figures, for words read unsurely.
    verify_figures_posterior: float = 0.9
    # ... and each at least this likely beside the recognizer's own read of its line
    verify_figures_floor: float = 0.01
    verify_words_floor: float = 1e-9
    # figures and words agreeing, while the recognizer read both as one other amount: this sure
    # at most, below what posts (the amount is then a clerk's to key)
    readers_differ_cap: float = 0.3
    # other cents at least this likely in the figures: the cents are in doubt
    cents_doubt: float = 0.5
    # a field gives up its winner only for a value it supports at least this well, relatively ...
    switch_ratio: float = 0.2
    # ... and only for a value it still holds possible
    switch_floor: float = 0.02
    # a winner at least this sure needs no second reading
    sure_winner: float = 0.5


RULES_FILE = MODELS / "amounts.json"
RULES = fitted_rules(AmountRules, RULES_FILE)


@dataclass
class FieldEvidence(Evidence[Decimal]):
    """Everything one amount field produced: the evidence of its reads, its cut-out line, and for
    figures with raised cents the two parts read apart (a voter of their own)."""

    line: Line | None = None
    fraction: Fraction | None = None  # the courtesy amount's raised cents, read apart
    seen_parts: tuple[Recognition, Recognition] | None = None  # of raised cents' two parts
    laid_out: Decimal | None = None  # the value the layout pass's words over the line give

    def voters(self) -> list[Candidate[Decimal]]:
        """Every read's best candidate, the two-part reading of a fraction included."""
        joined = self.fraction.candidate() if self.fraction is not None else None
        return [*self.cands, joined] if joined is not None else list(self.cands)

    def voting_reads(self) -> int:
        return self.reads + (self.fraction is not None)


@dataclass
class Amounts:
    """Both amounts as read, the evidence behind them, and what a clerk should know."""

    courtesy: Field[Decimal]
    legal: Field[Decimal]
    courtesy_evidence: FieldEvidence
    legal_evidence: FieldEvidence
    warnings: list[str] = field(default_factory=list)


def _layout_courtesy(words: list[Word], line: Line, dpi: int) -> Candidate[Decimal] | None:
    x0, y0, x1, y1 = line.box
    pad = int(0.05 * dpi)
    found = words_in(words, (x0 - pad, y0 - pad, x1 + pad, y1 + pad))
    if not found:
        return None
    return best_span([w for row in text_lines(found) for w in row], parse_courtesy)


def read_amounts(
    image: np.ndarray,
    dpi: int,
    regions: Regions,
    anchors: Anchors,
    layout_words: list[Word],
    rules: AmountRules = RULES,
) -> Amounts:
    """Both amounts of an upright, cleaned check front."""
    court, legal = gather_amounts(image, dpi, regions, anchors, layout_words)
    return decide_amounts(court, legal, rules)


def gather_amounts(
    image: np.ndarray,
    dpi: int,
    regions: Regions,
    anchors: Anchors,
    layout_words: list[Word],
) -> tuple[FieldEvidence, FieldEvidence]:
    """Every read of both amounts: the courtesy figures' and the legal words' evidence. How many
    reads are made depends on what they say, never on `AmountRules`, so one gathering can be
    decided again under other rules (`decide_amounts`)."""
    legal_box, rule = legal_region(image, dpi, regions)
    court = FieldEvidence(
        line=isolate(image, courtesy_region(image, dpi, regions, anchors, rule), dpi, reach=REACH)
    )
    legal = FieldEvidence(line=isolate(image, legal_box, dpi, trim_filler=True, reach=REACH))
    if court.line is not None:
        court.fraction = split_fraction(court.line)
        if court.fraction is None:  # the layout pass runs raised cents into the dollars
            laid_out = _layout_courtesy(layout_words, court.line, dpi)
            court.add(laid_out)
            court.laid_out = laid_out.value if laid_out is not None else None
    if legal.line is not None:
        found = layout_candidates(layout_words, legal.line.box, dpi)
        legal.add_all(found)
        legal.laid_out = found[0].value if found else None
    _recognizer_round(court, legal)
    if not read_alike(court, legal):
        _first_round(court, legal)
    c_field, l_field = court.result(), legal.result()
    if c_field.value is None or c_field.value != l_field.value:
        _tie_break_round(court, legal)
    return court, legal


def decide_amounts(
    court: FieldEvidence, legal: FieldEvidence, rules: AmountRules = RULES
) -> Amounts:
    """Both amounts as the gathered evidence and `rules` decide them. The evidence passed in is
    left as it was: the second readings the checks find go to copies of it."""
    court = replace(court, cands=list(court.cands), alts=list(court.alts))
    legal = replace(legal, cands=list(legal.cands), alts=list(legal.alts))
    c_field, l_field = court.result(), legal.result()
    if (
        c_field.value != l_field.value
        or max(c_field.confidence, l_field.confidence) < rules.sure_winner
    ):
        c_field, l_field = _verify(court, legal, c_field, l_field, rules)
    c_field, l_field, notes = cross_check(court, legal, c_field, l_field, rules)
    c_field, l_field = _readers_differ(court, legal, c_field, l_field, notes, rules)
    return Amounts(c_field, l_field, court, legal, notes)


def _readers_differ(
    court: FieldEvidence,
    legal: FieldEvidence,
    c_field: Field[Decimal],
    l_field: Field[Decimal],
    notes: list[str],
    rules: AmountRules,
) -> tuple[Field[Decimal], Field[Decimal]]:
    """Figures and words that agree are doubted when the recognizer read both as another amount,
    the same one: Tesseract misreads a hand's digit alike wherever it is written ('60/100' as
    '40/100' in the figures' raised cents and in the words), so its agreement with itself is no
    second reading when the other reader saw both fields otherwise."""
    agreed, other = c_field.value, court.recognized
    if agreed is None or agreed != l_field.value or other is None or other == agreed:
        return c_field, l_field
    if legal.recognized != other:
        return c_field, l_field
    notes.append(f"both amounts read {agreed}, but the recognizer reads both as {other}")
    cap = rules.readers_differ_cap
    return (
        Field(agreed, min(c_field.confidence, cap), c_field.raw, (*c_field.others, other)),
        Field(agreed, min(l_field.confidence, cap), l_field.raw, (*l_field.others, other)),
    )


def read_alike(court: FieldEvidence, legal: FieldEvidence) -> bool:
    """Everything read so far says one value: the words by both readers (Tesseract's layout pass
    and the recognizer), the figures by the recognizer and by the layout pass when it made
    anything of them, and the two fields together are sure of it. The first round's re-reads
    could only agree: for both readers to land on one wrong value in the words, and the figures
    on that same value, is far rarer than the misreads the re-reads exist to outvote."""
    value = legal.laid_out
    if value is None or not (value == legal.recognized == court.recognized):
        return False
    if court.laid_out not in (None, value):
        return False
    c_field, l_field = court.result(), legal.result()
    if c_field.value != value or l_field.value != value:
        return False
    return evidence.sure_enough(c_field, l_field)


Sink = Callable[[LineRead], None]


def _run(jobs: list[tuple[np.ndarray, Sink]], whitelist: str | None = None) -> None:
    """Read every job's image in one Tesseract run and hand each read to its job's sink."""
    if not jobs:
        return
    reads = tess.read_lines([image for image, _ in jobs], whitelist)
    for (_, sink), read in zip(jobs, reads, strict=True):
        sink(read)


def _courtesy_sink(court: FieldEvidence) -> Sink:
    """Whole-line reads of the figures. With raised cents, a read that came out as a whole number
    lost the cents (or ran them into the dollars): it is left to the two-part reading."""

    def sink(read: LineRead) -> None:
        cand = line_candidate(read)
        if court.fraction is not None and (
            cand is None or ("." not in cand.raw and "/" not in cand.raw)
        ):
            return
        court.add(cand)

    return sink


def _legal_sink(legal: FieldEvidence) -> Sink:
    return lambda read: legal.add_all(read_candidates(read))


def _first_round(court: FieldEvidence, legal: FieldEvidence) -> None:
    """Both lines grey and black-and-white without a character set, and the figures again with the
    money set (the dollars and raised cents apart too, when so written): two Tesseract runs."""
    plain: list[tuple[np.ndarray, Sink]] = []
    money: list[tuple[np.ndarray, Sink]] = []
    if court.line is not None:
        c = normalize(court.line.image, court.line.tall)
        for image in (c, binarize(c)):
            plain.append((image, _courtesy_sink(court)))
            money.append((image, _courtesy_sink(court)))
        frac = court.fraction
        if frac is not None:
            plain.append((frac.dollars_image, frac.add_dollars))
            money.append((frac.dollars_image, frac.add_dollars))
            money.append((frac.cents_image, frac.add_cents))
            money.append((binarize(frac.cents_image), frac.add_cents))
    if legal.line is not None:
        lg = normalize(legal.line.image, legal.line.tall)
        plain += [(lg, _legal_sink(legal)), (binarize(lg), _legal_sink(legal))]
    _run(plain)
    _run(money, MONEY)


def _recognizer_round(court: FieldEvidence, legal: FieldEvidence) -> None:
    """Both lines read once more by the project's own recognizer (nothing when no model is
    installed), and raised cents' dollars and cents apart: one batch, a few milliseconds."""
    lines = [(ev.line.image, ev.line.tall) for ev in (court, legal) if ev.line is not None]
    frac = court.fraction
    if frac is not None:  # both parts were scaled to the reading height
        lines += [(frac.dollars_image, TARGET_HEIGHT), (frac.cents_image, TARGET_HEIGHT)]
    reads = recognizer.recognize(lines)
    if frac is not None:
        dollars, cents = reads[-2], reads[-1]
        if dollars is not None and cents is not None:
            court.seen_parts = (dollars, cents)
            frac.add_dollars(as_line_read(dollars.text, RECOGNIZER_WEIGHT * dollars.conf))
            frac.add_cents(as_line_read(cents.text, RECOGNIZER_WEIGHT * cents.conf))
    found = iter(reads)
    if court.line is not None:
        read = next(found)
        court.seen = read
        if read is not None:
            conf = RECOGNIZER_WEIGHT * read.conf
            line_read = as_line_read(read.text, conf)
            cand = line_candidate(line_read)
            court.recognized = cand.value if cand is not None else None
            _courtesy_sink(court)(line_read)
    if legal.line is not None:
        read = next(found)
        legal.seen = read
        if read is not None:  # words survive a wrong letter: the line's product is too harsh
            conf = RECOGNIZER_WEIGHT * (0.5 * read.weakest + 0.5 * read.mean)
            cands = text_candidates(read.text, conf)
            legal.recognized = cands[0].value if cands else None
            legal.add_all(cands)


def _confidence(f: Field[Decimal]) -> float:
    return f.confidence


def _rivals(court: FieldEvidence, legal: FieldEvidence, value: Decimal) -> list[Decimal]:
    """What a value read in one field must beat in the other's pixels: every amount a digit away
    from it, and every value either field read."""
    found = one_digit_off(value) | court.values() | legal.values()
    return sorted(r for r in found if r != value and 0 <= r < 10**6)


def _figures_posterior(
    court: FieldEvidence, legal: FieldEvidence, value: Decimal, rules: AmountRules
) -> tuple[float, str]:
    """How likely the figures say `value` among it and its rivals (`_rivals`), each rival written
    in the figures the way that suits the pixels best (1.0 when nothing else fits the line), and
    the way of writing `value` that fits best."""
    seen = court.seen
    if seen is None or not seen.text:
        return 0.0, ""
    forms = written_forms(value)
    mine, text = max(zip(seen.likelihoods(forms), forms, strict=True))
    if mine < rules.verify_figures_floor:
        return 0.0, text
    rivals = _rivals(court, legal, value)
    texts = [(i, t) for i, r in enumerate(rivals) for t in written_forms(r)]
    best = [0.0] * len(rivals)
    for (i, _), score in zip(texts, seen.likelihoods([t for _, t in texts]), strict=True):
        best[i] = max(best[i], score)
    return mine / (mine + sum(best)), text


def _verify_courtesy(court: FieldEvidence, l_field: Field[Decimal], rules: AmountRules) -> None:
    """When the figures and the words still disagree, ask whether the figures' pixels could say
    what the words say: the recognizer scores every way of writing that value in figures against
    the line it read. A likely enough one becomes a second reading of the figures (an alternative,
    never a vote), so `cross_check` may find the agreement; its weight is how likely it was, so a
    clear reading of another amount is not traded for it. Figures that say another amount score
    millions of times lower than what they say, so a real mismatch stays one."""
    seen, value = court.seen, l_field.value
    if seen is None or value is None or l_field.confidence < rules.verify_legal_floor:
        return
    scored = [(seen.likelihood(text), text) for text in written_forms(value)]
    if court.seen_parts is not None:  # raised cents: the dollars and the cents, each on its own
        dollars, cents = court.seen_parts
        whole, part = dollars_and_cents(value)
        d = max(dollars.likelihood(f"{whole}"), dollars.likelihood(f"{whole:,}"))
        c = max(cents.likelihood(f"{part:02d}/100"), cents.likelihood(f"{part:02d}"))
        scored.append((d * c, f"{whole} {part:02d}/100"))
    ratio, text = max(scored)
    if ratio >= rules.verify_ratio:
        conf = RECOGNIZER_WEIGHT * min(1.0, ratio)
        court.alts.append(
            Candidate(value, conf, f"{text} (the legal amount, found in the figures)")
        )


def _words_posterior(
    court: FieldEvidence, legal: FieldEvidence, value: Decimal, rules: AmountRules
) -> tuple[float, str]:
    """How likely the words say `value` among it and its rivals (`_rivals`): the value spelled
    every way people spell amounts, the best spelling kept, and each rival spelled the same way
    (0.0 when no spelling of it looks like the line at all: `verify_words_floor`); and that
    spelling."""
    seen = legal.seen
    if seen is None or not seen.text or not 0 < value < 10**6:
        return 0.0, ""
    spellings = {spell_amount(value, s): s for s in SPELLINGS if s.fits(value)}
    best, text = max(zip(seen.likelihoods(list(spellings)), spellings, strict=True))
    if best < rules.verify_words_floor:
        return 0.0, text
    spelling = spellings[text]
    others = seen.likelihoods([spell_amount(r, spelling) for r in _rivals(court, legal, value)])
    return best / (best + sum(others)), text


def _verify(
    court: FieldEvidence,
    legal: FieldEvidence,
    c_field: Field[Decimal],
    l_field: Field[Decimal],
    rules: AmountRules,
) -> tuple[Field[Decimal], Field[Decimal]]:
    """Fields that disagree, or agree unsurely, tested against each other's pixels.

    A value that both lines' pixels favour over every amount a digit away (and every value
    either field read) is read by both: Tesseract's confident misreads of a hand (904.17 four
    times for the recognizer's clear 424.95) do not outvote it. Short of that, each field may still
    find the other's value in its own pixels, as a second reading for `cross_check` to weigh."""
    scored: dict[Decimal, tuple[float, str]] = {}

    def in_the_words(value: Decimal) -> tuple[float, str]:  # each value's words scored once
        if value not in scored:
            scored[value] = _words_posterior(court, legal, value, rules)
        return scored[value]

    for value in _hypotheses(court, legal, c_field, l_field):
        in_figures, figures = _figures_posterior(court, legal, value, rules)
        if in_figures < rules.verify_figures_posterior:
            continue
        in_words, words = in_the_words(value)
        if in_words < rules.verify_words_posterior:
            continue
        note = " (found in both fields' pixels)"
        c_conf = c_field.confidence if c_field.value == value else 0.0
        l_conf = l_field.confidence if l_field.value == value else 0.0
        return (
            Field(value, max(c_conf, round(RECOGNIZER_WEIGHT * in_figures, 3)), figures + note),
            Field(value, max(l_conf, round(RECOGNIZER_WEIGHT * in_words, 3)), words + note),
        )
    if c_field.value != l_field.value:
        _verify_courtesy(court, l_field, rules)
    if (
        _verify_legal(legal, c_field, in_the_words, rules)
        and c_field.value is not None
        and c_field.value == l_field.value
    ):
        l_field = max(l_field, _field_for(legal, c_field.value), key=_confidence)
    return c_field, l_field


def _hypotheses(
    court: FieldEvidence, legal: FieldEvidence, c_field: Field[Decimal], l_field: Field[Decimal]
) -> list[Decimal]:
    """The values worth testing against both lines' pixels: the two winners first, then every
    other value either field read, and figures read as bare digits with their point restored
    ('88717' for **887.17 whose point the scan lost). Testing more values confirms no wrong one:
    each must still beat, in both lines, every value read and every amount a digit away."""
    found = [c_field.value, l_field.value, *sorted(court.values() | legal.values())]
    for cand in court.voters():
        bare = _BARE_DIGITS.fullmatch(cand.raw)
        if bare is not None:
            found.append(Decimal(int(bare.group(1))).scaleb(-2))
    return [v for v in dict.fromkeys(found) if v is not None and 0 < v < 10**6]


def _verify_legal(
    legal: FieldEvidence,
    c_field: Field[Decimal],
    in_the_words: Callable[[Decimal], tuple[float, str]],
    rules: AmountRules,
) -> bool:
    """The other way round from `_verify_courtesy`: could the words' pixels say what the figures
    say, when the words were misread ('seventy-eighty and 79/100') or read unsurely? Words that
    truly say another amount favour that amount's spelling, a digit away or not, so a misread
    figure is not confirmed (`_words_posterior`). A confirmation is a second reading of the words
    (an alternative, weighted by its margin) for `cross_check` to weigh."""
    value = c_field.value
    if value is None or c_field.confidence < rules.agree_floor:
        return False
    posterior, words = in_the_words(value)  # `_words_posterior`
    if posterior < rules.verify_words_posterior:
        return False
    conf = RECOGNIZER_WEIGHT * posterior
    legal.alts.append(Candidate(value, conf, f"{words} (the courtesy amount, found in the words)"))
    return True


def _tie_break_round(court: FieldEvidence, legal: FieldEvidence) -> None:
    """Both lines once more, smaller and larger, in one run: Tesseract's mistakes depend on scale
    (a serif 5 read as 9 at one size is a 5 at another), so these reads err differently."""
    jobs: list[tuple[np.ndarray, Sink]] = []
    for height in TIE_BREAK_HEIGHTS:
        if court.line is not None:
            jobs.append(
                (normalize(court.line.image, court.line.tall, height), _courtesy_sink(court))
            )
            if court.fraction is not None:
                dollars = _rescale(court.fraction.dollars_image, height)
                jobs.append((dollars, court.fraction.add_dollars))
        if legal.line is not None:
            jobs.append((normalize(legal.line.image, legal.line.tall, height), _legal_sink(legal)))
    _run(jobs)


def _rescale(image: np.ndarray, height: int) -> np.ndarray:
    """A crop normalized to TARGET_HEIGHT at another text height (its padding scales along)."""
    scale = height / TARGET_HEIGHT
    return cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)


def _support(cands: list[Candidate[Decimal]], value: Decimal) -> float:
    miss = 1.0
    for c in cands:
        if c.value == value:
            miss *= 1.0 - c.conf
    return 1.0 - miss


def _field_for(ev: FieldEvidence, value: Decimal) -> Field[Decimal]:
    """The field as if `value` had won its vote: its support (second readings included), less
    every rival best reading's."""
    mine = [c for c in (*ev.voters(), *ev.alts) if c.value == value]
    conf = _support(mine, value)
    for other in {c.value for c in ev.voters()} - {value}:
        conf *= 1.0 - _support(ev.voters(), other)
    raw = max(mine, key=lambda c: c.conf).raw
    return Field(value, round(max(0.0, min(MAX_CONFIDENCE, conf)), 3), raw)


def _agreed(
    c_field: Field[Decimal], l_field: Field[Decimal], rules: AmountRules
) -> tuple[Field[Decimal], ...]:
    """Both fields read the same value independently: each is as sure as either could be wrong
    only if both were, the same way (a digit misread and a word misread rarely coincide)."""
    if min(c_field.confidence, l_field.confidence) < rules.agree_floor:
        return c_field, l_field  # a guess agreeing with a reading proves nothing
    both = 1.0 - (1.0 - c_field.confidence) * (1.0 - l_field.confidence)
    both = round(min(MAX_CONFIDENCE, both), 3)
    return (
        Field(c_field.value, max(c_field.confidence, both), c_field.raw),
        Field(l_field.value, max(l_field.confidence, both), l_field.raw),
    )


_CENTS_AT_END = re.compile(r"(?<=[. ])\d{2}(?=(/100)?$)")


def _cents_in_doubt(court: FieldEvidence, value: Decimal, rules: AmountRules) -> bool:
    """Whether the figures could as well show cents a digit off. Words write their cents in
    digits too ('... and 06/100'), in the same hand, so one misread cents digit can happen in both
    fields: their agreement on the cents is then no second reading."""
    seen = court.seen
    if seen is None or not seen.text:
        return False
    base, text = max((seen.likelihood(t), t) for t in written_forms(value))
    found = _CENTS_AT_END.search(text)
    if base <= 0.0 or found is None:
        return False
    cents = found.group(0)
    for i in range(2):
        for digit in "0123456789":
            if digit == cents[i]:
                continue
            other = cents[:i] + digit + cents[i + 1 :]
            alt = text[: found.start()] + other + text[found.end() :]
            if seen.likelihood(alt) >= rules.cents_doubt * base:
                return True
    return False


def _agree_both(
    court: FieldEvidence, c_field: Field[Decimal], l_field: Field[Decimal], rules: AmountRules
) -> tuple[Field[Decimal], ...]:
    """`_agreed`, unless the agreement alone would carry a posting (neither field sure) while the
    words' cents are digits the figures cannot tell apart."""
    value = c_field.value
    weak = max(c_field.confidence, l_field.confidence) < rules.sure_winner
    if (
        weak
        and value is not None
        and re.search(r"\d", l_field.raw)
        and _cents_in_doubt(court, value, rules)
    ):
        return c_field, l_field
    return _agreed(c_field, l_field, rules)


def _plausible(
    ev: FieldEvidence, value: Decimal, winner: Field[Decimal], rules: AmountRules
) -> bool:
    """Whether a field may take `value` instead of its own winner: a clear reading ('...and 95
    Cents') is not traded for a faint second reading that happens to match the other field.

    The winner without its cents is no second reading at all: every read of '... and 76/100'
    also parses without the cents, so only reads that said the whole dollars outright count."""
    if winner.value is None or winner.value == value:
        return True
    dropped_cents = value == winner.value.to_integral_value(ROUND_DOWN) != winner.value
    pool = list(ev.voters()) if dropped_cents else [*ev.voters(), *ev.alts]
    return _support(pool, value) >= rules.switch_ratio * _support(ev.voters(), winner.value)


# Figures with nothing but digits, and the stars (or a '#' they were read as) that guard them.
_BARE_DIGITS = re.compile(r"[$*#\s]*(\d{3,})[*#\s]*")


def _point_not_seen(
    court: FieldEvidence, c_field: Field[Decimal], l_field: Field[Decimal], rules: AmountRules
) -> Field[Decimal] | None:
    """The figures as the words' amount when they were read as bare digits that are the words'
    dollars and cents run together ('41173' beside 'four hundred eleven and 73/100'): the writer's
    decimal point was too faint to survive, and the figures say the words' amount, not a hundred
    times it. The winning read counts first; when it is unsure (Tesseract's '84.15' for a hand's
    '**369.45'), any read of the figures does, at its own confidence."""
    if c_field.value is None or l_field.value is None or l_field.confidence < rules.agree_floor:
        return None
    dollars, cents = dollars_and_cents(l_field.value)
    digits = f"{dollars}{cents:02d}"

    def bare(raw: str) -> bool:
        found = _BARE_DIGITS.fullmatch(raw)
        return found is not None and found.group(1) == digits

    if bare(c_field.raw):
        return Field(l_field.value, c_field.confidence, f"{c_field.raw} (no decimal point seen)")
    if c_field.confidence >= rules.sure_winner:
        return None
    reads = [c for c in court.voters() if bare(c.raw)]
    if not reads:
        return None
    best = max(reads, key=lambda c: c.conf)
    return Field(l_field.value, best.conf, f"{best.raw} (no decimal point seen)")


def cross_check(
    court: FieldEvidence,
    legal: FieldEvidence,
    c_field: Field[Decimal],
    l_field: Field[Decimal],
    rules: AmountRules = RULES,
) -> tuple[Field[Decimal], Field[Decimal], list[str]]:
    """When the two winners differ, settle on a value both fields read, if there is one.

    Only values that some read of each field produced count, and each keeps the confidence it
    earns in its own field's vote. Agreement raises confidence only when the value also won one
    of the two votes outright: a second reading on both sides stays a weak one.
    """
    notes: list[str] = []
    c_field = _point_not_seen(court, c_field, l_field, rules) or c_field
    if c_field.value is not None and c_field.value == l_field.value:
        c_field, l_field = _agree_both(court, c_field, l_field, rules)
        return c_field, l_field, notes
    shared = [
        v
        for v in court.values() & legal.values()
        if _plausible(court, v, c_field, rules) and _plausible(legal, v, l_field, rules)
    ]
    if shared:
        best = max(
            shared, key=lambda v: (_support(court.voters(), v) + _support(legal.voters(), v), v)
        )
        c_new, l_new = _field_for(court, best), _field_for(legal, best)
        # A field gives up its winner only for a value it still holds possible: words read five
        # times '... and 76/100' and once without the cents are not 1,182.00, and figures read
        # '578.60' four times surely and '**678.60' once are not 678.60, however unsure their
        # vote came out with the one dissenting read in it. The words, the amount the law goes
        # by, need more: a value they hold at least as a reading (not a guess), never a faint
        # one that happens to match the figures ('... and 11/100' read 0.84, '... and I/loo' 0.3
        # beside figures '495 1/100' whose doubled 1 ran into one).
        ruled_out = (c_new.value != c_field.value and c_new.confidence < rules.switch_floor) or (
            l_new.value != l_field.value and l_new.confidence < rules.agree_floor
        )
        if not ruled_out:
            if best in (c_field.value, l_field.value):
                c_new, l_new = _agree_both(court, c_new, l_new, rules)
            return c_new, l_new, notes
    if c_field.value is not None and l_field.value is not None:
        notes.append(f"courtesy amount {c_field.value} and legal amount {l_field.value} disagree")
    return c_field, l_field, notes
