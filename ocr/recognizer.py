"""The project's own line recognizer: a small convolutional network, trained by `python -m training`
on many hands, that reads a cut-out line as a second opinion independent of Tesseract.

Tesseract reads printed fill-ins almost perfectly but handwriting badly; this model was trained on
handwriting-like fonts (with heavy degradation) and errs differently, so its reads are extra votes.
It runs through OpenCV's DNN module (no new dependency), one thread, loaded once per process.
`prepare` is the single definition of what the network sees: training feeds it the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from pathlib import Path

import cv2
import numpy as np

from ocr.dnn import forward, load, softmax

HEIGHT = 32  # network input height in px
TALL = 20  # px the tall glyphs (capitals, digits) are scaled to inside that height
SIDE = 6  # paper left and right of the writing
STRIDE = 4  # input columns per output frame
REACH = 96  # input columns an output frame sees to either side, at most (75 in lines.onnx)
MODEL = Path(__file__).resolve().parent / "models" / "lines.onnx"


def prepare(image: np.ndarray, tall: float) -> np.ndarray:
    """A grey line crop (paper 255) as the network input: ink 1.0 on paper 0.0, HEIGHT rows, the
    tall glyphs TALL px high (smaller when the crop would not fit), centred, width a multiple of 4."""
    h, w = image.shape[:2]
    scale = TALL / max(float(tall), 1.0)
    if h * scale > HEIGHT - 2:
        scale = (HEIGHT - 2) / h
    nw, nh = max(1, round(w * scale)), max(1, round(h * scale))
    interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC
    small = cv2.resize(image, (nw, nh), interpolation=interp)
    ink = 255.0 - small.astype(np.float32)
    strong = ink[ink > 48]
    peak = float(np.percentile(strong, 90)) if strong.size else 255.0
    ink = np.clip(ink / max(peak, 96.0), 0.0, 1.0)
    width = max(16, nw + 2 * SIDE)
    width += -width % STRIDE
    out = np.zeros((HEIGHT, width), np.float32)
    top = (HEIGHT - nh) // 2
    out[top : top + nh, SIDE : SIDE + nw] = ink
    return out


@dataclass(frozen=True)
class Recognition:
    """One line as the network read it.

    `conf` is how likely the whole line is right (the characters' probabilities multiplied, less
    the doubt of a skipped one: on held-out courtesy lines, about 5% of the reads at 0.5 or more
    had the wrong value, and about 30% of those under 0.5); `weakest`
    and `mean` the least sure and the average character's probability (long lines, like the
    legal amount, are right in value with a few letters wrong, so these suit them better);
    `alternatives` other texts the beam search found (at least a thousandth as likely as the best),
    with their probability relative to the best.
    """

    text: str
    conf: float
    weakest: float
    mean: float
    alternatives: tuple[tuple[str, float], ...] = ()
    frames: np.ndarray | None = field(default=None, compare=False, repr=False)
    charset: str = field(default="", compare=False, repr=False)

    def likelihood(self, text: str) -> float:
        """How likely the line says `text`, relative to what the network read (1.0: as likely;
        can exceed 1): the probability of every alignment of `text` to the frames, over the same
        for the read. It tests a reading another field proposes against this line's pixels."""
        return self.likelihoods([text])[0]

    def likelihoods(self, texts: list[str]) -> list[float]:
        """`likelihood` of each text, worked out together (one pass over the frames for all)."""
        mine = self._own_log_likelihood
        if mine is None or self.frames is None:
            return [0.0] * len(texts)
        found = _log_likelihoods(self.frames, texts, self.charset)
        return [0.0 if ll is None else float(np.exp(min(50.0, ll - mine))) for ll in found]

    @cached_property
    def _own_log_likelihood(self) -> float | None:
        """log P(the read | frames), the yardstick of every `likelihood` (worked out once)."""
        if self.frames is None or not self.text:
            return None
        return _log_likelihood(self.frames, self.text, self.charset)


@dataclass(frozen=True)
class _Model:
    net: cv2.dnn.Net
    charset: str  # index 0 is the CTC blank; index i is charset[i - 1]


