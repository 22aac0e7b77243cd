"""Real crops with true labels: generated check fronts read by the pipeline up to `isolate`, so the
recognizer also learns (and is measured) on exactly what the amount reader cuts out of a page.

Only seeds of 900000 and above are used here; no test or benchmark generates mail with those.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ocr.recognizer import prepare
from training.fonts import small_caps_named

FIRST_SEED = 900_000


@dataclass(frozen=True)
class Crop:
    image: np.ndarray  # uint8, the network input times 255
    label: str
    font: str
    kind: str  # courtesy | legal | date | memo
    hand: bool


def _crops_of(job: tuple[str, str, list[dict[str, Any]]]) -> list[Crop]:
    """The courtesy, legal, date and memo lines of every check page of one scan file, cut out as
    the reader does."""
    from ocr.cleanup import clean_page
    from ocr.courtesy import courtesy_region
    from ocr.fields import date_and_memo_jobs
    from ocr.isolate import isolate
    from ocr.layout import field_regions, find_anchors
    from ocr.legal import legal_region
    from ocr.pages import load_pages
    from ocr.reader import _layout

    path, src, truths = job
    out: list[Crop] = []
    try:
        pages = load_pages(Path(path), src)
    except Exception:  # noqa: BLE001 - an unreadable file is no training data
        return out
    for t in truths:
        page = next((p for p in pages if p.page == int(t["page"])), None)
        if page is None:
            continue
        f = t["fields"]
        clean, words = _layout(clean_page(page))
        h, w = clean.image.shape
        anchors = find_anchors(words, w, h)
        micr_top = clean.micr_box[1] if clean.micr_box else None
        regions = field_regions(anchors, w, h, clean.dpi, micr_top)
        legal_box, rule = legal_region(clean.image, clean.dpi, regions)
        court_box = courtesy_region(clean.image, clean.dpi, regions, anchors, rule)
        date_job, memo_job = date_and_memo_jobs(
            clean.image, clean.dpi, regions, anchors, words, micr_top
        )
        wanted = (
            ("courtesy", court_box, (f.get("courtesy_text") or "").lstrip("*"), False),
            ("legal", legal_box, f.get("legal_text") or "", True),
            ("date", date_job.box, f.get("date_text") or "", False),
            ("memo", memo_job.box, f.get("memo_text") or "", False),
        )
        small_caps = small_caps_named(str(f.get("font")))
        for kind, box, label, trim in wanted:
            if not label:
                continue
            line = isolate(clean.image, box, clean.dpi, trim_filler=trim)
            if line is None:
                continue
            if small_caps:
                label = label.upper()
            image = prepare(line.image, line.tall)
            per_char = image.shape[1] / max(1, len(label))
            if (
                not 3.0 <= per_char <= 30.0
            ):  # the crop holds much more, or much less, than the label
                continue
            out.append(
                Crop(
                    (image * 255).astype(np.uint8),
                    label,
                    str(f.get("font")),
                    kind,
                    bool(f.get("handwritten")),
                )
            )
    return out


def harvest(seed: int, items: int, workers: int = 2, keep: Path | None = None) -> list[Crop]:
    """Generate `items` items of mail with `seed` and cut out every check's written lines."""
    if seed < FIRST_SEED:
        raise ValueError(f"harvest seeds start at {FIRST_SEED}: lower ones belong to tests")
    with tempfile.TemporaryDirectory(prefix="lockbox-harvest-") as tmp:
        out = keep or Path(tmp)
        if not (out / "truth.json").exists():
            cmd = [sys.executable, "-m", "sample_data", "generate", "--out", str(out)]
            cmd += ["--seed", str(seed), "--items", str(items)]
            subprocess.run(cmd, check=True, capture_output=True)
        truth = json.loads((out / "truth.json").read_text())
        by_file: dict[str, list[dict[str, Any]]] = {}
        for t in truth["items"]:
            if t.get("kind") == "check":
                by_file.setdefault(t["source_file"], []).append(t)
        jobs = [(str(out / "inbox" / src), src, ts) for src, ts in sorted(by_file.items())]
        with ProcessPoolExecutor(workers) as pool:
            return [c for found in pool.map(_crops_of, jobs) for c in found]
