"""Print a name or number on the photo ("Label Parameters" in shared/reference/idphoto-api.txt).

The reference puts the label "at bottom" with ``label_height`` in pixels (default 30). We
draw it as a white strip INSIDE the photo, covering its bottom ``height`` rows, instead of
growing the canvas: a 295×413 px order must still come out 295×413 px. At the default
30 px the strip covers the shoulders only, never the face. Text is black and centred; it starts
at about 70 % of the strip height and shrinks to fit the width, down to a readable
minimum, after which the label is refused rather than printed illegibly.
"""

from __future__ import annotations

import unicodedata

from PIL import Image, ImageDraw, ImageFont

from photos.engine.errors import EngineError, LabelTooLong
from photos.engine.fonts import load_font, missing_glyphs

STRIP_COLOR = (255, 255, 255)
TEXT_COLOR = (0, 0, 0)
MIN_FONT_PX = 10  # smallest size still readable on a 300 dpi print (~0.85 mm)
FONT_TO_STRIP = 0.7  # font size as a share of the strip height
SIDE_MARGIN = 0.04  # share of the photo width kept free on each side


def add_label(image: Image.Image, *, text: str, height: int = 30) -> Image.Image:
    """The photo with ``text`` on a white strip over its bottom ``height`` pixels.

    Same size and mode (RGB/RGBA/L; others become RGB). ``height`` 0 or empty text returns
    the image unchanged. Raises LabelTooLong when the text does not fit at MIN_FONT_PX.
    """
    text = " ".join(unicodedata.normalize("NFC", text or "").split())
    if height == 0 or not text:
        return image
    width, image_height = image.size
    if not 0 < height < image_height:
        raise EngineError(
            f"label_height must be between 1 and {image_height - 1} px for a "
            f"{width}×{image_height} px photo, got {height}."
        )

    font = fit_font(text, max_width=width - 2 * round(width * SIDE_MARGIN), max_height=height)
    out = image.copy() if image.mode in ("RGB", "RGBA", "L") else image.convert("RGB")
    draw = ImageDraw.Draw(out)
    top = image_height - height
    draw.rectangle((0, top, width - 1, image_height - 1), fill=_color(STRIP_COLOR, out.mode))
    draw.text(
        (width / 2, top + height / 2),
        text,
        font=font,
        fill=_color(TEXT_COLOR, out.mode),
        anchor="mm",
    )
    return out


def fit_font(text: str, *, max_width: int, max_height: int) -> ImageFont.FreeTypeFont:
    """The largest font (from ~70 % of ``max_height`` down to MIN_FONT_PX) that fits."""
    missing = missing_glyphs(load_font(MIN_FONT_PX * 2), text)
    if missing:
        raise EngineError(
            f"The label cannot be printed: the font has no glyph for {''.join(missing)!r}."
        )
    start = max(MIN_FONT_PX, round(max_height * FONT_TO_STRIP))
    for size in range(start, MIN_FONT_PX - 1, -1):
        font = load_font(size)
        left, top, right, bottom = font.getbbox(text, anchor="mm")
        if right - left <= max_width and bottom - top <= max_height:
            return font
    if round(max_height * FONT_TO_STRIP) < MIN_FONT_PX:
        raise LabelTooLong(
            f"A label strip of {max_height} px is too low for readable text: "
            f"use a label_height of at least {round(MIN_FONT_PX / FONT_TO_STRIP)} px."
        )
    raise LabelTooLong(
        f"The label {text!r} does not fit on a {max_width} px wide strip even at "
        f"{MIN_FONT_PX} px: shorten it."
    )


def _color(rgb: tuple[int, int, int], mode: str):
    if mode == "L":
        return round(0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2])
    if mode == "RGBA":
        return (*rgb, 255)
    return rgb
