"""Draws the front of a personal (6 x 2.75 in) or business (8.5 x 3.5 in) check.

Every element a lockbox reader looks for is where real check stock puts it, give or take the
jitter real printers and writers add: payer block top left, check number top right, date line,
"PAY TO THE ORDER OF" with the payee and the courtesy box, the legal line ending in "DOLLARS", the
bank's name, the memo and signature lines, and the MICR line inside the clear band. The style
choices come from the spec's render seed, so a second scan of the same check looks the same.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from pathlib import Path

from PIL import Image

from sample_data import digits, strokes
from sample_data.drawing import BACKGROUNDS, Sheet, fit_size, paper_background, px, size_for_height
from sample_data.fonts import (
    HANDWRITING_FALLBACK,
    LABEL_FAMILIES,
    SANS,
    SANS_BOLD,
    SERIF_BOLD,
    SERIF_BOLD_ITALIC,
    SERIF_ITALIC,
    SIGNATURE,
    load_font,
)
from sample_data.micr_line import draw_micr, micr_positions
from sample_data.specs import CheckSpec

CLEAR_BAND_IN = 0.625


def pt(points: float) -> int:
    """Font size in pixels for a point size at 300 dpi."""
    return round(points * 300 / 72)


class _Writer:
    """How this check's filled-in parts are written: a hand or a printer."""

    def __init__(self, spec: CheckSpec, sheet: Sheet, rng: random.Random) -> None:
        self.spec, self.sheet, self.rng = spec, sheet, rng
        self.hand = spec.handwritten
        fallback: Sequence[str] = HANDWRITING_FALLBACK if self.hand else SANS
        self.chain = (spec.fill_font, *fallback)
        hand_seed = spec.stroke_hand if self.hand else None
        self.strokes = None if hand_seed is None else strokes.StrokeHand.of_writer(hand_seed)
        self.real_digits = self.hand and spec.real_digits
        if self.hand:
            self.ink = rng.choice([15, 30, 45, 60, 75, 90])
        else:
            self.ink = rng.randrange(5, 40)
        self.scale = rng.uniform(0.9, 1.12) if self.hand else rng.uniform(0.75, 0.95)

    def write(self, x: float, y: float, text: str, height_in: float, max_width: float) -> int:
        """Writes `text` with its baseline's left end at (x, y); returns the right end."""
        if not text:
            return int(x)
        if self.strokes is not None and strokes.covers(text):
            height = px(height_in * self.scale)
            box = strokes.write_on(
                self.sheet, (x, y), text, height, self.strokes, self.ink, self.rng, max_width
            )
            return box[2]
        if self.real_digits and any(ch.isdigit() for ch in text):
            return self._figures_apart(x, y, text, height_in, max_width)
        return self._in_font(x, y, text, height_in, max_width)

    def _in_font(self, x: float, y: float, text: str, height_in: float, max_width: float) -> int:
        size = size_for_height(self.chain, px(height_in * self.scale), sample="0")
        size = fit_size(self.chain, text, size, int(max_width))
        if self.hand:
            box = self.sheet.hand_text((x, y), text, self.chain, size, self.ink, self.rng)
        else:
            box = self.sheet.text((x, y), text, self.chain, size, self.ink)
        return box[2]

    def _figures_apart(
        self, x: float, y: float, text: str, height_in: float, max_width: float
    ) -> int:
        """`text` with its runs of figures in people's digits and its words in the check's hand,
        as a person writes 'Acct 4312284534'."""
        runs: list[list[str]] = []
        for word in text.split():
            if runs and digits.covers(word) == digits.covers(runs[-1][0]):
                runs[-1].append(word)
            else:
                runs.append([word])
        end, right = x, x + max_width
        gap = px(0.4 * height_in * self.scale)
        for run in runs:
            part = " ".join(run)
            if digits.covers(part):
                height = px(height_in * self.scale)
                box = digits.write_on(
                    self.sheet, (end, y), part, height, self.ink, self.rng, right - end
                )
                end = box[2]
            else:
                end = self._in_font(end, y, part, height_in, right - end)
            end += gap
        return int(end - gap)

    def stroke_to(self, x0: float, x1: float, y: float) -> None:
        """The filler after the legal amount, so nothing can be added to it."""
        if x1 - x0 < px(0.12):
            return
        style = self.rng.random()
        if not self.hand or style < 0.35:
            size = pt(self.rng.uniform(9, 11))
            dash = "-" if self.rng.random() < 0.7 else "*"
            font, _ = load_font(self.chain, size)
            unit = max(1.0, float(font.getlength(dash)))
            count = int((x1 - x0) / unit)
            self.sheet.text((x0, y), dash * count, self.chain, size, self.ink)
        else:
            wobble = self.rng.uniform(-px(0.03), px(0.03))
            self.sheet.draw.line(
                [(x0, y - px(0.04)), (x1, y - px(0.04) + wobble)],
                fill=self.ink,
                width=self.rng.choice([2, 3, 4]),
            )


