"""Decides every item of a run before anything is drawn: which exception it plants, which loan it
pays, who wrote it, for how much, when, and how it is written.

Roughly a quarter of the items are planted exceptions (all ten kinds once there are 20 items or
more); the rest are clean payments that must post. Clean items always name their loan (memo line
or coupon), so the only way to post them is to read them.

From 50 items on, duplicates come in three kinds and clean mail holds legitimate repeats:

- a clean first copy that posts, scanned again later (the duplicate is held as DUPLICATE_CHECK);
- a first copy whose MICR line cannot be read (tape, a stamp, a smear or a torn edge over one field),
  held as MICR_UNREADABLE, then a clean rescan in another scan style (held as DUPLICATE_CHECK: the
  MICR line cannot be what tells the two apart);
- a clean first copy that posts, then a damaged copy (held as DUPLICATE_CHECK without a MICR line);
- a legitimate repeat: the same payer pays the same loan the same amount with another check (another
  number, a later date, the same stock), and both post.

Smaller runs draw exactly what they drew before these were added (the committed sample among them).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import ROUND_FLOOR, Decimal

from sample_data.fonts import HANDWRITING, PRINTED_FILL, SIGNATURE, font_name
from sample_data.loan_book import Loan, LoanBook
from sample_data.micr_line import PERSONAL_VARIANTS, micr_positions, micr_text
from sample_data.people import PeopleFactory, Person
from sample_data.scanline import coupon_scanline
from sample_data.specs import (
    LENDER,
    MICR_DAMAGE_FIELDS,
    MICR_DAMAGE_KINDS,
    SITE_REMIT_LINES,
    BackSpec,
    CheckSpec,
    CouponSpec,
    LetterSpec,
    MicrDamage,
)
from sample_data.wording import (
    DATE_STYLES,
    courtesy_amount_text,
    date_text,
    legal_amount_text,
    memo_text,
    random_memo_without_account,
)

EXCEPTION_CODES = (
    "UNKNOWN_ACCOUNT",
    "MISSING_ACCOUNT",
    "LOAN_NOT_ACTIVE",
    "STALE_DATED",
    "POST_DATED",
    "AMOUNT_MISMATCH",
    "DUPLICATE_CHECK",
    "UNREADABLE_AMOUNT",
    "NOT_A_CHECK",
    "AMBIGUOUS_LOAN",
)
# How often each kind comes up beyond the first of each.
_EXTRA_WEIGHTS = (2, 2, 1, 1, 1, 2, 2, 1, 2, 1)
EXCEPTION_SHARE = 0.27
ALL_KINDS_FROM = 20
STALE_DAYS = 180
MAX_MULTIPLE = 12  # an ambiguous payment must not be a multiple of either loan's installment
SITES = ("dallas", "richardson")
# From this many items on: duplicates with an unreadable copy, and legitimate repeats (smaller runs,
# the committed sample among them, draw what they always drew).
SCENARIOS_FROM = 50
ITEMS_PER_DUPLICATE = 60  # 600 items: 10 duplicates, and 10 legitimate repeats
FIRST_UNREADABLE_SHARE = 0.4  # duplicates whose first copy's MICR line cannot be read
LATER_DAMAGED_SHARE = 0.15  # duplicates whose later copy is the damaged one


@dataclass
class PlannedItem:
    """One item of mail, decided; files, batches and scan styles are assigned later."""

    index: int
    code: str | None  # None for a clean payment
    day: int  # 0 = the first deposit day of the run
    site: str
    kind: str = "check"  # check | letter | blank
    loan_account: str | None = None
    amount: Decimal | None = None
    check: CheckSpec | None = None
    coupon: CouponSpec | None = None
    back: BackSpec | None = None
    letter: LetterSpec | None = None
    duplicate_of: int | None = None
    repeat_of: int | None = None  # a second, different check for the same loan and amount
    micr_damage: MicrDamage | None = None  # this copy's MICR line is obscured
    restyle: bool = False  # scanned in another style than the copy it repeats
    notes: list[str] = field(default_factory=list)

    @property
    def expected_status(self) -> str:
        return "posted" if self.code is None else "exception"


@dataclass
class RunPlan:
    as_of: date
    seed: int
    deposit_dates: list[date]
    loans: list[Loan]
    items: list[PlannedItem]


def deposit_days(items: int) -> int:
    """How many deposit days the run spans: enough for a duplicate to come back a day later."""
    if items < 6:
        return 1
    return 2 if items <= 40 else 3


def duplicate_count(items: int) -> int:
    """How many duplicates a run of SCENARIOS_FROM items or more plants (one per 60 items)."""
    return max(3, round(items / ITEMS_PER_DUPLICATE))


def repeat_count(items: int) -> int:
    """How many legitimate repeats a run of SCENARIOS_FROM items or more holds."""
    return max(2, round(items / ITEMS_PER_DUPLICATE))


def duplicate_scenarios(count: int) -> list[str]:
    """The kind of each duplicate: first_unreadable, later_damaged or clean (first copy posts)."""
    first = max(1, round(count * FIRST_UNREADABLE_SHARE))
    later = max(1, round(count * LATER_DAMAGED_SHARE)) if count >= 3 else 0
    later = min(later, count - first)
    return (
        ["first_unreadable"] * first
        + ["later_damaged"] * later
        + ["clean"] * (count - first - later)
    )


def choose_codes(rng: random.Random, items: int, days: int) -> list[str | None]:
    """The planted exception of each item (None = clean), in mail order."""
    n_exc = round(items * EXCEPTION_SHARE)
    kinds = list(EXCEPTION_CODES)
    if days < 2:  # a duplicate needs a later batch than its original
        kinds.remove("DUPLICATE_CHECK")
    weights = [w for k, w in zip(EXCEPTION_CODES, _EXTRA_WEIGHTS, strict=True) if k in kinds]
    if items >= ALL_KINDS_FROM:
        n_exc = max(n_exc, len(kinds))
        codes: list[str] = list(kinds)
        if items >= SCENARIOS_FROM and "DUPLICATE_CHECK" in kinds:
            # A set number of duplicates (their kinds are planned together), the rest by weight.
            codes += ["DUPLICATE_CHECK"] * (duplicate_count(items) - 1)
            others = [(k, w) for k, w in zip(kinds, weights, strict=True) if k != "DUPLICATE_CHECK"]
            codes += rng.choices(
                [k for k, _ in others], [w for _, w in others], k=max(0, n_exc - len(codes))
            )
        else:
            codes += rng.choices(kinds, weights, k=n_exc - len(kinds))
    else:
        codes = rng.sample(kinds, k=min(n_exc, len(kinds)))
    n_exc = min(len(codes), max(0, items - 1))
    codes = codes[:n_exc]
    out: list[str | None] = [*codes, *([None] * (items - n_exc))]
    rng.shuffle(out)
    return out


def _handwritten(plan: RunPlan) -> Iterator[tuple[PlannedItem, CheckSpec]]:
    """The run's handwritten checks, each with its item (whose check a variant replaces)."""
    for item in plan.items:
        if item.check is not None and item.check.handwritten:
            yield item, item.check


