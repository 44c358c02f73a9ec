"""Print sheets: copies of one ID photo on photo paper ("Layout Parameters" in
shared/reference/idphoto-api.txt).

Each copy is printed at its real size (``photo_mm`` at ``dpi``), in a grid with equal
2 mm gaps, the grid tried with the photo upright and turned 90°, whichever holds more
copies. Thin grey crop marks in the gaps line up with the photo edges, so the customer
cuts exactly along the photo. The optional QR code and label get their own panel beside
or below the grid before any photo is placed; the grid gives up copies rather than
overlap them. ``plan_layout`` answers "how many copies, where" without drawing, for tests
and the storefront ("8 photos on a 6-inch sheet").
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass

import numpy as np
import segno
from PIL import Image, ImageDraw, ImageFont

from photos.engine.encode import encode_jpeg
from photos.engine.errors import EngineError, LabelTooLong
from photos.engine.fonts import load_font, missing_glyphs
from photos.engine.params import parse_hex_color

MM_PER_INCH = 25.4

# Paper sizes as (short side, long side) in mm. "5inch" and "6inch" are the reference's
# layout_size options (3.5×5 in and 4×6 in photo paper); "4R" is the lab name for 4×6 in,
# A6 and A4 are ISO 216. At 300 dpi: 5inch 1050×1500, 6inch 1200×1800 px.
PAPER_MM: dict[str, tuple[float, float]] = {
    "5inch": (3.5 * MM_PER_INCH, 5 * MM_PER_INCH),
    "6inch": (4 * MM_PER_INCH, 6 * MM_PER_INCH),
    "4R": (4 * MM_PER_INCH, 6 * MM_PER_INCH),
    "A6": (105.0, 148.0),
    "A4": (210.0, 297.0),
}
# The reference says the canvas defaults to "gray": a light grey that prints faintly,
# still shows where a white-background photo ends, and wastes little ink.
DEFAULT_BG_COLOR = "EEEEEE"
GAP_MM = 2.0  # between copies: room for a paper cutter
MARGIN_MM = 2.0  # at least this much paper around everything
CROP_MARK_COLOR = (150, 150, 150)
CROP_MARK_OFFSET_MM = 0.3  # marks stop short of the photo so a slightly-off cut hides them
CROP_MARK_LENGTH_MM = 4.0  # outside the grid
LABEL_FONT_PT = 9  # layout_label_text, in points (1/72 in)
LABEL_COLOR = (0, 0, 0)
MIN_LABEL_FONT_PX = 10
QR_BORDER_MODULES = 4  # the quiet zone the QR standard asks for
MIN_QR_MODULE_PX = 2  # smaller modules do not survive printing
MAX_ASPECT_MISMATCH = 0.03

Box = tuple[int, int, int, int]  # left, top, right, bottom (exclusive), in pixels


@dataclass(frozen=True)
class LayoutPlan:
    """Where everything goes on the sheet, in pixels at ``dpi``."""

    paper: str
    dpi: int
    paper_size: tuple[int, int]
    photo_size: tuple[int, int]  # one copy as printed, after any rotation
    rotated: bool  # copies turned 90° to fit more
    cols: int
    rows: int
    gap: int
    boxes: tuple[Box, ...]
    qr_box: Box | None
    label_box: Box | None
    label_font_px: int | None
    label_align: str  # "center" under the QR code, "left" beside it

    @property
    def count(self) -> int:
        return len(self.boxes)


def plan_layout(
    *,
    photo_mm: tuple[float, float],
    paper: str = "5inch",
    vertical: bool = False,
    qr_data: str | None = None,
    qr_size: int = 290,
    label_text: str | None = None,
    dpi: int = 300,
    max_count: int | None = None,
) -> LayoutPlan:
    """How many copies fit and where; raises EngineError when not even one does."""
    paper_key, paper_size = _paper(paper, vertical, dpi)
    paper_w, paper_h = paper_size
    photo_w, photo_h = (_px(photo_mm[0], dpi), _px(photo_mm[1], dpi))
    if photo_w < 1 or photo_h < 1:
        raise EngineError(f"photo_mm must be positive, got {photo_mm}.")
    if max_count is not None and max_count < 1:
        raise EngineError(f"max_count must be at least 1, got {max_count}.")
    gap, margin = _px(GAP_MM, dpi), _px(MARGIN_MM, dpi)
    area_w, area_h = paper_w - 2 * margin, paper_h - 2 * margin

    qr = qr_size if qr_data else 0
    if qr_data and not 0 < qr_size <= min(area_w, area_h):
        raise EngineError(
            f"layout_qr_code_size {qr_size} px does not fit on a {paper_key} sheet "
            f"({paper_w}×{paper_h} px)."
        )
    label = _normalise_label(label_text)
    label_font = _label_font(label, area_w, dpi) if label else None
    label_w, label_h = _text_size(label, label_font) if label else (0, 0)

    best = None
    for panel in _panels(qr, (label_w, label_h), gap):
        if panel is None:
            grid_w, grid_h = area_w, area_h
        else:
            place, panel_w, panel_h, _ = panel
            if panel_w > area_w or panel_h > area_h:
                continue
            grid_w = area_w - (panel_w + gap if place == "right" else 0)
            grid_h = area_h - (panel_h + gap if place == "bottom" else 0)
        for rotated in (False, True):
            w, h = (photo_h, photo_w) if rotated else (photo_w, photo_h)
            cols, rows = _fit(grid_w, w, gap), _fit(grid_h, h, gap)
            cols, rows = _shrink(cols, rows, max_count)
            if best is None or cols * rows > best[0]:
                best = (cols * rows, panel, rotated, cols, rows, (w, h))

    if best is None or best[0] == 0:
        extras = " next to the QR code and label" if (qr or label) else ""
        raise EngineError(
            f"A {photo_mm[0]:g}×{photo_mm[1]:g} mm photo does not fit on a {paper_key} sheet "
            f"({paper_w}×{paper_h} px at {dpi} dpi){extras}."
        )
    count, panel, rotated, cols, rows, (w, h) = best
    count = count if max_count is None else min(count, max_count)
    block_w, block_h = cols * w + (cols - 1) * gap, rows * h + (rows - 1) * gap

    qr_box = label_box = None
    if panel is None:
        block_x, block_y = (paper_w - block_w) // 2, (paper_h - block_h) // 2
    else:
        place, panel_w, panel_h, stacked = panel
        if place == "right":
            group_w = block_w + gap + panel_w
            block_x = (paper_w - group_w) // 2
            block_y = (paper_h - block_h) // 2
            panel_x, panel_y = block_x + block_w + gap, (paper_h - panel_h) // 2
        else:
            group_h = block_h + gap + panel_h
            block_x = (paper_w - block_w) // 2
            block_y = (paper_h - group_h) // 2
            panel_x, panel_y = (paper_w - panel_w) // 2, block_y + block_h + gap
        qr_box, label_box = _panel_boxes(
            (panel_x, panel_y, panel_w, panel_h), qr, (label_w, label_h), gap, stacked
        )

    boxes = []
    for i in range(count):
        row, col = divmod(i, cols)
        x, y = block_x + col * (w + gap), block_y + row * (h + gap)
        boxes.append((x, y, x + w, y + h))
    return LayoutPlan(
        paper=paper_key,
        dpi=dpi,
        paper_size=paper_size,
        photo_size=(w, h),
        rotated=rotated,
        cols=cols,
        rows=rows,
        gap=gap,
        boxes=tuple(boxes),
        qr_box=qr_box,
        label_box=label_box,
        label_font_px=label_font.size if label_font else None,
        label_align="left" if panel and not panel[3] and qr else "center",
    )


def layout_sheet(
    photo: Image.Image,
    *,
    photo_mm: tuple[float, float],
    paper: str = "5inch",
    vertical: bool = False,
    bg_color: str | None = None,
    qr_data: str | None = None,
    qr_size: int = 290,
    label_text: str | None = None,
    dpi: int = 300,
    max_count: int | None = None,
) -> Image.Image:
    """The print sheet as an RGB image of the paper's size at ``dpi``.

    ``label_text`` lines break at newlines (a literal backslash-n from a form counts too).
    Raises EngineError when no copy fits or the photo's shape does not match ``photo_mm``.
    """
    plan = plan_layout(
        photo_mm=photo_mm,
        paper=paper,
        vertical=vertical,
        qr_data=qr_data,
        qr_size=qr_size,
        label_text=label_text,
        dpi=dpi,
        max_count=max_count,
    )
    sheet = Image.new(
        "RGB",
        plan.paper_size,
        parse_hex_color(bg_color or DEFAULT_BG_COLOR, field_name="layout_bg_color"),
    )
    copy = _printed_copy(photo, photo_mm, plan)
    for box in plan.boxes:
        sheet.paste(copy, box[:2])
    _draw_crop_marks(sheet, plan)
    if plan.qr_box is not None:
        sheet.paste(_qr_image(qr_data, qr_size), plan.qr_box[:2])
    if plan.label_box is not None:
        font = load_font(plan.label_font_px)
        label = _normalise_label(label_text)
        left, top, _, _ = _text_bbox(label, font)
        draw = ImageDraw.Draw(sheet)
        x, y = plan.label_box[0] - left, plan.label_box[1] - top
        draw.multiline_text(
            (x, y),
            label,
            font=font,
            fill=LABEL_COLOR,
            spacing=_spacing(font),
            align=plan.label_align,
        )
    return sheet


def layout_jpeg(photo: Image.Image, **kwargs) -> bytes:
    """``layout_sheet`` encoded with ``encode_jpeg`` at the sheet's dpi."""
    return encode_jpeg(layout_sheet(photo, **kwargs), dpi=kwargs.get("dpi", 300))


