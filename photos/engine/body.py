"""Continue the clothes where the output frame runs a little past the photo's bottom edge.

A portrait cut close below the chin can leave a tall frame (the square US visa, say) a
few rows short at the bottom. With a new background the frame may run past the bottom
edge by a little (fit.BODY_EXTENSION) instead of refusing; those rows would show the last
row of the photo smeared downwards in streaks. Instead, the person's outline goes on
straight down from the last trusted row, and the clothes are the rows above the edge
mirrored below it, fading into their colour averaged over a band and smoothed from
column to column, so neither the seam nor the streaks show.
"""

from __future__ import annotations

import math

import numpy as np

from photos.engine.band_colour import band_colour

COLOUR_BAND = 0.04  # share of the height, inside the photo, whose colour is carried down
COLOUR_SMOOTHING = 0.02  # of the width: Gaussian sigma of the colour from column to column
TEXTURE_FADE = 0.04  # of the height: the mirrored texture fades into the smoothed colour
# Source pixels just inside the photo's edge that are not trusted: resampling blends them
# with the fill, the matte fades there, JPEG colour subsampling tints the last few, and
# frames grabbed from video can end in a few light rows (one in the calibration set does:
# 4 rows, repeated as a dotted line across the chest when only 4 were skipped).
SKIP_SOURCE_PX = 6


def continue_below(
    rgb: np.ndarray, alpha: np.ndarray, inside: np.ndarray, scale: float
) -> tuple[np.ndarray, np.ndarray, float]:
    """Fill the rows of the frame below the photo with the clothes continued.

    ``inside`` is 1 where the frame shows the photo, ``scale`` output pixels per source
    pixel. Columns where the frame never shows the photo (beside it) are left alone, for
    engine/shoulders.py. Also returns the share of the height continued (the median over
    the columns).
    """
    height, width = alpha.shape
    in_photo = inside >= 0.5
    columns = np.flatnonzero(in_photo.any(axis=0))
    if columns.size == 0:
        return rgb, alpha, 0.0
    # Last row of the photo in each column.
    last = height - 1 - np.argmax(in_photo[::-1], axis=0)
    if last[columns].min() >= height - 1:
        return rgb, alpha, 0.0
    skip = math.ceil(SKIP_SOURCE_PX * max(scale, 0.5))
    seam = np.clip(last - skip, 0, height - 1)  # the last trusted row, column by column
    band = max(4, round(COLOUR_BAND * height))
    rows = np.arange(height)[:, None]
    cols = np.arange(width)[None, :]
    # Colour: what the person wears in the band above the seam, smoothed sideways.
    in_band = (rows <= seam[None, :]) & (rows > seam[None, :] - band)
    weights = in_band & (alpha > 0.5) & np.isin(cols, columns)
    colour = band_colour(rgb, weights, axis=0, sigma=max(1.0, COLOUR_SMOOTHING * width))
    # Texture: the rows above the seam mirrored below it, fading into that colour.
    below = rows - seam[None, :]  # 1 on the first filled row
    fill = (below >= 1) & np.isin(cols, columns)
    mirrored_rows = np.clip(seam[None, :] - below + 1, 0, height - 1)
    mirrored = rgb[mirrored_rows, cols].astype(np.float32)
    fade = np.exp(-np.maximum(below, 1) / max(1.0, TEXTURE_FADE * height))[..., None]
    filled = fade * mirrored + (1 - fade) * colour[None, :, :]
    rgb, alpha = rgb.copy(), alpha.copy()
    rgb[fill] = np.round(filled[fill]).astype(rgb.dtype)
    # The outline goes on straight down from the seam.
    alpha[fill] = np.broadcast_to(alpha[seam, np.arange(width)][None, :], alpha.shape)[fill]
    # What shows is how far the body was continued, not a corner that levelling brought in.
    return rgb, alpha, float(np.median(height - 1 - last[columns]) / height)
