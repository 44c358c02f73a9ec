"""Continue the top of the hair where the photo's upper edge cuts off a little of it.

Portraits are often framed with the hair touching the top edge. With a new background
the ID photo needs a margin above the head, and that margin would show the hair ending in
a straight cut. When only a little is missing, the head's outline is continued instead:
its width, row by row below the cut, is fitted as an ellipse (the squared half-width is
then a quadratic in the row, and the middle of a tilted head's rows moves along a line),
which closes a few pixels above the edge; that cap is
filled with the hair's own colour, mirrored across the edge and fading into the colour
averaged along it, so the seam shows neither an edge nor streaks.

Only when the fitted outline closes within MAX_MISSING of the face length, the head is
narrow where it is cut, and tilted by at most MAX_ROLL_DEG; otherwise the head is refused
as cut off, as before (the crown would be invented, not continued). The cap is drawn in the
output after the matte has been refined there, and made exactly as wide as the refined
hair just below the seam.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from photos.engine.band_colour import band_colour

# Measured on 21 photos of people from registry packages, each cut 2-10 % of its
# forehead-to-chin length below the crown and matted again: the fitted ellipse closes
# too early, by a fifth of the missing part on average (hair is flatter on top than an
# ellipse through its sides), so the cap is stretched upwards by OUTLINE_STRETCH. Then
# the crown comes back within 0.02 (mean 0.00) of that length for cuts of 2 %, and
# within 0.06 (90 % within 0.04) for cuts of 6-8 %; cuts of 10 % go wrong by up to 0.10.
OUTLINE_STRETCH = 1.25
MAX_MISSING = 0.07  # of forehead-to-chin, after the stretch
# And the head must be narrow where the photo cuts it, as a head is just below its top:
# at most this share of the face's width (those continued above: 0.46-0.5). A wide cut
# means the top is far away, whatever a fit through a hat's or a hairdo's sides says.
MAX_WIDTH_AT_CUT = 0.55
# Levelling turns the photo's edge into a slant across the frame. The outline is fitted
# in the photo's own rows, where a tilted head is a tilted ellipse (its rows' widths
# still squared-quadratic, their centres drifting in a line). On 41 registry portraits
# tilted by up to +-11 degrees more and cut 2 % and 5 % of forehead-to-chin below the
# crown, the cap met the hair without a step and the crown came back within 1.4 px;
# the astronaut showed a faint seam at 15.
MAX_ROLL_DEG = 12.0
# A head that just touches the edge is left as it is only if levelling turns the flat it
# was cut to into a slant of at most this many matte pixels from end to end. (At 1 px,
# Grace Hopper's 3-degree tilt refused her cap two rows below the edge at three of four
# documents; 2 px is at most 2.5 output pixels across the top of the head.)
MAX_FLAT_SLANT_PX = 2.0
FIT_DEPTH = 0.3  # of forehead-to-chin: the rows below the cut whose width is fitted
MIN_ROWS = 6
# Matte pixels just inside the edge that are not trusted (the matte fades at the photo's
# border; resampling and JPEG subsampling blur the last rows).
SKIP_MATTE_PX = 2
COLOUR_BAND = 0.04  # of the face length, inside the edge: the colour carried above it
TEXTURE_FADE = 0.015  # of the face length: the mirrored texture fades into that colour
EDGE_SOFTNESS_PX = 1.0  # output pixels: the cap's outline is as soft as a matted edge


@dataclass(frozen=True)
class CutHead:
    """The head's outline above the photo's top edge, in matte pixels (row 0 = the edge).

    Below the edge, half-width squared is ``a + b*y + c*y*y`` around ``centre``; above
    it the same curve stretched by OUTLINE_STRETCH, reaching zero at ``top`` (a negative
    row: above the photo).
    """

    a: float
    b: float
    c: float
    centre: float
    top: float
    drift: float = 0.0  # columns per row: the centre of a tilted head moves along its axis

    def distance(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Signed distance to the outline (positive inside), to first order, in pixels."""
        stretch = np.where(y < 0, OUTLINE_STRETCH, 1.0)
        y = y / stretch
        dx = x - self.centre - self.drift * y
        inside = self.a + self.b * y + self.c * y * y - dx * dx
        slope = np.hypot(2 * dx, (self.b + 2 * self.c * y + 2 * dx * self.drift) / stretch)
        return inside / np.maximum(slope, 1e-6)

    def outline(self, samples: int = 65) -> np.ndarray:
        """Points of the outline above the edge, (x, y) in matte pixels, both sides."""
        y = np.linspace(self.top, 0.0, samples)
        unstretched = y / OUTLINE_STRETCH
        half = np.sqrt(np.maximum(self.a + self.b * unstretched + self.c * unstretched**2, 0.0))
        centre = self.centre + self.drift * unstretched
        return np.concatenate(
            [np.stack([centre - half, y], axis=1), np.stack([centre + half, y], axis=1)]
        )


