"""A field two readers already read alike is not re-read: fewer Tesseract runs, the same values."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal

import numpy as np
import pytest

from ocr import evidence, tess
from ocr.amounts import FieldEvidence, read_alike
from ocr.evidence import Candidate, vote
from ocr.reader import read_page
from ocr.reading import Page, PageReading


def _evidence(laid_out: str | None, recognized: str | None, conf: float = 0.95) -> FieldEvidence:
    ev = FieldEvidence()
    for value in (laid_out, recognized):
        ev.add(Candidate(Decimal(value), conf, value) if value else None)
    ev.laid_out = Decimal(laid_out) if laid_out else None
    ev.recognized = Decimal(recognized) if recognized else None
    return ev


def test_four_reads_by_two_readers_alike_settle_the_amounts() -> None:
    assert read_alike(_evidence("412.45", "412.45"), _evidence("412.45", "412.45"))


def test_figures_the_layout_pass_made_nothing_of_settle_on_the_recognizers_read() -> None:
    assert read_alike(_evidence(None, "412.45"), _evidence("412.45", "412.45"))


@pytest.mark.parametrize(
    ("court", "legal"),
    [
        (("412.45", "412.46"), ("412.45", "412.45")),  # the recognizer read the figures otherwise
        (("412.45", "412.45"), ("412.45", None)),  # the recognizer made nothing of the words
        (("412.45", "412.45"), ("421.45", "421.45")),  # the words say another amount
        (("412.46", "412.45"), ("412.45", "412.45")),  # the layout pass read the figures otherwise
        (("412.45", "412.45"), (None, "412.45")),  # the layout pass made nothing of the words
    ],
)
def test_anything_short_of_that_reads_the_lines_again(
    court: tuple[str | None, str | None], legal: tuple[str | None, str | None]
) -> None:
    assert not read_alike(_evidence(*court), _evidence(*legal))


def test_reads_alike_but_unsure_are_read_again() -> None:
    assert not read_alike(_evidence("412.45", "412.45", 0.3), _evidence("412.45", "412.45", 0.3))


@pytest.fixture
def tesseract_lines(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """How many line images each `tess.read_lines` run was given, in order."""
    runs: list[int] = []
    real = tess.read_lines

    def counted(images: list[np.ndarray], whitelist: str | None = None) -> list[tess.LineRead]:
        runs.append(len(images))
        return real(images, whitelist)

    monkeypatch.setattr(tess, "read_lines", counted)
    yield runs


def _read(image: np.ndarray) -> PageReading:
    return read_page(Page(image, 300, 1, "printed.png"))


def test_a_clearly_filled_check_is_read_with_fewer_tesseract_runs_and_the_same_values(
    check_factory: Callable[..., np.ndarray],
    tesseract_lines: list[int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A check filled in by a bill-pay printer reads alike to every reader: settled early, it
    costs fewer Tesseract line reads, and every field comes back as it does read in full."""
    image = check_factory(
        hand_font="DejaVuSans.ttf",
        courtesy="**527.00",
        legal="Five hundred twenty-seven and 00/100",
        amount=Decimal("527.00"),
        date_text="11/12/2026",
        memo="Loan 2779398472",
    )
    early = _read(image)
    early_lines = sum(tesseract_lines)
    monkeypatch.setattr(evidence, "EARLY", False)
    tesseract_lines.clear()
    full = _read(image)
    assert early_lines < sum(tesseract_lines)
    assert early.courtesy_amount is not None and early.legal_amount is not None
    assert early.courtesy_amount.value == early.legal_amount.value == Decimal("527.00")
    assert early.date is not None and early.date.value == date(2026, 11, 12)
    assert early.memo_account is not None and early.memo_account.value == "2779398472"
    assert early.courtesy_amount.confidence >= 0.9 and early.legal_amount.confidence >= 0.9
    for name in ("courtesy_amount", "legal_amount", "date", "memo_account", "payer"):
        assert getattr(early, name).value == getattr(full, name).value, name


def _date_read_alike(sure: float) -> tuple[bool, float]:
    """A date the layout pass and the recognizer both read as one day, their vote `sure`: whether
    it settles, and the vote's confidence."""
    from ocr.fields import FieldJob, _read_alike

    day, one = date(2026, 11, 12), 1 - math.sqrt(1 - sure)  # two reads this sure vote `sure`
    job: FieldJob[date] = FieldJob(box=(0, 0, 10, 10), parse=lambda _: None, whitelist=None)
    job.add(Candidate(day, one, "11/12/2026"))
    job.reads += 1  # the recognizer's read, counted when it is made
    recognized = Candidate(day, one, "11/12/2026")
    return _read_alike(job, recognized), vote([*job.cands, recognized], job.reads).confidence


@pytest.mark.parametrize("sure", [0.6, 0.75, 0.85, 0.95])
def test_a_date_and_the_amounts_settle_at_one_sureness(sure: float) -> None:
    """Every field reader stops re-reading at the same sureness (`evidence.EARLY_SURE`): a date two
    readers read alike, and amounts both readers read alike, settle exactly when that sure."""
    settled, voted = _date_read_alike(sure)
    assert voted == pytest.approx(sure, abs=0.01)
    assert settled == (voted >= evidence.EARLY_SURE)
    one = 1 - math.sqrt(1 - sure)
    court, legal = _evidence("412.45", "412.45", one), _evidence("412.45", "412.45", one)
    together = 1 - (1 - court.result().confidence) * (1 - legal.result().confidence)
    assert read_alike(court, legal) == (together >= evidence.EARLY_SURE)


def test_one_switch_and_one_sureness_for_every_field(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _date_read_alike(0.95)[0] and read_alike(
        _evidence("1.00", "1.00"), _evidence("1.00", "1.00")
    )
    monkeypatch.setattr(evidence, "EARLY_SURE", 1.0)  # past any vote
    assert not _date_read_alike(0.95)[0]
    assert not read_alike(_evidence("1.00", "1.00"), _evidence("1.00", "1.00"))
    monkeypatch.setattr(evidence, "EARLY_SURE", 0.5)
    monkeypatch.setattr(evidence, "EARLY", False)
    assert not _date_read_alike(0.95)[0]
    assert not read_alike(_evidence("1.00", "1.00"), _evidence("1.00", "1.00"))
