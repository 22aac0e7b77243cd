"""Field accuracy on freshly generated lockbox mail (the sample generator's truth file).

The default run reads a small set; `python tests/ocr/test_accuracy_generated.py OUT_DIR [ITEMS]` runs
the same scoring over a bigger set and prints the per-field table (exact / not found / wrong, and how
many wrong readings still claimed a confidence of 0.5 or more: the failures that matter).
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from ocr.reader import read_file
from ocr.reading import ItemReading, PageReading

SEED = 777  # our own seed: the demo's 20261125 is tuned-against by everyone
ROOT = Path(__file__).resolve().parents[2]
FIELDS = (
    "courtesy_amount",
    "legal_amount",
    "amount",
    "date",
    "memo_account",
    "coupon_account",
    "payer",
)


@dataclass
class Tally:
    exact: int = 0
    missing: int = 0
    wrong: int = 0
    wrong_confident: int = 0
    examples: list[str] = field(default_factory=list)


def generate(out: Path, items: int, seed: int = SEED) -> dict[str, Any]:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "sample_data",
            "generate",
            "--out",
            str(out),
            "--seed",
            str(seed),
            "--items",
            str(items),
        ],
        check=True,
        cwd=ROOT,
        capture_output=True,
    )
    truth: dict[str, Any] = json.loads((out / "truth.json").read_text())
    return truth


def _value(reading: PageReading, name: str) -> tuple[object, float]:
    f = getattr(reading, name)
    return f.value, f.confidence


def _same(expected: object, got: object) -> bool:
    if isinstance(got, Decimal):
        return got == Decimal(str(expected))
    if isinstance(got, date):
        return got.isoformat() == expected
    if isinstance(got, str) and isinstance(expected, str):
        return got.strip().lower() == expected.strip().lower()
    return got == expected


def score(out: Path, truth: dict[str, Any]) -> tuple[dict[str, Tally], Tally]:
    """Read every truth item and tally each field; also tally the front-page classification."""
    tallies = {name: Tally() for name in FIELDS}
    kinds = Tally()
    cache: dict[str, list[ItemReading]] = {}
    for item in truth["items"]:
        src = item["source_file"]
        if src not in cache:
            cache[src] = read_file(out / "inbox" / src, src)
        readings = [r for r in cache[src] if r.page == item["page"]] or cache[src]
        reading = readings[0]
        expected_kind = item.get("kind")
        front = reading.front
        coupon = reading.coupon
        got_kind = (
            front.kind.value
            if front
            else (reading.pages[0].kind.value if reading.pages else "unreadable")
        )
        if expected_kind == got_kind or (expected_kind in ("unreadable",) and reading.error_code):
            kinds.exact += 1
        else:
            kinds.wrong += 1
            kinds.examples.append(f"{src}: kind {expected_kind} read as {got_kind}")
        if expected_kind != "check":
            continue
        fields = item["fields"]
        expected: dict[str, object] = {
            "courtesy_amount": fields.get("courtesy_amount"),
            "legal_amount": fields.get("legal_amount"),
            "amount": fields.get("courtesy_amount")
            if fields.get("courtesy_amount") == fields.get("legal_amount")
            else None,
            "date": fields.get("date"),
            "memo_account": fields.get("memo_account"),
            "coupon_account": fields.get("coupon_account"),
            "payer": fields.get("payer"),
        }
        for name in FIELDS:
            page = coupon if name == "coupon_account" else front
            got, conf = _value(page, name) if page is not None else (None, 0.0)
            want = expected[name]
            t = tallies[name]
            if want is None and got is None:
                t.exact += 1
            elif got is None:
                t.missing += 1
            elif want is not None and _same(want, got):
                t.exact += 1
            else:
                t.wrong += 1
                if conf >= 0.5:
                    t.wrong_confident += 1
                t.examples.append(f"{src}: {name} {want!r} read as {got!r} ({conf:.2f})")
    return tallies, kinds


def report(tallies: dict[str, Tally], kinds: Tally) -> str:
    lines = [f"{'field':16} exact  missing  wrong  wrong>=0.5"]
    for name, t in {"page kind": kinds, **tallies}.items():
        lines.append(f"{name:16} {t.exact:5}  {t.missing:7}  {t.wrong:5}  {t.wrong_confident:10}")
    return "\n".join(lines)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    try:
        import sample_data.generate  # noqa: F401
    except ImportError:
        pytest.skip("the sample generator is not available")
    out = tmp_path_factory.mktemp("gen") / "mail"
    return out, generate(out, 10)


def test_generated_mail_reads_without_confident_wrong_amounts(
    generated: tuple[Path, dict[str, Any]],
) -> None:
    out, truth = generated
    tallies, kinds = score(out, truth)
    print(report(tallies, kinds))
    # A wrong amount that claims confidence is the failure that posts the wrong money.
    assert tallies["amount"].wrong == 0, tallies["amount"].examples
    for name in ("courtesy_amount", "legal_amount"):
        assert tallies[name].wrong_confident <= 1, tallies[name].examples
    checks = sum(1 for item in truth["items"] if item.get("kind") == "check")
    assert tallies["amount"].exact >= checks * 0.75, report(tallies, kinds)
    assert kinds.exact >= len(truth["items"]) * 0.7, kinds.examples


@pytest.mark.slow
def test_amounts_on_a_larger_generated_batch(tmp_path: Path) -> None:
    """Issue 3's amounts target on fresh mail: on printed checks both amounts agree and are right
    (the target is 97%); handwriting-style fonts, which stock Tesseract reads poorly, come out as
    disagreeing or unsure rather than wrong; and no amount that would post (both agree, one at 0.5
    or more) is ever wrong."""
    out = tmp_path / "mail"
    truth = generate(out, 80, seed=4242)
    right = {True: 0, False: 0}
    total = {True: 0, False: 0}
    wrong_posts: list[str] = []
    for item in truth["items"]:
        fields = item["fields"]
        want = fields.get("courtesy_amount")
        if item.get("kind") != "check" or want is None or want != fields.get("legal_amount"):
            continue
        items = read_file(out / "inbox" / item["source_file"], item["source_file"])
        front = next((i for i in items if i.page == item["page"]), items[0]).front
        if front is None:
            continue
        hand = bool(fields.get("handwritten"))
        total[hand] += 1
        c, legal = front.courtesy_amount, front.legal_amount
        agreed = c.value is not None and c.value == legal.value
        right[hand] += agreed and c.value == Decimal(want)
        if agreed and max(c.confidence, legal.confidence) >= 0.5 and c.value != Decimal(want):
            wrong_posts.append(f"{item['source_file']}: {want} read as {c.value}")
    print(f"printed {right[False]}/{total[False]}, handwritten {right[True]}/{total[True]}")
    assert not wrong_posts
    assert right[False] >= 0.95 * total[False]  # 47 of 48 when written
    assert right[True] >= 0.65 * total[True]  # 17 of 26; the recognizer read 20 when written


if __name__ == "__main__":
    target = Path(sys.argv[1])
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 60
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else SEED
    data = (
        generate(target, count, seed)
        if not (target / "truth.json").exists()
        else json.loads((target / "truth.json").read_text())
    )
    result, kind_tally = score(target, data)
    print(report(result, kind_tally))
    for t in [kind_tally, *result.values()]:
        for line in t.examples:
            print("  ", line)
