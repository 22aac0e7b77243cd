"""A generated 40-item run shared by the sample-data tests (generated once per test session)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from sample_data.generate import generate
from sample_data.truth import Manifest

AS_OF = date(2026, 11, 17)


def truth_items(out: Path) -> list[dict[str, object]]:
    """Every item of a generated run's truth file, as written."""
    items: list[dict[str, object]] = json.loads((out / "truth.json").read_text())["items"]
    return items


def rewritten_checks(
    base: Path, variant: Path, hand: str
) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """The items of two runs of one seed, the variant writing some handwritten checks in another
    hand (its truth's font starting `hand`): every item the same but for those checks' pictures,
    which differ, and every other file byte for byte the same. The (base, variant) pairs of the
    checks written otherwise."""
    a: list[dict[str, Any]] = truth_items(base)
    b: list[dict[str, Any]] = truth_items(variant)
    assert len(a) == len(b)
    mine = [
        (x, y)
        for x, y in zip(a, b, strict=True)
        if str(y["fields"].get("font", "")).startswith(hand)
    ]
    rewritten_files = {y["source_file"] for _, y in mine}
    for x, y in zip(a, b, strict=True):
        assert (x["source_file"], x["amount"]) == (y["source_file"], y["amount"])
        assert x["expected_codes"] == y["expected_codes"]
        same = (base / "inbox" / str(x["source_file"])).read_bytes() == (
            variant / "inbox" / str(y["source_file"])
        ).read_bytes()
        if y["source_file"] in rewritten_files:
            assert not same
        else:
            assert same
    for x, _ in mine:
        assert x["fields"]["handwritten"]
    return mine


@pytest.fixture(scope="session")
def run40(tmp_path_factory: pytest.TempPathFactory) -> Manifest:
    out = tmp_path_factory.mktemp("run40")
    return generate(out, seed=4242, items=40, as_of=AS_OF)


@pytest.fixture(scope="session")
def run24(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 24-item run in font hands, beside which other tests write its handwritten checks
    otherwise (`generate_like_run24`)."""
    out = tmp_path_factory.mktemp("run24")
    generate_like_run24(out)
    return out


def generate_like_run24(out: Path, stroke_hands: float = 0.0, real_digits: float = 0.0) -> None:
    """The same run as `run24`, that share of its handwritten checks written otherwise."""
    generate(
        out, seed=4243, items=24, as_of=AS_OF, stroke_hands=stroke_hands, real_digits=real_digits
    )


def beside_run24(
    run24: Path,
    tmp_path_factory: pytest.TempPathFactory,
    name: str,
    stroke_hands: float = 0.0,
    real_digits: float = 0.0,
) -> tuple[Path, Path]:
    """`run24` and the same run made again under `name`, that share of its handwritten checks
    written otherwise."""
    out = tmp_path_factory.mktemp(name)
    generate_like_run24(out, stroke_hands=stroke_hands, real_digits=real_digits)
    return run24, out


@pytest.fixture(scope="session")
def committed_sample() -> Manifest:
    """The sample committed under sample_data/sample (made by `make sample`)."""
    path = Path(__file__).resolve().parents[2] / "sample_data" / "sample" / "truth.json"
    assert path.is_file(), "sample_data/sample is missing: run `make sample`"
    return Manifest.load(path)
