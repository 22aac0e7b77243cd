"""Train the E-13B line reader (ocr/models/micr_line.onnx) from scratch: `make micr-model`.

Each example is a whole code line cut out the way reading cuts it (upright, MARGIN of paper above
and below), with its text and no character boxes, so lines whose characters break or touch are
learned as they are. Sources: lines drawn from the project's E-13B geometry and from the GnuMICR
font (training only, never shipped), roughened as scanners and printers roughen them; the
train and calibration parts of the real scanned lines (the fixed split of training.micr; with
`--parts train` the calibration part is left for training.calibrate_micr); and lines that are
not a code line at all (printed text, code lines upside down), which must read as nothing.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from pathlib import Path

import cv2
import numpy as np

from ocr.micr.glyphs import render_micr
from ocr.micr.lines import ink_mask
from ocr.micr.sequence import HEIGHT, MARGIN, MODEL, to_input
from training.dataset import LineSet
from training.micr import SEED, gnumicr_line, random_line, real_lines, roughen

LABELS = "0123456789TUAD"
NOT_MICR = (
    "Pay to the order of",
    "PAY",
    "DOLLARS",
    "Memo",
    "FOR",
    "Date",
    "AUTHORIZED SIGNATURE",
    "First National Bank of Texas",
    "1501 North Plano Rd., Suite 100",
    "P.O. Box 650805 Dallas TX 75265-0805",
    "Loan 4417 2093 5561",
    "$ 1,234.56",
    "Four hundred twelve and 50/100",
    "Check No. 10458",
    "Account 000123456789",
)


def frame(gray: np.ndarray, rng: random.Random | None) -> np.ndarray | None:
    """The line's rows with paper above and below, as reading cuts a line found on a page (a
    little more or less of it, and of the ends, when `rng` is given); None when there is no ink."""
    _, mask = ink_mask(gray)
    rows = np.count_nonzero(mask, axis=1)
    if rows.max(initial=0) == 0:
        return None
    tall = np.flatnonzero(rows >= 0.08 * rows.max())
    top, bottom = int(tall[0]), int(tall[-1]) + 1
    cols = np.flatnonzero(np.count_nonzero(mask[top:bottom], axis=0))
    left, right = int(cols[0]), int(cols[-1]) + 1
    h = bottom - top
    margin = (rng.uniform(0.2, 0.55) if rng else MARGIN) * h
    pad_l = (rng.uniform(0.3, 3.0) if rng else 1.0) * h
    pad_r = (rng.uniform(0.3, 3.0) if rng else 1.0) * h
    big = cv2.copyMakeBorder(gray, 4 * h, 4 * h, 4 * h, 4 * h, cv2.BORDER_CONSTANT, value=255)
    y0, y1 = int(top - margin) + 4 * h, int(bottom + margin) + 4 * h
    x0, x1 = int(left - pad_l) + 4 * h, int(right + pad_r) + 4 * h
    return np.asarray(big[y0:y1, x0:x1])


def line_text(rng: random.Random) -> str:
    """A code line as checks carry them, or now and then any mix of the 14 characters and blank
    positions (a lone dash or symbol, a field cut short), so no arrangement is unheard of."""
    if rng.random() < 0.85:
        return random_line(rng)
    chars = [rng.choice("0123456789TUAD  ") for _ in range(rng.randint(3, 30))]
    text = " ".join("".join(chars).split())
    return text or "0"


def _drawn(text: str, rng: random.Random) -> np.ndarray:
    dpi = rng.uniform(130, 420)
    if rng.random() < 0.35:
        img = gnumicr_line(text, int(round(0.117 * dpi)))
    else:
        img = render_micr(text, int(round(dpi)))
        img = cv2.copyMakeBorder(img, 20, 20, 20, 20, cv2.BORDER_CONSTANT, value=255)
    # reading straightens the line by its measured slope: what is left is a fraction of a degree
    return roughen(img, rng, max_skew=0.4)


def _printed(rng: random.Random) -> np.ndarray:
    from PIL import Image, ImageDraw, ImageFont

    from training.fonts import training_fonts

    fonts = [f for f in training_fonts() if not f.hand] or training_fonts()
    font = ImageFont.truetype(str(rng.choice(fonts).path), rng.randint(18, 60))
    words = " ".join(rng.sample(NOT_MICR, rng.randint(1, 3)))
    box = font.getbbox(words)
    img = Image.new("L", (box[2] - box[0] + 40, box[3] - box[1] + 40), 255)
    ImageDraw.Draw(img).text((20 - box[0], 20 - box[1]), words, font=font, fill=0)
    return roughen(np.asarray(img), rng, max_skew=0.4)


def examples(count: int, rng: random.Random) -> LineSet:
    """`count` drawn lines, a tenth of them no code line (printed text, a line upside down)."""
    out = LineSet([], [], [], [])
    for n in range(count):
        kind, label = "drawn", ""
        if n % 10 == 9:
            img, kind = _printed(rng), "printed"
        elif n % 10 == 8:
            img, kind = cv2.rotate(_drawn(line_text(rng), rng), cv2.ROTATE_180), "upside down"
        else:
            text = line_text(rng)
            img, label = _drawn(text, rng), text.replace(" ", "")
        crop = frame(img, rng)
        if crop is not None:
            out.images.append(to_input(crop))
            out.labels.append(label)
            out.fonts.append("")
            out.kinds.append(kind)
    return out


def real(parts: list[str], copies: int, rng: random.Random | None) -> LineSet:
    out = LineSet([], [], [], [])
    for name, image, truth in real_lines(*parts):
        for _ in range(copies):
            crop = frame(image, rng)
            if crop is not None:
                out.images.append(to_input(crop))
                out.labels.append(truth)
                out.fonts.append(name)
                out.kinds.append("real")
    return out


def train(args: argparse.Namespace) -> dict[str, object]:
    import torch

    from training.train import export, predict
    from training.train import train as fit

    random.seed(SEED)
    np.random.seed(SEED)
    torch.manual_seed(SEED)
    rng = random.Random(SEED)
    started = time.time()
    data = examples(args.drawn, rng)
    drawn = len(data)
    parts = args.parts.split(",")
    data.extend(real(parts, copies=args.real_weight, rng=rng))
    check = real(["test"], copies=1, rng=None)
    print(
        f"lines: {drawn} drawn, {len(data) - drawn} real for training; {len(check)} real held out",
        flush=True,
    )
    model = fit(data, LABELS, args.steps, SEED, check=check, width=args.width)
    out = Path(args.out)
    export(model, out)
    got = predict(model, check.images, LABELS)
    exact = sum(g == w for g, w in zip(got, check.labels, strict=True))
    recipe: dict[str, object] = {
        "labels": LABELS,
        "height": HEIGHT,
        "margin": MARGIN,
        "seed": SEED,
        "steps": args.steps,
        "width": args.width,
        "drawn_lines": args.drawn,
        "real_weight": args.real_weight,
        "real_lines": {"train": (len(data) - drawn) // args.real_weight, "test": len(check)},
        "split": "sha256(file name) starts with 0-3: test, 4-5: calibration, else train"
        " (training.micr.part_of)",
        "trained_on_parts": parts,
        "held_out_real_lines_exact_greedy": round(exact / max(len(check), 1), 4),
        "minutes": round((time.time() - started) / 60, 1),
    }
    out.with_suffix(".json").write_text(json.dumps(recipe, indent=2) + "\n")
    return recipe


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--drawn", type=int, default=8000, help="drawn lines")
    parser.add_argument("--real-weight", type=int, default=3, help="framings of each real line")
    parser.add_argument("--steps", type=int, default=6000)
    parser.add_argument("--width", type=int, default=96, help="the network's channels")
    parser.add_argument(
        "--parts", default="train,calibration", help="parts of the real lines to train on"
    )
    parser.add_argument("--out", default=str(MODEL))
    print(json.dumps(train(parser.parse_args()), indent=2))


if __name__ == "__main__":
    main()