def _paper(paper: str, vertical: bool, dpi: int) -> tuple[str, tuple[int, int]]:
    key = {name.lower(): name for name in PAPER_MM}.get(str(paper).strip().lower())
    if key is None:
        raise EngineError(f"Unknown paper size {paper!r}: use one of {', '.join(PAPER_MM)}.")
    short, long = (_px(mm, dpi) for mm in PAPER_MM[key])
    return key, ((short, long) if vertical else (long, short))


def _px(mm: float, dpi: int) -> int:
    return round(mm / MM_PER_INCH * dpi)


def _fit(length: int, item: int, gap: int) -> int:
    return max(0, (length + gap) // (item + gap))


def _shrink(cols: int, rows: int, max_count: int | None) -> tuple[int, int]:
    """The grid for at most ``max_count`` copies: as few rows as the columns allow."""
    if max_count is None or cols * rows <= max_count:
        return cols, rows
    cols = min(cols, max_count)
    return cols, math.ceil(max_count / cols) if cols else 0


def _panels(qr: int, label: tuple[int, int], gap: int):
    """Candidate panels for the QR code and label: None, then (place, w, h, stacked)."""
    label_w, label_h = label
    if not qr and not label_w:
        yield None
        return
    both = gap if (qr and label_w) else 0
    stacked = (max(qr, label_w), qr + both + label_h, True)
    side_by_side = (qr + both + label_w, max(qr, label_h), False)
    for place in ("right", "bottom"):
        for w, h, is_stacked in (stacked, side_by_side):
            yield place, w, h, is_stacked


def _panel_boxes(panel, qr: int, label: tuple[int, int], gap: int, stacked: bool):
    x, y, w, h = panel
    label_w, label_h = label
    qr_box = label_box = None
    if stacked:
        if qr:
            qx = x + (w - qr) // 2
            qr_box = (qx, y, qx + qr, y + qr)
        if label_w:
            lx, ly = x + (w - label_w) // 2, y + h - label_h
            label_box = (lx, ly, lx + label_w, ly + label_h)
    else:
        if qr:
            qy = y + (h - qr) // 2
            qr_box = (x, qy, x + qr, qy + qr)
        if label_w:
            lx, ly = x + w - label_w, y + (h - label_h) // 2
            label_box = (lx, ly, lx + label_w, ly + label_h)
    return qr_box, label_box


def _normalise_label(text: str | None) -> str:
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text.replace("\\n", "\n").replace("\r\n", "\n"))
    return "\n".join(line.strip() for line in text.strip().split("\n"))


