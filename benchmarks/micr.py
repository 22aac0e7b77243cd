"""MICR line reading over three sources, as `lockbox read` reads them (ocr.reader.read_path_pages):

- the project's generator, a fresh seed (truth: fields.micr_line);
- the held-out part of the real scanned lines in ../shared/data/micr-real (the split training
  uses: training.micr.part_of), read as the band images they are, with their lying tags;
- the foreign development set's check fronts, which carry no MICR truth: there the table gives
  the share whose routing number was read and passed its check digit, and how many distinct
  routing numbers one check's two scans gave (a duplicate pair must agree).

Lines exact, rejected (no line, or one with an unsure `?`), misread (a whole line read wrong:
the worst outcome) and characters right (1 - edit distance / truth length), spaces ignored.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path

from rapidfuzz.distance import Levenshtein

from benchmarks.table import render_table
from ocr import read_path_pages


@dataclass
class Score:
    lines: int = 0
    exact: int = 0
    rejected: int = 0
    misread: int = 0
    chars: int = 0
    chars_right: int = 0
    seconds: float = 0.0
    wrong: list[str] = field(default_factory=list)

    def add(self, got: str | None, want: str, name: str) -> None:
        got_s = "".join((got or "").split())
        want_s = "".join(want.split())
        self.lines += 1
        self.chars += len(want_s)
        self.chars_right += max(0, len(want_s) - Levenshtein.distance(got_s, want_s))
        if got_s == want_s:
            self.exact += 1
        elif not got_s or "?" in got_s:
            self.rejected += 1
        else:
            self.misread += 1
            self.wrong.append(f"{name}: read {got_s} for {want_s}")

    def row(self, source: str) -> list[str]:
        def pct(n: int, d: int) -> str:
            return f"{100 * n / d:.1f}%" if d else "-"

        per = f"{1000 * self.seconds / self.lines:.0f}" if self.lines else "-"
        return [
            source,
            str(self.lines),
            pct(self.exact, self.lines),
            pct(self.rejected, self.lines),
            pct(self.misread, self.lines),
            pct(self.chars_right, self.chars),
            per,
        ]


def _micr_text(path: Path) -> str | None:
    readings = read_path_pages(path)
    micr = readings[0].micr if readings else None
    return micr.text if micr else None


def real_lines() -> Score:
    from training.micr import real_line_files

    score = Score()
    for tif, want in real_line_files("test"):
        started = time.perf_counter()
        got = _micr_text(tif)
        score.seconds += time.perf_counter() - started
        score.add(got, want, tif.name)
    return score


def generated(items: int, seed: int, workdir: Path) -> Score:
    from datetime import date

    from sample_data.generate import generate

    out = workdir / f"micr-gen-{seed}-{items}"
    if not (out / "truth.json").is_file():
        generate(out, seed=seed, items=items, as_of=date(2026, 11, 17))
    truth = json.loads((out / "truth.json").read_text())["items"]
    score = Score()
    for t in truth:
        fields = t.get("fields") or {}
        want = fields.get("micr_line")
        if not want or "micr_damage" in fields or t["source_file"].endswith(".pdf"):
            continue
        started = time.perf_counter()
        got = _micr_text(out / "inbox" / t["source_file"])
        score.seconds += time.perf_counter() - started
        score.add(got, want, t["source_file"])
    return score


def foreign_routing(data: Path) -> tuple[int, int, int, int]:
    """(check fronts, routing read and valid, duplicate pairs, pairs that disagree)."""
    truth = json.loads((data / "truth.json").read_text())["items"]
    fronts = [
        t
        for t in truth
        if t["page"] == 1 and t["category"] != "blank" and not t["source_file"].endswith(".pdf")
    ]
    routing: dict[int, set[str]] = {}
    valid = 0
    for t in fronts:
        readings = read_path_pages(data / "inbox" / t["source_file"])
        micr = readings[0].micr if readings else None
        if micr and micr.routing_valid and micr.routing:
            valid += 1
            routing.setdefault(t["dup_of"] if t["dup_of"] is not None else t["check"], set()).add(
                micr.routing
            )
    pairs = sum(1 for t in fronts if t["dup_of"] is not None)
    disagree = sum(1 for numbers in routing.values() if len(numbers) > 1)
    return len(fronts), valid, pairs, disagree


def report(items: int, seed: int, workdir: Path, foreign: Path | None) -> str:
    rows = []
    gen = generated(items, seed, workdir)
    rows.append(gen.row(f"our generator (seed {seed})"))
    real = real_lines()
    rows.append(real.row("real lines, held-out part"))
    table = render_table(
        ["source", "lines", "exact", "rejected", "misread", "chars right", "ms/line"], rows
    )
    lines = [table]
    if foreign is not None and (foreign / "truth.json").is_file():
        fronts, valid, pairs, disagree = foreign_routing(foreign)
        lines.append(
            f"foreign development set: routing read (check digit valid) on {valid} of {fronts}"
            f" check fronts ({100 * valid / max(fronts, 1):.1f}%); {pairs} second scans,"
            f" {disagree} checks whose scans gave different routing numbers"
        )
    for wrong in (gen.wrong + real.wrong)[:15]:
        lines.append(f"  misread {wrong}")
    return "\n".join(lines)
