"""`benchmarks` is run from the project folder (`python -m benchmarks`), not installed: put the
project folder on the import path for these tests."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = str(Path(__file__).resolve().parents[2])
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)