def _label_font(label: str, max_width: int, dpi: int) -> ImageFont.FreeTypeFont:
    missing = missing_glyphs(load_font(2 * MIN_LABEL_FONT_PX), label)
    if missing:
        raise EngineError(
            f"The sheet label cannot be printed: the font has no glyph for {''.join(missing)!r}."
        )
    for size in range(
        max(MIN_LABEL_FONT_PX, round(LABEL_FONT_PT / 72 * dpi)), MIN_LABEL_FONT_PX - 1, -1
    ):
        font = load_font(size)
        if _text_size(label, font)[0] <= max_width:
            return font
    raise LabelTooLong(
        f"A line of the sheet label is too long for the paper ({max_width} px) even at "
        f"{MIN_LABEL_FONT_PX} px: shorten it."
    )


def _spacing(font: ImageFont.FreeTypeFont) -> int:
    return max(2, round(font.size * 0.3))


def _text_bbox(text: str, font: ImageFont.FreeTypeFont) -> Box:
    probe = ImageDraw.Draw(Image.new("L", (1, 1)))
    return probe.multiline_textbbox((0, 0), text, font=font, spacing=_spacing(font))


def _text_size(text: str, font: ImageFont.FreeTypeFont) -> tuple[int, int]:
    left, top, right, bottom = _text_bbox(text, font)
    return math.ceil(right - left), math.ceil(bottom - top)