def _labels(rng: random.Random) -> tuple[tuple[str, ...], int, bool]:
    """Label font chain, ink and whether labels are in capitals."""
    return rng.choice(LABEL_FAMILIES), rng.choice([20, 30, 45, 60, 80]), rng.random() < 0.7


def _background(sheet: Sheet, rng: random.Random) -> None:
    style = rng.choice(BACKGROUNDS)
    sheet.set_background(paper_background(sheet.width, sheet.height, style, rng))


def _blot(sheet: Sheet, box: tuple[float, float, float, float], rng: random.Random) -> None:
    """An ink blot and smear over the courtesy amount: unreadable, as a clerk would see it."""
    x0, y0, x1, y1 = box
    ink = rng.randrange(15, 70)
    bw, bh = x1 - x0, y1 - y0
    for _ in range(rng.randrange(6, 12)):
        cx, cy = rng.uniform(x0 + 0.2 * bw, x1 - 0.2 * bw), rng.uniform(y0, y1)
        rx, ry = rng.uniform(0.12, 0.3) * bw, rng.uniform(0.4, 0.8) * bh
        sheet.draw.ellipse((cx - rx, cy - ry, cx + rx, cy + ry), fill=ink)
    for _ in range(rng.randrange(2, 5)):
        ya = rng.uniform(y0, y1)
        sheet.draw.line(
            [(x0 - px(0.05), ya), (x1 + px(0.02), ya + rng.uniform(-15, 15))],
            fill=ink,
            width=rng.randrange(6, 14),
        )


def _scribble(sheet: Sheet, x0: float, x1: float, y: float, ink: int, rng: random.Random) -> None:
    """A zigzag where words should be: nobody can read an amount from it."""
    points = []
    x = x0
    while x < x1:
        points.append((x, y - rng.uniform(0, px(0.16))))
        x += rng.uniform(px(0.03), px(0.09))
    sheet.draw.line(points, fill=ink, width=3)


def _signature(sheet: Sheet, spec: CheckSpec, x: float, y: float, rng: random.Random) -> None:
    chain = (spec.signature_font, *SIGNATURE, *HANDWRITING_FALLBACK)
    size = size_for_height(chain, px(rng.uniform(0.17, 0.26)), sample="A")
    size = fit_size(chain, spec.signature_text, size, px(2.1))
    sheet.hand_text(
        (x, y),
        spec.signature_text,
        chain,
        size,
        rng.choice([15, 40, 70, 95]),
        rng,
        slant_deg=rng.uniform(-2, 7),
        jitter=0.08,
    )


def _payer_block(
    sheet: Sheet, spec: CheckSpec, x: float, y: float, rng: random.Random, family: tuple[str, ...]
) -> None:
    bold = SERIF_BOLD if family is LABEL_FAMILIES[1] else SANS_BOLD
    name_chain = bold if rng.random() < 0.6 else family
    name_size = pt(rng.uniform(8.5, 10.5))
    for line in spec.payer_lines:
        sheet.text((x, y), line, name_chain, name_size, 15)
        y += name_size * 1.02
    small = pt(rng.uniform(7, 8.5))
    for line in spec.address_lines:
        sheet.text((x, y), line, family, small, 25)
        y += small * 1.08


def _bank_block(
    sheet: Sheet, spec: CheckSpec, x: float, y: float, rng: random.Random, anchor: str = "ls"
) -> None:
    """The drawee bank's name and city; `anchor` 'ms' centres it on x."""
    chain = rng.choice([SERIF_BOLD, SANS_BOLD, SERIF_BOLD_ITALIC])
    size = pt(rng.uniform(7.5, 9))
    if anchor == "ls" and rng.random() < 0.45:  # a simple emblem: the bank's initial in a ring
        r = px(0.1)
        cx, cy = x + r, y - r * 0.5
        sheet.draw.ellipse((cx - r, cy - r, cx + r, cy + r), outline=40, width=5)
        sheet.text((cx, cy), spec.bank_name[0], SERIF_BOLD, int(r * 1.3), 40, anchor="mm")
        x += 2 * r + px(0.08)
    sheet.text((x, y), spec.bank_name, chain, size, 30, anchor=anchor)
    sheet.text((x, y + pt(7.5)), spec.bank_city, SANS, pt(6), 45, anchor=anchor)