def fit_cut_head(
    alpha: np.ndarray,
    centre_x: float,
    face_length: float,
    face_width: float,
    roll_deg: float = 0.0,
) -> CutHead | None:
    """Fit the outline of a head that runs into row 0 of ``alpha`` (a matte from the top).

    ``centre_x`` is the head's centre column, ``face_length`` forehead to chin and
    ``face_width`` cheek to cheek, all in ``alpha``'s pixels; ``roll_deg`` how far the
    head is tilted in the photo. ``None`` when the head is tilted too far, too wide at the
    cut or its outline does not close within MAX_MISSING.
    """
    if abs(roll_deg) > MAX_ROLL_DEG:
        return None
    height, width = alpha.shape
    depth = min(height, max(MIN_ROWS, round(FIT_DEPTH * face_length)))
    column = int(np.clip(round(centre_x), 0, width - 1))
    rows, half_widths, centres = [], [], []
    for y in range(depth):
        run = _run(alpha[y] > 0.5, column)
        if run is None:
            continue  # not the head, or it runs into a side of the matte: width unknown
        left, right = run
        rows.append(y)
        half_widths.append((right - left + 1) / 2)
        centres.append((left + right) / 2)
    # (A head that touches the edge beside its centre column is measured from just below.)
    first_row_allowed = max(2.0, 0.03 * face_length)
    if (
        len(rows) < MIN_ROWS
        or rows[0] > first_row_allowed
        or 2 * half_widths[0] > MAX_WIDTH_AT_CUT * face_width
    ):
        return None
    # Hair elsewhere along the cut (a wide, uneven hairdo) would end in a straight line.
    cut = np.flatnonzero(alpha[rows[0]] > 0.5)
    if cut[-1] - cut[0] + 1 > MAX_WIDTH_AT_CUT * face_width:
        return None
    y = np.asarray(rows, np.float64)
    c, b, _a = np.polyfit(y, np.square(half_widths), 2)
    drift = float(np.polyfit(y, centres, 1)[0])
    centre = float(centres[0] - drift * y[0])
    # The fitted shape, through the head's width and centre where the photo cuts it, so
    # that the cap meets the hair without a step.
    a = half_widths[0] ** 2 - b * y[0] - c * y[0] ** 2
    if a <= 0:
        # The fit closes inside the photo, between the edge and the first row measured
        # (curls, or a parting at the centre column): take the top of the head as round,
        # of radius half the face width, through that row's width.
        radius = face_width / 2
        top = min(0.0, y[0] - half_widths[0] ** 2 / (2 * radius))
        a, b, c = -top * top - 2 * radius * top, 2 * top + 2 * radius, -1.0
        if top == 0.0:
            # Nothing above the edge: the head is only flattened there, unless it is
            # tilted, when the flat would show as a slant across its top. The flat is as
            # wide as the hair along the edge, which can be wider than the first row
            # through the centre column (a flat cap, a head touching beside its top).
            half = max(half_widths[0], _half_width_along_edge(alpha, centre, face_width))
            slant = 2 * half * math.tan(math.radians(abs(roll_deg)))
            if slant > MAX_FLAT_SLANT_PX:
                return None
            return CutHead(a=half**2, b=0.0, c=0.0, centre=centre, top=0.0, drift=drift)
    top = _closing_row(a, b, c)
    if top is None:
        # A pointed top (the width grows linearly, so its square has no root): close it
        # where the width, continued in a straight line, reaches zero, with a rounded tip.
        slope = np.polyfit(y[:MIN_ROWS], half_widths[:MIN_ROWS], 1)[0]
        if slope <= 0:
            return None
        top = y[0] - half_widths[0] / slope
        b, c = a / -top, 0.0
    top *= OUTLINE_STRETCH
    if -top > MAX_MISSING * face_length:
        return None
    return CutHead(a=float(a), b=float(b), c=float(c), centre=centre, top=top, drift=drift)


