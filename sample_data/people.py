"""Synthetic people: names, home addresses and checking accounts, unique by name.

Names are unique across everyone the generator makes (borrowers, co-borrowers and strangers), so a
payer's name points at one person unless a scenario plants a duplicate on purpose.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from sample_data.aba import fractional_routing, make_routing
from sample_data.names_data import (
    BANKS,
    CITIES,
    FEMALE_FIRST,
    LAST,
    MALE_FIRST,
    STREET_NAMES,
    STREET_TYPES,
)


@dataclass(frozen=True)
class Bank:
    name: str
    city: str
    routing: str
    fraction: str


@dataclass(frozen=True)
class Address:
    street: str
    city: str
    state: str
    zip_code: str

    @property
    def city_line(self) -> str:
        return f"{self.city}, {self.state} {self.zip_code}"


@dataclass
class Checkbook:
    """A checking account; spouses with a joint account share one, so serials never repeat."""

    bank: Bank
    account: str
    next_serial: int

    def take_serial(self) -> str:
        """The next check number from this checkbook."""
        serial = self.next_serial
        self.next_serial += 1
        return str(serial)


@dataclass
class Person:
    """Someone who can write a check: the name as on the loan and the account it is drawn on."""

    first: str
    middle: str  # initial, or "" when the person does not use one
    last: str
    address: Address
    checkbook: Checkbook
    upper_case_name: bool  # how the check printer printed the name

    @property
    def name(self) -> str:
        """The name as the loan book has it, e.g. 'Maria G. Hernandez'."""
        middle = f" {self.middle}." if self.middle else ""
        return f"{self.first}{middle} {self.last}"

    @property
    def check_name(self) -> str:
        """The name as printed on the person's checks."""
        if self.upper_case_name:
            middle = f" {self.middle}" if self.middle else ""
            return f"{self.first}{middle} {self.last}".upper()
        return self.name


class PeopleFactory:
    """Makes people with names never used before, and a small set of banks they bank with."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used_names: set[tuple[str, str]] = set()
        self.banks = [
            Bank(name, city, routing, fractional_routing(routing, rng))
            for name, city, prefix in BANKS
            for routing in [make_routing(prefix, rng)]
        ]

    def _address(self, near: Address | None = None) -> Address:
        rng = self.rng
        if near is not None:
            return near
        city, state, zip_prefix = rng.choice(CITIES)
        number = rng.choice([rng.randrange(100, 999), rng.randrange(1000, 9999)])
        street = f"{number} {rng.choice(STREET_NAMES)} {rng.choice(STREET_TYPES)}"
        if rng.random() < 0.15:
            street += f" Apt {rng.randrange(1, 40)}{rng.choice('ABCD')}"
        return Address(street, city, state, f"{zip_prefix}{rng.randrange(1, 99):02d}")

    def _account_number(self) -> str:
        length = self.rng.choice([8, 9, 10, 10, 11, 12])
        return str(self.rng.randrange(1, 10)) + "".join(
            str(self.rng.randrange(10)) for _ in range(length - 1)
        )

    def checkbook(self) -> Checkbook:
        """A new checking account at one of the banks, its next check number somewhere mid-book."""
        rng = self.rng
        serial = rng.choice([rng.randrange(101, 999), rng.randrange(1001, 9800)])
        return Checkbook(rng.choice(self.banks), self._account_number(), serial)

    def person(
        self,
        female: bool | None = None,
        last: str | None = None,
        address: Address | None = None,
        checkbook: Checkbook | None = None,
    ) -> Person:
        """A new person whose first and last name no one else has."""
        rng = self.rng
        if female is None:
            female = rng.random() < 0.5
        for _ in range(10_000):
            first = rng.choice(FEMALE_FIRST if female else MALE_FIRST)
            surname = last or rng.choice(LAST)
            if (first, surname) not in self.used_names:
                break
        else:  # pragma: no cover - the word lists allow far more names than any run uses
            raise RuntimeError("ran out of unique names")
        self.used_names.add((first, surname))
        middle = rng.choice("ABCDEFGHJKLMNPRSTW") if rng.random() < 0.45 else ""
        return Person(
            first=first,
            middle=middle,
            last=surname,
            address=self._address(address),
            checkbook=checkbook or self.checkbook(),
            upper_case_name=rng.random() < 0.5,
        )

    def spouse(self, partner: Person, joint_account: bool) -> Person:
        """A co-borrower at the same address, usually with the same last name."""
        rng = self.rng
        last = partner.last if rng.random() < 0.75 else None
        return self.person(
            female=rng.random() < 0.5,
            last=last,
            address=partner.address,
            checkbook=partner.checkbook if joint_account else None,
        )
