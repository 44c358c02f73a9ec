"""Take a photo out of a plain margin it was turned or set into.

A print scanned crooked on a white scanner bed, or a photo turned in an editor that filled
the corners with white or black, reaches us as a picture inside a plain margin. The person
matte (MODNet) then takes the whole picture, background and all, for the object in front
of the margin: Grace Hopper turned by 15-25 degrees on white kept her flag on the new
background. The picture inside is found as the rotated rectangle that the margin's colour
leaves, and cut out straight, so the rest of the engine sees the photo itself.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

# The margin is found on a copy this size (long side), which is plenty for its outline.
WORK_SIDE = 400
# Colour distance (per channel, 0-255) within which a pixel is the margin's colour; JPEG
# ringing along the picture's edge stays within it.
MARGIN_TOLERANCE = 10
# The margin must cover this share of the upload, and the picture inside fill its
# rectangle to this share (a person on a blown-out white backdrop fills far less of the
# rectangle round them), and cover this share of the upload.
MIN_MARGIN_SHARE = 0.01
MIN_RECT_FILL = 0.97
MIN_PICTURE_SHARE = 0.3
# A margin square to the picture does no harm (the matte takes it for background, as it
# is), and cutting it off can take the last rows of hair that reach the picture's edge;
# only a picture turned by at least this many degrees is cut out.
MIN_ANGLE = 3.0
# The cut goes this many working pixels inside the picture's edge, past the blend of
# picture and margin that resampling leaves.
EDGE_TRIM = 1.5


@dataclass(frozen=True)
class Inset:
    """The picture inside the margin: centre and size in pixels, and the angle (degrees,
    counter-clockwise) by which it is turned."""

    centre: tuple[float, float]
    size: tuple[float, float]
    angle: float
    scale: float  # upload pixels per pixel of the copy the margin was found on


def find_inset(rgb: np.ndarray) -> Inset | None:
    """The picture inside a plain margin it is turned in, or None when the upload is not
    one."""
    height, width = rgb.shape[:2]
    corners = np.array([rgb[0, 0], rgb[0, -1], rgb[-1, 0], rgb[-1, -1]], dtype=np.int16)
    colour = np.median(corners, axis=0)
    if np.abs(corners - colour).max() > MARGIN_TOLERANCE:
        return None
    factor = min(1.0, WORK_SIDE / max(height, width))
    small = cv2.resize(
        rgb,
        (max(1, round(width * factor)), max(1, round(height * factor))),
        interpolation=cv2.INTER_AREA,
    )
    near = (np.abs(small.astype(np.int16) - colour).max(axis=-1) <= MARGIN_TOLERANCE).astype(
        np.uint8
    )
    # The margin is the margin-coloured area joined to the upload's border.
    _count, labels = cv2.connectedComponents(near, connectivity=4)
    border = np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]])
    margin = np.isin(labels, np.setdiff1d(border, [0]))  # label 0: not the margin's colour
    if margin.mean() < MIN_MARGIN_SHARE:
        return None
    picture = (~margin).astype(np.uint8)
    contours, _ = cv2.findContours(picture, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None
    outline = max(contours, key=cv2.contourArea)
    (cx, cy), (w, h), angle = cv2.minAreaRect(outline)
    area = cv2.contourArea(outline)
    if w * h <= 0 or area / (w * h) < MIN_RECT_FILL or area < MIN_PICTURE_SHARE * picture.size:
        return None
    # The smallest turn that makes the rectangle upright; a quarter turn more is left to
    # the pipeline, which turns a photo stored sideways by its face.
    while angle >= 45:
        angle, w, h = angle - 90, h, w
    while angle < -45:
        angle, w, h = angle + 90, h, w
    if abs(angle) < MIN_ANGLE:
        return None
    return Inset(
        centre=(cx / factor, cy / factor),
        size=(w / factor, h / factor),
        angle=angle,
        scale=1 / factor,
    )


def straighten(rgb: np.ndarray, inset: Inset) -> np.ndarray:
    """The picture inside the margin, cut out upright."""
    width, height = inset.size
    trim = EDGE_TRIM * inset.scale + 1
    out_w, out_h = max(1, math.floor(width - 2 * trim)), max(1, math.floor(height - 2 * trim))
    matrix = cv2.getRotationMatrix2D(inset.centre, inset.angle, 1.0)
    matrix[0, 2] += out_w / 2 - inset.centre[0]
    matrix[1, 2] += out_h / 2 - inset.centre[1]
    return cv2.warpAffine(
        rgb, matrix, (out_w, out_h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )
