from __future__ import annotations

import json
from pathlib import Path

import pytest


@pytest.fixture(scope="session", autouse=True)
def _prefect(prefect_backend: None) -> None:
    """Every flow test talks to the session's throw-away Prefect backend (tests/conftest.py)."""


def load_truth(sample: Path) -> dict:
    return json.loads((sample / "truth.json").read_text())
