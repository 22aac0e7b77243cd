"""Train the E-13B character classifier (ocr/models/micr.onnx) from scratch: `make micr-model`.

Every example is a character box cut by the reader's own segmentation (ocr.micr.characters.
labelled_boxes) from a whole line, so training sees what reading sees. Lines come from three
sources: lines drawn from the project's E-13B geometry and from the GnuMICR font (training only,
never shipped), both roughened the way scanners and printers roughen them, and the training part
of the real scanned lines in ../shared/data/micr-real (split by a fixed rule on the file name;
the rest is the test part the recipe reports). Boxes holding a part of a symbol or two
characters are the "not a character" class.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import random
import time
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np

from ocr.micr.characters import labelled_boxes
from ocr.micr.glyphs import render_micr
from ocr.micr.learned import MODEL, REJECT, SIZE, prepare
from ocr.micr.lines import as_gray, cut_strip, ink_mask, lines_at_every_scale

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT.parent / "shared" / "data" / "micr-real"
GNUMICR = ROOT.parent / "shared" / "fonts" / "gnumicr" / "GnuMICR.ttf"
GT_TO_CONTRACT = str.maketrans({"A": "T", "B": "A", "C": "U", "D": "D"})
LABELS = "0123456789TUAD" + REJECT
TAGGED_DPI = 200  # what the real lines' tags are read as: they say 1 dpi, so scale is measured
SEED = 20261206


PARTS = {"test": "0123", "calibration": "45"}  # the rest of the hex digits: "train"


def part_of(name: str) -> str:
    """The fixed split of the real lines by the file name's hash: a quarter is the test part the
    benchmark reports, an eighth the calibration part reading's thresholds are fitted on, and
    the rest the train part."""
    first = hashlib.sha256(name.encode()).hexdigest()[0]
    return next((part for part, digits in PARTS.items() if first in digits), "train")


def real_line_files(*parts: str) -> list[tuple[Path, str]]:
    """(image file, truth in the contract's letters without spaces) of the given parts, by name."""
    out = []
    for tif in sorted(REAL.glob("*.tif")):
        gt = REAL / (tif.stem + ".gt.txt")
        if gt.is_file() and part_of(tif.name) in parts:
            out.append((tif, "".join(gt.read_text().split()).translate(GT_TO_CONTRACT)))
    return out


def real_lines(*parts: str) -> Iterator[tuple[str, np.ndarray, str]]:
    """(name, grey image, truth) of the given parts."""
    from ocr.pages import load_pages

    for tif, truth in real_line_files(*parts):
        yield tif.name, load_pages(tif)[0].image, truth


def random_line(rng: random.Random) -> str:
    """A code line as checks carry them: transit, on-us, serial, sometimes the amount field."""

    def digits(lo: int, hi: int) -> str:
        return "".join(rng.choice("0123456789") for _ in range(rng.randint(lo, hi)))

    routing = "T" + digits(9, 9) + "T"
    account = digits(4, 8) + rng.choice(["", "D" + digits(1, 4)]) + digits(0, 4) + "U"
    shapes = [
        f"{routing} {account} {digits(3, 5)}",
        f"U{digits(4, 8)}U {routing} {account}",
        f"{routing}{digits(4, 10)}U{digits(3, 4)}",
        f"{digits(3, 5)} {routing} {account}",
    ]
    line = rng.choice(shapes)
    if rng.random() < 0.3:
        line += "  A" + digits(10, 10) + "A"
    return line


def gnumicr_line(text: str, height_px: int) -> np.ndarray:
    """`text` (project letters) set in GnuMICR with characters about `height_px` tall."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(str(GNUMICR), int(height_px * 1.45))
    ours_to_font = str.maketrans({"T": "A", "A": "B", "U": "C", "D": "D"})
    glyphs = text.translate(ours_to_font)
    box = font.getbbox(glyphs)
    pad = height_px
    img = Image.new("L", (box[2] - box[0] + 2 * pad, box[3] - box[1] + 2 * pad), 255)
    ImageDraw.Draw(img).text((pad - box[0], pad - box[1]), glyphs, font=font, fill=0)
    return np.asarray(img)


def roughen(img: np.ndarray, rng: random.Random, max_skew: float = 2.0) -> np.ndarray:
    """What printing and scanning do to a line: ink spread or thinning, voids, specks, blur,
    skew, noise, a bitonal threshold or JPEG."""
    out = img.astype(np.float32)
    h, w = out.shape
    k = rng.choice([0, 0, 2, 3])
    if k:
        kernel = np.ones((k, k), np.uint8)
        op = cv2.erode if rng.random() < 0.5 else cv2.dilate  # erode spreads dark ink
        out = op(out, kernel)
    for _ in range(rng.randint(0, 12)):  # voids in the ink and toner specks on the paper
        x, y, r = rng.randrange(w), rng.randrange(h), rng.uniform(0.5, 2.0)
        cv2.circle(out, (x, y), int(round(r)), 255.0 if rng.random() < 0.6 else 0.0, -1)
    angle = rng.uniform(-max_skew, max_skew)
    rot = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    out = cv2.warpAffine(out, rot, (w, h), borderValue=255.0)
    sigma = rng.uniform(0.0, 1.3)
    if sigma > 0.3:
        out = cv2.GaussianBlur(out, (0, 0), sigma)
    ink, paper = rng.uniform(0, 90), rng.uniform(170, 255)
    out = ink + (paper - ink) * out / 255.0
    out += np.asarray(
        np.random.default_rng(rng.randrange(1 << 30)).normal(0, rng.uniform(0, 12), out.shape)
    )
    out = np.clip(out, 0, 255).astype(np.uint8)
    if rng.random() < 0.5:
        thr = rng.uniform(0.35, 0.65) * (ink + paper)
        out = np.where(out < thr, 0, 255).astype(np.uint8)
    elif rng.random() < 0.4:
        ok, enc = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, rng.randint(30, 90)])
        if ok:
            out = cv2.imdecode(enc, cv2.IMREAD_GRAYSCALE)
    return out


def boxes_of(gray: np.ndarray, text: str, dpi: float) -> list[tuple[np.ndarray, str]]:
    """The labelled boxes of the first line candidate the reader's segmentation can align."""
    gray = as_gray(gray)
    _, mask = ink_mask(gray)
    for cand in itertools.islice(lines_at_every_scale(mask, dpi), 4):
        found = labelled_boxes(cut_strip(gray, cand), text)
        if found:
            return found
    return []


def synthetic(count: int, rng: random.Random) -> list[tuple[np.ndarray, str]]:
    out: list[tuple[np.ndarray, str]] = []
    for n in range(count):
        text = random_line(rng)
        dpi = rng.uniform(130, 420)
        if n % 3 == 2:
            img = gnumicr_line(text, int(round(0.117 * dpi)))
        else:
            img = render_micr(text, int(round(dpi)))
            img = cv2.copyMakeBorder(img, 20, 20, 20, 20, cv2.BORDER_CONSTANT, value=255)
        out += boxes_of(roughen(img, rng), text.replace(" ", ""), dpi)
    return out


def real(*parts: str) -> tuple[list[tuple[np.ndarray, str]], int]:
    out: list[tuple[np.ndarray, str]] = []
    lines = 0
    for _, image, truth in real_lines(*parts):
        lines += 1
        out += boxes_of(image, truth, TAGGED_DPI)
    return out, lines


def _tensor(data: list[tuple[np.ndarray, str]]) -> tuple[np.ndarray, np.ndarray]:
    x = np.stack([prepare(box) for box, _ in data])[:, None, :, :].astype(np.float32)
    y = np.array([LABELS.index(label) for _, label in data], dtype=np.int64)
    return x, y


def _jitter(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Shift each box up to two pixels either way: segmentation does not centre perfectly."""
    out = np.empty_like(x)
    for i in range(len(x)):
        dy, dx = rng.integers(-2, 3, size=2)
        out[i] = np.roll(x[i], (int(dy), int(dx)), axis=(1, 2))
    return out


def train(args: argparse.Namespace) -> dict[str, object]:
    import torch
    from torch import nn

    random.seed(SEED)
    torch.manual_seed(SEED)
    rng = random.Random(SEED)
    started = time.time()
    synth = synthetic(args.synthetic, rng)
    # no thresholds are fitted on the classifier's output, so it learns from the calibration
    # part too
    train_real, train_lines = real("train", "calibration")
    test_real, test_lines = real("test")
    data = synth + train_real * args.real_weight
    x, y = _tensor(data)
    xt, yt = _tensor(test_real)
    print(
        f"boxes: {len(synth)} drawn, {len(train_real)} real ({train_lines} lines) for training;"
        f" {len(test_real)} real ({test_lines} lines) held out",
        flush=True,
    )

    def block(cin: int, cout: int) -> nn.Sequential:
        return nn.Sequential(
            nn.Conv2d(cin, cout, 3, padding=1, bias=False),
            nn.BatchNorm2d(cout),
            nn.ReLU(),
            nn.MaxPool2d(2),
        )

    net = nn.Sequential(
        block(1, 24),
        block(24, 48),
        block(48, 96),  # 4 x 4
        nn.Flatten(),
        nn.Dropout(0.2),
        nn.Linear(96 * 16, 128),
        nn.ReLU(),
        nn.Linear(128, len(LABELS)),
    )
    opt = torch.optim.AdamW(net.parameters(), lr=2e-3, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(
        opt, max_lr=3e-3, total_steps=args.epochs * (len(x) // 256 + 1)
    )
    loss_fn = nn.CrossEntropyLoss(label_smoothing=0.05)
    np_rng = np.random.default_rng(SEED)
    for epoch in range(args.epochs):
        net.train()
        order = np_rng.permutation(len(x))
        for start in range(0, len(x), 256):
            idx = order[start : start + 256]
            xb = torch.from_numpy(_jitter(x[idx], np_rng))
            loss = loss_fn(net(xb), torch.from_numpy(y[idx]))
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
        net.eval()
        with torch.no_grad():
            pred = net(torch.from_numpy(xt)).argmax(1).numpy()
        print(
            f"epoch {epoch + 1}: held-out real boxes {float((pred == yt).mean()):.4f}", flush=True
        )
    net.eval()
    out = Path(args.out)
    torch.onnx.export(
        net,
        torch.zeros(1, 1, SIZE, SIZE),
        str(out),
        input_names=["box"],
        output_names=["logits"],
        dynamic_axes={"box": {0: "n"}, "logits": {0: "n"}},
        opset_version=13,
        dynamo=False,
    )
    with torch.no_grad():
        pred = net(torch.from_numpy(xt)).argmax(1).numpy()
    recipe: dict[str, object] = {
        "labels": LABELS,
        "size": SIZE,
        "seed": SEED,
        "epochs": args.epochs,
        "drawn_lines": args.synthetic,
        "real_weight": args.real_weight,
        "boxes": {"drawn": len(synth), "real_train": len(train_real), "real_test": len(test_real)},
        "real_lines": {"train": train_lines, "test": test_lines},
        "split": "test = sha256(file name) starts with 0-3; trained on the rest (training.micr.part_of)",
        "held_out_box_accuracy": round(float((pred == yt).mean()), 4),
        "minutes": round((time.time() - started) / 60, 1),
    }
    out.with_suffix(".json").write_text(json.dumps(recipe, indent=2) + "\n")
    return recipe


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--synthetic", type=int, default=4000, help="drawn lines")
    parser.add_argument("--real-weight", type=int, default=3, help="times each real box is seen")
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--out", default=str(MODEL))
    print(json.dumps(train(parser.parse_args()), indent=2))


if __name__ == "__main__":
    main()