def take_stroke_hands(plan: RunPlan, share: float) -> None:
    """Make about `share` of the handwritten checks written stroke by stroke instead of in a font
    hand (`sample_data.strokes`), each by a writer of its own. The choice and the writer come from
    the check's render seed, so a re-scan of a check is written by the same hand, and the rest of
    the run is unchanged."""
    for item, check in _handwritten(plan):
        rng = random.Random(f"strokes:{check.render_seed}")
        if rng.random() < share:
            item.check = replace(check, stroke_hand=rng.randrange(1 << 30))


def take_real_digits(plan: RunPlan, share: float) -> None:
    """Make about `share` of the handwritten checks write their figures (amount, date, memo
    account) in people's own digits (`sample_data.digits`, writers the recognizer never trained
    on); their words stay in the check's hand. Chosen by the check's render seed, as stroke hands
    are."""
    for item, check in _handwritten(plan):
        if random.Random(f"digits:{check.render_seed}").random() < share:
            item.check = replace(check, real_digits=True)


class Planner:
    """Plans a run: the loan book and every item, from one random stream."""

    def __init__(self, seed: int, items: int, as_of: date) -> None:
        self.seed = seed
        self.n_items = items
        self.as_of = as_of
        self.rng = random.Random(seed)
        self.people = PeopleFactory(self.rng)
        self.book = LoanBook(self.people, self.rng, as_of)
        days = deposit_days(items)
        self.deposit_dates = [as_of - timedelta(days=days - 1 - d) for d in range(days)]
        self._render_seed = 0
        self._letters = 0
        self._pool: list[Loan] = []

    # --- the run -----------------------------------------------------------------------------

    def plan(self) -> RunPlan:
        rng = self.rng
        codes = choose_codes(rng, self.n_items, len(self.deposit_dates))
        items = [
            PlannedItem(
                i,
                code,
                day=rng.randrange(len(self.deposit_dates)),
                site="dallas" if rng.random() < 0.65 else "richardson",
            )
            for i, code in enumerate(codes)
        ]
        self._balance_sites(items)
        ambiguous = [self._two_loan_borrower() for it in items if it.code == "AMBIGUOUS_LOAN"]
        inactive = [
            self.book.add("paid_off" if k % 2 == 0 else "charged_off")
            for k, it in enumerate(x for x in items if x.code == "LOAN_NOT_ACTIVE")
        ]
        if self.n_items >= 10:
            self._two_loan_borrower()  # another borrower with two loans, who writes the account
        self.book.fill(max(12, round(self.n_items * 2.5)))
        tied = [person for person, _ in ambiguous]
        self._pool = [
            loan
            for loan in self.book.loans
            if loan.status == "active" and not any(loan.borrower is p for p in tied)
        ]
        rng.shuffle(self._pool)

        for item in items:
            if item.code == "DUPLICATE_CHECK":
                continue
            if item.code == "AMBIGUOUS_LOAN":
                self._plan_ambiguous(item, *ambiguous.pop())
            elif item.code == "LOAN_NOT_ACTIVE":
                self._plan_paying(item, inactive.pop())
            elif item.code in ("UNKNOWN_ACCOUNT", "MISSING_ACCOUNT"):
                self._plan_stranger(item)
            elif item.code == "NOT_A_CHECK":
                self._plan_not_a_check(item)
            else:
                self._plan_paying(item, self._next_loan())
        dups = [item for item in items if item.code == "DUPLICATE_CHECK"]
        scenarios = ["clean"] * len(dups)
        if self.n_items >= SCENARIOS_FROM:
            scenarios = duplicate_scenarios(len(dups))
            rng.shuffle(scenarios)
        for item, scenario in zip(dups, scenarios, strict=True):
            self._plan_duplicate(item, items, scenario)
        if self.n_items >= SCENARIOS_FROM:
            for _ in range(repeat_count(self.n_items)):
                self._plan_repeat(items)
        self._ensure_coupon(items)
        return RunPlan(self.as_of, self.seed, self.deposit_dates, self.book.shuffled(), items)

    def _balance_sites(self, items: list[PlannedItem]) -> None:
        """Both sites get mail once there are a few items."""
        if len(items) < 4:
            return
        for site in SITES:
            if not any(it.site == site for it in items):
                items[self.rng.randrange(len(items))].site = site

    def _next_loan(self) -> Loan:
        if not self._pool:
            self._pool.append(self.book.add("active"))
        return self._pool.pop()

    def _two_loan_borrower(self) -> tuple[Person, list[Loan]]:
        person = self.people.person()
        loans = [
            self.book.add("active", borrower=person, product="retail", co_borrower=False),
            self.book.add("active", borrower=person, co_borrower=False),
        ]
        return person, loans

    def _seed(self) -> int:
        self._render_seed += 1
        return self.seed * 1000 + self._render_seed

    # --- amounts and dates -------------------------------------------------------------------

    def _clean_amount(self, loan: Loan) -> Decimal:
        rng, pay = self.rng, loan.monthly_payment
        roll = rng.random()
        if roll < 0.6:
            return pay
        if roll < 0.7 and loan.fees_due > 0:
            return pay + loan.fees_due
        if roll < 0.78:
            return pay * 2
        if roll < 0.88:  # a partial payment, in round dollars
            return (pay * Decimal(str(rng.uniform(0.4, 0.9)))).quantize(Decimal("1"), ROUND_FLOOR)
        extra = Decimal(rng.choice([10, 25, 50, 100]))
        return pay + extra

    def _ambiguous_amount(self, loans: list[Loan]) -> Decimal:
        """A round figure no loan of the payer expects, so the amount cannot break the tie."""
        while True:
            amount = Decimal(self.rng.choice([250, 300, 350, 400, 450, 500, 600, 700, 750, 800]))
            if all(
                amount != loan.monthly_payment * k
                for loan in loans
                for k in range(1, MAX_MULTIPLE + 1)
            ) and all(amount != loan.principal_balance for loan in loans):
                return amount

    def _stranger_amount(self) -> Decimal:
        if self.rng.random() < 0.4:
            return Decimal(self.rng.randrange(15, 80) * 10)
        return Decimal(self.rng.randrange(15000, 95000)) / 100

    def _check_date(self, item: PlannedItem) -> date:
        rng = self.rng
        if item.code == "STALE_DATED":
            return self.as_of - timedelta(days=rng.randrange(STALE_DAYS + 20, 420))
        if item.code == "POST_DATED":
            return self.as_of + timedelta(days=rng.randrange(3, 60))
        deposit = self.deposit_dates[item.day]
        back = rng.choice([0, 1, 2, 3, 4, 5, 6, 7, 9, 12, 15, 21, 30, 45])
        return deposit - timedelta(days=back)

    # --- checks ------------------------------------------------------------------------------

    def _payer_of(self, loan: Loan) -> Person:
        if loan.co_borrower is not None and self.rng.random() < 0.25:
            return loan.co_borrower
        return loan.borrower

    def _joint_names(self, payer: Person, loan: Loan | None) -> list[str]:
        """The payer block's name lines: a joint account prints both holders."""
        names = [payer.check_name]
        if loan is not None:
            other = loan.co_borrower if payer is loan.borrower else loan.borrower
            if other is not None and other.checkbook is payer.checkbook:
                names.append(other.check_name if self.rng.random() < 0.8 else other.name)
        return names

    def _make_check(
        self,
        item: PlannedItem,
        payer: Person,
        loan: Loan | None,
        amount: Decimal,
        memo_account: str | None,
    ) -> CheckSpec:
        rng = self.rng
        layout = "business" if rng.random() < 0.3 else "personal"
        hand = layout == "personal" and rng.random() < 0.38
        if item.code == "UNREADABLE_AMOUNT" and layout == "personal":
            hand = True
        if hand:
            names = [name for name, _ in HANDWRITING]
            weights = [w for _, w in HANDWRITING]
            fill = font_name([rng.choices(names, weights)[0], "ComicNeue-Regular.otf"])
        else:
            fill = font_name([rng.choice(PRINTED_FILL), "LiberationSans-Regular.ttf"])
        book = payer.checkbook
        if layout == "business":
            serial = f"{rng.randrange(1000, 999999):06d}"
            check_number = serial if rng.random() < 0.5 else str(int(serial))
            variant = "business"
        else:
            number = int(book.take_serial())
            serial = f"{number:04d}"
            check_number = str(number)
            variant = rng.choice(PERSONAL_VARIANTS)
        chars = micr_positions(layout, variant, book.bank.routing, book.account, serial)
        when = self._check_date(item)
        if hand:
            c_style = rng.choice(["comma", "plain", "plain", "fraction", "fraction", "stars"])
            l_style = rng.choice(
                ["fraction", "fraction", "ampersand", "dollars_cents", "no_100", "title_fraction"]
            )
            d_style = rng.choice(["mdY", "mdy", "bdY", "dashes", "BdY", "short"])
            payee = rng.choice(
                [LENDER, LENDER, LENDER, "Lone Star Auto Fin.", "Lone Star Auto", LENDER.upper()]
            )
        else:
            c_style = rng.choice(["stars", "stars", "comma", "plain"])
            l_style = rng.choice(["upper", "fraction", "title_fraction", "dollars_cents"])
            d_style = rng.choice(["mdY", "mdY", "bdY", "mdy", "dashes"])
            payee = LENDER.upper() if rng.random() < 0.4 else LENDER
        if memo_account:
            styles = ["acct", "loan_no", "dashed", "spaced", "hash_car", "acct_hash", "bare"]
            memo = memo_text(memo_account, rng.choice(styles if hand else styles[:2] + styles[5:]))
        else:
            memo = random_memo_without_account(rng)
        legal_value = amount
        if item.code == "AMOUNT_MISMATCH":
            legal_value = self._misread(amount)
        spec = CheckSpec(
            layout=layout,
            render_seed=self._seed(),
            payer=payer.check_name,
            payer_lines=self._joint_names(payer, loan),
            address_lines=[payer.address.street, payer.address.city_line],
            bank_name=book.bank.name,
            bank_city=book.bank.city,
            fraction=book.bank.fraction,
            routing=book.bank.routing,
            bank_account=book.account,
            serial=serial,
            check_number=check_number,
            micr_line=micr_text(chars),
            micr_variant=variant,
            payee=payee,
            payee_lines=list(SITE_REMIT_LINES[item.site])
            if layout == "business" and rng.random() < 0.6
            else [],
            date=when,
            date_text=date_text(when, d_style),
            courtesy_amount=amount,
            courtesy_text=courtesy_amount_text(amount, c_style),
            legal_amount=legal_value,
            legal_text=legal_amount_text(legal_value, l_style, hyphen=rng.random() < 0.7),
            memo_text=memo,
            memo_account=memo_account,
            handwritten=hand,
            fill_font=fill,
            signature_font=font_name([rng.choice(SIGNATURE), *SIGNATURE]),
            signature_text=self._signature(payer)
            if layout == "personal" or rng.random() < 0.7
            else "",
            encoded_amount=legal_value,
        )
        if item.code == "UNREADABLE_AMOUNT":
            spec.amount_blotted = True
            spec.courtesy_amount = None
            spec.legal_amount = None
            spec.legal_text = ""
            spec.legal_scribbled = rng.random() < 0.5
        return spec

    def _signature(self, payer: Person) -> str:
        if self.rng.random() < 0.3:
            return f"{payer.first[0]}. {payer.last}"
        return f"{payer.first} {payer.last}"

    def _misread(self, amount: Decimal) -> Decimal:
        """A legal amount that disagrees with the figures the way people get it wrong."""
        rng = self.rng
        dollars, cents = divmod(int(amount * 100), 100)
        digits = str(dollars)
        options: list[Decimal] = []
        for i in range(len(digits) - 1):
            if digits[i] != digits[i + 1] and not (i == 0 and digits[i + 1] == "0"):
                swapped = digits[:i] + digits[i + 1] + digits[i] + digits[i + 2 :]
                options.append(Decimal(int(swapped) * 100 + cents) / 100)
        options.append(Decimal((dollars + 100) * 100 + cents) / 100)
        if dollars > 100:
            options.append(Decimal((dollars - 100) * 100 + cents) / 100)
        if cents % 10 != cents // 10:
            options.append(Decimal(dollars * 100 + (cents % 10) * 10 + cents // 10) / 100)
        return rng.choice([o for o in options if o != amount and o > 0])

    # --- item kinds --------------------------------------------------------------------------

    def _attach_coupon(self, item: PlannedItem, loan: Loan, amount: Decimal) -> None:
        rng = self.rng
        who = loan.borrower
        item.coupon = CouponSpec(
            account=loan.account_number,
            borrower_lines=[
                who.name.upper(),
                who.address.street.upper(),
                who.address.city_line.upper(),
            ],
            due_date=loan.next_due_date,
            amount_due=loan.amount_due,
            scanline=coupon_scanline(loan.account_number, loan.amount_due),
            site=item.site,
            enclosed_text=f"{amount:,.2f}" if rng.random() < 0.5 else "",
            render_seed=self._seed(),
        )

    def _attach_back(self, item: PlannedItem, chance: float) -> None:
        if item.check is None or self.rng.random() >= chance:
            return
        deposit = self.deposit_dates[item.day]
        box = "650805" if item.site == "dallas" else "RICHARDSON TX"
        item.back = BackSpec(
            layout=item.check.layout,
            stamp_lines=[
                "FOR DEPOSIT ONLY",
                LENDER.upper(),
                f"LOCKBOX {box}",
                f"{deposit:%m/%d/%Y}  SEQ {item.index + 1:04d}",
            ],
            render_seed=self._seed(),
        )

    def _plan_paying(self, item: PlannedItem, loan: Loan) -> None:
        """A check for a known loan: clean, or stale, post-dated, mismatched, unreadable..."""
        rng = self.rng
        payer = self._payer_of(loan)
        amount = self._clean_amount(loan) if item.code is None else loan.monthly_payment
        coupon_chance = 0.38 if item.code is None else 0.25
        with_coupon = rng.random() < coupon_chance
        memo_account = loan.account_number if (not with_coupon or rng.random() < 0.5) else None
        item.check = self._make_check(item, payer, loan, amount, memo_account)
        item.loan_account = loan.account_number
        item.amount = None if item.code in ("AMOUNT_MISMATCH", "UNREADABLE_AMOUNT") else amount
        if with_coupon:
            self._attach_coupon(item, loan, amount)
        self._attach_back(item, 0.5 if with_coupon else 0.15)

    def _plan_ambiguous(self, item: PlannedItem, person: Person, loans: list[Loan]) -> None:
        amount = self._ambiguous_amount(loans)
        item.check = self._make_check(item, person, None, amount, None)
        item.amount = amount
        item.notes.append("payer is the borrower on " + ", ".join(x.account_number for x in loans))
        self._attach_back(item, 0.15)

    def _unknown_account(self) -> str:
        """Ten digits that are no loan's, and not one slip of a pen away from one either."""
        while True:
            number = self.book.new_account_number()
            if not any(_near(number, loan.account_number) for loan in self.book.loans):
                return number

    def _plan_stranger(self, item: PlannedItem) -> None:
        """Someone who is not in the book pays: with an account nobody has, or with none."""
        person = self.people.person()
        amount = self._stranger_amount()
        account = self._unknown_account() if item.code == "UNKNOWN_ACCOUNT" else None
        item.check = self._make_check(item, person, None, amount, account)
        item.amount = amount
        item.loan_account = account
        self._attach_back(item, 0.15)

    def _plan_duplicate(self, item: PlannedItem, items: list[PlannedItem], scenario: str) -> None:
        """The same check again, in a batch of a later deposit day.

        `scenario` clean: the first copy posts. first_unreadable: the first copy's MICR line is
        obscured (held as MICR_UNREADABLE) and this later copy is a clean rescan in another scan
        style. later_damaged: the first copy posts and this copy's MICR line is obscured.
        """
        rng = self.rng
        last = len(self.deposit_dates) - 1
        originals = [
            it
            for it in items
            if it.code is None
            and it.day < last
            and it.check is not None
            and not any(o.duplicate_of == it.index or o.repeat_of == it.index for o in items)
            and it.repeat_of is None
        ]
        if not originals:
            candidates = [it for it in items if it.code is None and it.check is not None]
            first = rng.choice(candidates)
            first.day = 0
            originals = [first]
        # Prefer a check that names its loan on the memo line: then being a duplicate is the
        # only thing wrong with the second scan (it comes without the first one's coupon).
        with_memo = [it for it in originals if it.check is not None and it.check.memo_account]
        original = rng.choice(with_memo or originals)
        assert original.check is not None
        item.day = rng.randrange(original.day + 1, last + 1)
        item.site = rng.choice(SITES)
        item.duplicate_of = original.index
        item.check = original.check
        item.loan_account = original.loan_account
        item.amount = original.amount
        self._attach_back(item, 0.2)
        if scenario == "first_unreadable":
            original.code = "MICR_UNREADABLE"
            original.micr_damage = self._micr_damage()
            original.notes.append(f"MICR line obscured ({original.micr_damage.kind})")
            item.restyle = True
            item.notes.append("a clean rescan of a check whose first copy's MICR line is obscured")
        elif scenario == "later_damaged":
            item.micr_damage = self._micr_damage()
            item.restyle = True
            item.notes.append(f"a second copy, its MICR line obscured ({item.micr_damage.kind})")

    def _micr_damage(self) -> MicrDamage:
        rng = self.rng
        return MicrDamage(
            kind=rng.choice(MICR_DAMAGE_KINDS),
            field=rng.choice(MICR_DAMAGE_FIELDS),
            render_seed=self._seed(),
        )

    def _plan_repeat(self, items: list[PlannedItem]) -> None:
        """A legitimate repeat: the payer of a clean check pays the same loan the same amount again,
        with the next check of the same stock, dated some days or weeks later, in a later batch.
        Both must post. The second check replaces a clean item planned for another loan."""
        rng = self.rng
        last = len(self.deposit_dates) - 1
        taken = {i for it in items for i in (it.duplicate_of, it.repeat_of) if i is not None}
        loans = {loan.account_number: loan for loan in self.book.loans}

        def free(it: PlannedItem) -> bool:
            return (
                it.code is None
                and it.check is not None
                and it.index not in taken
                and it.duplicate_of is None
                and it.repeat_of is None
            )

        firsts = [
            it
            for it in items
            if free(it)
            and it.day < last
            and it.check is not None
            and it.check.memo_account
            and it.loan_account in loans
            and it.amount == loans[it.loan_account].monthly_payment
            and loans[it.loan_account].principal_balance > 3 * it.amount
        ]
        if not firsts:
            return
        first = rng.choice(firsts)
        seconds = [it for it in items if free(it) and it is not first and it.index not in taken]
        if not seconds:
            return
        second = rng.choice(seconds)
        assert first.check is not None and first.loan_account is not None
        loan = loans[first.loan_account]
        spec = first.check
        second.day = rng.randrange(first.day + 1, last + 1)
        # Dated some days or weeks apart; the first still before its own deposit day.
        later = self.deposit_dates[second.day] - timedelta(days=rng.randrange(0, 4))
        earlier = later - timedelta(days=rng.randrange(5, 36))
        style = next(s for s in DATE_STYLES if date_text(spec.date or earlier, s) == spec.date_text)
        spec.date, spec.date_text = earlier, date_text(earlier, style)
        if spec.layout == "business":
            step = rng.randrange(1, 400)
            number = int(spec.serial) + step
            if number > 999_999:
                number = int(spec.serial) - step
            serial = f"{number:06d}"
            check_number = serial if spec.check_number == spec.serial else str(int(serial))
        else:
            payer = loan.borrower
            if loan.co_borrower is not None and loan.co_borrower.check_name == spec.payer:
                payer = loan.co_borrower
            number = int(payer.checkbook.take_serial())
            serial, check_number = f"{number:04d}", str(number)
        chars = micr_positions(
            spec.layout, spec.micr_variant, spec.routing, spec.bank_account, serial
        )
        second.check = replace(
            spec,
            serial=serial,
            check_number=check_number,
            micr_line=micr_text(chars),
            date=later,
            date_text=date_text(later, style),
        )
        second.loan_account = first.loan_account
        second.amount = first.amount
        second.coupon = None
        second.back = None
        second.repeat_of = first.index
        second.notes = ["a second payment of the same amount by the same payer, another check"]
        self._attach_back(second, 0.15)

    def _plan_not_a_check(self, item: PlannedItem) -> None:
        rng = self.rng
        blank = self._letters > 0 and rng.random() < 0.35  # the first one is always a letter
        self._letters += 1
        if blank:
            item.kind = "blank"
            item.letter = LetterSpec(kind="blank", render_seed=self._seed())
            return
        item.kind = "letter"
        loan = rng.choice([x for x in self.book.loans if x.status == "active"])
        item.letter = self._letter(loan.borrower, loan.account_number)

    def _letter(self, writer: Person, account: str) -> LetterSpec:
        rng = self.rng
        hand = rng.random() < 0.4
        today = self.as_of - timedelta(days=rng.randrange(2, 9))
        body = rng.choice(_LETTER_BODIES)
        lines = [
            f"{today:%B} {today.day}, {today.year}",
            "",
            LENDER,
            *SITE_REMIT_LINES["dallas"],
            "",
        ]
        if rng.random() < 0.7:
            lines += [f"Re: Account {account}", ""]
        lines += ["To whom it may concern,", "", *body, "", "Sincerely,"]
        if hand:
            names = [name for name, _ in HANDWRITING]
            font = font_name([rng.choice(names), "ComicNeue-Regular.otf"])
        else:
            font = font_name(
                [
                    rng.choice(
                        [
                            "LiberationSerif-Regular.ttf",
                            "Courier Prime.otf",
                            "LiberationSans-Regular.ttf",
                        ]
                    ),
                    "DejaVuSerif.ttf",
                ]
            )
        return LetterSpec(
            kind="letter",
            lines=lines,
            handwritten=hand,
            font=font,
            signature=f"{writer.first} {writer.last}",
            after_signature=[writer.name, writer.address.street, writer.address.city_line],
            render_seed=self._seed(),
        )

    def _ensure_coupon(self, items: list[PlannedItem]) -> None:
        """At least one coupon in any run of a few items (the sample must show one)."""
        if len(items) < 4 or any(it.coupon for it in items):
            return
        for it in items:
            if it.code is None and it.loan_account and it.check and it.amount is not None:
                loan = next(x for x in self.book.loans if x.account_number == it.loan_account)
                self._attach_coupon(it, loan, it.amount)
                if it.back is None:
                    self._attach_back(it, 0.5)
                return


def _near(a: str, b: str) -> bool:
    """One substitution or one adjacent transposition apart (what a reader might fix up)."""
    if len(a) != len(b) or a == b:
        return a == b
    diffs = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
    if len(diffs) == 1:
        return True
    return (
        len(diffs) == 2
        and diffs[1] == diffs[0] + 1
        and a[diffs[0]] == b[diffs[1]]
        and a[diffs[1]] == b[diffs[0]]
    )


_LETTER_BODIES = (
    (
        "Please send me a payoff quote for my car loan. I would like to pay",
        "it off by the end of next month. You can mail it to the address below.",
    ),
    (
        "I have moved. Please update my address on my account to the one",
        "below and send my statements there from now on.",
    ),
    (
        "I lost my job last month and I am going to be late with my payment.",
        "Can we set up a payment plan? Please call me at your earliest convenience.",
    ),
    (
        "I paid my loan in full and I have not received my title yet.",
        "Please let me know when it will be mailed.",
    ),
    (
        "My last statement shows a late fee, but I mailed my payment on time.",
        "Please remove the fee. I have enclosed nothing with this letter.",
    ),
)