def _aligned_columns(
    xs: np.ndarray,
    alpha: np.ndarray,
    head: CutHead,
    to_matte: np.ndarray,
    scale: float,
    first: np.ndarray,
) -> np.ndarray:
    """Output columns remapped so that the cap is exactly as wide as the person is just
    below the seam.

    The outline was fitted on the network's matte; the output's alpha has been refined
    against the photo since (its soft hair edge tightened), so at the seam the two can
    differ by a few pixels, which would show as a step on each side.
    """
    height, width = alpha.shape
    centre = cv2.invertAffineTransform(to_matte) @ np.array([head.centre, 0.0, 1.0])
    column = int(np.clip(round(centre[0]), 0, width - 1))
    columns = np.arange(width, dtype=np.float64)

    def fitted_run(row: int) -> tuple[int, int] | None:
        mx = to_matte[0, 0] * columns + to_matte[0, 1] * row + to_matte[0, 2]
        my = to_matte[1, 0] * columns + to_matte[1, 1] * row + to_matte[1, 2]
        return _run(head.distance(mx, my) > 0, column)

    # The first row where the photo holds the whole width of the head: on a levelled
    # photo the edge runs at a slant, and a row that crosses it shows only part of it.
    row = int(first[column]) + 1
    across = fitted_run(row) if row < height else None
    if across is not None:
        row = int(first[across[0] : across[1] + 1].max()) + 1
    if row >= height:
        return xs
    person = _run(alpha[row] > 0.5, column)
    fitted = fitted_run(row)
    if person is None or fitted is None or min(person[1] - person[0], fitted[1] - fitted[0]) < 2:
        return xs
    ratio = (fitted[1] - fitted[0]) / max(person[1] - person[0], 1)
    return (fitted[0] + fitted[1]) / 2 + (xs - (person[0] + person[1]) / 2) * ratio


def _half_width_along_edge(alpha: np.ndarray, centre: float, face_width: float) -> float:
    """Half the span of the head's hair in the first trusted row along the top edge (the
    row the pipeline checks for hair cut straight), within MAX_WIDTH_AT_CUT face widths
    around the head's centre."""
    row = alpha[min(SKIP_MATTE_PX, alpha.shape[0] - 1)] > 0.5
    columns = np.flatnonzero(row)
    near = columns[np.abs(columns + 0.5 - centre) <= MAX_WIDTH_AT_CUT * face_width / 2]
    if near.size == 0:
        return 0.0
    return float(max(near[-1] + 1 - centre, centre - near[0]))


def _run(mask: np.ndarray, column: int) -> tuple[int, int] | None:
    """First and last index of the run of True through ``column``; None where there is
    none, or where the mask is True at either end (the run may reach it)."""
    if not mask[column] or mask[0] or mask[-1]:
        return None
    left = column - int(np.argmin(mask[column::-1])) + 1
    right = column + int(np.argmin(mask[column:])) - 1
    return left, right


