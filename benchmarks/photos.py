"""Phone photos against scans of the same checks.

One seed's mail is generated twice: as the scanner sends it, and with every check front sent alone
as a PNG or JPEG coming as a phone's picture of it instead (on a desk, at a slant, unevenly lit,
a JPEG that says 72 dpi: `sample_data.photo`). Both runs go through the nightly flow; the checks
that were photographed are scored in each, so the table shows what a photo costs against a scan.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from benchmarks.pipeline import (
    AS_OF,
    Outcome,
    field_table,
    generate_mail,
    load_truth,
    run_sample,
)
from benchmarks.table import render_table


def _check(t: dict[str, Any]) -> tuple[str, int]:
    """A truth item's check, whatever its file became: item-0003.png scanned is item-0003.jpg
    photographed."""
    return t["source_file"].rsplit(".", 1)[0], int(t["page"])


def run(items: int, seed: int, workdir: Path) -> tuple[Outcome, Outcome]:
    """The photographed checks as scanned and as photographed: (scans, photos)."""
    photo_mail = generate_mail(items, seed, workdir, AS_OF, photos=1.0)
    scan_mail = generate_mail(items, seed, workdir, AS_OF)
    shot = {_check(t) for t in load_truth(photo_mail)["items"] if "photo" in t["fields"]}

    def chosen(t: dict[str, Any]) -> bool:
        return _check(t) in shot

    photos = run_sample(photo_mail, workdir, f"photos-{seed}", keep=chosen)
    scans = run_sample(scan_mail, workdir, f"scans-{seed}", keep=chosen)
    return scans, photos


def report(scans: Outcome, photos: Outcome) -> str:
    rows = []
    for name, out in (("scanned", scans), ("photographed", photos)):
        rows.append(
            [
                name,
                out.items,
                f"{100 * out.posted_right / max(1, out.should_post):.1f}%"
                f" ({out.posted_right}/{out.should_post})",
                f"{100 * out.caught / max(1, out.planted):.1f}% ({out.caught}/{out.planted})",
                out.wrong,
            ]
        )
    table = render_table(
        ["the same checks", "items", "straight-through", "exceptions caught", "wrong postings"],
        rows,
    )
    held = ", ".join(f"{c} {n}" for c, n in photos.held_codes.most_common()) or "none"
    return (
        f"{table}\n\nphotographed good items held, by code: {held}\n\n"
        f"{field_table(photos.fields, 'field of a photographed check')}"
    )
