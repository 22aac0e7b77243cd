from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest


@pytest.fixture(scope="session", autouse=True)
def prefect_backend() -> Iterator[None]:
    """One throw-away Prefect backend for the whole session (what ephemeral mode does per process)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture(scope="session")
def small_mail(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh 16-item mail set with a seed of the tests' own (not the committed sample's)."""
    from sample_data.generate import generate

    out = tmp_path_factory.mktemp("mail")
    generate(out, seed=31337, items=16, as_of=date(2026, 11, 17))
    return out


def load_truth(sample: Path) -> dict:
    return json.loads((sample / "truth.json").read_text())
