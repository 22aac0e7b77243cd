"""The training loop: CTC loss on batches of similar-width lines, a one-cycle learning rate, light
on-line augmentation (width stretch, vertical shift), and the export to ONNX for `ocr.recognizer`.

CPU only, fully seeded: the same command gives the same model on the same machine.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
import torch
from torch import nn

from ocr.recognizer import HEIGHT, STRIDE
from training.dataset import LineSet
from training.model import LineNet

BATCH = 32


def encode(label: str, charset: str) -> list[int]:
    return [charset.index(c) + 1 for c in label if c in charset]


def _augment(image: np.ndarray, rng: random.Random) -> np.ndarray:
    """A little more variety per epoch: the line a bit narrower or wider, a pixel up or down."""
    x = image.astype(np.float32) / 255.0
    if rng.random() < 0.5:
        f = rng.uniform(0.85, 1.15)
        w = max(16, int(x.shape[1] * f))
        x = np.asarray(cv2.resize(x, (w, HEIGHT), interpolation=cv2.INTER_LINEAR), np.float32)
    shift = rng.choice([-2, -1, 0, 0, 1, 2])
    if shift:
        x = np.roll(x, shift, axis=0)
    return x


def _batches(data: LineSet, rng: random.Random, charset: str) -> list[list[int]]:
    """Index batches of lines of similar width (less padding), shuffled."""
    order = sorted(range(len(data)), key=lambda i: (data.images[i].shape[1], rng.random()))
    batches = [order[i : i + BATCH] for i in range(0, len(order), BATCH)]
    rng.shuffle(batches)
    return batches


def _tensor(images: list[np.ndarray]) -> torch.Tensor:
    width = max(im.shape[1] for im in images)
    width += -width % STRIDE
    out = np.zeros((len(images), 1, HEIGHT, width), np.float32)
    for i, im in enumerate(images):
        out[i, 0, :, : im.shape[1]] = im
    return torch.from_numpy(out)


def decode(logits: torch.Tensor, widths: list[int], charset: str) -> list[str]:
    """Greedy CTC decoding of (N, classes, 1, T) logits (the same rule as the runtime)."""
    best = logits[:, :, 0, :].argmax(dim=1).numpy()
    out = []
    for row, w in zip(best, widths, strict=True):
        chars, prev = [], 0
        for k in row[: w // STRIDE]:
            if k != 0 and k != prev:
                chars.append(charset[k - 1])
            prev = int(k)
        out.append("".join(chars).strip())
    return out


def predict(model: nn.Module, images: list[np.ndarray], charset: str) -> list[str]:
    model.eval()
    out: list[str] = []
    with torch.no_grad():
        order = sorted(range(len(images)), key=lambda i: images[i].shape[1])
        found: dict[int, str] = {}
        for a in range(0, len(order), 64):
            idx = order[a : a + 64]
            ims = [images[i].astype(np.float32) / 255.0 for i in idx]
            texts = decode(model(_tensor(ims)), [im.shape[1] for im in ims], charset)
            found.update(zip(idx, texts, strict=True))
        out = [found[i] for i in range(len(images))]
    return out


def train(
    data: LineSet,
    charset: str,
    steps: int,
    seed: int,
    log: Callable[[str], None] = print,
    check: LineSet | None = None,
    width: int = 128,
) -> nn.Module:
    """Train a fresh LineNet for `steps` batches."""
    torch.manual_seed(seed)
    rng = random.Random(seed)
    model = LineNet(len(charset) + 1, width)
    opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=2e-3, total_steps=steps, pct_start=0.1)
    ctc = nn.CTCLoss(blank=0, zero_infinity=True)
    step, started, running = 0, time.monotonic(), 0.0
    while step < steps:
        for batch in _batches(data, rng, charset):
            if step >= steps:
                break
            model.train()
            ims = [_augment(data.images[i], rng) for i in batch]
            targets = [encode(data.labels[i], charset) for i in batch]
            x = _tensor(ims)
            logits = model(x)[:, :, 0, :]  # N, C, T
            log_probs = logits.permute(2, 0, 1).log_softmax(2)  # T, N, C
            in_lens = torch.tensor([im.shape[1] // STRIDE for im in ims])
            tgt_lens = torch.tensor([len(t) for t in targets])
            flat = torch.tensor([k for t in targets for k in t], dtype=torch.long)
            loss = ctc(log_probs, flat, in_lens, tgt_lens)
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            opt.step()
            sched.step()
            step += 1
            value = loss.item()
            running = 0.98 * running + 0.02 * value if step > 1 else value
            if step % 100 == 0 or step == steps:
                msg = f"step {step}/{steps} loss {running:.3f} {time.monotonic() - started:.0f}s"
                if check is not None and (step % 500 == 0 or step == steps):
                    got = predict(model, check.images, charset)
                    exact = sum(g == w for g, w in zip(got, check.labels, strict=True))
                    msg += f" check {100 * exact / len(check):.1f}%"
                log(msg)
    model.eval()
    return model


def export(model: nn.Module, path: Path) -> None:
    """ONNX with a free batch size and line width, as cv2.dnn reads it."""
    model.eval()
    x = torch.zeros(2, 1, HEIGHT, 128)
    torch.onnx.export(
        model,
        (x,),
        str(path),
        input_names=["lines"],
        output_names=["logits"],
        dynamic_axes={"lines": {0: "n", 3: "width"}, "logits": {0: "n", 3: "frames"}},
        opset_version=17,
        dynamo=False,
    )
