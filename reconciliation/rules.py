"""The must-review rules (CONTRACT): an item that breaks any of them is never posted automatically.

Pure functions of what was read, the match and the business date; each finding carries its code and
a sentence for the clerk. The amount is decided here too: courtesy and legal must agree.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from lockbox.capture import Capture
from lockbox.money import ending
from reconciliation.codes import PRIORITY, ExceptionCode
from reconciliation.matching import Match

MIN_FIELD_CONFIDENCE = 0.5  # below this a reading is treated as not read at all


def _fitted_floors() -> dict[str, float]:
    """The floors as `make calibrate` recorded them: fitted on a held-out mix of sources where
    its record says `applied`, the ones set by hand otherwise."""
    record = json.loads(Path(__file__).with_name("calibration.json").read_text(encoding="utf-8"))
    floors: dict[str, float] = record["floors"]
    return floors


FLOORS = _fitted_floors()
# Two amounts read alike post when the surer reading is at least this sure: the two are read apart,
# so the same wrong value from both is rare, and rarer still the surer one is.
MIN_AMOUNT_CONFIDENCE = FLOORS["amount"]
# A date only decides stale/post-dated; one at least this sure gets those checks as read.
MIN_DATE_CONFIDENCE = FLOORS["date"]
# Under that, a date is still good enough when every reading of it (the winner and every other date
# a read produced) falls inside the window: a post-dated or stale check would need all its reads
# misread into the window alike; a read that lands outside keeps the item held.
MIN_WINDOW_CONFIDENCE = 0.05


@dataclass(frozen=True)
class Finding:
    code: ExceptionCode
    message: str


@dataclass(frozen=True)
class AmountDecision:
    amount: Decimal | None  # the amount to post, when decided
    read: Decimal | None  # the best single reading, shown to the clerk and held in suspense
    finding: Finding | None
    confidence: float
    verified: bool = False  # decided with the matched loan's expected amounts


def _show(value: Decimal | None) -> str:
    return "nothing" if value is None else f"${value:,.2f}"


def decide_amount(capture: Capture) -> AmountDecision:
    """Two independent readings must agree: the courtesy and the legal amount.

    The coupon's amount due is no second reading: it is what the lender asked for, and the figures
    saying it while the words could not be read is just how a check whose words say otherwise (an
    amount mismatch) looks.

    Figures and words are read separately, so the same value from both is strong evidence even when
    one reading alone was unsure; at least one of them must still be confident. Any disagreement
    holds the item, showing both readings.

    A check from a bank's image cash letter has its amount in the bank's record: what the bank
    credited, taken as decided; the image's readings only check it (`bank_record_findings`),
    except that figures and words disagreeing hold it as they hold a scan (a must-review rule,
    whoever read the check first).
    """
    courtesy, legal = capture.courtesy_amount, capture.legal_amount
    c_conf, l_conf = capture.courtesy_confidence, capture.legal_confidence
    bank = capture.bank_amount
    if courtesy is not None and legal is not None and courtesy != legal:
        record = "" if bank is None else f"; the bank's record says {_show(bank)}"
        return AmountDecision(
            None,
            legal if bank is None else bank,
            Finding(
                ExceptionCode.AMOUNT_MISMATCH,
                f"courtesy amount reads {_show(courtesy)} ({c_conf:.0%}) but the legal amount"
                f" reads {_show(legal)} ({l_conf:.0%}){record}",
            ),
            0.0,
        )
    if bank is not None:
        return AmountDecision(bank, bank, None, 1.0)
    if courtesy is not None and legal is not None and max(c_conf, l_conf) >= MIN_AMOUNT_CONFIDENCE:
        return AmountDecision(courtesy, courtesy, None, 1 - (1 - c_conf) * (1 - l_conf))
    seen = courtesy if courtesy is not None and c_conf >= l_conf or legal is None else legal
    return AmountDecision(
        None,
        seen,
        Finding(
            ExceptionCode.UNREADABLE_AMOUNT,
            f"courtesy amount read as {_show(courtesy)} ({c_conf:.0%}), legal amount as"
            f" {_show(legal)} ({l_conf:.0%}): not two agreeing, confident readings",
        ),
        0.0,
    )


EXPECTED_FLOOR = 0.1  # below this a reading is a guess, even of an amount the loan expects


def verify_expected(
    capture: Capture, decision: AmountDecision, expected: Sequence[Decimal]
) -> AmountDecision:
    """Post an unsure amount when both readings agree on it and the matched loan expects it.

    The courtesy and legal amounts are read independently; for both to land on the same wrong
    value, and for that value to be exactly an installment, a multiple or the payoff of the loan
    the account number named, is far less likely than either reading being unsure. Disagreeing
    readings are never settled this way: agreement is found, not made.
    """
    if decision.amount is not None or decision.finding is None:
        return decision
    if decision.finding.code != ExceptionCode.UNREADABLE_AMOUNT:
        return decision
    value = capture.courtesy_amount
    if value is None or value != capture.legal_amount or value not in expected:
        return decision
    c_conf, l_conf = capture.courtesy_confidence, capture.legal_confidence
    if min(c_conf, l_conf) < EXPECTED_FLOOR:
        return decision
    return AmountDecision(value, value, None, 1 - (1 - c_conf) * (1 - l_conf), verified=True)


# An agreed amount this sure posts even when it is one digit from what the loan expects.
NEAR_MISS_SURE = 0.99


def one_digit_apart(a: Decimal, b: Decimal) -> bool:
    """Whether two amounts' figures differ by one digit changed, dropped or added ('382.10' and
    '382.90', '88.47' and '868.47'): the mistakes a reader makes of one written character."""
    x, y = f"{a:.2f}".replace(".", ""), f"{b:.2f}".replace(".", "")
    if x == y:
        return False
    if len(x) == len(y):
        return sum(p != q for p, q in zip(x, y, strict=True)) == 1
    if abs(len(x) - len(y)) != 1:
        return False
    short, longer = sorted((x, y), key=len)
    return any(longer[:i] + longer[i + 1 :] == short for i in range(len(longer)))


def _round_extra(read: Decimal, expected: Decimal) -> bool:
    """A payment of the amount due plus whole dollars (412.50 due, 512.50 paid): what customers
    do when they pay ahead, so no sign of a misread."""
    extra = read - expected
    return extra > 0 and extra == extra.to_integral_value()


def doubt_near_miss(decision: AmountDecision, expected: Mapping[Decimal, str]) -> AmountDecision:
    """Hold an agreed amount that is one digit away from an amount the loan expects.

    Figures and words written by one hand can be misread alike: '90/100' read as '10/100' in both
    makes 382.10 of a coupon's 382.90. A customer pays the amount due, or pays ahead by whole
    dollars; an amount one digit off it in the cents, or below it, is far more likely the same
    digit misread twice than a payment, so unless both readings are all but certain the clerk
    compares the figures with the scan. `expected` maps each amount to what asked for it.
    """
    value = decision.amount
    if value is None or decision.verified or value in expected:
        return decision
    if decision.confidence >= NEAR_MISS_SURE:
        return decision
    for amount, source in expected.items():
        if one_digit_apart(value, amount) and not _round_extra(value, amount):
            return AmountDecision(
                None,
                value,
                Finding(
                    ExceptionCode.UNREADABLE_AMOUNT,
                    f"both amounts read {_show(value)} ({decision.confidence:.0%}), one digit"
                    f" from {source} ({_show(amount)}): compare the figures with the scan",
                ),
                0.0,
            )
    return decision


def _unsure_date(check_date: date | None, others: Sequence[date]) -> str:
    if check_date is None:
        return "the check date could not be read"
    seen = ", ".join(str(d) for d in dict.fromkeys((check_date, *others)))
    return f"the check date is not sure (read as {seen})"


def date_findings(
    check_date: date | None,
    confidence: float,
    business_date: date,
    stale_days: int = 180,
    require_date: bool = True,
    others: Sequence[date] = (),
) -> list[Finding]:
    """Stale, post-dated, or not read well enough to tell (`others`: the other dates read)."""
    earliest = business_date - timedelta(days=stale_days)
    unsure = check_date is None or confidence < MIN_DATE_CONFIDENCE
    if (
        unsure
        and check_date is not None
        and confidence >= MIN_WINDOW_CONFIDENCE
        and all(earliest <= d <= business_date for d in (check_date, *others))
    ):
        return []
    if check_date is None or unsure:
        if require_date:
            return [Finding(ExceptionCode.DATE_UNREADABLE, _unsure_date(check_date, others))]
        return []
    if check_date > business_date:
        return [Finding(ExceptionCode.POST_DATED, f"dated {check_date}, after {business_date}")]
    if check_date < earliest:
        return [
            Finding(
                ExceptionCode.STALE_DATED,
                f"dated {check_date}, more than {stale_days} days before {business_date}",
            )
        ]
    return []


def bank_record_findings(capture: Capture) -> list[Finding]:
    """Where a cash letter check's image, read surely, disagrees with the bank's record of it.

    The image is held to the record as a scan's figures are held to its words: an amount field
    read (MIN_FIELD_CONFIDENCE, the rules' own line between read and not read) that says another
    amount than the record's, or a MICR line read as surely whose routing (its check digit
    verified) or account is not the record's, may be another check's image or a wrong credit.
    """
    bank = capture.bank_amount
    if bank is None:
        return []
    out: list[Finding] = []
    for name, value, confidence in (
        ("courtesy amount", capture.courtesy_amount, capture.courtesy_confidence),
        ("legal amount", capture.legal_amount, capture.legal_confidence),
    ):
        if value is not None and value != bank and confidence >= MIN_FIELD_CONFIDENCE:
            out.append(
                Finding(
                    ExceptionCode.BANK_RECORD_MISMATCH,
                    f"the bank's record says {_show(bank)} but the check's {name} reads"
                    f" {_show(value)} ({confidence:.0%})",
                )
            )
    if capture.image_micr_confidence >= MIN_FIELD_CONFIDENCE:
        for name, record, image in (
            ("routing number", capture.routing, capture.image_routing),
            ("account number", capture.bank_account, capture.image_account),
        ):
            if record and image and record != image:
                out.append(
                    Finding(
                        ExceptionCode.BANK_RECORD_MISMATCH,
                        f"the bank's record has the {name} {ending(record)} but the check's MICR"
                        f" line reads {ending(image)} ({capture.image_micr_confidence:.0%})",
                    )
                )
    return out


def evaluate(
    capture: Capture,
    *,
    match: Match | None,
    loan_status: str | None,
    business_date: date,
    amount: AmountDecision | None,
    duplicate_of: int | None = None,
    duplicate_why: str | None = None,
    stale_days: int = 180,
    require_date: bool = True,
) -> list[Finding]:
    """Every rule the item breaks, most important first (PRIORITY order).

    A copy of an earlier check is DUPLICATE_CHECK even when this copy was not read as a check:
    the clerk who would route it as a letter must see the twin first.
    """
    findings: list[Finding] = []
    if capture.unreadable_reason:
        findings.append(Finding(ExceptionCode.UNREADABLE_FILE, capture.unreadable_reason))
        return findings
    if duplicate_of is not None:
        findings.append(
            Finding(
                ExceptionCode.DUPLICATE_CHECK,
                duplicate_why or f"the same check was processed as item {duplicate_of}",
            )
        )
    if not capture.is_check:
        findings.append(
            Finding(ExceptionCode.NOT_A_CHECK, capture.not_check_reason or "no check found")
        )
        findings.sort(key=lambda f: PRIORITY.index(f.code))
        return findings
    if amount is not None and amount.finding is not None:
        findings.append(amount.finding)
    findings.extend(bank_record_findings(capture))
    if capture.image_problem and (match is None or match.account_number is None):
        # Nothing on the check could name the loan: the clerk must, from the bank's record.
        findings.append(Finding(ExceptionCode.NO_CHECK_IMAGE, capture.image_problem))
    findings.extend(
        date_findings(
            capture.check_date,
            capture.date_confidence,
            business_date,
            stale_days,
            require_date,
            capture.date_others,
        )
    )
    if match is not None and match.problem is not None:
        findings.append(Finding(match.problem, match.detail))
    if loan_status is not None and loan_status != "active":
        findings.append(
            Finding(ExceptionCode.LOAN_NOT_ACTIVE, f"the loan is {loan_status.replace('_', ' ')}")
        )
    if not (capture.routing and capture.bank_account and capture.serial):
        where = (
            "in the bank's record or read from the check's MICR line"
            if capture.bank_amount is not None
            else "read from MICR"
        )
        findings.append(
            Finding(ExceptionCode.MICR_UNREADABLE, f"routing, account or serial not {where}")
        )
    findings.sort(key=lambda f: PRIORITY.index(f.code))
    return findings
