from __future__ import annotations

from decimal import Decimal

import pytest

from reconciliation.matching import LoanCandidate, LoanDirectory


@pytest.fixture
def directory() -> LoanDirectory:
    return LoanDirectory(
        [
            LoanCandidate("4410023981", "Maria Gonzalez", None, "active", Decimal("412.50")),
            LoanCandidate(
                "4410077310", "James T. Whitaker", "Linda Whitaker", "active", Decimal("389.17")
            ),
            LoanCandidate("5520019944", "Robert Chen", None, "active", Decimal("299.00")),
            LoanCandidate("5520019945", "Robert Chen", None, "active", Decimal("515.25")),
            LoanCandidate("6630001122", "Angela Brooks", None, "paid_off", Decimal("250.00")),
        ]
    )
