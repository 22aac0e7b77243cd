"""Match a payment to a loan: by the account number written (coupon, memo), then by payer and amount.

Pure logic over a LoanDirectory, so it is testable without a database. A match is made only when
exactly one loan fits; otherwise the candidates go to the clerk.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from lockbox.capture import Capture
from reconciliation.codes import ExceptionCode

NAME_MATCH = 88  # rapidfuzz token score (0-100) for a payer name to count as the borrower's
MAX_MULTIPLE = 3  # a payment of up to 3 monthly payments is an expected amount
# A written account read unsurely may be several slips off the payer's own loan: up to this many
# digits substituted, lost or added (a random ten-digit number is that close to a given account
# about once in a hundred thousand), only below UNSURE_READ and only when the payer agrees.
MAX_SLIPS = 3
UNSURE_READ = 0.5
PAYER_SURE = 0.6


@dataclass(frozen=True)
class LoanCandidate:
    """What matching needs to know of a loan."""

    account_number: str
    borrower_name: str
    co_borrower_name: str | None
    status: str
    monthly_payment: Decimal
    payoff: Decimal | None = None  # principal + fees, when known
    fees_due: Decimal = Decimal("0.00")

    def names(self) -> list[str]:
        return [n for n in (self.borrower_name, self.co_borrower_name) if n]

    def expected_amounts(self) -> list[Decimal]:
        """The amounts the loan's statement asks for: one to three installments, an installment
        with the fees due, and the payoff."""
        return sorted(self.expected_sources())

    def expected_sources(self) -> dict[Decimal, str]:
        """Each amount the loan's statement asks for, with what it is (for a clerk's message)."""
        out: dict[Decimal, str] = {}
        if self.payoff is not None and self.payoff > 0:
            out[self.payoff] = "the loan's payoff"
        if self.monthly_payment > 0:
            if self.fees_due > 0:
                out[self.monthly_payment + self.fees_due] = "the installment with the fees due"
            for k in range(MAX_MULTIPLE, 0, -1):
                out[self.monthly_payment * k] = (
                    "the monthly payment" if k == 1 else f"{k} monthly payments"
                )
        return out

    def expects(self, amount: Decimal) -> bool:
        """Is `amount` one the loan's statement asks for (installments, or the payoff)?"""
        return amount in self.expected_amounts()


@dataclass
class Match:
    """The loan chosen (or not), how, and who else could have been meant."""

    account_number: str | None = None
    method: str | None = None  # coupon | memo | memo_near | memo_payer | payer_amount
    confidence: float = 0.0
    candidates: list[str] = field(default_factory=list)
    problem: ExceptionCode | None = None
    detail: str = ""


def normalize_name(name: str) -> str:
    """Upper-case letters and single spaces; drops punctuation, titles and '&'/'and' joins."""
    text = re.sub(r"[^A-Za-z ]+", " ", name).upper()
    words = [w for w in text.split() if w not in {"MR", "MRS", "MS", "DR", "JR", "SR", "AND"}]
    return " ".join(words)


def name_score(payer: str, loan_name: str) -> float:
    """How well a payer block matches a borrower's name; joint payers ('A and B') match either."""
    a, b = normalize_name(payer), normalize_name(loan_name)
    if not a or not b:
        return 0.0
    return max(fuzz.token_set_ratio(a, b), fuzz.token_sort_ratio(a, b))


def misread_variants(read: str) -> set[str]:
    """Every string one common misread away from what was read: one digit substituted, two
    neighbours swapped, or one digit lost (a digit that ran into its neighbour or the line's end).

    About a hundred and ninety strings for a ten-digit read: looking each up in the loan book is
    far cheaper than comparing the read with every account.
    """
    digits = "0123456789"
    out: set[str] = set()
    for i, ch in enumerate(read):
        for d in digits:
            if d != ch:
                out.add(read[:i] + d + read[i + 1 :])
        if i + 1 < len(read) and read[i + 1] != ch:
            out.add(read[:i] + read[i + 1] + ch + read[i + 2 :])
    for i in range(len(read) + 1):
        for d in digits:
            out.add(read[:i] + d + read[i:])
    out.discard(read)
    return out


def near_accounts(read: str, accounts: Iterable[str]) -> list[str]:
    """The accounts one misread away from what was read (see `misread_variants`)."""
    near = misread_variants(read)
    return [acct for acct in accounts if acct in near]


class LoanDirectory:
    """An in-memory index of the loan book by account number and by borrower surname."""

    def __init__(self, loans: Sequence[LoanCandidate]):
        self._by_account = {loan.account_number: loan for loan in loans}
        self._by_amount: dict[Decimal, list[LoanCandidate]] | None = None  # built when first asked
        self._by_token: dict[str, list[LoanCandidate]] = defaultdict(list)
        for loan in loans:
            for name in loan.names():
                for token in set(normalize_name(name).split()):
                    if len(token) >= 2:
                        self._by_token[token].append(loan)

    def get(self, account: str) -> LoanCandidate | None:
        return self._by_account.get(account)

    def by_amount(self, amount: Decimal) -> list[LoanCandidate]:
        """Loans whose statement asks for this amount (installments, with fees, or the payoff)."""
        if self._by_amount is None:
            self._by_amount = defaultdict(list)
            for loan in self._by_account.values():
                for expected in loan.expected_amounts():
                    self._by_amount[expected].append(loan)
        return list(self._by_amount.get(amount, []))

    def near(self, account: str) -> list[LoanCandidate]:
        found = misread_variants(account) & self._by_account.keys()
        return [self._by_account[a] for a in sorted(found)]

    def by_payer(self, payer: str) -> list[LoanCandidate]:
        """Loans whose borrower or co-borrower name matches the payer's."""
        pool: dict[str, LoanCandidate] = {}
        for token in set(normalize_name(payer).split()):
            for loan in self._by_token.get(token, []):
                pool[loan.account_number] = loan
        return [
            loan
            for loan in pool.values()
            if max((name_score(payer, n) for n in loan.names()), default=0) >= NAME_MATCH
        ]