def _closing_row(a: float, b: float, c: float) -> float | None:
    """The row above 0 where ``a + b*y + c*y*y`` falls to zero, if it does."""
    if a <= 0:
        return None
    if abs(c) < 1e-12:
        return -a / b if b > 0 else None
    roots = np.roots([c, b, a])
    above = [float(r.real) for r in roots if abs(r.imag) < 1e-9 and r.real < 0]
    return max(above) if above else None


def continue_crown(
    rgb: np.ndarray,
    alpha: np.ndarray,
    inside: np.ndarray,
    head: CutHead,
    to_matte: np.ndarray,
    scale: float,
    face_length_px: float,
) -> tuple[np.ndarray, np.ndarray, bool]:
    """Fill the cap of ``head`` where the output frame lies above the photo.

    ``to_matte`` maps output pixels to the matte's (2x3), ``scale`` is output pixels per
    matte pixel, ``face_length_px`` forehead to chin in output pixels. Columns whose top
    lies in the photo are left alone. Also says whether anything was continued.
    """
    if head.top * scale > -0.5:  # less than half an output pixel is missing
        return rgb, alpha, False
    height, width = alpha.shape
    outside = inside < 0.5
    # First row of the photo in each column (height where the column never reaches it).
    edge = np.where(outside.all(axis=0), height, np.argmin(outside, axis=0))
    skip = math.ceil(SKIP_MATTE_PX * max(scale, 0.5))
    band = max(3, round(COLOUR_BAND * face_length_px))
    last = int(min(edge.max(), height - 1))
    if last <= 0:
        return rgb, alpha, False
    rows_out = min(height, last + skip + 1)
    first = np.minimum(edge + skip, height - 1)  # each column's first trusted row
    ys, xs = np.mgrid[:rows_out, :width].astype(np.float64)
    xs = _aligned_columns(xs, alpha, head, to_matte, scale, first)
    mx = to_matte[0, 0] * xs + to_matte[0, 1] * ys + to_matte[0, 2]
    my = to_matte[1, 0] * xs + to_matte[1, 1] * ys + to_matte[1, 2]
    cap = np.clip(head.distance(mx, my) * scale / (2 * EDGE_SOFTNESS_PX) + 0.5, 0.0, 1.0)
    cap[my < head.top] = 0.0  # the quadratic's far side, above the closing row
    # Only above each column's trusted first row.
    fill = ys < first[None, :]
    # Colour along the edge: the hair in the band inside, per column, smoothed sideways.
    all_rows = np.arange(height)[:, None]
    in_band = (all_rows >= first) & (all_rows < first + band) & (edge < height)
    colour = band_colour(rgb, in_band & (alpha > 0.8), axis=0, sigma=max(1.0, band))
    # Texture: the rows below the seam mirrored above it, fading into that colour.
    above = np.maximum(first[None, :] - ys, 1.0)  # 1 just above the seam
    mirror_rows = np.clip(first[None, :] + above - 1, 0, height - 1).astype(np.intp)
    columns = np.arange(width)[None, :]
    mirrored = rgb[mirror_rows, columns].astype(np.float32)
    # Background pixels beside the hair are not mirrored into the cap's edge.
    hair = np.clip(alpha[mirror_rows, columns], 0.0, 1.0)
    fade = (np.exp(-above / max(1.0, TEXTURE_FADE * face_length_px)) * hair)[..., None]
    filled = fade * mirrored + (1 - fade) * colour[None, :, :]
    rgb, alpha = rgb.copy(), alpha.copy()
    region_rgb, region_alpha = rgb[:rows_out], alpha[:rows_out]
    region_rgb[fill] = np.round(filled[fill]).astype(rgb.dtype)
    region_alpha[fill] = cap[fill].astype(alpha.dtype)
    return rgb, alpha, True
