"""Watermarked previews ("preview" in shared/reference/idphoto-api.txt: a preview has a
watermark and costs no credits).

A preview must show the customer what they will get and be useless as the product. So the
watermark is tiled diagonally over the whole picture (cropping an edge keeps most of it;
every quarter carries some), drawn white with a dark outline at ~40 % opacity so it reads
on light backgrounds and dark hair alike, and the photo under it is softened a little
(scaled down and back up), so the clean image cannot be rebuilt by averaging it out.
"""

from __future__ import annotations

import math

import numpy as np
from PIL import Image, ImageDraw

from photos.engine.fonts import load_font

OPACITY = 0.4
ANGLE_DEG = 30
TEXT_PER_SHORT_SIDE = 1 / 8  # font size as a share of the image's short side
MIN_FONT_PX = 10
MAX_FONT_PX = 140  # big previews get more, not larger, repeats: less clean area between
ROW_PITCH = 2.0  # rows of text, in font heights
WORD_SPACING = 0.8  # between repeats on a row, in font heights
SOFTEN_SCALE = 0.7  # detail kept: the photo passes through this share of its size
FILL = (255, 255, 255)
OUTLINE = (40, 40, 40)


def watermark(image: Image.Image, *, text: str = "PREVIEW") -> Image.Image:
    """The image softened and covered with ``text`` tiled diagonally; same size.

    RGBA stays RGBA (alpha untouched); every other mode comes back as RGB.
    """
    text = text.strip() or "PREVIEW"
    alpha = image.getchannel("A") if image.mode == "RGBA" else None
    base = _soften(image.convert("RGB")).convert("RGBA")
    base.alpha_composite(_text_layer(base.size, text))
    out = base.convert("RGB")
    if alpha is not None:
        out.putalpha(alpha)
    return out


def _soften(rgb: Image.Image) -> Image.Image:
    small = (max(1, round(rgb.width * SOFTEN_SCALE)), max(1, round(rgb.height * SOFTEN_SCALE)))
    return rgb.resize(small, Image.Resampling.BOX).resize(rgb.size, Image.Resampling.BICUBIC)


def _text_layer(size: tuple[int, int], text: str) -> Image.Image:
    """Transparent layer of the image's size with the text tiled on a rotated grid.

    The word is drawn and turned once, then stamped at the grid points, which are rotated
    about the image centre: much faster than drawing a page of text and rotating it.
    """
    width, height = size
    font_px = round(min(width, height) * TEXT_PER_SHORT_SIDE)
    font = load_font(min(MAX_FONT_PX, max(MIN_FONT_PX, font_px)))
    stroke = max(1, round(font.size / 14))
    left, top, right, bottom = font.getbbox(text, stroke_width=stroke)
    word = Image.new("RGBA", (right - left, bottom - top), (0, 0, 0, 0))
    ImageDraw.Draw(word).text(
        (-left, -top),
        text,
        font=font,
        fill=(*FILL, 255),
        stroke_width=stroke,
        stroke_fill=(*OUTLINE, 255),
    )
    alpha = np.asarray(word.getchannel("A"), dtype=np.float32) * OPACITY
    word.putalpha(Image.fromarray(alpha.round().astype(np.uint8), "L"))
    word = word.rotate(ANGLE_DEG, resample=Image.Resampling.BICUBIC, expand=True)

    pitch_x = (right - left) + round(font.size * WORD_SPACING)
    pitch_y = round(font.size * ROW_PITCH)
    pad = max(word.size)
    layer = Image.new("RGBA", (width + 2 * pad, height + 2 * pad), (0, 0, 0, 0))
    reach = math.hypot(width, height) / 2 + pitch_x
    cos, sin = math.cos(math.radians(ANGLE_DEG)), math.sin(math.radians(ANGLE_DEG))
    centre_x, centre_y = layer.width / 2, layer.height / 2
    rows = math.ceil(reach / pitch_y)
    for row in range(-rows, rows + 1):
        v = row * pitch_y
        shift = (row % 2) * pitch_x / 2  # brick pattern: no empty diagonal lane
        for col in range(-math.ceil(reach / pitch_x) - 1, math.ceil(reach / pitch_x) + 1):
            u = col * pitch_x + shift
            x = centre_x + u * cos + v * sin - word.width / 2
            y = centre_y - u * sin + v * cos - word.height / 2
            if -word.width < x - pad < width and -word.height < y - pad < height:
                layer.alpha_composite(word, (round(x), round(y)))
    return layer.crop((pad, pad, pad + width, pad + height))
