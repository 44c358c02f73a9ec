"""Put the cut-out person on a new background without a fringe of the old one.

Near the edge of the matte a pixel is a mix of person and old background. Compositing it
as is leaves a halo of the old colour around hair; we first estimate the pure foreground
colour there (Forte & Pitié, "Approximate Fast Foreground Colour Estimation", ICIP 2021,
blur-fusion with two passes) and composite that.
"""

from __future__ import annotations

import cv2
import numpy as np

from photos.engine.params import parse_hex_color

# Blur radii of the two blur-fusion passes for a 1024-pixel image (from the paper).
FUSION_RADII_AT_1024 = (90, 6)


def make_background(size: tuple[int, int], color: str, color2: str | None = None) -> np.ndarray:
    """Flat colour, or a vertical gradient from ``color`` (top) to ``color2`` (bottom)."""
    width, height = size
    top = np.array(parse_hex_color(color, field_name="bg_color"), dtype=np.float32) / 255.0
    if not color2:
        return np.broadcast_to(top, (height, width, 3)).copy()
    bottom = np.array(parse_hex_color(color2, field_name="bg_color2"), dtype=np.float32) / 255.0
    t = np.linspace(0.0, 1.0, height, dtype=np.float32)[:, None, None]
    column = top * (1 - t) + bottom * t
    return np.broadcast_to(column, (height, width, 3)).copy()


def _blur(image: np.ndarray, radius: int) -> np.ndarray:
    return cv2.blur(image, (radius, radius), borderType=cv2.BORDER_REPLICATE)


def _fusion_pass(
    image: np.ndarray, fg: np.ndarray, bg: np.ndarray, alpha: np.ndarray, radius: int
) -> tuple[np.ndarray, np.ndarray]:
    a = alpha[..., None]
    blurred_alpha = _blur(alpha, radius)[..., None]
    blurred_fg = _blur(fg * a, radius) / (blurred_alpha + 1e-5)
    blurred_bg = _blur(bg * (1 - a), radius) / ((1 - blurred_alpha) + 1e-5)
    fg = blurred_fg + a * (image - a * blurred_fg - (1 - a) * blurred_bg)
    return np.clip(fg, 0.0, 1.0), blurred_bg


def estimate_foreground(image: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """Foreground colour (float 0..1) for each pixel, free of the old background's tint."""
    scale = max(image.shape[:2]) / 1024
    r1 = max(3, round(FUSION_RADII_AT_1024[0] * scale))
    r2 = max(3, round(FUSION_RADII_AT_1024[1] * scale))
    fg, blurred_bg = _fusion_pass(image, image, image, alpha, r1)
    fg, _ = _fusion_pass(image, fg, blurred_bg, alpha, r2)
    return fg


def composite(rgb: np.ndarray, alpha: np.ndarray, background: np.ndarray) -> np.ndarray:
    """uint8 RGB person over ``background`` (float 0..1), with the edge colours cleaned."""
    image = rgb.astype(np.float32) / 255.0
    alpha = alpha.astype(np.float32)
    fg = estimate_foreground(image, alpha)
    a = alpha[..., None]
    out = fg * a + background * (1 - a)
    return np.clip(out * 255.0 + 0.5, 0, 255).astype(np.uint8)
