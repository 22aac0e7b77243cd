"""Exception codes: one per must-review rule (CONTRACT), each with the sentence a clerk reads."""

from __future__ import annotations

from enum import StrEnum


class ExceptionCode(StrEnum):
    UNREADABLE_FILE = "UNREADABLE_FILE"
    NOT_A_CHECK = "NOT_A_CHECK"
    # An image cash letter's check (X9.37): its image has nothing readable on it, or disagrees
    # with the bank's record of it.
    NO_CHECK_IMAGE = "NO_CHECK_IMAGE"
    BANK_RECORD_MISMATCH = "BANK_RECORD_MISMATCH"
    DUPLICATE_CHECK = "DUPLICATE_CHECK"
    UNREADABLE_AMOUNT = "UNREADABLE_AMOUNT"
    AMOUNT_MISMATCH = "AMOUNT_MISMATCH"
    STALE_DATED = "STALE_DATED"
    POST_DATED = "POST_DATED"
    DATE_UNREADABLE = "DATE_UNREADABLE"
    MISSING_ACCOUNT = "MISSING_ACCOUNT"
    UNKNOWN_ACCOUNT = "UNKNOWN_ACCOUNT"
    AMBIGUOUS_LOAN = "AMBIGUOUS_LOAN"
    LOAN_NOT_ACTIVE = "LOAN_NOT_ACTIVE"
    MICR_UNREADABLE = "MICR_UNREADABLE"


# The order in which codes are reported when an item breaks several rules: the first is the item's code.
# A copy of a check seen before comes first even before "not a check": its twin decides it.
PRIORITY: tuple[ExceptionCode, ...] = (
    ExceptionCode.UNREADABLE_FILE,
    ExceptionCode.DUPLICATE_CHECK,
    *(
        c
        for c in ExceptionCode
        if c not in (ExceptionCode.UNREADABLE_FILE, ExceptionCode.DUPLICATE_CHECK)
    ),
)

WHAT_TO_DO: dict[ExceptionCode, str] = {
    ExceptionCode.UNREADABLE_FILE: "The scan could not be opened. Rescan the item, or reject it.",
    ExceptionCode.NOT_A_CHECK: "This page is not a check (a letter or a blank page). Route the"
    " correspondence, or reject the item.",
    ExceptionCode.NO_CHECK_IMAGE: "The bank's image cash letter has no readable image of this"
    " check's front, so nothing written on it (loan account, payer, date) could be read; the"
    " amount, routing and account are the bank's record. Get the image from the bank, or find"
    " the loan from the payer's bank account, and resolve with the bank's amount.",
    ExceptionCode.BANK_RECORD_MISMATCH: "The check's image and the bank's record of it in the"
    " image cash letter disagree (the amount, or the routing or account number). Compare the"
    " image with the record: if it is another check's image, reject the item and ask the bank;"
    " if the bank credited a different amount than the check says, resolve with the amount"
    " credited and take the difference up with the bank.",
    ExceptionCode.DUPLICATE_CHECK: "This check was processed before (the same MICR line, the same"
    " face, or the same check number, amount and payer): the earlier item is named. Compare the"
    " two; reject this one if it is the same check. It posts only if you confirm they are two"
    " different checks (--not-duplicate).",
    ExceptionCode.UNREADABLE_AMOUNT: "The check amount could not be read with confidence. Key the"
    " amount from the image.",
    ExceptionCode.AMOUNT_MISMATCH: "The courtesy (numeric) and legal (written) amounts disagree."
    " The written amount governs; confirm it and resolve with that amount.",
    ExceptionCode.STALE_DATED: "The check is dated more than 180 days before the business date."
    " Return it to the customer unless policy says otherwise.",
    ExceptionCode.POST_DATED: "The check is dated after the business date. Hold it, or return it.",
    ExceptionCode.DATE_UNREADABLE: "The check date could not be read. Check that it is not stale or"
    " post-dated, then resolve.",
    ExceptionCode.MISSING_ACCOUNT: "No loan account number was found on the check or a coupon, and"
    " the payer's name matches no single loan. Find the loan and resolve.",
    ExceptionCode.UNKNOWN_ACCOUNT: "The account number read is not in the loan book. Find the loan"
    " (look at the payer's name) and resolve.",
    ExceptionCode.AMBIGUOUS_LOAN: "More than one loan could be the payer's. Pick the loan and resolve.",
    ExceptionCode.LOAN_NOT_ACTIVE: "The loan is paid off, charged off or repossessed. Send to recovery or refund"
    " per policy.",
    ExceptionCode.MICR_UNREADABLE: "The MICR line (routing, account, serial) could not be read, so"
    " duplicates cannot be ruled out. Check the image, then resolve.",
}
