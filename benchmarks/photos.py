"""Phone photos against scans of the same checks.

One seed's mail is generated twice: as the scanner sends it, and with every check front sent alone
as a PNG or JPEG coming as a phone's picture of it instead (on a desk, at a slant, unevenly lit,
a JPEG that says 72 dpi: `sample_data.photo`). Both runs go through the nightly flow; the checks
that were photographed are scored in each, so the table shows what a photo costs against a scan.

The foreign development set's lone check fronts are photographed the same way (into the workdir,
its inbox copied there), so that photos are also measured on stock and hands we did not draw.
"""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path
from typing import Any

from PIL import Image

from benchmarks import foreign
from benchmarks.pipeline import (
    AS_OF,
    Outcome,
    field_table,
    generate_mail,
    side_by_side,
    the_same_checks,
)
from benchmarks.table import render_table
from sample_data.image_files import save_photo
from sample_data.photo import SCENES, photograph, plan_photo


def run(items: int, seed: int, workdir: Path) -> tuple[Outcome, Outcome]:
    """The photographed checks as scanned and as photographed: (scans, photos)."""
    photo_mail = generate_mail(items, seed, workdir, AS_OF, photos=1.0)
    scan_mail = generate_mail(items, seed, workdir, AS_OF)
    return the_same_checks(
        scan_mail,
        photo_mail,
        lambda t: "photo" in t["fields"],
        workdir,
        (f"scans-{seed}", f"photos-{seed}"),
    )


def report(scans: Outcome, photos: Outcome) -> str:
    return side_by_side([("scanned", scans), ("photographed", photos)], "a photographed check")


def _lone_fronts(truth: dict[str, Any], inbox: Path) -> list[dict[str, Any]]:
    """The set's items sent alone as one image (not a PDF, not with a coupon), and no copy of
    another check or copied by one, so that scoring them alone keeps every expectation."""
    copied = {t["dup_of"] for t in truth["items"] if t.get("dup_of") is not None}
    out = []
    for t in truth["items"]:
        src = str(t["source_file"])
        if src.lower().endswith(".pdf") or t.get("dup_of") is not None or t["check"] in copied:
            continue
        with Image.open(inbox / src) as image:
            if getattr(image, "n_frames", 1) == 1:
                out.append(t)
    return out


def _photographed_inbox(
    data: Path, dest: Path, chosen: list[dict[str, Any]], seed: int
) -> tuple[dict[str, str], dict[str, str]]:
    """A copy of the set's inbox with each chosen file a phone's JPEG of it instead: the new
    file names by the old, and the scene each new file was photographed in."""
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(data / "inbox", dest)
    renamed, scenes = {}, {}
    for t in chosen:
        src = str(t["source_file"])
        rng = random.Random(f"photo:{seed}:{src}")
        style = plan_photo(rng)
        with Image.open(data / "inbox" / src) as scan:
            picture, _ = photograph(scan, style, rng)
        new = src.rsplit(".", 1)[0] + ".jpg"
        (dest / src).unlink()
        save_photo(picture, dest / new, style.quality)
        renamed[src] = new
        scenes[new] = style.scene
    return renamed, scenes


def run_foreign(
    data: Path, workdir: Path, seed: int
) -> tuple[foreign.ForeignScore, foreign.ForeignScore, dict[str, foreign.ForeignScore]]:
    """The foreign set's lone check fronts as scanned and as photographed: (scans, photos, the
    photos by the scene they were taken in)."""
    truth = json.loads((data / "truth.json").read_text(encoding="utf-8"))
    chosen = _lone_fronts(truth, data / "inbox")
    work = workdir / "foreign-photos"
    renamed, scenes = _photographed_inbox(data, work / "inbox", chosen, seed)
    scanned_truth = {"as_of": truth["as_of"], "items": chosen}
    photo_truth = {
        "as_of": truth["as_of"],
        "items": [{**t, "source_file": renamed[str(t["source_file"])]} for t in chosen],
    }
    scans, _ = foreign.run_inbox(data, data / "inbox", scanned_truth, work / "scanned")
    photos, home = foreign.run_inbox(data, work / "inbox", photo_truth, work / "photographed")
    recorded = foreign.recorded_items(home)
    by_scene = {
        scene: foreign.score(
            {
                "as_of": truth["as_of"],
                "items": [t for t in photo_truth["items"] if scenes[t["source_file"]] == scene],
            },
            recorded,
        )
        for scene in SCENES
    }
    return scans, photos, by_scene


def report_foreign(
    scans: foreign.ForeignScore,
    photos: foreign.ForeignScore,
    by_scene: dict[str, foreign.ForeignScore],
) -> str:
    named = [("scanned", scans), ("photographed", photos)]
    named += [(f"photographed, {scene}", out) for scene, out in by_scene.items() if out.items]
    rows = [
        [
            name,
            out.items,
            foreign.pct(out.posted_right, out.should_post),
            foreign.pct(out.caught, out.must_hold),
            len(out.wrong),
        ]
        for name, out in named
    ]
    table = render_table(
        ["the same checks", "items", "straight-through", "caught", "wrong money"], rows
    )
    held = ", ".join(f"{c} {n}" for c, n in photos.held_codes.most_common()) or "none"
    wrong = "".join(f"\n   {line}" for line in photos.wrong)
    return (
        f"{table}\n\nphotographed good items held, by code: {held}\n\n"
        f"{field_table(photos.fields, 'field of a photographed check')}{wrong}"
    )