def render_check_front(spec: CheckSpec, micr_font: Path | None = None) -> Image.Image:
    """The check front at 300 dpi, grayscale."""
    rng = random.Random(f"check-front:{spec.render_seed}")
    sheet = _business(spec, rng) if spec.layout == "business" else _personal(spec, rng)
    chars = micr_positions(
        spec.layout, spec.micr_variant, spec.routing, spec.bank_account, spec.serial
    )
    draw_micr(sheet, chars, rng, micr_font)
    return sheet.image


def _personal(spec: CheckSpec, rng: random.Random) -> Sheet:
    sheet = Sheet(6.0, 2.75)
    _background(sheet, rng)
    family, lab_ink, caps = _labels(rng)
    w, h = sheet.width, sheet.height
    writer = _Writer(spec, sheet, rng)

    def j(a: float) -> float:
        return rng.uniform(-a, a)

    def label(text: str) -> str:
        return text.upper() if caps else text

    if rng.random() < 0.5:
        inset = px(0.06)
        sheet.rect((inset, inset, w - inset, h - inset), lab_ink, width=3)
    left = px(0.28 + j(0.06))
    _payer_block(sheet, spec, left, px(0.34 + j(0.04)), rng, family)
    sheet.text(
        (w - px(0.3 + j(0.05)), px(0.33 + j(0.03))),
        spec.check_number,
        SANS_BOLD,
        pt(rng.uniform(10, 12)),
        20,
        anchor="rs",
    )
    sheet.text((w - px(0.3), px(0.5)), spec.fraction, family, pt(6.5), 40, anchor="rs")

    # Date line.
    bank_on_top = rng.random() < 0.5
    if bank_on_top:
        _bank_block(sheet, spec, px(3.2 + j(0.15)), px(0.3 + j(0.03)), rng, anchor="ms")
    y_date = px(0.74 + j(0.04))
    x_date = px(3.7 + j(0.2))
    box = sheet.text((x_date, y_date), label("Date"), family, pt(8), lab_ink)
    line_end = min(w - px(0.3), x_date + px(1.75))
    sheet.hline(box[2] + px(0.06), line_end, y_date + 2, lab_ink)
    writer.write(
        box[2] + px(0.15 + j(0.05)),
        y_date - px(0.03),
        spec.date_text,
        0.13,
        line_end - box[2] - px(0.2),
    )

    # Pay to the order of ... $ [amount]
    y_pay = px(1.07 + j(0.04))
    if rng.random() < 0.5:
        box = sheet.text((left, y_pay), label("Pay to the order of"), family, pt(7.5), lab_ink)
    else:
        sheet.text((left, y_pay - pt(8)), label("Pay to the"), family, pt(7.5), lab_ink)
        box = sheet.text((left, y_pay), label("Order of"), family, pt(7.5), lab_ink)
    box_left = px(4.8 + j(0.1))
    sheet.hline(box[2] + px(0.06), box_left - px(0.3), y_pay + 2, lab_ink)
    writer.write(
        box[2] + px(0.15 + j(0.05)),
        y_pay - px(0.03),
        spec.payee,
        0.15,
        box_left - box[2] - px(0.55),
    )
    sheet.text((box_left - px(0.18), y_pay), "$", SANS_BOLD, pt(12), lab_ink)
    amount_box = (box_left, y_pay - px(0.27), w - px(0.25 + j(0.03)), y_pay + px(0.06))
    if rng.random() < 0.8:
        sheet.rect(amount_box, lab_ink, width=3)
    else:
        sheet.hline(amount_box[0], amount_box[2], y_pay + 2, lab_ink)
    _courtesy(writer, spec, amount_box, y_pay - px(0.05), rng)

    # Legal line ... DOLLARS
    y_legal = y_pay + px(0.36 + j(0.03))
    dollars = sheet.text(
        (w - px(0.28), y_legal), label("Dollars"), family, pt(8), lab_ink, anchor="rs"
    )
    line_end = dollars[0] - px(0.08)
    sheet.hline(left, line_end, y_legal + 2, lab_ink)
    _legal(writer, spec, left + px(0.1 + j(0.06)), line_end, y_legal - px(0.04), rng)

    if not bank_on_top:
        _bank_block(sheet, spec, left, y_legal + px(0.2 + j(0.02)), rng)

    # Memo and signature, just above the clear band.
    y_memo = h - px(CLEAR_BAND_IN + 0.12 + j(0.02))
    box = sheet.text(
        (left, y_memo), label(rng.choice(["Memo", "Memo", "For"])), family, pt(7.5), lab_ink
    )
    memo_end = px(2.9 + j(0.15))
    sheet.hline(box[2] + px(0.06), memo_end, y_memo + 2, lab_ink)
    writer.write(
        box[2] + px(0.12), y_memo - px(0.03), spec.memo_text, 0.12, memo_end - box[2] - px(0.15)
    )
    sig_left = px(3.45 + j(0.1))
    sheet.hline(sig_left, w - px(0.3), y_memo + 2, lab_ink)
    if rng.random() < 0.4:
        sheet.text((w - px(0.3), y_memo + pt(7)), "MP", SANS_BOLD, pt(5), lab_ink, anchor="rs")
    _signature(sheet, spec, sig_left + px(0.2 + j(0.1)), y_memo - px(0.04), rng)
    return sheet


