"""A generated 40-item run shared by the sample-data tests (generated once per test session)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from sample_data.generate import generate
from sample_data.truth import Manifest

AS_OF = date(2026, 11, 17)


def truth_items(out: Path) -> list[dict[str, object]]:
    """Every item of a generated run's truth file, as written."""
    items: list[dict[str, object]] = json.loads((out / "truth.json").read_text())["items"]
    return items


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


@pytest.fixture(scope="session")
def committed_sample() -> Manifest:
    """The sample committed under sample_data/sample (made by `make sample`)."""
    path = Path(__file__).resolve().parents[2] / "sample_data" / "sample" / "truth.json"
    assert path.is_file(), "sample_data/sample is missing: run `make sample`"
    return Manifest.load(path)