@lru_cache(maxsize=2)
def _load(path: str) -> _Model | None:
    loaded = load(Path(path))
    if loaded is None or int(loaded[1].get("height", HEIGHT)) != HEIGHT:
        return None
    return _Model(loaded[0], str(loaded[1]["charset"]))


def available(path: Path = MODEL) -> bool:
    return _load(str(path)) is not None


def _greedy(probs: np.ndarray, charset: str) -> Recognition:
    """Best path: the most likely symbol per frame, repeats merged, blanks dropped.

    Its confidence is the product of the characters' probabilities, lowered by the strongest
    doubt in a frame the path left blank (a character skipped but nearly read: a lost '.')."""
    best = probs.argmax(axis=1)
    top = probs.max(axis=1)
    chars: list[str] = []
    confs: list[float] = []
    doubt = 0.0
    prev = 0
    for t, k in enumerate(best):
        k = int(k)
        if k == 0:
            doubt = max(doubt, 1.0 - float(probs[t, 0]))
        elif k != prev:
            chars.append(charset[k - 1])
            confs.append(float(top[t]))
        else:
            confs[-1] = max(confs[-1], float(top[t]))
        prev = k
    text = "".join(chars).strip()
    if not confs:
        return Recognition(text, 0.0, 0.0, 0.0)
    conf = float(np.prod(confs)) * (1.0 - doubt)
    return Recognition(text, round(conf, 4), round(min(confs), 4), round(float(np.mean(confs)), 4))


def _log_likelihood(probs: np.ndarray, text: str, charset: str) -> float | None:
    """log P(text | frames) under CTC: the sum over all alignments (forward algorithm); None when
    the text holds a symbol the network does not know or is too long for the frames."""
    return _log_likelihoods(probs, [text], charset)[0]


def _log_likelihoods(probs: np.ndarray, texts: list[str], charset: str) -> list[float | None]:
    """`_log_likelihood` of many texts in one forward pass: their label sequences side by side,
    padded with states that can never be reached (testing sixty spellings costs about one)."""
    index = {ch: i + 1 for i, ch in enumerate(charset)}
    frames = len(probs)
    usable = [
        i
        for i, text in enumerate(texts)
        if text and len(text) <= frames and all(ch in index for ch in text)
    ]
    out: list[float | None] = [None] * len(texts)
    if not usable:
        return out
    exts = []
    for i in usable:
        ext = [0]
        for ch in texts[i]:
            ext += [index[ch], 0]
        exts.append(ext)
    n = max(len(e) for e in exts)
    states = np.zeros((len(exts), n), np.intp)
    real = np.zeros((len(exts), n), bool)
    for row, ext in enumerate(exts):
        states[row, : len(ext)] = ext
        real[row, : len(ext)] = True
    logp = np.log(np.maximum(probs[:, states], 1e-30))  # (T, texts, n)
    logp[:, ~real] = -np.inf
    # A symbol may skip the blank before it unless it repeats the symbol two back.
    skip = np.zeros_like(real)
    skip[:, 2:] = (states[:, 2:] != 0) & (states[:, 2:] != states[:, :-2]) & real[:, 2:]
    alpha = np.full(states.shape, -np.inf)
    alpha[:, :2] = logp[0, :, :2]
    none = np.full((len(exts), 2), -np.inf)
    for t in range(1, frames):
        prev1 = np.concatenate((none[:, :1], alpha[:, :-1]), axis=1)
        prev2 = np.where(skip, np.concatenate((none, alpha[:, :-2]), axis=1), -np.inf)
        alpha = np.logaddexp(np.logaddexp(alpha, prev1), prev2) + logp[t]
    for row, i in enumerate(usable):
        end = len(exts[row])
        total = float(np.logaddexp(alpha[row, end - 1], alpha[row, end - 2]))
        out[i] = None if np.isinf(total) else total
    return out