def _printed_copy(photo: Image.Image, photo_mm: tuple[float, float], plan: LayoutPlan):
    """The photo resized to its printed pixel size (turned 90° when the plan says so)."""
    target = (_px(photo_mm[0], plan.dpi), _px(photo_mm[1], plan.dpi))
    photo_aspect = photo.width / photo.height
    target_aspect = photo_mm[0] / photo_mm[1]
    if abs(photo_aspect / target_aspect - 1) > MAX_ASPECT_MISMATCH:
        raise EngineError(
            f"The photo is {photo.width}×{photo.height} px, which is not the shape of "
            f"{photo_mm[0]:g}×{photo_mm[1]:g} mm: it would print stretched."
        )
    rgb = photo.convert("RGBA") if "A" in photo.getbands() else photo.convert("RGB")
    if rgb.mode == "RGBA":
        flat = Image.new("RGB", rgb.size, (255, 255, 255))
        flat.paste(rgb, mask=rgb.getchannel("A"))
        rgb = flat
    if rgb.size != target:
        rgb = rgb.resize(target, Image.Resampling.LANCZOS)
    return rgb.transpose(Image.Transpose.ROTATE_90) if plan.rotated else rgb


def _draw_crop_marks(sheet: Image.Image, plan: LayoutPlan) -> None:
    """Ticks continuing every photo edge into the gaps and margins, never onto a photo.

    Between copies a tick spans the gap; at the outside of the grid it runs up to
    CROP_MARK_LENGTH_MM into the margin, where a paper cutter's blade is lined up.
    """
    draw = ImageDraw.Draw(sheet)
    offset = max(1, _px(CROP_MARK_OFFSET_MM, plan.dpi))
    short = plan.gap - 2 * offset
    long = max(short, _px(CROP_MARK_LENGTH_MM, plan.dpi))
    occupied = list(plan.boxes) + [b for b in (plan.qr_box, plan.label_box) if b]
    width, height = sheet.size

    def tick(along: int, start: int, direction: int, vertical: bool) -> Box | None:
        """A 1 px tick on line ``along`` leaving ``start`` in ``direction`` (+1/-1)."""
        room = (start if direction < 0 else (height if vertical else width) - start - 1) - offset
        for length in (min(long, room), short):
            a = start + direction * offset
            b = a + direction * (length - 1)
            lo, hi = min(a, b), max(a, b) + 1
            box = (along, lo, along + 1, hi) if vertical else (lo, along, hi, along + 1)
            if length > 0 and not any(_overlaps(box, other) for other in occupied):
                return box
        return None

    ticks = set()
    for x0, y0, x1, y1 in plan.boxes:
        for x in (x0, x1 - 1):
            ticks.add(tick(x, y0 - 1, -1, vertical=True))
            ticks.add(tick(x, y1, +1, vertical=True))
        for y in (y0, y1 - 1):
            ticks.add(tick(y, x0 - 1, -1, vertical=False))
            ticks.add(tick(y, x1, +1, vertical=False))
    for box in ticks - {None}:
        draw.rectangle((box[0], box[1], box[2] - 1, box[3] - 1), fill=CROP_MARK_COLOR)


def _overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _qr_image(data: str, size: int) -> Image.Image:
    """A QR code (error correction M, standard quiet zone) of exactly ``size`` px."""
    symbol = segno.make(data, error="m", boost_error=False, micro=False)
    matrix = np.array(list(symbol.matrix_iter(scale=1, border=QR_BORDER_MODULES)), dtype=bool)
    modules = matrix.shape[0]
    scale = size // modules
    if scale < MIN_QR_MODULE_PX:
        raise EngineError(
            f"The QR code data is too long for a {size} px code ({modules} modules): "
            f"use a larger layout_qr_code_size (at least {modules * MIN_QR_MODULE_PX} px) "
            "or shorter data."
        )
    pixels = np.where(matrix, 0, 255).astype(np.uint8)
    code = Image.fromarray(pixels, "L").resize((modules * scale,) * 2, Image.Resampling.NEAREST)
    square = Image.new("RGB", (size, size), (255, 255, 255))
    offset = (size - modules * scale) // 2
    square.paste(code, (offset, offset))
    return square
