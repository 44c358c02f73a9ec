"""Red eyes from a flash, made dark again, as a photographer's retouch would.

A flash close to the lens lights the retina through the pupil, which then shows red
instead of black; officials refuse that. A pupil is always dark in a photo without it, so
the test is simple and local: in the disc of the pupil (the centre of the iris, from the
face landmarker's iris landmarks), pixels that are red and not dark: red, not orange as
skin, amber irises and warm light are (Lab a* above 35 and above b*). Where such pixels
fill a good part of the disc, they keep their lightness but lose their red: the red
channel takes the mean of green and blue, blended in softly at the disc's rim. No real
eye in the calibration set (469 photos: brown, blue and green irises, warm light, eyes
nearly shut, sepia, dark and compressed copies) triggers it.
"""

from __future__ import annotations

import cv2
import numpy as np

from photos.engine.subject import IRISES, iris_radius

PUPIL_SHARE = 0.55  # of the iris radius: the disc searched for red
CORRECTED_SHARE = 1.2  # of the iris radius: how far red pixels are corrected
MIN_RED_SHARE = 0.3  # of that disc red, to call the eye red
MIN_RED = 80  # red channel (0-255) of a red pupil pixel, which is also...
MIN_RED_A = 35.0  # ...this red in Lab (a*, OpenCV's 0-255 scale less 128), more than yellow
MIN_REDDISH_A = 12.0  # the red pupil's blurred rim, beside it
MIN_IRIS_RADIUS_PX = 2.0


def correct_red_eyes(rgb: np.ndarray, landmarks: np.ndarray) -> tuple[np.ndarray, bool]:
    """The photo with red pupils made dark, and whether any was."""
    height, width = rgb.shape[:2]
    out, corrected = rgb, False
    for centre_index, ring in IRISES:
        centre = landmarks[centre_index]
        radius = iris_radius(landmarks, centre_index, ring)
        if radius < MIN_IRIS_RADIUS_PX:
            continue
        reach = radius * CORRECTED_SHARE
        x0, y0 = (int(max(0, np.floor(v - reach - 2))) for v in centre)
        x1 = int(min(width, np.ceil(centre[0] + reach + 3)))
        y1 = int(min(height, np.ceil(centre[1] + reach + 3)))
        if x1 - x0 < 2 or y1 - y0 < 2:
            continue
        patch = out[y0:y1, x0:x1].astype(np.float32)
        rows, cols = np.mgrid[y0:y1, x0:x1]
        distance = np.hypot(cols + 0.5 - centre[0], rows + 0.5 - centre[1]) / radius
        pupil = distance <= PUPIL_SHARE
        red = patch[..., 0]
        lab = cv2.cvtColor(out[y0:y1, x0:x1], cv2.COLOR_RGB2LAB).astype(np.float32) - 128
        is_red = (red >= MIN_RED) & (lab[..., 1] >= MIN_RED_A) & (lab[..., 1] > lab[..., 2])
        if not pupil.any() or is_red[pupil].mean() < MIN_RED_SHARE:
            continue
        # Every red pixel of the iris (a dilated pupil fills most of it; irises are never
        # red), and the reddish ones round them where the red pupil blends into the iris,
        # fading out just past the iris's rim.
        beside = cv2.dilate(is_red.astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
        reddish = beside & (lab[..., 1] >= MIN_REDDISH_A) & (lab[..., 1] > lab[..., 2])
        weight = np.clip((CORRECTED_SHARE - distance) / 0.2, 0.0, 1.0) * (is_red | reddish)
        fixed = patch.copy()
        fixed[..., 0] = red + weight * ((patch[..., 1] + patch[..., 2]) / 2 - red)
        if out is rgb:
            out = rgb.copy()
        out[y0:y1, x0:x1] = np.round(fixed).astype(rgb.dtype)
        corrected = True
    return out, corrected