def _courtesy(
    writer: _Writer,
    spec: CheckSpec,
    box: tuple[float, float, float, float],
    baseline: float,
    rng: random.Random,
) -> None:
    x0, _, x1, _ = box
    text = spec.courtesy_text
    if text:
        if " " in text and text.endswith("/100"):  # dollars with the cents as a small fraction
            dollars, cents = text.split(" ", 1)
            end = writer.write(x0 + px(0.07), baseline, dollars, 0.16, (x1 - x0) * 0.6)
            writer.write(end + px(0.05), baseline - px(0.05), cents, 0.09, x1 - end - px(0.07))
        else:
            writer.write(x0 + px(0.07), baseline, text, 0.16, x1 - x0 - px(0.1))
    if spec.amount_blotted:
        _blot(writer.sheet, box, rng)


def _legal(
    writer: _Writer, spec: CheckSpec, x: float, line_end: float, baseline: float, rng: random.Random
) -> None:
    if spec.legal_scribbled:
        _scribble(
            writer.sheet, x, x + (line_end - x) * rng.uniform(0.35, 0.7), baseline, writer.ink, rng
        )
        return
    if not spec.legal_text:
        return
    end = writer.write(x, baseline, spec.legal_text, 0.13, line_end - x - px(0.15))
    writer.stroke_to(end + px(0.08), line_end - px(0.04), baseline)


