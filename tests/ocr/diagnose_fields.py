"""Where the check-field readers fail: a runnable helper, not a test (pytest does not collect it).

    .venv/bin/python tests/ocr/diagnose_fields.py OUT_DIR [--items N] [--seed S] [--crops DIR]

Generates fresh mail with the sample generator (unless OUT_DIR already holds it), reads every check
front with `ocr.reader.read_file`, and prints, per field, each miss with the truth behind it (font,
handwritten, dpi, degradations, the raw text read) and a summary table. With --crops, the courtesy
and legal regions of every failing check are saved as PNGs to look at.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

FIELDS = ("courtesy_amount", "legal_amount", "date", "memo_account", "payer")


def _generate(out: Path, items: int, seed: int) -> None:
    cmd = [sys.executable, "-m", "sample_data", "generate", "--out", str(out)]
    cmd += ["--seed", str(seed), "--items", str(items)]
    subprocess.run(cmd, check=True, cwd=ROOT, capture_output=True)


def _jsonable(value: object) -> object:
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, date):
        return value.isoformat()
    return value


def _read_one(args: tuple[str, str]) -> list[dict[str, Any]]:
    """Every page of one file, as plain data (the pool hands it back across processes)."""
    from ocr.reader import read_file

    path, src = args
    start = time.perf_counter()
    items = read_file(Path(path), src)
    seconds = (time.perf_counter() - start) / max(1, len(items))
    out: list[dict[str, Any]] = []
    for item in items:
        front = item.front
        row: dict[str, Any] = {"page": item.page, "seconds": seconds, "front": front is not None}
        if front is not None:
            for name in FIELDS:
                f = getattr(front, name)
                row[name] = {"value": _jsonable(f.value), "conf": f.confidence, "raw": f.raw}
            row["warnings"] = front.warnings
        out.append(row)
    return out


def _same(name: str, want: object, got: object) -> bool:
    if name == "payer" and isinstance(want, str) and isinstance(got, str):
        norm = lambda s: " ".join(s.upper().replace(".", "").replace(",", "").split())  # noqa: E731
        return norm(want) == norm(got)
    return want == got


def _save_crops(out: Path, src: str, page_no: int, dest: Path) -> None:
    """The courtesy and legal regions the reader used, as PNGs named after the item."""
    import cv2

    from ocr.cleanup import clean_page
    from ocr.layout import field_regions, find_anchors
    from ocr.pages import load_pages
    from ocr.reader import _layout

    pages = load_pages(out / "inbox" / src, src)
    page = next((p for p in pages if p.page == page_no), pages[0])
    clean = clean_page(page)
    clean, words = _layout(clean)
    h, w = clean.image.shape
    anchors = find_anchors(words, w, h)
    micr_top = clean.micr_box[1] if clean.micr_box else None
    regions = field_regions(anchors, w, h, clean.dpi, micr_top)
    stem = src.replace("/", "_").rsplit(".", 1)[0] + f"-p{page_no}"
    for name, box in (("courtesy", regions.courtesy), ("legal", regions.legal)):
        x0, y0, x1, y1 = (max(0, v) for v in box)
        cv2.imwrite(str(dest / f"{stem}-{name}.png"), clean.image[y0:y1, x0:x1])


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("out", type=Path)
    p.add_argument("--items", type=int, default=100)
    p.add_argument("--seed", type=int, default=31415)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--crops", type=Path, default=None)
    p.add_argument("--only", default="", help="comma-separated fields to list misses for")
    args = p.parse_args()
    if not (args.out / "truth.json").exists():
        _generate(args.out, args.items, args.seed)
    truth = json.loads((args.out / "truth.json").read_text())
    checks = [t for t in truth["items"] if t.get("kind") == "check"]
    files = sorted({t["source_file"] for t in checks})
    jobs = [(str(args.out / "inbox" / src), src) for src in files]
    with ProcessPoolExecutor(args.workers) as pool:
        by_file = dict(zip(files, pool.map(_read_one, jobs), strict=True))
    results = []
    for t in checks:
        rows = by_file[t["source_file"]]
        row = next((r for r in rows if r["page"] == int(t["page"])), rows[0])
        results.append({**row, "source_file": t["source_file"], "page": int(t["page"])})
    (args.out / "diag.json").write_text(json.dumps(results, indent=1))
    only = set(args.only.split(",")) - {""}
    table = {name: [0, 0, 0, 0] for name in (*FIELDS, "amount (both agree)")}
    if args.crops:
        args.crops.mkdir(parents=True, exist_ok=True)
    for t, r in zip(checks, results, strict=True):
        f = t["fields"]
        head = (
            f"{t['source_file']}#{t['page']} font={f.get('font')} hand={f.get('handwritten')} "
            f"dpi={f.get('dpi')} layout={f.get('layout')} deg={f.get('degradations')}"
        )
        failed = False
        for name in FIELDS:
            want = f.get(name)
            if want is None:
                continue
            got = r.get(name, {}) if r["front"] else {}
            value, conf = got.get("value"), got.get("conf", 0.0)
            row = table[name]
            if value is None:
                row[1] += 1
                kind = "MISSING"
            elif _same(name, want, value):
                row[0] += 1
                continue
            else:
                row[2] += 1
                row[3] += conf >= 0.5
                kind = "WRONG"
            failed = failed or name in ("courtesy_amount", "legal_amount")
            if only and name not in only:
                continue
            text = {"courtesy_amount": "courtesy_text", "legal_amount": "legal_text"}.get(
                name, "memo_text" if name == "memo_account" else name + "_text"
            )
            print(
                f"{kind:7} {name:15} want={want!r} got={value!r} conf={conf:.2f} "
                f"raw={got.get('raw', '')!r} drawn={f.get(text)!r}\n        {head}"
            )
        c, legal = r.get("courtesy_amount", {}), r.get("legal_amount", {})
        both = table["amount (both agree)"]
        if c.get("value") is not None and c.get("value") == legal.get("value"):
            if c["value"] == f.get("courtesy_amount"):
                both[0] += 1
            else:
                both[2] += 1
                both[3] += max(c["conf"], legal["conf"]) >= 0.5
        else:
            both[1] += 1
        if failed and args.crops:
            _save_crops(args.out, t["source_file"], int(t["page"]), args.crops)
    print(f"\n{'field':22} exact  missing  wrong  wrong>=0.5   (of {len(checks)} checks)")
    for name, (ok, miss, wrong, wc) in table.items():
        total = ok + miss + wrong
        pct = 100 * ok / total if total else 0.0
        print(f"{name:22} {ok:5}  {miss:7}  {wrong:5}  {wc:10}   {pct:5.1f}%")
    secs = [r["seconds"] for r in results]
    print(f"seconds per check: mean {sum(secs) / len(secs):.2f}, max {max(secs):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
