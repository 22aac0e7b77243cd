"""`make demo`: load the sample loan book, run the nightly flow over the sample mail, print the summary.

Uses the committed sample under sample_data/sample (or generates one on the spot when it is absent),
then compares the outcome with the sample's ground truth so a new user sees what was expected.
"""

from __future__ import annotations

import csv
import json
import os
import sys
import tempfile
from collections import Counter
from datetime import date
from pathlib import Path

from lockbox.cli import main as lockbox

SAMPLE = Path(__file__).parent / "sample"


def ensure_sample() -> Path:
    if (SAMPLE / "truth.json").is_file() and (SAMPLE / "inbox").is_dir():
        return SAMPLE
    from sample_data.generate import generate

    out = Path(os.environ.get("LOCKBOX_HOME", tempfile.mkdtemp())) / "sample"
    print(f"No committed sample found; generating one in {out} ...")
    generate(out, seed=20261125, items=20, as_of=date(2026, 11, 17))
    return out


def compare_with_truth(sample: Path, items_csv: Path) -> str:
    truth = json.loads((sample / "truth.json").read_text())
    expected = {(t["source_file"], int(t["page"])): t for t in truth["items"]}
    got: dict[tuple[str, int], dict[str, str]] = {}
    with items_csv.open(newline="") as f:
        for line in csv.DictReader(f):
            got[(line["source_file"], int(line["page"]))] = line
    outcome: Counter[str] = Counter()
    for key, t in expected.items():
        row = got.get(key)
        if row is None:
            outcome["missing"] += 1
        elif t["expected_status"] == "posted":
            if row["status"] != "posted":
                outcome["should have posted, held for review"] += 1
            elif row["loan_account"] == t["loan_account"] and row["amount"] == t["amount"]:
                outcome["posted correctly"] += 1
            else:
                outcome["POSTED WRONG"] += 1
        elif row["status"] == "posted":
            outcome["PLANTED EXCEPTION POSTED"] += 1
        else:
            outcome["planted exception caught"] += 1
    lines = [f"Compared with the sample's ground truth ({len(expected)} items):"]
    lines += [f"  {k:<40}{v:>4}" for k, v in sorted(outcome.items())]
    return "\n".join(lines)


def main() -> int:
    sample = ensure_sample()
    truth = json.loads((sample / "truth.json").read_text())
    home = Path(os.environ.get("LOCKBOX_HOME", Path.home() / ".lockbox"))
    print(f"Loan book: {sample / 'loans.csv'}")
    if lockbox(["loans", "import", str(sample / "loans.csv")]) != 0:
        return 1
    print(f"Running the nightly flow over {sample / 'inbox'} (business date {truth['as_of']}) ...")
    status = lockbox(["run", "--inbox", str(sample / "inbox"), "--as-of", truth["as_of"]])
    if status != 0:
        return status
    items_csv = home / "items.csv"
    lockbox(["export", "items", "--out", str(items_csv)])
    print(compare_with_truth(sample, items_csv))
    print(
        f"\nNext: `.venv/bin/lockbox review list` (with LOCKBOX_HOME={home}) to work the exceptions."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