def _payer_agrees(capture: Capture, loan: LoanCandidate) -> bool:
    return bool(capture.payer) and any(
        name_score(capture.payer or "", n) >= NAME_MATCH for n in loan.names()
    )


def _sure_payer(capture: Capture) -> str | None:
    """The payer's name, when one was read surely enough to find or rule out loans by."""
    return capture.payer if capture.payer and capture.payer_confidence >= PAYER_SURE else None


def _near_fits(capture: Capture, loan: LoanCandidate, amount: Decimal | None) -> bool:
    """A loan one misread from the account read is the one meant when the payer agrees or, with
    no sure payer name read, when the amount is one the loan asks for: two slips landing on a
    real account and its installment at once are far less likely than one misread digit."""
    if _payer_agrees(capture, loan):
        return True
    return _sure_payer(capture) is None and amount is not None and loan.expects(amount)


def _payers_close_loans(
    capture: Capture, directory: LoanDirectory, written: list[tuple[str, str, float]]
) -> list[LoanCandidate]:
    """The payer's own loans whose account an unsure read of the written account is a few slips
    from: the name finds the loans, the digits must still point at one of them."""
    payer = _sure_payer(capture)
    if payer is None:
        return []
    unsure = [account for _, account, conf in written if conf < UNSURE_READ]
    return [
        loan
        for loan in directory.by_payer(payer)
        if any(Levenshtein.distance(a, loan.account_number) <= MAX_SLIPS for a in unsure)
    ]


def match_capture(capture: Capture, directory: LoanDirectory, amount: Decimal | None) -> Match:
    """Choose the loan this payment is for, or say why no single loan can be chosen."""
    written: list[tuple[str, str, float]] = []
    if capture.coupon_account:
        written.append(("coupon", capture.coupon_account, capture.coupon_confidence))
    if capture.memo_account:
        written.append(("memo", capture.memo_account, capture.memo_confidence))

    exact = [(m, a, c) for m, a, c in written if directory.get(a) is not None]
    distinct = {a for _, a, _ in exact}
    if len(distinct) > 1:
        return Match(
            candidates=sorted(distinct),
            problem=ExceptionCode.AMBIGUOUS_LOAN,
            detail="the coupon and the memo line name different loans",
        )
    if exact:
        method, account, conf = exact[0]
        return Match(account_number=account, method=method, confidence=conf)

    if written:
        # Nothing read is a loan: accept a near miss only when it is the only one and it fits
        # (`_near_fits`: the payer agrees, or no payer was read and the amount is the loan's).
        near: dict[str, LoanCandidate] = {}
        for _, account, _ in written:
            for loan in directory.near(account):
                near[loan.account_number] = loan
        agreeing = [loan for loan in near.values() if _near_fits(capture, loan, amount)]
        if len(near) == 1 and len(agreeing) == 1:
            return Match(
                account_number=agreeing[0].account_number,
                method="memo_near",
                confidence=0.9 * max(c for _, _, c in written),
            )
        close = _payers_close_loans(capture, directory, written) if not near else []
        if len(close) == 1:
            return Match(
                account_number=close[0].account_number,
                method="memo_payer",
                confidence=0.8 * min(capture.payer_confidence, max(c for _, _, c in written)),
            )
        return Match(
            candidates=sorted(near),
            problem=ExceptionCode.UNKNOWN_ACCOUNT,
            detail="no loan has the account number read",
        )

    # No account written: the payer's name and the amount may still point at exactly one loan.
    if not capture.payer:
        return Match(
            problem=ExceptionCode.MISSING_ACCOUNT, detail="no account number and no payer name"
        )
    by_name = directory.by_payer(capture.payer)
    if not by_name:
        return Match(
            problem=ExceptionCode.MISSING_ACCOUNT, detail="no account number; payer not in the book"
        )
    active = [loan for loan in by_name if loan.status == "active"]
    fitting = [loan for loan in active if amount is not None and loan.expects(amount)]
    candidates = sorted(loan.account_number for loan in by_name)
    if len(fitting) == 1 and capture.payer_confidence >= 0.6:
        return Match(
            account_number=fitting[0].account_number,
            method="payer_amount",
            confidence=min(0.95, capture.payer_confidence),
            candidates=candidates,
        )
    if len(active) > 1 or len(fitting) > 1:
        return Match(
            candidates=candidates,
            problem=ExceptionCode.AMBIGUOUS_LOAN,
            detail=f"no account number; the payer's name fits {len(by_name)} loans",
        )
    return Match(
        candidates=candidates,
        problem=ExceptionCode.MISSING_ACCOUNT,
        detail="no account number; the payer's loan does not expect this amount",
    )