def _business(spec: CheckSpec, rng: random.Random) -> Sheet:
    sheet = Sheet(8.5, 3.5)
    _background(sheet, rng)
    family, lab_ink, caps = _labels(rng)
    w, h = sheet.width, sheet.height
    writer = _Writer(spec, sheet, rng)

    def j(a: float) -> float:
        return rng.uniform(-a, a)

    def label(text: str) -> str:
        return text.upper() if caps else text

    sheet.rect((px(0.08), px(0.08), w - px(0.08), h - px(0.08)), lab_ink, width=2)
    left = px(0.35 + j(0.08))
    _payer_block(sheet, spec, left, px(0.4 + j(0.05)), rng, family)

    bank_x = px(4.1 + j(0.3))
    sheet.text(
        (bank_x, px(0.4)),
        spec.bank_name,
        rng.choice([SERIF_BOLD, SANS_BOLD]),
        pt(10),
        25,
        anchor="ms",
    )
    sheet.text((bank_x, px(0.56)), spec.bank_city, SANS, pt(7), 40, anchor="ms")
    sheet.text((bank_x, px(0.7)), spec.fraction, SANS, pt(7), 40, anchor="ms")
    number = spec.check_number if rng.random() < 0.5 else f"No. {spec.check_number}"
    sheet.text(
        (w - px(0.35), px(0.42)), number, SANS_BOLD, pt(rng.uniform(11, 14)), 15, anchor="rs"
    )

    # Date and amount: a little table on the right, or a date line and a $ box.
    table = rng.random() < 0.55
    y_vals = px(1.32 + j(0.05))
    if table:
        x_date, x_amt = px(5.3 + j(0.1)), px(6.75 + j(0.05))
        sheet.text((x_date, y_vals - px(0.2)), label("Date"), family, pt(7.5), lab_ink)
        sheet.text((x_amt, y_vals - px(0.2)), label("Amount"), family, pt(7.5), lab_ink)
        sheet.hline(x_date, w - px(0.35), y_vals - px(0.17), lab_ink)
        writer.write(x_date, y_vals, spec.date_text, 0.11, x_amt - x_date - px(0.1))
        amount_box = (x_amt - px(0.05), y_vals - px(0.16), w - px(0.35), y_vals + px(0.06))
        _courtesy(writer, spec, amount_box, y_vals, rng)
    else:
        y_date = px(0.98 + j(0.04))
        box = sheet.text((px(6.0), y_date), label("Date"), family, pt(8), lab_ink)
        sheet.hline(box[2] + px(0.06), w - px(0.35), y_date + 2, lab_ink)
        writer.write(box[2] + px(0.15), y_date - px(0.03), spec.date_text, 0.11, px(1.6))
        amount_box = (px(6.6), y_vals - px(0.25), w - px(0.35), y_vals + px(0.05))
        sheet.text((amount_box[0] - px(0.18), y_vals), "$", SANS_BOLD, pt(12), lab_ink)
        sheet.rect(amount_box, lab_ink, width=2)
        _courtesy(writer, spec, amount_box, y_vals - px(0.04), rng)
    if rng.random() < 0.6:
        sheet.text(
            (w - px(0.35), y_vals + px(0.2)),
            "VOID AFTER 180 DAYS",
            SANS,
            pt(6),
            lab_ink,
            anchor="rs",
        )

    # PAY ... legal amount
    y_legal = px(1.78 + j(0.05))
    box = sheet.text((left, y_legal), label("Pay"), SANS_BOLD, pt(8.5), lab_ink)
    line_end = w - px(0.35)
    if rng.random() < 0.5:
        d = sheet.text((line_end, y_legal), label("Dollars"), family, pt(8), lab_ink, anchor="rs")
        line_end = d[0] - px(0.08)
    sheet.hline(box[2] + px(0.06), line_end, y_legal + 2, lab_ink)
    _legal(writer, spec, box[2] + px(0.2), line_end, y_legal - px(0.03), rng)

    # TO THE ORDER OF: payee and its address (window-envelope position on bill-pay checks).
    y_payee = px(2.05 + j(0.04))
    sheet.text((left, y_payee - pt(8)), label("To the"), family, pt(7), lab_ink)
    box = sheet.text((left, y_payee), label("Order of"), family, pt(7), lab_ink)
    x_payee = box[2] + px(0.2 + j(0.05))
    writer.write(x_payee, y_payee, spec.payee, 0.12, px(3.5))
    y = y_payee
    for line in spec.payee_lines:
        y += px(0.17)
        writer.write(x_payee, y, line, 0.1, px(3.5))

    # Memo and signature.
    y_memo = h - px(CLEAR_BAND_IN + 0.2 + j(0.03))
    box = sheet.text((left, y_memo), label("Memo"), family, pt(7), lab_ink)
    memo_end = px(3.9 + j(0.2))
    sheet.hline(box[2] + px(0.06), memo_end, y_memo + 2, lab_ink)
    writer.write(
        box[2] + px(0.1), y_memo - px(0.02), spec.memo_text, 0.1, memo_end - box[2] - px(0.15)
    )
    sig_left = px(5.5 + j(0.1))
    sheet.hline(sig_left, w - px(0.35), y_memo + 2, lab_ink)
    if spec.signature_text:
        sheet.text(
            (w - px(0.35), y_memo + pt(8)),
            "AUTHORIZED SIGNATURE",
            SANS,
            pt(5.5),
            lab_ink,
            anchor="rs",
        )
        _signature(sheet, spec, sig_left + px(0.25), y_memo - px(0.04), rng)
    else:
        sheet.text((sig_left, y_memo - px(0.05)), "SIGNATURE NOT REQUIRED", SERIF_ITALIC, pt(7), 30)
        sheet.text(
            (sig_left, y_memo + pt(7)),
            "Your depositor has authorized this payment",
            SERIF_ITALIC,
            pt(5.5),
            40,
        )
    return sheet
