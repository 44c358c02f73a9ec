"""Continue the shoulders where the output frame is wider than the photo.

A wide frame (the square US visa, say) can need more room beside the head than a tight
head-and-shoulders photo has. Rather than refuse, the frame may run a little past the
photo's side edges (fit.SHOULDER_EXTENSION). Below the chin, those strips would show the
shoulders ending in a straight vertical cut, or, edge-replicated, a band of streaks. So
there the person is continued: the shoulder line goes on with the slope it has at the
photo's edge; the clothes just inside the edge are mirrored across it, fading into their
colour averaged over a band and smoothed from row to row, so that the seam has no edge
and no streak of the edge column shows.
"""

from __future__ import annotations

import math

import numpy as np

from photos.engine.band_colour import band_colour

EDGE_BAND = 0.06  # share of the width, inside the photo, where the shoulder line is read
COLOUR_BAND = 0.03  # share of the width, inside the photo, whose colour is carried across
COLOUR_SMOOTHING = 0.02  # of the height: Gaussian sigma of the colour from row to row
# The shoulder line falls outward by this many rows per column: at least a little (a flat
# line reads as a shelf), at most 45 degrees.
MIN_SLOPE, MAX_SLOPE = 0.25, 1.0
# Source pixels just inside the photo's edge that are not trusted: resampling blends them
# with the fill, the matte fades there, and JPEG colour subsampling often tints the last
# few (a navy jacket's last columns came out green).
SKIP_SOURCE_PX = 4
TEXTURE_FADE = 0.02  # of the width: the mirrored texture fades into the smoothed colour
SIDE_ROWS = 0.6  # the upper share of the rows below the chin where the side edge is read


def continue_shoulders(
    rgb: np.ndarray, alpha: np.ndarray, inside: np.ndarray, chin_row: int, scale: float
) -> tuple[np.ndarray, np.ndarray, float]:
    """Fill the parts of the frame beside the photo, below the chin, with the shoulders.

    ``inside`` is 1 where the frame shows the photo. Rows above the chin and sides where
    the person does not reach the photo's edge are left as they are (the new background
    shows there). ``scale`` is output pixels per source pixel. Also returns the widest
    share of the width continued on one side.
    """
    chin_row = int(np.clip(chin_row, 0, alpha.shape[0]))
    rgb, alpha = rgb.copy(), alpha.copy()
    widest = 0
    for flip in (False, True):  # the left side, then the right side mirrored
        view = (lambda a: a[:, ::-1]) if flip else (lambda a: a)
        filled = _continue_left(view(rgb), view(alpha), view(inside), chin_row, scale)
        widest = max(widest, filled)
    return rgb, alpha, widest / alpha.shape[1]


def _continue_left(
    rgb: np.ndarray, alpha: np.ndarray, inside: np.ndarray, chin_row: int, scale: float
) -> int:
    """In place, on views whose left side is the one to continue; the columns filled."""
    height, width = alpha.shape
    body = slice(chin_row, height)
    outside = inside[body] < 0.5
    # First column of the photo in each row below the chin (0 where the photo starts there).
    edge = np.where(outside.all(axis=1), width, np.argmin(outside, axis=1))
    if edge.max() == 0 or edge.min() >= width:
        return 0
    start = _side_edge(edge, width)
    band = max(6, round(EDGE_BAND * width))
    first = start + 1 + math.ceil(SKIP_SOURCE_PX * max(scale, 0.5))
    if first >= width - band:
        return 0
    columns = np.arange(first, first + band)
    person = alpha[body, :] > 0.5
    if not person[:, first].any():
        return 0  # the person does not run into this side of the photo
    # Shoulder line: the first row of the person below the chin, column by column; it is
    # continued from where it meets the edge, with the slope it has there.
    reached = person[:, columns].any(axis=0)
    tops = np.argmax(person[:, columns], axis=0).astype(np.float64)
    slope = MIN_SLOPE
    if reached.sum() >= 3:
        fitted = -np.polyfit(columns[reached], tops[reached], 1)[0]  # rows down per column out
        slope = float(np.clip(fitted, MIN_SLOPE, MAX_SLOPE))
    top_at_edge = float(np.median(tops[:3])) if reached[:3].all() else tops[0]
    # Only the columns left of the sampled band are filled.
    rows = np.arange(height - chin_row, dtype=np.float64)[:, None]
    cols = np.arange(first, dtype=np.float64)[None, :]
    line = top_at_edge + slope * (first - cols)
    continued = np.clip(rows - line + 0.5, 0.0, 1.0).astype(np.float32)
    # Colour: what the person wears just inside the edge, row by row, smoothed.
    colour_band = slice(first, min(width, first + max(4, round(COLOUR_BAND * width))))
    colour = band_colour(
        rgb[body, colour_band],
        alpha[body, colour_band] > 0.8,
        axis=1,
        sigma=max(1.0, COLOUR_SMOOTHING * height),
    )
    # Texture: the band inside mirrored across the seam, fading into that colour, so the
    # seam has no edge and the far part no streaks.
    distance = first - np.arange(first)  # 1 at the seam
    mirrored = rgb[body, np.minimum(first + distance - 1, width - 1)].astype(np.float32)
    keep = np.exp(-distance / max(1.0, TEXTURE_FADE * width))[None, :, None]
    filled_rgb = keep * mirrored + (1 - keep) * colour[:, None, :]
    # Everything left of the sampled band is replaced, the photo's untrusted last columns
    # included, so the continued part starts where the sampled line and colour do.
    region = (slice(chin_row, height), slice(0, first))
    alpha[region] = continued
    rgb[region] = np.round(filled_rgb).astype(rgb.dtype)
    return first


def _side_edge(edge: np.ndarray, width: int) -> int:
    """The innermost column of the photo's side edge over the rows below the chin.

    ``edge`` is each row's first photo column. The side edge is a straight line (slanted
    when the photo was levelled), but in the last rows the photo's bottom edge may come
    into the frame and move that first column far inwards (a few rows of tolerance, or
    the corner a levelled photo leaves; engine/body.py fills those): so the line is read
    on the upper rows and extended down, not taken from every row.
    """
    rows = np.flatnonzero(edge < width)
    upper = rows[: max(3, round(SIDE_ROWS * rows.size))]
    if upper.size < 3:
        return int(edge[rows].max())
    slope, offset = np.polyfit(upper, edge[upper], 1)
    extended = offset + slope * rows[[0, -1]]
    return int(np.ceil(max(float(edge[upper].max()), float(extended.max()))))