def _beam(probs: np.ndarray, charset: str, width: int = 8) -> list[tuple[str, float]]:
    """CTC prefix beam search (symbols under 1e-3 in a frame are skipped): the `width` most likely
    texts with their probabilities."""
    beams: dict[tuple[int, ...], tuple[float, float]] = {(): (1.0, 0.0)}  # (p_blank, p_char)
    for frame in probs:
        live = [int(k) for k in np.nonzero(frame > 1e-3)[0]]
        nxt: dict[tuple[int, ...], list[float]] = {}
        for prefix, (pb, pc) in beams.items():
            total = pb + pc
            for k in live:
                p = float(frame[k])
                if k == 0:
                    entry = nxt.setdefault(prefix, [0.0, 0.0])
                    entry[0] += total * p
                    continue
                ext = (*prefix, k)
                entry = nxt.setdefault(ext, [0.0, 0.0])
                if prefix and prefix[-1] == k:
                    entry[1] += pb * p  # a repeat needs a blank in between
                    same = nxt.setdefault(prefix, [0.0, 0.0])
                    same[1] += pc * p
                else:
                    entry[1] += total * p
        ranked = sorted(nxt.items(), key=lambda kv: -(kv[1][0] + kv[1][1]))[:width]
        beams = {k: (v[0], v[1]) for k, v in ranked}
    out: dict[str, float] = {}
    for prefix, (pb, pc) in beams.items():
        text = "".join(charset[k - 1] for k in prefix).strip()
        out[text] = out.get(text, 0.0) + pb + pc
    return sorted(out.items(), key=lambda kv: -kv[1])


def recognize(
    lines: list[tuple[np.ndarray, float]], alternatives: int = 0, path: Path = MODEL
) -> list[Recognition | None]:
    """Read grey line crops (each with its tall-glyph height in crop pixels) in one batch.

    None for each line when no model is installed; an empty read for an empty crop.
    """
    model = _load(str(path))
    if model is None or not lines:
        return [None] * len(lines)
    inputs = [prepare(image, tall) if image.size else None for image, tall in lines]
    return list(read_prepared(inputs, alternatives, path))


def _forward(model: _Model, lines: list[np.ndarray]) -> list[np.ndarray]:
    """Per-frame probabilities of each line, from one forward pass over the padded batch.

    Every line gets at least REACH blank columns after it, so what lies beyond its end (the edge
    of the batch, or paper) is the same whichever lines it is read with."""
    width = max(x.shape[1] for x in lines) + REACH
    batch = np.zeros((len(lines), 1, HEIGHT, width), np.float32)
    for i, x in enumerate(lines):
        batch[i, 0, :, : x.shape[1]] = x
    logits = forward(model.net, batch)  # (N, classes, 1, T)
    frames = np.transpose(logits[:, :, 0, :], (0, 2, 1))
    return [softmax(frames[i, : x.shape[1] // STRIDE]) for i, x in enumerate(lines)]


def _groups(widths: list[int], most: int = 32) -> list[list[int]]:
    """Indices in batches of similar width: padding a short line to a long one costs as much as
    reading the long one again."""
    order = sorted(range(len(widths)), key=lambda i: widths[i])
    out: list[list[int]] = []
    for i in order:
        if out and len(out[-1]) < most and widths[i] <= 1.5 * widths[out[-1][0]]:
            out[-1].append(i)
        else:
            out.append([i])
    return out


def read_prepared(
    inputs: list[np.ndarray | None], alternatives: int = 0, path: Path = MODEL
) -> list[Recognition | None]:
    """Read lines already `prepare`d (None reads as nothing)."""
    model = _load(str(path))
    if model is None:
        return [None] * len(inputs)
    results: list[Recognition | None] = [Recognition("", 0.0, 0.0, 0.0) for _ in inputs]
    live = [i for i, x in enumerate(inputs) if x is not None]
    lines = [x for x in inputs if x is not None]
    for group in _groups([x.shape[1] for x in lines]):
        for k, probs in zip(group, _forward(model, [lines[k] for k in group]), strict=True):
            read = replace(_greedy(probs, model.charset), frames=probs, charset=model.charset)
            if alternatives:
                found = _beam(probs, model.charset)
                head = found[0][1] if found else 1.0
                alts = tuple(
                    (t, round(p / head, 4)) for t, p in found if t != read.text and p >= 1e-3 * head
                )
                read = replace(read, alternatives=alts[:alternatives])
            results[live[k]] = read
    return results
